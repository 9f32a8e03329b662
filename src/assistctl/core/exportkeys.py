"""Which key each live assistant is exported under, and which existing manifest it has.

This project's assistants keep their label's key. The others (``--all``) get the key of the
manifest an earlier export wrote for them (found by its ``# Exported by assistctl from ID``
comment), else a fresh one from their name: a slug, made unique against every key in use
(``-2``, ``-3``...). Pure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from assistctl.config.existing import ExistingDoc
from assistctl.core.exportmodel import Status
from assistctl.errors import PlanError
from assistctl.labels import OWNER_KEY, is_valid_name, make_label, owner_of

MAX_KEY = 128


def never(name: str) -> bool:
    return False


def _metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    metadata = obj.get("metadata")
    return dict(metadata) if isinstance(metadata, Mapping) else {}


def assign_keys(
    objects: list[dict[str, Any]], project: str, include_all: bool, docs: list[ExistingDoc]
) -> list[tuple[dict[str, Any], str, Status, ExistingDoc | None]]:
    """This project's assistants keep their label's key; the others get a fresh unique one,
    or the key of the manifest an earlier export wrote for them. Each gets the existing
    manifest of its key (or the one that ``moved_from`` it), if there is one."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        owner = owner_of(obj)
        if owner is not None and owner[0] == project:
            by_key.setdefault(owner[1], []).append(obj)
    conflicts = {k: v for k, v in by_key.items() if len(v) > 1}
    if conflicts:
        key, objs = sorted(conflicts.items())[0]
        raise PlanError(
            f"{' and '.join(o['id'] for o in objs)} both carry the label "
            f"{OWNER_KEY} = {make_label(project, key)}; 'assistctl plan' refuses this too. "
            "Delete one of them (or remove its label), then export again."
        )
    manifests = {d.key: d for d in docs}
    moved = {d.moved_from: d for d in docs if d.moved_from and d.key not in by_key}
    exported_from = {d.exported_from: d for d in docs if d.exported_from}
    taken = {k.casefold() for k in by_key} | {d.key.casefold() for d in docs}
    chosen: list[tuple[dict[str, Any], str, Status, ExistingDoc | None]] = []
    for obj in objects:
        owner = owner_of(obj)
        if owner is not None and owner[0] == project:
            doc = manifests.get(owner[1]) or moved.get(owner[1])
            chosen.append((obj, owner[1], "managed", doc))
        elif include_all:
            # Any value under the reserved key (even one that is not a label) makes import
            # ask for --force, so such an assistant is exported as someone else's.
            status: Status = "other_project" if OWNER_KEY in _metadata(obj) else "unmanaged"
            doc = exported_from.get(str(obj.get("id")))
            if doc is not None and doc.key not in by_key:
                chosen.append((obj, doc.key, status, doc))
                continue
            base = key_from(obj) if owner is None else owner[1]
            key = unique(base, taken)
            taken.add(key.casefold())
            chosen.append((obj, key, status, None))
    return chosen


def slug(text: str) -> str:
    """``"Math Tutor (v2)"`` → ``"math-tutor-v2"``: a valid key, or ``""``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    value = re.sub(r"[^a-z0-9._-]+", "-", ascii_text.lower())
    value = re.sub(r"-{2,}", "-", value).strip("-._")
    return value[:100].rstrip("-._")


def key_from(obj: Mapping[str, Any]) -> str:
    """A key for an unlabelled assistant: its name as a slug, else its id."""
    name = obj.get("name")
    if isinstance(name, str) and slug(name):
        return slug(name)
    assistant_id = str(obj.get("id", ""))
    if is_valid_name(assistant_id):
        return assistant_id
    return slug(assistant_id) or "assistant"


def unique(base: str, taken: set[str], occupied: Callable[[str], bool] = never) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is free (case-insensitively, and not
    ``occupied``)."""
    if base.casefold() not in taken and not occupied(base):
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_KEY - len(suffix)] + suffix
        if candidate.casefold() not in taken and not occupied(candidate):
            return candidate
        n += 1
