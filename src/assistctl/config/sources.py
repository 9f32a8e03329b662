"""Which files a run reads: path arguments expanded into manifest files and project files.

Directories are walked for ``*.yaml`` and ``*.yml`` files (hidden ones skipped, symbolic
links to directories not followed), each file once however it is named.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistctl.config.project import PROJECT_FILE
from assistctl.config.textfile import whole_file
from assistctl.errors import Diagnostic

MANIFEST_SUFFIXES = (".yaml", ".yml")


@dataclass
class Inputs:
    """The files to read, and the path arguments that name none."""

    # (path as found, path as shown): strings, a Path per file costs more than it serves
    manifests: list[tuple[str, str]] = field(default_factory=list)
    project_files: list[tuple[str, str]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    roots: dict[str, str] = field(default_factory=dict)
    """Manifest path -> the path argument's directory it was found through (the file's own
    directory for a file argument): its project root when no ``assistctl.yaml`` names one."""


# perf: os.scandir, and realpath and normpath once per directory, not per file;
# benchmarks/validate.py (see benchmarks/README.md, plan scaling: loading 5,000 files).
def _walk(top: str) -> list[tuple[str, str, str]]:
    """``(path, shown, real)`` of the YAML files below ``top``, sorted, skipping hidden files
    and directories; as ``os.walk`` (no symbolic links to directories followed, unreadable
    directories skipped) with ``os.path.normpath`` and ``os.path.realpath`` of each path.

    Both are computed once per directory: below a directory, a name that is not a symbolic
    link adds itself to the directory's real path (the scan says which are links, for free),
    and a plain name adds itself to the normalized path.
    """
    found: list[tuple[str, str, str]] = []
    _walk_into(top, os.path.normpath(top), os.path.realpath(top), found)
    return found


def _walk_into(directory: str, shown: str, real: str, found: list[tuple[str, str, str]]) -> None:
    files: list[tuple[str, bool]] = []
    subdirectories: list[tuple[str, bool]] = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                try:
                    is_link = entry.is_symlink()
                except OSError:
                    # Unknown: os.walk then walks into a directory; a file's path is
                    # resolved, which is right either way.
                    is_link = not is_dir
                (subdirectories if is_dir else files).append((entry.name, is_link))
    except OSError:
        return  # what os.walk does without onerror: the directory is skipped
    for name, is_link in sorted(files):
        if name.startswith(".") or not name.endswith(MANIFEST_SUFFIXES):
            continue
        path = os.path.join(directory, name)
        found.append(
            (
                path,
                name if shown == "." else os.path.join(shown, name),
                os.path.realpath(path) if is_link else os.path.join(real, name),
            )
        )
    for name, is_link in sorted(subdirectories):
        if not name.startswith(".") and not is_link:
            _walk_into(
                os.path.join(directory, name),
                name if shown == "." else os.path.join(shown, name),
                os.path.join(real, name),
                found,
            )


def collect(paths: Sequence[str | Path]) -> Inputs:
    """Expand path arguments into manifest files, named project files and path problems."""
    inputs = Inputs()
    seen: set[str] = set()

    def add(path: str, explicit: bool, shown: str, real: str, root: str) -> None:
        if real in seen:
            return  # the same file named twice, or a directory and a file inside it
        seen.add(real)
        if os.path.basename(path) == PROJECT_FILE:
            if explicit:
                inputs.project_files.append((path, shown))
            return
        inputs.manifests.append((path, shown))
        inputs.roots[path] = root

    for raw in paths:
        path = str(raw)
        if os.path.isdir(path):
            files = _walk(path)
            if not any(os.path.basename(f) != PROJECT_FILE for f, _, _ in files):
                inputs.diagnostics.append(
                    whole_file(
                        os.path.normpath(path),
                        "no manifests here: the directory holds no *.yaml or *.yml files",
                    )
                )
            for file, shown, real in files:
                add(file, False, shown, real, path)
        elif os.path.lexists(path):
            add(path, True, os.path.normpath(path), os.path.realpath(path), os.path.dirname(path))
        else:
            inputs.diagnostics.append(whole_file(path, "no such file or directory; check the path"))
    return inputs
