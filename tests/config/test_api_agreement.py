"""validate, the JSON Schema and the emulator agree on what the API refuses.

Each keeps its own rule on purpose (the emulator's tables are independent, so that it can
catch the others being wrong): these cases show the three give one answer, for the shapes
where a manifest that passes validate used to fail at apply (issue 14, case 3).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assistctl.config.loader import load
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.validation import RequestError
from assistctl.labels import OWNER_KEY

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "assistant.schema.json").read_text()
)

TOOL_RESOURCES: list[tuple[Any, bool]] = [
    ({}, True),
    ({"code_interpreter": {}}, True),
    ({"code_interpreter": {"file_ids": []}}, True),
    ({"code_interpreter": {"file_ids": [f"file-{i}" for i in range(21)]}}, False),
    ({"file_search": {}}, False),
    ({"file_search": {"vector_store_ids": []}}, True),
    ({"file_search": {"vector_store_ids": ["vs_1"]}}, True),
    ({"file_search": {"vector_store_ids": ["vs_1", "vs_2"]}}, False),
    ({"code_interpreter": {}, "file_search": {}}, False),
]
MODELS: list[tuple[str, bool]] = [
    ("gpt-4o", True),
    ("", False),
    (" ", False),
    ("\t \n", False),
    (" gpt-4o", True),  # not blank: whether the host knows it is plan's question
]


def _validate(tmp_path: Path, fields: dict[str, Any]) -> bool:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(json.dumps({"key": "k", **fields}), encoding="utf-8")  # JSON is YAML
    return load([manifest]).ok


def _schema(fields: dict[str, Any]) -> bool:
    return jsonschema.Draft202012Validator(SCHEMA).is_valid({"key": "k", **fields})


def _emulator(fields: dict[str, Any]) -> bool:
    body = {**fields, "metadata": {OWNER_KEY: "p/k"}}
    try:
        EmulatorApp().create_assistant(body)
    except RequestError as err:
        assert err.status == 400
        return False
    return True


@pytest.mark.parametrize(("resources", "accepted"), TOOL_RESOURCES, ids=json.dumps)
def test_tool_resources_shapes(tmp_path: Path, resources: Any, accepted: bool) -> None:
    fields = {"model": "gpt-4o", "tool_resources": resources}
    answers = {
        "validate": _validate(tmp_path, fields),
        "schema": _schema(fields),
        "emulator": _emulator(fields),
    }
    assert answers == dict.fromkeys(answers, accepted)


@pytest.mark.parametrize(("model", "accepted"), MODELS, ids=repr)
def test_blank_models(tmp_path: Path, model: str, accepted: bool) -> None:
    fields = {"model": model}
    answers = {
        "validate": _validate(tmp_path, fields),
        "schema": _schema(fields),
        "emulator": _emulator(fields),
    }
    assert answers == dict.fromkeys(answers, accepted)
