"""Positions: every error is reported on the line of the offending value.

Each case marks its bad line with ``#<``. A block collection (a list or mapping written on
the following lines) is reported on the line of its key, where a reader looks for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistctl.config.loader import load

HEAD = "key: k\nmodel: gpt-4o\n"
CASES = {
    "name": HEAD + "name: " + "n" * 257 + "  #<\n",
    "description": HEAD + "description: |  #<\n  " + "d" * 513 + "\n",
    "instructions": HEAD + "instructions: >-  #<\n  " + "i" * 256_001 + "\n",
    "tools count": HEAD + "tools:  #<\n" + "  - {type: code_interpreter}\n" * 129,
    "function name": HEAD
    + "tools:\n  - type: code_interpreter\n  - type: function\n    function:\n"
    + "      description: x\n      name: a.b  #<\n",
    "duplicate function": HEAD
    + "tools:\n  - {type: function, function: {name: f}}\n"
    + "  - {type: function, function: {name: g}}\n"
    + "  - {type: function, function: {name: f}}  #<\n",
    "max_num_results": HEAD
    + "tools:\n  - type: file_search\n    file_search:\n      max_num_results: 51  #<\n",
    "score_threshold": HEAD
    + "tools:\n  - type: file_search\n    file_search:\n      ranking_options:\n"
    + "        score_threshold: -1  #<\n",
    "code interpreter files": HEAD
    + "tool_resources:\n  code_interpreter:\n    file_ids:  #<\n"
    + "".join(f"      - f{i}\n" for i in range(21)),
    "vector stores": HEAD + "tool_resources:\n  file_search:\n    vector_store_ids: [a, b]  #<\n",
    "metadata pairs": HEAD + "metadata:  #<\n" + "".join(f"  k{i}: v\n" for i in range(16)),
    "metadata key": HEAD + "metadata:\n  ok: v\n  " + "k" * 65 + ": v  #<\n",
    "metadata value": HEAD + "metadata:\n  ok: v\n  long: " + "v" * 513 + "  #<\n",
    "temperature": HEAD + "temperature: 2.5  #<\n",
    "top_p": HEAD + "top_p: -0.5  #<\n",
    "response_format": HEAD + "response_format:\n  type: html  #<\n",
    "reasoning_effort": HEAD + "reasoning_effort: extreme  #<\n",
    "ignore_changes": HEAD + "lifecycle:\n  ignore_changes: [model, nope]  #<\n",
    "unknown field": HEAD + "tools:\n  - type: file_search\n    file_serch: {}  #<\n",
    "duplicate yaml key": HEAD + "name: a\nname: b  #<\n",
    "v1 retrieval": HEAD + "tools:\n  - type: code_interpreter\n  - type: retrieval  #<\n",
    "second document": HEAD + "---\nkey: k2\nmodel: m\n\n\ntemperature: 9  #<\n",
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_error_is_on_the_line_of_the_bad_value(case: str, tmp_path: Path) -> None:
    text = CASES[case]
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if "#<" in line)
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    errors = load([path]).errors
    assert [d.line for d in errors] == [expected_line], errors


def test_columns_point_at_the_value(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + "metadata: {team: 5}\ntemperature:     7\n", encoding="utf-8")
    got = {d.path: (d.line, d.col) for d in load([path]).errors}
    assert got == {"metadata.team": (3, 18), "temperature": (4, 18)}


def test_unknown_field_points_at_its_key(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + "lifecycle:\n    prevent_destroy: true\n    ignore: []\n")
    [error] = load([path]).errors
    assert (error.line, error.col, error.path) == (5, 5, "lifecycle.ignore")
    assert "did you mean 'ignore_changes'?" in error.message


def test_missing_field_points_at_the_parent(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        HEAD + "tools:\n  - type: function\n    function:\n      strict: true\n",
        encoding="utf-8",
    )
    [error] = load([path]).errors
    assert (error.line, error.path) == (5, "tools.0.function.name")
    assert error.message == "required field 'name' is missing"
