"""The field registry: one entry per API field of an assistant, and every list derived from it.

An entry joins a field's facts (its row in :mod:`assistctl.config.apifields`: server default,
v1 spelling, write-only) with its kind's rules (:mod:`assistctl.core.kinds`: canonical form,
export rule, request body form, diff depth, the types a host may answer with). The canonical
form (:mod:`assistctl.core.normalize`), the plan's request bodies and diff paths
(:mod:`assistctl.core.plan`), export (:mod:`assistctl.core.export`) and the client's checks
of what a host returns all read it; none of them names a field's default or shape itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from assistctl.config.apifields import API_FIELD_ROWS, ApiField
from assistctl.core.kinds import KINDS, Kind

ApiVersion = Literal["v1", "v2"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    default: Any
    """What the server holds when the field is unset (shared: never mutate it)."""
    v1: str | None
    """Its v1 spelling: the same name, the v1 field it becomes, or None (v1 has none)."""
    in_v2: bool
    write_only: bool
    """Accepted by the API, never returned: compared when a host does return it, else by the
    fingerprint in the ownership label (:mod:`assistctl.core.plan.writeonly`)."""
    kind: Kind
    canonical: Callable[[Any], Any]
    """The canonical form of a value of this field (unset: the default's)."""

    @property
    def depth(self) -> int | None:
        return self.kind.depth

    def export(self, value: Any) -> Any:
        """The live value as a manifest writes it; None to leave the field out."""
        return self.kind.export(self.default, value)

    def body(self, value: Any) -> Any:
        """A manifest's (non-null) value as a request body sends it."""
        return self.kind.body(value)

    def update(self, wanted: Any, before: Any, after: Any) -> Any:
        """What an update sends for this changed field: the manifest's value (``wanted``, None
        when unset) or what resets it, given the live and desired canonical values."""
        return self.kind.update(self.default, wanted, before, after)

    def unexpected(self, value: Any) -> str | None:
        """What a host's answer should have held instead of ``value``; None when it fits."""
        answers = self.kind.answers
        if answers is None or value is None:
            return None
        types, expected = answers
        return None if isinstance(value, types) and not isinstance(value, bool) else expected


def _entry(row: ApiField) -> FieldSpec:
    kind = KINDS[row.kind]
    return FieldSpec(
        name=row.name,
        default=row.default,
        v1=row.v1,
        in_v2=row.in_v2,
        write_only=row.write_only,
        kind=kind,
        canonical=partial(kind.canonical, row.default),
    )


FIELDS: dict[str, FieldSpec] = {row.name: _entry(row) for row in API_FIELD_ROWS}
"""Every API field of an assistant by name, in display order."""

FIELDS_V2: tuple[str, ...] = tuple(f.name for f in FIELDS.values() if f.in_v2)
"""The fields a v2 plan compares, in display order."""

FIELDS_V1: tuple[str, ...] = tuple(dict.fromkeys(f.v1 for f in FIELDS.values() if f.v1))
"""The v1 dialect's fields, each where its v2 counterpart stands."""

WRITE_ONLY_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS.values() if f.write_only)
"""Fields the API accepts but never returns."""

ANSWER_CHECKED: tuple[FieldSpec, ...] = tuple(f for f in FIELDS.values() if f.kind.answers)
"""The fields whose type in a host's answer is checked before a plan reads it."""


def api_fields(api_version: ApiVersion = "v2") -> tuple[str, ...]:
    """The API fields a plan compares for this dialect, in display order."""
    return FIELDS_V1 if api_version == "v1" else FIELDS_V2


def write_only_fields(api_version: ApiVersion = "v2") -> tuple[str, ...]:
    """The write-only fields of this dialect."""
    return tuple(f for f in WRITE_ONLY_FIELDS if f in api_fields(api_version))
