"""Terminal facts the renderers need, decided in one place."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TextIO

from assistctl.options import GlobalOptions


def use_color(g: GlobalOptions, stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """Whether text written to ``stream`` gets ANSI colours.

    The first that speaks decides: ``--color always|never`` (``--no-color`` is ``never``),
    a non-empty ``NO_COLOR`` (no-color.org), a non-empty ``FORCE_COLOR`` (force-color.org:
    whatever its value), ``TERM=dumb``, then whether ``stream`` is a terminal.
    """
    env = os.environ if env is None else env
    mode = g.color or ("never" if g.no_color else "auto")
    if mode != "auto":
        return mode == "always"
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if is_dumb_terminal(env):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def is_dumb_terminal(env: Mapping[str, str] | None = None) -> bool:
    """``TERM=dumb``: a terminal that understands no escape sequences (Emacs shells, some CI)."""
    return (os.environ if env is None else env).get("TERM") == "dumb"


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
