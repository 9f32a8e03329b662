"""Saved plan files are untrusted: re-sealed, pointed at another host or project, they make
``apply`` touch nothing that is not this project's and send nothing anywhere else (issue 13,
attack 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import make_label
from clihelpers import copy_examples, run

from ._attack import (
    add_deletes,
    assert_next_plan_empty,
    attacker_host,
    by_key,
    flags,
    reseal,
    snapshot,
    writes_to,
)


@pytest.fixture
def root(emulator: EmulatorHandle, tmp_path: Path) -> Path:
    """The examples, applied, then one instructions edit: a plan of one update."""
    root = copy_examples(tmp_path)
    assert run(*flags(emulator), "apply", "--auto-approve", root).code == 0
    tutor = root / "math-tutor.yaml"
    tutor.write_text(tutor.read_text().replace("patient math tutor", "very patient math tutor"))
    return root


@pytest.fixture
def others(emulator: EmulatorHandle) -> dict[str, dict[str, Any]]:
    """An unmanaged assistant and another project's one: never ours to touch."""
    (unmanaged,) = emulator.seed_assistants(1, name="made by hand")
    (theirs,) = emulator.seed_assistants(
        1, name="victim's", metadata={"assistctl": make_label("victim", "tutor")}
    )
    return {"unmanaged": unmanaged, "theirs": theirs}


