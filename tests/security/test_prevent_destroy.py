"""prevent_destroy survives the manifest's removal (issue 13, attack 5): the flag is recorded
in the live label, so deleting a protected assistant takes two reviewed changes."""

from __future__ import annotations

from pathlib import Path

from assistctl.emulator.testing import EmulatorHandle
from clihelpers import copy_examples, run

from ._attack import assert_next_plan_empty, by_key, flags, snapshot, writes_to


def test_removing_a_protected_manifest_does_not_delete_its_assistant(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags(emulator), "apply", "--auto-approve", root).code == 0
    agent = by_key(emulator)["support-agent"]
    assert agent["metadata"]["assistctl"].startswith("examples/support-agent;prevent_destroy;wo=")
    manifest = root / "support-agent.yaml"
    text = manifest.read_text()
    manifest.unlink()
    before, n = snapshot(emulator, [agent["id"]]), len(emulator.requests())

    refusal = (
        f"'support-agent' ({agent['id']}) would be deleted but its live label records "
        "lifecycle.prevent_destroy; to delete it, first restore its manifest with "
        "prevent_destroy: false and apply, then remove the manifest"
    )
    for command in (["plan"], ["apply", "--auto-approve"], ["apply", "--allow-mass-delete"]):
        r = run(*flags(emulator), *command, root)
        assert r.code == 1
        assert (
            r.err.splitlines()[-1] == f"assistctl: error: Refusing this plan, 1 problem: {refusal}"
        )
    assert writes_to(emulator, [agent["id"]], n) == []
    assert snapshot(emulator, [agent["id"]]) == before

    # First reviewed change: drop the protection (an update, shown as the field it is).
    manifest.write_text(text.replace("prevent_destroy: true", "prevent_destroy: false"))
    r = run(*flags(emulator), "plan", root)
    assert "~ lifecycle.prevent_destroy = true -> false" in r.out
    assert "Plan: 0 to create, 1 to update, 0 to delete." in r.out
    assert run(*flags(emulator), "apply", "--auto-approve", root).code == 0
    stored = emulator.get(agent["id"])
    assert stored is not None
    assert stored["metadata"]["assistctl"].startswith("examples/support-agent;wo=")  # no flag
    assert_next_plan_empty(emulator, root)

    # Second reviewed change: remove the manifest; now the delete goes through.
    manifest.unlink()
    r = run(*flags(emulator), "apply", "--auto-approve", root)
    assert r.code == 0, r.err
    assert "Apply complete: 0 created, 0 updated, 1 deleted, 0 failed." in r.out
    assert emulator.get(agent["id"]) is None
    assert_next_plan_empty(emulator, root)


def test_an_assistant_labelled_before_the_flag_was_recorded_gets_it_once(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags(emulator), "apply", "--auto-approve", root).code == 0
    agent = by_key(emulator)["support-agent"]
    legacy = {**agent["metadata"], "assistctl": "examples/support-agent"}  # as 0.1.0 wrote it
    emulator.modify_out_of_band(agent["id"], metadata=legacy)

    r = run(*flags(emulator), "apply", "--auto-approve", root)
    assert r.code == 0, r.err
    assert "~ lifecycle.prevent_destroy = false -> true" in r.out
    assert "Apply complete: 0 created, 1 updated, 0 deleted, 0 failed." in r.out
    stored = emulator.get(agent["id"])
    assert stored is not None
    label = stored["metadata"]["assistctl"]
    assert label.startswith("examples/support-agent;prevent_destroy;wo=")
    assert_next_plan_empty(emulator, root)
