"""Attack 7, pagination: a host whose list never ends cannot keep a command busy.

Before, a host answering a new cursor or new ids on every page kept ``plan`` going for
300 s and 6,523 requests. Now the listing ends with one error line at the first sign of a
loop (a cursor seen before, a page of nothing new, ``has_more`` with an empty page), and
otherwise after :data:`~assistctl.api.walk.MAX_PAGES` pages: more than any organisation
holds. Each case checks the bound (the exact number of requests the host saw), that the
command sent nothing but list requests, and that the key went nowhere else.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from assistctl.api.walk import MAX_PAGES
from clihelpers import run
from security._hostile import (
    KEY,
    Hostile,
    Request,
    Wire,
    assert_bounded_failure,
    assistant,
    hostile_server,
)


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "assistctl.yaml").write_text("project: endless\n", encoding="utf-8")
    (root / "tutor.yaml").write_text("key: tutor\nmodel: gpt-4o\n", encoding="utf-8")
    return root


def _plan(host: Hostile, root: Path, *flags: str) -> tuple[str, list[Request]]:
    result = run("--base-url", host.url, "--api-key", KEY, *flags, "plan", root)
    sentence = assert_bounded_failure(result)
    assert all(r.method == "GET" for r in host.requests)
    # Besides the listing, only plan's reference reads, sent once its first page came.
    listed = [r for r in host.requests if r.path == "/v1/assistants"]
    assert {r.path for r in host.requests} - {"/v1/assistants"} <= {"/v1/models"}
    assert set(host.authorizations()) == {f"Bearer {KEY}"}
    return sentence, listed


def _page(ids: list[str], *, has_more: bool = True, last_id: str | None = None) -> bytes:
    data = [assistant(i) for i in ids]
    return json.dumps(
        {"object": "list", "data": data, "last_id": last_id or ids[-1], "has_more": has_more}
    ).encode()


def test_new_ids_and_a_new_cursor_on_every_page_end_after_the_page_bound(
    tmp_path: Path,
) -> None:
    counter = itertools.count()

    def endless(request: Request, wire: Wire) -> None:
        # One assistant a page: the bound counts pages, and a short page keeps this fast.
        wire.json(_page([f"asst_{next(counter)}"]))

    with hostile_server(endless) as host:
        sentence, requests = _plan(host, _project(tmp_path))
    assert f"after {MAX_PAGES:,} pages" in sentence
    assert "pagination does not end" in sentence
    # The bound, not a timeout, ended it: the host would have answered for ever.
    assert MAX_PAGES <= len(requests) <= MAX_PAGES + 2


def test_a_new_cursor_with_the_same_ids_ends_at_the_second_page(tmp_path: Path) -> None:
    counter = itertools.count()

    def repeating(request: Request, wire: Wire) -> None:
        wire.json(_page(["asst_a", "asst_b"], last_id=f"cursor_{next(counter)}"))

    with hostile_server(repeating) as host:
        sentence, requests = _plan(host, _project(tmp_path))
    assert "all listed before" in sentence
    assert len(requests) <= 4  # the second page from each end


def test_cursors_that_cycle_end_when_one_comes_back(tmp_path: Path) -> None:
    """Page 1 points to A, A to B, B to C, and C back to A: fresh ids on each page, so
    only the cursor gives the loop away."""
    following = {None: "A", "A": "B", "B": "C", "C": "A"}
    counter = itertools.count()

    def cycling(request: Request, wire: Wire) -> None:
        cursor = following[request.query.get("after")]
        n = next(counter)
        wire.json(_page([f"asst_{n}_{i}" for i in range(3)], last_id=cursor))

    with hostile_server(cycling) as host:
        sentence, requests = _plan(host, _project(tmp_path))
    assert "returned the page after 'A' twice" in sentence
    assert len(requests) <= 8  # each end sees the cycle close at its fourth page


def test_more_pages_promised_with_an_empty_page_ends_at_once(tmp_path: Path) -> None:
    def empty(request: Request, wire: Wire) -> None:
        wire.json(json.dumps({"object": "list", "data": [], "has_more": True}).encode())

    with hostile_server(empty) as host:
        sentence, requests = _plan(host, _project(tmp_path))
    assert "empty page" in sentence
    assert len(requests) <= 2


@pytest.mark.parametrize("command", ["drift", "export"])
def test_every_command_that_lists_is_bounded(tmp_path: Path, command: str) -> None:
    counter = itertools.count()

    def repeating(request: Request, wire: Wire) -> None:
        wire.json(_page(["asst_a"], last_id=f"cursor_{next(counter)}"))

    root = _project(tmp_path)
    args = [root] if command == "drift" else ["--out", tmp_path / "out"]
    with hostile_server(repeating) as host:
        result = run("--base-url", host.url, "--api-key", KEY, command, *args)
        assert_bounded_failure(result, "all listed before")
        assert len(host.requests) <= 4
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
