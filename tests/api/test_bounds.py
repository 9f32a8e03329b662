"""The pure parts of "bounded against any host": the deadline, bounded inflating, which
connection failures are final, and the one-cursor walk's ends. (The same bounds against
real hostile hosts are in ``tests/security/``.)"""

from __future__ import annotations

import socket
import ssl
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistctl.api.body import Undecodable, decoded
from assistctl.api.deadline import Deadline, describe
from assistctl.api.retry import permanent_failure, retryable_error
from assistctl.api.walk import OneCursorWalk, Page, Step
from assistctl.errors import ApiError, DeadlineExceeded, Interrupted

# -- the deadline ----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_deadline_counts_down_and_then_refuses() -> None:
    clock = Clock()
    deadline = Deadline(10, clock=clock)
    deadline.check("GET x")
    clock.now += 4
    assert deadline.remaining() == 6
    clock.now += 6
    with pytest.raises(DeadlineExceeded, match=r"Stopped waiting for GET x: .* 10 s passed"):
        deadline.check("GET x")


def test_timeouts_are_cut_to_the_time_left() -> None:
    clock = Clock()
    deadline = Deadline(90, clock=clock)
    clock.now += 60
    cut = deadline.clamp(httpx.Timeout(60, connect=5))
    assert (cut.connect, cut.read, cut.write, cut.pool) == (5, 30, 30, 30)
    assert Deadline(None).clamp(httpx.Timeout(60)).read == 60


def test_the_time_at_a_prompt_does_not_count() -> None:
    clock = Clock()
    deadline = Deadline(10, clock=clock)
    with deadline.paused():
        clock.now += 3600
        assert deadline.remaining() == 10
    assert deadline.remaining() == 10


def test_a_backoff_that_would_outlast_the_deadline_is_refused_without_sleeping() -> None:
    deadline = Deadline(5)
    with pytest.raises(DeadlineExceeded, match="backoff would outlast the deadline"):
        deadline.sleep(60)


def test_ctrl_c_refuses_what_follows_but_not_a_body_already_arriving() -> None:
    deadline = Deadline(300)
    deadline.cancel()
    with pytest.raises(Interrupted) as stopped:
        deadline.check("POST x", landed=True)
    assert stopped.value.landed and stopped.value.exit_code == 130
    with pytest.raises(Interrupted):
        deadline.sleep(0.5)
    assert deadline.remaining() > 0  # the answer on its way is still read


@pytest.mark.parametrize(
    ("seconds", "said"), [(300, "5 minutes"), (60, "1 minute"), (2, "2 s"), (0.5, "0.5 s")]
)
def test_how_a_deadline_is_said(seconds: float, said: str) -> None:
    assert describe(seconds) == said


# -- inflating in bounded steps --------------------------------------------------------------


def _compressed(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def _pieces(data: bytes, size: int = 4096) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


@pytest.mark.parametrize(
    ("encoding", "wbits"), [("gzip", 31), ("x-gzip", 31), ("deflate", 15), ("deflate", -15)]
)
def test_each_step_of_inflating_is_bounded(encoding: str, wbits: int) -> None:
    """64 MiB of zeros compress to 64 KiB: no step yields more than 256 KiB however much
    one piece of input inflates to, and the whole comes out exactly."""
    data = bytes(64 * 1024 * 1024)
    steps = list(decoded(_pieces(_compressed(data, wbits), 65536), [encoding]))
    assert max(len(s) for s in steps) <= 256 * 1024
    assert sum(len(s) for s in steps) == len(data)


def test_identity_and_unknown_encodings_pass_through() -> None:
    assert b"".join(decoded(iter([b"ab", b"c"]), [])) == b"abc"
    assert b"".join(decoded(iter([b"raw"]), ["identity"])) == b"raw"
    assert b"".join(decoded(iter([b"raw"]), ["br"])) == b"raw"


def test_two_encodings_are_undone_last_first() -> None:
    twice = _compressed(_compressed(b"hello", 15), 31)
    assert b"".join(decoded(iter([twice]), ["deflate", "gzip"])) == b"hello"


def test_a_corrupt_body_is_undecodable() -> None:
    with pytest.raises(Undecodable, match="not valid gzip"):
        list(decoded(iter([b"\x1f\x8b\x08\x00 not gzip at all"]), ["gzip"]))


# -- failures that waiting does not fix ------------------------------------------------------


def _chained(outer: httpx.TransportError, cause: BaseException) -> httpx.TransportError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer from inner
    except httpx.TransportError as err:
        return err


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_chained(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")), "dns"),
        (_chained(httpx.ConnectError("x"), ssl.SSLCertVerificationError("bad cert")), "certificate"),
        (_chained(httpx.ConnectError("x"), ssl.SSLError("WRONG_VERSION_NUMBER")), "tls"),
        (httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), "dns"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "certificate"),
        (httpx.ConnectError("[Errno 111] Connection refused"), None),
        (httpx.ConnectTimeout("timed out"), None),
        (httpx.ReadTimeout("timed out"), None),
    ],
)  # fmt: skip
def test_which_connection_failures_are_final(error: httpx.TransportError, kind: str | None) -> None:
    assert permanent_failure(error) == kind
    assert retryable_error(error) is (kind is None)


# -- the one-cursor walk ---------------------------------------------------------------------


def _items(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i} for i in ids]


def test_the_walk_follows_last_id_and_ends_without_has_more() -> None:
    walk = OneCursorWalk("http://h/v1/assistants")
    assert walk.start() == [Step("asc")]
    first = walk.receive(Step("asc"), Page(_items("a", "b"), True, "b"))
    assert [i["id"] for i in first.fresh] == ["a", "b"] and first.steps == [Step("asc", "b")]
    # A repeated object is passed on once; a page with something new moves on.
    second = walk.receive(Step("asc", "b"), Page(_items("b", "c"), False, "c"))
    assert [i["id"] for i in second.fresh] == ["c"] and second.done and second.steps == []


def test_the_page_bound_sends_no_request_past_it() -> None:
    walk = OneCursorWalk("http://h/v1/assistants", max_pages=3)
    walk.receive(Step("asc"), Page(_items("a"), True))
    walk.receive(Step("asc", "a"), Page(_items("b"), True))
    with pytest.raises(ApiError, match="after 3 pages"):
        walk.receive(Step("asc", "b"), Page(_items("c"), True))


@pytest.mark.parametrize(
    ("has_more", "count", "more"), [(None, 100, True), (None, 99, False), (True, 1, True)]
)
def test_a_host_that_omits_has_more(has_more: Any, count: int, more: bool) -> None:
    walk = OneCursorWalk("http://h/v1/assistants")
    got = walk.receive(Step("asc"), Page(_items(*map(str, range(count))), has_more))
    assert got.done is not more
