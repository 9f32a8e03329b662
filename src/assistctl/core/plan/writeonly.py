"""Write-only fields (``reasoning_effort``: the API accepts it, never returns it), planned
without state.

The ownership label records a short fingerprint of the manifest's write-only values
(``wo=HEX``, :func:`assistctl.core.normalize.write_only_fingerprint`), written with every
create and update. At plan time the live label's fingerprint is compared with the
manifest's: when they differ, or the live one is missing (an assistant made by an older
version, or by hand and imported), the update sends every write-only field, the manifest's
value or null (the API default) for one it no longer sets, and rewrites the label. A host
that does return a field has it compared directly. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from assistctl.core.plan.paths import format_path
from assistctl.labels import OWNER_KEY, label_of

LABEL_PATH = format_path(["metadata", OWNER_KEY])


def expect(
    before: dict[str, Any], after: dict[str, Any], fields: Sequence[str], ignored: Sequence[str]
) -> None:
    """Make ``after`` (the desired canonical form of an update) hold what the plan compares
    of the write-only ``fields``, in place. ``ignored``: ``lifecycle.ignore_changes``, whose
    write-only fields keep their live value and leave the recorded fingerprint as it is."""
    live, wanted = label_of(before), label_of(after)
    if live is None or wanted is None:
        return
    if any(field in ignored for field in fields) and live.write_only != wanted.write_only:
        kept = dataclasses.replace(wanted, write_only=live.write_only)
        after["metadata"] = {**after["metadata"], OWNER_KEY: kept.value()}
        wanted = kept
    moved = live.write_only != wanted.write_only
    for field in fields:
        if field in ignored:
            continue
        if field in before:
            after.setdefault(field, None)  # the host shows it: compared as it is
        elif moved:
            after[field] = after.get(field)  # unknown live: sent (null resets it)
        else:
            after.pop(field, None)


def paths(
    changed: Sequence[str],
    before: dict[str, Any],
    after: dict[str, Any],
    fields: Sequence[str],
    ignored: Sequence[str],
) -> tuple[str, ...]:
    """``changed`` with a label that differs only by its fingerprint named as what it stands
    for, the write-only fields (the update still rewrites the label)."""
    if LABEL_PATH not in changed:
        return tuple(changed)
    old, new = label_of(before), label_of(after)
    if old is None or new is None or old.write_only == new.write_only:
        return tuple(changed)
    if dataclasses.replace(old, write_only=new.write_only) != new:
        return tuple(changed)  # the identity or another flag moved too: the label shows
    out = [p for p in changed if p != LABEL_PATH]
    return (*out, *(f for f in fields if f not in ignored and f not in out))


def recorded(before: dict[str, Any] | None) -> bool:
    """Whether the live side of a change carries a write-only fingerprint."""
    label = label_of(before or {})
    return label is not None and label.write_only is not None
