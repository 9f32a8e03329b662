"""Saved plans through the real CLI: ``plan --out FILE`` then ``apply FILE``.

The apply's host and project come from its own flags and environment (and the project file
of the directory it runs in), never from the plan file: here ``--project examples``, the
project of the copied examples. The attacks on plan files are in ``tests/security``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import make_label, owner_of
from clihelpers import at, copy_examples, run


def managed(emulator: EmulatorHandle) -> dict[str, dict[str, Any]]:
    out = {}
    for obj in emulator.assistants():
        owner = owner_of(obj)
        if owner is not None and owner[0] == "examples":
            out[owner[1]] = obj
    return out


def ops_since(emulator: EmulatorHandle, n: int) -> list[tuple[str, str | None]]:
    return [(e["operation"], e["assistant_id"]) for e in emulator.requests()[n:]]


EXAMPLES = ("--project", "examples")
NEVER_FROM_THE_FILE = (
    " (this apply's target comes from the command line, the environment and assistctl.yaml, "
    "never from the plan file)"
)


@pytest.fixture
def flags(emulator: EmulatorHandle) -> list[str]:
    return at(emulator.base_url, emulator.api_key)


@pytest.fixture
def root(flags: list[str], tmp_path: Path) -> Path:
    """The examples, applied, then edited: math-tutor's instructions, translator-fr removed."""
    root = copy_examples(tmp_path)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    tutor = root / "math-tutor.yaml"
    tutor.write_text(tutor.read_text().replace("patient math tutor", "very patient math tutor"))
    translators = root / "translators.yaml"
    translators.write_text(translators.read_text().split("---\n", 1)[1])
    return root


