"""Long lines diff like long texts: bounded excerpts around each change (issue 14, case 5)."""

from __future__ import annotations

import json
import random

import pytest

from assistctl.config.manifest import Manifest
from assistctl.core.plan import Plan, compute_plan, create_body, drift_report
from assistctl.output.render import render_drift, render_plan
from assistctl.output.textdiff import CONTEXT_CHARS, EXCERPTS_SHOWN, LONG_LINE, cut, hunks

SIZE = 256_000


def _words(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"w{rng.randrange(100_000)}" for _ in range(count)]


def test_short_lines_are_a_plain_unified_diff() -> None:
    assert hunks(["a", "b", "c"], ["a", "B", "c"]) == ["@@ -1,3 +1,3 @@", " a", "-b", "+B", " c"]


def test_one_character_in_a_huge_line_is_an_excerpt() -> None:
    old = "x" * SIZE
    new = old[: SIZE // 2] + "y" + old[SIZE // 2 + 1 :]
    lines = hunks([old], [new])
    assert lines[:2] == ["@@ -1 +1 @@", "@@ characters 128,001-128,001 of 256,000 @@"]
    assert lines[2] == "-…" + "x" * (2 * CONTEXT_CHARS + 1) + "…"
    assert lines[3] == "+…" + "x" * CONTEXT_CHARS + "y" + "x" * CONTEXT_CHARS + "…"
    assert len(lines) == 4


def test_each_change_in_a_long_line_is_shown_with_its_words() -> None:
    words = _words(40_000, 1)
    edited = list(words)
    edited[100], edited[30_000] = "CHANGED", "ALSO"
    lines = hunks([" ".join(words)], [" ".join(edited)])
    assert [line[:1] for line in lines] == ["@", "@", "-", "+", "@", "-", "+"]
    assert f" {words[100]} " in lines[2] and " CHANGED " in lines[3]
    assert f" {words[30_000]} " in lines[5] and " ALSO " in lines[6]
    assert all(len(line) < 2 * CONTEXT_CHARS + 40 for line in lines)


def test_many_changes_in_one_line_are_counted_beyond_the_shown_ones() -> None:
    words = _words(5_000, 2)
    edited = [w if i % 500 else "EDIT" for i, w in enumerate(words)]
    lines = hunks([" ".join(words)], [" ".join(edited)])
    assert sum(line.startswith("+") for line in lines) == EXCERPTS_SHOWN
    assert lines[-1] == f"@@ … {10 - EXCERPTS_SHOWN} more changes in this line @@"


def test_a_rewritten_long_line_is_cut() -> None:
    lines = hunks(["a" * SIZE], ["b" * SIZE])
    assert max(len(line) for line in lines) < 400
    assert "(255,840 more characters)" in lines[2]


def test_added_removed_and_context_long_lines_are_cut() -> None:
    long = "z" * 10_000
    lines = hunks([long, "a"], [long, "b", long + "!"])
    assert max(len(line) for line in lines) <= LONG_LINE + 40
    assert cut(long) == "z" * LONG_LINE + f"… ({10_000 - LONG_LINE:,} more characters)"


def _plan(old: str, new: str) -> Plan:
    manifest = Manifest.model_validate({"key": "big", "model": "gpt-4o", "instructions": new})
    before = Manifest.model_validate({"key": "big", "model": "gpt-4o", "instructions": old})
    live = create_body(before, "demo") | {"id": "asst_big", "object": "assistant"}
    return compute_plan([manifest], [live], "demo")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_one_changed_character_prints_a_few_kilobytes_in_every_format(fmt: str) -> None:
    old = "x" * SIZE
    plan = _plan(old, old[:-1] + "y")
    for out in (render_plan(plan, fmt), render_drift(drift_report(plan), fmt)):
        assert len(out.encode()) < 4096
        assert "x" * CONTEXT_CHARS + "y" in out


def test_markdown_shows_the_change_not_a_cut_note() -> None:
    old = " ".join(_words(30_000, 3))
    new = old.replace(" ", " NEW ", 1)
    out = render_plan(_plan(old, new), "markdown")
    assert "more lines cut" not in out
    assert " NEW " in out


def test_json_abbreviates_long_texts_and_carries_the_hunks() -> None:
    old = "x" * SIZE
    doc = json.loads(render_plan(_plan(old, old[:-1] + "y"), "json"))
    (change,) = doc["changes"]
    abbreviated = change["after"]["instructions"]["abbreviated"]
    assert abbreviated["length"] == SIZE and abbreviated["end"].endswith("xy")
    assert len(abbreviated["sha256"]) == 64
    assert change["text_diffs"]["instructions"][1] == "@@ characters 256,000-256,000 of 256,000 @@"
    short = json.loads(render_plan(_plan("short", "shorter"), "json"))["changes"][0]
    assert short["after"]["instructions"] == "shorter" and "text_diffs" not in short
