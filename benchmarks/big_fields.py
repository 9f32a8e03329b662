"""Big fields: plan and render an update between two 256,000-character instructions.

    python benchmarks/big_fields.py [--runs 5] [--size 256000]

In-process and pure (no emulator, no I/O): one manifest and one live assistant that differ
only in ``instructions``, each at the API limit of 256,000 characters, in several shapes of
text and of change. For each, ``compute_plan`` and then ``render_plan`` in ``text`` and
``markdown`` (and ``json``, for reference) are timed, median of ``--runs``, and the size of
each output is shown. Targets: each render under 1 s (issue 7); for one changed character,
every format under 4 KB, whatever the field's size (issue 14).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable

from assistctl.config.manifest import Manifest
from assistctl.core.plan import Plan, compute_plan, create_body
from assistctl.output.render import render_plan

TARGET_SECONDS = 1.0
TARGET_BYTES = 4096  # for one changed character
ONE_CHAR = (
    "a single 256,000-char line, 1 char changed",
    "prose, 1 char changed",
    "short lines (r0..r976 cycling), 1 char changed",
)
PROJECT = "bench"


def _fit(lines: list[str], size: int) -> str:
    text = "\n".join(lines)
    return text[:size]


def prose(size: int, seed: int, width: int = 78) -> list[str]:
    """Distinct lines of ``width`` characters or so, deterministic for ``seed``."""
    rng = random.Random(seed)
    words = [f"w{rng.randrange(10_000)}" for _ in range(size // 5 + 1)]
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


def edited(lines: list[str], every: int) -> list[str]:
    """Every ``every``-th line changed (a few scattered edits when ``every`` is large)."""
    return [f"{line} (edited)" if i % every == every // 2 else line for i, line in enumerate(lines)]


def cases(size: int) -> dict[str, tuple[str, str]]:
    base = prose(size, 1)
    other = prose(size, 2)
    short = [f"r{i % 977}" for i in range(size // 4)]
    distinct = [f"l{i}" for i in range(size // 6)]
    repeated = ["Always answer in English and cite the source document."] * (size // 50)
    shuffled = base[:]
    random.Random(3).shuffle(shuffled)
    one_line = "x" * size
    return {
        "3 lines edited (prose, 78-char lines)": (
            _fit(base, size),
            _fit(edited(base, len(base) // 3), size),
        ),
        "every 10th line edited": (_fit(base, size), _fit(edited(base, 10), size)),
        "completely rewritten": (_fit(base, size), _fit(other, size)),
        "lines shuffled": (_fit(base, size), _fit(shuffled, size)),
        "short lines (r0..r976 cycling), 3 edited": (
            _fit(short, size),
            _fit(edited(short, len(short) // 3), size),
        ),
        "short lines (r0..r976 cycling), every 10th edited": (
            _fit(short, size),
            _fit(edited(short, 10), size),
        ),
        "distinct short lines, every 10th edited": (
            _fit(distinct, size),
            _fit(edited(distinct, 10), size),
        ),
        "distinct short lines, every 2nd edited": (
            _fit(distinct, size),
            _fit(edited(distinct, 2), size),
        ),
        "one line repeated, 3 edited": (
            _fit(repeated, size),
            _fit(edited(repeated, len(repeated) // 3), size),
        ),
        "a single 256,000-char line, 1 char changed": (one_line, one_line[:-1] + "y"),
        "prose, 1 char changed": (_fit(base, size), _one_char_each(_fit(base, size), 1)),
        "short lines (r0..r976 cycling), 1 char changed": (
            _fit(short, size),
            _one_char_each(_fit(short, size), 1),
        ),
    }


def _one_char_each(text: str, count: int) -> str:
    """``text`` with one character changed in ``count`` lines spread over it."""
    lines = text.split("\n")
    for n in range(count):
        i = (n * 2 + 1) * len(lines) // (2 * count)
        lines[i] = lines[i][:-1] + ("y" if lines[i][-1:] != "y" else "z")
    return "\n".join(lines)


def plan_for(old: str, new: str) -> Plan:
    manifest = Manifest.model_validate({"key": "big", "model": "gpt-4o", "instructions": new})
    live = create_body(
        Manifest.model_validate({"key": "big", "model": "gpt-4o", "instructions": old}),
        PROJECT,
    )
    live |= {"id": "asst_big", "object": "assistant", "created_at": 0}
    return compute_plan([manifest], [live], PROJECT)


def timed(runs: int, once: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=256_000)
    args = parser.parse_args()
    print(
        f"instructions of {args.size:,} characters on both sides; median of {args.runs} runs, "
        "seconds"
    )
    print(
        f"{'case':50} {'lines in':>8} {'plan':>7} {'text':>7} {'markdown':>8} {'json':>7} "
        f"{'lines out':>9} {'KB text/md/json':>17}"
    )
    failed = False
    for name, (old, new) in cases(args.size).items():
        assert len(old) == len(new) == args.size or name.startswith("a single"), name
        plan = plan_for(old, new)
        if plan.counts["update"] != 1:
            sys.exit(f"{name}: expected one update, got {plan.counts}")
        t_plan = timed(args.runs, lambda old=old, new=new: plan_for(old, new))  # type: ignore[misc]
        t_text = timed(args.runs, lambda plan=plan: render_plan(plan, "text"))  # type: ignore[misc]
        t_md = timed(args.runs, lambda plan=plan: render_plan(plan, "markdown"))  # type: ignore[misc]
        t_json = timed(args.runs, lambda plan=plan: render_plan(plan, "json"))  # type: ignore[misc]
        lines = len(render_plan(plan, "text").splitlines())
        sizes = [len(render_plan(plan, f).encode()) for f in ("text", "markdown", "json")]
        slow = max(t_text, t_md) >= TARGET_SECONDS
        big = name in ONE_CHAR and max(sizes) >= TARGET_BYTES
        failed |= slow or big
        shown = "/".join(f"{b / 1024:.1f}" for b in sizes)
        print(
            f"{name:50} {new.count(chr(10)) + 1:>8} {t_plan:7.3f} {t_text:7.3f} {t_md:8.3f} "
            f"{t_json:7.3f} {lines:>9} {shown:>17}" + ("  MISSED" if slow or big else "")
        )
    print(
        f"targets: text and markdown each < {TARGET_SECONDS:.0f} s; one changed character < "
        f"{TARGET_BYTES // 1024} KB in every format: {'MISSED' if failed else 'ok'}"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
