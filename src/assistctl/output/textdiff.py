"""Diffs of text that stay a few lines whatever the text's size.

A value's lines are diffed by :func:`assistctl.output.linediff.unified_lines`; then a changed
line longer than :data:`LONG_LINE` characters (a 256,000-character prompt on one line, a JSON
schema with a long description) is not shown whole: each change inside it is shown as an
excerpt, the changed words and :data:`CONTEXT_CHARS` characters either side, under an
``@@ characters FIRST-LAST of LENGTH @@`` line saying where it is. Any other long line (added,
removed, or context) is cut at :data:`LONG_LINE` characters, saying how many more there are.
So one changed character costs a few hundred characters of output, in every format. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistctl.output.linediff import sequence_matcher, unified_lines

LONG_LINE = 200
"""Characters of a line shown whole; a longer changed line is shown as excerpts."""
CONTEXT_CHARS = 40
"""Unchanged characters shown either side of a change inside a long line."""
SPAN_SHOWN = 160
"""Characters of one changed span shown per side; the rest is counted."""
EXCERPTS_SHOWN = 5
"""Changes shown per long line; the rest is counted."""
_WORD_CELLS = 250_000
"""Word pairs a long line's word diff may compare (then one span covers every change)."""
_WORDS = re.compile(r"\w+|\s+|[^\w\s]")


def hunks(a: Sequence[str], b: Sequence[str], context: int = 3) -> list[str]:
    """The unified diff hunks of two line lists, every line bounded."""
    out: list[str] = []
    lines = unified_lines(a, b, context)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].startswith("-"):
            j += 1
        k = j
        while k < len(lines) and lines[k].startswith("+"):
            k += 1
        if j == i and k == i:  # a header or a context line
            out.append(lines[i] if lines[i].startswith("@@") else cut(lines[i]))
            i += 1
            continue
        removed, added = lines[i:j], lines[j:k]
        long = any(len(line) > LONG_LINE + 1 for line in (*removed, *added))
        if long and len(removed) == len(added):
            # Line by line, each long pair as the excerpts of its changes.
            for old, new in zip(removed, added, strict=True):
                if max(len(old), len(new)) > LONG_LINE + 1:
                    out += excerpts(old[1:], new[1:])
                else:
                    out += [old, new]
        else:
            out += [cut(line) for line in (*removed, *added)]
        i = k
    return out


def cut(line: str, limit: int = LONG_LINE) -> str:
    """``line`` when short, else its first ``limit`` characters and how many more there are."""
    if len(line) <= limit:
        return line
    return f"{line[:limit]}… ({len(line) - limit:,} more characters)"


def excerpts(old: str, new: str) -> list[str]:
    """Diff lines showing each change between two long lines, with a little context."""
    spans = _spans(old, new)
    out: list[str] = []
    for a0, a1, b0, b1 in spans[:EXCERPTS_SHOWN]:
        where = f"characters {a0 + 1:,}-{max(a1, a0 + 1):,} of {len(old):,}"
        if len(new) != len(old):
            where += f" (now {len(new):,})"
        before = old[max(0, a0 - CONTEXT_CHARS) : a0]
        head = "…" if a0 > CONTEXT_CHARS else ""
        after_a, after_b = old[a1 : a1 + CONTEXT_CHARS], new[b1 : b1 + CONTEXT_CHARS]
        tail_a = "…" if a1 + CONTEXT_CHARS < len(old) else ""
        tail_b = "…" if b1 + CONTEXT_CHARS < len(new) else ""
        out += [
            f"@@ {where} @@",
            f"-{head}{before}{_clip(old[a0:a1])}{after_a}{tail_a}",
            f"+{head}{before}{_clip(new[b0:b1])}{after_b}{tail_b}",
        ]
    if len(spans) > EXCERPTS_SHOWN:
        out.append(f"@@ … {len(spans) - EXCERPTS_SHOWN:,} more changes in this line @@")
    return out


def _clip(span: str) -> str:
    if len(span) <= SPAN_SHOWN:
        return span
    return f"{span[:SPAN_SHOWN]}… ({len(span) - SPAN_SHOWN:,} more characters) …"


def _spans(old: str, new: str) -> list[tuple[int, int, int, int]]:
    """``(a0, a1, b0, b1)`` of each changed span, character offsets: changes closer than
    twice :data:`CONTEXT_CHARS` are one span."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    mid_a, mid_b = old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]
    words_a, words_b = _WORDS.findall(mid_a), _WORDS.findall(mid_b)
    if not words_a or not words_b:
        return [(prefix, len(old) - suffix, prefix, len(new) - suffix)]
    at_a, at_b = _offsets(words_a, prefix), _offsets(words_b, prefix)
    spans: list[tuple[int, int, int, int]] = []
    # Words as linediff matches lines: in bounded time whatever their number (a stretch
    # without words found once on each side becomes one span).
    matcher = sequence_matcher(words_a, words_b, direct_cells=_WORD_CELLS)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        span = (at_a[i1], at_a[i2], at_b[j1], at_b[j2])
        if spans and span[0] - spans[-1][1] < 2 * CONTEXT_CHARS:
            spans[-1] = (spans[-1][0], span[1], spans[-1][2], span[3])
        else:
            spans.append(span)
    return spans


def _offsets(words: list[str], start: int) -> list[int]:
    """The character offset of each word, and of the end."""
    out = [start]
    for word in words:
        out.append(out[-1] + len(word))
    return out
