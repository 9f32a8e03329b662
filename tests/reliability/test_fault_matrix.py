"""The fault matrix: ``apply --auto-approve`` through the real CLI against a misbehaving host.

Faults (on the emulator over HTTP on 127.0.0.1): bursts of 5xx, 5xx after a create was
committed, latency spikes, responses cut off mid-body, and the server killed and restarted
mid-apply on its ``--state`` file. Each scenario runs two applies: the first creates every
assistant, the second mixes updates, deletes, creates and repairs of out-of-band changes.

After each apply (rerun while it reports failures, as a user would; a rerun converges):
exactly the manifests' assistants exist, one per label; the unmanaged assistants and the
other project's are byte for byte what they were and no request named them; and the next
``plan --detailed-exitcode`` exits 0.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import owner_of
from clihelpers import CliResult, run

from ._support import (
    ERROR_PREFIX,
    EmulatorProcess,
    assert_converged,
    assert_one_clear_error,
    canonical,
    cli_command,
    free_port,
    write_manifest,
)

PROJECT = "rel"
MAX_RUNS = 4
"""Applies per phase before giving up: faults may make one fail, a rerun must converge."""


# ---- the project on disk ----------------------------------------------------------------------


def _manifest_fields(i: int) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": f"Assistant {i}",
        "instructions": f"You are assistant {i}.\nAnswer in {i + 1} sentences.",
        "metadata": {"team": f"t{i % 3}"},
    }
    if i % 2:
        fields["tools"] = [
            {"type": "code_interpreter"},
            {
                "type": "function",
                "function": {
                    "name": f"lookup_{i}",
                    "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
                },
            },
        ]
    if i % 3 == 0:
        fields["temperature"] = 0.3
    return fields


def write_project(root: Path, count: int = 10) -> set[str]:
    root.mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "assistctl.yaml").write_text(f"project: {PROJECT}\n", encoding="utf-8")
    for i in range(count):
        write_manifest(root, f"k{i:02d}", **_manifest_fields(i))
    return {f"k{i:02d}" for i in range(count)}


def change_project(
    root: Path,
    keys: set[str],
    live: list[dict[str, Any]],
    modify: Callable[[str, dict[str, Any]], object],
    delete: Callable[[str], None],
) -> set[str]:
    """Edit, remove and add manifests, and change and delete live assistants out of band."""
    for key in ("k01", "k04"):
        write_manifest(root, key, **{**_manifest_fields(int(key[1:])), "description": "edited"})
    (root / "k02.yaml").write_text(
        (root / "k02.yaml").read_text().replace("Answer in", "Always answer in")
    )
    for key in ("k08", "k09"):
        (root / f"{key}.yaml").unlink()
    for key in ("n00", "n01"):
        write_manifest(root, key, instructions=f"New assistant {key}.")
    ours = {owner_of(obj): obj["id"] for obj in live}
    modify(ours[(PROJECT, "k05")], {"temperature": 1.9, "name": "changed by hand"})
    delete(ours[(PROJECT, "k06")])
    return (keys - {"k08", "k09"}) | {"n00", "n01"}


# ---- bystanders --------------------------------------------------------------------------------

BYSTANDERS: list[dict[str, Any]] = [
    {"model": "gpt-4o", "name": "made by hand"},
    {"model": "gpt-4o-mini", "name": "k00", "instructions": "same name as a manifest"},
    {"model": "gpt-4o", "metadata": {"assistctl": "not a label"}},
    {"model": "gpt-4o", "name": "theirs", "metadata": {"assistctl": "other/k00"}},
    {"model": "gpt-4o", "metadata": {"assistctl": "other/k01", "team": "t1"}, "temperature": 0.1},
]


def snapshot(live: list[dict[str, Any]], ids: set[str]) -> dict[str, str]:
    return {obj["id"]: canonical(obj) for obj in live if obj["id"] in ids}


# ---- applying until done ------------------------------------------------------------------------


def apply_until_done(apply: Callable[[], CliResult]) -> list[CliResult]:
    """Apply, and rerun while it fails; every run ends in 0 or one clear error."""
    results: list[CliResult] = []
    for _ in range(MAX_RUNS):
        result = apply()
        results.append(result)
        assert "Traceback" not in result.text and "internal error" not in result.text, result.err
        if result.code == 0:
            return results
        assert_one_clear_error(result, "a failed apply under faults")
    raise AssertionError(f"no convergence in {MAX_RUNS} applies:\n{results[-1].err}")


def assert_untouched(requests: list[dict[str, Any]], bystander_ids: set[str]) -> None:
    named = {e.get("assistant_id") for e in requests if e["operation"] != "create"}
    assert not named & bystander_ids, "a request named an assistant this project does not own"


# ---- faults on the in-process emulator ----------------------------------------------------------


@contextmanager
def latency_spikes(emulator: EmulatorHandle) -> Iterator[None]:
    """Latency jumping between none and a few hundred ms while the apply runs."""
    stop = threading.Event()
    pattern = [0, 250, 0, 40, 400, 0, 120]

    def spike() -> None:
        i = 0
        while not stop.wait(0.03):
            emulator.set_faults(latency_ms=pattern[i % len(pattern)])
            i += 1

    thread = threading.Thread(target=spike, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
        emulator.set_faults(latency_ms=0)


SCENARIOS: dict[str, dict[str, Any]] = {
    "5xx-bursts": {
        "next_statuses": [500, 503, 502, 504],  # within the 5 retries
        "error_fraction": 0.25,
        "error_retry_after_ms": 1,
        "seed": 7,
    },
    "5xx-after-commit": {"failed_creates": 3, "error_retry_after_ms": 1},
    "latency-spikes": {},
    # Writes only: a cut read is retried after a backoff (0.5 s, 1 s, ...), which is slow
    # to test in bulk; "everything-at-once" cuts reads too.
    "responses-cut-mid-body": {"drop_responses": 5, "operations": ["create", "modify", "delete"]},
    "everything-at-once": {
        "error_fraction": 0.15,
        "error_retry_after_ms": 1,
        "drop_responses": 2,
        "failed_creates": 1,
        "latency_ms": 5,
        "seed": 11,
    },
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS), ids=str)
def test_fault_matrix(emulator: EmulatorHandle, tmp_path: Path, scenario: str) -> None:
    root = tmp_path / "project"
    keys = write_project(root)
    seeded = [emulator.app.create_assistant(body).obj for body in BYSTANDERS]
    bystander_ids = {obj["id"] for obj in seeded}
    before = snapshot(emulator.assistants(), bystander_ids)
    flags = ["--base-url", emulator.base_url, "--api-key", emulator.api_key]

    def faulty_apply() -> CliResult:
        emulator.set_faults(**SCENARIOS[scenario])
        try:
            if scenario == "latency-spikes":
                with latency_spikes(emulator):
                    return run(*flags, "apply", "--auto-approve", "--parallelism", "4", root)
            return run(*flags, "apply", "--auto-approve", "--parallelism", "4", root)
        finally:
            emulator.clear_faults()

    for phase in ("create", "change"):
        if phase == "change":
            keys = change_project(
                root,
                keys,
                emulator.assistants(),
                lambda ident, fields: emulator.modify_out_of_band(ident, **fields),
                emulator.delete_out_of_band,
            )
        apply_until_done(faulty_apply)
        if scenario != "latency-spikes":
            assert any(e["fault"] for e in emulator.requests()), "no fault was injected"
        assert_converged(emulator.assistants(), PROJECT, keys, before)
        assert_untouched(emulator.requests(), bystander_ids)
        plan = run(*flags, "plan", "--detailed-exitcode", root)
        assert plan.code == 0, plan.out + plan.err


# ---- the server restarted mid-apply -------------------------------------------------------------


def test_server_restarted_mid_apply_with_state(tmp_path: Path) -> None:
    root = tmp_path / "project"
    keys = write_project(root, count=12)
    state = tmp_path / "state.json"
    port = free_port()
    flags = ["--latency", "150", "--state", str(state), "--port", str(port)]

    first = EmulatorProcess(*flags)
    try:
        seeded = [first.seed(body) for body in BYSTANDERS]
        bystander_ids = {obj["id"] for obj in seeded}
        before = snapshot(first.assistants(), bystander_ids)
        apply = subprocess.Popen(
            cli_command(
                first.url, "test-key", "apply", "--auto-approve", "--parallelism", "2", root
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=EmulatorProcess.env(),
        )
        try:
            # Midway: some of the 12 creates are stored, most are not.
            deadline = time.monotonic() + 60  # a guard against a hang, not a timing assertion
            while first.count() < len(BYSTANDERS) + 2:
                assert time.monotonic() < deadline, "the apply never started creating"
                assert apply.poll() is None, apply.communicate()
                time.sleep(0.02)
            assert apply.poll() is None, "the apply ended before the restart"
            first.kill()
            second = EmulatorProcess(*flags)
            _, err = apply.communicate(timeout=120)
        finally:
            if apply.poll() is None:
                apply.kill()
                apply.wait()
        try:
            assert apply.returncode in (0, 1), err
            assert "Traceback" not in err and "internal error" not in err, err
            if apply.returncode == 1:
                assert err.rstrip().splitlines()[-1].startswith(ERROR_PREFIX), err
            # Everything the first server stored survived it; the rerun converges.
            rerun = apply_until_done(
                lambda: run(
                    "--base-url", second.url, "--api-key", "k", "apply", "--auto-approve", root
                )
            )
            assert rerun[-1].code == 0
            assert_converged(second.assistants(), PROJECT, keys, before)
            assert_untouched(first.requests_before_kill + second.requests(), bystander_ids)
            plan = run("--base-url", second.url, "--api-key", "k", "plan", "-d", root)
            assert plan.code == 0, plan.out + plan.err
        finally:
            second.stop()
    finally:
        first.stop()


def test_restarted_server_keeps_what_it_stored(tmp_path: Path) -> None:
    """The restart test's premise: a killed emulator loses nothing it answered for."""
    state = tmp_path / "state.json"
    port = free_port()
    first = EmulatorProcess("--state", str(state), "--port", str(port))
    try:
        made = [first.seed({"model": "gpt-4o", "name": f"n{i}"}) for i in range(3)]
        stored = first.assistants()
        first.kill()
        second = EmulatorProcess("--state", str(state), "--port", str(port))
        try:
            assert second.url == first.url
            assert [canonical(o) for o in second.assistants()] == [canonical(o) for o in stored]
            assert len(made) == 3
        finally:
            second.stop()
    finally:
        first.stop()
