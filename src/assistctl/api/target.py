"""Where requests go and how they authenticate: the base URL, the key and the dialect.

The presets are data in :mod:`assistctl.config.providers`. :func:`resolve_target` merges
flags, environment, project file and preset into one frozen :class:`Target`; it reads the
environment but never talks HTTP.

The API key travels inside :class:`~assistctl.api.secret.Secret`, whose ``repr``/``str`` is
``***``, so a target can be logged, printed in a traceback or put in an exception without
leaking the key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from assistctl.api.keys import check_key, read_key_file
from assistctl.api.secret import Secret
from assistctl.api.trust import (
    BaseUrl,
    check_destination,
    host_of,
    on_this_machine,
    trusted_url,
    untrusted_url,
)
from assistctl.config.providers import (
    DEFAULT_API_VERSION,
    ENV_BASE_URL,
    ENV_KEY_FIRST,
    ENV_KEY_LAST,
    ENV_LOCAL_STATE,
    LOCAL_BASE_URL,
    LOOPBACK_KEY,
    ApiVersion,
    ProjectLike,
    Provider,
    env_value,
    nonblank,
    pick_provider,
)
from assistctl.errors import ConfigError, UsageError
from assistctl.options import GlobalOptions

DEFAULT_LOCAL_STATE = Path(".assistctl") / "local-state.json"


@dataclass(frozen=True)
class Target:
    """Everything the client needs to reach one host. Safe to print: the key is a Secret."""

    provider: Provider
    base_url: str
    """Without a trailing slash; ``/assistants`` is appended to it."""
    api_version: ApiVersion
    """The Assistants dialect, ``v1`` or ``v2`` (sent as ``OpenAI-Beta: assistants=...``)."""
    api_key: Secret | None = None
    key_source: str | None = None
    """Where the key came from (a variable name or ``--api-key``), for 401 messages."""
    query: tuple[tuple[str, str], ...] = ()
    local_state: Path | None = None
    base_url_source: str = "preset"

    @property
    def is_local(self) -> bool:
        return self.local_state is not None

    @property
    def display(self) -> str:
        """Human description: ``https://api.openai.com/v1 (openai)``."""
        if self.local_state is not None:
            return f"local emulator (state {self.local_state})"
        label = self.provider.name
        if label == "openai" and urlsplit(self.base_url).hostname != "api.openai.com":
            label = "openai-compatible"
        if self.api_version != DEFAULT_API_VERSION:
            label = f"{label}, assistants {self.api_version}"
        for name, value in self.query:
            label = f"{label}, {name} {value}"
        return f"{self.base_url} ({label})"

    @property
    def host(self) -> str:
        """``host`` or ``host:port``: where the requests (and the key) go."""
        return host_of(self.base_url)

    @property
    def is_openai_host(self) -> bool:
        return urlsplit(self.base_url).hostname == "api.openai.com"

    def headers(self) -> dict[str, str]:
        """Non-secret headers every request carries (auth is added by the client)."""
        return {"OpenAI-Beta": f"assistants={self.api_version}"}

    def key_hint(self) -> str:
        """What to do about a missing or refused key, naming the variables to set."""
        names = self.provider.key_variables
        where = f" (the key in use came from {self.key_source})" if self.key_source else ""
        return f"Pass --api-key or --api-key-file, or set {_or_list(names)}{where}."


def _or_list(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def check_base_url(url: str, source: str) -> str:
    """Return ``url`` without its trailing slash, or raise UsageError saying what is wrong."""
    what = f"The base URL from {source} ({url.strip()!r})"
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise UsageError(
            f"{what} is not a valid URL; use a URL like https://api.openai.com/v1."
        ) from None
    if "{" in url or "}" in url:
        raise UsageError(f"{what} is a template; replace the {{...}} part with your own value.")
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"{what} is not an http(s) URL; use a URL like https://api.openai.com/v1.")
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        host = None
    if not host:
        raise UsageError(f"{what} has no valid host; use a URL like https://api.openai.com/v1.")
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL end up in logs and error messages: keep them out.
        raise UsageError(
            f"The base URL from {source} contains credentials; remove them from the URL "
            "and pass the key with --api-key or ASSISTCTL_API_KEY."
        )
    if parts.query or parts.fragment:
        raise UsageError(
            f"{what} has a query or fragment; give only scheme, host and path "
            "(Azure's api-version comes from OPENAI_API_VERSION)."
        )
    return url.strip().rstrip("/")


