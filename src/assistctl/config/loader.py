"""Paths in, manifests and diagnostics out: everything ``validate`` checks, in one pass.

``load`` never raises for bad input; every problem is a :class:`Diagnostic` with the
``file:line:col`` of the offending node. ``load_or_raise`` is the variant for commands that
cannot go on with invalid manifests (plan, apply).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistctl.config.dialect import v1_problems, v2_refuses
from assistctl.config.environments import select_environment
from assistctl.config.manifest import Manifest, passed_fields, share_fields_sets
from assistctl.config.messages import Loc, explain
from assistctl.config.models_aimlapi import DOCS_URL as AIMLAPI_DOCS_URL
from assistctl.config.perenv import EnvironmentPasses
from assistctl.config.positions import Document, Position
from assistctl.config.project import (
    PROJECT_FILE,
    ProjectConfig,
    discover,
    effective_api_version,
    policy_violations,
    read_project,
)
from assistctl.config.project import display_path as _display
from assistctl.config.prompts import PromptFiles
from assistctl.config.providers import Provider, resolve_provider
from assistctl.config.sources import collect
from assistctl.config.yamlload import dotted, load_file
from assistctl.errors import AssistctlError, Diagnostic, ManifestError
from assistctl.options import GlobalOptions


@dataclass(frozen=True)
class LoadedManifest:
    """A valid manifest and where it came from (``line`` is its ``key`` line)."""

    manifest: Manifest
    file: str
    line: int
    document: int = 1


@dataclass
class LoadResult:
    manifests: list[LoadedManifest] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    project: ProjectConfig = field(default_factory=ProjectConfig)
    project_file: Path | None = None
    files: list[str] = field(default_factory=list)
    """Every file read: manifest files, then the project file."""
    environment: str | None = None
    """The environment selected (``--env``); None for a project without environments, and
    for ``validate`` checking every environment."""
    environments: tuple[str, ...] = ()
    """The environments the manifests were checked in (empty: the project has none)."""

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def _whole(file: str, message: str, severity: str = "error") -> Diagnostic:
    return Diagnostic(file, 0, 0, "", message, severity)


class _Checker:
    """Checks the documents of one run against one project configuration."""

    def __init__(
        self,
        project: ProjectConfig,
        api_version: str,
        provider: Provider | None = None,
        prompts: PromptFiles | None = None,
    ) -> None:
        self.project = project
        self.api_version = api_version
        self.provider = provider
        self.prompts = prompts if prompts is not None else PromptFiles(None)
        self.keys: dict[str, tuple[str, int]] = {}
        self.moved: dict[str, tuple[str, int]] = {}

    def diag(self, doc: Document, path: Loc, message: str, *, at_key: bool = False) -> Diagnostic:
        pos = doc.nearest(path, at_key=at_key)
        return Diagnostic(doc.file, pos.line, pos.col, dotted(path), message)

    def check(
        self, doc: Document, source: str, data: Any = None
    ) -> tuple[LoadedManifest | None, list[Diagnostic]]:
        """Check one document: its own data, or ``data`` (the document after substitution;
        positions still come from the document)."""
        if data is None:
            data = doc.data
        if not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else "a single value"
            message = f"a manifest must be a mapping of fields (key: ..., model: ...), not {kind}"
            return None, [Diagnostic(doc.file, doc.position.line, doc.position.col, "", message)]
        problems = (
            []
            if self.api_version == "v1"
            else [self.diag(doc, path, m, at_key=k) for path, m, k in v2_refuses(data)]
        )
        try:
            manifest = Manifest.model_validate(data)
        except ValidationError as err:
            failed: set[str | int] = set()
            for error in err.errors(include_url=False):
                explained = explain(error, Manifest)
                pos, path = doc.locate(explained.loc, at_key=explained.at_key)
                problems.append(
                    Diagnostic(doc.file, pos.line, pos.col, dotted(path), explained.message)
                )
                failed.add(error["loc"][0] if error["loc"] else "")
            partial = passed_fields(data, failed)
            if partial is not None:
                # The rest is checked too (one run shows every error), its key included.
                problems += self.further(doc, source, partial, failed)[1]
                if "key" not in failed:
                    line = doc.nearest(("key",)).line
                    problems += self.unique(LoadedManifest(partial, doc.file, line, doc.index), doc)
            return None, problems
        manifest, found = self.further(doc, source, manifest, set())
        problems += found
        key_pos = doc.nearest(("key",))
        share_fields_sets(manifest)  # perf: kept until the plan is made (see its note)
        loaded = LoadedManifest(manifest, doc.file, key_pos.line, doc.index)
        warnings = self.model_warnings(doc, manifest)
        if problems:  # its key is still unique in the project (a valid one is kept for that)
            problems += self.unique(loaded, doc)
        return (None if problems else loaded), problems + warnings

    def further(
        self, doc: Document, source: str, manifest: Manifest, failed: set[str | int]
    ) -> tuple[Manifest, list[Diagnostic]]:
        """The checks beyond the manifest model (instructions file, policy, dialect), on
        the fields that passed it (``failed``: the top-level fields that did not)."""
        problems: list[Diagnostic] = []
        if manifest.instructions_file is not None and "instructions_file" not in failed:
            text, problem = self.prompts.read(source, doc.file, manifest.instructions_file)
            if problem is not None:
                return manifest, [self.diag(doc, ("instructions_file",), problem)]
            manifest = manifest.model_copy(update={"instructions": text})
        found = policy_violations(manifest, self.project.policy)
        if self.api_version == "v1":
            found += v1_problems(manifest)
        for path, message in found:
            if not path or path[0] not in failed:
                problems.append(self.diag(doc, path, message))
        return manifest, problems

    def model_warnings(self, doc: Document, manifest: Manifest) -> list[Diagnostic]:
        """A model outside the provider's documented list: a warning, the list may be stale."""
        provider = self.provider
        if provider is None or provider.documented_models is None:
            return []
        if manifest.model in provider.documented_models:
            return []
        pos = doc.nearest(("model",))
        return [
            Diagnostic(
                doc.file,
                pos.line,
                pos.col,
                "model",
                f"'{manifest.model}' is not among the Assistants models AIML API documents "
                f"(provider {provider.name}); the host may refuse it at apply time "
                f"(list: {AIMLAPI_DOCS_URL})",
                severity="warning",
            )
        ]

    def unique(self, loaded: LoadedManifest, doc: Document) -> list[Diagnostic]:
        """``key`` unique in the project; ``moved_from`` names a key no manifest still has."""
        found: list[Diagnostic] = []
        key = loaded.manifest.key
        first = self.keys.get(key)
        if first is not None:
            found.append(
                self.diag(
                    doc,
                    ("key",),
                    f"duplicate key '{key}': also defined at {first[0]}:{first[1]}; "
                    "keys must be unique in the project",
                )
            )
        else:
            self.keys[key] = (loaded.file, loaded.line)
        old = loaded.manifest.moved_from
        if old is not None:
            pos = doc.nearest(("moved_from",))
            earlier = self.moved.get(old)
            if earlier is not None:
                found.append(
                    self.diag(
                        doc,
                        ("moved_from",),
                        f"'{old}' is also the moved_from of the manifest at "
                        f"{earlier[0]}:{earlier[1]}; only one manifest can take over a key",
                    )
                )
            else:
                self.moved[old] = (loaded.file, pos.line)
        return found

    def moved_from_still_used(
        self, valid: list[tuple[LoadedManifest, Position | None]]
    ) -> list[Diagnostic]:
        """Diagnostics for a ``moved_from`` that another manifest still uses as its key.

        Takes positions rather than documents so that node trees are freed file by file.
        """
        # perf: a thousand node trees kept alive made the collector dominate the run;
        # benchmarks/validate.py (see benchmarks/README.md, validate).
        found = []
        for loaded, pos in valid:
            old = loaded.manifest.moved_from
            if old is not None and old in self.keys:
                assert pos is not None
                file, line = self.keys[old]
                found.append(
                    Diagnostic(
                        loaded.file,
                        pos.line,
                        pos.col,
                        "moved_from",
                        f"moved_from '{old}' is still the key of the manifest at "
                        f"{file}:{line}; remove that manifest or this moved_from",
                    )
                )
        return found


