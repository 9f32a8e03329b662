"""The client against a purpose-built HTTP server on 127.0.0.1.

For answers the emulator cannot give: HTML 502 pages, empty bodies, Retry-After dates,
looping cursors, hosts without first_id/last_id, connections dropped mid-response,
redirects, echoed keys. Each test scripts the server's replies; the server is real HTTP.
"""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from assistctl import __version__
from assistctl.api.client import AssistantsClient
from assistctl.api.retry import parse_retry_after
from assistctl.api.secret import Secret, scrub
from assistctl.api.target import Target, resolve_target
from assistctl.api.wire import excerpt
from assistctl.config.providers import PROVIDERS
from assistctl.errors import (
    ApiError,
    AssistctlError,
    AuthError,
    ConnectionFailed,
    NotFoundError,
    OutcomeUnknown,
)
from assistctl.options import GlobalOptions

KEY = "sk-test-SECRET-1234567890"


# -- the scripted server ---------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    """A dict/list is sent as JSON, bytes/str as is."""
    headers: dict[str, str] = field(default_factory=dict)
    action: str = "reply"
    """reply | drop (close without answering) | partial (close mid-body) | sleep"""
    seconds: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    host_in_target: str | None = None


def ok(body: Any, **headers: str) -> Reply:
    return Reply(200, body, headers)


def assistant(i: int | str) -> dict[str, Any]:
    return {"id": f"asst_{i}", "object": "assistant", "model": "gpt-4o", "metadata": {}}


