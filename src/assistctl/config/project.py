"""The project file ``assistctl.yaml``: project name, provider settings, policy limits, and
the variables and environments of :mod:`assistctl.config.environments`.

It is optional and found by walking up from the manifests' directories, stopping at the
repository root (the first directory holding ``.git``), so that a stray file higher up in a
home directory is never picked up. It is never read as a manifest.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from assistctl.config.apifields import SERVER_DEFAULTS
from assistctl.config.environments import (
    Environment,
    EnvName,
    ProviderName,
    TargetSettings,
    VarName,
    check_top_level_vars,
)
from assistctl.config.limits import MAX_INSTRUCTIONS, MAX_METADATA_KEY, Integer, Number
from assistctl.config.messages import Loc, explain
from assistctl.config.variables import merged
from assistctl.config.yamlload import dotted, load_file
from assistctl.errors import Diagnostic, ManifestError
from assistctl.labels import NAME_PATTERN, OWNER_KEY

if TYPE_CHECKING:
    from assistctl.config.manifest import Manifest

MAX_DELETE_PERCENT = 30.0
"""The mass-delete guard (:mod:`assistctl.core.plan.guard`): a plan deleting more than this
share of at least :data:`MIN_MANAGED_FOR_DELETE_CHECK` managed assistants needs
``--allow-mass-delete``. The policy may lower both, never raise them."""
MIN_MANAGED_FOR_DELETE_CHECK = 10

PROJECT_FILE = "assistctl.yaml"
DEFAULT_PROJECT = "default"
SERVER_DEFAULT_TEMPERATURE: float = SERVER_DEFAULTS["temperature"]


class Policy(BaseModel):
    """Limits that `assistctl validate` enforces on every manifest of the project."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_models: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Glob patterns (`gpt-4o*`); a manifest's model must match one. "
        "Unset: any model.",
    )
    required_metadata: list[
        Annotated[str, StringConstraints(min_length=1, max_length=MAX_METADATA_KEY)]
    ] = Field(
        default_factory=list,
        description="Metadata keys every manifest must set to a non-empty value.",
    )
    max_temperature: Number | None = Field(
        default=None,
        ge=0,
        le=2,
        description="Highest allowed temperature; an unset temperature counts as the "
        f"server default {SERVER_DEFAULT_TEMPERATURE}.",
    )
    max_instructions_chars: Integer | None = Field(
        default=None,
        ge=1,
        le=MAX_INSTRUCTIONS,
        description="Longest allowed instructions, in characters.",
    )

    max_delete_percent: Number | None = Field(
        default=None,
        ge=0,
        le=MAX_DELETE_PERCENT,
        description="Largest share of the managed assistants (in %) one plan may delete "
        "without `--allow-mass-delete`; the default is the most it may be, "
        f"{MAX_DELETE_PERCENT:g}: the project file may only tighten the guard.",
    )
    min_managed_for_delete_check: Integer | None = Field(
        default=None,
        ge=1,
        le=MIN_MANAGED_FOR_DELETE_CHECK,
        description="The mass-delete guard applies from this many managed assistants; the "
        f"default is the most it may be, {MIN_MANAGED_FOR_DELETE_CHECK}.",
    )

    @field_validator("max_delete_percent", "min_managed_for_delete_check", mode="before")
    @classmethod
    def _only_tighter(cls, value: object, info: ValidationInfo) -> object:
        # The project file comes with a pull request: it may make the guard stricter, and
        # loosening it is the trusted side's word (the flag), so say so rather than "<= 30".
        most = {"max_delete_percent": MAX_DELETE_PERCENT}.get(
            str(info.field_name), MIN_MANAGED_FOR_DELETE_CHECK
        )
        if isinstance(value, int | float) and not isinstance(value, bool) and value > most:
            raise ValueError(
                f"{value} would loosen the mass-delete guard (at most {most:g}): the project "
                "file may only tighten it; pass --allow-mass-delete to the command to allow a "
                "larger delete"
            )
        return value

    @field_validator("required_metadata")
    @classmethod
    def _not_the_label(cls, value: list[str]) -> list[str]:
        if OWNER_KEY in value:
            raise ValueError(f"'{OWNER_KEY}' is the ownership label that assistctl sets itself")
        return value


