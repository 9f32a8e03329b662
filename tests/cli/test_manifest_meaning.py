"""Manifests mean exactly what they say, end to end against the emulator (issue 14).

The emulator's stored objects are the strict server's state: what a manifest asks for must be
there byte for byte after apply (free-form JSON read as YAML 1.2 reads it), a write-only field
must follow the manifest though the API never returns it, and the plan right after is empty.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import label_of
from clihelpers import at, project_dir, run

# Function parameters and a response schema full of what YAML 1.1 reads otherwise, quoted
# (or written the one way both versions agree on), as the refusals ask.
YAML_CASES = """\
key: words
model: gpt-4o
tools:
  - type: function
    function:
      name: set_light
      parameters:
        type: object
        properties:
          "on": {type: boolean, default: true}
          mode: {type: string, enum: ["yes", "no", "off", "y", "n", "="]}
          "null": {type: string, examples: ["1:30", "012", "2024-05-01", "1e3", "0o17"]}
          level: {type: number, minimum: -0.5, maximum: 1.0e+3, multipleOf: 0.5}
          code: {type: integer, enum: [0, -7, +12, 0x1F]}
          nothing: {default: ~, const: null}
          "~": {type: string}
        required: ["on"]
response_format:
  type: json_schema
  json_schema:
    name: answer
    strict: true
    schema:
      type: object
      properties:
        "off": {type: boolean}
        "1": {enum: ["true", "false", "True"]}
      required: ["off", "1"]
"""

# What a JSON (or YAML 1.2) reader makes of the manifest above: the emulator must hold this.
EXPECTED_PARAMETERS = {
    "type": "object",
    "properties": {
        "on": {"type": "boolean", "default": True},
        "mode": {"type": "string", "enum": ["yes", "no", "off", "y", "n", "="]},
        "null": {"type": "string", "examples": ["1:30", "012", "2024-05-01", "1e3", "0o17"]},
        "level": {"type": "number", "minimum": -0.5, "maximum": 1000.0, "multipleOf": 0.5},
        "code": {"type": "integer", "enum": [0, -7, 12, 31]},
        "nothing": {"default": None, "const": None},
        "~": {"type": "string"},
    },
    "required": ["on"],
}
EXPECTED_SCHEMA = {
    "type": "object",
    "properties": {
        "off": {"type": "boolean"},
        "1": {"enum": ["true", "false", "True"]},
    },
    "required": ["off", "1"],
}


def _bytes(value: Any) -> str:
    """A JSON value's exact text: key order and number spelling included."""
    return json.dumps(value, ensure_ascii=False)


def _only(emulator: EmulatorHandle) -> dict[str, Any]:
    (obj,) = emulator.assistants()
    return obj


def test_yaml_cases_reach_the_server_byte_for_byte(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    root = project_dir(tmp_path / "p", {"words.yaml": YAML_CASES})
    flags = at(emulator.base_url, emulator.api_key)
    assert run("validate", root).code == 0
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 0, r.text
    live = _only(emulator)
    (tool,) = live["tools"]
    assert _bytes(tool["function"]["parameters"]) == _bytes(EXPECTED_PARAMETERS)
    schema = live["response_format"]["json_schema"]["schema"]
    assert _bytes(schema) == _bytes(EXPECTED_SCHEMA)
    r = run(*flags, "plan", "--detailed-exitcode", root)
    assert r.code == 0 and "No changes." in r.out, r.text


def test_the_refused_spellings_never_reach_the_server(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    unquoted = YAML_CASES.replace('"on": {type', "on: {type").replace('["yes", "no"', "[yes, no")
    root = project_dir(tmp_path / "p", {"words.yaml": unquoted})
    r = run(*at(emulator.base_url, emulator.api_key), "apply", "--auto-approve", root)
    assert r.code == 1
    assert "words.yaml:10:11: tools.0.function.parameters.properties.on: on is true" in r.err
    assert "words.yaml:11:39: tools.0.function.parameters.properties.mode.enum.0: yes" in r.err
    assert emulator.assistants() == []


def _write_only_flow(tmp_path: Path, emulator: EmulatorHandle, effort: str | None) -> str:
    manifest = "key: thinker\nmodel: o3-mini\n"
    if effort is not None:
        manifest += f"reasoning_effort: {effort}\n"
    root = project_dir(tmp_path / "p", {"thinker.yaml": manifest})
    flags = at(emulator.base_url, emulator.api_key)
    plan = run(*flags, "plan", root)
    assert plan.code == 0, plan.text
    applied = run(*flags, "apply", "--auto-approve", root)
    assert applied.code == 0, applied.text
    again = run(*flags, "plan", "--detailed-exitcode", root)
    assert again.code == 0, again.text  # the plan right after apply is empty
    return plan.out


def test_write_only_field_follows_the_manifest(tmp_path: Path, emulator: EmulatorHandle) -> None:
    """Issue 14, case 2: high -> low plans an update that sends it; removing it resets it."""
    _write_only_flow(tmp_path, emulator, "high")
    ident = _only(emulator)["id"]
    assert emulator.extra(ident) == {"reasoning_effort": "high"}
    assert "reasoning_effort" not in _only(emulator)  # the API never returns it

    out = _write_only_flow(tmp_path, emulator, "low")
    assert '~ reasoning_effort = (write-only) changed -> "low"' in out
    assert "Plan: 0 to create, 1 to update, 0 to delete." in out
    assert emulator.extra(ident) == {"reasoning_effort": "low"}

    out = _write_only_flow(tmp_path, emulator, None)
    assert "~ reasoning_effort = (write-only) changed -> null" in out
    assert emulator.extra(ident).get("reasoning_effort") is None  # null: the default
    assert [a["id"] for a in emulator.assistants()] == [ident]  # updated in place


def test_missing_fingerprint_gets_one_update(tmp_path: Path, emulator: EmulatorHandle) -> None:
    """An assistant labelled by an older version (no fingerprint) is updated once, shown as
    such, and then left alone."""
    (seeded,) = emulator.seed_assistants(
        1, model="o3-mini", reasoning_effort="high", metadata={"assistctl": "default/thinker"}
    )
    out = _write_only_flow(tmp_path, emulator, "low")
    assert '~ reasoning_effort = (write-only) not recorded yet -> "low"' in out
    assert emulator.extra(seeded["id"]) == {"reasoning_effort": "low"}
    label = label_of(_only(emulator))
    assert label is not None and label.write_only is not None
