"""Attack 7, failures that retrying cannot fix: a name the DNS does not know, a TLS
certificate the system does not trust.

Before, both were retried for about 13 s as if transient. Now each ends the command at
the first attempt with one sentence naming the host and what to check; the certificate
case also shows that the key never left (the handshake failed before any request) and
that trusting the certificate's CA through ``SSL_CERT_FILE`` (the environment: the trusted
side) is all it takes.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from assistctl.api.client import AssistantsClient
from assistctl.api.target import resolve_target
from assistctl.errors import ConnectionFailed
from assistctl.options import GlobalOptions
from clihelpers import run
from security._hostile import (
    KEY,
    Hostile,
    Request,
    Wire,
    assert_bounded_failure,
    hostile_server,
)

UNRESOLVABLE = "https://nonexistent.invalid/v1"
"""``.invalid`` is reserved (RFC 2606): no resolver answers it."""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "assistctl.yaml").write_text("project: hosts\n", encoding="utf-8")
    (root / "tutor.yaml").write_text("key: tutor\nmodel: gpt-4o\n", encoding="utf-8")
    return root


def _client(url: str, sleeps: list[float], **env: str) -> AssistantsClient:
    target = resolve_target(GlobalOptions(base_url=url, api_key=KEY), env=env)
    return AssistantsClient(target, sleep=sleeps.append, max_retries=5)


def test_an_unresolvable_host_is_one_sentence_and_not_retried(tmp_path: Path) -> None:
    result = run("--base-url", UNRESOLVABLE, "--api-key", KEY, "plan", _project(tmp_path))
    sentence = assert_bounded_failure(result, "Could not resolve the host name")
    assert "'nonexistent.invalid'" in sentence and "check --base-url" in sentence

    sleeps: list[float] = []
    with _client(UNRESOLVABLE, sleeps) as client, pytest.raises(ConnectionFailed):
        client.list_all()
    # One attempt from each end of the listing, neither retried.
    assert client.requests_made <= 2 and client.retries == 0 and sleeps == []


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def self_signed(authority: trustme.CA) -> Iterator[Hostile]:
    """An https host on 127.0.0.1 whose certificate no system trusts (a test CA's)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)

    def answer(request: Request, wire: Wire) -> None:
        wire.json(b'{"object": "list", "data": [], "has_more": false}')

    with hostile_server(answer, tls=context) as host:
        yield host


def test_a_refused_certificate_is_one_sentence_not_retried_and_no_key_sent(
    self_signed: Hostile, tmp_path: Path
) -> None:
    result = run("--base-url", self_signed.url, "--api-key", KEY, "plan", _project(tmp_path))
    sentence = assert_bounded_failure(result, "TLS certificate of 127.0.0.1 was refused")
    assert "SSL_CERT_FILE" in sentence
    assert self_signed.requests == []  # nothing, the key included, went over it
    # The host's side of a failed handshake ends a moment after the client's.
    settled = time.monotonic() + 5
    while self_signed.handshakes_failed < self_signed.connections < 3:
        assert time.monotonic() < settled, "the host never saw the handshake fail"
        time.sleep(0.01)
    # One handshake; the other end of the listing may have tried its own at the same time.
    assert self_signed.connections == self_signed.handshakes_failed <= 2

    sleeps: list[float] = []
    with _client(self_signed.url, sleeps) as client, pytest.raises(ConnectionFailed):
        client.list_all()
    # One attempt from each end of the listing, neither retried.
    assert client.requests_made <= 2 and client.retries == 0 and sleeps == []


def test_trusting_the_certificate_from_the_environment_works(
    self_signed: Hostile, authority: trustme.CA, tmp_path: Path
) -> None:
    """The control case: the same host, its CA given by the trusted side."""
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    result = run(
        "--base-url",
        self_signed.url,
        "--api-key",
        KEY,
        "plan",
        _project(tmp_path),
        env={"SSL_CERT_FILE": str(bundle)},
    )
    assert result.code == 0, result.text
    assert self_signed.requests and self_signed.handshakes_failed == 0
