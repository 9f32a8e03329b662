"""Instructions files of one load: which a manifest may read, and their text, read once.

A manifest's ``instructions_file`` is read only when
:class:`~assistctl.config.reffiles.FileGuard` allows it (inside the manifest's project root,
not hidden, a regular file, tracked in a git work tree). One :class:`PromptFiles` serves every
environment's pass of a load: git is asked once, each prompt file is read once, and every
environment's (possibly substituted) path is checked the same way. The text itself is never
substituted: it is data, read after the manifest's own ``${name}`` references are resolved.
"""

from __future__ import annotations

import os
from pathlib import Path

from assistctl.config.limits import MAX_INSTRUCTIONS
from assistctl.config.project import display_path
from assistctl.config.reffiles import FileGuard
from assistctl.config.textfile import read_text

Read = tuple[str | None, str | None]
"""The text, or a sentence saying what is wrong with the file."""


class PromptFiles:
    """The project roots of a load's manifest files and the prompt files they read."""

    def __init__(self, project_file: Path | None) -> None:
        self.project_dir = os.path.dirname(os.path.realpath(project_file)) if project_file else None
        self.guard = FileGuard()
        self.arguments: dict[str, str] = {}
        self.roots: dict[str, str] = {}
        self.texts: dict[Path, Read] = {}

    def add_manifest_file(self, source: str, argument_root: str) -> None:
        """Record the directory of the path argument ``source`` was found under (see
        :meth:`root`)."""
        self.arguments[source] = argument_root

    def root(self, source: str) -> str:
        """``source``'s project root: the directory of ``assistctl.yaml`` when the file is
        below it, else the directory of the path argument it was found under."""
        # perf: worked out for the manifests that read a file only, not for every one (a
        # realpath is a stat per path component: 0.1 s over 5,000 manifests);
        # benchmarks/listing.py (see benchmarks/README.md, listing from both ends).
        if source not in self.roots:
            root = self.arguments[source]
            if self.project_dir is not None:
                real = os.path.realpath(source)
                if real.startswith(self.project_dir.rstrip(os.sep) + os.sep):
                    root = self.project_dir
            self.roots[source] = root
        return self.roots[source]

    def read(self, source: str, shown: str, relative: str) -> Read:
        """The text of ``relative`` (relative to manifest file ``source``, shown as
        ``shown``), or why it may not or cannot be read."""
        root = self.root(source)
        resolved, refused = self.guard.resolve(root, (source, shown), relative, "instructions file")
        if refused is not None:
            # Not cached: the sentence names this manifest's own relative path.
            return None, refused
        path = Path(resolved)
        if path not in self.texts:  # several manifests may share one prompt
            self.texts[path] = _read(path)
        return self.texts[path]


def _read(resolved: Path) -> Read:
    where = display_path(resolved)
    text, problem = read_text(resolved, where, what="instructions file")
    if problem is not None:
        return None, f"instructions file {where} {problem.message}"
    assert text is not None
    if len(text) > MAX_INSTRUCTIONS:
        return None, (
            f"instructions file {where} is {len(text):,} characters long; "
            f"instructions are limited to {MAX_INSTRUCTIONS:,}"
        )
    return text, None
