"""The httpx client as the API needs it: the key per request, no redirects, no needless TLS setup.

Redirects are not followed: they would carry the key to wherever they point, so they are
reported instead.
"""

from __future__ import annotations

import ssl

import httpx

from assistctl import __version__
from assistctl.api.secret import KeyAuth
from assistctl.api.target import Target
from assistctl.errors import UsageError

USER_AGENT = f"assistctl/{__version__}"


def open_http(
    target: Target, *, timeout: httpx.Timeout, transport: httpx.BaseTransport | None
) -> httpx.Client:
    """An ``httpx.Client`` for ``target``; UsageError for a base URL httpx cannot use."""
    key = target.api_key
    auth = (
        KeyAuth(target.provider.auth_header, target.provider.auth_scheme, key)
        if key is not None
        else None
    )
    try:
        return httpx.Client(
            base_url=target.base_url,
            params=dict(target.query),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **target.headers()},
            auth=auth,
            timeout=timeout,
            transport=transport,
            verify=tls_verify(target.base_url),  # perf: see tls_verify
            follow_redirects=False,
        )
    except httpx.InvalidURL as err:
        # A host name httpx cannot encode (control characters, bad IDNA labels).
        raise UsageError(
            f"The base URL from {target.base_url_source} ({target.base_url!r}) is not a "
            f"valid URL ({err}); use a URL like https://api.openai.com/v1."
        ) from None


# perf: no CA bundle for a plain-http host; benchmarks/apply.py (see benchmarks/README.md,
# apply throughput). Public httpx API (``verify`` takes an SSL context).
def tls_verify(base_url: str) -> ssl.SSLContext | bool:
    """What httpx verifies TLS with: its default (the CA bundle) for an https:// host.

    httpx builds that context, loading every CA certificate (a tenth of a small plan),
    even for a plain-http host such as the emulator on 127.0.0.1, where no TLS
    connection is ever made. For those, a context with no CA at all: it still checks
    certificates and host names, so a TLS connection made through it anyway (an https
    proxy) fails closed instead of going unverified.
    """
    if base_url.lower().startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return True


# perf: reaches into httpx's internals (the response <-> stream cycle);
# benchmarks/plan_memory.py (see benchmarks/README.md, memory). Safe without them: should a
# version keep no such cycle or no ``stream`` attribute, the assignment changes nothing.
def unbind(response: httpx.Response) -> None:
    """Let a read response be freed as soon as it is dropped.

    httpx's response and its stream refer to each other, so the response, with its body (a
    list page of 100 assistants with long instructions is 0.5 MB), lives until the cyclic
    collector runs; under the CLI's collector thresholds that is a gen-1 pass every few
    dozen pages, by which time dozens of pages' bodies are held. The stream is spent once
    the body is read: replacing it breaks the cycle.
    """
    response.stream = _SPENT


_SPENT = httpx.ByteStream(b"")
