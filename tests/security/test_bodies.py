"""Attack 7, bodies: an endless answer, or a small one that inflates to gigabytes, is not read
to the end.

Before, an endless or gzip-bomb body was read to 8 GB. Now an answer is read up to
:data:`~assistctl.api.body.MAX_BODY_BYTES` counted after decompression (an error answer up
to :data:`~assistctl.api.body.MAX_ERROR_BODY_BYTES`), then the connection is closed: the
host sees the client hang up with most of what it meant to send unsent. Each case checks
that bound on the host's side, one error line and exit 1, and that nothing was sent but the
one list request.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistctl.api.body import MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES
from clihelpers import run
from security._hostile import (
    KEY,
    MIB,
    Answer,
    Hostile,
    Request,
    Wire,
    assert_bounded_failure,
    bomb,
    chunked,
    hostile_server,
)

SLACK = 16 * MIB
"""What socket buffers can hold between the host's writes and the client's reads."""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "assistctl.yaml").write_text("project: bodies\n", encoding="utf-8")
    (root / "tutor.yaml").write_text("key: tutor\nmodel: gpt-4o\n", encoding="utf-8")
    return root


def _plan(host: Hostile, root: Path) -> str:
    """The plan fails at once: one list request from each end (oldest and newest first),
    each answered with the same hostile body."""
    result = run("--base-url", host.url, "--api-key", KEY, "--max-retries", "0", "plan", root)
    sentence = assert_bounded_failure(result)
    assert 1 <= len(host.requests) <= 2
    assert all((r.method, r.path) == ("GET", "/v1/assistants") for r in host.requests)
    return sentence


def _settled(host: Hostile) -> list[Answer]:
    """Every answer, once each has ended: the other end's request, no longer needed once the
    command failed, is hung up on when the command's client closes (or its reading stops)."""
    settled = time.monotonic() + 30
    while any(not a.hung_up and not a.done for a in host.answers):
        assert time.monotonic() < settled, "an answer was still being read 30 s later"
        time.sleep(0.01)
    return list(host.answers)


def _endless_json() -> Iterator[bytes]:
    """The start of a list page, then one assistant after another, never closing it."""
    yield b'{"object": "list", "has_more": false, "data": ['
    filler = b'{"id": "asst_x", "object": "assistant", "model": "gpt-4o", "name": "%s"},' % (
        b"x" * 1000
    )
    chunk = filler * (MIB // len(filler))
    yield from itertools.repeat(chunk)


@pytest.mark.slow
def test_an_endless_body_is_cut_at_the_ceiling_and_the_connection_closed(
    tmp_path: Path,
) -> None:
    with hostile_server(lambda request, wire: chunked(wire, _endless_json())) as host:
        sentence = _plan(host, _project(tmp_path))
        answers = _settled(host)
    assert f"more than {MAX_BODY_BYTES // MIB} MiB" in sentence
    assert "closed the connection" in sentence
    for answer in answers:  # the end that lost the race is hung up on too, sooner or later
        assert answer.hung_up
        assert answer.written <= MAX_BODY_BYTES + SLACK


def test_a_body_announced_larger_than_the_ceiling_is_not_read(tmp_path: Path) -> None:
    def announce(request: Request, wire: Wire) -> None:
        wire.head(200, {"Content-Type": "application/json", "Content-Length": str(10**10)})
        for _ in range(64):
            if not wire.body(b" " * MIB):
                return

    with hostile_server(announce) as host:
        sentence = _plan(host, _project(tmp_path))
        answers = _settled(host)
    assert "announced 10,000,000,000 bytes" in sentence
    assert all(a.hung_up and a.written < 64 * MIB for a in answers)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compression_bomb_is_counted_inflated(tmp_path: Path, encoding: str) -> None:
    """About 1 KiB on the wire for every MiB inflated, for ever: the client stops at the
    ceiling (128 MiB inflated, some 130 KB of the bomb) and hangs up on the rest."""

    def send_bomb(request: Request, wire: Wire) -> None:
        chunked(wire, bomb(encoding), **{"Content-Encoding": encoding})

    with hostile_server(send_bomb) as host:
        sentence = _plan(host, _project(tmp_path))
        answers = _settled(host)
    assert f"more than {MAX_BODY_BYTES // MIB} MiB (after decompression)" in sentence
    for answer in answers:
        # What was written inflates to at most 16 GiB; uncounted, it would not have stopped.
        assert answer.hung_up
        assert answer.written <= SLACK


def test_an_endless_error_body_is_read_for_its_message_only(tmp_path: Path) -> None:
    def endless_error(request: Request, wire: Wire) -> None:
        wire.head(502, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"})
        page = b"<html><head><title>Bad gateway</title></head><body>" + b"x" * MIB
        for chunk in itertools.chain([page], itertools.repeat(b"y" * MIB)):
            if not wire.body(b"%x\r\n%s\r\n" % (len(chunk), chunk)):
                return

    with hostile_server(endless_error) as host:
        sentence = _plan(host, _project(tmp_path))
        answers = _settled(host)
    assert "API error 502" in sentence and "Bad gateway" in sentence
    for answer in answers:
        assert answer.hung_up
        assert answer.written <= MAX_ERROR_BODY_BYTES + SLACK


def test_a_corrupt_compressed_body_is_one_clear_error(tmp_path: Path) -> None:
    def corrupt(request: Request, wire: Wire) -> None:
        wire.json(b"\x1f\x8b\x08\x00 this is not gzip", headers={"Content-Encoding": "gzip"})

    with hostile_server(corrupt) as host:
        sentence = _plan(host, _project(tmp_path))
    assert "could not be decoded" in sentence and "gzip" in sentence
