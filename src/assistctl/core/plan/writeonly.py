"""Write-only fields (``reasoning_effort``: the API accepts it, never returns it), planned
without state.

The ownership label records a short fingerprint of the manifest's write-only values
(``wo=HEX``, :func:`assistctl.core.normalize.write_only_fingerprint`), written with every
create and update. At plan time the live label's fingerprint is compared with the
manifest's: when they differ, or the live one is missing (an assistant made by an older
version, or by hand and imported), the update sends every write-only field, the manifest's
value or null (the API default) for one it no longer sets, and rewrites the label. A host
that does return a field has it compared directly. :func:`recover` gives ``export`` the
values a fingerprint records. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from assistctl.config.manifest import REASONING_EFFORTS, Manifest
from assistctl.core.fields import ApiVersion, write_only_fields
from assistctl.core.normalize import write_only_fingerprint
from assistctl.core.plan.paths import LABEL_PATH, PREVENT_DESTROY_PATH
from assistctl.labels import OWNER_KEY, Label, label_of


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
    """``changed`` (after :func:`~assistctl.core.plan.paths.label_paths`, which names a moved
    ``prevent_destroy`` flag alone) with a label whose fingerprint moved named as what it
    stands for, the write-only fields, and its ``prevent_destroy`` if that moved too (the
    update still rewrites the label)."""
    if LABEL_PATH not in changed:
        return tuple(changed)
    old, new = label_of(before), label_of(after)
    if old is None or new is None or old.write_only == new.write_only or old.owner != new.owner:
        return tuple(changed)  # a move: the label shows
    # Where the label was, its prevent_destroy flag when that moved too.
    flag = [PREVENT_DESTROY_PATH] if old.prevent_destroy != new.prevent_destroy else []
    out = list(dict.fromkeys(q for p in changed for q in (flag if p == LABEL_PATH else [p])))
    return (*out, *(f for f in fields if f not in ignored and f not in out))


def recorded(before: dict[str, Any] | None) -> bool:
    """Whether the live side of a change carries a write-only fingerprint."""
    label = label_of(before or {})
    return label is not None and label.write_only is not None


_CHOICES: dict[str, tuple[Any, ...]] = {"reasoning_effort": (None, *REASONING_EFFORTS)}
"""The values a write-only field can hold: few enough to find the one a fingerprint records."""


def recover(doc: dict[str, Any], label: Label | None, api_version: str) -> dict[str, Any]:
    """The write-only values ``label``'s fingerprint records for the manifest fields ``doc``
    (export's reading of a live assistant, which the API never returns them in), when exactly
    one choice of them matches; ``{}`` otherwise."""
    version: ApiVersion = "v1" if api_version == "v1" else "v2"
    fields = write_only_fields(version)
    if label is None or label.write_only is None or not fields:
        return {}
    found = []
    for values in itertools.product(*(_CHOICES.get(f, (None,)) for f in fields)):
        chosen = {f: v for f, v in zip(fields, values, strict=True) if v is not None}
        try:
            manifest = Manifest.model_validate({**doc, **chosen})
        except ValidationError:
            continue
        if write_only_fingerprint(manifest, version) == label.write_only:
            found.append(chosen)
    return found[0] if len(found) == 1 else {}


def reproduces(doc: dict[str, Any], label: Label | None, api_version: str) -> bool:
    """Whether the manifest fields ``doc`` hold the write-only values ``label``'s fingerprint
    records (False when it records none)."""
    version: ApiVersion = "v1" if api_version == "v1" else "v2"
    if label is None or label.write_only is None or not write_only_fields(version):
        return False
    try:
        manifest = Manifest.model_validate(doc)
    except ValidationError:
        return False
    return write_only_fingerprint(manifest, version) == label.write_only
