"""The manifest JSON Schema: generated, committed, current, described, and agreeing with the model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from assistctl.cli.commands.schema import render
from assistctl.cli.main import cli
from assistctl.config.manifest import manifest_json_schema
from clihelpers import cli_runner

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schemas" / "assistant.schema.json"
EXAMPLES = ROOT / "examples" / "assistants"


def test_schema_command_prints_the_generated_schema() -> None:
    result = cli_runner().invoke(cli, ["schema"], standalone_mode=False)
    assert result.exception is None and result.return_value == 0
    assert json.loads(result.stdout) == manifest_json_schema()
    assert result.stdout == render() and result.stdout.endswith("}\n")


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "schemas/assistant.schema.json is stale: run "
        "'assistctl schema > schemas/assistant.schema.json' and commit it"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(manifest_json_schema())


def _properties(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            yield f"{where}/properties/{name}", prop
        for key, value in node.items():
            if key != "examples":  # example values (JSON Schemas among them) are not schema
                yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}/{i}")


def test_every_property_has_a_description() -> None:
    props = list(_properties(manifest_json_schema()))
    assert len(props) > 30
    missing = [where for where, prop in props if not prop.get("description")]
    assert missing == []


def _example_documents() -> Iterator[tuple[str, Any]]:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        if path.name == "assistctl.yaml":
            continue
        for i, doc in enumerate(yaml.safe_load_all(path.read_text(encoding="utf-8"))):
            yield f"{path.name}#{i}", doc


@pytest.mark.parametrize(("name", "doc"), list(_example_documents()))
def test_examples_match_the_json_schema(name: str, doc: Any) -> None:
    # Editors validate with the schema, the CLI with the model: they must agree.
    errors = list(Draft202012Validator(manifest_json_schema()).iter_errors(doc))
    assert errors == [], name


@pytest.mark.parametrize(
    "doc",
    [
        {"key": "k"},
        {"key": "k", "model": "m", "colour": "red"},
        {"key": "k", "model": "m", "temperature": 2.5},
        {"key": "k", "model": "m", "tools": [{"type": "web"}]},
        {"key": "k", "model": "m", "tools": [{"type": "function", "function": {"name": "a b"}}]},
        {"key": "k", "model": "m", "response_format": "json"},
        {"key": "a/b", "model": "m"},
    ],
)
def test_schema_rejects_what_the_model_rejects(doc: Any) -> None:
    assert list(Draft202012Validator(manifest_json_schema()).iter_errors(doc))


def test_examples_carry_the_schema_modeline() -> None:
    for path in EXAMPLES.glob("*.yaml"):
        if path.name != "assistctl.yaml":
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == "# yaml-language-server: $schema=../../schemas/assistant.schema.json"
