"""What apply checks on the live side before it touches an assistant, and the duplicate rule.

The plan a change comes from may be a file anyone could have rewritten (its digest is tamper
evidence, not a signature), so nothing here trusts it: right before each modify or delete,
apply reads the assistant again and :func:`refusal` says why the change must not go on —
not this scope's label for that key any more, protected by a recorded ``prevent_destroy``,
or, for a duplicate repair, a kept assistant that is not the older copy of the same key.

Duplicates (two live assistants carrying one label: concurrent applies, a copied label) are
repaired by one rule every applier agrees on without talking to the others: the oldest by
``created_at``, then id, is kept (:func:`rank`), the others are deleted. Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from assistctl.core.plan.model import Change, Plan
from assistctl.labels import OWNER_KEY, Label, label_of, make_label


def rank(obj: Mapping[str, Any]) -> tuple[float, str]:
    """Sort key of the duplicate rule: oldest ``created_at`` first, then the smaller id.

    A host that gives no usable ``created_at`` sorts that object last (by id among those)."""
    created = obj.get("created_at")
    when = (
        float(created)
        if isinstance(created, int | float) and not isinstance(created, bool)
        else float("inf")
    )
    return when, str(obj.get("id"))


def _label(obj: Mapping[str, Any]) -> Label | None:
    return label_of(dict(obj))


def describe_owner(obj: Mapping[str, Any]) -> str:
    """How a live assistant is labelled, for a refusal: ``now labelled other/x`` or
    ``unmanaged (no assistctl label)``."""
    metadata = obj.get("metadata")
    value = metadata.get(OWNER_KEY) if isinstance(metadata, Mapping) else None
    if value is None:
        return f"unmanaged (no {OWNER_KEY} label)"
    return f"labelled {value!r}"


def expected_key(change: Change) -> str:
    """The key the live assistant must carry before this change: a move relabels OLD."""
    return change.moved_from or change.key


def refusal(change: Change, live: Mapping[str, Any], scope: str) -> str | None:
    """Why ``change`` (an update or delete) must not touch ``live``, read just now; None
    when it still is this scope's assistant for that key and the one planned."""
    if str(live.get("id")) != change.id:
        return f"the host answered for {live.get('id')!r} instead of {change.id!r}"
    label = _label(live)
    want = expected_key(change)
    if label is None or label.owner != (scope, want):
        return (
            f"no longer ours: {describe_owner(live)}, not {make_label(scope, want)!r}; "
            "left as it is"
        )
    if change.action == "delete" and label.prevent_destroy and not change.duplicate_of:
        return (
            "protected: its label records lifecycle.prevent_destroy; restore its manifest "
            "with prevent_destroy: false and apply before deleting it"
        )
    return None


def kept_refusal(
    change: Change, kept: Mapping[str, Any] | None, deleted: Mapping[str, Any], scope: str
) -> str | None:
    """For a duplicate repair: why the assistant said to be kept does not justify deleting
    ``deleted`` (gone, not the same label, or not the older of the two)."""
    if kept is None:
        return f"the assistant it duplicates, {change.duplicate_of}, is gone; left as it is"
    label = _label(kept)
    if label is None or label.owner != (scope, change.key):
        return (
            f"the assistant it duplicates, {change.duplicate_of}, is {describe_owner(kept)}; "
            "left as it is"
        )
    if rank(kept) >= rank(deleted):
        return (
            f"{change.duplicate_of} is not older than it, so the duplicate rule keeps this one; "
            "left as it is"
        )
    return None


def duplicate_repairs(
    live: Iterable[Mapping[str, Any]], scope: str, keys: Iterable[str]
) -> list[Change]:
    """Deletes of every copy but the oldest, for each of ``keys`` with several live
    assistants carrying this scope's label (what apply runs after its creates)."""
    wanted = set(keys)
    copies: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for obj in live:
        label = _label(obj)
        if label is not None and label.scope == scope and label.key in wanted:
            copies[label.key].append(obj)
    repairs = []
    for key in sorted(copies):
        kept, *extra = sorted(copies[key], key=rank)
        for obj in extra:
            repairs.append(
                Change(
                    key=key,
                    id=str(obj.get("id")),
                    action="delete",
                    duplicate_of=str(kept.get("id")),
                )
            )
    return repairs


def managed_keys(live: Iterable[Mapping[str, Any]], scope: str) -> int:
    """How many keys of ``scope`` have at least one live assistant."""
    return len({label.key for obj in live if (label := _label(obj)) and label.scope == scope})


def foreign_bodies(plan: Plan, scope: str) -> list[str]:
    """Creates and updates of a plan whose body would write a label that is not this
    scope's for the change's key (only a rewritten plan file holds one), one sentence each."""
    found = []
    for change in plan.changes:
        if change.action not in ("create", "update") or not change.body:
            continue
        metadata = change.body.get("metadata")
        if metadata is None and change.action == "update":
            continue  # the label is not rewritten
        value = metadata.get(OWNER_KEY) if isinstance(metadata, Mapping) else None
        label = _label({"metadata": {OWNER_KEY: value}})
        if label is None or label.owner != (scope, change.key):
            found.append(
                f"the {change.action} of '{change.key}' would write the label {value!r}, "
                f"not this project's {make_label(scope, change.key)!r}"
            )
    return found
