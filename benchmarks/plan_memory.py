"""Peak memory of the whole ``assistctl plan`` process: 10,000 assistants, 4 KB instructions.

    python benchmarks/plan_memory.py [--count 10000] [--instructions 4096] [--runs 3]

The emulator runs in this process on 127.0.0.1 (``--latency`` ms, default 0: memory does not
depend on it) and is seeded straight through its store with the assistants the manifests
would create (every 100th one drifted, so the plan has a few updates and renders them).
``assistctl plan DIR`` then loads COUNT manifest files, lists COUNT assistants (COUNT/100
pages) and plans. Its peak RSS comes from ``/usr/bin/time -v`` (else ``RUSAGE_CHILDREN``).

The data size is what the API sends for the listing: the JSON of every live assistant, as
the emulator serializes it (the manifests on disk are about the same again). Target (issue
7): peak RSS <= 3x the data size. The interpreter's own baseline (``python -c pass``) and
the start-up of ``assistctl --version`` are reported separately: they are paid at any N.

``--phases`` adds where the memory goes: a child process plans in-process (with the CLI's
collector thresholds, and the command's own listing-and-planning function) and prints its RSS
after each phase: imports, loading the manifests, listing and planning (page by page),
rendering the plan.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_RATIO = 3.0
MB = 1_000_000
PHASES = ("imports", "load", "list and plan", "render")


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) * 1024 / MB


def child(directory: str) -> None:
    """Plan in this process as ``assistctl plan`` does; print the RSS after each phase."""
    rss = []
    from assistctl.api.client import AssistantsClient
    from assistctl.cli import process
    from assistctl.cli.commands._shared import list_and_plan
    from assistctl.config.loader import load_or_raise
    from assistctl.core.plan import Planner
    from assistctl.options import GlobalOptions
    from assistctl.output.render import render_plan

    process.start()  # as the console script: the collector thresholds
    rss.append(_rss_mb())
    loaded = load_or_raise([directory])
    rss.append(_rss_mb())
    with AssistantsClient.from_options(GlobalOptions(), loaded.project) as client:
        # As open_session: the planner holds the only references to the manifests.
        planner = Planner((lm.manifest for lm in loaded.manifests), "bench")
        del loaded
        plan = list_and_plan(client, planner)
    rss.append(_rss_mb())
    render_plan(plan, "text")
    rss.append(_rss_mb())
    print(json.dumps(dict(zip(PHASES, rss, strict=True))))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    from _common import command, env_for, peak_rss_kib, seed, write_manifests

    from assistctl.emulator.app import EmulatorApp
    from assistctl.emulator.server import start_server

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--instructions", type=int, default=4096, help="characters each")
    parser.add_argument("--runs", type=int, default=3, help="plan runs (median peak RSS)")
    parser.add_argument("--latency", type=int, default=0, help="emulator latency, ms")
    parser.add_argument("--phases", action="store_true", help="also RSS after each phase")
    args = parser.parse_args()
    phases: dict[str, float] = {}
    cmd = command()
    python_rss, _ = peak_rss_kib([sys.executable, "-c", "pass"])
    version_rss, _ = peak_rss_kib([*cmd, "--version"])
    with tempfile.TemporaryDirectory(prefix="assistctl-bench-") as tmp:
        directory = Path(tmp) / "assistants"
        write_manifests(directory, args.count, args.instructions)
        on_disk = sum(p.stat().st_size for p in directory.glob("*.yaml"))
        app = EmulatorApp("openai")
        seed(app, directory, drifted_every=100)
        data = sum(len(json.dumps(r.obj, ensure_ascii=False).encode()) for r in app.store.all())
        app.faults.configure(latency_ms=args.latency)
        with start_server("127.0.0.1", 0, app) as server:
            env = env_for(server.base_url)
            peaks, walls = [], []
            for _ in range(args.runs):
                peak, result = peak_rss_kib([*cmd, "plan", str(directory)], env)
                if f"{args.count // 100} to update" not in result.stdout:
                    sys.exit(f"unexpected plan output:\n{result.stdout[-2000:]}")
                peaks.append(peak)
                walls.append(result.wall)
            if args.phases:
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", str(directory)],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                phases = json.loads(proc.stdout)
    peak_mb = statistics.median(peaks) * 1024 / MB
    ratio = peak_mb * MB / data
    verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
    print(
        f"{args.count} assistants, {args.instructions}-character instructions; "
        f"'{' '.join(cmd)} plan DIR', {args.runs} runs, latency {args.latency} ms"
    )
    print(f"data: live JSON {data / MB:.1f} MB, manifests on disk {on_disk / MB:.1f} MB")
    print(
        f"baseline: python -c pass {python_rss * 1024 / MB:.1f} MB, "
        f"assistctl --version {version_rss * 1024 / MB:.1f} MB"
    )
    print(
        f"plan peak RSS: median {peak_mb:.1f} MB (runs: "
        f"{', '.join(f'{p * 1024 / MB:.1f}' for p in peaks)}), wall median "
        f"{statistics.median(walls):.2f} s"
    )
    print(
        f"peak / data = {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x): {verdict}; without "
        f"the interpreter baseline {(peak_mb - python_rss * 1024 / MB) * MB / data:.2f}x"
    )
    if phases:
        steps, last = [], 0.0
        for name, rss in phases.items():
            steps.append(f"{name} {rss:.0f} MB ({rss - last:+.0f})")
            last = rss
        print("in-process RSS after each phase: " + ", ".join(steps))
    sys.exit(0 if ratio <= TARGET_RATIO else 1)


if __name__ == "__main__":
    main()
