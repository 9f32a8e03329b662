"""Listing from both ends at once: one cursor from the oldest assistant, one from the newest,
until they meet. Pure: a state machine that :mod:`assistctl.api.listing` drives.

One cursor makes ceil(N/100) requests one after the other; two make about as many, half
of them at the same time as the other half, so the walk takes half the time. The hard part
is knowing that they met, with nothing missed in between, on any host:

- **The two walks are checked as they go.** The oldest-first walk (``order=asc``) must list
  ``created_at`` never decreasing, the newest-first one (``order=desc``) never increasing,
  each assistant once, every ``created_at`` a whole number, and nothing either lists may be
  older than where the oldest-first walk started or newer than where the other did (a host
  that ignores ``order`` starts both at the oldest). Any other answer is doubt.
- **Crossed in time is met.** The oldest-first walk has listed every assistant older than the
  last one it listed (time ``A``); the newest-first walk every one newer than its last (time
  ``D``). Once ``A > D``, every time is one or the other: the walk is over.
- **A seam inside one second needs more.** When both walks stand in the same run of equal
  ``created_at`` (``A == D``: common, many assistants are created in one second), how the
  host orders that run decides what is between them. The walk is over only when the
  assistants both walks listed are the last ones each listed, in exactly reversed order,
  and at least a whole page of them (:data:`SEAM_OVERLAP`): a host that orders ties the same
  way in both directions fails the reversal at the second shared assistant; one with unrelated
  orders would have to reverse a hundred in a row by chance (1 in 100!).
- **Either walk reaching the end is over too**: each alone is a whole one-cursor walk.
- **Any doubt falls back to one cursor**: a walk out of order (a host that ignores
  ``order``), an assistant repeated, a shared run that is not a reversed tail of both walks
  (an assistant deleted at the seam), walks that overlap before they cross, or a newest-first
  request that fails. The newest-first walk then stops and the oldest-first one goes on to
  the end, exactly as :class:`~assistctl.api.walk.OneCursorWalk` would; what the
  newest-first walk listed is not listed again.

Assistants created or deleted during the walk may or may not be listed, as with one cursor
(which also misses those created after it passed the end); every assistant present when the
listing starts and still present when it ends is listed exactly once. The page bound
(:data:`~assistctl.api.walk.MAX_PAGES`) counts the pages of both walks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from assistctl.api.walk import (
    MAX_PAGES,
    PAGE_SIZE,
    Cursor,
    Direction,
    Page,
    Received,
    Step,
    too_many_pages,
)
from assistctl.errors import AssistctlError, Stopped

SEAM_OVERLAP = PAGE_SIZE
"""Assistants both walks must have listed, as reversed tails, to meet inside one second."""


class TwoEndedWalk:
    """See the module. ``fallback`` says why the walk went on with one cursor, if it did."""

    def __init__(
        self,
        where: str,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        seam_overlap: int | None = None,
    ) -> None:
        self.where = where
        self.page_size = page_size
        self.max_pages = max_pages
        # Two at the least: one shared assistant mirrors itself, whatever the host does.
        self.seam_overlap = max(2, page_size if seam_overlap is None else seam_overlap)
        self.ends: dict[Direction, Cursor] = {
            "asc": Cursor("asc", where, page_size=page_size),
            "desc": Cursor("desc", where, page_size=page_size),
        }
        self.times: dict[Direction, int | None] = {"asc": None, "desc": None}
        """The ``created_at`` of the last assistant each walk listed."""
        self.firsts: dict[Direction, int | None] = {"asc": None, "desc": None}
        """The ``created_at`` each walk started at: the oldest, and the newest."""
        self.span: tuple[float, float] = (math.inf, -math.inf)
        """The oldest and the newest ``created_at`` either walk listed."""
        self.seen: set[str] = set()
        self.shared = 0
        """Assistants listed by both walks."""
        self.pages = 0
        self.done = False
        self.fallback: str | None = None

    @property
    def both(self) -> bool:
        """Both walks still go on (no doubt so far)."""
        return self.fallback is None

    def start(self) -> list[Step]:
        return [Step("asc"), Step("desc")]

    def receive(self, step: Step, page: Page) -> Received:
        order = step.order
        if self.done or (order == "desc" and not self.both):
            return Received(done=self.done)  # an answer no longer needed
        self.pages += 1
        end = self.ends[order]
        if order == "asc":
            new, following = end.take(page)  # the walk that decides: its errors end the listing
        else:
            try:
                new, following = end.take(page)
            except AssistctlError as err:
                self._doubt(f"the newest-first walk stopped: {err}")
                return Received()
        if self.both:
            self._check(order, new, end)
        fresh = [item for item in new if str(item["id"]) not in self.seen]
        self.seen.update(str(item["id"]) for item in fresh)
        if following is None and (order == "asc" or self.both):
            self.done = True  # this walk reached the end of the list on its own
        elif self.both and self._met():
            self.done = True
        if self.done:
            return Received(fresh, [], True)
        if self.pages >= self.max_pages:
            raise too_many_pages(self.where, self.max_pages, self.page_size)
        steps = [following] if following is not None and (order == "asc" or self.both) else []
        return Received(fresh, steps, False)

    def failed(self, step: Step, error: BaseException) -> list[Step]:
        if self.done or (step.order == "desc" and not self.both):
            return []
        if (
            step.order == "asc"
            or isinstance(error, Stopped)
            or not isinstance(error, AssistctlError)
        ):
            raise error
        # A host may not serve order=desc at all: one cursor is all it takes.
        self._doubt(f"the newest-first request failed: {error}")
        return []

    def order(self) -> list[str]:
        """The oldest-first walk's ids, then the newest-first walk's others, reversed: the
        host's own order when its newest-first order mirrors its oldest-first one."""
        oldest = self.ends["asc"].sequence
        listed = set(oldest)
        rest = [i for i in reversed(self.ends["desc"].sequence) if i not in listed]
        return [*oldest, *rest]

    # -- the checks ------------------------------------------------------------------------

    def _check(self, order: Direction, new: list[Mapping[str, Any]], end: Cursor) -> None:
        """Doubt unless ``new`` continues this walk in order, and count what both listed."""
        if end.repeated:
            self._doubt(f"the {_name(order)} walk listed an assistant twice")
            return
        other = self.ends["desc" if order == "asc" else "asc"].ids
        last = self.times[order]
        for item in new:
            created = item.get("created_at")
            if not isinstance(created, int) or isinstance(created, bool):
                self._doubt(f"assistant {item['id']!r} has no whole-number created_at")
                return
            if last is not None and (created < last if order == "asc" else created > last):
                self._doubt(f"the {_name(order)} walk is not in created_at order")
                return
            if self.firsts[order] is None:
                self.firsts[order] = created
            self.span = (min(self.span[0], created), max(self.span[1], created))
            last = created
            if str(item["id"]) in other:
                self.shared += 1
        self.times[order] = last
        oldest, newest = self.firsts["asc"], self.firsts["desc"]
        if (oldest is not None and self.span[0] < oldest) or (
            newest is not None and self.span[1] > newest
        ):
            # A walk did not start at its end of the list (or the list grew newer during
            # the walk): what lies beyond where it started is nobody's.
            self._doubt("the walks did not start at the two ends of the list")

    def _met(self) -> bool:
        oldest, newest = self.times["asc"], self.times["desc"]
        if oldest is None or newest is None:
            return False
        if oldest > newest:
            return True  # crossed in time: every created_at is on one side or the other
        if not self.shared:
            return False
        if oldest < newest:
            self._doubt("the walks overlap before they cross")
            return False
        # The seam is inside one second: the shared run must be the tail of both walks, in
        # exactly reversed order.
        asc_tail = self.ends["asc"].sequence[-self.shared :]
        desc_tail = self.ends["desc"].sequence[-self.shared :]
        if asc_tail != desc_tail[::-1]:
            self._doubt("the walks meet inside one second in orders that do not mirror")
            return False
        return self.shared >= self.seam_overlap

    def _doubt(self, why: str) -> None:
        if self.fallback is None:
            self.fallback = why


def _name(order: Direction) -> str:
    return "oldest-first" if order == "asc" else "newest-first"
