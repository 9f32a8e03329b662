"""Wall time of the whole ``assistctl validate`` process: one file and 1,000 files.

    python benchmarks/validate.py [--runs 7] [--files 1000]

Targets (issue 2): one file (the pre-commit case) <= 0.3 s, 1,000 files < 2 s. Each figure
is the median of several runs of a fresh process, so imports and startup are included.
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


def command() -> list[str]:
    """The installed console script when there is one (what pre-commit runs), else -m."""
    script = Path(sys.executable).parent / "assistctl"
    if script.exists():
        return [str(script)]
    found = shutil.which("assistctl")
    return [found] if found else [sys.executable, "-m", "assistctl"]


def generate(directory: Path, count: int) -> None:
    for i in range(count):
        sub = directory / f"team-{i % 10}"
        sub.mkdir(exist_ok=True)
        text = TEMPLATE.format(i=i, team=i % 10, digit=i % 10)
        (sub / f"assistant-{i:04d}.yaml").write_text(text, encoding="utf-8")


def timed(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(args, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"validate failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    cmd = command()
    with tempfile.TemporaryDirectory(prefix="assistctl-bench-") as tmp:
        root = Path(tmp) / "assistants"
        root.mkdir()
        generate(root, args.files)
        one = next(root.rglob("*.yaml"))
        subprocess.run([*cmd, "validate", str(one)], capture_output=True, check=False)  # warm
        rows = [
            ("one file (pre-commit)", timed([*cmd, "validate", str(one)], args.runs), 0.3),
            (f"{args.files} files", timed([*cmd, "validate", str(root)], args.runs), 2.0),
        ]
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
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
