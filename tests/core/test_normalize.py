"""The canonical form: rules one by one, idempotence, and no heavy imports."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from assistctl.config.manifest import Manifest
from assistctl.core.normalize import (
    FIELDS_V1,
    FIELDS_V2,
    canonical,
    desired_label,
    fingerprint,
    normalize_desired,
    normalize_live,
)

SERVER_DEFAULTS: dict[str, Any] = {
    "id": "asst_1",
    "object": "assistant",
    "created_at": 1,
    "name": None,
    "description": None,
    "model": "gpt-4o",
    "instructions": None,
    "tools": [],
    "top_p": 1.0,
    "temperature": 1.0,
    "tool_resources": {},
    "metadata": {"assistctl": desired_label(Manifest(key="a", model="gpt-4o"), "demo")},
    "response_format": "auto",
}


def test_unset_manifest_equals_server_defaults() -> None:
    desired = normalize_desired(Manifest.model_validate({"key": "a", "model": "gpt-4o"}), "demo")
    assert desired == normalize_live(SERVER_DEFAULTS)
    assert list(desired) == [f for f in FIELDS_V2 if f != "reasoning_effort"]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("name", [None, "", "__missing__"]),
        ("description", [None, "", "__missing__"]),
        ("instructions", [None, "", "__missing__"]),
        ("temperature", [None, 1, 1.0, "__missing__"]),
        ("top_p", [None, 1, 1.0, 0.99999999, "__missing__"]),
        ("response_format", [None, "auto", "__missing__"]),
        ("tools", [None, [], "__missing__"]),
        (
            "tool_resources",
            [
                None,
                {},
                {"code_interpreter": {"file_ids": []}},
                {"code_interpreter": None, "file_search": {"vector_store_ids": []}},
                "__missing__",
            ],
        ),
        ("metadata", [None, {}, "__missing__"]),
    ],
)
def test_equivalent_spellings(field: str, values: list[Any]) -> None:
    forms = []
    for value in values:
        obj = {k: v for k, v in SERVER_DEFAULTS.items() if k != field}
        if value != "__missing__":
            obj[field] = value
        forms.append(canonical(obj)[field])
    assert all(f == forms[0] for f in forms), forms


@pytest.mark.parametrize(
    "tool",
    [
        {"type": "file_search"},
        {"type": "file_search", "file_search": {}},
        {"type": "file_search", "file_search": None},
        {"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 0}}},
        {
            "type": "file_search",
            "file_search": {"ranking_options": {"ranker": "auto", "score_threshold": 0.0}},
        },
        {
            "type": "file_search",
            "file_search": {
                "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0}
            },
        },
    ],
)
def test_file_search_defaults(tool: dict[str, Any]) -> None:
    assert canonical({"tools": [tool]})["tools"] == [{"type": "file_search"}]


@pytest.mark.parametrize(
    "fn",
    [
        {"name": "f"},
        {"name": "f", "strict": False, "description": None},
        {"name": "f", "strict": None, "description": "", "parameters": None},
        {"name": "f", "parameters": {}},
        {"name": "f", "parameters": {"type": "object", "properties": {}}},
        {"name": "f", "parameters": {"properties": {}, "type": "object", "required": []}},
    ],
)
def test_function_defaults(fn: dict[str, Any]) -> None:
    tools = canonical({"tools": [{"type": "function", "function": fn}]})["tools"]
    assert tools == [{"type": "function", "function": {"name": "f"}}]


def test_schemas_compare_by_value() -> None:
    a = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}
    b = {"properties": {"n": {"minimum": 1.0, "type": "integer"}}, "type": "object"}
    fa = canonical({"tools": [{"type": "function", "function": {"name": "f", "parameters": a}}]})
    fb = canonical({"tools": [{"type": "function", "function": {"name": "f", "parameters": b}}]})
    assert fa == fb and fingerprint(fa) == fingerprint(fb)


def test_booleans_in_schemas_are_not_numbers() -> None:
    a = canonical(
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"const": True}},
            }
        }
    )
    b = canonical(
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"const": 1}},
            }
        }
    )
    assert fingerprint(a) != fingerprint(b)


def test_unknown_fields_are_not_compared() -> None:
    noisy = {**SERVER_DEFAULTS, "future": {"x": 1}, "tools": [{"type": "code_interpreter", "x": 1}]}
    plain = {**SERVER_DEFAULTS, "tools": [{"type": "code_interpreter"}]}
    assert canonical(noisy) == canonical(plain)


def test_reasoning_effort_present_only_when_carried() -> None:
    assert "reasoning_effort" not in canonical(SERVER_DEFAULTS)
    assert canonical({**SERVER_DEFAULTS, "reasoning_effort": None})["reasoning_effort"] is None


def test_v1_fields() -> None:
    out = canonical({"file_ids": ["b", "a"], "tools": [{"type": "retrieval"}]}, api_version="v1")
    assert list(out) == list(FIELDS_V1)
    assert out["file_ids"] == ["a", "b"] and out["tools"] == [{"type": "retrieval"}]


def test_canonical_is_idempotent() -> None:
    rich = {
        **SERVER_DEFAULTS,
        "name": "",
        "temperature": 0.699999988,
        "tools": [
            {
                "type": "function",
                "function": {"name": "f", "strict": True, "parameters": {"b": 1.0, "a": [2.0]}},
            },
            {
                "type": "file_search",
                "file_search": {
                    "max_num_results": 3,
                    "ranking_options": {"ranker": "auto", "score_threshold": 0.25},
                },
            },
        ],
        "tool_resources": {"code_interpreter": {"file_ids": ["z", "y"]}},
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "n", "strict": False, "schema": {"type": "object"}},
        },
        "reasoning_effort": "low",
    }
    once = canonical(rich)
    assert canonical(once) == once
    assert once["temperature"] == 0.7


def test_importing_renderers_stays_light() -> None:
    code = (
        "import sys, assistctl.core.normalize, assistctl.output.render; "
        "print(sorted(m for m in ('deepdiff', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
