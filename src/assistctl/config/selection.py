"""Path arguments narrow, they never widen: which manifests a plan acts on.

When a project root is known (the directory holding ``assistctl.yaml``, found by walking up
from the paths), the whole project is always loaded and validated, and path arguments only
select the keys to act on, as Terraform's ``-target``: a plan of one file must not delete
the assistants of every other file. The selection is the whole project when a path is the
project root (or its ``assistctl.yaml``); without a project file, when every path is a
directory (as before: each directory argument is then a project root of its own).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistctl.config.loader import LoadResult, load_or_raise
from assistctl.config.project import discover, display_path
from assistctl.config.sources import collect
from assistctl.errors import UsageError


@dataclass
class Selection:
    loaded: LoadResult
    """Every manifest of the project (validated), whatever the selection."""
    keys: tuple[str, ...] | None = None
    """The selected keys, sorted; None when the selection is the whole project."""
    total: int | None = None
    """How many manifests the project holds; None when no project file says."""


def load_selection(
    paths: Sequence[str], *, api_version: str | None = None, environment: str | None = None
) -> Selection:
    """Load the project of ``paths`` (the manifests of ``environment``, ``--env``) and say
    which of its manifests they select."""
    directories = [Path(p) if os.path.isdir(p) else Path(p).parent for p in paths]
    project_file, _ = discover(directories or [Path.cwd()])
    if project_file is None:
        loaded = load_or_raise(paths, api_version=api_version, environment=environment)
        if all(os.path.isdir(p) for p in paths):
            return Selection(loaded)
        return Selection(loaded, tuple(sorted(lm.manifest.key for lm in loaded.manifests)))
    root = project_file.parent.resolve()
    shown_root = display_path(root)
    real = [Path(os.path.realpath(p)) for p in paths]
    if any(r in (root, project_file.resolve()) for r in real):
        # The project file stands for its directory: alone, it would load no manifest, and
        # a plan of no manifests deletes every assistant of the project.
        whole = [
            shown_root if r == project_file.resolve() else p
            for p, r in zip(paths, real, strict=True)
        ]
        return Selection(load_or_raise(whole, api_version=api_version, environment=environment))
    outside = [p for p, r in zip(paths, real, strict=True) if not r.is_relative_to(root)]
    if outside:
        raise UsageError(
            f"{outside[0]} is outside the project {display_path(root)} (the directory of "
            f"{display_path(project_file)}); plan one project at a time."
        )
    # Explicit paths too: a file the directory walk skips (hidden) is still the user's.
    loaded = load_or_raise([shown_root, *paths], api_version=api_version, environment=environment)
    chosen = {os.path.realpath(path) for path, _ in collect(paths).manifests}
    keys = sorted(lm.manifest.key for lm in loaded.manifests if os.path.realpath(lm.file) in chosen)
    return Selection(loaded, tuple(keys), len(loaded.manifests))
