"""Every HTTP method and every malformed request gets the API's JSON error envelope.

The standard library's server answers methods it has no handler for (TRACE, PROPFIND, ...)
and requests it cannot parse with an HTML page; a client of the API must never see one.
"""

from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest

from assistctl.emulator.testing import EmulatorHandle


def _send(base_url: str, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    url = urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    try:
        conn.request(method, url.path + path, headers={"Authorization": "Bearer sk-test"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "PATCH", "OPTIONS", "PUT", "CONNECT"])
def test_unserved_method_on_a_known_path_is_405_in_the_json_envelope(
    emulator: EmulatorHandle, method: str
) -> None:
    status, headers, body = _send(emulator.base_url, method, "/assistants")
    assert status == 405
    assert headers["content-type"] == "application/json"
    error = json.loads(body)["error"]
    assert method in error["message"] and error["code"] == "method_not_allowed"
    assert "GET" in headers["allow"] and "POST" in headers["allow"]


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "GET"])
def test_any_method_on_an_unknown_path_is_404_in_the_json_envelope(
    emulator: EmulatorHandle, method: str
) -> None:
    status, headers, body = _send(emulator.base_url, method, "/no-such-thing")
    assert status == 404
    assert headers["content-type"] == "application/json"
    assert "message" in json.loads(body)["error"]


def test_aimlapi_flavor_answers_in_its_own_envelope(emulator_aimlapi: EmulatorHandle) -> None:
    status, _, body = _send(emulator_aimlapi.base_url, "TRACE", "/assistants")
    assert status == 405
    payload = json.loads(body)
    assert payload["statusCode"] == 405 and "TRACE" in payload["message"]


def test_a_malformed_request_line_is_400_in_the_json_envelope(emulator: EmulatorHandle) -> None:
    url = urlsplit(emulator.base_url)
    with socket.create_connection((url.hostname or "", url.port or 80), timeout=10) as sock:
        sock.sendall(b"GET /v1/assistants HTTP/9.9 extra\r\n\r\n")
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == b"400"
    assert b"application/json" in head.lower()
    assert json.loads(body)["error"]["message"]
