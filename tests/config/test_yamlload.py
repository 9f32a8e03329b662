"""YAML loading with positions: documents, duplicate keys, hostile input, error locations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistctl.config import yamlload
from assistctl.config.positions import Position
from assistctl.config.yamlload import load_file, parse


@pytest.fixture(params=["libyaml composer", "python composer"], autouse=True)
def composer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test with both composers: big files take the Python one (see yamlload)."""
    if request.param == "python composer":
        monkeypatch.setattr(yamlload, "_SAFE_C_DEPTH", -1)
        monkeypatch.setattr(yamlload, "_C_BOUNDS_NESTING", False)


def test_documents_keep_values_and_file_line_numbers() -> None:
    text = "# comment\nkey: a\nmodel: m\n---\nkey: b\nmodel: mm\n---\n"
    result = parse(text, "f.yaml")
    assert result.diagnostics == []
    assert [d.data for d in result.documents] == [
        {"key": "a", "model": "m"},
        {"key": "b", "model": "mm"},
    ]
    assert [d.position.line for d in result.documents] == [2, 5]
    assert [d.index for d in result.documents] == [1, 2]


def test_scalars_are_resolved_like_pyyaml() -> None:
    data = parse("a: 1\nb: 1.5\nc: true\nd: ~\ne: '1'\nf: 0x10\n", "f").documents[0].data
    assert data == {"a": 1, "b": 1.5, "c": True, "d": None, "e": "1", "f": 16}


def test_duplicate_key_is_reported_at_the_second_occurrence() -> None:
    result = parse("key: a\nmodel: m\nname: x\nmodel: mm\n", "f.yaml")
    [diag] = result.diagnostics
    assert (diag.line, diag.col, diag.path) == (4, 1, "model")
    assert "duplicate key 'model' (first defined on line 2)" in diag.message
    assert result.documents[0].data["model"] == "m"  # the first one is kept


def test_duplicate_key_in_flow_mapping_and_nested() -> None:
    result = parse("a:\n  b: {x: 1, z: 2, x: 3}\n", "f")
    [diag] = result.diagnostics
    assert (diag.line, diag.col, diag.path) == (2, 19, "a.b.x")


def test_merge_keys_are_not_duplicates_and_explicit_keys_win() -> None:
    text = "base: &b {model: m, temperature: 1}\nuse:\n  <<: *b\n  temperature: 0.5\n"
    result = parse(text, "f")
    assert result.diagnostics == []
    assert result.documents[0].data["use"] == {"model": "m", "temperature": 0.5}


def test_merge_of_a_scalar_is_reported() -> None:
    result = parse("a:\n  <<: 3\n  b: 1\n", "f")
    assert "merges only mappings" in result.diagnostics[0].message


def test_recursive_alias_is_an_error_not_a_hang() -> None:
    result = parse("a: &x [1, *x]\n", "f")
    assert result.documents == []
    assert "alias refers to the value that contains it" in result.diagnostics[0].message


def test_alias_bomb_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlload, "MAX_VALUES", 10_000)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    result = parse("\n".join(lines) + "\n", "f")
    assert result.documents == []
    assert "more than 10,000 values" in result.diagnostics[0].message


@pytest.mark.parametrize("depth", [100, 3000, 100_000])
def test_deep_nesting_never_crashes(depth: int) -> None:
    # libyaml before 0.2.6 overflows the C stack on deep nesting (a segfault, not an
    # exception): deep input must take the Python composer and fail cleanly. libyaml 0.2.6
    # stops at 1,000 levels with its own words; either way the project's words are shown.
    result = parse("a: " + "[" * depth + "]" * depth + "\n", "f")
    if result.diagnostics:
        [diag] = result.diagnostics
        assert diag.message == yamlload.TOO_DEEP
    else:
        assert result.documents


@pytest.mark.parametrize(
    "text", ["a: " + "[" * 3000, "".join(" " * i + "k:\n" for i in range(3000))]
)
def test_too_deep_is_one_diagnostic_in_the_projects_words(text: str) -> None:
    [diag] = parse(text, "f").diagnostics
    assert diag.message == yamlload.TOO_DEEP
    if yamlload._C_BOUNDS_NESTING:  # libyaml says where it stopped
        assert diag.line >= 1


def test_deep_block_nesting_within_libyamls_bound_is_located() -> None:
    # Shallower than libyaml's bound but deeper than Python's recursion limit allows to
    # build: the document's own position, not the whole file.
    [diag] = parse("x: 1\n---\n" + "".join(" " * i + "k:\n" for i in range(900)), "f").diagnostics
    assert diag.message == yamlload.TOO_DEEP
    if yamlload._C_BOUNDS_NESTING:  # the Python composer itself runs out first otherwise
        assert (diag.line, diag.col) == (3, 1)


