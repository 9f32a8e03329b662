"""``--format json`` of every command: one versioned document on stdout, failures included.

Every document the real CLI prints here (against the emulator over HTTP) is validated against
its published schema in ``schemas/output/``; the exit code is the command's usual one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from assistctl.cli.main import cli
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import RunningServer, start_server
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import parse_label
from assistctl.output.jsonout import COMMANDS
from clihelpers import ROOT, CliResult, at, copy_examples, project_dir, run

SCHEMAS = ROOT / "schemas" / "output"
BAD = "key: bad\nmodel: gpt-4o\ntemperature: 3\n"


def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text(encoding="utf-8"))))
        for path in SCHEMAS.glob("*.schema.json")
    ]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def document(r: CliResult, command: str, code: int) -> dict[str, Any]:
    """The one document on stdout, checked against ``command``'s schema and the exit code."""
    assert r.code == code, r.text
    doc = json.loads(r.out)  # the whole of stdout is one JSON value
    assert isinstance(doc, dict)
    schema = json.loads((SCHEMAS / f"{command}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema, registry=REGISTRY).validate(doc)
    assert (doc["format_version"], doc["command"]) == ("1", command)
    assert bool(doc["errors"]) == (code == 1), "errors is empty exactly when the run succeeded"
    return doc


@pytest.fixture
def flags(emulator: EmulatorHandle) -> list[str]:
    return at(emulator.base_url, emulator.api_key)


@pytest.fixture(scope="module")
def refusing() -> Iterator[RunningServer]:
    """An emulator that accepts only a key nobody here has: every request is a 401."""
    with start_server("127.0.0.1", 0, EmulatorApp("openai", api_keys=["sk-nobody"])) as server:
        yield server


# ---- the inventory ---------------------------------------------------------------------------


def test_every_command_with_a_json_format_has_a_schema() -> None:
    speaking = set()
    for name, command in cli.commands.items():
        for param in command.params:
            choice = param.type if isinstance(param.type, click.Choice) else None
            if param.name == "fmt" and choice is not None and "json" in choice.choices:
                speaking.add(name)
    assert speaking == set(COMMANDS)
    schemas = {p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json")}
    assert schemas == {*COMMANDS, "common"}
    for name in schemas:
        Draft202012Validator.check_schema(json.loads((SCHEMAS / f"{name}.schema.json").read_text()))


# ---- validate, providers: offline -------------------------------------------------------------


def test_validate(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "ok")
    ok = document(run("validate", root, "--format", "json"), "validate", 0)
    assert ok["valid"] and ok["summary"]["manifests"] == 8
    bad = project_dir(tmp_path / "bad", {"bad.yaml": BAD})
    doc = document(run("validate", "--format", "json", bad), "validate", 1)
    (error,) = doc["errors"]
    assert (error["line"], error["column"], error["path"]) == (3, 14, "temperature")
    assert error["file"].endswith("bad.yaml") and doc["valid"] is False


def test_providers() -> None:
    doc = document(run("providers", "--format", "json"), "providers", 0)
    assert [p["name"] for p in doc["providers"]][:2] == ["openai", "aimlapi"]


# ---- plan ---------------------------------------------------------------------------------


def test_plan_success_and_changes(flags: list[str], tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    doc = document(run(*flags, "plan", root, "--format", "json"), "plan", 0)
    assert doc["summary"]["create"] == 8 and doc["project"] == "examples"
    document(run(*flags, "plan", root, "--format", "json", "-d"), "plan", 2)


def test_plan_with_an_invalid_manifest_is_a_document_of_its_errors(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = project_dir(tmp_path, {"bad.yaml": BAD})
    r = run(*flags, "plan", "--format", "json", root)
    doc = document(r, "plan", 1)
    (error,) = doc["errors"]
    assert error == {
        "file": str(root / "bad.yaml"),
        "line": 3,
        "column": 14,
        "path": "temperature",
        "message": "must be at most 2, got 3",
        "severity": "error",
    }
    assert "summary" not in doc, "no plan was made"
    assert "bad.yaml:3:14" in r.err, "stderr still says it for people"
    # Nothing but the listing, which starts while the manifests load and only reads.
    assert {e["operation"] for e in emulator.requests()} <= {"list"}


def test_plan_refused_by_the_api_carries_its_message(
    refusing: RunningServer, tmp_path: Path
) -> None:
    root = project_dir(tmp_path, {"a.yaml": "key: a\nmodel: gpt-4o\n"})
    r = run(*at(refusing.base_url, "sk-wrong-key-0000"), "plan", root, "--format", "json")
    (error,) = document(r, "plan", 1)["errors"]
    assert error["status"] == 401 and error["code"] == "invalid_api_key"
    assert "Incorrect API key provided" in error["message"]
    assert error["message"] in r.err


def test_a_refused_plan_is_the_plan_with_its_problems_and_an_error(
    flags: list[str], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    # Renaming a protected assistant without moved_from would delete it: refused.
    agent = root / "support-agent.yaml"
    agent.write_text(agent.read_text().replace("key: support-agent", "key: support-bot"))
    doc = document(run(*flags, "plan", root, "--format", "json"), "plan", 1)
    assert [p["kind"] for p in doc["problems"]] == ["prevent_destroy"]
    assert doc["summary"]["safe"] is False
    assert doc["errors"][0]["message"].startswith("Refusing this plan")


# ---- drift --------------------------------------------------------------------------------


def test_drift(emulator: EmulatorHandle, flags: list[str], tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    assert document(run(*flags, "drift", root, "--format", "json"), "drift", 0)["in_sync"]
    (tutor,) = [a for a in emulator.assistants() if a["name"] == "Math Tutor"]
    emulator.modify_out_of_band(tutor["id"], temperature=0.9)
    doc = document(run(*flags, "drift", root, "--format", "json"), "drift", 2)
    assert [c["key"] for c in doc["changed"]] == ["math-tutor"]


def test_drift_failure_goes_where_the_report_would(tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"a.yaml": "key: a\nmodel: gpt-4o\n"})
    out = tmp_path / "drift.json"
    no_key = ["--base-url", "https://assistants.invalid/v1"]
    r = run(*no_key, "drift", root, "--format", "json", "--out", out)
    assert (r.code, r.out) == (1, "")
    doc = document(CliResult(1, out.read_text(), ""), "drift", 1)
    assert "No API key" in doc["errors"][0]["message"]


# ---- apply --------------------------------------------------------------------------------


def test_apply_maps_keys_to_ids(emulator: EmulatorHandle, flags: list[str], tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    r = run(*flags, "apply", root, "--auto-approve", "--format", "json")
    doc = document(r, "apply", 0)
    owners = {a["id"]: parse_label(a["metadata"]["assistctl"]) for a in emulator.assistants()}
    live = {owner[1]: id_ for id_, owner in owners.items() if owner is not None}
    assert doc["ids"] == live and len(live) == 8
    assert doc["summary"]["created"] == 8
    assert {res["status"] for res in doc["results"]} == {"succeeded"}
    assert "Plan: 8 to create" in r.err and "Apply complete: 8 created" in r.err, "people: stderr"

    again = document(run(*flags, "apply", root, "--auto-approve", "--format", "json"), "apply", 0)
    assert (again["results"], again["ids"]) == ([], {})


def test_apply_partial_failure(emulator: EmulatorHandle, flags: list[str], tmp_path: Path) -> None:
    root = project_dir(tmp_path, {f"{k}.yaml": f"key: {k}\nmodel: gpt-4o\n" for k in "abc"})
    emulator.set_faults(next_statuses=[400], operations=["create"])
    r = run(*flags, "apply", root, "--auto-approve", "--format", "json", "--parallelism", "1")
    doc = document(r, "apply", 1)
    (failed,) = doc["errors"]
    assert (failed["key"], failed["action"]) == ("a", "create")
    assert "Emulated fault: HTTP 400" in failed["message"]
    assert sorted(doc["ids"]) == ["b", "c"] and doc["summary"]["failed"] == 1
    assert "Apply failed for 1 of 3 changes (a): 2 created" in r.err


def test_apply_with_invalid_manifests(flags: list[str], tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"bad.yaml": BAD})
    doc = document(run(*flags, "apply", root, "--auto-approve", "--format", "json"), "apply", 1)
    assert doc["errors"][0]["line"] == 3


# ---- import, export -----------------------------------------------------------------------


def test_import(emulator: EmulatorHandle, flags: list[str], tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"tutor.yaml": "key: tutor\nmodel: gpt-4o\n"})
    (live,) = emulator.seed_assistants(1, name="Tutor")
    pair = f"tutor={live['id']}"
    # Without a terminal or --auto-approve: refused, the plan is in the document.
    unasked = document(run(*flags, "import", pair, root, "--format", "json"), "import", 1)
    assert [e["status"] for e in unasked["imports"]] == ["not_written"]
    assert "without a terminal" in unasked["errors"][0]["message"]

    r = run(*flags, "import", pair, root, "--format", "json", "--auto-approve")
    assert r.out.startswith("{") and "Import plan for project" in r.err
    (entry,) = document(r, "import", 0)["imports"]
    assert (entry["status"], entry["label"], entry["id"], entry["error"]) == (
        "imported",
        "default/tutor",
        live["id"],
        None,
    )
    assert entry["fields_to_update"] == ["name", "reasoning_effort"], "one apply records it"
    again = document(run(*flags, "import", pair, root, "--format", "json"), "import", 0)
    assert [e["status"] for e in again["imports"]] == ["already_managed"]

    missing = run(*flags, "import", "tutor=asst_nope", root, "--format", "json")
    (error,) = document(missing, "import", 1)["errors"]
    assert (error["key"], error["id"]) == ("tutor", "asst_nope")
    assert "no such assistant" in error["message"]


def test_export(emulator: EmulatorHandle, flags: list[str], tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "src")
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    out = project_dir(tmp_path / "dst") / "assistants"
    r = run(*flags, "--project", "examples", "export", "--out", out, "--format", "json")
    doc = document(r, "export", 0)
    assert len(doc["exported"]) == 8 and all(Path(e["file"]).is_file() for e in doc["exported"])
    assert {e["action"] for e in doc["exported"]} == {"created"}
    emulator.modify_out_of_band(doc["exported"][0]["id"], temperature=0.7)
    again = run(*flags, "--project", "examples", "export", "--out", out, "--format", "json")
    entries = document(again, "export", 0)["exported"]
    assert sorted(e["action"] for e in entries) == ["unchanged"] * 7 + ["updated"]
    (updated,) = [e for e in entries if e["action"] == "updated"]
    assert updated["fields"] == ["temperature"] and updated["id"] == doc["exported"][0]["id"]
    (out / "stray.yaml").write_text("replicas: 3\n", encoding="utf-8")
    (out / "notes.yaml").write_text("# not a manifest\n", encoding="utf-8")
    emulator.seed_assistants(1, name="Notes", metadata={"assistctl": "examples/notes"})
    refused = run(*flags, "--project", "examples", "export", "--out", out, "--format", "json")
    assert "Refusing to overwrite" in document(refused, "export", 1)["errors"][0]["message"]


def test_export_with_skipped_assistants_and_notes(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = project_dir(tmp_path, {"bot.yaml": "key: bot\nmodel: ${model}\n"})
    (root / "assistctl.yaml").write_text("project: p\nvars: {model: gpt-4o}\n", encoding="utf-8")
    emulator.seed_assistants(1, model="gpt-4.1", metadata={"assistctl": "p/bot"})
    (crowded,) = emulator.seed_assistants(1, metadata={f"k{i}": "v" for i in range(16)})
    doc = document(run(*flags, "export", "--all", "--out", root, "--format", "json"), "export", 1)
    assert [s["id"] for s in doc["skipped"]] == [crowded["id"]]
    assert "could not be exported" in doc["errors"][0]["message"]
    (bot,) = doc["exported"]
    assert (bot["key"], bot["action"], bot["fields"]) == ("bot", "updated", ["name"]), bot
    assert any("variable reference" in note for note in doc["notes"])


def test_import_refusing_several_pairs(
    emulator: EmulatorHandle, flags: list[str], tmp_path: Path
) -> None:
    root = project_dir(tmp_path, {"a.yaml": "key: a\nmodel: gpt-4o\n"})
    (theirs,) = emulator.seed_assistants(1, metadata={"assistctl": "other/a"})
    r = run(*flags, "import", f"a={theirs['id']}", "b=asst_1", root, "--format", "json")
    doc = document(r, "import", 1)
    assert [(e["key"], e["id"]) for e in doc["errors"]] == [("b", "asst_1")], "offline first"
    r = run(*flags, "import", f"a={theirs['id']}", root, "--format", "json", "--auto-approve")
    (error,) = document(r, "import", 1)["errors"]
    assert error["id"] == theirs["id"] and "--force" in error["message"]
    assert emulator.requests("modify") == []


# ---- output ----------------------------------------------------------------------------------


def test_output(emulator: EmulatorHandle, flags: list[str], tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    missing = document(run(*flags, "output", root, "--format", "json"), "output", 2)
    assert missing["ids"] == {} and len(missing["missing"]) == 8
    applied = document(run(*flags, "apply", root, "--auto-approve", "--format", "json"), "apply", 0)
    doc = document(run(*flags, "output", root, "--format", "json"), "output", 0)
    assert doc["ids"] == applied["ids"], "output and apply print the same mapping"
    assert (doc["project"], doc["environment"], doc["missing"]) == ("examples", None, [])
    failed = document(run(*flags, "--env", "prod", "output", root, "--format", "json"), "output", 1)
    assert "declares no environments" in failed["errors"][0]["message"]
