"""Helpers of the reliability suite: what "one clear error" means, a scripted HTTP server,
and the invariants every fault scenario ends with."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from assistctl.labels import owner_of
from clihelpers import CliResult

ERROR_PREFIX = "assistctl: error: "


def assert_one_clear_error(result: CliResult, what: str = "") -> str:
    """Exit 1, exactly one ``assistctl: error: ...`` sentence, no traceback, not a bug.

    Other stderr lines (manifest diagnostics, progress, usage hints) are allowed; the error
    sentence itself is the one line a user or a CI log reads. Returns that sentence.
    """
    context = f"{what}\n--- stdout ---\n{result.out}\n--- stderr ---\n{result.err}"
    assert result.code == 1, f"exit {result.code}, not 1: {context}"
    assert "Traceback" not in result.text, context
    assert "internal error" not in result.text, context
    errors = [line for line in result.err.splitlines() if line.startswith(ERROR_PREFIX)]
    assert len(errors) == 1, f"{len(errors)} error sentences: {context}"
    # The sentence is the last thing said: nothing of it spills onto further lines.
    assert result.err.rstrip("\n").splitlines()[-1] == errors[0], context
    sentence = errors[0].removeprefix(ERROR_PREFIX).strip()
    assert len(sentence) >= 15, f"not a sentence: {sentence!r}"
    return sentence


# ---- a scripted server ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One scripted answer. ``body``: bytes or str as is, anything else as JSON.

    ``cut``: send the headers and half the body, then close (a dropped response).
    ``raw``: write these bytes instead of an HTTP response, then close.
    """

    status: int = 200
    body: Any = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json"
    cut: bool = False
    raw: bytes | None = None

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


def assistant(ident: object = "asst_scripted000000000000000001", **fields: Any) -> dict[str, Any]:
    """A well-formed AssistantObject (fields override)."""
    obj: dict[str, Any] = {
        "id": ident,
        "object": "assistant",
        "created_at": 1_700_000_000,
        "name": None,
        "description": None,
        "model": "gpt-4o",
        "instructions": None,
        "tools": [],
        "top_p": 1.0,
        "temperature": 1.0,
        "tool_resources": {},
        "metadata": {},
        "response_format": "auto",
    }
    obj.update(fields)
    return obj


def page(*items: Any, has_more: Any = False) -> dict[str, Any]:
    ids = [i.get("id") for i in items if isinstance(i, dict)]
    return {
        "object": "list",
        "data": list(items),
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
        "has_more": has_more,
    }


Script = Callable[[str, str], Reply]
"""(method, path without query) -> the reply."""


def default_script(overrides: Mapping[str, Reply]) -> Script:
    """Good answers for every operation unless ``overrides`` names it (list, create,
    retrieve, modify, delete)."""

    def script(method: str, path: str) -> Reply:
        tail = path.rstrip("/").rsplit("/assistants", 1)[-1]
        if tail == "":
            op = "list" if method == "GET" else "create"
        else:
            op = {"GET": "retrieve", "POST": "modify", "DELETE": "delete"}.get(method, "other")
        if op in overrides:
            return overrides[op]
        if op == "list":
            return Reply(body=page())
        if op == "delete":
            return Reply(body={"id": tail[1:], "object": "assistant.deleted", "deleted": True})
        return Reply(body=assistant(tail[1:] or "asst_scripted000000000000000001"))

    return script


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.partition("?")[0]
        self.server.log.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        reply = self.server.script(self.command, path)
        if reply.raw is not None:
            self.wfile.write(reply.raw)
            self.wfile.flush()
            self.close_connection = True
            return
        payload = reply.payload()
        self.send_response(reply.status)
        if reply.content_type is not None:
            self.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        if reply.cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if reply.cut:
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: Script) -> None:
        self.script = script
        self.log: list[dict[str, Any]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up on a cut response is the point


@dataclass
class Scripted:
    server: _Server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def log(self) -> list[dict[str, Any]]:
        return self.server.log

    def set_script(self, script: Script) -> None:
        self.server.script = script


@contextmanager
def scripted_server(script: Script) -> Iterator[Scripted]:
    server = _Server(script)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield Scripted(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class EmulatorProcess:
    """``assistctl emulator FLAGS...`` as a subprocess, driven through its admin endpoints."""

    def __init__(self, *flags: str) -> None:
        import httpx

        if "--port" not in flags:
            flags = (*flags, "--port", "0")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistctl", "emulator", *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=self.env(),
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.url
        self.admin = httpx.Client(base_url=self.url.removesuffix("/v1") + "/_admin", timeout=30)
        self.requests_before_kill: list[dict[str, Any]] = []

    @staticmethod
    def env() -> dict[str, str]:
        """This environment minus anything that would point the CLI elsewhere."""
        drop = ("ASSISTCTL_", "OPENAI_")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(drop) and k not in ("NO_COLOR", "FORCE_COLOR")
        }
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def count(self) -> int:
        answer: int = self.admin.get("/health").json()["assistants"]
        return answer

    def assistants(self) -> list[dict[str, Any]]:
        return [e["assistant"] for e in self.admin.get("/assistants").json()["data"]]

    def requests(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.admin.get("/requests").json()["data"]
        return data

    def seed(self, body: Mapping[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self.admin.post("/assistants", json=dict(body)).json()["data"][0]
        return created

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, connections in flight are reset."""
        self.requests_before_kill = self.requests()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        self.admin.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def cli_command(url: str, key: str, *args: str | Path) -> list[str]:
    """``python -m assistctl --base-url URL --api-key KEY ARGS...``."""
    return [sys.executable, "-m", "assistctl", "--base-url", url, "--api-key", key, *map(str, args)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- manifests -----------------------------------------------------------------------------


def write_manifest(root: Path, key: str, **fields: Any) -> Path:
    """``root/KEY.yaml`` with ``fields`` (model defaults to gpt-4o)."""
    import yaml

    doc = {"key": key, "model": "gpt-4o", **fields}
    path = root / f"{key}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def label_of(obj: Mapping[str, Any]) -> str | None:
    metadata = obj.get("metadata")
    value = metadata.get("assistctl") if isinstance(metadata, Mapping) else None
    return value if isinstance(value, str) else None


def assert_converged(
    live: list[dict[str, Any]],
    project: str,
    keys: set[str],
    bystanders: Mapping[str, str],
) -> None:
    """Exactly ``keys`` are live for ``project``, one assistant each, and every bystander
    (id -> canonical JSON of the object before) is still there, byte for byte."""
    ours: dict[str, list[str]] = {}
    for obj in live:
        owner = owner_of(obj)
        if owner is not None and owner[0] == project:
            ours.setdefault(owner[1], []).append(obj["id"])
    duplicates = {k: ids for k, ids in ours.items() if len(ids) > 1}
    assert not duplicates, f"duplicates: {duplicates}"
    assert set(ours) == keys, f"missing {keys - set(ours)}, extra {set(ours) - keys}"
    by_id = {obj["id"]: obj for obj in live}
    for ident, before in bystanders.items():
        assert ident in by_id, f"bystander {ident} was deleted"
        assert canonical(by_id[ident]) == before, f"bystander {ident} was changed"


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))