class Scripted:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.handler: Callable[[Seen], Reply] | None = None
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def next_reply(self, seen: Seen) -> Reply:
        with self.lock:
            self.seen.append(seen)
            if self.handler is not None:
                return self.handler(seen)
            if not self.replies:
                return Reply(599, {"error": {"message": "script exhausted"}})
            return self.replies.pop(0)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, delayed ACKs stall keep-alive.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        seen = Seen(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=json.loads(raw) if raw else None,
            host_in_target=parts.hostname,
        )
        reply = self.server.scripted.next_reply(seen)
        if reply.action == "drop":
            self.close_connection = True
            return
        if reply.action == "sleep":
            time.sleep(reply.seconds)
        body = reply.body
        data = (
            body
            if isinstance(body, bytes)
            else body.encode()
            if isinstance(body, str)
            else b""
            if body is None
            else json.dumps(body).encode()
        )
        self.send_response(reply.status)
        ctype = "application/json" if isinstance(body, dict | list) else "text/html"
        headers = {"Content-Type": ctype, **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if reply.action == "partial":
            self.send_header("Content-Length", str(len(data) + 100))
            self.end_headers()
            self.wfile.write(data[: max(1, len(data) // 2)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, scripted: Scripted) -> None:
        self.scripted = scripted
        super().__init__(("127.0.0.1", 0), _Handler)


@pytest.fixture
def server() -> Iterator[Scripted]:
    scripted = Scripted()
    httpd = _Server(scripted)
    scripted.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield scripted
    httpd.shutdown()
    httpd.server_close()


class Sleeps(list[float]):
    """Records backoff delays instead of sleeping: tests stay fast and see the policy."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(
    url: str, *, provider: str | None = None, key: str | None = KEY, **kwargs: Any
) -> tuple[AssistantsClient, Sleeps]:
    sleeps = Sleeps()
    target = resolve_target(GlobalOptions(base_url=url, api_key=key, provider=provider), env={})
    kwargs.setdefault("rng", lambda: 0.0)
    # One request after another: each case scripts the answers in order.
    kwargs.setdefault("walk", "one-cursor")
    return AssistantsClient(target, sleep=sleeps, **kwargs), sleeps


@pytest.fixture
def client(server: Scripted) -> Iterator[tuple[AssistantsClient, Sleeps]]:
    c, sleeps = make_client(server.url)
    with c:
        yield c, sleeps


def openai_error(
    message: str, code: str | None = None, type_: str = "invalid_request_error"
) -> Any:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


HTML_502 = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title>"
    "<style>body{font-family:sans-serif}</style></head><body><center><h1>502 Bad Gateway"
    "</h1></center><hr><center>nginx/1.25.3</center>" + "<p>padding</p>" * 200 + "</body></html>"
)


# -- headers and URLs --------------------------------------------------------------------------


def test_headers_sent(server: Scripted, client: tuple[AssistantsClient, Sleeps]) -> None:
    c, _ = client
    server.script(ok(assistant(1)))
    assert c.get("asst_1")["id"] == "asst_1"
    seen = server.seen[0]
    assert (seen.method, seen.path) == ("GET", "/v1/assistants/asst_1")
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["openai-beta"] == "assistants=v2"
    assert seen.headers["user-agent"] == f"assistctl/{__version__}"
    assert "api-key" not in seen.headers


def test_azure_sends_api_key_header_and_api_version(server: Scripted) -> None:
    c, _ = make_client(f"http://127.0.0.1:{server.port}/openai", provider="azure")
    server.script(ok({"object": "list", "data": [], "has_more": False}))
    with c:
        c.list_all()
    seen = server.seen[0]
    assert seen.path == "/openai/assistants"
    assert seen.query["api-version"] == ["2024-05-01-preview"]
    assert seen.query["limit"] == ["100"] and seen.query["order"] == ["asc"]
    assert seen.headers["api-key"] == KEY
    assert "authorization" not in seen.headers


def test_aimlapi_paths_have_no_v1(server: Scripted) -> None:
    c, _ = make_client(f"http://127.0.0.1:{server.port}", provider="aimlapi")
    server.script(ok(assistant("x")))
    with c:
        c.create({"model": "gpt-4o"})
    assert server.seen[0].path == "/assistants"
    assert server.seen[0].body == {"model": "gpt-4o"}


def test_v1_dialect_header(server: Scripted) -> None:
    target = resolve_target(GlobalOptions(base_url=server.url, api_version="v1"), env={})
    server.script(ok(assistant(1)))
    with AssistantsClient(target) as c:
        c.get("asst_1")
    assert server.seen[0].headers["openai-beta"] == "assistants=v1"


def test_ids_are_quoted_in_paths(server: Scripted, client: tuple[AssistantsClient, Sleeps]) -> None:
    c, _ = client
    server.script(ok({"id": "a/b", "object": "assistant.deleted", "deleted": True}))
    c.delete("a/b")
    assert server.seen[0].path == "/v1/assistants/a%2Fb"


# -- pagination --------------------------------------------------------------------------------


def test_pagination_without_first_and_last_id(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(
        ok({"object": "list", "data": [assistant(i) for i in range(100)], "has_more": True}),
        ok({"object": "list", "data": [assistant(i) for i in range(100, 200)], "has_more": True}),
        ok({"object": "list", "data": [assistant(200)], "has_more": False}),
    )
    items = c.list_all()
    assert [a["id"] for a in items] == [f"asst_{i}" for i in range(201)]
    assert [s.query.get("after") for s in server.seen] == [None, ["asst_99"], ["asst_199"]]
    assert c.requests_made == 3 and c.retries == 0


def test_pagination_uses_last_id_when_present(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(
        ok({"data": [assistant(1)], "first_id": "asst_1", "last_id": "cur_X", "has_more": True}),
        ok({"data": [assistant(2)], "first_id": "asst_2", "last_id": "asst_2", "has_more": False}),
    )
    assert [a["id"] for a in c.list_all()] == ["asst_1", "asst_2"]
    assert server.seen[1].query["after"] == ["cur_X"]


def test_missing_has_more_with_a_full_page_asks_for_the_next(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(
        ok({"data": [assistant(i) for i in range(100)]}),
        ok({"data": [assistant(100)]}),
    )
    assert len(c.list_all()) == 101
    assert len(server.seen) == 2


def test_a_server_that_loops_cursors_is_stopped(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    page = {"object": "list", "data": [assistant(1), assistant(2)], "has_more": True}
    server.handler = lambda seen: ok(page)
    with pytest.raises(ApiError, match="endless loop") as err:
        c.list_all()
    assert "asst_2" in str(err.value)
    assert len(server.seen) == 2


def test_has_more_with_an_empty_page_is_stopped(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.handler = lambda seen: ok({"object": "list", "data": [], "has_more": True})
    with pytest.raises(ApiError, match="empty page"):
        c.list_all()
    assert len(server.seen) == 1


def test_repeated_objects_across_pages_are_kept_once(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(
        ok({"data": [assistant(1), assistant(2)], "last_id": "asst_2", "has_more": True}),
        ok({"data": [assistant(2), assistant(3)], "last_id": "asst_3", "has_more": False}),
    )
    assert [a["id"] for a in c.list_all()] == ["asst_1", "asst_2", "asst_3"]


@pytest.mark.parametrize(
    "body",
    [
        {"object": "list"},
        {"data": "nope"},
        [assistant(1)],
        {"data": [{"no": "id"}], "has_more": False},
        {"data": [], "has_more": "yes"},
    ],
)
def test_list_answers_that_are_not_lists_of_assistants(
    server: Scripted, client: tuple[AssistantsClient, Sleeps], body: Any
) -> None:
    c, _ = client
    server.script(ok(body))
    with pytest.raises(ApiError):
        c.list_all()


# -- bodies that are not what they should be ---------------------------------------------------


def test_invalid_json_success_body(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(Reply(200, "<html><title>Welcome to nginx!</title></html>"))
    with pytest.raises(ApiError, match="not JSON") as err:
        c.get("asst_1")
    assert "Welcome to nginx!" in str(err.value)
    assert "<html" not in str(err.value)


def test_empty_success_body(server: Scripted, client: tuple[AssistantsClient, Sleeps]) -> None:
    c, _ = client
    server.script(Reply(200, b""))
    with pytest.raises(ApiError, match="empty body"):
        c.get("asst_1")


def test_html_502_page_from_a_proxy(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, sleeps = client
    server.handler = lambda seen: Reply(502, HTML_502)
    with pytest.raises(ApiError) as err:
        c.list_all()
    text = str(err.value)
    assert err.value.status == 502
    assert text.startswith("API error 502: Bad Gateway; the body is not JSON (text/html)")
    assert "'502 Bad Gateway'" in text
    assert "<" not in text and "padding" not in text and len(text) < 400
    assert "gave up after 5 retries" in text
    assert len(sleeps) == 5


def test_empty_error_body(server: Scripted, client: tuple[AssistantsClient, Sleeps]) -> None:
    c, _ = client
    server.script(Reply(400, b""))
    with pytest.raises(ApiError) as err:
        c.get("asst_1")
    assert str(err.value).startswith("API error 400: Bad Request (empty response body)")


def test_object_that_is_not_an_assistant(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(ok({"hello": "world"}))
    with pytest.raises(ApiError, match="without an 'id'"):
        c.get("asst_1")


# -- error envelopes ---------------------------------------------------------------------------


def test_openai_envelope(server: Scripted, client: tuple[AssistantsClient, Sleeps]) -> None:
    c, _ = client
    server.script(
        Reply(400, openai_error("Invalid 'temperature': must be <= 2.", code="invalid_value"))
    )
    with pytest.raises(ApiError) as err:
        c.create({"model": "gpt-4o", "temperature": 3})
    e = err.value
    assert type(e) is ApiError
    assert (e.status, e.code, e.api_message) == (400, "invalid_value", e.api_message)
    assert e.api_message == "Invalid 'temperature': must be <= 2."
    assert str(e).startswith("API error 400: Invalid 'temperature': must be <= 2. (POST http://")


def test_aimlapi_flat_envelope(server: Scripted) -> None:
    c, _ = make_client(f"http://127.0.0.1:{server.port}", provider="aimlapi")
    server.script(
        Reply(
            400,
            {
                "message": "Model gpt-9 is not supported",
                "path": "/assistants",
                "requestId": "req-42",
                "statusCode": 400,
                "timestamp": "2026-01-01T00:00:00.000Z",
            },
        )
    )
    with c, pytest.raises(ApiError) as err:
        c.create({"model": "gpt-9"})
    assert str(err.value).startswith(
        "API error 400: Model gpt-9 is not supported (request id req-42) (POST http://"
    )
    assert "timestamp" not in str(err.value)


def test_aimlapi_list_of_messages(server: Scripted) -> None:
    c, _ = make_client(f"http://127.0.0.1:{server.port}", provider="aimlapi")
    server.script(Reply(422, {"message": ["name too long", "model required"], "statusCode": 422}))
    with c, pytest.raises(ApiError, match="name too long; model required"):
        c.create({})


# -- auth and not-found ------------------------------------------------------------------------


def test_401_names_the_variables(server: Scripted, client: tuple[AssistantsClient, Sleeps]) -> None:
    c, sleeps = client
    server.script(
        Reply(
            401,
            openai_error(
                "Incorrect API key provided: sk-test-***************7890. You can find "
                "your API key at https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            ),
        )
    )
    with pytest.raises(AuthError) as err:
        c.list_all()
    text = str(err.value)
    assert "API key was refused" in text
    assert "--api-key" in text and "ASSISTCTL_API_KEY or OPENAI_API_KEY" in text
    assert "7890" not in text and KEY not in text
    assert sleeps == []


def test_401_from_aimlapi_names_its_variable(server: Scripted) -> None:
    c, _ = make_client(f"http://127.0.0.1:{server.port}", provider="aimlapi")
    server.script(Reply(401, {"message": "Unauthorized", "statusCode": 401}))
    with c, pytest.raises(AuthError, match="AIMLAPI_API_KEY"):
        c.list_all()


def test_401_for_the_placeholder_key_of_a_local_host(server: Scripted) -> None:
    c, _ = make_client(server.url, key=None)
    server.script(Reply(401, openai_error("Incorrect API key provided.")))
    with c, pytest.raises(AuthError) as err:
        c.list_all()
    assert "the placeholder key assistctl sends to local hosts" in str(err.value)
    assert "--api-key or --api-key-file, or set ASSISTCTL_API_KEY or OPENAI_API_KEY" in str(
        err.value
    )


def test_403(server: Scripted, client: tuple[AssistantsClient, Sleeps]) -> None:
    c, _ = client
    server.script(Reply(403, openai_error("Project does not have access")))
    with pytest.raises(AuthError, match="not allowed"):
        c.list_all()


def test_404_on_the_collection_says_the_host_does_not_serve_it(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(Reply(404, openai_error("Invalid URL (GET /v1/assistants)")))
    with pytest.raises(NotFoundError) as err:
        c.list_all()
    text = str(err.value)
    assert "does not serve the Assistants API" in text
    assert "sunset" not in text


def test_404_from_openai_explains_the_sunset(server: Scripted) -> None:
    # Reach "api.openai.com" through an HTTP proxy that is our server on 127.0.0.1. Made by
    # hand: resolve_target refuses a key over plain http to a host off this machine.
    target = Target(PROVIDERS["openai"], "http://api.openai.com/v1", "v2", Secret(KEY))
    transport = httpx.HTTPTransport(proxy=f"http://127.0.0.1:{server.port}")
    server.script(Reply(404, openai_error("Invalid URL (GET /v1/assistants)")))
    client = AssistantsClient(target, transport=transport, walk="one-cursor")  # one scripted answer
    with client as c, pytest.raises(NotFoundError) as err:
        c.list_all()
    assert server.seen[0].host_in_target == "api.openai.com"
    text = str(err.value)
    assert "does not serve the Assistants API" in text
    assert "OpenAI sunset the Assistants API on 2026-08-26" in text
    assert "point --base-url at a host that still serves it" in text
    assert "see 'assistctl providers'" in text


def test_404_with_a_v1_prefix_on_aimlapi_hints_at_the_path(server: Scripted) -> None:
    c, _ = make_client(f"http://127.0.0.1:{server.port}/v1", provider="aimlapi")
    server.script(Reply(404, {"message": "Cannot GET /v1/assistants", "statusCode": 404}))
    with c, pytest.raises(NotFoundError, match="no /v1"):
        c.list_all()


def test_404_on_an_object(server: Scripted, client: tuple[AssistantsClient, Sleeps]) -> None:
    c, _ = client
    server.script(Reply(404, openai_error("No assistant found with id 'asst_x'.")))
    with pytest.raises(NotFoundError) as err:
        c.get("asst_x")
    assert "No assistant found with id 'asst_x'." in str(err.value)
    assert "does not serve" not in str(err.value)


def test_redirects_are_reported_not_followed(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(Reply(301, b"", {"Location": "https://elsewhere.example/v1/assistants"}))
    with pytest.raises(ApiError, match=r"redirects to https://elsewhere\.example"):
        c.list_all()
    assert len(server.seen) == 1


# -- retries -----------------------------------------------------------------------------------


def test_backoff_without_headers_doubles_up_to_8_s(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, sleeps = client
    server.handler = lambda seen: Reply(500, openai_error("boom", type_="server_error"))
    with pytest.raises(ApiError, match="gave up after 5 retries") as err:
        c.list_all()
    assert err.value.status == 500
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert (c.requests_made, c.retries) == (6, 5)
    assert len(server.seen) == 6


def test_backoff_is_capped_and_jittered(server: Scripted) -> None:
    c, sleeps = make_client(server.url, max_retries=7, rng=lambda: 1.0)
    server.handler = lambda seen: Reply(503, openai_error("busy"))
    with c, pytest.raises(ApiError):
        c.get("asst_1")
    assert sleeps == [0.375, 0.75, 1.5, 3.0, 6.0, 6.0, 6.0]


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses_then_success(
    server: Scripted, client: tuple[AssistantsClient, Sleeps], status: int
) -> None:
    c, sleeps = client
    server.script(Reply(status, openai_error("try again")), ok(assistant(1)))
    assert c.get("asst_1")["id"] == "asst_1"
    assert (c.requests_made, c.retries, len(sleeps)) == (2, 1, 1)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(
    server: Scripted, client: tuple[AssistantsClient, Sleeps], status: int
) -> None:
    c, sleeps = client
    server.handler = lambda seen: Reply(status, openai_error("no"))
    with pytest.raises(ApiError):
        c.get("asst_1")
    assert len(server.seen) == 1 and sleeps == []


def test_max_retries_zero(server: Scripted) -> None:
    c, sleeps = make_client(server.url, max_retries=0)
    server.handler = lambda seen: Reply(429, openai_error("slow down"))
    with c, pytest.raises(ApiError, match=r"Rate|slow down"):
        c.list_all()
    assert len(server.seen) == 1 and sleeps == []


def test_retry_after_ms_wins_over_retry_after(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, sleeps = client
    server.script(
        Reply(429, openai_error("slow"), {"retry-after-ms": "250", "retry-after": "7"}),
        Reply(429, openai_error("slow"), {"retry-after": "3"}),
        ok(assistant(1)),
    )
    c.get("asst_1")
    assert sleeps == [0.25, 3.0]


def test_retry_after_as_an_http_date(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, sleeps = client
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.script(Reply(503, openai_error("maintenance"), {"Retry-After": when}), ok(assistant(1)))
    c.get("asst_1")
    assert len(sleeps) == 1 and 20 < sleeps[0] <= 31


def test_retry_after_over_120_s_is_not_waited_for(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, sleeps = client
    server.script(Reply(429, openai_error("Rate limit reached"), {"retry-after": "300"}))
    with pytest.raises(ApiError) as err:
        c.list_all()
    assert "wait 300 s" in str(err.value) and "120 s" in str(err.value)
    assert sleeps == [] and len(server.seen) == 1


def test_x_should_retry_false_is_obeyed(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, sleeps = client
    server.script(Reply(503, openai_error("no"), {"x-should-retry": "false"}))
    with pytest.raises(ApiError):
        c.get("asst_1")
    assert sleeps == []


def test_zero_or_garbage_retry_after_falls_back_to_backoff(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, sleeps = client
    server.script(
        Reply(429, openai_error("slow"), {"retry-after": "0"}),
        Reply(429, openai_error("slow"), {"retry-after": "soon"}),
        ok(assistant(1)),
    )
    c.get("asst_1")
    assert sleeps == [0.5, 1.0]


def test_parse_retry_after() -> None:
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    assert parse_retry_after(httpx.Headers({"retry-after": "2.5"})) == 2.5
    assert parse_retry_after(httpx.Headers({})) is None
    assert parse_retry_after(httpx.Headers({"retry-after": "tomorrow"})) is None
    assert parse_retry_after(httpx.Headers({"retry-after": "1e999"})) == float("inf")


# -- connection failures -----------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_connection_names_the_url_and_is_retried() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    c, sleeps = make_client(url, max_retries=2)
    with c, pytest.raises(ConnectionFailed) as err:
        c.list_all()
    text = str(err.value)
    assert f"Connection refused by {url}/assistants" in text
    assert "after 2 retries" in text and "--base-url" in text
    assert sleeps == [0.5, 1.0]


def test_refused_create_is_retried_because_nothing_was_sent() -> None:
    c, sleeps = make_client(f"http://127.0.0.1:{_closed_port()}/v1", max_retries=1)
    with c, pytest.raises(ConnectionFailed):
        c.create({"model": "gpt-4o"})
    assert c.requests_made == 2 and len(sleeps) == 1


def test_dropped_connection_on_a_read_is_retried(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, sleeps = client
    server.script(
        Reply(action="drop"), Reply(200, assistant(1), action="partial"), ok(assistant(1))
    )
    assert c.get("asst_1")["id"] == "asst_1"
    assert len(server.seen) == 3 and len(sleeps) == 2


def test_dropped_connection_everywhere_gives_up(server: Scripted) -> None:
    c, _ = make_client(server.url, max_retries=1)
    server.handler = lambda seen: Reply(action="drop")
    with c, pytest.raises(ConnectionFailed, match="connection dropped") as err:
        c.get("asst_1")
    assert "after 1 retries" in str(err.value)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(action="drop"),
        Reply(200, assistant(1), action="partial"),
        Reply(500, openai_error("The server had an error", type_="server_error")),
        Reply(502, HTML_502),
        Reply(504, b""),
    ],
    ids=["reset", "mid-body", "500", "502-html", "504-empty"],
)
def test_create_with_unknown_outcome_is_not_retried(server: Scripted, reply: Reply) -> None:
    c, sleeps = make_client(server.url)
    server.script(reply, ok(assistant(1)))
    with c, pytest.raises(OutcomeUnknown) as err:
        c.create({"model": "gpt-4o", "metadata": {"assistctl": "p/k"}})
    assert len(server.seen) == 1 and sleeps == [] and c.retries == 0
    text = str(err.value)
    assert text.startswith(f"POST {server.url}/assistants was sent but its answer was lost")
    assert "ownership label" in text


def test_create_after_a_read_timeout_is_not_retried(server: Scripted) -> None:
    c, sleeps = make_client(server.url, timeout=httpx.Timeout(0.3, connect=5.0))
    server.script(Reply(200, assistant(1), action="sleep", seconds=1.5), ok(assistant(2)))
    with c, pytest.raises(OutcomeUnknown, match="read timeout"):
        c.create({"model": "gpt-4o"})
    assert len(server.seen) == 1 and sleeps == []


def test_read_timeout_on_a_read_is_retried(server: Scripted) -> None:
    c, sleeps = make_client(server.url, timeout=httpx.Timeout(0.3, connect=5.0))
    server.script(Reply(200, assistant(1), action="sleep", seconds=1.5), ok(assistant(2)))
    with c:
        assert c.get("asst_2")["id"] == "asst_2"
    assert len(sleeps) == 1


def test_read_timeout_exhausted(server: Scripted) -> None:
    c, _ = make_client(server.url, timeout=httpx.Timeout(0.2, connect=5.0), max_retries=1)
    server.handler = lambda seen: Reply(200, assistant(1), action="sleep", seconds=0.8)
    with c, pytest.raises(ConnectionFailed, match=r"no answer in time.*--timeout"):
        c.get("asst_1")


def test_create_429_and_409_are_retried(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, sleeps = client
    server.script(
        Reply(429, openai_error("slow"), {"retry-after": "1"}),
        Reply(409, openai_error("lock timeout")),
        ok(assistant(1)),
    )
    assert c.create({"model": "gpt-4o"})["id"] == "asst_1"
    assert sleeps == [1.0, 1.0]


def test_create_5xx_with_x_should_retry_true_is_retried(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(
        Reply(503, openai_error("overloaded"), {"x-should-retry": "true"}), ok(assistant(1))
    )
    assert c.create({"model": "gpt-4o"})["id"] == "asst_1"


def test_modify_is_retried_after_a_lost_answer(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(Reply(action="drop"), Reply(500, openai_error("x")), ok(assistant(1)))
    assert c.modify("asst_1", {"name": "n"})["id"] == "asst_1"
    assert [s.method for s in server.seen] == ["POST"] * 3
    assert all(s.body == {"name": "n"} for s in server.seen)


def test_delete_whose_lost_attempt_succeeded(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(Reply(502, HTML_502), Reply(404, openai_error("No assistant found")))
    assert c.delete("asst_1") == {"id": "asst_1", "object": "assistant.deleted", "deleted": True}


def test_delete_of_a_missing_assistant_is_not_found(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    server.script(Reply(404, openai_error("No assistant found")))
    with pytest.raises(NotFoundError):
        c.delete("asst_1")


# -- threads and logging -----------------------------------------------------------------------


def test_counters_are_exact_under_threads(
    server: Scripted, client: tuple[AssistantsClient, Sleeps]
) -> None:
    c, _ = client
    failed_once: set[str] = set()

    def handler(seen: Seen) -> Reply:
        # Every third assistant id fails once with 429, so retries happen concurrently too.
        number = int(seen.path.rsplit("_", 1)[-1])
        if number % 3 == 0 and seen.path not in failed_once:
            failed_once.add(seen.path)
            return Reply(429, openai_error("slow"))
        return ok(assistant(number))

    server.handler = handler
    errors: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            for n in range(20):
                c.get(f"asst_{thread}_{n}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(server.seen) == 160 + 8 * 7
    assert (c.requests_made, c.retries) == (160 + 8 * 7, 8 * 7)


def test_verbose_log_has_method_url_status_and_no_headers(
    server: Scripted, client: tuple[AssistantsClient, Sleeps], caplog: pytest.LogCaptureFixture
) -> None:
    c, _ = client
    server.script(Reply(429, openai_error("slow")), ok(assistant(1)))
    with caplog.at_level(logging.DEBUG, logger="assistctl.http"):
        c.get("asst_1")
    lines = [r.getMessage() for r in caplog.records if r.name == "assistctl.http"]
    assert any(f"GET {server.url}/assistants/asst_1 -> 429" in line for line in lines)
    assert any(f"GET {server.url}/assistants/asst_1 -> 200" in line for line in lines)
    assert any("retrying in 0.50 s (retry 1 of 5)" in line for line in lines)
    assert not any("Bearer" in line or "authorization" in line.lower() for line in lines)


# -- the key never leaks -----------------------------------------------------------------------


def _echo_key_401(seen: Seen) -> Reply:
    auth = seen.headers.get("authorization", "")
    # A careless host that echoes the whole header, plus OpenAI's masked form.
    return Reply(
        401,
        openai_error(f"Bad credentials {auth}; Incorrect API key provided: sk-test-****7890."),
        {"WWW-Authenticate": auth},
    )


LEAK_SCENARIOS: dict[str, Callable[[Seen], Reply]] = {
    "401-echo": _echo_key_401,
    "400-echo-flat": lambda seen: Reply(
        400, {"message": f"bad key {KEY} / {KEY[:12]}", "statusCode": 400, "requestId": "r"}
    ),
    "500-html-echo": lambda seen: Reply(500, f"<html><title>Error for {KEY}</title></html>"),
    "200-not-json-echo": lambda seen: Reply(200, f"your key is {KEY}"),
    "429-too-long": lambda seen: Reply(429, openai_error(KEY), {"retry-after": "999"}),
    "drop": lambda seen: Reply(action="drop"),
    "redirect": lambda seen: Reply(302, b"", {"Location": f"http://127.0.0.1/?key={KEY}"}),
}


@pytest.mark.parametrize("scenario", list(LEAK_SCENARIOS))
@pytest.mark.parametrize("operation", ["list", "create", "modify", "delete"])
def test_the_key_never_appears(
    server: Scripted,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    scenario: str,
    operation: str,
) -> None:
    server.handler = LEAK_SCENARIOS[scenario]
    caplog.set_level(logging.DEBUG)
    c, _ = make_client(server.url, max_retries=1)
    calls: dict[str, Callable[[], object]] = {
        "list": c.list_all,
        "create": lambda: c.create({"model": "gpt-4o"}),
        "modify": lambda: c.modify("asst_1", {"name": "x"}),
        "delete": lambda: c.delete("asst_1"),
    }
    with c, pytest.raises(AssistctlError) as err:
        calls[operation]()
    out = capsys.readouterr()
    texts = [
        str(err.value),
        repr(err.value),
        repr(err.value.args),
        repr(vars(err.value)),
        caplog.text,
        out.out,
        out.err,
        repr(c),
        repr(c.target),
        c.target.display,
    ]
    cause = err.value.__cause__ or err.value.__context__
    while cause is not None:
        texts.append(str(cause))
        texts.append(repr(cause))
        cause = cause.__cause__ or cause.__context__
    for text in texts:
        assert KEY not in text
        assert "SECRET" not in text
        assert "7890" not in text


def test_the_key_never_appears_on_refused_connection(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    c, _ = make_client(f"http://127.0.0.1:{_closed_port()}/v1", max_retries=1)
    with c, pytest.raises(ConnectionFailed) as err:
        c.create({"model": "gpt-4o"})
    for text in (str(err.value), repr(err.value), caplog.text):
        assert KEY not in text and "SECRET" not in text


def test_scrub_and_excerpt() -> None:
    assert scrub(f"key {KEY}!", KEY) == "key ***!"
    assert scrub("Incorrect API key provided: sk-proj-********abcd.", None) == (
        "Incorrect API key provided: ***."
    )
    assert scrub("prefix sk-test-SECRET only", KEY) == "prefix *** only"
    assert scrub("nothing to hide here", KEY) == "nothing to hide here"
    assert excerpt("<html><body><h1>Oops</h1><script>x()</script></body></html>") == "Oops"
    assert excerpt("x" * 500).endswith("...") and len(excerpt("x" * 500)) == 160


def test_client_repr_is_the_display(server: Scripted) -> None:
    target: Target = resolve_target(GlobalOptions(base_url=server.url, api_key=KEY), env={})
    with AssistantsClient(target) as c:
        assert repr(c) == f"AssistantsClient({server.url} (openai-compatible))"
