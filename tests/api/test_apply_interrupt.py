"""Ctrl-C (SIGINT) during ``assistctl apply``: calls in flight finish and are reported, nothing
new starts, the report names what was not started, exit 130; a rerun does exactly the rest.

The emulator runs as its own process with 20 ms latency, so 50 creates at parallelism 4 take
long enough to be interrupted midway; the signal goes out once it holds 10 assistants.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from applyhelpers import (
    KEY,
    assert_one_each,
    clean_env,
    cli_args,
    emulator_process,
    manifests,
    run_cli,
    write_manifests,
)
from assistctl.api.apply import Applier, Outcome, apply_plan
from assistctl.api.client import AssistantsClient
from assistctl.api.target import resolve_target
from assistctl.core.plan import compute_plan
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import owner_of
from assistctl.options import GlobalOptions

PROJECT = "interrupted"
COUNT = 50
EXIT_INTERRUPTED = 130


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env()
    )


def _wait_until(ready: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    """Until ``ready()`` (at most 30 s); ``proc`` must still be running to be interrupted."""
    deadline = time.monotonic() + 30
    while not ready() and time.monotonic() < deadline:
        assert proc.poll() is None, "the command finished before it could be interrupted"
        time.sleep(0.002)


def test_ctrl_c_midway_reports_what_was_not_started_and_a_rerun_finishes(
    tmp_path: Path,
) -> None:
    root = write_manifests(tmp_path / "m", COUNT, PROJECT)
    keys = {f"a{i:02d}" for i in range(COUNT)}
    with emulator_process("--latency", "20") as emu:
        apply = _start(cli_args(emu.url, "apply", "--auto-approve", "--parallelism", "4", root))
        try:
            _wait_until(lambda: emu.count() >= 10, apply)
            apply.send_signal(signal.SIGINT)
            out, err = apply.communicate(timeout=30)
        finally:
            if apply.poll() is None:
                apply.kill()
                apply.communicate()

        assert apply.returncode == EXIT_INTERRUPTED, out + err
        assert "Traceback" not in err
        created = set(re.findall(r"^\[\d+/\d+\] created (a\d\d) \(asst_", err, re.M))
        not_started = set(re.findall(r"^not started: create (a\d\d)$", err, re.M))
        # Every change is accounted for exactly once: done, or named as not started.
        assert created | not_started == keys
        assert not created & not_started
        assert 10 <= len(created) < COUNT
        assert err.splitlines()[-1] == (
            f"assistctl: interrupted (Ctrl-C): {len(not_started)} change(s) not started; "
            "run apply again to finish (it converges)."
        )
        assert out.splitlines()[-1] == (
            f"Apply interrupted: {len(created)} created, 0 updated, 0 deleted, 0 failed."
        )
        # The calls in flight were waited for: what exists is exactly what was reported.
        live = emu.assistants()
        assert sorted(owner_of(a) or () for a in live) == sorted((PROJECT, k) for k in created)

        rerun = run_cli(emu.url, "apply", "--auto-approve", "--parallelism", "4", root)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        redone = set(re.findall(r"^\[\d+/\d+\] created (a\d\d) ", rerun.stderr, re.M))
        assert redone == not_started
        assert_one_each(emu.assistants(), PROJECT, COUNT)
        plan = run_cli(emu.url, "plan", "--detailed-exitcode", root)
        assert plan.returncode == 0, plan.stdout + plan.stderr


class StopAfter:
    """A progress that interrupts the apply after ``n`` finished changes."""

    def __init__(self, n: int, interrupt: Callable[[], None]) -> None:
        self.n = n
        self.interrupt = interrupt
        self.lines: list[str] = []

    def start(self, total: int) -> None:
        pass

    def finished(self, outcome: Outcome, done: int, total: int, failures: int) -> None:
        self.lines.append(outcome.change.key)
        if done == self.n:
            self.interrupt()

    def close(self) -> None:
        pass


@pytest.mark.parametrize("how", ["stop", "sigint", "keyboard_interrupt"])
def test_engine_interrupted_accounts_for_every_change(emulator: EmulatorHandle, how: str) -> None:
    """In process, after 10 of 30 creates: :meth:`Applier.stop`, a real SIGINT, or a
    KeyboardInterrupt raised in the main thread (as a caller's own SIGINT handler would)."""
    if how == "sigint" and signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT has a handler other than Python's default here")
    emulator.set_faults(latency_ms=5)
    wanted = manifests(30)
    target = resolve_target(GlobalOptions(base_url=emulator.base_url, api_key=KEY), env={})
    holder: list[Applier] = []

    def interrupt() -> None:
        if how == "stop":
            holder[0].stop()
        elif how == "sigint":
            signal.raise_signal(signal.SIGINT)
        else:
            raise KeyboardInterrupt

    progress = StopAfter(10, interrupt)
    with AssistantsClient(target) as client:
        plan = compute_plan(wanted, client.list_all(), PROJECT)
        report = apply_plan(
            client, plan, parallelism=3, progress=progress, on_applier=holder.append
        )

    assert report.interrupted and not report.ok
    done = [o.change.key for o in report.outcomes]
    assert progress.lines == done  # each reported exactly once
    assert all(o.ok for o in report.outcomes)
    assert 10 <= len(done) < 30
    assert sorted(done + [c.key for c in report.not_started]) == sorted(m.key for m in wanted)
    # What exists is exactly what was reported done: the calls in flight were waited for.
    assert sorted(str(o.id) for o in report.outcomes) == sorted(
        a["id"] for a in emulator.assistants()
    )
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_while_listing_stops_the_plan_at_once(tmp_path: Path) -> None:
    """The listing runs in a worker thread one page ahead: Ctrl-C on the main thread still
    ends the plan at once, with exit 130, one line and no further request."""
    root = write_manifests(tmp_path / "m", 3, PROJECT)
    with emulator_process("--latency", "1500") as emu:
        for i in range(250):  # three pages
            emu.seed({"model": "gpt-4o", "name": f"bystander-{i}"})
        plan = _start(cli_args(emu.url, "plan", root))
        try:
            _wait_until(lambda: bool(emu.health()["in_flight"]), plan)
            started = time.monotonic()
            plan.send_signal(signal.SIGINT)
            out, err = plan.communicate(timeout=30)
            took = time.monotonic() - started
        finally:
            if plan.poll() is None:
                plan.kill()
                plan.communicate()
        assert plan.returncode == EXIT_INTERRUPTED, out + err
        # click turns Ctrl-C into Abort; said in our words, as for every command
        assert err.splitlines()[-1] == (
            "assistctl: interrupted (Ctrl-C); stopped at once, nothing more was sent."
        )
        assert "Traceback" not in err and out == ""
        # The page in flight (1.5 s each) is not waited for: a generous bound, not a timing.
        assert took < 1.2, took
        # By now the page that was in flight is answered; a worker left running would have
        # asked for the next one as soon as it got it (the log records a request once
        # answered, so look at what is in flight too).
        time.sleep(1.7)
        assert emu.health()["in_flight"] == 0
        lists = [r for r in emu.requests() if r["operation"] == "list"]
        # The first page from each end, and no page after them.
        assert len(lists) <= 2 and not any("after" in r["query"] for r in lists), lists
