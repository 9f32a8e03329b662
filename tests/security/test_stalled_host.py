"""Attack 7, time: a host that stalls cannot hold a command past its deadline.

httpx's timeouts bound each read (60 s), not a command: a host that accepts and never
answers costs six read timeouts with the retries, one that trickles a byte now and then
never times out at all, and one that asks to wait 100 s between retries is obeyed. The
command's deadline (``--deadline``, ``ASSISTCTL_DEADLINE``) bounds all of them.

The deadline here is 2 s and the host would hold the command for minutes (60 s per read,
a byte every 0.5 s for ever, 100 s between retries): "ended within 30 s" shows the
deadline ended it, with room for a slow machine. Each case also checks one error line,
exit 1, and how many requests the host saw.
"""

from __future__ import annotations

import time
from pathlib import Path

from clihelpers import run
from security._hostile import (
    KEY,
    Request,
    Wire,
    assert_bounded_failure,
    hostile_server,
)

ENDED_WITHIN = 30.0
"""Seconds: far less than any stall below would last, far more than the 2 s deadline."""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "assistctl.yaml").write_text("project: stalled\n", encoding="utf-8")
    (root / "tutor.yaml").write_text("key: tutor\nmodel: gpt-4o\n", encoding="utf-8")
    return root


def _plan(url: str, root: Path, *flags: str, env: dict[str, str] | None = None) -> str:
    started = time.monotonic()
    result = run("--base-url", url, "--api-key", KEY, *flags, "plan", root, env=env)
    took = time.monotonic() - started
    sentence = assert_bounded_failure(result, "deadline")
    assert took < ENDED_WITHIN, took
    return sentence


def test_a_host_that_accepts_and_never_answers(tmp_path: Path) -> None:
    def silent(request: Request, wire: Wire) -> None:
        wire.hold()

    with hostile_server(silent) as host:
        sentence = _plan(host.url, _project(tmp_path), "--deadline", "2")
        assert len(host.requests) <= 2  # the list request (and the other end's, see walk)
    assert "Stopped waiting for GET" in sentence
    assert "deadline of 2 s passed" in sentence
    assert "--deadline (or ASSISTCTL_DEADLINE)" in sentence


def test_the_deadline_comes_from_the_environment_too(tmp_path: Path) -> None:
    def silent(request: Request, wire: Wire) -> None:
        wire.hold()

    with hostile_server(silent) as host:
        _plan(host.url, _project(tmp_path), env={"ASSISTCTL_DEADLINE": "2"})


def test_a_body_trickling_a_byte_at_a_time(tmp_path: Path) -> None:
    """Each read gets a byte before its timeout: only the deadline ends this."""

    def trickle(request: Request, wire: Wire) -> None:
        wire.head(200, {"Content-Type": "application/json", "Content-Length": "1000000"})
        while wire.body(b" "):
            if wire.stop.wait(0.5):
                return

    with hostile_server(trickle) as host:
        _plan(host.url, _project(tmp_path), "--deadline", "2", "--timeout", "5")
        assert host.answers[0].hung_up or host.answers[0].written < 60


def test_a_retry_after_longer_than_the_time_left_is_not_waited_for(tmp_path: Path) -> None:
    def overloaded(request: Request, wire: Wire) -> None:
        wire.json(b'{"error": {"message": "overloaded"}}', 503, {"Retry-After": "100"})

    with hostile_server(overloaded) as host:
        sentence = _plan(host.url, _project(tmp_path), "--deadline", "2")
        # Not sent again: the wait alone would outlast the deadline.
        assert all(r.path == "/v1/assistants" for r in host.requests)
        assert len(host.requests) <= 2
    assert "backoff would outlast the deadline" in sentence


def test_apply_against_creates_that_never_answer(tmp_path: Path) -> None:
    """The creates are sent once each and never answered: the deadline ends the apply, and
    each create is reported as possibly made (a later run finds it by its label)."""

    def creates_hang(request: Request, wire: Wire) -> None:
        if request.method == "GET":
            wire.json(b'{"object": "list", "data": [], "has_more": false}')
        else:
            wire.hold()

    root = _project(tmp_path)
    (root / "coach.yaml").write_text("key: coach\nmodel: gpt-4o\n", encoding="utf-8")
    with hostile_server(creates_hang) as host:
        started = time.monotonic()
        result = run(
            "--base-url", host.url, "--api-key", KEY, "--deadline", "2",
            "apply", "--auto-approve", root,
        )  # fmt: skip
        took = time.monotonic() - started
        posts = [r for r in host.requests if r.method == "POST"]
    assert took < ENDED_WITHIN, took
    assert_bounded_failure(result, "2 change(s) failed")
    assert len(posts) == 2  # one each: a create whose answer is lost is never re-sent blindly
    failed = [line for line in result.err.splitlines() if "FAILED to create" in line]
    assert {line.split("FAILED to create ")[1].split(":")[0] for line in failed} == {
        "tutor",
        "coach",
    }
    assert all("may or may not have been carried out" in line for line in failed)