def resolve_target(
    g: GlobalOptions,
    project: ProjectLike | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Target:
    """Merge flags > environment > project file > preset into a :class:`Target`.

    ``env`` defaults to ``os.environ`` and ``cwd`` to the current directory (the default
    local state file is relative to it). Raises UsageError / ConfigError with one sentence.
    """
    env = os.environ if env is None else env
    p_provider = nonblank(getattr(project, "provider", None)) if project is not None else None
    p_base_url = nonblank(getattr(project, "base_url", None)) if project is not None else None
    p_version = nonblank(getattr(project, "api_version", None)) if project is not None else None

    # The URL is resolved before the provider so that a URL alone can name its provider.
    explicit = explicit_base_url(g, env) or environment_base_url(project, env)
    url_hint = explicit[0] if explicit else env_value(ENV_BASE_URL[1], env) or p_base_url
    provider = pick_provider(g, env, p_provider, url_hint)
    dialect = resolve_dialect(g, p_version)
    if provider.in_process:
        return _local_target(g, env, cwd, provider, dialect)
    base = resolve_base_url(provider, explicit, env, p_base_url)
    # An environment's own key variable, unless a flag or ASSISTCTL_API_KEY overrides it.
    key, key_source = environment_key(g, project, env) or resolve_key(g, env, provider)
    # Before anything is sent: the key goes only where the trusted side said.
    check_destination(base, provider, key=key is not None)
    if key is None and provider.needs_key:
        if not on_this_machine(base.url):
            raise UsageError(
                f"No API key for {base.url} ({provider.name}); pass --api-key or "
                f"--api-key-file, or set {_or_list(provider.key_variables)}."
            )
        # A local server (`assistctl emulator`, a proxy) on this machine: a placeholder, no
        # secret, so that the emulator's first answer is not a 401.
        key, key_source = LOOPBACK_KEY, "the placeholder key assistctl sends to local hosts"
    return Target(
        provider=provider,
        base_url=base.url,
        api_version=dialect,
        api_key=Secret(key) if key is not None else None,
        key_source=key_source,
        query=_query(provider, env),
        base_url_source=base.source,
    )


def resolve_dialect(g: GlobalOptions, p_version: str | None) -> ApiVersion:
    """``--api-version`` > the project file > v2."""
    source = "--api-version"
    version = nonblank(g.api_version)
    if version is None and p_version is not None:
        version, source = p_version, "the project file"
    version = (version or DEFAULT_API_VERSION).lower()
    if version == "v1":
        return "v1"
    if version == "v2":
        return "v2"
    error = UsageError if source == "--api-version" else ConfigError
    raise error(f"Unknown Assistants API version {version!r} from {source}; use v1 or v2.")


def explicit_base_url(g: GlobalOptions, env: Mapping[str, str]) -> tuple[str, str] | None:
    """The URL and its source when ``--base-url`` or ``ASSISTCTL_BASE_URL`` names one: it
    wins over every preset, and names the provider when none is."""
    flag_url = nonblank(g.base_url)
    if flag_url is not None:
        return flag_url, "--base-url"
    value = env_value(ENV_BASE_URL[0], env)
    return (value, ENV_BASE_URL[0]) if value is not None else None


def _named(project: ProjectLike | None, field: str) -> tuple[str, str] | None:
    """``(variable, environment)`` when the project file's selected environment names the
    variable holding its key or URL (``api_key_env``, ``base_url_env``)."""
    name = getattr(project, field, None)
    environment = getattr(project, "environment", None)
    if not isinstance(name, str) or not name:
        return None
    return name, str(environment)


def _unset(variable: str, environment: str, what: str, flag: str) -> UsageError:
    return UsageError(
        f"Environment '{environment}' reads its {what} from the variable {variable} "
        f"(assistctl.yaml), which is not set; set it, or pass {flag}."
    )


def environment_base_url(
    project: ProjectLike | None, env: Mapping[str, str]
) -> tuple[str, str] | None:
    """The URL in the variable the selected environment names (``base_url_env``): the
    process environment holds the value, so it is the trusted side's word, like
    ``ASSISTCTL_BASE_URL`` (which, with ``--base-url``, still wins)."""
    named = _named(project, "base_url_env")
    if named is None:
        return None
    variable, environment = named
    value = env_value(variable, env)
    if value is None:
        raise _unset(variable, environment, "base URL", "--base-url")
    return value, variable


def environment_key(
    g: GlobalOptions, project: ProjectLike | None, env: Mapping[str, str]
) -> tuple[str, str] | None:
    """The key in the variable the selected environment names (``api_key_env``), unless
    ``--api-key``, ``--api-key-file`` or ``ASSISTCTL_API_KEY`` overrides it; the provider's own variables and
    ``OPENAI_API_KEY`` are not read then (another environment's key must not leak in)."""
    named = _named(project, "api_key_env")
    overridden = nonblank(g.api_key) or nonblank(g.api_key_file) or env_value(ENV_KEY_FIRST, env)
    if named is None or overridden:
        return None
    variable, environment = named
    value = env_value(variable, env)
    if value is None:
        raise _unset(variable, environment, "API key", "--api-key or --api-key-file")
    return check_key(value, variable), variable


def resolve_base_url(
    provider: Provider,
    explicit: tuple[str, str] | None,
    env: Mapping[str, str],
    p_base_url: str | None,
) -> BaseUrl:
    """The checked base URL, its source and whether the trusted side chose it: ``explicit`` >
    the provider's own variables > ``OPENAI_BASE_URL`` > the project file (untrusted) > the
    preset."""
    chosen: BaseUrl | None = trusted_url(*explicit) if explicit is not None else None
    if chosen is None:
        for name, suffix in provider.base_url_env:
            value = env_value(name, env)
            if value is not None:
                chosen = trusted_url(value.rstrip("/") + suffix, name)
                break
    fallback = env_value(ENV_BASE_URL[1], env)
    if chosen is None and fallback is not None:
        chosen = trusted_url(fallback, ENV_BASE_URL[1])
    if chosen is None and p_base_url is not None:
        chosen = untrusted_url(p_base_url)
    if chosen is None:
        url = provider.default_base_url
        if "{" in url:
            wanted = [name for name, _ in provider.base_url_env]
            raise UsageError(
                f"Provider {provider.name} needs your resource URL; set "
                f"{_or_list((*wanted, 'ASSISTCTL_BASE_URL'))} or pass --base-url {url}."
            )
        chosen = trusted_url(url, "preset")
    return BaseUrl(check_base_url(chosen.url, chosen.source), chosen.source, chosen.trusted)


def resolve_key(
    g: GlobalOptions, env: Mapping[str, str], provider: Provider
) -> tuple[str | None, str | None]:
    """The key and where it came from: ``--api-key`` or ``--api-key-file`` >
    ``ASSISTCTL_API_KEY`` > the provider's variables > ``OPENAI_API_KEY``; None when none is
    set. A key that cannot be one (whitespace, control characters) is refused unprinted."""
    flag_key = nonblank(g.api_key)
    # click fills --api-key from ASSISTCTL_API_KEY too; name the variable when it is one.
    from_env = flag_key is not None and env_value(ENV_KEY_FIRST, env) == flag_key
    key_file = nonblank(g.api_key_file)
    if key_file is not None:
        if flag_key is not None and not from_env:
            raise UsageError("Give the API key once: --api-key or --api-key-file, not both.")
        return read_key_file(key_file)
    if flag_key is not None:
        source = ENV_KEY_FIRST if from_env else "--api-key"
        return check_key(flag_key, source), source
    for name in (ENV_KEY_FIRST, *provider.key_env, ENV_KEY_LAST):
        value = env_value(name, env)
        if value is not None:
            return check_key(value, name), name
    return None, None


def _local_target(
    g: GlobalOptions,
    env: Mapping[str, str],
    cwd: Path | None,
    provider: Provider,
    dialect: ApiVersion,
) -> Target:
    """A provider served in process: no URL, no key, a state file."""
    if dialect not in provider.dialects:
        # The built-in emulator is one flavor in process; a v1 one is served over HTTP.
        raise UsageError(
            f"Provider {provider.name} speaks Assistants {', '.join(provider.dialects)} only; "
            "for v1 run 'assistctl emulator --flavor openai-v1' and pass its URL with "
            "--provider openai --base-url URL --api-version v1."
        )
    state = nonblank(g.local_state) or env_value(ENV_LOCAL_STATE, env)
    path = Path(state) if state else DEFAULT_LOCAL_STATE
    if cwd is not None and not path.is_absolute():
        path = cwd / path
    # Base URL settings meant for a remote host do not apply.
    return Target(
        provider=provider,
        base_url=LOCAL_BASE_URL,
        api_version=dialect,
        local_state=path,
        base_url_source="local",
    )


def _query(provider: Provider, env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Query parameters every request carries (Azure's ``api-version``)."""
    if provider.query_api_version_env is None:
        return ()
    value = env_value(provider.query_api_version_env, env)
    return (("api-version", value or str(provider.query_api_version_default)),)
