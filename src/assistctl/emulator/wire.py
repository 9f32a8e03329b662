"""The wire format shared by the app and the admin endpoints: responses and JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl

from assistctl.emulator.validation import RequestError

ResponseAction = Literal["respond", "close", "drop"]


@dataclass(frozen=True)
class Response:
    """What to send. ``action``: ``respond`` normally; ``close``: close the connection without
    writing anything (a lost response); ``drop``: write headers and half the body, then close."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    action: ResponseAction = "respond"

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((val for key, val in self.headers if key.lower() == lname), None)

    def json(self) -> Any:
        return json.loads(self.body)


INVALID_JSON_MESSAGE = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON. If you have trouble figuring out how to fix this, please contact "
    "us through our help center at help.openai.com.)"
)


def json_response(
    status: int, payload: Any, extra_headers: Iterable[tuple[str, str]] = ()
) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = [("content-type", "application/json"), ("content-length", str(len(body)))]
    headers.extend(extra_headers)
    return Response(status, headers, body)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_body(headers: Mapping[str, str], body: bytes) -> Any:
    """The request's JSON body (``{}`` when empty); 415/400 RequestError otherwise."""
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype != "application/json" and not ctype.endswith("+json"):
        raise RequestError(
            415,
            f"Unsupported Content-Type '{ctype}': the request body must be JSON "
            "(Content-Type: application/json).",
            code="unsupported_media_type",
        )
    if not body.strip():
        return {}
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        raise RequestError(400, INVALID_JSON_MESSAGE) from None


def lower_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    out: dict[str, str] = {}
    for key, val in pairs:
        lk = key.lower()
        out[lk] = f"{out[lk]}, {val}" if lk in out else val
    return out


def parse_query(query: str | Mapping[str, str]) -> dict[str, str]:
    if isinstance(query, str):
        out: dict[str, str] = {}
        for key, val in parse_qsl(query.lstrip("?"), keep_blank_values=True):
            out.setdefault(key, val)  # the first of repeated parameters wins
        return out
    return dict(query)