def test_tab_indentation_names_the_tab() -> None:
    [diag] = parse("key: a\nmetadata:\n\tteam: x\n", "f").diagnostics
    assert (diag.line, diag.col) == (3, 1)
    assert "does not allow tabs for indentation" in diag.message


def test_syntax_error_position() -> None:
    [diag] = parse("key: a\nmodel: [x\nname: y\n", "f").diagnostics
    assert diag.message.startswith("invalid YAML:")
    assert diag.line == 3


def test_control_character_is_reported_with_its_line() -> None:
    [diag] = parse("key: a\nname: b\x07\n", "f").diagnostics
    assert "control character #x0007" in diag.message
    assert diag.line == 2


def test_unknown_tag_is_reported() -> None:
    [diag] = parse("key: !Ref other\n", "f").diagnostics
    assert diag.line == 1 and "unsupported YAML tag !Ref" in diag.message


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# only a comment\n", "---\n", "---\n# c\n---\n"], ids=repr
)
def test_empty_files_have_no_documents(text: str) -> None:
    result = parse(text, "f")
    assert result.documents == [] and result.diagnostics == [] and result.empty


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfkey: a\nmodel: m\n")
    result = load_file(path, "bom.yaml")
    assert result.documents[0].data == {"key": "a", "model": "m"}


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    [diag] = load_file(path, "image.yaml").diagnostics
    assert diag.line == 0 and "binary file" in diag.message


def test_non_utf8_file_names_the_byte_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("key: a\nname: Caf\u00e9\n".encode("latin-1"))
    [diag] = load_file(path, "latin1.yaml").diagnostics
    assert (diag.line, diag.col) == (2, 10)
    assert "not UTF-8" in diag.message and "0xe9" in diag.message


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    [diag] = load_file(path, "huge.yaml").diagnostics
    assert "50.0 MiB" in diag.message and "limited to 10 MiB" in diag.message


def test_fifo_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    [diag] = load_file(path, "pipe.yaml").diagnostics
    assert "not a regular file" in diag.message


def test_broken_symlink_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "gone.yaml"
    path.symlink_to(tmp_path / "nowhere.yaml")
    [diag] = load_file(path, "gone.yaml").diagnostics
    assert "cannot read this file" in diag.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("key: a\n")
    path.chmod(0)
    [diag] = load_file(path, "secret.yaml").diagnostics
    assert "cannot read this file: Permission denied" in diag.message


def test_non_ascii_columns_count_characters() -> None:
    doc = parse("name: Zoë\nbé: [x, ü]\n", "f").documents[0]
    assert doc.locate(("bé", 1))[0] == Position(2, 9)


DOC = """\
key: a
tools:
  - type: code_interpreter
  - type: function
    function:
      name: bad name
metadata:
  team: x
response_format: {type: json_schema, json_schema: {name: n}}
"""


@pytest.mark.parametrize(
    ("loc", "position", "path"),
    [
        (("key",), (1, 6), "key"),
        (("tools", 1, "function", "function", "name"), (6, 13), "tools.1.function.name"),
        (("tools", 1, "function", "function", "strict"), (5, 5), "tools.1.function.strict"),
        (("tools", 0, "code_interpreter", "type"), (3, 11), "tools.0.type"),
        (("metadata", "team", "[key]"), (8, 3), "metadata.team"),
        (("model",), (1, 1), "model"),
        (("tools",), (2, 1), "tools"),
        (("response_format", "json_schema", "json_schema", "name"), (9, 58), None),
    ],
)
def test_locate_maps_pydantic_locations_to_nodes(
    loc: tuple[str | int, ...], position: tuple[int, int], path: str | None
) -> None:
    doc = parse(DOC, "f").documents[0]
    found, cleaned = doc.locate(loc)
    assert (found.line, found.col) == position
    if path is not None:
        assert ".".join(map(str, cleaned)) == path


def test_locate_at_key_points_at_the_key() -> None:
    doc = parse("key: a\nextra:  1\n", "f").documents[0]
    assert doc.locate(("extra",), at_key=True)[0] == Position(2, 1)
    assert doc.locate(("extra",))[0] == Position(2, 9)


def test_locate_follows_merge_keys() -> None:
    doc = parse("base: &b\n  temperature: 9\nm:\n  <<: *b\n", "f").documents[0]
    assert doc.locate(("m", "temperature"))[0] == Position(2, 16)
