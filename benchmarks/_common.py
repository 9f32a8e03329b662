"""What the plan benchmarks share: the command, manifests, seeding the emulator, timing.

Not a benchmark itself (no ``main``). Scripts in this folder import it as ``_common`` (Python
puts the script's folder first on ``sys.path``).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistctl.config.loader import load_or_raise
from assistctl.core.plan import create_body
from assistctl.emulator.app import EmulatorApp

PROJECT = "bench"
API_KEY = "sk-bench-not-a-real-key"

TEMPLATE = """\
key: assistant-{i:05d}
name: Assistant {i}
model: gpt-4o
description: Benchmark assistant number {i}, answering questions about topic {i}.
instructions: |
{instructions}
tools:
  - type: code_interpreter
  - type: function
    function:
      name: lookup_{i}
      description: Look something up.
      parameters:
        type: object
        properties:
          query: {{type: string, description: What to look up.}}
          limit: {{type: integer}}
        required: [query]
metadata:
  team: team-{team}
  owner: owner{i}@example.com
temperature: 0.{digit}
"""


def compile_bytecode(*trees: str | Path) -> None:
    """Write the ``.pyc`` files of assistctl: of each source tree given, else of the package
    in use.

    ``pip install`` compiles them, and an editable install writes them on its first run,
    unless ``PYTHONDONTWRITEBYTECODE`` is set (it is on the machine the figures in README.md
    come from): then every run compiles every module changed since the last compiled copy
    again, up to 0.3 s per process, which no user pays.
    """
    import compileall

    import assistctl

    roots = [Path(t) / "assistctl" for t in trees] if trees else [Path(assistctl.__file__).parent]
    for root in roots:
        compileall.compile_dir(str(root), quiet=1)


def command() -> list[str]:
    """The installed console script when there is one (what users run), else -m; with its
    bytecode compiled (:func:`compile_bytecode`)."""
    compile_bytecode()
    script = Path(sys.executable).parent / "assistctl"
    if script.exists():
        return [str(script)]
    found = shutil.which("assistctl")
    return [found] if found else [sys.executable, "-m", "assistctl"]


def instructions(i: int, size: int) -> str:
    """About ``size`` characters of distinct, multi-line prompt text (lines under 80)."""
    lines = [f"You are assistant {i}. Answer briefly and cite your sources."]
    n = 0
    while sum(len(line) + 1 for line in lines) < size:
        n += 1
        lines.append(f"Rule {n} of assistant {i}: never invent numbers; call the tools for data.")
    text = "\n".join(lines)[:size]
    return text.rstrip() + "\n"


def write_manifests(directory: Path, count: int, instructions_size: int = 120) -> None:
    """``count`` manifests of project :data:`PROJECT`, one file each, plus ``assistctl.yaml``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "assistctl.yaml").write_text(f"project: {PROJECT}\n", encoding="utf-8")
    for i in range(count):
        body = "".join(f"  {line}\n" for line in instructions(i, instructions_size).splitlines())
        text = TEMPLATE.format(i=i, instructions=body.rstrip("\n"), team=i % 10, digit=i % 10)
        (directory / f"assistant-{i:05d}.yaml").write_text(text, encoding="utf-8")


def seed(app: EmulatorApp, directory: Path, drifted_every: int = 0) -> list[str]:
    """Create, straight in the emulator's store (not logged, no latency), the assistant each
    manifest under ``directory`` would create, so the plan is all noop; then change the
    temperature of every ``drifted_every``-th one out of band (those become updates).
    Returns the ids, in manifest order."""
    loaded = load_or_raise([directory])
    ids = []
    for lm in loaded.manifests:
        ids.append(app.create_assistant(create_body(lm.manifest, PROJECT)).id)
    if drifted_every:
        for assistant_id in ids[::drifted_every]:
            app.modify_assistant(assistant_id, {"temperature": 1.5})
    return ids


def env_for(base_url: str) -> dict[str, str]:
    return {**os.environ, "ASSISTCTL_BASE_URL": base_url, "ASSISTCTL_API_KEY": API_KEY}


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    """User + system CPU seconds of the process (and its children)."""
    stdout: str
    stderr: str
    returncode: int


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: Sequence[str], env: dict[str, str] | None = None, ok: Sequence[int] = (0,)) -> Run:
    """Run a whole process and time it; exit the benchmark if it fails."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(list(args), capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if proc.returncode not in ok:
        sys.exit(
            f"{' '.join(args[:3])} ... failed ({proc.returncode}):\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
    return Run(wall, cpu, proc.stdout, proc.stderr, proc.returncode)


def median_of(runs: int, once: Callable[[], float]) -> tuple[float, list[float]]:
    times = [once() for _ in range(runs)]
    return statistics.median(times), times


_MAXRSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def peak_rss_kib(args: Sequence[str], env: dict[str, str] | None = None) -> tuple[int, Run]:
    """Peak RSS of a whole process, from ``/usr/bin/time -v`` (else ``RUSAGE_CHILDREN``,
    which is only right for the first child of this process that uses the most memory)."""
    if Path("/usr/bin/time").exists():
        result = run(["/usr/bin/time", "-v", *args], env)
        found = _MAXRSS.search(result.stderr)
        if found is None:
            sys.exit(f"no peak RSS in /usr/bin/time output:\n{result.stderr[-2000:]}")
        return int(found.group(1)), result
    result = run(args, env)
    return int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), result
