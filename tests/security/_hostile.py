"""A hostile host on 127.0.0.1, for the "bounded against any host" cases.

:func:`hostile_server` serves HTTP/1.1 (optionally over TLS) with a handler that gets the
request and the raw socket, so it can do what no honest server does: answer pages forever,
stream an endless or bombed body, accept and never answer, trickle a byte at a time. It
records what a test asserts on: every connection accepted, every request (method, target,
headers), the bytes each answer wrote, and whether the client hung up on it.
"""

from __future__ import annotations

import socket
import ssl
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from clihelpers import CliResult

KEY = "sk-hostile-test-SECRET-0123456789"


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.target).query).items()}


@dataclass
class Answer:
    """What one answer did on the wire."""

    written: int = 0
    """Body bytes (as sent, compressed or not) written before the end or the hang-up."""
    hung_up: bool = False
    """The client closed the connection while the body was still being written."""
    done: bool = False
    """The answer was written to its end."""


class Wire:
    """The socket of one request, for a handler: write, and notice the client hanging up."""

    def __init__(self, conn: socket.socket, answer: Answer, stop: threading.Event) -> None:
        self.conn = conn
        self.answer = answer
        self.stop = stop

    def head(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        lines = [f"HTTP/1.1 {status} X"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def body(self, data: bytes) -> bool:
        """Write ``data``; False once the client has hung up."""
        try:
            self.conn.sendall(data)
        except OSError:
            self.answer.hung_up = True
            return False
        self.answer.written += len(data)
        return True

    def json(
        self, payload: bytes, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.head(
            status,
            {
                "Content-Type": "application/json",
                "Content-Length": str(len(payload)),
                **(headers or {}),
            },
        )
        self.body(payload)

    def hold(self, seconds: float = 3600) -> None:
        """Say nothing until the test ends (or ``seconds``)."""
        self.stop.wait(seconds)


Handler = Callable[[Request, Wire], None]


@dataclass
class Hostile:
    port: int
    scheme: str
    requests: list[Request] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    connections: int = 0
    handshakes_failed: int = 0

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/v1"

    def authorizations(self) -> list[str]:
        return [r.headers.get("authorization", "") for r in self.requests]


@contextmanager
def hostile_server(handler: Handler, *, tls: ssl.SSLContext | None = None) -> Iterator[Hostile]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    host = Hostile(listener.getsockname()[1], "https" if tls else "http")
    stop = threading.Event()
    lock = threading.Lock()

    def serve(conn: socket.socket) -> None:
        # Head and body go out in two writes: without this, delayed ACKs stall keep-alive.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            if tls is not None:
                try:
                    conn = tls.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError):
                    with lock:
                        host.handshakes_failed += 1
                    return
            reader = conn.makefile("rb")
            while not stop.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                answer = Answer()
                with lock:
                    host.requests.append(request)
                    host.answers.append(answer)
                try:
                    handler(request, Wire(conn, answer, stop))
                except OSError:
                    answer.hung_up = True
                    return
                answer.done = not answer.hung_up
                if answer.hung_up:
                    return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with lock:
                host.connections += 1
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield host
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def _read_request(reader: Any) -> Request | None:
    try:
        line = reader.readline(65536)
    except OSError:
        return None
    if not line.strip():
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = reader.readline(65536)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    return Request(method, target, headers, reader.read(length) if length else b"")


# -- answers a hostile host gives -----------------------------------------------------------


def assistant(ident: str, created_at: int = 1_700_000_000) -> dict[str, Any]:
    return {
        "id": ident,
        "object": "assistant",
        "created_at": created_at,
        "name": None,
        "description": None,
        "model": "gpt-4o",
        "instructions": None,
        "tools": [],
        "metadata": {},
    }


def chunked(wire: Wire, chunks: Iterator[bytes], **headers: str) -> None:
    """Stream ``chunks`` as a chunked body until they end or the client hangs up."""
    wire.head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked", **headers})
    for chunk in chunks:
        if not wire.body(b"%x\r\n%s\r\n" % (len(chunk), chunk)):
            return
    wire.body(b"0\r\n\r\n")


MIB = 1024 * 1024


def bomb(encoding: str) -> Iterator[bytes]:
    """An endless gzip or deflate stream of zeros: about 1 KiB on the wire inflates to 1 MiB
    (each MiB compresses to the same bytes after a full flush), for ever."""
    block = bytes(MIB)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    repeat = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" if encoding == "gzip" else b"\x78\xda"
    yield header + first
    while True:
        yield repeat * 16


def assert_bounded_failure(result: CliResult, *expected: str) -> str:
    """Exit 1, one ``assistctl: error:`` line containing ``expected``, the key nowhere."""
    from reliability._support import assert_one_clear_error

    sentence = assert_one_clear_error(result)
    for text in expected:
        assert text in sentence, sentence
    assert KEY not in result.text and KEY[-8:] not in result.text
    return sentence
