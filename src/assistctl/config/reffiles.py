"""Which files a manifest may refer to (``instructions_file``): the project's own, only.

Manifests are untrusted input (a pull request writes them) and what they refer to ends up in
a plan, i.e. in a pull-request comment. So a referenced file must resolve, symbolic links
followed, to a regular file inside the project root, with no hidden component below the root
(``.git/`` holds the checkout's token, ``.env`` a developer's keys), and, when the root is in
a git work tree, be tracked by git (CI writes credential files into the workspace). Every
check here reads names and metadata only: a refused file is never opened.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from assistctl.config.project import display_path

GIT_TIMEOUT = 60.0
"""Seconds ``git ls-files`` may take; a repository that big is listed well within it."""


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def in_work_tree(root: str) -> bool:
    """Whether ``root`` is in a git work tree: a ``.git`` (directory, or a worktree's file)
    in it or above."""
    directory = os.path.realpath(root)
    while True:
        if os.path.lexists(os.path.join(directory, ".git")):
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent


class FileGuard:
    """Checks references against project roots; lists each root's tracked files once."""

    def __init__(self) -> None:
        self._tracked: dict[str, frozenset[str] | str | None] = {}

    def resolve(
        self, root: str, manifest: tuple[str, str], relative: str, what: str
    ) -> tuple[str, str | None]:
        """The real path of ``relative`` and, when the file may not be read, a sentence
        saying why, starting with ``what`` and the path as written.

        ``root`` is the project root; ``manifest`` the referring manifest's path and its
        path as shown (``relative`` is relative to it). The file is never opened here.
        """
        root = os.path.realpath(root)
        real = os.path.realpath(os.path.join(os.path.dirname(manifest[0]), relative))
        shown = f"{what} '{relative}'"
        if not _inside(real, root):
            return real, (
                f"{shown} resolves to {display_path(Path(real))}, outside the project root "
                f"{display_path(Path(root))}; a manifest may only refer to files inside its "
                "project (the directory of assistctl.yaml, else the directory given)"
            )
        below = os.path.relpath(real, root)
        hidden = next((p for p in below.split(os.sep) if p.startswith(".") and p != "."), None)
        if hidden is not None:
            return real, (
                f"{shown} is under the hidden name '{hidden}'; files in hidden directories "
                "(such as .git) are never read, move it to a visible directory"
            )
        where = display_path(Path(real))
        try:
            info = os.stat(real)
        except OSError:
            return real, (
                f"{shown} not found: relative to {manifest[1]} it is {where}, which does not exist"
            )
        if not stat.S_ISREG(info.st_mode):
            return real, f"{shown} ({where}) is not a regular file"
        tracked = self._tracked_files(root)
        if isinstance(tracked, str):
            return real, f"{shown} was not read: {tracked}"
        if tracked is not None and below.replace(os.sep, "/") not in tracked:
            return real, (
                f"{shown} ({where}) is not tracked by git, and in a git work tree only "
                "committed files are the project's (CI writes credentials into the "
                "workspace); 'git add' it, or refer to a tracked file"
            )
        return real, None

    def _tracked_files(self, root: str) -> frozenset[str] | str | None:
        """The paths (``/``-separated, relative to ``root``) git tracks below ``root``; None
        outside a work tree; a sentence when git cannot say."""
        if root not in self._tracked:
            self._tracked[root] = _list_tracked(root) if in_work_tree(root) else None
        return self._tracked[root]


def _list_tracked(root: str) -> frozenset[str] | str:
    advice = f"{root} is in a git work tree and listing its tracked files failed"
    try:
        done = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached"],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return f"{advice} (git is not installed); install git to check it"
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"{advice} ({type(err).__name__}); run 'git ls-files' there to see why"
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[0].removeprefix("fatal: ") if lines else f"exit {done.returncode}"
        return f"{advice} (git: {reason}); fix it so that 'git ls-files' works there"
    return frozenset(p.decode("utf-8", "surrogateescape") for p in done.stdout.split(b"\0") if p)
