"""``assistctl apply`` through the real CLI against the emulator over HTTP: the whole loop."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import make_label, owner_of, parse_label
from clihelpers import EXAMPLES, at, copy_examples, project_dir, run, run_on_a_pty

NO_CHANGES = "No changes. Live assistants match the manifests."
EXAMPLE_KEYS = (
    "invoice-extractor",
    "math-tutor",
    "release-notes",
    "support-agent",
    "translator-de",
    "translator-es-mx",
    "translator-fr",
    "weather-agent",
)


def label_of(obj: dict[str, Any]) -> str | None:
    value = (obj.get("metadata") or {}).get("assistctl")
    return value if isinstance(value, str) else None


def managed(emulator: EmulatorHandle, project: str = "examples") -> dict[str, dict[str, Any]]:
    """This project's live assistants by manifest key."""
    out: dict[str, dict[str, Any]] = {}
    for obj in emulator.assistants():
        owner = parse_label(label_of(obj))
        if owner is not None and owner[0] == project:
            key = owner[1]
            assert key not in out, f"duplicate label {label_of(obj)}"
            out[key] = obj
    return out


def writes(emulator: EmulatorHandle) -> list[tuple[str, str]]:
    """(operation, assistant id or "") of every write request in the log."""
    return [
        (e["operation"], e.get("assistant_id") or "")
        for e in emulator.requests()
        if e["operation"] in ("create", "modify", "delete")
    ]


@pytest.fixture
def flags(emulator: EmulatorHandle) -> list[str]:
    return at(emulator.base_url, emulator.api_key)


def test_the_loop(emulator: EmulatorHandle, flags: list[str], tmp_path: Path) -> None:
    (bystander,) = emulator.seed_assistants(1, name="by hand", temperature=0.7)
    (neighbour,) = emulator.seed_assistants(
        1, name="theirs", metadata={"assistctl": make_label("other", "math-tutor")}
    )
    root = copy_examples(tmp_path)

    # apply the examples, then the plan is empty
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == "Apply complete: 8 created, 0 updated, 0 deleted, 0 failed."
    assert len(re.findall(r"^\[\d/8\] created ", r.err, re.M)) == 8
    live = managed(emulator)
    assert len(live) == 8
    r = run(*flags, "plan", "--detailed-exitcode", root)
    assert (r.code, r.out.splitlines()[-1]) == (0, NO_CHANGES)

    # edit instructions: one in-place update, same id
    tutor = root / "math-tutor.yaml"
    tutor.write_text(tutor.read_text().replace("patient math tutor", "very patient math tutor"))
    before = len(emulator.requests())
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 0, r.err
    assert "Plan: 0 to create, 1 to update, 0 to delete." in r.out
    assert r.out.splitlines()[-1] == "Apply complete: 0 created, 1 updated, 0 deleted, 0 failed."
    new_writes = [
        (e["operation"], e.get("assistant_id"))
        for e in emulator.requests()[before:]
        if "/assistants" in e["path"] and e["operation"] != "list"
    ]
    # The modify right after a fresh read confirming the assistant is still ours.
    assert new_writes == [
        ("retrieve", live["math-tutor"]["id"]),
        ("modify", live["math-tutor"]["id"]),
    ]
    after = managed(emulator)
    assert after["math-tutor"]["id"] == live["math-tutor"]["id"]
    assert "very patient math tutor" in after["math-tutor"]["instructions"]

    # temperature changed out of band: drift 2, apply, drift 0
    emulator.modify_out_of_band(live["translator-fr"]["id"], temperature=1.7)
    r = run(*flags, "drift", root)
    assert r.code == 2 and "temperature = 0.3 -> 1.7" in r.out
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    assert managed(emulator)["translator-fr"]["temperature"] == 0.3
    r = run(*flags, "drift", root)
    assert r.code == 0, r.out

    # remove a manifest: one delete
    (root / "invoice-extractor.yaml").unlink()
    before = len(emulator.requests())
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 0
    assert "Plan: 0 to create, 0 to update, 1 to delete." in r.out
    deletes = [e for e in emulator.requests()[before:] if e["operation"] == "delete"]
    assert [e.get("assistant_id") for e in deletes] == [live["invoice-extractor"]["id"]]
    # The listing (from both ends: one request or more), then the fresh read and the delete.
    sent = emulator.requests()[before:]
    ops = [e["operation"] for e in sent if "/assistants" in e["path"]]
    assert "list" in ops and [o for o in ops if o != "list"] == ["retrieve", "delete"]
    assert set(managed(emulator)) == set(live) - {"invoice-extractor"}
    assert run(*flags, "plan", "-d", root).code == 0

    # the unmanaged assistant and the other project's one were never touched
    assert emulator.get(bystander["id"]) == bystander
    assert emulator.get(neighbour["id"]) == neighbour
    touched = {e.get("assistant_id") for e in emulator.requests()}
    assert bystander["id"] not in touched and neighbour["id"] not in touched


