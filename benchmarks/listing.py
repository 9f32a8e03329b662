"""Issue 18: plan faster than the one-cursor floor, side by side with the one-cursor walk.

    python benchmarks/listing.py [--sizes 1000 5000] [--runs 5] [--latency 100] [--today SRC]

For each N: N manifests on disk and the N assistants they would create seeded in the
emulator (in this process, ``--latency`` ms per request; seeded through the store, so they
all share one or two seconds of ``created_at``: the walk must meet inside a run of ties),
every 100th one drifted. Then whole ``assistctl plan DIR`` processes, interleaved run by run:

- ``two-ended``: this tree as it ships (from both ends, listing while validating);
- ``one-cursor``: this tree with ``ASSISTCTL_LISTING=one-cursor`` (today's walk, still
  listing while validating);
- ``today`` (with ``--today SRC``): another source tree, e.g. main before issue 18
  (``git worktree add /tmp/today COMMIT``; ``--today /tmp/today/src``).

Printed per N and variant: median wall time (min, max), the plan process's CPU, and the list
requests the emulator logged (the most of any run). Targets: N = 1,000 at most 1.1 s, N =
5,000 at most 3.5 s, requests at most ceil(N/100) + 2.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

import httpx
from _common import command, compile_bytecode, env_for, run, seed, write_manifests

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import RunningServer, start_server

TARGETS = {1000: 1.1, 5000: 3.5}
_OURS = ("ASSISTCTL_BASE_URL", "ASSISTCTL_API_KEY")
_SUMMARY = re.compile(r"^Plan: 0 to create, (\d+) to update, 0 to delete\.$", re.MULTILINE)


def _lists(server: RunningServer) -> int:
    answer = httpx.get(f"{server.root_url}/_admin/requests", timeout=30).json()["data"]
    return sum(1 for e in answer if e["operation"] == "list")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=int, default=100, help="emulator latency, ms")
    parser.add_argument("--today", default="", help="another source tree to run beside")
    args = parser.parse_args()
    cmd = command()
    variants: dict[str, tuple[list[str], dict[str, str]]] = {
        "two-ended": (cmd, {}),
        "one-cursor": (cmd, {"ASSISTCTL_LISTING": "one-cursor"}),
    }
    if args.today:
        compile_bytecode(args.today)
        variants["today"] = ([sys.executable, "-m", "assistctl"], {"PYTHONPATH": args.today})
    print(
        f"latency {args.latency} ms, whole 'assistctl plan DIR' processes, median of "
        f"{args.runs} interleaved runs each"
    )
    print(
        f"{'N':>6} {'variant':>11} {'wall s':>7} {'min':>6} {'max':>6} {'cpu s':>6} "
        f"{'lists':>6} {'<=':>4} {'target s':>8}"
    )
    failed = False
    with tempfile.TemporaryDirectory(prefix="assistctl-bench-") as tmp:
        app = EmulatorApp("openai")
        with start_server("127.0.0.1", 0, app) as server:
            # Only the host and the key of ours: an ASSISTCTL_LISTING (or any other setting)
            # of the shell running the benchmark would change what a variant measures.
            env = {
                k: v
                for k, v in env_for(server.base_url).items()
                if k in _OURS or not k.startswith(("ASSISTCTL_", "OPENAI_"))
            }
            env.pop("PYTHONPATH", None)
            for n in args.sizes:
                directory = Path(tmp) / f"n{n}"
                write_manifests(directory, n)
                app.reset()
                seed(app, directory, drifted_every=100)
                app.faults.configure(latency_ms=args.latency)
                walls: dict[str, list[float]] = {v: [] for v in variants}
                cpus: dict[str, list[float]] = {v: [] for v in variants}
                lists: dict[str, int] = dict.fromkeys(variants, 0)
                for i in range(args.runs + 1):
                    for name, (argv, extra) in variants.items():
                        app.clear_requests()
                        result = run([*argv, "plan", str(directory)], {**env, **extra})
                        found = _SUMMARY.search(result.stdout)
                        if found is None or int(found.group(1)) != math.ceil(n / 100):
                            sys.exit(f"{name}: unexpected plan:\n{result.stdout[-2000:]}")
                        if i == 0:
                            continue  # warm-up: page cache, bytecode
                        walls[name].append(result.wall)
                        cpus[name].append(result.cpu)
                        lists[name] = max(lists[name], _lists(server))
                bound = math.ceil(n / 100) + 2
                for name in variants:
                    wall = statistics.median(walls[name])
                    target = TARGETS.get(n)
                    if name == "two-ended":
                        failed |= lists[name] > bound or (target is not None and wall > target)
                    print(
                        f"{n:>6} {name:>11} {wall:>7.3f} {min(walls[name]):>6.3f} "
                        f"{max(walls[name]):>6.3f} {statistics.median(cpus[name]):>6.3f} "
                        f"{lists[name]:>6} {bound:>4} "
                        f"{'' if target is None else f'{target:.1f}':>8}",
                        flush=True,
                    )
    print(f"1-minute load average at the end: {os.getloadavg()[0]:.2f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
