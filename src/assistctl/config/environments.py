"""Environments and variables of ``assistctl.yaml``: their model, and choosing one.

An environment (``dev``, ``prod``) is the same manifests under another ownership scope
(``project@env``), with its own variables and, optionally, its own host and key. The file
names *which* process variables hold the key and the URL (``api_key_env``,
``base_url_env``), never their values; since a pull request may edit the file, those names
must look like what they hold and may not be a CI system's own variables (whose values a
pull request can influence, such as a merge request's title). Values stay in the process
environment and are never printed.

Variables are data (text, numbers, booleans, null, lists, mappings): a value holding
``${...}`` is refused, there are no expressions and no includes (:mod:`.variables`).
Pure: no I/O; the process environment is read by the target resolution.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from assistctl.config.names import ENV_VAR_PATTERN, VAR_NAME_PATTERN
from assistctl.config.providers import PROVIDERS
from assistctl.config.variables import text_problem
from assistctl.errors import UsageError
from assistctl.labels import NAME_PATTERN

KEY_SUFFIXES = ("_KEY", "_TOKEN")
URL_SUFFIXES = ("_URL", "_ENDPOINT")
CI_PREFIXES = (
    "ACTIONS_",
    "BITBUCKET_",
    "BUILDKITE_",
    "CI_",
    "CIRCLE_",
    "GITHUB_",
    "GITLAB_",
    "RUNNER_",
    "TRAVIS_",
)
"""Variables a CI system sets itself, some from what a pull request writes (titles, branch
names): never a key's or a URL's source."""

VarName = Annotated[str, StringConstraints(pattern=VAR_NAME_PATTERN)]
EnvName = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
EnvVarName = Annotated[str, StringConstraints(pattern=ENV_VAR_PATTERN)]


def provider_problem(name: str | None) -> str | None:
    """Why ``name`` is not a provider preset (with a did-you-mean), or None."""
    if name is None or name in PROVIDERS:
        return None
    close = difflib.get_close_matches(name, list(PROVIDERS), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown provider '{name}'; use one of {', '.join(PROVIDERS)}{hint}"


def _known_provider(name: str) -> str:
    # The names come from config/providers.py: a preset added there is accepted here.
    problem = provider_problem(name)
    if problem is not None:
        raise PydanticCustomError("unknown_provider", problem)
    return name


ProviderName = Annotated[str, AfterValidator(_known_provider)]
"""A provider preset's name, in the project file and in each of its environments."""


def variable_name_problem(name: str, suffixes: tuple[str, ...], what: str) -> str | None:
    """Why ``name`` may not hold ``what`` (the key, the base URL), or None."""
    upper = name.upper()
    if upper.startswith(CI_PREFIXES) or upper.startswith("ASSISTCTL_"):
        return (
            f"'{name}' is a variable the CI system or assistctl sets itself; name a variable "
            f"of your own holding {what}, e.g. MYAPP_PROD{suffixes[0]}"
        )
    if not upper.endswith(suffixes):
        return (
            f"'{name}' does not look like a variable holding {what}: its name must end in "
            f"{' or '.join(suffixes)} (e.g. MYAPP_PROD{suffixes[0]})"
        )
    return None


def _check_values(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """Variables are JSON-like data, and their text holds no reference (values are data)."""
    for name, value in values.items():
        problem = _value_problem(value)
        if problem is not None:
            where, message = problem
            raise PydanticCustomError("variable_value", message, {"subpath": (name, *where)})
    return values


def _value_problem(value: Any, where: tuple[str | int, ...] = ()) -> tuple[Any, str] | None:
    if value is None or isinstance(value, bool | int | float):
        return None
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is None:
            return None
        return where, f"{problem}; a variable's value is data: it cannot refer to other variables"
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _value_problem(item, (*where, index))
            if found is not None:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return where, "keys inside a variable's value must be text"
            found = _value_problem(item, (*where, key))
            if found is not None:
                return found
        return None
    return where, (
        f"a variable holds text, a number, true/false, null, a list or a mapping, "
        f"not a {type(value).__name__}; put the value in quotes to make it text"
    )


class Environment(BaseModel):
    """One environment of the project: its variables, and where its host and key come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: ProviderName | None = Field(
        default=None,
        description="Host preset of this environment (default: the project's `provider`).",
    )
    api_key_env: EnvVarName | None = Field(
        default=None,
        description="Name of the environment variable holding this environment's API key "
        "(ends in _KEY or _TOKEN). `--api-key` and `ASSISTCTL_API_KEY` still override it.",
    )
    base_url_env: EnvVarName | None = Field(
        default=None,
        description="Name of the environment variable holding this environment's base URL "
        "(ends in _URL or _ENDPOINT). `--base-url` and `ASSISTCTL_BASE_URL` still override it.",
    )
    vars: dict[VarName, Any] = Field(
        default_factory=dict,
        description="Variables of this environment, over the project's `vars`.",
    )

    @field_validator("api_key_env")
    @classmethod
    def _key_variable(cls, value: str | None) -> str | None:
        problem = value and variable_name_problem(value, KEY_SUFFIXES, "the API key")
        if problem:
            raise PydanticCustomError("variable_name", problem)
        return value

    @field_validator("base_url_env")
    @classmethod
    def _url_variable(cls, value: str | None) -> str | None:
        problem = value and variable_name_problem(value, URL_SUFFIXES, "the base URL")
        if problem:
            raise PydanticCustomError("variable_name", problem)
        return value

    @field_validator("vars")
    @classmethod
    def _data_only(cls, value: dict[str, Any]) -> dict[str, Any]:
        _check_values(value)
        return value


def check_top_level_vars(value: dict[str, Any]) -> dict[str, Any]:
    """The project's own ``vars``: the same rules as an environment's."""
    _check_values(value)
    return value


@dataclass(frozen=True)
class TargetSettings:
    """What target resolution reads from the project file for one run (``ProjectLike``):
    the project's settings, with the selected environment's over them."""

    provider: str | None = None
    base_url: str | None = None
    api_version: str | None = None
    environment: str | None = None
    api_key_env: str | None = None
    """Name of the variable holding the key (from the file; its value from the process)."""
    base_url_env: str | None = None


def _words(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "none"


def select_environment(
    declared: Sequence[str], requested: str | None, *, required: bool, source: str = "--env"
) -> str | None:
    """The environment a run acts on, or None for a project without environments.

    ``requested`` comes from ``--env`` or ``ASSISTCTL_ENV``; ``required`` is true for the
    commands that talk to a host (a project with environments has no environment-less
    scope to act on). Raises :class:`UsageError` naming the choices.
    """
    if requested is not None and not re.match(NAME_PATTERN, requested):
        raise UsageError(
            f"{source} '{requested}' is not a valid environment name; "
            f"choose one of: {_words(declared)}."
        )
    if not declared:
        if requested is not None:
            raise UsageError(
                f"{source} {requested} was given, but assistctl.yaml declares no environments; "
                "drop it, or declare the environment under environments: in assistctl.yaml."
            )
        return None
    if requested is None:
        if not required:
            return None
        raise UsageError(
            f"This project declares environments ({_words(declared)}); choose one with "
            "--env NAME or ASSISTCTL_ENV."
        )
    if requested not in declared:
        close = difflib.get_close_matches(requested, list(declared), n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise UsageError(
            f"Unknown environment '{requested}' (from {source}); assistctl.yaml declares: "
            f"{_words(declared)}.{hint}"
        )
    return requested
