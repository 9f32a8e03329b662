"""Provider presets as plain data, and the choice of one.

Every host that serves the Assistants API is a row of data here (:data:`PROVIDERS`), not a
branch in the client, together with the environment variables the presets read.
:func:`resolve_provider` picks a preset (flags > environment > project file > the URL's host
> default) without needing a key or a URL; the URL, the key and the dialect are resolved in
:mod:`assistctl.api.target`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlsplit

from assistctl.config.models_aimlapi import ASSISTANT_MODELS as AIMLAPI_MODELS
from assistctl.errors import ConfigError, UsageError
from assistctl.options import GlobalOptions

DEFAULT_PROVIDER = "openai"
ApiVersion = Literal["v1", "v2"]
DEFAULT_API_VERSION: ApiVersion = "v2"
API_VERSIONS: tuple[ApiVersion, ...] = ("v1", "v2")
LOCAL_BASE_URL = "http://assistctl.local/v1"
AZURE_DEFAULT_API_VERSION = "2024-05-01-preview"
"""The first Azure OpenAI ``api-version`` that serves Assistants v2; override with
``OPENAI_API_VERSION`` as the official ``AzureOpenAI`` client does."""

ENV_BASE_URL = ("ASSISTCTL_BASE_URL", "OPENAI_BASE_URL")
ENV_KEY_FIRST = "ASSISTCTL_API_KEY"
ENV_KEY_LAST = "OPENAI_API_KEY"
ENV_PROVIDER = "ASSISTCTL_PROVIDER"
ENV_LOCAL_STATE = "ASSISTCTL_LOCAL_STATE"
LOOPBACK_KEY = "sk-assistctl-local"
"""Sent to a loopback host when no key is given: ``assistctl emulator`` accepts any key but
refuses none (as OpenAI does), and this one is no secret to leak."""


@dataclass(frozen=True)
class Provider:
    """One host preset. Data only; the client reads it, nothing branches on ``name``."""

    name: str
    default_base_url: str
    """Used when no flag, variable or project setting names a URL (``{resource}`` = must be given)."""
    path_prefix: str
    """The part of the base URL's path before ``/assistants`` (``/v1``, none, ``/openai``)."""
    auth_header: str
    auth_scheme: str
    """Prefix of the header value (``"Bearer "``; empty for Azure's ``api-key``)."""
    error_envelope: Literal["openai", "aimlapi"]
    key_env: tuple[str, ...]
    """Provider-specific key variables, read between ``ASSISTCTL_API_KEY`` and ``OPENAI_API_KEY``."""
    differs: str
    """One line for ``assistctl providers``."""
    needs_key: bool = True
    in_process: bool = False
    """Served by the built-in emulator inside this process (``local``): no URL, no key."""
    base_url_env: tuple[tuple[str, str], ...] = ()
    """Provider-specific URL variables and the suffix they need (Azure's endpoint + ``/openai``)."""
    query_api_version_env: str | None = None
    """Variable holding the value of the ``api-version`` query parameter (Azure)."""
    query_api_version_default: str | None = None
    hosts: tuple[str, ...] = ()
    """Host names (or ``.suffix``) that identify this provider when none is named."""
    dialects: tuple[ApiVersion, ...] = ("v2",)
    """Assistants dialects the host serves, default first (``--api-version``)."""
    documented_models: frozenset[str] | None = None
    """A closed model list the host documents; ``validate`` warns about other models."""

    @property
    def auth_display(self) -> str:
        """How the key is sent, e.g. ``Authorization: Bearer KEY``."""
        if not self.needs_key:
            return "none"
        return f"{self.auth_header}: {self.auth_scheme}KEY"

    @property
    def key_variables(self) -> tuple[str, ...]:
        """Every variable that can hold the key, in the order they are read."""
        if not self.needs_key:
            return ()
        return (ENV_KEY_FIRST, *self.key_env, ENV_KEY_LAST)


