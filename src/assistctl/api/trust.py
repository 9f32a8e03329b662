"""Which host may receive the API key: one the trusted side chose.

Trusted = the command line and the process environment, set by a pipeline's own
configuration. Untrusted = anything a pull request can write (``assistctl.yaml``, a saved
plan). A base URL is trusted-chosen when it comes from a flag, from a process environment
variable (:func:`trusted_url`; issue 15's ``base_url_env`` variables go through it too), or is
the chosen preset's own documented URL. Anything else gets no key, and never a key over plain
http to a host off this machine. Pure: no I/O, no HTTP.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from assistctl.config.providers import Provider
from assistctl.errors import ConfigError, UsageError

PROJECT_FILE_SOURCE = "assistctl.yaml"
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class BaseUrl:
    """A checked base URL (no trailing slash), where it came from, and whether the trusted
    side chose it."""

    url: str
    source: str
    """``--base-url``, a variable's name, ``assistctl.yaml`` or ``preset``."""
    trusted: bool


def trusted_url(url: str, source: str) -> BaseUrl:
    """A URL chosen by the command line or a process environment variable (``source`` names
    the flag or variable): the key may go there."""
    return BaseUrl(url, source, trusted=True)


def untrusted_url(url: str, source: str = PROJECT_FILE_SOURCE) -> BaseUrl:
    """A URL a pull request could have written (``assistctl.yaml``, a saved plan): no key
    goes there unless it is the chosen preset's documented URL."""
    return BaseUrl(url, source, trusted=False)


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address: this machine."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_of(url: str) -> str:
    """``host`` or ``host:port`` of a checked URL, lower case."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return host if port is None or port == _DEFAULT_PORTS.get(parts.scheme) else f"{host}:{port}"


def same_url(a: str, b: str) -> bool:
    """Equal scheme, host, port and path (case of scheme and host, default ports and a
    trailing slash aside)."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (
        pa.scheme.lower() == pb.scheme.lower()
        and host_of(a) == host_of(b)
        and pa.path.rstrip("/") == pb.path.rstrip("/")
    )


def on_this_machine(url: str) -> bool:
    return is_loopback(urlsplit(url).hostname or "")


def may_receive_key(base: BaseUrl, provider: Provider) -> bool:
    """Chosen by the trusted side: a flag, a process variable, or the preset's own URL."""
    return base.trusted or same_url(base.url, provider.default_base_url)


def check_destination(base: BaseUrl, provider: Provider, *, key: bool) -> None:
    """Refuse, with one sentence, a host the key may not go to.

    ``key``: whether a key would be sent. A host the trusted side did not choose is refused
    (even without a key, unless it is on this machine: requests alone to a loopback server
    leak nothing); a key over plain http is refused unless the host is on this machine.
    """
    local = on_this_machine(base.url)
    if not may_receive_key(base, provider) and (key or not local):
        allow = f"pass --base-url {base.url} or set ASSISTCTL_BASE_URL={base.url}"
        if base.source == PROJECT_FILE_SOURCE:
            allow += f" (or remove base_url from {base.source} to use the preset's host)"
        raise ConfigError(
            f"{base.source} names the host {host_of(base.url)} ({base.url}), but the API key "
            f"goes only to a host chosen by the command line or the environment; to use it, "
            f"{allow}."
        )
    if key and urlsplit(base.url).scheme.lower() == "http" and not local:
        raise UsageError(
            f"Refusing to send the API key over plain http to {host_of(base.url)} (base URL "
            f"from {base.source}); use https://, or a server on this machine (localhost)."
        )
