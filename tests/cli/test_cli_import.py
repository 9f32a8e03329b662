"""``assistctl import`` through the real CLI against the emulator over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import OWNER_KEY, make_label
from clihelpers import at, project_dir, run

TUTOR = """\
key: tutor
name: Math Tutor
model: gpt-4o
instructions: |
  You are a patient math tutor.
metadata:
  team: edu
temperature: 0.2
"""


def tutor_dir(root: Path, project: str | None = None) -> Path:
    files = {"assistants/tutor.yaml": TUTOR}
    if project is not None:
        files["assistctl.yaml"] = f"project: {project}\n"
    return project_dir(root, files) / "assistants"


def seed_tutor(emulator: EmulatorHandle, **overrides: object) -> dict[str, Any]:
    fields: dict[str, object] = {
        "name": "Math Tutor",
        "instructions": "You are a patient math tutor.\n",
        "metadata": {"team": "edu", "owner": "alice"},
        "temperature": 0.2,
    }
    fields.update(overrides)
    return emulator.seed_assistants(1, **fields)[0]  # type: ignore[arg-type]


def test_import_writes_only_the_label_and_plan_shows_only_real_differences(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    assistants = tutor_dir(tmp_path, project="shop")
    live = seed_tutor(emulator, top_p=0.5)
    bystander = emulator.seed_assistants(1, name="Bystander")[0]
    flags = at(emulator.base_url, emulator.api_key)

    before = run(*flags, "plan", assistants)
    assert "Plan: 1 to create, 0 to update, 0 to delete." in before.out

    emulator.app.clear_requests()
    r = run(*flags, "import", "tutor", live["id"], assistants)
    assert r.code == 0, r.err
    assert f"Imported {live['id']} (Math Tutor) as 'tutor' of project 'shop'" in r.out
    assert f"metadata.{OWNER_KEY} = shop/tutor" in r.out
    assert "differs in: metadata, top_p" in r.out
    assert "assistctl plan" in r.out

    # One list (duplicates), one retrieve, one modify; only the label was added.
    ops = [e["operation"] for e in emulator.requests()]
    assert "list" in ops and [o for o in ops if o != "list"] == ["retrieve", "modify"]
    after = emulator.get(str(live["id"]))
    assert after is not None
    assert after["metadata"] == {"team": "edu", "owner": "alice", OWNER_KEY: "shop/tutor"}
    assert emulator.extra(str(live["id"])) == {}
    assert {k: v for k, v in after.items() if k != "metadata"} == {
        k: v for k, v in live.items() if k != "metadata"
    }
    assert emulator.get(str(bystander["id"])) == bystander

    plan = run(*flags, "plan", assistants)
    assert plan.code == 0, plan.err
    assert f"# tutor ({live['id']}) will be updated in place" in plan.out
    assert '- metadata.owner = "alice"' in plan.out and "~ top_p = 0.5 -> 1.0" in plan.out
    assert "instructions" not in plan.out and "temperature" not in plan.out
    # The write-only field cannot be read: one update sends it and records its fingerprint.
    assert "~ reasoning_effort = (write-only) not recorded yet -> null" in plan.out
    assert "(8 unchanged fields)" in plan.out
    assert "Plan: 0 to create, 1 to update, 0 to delete." in plan.out

    # Fix the real differences out of band: the next plan only records the fingerprint.
    emulator.modify_out_of_band(
        str(live["id"]), top_p=1.0, metadata={"team": "edu", OWNER_KEY: "shop/tutor"}
    )
    plan = run(*flags, "plan", assistants)
    assert "reasoning_effort" in plan.out and "top_p" not in plan.out, plan.out
    assert run(*flags, "apply", "--auto-approve", assistants).code == 0
    assert "No changes." in run(*flags, "plan", assistants).out


def test_import_of_an_identical_assistant_says_plan_is_clean(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator, metadata={"team": "edu"})
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "import", "tutor", live["id"], assistants)
    assert r.code == 0, r.err
    assert "matches" in r.out and "its write-only reasoning_effort cannot be read back" in r.out
    assert run(*flags, "apply", "--auto-approve", assistants).code == 0
    assert "No changes." in run(*flags, "plan", assistants).out

    # Importing again is harmless: nothing is sent.
    emulator.app.clear_requests()
    again = run(*flags, "import", "tutor", live["id"], assistants)
    assert again.code == 0 and "already managed as 'tutor'" in again.out
    assert emulator.requests("modify") == []


def test_another_projects_assistant_needs_force(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator, metadata={"team": "edu", OWNER_KEY: make_label("billing", "bot")})
    flags = at(emulator.base_url, emulator.api_key)

    refused = run(*flags, "import", "tutor", live["id"], assistants)
    assert refused.code == 1 and refused.out == ""
    assert "label of project 'billing' (key 'bot')" in refused.err
    assert "--force" in refused.err and "Traceback" not in refused.err
    assert emulator.requests("modify") == []
    assert emulator.get(str(live["id"])) == live

    forced = run(*flags, "import", "--force", "tutor", live["id"], assistants)
    assert forced.code == 0, forced.err
    assert "replaced the previous label assistctl = billing/bot" in forced.out
    stored = emulator.get(str(live["id"]))
    assert stored is not None and stored["metadata"] == {"team": "edu", OWNER_KEY: "default/tutor"}
    assert "Plan: 0 to create, 1 to update" in run(*flags, "plan", assistants).out
    assert run(*flags, "apply", "--auto-approve", assistants).code == 0
    assert "No changes." in run(*flags, "plan", assistants).out


def test_this_projects_label_for_another_key_needs_force(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator, metadata={"team": "edu", OWNER_KEY: "default/old-tutor"})
    flags = at(emulator.base_url, emulator.api_key)
    refused = run(*flags, "import", "tutor", live["id"], assistants)
    assert refused.code == 1
    assert "this project's label for another key, 'old-tutor'" in refused.err
    assert run(*flags, "import", "tutor", live["id"], assistants, "--force").code == 0


def test_unknown_key_names_the_key_and_the_paths(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator)
    r = run(*at(emulator.base_url, emulator.api_key), "import", "tutr", live["id"], assistants)
    assert r.code == 1 and r.out == ""
    assert f"No manifest with key 'tutr' in {assistants}" in r.err
    assert "did you mean 'tutor'?" in r.err
    assert emulator.requests() == []


def test_invalid_manifests_are_refused_before_any_request(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path, {"tutor.yaml": TUTOR + "colour: red\n"})
    r = run(*at(emulator.base_url, emulator.api_key), "import", "tutor", "asst_x", root)
    assert r.code == 1 and "colour: unknown field" in r.err
    assert emulator.requests() == []


def test_unknown_assistant_id(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path)
    r = run(*at(emulator.base_url, emulator.api_key), "import", "tutor", "asst_nope", assistants)
    assert r.code == 1 and r.out == ""
    assert "No assistant 'asst_nope' on" in r.err and "check the id" in r.err
    assert "Traceback" not in r.err
    assert emulator.requests("modify") == []


@pytest.mark.parametrize("label", ["default/tutor", "default/tutor;prevent_destroy"])
def test_duplicate_label_is_refused_even_with_force(
    emulator: EmulatorHandle, tmp_path: Path, label: str
) -> None:
    assistants = tutor_dir(tmp_path)
    managed = seed_tutor(emulator, metadata={OWNER_KEY: label})
    stray = seed_tutor(emulator)
    flags = at(emulator.base_url, emulator.api_key)
    for extra in ([], ["--force"]):
        r = run(*flags, "import", *extra, "tutor", stray["id"], assistants)
        assert r.code == 1
        assert f"{managed['id']} already carries the label assistctl = default/tutor" in r.err
    assert emulator.requests("modify") == []


def test_full_metadata_leaves_no_room_for_the_label(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator, metadata={f"k{i}": "v" for i in range(16)})
    r = run(*at(emulator.base_url, emulator.api_key), "import", "tutor", live["id"], assistants)
    assert r.code == 1
    assert "already has 16 metadata pairs, the API's limit of 16" in r.err
    assert emulator.requests("modify") == []

    # 15 pairs: the label is the 16th.
    live = seed_tutor(emulator, metadata={f"k{i}": "v" for i in range(15)})
    r = run(*at(emulator.base_url, emulator.api_key), "import", "tutor", live["id"], assistants)
    assert r.code == 0, r.err
    stored = emulator.get(str(live["id"]))
    assert stored is not None and len(stored["metadata"]) == 16


def test_the_api_key_is_never_printed(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator)
    flags = at(emulator.base_url, emulator.api_key)
    for args in (["tutor", live["id"]], ["tutor", "asst_nope"], ["nokey", live["id"]]):
        r = run("-v", *flags, "import", *args, assistants)
        assert emulator.api_key not in r.text