PROVIDERS: Mapping[str, Provider] = {
    p.name: p
    for p in (
        Provider(
            name="openai",
            default_base_url="https://api.openai.com/v1",
            path_prefix="/v1",
            auth_header="Authorization",
            auth_scheme="Bearer ",
            error_envelope="openai",
            key_env=(),
            differs=(
                "the reference API (v2, or v1 with --api-version v1); OpenAI sunset it on "
                "2026-08-26, point --base-url at any compatible host"
            ),
            hosts=("api.openai.com",),
            dialects=("v2", "v1"),
        ),
        Provider(
            name="aimlapi",
            default_base_url="https://api.aimlapi.com",
            path_prefix="",
            auth_header="Authorization",
            auth_scheme="Bearer ",
            error_envelope="aimlapi",
            key_env=("AIMLAPI_API_KEY",),
            differs=(
                "paths without /v1; flat error body {message, path, requestId, statusCode}; "
                "documents a closed model list (validate warns outside it)"
            ),
            hosts=("api.aimlapi.com",),
            documented_models=AIMLAPI_MODELS,
        ),
        Provider(
            name="laplas",
            default_base_url="https://api.apilaplas.com",
            path_prefix="",
            auth_header="Authorization",
            auth_scheme="Bearer ",
            error_envelope="aimlapi",
            key_env=("LAPLAS_API_KEY",),
            differs=(
                "white-label copy of AIML API: paths without /v1, flat error body, "
                "AIML API's model list"
            ),
            hosts=("api.apilaplas.com",),
            documented_models=AIMLAPI_MODELS,
        ),
        Provider(
            name="azure",
            default_base_url="https://{resource}.openai.azure.com/openai",
            path_prefix="/openai",
            auth_header="api-key",
            auth_scheme="",
            error_envelope="openai",
            key_env=("AZURE_OPENAI_API_KEY",),
            differs=(
                "api-key header instead of Bearer, api-version query parameter "
                "(OPENAI_API_VERSION), URL per resource (AZURE_OPENAI_ENDPOINT)"
            ),
            base_url_env=(("AZURE_OPENAI_ENDPOINT", "/openai"),),
            query_api_version_env="OPENAI_API_VERSION",
            query_api_version_default=AZURE_DEFAULT_API_VERSION,
            hosts=(".openai.azure.com",),
        ),
        Provider(
            name="local",
            default_base_url=LOCAL_BASE_URL,
            path_prefix="/v1",
            auth_header="Authorization",
            auth_scheme="Bearer ",
            error_envelope="openai",
            key_env=(),
            differs="the built-in emulator, in process; state in a JSON file; no key needed",
            needs_key=False,
            in_process=True,
        ),
    )
}


class ProjectLike(Protocol):
    """What the provider and target resolution read from the project file (``ProjectConfig``)."""

    @property
    def provider(self) -> str | None: ...

    @property
    def base_url(self) -> str | None: ...

    @property
    def api_version(self) -> str | None: ...


def env_value(name: str, env: Mapping[str, str]) -> str | None:
    """The variable's value without surrounding blanks; None when unset or blank."""
    value = env.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def nonblank(value: str | None) -> str | None:
    """``value`` without surrounding blanks; None when it is None or blank."""
    if value is None or not value.strip():
        return None
    return value.strip()


def _provider_named(name: str, source: str, error: type[Exception]) -> Provider:
    provider = PROVIDERS.get(name.strip().lower())
    if provider is None:
        raise error(f"Unknown provider {name!r} from {source}; use one of {', '.join(PROVIDERS)}.")
    return provider


def _infer_provider(url: str) -> Provider | None:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None  # not a URL at all: target.check_base_url says so
    for provider in PROVIDERS.values():
        for pattern in provider.hosts:
            if host == pattern or (pattern.startswith(".") and host.endswith(pattern)):
                return provider
    return None


def pick_provider(
    g: GlobalOptions, env: Mapping[str, str], p_provider: str | None, url_hint: str | None
) -> Provider:
    """The named provider (flag, variable, project file), else the one ``url_hint`` belongs to."""
    if nonblank(g.provider) is not None:
        return _provider_named(str(g.provider), "--provider", UsageError)
    if env_value(ENV_PROVIDER, env) is not None:
        return _provider_named(str(env_value(ENV_PROVIDER, env)), ENV_PROVIDER, UsageError)
    if p_provider is not None:
        return _provider_named(p_provider, "the project file", ConfigError)
    return (_infer_provider(url_hint) if url_hint else None) or PROVIDERS[DEFAULT_PROVIDER]


def resolve_provider(
    g: GlobalOptions, project: ProjectLike | None = None, *, env: Mapping[str, str] | None = None
) -> Provider:
    """The provider alone, with :func:`~assistctl.api.target.resolve_target`'s precedence; needs no key or URL.

    ``validate`` uses it offline (provider-specific warnings) where a missing key must not
    be an error. Raises UsageError / ConfigError for an unknown provider name.
    """
    env = os.environ if env is None else env
    p_provider = nonblank(getattr(project, "provider", None)) if project is not None else None
    p_base_url = nonblank(getattr(project, "base_url", None)) if project is not None else None
    hint = (
        nonblank(g.base_url)
        or env_value(ENV_BASE_URL[0], env)
        or env_value(ENV_BASE_URL[1], env)
        or p_base_url
    )
    return pick_provider(g, env, p_provider, hint)
