"""Where a plan's time goes: imports, loading, listing and planning, rendering; and the
emulator's own cost per list page.

    python benchmarks/plan_phases.py [--count 5000] [--latency 100] [--runs 3]

The diagnostic behind ``plan_scaling.py``: the same manifests and seeded emulator (in this
process), then ``--runs`` child processes that each time the phases of a plan in-process
(wall), printed as medians, with the collector thresholds ``assistctl`` sets.
``list_and_plan`` is the command's own function, which plans each page while the next is
fetched; ``plan_cpu`` is the CPU of that planning (hidden behind the listing when it works),
``round_trip_ms`` the median time of one list request as the client sees it. The emulator line is the CPU time of
answering one list page of 100 in-process (``EmulatorApp.handle`` plus the client's
``json.loads``), median over all pages of 5 passes: the part of each page's round trip that
is the emulator's, not the latency it simulates.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistctl.emulator.app import EmulatorApp

PROJECT = "bench"  # as in _common, not imported by the child: it would pre-import assistctl
PHASES = ("imports", "load", "list_and_plan", "plan_cpu", "render", "round_trip_ms")


def child(directory: str) -> None:
    """Time the phases of one plan in this process; print them as one JSON line."""
    t0 = time.perf_counter()
    from assistctl.api.client import AssistantsClient
    from assistctl.cli import process
    from assistctl.cli.commands._shared import list_and_plan
    from assistctl.config.loader import load_or_raise
    from assistctl.core.plan import Planner
    from assistctl.options import GlobalOptions
    from assistctl.output.render import render_plan

    process.start()  # as the console script: the collector thresholds
    # CPU of the planning itself (main thread), which list_and_plan overlaps with the
    # listing; and each list request's round trip, in the listing thread.
    plan_cpu = [0.0]
    add = Planner.add

    def timed_add(self: Planner, obj: Mapping[str, Any]) -> None:
        start = time.thread_time()
        add(self, obj)
        plan_cpu[0] += time.thread_time() - start

    Planner.add = timed_add  # type: ignore[method-assign]
    trips: list[float] = []
    request = AssistantsClient._request

    def timed_request(self: AssistantsClient, *args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return request(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            trips.append(time.perf_counter() - start)

    AssistantsClient._request = timed_request  # type: ignore[method-assign]
    t1 = time.perf_counter()
    loaded = load_or_raise([directory])
    t2 = time.perf_counter()
    with AssistantsClient.from_options(GlobalOptions(), loaded.project) as client:
        planner = Planner((lm.manifest for lm in loaded.manifests), PROJECT)
        plan = list_and_plan(client, planner)
    t3 = time.perf_counter()
    render_plan(plan, "text")
    t4 = time.perf_counter()
    times = [t1 - t0, t2 - t1, t3 - t2, plan_cpu[0], t4 - t3, statistics.median(trips) * 1000]
    print(json.dumps(dict(zip(PHASES, times, strict=True))))


def page_cpu_ms(app: EmulatorApp) -> float:
    headers = [("authorization", "Bearer x"), ("openai-beta", "assistants=v2")]
    per_page = []
    for _ in range(5):
        after = None
        while True:
            query = "limit=100&order=asc" + (f"&after={after}" if after else "")
            start = time.process_time()
            page = json.loads(app.handle("GET", "/v1/assistants", query, headers, b"").body)
            per_page.append((time.process_time() - start) * 1000)
            if not page["has_more"]:
                break
            after = page["last_id"]
    return statistics.median(per_page)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    from _common import compile_bytecode, env_for, seed, write_manifests

    from assistctl.emulator.app import EmulatorApp
    from assistctl.emulator.server import start_server

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--latency", type=int, default=100, help="emulator latency, ms")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_bytecode()  # the child imports the installed package
    with tempfile.TemporaryDirectory(prefix="assistctl-bench-") as tmp:
        directory = Path(tmp) / "assistants"
        write_manifests(directory, args.count)
        app = EmulatorApp("openai")
        seed(app, directory, drifted_every=100)
        page_ms = page_cpu_ms(app)
        app.faults.configure(latency_ms=args.latency)
        with start_server("127.0.0.1", 0, app) as server:
            env = env_for(server.base_url)
            runs = []
            for _ in range(args.runs):
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", str(directory)],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                runs.append(json.loads(proc.stdout))
    source = os.environ.get("PYTHONPATH") or "installed package"
    print(
        f"{args.count} manifests, {args.count} live ({args.count // 100} drifted), latency "
        f"{args.latency} ms, median of {args.runs} runs; assistctl from {source}"
    )
    print(
        "  ".join(
            f"{p} {statistics.median(r[p] for r in runs):.3f}{'' if p.endswith('_ms') else ' s'}"
            for p in PHASES
        )
    )
    print(f"emulator: {page_ms:.2f} ms CPU per list page of 100 (handle + json.loads)")


if __name__ == "__main__":
    main()
