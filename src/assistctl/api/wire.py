"""What comes off the wire: JSON decoding, and checking that answers are shaped like the API's.

A host that answers something else (an HTML page, a list whose objects lack an ``id``, a
``temperature`` that is a string) is refused with one sentence here, before the plan reads
it as the API's default and hides what the host really holds.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx

from assistctl.api.secret import scrub
from assistctl.core.fields import ANSWER_CHECKED
from assistctl.errors import ApiError

COLLECTION = "/assistants"
"""The path of the assistants, under the base URL."""

_EXCERPT_CHARS = 160
_MESSAGE_CHARS = 500
_EXCERPT_SCAN_CHARS = 16 * 1024


def loads_json(raw: bytes) -> Any:
    """``json.loads``; JSON nested deeper than Python's parser goes is not JSON either."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def content_type(response: httpx.Response) -> str:
    value = str(response.headers.get("content-type") or "no content type")
    return value.split(";")[0].strip()


_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_DROP_RE = re.compile(r"<(script|style)[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")


def excerpt(text: str, limit: int = _EXCERPT_CHARS) -> str:
    """A short one-line excerpt of a body: an HTML page's title, or its text, never a dump."""
    # The head of the body is enough, and keeps the regexes' work bounded on a huge one.
    text = text[:_EXCERPT_SCAN_CHARS]
    title = _TITLE_RE.search(text)
    if title and title.group(1).strip():
        text = title.group(1)
    elif "<" in text:
        text = _TAG_RE.sub(" ", _DROP_RE.sub(" ", text))
    text = " ".join(html.unescape(text).split())
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text


def clip(message: str, limit: int = _MESSAGE_CHARS) -> str:
    """The API's own message as one line, cut to a length an error line can carry."""
    message = " ".join(message[: limit * 2].split())
    return message if len(message) <= limit else message[: limit - 3].rstrip() + "..."


def kind_of(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__


def check_assistant(item: Any, where: str) -> dict[str, Any]:
    """``item`` if it is shaped like an AssistantObject as far as a plan reads it."""
    ident = item.get("id") if isinstance(item, dict) else None
    if not isinstance(item, dict) or not isinstance(ident, str) or not ident.strip():
        raise ApiError(
            f"{where} answered {kind_of(item)} without an 'id' where an assistant object was "
            "expected; is the base URL an Assistants API host?"
        )
    # A value of another type is refused rather than compared: read as the API default, it
    # would hide from the plan (and from apply) whatever the host really holds.
    for field in ANSWER_CHECKED:
        value = item.get(field.name)
        expected = field.unexpected(value)
        if expected is None:
            continue
        raise ApiError(
            f"{where} answered assistant {ident!r} whose '{field.name}' is {kind_of(value)} "
            f"({excerpt(repr(value), 40)}), not {expected}; the host does not answer like the "
            "Assistants API."
        )
    for index, tool in enumerate(item.get("tools") or []):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if (
            not isinstance(tool, dict)
            or not isinstance(tool.get("type"), str)
            or (tool["type"] == "function" and not isinstance(fn, dict))
            or (isinstance(fn, dict) and not isinstance(fn.get("name"), str))
        ):
            raise ApiError(
                f"{where} answered assistant {ident!r} whose tools[{index}] is not a tool object "
                f"({excerpt(repr(tool), 60)}); the host does not answer like the Assistants API."
            )
    return item


def page_items(page: Any, url: str) -> list[dict[str, Any]]:
    """The assistants of one list page, each checked."""
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list):
        raise ApiError(
            f"GET {url} answered {kind_of(page)} without a 'data' list where a list of "
            "assistants was expected; is the base URL an Assistants API host?"
        )
    for item in data:
        check_assistant(item, f"GET {url}")
    return data


def decode_answer(response: httpx.Response, method: str, url: str, key: str | None) -> Any:
    """The JSON of a successful answer; one sentence (without ``key``) when it is not JSON."""
    status = response.status_code
    if not response.content.strip():
        raise ApiError(
            f"{method} {url} answered {status} with an empty body where a JSON object "
            "was expected; is the base URL an Assistants API host?"
        )
    try:
        return loads_json(response.content)
    except ValueError:
        raise ApiError(
            f"{method} {url} answered {status} with a body that is not JSON "
            f"({content_type(response)}: {scrub(excerpt(response.text), key)!r}); "
            "is the base URL an Assistants API host?"
        ) from None
