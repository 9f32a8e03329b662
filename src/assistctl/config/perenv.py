"""Checking manifests once per environment, without paying for it where nothing differs.

A document with no ``${`` is the same in every environment: it is checked once and counted
in each environment it exists in. A document with references is substituted and checked
for each of them; a problem that concerns a substituted value names the environment(s) it
occurs in, and one that occurs alike everywhere is reported once. Keys and ``moved_from``
are unique per environment (two manifests may share a key if no environment holds both).

Pure: the loader hands over documents as it parses them; the checker of
:mod:`assistctl.config.loader` does the checks of one document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from assistctl.config.positions import Document, Position
from assistctl.config.variables import (
    Substituted,
    has_references,
    substitute,
    whole_references,
)
from assistctl.config.yamlload import dotted
from assistctl.errors import Diagnostic

if TYPE_CHECKING:
    from assistctl.config.loader import LoadedManifest
    from assistctl.config.project import ProjectConfig

Valid = list[tuple["LoadedManifest", Position | None]]


class Checker(Protocol):
    """The checks of one document (:class:`assistctl.config.loader._Checker`)."""

    def check(
        self, doc: Document, source: str, data: Any = None
    ) -> tuple[LoadedManifest | None, list[Diagnostic]]: ...

    def unique(self, loaded: LoadedManifest, doc: Document) -> list[Diagnostic]: ...

    def model_warnings(self, doc: Document, manifest: Any) -> list[Diagnostic]: ...

    def moved_from_still_used(self, valid: Valid) -> list[Diagnostic]: ...


def _diag(
    doc: Document, path: Sequence[str | int], message: str, severity: str = "error"
) -> Diagnostic:
    pos = doc.nearest(path)
    return Diagnostic(doc.file, pos.line, pos.col, dotted(path), message, severity)


def _under(path: str, prefixes: set[str]) -> bool:
    return any(path == p or path.startswith(p + ".") for p in prefixes)


def _naming(environments: Sequence[str | None]) -> str:
    names = [f"'{e}'" for e in environments if e is not None]
    if not names:
        return ""
    return (
        f" (in environment {names[0]})"
        if len(names) == 1
        else (f" (in environments {', '.join(names)})")
    )


class EnvironmentPasses:
    """One check per document and environment (see the module's docstring)."""

    def __init__(
        self,
        project: ProjectConfig,
        environments: Sequence[str | None],
        make_checker: Callable[[str | None], Checker],
        *,
        known: bool = True,
    ) -> None:
        self.known = known
        """False when the project file is broken: its environments are unknown, so nothing
        is said about the manifests' use of them."""
        self.declared = tuple(project.environments)
        self.environments = tuple(environments)
        self.checkers = {e: make_checker(e) for e in self.environments}
        self.valid: dict[str | None, Valid] = {e: [] for e in self.environments}
        self.variables = (
            {e: project.variables(e) for e in self.environments} if project.substitutes else None
        )

    def add(self, doc: Document, source: str, *, marked: bool = True) -> list[Diagnostic]:
        """Check one document in every environment it exists in; its diagnostics.

        ``marked``: whether its file's text holds ``${`` at all (else no value does).
        """
        present, problems = self.membership(doc)
        data = doc.data
        # perf: a document of a file without "${" is not walked for references;
        # benchmarks/validate.py (see benchmarks/README.md, environments).
        references = marked and has_references(data)
        if self.variables is None or not references:
            if self.variables is None and self.known and references:
                problems += self.unsubstituted(doc)
            loaded, found = self.checkers[self.environments[0]].check(doc, source)
            problems += found
            if loaded is not None:
                for environment in present:
                    problems += self.keep(environment, loaded, doc)
                    # Each environment's provider has its say on the model (the loader
                    # drops the repeats).
                    problems += self.checkers[environment].model_warnings(doc, loaded.manifest)
            return problems
        groups: dict[tuple[Diagnostic, bool], list[str | None]] = {}
        for environment in present:
            sub = substitute(data, self.variables[environment])
            loaded, found = self.checkers[environment].check(doc, source, sub.data)
            for d, concerns in self.explained(doc, sub, found):
                groups.setdefault((d, concerns), []).append(environment)
            if loaded is not None and not sub.problems:
                problems += self.keep(environment, loaded, doc)
        for (d, concerns), where in groups.items():
            if concerns:
                d = dataclasses.replace(d, message=d.message + _naming(where))
            problems.append(d)
        return problems

    @staticmethod
    def explained(
        doc: Document, sub: Substituted, found: list[Diagnostic]
    ) -> list[tuple[Diagnostic, bool]]:
        """The substitution's problems and the checks', each with whether it concerns a
        substituted value; the checks' echo of a failed substitution is dropped."""
        failed = sub.failed
        out = [(_diag(doc, path, message), True) for path, message in sub.problems]
        out += [(d, sub.touches(d.path)) for d in found if not _under(d.path, failed)]
        return out

    def keep(
        self, environment: str | None, loaded: LoadedManifest, doc: Document
    ) -> list[Diagnostic]:
        problems = self.checkers[environment].unique(loaded, doc)
        moved = loaded.manifest.moved_from is not None  # perf: looked up only then
        self.valid[environment].append((loaded, doc.nearest(("moved_from",)) if moved else None))
        return problems

    def membership(self, doc: Document) -> tuple[list[str | None], list[Diagnostic]]:
        """The checked environments ``doc`` exists in, and problems with its
        ``environments`` list (the model checks its shape)."""
        data = doc.data
        listed = data.get("environments") if isinstance(data, dict) else None
        if not isinstance(listed, list) or not self.known:
            return list(self.environments), []
        if not self.declared:
            return list(self.environments), [
                _diag(
                    doc,
                    ("environments",),
                    "assistctl.yaml declares no environments; declare them under "
                    "environments: there, or remove this list",
                )
            ]
        problems = []
        for index, name in enumerate(listed):
            if isinstance(name, str) and name not in self.declared and "${" not in name:
                from assistctl.config.messages import did_you_mean

                problems.append(
                    _diag(
                        doc,
                        ("environments", index),
                        f"unknown environment '{name}'; assistctl.yaml declares: "
                        f"{', '.join(self.declared)}{did_you_mean(name, list(self.declared))}",
                    )
                )
        return [e for e in self.environments if e in listed], problems

    @staticmethod
    def unsubstituted(doc: Document) -> list[Diagnostic]:
        """A hint for ``model: ${MODEL}`` in a project with no variables: sent as is."""
        return [
            _diag(
                doc,
                path,
                "looks like a variable reference, but assistctl.yaml declares no vars or "
                "environments, so it is sent as is; declare the variable under vars: there "
                "to substitute it",
                severity="warning",
            )
            for path in whole_references(doc.data)
        ]

    def finish(self) -> list[Diagnostic]:
        """The checks across documents (``moved_from`` naming a key still in use)."""
        problems: list[Diagnostic] = []
        for environment, checker in self.checkers.items():
            problems += checker.moved_from_still_used(self.valid[environment])
        return problems

    def manifests(self) -> list[LoadedManifest]:
        """The valid manifests: of the one environment checked, or of any (each once)."""
        if len(self.environments) == 1:
            return [loaded for loaded, _ in self.valid[self.environments[0]]]
        seen: dict[tuple[str, int], LoadedManifest] = {}
        for valid in self.valid.values():
            for loaded, _ in valid:
                seen.setdefault((loaded.file, loaded.document), loaded)
        return list(seen.values())
