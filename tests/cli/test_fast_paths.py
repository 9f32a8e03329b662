"""``ASSISTCTL_NO_FAST_PATHS``: the process-level performance layer can be turned off, and
nothing but time changes.

Whole ``python -m assistctl`` processes, with and without the switch: the same exit codes,
the same bytes on stdout and stderr. With the switch the process is a plain Python one (its
collector thresholds and its teardown, where ``atexit`` hooks run); without it, neither.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from assistctl.cli.process import GC_THRESHOLDS, NO_FAST_PATHS
from assistctl.emulator.testing import EmulatorHandle
from clihelpers import at, project_dir

GOOD = "key: good\nmodel: gpt-4o\nname: Good\n"
BAD = "key: bad\nmodel: gpt-4o\ntemperature: 3\n"


def _env(switch: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTCTL_", "OPENAI_"))}
    if switch is not None:
        env[NO_FAST_PATHS] = switch
    return {**env, **extra}


def _assistctl(
    args: list[str], switch: str | None, cwd: Path, env: Mapping[str, str] | None = None
) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "assistctl", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(env) if env is not None else _env(switch),
        timeout=60,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return project_dir(tmp_path, {"good/good.yaml": GOOD, "bad/bad.yaml": BAD})


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--version"], 0),
        (["validate", "good"], 0),
        (["validate", "--format", "json", "good", "bad"], 1),
        (["validate"], 1),  # a usage error
        (["plan", "--no-such-flag", "good"], 1),
    ],
)
def test_offline_commands_are_the_same_with_the_switch(
    workdir: Path, args: list[str], code: int
) -> None:
    fast = _assistctl(args, None, workdir)
    plain = _assistctl(args, "1", workdir)
    assert fast[0] == code
    assert plain == fast


def test_commands_against_a_host_are_the_same_with_the_switch(
    workdir: Path, emulator: EmulatorHandle
) -> None:
    host = at(emulator.base_url, emulator.api_key)
    plan = [*host, "plan", "--detailed-exitcode", "good"]
    fast, plain = _assistctl(plan, None, workdir), _assistctl(plan, "1", workdir)
    assert fast[0] == 2 and "good" in fast[1]
    assert plain == fast
    assert _assistctl([*host, "apply", "--auto-approve", "good"], "1", workdir)[0] == 0
    for args, code in [(plan, 0), ([*host, "drift", "good"], 0)]:
        fast, plain = _assistctl(args, None, workdir), _assistctl(args, "1", workdir)
        assert fast[0] == code
        assert plain == fast
    dead = ["--base-url", "http://127.0.0.1:9/v1", "--api-key", "sk-x", "--max-retries", "0"]
    fast = _assistctl([*dead, "plan", "good"], None, workdir)
    assert fast[0] == 1 and "assistctl: error: Connection refused" in fast[2]
    assert _assistctl([*dead, "plan", "good"], "1", workdir) == fast


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
def test_a_reader_gone_before_the_output_gives_the_same_status(
    workdir: Path, unbuffered: bool
) -> None:
    """``assistctl validate ... | head -0``: the output cannot be written, in either mode
    (buffered, it fails only when flushed at the end)."""
    statuses = []
    for switch in (None, "1"):
        env = _env(switch)
        env.pop("PYTHONUNBUFFERED", None)
        if unbuffered:
            env["PYTHONUNBUFFERED"] = "1"
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "assistctl", "validate", "--format", "json", "good"],
                stdout=write_end,
                stderr=subprocess.PIPE,
                text=True,
                cwd=workdir,
                env=env,
                timeout=60,
            )
        finally:
            os.close(write_end)
        assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
        statuses.append(proc.returncode)
    assert statuses[0] == statuses[1]


_PROBE = """
import atexit, gc, sys
atexit.register(lambda: print("teardown", tuple(gc.get_threshold()), file=sys.stderr))
sys.argv = ["assistctl", "--version"]
from assistctl.cli.main import main
from assistctl.cli import process
process.start()  # main() does it again: the thresholds in force while the command runs
print("thresholds", tuple(gc.get_threshold()), file=sys.stderr)
main()
"""


def _default_thresholds() -> tuple[int, ...]:
    out = subprocess.run(
        [sys.executable, "-c", "import gc; print(tuple(gc.get_threshold()))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    thresholds = ast.literal_eval(out.strip())
    assert isinstance(thresholds, tuple)
    return thresholds


def _probe(switch: str | None) -> tuple[int, str, dict[str, tuple[int, ...]]]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=_env(switch)
    )
    seen = {}
    for line in proc.stderr.splitlines():
        word, _, value = line.partition(" ")
        seen[word] = ast.literal_eval(value)
    return proc.returncode, proc.stdout, seen


@pytest.mark.parametrize("switch", [None, "", "0"], ids=["unset", "empty", "0"])
def test_without_the_switch_the_collector_is_tuned_and_teardown_skipped(
    switch: str | None,
) -> None:
    code, out, seen = _probe(switch)
    assert code == 0 and out.startswith("assistctl, version")
    assert seen == {"thresholds": GC_THRESHOLDS}  # no "teardown": atexit hooks never ran


@pytest.mark.parametrize("switch", ["1", "yes"])
def test_with_the_switch_the_process_is_a_plain_python_one(switch: str) -> None:
    code, out, seen = _probe(switch)
    assert code == 0 and out.startswith("assistctl, version")
    defaults = _default_thresholds()
    assert defaults != GC_THRESHOLDS
    assert seen == {"thresholds": defaults, "teardown": defaults}
