"""The fast paths of loading give exactly what the straightforward ways give.

yamlload caches the resolution of plain scalars: these tests compare values *and types*
with two independent readings, ``yaml.SafeLoader`` (YAML 1.1) and YAML 1.2's core schema
written out by hand, on scalars whose resolution is easy to get wrong: where they agree the
value is read, where not it is refused. Files are read with ``os.read`` in pieces sized by
``stat``, which must not lose a byte when the size is stale; directories are walked with
``os.scandir``, which must find what ``os.walk`` finds.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from assistctl.config import sources, textfile, yamlcore, yamlload
from assistctl.config.yamlload import parse


@pytest.fixture(params=["libyaml composer", "python composer"], autouse=True)
def composer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.param == "python composer":
        monkeypatch.setattr(yamlload, "_SAFE_C_DEPTH", -1)
        monkeypatch.setattr(yamlload, "_C_BOUNDS_NESTING", False)


YAML11_BOOLS = ["yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "NO", "On", "OFF"]
BOOLS_AND_NULLS = ["true", "True", "TRUE", "false", "False", "FALSE", "~", "null", "Null", "NULL"]
INTS = ["0", "-0", "00", "017", "0o17", "0x1F", "0X1F", "0x_1", "+0x10", "0b101", "0b2", "1_000"]
MORE_INTS = ["1,000", "+1", "-1", "190:20:30", "1:20", "-1:20", "12:30:00"]
FLOATS = ["1e3", "1.0e3", "1.0e+3", "1e+3", "1.5", "-.5", ".5", "3.", "0.", "1__0", "6.8523015e+5"]
SPECIAL = [".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", "-.nan", "NaN", "inf"]
DATES = ["2001-12-14", "2002-1-1", "2001-12-14t21:59:43.10-05:00", "2002-12-14T21:59:43Z"]
STRINGS = [":colon", "a:b", "--", ".", "..", "...", "-x", "x-", "-1-2", "gpt-4o", "x y"]
TRICKY = [
    *YAML11_BOOLS,
    *BOOLS_AND_NULLS,
    *INTS,
    *MORE_INTS,
    *FLOATS,
    *SPECIAL,
    *DATES,
    *STRINGS,
    *["685.230_15e+03", "e3", "1e", "2001-12-14 21:59:43.10 -5", "caf\u00e9"],
]


def typed(value: Any) -> Any:
    """``value`` with the type of every part spelled out (and NaN comparable)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def documents(text: str) -> list[Any]:
    result = parse(text, "f.yaml")
    assert result.diagnostics == [], result.diagnostics
    return [typed(doc.data) for doc in result.documents]


def texts(scalar: str) -> list[str]:
    quoted = scalar.replace("'", "''")
    found = [
        f"k: {scalar}\n",
        f"- {scalar}\n- '{quoted}'\n- [{scalar}, '{quoted}']\n- {{k: {scalar}}}\n",
        f"{scalar}\n",
        # Twice in one document and in a later document: the second answer is a cached one.
        f"a: {scalar}\nb: {scalar}\n---\nc: {scalar}\n",
    ]
    if scalar != "--":
        found.append(f"{scalar}: v\n---\n'{quoted}': w\n")
    return found


# YAML 1.2's core schema (what editors read), written out by hand for the scalars above that
# it does not read as text: the oracle the YAML 1.1 reading (SafeLoader) is compared with.
YAML12_NOT_TEXT: dict[str, Any] = {
    **dict.fromkeys(["true", "True", "TRUE"], True),
    **dict.fromkeys(["false", "False", "FALSE"], False),
    **dict.fromkeys(["~", "null", "Null", "NULL"], None),
    **{"0": 0, "-0": 0, "00": 0, "017": 17, "0o17": 15, "0x1F": 31, "+1": 1, "-1": -1},
    **dict.fromkeys(["1e3", "1.0e3", "1.0e+3", "1e+3"], 1000.0),
    **{"1.5": 1.5, "-.5": -0.5, ".5": 0.5, "3.": 3.0, "0.": 0.0, "6.8523015e+5": 685230.15},
    **dict.fromkeys([".inf", "+.inf", ".Inf", ".INF"], math.inf),
    **{"-.inf": -math.inf},
    **dict.fromkeys([".nan", ".NaN", ".NAN"], math.nan),
}


def expected(scalar: str) -> tuple[str, Any]:
    """``("read", value)`` when YAML 1.1 and 1.2 agree on a finite value, else why not."""
    yaml12 = YAML12_NOT_TEXT.get(scalar, scalar)
    yaml11 = yaml.safe_load(f"k: {scalar}\n")["k"]
    # SafeLoader reads y and n as text; the YAML 1.1 spec (and other 1.1 tools) as booleans.
    # A leading zero is refused whatever the values: YAML 1.1 reads it as octal.
    leading_zero = re.fullmatch(r"[-+]?0[0-9]+", scalar) is not None
    if scalar in YAML11_BOOLS or leading_zero or typed(yaml11) != typed(yaml12):
        return "refused", "quote it"
    if isinstance(yaml12, float) and not math.isfinite(yaml12):
        return "refused", "JSON can carry"
    return "read", yaml12


