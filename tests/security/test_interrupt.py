"""Attack 7, Ctrl-C while calls hang: nothing more is sent, and the command ends at once.

Before, Ctrl-C during an apply whose creates hung kept re-sending creates for minutes.
Now the first Ctrl-C stops every request, retry and lookup from being sent; apply waits
1.5 s for calls already on the wire, names what was not started and what is unknown, and
exits 130; a second Ctrl-C exits 130 at once. The command runs as a real process (the
signal is the point), against a host that answers listings and holds every write for ever.

"Ended within 10 s" is a generous bound with a reason: a held call would hang for the
60 s read timeout, and the grace is 1.5 s.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from applyhelpers import clean_env, write_manifests
from security._hostile import KEY, Hostile, Request, Wire, hostile_server

ENDED_WITHIN = 10.0
COUNT = 10
PROJECT = "ctrlc"


def _writes_hang(request: Request, wire: Wire) -> None:
    if request.method == "GET":
        wire.json(b'{"object": "list", "data": [], "has_more": false}')
    else:
        wire.hold()


def _start(
    host: Hostile, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "assistctl", "--base-url", host.url, "--api-key", KEY]
    return subprocess.Popen(
        [*argv, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean_env(), **(env or {})},
    )


def _wait_for(ready: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not ready():
        assert proc.poll() is None, "the command ended before it could be interrupted"
        assert time.monotonic() < deadline, "the host never got the expected requests"
        time.sleep(0.01)


def _interrupt(proc: subprocess.Popen[str], *, twice: bool = False) -> tuple[str, str, float]:
    started = time.monotonic()
    try:
        proc.send_signal(signal.SIGINT)
        if twice:
            time.sleep(0.2)  # well inside the 1.5 s the first one waits
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return out, err, time.monotonic() - started


def _posted_keys(host: Hostile) -> set[str]:
    keys = set()
    for request in host.requests:
        if request.method == "POST":
            label = json.loads(request.body)["metadata"]["assistctl"]
            keys.add(label.split("/", 1)[1].split(";")[0])
    return keys


@pytest.mark.parametrize("fast_paths", ["0", "1"], ids=["fast-paths", "no-fast-paths"])
def test_ctrl_c_while_creates_hang_names_what_was_not_started_and_what_is_unknown(
    tmp_path: Path, fast_paths: str
) -> None:
    """Also with ``ASSISTCTL_NO_FAST_PATHS=1``, where the process ends through the
    interpreter's exit, which would wait for the workers still hanging."""
    root = write_manifests(tmp_path / "m", COUNT, PROJECT)
    every = {f"a{i:02d}" for i in range(COUNT)}
    env = {"ASSISTCTL_NO_FAST_PATHS": "1"} if fast_paths == "1" else {}
    with hostile_server(_writes_hang) as host:
        apply = _start(host, "apply", "--auto-approve", "--parallelism", "4", root, env=env)
        _wait_for(lambda: len(_posted_keys(host)) == 4, apply)
        out, err, took = _interrupt(apply)
        sent_when_it_ended = len(host.requests)
        time.sleep(1.0)  # anything still trying to send would have by now
        posted = _posted_keys(host)
        assert len(host.requests) == sent_when_it_ended

    assert apply.returncode == 130, out + err
    assert took < ENDED_WITHIN, took
    assert "Traceback" not in err and KEY not in out + err
    unknown = {line.split()[2] for line in err.splitlines() if line.startswith("unknown: create")}
    not_started = {
        line.split()[3] for line in err.splitlines() if line.startswith("not started: create")
    }
    assert unknown == posted and len(posted) == 4  # the four on the wire, each sent once
    assert not_started == every - posted
    assert sum(r.method == "POST" for r in host.requests) == 4
    assert err.splitlines()[-1] == (
        "assistctl: interrupted (Ctrl-C): 6 change(s) not started, 4 unknown; "
        "run apply again to finish (it converges)."
    )
    assert out.splitlines()[-1] == (
        "Apply interrupted: 0 created, 0 updated, 0 deleted, 0 failed, 4 unknown."
    )


def test_a_second_ctrl_c_ends_at_once(tmp_path: Path) -> None:
    root = write_manifests(tmp_path / "m", COUNT, PROJECT)
    with hostile_server(_writes_hang) as host:
        apply = _start(host, "apply", "--auto-approve", "--parallelism", "4", root)
        _wait_for(lambda: len(_posted_keys(host)) == 4, apply)
        out, err, took = _interrupt(apply, twice=True)
        assert sum(r.method == "POST" for r in host.requests) == 4
    assert apply.returncode == 130, out + err
    assert took < ENDED_WITHIN, took
    assert err.rstrip("\n").splitlines()[-1] == (
        "assistctl: interrupted again: exiting at once; requests already sent may or may "
        "not have been carried out (the next plan shows which)."
    )
    assert "Traceback" not in err


def test_ctrl_c_during_a_retry_wait_sends_nothing_more(tmp_path: Path) -> None:
    """The host asks to wait 60 s before a retry: Ctrl-C ends the wait, and the retry is
    never sent."""

    def overloaded(request: Request, wire: Wire) -> None:
        wire.json(b'{"error": {"message": "overloaded"}}', 503, {"Retry-After": "60"})

    root = write_manifests(tmp_path / "m", 1, PROJECT)
    with hostile_server(overloaded) as host:
        plan = _start(host, "plan", root)
        _wait_for(lambda: len(host.answers) >= 1 and host.answers[0].written > 0, plan)
        time.sleep(0.3)  # inside the 60 s wait
        seen = len(host.requests)
        out, err, took = _interrupt(plan)
        time.sleep(0.5)
        assert len(host.requests) == seen
    assert plan.returncode == 130, out + err
    assert took < ENDED_WITHIN, took
    assert err.splitlines()[-1] == (
        "assistctl: interrupted (Ctrl-C); stopped at once, nothing more was sent."
    )
    assert out == ""


def test_ctrl_c_is_left_alone_when_the_shell_ignores_it(tmp_path: Path) -> None:
    """A command started with SIGINT ignored (a background job of a script) keeps it
    ignored: the handler is installed only over Python's default."""
    root = write_manifests(tmp_path / "m", 1, PROJECT)
    with hostile_server(_writes_hang) as host:
        argv = ["-m", "assistctl", "--base-url", host.url, "--api-key", KEY, "--deadline", "3"]
        command = shlex.join([sys.executable, *argv, "apply", "--auto-approve", str(root)])
        proc = subprocess.Popen(
            ["sh", "-c", f"trap '' INT; exec {command}"],  # the shell's way to ignore it
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        _wait_for(lambda: bool(_posted_keys(host)), proc)
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    # Not interrupted: the deadline ended it, as it would have anyway.
    assert proc.returncode == 1, out + err
    assert "deadline" in err
