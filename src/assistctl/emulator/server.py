"""Serve an :class:`~assistctl.emulator.app.EmulatorApp` over HTTP/1.1 on a local port.

Why the standard library's ``http.server.ThreadingHTTPServer`` and not an ASGI stack: it adds
no runtime dependency to a CLI that every user installs (the emulator ships inside the package
as the embedded default), starts in milliseconds inside a test process, and thread-per-request
is plenty for a test and development server that sees at most a few dozen concurrent
connections. The app is a plain synchronous handler guarded by locks, so threads are the
natural fit. What the standard server does not do on its own, and this module adds:

- HTTP/1.1 keep-alive done right: ``protocol_version = "HTTP/1.1"``, a ``Content-Length`` on
  every response and the request body always read in full (``Content-Length`` or chunked),
  because httpx and the ``openai`` SDK reuse connections.
- Quiet: no per-request line and no tracebacks for clients that hang up, unless ``verbose``.
- Clean stop: :meth:`RunningServer.stop` ends the accept loop and shuts down idle keep-alive
  connections, so no thread lingers on a half-open socket.
- The faults that need the socket: a lost response (close without writing) and a response cut
  off mid-body.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from assistctl.emulator.app import EmulatorApp

IDLE_TIMEOUT_SECONDS = 120.0
MAX_BODY_BYTES = 64 * 1024 * 1024


class _BadRequest(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "assistctl-emulator"
    sys_version = ""
    timeout = IDLE_TIMEOUT_SECONDS
    # perf: headers and body go out in separate writes; with Nagle's algorithm on, the body
    # waits for the client's delayed ACK (~40 ms per request on a reused connection), which
    # every benchmark against the emulator would measure (benchmarks/plan_phases.py: one
    # list request's round trip).
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def __getattr__(self, name: str) -> Any:
        # The standard library answers a method it has no do_<METHOD> for (TRACE, PROPFIND,
        # anything) with an HTML 501 page; the API answers every method in its JSON envelope
        # (405 on a known path, 404 elsewhere), so the app sees them all.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Requests the standard library refuses before they reach the app (a bad request
        # line, headers too long, a bad body): the API's JSON envelope, not an HTML page.
        response = self.server.app.protocol_error(code, message or HTTPStatus(code).phrase)
        self.close_connection = True
        # Refused before its version was read: answer as HTTP/1.1 (with a status line and
        # headers), not as the headerless HTTP/0.9 the standard library assumes then.
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.1"
        self.send_response(code, message)
        for key, value in response.headers:
            self.send_header(key, value)
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(response.body)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise _BadRequest("bad chunk size") from None
                if size == 0:
                    while self.rfile.readline(65537).strip():
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise _BadRequest("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        try:
            length = int(raw)
        except ValueError:
            raise _BadRequest("bad Content-Length") from None
        if length < 0 or length > MAX_BODY_BYTES:
            raise _BadRequest("bad Content-Length")
        return self.rfile.read(length)

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except _BadRequest as err:
            self.close_connection = True
            self.send_error(400, str(err))
            return
        path, _, query = self.path.partition("?")
        response = self.server.app.handle(
            self.command, path, query, list(self.headers.items()), body
        )
        if response.action == "close":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        if response.action == "drop":
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"emulator: {self.address_string()} {format % args}\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Let a restarted emulator rebind the port at once (TIME_WAIT); a port with a live
    # listener still fails with EADDRINUSE.
    allow_reuse_address = True
    # socketserver's default listen backlog is 5: a client opening more connections at once
    # (apply --parallelism 16) overflows it, Linux drops the SYN and the client resends it
    # only after a 1 s timeout, which stalls a whole wave of requests.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: EmulatorApp, verbose: bool) -> None:
        self.app = app
        self.verbose = verbose
        self._conn_lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, a DNS lookup that can stall.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def track(self, conn: socket.socket, *, add: bool) -> None:
        with self._conn_lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def close_connections(self) -> None:
        with self._conn_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is normal for a test server; stay quiet.
        if self.verbose:
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class RunningServer:
    """A started emulator. ``base_url`` is what a client uses (``.../v1`` for openai)."""

    def __init__(self, server: _Server, app: EmulatorApp) -> None:
        self._server = server
        self.app = app
        self.host = str(server.server_address[0])
        self.port = int(server.server_address[1])
        self.root_url = f"http://{_url_host(self.host)}:{self.port}"
        self.base_url = self.root_url + app.base_path
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"assistctl-emulator:{self.port}",
            daemon=True,
        )
        self._stopped = False

    def _start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, close idle connections, release the port. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the server thread ends (after :meth:`stop` from another thread)."""
        self._thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_server(
    host: str = "127.0.0.1",
    port: int = 0,
    app: EmulatorApp | None = None,
    *,
    verbose: bool = False,
) -> RunningServer:
    """Bind ``host:port`` (0 picks a free port) and serve ``app`` in a background thread.

    Raises :class:`OSError` if the address cannot be bound (``errno.EADDRINUSE`` for a port in
    use); callers turn that into their own message.
    """
    app = app if app is not None else EmulatorApp()
    cls = _Server6 if ":" in host else _Server
    server = cls((host, port), app, verbose)
    running = RunningServer(server, app)
    running._start()
    return running