@pytest.mark.parametrize("scalar", [s for s in TRICKY if s not in (":colon", "--")], ids=repr)
def test_plain_scalars_are_read_as_both_yaml_versions_agree_or_refused(scalar: str) -> None:
    verdict, what = expected(scalar)
    quoted = scalar.replace("'", "''")
    for _ in range(2):  # the second time every answer comes from the cache
        result = parse(f"a: {scalar}\nb:\n- {scalar}\n- '{quoted}'\n", "f.yaml")
        [doc] = result.documents
        assert doc.data["b"][1] == scalar  # quoted: always the text
        if verdict == "read":
            assert result.diagnostics == []
            assert typed(doc.data) == typed({"a": what, "b": [what, scalar]})
        else:
            assert [(d.line, d.col) for d in result.diagnostics] == [(1, 4), (3, 3)]
            assert all(what in d.message for d in result.diagnostics), result.diagnostics
        keyed = parse(f"{scalar}: v\n", "f.yaml")
        assert [d.data for d in keyed.documents] == [{scalar: "v"}]  # keys are their text
        if verdict == "read" and isinstance(what, str):
            assert keyed.diagnostics == []
        else:
            [diag] = keyed.diagnostics
            assert (diag.line, diag.col) == (1, 1) and "quote it" in diag.message


def test_quoting_and_block_styles_are_never_resolved() -> None:
    text = 'a: "1"\nb: \'true\'\nc: |\n  1\nd: >\n  ~\ne: "~"\nf: !!str 1\ng: ! 12\nh: "yes"\n'
    expected = [typed(data) for data in yaml.load_all(text, Loader=yaml.SafeLoader)]
    assert documents(text) == expected


@pytest.mark.parametrize("scalar", [*TRICKY, "", "=", "<<"], ids=repr)
def test_cached_resolver_answers_like_the_rule(scalar: str) -> None:
    cached = yamlload._Yaml12Resolver()
    for _ in range(2):
        assert cached.resolve(ScalarNode, scalar, (True, False)) == yamlcore.resolve(scalar)
        for implicit in [(False, True), (False, False)]:
            assert cached.resolve(ScalarNode, scalar, implicit) == yamlcore.STR
    long = "1" * (yamlload._RESOLVED_LONGEST + 1)  # not cached, resolved all the same
    assert cached.resolve(ScalarNode, long, (True, False)) == "tag:yaml.org,2002:int"
    for kind in (SequenceNode, MappingNode):
        plain: Any = Resolver()  # PyYAML's stubs leave Resolver.resolve untyped
        assert cached.resolve(kind, None, (True, False)) == plain.resolve(kind, None, (True, False))


def test_resolver_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlload, "_RESOLVED_MAX", 50)
    monkeypatch.setattr(yamlload, "_RESOLVED", {})
    text = "".join(f"k{i}: v{i}\n" for i in range(200))
    assert parse(text, "f").documents[0].data == {f"k{i}": f"v{i}" for i in range(200)}
    assert len(yamlload._RESOLVED) <= 50
    long = "x" * (yamlload._RESOLVED_LONGEST + 1)
    assert parse(f"k: {long}\n", "f").documents[0].data == {"k": long}
    assert long not in yamlload._RESOLVED


@pytest.mark.parametrize(
    ("size", "limit", "expected"), [(100, 1000, 100), (10, 50, 50), (0, 1000, 100)]
)
def test_reading_goes_past_a_stale_size_and_stops_at_the_limit(
    size: int, limit: int, expected: int
) -> None:
    """``size`` is what stat said; the file may have grown since (a pipe stands in for it)."""
    read_end, write_end = os.pipe()
    os.write(write_end, bytes(range(100)))
    os.close(write_end)
    try:
        assert textfile._read_at_most(read_end, size, limit) == bytes(range(100))[:expected]
    finally:
        os.close(read_end)


def test_read_text_gives_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    text = "key: k\nname: Zo\u00eb\n" * 5000
    path.write_text(text, encoding="utf-8")
    assert textfile.read_text(path, "m.yaml") == (text, None)
    assert textfile.read_text(str(path), "m.yaml") == (text, None)


