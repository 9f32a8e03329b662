"""How an apply shows its progress: a live bar on a TTY, one line per change otherwise.

The bar is for applies with more than a few changes (:data:`BAR_MIN_CHANGES`): below that a
line per change says as much and stays in the scrollback. Without a TTY (CI logs, cron, a
pipe) it is always one line per change; with ``-q`` nothing until the final report.
"""

from __future__ import annotations

import threading
from typing import TextIO

from assistctl.api.apply import Outcome
from assistctl.output.console import is_dumb_terminal

BAR_MIN_CHANGES = 4


def describe(outcome: Outcome) -> str:
    change = outcome.change
    ident = f" ({outcome.id})" if outcome.id else ""
    if outcome.ok:
        extra = " - found by its label after a lost response" if outcome.adopted else ""
        if change.duplicate_of:
            extra += f" - a duplicate of {change.duplicate_of}, which is kept"
        if outcome.note:
            extra += f" - {outcome.note}"
        return f"{outcome.verb} {change.key}{ident}{extra}"
    return f"FAILED to {change.action} {change.key}{ident}: {outcome.error}"


class LineProgress:
    """One line per finished change: what CI logs want."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def start(self, total: int) -> None:
        pass

    def finished(self, outcome: Outcome, done: int, total: int, failures: int) -> None:
        with self._lock:
            self.stream.write(f"[{done}/{total}] {describe(outcome)}\n")
            self.stream.flush()

    def close(self) -> None:
        pass


class TtyProgress:
    """A single live status line, with failures printed above it as they happen."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self._lock = threading.Lock()
        self._shown = False

    def _bar(self, done: int, total: int, failures: int) -> str:
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        failed = f", {failures} failed" if failures else ""
        return f"\r[{bar}] {done}/{total}{failed}"

    def start(self, total: int) -> None:
        with self._lock:
            self.stream.write(self._bar(0, total, 0))
            self.stream.flush()
            self._shown = True

    def finished(self, outcome: Outcome, done: int, total: int, failures: int) -> None:
        with self._lock:
            if not outcome.ok:
                self.stream.write("\r\x1b[K" + describe(outcome) + "\n")
            self.stream.write(self._bar(done, total, failures))
            self.stream.flush()

    def close(self) -> None:
        with self._lock:
            if self._shown:
                self.stream.write("\n")
                self.stream.flush()
                self._shown = False


def choose(stream: TextIO, total: int, *, quiet: bool) -> LineProgress | TtyProgress | None:
    """The progress display for an apply of ``total`` changes reported on ``stream``."""
    if quiet:
        return None
    isatty = getattr(stream, "isatty", None)
    # The bar redraws itself with escape sequences, which a dumb terminal prints as is.
    if total >= BAR_MIN_CHANGES and isatty is not None and isatty() and not is_dumb_terminal():
        return TtyProgress(stream)
    return LineProgress(stream)
