"""Paths narrow, they never widen deletes (issue 13, attack 5): after applying the examples,
planning or applying one manifest of the project reads the whole project, acts on that
manifest alone, says so, and deletes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistctl.emulator.testing import EmulatorHandle
from clihelpers import copy_examples, project_dir, run

from ._attack import assert_next_plan_empty, by_key, flags, snapshot, writes_to

NOTE = "nothing outside the selection is created, updated or deleted"


@pytest.fixture
def root(emulator: EmulatorHandle, tmp_path: Path) -> Path:
    root = copy_examples(tmp_path)
    assert run(*flags(emulator), "apply", "--auto-approve", root).code == 0
    return root


def test_one_file_of_the_applied_examples_plans_no_deletes(
    emulator: EmulatorHandle, root: Path
) -> None:
    # The run: 7 deletes, one of them protected by prevent_destroy.
    r = run(*flags(emulator), "plan", root / "math-tutor.yaml")
    assert r.code == 0, r.err
    assert r.out.endswith(
        f"Note: Targeting 1 of 8 manifests: math-tutor; {NOTE}.\n\n"
        "No changes. Live assistants match the manifests.\n"
    )
    # A path that does not exist is an error, not an empty selection: no plan in the document.
    doc = json.loads(run(*flags(emulator), "plan", "--format", "json", root / "x").out)
    assert doc["errors"] and "summary" not in doc
    doc = json.loads(
        run(*flags(emulator), "plan", "--format", "json", root / "math-tutor.yaml").out
    )
    assert doc["targeting"] == {"keys": ["math-tutor"], "manifests": 8}
    assert doc["summary"]["delete"] == 0
    markdown = run(*flags(emulator), "plan", "--format", "markdown", root / "math-tutor.yaml")
    assert f"> [!NOTE]\n> Targeting 1 of 8 manifests: math-tutor; {NOTE}." in markdown.out


def test_applying_one_file_touches_only_its_assistant(emulator: EmulatorHandle, root: Path) -> None:
    live = by_key(emulator)
    for name in ("math-tutor.yaml", "weather-agent.yaml"):  # both edited
        path = root / name
        path.write_text(path.read_text().replace("temperature: 0.", "temperature: 0.0"))
    (root / "invoice-extractor.yaml").unlink()  # a delete, outside the selection
    others = [o["id"] for k, o in live.items() if k != "math-tutor"]
    before, n = snapshot(emulator, others), len(emulator.requests())

    r = run(*flags(emulator), "apply", "--auto-approve", root / "math-tutor.yaml")

    assert r.code == 0, r.err
    assert "Plan: 0 to create, 1 to update, 0 to delete." in r.out
    assert f"Targeting 1 of 7 manifests: math-tutor; {NOTE}." in r.out
    assert writes_to(emulator, others, n) == []
    assert snapshot(emulator, others) == before
    sent = emulator.requests()[n:]
    ops = [(e["operation"], e["assistant_id"]) for e in sent if "/assistants" in e["path"]]
    tutor = live["math-tutor"]["id"]
    # The listing (one request or more: it walks from both ends), then the fresh read and
    # the one update.
    assert ("list", None) in ops
    assert [op for op in ops if op[0] != "list"] == [("retrieve", tutor), ("modify", tutor)]
    # The whole project, planned: the rest of the edits, and the delete, are still to do.
    r = run(*flags(emulator), "plan", root)
    assert "Plan: 0 to create, 1 to update, 1 to delete." in r.out
    assert run(*flags(emulator), "apply", "--auto-approve", root).code == 0
    assert_next_plan_empty(emulator, root)


def test_the_whole_project_is_validated_whatever_the_selection(
    emulator: EmulatorHandle, root: Path
) -> None:
    (root / "broken.yaml").write_text("key: broken\nmodel: gpt-4o\ntemperature: 3\n")
    n = len(emulator.requests())
    r = run(*flags(emulator), "plan", root / "math-tutor.yaml")
    assert r.code == 1
    assert "broken.yaml:3:14: temperature:" in r.err
    # Nothing that changes anything (the listing runs while the manifests load).
    assert {e["operation"] for e in emulator.requests()[n:]} <= {"list"}


def test_the_project_root_or_its_file_selects_everything(
    emulator: EmulatorHandle, root: Path
) -> None:
    (root / "weather-agent.yaml").unlink()
    # The project file alone stands for the project (it used to select no manifest at all,
    # and so plan the delete of every assistant).
    for path in (root, root / "assistctl.yaml"):
        r = run(*flags(emulator), "plan", path)
        assert r.code == 0, r.err
        assert "Plan: 0 to create, 0 to update, 1 to delete." in r.out
        assert "Targeting" not in r.out
    r = run(*flags(emulator), "plan", root / "translators.yaml", root / "math-tutor.yaml")
    assert "Targeting 4 of 7 manifests: math-tutor, translator-de, translator-es-mx, " in r.out
    assert "No changes." in r.out  # the delete of weather-agent is outside the selection


def test_a_path_outside_the_project_is_refused(emulator: EmulatorHandle, root: Path) -> None:
    stray = project_dir(root.parent / "stray", {"s.yaml": "key: s\nmodel: gpt-4o\n"})
    r = run(*flags(emulator), "plan", root / "math-tutor.yaml", stray / "s.yaml")
    assert r.code == 1
    assert r.err.splitlines()[-1].startswith(f"assistctl: error: {stray / 's.yaml'} is outside")


def test_file_arguments_without_a_project_file_delete_nothing(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    files = {f"{k}.yaml": f"key: {k}\nmodel: gpt-4o\n" for k in ("a", "b")}
    loose = project_dir(tmp_path / "loose", files)
    flags_default = flags(emulator, "default")
    assert run(*flags_default, "apply", "--auto-approve", loose).code == 0
    n = len(emulator.requests())
    r = run(*flags_default, "apply", "--auto-approve", loose / "a.yaml")
    assert r.code == 0, r.err
    assert f"Targeting 1 manifest: a; {NOTE}." in r.out
    assert "No changes." in r.out
    sent = emulator.requests()[n:]
    # The listing (from both ends: one request or more), and nothing else of the assistants.
    assert {e["operation"] for e in sent if "/assistants" in e["path"]} == {"list"}
    assert all(e["method"] == "GET" for e in sent)  # the rest: plan's reference checks
    assert len(by_key(emulator, "default")) == 2
