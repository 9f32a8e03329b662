"""Walking the paginated list of assistants, as pure state machines: which page to ask for
next, what a page adds, and when the walk is over. No I/O: :mod:`assistctl.api.listing`
sends the requests.

Every walk must end against any host, whatever it answers: a cursor seen before, a page that
brings no assistant not already listed, or more than :data:`MAX_PAGES` pages end it with
one error sentence instead of a loop. Objects a host repeats (pages shifting under
concurrent writes) are passed on once.

:class:`OneCursorWalk` follows ``after`` from the oldest assistant to the newest, one page
after the other. :class:`TwoEndedWalk` (:mod:`assistctl.api.twoends`) walks from both ends
at once, in about half the time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from assistctl.errors import ApiError

PAGE_SIZE = 100
"""Assistants asked for per page (the API's maximum)."""
MAX_PAGES = 1_000
"""Pages one listing may take: 100,000 assistants at 100 a page, more than any organisation
holds (the Assistants API has no documented limit; large ones hold a few thousand)."""

Direction = Literal["asc", "desc"]


@dataclass(frozen=True)
class Step:
    """One list request: ``order`` and the ``after`` cursor (None: from the start)."""

    order: Direction
    after: str | None = None

    def params(self, page_size: int = PAGE_SIZE) -> dict[str, str]:
        params = {"limit": str(page_size), "order": self.order}
        if self.after is not None:
            params["after"] = self.after
        return params


@dataclass(frozen=True)
class Page:
    """One list answer: its assistants (already checked to be assistant objects), and its
    ``has_more`` and ``last_id`` exactly as the host answered them (None when absent)."""

    items: Sequence[Mapping[str, Any]]
    has_more: Any = None
    last_id: Any = None
    size: int = 0
    """Bytes of the answer (what its assistants weigh while they wait for the consumer)."""


@dataclass
class Received:
    """What a page did to the walk: the assistants it adds (each passed on once), the
    requests to send next, and whether the walk is over."""

    fresh: list[Mapping[str, Any]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    done: bool = False


class Walk(Protocol):
    """What the listing asks of a walk. ``receive`` and ``failed`` are called one at a time
    (the listing holds a lock), in the order the answers come."""

    done: bool

    def start(self) -> list[Step]:
        """The first requests."""
        ...

    def receive(self, step: Step, page: Page) -> Received:
        """``page`` answered ``step``. Raises :class:`ApiError` when the walk cannot end."""
        ...

    def failed(self, step: Step, error: BaseException) -> list[Step]:
        """``step`` failed with ``error``: the requests to send instead, or ``error``
        raised again when the walk cannot go on without it."""
        ...

    def order(self) -> list[str]:
        """The ids listed, in the host's oldest-first order as far as the walk saw it."""
        ...


class Cursor:
    """One direction's walk: its cursor and the checks that make it end.

    ``where`` names the list URL in error messages.
    """

    def __init__(self, order: Direction, where: str, *, page_size: int = PAGE_SIZE) -> None:
        self.order: Direction = order
        self.where = where
        self.page_size = page_size
        self.pages = 0
        self.ids: dict[str, int] = {}
        """Every id this direction listed, with its position in the walk."""
        self.sequence: list[str] = []
        self.cursors: set[str] = set()
        self.after: str | None = None
        self.ended = False
        self.repeated = False
        """Some page repeated an object this direction had already listed."""

    def take(self, page: Page) -> tuple[list[Mapping[str, Any]], Step | None]:
        """The objects of ``page`` new to this direction, and the next request (None: this
        direction reached the end of the list). Raises :class:`ApiError` when the host's
        pagination would not end."""
        self.pages += 1
        new: list[Mapping[str, Any]] = []
        for item in page.items:
            ident = str(item["id"])
            if ident in self.ids:
                self.repeated = True
                continue
            self.ids[ident] = len(self.sequence)
            self.sequence.append(ident)
            new.append(item)
        more = self._has_more(page)
        if not more:
            self.ended = True
            return new, None
        if not page.items:
            raise ApiError(
                f"GET {self.where} said more assistants follow but returned an empty page; "
                "stopped to avoid an endless loop (a pagination bug on the host)."
            )
        if not new:
            raise ApiError(
                f"GET {self.where} answered a page of assistants all listed before (after "
                f"{self.after!r}); stopped to avoid an endless loop (the host's pagination "
                "does not move on)."
            )
        last_id = page.last_id
        cursor = last_id if isinstance(last_id, str) and last_id else str(page.items[-1]["id"])
        if cursor in self.cursors:
            raise ApiError(
                f"GET {self.where} returned the page after {cursor!r} twice; stopped to avoid "
                "an endless loop (the host ignores the 'after' cursor)."
            )
        self.cursors.add(cursor)
        self.after = cursor
        return new, Step(self.order, cursor)

    def _has_more(self, page: Page) -> bool:
        has_more = page.has_more
        if has_more is None:
            # A host that omits has_more: a full page may not be the last one.
            return len(page.items) >= self.page_size
        if not isinstance(has_more, bool):
            raise ApiError(
                f"GET {self.where} answered a list whose has_more is {has_more!r}, not "
                "true/false; this host does not paginate like the Assistants API."
            )
        return has_more


def too_many_pages(where: str, max_pages: int, page_size: int = PAGE_SIZE) -> ApiError:
    return ApiError(
        f"GET {where} still had more assistants after {max_pages:,} pages "
        f"({max_pages * page_size:,} assistants, more than any organisation holds); stopped: "
        "the host's pagination does not end."
    )


class OneCursorWalk:
    """The walk from the oldest assistant to the newest with one ``after`` cursor: one
    request per page, each waiting for the one before."""

    def __init__(
        self, where: str, *, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES
    ) -> None:
        self.where = where
        self.max_pages = max_pages
        self.page_size = page_size
        self.asc = Cursor("asc", where, page_size=page_size)
        self.done = False

    def start(self) -> list[Step]:
        return [Step("asc")]

    def receive(self, step: Step, page: Page) -> Received:
        fresh, following = self.asc.take(page)
        if following is not None and self.asc.pages >= self.max_pages:
            raise too_many_pages(self.where, self.max_pages, self.page_size)
        self.done = following is None
        return Received(fresh, [following] if following is not None else [], self.done)

    def failed(self, step: Step, error: BaseException) -> list[Step]:
        raise error

    def order(self) -> list[str]:
        return list(self.asc.sequence)
