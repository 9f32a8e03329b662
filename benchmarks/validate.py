"""Wall time of the whole ``assistctl validate`` process: one file and 1,000 files, and
``check-jsonschema`` on the same 1,000 files for comparison.

    python benchmarks/validate.py [--runs 7] [--files 1000] [--compare-runs 5]

Targets: one file (the pre-commit case) <= 0.3 s, 1,000 files < 2 s (issue 2); 1,000 files
>= 2x faster than ``check-jsonschema --schemafile schemas/assistant.schema.json FILES...``
(issue 7), which checks the same files against the published schema only (no positions,
no cross-file rules, no policy). Each figure is the median of several runs of a fresh
process, so imports and startup are included. ``--compare-runs 0`` skips the comparison.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import command

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


def generate(directory: Path, count: int) -> None:
    for i in range(count):
        sub = directory / f"team-{i % 10}"
        sub.mkdir(exist_ok=True)
        text = TEMPLATE.format(i=i, team=i % 10, digit=i % 10)
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


def check_jsonschema() -> str | None:
    script = Path(sys.executable).parent / "check-jsonschema"
    return str(script) if script.exists() else shutil.which("check-jsonschema")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--compare-runs", type=int, default=5, help="check-jsonschema runs")
    args = parser.parse_args()
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
