"""Looking a format up by name in a registry (plans and drift, validate reports)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from assistctl.errors import UsageError

T = TypeVar("T")


def by_name(registry: Mapping[str, T], name: str) -> T:
    """The entry called ``name``; any other name is a UsageError listing the known ones."""
    try:
        return registry[name]
    except KeyError:
        raise UsageError(
            f"Unknown output format '{name}'; use one of {', '.join(registry)}."
        ) from None
