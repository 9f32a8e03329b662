"""Start-up: wall time of ``assistctl --version`` and what it imports.

    python benchmarks/startup.py [--runs 10] [--top 12]

Start-up is paid on every pre-commit hook and CI call. Prints the median wall time of
``--runs`` fresh ``assistctl --version`` processes next to a bare ``python -c pass`` (the
interpreter's own floor), then the modules with the largest cumulative import time in
``python -X importtime -m assistctl --version`` (median over the runs), which is what
``cli/main.py`` imports before any command runs: commands import their modules lazily.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict

from _common import command

_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def wall(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    cmd = command()
    subprocess.run([*cmd, "--version"], capture_output=True, check=True)  # warm .pyc
    ours = wall([*cmd, "--version"], args.runs)
    bare = wall([sys.executable, "-c", "pass"], args.runs)
    print(
        f"{' '.join(cmd)} --version: median {statistics.median(ours) * 1000:.0f} ms "
        f"(min {min(ours) * 1000:.0f}, max {max(ours) * 1000:.0f}; {args.runs} runs)"
    )
    print(f"python -c pass: median {statistics.median(bare) * 1000:.0f} ms")
    cumulative: dict[str, list[int]] = defaultdict(list)
    own: dict[str, list[int]] = defaultdict(list)
    depth: dict[str, int] = {}
    for _ in range(args.runs):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "assistctl", "--version"],
            capture_output=True,
            text=True,
            check=True,
        )
        for match in _LINE.finditer(proc.stderr):
            name = match.group(4)
            own[name].append(int(match.group(1)))
            cumulative[name].append(int(match.group(2)))
            depth[name] = len(match.group(3)) // 2
    total = sum(statistics.median(v) for v in own.values()) / 1000
    print(
        f"python -X importtime -m assistctl --version: {len(own)} modules, "
        f"{total:.1f} ms of imports (sum of self times, median of {args.runs} runs)"
    )
    print(f"{'cumulative ms':>13} {'self ms':>8}  module (indent = import depth)")
    ranked = sorted(cumulative, key=lambda n: statistics.median(cumulative[n]), reverse=True)
    for name in ranked[: args.top]:
        print(
            f"{statistics.median(cumulative[name]) / 1000:13.1f} "
            f"{statistics.median(own[name]) / 1000:8.1f}  {'  ' * depth[name]}{name}"
        )


if __name__ == "__main__":
    main()
