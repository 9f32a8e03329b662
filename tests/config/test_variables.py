"""``${name}`` substitution, as data: types kept, text inside text, errors as sentences."""

from __future__ import annotations

from typing import Any

import pytest

from assistctl.config.variables import (
    has_references,
    merged,
    substitute,
    text_problem,
    whole_references,
)

VARS: dict[str, Any] = {
    "model": "gpt-4o",
    "temperature": 0.3,
    "count": 3,
    "strict": True,
    "off": False,
    "nothing": None,
    "stores": ["vs_1", "vs_2"],
    "meta": {"team": "edu"},
}


def test_a_whole_value_keeps_its_type() -> None:
    data = {
        "model": "${model}",
        "temperature": "${temperature}",
        "tools": [{"type": "file_search", "file_search": {"max_num_results": "${count}"}}],
        "tool_resources": {"file_search": {"vector_store_ids": "${stores}"}},
        "metadata": "${meta}",
        "top_p": "${nothing}",
    }
    result = substitute(data, VARS)
    assert result.problems == []
    assert result.data == {
        "model": "gpt-4o",
        "temperature": 0.3,
        "tools": [{"type": "file_search", "file_search": {"max_num_results": 3}}],
        "tool_resources": {"file_search": {"vector_store_ids": ["vs_1", "vs_2"]}},
        "metadata": {"team": "edu"},
        "top_p": None,
    }
    assert ("tools", 0, "file_search", "max_num_results") in result.used
    assert data["model"] == "${model}", "the document's own data is left as it was"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About ${model} at ${temperature}", "About gpt-4o at 0.3"),
        ("${count} tools, strict ${strict}, ${off}", "3 tools, strict true, false"),
        ("a literal $${model} stays", "a literal ${model} stays"),
        ("$${", "${"),
        ("no marker $ or {}", "no marker $ or {}"),
        ("${model}${model}", "gpt-4ogpt-4o"),
        (" ${count}", " 3"),
    ],
)
def test_inside_text_the_value_is_written_as_text(text: str, expected: str) -> None:
    result = substitute({"instructions": text}, VARS)
    assert result.problems == []
    assert result.data == {"instructions": expected}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("${modle}", "variable 'modle' is not defined: declare it under vars:"),
        ("x ${modle} y", "did you mean 'model'?"),
        ("${ model }", "'${ model }' is not a variable reference: use ${name}"),
        ("${model:-x}", "no expressions, defaults or spaces"),
        ("${a.b}", "'${a.b}' is not a variable reference"),
        ("cost ${", "'${' is not closed; write ${name}, or write $${ for a literal ${"),
        ("${}", "'${}' is not a variable reference"),
        ("tools: ${stores}", "variable 'stores' is a list: it can only be used as a whole value"),
        ("x ${meta}", "variable 'meta' is a mapping"),
        ("x ${nothing}", "variable 'nothing' is empty (null)"),
    ],
)
def test_bad_references_are_sentences_at_their_path(value: str, fragment: str) -> None:
    result = substitute({"metadata": {"note": value}}, VARS)
    [(path, message)] = result.problems
    assert path == ("metadata", "note")
    assert fragment in message
    assert result.failed == {"metadata.note"}
    assert result.touches("metadata.note") and not result.touches("metadata")


def test_identity_fields_and_mapping_keys_take_no_variables() -> None:
    result = substitute(
        {"key": "${model}", "moved_from": "x${count}", "environments": ["${x}"], "m": {"${k}": 1}},
        VARS,
    )
    messages = dict(result.problems)
    assert messages[("key",)].startswith("'key' cannot use variables: it names the assistant")
    assert ("moved_from",) in messages and ("environments",) in messages
    assert messages[("m", "${k}")] == "variables are substituted in values, not in mapping keys"
    assert result.data["key"] == "${model}"


def test_references_found_without_substituting() -> None:
    assert not has_references({"a": ["x", 1, {"b": "$ {c}"}]})
    assert has_references({"a": ["x", {"b": "$${c}"}]})
    assert has_references({"${a}": 1})
    assert whole_references({"a": "${x}", "b": ["${y}", "z ${w}"]}) == [("a",), ("b", 0)]


def test_variables_are_merged_and_their_text_is_literal() -> None:
    merged_vars = merged({"a": 1, "b": "x $${y}", "c": ["$${z}"]}, {"a": 2})
    assert merged_vars == {"a": 2, "b": "x ${y}", "c": ["${z}"]}
    # A value that came from a variable is never substituted again.
    assert substitute({"instructions": "${b}"}, merged_vars).data == {"instructions": "x ${y}"}


def test_text_problem_finds_any_reference() -> None:
    assert text_problem("plain $${x}") is None
    assert text_problem("see ${x}") == "'${x}' refers to a variable"
    assert "is not closed" in str(text_problem("oops ${"))
