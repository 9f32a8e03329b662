"""The process-level performance layer: how the console script starts and ends a process.

Two measures, each justified by a benchmark (see benchmarks/README.md), and one switch that
turns both off for debugging: ``ASSISTCTL_NO_FAST_PATHS=1`` (a profiler, a leak hunt, an
``atexit`` hook or a finalizer that should run). Output, exit codes and files are
the same either way; only time differs. Every other measure is marked ``# perf:`` where it
lives.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import NoReturn, TextIO

EXIT_INTERRUPTED = 130
NO_FAST_PATHS = "ASSISTCTL_NO_FAST_PATHS"
"""Set to anything but ``""`` or ``"0"``: Python's own collector thresholds and teardown."""

GC_THRESHOLDS = (10_000, 50, 50)
"""A run builds mostly objects that live until it ends (manifests, live assistants, the
plan); with Python's default thresholds (700, 10, 10) the collector rescans all of them
each time they grow by a quarter. Young collections stay frequent enough to free the
reference cycles a run does make, and full ones still come in the long-running
``assistctl emulator``."""


def fast_paths() -> bool:
    """False when :data:`NO_FAST_PATHS` asks for a plain Python process."""
    return os.environ.get(NO_FAST_PATHS, "") in ("", "0")


def start() -> None:
    """Tune the process for a command run (before the command's imports)."""
    if fast_paths():
        # perf: benchmarks/plan_ab.py, "GC thresholds only" in benchmarks/README.md.
        gc.set_threshold(*GC_THRESHOLDS)


def end(code: int) -> NoReturn:
    """Flush the output and end the process with ``code``.

    Teardown frees every object one by one and runs no code a finished command needs: its
    output is flushed here, its files are replaced atomically as they are written, its
    connections are closed, and the emulator persists on every write.
    """
    stdout_flushed = _flush(sys.stdout)
    _flush(sys.stderr)
    if code == EXIT_INTERRUPTED:
        # Not a measure: after Ctrl-C, apply's workers may still hang on calls it reported
        # as unknown, and the interpreter's exit would wait for them.
        os._exit(code)
    if fast_paths():
        # perf: benchmarks/apply.py, the os._exit A/B in benchmarks/README.md.
        os._exit(code)
    if not stdout_flushed:
        # What is left in stdout's buffer cannot be written; without this the interpreter
        # reports a BrokenPipeError at exit and ends with status 120 instead of ``code``.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)


def _flush(stream: TextIO) -> bool:
    try:
        stream.flush()
    except (OSError, ValueError):  # a closed pipe (`| head`) or stream
        return False
    return True