def load(
    paths: Sequence[str | Path],
    *,
    api_version: str | None = None,
    options: GlobalOptions | None = None,
    environment: str | None = None,
    every_environment: bool = False,
) -> LoadResult:
    """Read and check every manifest under ``paths``, the project file and project policy.

    ``api_version`` is the ``--api-version`` flag (the project file's ``api_version`` is
    the fallback). With ``options`` (the global flags), the provider is resolved like the
    client does (flag, environment, project file, known host), offline, for
    provider-specific warnings (AIML API's documented model list).

    ``environment`` is ``--env``: the manifests are checked with its variables, and only
    those that exist in it are returned. Without one, a project that declares environments
    is checked in each of them when ``every_environment`` (``validate``), and refused
    otherwise (UsageError naming the choices): a bad flag is not a manifest's problem.
    """
    inputs = collect(paths)
    result = LoadResult(diagnostics=list(inputs.diagnostics))

    # perf: each directory once, thousands of manifests usually share a few;
    # benchmarks/validate.py (see benchmarks/README.md, validate).
    directories = dict.fromkeys(
        os.path.dirname(p) for p, _ in [*inputs.manifests, *inputs.project_files]
    )
    project_file, problems = discover(Path(d) for d in directories)
    result.diagnostics += problems
    known = True  # the project file says what the environments and variables are
    if project_file is not None:
        result.project, problems = read_project(project_file)
        result.project_file = project_file
        result.diagnostics += problems
        known = not any(d.severity == "error" for d in problems)
    checked = _environments(result, environment, every_environment) if known else (None,)
    version = effective_api_version(api_version, result.project)
    # One for every environment's checker: git asked once, each prompt file read once.
    prompts = PromptFiles(project_file)

    def make_checker(environment: str | None) -> _Checker:
        provider = _provider(options, result.project, environment)
        return _Checker(result.project, version, provider, prompts)

    passes = EnvironmentPasses(result.project, checked, make_checker, known=known)
    # perf: short texts, one object each for every file (yamlload.parse);
    # benchmarks/plan_memory.py (see benchmarks/README.md, memory).
    shared: dict[str, str] = {}
    for source, shown in inputs.manifests:
        result.files.append(shown)
        if os.path.basename(shown) == "assistctl.yml":
            result.diagnostics.append(
                _whole(shown, f"a project file must be named {PROJECT_FILE}, not assistctl.yml")
            )
            continue
        prompts.add_manifest_file(source, inputs.roots[source])
        parsed = load_file(source, shown, shared=shared)
        result.diagnostics += parsed.diagnostics
        if parsed.empty:
            result.diagnostics.append(
                _whole(shown, "the file is empty: no manifest to check", severity="warning")
            )
        marked = "${" in parsed.text
        # A node the YAML reading refused is reported once, for that cause (what the model
        # says about the value read in its place is not the real cause).
        refused = {(d.line, d.col) for d in parsed.diagnostics}
        for doc in parsed.documents:
            found = passes.add(doc, source, marked=marked)
            result.diagnostics += [d for d in found if (d.line, d.col) not in refused]
    result.diagnostics += passes.finish()
    result.manifests = passes.manifests()
    if project_file is not None:
        result.files.append(_display(project_file))

    if not inputs.manifests and not inputs.project_files and not result.errors:
        result.diagnostics.append(_whole(", ".join(map(str, paths)), "no manifests found"))
    elif not result.manifests and not inputs.project_files and not result.errors:
        result.diagnostics.append(
            _whole(", ".join(map(str, paths)), "no manifests found: every file is empty")
        )
    # Checks repeated per environment find the same problem in each: reported once.
    result.diagnostics = sorted(set(result.diagnostics))
    return result


def _environments(result: LoadResult, requested: str | None, every: bool) -> tuple[str | None, ...]:
    """The environments to check in (None: the project's own scope), set on ``result``."""
    declared = tuple(result.project.environments)
    selected = select_environment(declared, requested, required=not every)
    result.environment = selected
    result.environments = (selected,) if selected is not None else declared
    return result.environments or (None,)


def _provider(
    options: GlobalOptions | None, project: ProjectConfig, environment: str | None
) -> Provider | None:
    if options is None:
        return None
    try:
        return resolve_provider(options, project.settings(environment))
    except AssistctlError:
        return None  # an unknown provider name is reported by the commands that use it


def load_or_raise(
    paths: Sequence[str | Path], *, api_version: str | None = None, environment: str | None = None
) -> LoadResult:
    """:func:`load` for one environment (required when the project declares any), raising
    :class:`ManifestError` (with every diagnostic) on any error."""
    result = load(paths, api_version=api_version, environment=environment)
    if not result.ok:
        raise ManifestError(result.diagnostics)
    return result
