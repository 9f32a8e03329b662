"""``error_handler.run_and_exit``: the process ends with the command's code, output flushed.

The CLI skips interpreter teardown (``os._exit``), so these run in a subprocess: what a
shell or CI sees is the exit status and every byte written, including buffered ones. Each
runs twice: as shipped, and with ``ASSISTCTL_NO_FAST_PATHS=1`` (a normal interpreter exit),
which must not change either.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistctl.cli.process import NO_FAST_PATHS


@pytest.fixture(params=["fast exit", "ASSISTCTL_NO_FAST_PATHS=1"], autouse=True)
def switch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NO_FAST_PATHS, raising=False)
    if request.param != "fast exit":
        monkeypatch.setenv(NO_FAST_PATHS, "1")


def _run(body: str, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    script = (
        "import sys\n"
        "from assistctl.cli import error_handler\n"
        "from assistctl.errors import UsageError\n"
        f"{body}\n"
        "error_handler.run_and_exit(entry)\n"
        "print('not reached')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("returned", "code"), [("0", 0), ("2", 2), ("None", 0), ("130", 130)])
def test_the_entry_result_is_the_exit_status(returned: str, code: int) -> None:
    proc = _run(f"def entry():\n    return {returned}")
    assert proc.returncode == code
    assert "not reached" not in proc.stdout


def test_buffered_output_is_flushed_before_the_process_ends() -> None:
    # 1 MB in pieces and no newline at the end: all of it sits in buffers at exit.
    proc = _run(
        "def entry():\n"
        "    for _ in range(1000):\n"
        "        sys.stdout.write('x' * 1000)\n"
        "    sys.stderr.write('note without newline')\n"
        "    return 2"
    )
    assert proc.returncode == 2
    assert proc.stdout == "x" * 1_000_000
    assert proc.stderr == "note without newline"


def test_errors_still_become_one_sentence_and_their_code() -> None:
    proc = _run("def entry():\n    raise UsageError('no such thing')")
    assert proc.returncode == 1
    assert proc.stderr == "assistctl: error: no such thing\n"


def test_an_exit_message_is_printed_with_status_1_as_the_interpreter_would() -> None:
    proc = _run("def entry():\n    raise SystemExit('stopped: because')")
    assert proc.returncode == 1
    assert proc.stderr == "stopped: because\n"


def test_output_nobody_reads_does_not_change_the_status(monkeypatch: pytest.MonkeyPatch) -> None:
    """Buffered output for a reader that is gone (``| head -0``) cannot be flushed: the
    status is still the command's, and nothing is reported at exit."""
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = _run("def entry():\n    sys.stdout.write('x' * 100)\n    return 0", write_end)
    finally:
        os.close(write_end)
    assert proc.returncode == 0
    assert proc.stderr == ""