def test_moved_from_keeps_the_id(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    translators = root / "translators.yaml"
    renamed = translators.read_text()
    old = renamed.replace(
        "key: translator-es-mx\nmoved_from: translator-es\n", "key: translator-es\n"
    )
    assert old != renamed
    translators.write_text(old)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    original = managed(emulator)["translator-es"]

    translators.write_text(renamed)
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 0, r.err
    assert "Plan: 0 to create, 1 to update, 0 to delete." in r.out
    live = managed(emulator)
    assert "translator-es" not in live
    assert live["translator-es-mx"]["id"] == original["id"]
    assert run(*flags, "plan", "-d", root).code == 0


def test_without_a_terminal_apply_needs_auto_approve(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    r = run(*flags, "apply", root, input="yes\n")
    assert r.code == 1
    assert "Plan: 8 to create" in r.out, "the plan is still shown"
    assert r.err.splitlines()[-1].startswith(
        "assistctl: error: Refusing to apply without a terminal to confirm on; pass --auto-approve"
    )
    assert emulator.assistants() == []
    assert writes(emulator) == []


def test_nothing_to_do_needs_no_approval(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    r = run(*flags, "apply", root)
    assert r.code == 0 and r.out.splitlines()[-1] == NO_CHANGES


@pytest.mark.parametrize(("answer", "code"), [("YES\n", 1), ("\x04", 1), (None, 130)])
def test_prompt_on_a_terminal_answered_other_than_yes(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path, answer: str | None, code: int
) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    (root / "weather-agent.yaml").unlink()
    before = emulator.assistants()
    exit_code, out = run_on_a_pty([*flags, "apply", str(root)], answer, tmp_path)
    assert exit_code == code, out
    assert "WARNING: this apply DELETES 1 assistant(s): weather-agent" in out
    if code == 1:  # any answer but 'yes', end of input (Ctrl-D) included
        assert out.endswith("Apply cancelled: nothing was changed.\n")
    else:
        # Ctrl-C, said as anywhere else
        assert out.endswith(
            "assistctl: interrupted (Ctrl-C); stopped at once, nothing more was sent.\n"
        )
    assert "Traceback" not in out
    assert emulator.assistants() == before
    assert [w for w in writes(emulator) if w[0] != "create"] == []


def test_prompt_on_a_terminal_answered_yes(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    # Four changes: the bar is for applies of more than a few (progress.BAR_MIN_CHANGES).
    root = project_dir(tmp_path / "p", {f"{k}.yaml": f"key: {k}\nmodel: gpt-4o\n" for k in "abcd"})
    emulator.set_faults(next_statuses=[400], operations=["create"])
    code, out = run_on_a_pty([*flags, "apply", "--parallelism", "1", str(root)], "yes\n", tmp_path)
    assert code == 1, out
    assert "] 4/4, 1 failed" in out, "the live progress line of a terminal"
    ids = {"/".join(owner_of(o) or ()): o["id"] for o in emulator.assistants()}
    assert sorted(ids) == ["default/b", "default/c", "default/d"]
    # the final report names what succeeded too, since the bar did not
    report = out[out.rindex("] 4/4, 1 failed") :].splitlines()[1:]
    assert report == [
        *(f"created {k} ({ids['default/' + k]})" for k in "bcd"),
        "FAILED to create a: API error 400: Emulated fault: HTTP 400. "
        f"(POST {emulator.base_url}/assistants)",
        "Apply failed for 1 of 4 changes (a): 3 created, 0 updated, 0 deleted.",
        "assistctl: error: 1 of 4 change(s) failed; fix the cause and run apply again "
        "(it converges).",
    ]


def test_a_dumb_terminal_gets_no_progress_bar(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    """The bar redraws itself with escape sequences that TERM=dumb does not understand."""
    root = project_dir(tmp_path / "p", {f"{k}.yaml": f"key: {k}\nmodel: gpt-4o\n" for k in "abcd"})
    code, out = run_on_a_pty(
        [*flags, "apply", "--parallelism", "1", str(root)], "yes\n", tmp_path, term="dumb"
    )
    assert code == 0, out
    assert "\x1b" not in out and "] 4/4" not in out
    assert "[4/4] created " in out


def test_a_few_changes_on_a_terminal_are_listed_line_by_line(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = project_dir(tmp_path / "p", {f"{k}.yaml": f"key: {k}\nmodel: gpt-4o\n" for k in "ab"})
    code, out = run_on_a_pty([*flags, "apply", "--parallelism", "1", str(root)], "yes\n", tmp_path)
    assert code == 0, out
    ids = {"/".join(owner_of(o) or ()): o["id"] for o in emulator.assistants()}
    assert f"[1/2] created a ({ids['default/a']})" in out and "] 2/2" not in out
    assert out.endswith(
        f"[2/2] created b ({ids['default/b']})\n"
        "Apply complete: 2 created, 0 updated, 0 deleted, 0 failed.\n"
    )


def test_unsafe_plan_sends_nothing(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    before = emulator.assistants()
    agent = root / "support-agent.yaml"
    agent.write_text(agent.read_text().replace("key: support-agent", "key: support-bot"))
    n = len(emulator.requests())
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 1
    last = r.err.splitlines()[-1]
    assert last.startswith("assistctl: error: Refusing this plan, 1 problem:")
    # Its label recorded prevent_destroy when it was created: the delete a changed key
    # plans is refused on the live side.
    assert "'support-agent' (" in last and "records lifecycle.prevent_destroy" in last
    sent = emulator.requests()[n:]
    # The listing (from both ends: one request or more), and nothing else of the assistants.
    assert {e["operation"] for e in sent if e["path"].endswith("/assistants")} == {"list"}
    assert all(e["method"] == "GET" for e in sent)  # and plan's reference checks: reads
    assert emulator.assistants() == before


def test_one_failure_does_not_stop_the_others_and_a_rerun_converges(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    emulator.set_faults(next_statuses=[400], operations=["create"])
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 1
    (failed_key,) = set(EXAMPLE_KEYS) - set(managed(emulator))
    assert r.out.splitlines()[-1] == (
        f"Apply failed for 1 of 8 changes ({failed_key}): 7 created, 0 updated, 0 deleted."
    )
    failures = [line for line in r.err.splitlines() if line.startswith("FAILED to create ")]
    # once as it happens, once in the final report
    assert len(failures) == 1 or (len(failures) == 2 and failures[0] in r.err.splitlines()[-3:])
    assert "API error 400: Emulated fault: HTTP 400." in failures[-1]
    assert r.err.splitlines()[-1] == (
        "assistctl: error: 1 of 8 change(s) failed; fix the cause and run apply again "
        "(it converges)."
    )
    assert len(managed(emulator)) == 7

    emulator.clear_faults()
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == "Apply complete: 1 created, 0 updated, 0 deleted, 0 failed."
    assert len(managed(emulator)) == 8
    assert run(*flags, "plan", "-d", root).code == 0


def test_rate_limits_are_retried_and_reported(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    emulator.set_faults(next_statuses=[429, 429, 429], retry_after_ms=1, operations=["create"])
    r = run(*flags, "apply", "--auto-approve", "--parallelism", "2", root)
    assert r.code == 0, r.err
    assert re.search(r"^Apply complete: 8 created, .* 0 failed\. \(3 retries", r.out, re.M)
    assert len(managed(emulator)) == 8
    assert len([e for e in emulator.requests("create") if e["status"] == 429]) == 3


def test_lost_create_is_adopted_not_duplicated(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    emulator.set_faults(lost_creates=2)
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 0, r.err
    assert r.err.count("found by its label after a lost response") == 2
    assert len(emulator.assistants()) == 8 and len(managed(emulator)) == 8


def test_local_provider(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    local = ["--provider", "local", "--local-state", str(state)]
    r = run(*local, "apply", "--auto-approve", EXAMPLES)
    assert r.code == 0, r.err
    assert f"against local emulator (state {state})" in r.err
    assert r.out.splitlines()[-1] == "Apply complete: 8 created, 0 updated, 0 deleted, 0 failed."
    assert len(json.loads(state.read_text())["assistants"]) == 8
    r = run(*local, "plan", EXAMPLES)
    assert r.code == 0 and r.out.splitlines()[-1] == NO_CHANGES
    assert "local emulator" in r.err


def test_local_provider_default_state_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = copy_examples(tmp_path / "repo")
    assert run("--provider", "local", "apply", "--auto-approve", root).code == 0
    assert (tmp_path / ".assistctl" / "local-state.json").is_file()
    r = run("--provider", "local", "plan", "-d", root)
    assert (r.code, r.out.splitlines()[-1]) == (0, NO_CHANGES)
    assert "against local emulator (state .assistctl/local-state.json)" in r.err
