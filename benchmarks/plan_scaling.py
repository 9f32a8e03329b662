"""Plan scaling: the whole ``assistctl plan`` process against N live assistants at 100 ms.

    python benchmarks/plan_scaling.py [--sizes 100 1000 5000] [--runs 3] [--baseline-runs 3]

The emulator runs in this process on 127.0.0.1 with ``--latency`` ms per API request (a real
API round trip). For each N it is reset and seeded straight through its store (not logged,
no latency): the N assistants that N manifests would create, labelled for project ``bench``,
with every 100th one's temperature changed out of band, so the plan is N/100 updates and
the rest noop. Then, each run a fresh process:

- ``assistctl plan DIR`` (start-up, loading and validating N manifest files, listing, the
  plan and its text output);
- the per-object refresh baseline ``benchmarks/refresh_baseline.py`` (list, then N GETs at
  parallelism 10, as Terraform's refresh does), with the same interpreter.

``cpu s`` is the plan process's own user + system CPU (median): what the client costs,
apart from waiting for the emulator. Requests are counted from the emulator's request log (``GET /_admin/requests``), cleared
before each run. Targets (issue 7): plan requests = ceil(N/100); plan wall <= floor + 1 s,
the floor being ceil(N/100) x latency (the list pages are sequential); at N = 1,000 plan is
>= 5x faster than the baseline.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import tempfile
from pathlib import Path

import httpx
from _common import command, env_for, run, seed, write_manifests

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import RunningServer, start_server

BASELINE = Path(__file__).with_name("refresh_baseline.py")
_SUMMARY = re.compile(r"^Plan: 0 to create, (\d+) to update, 0 to delete\.$", re.MULTILINE)


def logged_requests(server: RunningServer) -> list[dict[str, object]]:
    response = httpx.get(f"{server.root_url}/_admin/requests", timeout=30)
    response.raise_for_status()
    data: list[dict[str, object]] = response.json()["data"]
    return data


def clear_log(server: RunningServer) -> None:
    httpx.delete(f"{server.root_url}/_admin/requests", timeout=30).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--runs", type=int, default=3, help="plan runs per size (median)")
    parser.add_argument("--baseline-runs", type=int, default=3, help="baseline runs per size")
    parser.add_argument("--latency", type=int, default=100, help="emulator latency, ms")
    args = parser.parse_args()
    cmd = command()
    latency = args.latency / 1000
    print(
        f"emulator latency {args.latency} ms; plan = whole '{' '.join(cmd)} plan DIR' process, "
        f"median of {args.runs}; baseline = whole '{Path(sys.executable).name} "
        f"{BASELINE.name}' process (list + N GETs at parallelism 10), median of "
        f"{args.baseline_runs}"
    )
    print(
        f"{'N':>6} {'requests':>8} {'target':>6} {'plan s':>7} {'min':>6} {'max':>6} "
        f"{'cpu s':>6} {'floor s':>7} {'<=fl+1':>6} {'base s':>7} {'base req':>8} {'x base':>7}"
    )
    failed = False
    with tempfile.TemporaryDirectory(prefix="assistctl-bench-") as tmp:
        app = EmulatorApp("openai")
        with start_server("127.0.0.1", 0, app) as server:
            env = env_for(server.base_url)
            for n in args.sizes:
                directory = Path(tmp) / f"n{n}"
                write_manifests(directory, n)
                app.reset()
                seed(app, directory, drifted_every=100)
                app.faults.configure(latency_ms=args.latency)
                plan_args = [*cmd, "plan", str(directory)]
                run(plan_args, env)  # warm-up: cold .pyc and page caches
                walls, cpus, counts = [], [], []
                for _ in range(args.runs):
                    clear_log(server)
                    result = run(plan_args, env)
                    summary = _SUMMARY.search(result.stdout)
                    if summary is None or int(summary.group(1)) != math.ceil(n / 100):
                        sys.exit(f"unexpected plan output:\n{result.stdout[-2000:]}")
                    walls.append(result.wall)
                    cpus.append(result.cpu)
                    counts.append(len(logged_requests(server)))
                base_walls, base_counts = [], []
                for _ in range(args.baseline_runs):
                    clear_log(server)
                    result = run([sys.executable, str(BASELINE), server.base_url], env)
                    if json.loads(result.stdout)["listed"] != n:
                        sys.exit(f"baseline listed the wrong count: {result.stdout}")
                    base_walls.append(result.wall)
                    base_counts.append(len(logged_requests(server)))
                wall = statistics.median(walls)
                # --baseline-runs 0 skips the (slow) baseline: plan figures only.
                base = statistics.median(base_walls) if base_walls else math.nan
                requests = max(counts)
                floor = math.ceil(n / 100) * latency
                within = wall <= floor + 1.0
                ok = requests == math.ceil(n / 100) and within
                if n == 1000 and base_walls:
                    ok = ok and base / wall >= 5.0
                failed |= not ok
                print(
                    f"{n:>6} {requests:>8} {math.ceil(n / 100):>6} {wall:>7.3f} "
                    f"{min(walls):>6.3f} {max(walls):>6.3f} {statistics.median(cpus):>6.3f} "
                    f"{floor:>7.3f} "
                    f"{'ok' if within else 'MISSED':>6} {base:>7.3f} {max(base_counts, default=0):>8} "
                    f"{base / wall:>6.1f}x",
                    flush=True,
                )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
