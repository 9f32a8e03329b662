"""Wall time of the whole ``assistctl validate`` process: one file and 1,000 files, and
``check-jsonschema`` on the same 1,000 files for comparison.

    python benchmarks/validate.py [--runs 7] [--files 1000] [--compare-runs 5]
    python benchmarks/validate.py --a OLD/src [--b NEW/src] [--runs 21]

Targets: one file (the pre-commit case) <= 0.3 s, 1,000 files < 2 s (issue 2); 1,000 files
>= 2x faster than ``check-jsonschema --schemafile schemas/assistant.schema.json FILES...``
(issue 7), which checks the same files against the published schema only (no positions,
no cross-file rules, no policy); the same 1,000 files written with variables (``${model}``,
``${temperature}``, ``${brand}`` in text) in a project of 3 environments, validated in every
environment, within 3x the plain 1,000 files (issue 15). Each figure is the median of several
runs of a fresh process, so imports and startup are included. ``--compare-runs 0`` skips the
comparison.

With ``--a``, a before/after instead: ``python -m assistctl validate`` from source tree A and
source tree B (``PYTHONPATH=SRC``; an empty ``--b`` is the installed package) run in turn,
A B A B ..., on the same files, and each pair's B/A ratio is taken, so that the machine's
drift over minutes cancels out (as ``plan_ab.py`` does for plans).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import Run, command, compile_bytecode, run

TEMPLATE = """\
# yaml-language-server: $schema=../../schemas/assistant.schema.json
key: assistant-{i:04d}
name: Assistant {i}
model: gpt-4o
description: Benchmark assistant number {i}, answering questions about topic {i}.
instructions: |
  You are assistant {i}. Answer briefly and cite your sources.
  Never invent numbers; call the tools for data.
tools:
  - type: code_interpreter
  - type: file_search
    file_search:
      max_num_results: 10
      ranking_options: {{ranker: auto, score_threshold: 0.5}}
  - type: function
    function:
      name: lookup_{i}
      description: Look something up.
      strict: true
      parameters:
        type: object
        properties:
          query: {{type: string, description: What to look up.}}
          limit: {{type: integer}}
        required: [query, limit]
        additionalProperties: false
tool_resources:
  code_interpreter: {{file_ids: [file-{i}a, file-{i}b]}}
  file_search: {{vector_store_ids: [vs_{i}]}}
metadata:
  team: team-{team}
  owner: owner{i}@example.com
temperature: 0.{digit}
top_p: 1.0
response_format: auto
lifecycle: {{prevent_destroy: false, ignore_changes: [metadata]}}
"""


PROJECT_WITH_ENVIRONMENTS = """\
project: bench
vars: {brand: Acme, temperature: 0.3}
environments:
  dev: {vars: {model: gpt-4o-mini, temperature: 0.8}}
  staging: {vars: {model: gpt-4o}}
  prod: {vars: {model: gpt-4o, brand: Acme Corp}}
