"""The ownership label: the one metadata pair that makes an assistant *managed*.

An assistant belongs to project P under manifest key K when its metadata carries
``OWNER_KEY: "P/K"``. The tool keeps no state file; this label is the whole identity.
Pure functions only.
"""

from __future__ import annotations

import re

OWNER_KEY = "assistctl"
"""Reserved metadata key. Manifests may not set it themselves."""

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
"""Shape of a project name and of a manifest ``key``: no ``/`` so the label splits once."""

_NAME_RE = re.compile(NAME_PATTERN)


def is_valid_name(value: str) -> bool:
    return bool(_NAME_RE.match(value))


def make_label(project: str, key: str) -> str:
    return f"{project}/{key}"


def parse_label(value: object) -> tuple[str, str] | None:
    """Return ``(project, key)`` from a label value, or None when it is not one of ours."""
    if not isinstance(value, str) or value.count("/") != 1:
        return None
    project, key = value.split("/")
    if not (is_valid_name(project) and is_valid_name(key)):
        return None
    return project, key


def owner_of(live: dict[str, object]) -> tuple[str, str] | None:
    """``(project, key)`` of a live assistant object, or None when it is unmanaged."""
    metadata = live.get("metadata")
    if not isinstance(metadata, dict):
        return None
    return parse_label(metadata.get(OWNER_KEY))
