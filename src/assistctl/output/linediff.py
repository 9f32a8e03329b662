"""Line-level unified diffs that stay fast on the largest values a plan shows.

:func:`unified_lines` is ``difflib.unified_diff(a, b, n=context, lineterm="")`` without the
``---``/``+++`` header, and for small inputs it is exactly that. Why not difflib alone:
``SequenceMatcher`` finds matching blocks by recursing on the longest match, re-scanning the
whole remaining range for each block, so many scattered edits in many lines are quadratic
(a 256,000-character prompt of 42,000 short lines with every 10th line edited took 21 s to
render). Above :data:`DIRECT_CELLS` the matching lines come from patience anchors instead:
lines that occur exactly once on each side, kept in their longest order-preserving run,
split the texts into gaps, recursively, until a gap is small enough for difflib. A large
gap without such lines (a text of mostly repeated lines) is shown as removed and added
whole: a longer diff, but a bounded time.

Pure: no I/O.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Sequence

# perf: patience anchors above this size; benchmarks/big_fields.py (see
# benchmarks/README.md, big fields).
DIRECT_CELLS = 1_000_000
"""``len(a) * len(b)`` up to which difflib's own matcher runs (its worst case is well under
a second there)."""


def unified_lines(
    a: Sequence[str], b: Sequence[str], context: int = 3, *, direct_cells: int = DIRECT_CELLS
) -> list[str]:
    """Hunks of a unified diff of two line lists: ``@@`` headers and `` ``/``-``/``+`` lines.

    ``direct_cells`` is :data:`DIRECT_CELLS` but for tests, which lower it to reach the
    anchored path with small inputs.
    """
    matcher = sequence_matcher(a, b, direct_cells=direct_cells)
    out: list[str] = []
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in a[i1:i2]]
                continue
            if tag in ("replace", "delete"):
                out += ["-" + line for line in a[i1:i2]]
            if tag in ("replace", "insert"):
                out += ["+" + line for line in b[j1:j2]]
    return out


def sequence_matcher(
    a: Sequence[str], b: Sequence[str], *, direct_cells: int = DIRECT_CELLS
) -> difflib.SequenceMatcher[str]:
    """difflib's matcher for small inputs, the anchored one (bounded time) for large ones."""
    if len(a) * len(b) <= direct_cells:
        return difflib.SequenceMatcher(None, a, b)
    return _AnchoredMatcher(a, b, direct_cells)


def _range(start: int, stop: int) -> str:
    """A hunk range as unified diff writes it (difflib's ``_format_range_unified``)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


class _AnchoredMatcher(difflib.SequenceMatcher[str]):
    """A SequenceMatcher whose matching blocks come from :func:`matching_blocks`; opcodes and
    their grouping are difflib's own."""

    def __init__(self, a: Sequence[str], b: Sequence[str], direct_cells: int) -> None:
        super().__init__(None, a, b, autojunk=False)
        self._blocks = matching_blocks(a, b, direct_cells=direct_cells)

    def get_matching_blocks(self) -> list[difflib.Match]:
        return self._blocks


def matching_blocks(
    a: Sequence[str], b: Sequence[str], *, direct_cells: int = DIRECT_CELLS
) -> list[difflib.Match]:
    """Matching blocks as ``SequenceMatcher.get_matching_blocks`` returns them (increasing,
    adjacent blocks merged, a final ``(len(a), len(b), 0)``), found through patience anchors;
    difflib matches the gaps of at most ``direct_cells`` cells."""
    found: list[tuple[int, int, int]] = []
    todo = [(0, len(a), 0, len(b))]
    while todo:
        alo, ahi, blo, bhi = todo.pop()
        start_a, start_b = alo, blo
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            alo, blo = alo + 1, blo + 1
        if alo > start_a:
            found.append((start_a, start_b, alo - start_a))
        end_a = ahi
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
        if ahi < end_a:
            found.append((ahi, bhi, end_a - ahi))
        if alo == ahi or blo == bhi:
            continue
        if (ahi - alo) * (bhi - blo) <= direct_cells:
            gap = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi])
            found += [(alo + i, blo + j, n) for i, j, n in gap.get_matching_blocks() if n]
            continue
        i, j = alo, blo
        for ai, bj in _anchors(a, alo, ahi, b, blo, bhi):
            todo.append((i, ai, j, bj))
            found.append((ai, bj, 1))
            i, j = ai + 1, bj + 1
        if i > alo:
            todo.append((i, ahi, j, bhi))
    merged: list[tuple[int, int, int]] = []
    for i, j, n in sorted(found):
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((i, j, n))
    return [difflib.Match(i, j, n) for i, j, n in merged] + [difflib.Match(len(a), len(b), 0)]


def _anchors(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """``(i, j)`` of the lines found once in ``a[alo:ahi]`` and once in ``b[blo:bhi]``, the
    longest run of them in the same order on both sides (patience sorting, O(k log k))."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {line: j for j, line in enumerate(b[blo:bhi], blo) if count_b[line] == 1}
    pairs = [
        (i, where_b[line])
        for i, line in enumerate(a[alo:ahi], alo)
        if count_a[line] == 1 and line in where_b
    ]
    tails: list[int] = []  # tails[n]: the smallest b position ending an increasing run of n+1
    ends: list[int] = []  # ends[n]: the index in pairs of that run's last pair
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        n = bisect.bisect_left(tails, j)
        if n == len(tails):
            tails.append(j)
            ends.append(k)
        else:
            tails[n] = j
            ends[n] = k
        back[k] = ends[n - 1] if n else -1
    run: list[tuple[int, int]] = []
    k = ends[-1] if ends else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]
