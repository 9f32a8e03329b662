"""Free-form JSON (function ``parameters``, a response ``schema``, a host's unknown tools) in
one form, and its text: what every canonical form is built from and compared with."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_LEAVES = (str, int, type(None))  # bool is an int


def normalize_json(value: Any) -> Any:
    """Free-form JSON: dicts with sorted keys, integral floats as ints, recursively."""
    # perf: leaves first, they are most of a schema's nodes and the Mapping check below is
    # a slow ABC check; benchmarks/plan_phases.py (see benchmarks/README.md, plan scaling).
    if isinstance(value, _LEAVES):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(k): normalize_json(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [normalize_json(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Deterministic compact JSON of a canonical value (for fingerprints and equality)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