def _collect_slowly(paths: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What sources.collect did before it learnt to save system calls: os.walk, then
    os.path.realpath and os.path.normpath of every file."""
    manifests: list[tuple[str, str]] = []
    project_files: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(path: str, explicit: bool) -> None:
        real = os.path.realpath(path)
        if real in seen:
            return
        seen.add(real)
        if os.path.basename(path) == "assistctl.yaml":
            if explicit:
                project_files.append((path, os.path.normpath(path)))
            return
        manifests.append((path, os.path.normpath(path)))

    for path in paths:
        if os.path.isdir(path):
            for directory, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if not name.startswith(".") and name.endswith((".yaml", ".yml")):
                        add(os.path.join(directory, name), False)
        elif os.path.lexists(path):
            add(path, True)
    return manifests, project_files


def test_collect_finds_what_os_walk_and_realpath_find(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "r"
    (root / "a" / "sub" / "deeper").mkdir(parents=True)
    (root / "a" / ".hidden").mkdir()
    (root / "a" / "dir.yaml").mkdir()
    (root / "b").mkdir()
    for name in ["a/m.yaml", "a/n.yml", "a/.h.yaml", "a/note.txt", "a/sub/x.yaml", "a/B.yaml"]:
        (root / name).write_text("key: k\n")
    for name in ["a/sub/deeper/y.yaml", "a/.hidden/h.yaml", "a/dir.yaml/in.yaml"]:
        (root / name).write_text("key: k\n")
    (root / "a" / "assistctl.yaml").write_text("project: p\n")
    (root / "a" / "link.yaml").symlink_to(root / "a" / "sub" / "x.yaml")
    (root / "a" / "relative.yaml").symlink_to("sub/../m.yaml")
    (root / "a" / "dangling.yaml").symlink_to("nowhere.yaml")
    (root / "a" / "loop.yaml").symlink_to("loop.yaml")
    (root / "a" / "linkdir").symlink_to(root / "a" / "sub")
    (root / "a" / "linkdir.yaml").symlink_to("sub")
    (root / "b" / "to_a").symlink_to("../a")
    (root / "b" / "z.yaml").symlink_to("../a/sub/deeper/y.yaml")
    monkeypatch.chdir(root)
    shapes = [
        ["a"],
        ["a", "a"],
        ["a/sub/x.yaml", "a"],
        ["./a/", "a/sub"],
        ["a/linkdir", "a/sub/x.yaml"],
        ["a/linkdir/..", "b/to_a/sub"],
        ["b", "b/to_a", "a/sub/deeper/y.yaml"],
        ["a/sub/..", "a//sub/./deeper/", "a/assistctl.yaml"],
        [".", "a/linkdir.yaml"],
        [str(root / "a" / "sub"), "/" + str(root / "b")],
        ["a/link.yaml", "a/relative.yaml", "a/dangling.yaml", "a/loop.yaml"],
    ]
    for paths in shapes:
        inputs = sources.collect(paths)
        assert (inputs.manifests, inputs.project_files) == _collect_slowly(paths), paths
    monkeypatch.chdir(root / "a" / "sub")
    for paths in [[".."], ["."], ["../sub/deeper", "../../b"]]:
        inputs = sources.collect(paths)
        assert (inputs.manifests, inputs.project_files) == _collect_slowly(paths), paths


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # the document (1), then each key and value: the 11th value is v5
        ("".join(f"k{i}: v{i}\n" for i in range(1, 9)), (5, 5)),
        ("a: [x, x, x, x, x, x, x, x, x, x, x]\n", (1, 26)),  # 1 + a + list + 8 items
        # 1, a, {...}, b, [...], x, 1, e, 2.0, f and its value: after a collection and a
        # value that went through build(), a string value taken inline
        ("a: {b: [x, 1], e: 2.0, f: x}\n", (1, 27)),
        ("a: {b: [x, 1], e: x, f: 2.0}\n", (1, 25)),  # the same, ending in a float
    ],
)
def test_values_are_counted_one_by_one(
    text: str, where: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The MAX_VALUES guard stops at the node that passes it, keys and values counted one by
    one (string keys and values were once counted apart, inline)."""
    monkeypatch.setattr(yamlload, "MAX_VALUES", 10)
    [diag] = parse(text, "f").diagnostics
    assert (diag.line, diag.col) == where and "more than 10 values" in diag.message


def test_a_path_resolver_registered_with_pyyaml_changes_nothing() -> None:
    """A program may register path resolvers with PyYAML (then a tag depends on where a text
    is); yamlload resolves by its own rule, on the text alone, whatever PyYAML holds. In a
    fresh process, as registering one changes PyYAML for good."""
    script = (
        "import yaml\n"
        "yaml.resolver.Resolver.add_path_resolver("
        "'tag:yaml.org,2002:null', ['version'], yaml.ScalarNode)\n"
        "from assistctl.config.yamlload import parse\n"
        "print(parse('version: abc\\nother: abc\\n', 'f').documents[0].data)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out == "{'version': 'abc', 'other': 'abc'}\n"
