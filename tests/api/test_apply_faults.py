"""Apply under a flaky host: 30 % 429s with retry-after, 10 % 503s and lost creates, 50 creates.

Against the emulator over HTTP on 127.0.0.1: the engine with a real client (backoff sleeps
recorded, not slept) and the CLI in-process. Afterwards exactly the 50 manifests' assistants
exist, one per label, unmanaged and other projects' assistants are untouched, and the next
plan is empty.

The client gets ``max_retries=10``: at 40 % failed requests, the default 5 retries run out for
some request of a 50-create apply in a few percent of runs (an honest failure the report
names, and a rerun converges), and these tests are about duplicates, not the retry budget.
"""

from __future__ import annotations

from typing import Any

import pytest

from applyhelpers import KEY, assert_one_each, manifests, write_manifests
from assistctl.api.apply import apply_plan
from assistctl.api.client import AssistantsClient
from assistctl.api.limiter import Throttles
from assistctl.api.target import resolve_target
from assistctl.core.plan import compute_plan
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import owner_of
from assistctl.options import GlobalOptions
from clihelpers import run

PROJECT = "faults"
COUNT = 50


def faults(seed: int, *, commit_fault: str = "lost_creates") -> dict[str, Any]:
    return {
        "rate_limit_fraction": 0.3,
        "retry_after_ms": 1,
        "error_fraction": 0.1,
        "error_statuses": [503],
        "error_retry_after_ms": 1,
        commit_fault: 3,
        "seed": seed,
    }


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(
    emulator: EmulatorHandle, sleeps: Sleeps, throttles: Throttles | None = None
) -> AssistantsClient:
    target = resolve_target(GlobalOptions(base_url=emulator.base_url, api_key=KEY), env={})
    return AssistantsClient(
        target, max_retries=10, sleep=sleeps, rng=lambda: 0.0, on_throttle=throttles
    )


def seed_bystanders(emulator: EmulatorHandle) -> list[dict[str, Any]]:
    """An unmanaged assistant and another project's, with the key this project uses."""
    unmanaged = emulator.seed_assistants(1, name="by hand", metadata={"team": "t0"})
    other = emulator.seed_assistants(1, name="theirs", metadata={"assistctl": "other/a00"})
    return unmanaged + other


@pytest.mark.parametrize(
    ("seed", "commit_fault"),
    [(1, "lost_creates"), (2, "lost_creates"), (3, "failed_creates")],
)
def test_engine_creates_each_assistant_once_under_faults(
    emulator: EmulatorHandle, seed: int, commit_fault: str
) -> None:
    bystanders = seed_bystanders(emulator)
    sleeps = Sleeps()
    wanted = manifests(COUNT)
    throttles = Throttles()
    with client_for(emulator, sleeps, throttles) as client:
        plan = compute_plan(wanted, client.list_all(), PROJECT)
        assert len(plan.creates) == COUNT
        emulator.set_faults(**faults(seed, commit_fault=commit_fault))
        report = apply_plan(client, plan, parallelism=8, throttles=throttles)

        assert report.ok, [o.error for o in report.failed]
        assert len(report.succeeded) == COUNT
        emulator.clear_faults()
        live = emulator.assistants()
        assert_one_each(live, PROJECT, COUNT)
        assert len(live) == COUNT + len(bystanders)
        for before in bystanders:
            assert emulator.get(before["id"]) == before
        after = compute_plan(wanted, client.list_all(), PROJECT)
        assert not after.has_changes

    log = emulator.requests()
    committed_then_lost = [e for e in log if e["fault"] in ("lost_create", "failed_create")]
    assert len(committed_then_lost) == 3
    # Each of them was found again by its label, not created a second time.
    adopted = {o.id for o in report.outcomes if o.adopted}
    assert adopted == {e["assistant_id"] for e in committed_then_lost}
    assert any(e["fault"] == "rate_limited" for e in log)
    assert report.retries > 0
    # Every wait honoured the host's retry-after-ms (1 ms), 429s and 5xx alike; only a
    # dropped connection, which carries none, waited a backoff step before the lookup.
    backoffs = [d for d in sleeps if d != 0.001]
    assert len(backoffs) == (3 if commit_fault == "lost_creates" else 0)
    assert set(backoffs) <= {0.5, 1.0, 2.0, 4.0, 8.0}
    assert 0.001 in sleeps
    assert report.lowest_parallelism < 8


def test_engine_updates_and_deletes_converge_under_faults(emulator: EmulatorHandle) -> None:
    """Drifted and orphaned assistants of the project, under the same storm."""
    sleeps = Sleeps()
    with client_for(emulator, sleeps) as client:
        first = manifests(20)
        apply_plan(client, compute_plan(first, client.list_all(), PROJECT))
        drifted_keys = {(PROJECT, f"a{i:02d}") for i in range(10)}
        drifted = [a for a in emulator.assistants() if owner_of(a) in drifted_keys]
        for obj in drifted:
            emulator.modify_out_of_band(obj["id"], temperature=1.5, instructions="changed")
        # Keep 15 manifests (5 deletes), 10 of them drifted (updates), plus 10 new ones.
        wanted = manifests(30)[:15] + manifests(30)[20:]
        plan = compute_plan(wanted, client.list_all(), PROJECT)
        assert (len(plan.creates), len(plan.updates), len(plan.deletes)) == (10, 10, 5)
        emulator.set_faults(**faults(7))
        report = apply_plan(client, plan, parallelism=8)
        assert report.ok, [o.error for o in report.failed]
        emulator.clear_faults()
        live = client.list_all()
        assert not compute_plan(wanted, live, PROJECT).has_changes
        assert sorted(owner_of(a) or () for a in live) == sorted((PROJECT, m.key) for m in wanted)
        # Updated in place: the drifted ones kept their ids.
        assert {o["id"] for o in drifted} <= {a["id"] for a in live}


def test_cli_apply_under_faults_then_plan_is_empty(emulator: EmulatorHandle, tmp_path: Any) -> None:
    root = write_manifests(tmp_path / "m", COUNT, PROJECT)
    bystanders = seed_bystanders(emulator)
    emulator.set_faults(**faults(11))
    flags = ["--base-url", emulator.base_url, "--api-key", KEY, "--max-retries", "10"]

    r = run(*flags, "apply", "--auto-approve", "--parallelism", "8", root)

    assert r.code == 0, r.text
    summary = r.out.splitlines()[-1]
    assert summary.startswith(f"Apply complete: {COUNT} created, 0 updated, 0 deleted, 0 failed.")
    assert "retries" in summary
    assert r.err.count("found by its label after a lost response") == 3
    assert KEY not in r.text
    emulator.clear_faults()
    assert_one_each(emulator.assistants(), PROJECT, COUNT)
    for before in bystanders:
        assert emulator.get(before["id"]) == before
    again = run(*flags, "plan", "--detailed-exitcode", root)
    assert again.code == 0, again.text
