"""What manifests refer to on the host, and which of those references the host lacks.

A manifest names a ``model``, files (``tool_resources.code_interpreter.file_ids``, v1
``file_ids``) and vector stores (``tool_resources.file_search.vector_store_ids``) that must
exist on the host. ``validate`` cannot know (it is offline); ``plan`` asks the host, read-only
(:mod:`assistctl.api.references`), and :func:`problems` turns what it found into plan
problems, so the plan is refused before apply fails on them. Pure: no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from assistctl.config.manifest import Manifest
from assistctl.core.plan.model import Problem

Kind = Literal["model", "file", "vector_store"]
CLOSEST = 3
"""Known model names offered for an unknown one."""


@dataclass(frozen=True)
class Reference:
    """One thing a manifest names: ``value`` of ``kind``, at ``where`` in manifest ``key``."""

    key: str
    file: str
    kind: Kind
    value: str
    where: str


@dataclass(frozen=True)
class HostFacts:
    """What the host said. ``models``: the names it serves (None: not known); ``files`` and
    ``vector_stores``: whether each id asked about exists (an id left out: not known)."""

    models: frozenset[str] | None = None
    files: Mapping[str, bool] = field(default_factory=dict)
    vector_stores: Mapping[str, bool] = field(default_factory=dict)


def references(manifests: Iterable[tuple[Manifest, str]]) -> list[Reference]:
    """Every reference of every ``(manifest, file it was read from)``."""
    found: list[Reference] = []
    for m, file in manifests:
        found.append(Reference(m.key, file, "model", m.model, "model"))
        resources = m.tool_resources
        code = resources.code_interpreter if resources else None
        search = resources.file_search if resources else None
        for ident in code.file_ids if code else ():
            where = "tool_resources.code_interpreter.file_ids"
            found.append(Reference(m.key, file, "file", ident, where))
        for ident in m.file_ids or ():
            found.append(Reference(m.key, file, "file", ident, "file_ids"))
        for ident in search.vector_store_ids if search else ():
            where = "tool_resources.file_search.vector_store_ids"
            found.append(Reference(m.key, file, "vector_store", ident, where))
    return found


def ids(found: Iterable[Reference], kind: Kind) -> list[str]:
    """The distinct values of ``kind``, sorted: one request each at most."""
    return sorted({r.value for r in found if r.kind == kind})


def problems(found: Iterable[Reference], facts: HostFacts) -> list[Problem]:
    """A problem for each reference the host says it does not have."""
    out: list[Problem] = []
    for ref in found:
        message = _missing(ref, facts)
        if message is not None:
            out.append(
                Problem(
                    kind="reference",
                    keys=(ref.key,),
                    message=f"'{ref.key}' ({ref.file}): {message}",
                )
            )
    return out


def _missing(ref: Reference, facts: HostFacts) -> str | None:
    if ref.kind == "model":
        known = facts.models
        if known is None or ref.value in known:
            return None
        close = difflib.get_close_matches(ref.value, sorted(known), n=CLOSEST, cutoff=0.6)
        hint = (
            "closest: " + ", ".join(f"'{name}'" for name in close)
            if close
            else f"it serves {len(known)} models (GET /models lists them)"
        )
        return f"model '{ref.value}' is not a model this host serves; {hint}"
    table = facts.files if ref.kind == "file" else facts.vector_stores
    if table.get(ref.value, True):
        return None
    what = "file" if ref.kind == "file" else "vector store"
    return f"{ref.where} names the {what} '{ref.value}', which does not exist on this host"