def save(emulator: EmulatorHandle, root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "plan.json"
    r = run(*flags(emulator), "plan", "--out", out, root)
    assert r.code == 0, r.err
    assert "Plan: 0 to create, 1 to update, 0 to delete." in r.out
    return out


def test_resealed_deletes_of_what_is_not_ours_are_refused_live(
    emulator: EmulatorHandle, root: Path, tmp_path: Path, others: dict[str, dict[str, Any]]
) -> None:
    plan = save(emulator, root, tmp_path)
    targets = [(others["unmanaged"], "made-by-hand"), (others["theirs"], "tutor")]
    reseal(plan, lambda data: add_deletes(data, targets))
    ids = [o["id"] for o in others.values()]
    before, n = snapshot(emulator, ids), len(emulator.requests())

    r = run(*flags(emulator), "apply", plan)

    assert r.code == 1
    unmanaged, theirs = others["unmanaged"]["id"], others["theirs"]["id"]
    assert (
        f"FAILED to delete made-by-hand ({unmanaged}): no longer ours: unmanaged (no assistctl "
        "label), not 'examples/made-by-hand'; left as it is"
    ) in r.err
    assert (
        f"FAILED to delete tutor ({theirs}): no longer ours: labelled 'victim/tutor', not "
        "'examples/tutor'; left as it is"
    ) in r.err
    assert r.out.splitlines()[-1] == (
        "Apply failed for 2 of 3 changes (made-by-hand, tutor): 0 created, 1 updated, 0 deleted."
    )
    # Read, never written: byte for byte as they were.
    assert writes_to(emulator, ids, n) == []
    assert snapshot(emulator, ids) == before
    assert "very patient" in by_key(emulator)["math-tutor"]["instructions"]
    assert_next_plan_empty(emulator, root)


def test_a_plan_file_naming_another_host_sends_it_nothing(
    emulator: EmulatorHandle, root: Path, tmp_path: Path
) -> None:
    plan = save(emulator, root, tmp_path)
    with attacker_host() as attacker:

        def elsewhere(data: dict[str, Any]) -> None:
            data["origin"]["base_url"] = attacker.base_url

        reseal(plan, elsewhere)
        n = len(emulator.requests())
        r = run(*flags(emulator), "apply", plan)
        assert r.code == 1
        assert r.err == (
            f"assistctl: error: {plan} was made for another target: base_url is "
            f"'{emulator.base_url}' but the plan was made for '{attacker.base_url}' (this "
            "apply's target comes from the command line, the environment and assistctl.yaml, "
            "never from the plan file).\n"
        )
        # No host given on the trusted side: the default host, still not the plan's.
        r = run("--api-key", emulator.api_key, "--project", "examples", "apply", plan)
        assert r.code == 1 and f"the plan was made for '{attacker.base_url}'" in r.err
        assert attacker.requests() == []
        assert emulator.requests()[n:] == []
    assert emulator.api_key not in plan.read_text()


def test_a_plan_file_for_another_project_is_refused_before_any_request(
    emulator: EmulatorHandle, root: Path, tmp_path: Path, others: dict[str, dict[str, Any]]
) -> None:
    plan = save(emulator, root, tmp_path)

    def victim(data: dict[str, Any]) -> None:
        data["origin"]["project"] = data["plan"]["project"] = "victim"
        add_deletes(data, [(others["theirs"], "tutor")])

    reseal(plan, victim)
    before, n = snapshot(emulator, [others["theirs"]["id"]]), len(emulator.requests())
    r = run(*flags(emulator), "apply", plan)
    assert r.code == 1
    assert "project is 'examples' but the plan was made for 'victim'" in r.err
    assert emulator.requests()[n:] == []
    assert snapshot(emulator, [others["theirs"]["id"]]) == before


def test_removed_problems_and_forged_counts_do_not_get_a_delete_through(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """A re-sealed plan without its refusals: prevent_destroy is checked on the live label,
    a duplicate repair on the kept assistant (the mass-delete guard's count: in
    test_mass_delete)."""
    root = copy_examples(tmp_path)
    assert run(*flags(emulator), "apply", "--auto-approve", root).code == 0
    live = by_key(emulator)
    plan = tmp_path / "plan.json"
    assert run(*flags(emulator), "plan", "--out", plan, root).code == 0  # no changes

    def forge(data: dict[str, Any]) -> None:
        # support-agent records prevent_destroy; weather-agent "duplicates" a younger one.
        add_deletes(data, [(live["support-agent"], "support-agent")])
        add_deletes(data, [(live["weather-agent"], "weather-agent")])
        data["plan"]["changes"][-1]["duplicate_of"] = live["math-tutor"]["id"]

    reseal(plan, forge)
    ids = [live["support-agent"]["id"], live["weather-agent"]["id"]]
    before, n = snapshot(emulator, ids), len(emulator.requests())
    r = run(*flags(emulator), "apply", plan)
    assert r.code == 1
    assert "its label records lifecycle.prevent_destroy" in r.err
    assert f"the assistant it duplicates, {live['math-tutor']['id']}, is labelled" in r.err
    assert writes_to(emulator, ids, n) == []
    assert snapshot(emulator, ids) == before
    assert_next_plan_empty(emulator, root)


def test_a_create_body_with_another_projects_label_is_refused_before_any_write(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    plan = tmp_path / "plan.json"
    assert run(*flags(emulator), "plan", "--out", plan, root).code == 0

    def foreign(data: dict[str, Any]) -> None:
        change = data["plan"]["changes"][0]
        change["body"]["metadata"]["assistctl"] = make_label("victim", change["key"])

    reseal(plan, foreign)
    n = len(emulator.requests())
    r = run(*flags(emulator), "apply", plan)
    assert r.code == 1
    assert "would write the label 'victim/" in r.err and "Make a new plan." in r.err
    assert {e["operation"] for e in emulator.requests()[n:]} == {"list"}
    assert emulator.assistants() == []


def test_the_digest_still_catches_an_edit_that_was_not_resealed(
    emulator: EmulatorHandle, root: Path, tmp_path: Path
) -> None:
    plan = save(emulator, root, tmp_path)
    data = json.loads(plan.read_text())
    data["origin"]["base_url"] = "http://attacker.example/v1"
    plan.write_text(json.dumps(data))
    n = len(emulator.requests())
    r = run(*flags(emulator), "apply", plan)
    assert r.code == 1 and "was edited after 'assistctl plan' wrote it" in r.err
    assert emulator.requests()[n:] == []
