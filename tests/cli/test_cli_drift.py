"""``assistctl drift`` through the real CLI against the emulator over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import make_label, owner_of
from clihelpers import at, copy_examples, run


@pytest.fixture
def applied(emulator: EmulatorHandle, tmp_path: Path) -> tuple[list[str], Path]:
    """The examples applied: (global flags, manifest directory)."""
    flags = at(emulator.base_url, emulator.api_key)
    root = copy_examples(tmp_path)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    return flags, root


def by_key(emulator: EmulatorHandle, key: str) -> dict[str, object]:
    (obj,) = [o for o in emulator.assistants() if owner_of(o) == ("examples", key)]
    return obj


def test_in_sync(emulator: EmulatorHandle, applied: tuple[list[str], Path]) -> None:
    flags, root = applied
    emulator.seed_assistants(1, name="hand made")
    r = run(*flags, "drift", root)
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == "No drift. Live assistants match the manifests."
    assert '"hand made" (unmanaged)' in r.out, "unmanaged ones are listed, for information"
    assert r.err == (
        f"Checking drift of project 'examples' against {emulator.base_url} "
        "(openai-compatible) ...\n"
    )


def test_out_of_band_change(emulator: EmulatorHandle, applied: tuple[list[str], Path]) -> None:
    flags, root = applied
    tutor = by_key(emulator, "math-tutor")
    emulator.modify_out_of_band(str(tutor["id"]), temperature=0.9, name="Maths")
    r = run(*flags, "drift", root)
    assert r.code == 2, r.err
    assert f"math-tutor ({tutor['id']})" in r.out
    assert "temperature" in r.out and "0.2" in r.out and "0.9" in r.out
    assert '"Maths"' in r.out
    assert r.out.splitlines()[-1] == (
        "Drift: 1 changed out of band, 0 missing, 0 not in the manifests."
    )

    doc = json.loads(run(*flags, "drift", "--format", "json", root).out)
    assert doc["format_version"] == "1" and doc["in_sync"] is False
    (changed,) = doc["changed"]
    assert changed["key"] == "math-tutor" and changed["id"] == tutor["id"]
    assert changed["changed"] == ["name", "temperature"]
    assert changed["live"]["temperature"] == 0.9 and changed["manifest"]["temperature"] == 0.2

    md = run(*flags, "drift", "--format", "markdown", root)
    assert md.code == 2
    assert md.out.startswith("### assistctl drift · project `examples`")
    assert "<details>" in md.out and "math-tutor" in md.out


def test_out_of_band_delete(emulator: EmulatorHandle, applied: tuple[list[str], Path]) -> None:
    flags, root = applied
    emulator.delete_out_of_band(str(by_key(emulator, "weather-agent")["id"]))
    r = run(*flags, "drift", root)
    assert r.code == 2
    assert "weather-agent" in r.out
    assert r.out.splitlines()[-1] == (
        "Drift: 0 changed out of band, 1 missing, 0 not in the manifests."
    )
    doc = json.loads(run(*flags, "drift", "--format", "json", root).out)
    assert [m["key"] for m in doc["missing"]] == ["weather-agent"]


def test_labelled_assistant_without_a_manifest(
    emulator: EmulatorHandle, applied: tuple[list[str], Path]
) -> None:
    flags, root = applied
    (stray,) = emulator.seed_assistants(1, metadata={"assistctl": make_label("examples", "old")})
    r = run(*flags, "drift", "--format", "json", root)
    assert r.code == 2
    assert [(o["key"], o["id"]) for o in json.loads(r.out)["orphaned"]] == [("old", stray["id"])]


def test_unmanaged_and_other_projects_are_not_drift(
    emulator: EmulatorHandle, applied: tuple[list[str], Path], tmp_path: Path
) -> None:
    flags, root = applied
    mine = emulator.seed_assistants(2, name="by hand")
    theirs = emulator.seed_assistants(1, metadata={"assistctl": make_label("other", "x")})
    r = run(*flags, "drift", "--format", "json", root)
    assert r.code == 0
    doc = json.loads(r.out)
    assert doc["in_sync"] is True
    assert {(i["id"], i["reason"]) for i in doc["ignored"]} == {
        (mine[0]["id"], "unmanaged"),
        (mine[1]["id"], "unmanaged"),
        (theirs[0]["id"], "other_project"),
    }
    md = run(*flags, "drift", "--format", "markdown", root)
    assert md.code == 0 and "3 assistant(s) not managed by project" in md.out


def test_out_writes_the_report_to_a_file(
    emulator: EmulatorHandle, applied: tuple[list[str], Path], tmp_path: Path
) -> None:
    flags, root = applied
    emulator.modify_out_of_band(str(by_key(emulator, "math-tutor")["id"]), top_p=0.5)
    out = tmp_path / "drift.json"
    r = run(*flags, "drift", "--format", "json", "--out", out, root)
    assert r.code == 2 and r.out == ""
    assert json.loads(out.read_text())["changed"][0]["changed"] == ["top_p"]


def test_drift_makes_only_list_requests(
    emulator: EmulatorHandle, applied: tuple[list[str], Path]
) -> None:
    flags, root = applied
    before = len(emulator.requests())
    run(*flags, "drift", root)
    assert {e["operation"] for e in emulator.requests()[before:]} == {"list"}