class ProjectConfig(BaseModel):
    """Contents of `assistctl.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: Annotated[str, StringConstraints(pattern=NAME_PATTERN)] = Field(
        default=DEFAULT_PROJECT,
        description="Project name: the ownership scope written into each assistant's "
        f"`metadata.{OWNER_KEY}` label.",
    )
    provider: ProviderName | None = Field(
        default=None,
        description="Host preset (a name of `assistctl providers`); flags and environment "
        "variables override it.",
    )
    base_url: str | None = Field(
        default=None, min_length=1, description="API base URL; flags and environment override it."
    )
    api_version: Literal["v1", "v2"] | None = Field(
        default=None, description="Assistants API dialect; the default is v2."
    )
    policy: Policy = Field(default_factory=Policy, description="Limits enforced by validate.")
    vars: dict[VarName, Any] = Field(
        default_factory=dict,
        description="Variables for `${name}` in manifests, in every environment (data: text, "
        "numbers, booleans, lists, mappings).",
    )
    environments: dict[EnvName, Environment] = Field(
        default_factory=dict,
        description="The environments the manifests are applied to (`--env NAME`), each its "
        "own ownership scope `project@NAME`, with its own `vars` and, optionally, provider, "
        "key variable and URL variable.",
    )

    @field_validator("vars")
    @classmethod
    def _data_only(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_top_level_vars(value)

    @property
    def substitutes(self) -> bool:
        """Whether ``${name}`` is substituted in the manifests: a project declaring variables
        or environments. Without either, ``${`` stays text, as before environments existed."""
        return bool(self.vars or self.environments or "vars" in self.model_fields_set)

    def variables(self, environment: str | None) -> dict[str, Any]:
        """The variables of ``environment`` (None: the project's own), merged and unescaped."""
        env = self.environments.get(environment) if environment else None
        return merged(self.vars, env.vars if env is not None else None)

    def settings(self, environment: str | None) -> TargetSettings:
        """What target resolution reads for ``environment`` (None: the project itself)."""
        env = self.environments.get(environment) if environment else None
        if env is None:
            return TargetSettings(self.provider, self.base_url, self.api_version)
        return TargetSettings(
            provider=env.provider or self.provider,
            base_url=self.base_url,
            api_version=self.api_version,
            environment=environment,
            api_key_env=env.api_key_env,
            base_url_env=env.base_url_env,
        )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"'{value}' is not an http:// or https:// URL")
        return value


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_project_file(start: Path) -> Path | None:
    """The nearest ``assistctl.yaml`` in ``start`` or above, up to the repository root."""
    directory = start.resolve()
    for candidate in (directory, *directory.parents):
        path = candidate / PROJECT_FILE
        # Not only regular files: a directory or a dangling link by that name is reported by
        # the reader, instead of silently planning under the default project.
        if path.exists() or path.is_symlink():
            return path
        if (candidate / ".git").exists():
            return None
    return None


def discover(directories: Iterable[Path]) -> tuple[Path | None, list[Diagnostic]]:
    """The one project file for a set of manifest directories; two different ones is an error."""
    found: dict[Path, Path] = {}
    cache: dict[Path, Path | None] = {}
    for directory in directories:
        if directory not in cache:
            cache[directory] = find_project_file(directory)
        project_file = cache[directory]
        if project_file is not None:
            found.setdefault(project_file, directory)
    if len(found) <= 1:
        return next(iter(found), None), []
    names = sorted(display_path(p) for p in found)
    problems = [
        Diagnostic(
            name,
            0,
            0,
            "",
            f"the manifests belong to {len(names)} different project files "
            f"({', '.join(names)}); check each project in a separate run",
        )
        for name in names[1:]
    ]
    return Path(sorted(found)[0]), problems


def read_project(path: Path) -> tuple[ProjectConfig, list[Diagnostic]]:
    """Parse and check one project file. On any problem the defaults are returned too."""
    name = display_path(path)
    parsed = load_file(path, name, what="project file")
    diagnostics = list(parsed.diagnostics)
    if not parsed.documents:
        return ProjectConfig(), diagnostics  # an empty project file means the defaults
    if len(parsed.documents) > 1:
        extra = parsed.documents[1].position
        diagnostics.append(
            Diagnostic(
                name, extra.line, extra.col, "", "a project file holds exactly one YAML document"
            )
        )
    document = parsed.documents[0]
    if not isinstance(document.data, dict):
        pos = document.position
        diagnostics.append(
            Diagnostic(
                name,
                pos.line,
                pos.col,
                "",
                "a project file must be a mapping of settings (project: NAME, policy: ...)",
            )
        )
        return ProjectConfig(), diagnostics
    try:
        config = ProjectConfig.model_validate(document.data)
    except ValidationError as err:
        for error in err.errors(include_url=False):
            explained = explain(error, ProjectConfig)
            pos, where = document.locate(explained.loc, at_key=explained.at_key)
            diagnostics.append(
                Diagnostic(name, pos.line, pos.col, dotted(where), explained.message)
            )
        return ProjectConfig(), diagnostics
    return config, diagnostics


def load_project(paths: Sequence[str | Path]) -> tuple[ProjectConfig, Path | None]:
    """The project of the given manifest paths (walking up from each); raise when invalid.

    For plan/apply-style commands. :func:`assistctl.config.loader.load` does the same and also
    notices project files below a directory argument.
    """
    directories = [p if p.is_dir() else p.parent for p in map(Path, paths)]
    project_file, diagnostics = discover(directories or [Path.cwd()])
    config = ProjectConfig()
    if project_file is not None:
        config, problems = read_project(project_file)
        diagnostics += problems
    if any(d.severity == "error" for d in diagnostics):
        raise ManifestError(diagnostics)
    return config, project_file


def policy_violations(manifest: Manifest, policy: Policy) -> list[tuple[Loc, str]]:
    """Where ``manifest`` breaks ``policy``: (field path, sentence) pairs. Pure."""
    problems: list[tuple[Loc, str]] = []
    if policy.allowed_models is not None and not any(
        fnmatch.fnmatchcase(manifest.model, pattern) for pattern in policy.allowed_models
    ):
        problems.append(
            (
                ("model",),
                f"model '{manifest.model}' is not allowed by the project policy "
                f"(allowed_models: {', '.join(policy.allowed_models)})",
            )
        )
    metadata = manifest.metadata or {}
    for key in policy.required_metadata:
        if not metadata.get(key):
            problems.append(
                (("metadata", key), f"metadata '{key}' is required by the project policy")
            )
    limit = policy.max_temperature
    if limit is not None:
        if manifest.temperature is None and limit < SERVER_DEFAULT_TEMPERATURE:
            problems.append(
                (
                    ("temperature",),
                    f"temperature is not set, so the server default {SERVER_DEFAULT_TEMPERATURE}"
                    f" applies, above the project policy's max_temperature {limit}; "
                    "set it explicitly",
                )
            )
        elif manifest.temperature is not None and manifest.temperature > limit:
            problems.append(
                (
                    ("temperature",),
                    f"temperature {manifest.temperature} is above the project policy's "
                    f"max_temperature {limit}",
                )
            )
    max_chars = policy.max_instructions_chars
    length = len(manifest.instructions or "")
    if max_chars is not None and length > max_chars:
        field = "instructions_file" if manifest.instructions_file else "instructions"
        problems.append(
            (
                (field,),
                f"instructions are {length:,} characters long; the project policy allows "
                f"{max_chars:,} (max_instructions_chars)",
            )
        )
    return problems


def effective_api_version(flag: str | None, config: ProjectConfig) -> str:
    return flag or config.api_version or "v2"
