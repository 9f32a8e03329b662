"""Provider ``local``: the emulator in-process, as an httpx transport (no socket, no server).

Usage (the API client does this for ``--provider local``)::

    app = local_app(Path(".assistctl/local-state.json"))
    client = httpx.Client(transport=LocalTransport(app), base_url=LOCAL_BASE_URL)

The app is the ``openai`` flavor (paths under ``/v1``, ``OpenAI-Beta: assistants=v2``
required) but accepts requests without an API key, since provider ``local`` needs none. The
store persists to the state file after every change, so one CLI run's ``apply`` is what the
next run's ``plan`` sees. Faults map to what httpx raises on a real connection: a lost
response and a cut-off body both raise :class:`httpx.RemoteProtocolError`.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.store import Store

LOCAL_BASE_URL = "http://assistctl.local/v1"
DEFAULT_STATE_FILE = Path(".assistctl") / "local-state.json"


def local_app(state_file: Path | None = None) -> EmulatorApp:
    """An openai-flavor app over ``state_file`` (default ``.assistctl/local-state.json``
    relative to the current directory), loading what is there; no key required.

    Raises :class:`~assistctl.emulator.store.StateFileError` if the file is unreadable.
    """
    path = state_file if state_file is not None else Path.cwd() / DEFAULT_STATE_FILE
    return EmulatorApp("openai", store=Store(path), require_auth=False)


class LocalTransport(httpx.BaseTransport):
    """Send each httpx request straight to :meth:`EmulatorApp.handle`."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        response = self.app.handle(
            request.method,
            request.url.path,
            request.url.query.decode("ascii"),
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            body,
        )
        if response.action == "close":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if response.action == "drop":
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body "
                f"(received {len(response.body) // 2} bytes, expected {len(response.body)})",
                request=request,
            )
        return httpx.Response(
            response.status,
            headers=response.headers,
            content=response.body,
            request=request,
        )
