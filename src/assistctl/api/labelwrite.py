"""Writing the labels of a reviewed import, each after a fresh read of its assistant.

The import plan was made from a listing; by the time it is confirmed, someone may have
labelled the assistant, or filled its metadata. So, as apply does before each modify, every
assistant is read again right before its label is written, and the write goes on only if it
is still as planned (:func:`assistctl.core.adopt.stale`); the request sends the metadata read
just then plus the label, so a pair added meanwhile is kept. Each write is independent: one
failure is recorded and the others go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistctl.core.adopt import ImportItem, label_body, stale
from assistctl.errors import AssistctlError, NotFoundError


class LabelApi(Protocol):
    """The part of :class:`assistctl.api.client.AssistantsClient` that import uses."""

    def get(self, assistant_id: str) -> dict[str, Any]: ...
    def modify(self, assistant_id: str, body: dict[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class LabelOutcome:
    item: ImportItem
    ok: bool
    updated: dict[str, Any] | None = None
    """The assistant as the host answered the write."""
    error: str | None = None


def write_labels(client: LabelApi, items: Sequence[ImportItem]) -> list[LabelOutcome]:
    """Write the label of each item that needs one, in order; never raises for one item."""
    outcomes = []
    for item in items:
        if item.adoption.done:
            continue
        try:
            outcomes.append(_write(client, item))
        except AssistctlError as err:
            outcomes.append(LabelOutcome(item, ok=False, error=str(err)))
    return outcomes


def _write(client: LabelApi, item: ImportItem) -> LabelOutcome:
    assistant_id = item.pair.assistant_id
    try:
        fresh = client.get(assistant_id)
    except NotFoundError:
        return LabelOutcome(item, ok=False, error="gone: it was deleted since the plan was made")
    reason = stale(item, fresh)
    if reason is not None:
        return LabelOutcome(item, ok=False, error=reason)
    updated = client.modify(assistant_id, label_body(item, fresh))
    return LabelOutcome(item, ok=True, updated=updated)
