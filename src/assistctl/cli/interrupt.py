"""Ctrl-C for the whole process: the first stops sending at once, a second ends it now.

On the first Ctrl-C every client opened by this run is cancelled (:func:`cancel_on_interrupt`):
no request, retry or page is sent after it, whichever thread would send it. Then, inside
:func:`graceful` (apply while it executes a plan), the given stop is called and the command
ends on its own within a second or two, reporting what was not started and what is unknown;
anywhere else KeyboardInterrupt is raised as Python does, and the error handler ends the
command with one line and exit 130. A second Ctrl-C ends the process at once with exit 130,
whatever it is waiting for.

Installed by the console script only (a library caller keeps its own SIGINT handling), and
only over Python's default handler: an ignored SIGINT (a background job) stays ignored.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Protocol

EXIT_INTERRUPTED = 130
SECOND_MESSAGE = (
    "\nassistctl: interrupted again: exiting at once; requests already sent may or may not "
    "have been carried out (the next plan shows which).\n"
)


class Cancellable(Protocol):
    def cancel(self) -> None:
        """Send nothing more; safe from a signal handler."""


class _State:
    def __init__(self) -> None:
        self.count = 0
        self.cancellables: weakref.WeakSet[Cancellable] = weakref.WeakSet()
        self.stop: Callable[[], None] | None = None


_state = _State()


def install() -> bool:
    """Take over SIGINT for this process; False (nothing done) off the main thread or when
    SIGINT is not Python's default handler."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        return False
    signal.signal(signal.SIGINT, _on_sigint)
    return True


def cancel_on_interrupt(client: Cancellable) -> None:
    """Cancel ``client`` on the first Ctrl-C (at once if it was pressed already). Held
    weakly: a client closed and dropped is forgotten."""
    _state.cancellables.add(client)
    if _state.count:
        client.cancel()


@contextmanager
def graceful(stop: Callable[[], None]) -> Iterator[None]:
    """Inside, the first Ctrl-C calls ``stop`` instead of raising KeyboardInterrupt."""
    previous, _state.stop = _state.stop, stop
    try:
        yield
    finally:
        _state.stop = previous


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _state.count += 1
    if _state.count > 1:
        _exit_now()
    for client in list(_state.cancellables):
        client.cancel()
    if _state.stop is not None:
        _state.stop()
        return
    raise KeyboardInterrupt


def _exit_now() -> None:
    # The main thread may be inside a write to these very streams: a flush here could raise
    # "reentrant call", so the message goes straight to the file descriptor.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        os.write(2, SECOND_MESSAGE.encode())
    os._exit(EXIT_INTERRUPTED)
