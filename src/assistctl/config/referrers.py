"""An instructions file given to ``validate`` stands for the manifests that use it.

pre-commit passes ``validate`` the files a commit changes. When the commit changes only
``prompts/tutor.md``, the manifests naming it in ``instructions_file`` must be checked again
(its length counts against the API's limit, it may have become unreadable, ...). So a path
argument that is a file but not YAML is replaced by the manifest files of its project that
refer to it (``instructions_file`` resolved from each manifest's directory, symbolic links
followed); when none does, it is dropped with a note. The project is the directory of the
``assistctl.yaml`` found above the file, else the repository root, else the file's directory.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistctl.config.project import display_path, find_project_file
from assistctl.config.sources import MANIFEST_SUFFIXES, collect
from assistctl.config.yamlload import load_file


@dataclass
class Expanded:
    """The paths to validate, and what to tell people about the instructions files."""

    paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_instructions_path(path: str) -> bool:
    """A file that is not YAML (directories and missing paths stay as they are)."""
    return os.path.isfile(path) and not path.lower().endswith(MANIFEST_SUFFIXES)


def project_root(start: Path) -> Path:
    """Where the project of a file in ``start`` begins (see the module's note)."""
    project_file = find_project_file(start)
    if project_file is not None:
        return project_file.parent
    directory = start.resolve()
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def _references(root: Path) -> dict[str, list[str]]:
    """Resolved instructions file -> the manifest files (as shown) that name it."""
    found: dict[str, list[str]] = {}
    for source, shown in collect([display_path(root)]).manifests:
        parsed = load_file(source, shown)
        for doc in parsed.documents:
            written = doc.data.get("instructions_file") if isinstance(doc.data, dict) else None
            if not isinstance(written, str) or "\x00" in written:
                continue
            target = os.path.realpath(os.path.join(os.path.dirname(source), written))
            files = found.setdefault(target, [])
            if shown not in files:
                files.append(shown)
    return found


def expand_instructions_files(paths: Sequence[str]) -> Expanded:
    """``paths`` with each instructions file replaced by the manifest files that use it."""
    expanded = Expanded()
    scanned: dict[Path, dict[str, list[str]]] = {}
    for path in paths:
        if not is_instructions_path(path):
            expanded.paths.append(path)
            continue
        root = project_root(Path(path).parent)
        if root not in scanned:
            scanned[root] = _references(root)
        users = scanned[root].get(os.path.realpath(path), [])
        if not users:
            expanded.notes.append(
                f"{path} is not a manifest, and no manifest under {display_path(root)} names "
                "it in instructions_file: nothing to validate for it"
            )
        expanded.paths += [f for f in users if f not in expanded.paths]
    return expanded
