"""``assistctl import`` through the real CLI against the emulator over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import OWNER_KEY, make_label
from clihelpers import at, project_dir, run, run_on_a_pty

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
    r = run(*flags, "import", f"tutor={live['id']}", assistants, "--auto-approve")
    assert r.code == 0, r.err
    assert f"Imported {live['id']} (Math Tutor) as 'tutor' of project 'shop'" in r.out
    assert f"metadata.{OWNER_KEY} = shop/tutor" in r.out
    assert "differs in: metadata, top_p" in r.out
    assert "assistctl plan" in r.out

    # The listing (the plan, duplicates; from both ends: one request or more), a fresh
    # retrieve right before the one modify; only the label was added.
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
    r = run(*flags, "import", f"tutor={live['id']}", assistants, "--auto-approve")
    assert r.code == 0, r.err
    assert "matches" in r.out and "its write-only reasoning_effort cannot be read back" in r.out
    assert run(*flags, "apply", "--auto-approve", assistants).code == 0
    assert "No changes." in run(*flags, "plan", assistants).out

    # Importing again is harmless: nothing is sent.
    emulator.app.clear_requests()
    again = run(*flags, "import", f"tutor={live['id']}", assistants)
    assert again.code == 0, again.err
    assert f'= tutor <- {live["id"]} (Math Tutor): already carries "default/tutor;wo=' in again.out
    assert "shows no changes for it" in again.out, "the fingerprint it carries is kept"
    assert "Import: 0 label(s) to write, 1 already in place." in again.out
    assert emulator.requests("modify") == []


def test_another_projects_assistant_needs_force(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator, metadata={"team": "edu", OWNER_KEY: make_label("billing", "bot")})
    flags = at(emulator.base_url, emulator.api_key)

    refused = run(*flags, "import", f"tutor={live['id']}", assistants, "--auto-approve")
    assert refused.code == 1 and refused.out == ""
    assert "label of project 'billing' (key 'bot')" in refused.err
    assert "--force" in refused.err and "Traceback" not in refused.err
    assert emulator.requests("modify") == []
    assert emulator.get(str(live["id"])) == live

    forced = run(*flags, "import", "--force", f"tutor={live['id']}", assistants, "--auto-approve")
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
    refused = run(*flags, "import", f"tutor={live['id']}", assistants, "--auto-approve")
    assert refused.code == 1
    assert "this project's label for another key, 'old-tutor'" in refused.err
    forced = run(*flags, "import", f"tutor={live['id']}", assistants, "--force", "--auto-approve")
    assert forced.code == 0


def test_unknown_key_names_the_key_and_the_paths(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator)
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "import", f"tutr={live['id']}", assistants, "--auto-approve")
    assert r.code == 1 and r.out == ""
    assert f"No manifest with key 'tutr' in {assistants}" in r.err
    assert "did you mean 'tutor'?" in r.err
    assert emulator.requests("modify") == []


def test_invalid_manifests_are_refused_before_any_request(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path, {"tutor.yaml": TUTOR + "colour: red\n"})
    r = run(*at(emulator.base_url, emulator.api_key), "import", "tutor=asst_x", root)
    assert r.code == 1 and "colour: unknown field" in r.err
    assert emulator.requests() == []


def test_unknown_assistant_id(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path)
    r = run(*at(emulator.base_url, emulator.api_key), "import", "tutor=asst_nope", assistants)
    assert r.code == 1 and r.out == ""
    assert "tutor=asst_nope: no such assistant on" in r.err and "check the id" in r.err
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
        r = run(*flags, "import", *extra, f"tutor={stray['id']}", assistants, "--auto-approve")
        assert r.code == 1
        assert f"{managed['id']} already carries the label assistctl = default/tutor" in r.err
    assert emulator.requests("modify") == []


def test_full_metadata_leaves_no_room_for_the_label(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator, metadata={f"k{i}": "v" for i in range(16)})
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "import", f"tutor={live['id']}", assistants, "--auto-approve")
    assert r.code == 1
    assert "already has 16 metadata pairs, the API's limit of 16" in r.err
    assert emulator.requests("modify") == []

    # 15 pairs: the label is the 16th.
    live = seed_tutor(emulator, metadata={f"k{i}": "v" for i in range(15)})
    r = run(*flags, "import", f"tutor={live['id']}", assistants, "--auto-approve")
    assert r.code == 0, r.err
    stored = emulator.get(str(live["id"]))
    assert stored is not None and len(stored["metadata"]) == 16


def test_the_api_key_is_never_printed(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator)
    flags = at(emulator.base_url, emulator.api_key)
    for pair in (f"tutor={live['id']}", "tutor=asst_nope", f"nokey={live['id']}"):
        r = run("-v", *flags, "import", pair, assistants, "--auto-approve")
        assert emulator.api_key not in r.text


# ---- reviewable: a plan, a question, all or nothing ------------------------------------------


HELPER = "key: helper\nname: Helper\nmodel: gpt-4o\n"


def two_manifests(root: Path) -> Path:
    files = {"assistants/tutor.yaml": TUTOR, "assistants/helper.yaml": HELPER}
    files["assistctl.yaml"] = "project: shop\n"
    return project_dir(root, files) / "assistants"


def test_the_plan_is_shown_and_nothing_is_written_without_a_terminal(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    assistants = two_manifests(tmp_path)
    tutor = seed_tutor(emulator, top_p=0.5)
    helper = emulator.seed_assistants(1, name="Helper", metadata={OWNER_KEY: "shop/helper"})[0]
    flags = at(emulator.base_url, emulator.api_key)

    r = run(*flags, "import", f"tutor={tutor['id']}", f"helper={helper['id']}", assistants)
    assert r.code == 1
    assert r.out.splitlines() == [
        f"Import plan for project 'shop' on {emulator.base_url} (openai-compatible):",
        "",
        f"  + tutor <- {tutor['id']} (Math Tutor), manifest {assistants / 'tutor.yaml'}",
        f'      metadata.{OWNER_KEY}: (none) -> "shop/tutor"',
        f"      then 'assistctl plan {assistants}' updates: metadata, top_p, reasoning_effort",
        f'  = helper <- {helper["id"]} (Helper): already carries "shop/helper"; nothing to write',
        # Labelled by hand, without the fingerprint: one apply records it.
        f"      then 'assistctl plan {assistants}' updates: reasoning_effort (write-only: sent "
        "once to record it)",
        "",
        "Import: 1 label(s) to write, 1 already in place.",
        "Only the ownership label is written; every other field keeps its value.",
    ]
    assert "Refusing to write 1 label(s) without a terminal" in r.err
    assert "--auto-approve" in r.err
    assert emulator.requests("modify") == []


@pytest.mark.parametrize(("answer", "written"), [("yes\n", True), ("no\n", False)])
def test_the_question_on_a_terminal(
    emulator: EmulatorHandle, tmp_path: Path, answer: str, written: bool
) -> None:
    assistants = tutor_dir(tmp_path / "p")
    live = seed_tutor(emulator)
    flags = at(emulator.base_url, emulator.api_key)
    code, out = run_on_a_pty(
        [*flags, "import", f"tutor={live['id']}", str(assistants)], answer, tmp_path
    )
    assert "Import: 1 label(s) to write" in out and "Only 'yes' will be accepted" in out
    stored = emulator.get(str(live["id"]))
    assert stored is not None
    if written:
        assert code == 0, out
        assert stored["metadata"][OWNER_KEY] == "default/tutor"
        assert out.rstrip("\n").endswith("Import complete: 1 label(s) written, 0 already in place.")
    else:
        assert code == 1, out
        assert out.endswith("Import cancelled: nothing was written.\n")
        assert OWNER_KEY not in stored["metadata"]


def test_several_pairs_are_all_or_nothing(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = two_manifests(tmp_path)
    tutor = seed_tutor(emulator)
    theirs = emulator.seed_assistants(1, name="Helper", metadata={OWNER_KEY: "billing/h"})[0]
    flags = at(emulator.base_url, emulator.api_key)
    pairs = [f"tutor={tutor['id']}", f"helper={theirs['id']}", "nokey=asst_x", "helper2=asst_y"]

    # A key no manifest has is refused offline, before anything is asked of the host.
    r = run(*flags, "import", *pairs[:2], "nokey=asst_nope", assistants, "--auto-approve")
    assert r.code == 1 and r.out == ""
    assert "assistctl: error: Nothing was imported: 1 pair(s) refused: " in r.err
    assert "nokey=asst_nope: No manifest with key 'nokey'" in r.err
    assert emulator.requests() == []

    r = run(*flags, "import", *pairs[:2], "helper2=asst_nope", assistants, "--auto-approve")
    assert r.code == 1 and r.out == ""
    assert "assistctl: error: Nothing was imported: 1 pair(s) refused: " in r.err
    assert "helper2=asst_nope: No manifest with key 'helper2'" in r.err

    r = run(*flags, "import", *pairs[:2], assistants, "--auto-approve")
    assert r.code == 1 and r.out == ""
    assert f"helper={theirs['id']}: {theirs['id']} already carries the label of project" in r.err
    assert emulator.requests("modify") == [], "the good pair is not written either"

    both = [f"tutor={theirs['id']}", f"helper={tutor['id']}"]
    emulator.modify_out_of_band(tutor["id"], metadata={OWNER_KEY: "billing/t"})
    r = run(*flags, "import", *both, assistants, "--auto-approve")
    assert "Nothing was imported: 2 pair(s) refused: " in r.err, "every refusal is named"
    emulator.modify_out_of_band(tutor["id"], metadata={"team": "edu"})

    done = run(*flags, "import", *pairs[:2], assistants, "--auto-approve", "--force")
    assert done.code == 0, done.err
    assert done.out.rstrip("\n").endswith(
        "Import complete: 2 label(s) written, 0 already in place."
    )
    assert "(--force: replaces another owner's label)" in done.out
    labels = {str(o["id"]): o["metadata"][OWNER_KEY] for o in emulator.assistants()}
    assert labels == {tutor["id"]: "shop/tutor", theirs["id"]: "shop/helper"}


def test_pairs_from_a_file(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = two_manifests(tmp_path)
    tutor = seed_tutor(emulator)
    helper = emulator.seed_assistants(1, name="Helper")[0]
    pairs = tmp_path / "pairs.txt"
    pairs.write_text(
        f"# written by hand\n\ntutor={tutor['id']}\n  helper={helper['id']}  \n", encoding="utf-8"
    )
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "import", "--from", pairs, assistants, "--auto-approve")
    assert r.code == 0, r.err
    assert "Import complete: 2 label(s) written" in r.out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tutor asst_1\n", "pairs.txt:1: expected KEY=ID"),
        ("tutor=../../admin\n", "pairs.txt:1: '../../admin' is not an assistant id"),
        ("tutor=asst_1/x\n", "is not an assistant id"),
        ("ok=asst_1\n../x=asst_2\n", "pairs.txt:2: '../x' is not a manifest key"),
        ("tutor=asst_1 # note\n", "is not an assistant id"),
        ("tutor=asst\x001\n", "pairs.txt looks like a binary file, not a text pairs file"),
        ("tutor=\n", "'' is not an assistant id"),
        ("=asst_1\n", "'' is not a manifest key"),
        ("k" * 200 + "=asst_1\n", "is not a manifest key"),
    ],
)
def test_a_pairs_file_is_read_strictly(
    emulator: EmulatorHandle, tmp_path: Path, text: str, message: str
) -> None:
    assistants = tutor_dir(tmp_path / "p")
    pairs = tmp_path / "pairs.txt"
    pairs.write_text(text, encoding="utf-8")
    r = run(
        *at(emulator.base_url, emulator.api_key),
        "import",
        "--from",
        pairs,
        assistants,
        "--auto-approve",
        env={"PWD": str(tmp_path)},
    )
    assert r.code == 1 and r.out == "" and "Traceback" not in r.err
    assert message in r.err.replace(str(tmp_path) + "/", "")
    assert emulator.requests() == [], "nothing is sent for a bad file"


def test_a_pairs_file_that_is_not_a_text_file(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path / "p")
    binary = tmp_path / "pairs.bin"
    binary.write_bytes(b"\xff\xfe\x00tutor=asst_1\n")
    flags = at(emulator.base_url, emulator.api_key)
    for source in (binary, tmp_path, tmp_path / "missing.txt"):
        r = run(*flags, "import", "--from", source, assistants, "--auto-approve")
        assert r.code == 1 and "Traceback" not in r.err, r.err
        assert "assistctl: error: " in r.err
    assert emulator.requests() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tutor=asst_1", "tutor=asst_2"], "The key 'tutor' is given twice"),
        (["tutor=asst_1", "helper=asst_1"], "The assistant 'asst_1' is given twice"),
        (["tutor=asst_1"], "import needs the manifests' PATH"),
        (["tutor=a/b", "x"], "'a/b' is not an assistant id"),
    ],
)
def test_bad_pairs_on_the_command_line(
    emulator: EmulatorHandle, tmp_path: Path, args: list[str], message: str
) -> None:
    assistants = tutor_dir(tmp_path)
    path = [] if "PATH" in message else [str(assistants)]
    r = run(*at(emulator.base_url, emulator.api_key), "import", *args, *path, "--auto-approve")
    assert r.code == 1 and message in r.err, r.err
    assert emulator.requests() == []


def test_the_010_form_still_reads_as_one_pair(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = tutor_dir(tmp_path)
    live = seed_tutor(emulator)
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "import", "tutor", live["id"], assistants, "--auto-approve")
    assert r.code == 0, r.err
    assert f"Imported {live['id']} (Math Tutor) as 'tutor'" in r.out
