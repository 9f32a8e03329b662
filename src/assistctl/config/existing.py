"""The manifests a project already has, as ``export`` needs them to update them in place.

``export`` writes into ``--out``, but it reads the whole project around it (the directory of
``assistctl.yaml`` found above ``--out``, else ``--out`` itself): a key whose manifest already
exists anywhere in the project must be updated there, never written a second time. For each
document: its key, its file and place in the file, its data as the loader reads it, the
manifest the loader makes of it (None when it is not valid), the ``# Exported by assistctl
from ID`` comment above it (how an exported, not yet adopted assistant is found again), and
its instructions file. Every path is also said to be inside ``--out`` or not (symbolic links
followed): export writes only there.

A file that is not valid YAML (or repeats a key) stops the export: what it holds is unknown,
so a key could end up in two manifests.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistctl.config.loader import load
from assistctl.config.manifest import Manifest
from assistctl.config.project import display_path
from assistctl.config.reffiles import FileGuard
from assistctl.config.sources import collect
from assistctl.config.textfile import read_text
from assistctl.config.yamlload import parse
from assistctl.errors import Diagnostic, ManifestError


class UnreadableManifests(ManifestError):
    """Files of the project that export cannot read; it writes nothing until they are fixed."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics)
        self.args = (
            f"{len(self.diagnostics)} problem(s) in the project's files (listed above); export "
            "updates manifests in place and writes nothing until they are fixed.",
        )


_EXPORTED_FROM = re.compile(r"^#\s*Exported by assistctl from ([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Prompt:
    """A manifest's ``instructions_file``."""

    written: str
    """As the manifest writes it."""
    path: str
    """Resolved, symbolic links followed."""
    text: str | None
    problem: str | None
    inside: bool
    """Inside ``--out``, where export may write."""


@dataclass(frozen=True)
class ExistingDoc:
    key: str
    file: str
    """As found under the project root (the name shown to people)."""
    index: int
    """1-based, among the file's non-empty documents."""
    data: dict[str, Any]
    manifest: Manifest | None
    """As the loader makes it (instructions read, variables substituted); None: invalid."""
    inside: bool
    exported_from: str | None = None
    prompt: Prompt | None = None

    @property
    def moved_from(self) -> str | None:
        value = self.data.get("moved_from")
        return value if isinstance(value, str) else None


@dataclass
class Existing:
    """What the project holds already."""

    root: Path
    docs: list[ExistingDoc] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    """File -> its text, for every file holding a manifest."""
    real: dict[str, str] = field(default_factory=dict)
    """File -> its resolved path, for every file holding a manifest."""
    occupied: set[str] = field(default_factory=set)
    """Resolved paths of the manifest files and the instructions files they name."""

    def by_key(self) -> dict[str, ExistingDoc]:
        return {d.key: d for d in self.docs}


def _inside(path: str, out: str) -> bool:
    real = os.path.realpath(path)
    return real == out or real.startswith(out.rstrip(os.sep) + os.sep)


def _exported_from(lines: list[str], line: int) -> str | None:
    """The id in the comment lines just above 1-based ``line``, written by export."""
    i = line - 2
    while 0 <= i < len(lines) and lines[i].lstrip().startswith("#"):
        match = _EXPORTED_FROM.match(lines[i].lstrip())
        if match:
            return match.group(1).rstrip(".")
        i -= 1
    return None


def _prompt(
    guard: FileGuard, root: str, manifest: tuple[str, str], written: str, out: str
) -> Prompt:
    """The instructions file, read only when the project may refer to it (the loader's rule:
    inside the project, visible, tracked by git in a work tree)."""
    path, refused = guard.resolve(root, manifest, written, "instructions file")
    text = None
    if refused is None:
        text, problem = read_text(path, written, what="instructions file")
        refused = None if problem is None else f"{written} {problem.message}"
    return Prompt(written=written, path=path, text=text, problem=refused, inside=_inside(path, out))


def read_existing(
    root: Path, out: Path, *, api_version: str | None = None, environment: str | None = None
) -> Existing:
    """Every manifest document under ``root`` (the manifests of ``environment`` as the loader
    makes them); ManifestError when a file cannot be read."""
    existing = Existing(root)
    if not root.is_dir():
        return existing
    real_out = os.path.realpath(out)
    shown_root = display_path(root.resolve())
    loaded = load([shown_root], api_version=api_version, environment=environment)
    guard = FileGuard()
    manifests = {(lm.file, lm.document): lm.manifest for lm in loaded.manifests}
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for source, shown in collect([shown_root]).manifests:
        text, problem = read_text(source, shown)
        if problem is not None or text is None:
            problems += [problem] if problem is not None else []
            continue
        parsed = parse(text, shown)
        problems += [d for d in parsed.diagnostics if d.severity == "error"]
        if parsed.diagnostics or not parsed.documents:
            continue
        lines = text.splitlines()
        for doc in parsed.documents:
            data = doc.data
            key = data.get("key") if isinstance(data, dict) else None
            if not isinstance(key, str):
                continue
            where = f"{shown}:{doc.position.line}"
            if key in seen:
                problems.append(
                    Diagnostic(
                        shown,
                        doc.position.line,
                        doc.position.col,
                        "key",
                        f"duplicate key '{key}': also defined at {seen[key]}",
                    )
                )
                continue
            seen[key] = where
            written = data.get("instructions_file")
            prompt = (
                _prompt(guard, str(root), (source, shown), written, real_out)
                if isinstance(written, str)
                else None
            )
            existing.docs.append(
                ExistingDoc(
                    key=key,
                    file=shown,
                    index=doc.index,
                    data=data,
                    manifest=manifests.get((shown, doc.index)),
                    inside=_inside(source, real_out),
                    exported_from=_exported_from(lines, doc.position.line),
                    prompt=prompt,
                )
            )
            existing.texts[shown] = text
            existing.real[shown] = os.path.realpath(source)
            existing.occupied.add(os.path.realpath(source))
            if prompt is not None:
                existing.occupied.add(prompt.path)
    if problems:
        raise UnreadableManifests(problems)
    return existing
