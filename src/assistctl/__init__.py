"""assistctl: keep OpenAI-compatible Assistants as code."""

import os
import sys


def _installed_version() -> str:
    """The version the installer recorded from pyproject.toml, its one source.

    # perf: found as importlib.metadata finds it (a ``NAME-VERSION.dist-info`` directory on
    # sys.path), without importing importlib.metadata: its imports (email, zipfile, csv) add
    # about 20 ms to every command (benchmarks/startup.py: --version 70 -> 92 ms).
    """
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file, a missing directory
            continue
        for name in names:
            if name.startswith("assistctl-") and name.endswith(".dist-info"):
                return name[len("assistctl-") : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("assistctl")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


__version__ = _installed_version()
