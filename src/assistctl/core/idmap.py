"""What ``assistctl output`` reports: each manifest key's live assistant id, for applications.

One listing of the live assistants gives, for the keys of one scope (the project, or
``project@environment``), the id of the assistant carrying the key's label, and the keys no
live assistant carries yet (missing: never applied, or deleted out of band). Should a key
have two live assistants (a duplicate), the oldest is named, by ``created_at`` then id, the
rule every applier repairs duplicates by. Pure: the command lists, this module decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistctl.errors import ApiError, UsageError
from assistctl.labels import owner_of, split_scope

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
"""What an assistant id looks like (``asst_...``): nothing that could end a line in a
``.env`` file or a ``$GITHUB_ENV`` and start another variable there."""


@dataclass(frozen=True)
class IdMap:
    """The live ids of one scope's manifest keys."""

    scope: str
    ids: Mapping[str, str]
    """Key -> live assistant id, in the manifests' order."""
    missing: tuple[str, ...]
    """Manifest keys with no live assistant carrying their label."""

    @property
    def project(self) -> str:
        return split_scope(self.scope)[0]

    @property
    def environment(self) -> str | None:
        return split_scope(self.scope)[1]


def _rank(obj: Mapping[str, Any]) -> tuple[float, str]:
    created = obj.get("created_at")
    when = float(created) if isinstance(created, int | float) else float("inf")
    return when, str(obj.get("id"))


def live_ids(keys: Sequence[str], live: Iterable[Mapping[str, Any]], scope: str) -> IdMap:
    """The ids of ``keys`` among ``live`` (the listing, as the API returns it)."""
    wanted = set(keys)
    best: dict[str, tuple[tuple[float, str], str]] = {}
    for obj in live:
        owner = owner_of(dict(obj))
        if owner is None or owner[0] != scope or owner[1] not in wanted:
            continue
        rank = _rank(obj)
        if owner[1] not in best or rank < best[owner[1]][0]:
            best[owner[1]] = (rank, str(obj.get("id")))
    ids = {key: best[key][1] for key in keys if key in best}
    for key, ident in ids.items():
        if not _ID.match(ident):
            raise ApiError(
                f"The host lists an assistant of key '{key}' with the id {ident[:40]!r}, which "
                "is not an assistant id; nothing was printed."
            )
    return IdMap(scope, ids, tuple(key for key in keys if key not in best))


def variable_name(key: str) -> str:
    """``support-bot`` -> ``ASSISTANT_SUPPORT_BOT_ID``: the key upper-cased, every
    character other than a letter or digit as ``_``."""
    return f"ASSISTANT_{_NOT_ALNUM.sub('_', key).upper()}_ID"


def variable_names(keys: Iterable[str]) -> dict[str, str]:
    """Key -> variable name; UsageError when two keys make the same name."""
    names: dict[str, str] = {}
    taken: dict[str, str] = {}
    for key in keys:
        name = variable_name(key)
        if name in taken:
            raise UsageError(
                f"The keys '{taken[name]}' and '{key}' both become the variable {name}; "
                "rename one of them, or use --format json (key -> id)."
            )
        taken[name] = key
        names[key] = name
    return names
