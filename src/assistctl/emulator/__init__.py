"""The local Assistants API emulator: store, request handler, HTTP server, in-process transport.

Importable without the CLI (no click). ``EmulatorApp`` is the pure request handler,
``start_server`` serves it over HTTP, ``LocalTransport`` (in :mod:`.transport`, which imports
httpx) plugs it into an ``httpx.Client`` for provider ``local``.
"""

from __future__ import annotations

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.faults import FaultConfig, Faults
from assistctl.emulator.flavors import FLAVORS, Flavor
from assistctl.emulator.store import StateFileError, Store
from assistctl.emulator.wire import Response

__all__ = [
    "FLAVORS",
    "EmulatorApp",
    "FaultConfig",
    "Faults",
    "Flavor",
    "Response",
    "StateFileError",
    "Store",
]
