"""assistctl.output.linediff: difflib's output for small inputs; a valid diff for large ones."""

from __future__ import annotations

import difflib
import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistctl.output import linediff
from assistctl.output.linediff import matching_blocks, unified_lines


def _difflib(a: list[str], b: list[str], context: int = 3) -> list[str]:
    return list(difflib.unified_diff(a, b, n=context, lineterm=""))[2:]


def _apply(a: list[str], hunks: list[str]) -> list[str]:
    """Rebuild the new side from the old side and the hunks, checking every context and
    removed line against the old side."""
    out: list[str] = []
    pos = 0
    for line in hunks:
        if line.startswith("@@"):
            old = line.split()[1][1:]
            start = int(old.split(",")[0])
            length = int(old.split(",")[1]) if "," in old else 1
            start = start - 1 if length else start
            out += a[pos:start]
            pos = start
        elif line[:1] in (" ", "-"):
            assert a[pos] == line[1:], f"line {pos + 1} of the old side is not {line!r}"
            pos += 1
            if line[0] == " ":
                out.append(line[1:])
        else:
            assert line[0] == "+"
            out.append(line[1:])
    return out + a[pos:]


lines = st.lists(st.sampled_from(["a", "b", "c", "d", "", "e f"]), max_size=30)


@given(lines, lines, st.integers(0, 4))
@settings(max_examples=300, deadline=None)
def test_small_inputs_are_exactly_difflib(a: list[str], b: list[str], context: int) -> None:
    assert unified_lines(a, b, context) == _difflib(a, b, context)


unique_lines = st.lists(st.integers(0, 40).map(str), max_size=40)


@given(st.one_of(lines, unique_lines), st.one_of(lines, unique_lines), st.integers(0, 50))
@settings(max_examples=500, deadline=None)
def test_anchored_matching_gives_a_valid_diff(a: list[str], b: list[str], cells: int) -> None:
    blocks = matching_blocks(a, b, direct_cells=cells)
    assert blocks[-1] == (len(a), len(b), 0)
    for x, y in itertools.pairwise(blocks):
        assert x.a + x.size <= y.a and x.b + x.size <= y.b
        assert (x.a + x.size, x.b + x.size) != (y.a, y.b) or y.size == 0, "not merged"
    for m in blocks:
        assert a[m.a : m.a + m.size] == b[m.b : m.b + m.size]
    assert _apply(a, unified_lines(a, b, direct_cells=cells)) == b


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # every 10th of 42,000 distinct short lines edited: difflib alone is quadratic here
        (
            [f"l{i}" for i in range(42_000)],
            [f"l{i}{'!' if i % 10 == 5 else ''}" for i in range(42_000)],
        ),
        # shuffled distinct lines
        (
            [f"line {i}" for i in range(5_000)],
            random.Random(1).sample([f"line {i}" for i in range(5_000)], 5_000),
        ),
        # repeated lines only (no anchors): shown removed and added whole
        ([f"r{i % 97}" for i in range(20_000)], [f"r{i % 97}" for i in range(1, 20_001)]),
        # insertions and deletions at both ends and in the middle
        (
            [f"x{i}" for i in range(3_000)],
            [
                "new",
                *[f"x{i}" for i in range(5, 1_500)],
                "mid",
                *[f"x{i}" for i in range(1_600, 2_990)],
            ],
        ),
    ],
    ids=["scattered-edits", "shuffled", "repeated", "ends-and-middle"],
)
def test_large_inputs_give_a_valid_diff(old: list[str], new: list[str]) -> None:
    assert len(old) * len(new) > linediff.DIRECT_CELLS
    hunks = unified_lines(old, new)
    assert _apply(old, hunks) == new


def test_few_edits_in_a_large_text_give_small_hunks() -> None:
    old = [f"Rule {i}: answer briefly." for i in range(10_000)]
    new = old[:]
    new[2_000] = "Rule 2000: answer at length."
    del new[7_000]
    hunks = unified_lines(old, new)
    assert [h for h in hunks if h[:1] in ("+", "-")] == [
        "-Rule 2000: answer briefly.",
        "+Rule 2000: answer at length.",
        "-Rule 7000: answer briefly.",
    ]
    assert len(hunks) == 2 + 6 + 3 + 6
