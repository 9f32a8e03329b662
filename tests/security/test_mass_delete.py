"""Mass deletes need a second word (issue 13): a plan deleting more than 30% of at least 10
managed assistants is refused unless ``--allow-mass-delete``; the project policy (written by
whoever opens a pull request) may only tighten the guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from applyhelpers import write_manifests
from assistctl.emulator.testing import EmulatorHandle
from clihelpers import run

from ._attack import assert_next_plan_empty, by_key, flags, reseal, snapshot

PROJECT = "mass"


@pytest.fixture
def root(emulator: EmulatorHandle, tmp_path: Path) -> Path:
    """Ten managed assistants (a00..a09), applied."""
    root = write_manifests(tmp_path / "mass", 10, PROJECT)
    assert run(*flags(emulator, PROJECT), "apply", "--auto-approve", root).code == 0
    return root


def remove(root: Path, count: int) -> None:
    for i in range(count):
        (root / f"a{i:02d}.yaml").unlink()


def refusal(deletes: int, managed: int, limit: str = "30") -> str:
    share = round(100 * deletes / managed)
    return (
        f"assistctl: error: Refusing this plan: it deletes {deletes} of the {managed} managed "
        f"assistants ({share}%), more than the {limit}% allowed without a second word; review "
        "the deletes, then pass --allow-mass-delete to apply them (the project policy can "
        "lower this limit, not raise it)."
    )


def test_four_of_ten_needs_the_second_word(emulator: EmulatorHandle, root: Path) -> None:
    remove(root, 4)
    ids = [o["id"] for o in by_key(emulator, PROJECT).values()]
    before, n = snapshot(emulator, ids), len(emulator.requests())
    for command in (["plan"], ["apply", "--auto-approve"]):
        r = run(*flags(emulator, PROJECT), *command, root)
        assert r.code == 1
        assert r.err.splitlines()[-1] == refusal(4, 10)
        assert "Plan: 0 to create, 0 to update, 4 to delete." in r.out  # shown, then refused
    sent = emulator.requests()[n:]
    # Each command's listing (from both ends: one request or more), and nothing else.
    assert {e["operation"] for e in sent if "/assistants" in e["path"]} == {"list"}
    assert all(e["method"] == "GET" for e in sent)  # the rest: plan's reference checks
    assert snapshot(emulator, ids) == before

    r = run(*flags(emulator, PROJECT), "apply", "--auto-approve", "--allow-mass-delete", root)
    assert r.code == 0, r.err
    assert "Apply complete: 0 created, 0 updated, 4 deleted, 0 failed." in r.out
    assert len(by_key(emulator, PROJECT)) == 6
    assert_next_plan_empty(emulator, root, PROJECT)


def test_up_to_the_limit_and_below_ten_managed_need_nothing(
    emulator: EmulatorHandle, root: Path
) -> None:
    remove(root, 3)  # 30%: not more than 30%
    assert run(*flags(emulator, PROJECT), "apply", "--auto-approve", root).code == 0
    for i in range(3, 7):  # 4 of 7: a mass, but of fewer than 10
        (root / f"a{i:02d}.yaml").unlink()
    assert run(*flags(emulator, PROJECT), "apply", "--auto-approve", root).code == 0
    assert len(by_key(emulator, PROJECT)) == 3
    assert_next_plan_empty(emulator, root, PROJECT)


def test_the_policy_may_tighten_the_guard_not_loosen_it(
    emulator: EmulatorHandle, root: Path
) -> None:
    project_file = root / "assistctl.yaml"
    project_file.write_text(f"project: {PROJECT}\npolicy:\n  max_delete_percent: 10\n")
    remove(root, 2)
    r = run(*flags(emulator, PROJECT), "apply", "--auto-approve", root)
    assert r.code == 1 and r.err.splitlines()[-1] == refusal(2, 10, "10")

    project_file.write_text(
        f"project: {PROJECT}\npolicy:\n  max_delete_percent: 90\n  min_managed_for_delete_check: 50\n"
    )
    n = len(emulator.requests())
    r = run(*flags(emulator, PROJECT), "plan", root)
    assert r.code == 1
    assert "assistctl.yaml:3:23: policy.max_delete_percent:" in r.err
    assert "assistctl.yaml:4:33: policy.min_managed_for_delete_check:" in r.err
    assert emulator.requests()[n:] == []


def test_a_saved_plan_needs_the_second_word_at_apply_time_too(
    emulator: EmulatorHandle, root: Path, tmp_path: Path
) -> None:
    remove(root, 5)
    plan = tmp_path / "plan.json"
    r = run(*flags(emulator, PROJECT), "plan", "--allow-mass-delete", "--out", plan, root)
    assert r.code == 0, r.err
    # The file is untrusted: its own count of managed assistants is not believed either.
    reseal(plan, lambda data: data["plan"].update(managed=1000))
    r = run(*flags(emulator, PROJECT), "apply", plan)
    assert r.code == 1 and r.err.splitlines()[-1] == refusal(5, 10)
    assert len(by_key(emulator, PROJECT)) == 10
    r = run(*flags(emulator, PROJECT), "apply", "--allow-mass-delete", plan)
    assert r.code == 0, r.err
    assert len(by_key(emulator, PROJECT)) == 5
    assert_next_plan_empty(emulator, root, PROJECT)
