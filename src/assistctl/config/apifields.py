"""The API fields of an assistant as plain data: the facts the manifest model needs, and the
rows the field registry (:mod:`assistctl.core.fields`) builds its entries from.

It lives in ``config`` because the manifest model (which names the fields
``lifecycle.ignore_changes`` accepts) and the v1 dialect (which refuses what v1 lacks) sit
below the core; what assistctl *does* with a field is the core's, chosen by its ``kind``.
Adding a field: one row here, its pydantic field in :mod:`assistctl.config.manifest`, and a
kind in :mod:`assistctl.core.kinds` only if no existing one has its shape. It imports nothing
of assistctl: keep it that way, so that every layer may read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

KindName = Literal[
    "string", "text", "number", "tools", "tool_resources", "metadata", "response_format",
    "value", "id_set",
]  # fmt: skip
"""The shape of a field's value, which picks its rules in :mod:`assistctl.core.kinds`."""


@dataclass(frozen=True)
class ApiField:
    name: str
    kind: KindName
    default: Any
    """What the server holds when a request leaves the field out, and what an update sends to
    reset it (``None``: no default, or null). Shared: never mutate it."""
    v1: str | None
    """Where the field goes in Assistants v1: the same name, the v1 field it is translated to
    (:mod:`assistctl.config.dialect`), or None when v1 has nothing like it."""
    in_v2: bool = True
    """False for a v1-only field."""
    write_only: bool = False
    """The API accepts it but never returns it, so a plan cannot read its live value."""


API_FIELD_ROWS: tuple[ApiField, ...] = (
    ApiField("model", "string", None, v1="model"),
    ApiField("name", "text", "", v1="name"),
    ApiField("description", "text", "", v1="description"),
    ApiField("instructions", "text", "", v1="instructions"),
    ApiField("tools", "tools", [], v1="tools"),
    ApiField("tool_resources", "tool_resources", {}, v1="file_ids"),
    ApiField("metadata", "metadata", {}, v1="metadata"),
    ApiField("temperature", "number", 1.0, v1=None),
    ApiField("top_p", "number", 1.0, v1=None),
    ApiField("response_format", "response_format", "auto", v1=None),
    ApiField("reasoning_effort", "value", None, v1=None, write_only=True),
    ApiField("file_ids", "id_set", [], v1="file_ids", in_v2=False),
)
"""Every API field of an assistant, in display order (plans, ``ignore_changes``, the schema)."""

API_FIELDS: tuple[str, ...] = tuple(f.name for f in API_FIELD_ROWS)
"""The API fields a manifest may set, and that ``lifecycle.ignore_changes`` may name."""

SERVER_DEFAULTS: dict[str, Any] = {f.name: f.default for f in API_FIELD_ROWS}
"""What the server holds for each field a request leaves out (shared: never mutate them)."""

NOT_IN_V1: tuple[str, ...] = tuple(f.name for f in API_FIELD_ROWS if f.v1 is None)
"""Fields Assistants v1 has nothing like: a manifest setting one is refused for v1."""
