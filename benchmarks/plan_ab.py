"""Before/after of a change to the plan path: two source trees, runs interleaved.

    python benchmarks/plan_ab.py --a /tmp/before/src [--b SRC] [--count 5000] [--runs 8]

On a shared machine, load drifts over minutes, so comparing two separate benchmark runs
mostly measures the drift. This script seeds one emulator (in this process, ``--latency``
ms, as ``plan_scaling.py`` does) and runs ``assistctl plan DIR`` alternately from source
tree A and source tree B (``PYTHONPATH=SRC python -m assistctl``; an empty ``--b`` is the
installed package), ``--runs`` times each, and prints the median wall time and CPU of each.
The emulator is the same for both, so the difference is the client's. To get a tree of an
older commit: ``git worktree add /tmp/before COMMIT``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from _common import compile_bytecode, env_for, run, seed, write_manifests

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import start_server


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--a", required=True, help="source tree A (the 'src' folder)")
    parser.add_argument("--b", default="", help="source tree B (default: installed)")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--latency", type=int, default=100, help="emulator latency, ms")
    args = parser.parse_args()
    trees = {"A": args.a, "B": args.b}
    compile_bytecode(*(t for t in trees.values() if t))
    if not args.b:
        compile_bytecode()  # the installed package
    results: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
    with tempfile.TemporaryDirectory(prefix="assistctl-bench-") as tmp:
        directory = Path(tmp) / "assistants"
        write_manifests(directory, args.count)
        app = EmulatorApp("openai")
        seed(app, directory, drifted_every=100)
        app.faults.configure(latency_ms=args.latency)
        with start_server("127.0.0.1", 0, app) as server:
            base = env_for(server.base_url)
            base.pop("PYTHONPATH", None)
            for i in range(args.runs * 2 + 1):
                label = "AB"[i % 2]
                env = {**base, "PYTHONPATH": trees[label]} if trees[label] else base
                result = run([sys.executable, "-m", "assistctl", "plan", str(directory)], env)
                if i > 0:  # the first run only warms the page cache
                    results[label].append((result.wall, result.cpu))
    print(
        f"{args.count} assistants, latency {args.latency} ms, {args.runs} runs each, "
        f"interleaved; 1-minute load average at the end {os.getloadavg()[0]:.2f}"
    )
    for label, tree in trees.items():
        walls = [w for w, _ in results[label]]
        cpus = [c for _, c in results[label]]
        print(
            f"{label} ({tree or 'installed'}): wall median {statistics.median(walls):.3f} s "
            f"(min {min(walls):.3f}), CPU median {statistics.median(cpus):.3f} s"
        )


if __name__ == "__main__":
    main()
