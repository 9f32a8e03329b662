"""One exchange with the host within bounds: the answer's body read up to a ceiling counted
after decompression, every wait cut to the command's deadline.

httpx reads a body whole, and inflates gzip or deflate in steps as large as the network
hands it (64 KiB of gzip can inflate to 66 MB in one step): a host answering an endless body,
or a small "zip bomb", would fill the memory. Here the raw bytes are inflated in bounded
steps, counted as they come, and the reading stops at the ceiling; the caller then closes
the response, which closes the connection (httpx does not reuse a connection whose body was
not read to the end).

The ceilings:

- :data:`MAX_BODY_BYTES` (128 MiB) for a successful answer. The largest an Assistants API
  answer can legitimately be is a list page of 100 assistants whose instructions are all at
  the 256,000-character limit: 26 MB in ASCII, 77 MB if every character takes three bytes
  of UTF-8. Past the ceiling the answer is refused.
- :data:`MAX_ERROR_BODY_BYTES` (1 MiB) for an error answer, read for its message only: the
  rest is not read, and what was read is used.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable, Iterator

import httpx

from assistctl.api.connection import unbind
from assistctl.api.deadline import Deadline
from assistctl.errors import Stopped

MAX_BODY_BYTES = 128 * 1024 * 1024
MAX_ERROR_BODY_BYTES = 1024 * 1024
_STEP = 256 * 1024
"""The most one inflating step may produce."""


def exchange(
    http: httpx.Client,
    request: httpx.Request,
    *,
    max_body: int,
    deadline: Deadline,
    unwanted: threading.Event | None = None,
) -> httpx.Response:
    """Send ``request`` and read its answer within the bounds: the body up to ``max_body``
    after decompression (an error answer's up to what its message needs), the reading
    abandoned when ``deadline`` passes or the answer is ``unwanted`` (:class:`Stopped`).
    Returns the answer read and decoded, its connection released (closed when the body was
    not read to its end). Raises httpx's transport errors, :class:`TooLarge` and
    :class:`Undecodable`."""
    response = http.send(request, stream=True)
    try:
        success = 200 <= response.status_code < 300
        content = read_body(
            response,
            max_body if success else MAX_ERROR_BODY_BYTES,
            deadline=deadline,
            truncate=not success,
            unwanted=unwanted,
        )
    finally:
        response.close()
        unbind(response)  # perf: see connection.unbind
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in _BODY_HEADERS
    ]
    extensions = {}
    if "reason_phrase" in response.extensions:
        extensions["reason_phrase"] = response.extensions["reason_phrase"]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=request,
        extensions=extensions,
    )


_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
"""Headers that describe the body as it came over the wire, not as it was read."""


class TooLarge(Exception):
    """The body passed ``limit`` bytes (after decompression) and was not read further."""

    def __init__(self, limit: int, declared: int | None = None) -> None:
        super().__init__(limit)
        self.limit = limit
        self.declared = declared
        """The Content-Length the host announced, when that alone passed the limit."""


class Undecodable(Exception):
    """The body is not what its Content-Encoding says (corrupt gzip or deflate)."""


def read_body(
    response: httpx.Response,
    limit: int,
    *,
    deadline: Deadline | None = None,
    truncate: bool = False,
    unwanted: threading.Event | None = None,
) -> bytes:
    """The decoded body of a response opened with ``stream=True``, at most ``limit`` bytes.

    Past ``limit``: :class:`TooLarge`, or with ``truncate`` the first ``limit`` bytes. The
    caller closes the response. Raises httpx's transport errors as reading does, and
    :class:`httpx.ReadTimeout` once ``deadline`` has passed between two chunks.
    """
    if response.is_stream_consumed:
        # An in-process transport (provider local) answers with the body already in memory.
        content = response.content
        if len(content) > limit and not truncate:
            raise TooLarge(limit)
        return content[:limit]
    declared = _content_length(response)
    if declared is not None and declared > limit and not truncate:
        raise TooLarge(limit, declared)
    parts: list[bytes] = []
    size = 0
    raw = _counted(response.iter_raw(), limit, truncate)
    for chunk in decoded(raw, response.headers.get_list("content-encoding", True)):
        if deadline is not None and deadline.remaining() <= 0:
            raise httpx.ReadTimeout("the command's deadline passed", request=response.request)
        if unwanted is not None and unwanted.is_set():
            raise Stopped(f"the answer to {response.request.url} is no longer needed")
        size += len(chunk)
        if size > limit:
            if not truncate:
                raise TooLarge(limit)
            parts.append(chunk[: len(chunk) - (size - limit)])
            break
        parts.append(chunk)
    return b"".join(parts)


def decoded(raw: Iterable[bytes], encodings: list[str]) -> Iterator[bytes]:
    """``raw`` with each Content-Encoding undone in turn (the last one applied first);
    encodings other than gzip and deflate are left as they are, as httpx does."""
    chunks: Iterator[bytes] = iter(raw)
    for encoding in reversed([e.strip().lower() for e in encodings]):
        if encoding in ("gzip", "x-gzip"):
            chunks = _inflate(chunks, zlib.MAX_WBITS | 16, "gzip")
        elif encoding == "deflate":
            chunks = _inflate(chunks, zlib.MAX_WBITS, "deflate")
    return chunks


def _inflate(chunks: Iterator[bytes], wbits: int, name: str) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits)
    started = False
    for data in chunks:
        while data and not inflater.eof:
            try:
                out = inflater.decompress(data, _STEP)
            except zlib.error as err:
                if name == "deflate" and not started:
                    # Many servers send deflate without its zlib header, as httpx allows.
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    started = True
                    continue
                raise Undecodable(f"the body is not valid {name} ({err})") from None
            started = True
            if out:
                yield out
            data = inflater.unconsumed_tail
    try:
        rest = inflater.flush()
    except zlib.error as err:  # pragma: no cover - flush after complete input does not fail
        raise Undecodable(f"the body is not valid {name} ({err})") from None
    if rest:
        yield rest


def _counted(raw: Iterator[bytes], limit: int, truncate: bool) -> Iterator[bytes]:
    """``raw``, ending past ``limit`` bytes (:class:`TooLarge`, or quietly with
    ``truncate``): what follows the end of a compressed stream is read but produces nothing,
    and must not be endless either."""
    size = 0
    for chunk in raw:
        size += len(chunk)
        if size > limit:
            if truncate:
                return
            raise TooLarge(limit)
        yield chunk


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)
