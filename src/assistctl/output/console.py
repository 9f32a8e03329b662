"""Terminal facts the renderers need, decided in one place."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from assistctl.options import GlobalOptions


def use_color(g: GlobalOptions, stream: TextIO) -> bool:
    """Colour only on a TTY, never with ``--no-color`` or a non-empty ``NO_COLOR``."""
    if g.no_color or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def configure_logging(verbose: bool) -> None:
    """``-v`` shows the HTTP log (method, URL, status, time; never headers) on stderr."""
    if not verbose:
        return
    import logging

    logger = logging.getLogger("assistctl")
    # One handler, however often the CLI runs in one process (tests do), writing to the
    # stderr of the current run (click's test runner swaps sys.stderr).
    for old in [h for h in logger.handlers if getattr(h, "_assistctl", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("assistctl: %(name)s: %(message)s"))
    handler._assistctl = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