"""
ENVIRONMENTS_RATIO = 3.0


def generate(directory: Path, count: int, *, environments: bool = False) -> None:
    """``count`` manifests; with ``environments``, written with variables in a project of
    three environments (every manifest refers to variables: the worst case)."""
    if environments:
        (directory / ".git").mkdir()
        (directory / "assistctl.yaml").write_text(PROJECT_WITH_ENVIRONMENTS, encoding="utf-8")
    for i in range(count):
        sub = directory / f"team-{i % 10}"
        sub.mkdir(exist_ok=True)
        text = TEMPLATE.format(i=i, team=i % 10, digit=i % 10)
        if environments:
            text = (
                text.replace("model: gpt-4o\n", "model: ${model}\n")
                .replace(f"temperature: 0.{i % 10}\n", "temperature: ${temperature}\n")
                .replace("Answer briefly", "Answer about ${brand} briefly")
            )
        (sub / f"assistant-{i:04d}.yaml").write_text(text, encoding="utf-8")


SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "assistant.schema.json"
COMPARE_RATIO = 2.0


def timed(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"{args[0]} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return times


def interleaved(trees: dict[str, str], args: list[str], runs: int) -> dict[str, list[Run]]:
    """``runs`` timed runs of each tree, alternating, after one untimed run of each."""
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    results: dict[str, list[Run]] = {label: [] for label in trees}
    for i in range(runs + 1):
        for label, tree in trees.items():
            env = {**base, "PYTHONPATH": tree} if tree else base
            result = run([sys.executable, "-m", "assistctl", *args], env)
            if i > 0:
                results[label].append(result)
    return results


def compare_trees(trees: dict[str, str], root: Path, count: int, runs: int) -> None:
    compile_bytecode(*(t for t in trees.values() if t))
    if not all(trees.values()):
        compile_bytecode()  # the installed package
    print(f"A = {trees['A']}, B = {trees['B'] or 'installed'}; {runs} runs each, interleaved")
    one = str(sorted(root.rglob("*.yaml"))[0])
    for label, paths in [("one file", [one]), (f"{count} files", [str(root)])]:
        results = interleaved(trees, ["validate", *paths], runs)
        for tree in trees:
            walls = [r.wall for r in results[tree]]
            cpus = [r.cpu for r in results[tree]]
            print(
                f"{label:12} {tree}: wall median {statistics.median(walls):.3f} s "
                f"(min {min(walls):.3f}), CPU median {statistics.median(cpus):.3f} s"
            )
        pairs = list(zip(results["A"], results["B"], strict=True))
        wall = statistics.median(b.wall / a.wall for a, b in pairs)
        cpu = statistics.median(b.cpu / a.cpu for a, b in pairs)
        print(f"{label:12} B/A: wall {wall:.3f}, CPU {cpu:.3f} (medians of the pairs' ratios)")
    print(f"1-minute load average at the end {os.getloadavg()[0]:.2f}")


def environment_pairs(
    cmd: list[str], plain: Path, with_environments: Path, runs: int
) -> list[tuple[Run, Run]]:
    """``runs`` pairs (plain, with environments), run in turn so that the machine's load
    weighs on both alike."""
    return [
        (run([*cmd, "validate", str(plain)]), run([*cmd, "validate", str(with_environments)]))
        for _ in range(runs)
    ]


def check_jsonschema() -> str | None:
    script = Path(sys.executable).parent / "check-jsonschema"
    return str(script) if script.exists() else shutil.which("check-jsonschema")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--compare-runs", type=int, default=5, help="check-jsonschema runs")
    parser.add_argument("--a", help="before/after: source tree A (the 'src' folder)")
    parser.add_argument("--b", default="", help="source tree B (default: installed)")
    args = parser.parse_args()
    if args.a:
        with tempfile.TemporaryDirectory(prefix="assistctl-bench-") as tmp:
            root = Path(tmp) / "assistants"
            root.mkdir()
            generate(root, args.files)
            compare_trees({"A": args.a, "B": args.b}, root, args.files, args.runs)
        return
    cmd = command()
    checker = check_jsonschema() if args.compare_runs > 0 else None
    compared: list[float] = []
    with tempfile.TemporaryDirectory(prefix="assistctl-bench-") as tmp:
        root = Path(tmp) / "assistants"
        root.mkdir()
        generate(root, args.files)
        files = sorted(str(p) for p in root.rglob("*.yaml"))
        one = files[0]
        subprocess.run([*cmd, "validate", one], capture_output=True, check=False)  # warm
        rows = [
            ("one file (pre-commit)", timed([*cmd, "validate", one], args.runs), 0.3),
            (f"{args.files} files", timed([*cmd, "validate", str(root)], args.runs), 2.0),
        ]
        with_environments = Path(tmp) / "environments"
        with_environments.mkdir()
        generate(with_environments, args.files, environments=True)
        pairs = environment_pairs(cmd, root, with_environments, args.runs)
        if checker is not None:
            schema = ["--schemafile", str(SCHEMA)]
            subprocess.run([checker, *schema, one], capture_output=True, check=False)  # warm
            compared = timed([checker, *schema, *files], args.compare_runs)
    print(f"command: {' '.join(cmd)} validate ...  ({args.runs} runs each)")
    failed = False
    for label, times, target in rows:
        median = statistics.median(times)
        verdict = "ok" if median <= target else "MISSED"
        failed |= median > target
        print(
            f"{label:24} median {median:6.3f} s   min {min(times):6.3f} s   "
            f"max {max(times):6.3f} s   target {target} s: {verdict}"
        )
    walls = [e.wall for _, e in pairs]
    ratio = statistics.median(e.wall / p.wall for p, e in pairs)
    cpu_ratio = statistics.median(e.cpu / p.cpu for p, e in pairs)
    verdict = "ok" if ratio <= ENVIRONMENTS_RATIO else "MISSED"
    failed |= ratio > ENVIRONMENTS_RATIO
    print(
        f"{'x 3 environments':24} median {statistics.median(walls):6.3f} s   min "
        f"{min(walls):6.3f} s   max {max(walls):6.3f} s   {ratio:.2f}x wall, {cpu_ratio:.2f}x "
        f"CPU the plain {args.files} files, interleaved (target <= {ENVIRONMENTS_RATIO:.0f}x): "
        f"{verdict}"
    )
    if compared:
        ours = statistics.median(rows[1][1])
        theirs = statistics.median(compared)
        ratio = theirs / ours
        verdict = "ok" if ratio >= COMPARE_RATIO else "MISSED"
        failed |= ratio < COMPARE_RATIO
        print(
            f"check-jsonschema --schemafile schemas/assistant.schema.json FILES... "
            f"({args.files} files, {args.compare_runs} runs)"
        )
        print(
            f"{'check-jsonschema':24} median {theirs:6.3f} s   min {min(compared):6.3f} s   "
            f"max {max(compared):6.3f} s   assistctl is {ratio:.1f}x faster "
            f"(target >= {COMPARE_RATIO:.0f}x): {verdict}"
        )
    elif args.compare_runs > 0:
        print("check-jsonschema not found (pip install -e '.[dev]'): comparison skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
