"""Why a plan must not be applied as is: the :class:`Problem` entries the planner records.

prevent_destroy
    The manifest's flag is recorded in the label (``S/KEY;prevent_destroy``), so it lives on
    the live side: a delete of an assistant whose label records it is a problem, manifest or
    not; dropping the flag from the manifest is an update (``lifecycle.prevent_destroy``)
    that a later plan may follow with the delete. For assistants labelled before the flag
    was recorded, the old rule still holds: a protected manifest created in the same plan as
    deletes is refused (a changed ``key`` without ``moved_from``).

Pure. Each message is one sentence saying what is wrong and what to do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from assistctl.config.manifest import Manifest
from assistctl.core.plan.model import Change, Problem
from assistctl.labels import OWNER_KEY, make_label


def _by_key(c: Change) -> str:
    return c.key


def label_conflict(scope: str, key: str, ids: Sequence[str], kept: str) -> Problem:
    """Duplicates of ``key`` that one pass over the listing cannot repair (see planner)."""
    ids = tuple(sorted(ids))
    return Problem(
        kind="label_conflict",
        keys=(key,),
        ids=ids,
        message=f"{len(ids)} live assistants ({', '.join(ids)}) carry the label "
        f"'{OWNER_KEY}: {make_label(scope, key)}' and differ, and the host listed the oldest, "
        f"{kept}, after the others, so this plan cannot say how to update it; delete or "
        "relabel the others",
    )


def protected(delete: Change) -> Problem:
    return Problem(
        kind="prevent_destroy",
        keys=(delete.key,),
        ids=(str(delete.id),),
        message=f"'{delete.key}' ({delete.id}) would be deleted but its live label records "
        "lifecycle.prevent_destroy; to delete it, first restore its manifest with "
        "prevent_destroy: false and apply, then remove the manifest",
    )


def unrecorded_protection(changes: Sequence[Change]) -> list[Problem]:
    """The rule for assistants labelled before prevent_destroy was recorded: a protected
    manifest created while others are deleted is most likely a changed ``key``."""
    deletes = sorted(
        (
            c
            for c in changes
            if c.action == "delete" and not c.prevent_destroy and not c.duplicate_of
        ),
        key=_by_key,
    )
    problems: list[Problem] = []
    if not deletes:
        return problems
    for c in sorted(changes, key=_by_key):
        if c.action == "create" and c.prevent_destroy:
            names = ", ".join(f"'{d.key}' ({d.id})" for d in deletes)
            problems.append(
                Problem(
                    kind="prevent_destroy",
                    keys=(c.key, *(d.key for d in deletes)),
                    ids=tuple(str(d.id) for d in deletes),
                    message=f"'{c.key}' has lifecycle.prevent_destroy and would be "
                    f"created while {names} would be deleted; if '{c.key}' was "
                    f"renamed, add 'moved_from: OLD_KEY' to keep the same assistant, "
                    f"otherwise remove prevent_destroy from '{c.key}' for this apply",
                )
            )
    return problems


def valid_moves(by_key: Mapping[str, Manifest], problems: list[Problem]) -> dict[str, str]:
    """``{new_key: old_key}`` for the ``moved_from`` declarations that can be honoured."""
    claims: dict[str, list[str]] = defaultdict(list)
    for key, m in by_key.items():
        if m.moved_from and m.moved_from != key:
            claims[m.moved_from].append(key)
    moves: dict[str, str] = {}
    for old in sorted(claims):
        news = sorted(claims[old])
        if old in by_key:
            problems.append(
                Problem(
                    kind="moved_from",
                    keys=(*news, old),
                    message=f"{_quoted(news)} declare{'s' if len(news) == 1 else ''} "
                    f"moved_from '{old}' but a manifest with key '{old}' still exists; "
                    f"remove that manifest or the moved_from",
                )
            )
        elif len(news) > 1:
            problems.append(
                Problem(
                    kind="moved_from",
                    keys=(*news, old),
                    message=f"{_quoted(news)} all declare moved_from '{old}'; "
                    "only one manifest can take over an assistant",
                )
            )
        else:
            moves[news[0]] = old
    return moves


def _quoted(keys: Sequence[str]) -> str:
    return ", ".join(f"'{k}'" for k in keys)
