"""Every documented limit at its boundary: the last valid value passes, the first invalid fails."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from assistctl.config import manifest as m
from assistctl.config.manifest import Manifest


def _ok(**fields: Any) -> Manifest:
    return Manifest.model_validate({"key": "k", "model": "gpt-4o", **fields})


def _fails(**fields: Any) -> list[tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as info:
        _ok(**fields)
    return [tuple(e["loc"]) for e in info.value.errors()]


def _function(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


def _file_search(**options: Any) -> dict[str, Any]:
    return {"tools": [{"type": "file_search", "file_search": options}]}


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("name", m.MAX_NAME),
        ("description", m.MAX_DESCRIPTION),
        ("instructions", m.MAX_INSTRUCTIONS),
    ],
)
def test_text_lengths(field: str, limit: int) -> None:
    assert (limit, field) in [(256, "name"), (512, "description"), (256_000, "instructions")]
    _ok(**{field: "x" * limit})
    assert _fails(**{field: "x" * (limit + 1)}) == [(field,)]


def test_tool_count() -> None:
    _ok(tools=[_function(f"f{i}") for i in range(128)])
    assert _fails(tools=[_function(f"f{i}") for i in range(129)]) == [("tools",)]


@pytest.mark.parametrize("name", ["a", "A-z_0-9", "f" * 64, "get_weather", "x-1"])
def test_function_name_valid(name: str) -> None:
    _ok(tools=[_function(name)])


@pytest.mark.parametrize("name", ["", "f" * 65, "get weather", "get.weather", "naïve", "a/b"])
def test_function_name_invalid(name: str) -> None:
    assert _fails(tools=[_function(name)]) == [("tools", 0, "function", "function", "name")]


def test_function_names_unique_within_an_assistant() -> None:
    _ok(tools=[_function("a"), _function("b")])
    duplicate = [_function("a"), _function("b"), _function("a")]
    assert _fails(tools=duplicate) == [("tools", 2, "function", "name")]


def test_max_num_results_bounds() -> None:
    _ok(**_file_search(max_num_results=1))
    _ok(**_file_search(max_num_results=50))
    for bad in (0, 51):
        loc = ("tools", 0, "file_search", "file_search", "max_num_results")
        assert _fails(**_file_search(max_num_results=bad)) == [loc]


def test_score_threshold_bounds() -> None:
    for good in (0, 0.0, 0.5, 1, 1.0):
        _ok(**_file_search(ranking_options={"score_threshold": good}))
    for bad in (math.nextafter(0.0, -1.0), math.nextafter(1.0, 2.0), float("nan")):
        assert _fails(**_file_search(ranking_options={"score_threshold": bad}))


def test_ranker_values() -> None:
    for ranker in ("auto", "default_2024_08_21"):
        _ok(**_file_search(ranking_options={"ranker": ranker, "score_threshold": 0.5}))
    assert _fails(**_file_search(ranking_options={"ranker": "best", "score_threshold": 0.5}))


def test_code_interpreter_files() -> None:
    ids = [f"file-{i}" for i in range(21)]
    _ok(tool_resources={"code_interpreter": {"file_ids": ids[:20]}})
    assert _fails(tool_resources={"code_interpreter": {"file_ids": ids}}) == [
        ("tool_resources", "code_interpreter", "file_ids")
    ]


def test_vector_stores() -> None:
    _ok(tool_resources={"file_search": {"vector_store_ids": ["vs_1"]}})
    assert _fails(tool_resources={"file_search": {"vector_store_ids": ["vs_1", "vs_2"]}}) == [
        ("tool_resources", "file_search", "vector_store_ids")
    ]


def test_metadata_pairs_count_the_ownership_label() -> None:
    _ok(metadata={f"k{i}": "v" for i in range(15)})
    assert _fails(metadata={f"k{i}": "v" for i in range(16)}) == [("metadata",)]


def test_metadata_key_and_value_lengths() -> None:
    _ok(metadata={"k" * 64: "v" * 512})
    assert _fails(metadata={"k" * 65: "v"}) == [("metadata", "k" * 65, "[key]")]
    assert _fails(metadata={"k": "v" * 513}) == [("metadata", "k")]


def test_metadata_values_are_strings() -> None:
    assert _fails(metadata={"n": 1}) == [("metadata", "n")]
    assert _fails(metadata={"b": True}) == [("metadata", "b")]


def test_metadata_may_not_set_the_ownership_label() -> None:
    assert _fails(metadata={"assistctl": "p/k"}) == [("metadata", "assistctl", "[key]")]


@pytest.mark.parametrize(("field", "high"), [("temperature", 2.0), ("top_p", 1.0)])
def test_sampling_bounds(field: str, high: float) -> None:
    for good in (0, 0.0, high, int(high)):
        _ok(**{field: good})
    for bad in (math.nextafter(0.0, -1.0), math.nextafter(high, 3.0), math.inf, math.nan):
        assert _fails(**{field: bad}) == [(field,)]


@pytest.mark.parametrize("field", ["temperature", "top_p"])
def test_sampling_values_are_numbers_not_text_or_booleans(field: str) -> None:
    assert _fails(**{field: "0.5"}) == [(field,)]
    assert _fails(**{field: True}) == [(field,)]


@pytest.mark.parametrize(
    "value",
    [
        "auto",
        {"type": "text"},
        {"type": "json_object"},
        {"type": "json_schema", "json_schema": {"name": "out"}},
        {
            "type": "json_schema",
            "json_schema": {"name": "o" * 64, "schema": {"type": "object"}, "strict": True},
        },
    ],
)
def test_response_format_forms(value: Any) -> None:
    assert _ok(response_format=value).api_body()["response_format"] == value


@pytest.mark.parametrize(
    "value",
    [
        "json",
        "text",
        {"type": "xml"},
        {},
        {"type": "json_schema"},
        {"type": "json_schema", "json_schema": {"name": "o" * 65}},
        {"type": "text", "extra": 1},
        3,
    ],
)
def test_response_format_invalid(value: Any) -> None:
    assert len(_fails(response_format=value)) == 1  # one mistake, one error


@pytest.mark.parametrize("value", m.REASONING_EFFORTS)
def test_reasoning_effort_values(value: str) -> None:
    _ok(reasoning_effort=value)


def test_reasoning_effort_unknown() -> None:
    assert _fails(reasoning_effort="extreme") == [("reasoning_effort",)]


def test_key_shape() -> None:
    for key in ("a", "A.b_c-9", "k" * 128):
        _ok(key=key)
    for key in ("", "k" * 129, "-lead", ".lead", "a/b", "with space"):
        assert _fails(key=key) == [("key",)]


def test_model_required_and_not_empty() -> None:
    assert _fails(model="") == [("model",)]
    with pytest.raises(ValidationError):
        Manifest.model_validate({"key": "k"})


def test_instructions_and_instructions_file_are_exclusive() -> None:
    _ok(instructions_file="prompts/a.md")
    assert _fails(instructions="x", instructions_file="a.md") == [("instructions_file",)]


def test_lifecycle() -> None:
    ok = _ok(lifecycle={"prevent_destroy": True, "ignore_changes": list(m.API_FIELDS)})
    assert ok.prevent_destroy and ok.ignore_changes == m.API_FIELDS
    assert _fails(lifecycle={"ignore_changes": ["key"]}) == [("lifecycle", "ignore_changes", 0)]
    assert _fails(lifecycle={"prevent_destroy": "yes"}) == [("lifecycle", "prevent_destroy")]
    assert not _ok().prevent_destroy and _ok().ignore_changes == ()


def test_v1_file_ids_limit() -> None:
    _ok(file_ids=[f"f{i}" for i in range(20)])
    assert _fails(file_ids=[f"f{i}" for i in range(21)]) == [("file_ids",)]


def test_unknown_fields_are_errors_at_every_level() -> None:
    assert _fails(colour="red") == [("colour",)]
    assert _fails(tools=[{"type": "code_interpreter", "x": 1}]) == [
        ("tools", 0, "code_interpreter", "x")
    ]


def test_api_body_keeps_only_set_api_fields() -> None:
    manifest = _ok(
        instructions_file="p.md",
        lifecycle={"prevent_destroy": True},
        moved_from="old",
        temperature=1,
        response_format={"type": "json_schema", "json_schema": {"name": "n", "schema": {}}},
    )
    assert manifest.api_body() == {
        "model": "gpt-4o",
        "temperature": 1.0,
        "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": {}}},
    }