def save(flags: list[str], root: Path, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "plan.json"
    r = run(*flags, *extra, "plan", "--out", out, root)
    assert r.code == 0, r.err
    assert "Plan: 0 to create, 1 to update, 1 to delete." in r.out
    return out


def test_apply_executes_the_saved_plan_exactly_without_a_prompt(
    emulator: EmulatorHandle, flags: list[str], root: Path, tmp_path: Path
) -> None:
    plan = save(flags, root, tmp_path)
    live = managed(emulator)
    # the manifests change after the plan was made: the saved plan still does what it said
    (root / "weather-agent.yaml").unlink()
    n = len(emulator.requests())
    r = run(
        *flags, *EXAMPLES, "apply", plan
    )  # no terminal and no --auto-approve: a saved plan was reviewed
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == "Apply complete: 0 created, 1 updated, 1 deleted, 0 failed."
    # Each modify and delete right after a fresh read of that assistant (the live check).
    assert [op for op in ops_since(emulator, n) if op[0] != "list"] == [
        ("retrieve", live["math-tutor"]["id"]),
        ("modify", live["math-tutor"]["id"]),
        ("retrieve", live["translator-fr"]["id"]),
        ("delete", live["translator-fr"]["id"]),
    ]
    assert "weather-agent" in managed(emulator)
    assert f"Applying {plan} to project 'examples' on {emulator.base_url}" in r.err

    # applied once, it is stale: what it changed has moved
    r = run(*flags, *EXAMPLES, "apply", plan)
    assert r.code == 1 and "is stale" in r.err


def test_stale_plan_is_refused_naming_the_assistant_and_field(
    emulator: EmulatorHandle, flags: list[str], root: Path, tmp_path: Path
) -> None:
    plan = save(flags, root, tmp_path)
    tutor = managed(emulator)["math-tutor"]
    emulator.modify_out_of_band(tutor["id"], temperature=1.5)
    before = emulator.assistants()
    n = len(emulator.requests())
    r = run(*flags, *EXAMPLES, "apply", plan)
    assert r.code == 1
    assert r.err.splitlines()[-1] == (
        f"assistctl: error: {plan} is stale, live state moved since it was made: "
        f"'math-tutor' ({tutor['id']}) changed: temperature. Run 'assistctl plan' again."
    )
    assert set(ops_since(emulator, n)) == {("list", None)}
    assert emulator.assistants() == before


def test_deleted_out_of_band_is_stale(
    emulator: EmulatorHandle, flags: list[str], root: Path, tmp_path: Path
) -> None:
    plan = save(flags, root, tmp_path)
    fr = managed(emulator)["translator-fr"]
    emulator.delete_out_of_band(fr["id"])
    r = run(*flags, *EXAMPLES, "apply", plan)
    assert r.code == 1
    assert f"'translator-fr' ({fr['id']}) was deleted" in r.err


def test_planned_create_that_now_exists_is_stale(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    plan = tmp_path / "plan.json"
    assert run(*flags, "plan", "--out", plan, root).code == 0
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    n = len(emulator.assistants())
    r = run(*flags, *EXAMPLES, "apply", plan)
    assert r.code == 1
    assert "'math-tutor': an assistant labelled examples/math-tutor now exists" in r.err
    assert len(emulator.assistants()) == n, "no duplicate created"


def test_unrelated_changes_are_accepted(
    emulator: EmulatorHandle, flags: list[str], root: Path, tmp_path: Path
) -> None:
    (bystander,) = emulator.seed_assistants(1, name="by hand")
    (neighbour,) = emulator.seed_assistants(1, metadata={"assistctl": make_label("other", "x")})
    plan = save(flags, root, tmp_path)
    live = managed(emulator)
    # unmanaged, another project's, and a managed assistant the plan leaves as it is
    emulator.modify_out_of_band(bystander["id"], temperature=0.1)
    emulator.delete_out_of_band(neighbour["id"])
    emulator.seed_assistants(1, name="new by hand")
    emulator.modify_out_of_band(live["weather-agent"]["id"], temperature=0.1)
    r = run(*flags, *EXAMPLES, "apply", plan)
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == "Apply complete: 0 created, 1 updated, 1 deleted, 0 failed."
    # the untouched assistant's drift is left for the next plan to show
    r = run(*flags, "plan", "--format", "json", root)
    changes = {c["key"]: c for c in json.loads(r.out)["changes"] if c["action"] != "noop"}
    assert list(changes) == ["weather-agent"]
    assert changes["weather-agent"]["changed"] == ["temperature"]


def test_edited_plan_is_refused(
    emulator: EmulatorHandle, flags: list[str], root: Path, tmp_path: Path
) -> None:
    plan = save(flags, root, tmp_path)
    text = plan.read_text()
    edited = text.replace("very patient math tutor", "very patient meth tutor")
    assert edited != text
    json.loads(edited)
    plan.write_text(edited)
    before = emulator.assistants()
    n = len(emulator.requests())
    r = run(*flags, *EXAMPLES, "apply", plan)
    assert r.code == 1
    assert r.err == (
        f"assistctl: error: {plan} was edited after 'assistctl plan' wrote it (its digest does "
        "not match); make a new plan instead of editing one.\n"
    )
    assert ops_since(emulator, n) == []
    assert emulator.assistants() == before


def test_plan_for_another_project_is_refused(
    emulator: EmulatorHandle, flags: list[str], root: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "other.json"
    assert run(*flags, "--project", "other", "plan", "--out", plan, root).code == 0
    n = len(emulator.requests())
    r = run(*flags, "--project", "examples", "apply", plan)
    assert r.code == 1
    assert r.err == (
        f"assistctl: error: {plan} was made for another target: project is 'examples' but the "
        f"plan was made for 'other'{NEVER_FROM_THE_FILE}.\n"
    )
    assert ops_since(emulator, n) == []


def test_plan_for_another_host_is_refused(
    emulator: EmulatorHandle, flags: list[str], root: Path, tmp_path: Path
) -> None:
    plan = save(flags, root, tmp_path)
    elsewhere = "http://127.0.0.1:9/v1"
    r = run(*at(elsewhere, emulator.api_key), *EXAMPLES, "apply", plan)
    assert r.code == 1
    assert r.err == (
        f"assistctl: error: {plan} was made for another target: base_url is '{elsewhere}' but "
        f"the plan was made for '{emulator.base_url}'{NEVER_FROM_THE_FILE}.\n"
    )
    env = {"OPENAI_BASE_URL": elsewhere, "OPENAI_API_KEY": emulator.api_key}
    r = run("apply", plan, env=env)
    assert r.code == 1 and "was made for another target" in r.err


def test_the_host_and_project_never_come_from_the_plan(
    emulator: EmulatorHandle, root: Path, tmp_path: Path, flags: list[str]
) -> None:
    plan = save(flags, root, tmp_path)
    n = len(emulator.requests())
    # Neither a host nor a project given: the default host and project are not the plan's.
    r = run("--api-key", emulator.api_key, "apply", plan)
    assert r.code == 1
    assert r.err == (
        f"assistctl: error: {plan} was made for another target: project is 'default' but "
        "the plan was made for 'examples'; base_url is 'https://api.openai.com/v1' but the "
        f"plan was made for '{emulator.base_url}' (this apply's target comes from the "
        "command line, the environment and assistctl.yaml, never from the plan file).\n"
    )
    assert ops_since(emulator, n) == []


def test_the_project_file_of_the_working_directory_names_the_project(
    emulator: EmulatorHandle,
    root: Path,
    tmp_path: Path,
    flags: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = save(flags, root, tmp_path)
    monkeypatch.chdir(root)
    r = run(*flags, "apply", plan)
    assert r.code == 0, r.err
    env = {"ASSISTCTL_BASE_URL": emulator.base_url, "ASSISTCTL_API_KEY": emulator.api_key}
    monkeypatch.chdir(tmp_path)
    r = run("apply", plan, env={**env, "ASSISTCTL_PROJECT": "examples"})
    assert r.code == 1 and "is stale" in r.err  # applied once: the project was right


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"changes": []}', "is not a plan file written by 'assistctl plan --out' (no \"kind\""),
        ("[1, 2]", "is not a plan file written by 'assistctl plan --out'"),
        ("{not json", "is not a plan file: invalid JSON"),
        ('{"kind": "assistctl-plan", "format_version": "1"}', "is not a valid plan file"),
        (
            '{"kind": "assistctl-plan", "format_version": "9"}',
            "is not a valid plan file (format_version",
        ),
    ],
)
def test_not_a_plan_is_refused_with_one_sentence(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    r = run(*flags, *EXAMPLES, "apply", path)
    assert r.code == 1
    assert r.err.startswith(f"assistctl: error: {path} {reason}")
    assert len(r.err.splitlines()) == 1 and "Traceback" not in r.err
    assert emulator.requests() == []


def test_plan_without_changes(emulator: EmulatorHandle, flags: list[str], tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    plan = tmp_path / "plan.json"
    assert run(*flags, "plan", "--out", plan, root).code == 0
    r = run(*flags, *EXAMPLES, "apply", plan)
    assert r.code == 0 and "No changes in this plan." in r.err
    assert [e["operation"] for e in emulator.requests()][-1] == "list"


def test_saved_plan_on_the_local_provider(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    root = copy_examples(tmp_path)
    plan = tmp_path / "plan.json"
    local = ["--provider", "local", "--local-state", str(state)]
    assert run(*local, "plan", "--out", plan, root).code == 0
    r = run("apply", plan)  # the plan's state file is not this apply's target
    assert r.code == 1 and state.exists() is False
    r = run(*local, *EXAMPLES, "apply", plan)
    assert r.code == 0, r.err
    assert "local emulator" in r.err
    r = run(*local, "plan", root)
    assert r.code == 0 and "No changes." in r.out
    other = ["--provider", "local", "--local-state", str(tmp_path / "other.json")]
    r = run(*other, *EXAMPLES, "apply", plan)
    assert r.code == 1 and "local_state is" in r.err


def test_local_plan_applied_from_another_directory_needs_the_same_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_examples(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    plan = tmp_path / "plan.json"
    assert run("--provider", "local", "plan", "--out", plan, root).code == 0  # default state
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    local = ["--provider", "local", *EXAMPLES]
    r = run(*local, "apply", plan)  # the default state of this directory is another file
    assert r.code == 1 and "local_state is" in r.err
    assert not (elsewhere / ".assistctl").exists()
    state = tmp_path / "repo" / ".assistctl" / "local-state.json"
    r = run(*local, "--local-state", state, "apply", plan)
    assert r.code == 0, r.err
    monkeypatch.chdir(tmp_path / "repo")
    r = run("--provider", "local", "plan", "-d", root)
    assert r.code == 0 and "No changes." in r.out


def test_a_plan_file_with_manifests_is_refused(
    emulator: EmulatorHandle, flags: list[str], root: Path, tmp_path: Path
) -> None:
    plan = save(flags, root, tmp_path)
    n = len(emulator.requests())
    r = run(*flags, *EXAMPLES, "apply", plan, root)
    assert r.code == 1
    assert r.err == (
        f"assistctl: error: {plan} is not a YAML manifest; apply takes manifest paths or one "
        "plan file written by 'assistctl plan --out', not both.\n"
    )
    assert ops_since(emulator, n) == []
