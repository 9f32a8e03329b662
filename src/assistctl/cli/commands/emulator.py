"""``assistctl emulator``: serve the local Assistants API until Ctrl-C or SIGTERM.

The first line on stdout is the base URL (flushed at once, so a script or test can read it and
start talking); a banner on stderr says what is served and gives the ``export`` lines that
point assistctl at it. Ctrl-C and SIGTERM stop the
server cleanly with exit 0. A port already in use is one sentence and exit 1.
"""

from __future__ import annotations

import errno
import shlex
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from assistctl.config.providers import LOOPBACK_KEY
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.faults import FaultConfig, Faults
from assistctl.emulator.flavors import FLAVORS
from assistctl.emulator.server import start_server
from assistctl.emulator.store import Store
from assistctl.errors import UsageError
from assistctl.options import GlobalOptions


@dataclass(frozen=True)
class EmulatorOptions:
    g: GlobalOptions = field(default_factory=GlobalOptions)
    host: str = "127.0.0.1"
    port: int = 8765
    state: str | None = None
    flavor: str = "openai"
    latency_ms: int = 0
    rate_limit_fraction: float = 0.0
    requests_per_second: float = 0.0
    error_fraction: float = 0.0
    lost_creates: int = 0
    seed: int | None = None
    tie_created_at: bool = False
    ignore_order: bool = False
    desc_ties_in_creation_order: bool = False


def build_app(opts: EmulatorOptions) -> EmulatorApp:
    """The app the options describe (also used by tests without a server)."""
    if opts.flavor not in FLAVORS:
        raise UsageError(
            f"Unknown emulator flavor '{opts.flavor}'; use one of {', '.join(FLAVORS)}."
        )
    store = Store(Path(opts.state) if opts.state else None)
    faults = Faults(
        FaultConfig(
            latency_ms=opts.latency_ms,
            rate_limit_fraction=opts.rate_limit_fraction,
            requests_per_second=opts.requests_per_second,
            error_fraction=opts.error_fraction,
            lost_creates=opts.lost_creates,
            seed=opts.seed,
            tie_created_at=opts.tie_created_at,
            ignore_order=opts.ignore_order,
            desc_ties_reversed=not opts.desc_ties_in_creation_order,
        )
    )
    return EmulatorApp(opts.flavor, store=store, faults=faults)


def _needs(app: EmulatorApp) -> str:
    """What a client must send besides the key, for the banner (`` (needs ...)`` or empty)."""
    flavor = app.flavor
    needs = []
    if flavor.beta_versions:
        needs.append(f"OpenAI-Beta: assistants={flavor.beta_versions[0]}")
    if flavor.auth_header != "authorization":
        needs.append(f"the key in an {flavor.auth_header} header")
    needs += [f"?{name}={value}" for name, value in flavor.query]
    return f" (needs {', '.join(needs)})" if needs else ""


_PROVIDER_OF_FLAVOR = {"openai": "openai", "openai-v1": "openai", "aimlapi": "aimlapi"}
"""The ``--provider`` that talks to each flavor (azure's is ``azure``: same name)."""


def paste_lines(base_url: str, flavor: str) -> list[str]:
    """The shell lines that point assistctl at an emulator serving ``base_url``.

    The provider is named too, so that an ``ASSISTCTL_PROVIDER`` already set (``local``, say)
    does not send the commands elsewhere; the key is the one assistctl would send to a local
    host anyway, named so that a real ``OPENAI_API_KEY`` in the shell is not sent to it.
    """
    lines = [
        f"export ASSISTCTL_BASE_URL={shlex.quote(base_url)}",
        f"export ASSISTCTL_API_KEY={LOOPBACK_KEY}",
        f"export ASSISTCTL_PROVIDER={_PROVIDER_OF_FLAVOR.get(flavor, flavor)}",
    ]
    if FLAVORS[flavor].dialect == "v1":
        lines.append("# and pass --api-version v1 to every command (no variable sets it)")
    return lines


def execute(opts: EmulatorOptions) -> int:
    app = build_app(opts)
    try:
        server = start_server(opts.host, opts.port, app, verbose=opts.g.verbose)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise UsageError(
                f"Cannot start the emulator: port {opts.port} on {opts.host} is already in use; "
                "stop whatever holds it or pick another with --port (0 picks a free one)."
            ) from err
        raise UsageError(
            f"Cannot start the emulator on {opts.host}:{opts.port}: {err.strerror or err}."
        ) from err

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        sys.stdout.write(server.base_url + "\n")
        sys.stdout.flush()
        if not opts.g.quiet:
            where = f"state in {opts.state}" if opts.state else "state in memory"
            needs = _needs(app)
            sys.stderr.write(
                f"assistctl emulator ({app.flavor.name} flavor) serving {server.base_url}"
                f"{needs}; {where}; admin at {server.root_url}/_admin/; Ctrl-C to stop.\n"
                "Point assistctl at it from another shell by pasting:\n"
                + "".join(line + "\n" for line in paste_lines(server.base_url, app.flavor.name))
            )
            sys.stderr.flush()
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    return 0
