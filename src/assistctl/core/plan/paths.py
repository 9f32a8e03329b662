"""Where two canonical forms differ, as dotted paths (``tools[1].function.parameters``).

Each field's paths go as deep as its registry entry says (:attr:`FieldSpec.depth`), then the
rest is one value (a JSON schema, an id list); tools are matched by identity, not position.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from assistctl.core.fields import FIELDS
from assistctl.core.jsonform import canonical_json
from assistctl.labels import OWNER_KEY, parse

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def top_field(path: str) -> str:
    """``tools[1].function.parameters`` -> ``tools``."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def format_path(parts: Sequence[str | int]) -> str:
    """``["tools", 1, "function"]`` -> ``tools[1].function``; odd keys are quoted."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not out:
            out = part
        elif _IDENT.match(part):
            out += f".{part}"
        else:
            out += f"[{canonical_json(part)}]"
    return out


_MISSING = object()


def diff_paths(
    before: Mapping[str, Any], after: Mapping[str, Any], *, fields: Sequence[str] | None = None
) -> list[str]:
    """Dotted paths of what differs between two canonical forms, in field order.

    Tools are matched by identity (type, and function name) rather than by position, so
    inserting a tool reports ``tools[0]`` rather than every later index; indexes refer to
    ``after`` for changed and added tools and to ``before`` for removed ones, and a pure
    reordering reports ``tools``.
    """
    if canonical_json(dict(before)) == canonical_json(dict(after)):
        # perf: the common case (a noop), one comparison instead of one per field; equal
        # JSON texts mean no field differs under _differs' rules either.
        # benchmarks/plan_phases.py (see benchmarks/README.md, plan scaling).
        return []
    order = list(fields or ())
    order += [f for f in (*before, *after) if f not in order]
    paths: list[str] = []
    for field in order:
        old, new = before.get(field, _MISSING), after.get(field, _MISSING)
        if not _differs(old, new):
            continue
        spec = FIELDS.get(field)
        depth = spec.depth if spec else None
        if old is _MISSING or new is _MISSING or depth is None:
            paths.append(field)
        elif field == "tools" and isinstance(old, list) and isinstance(new, list):
            paths += _tool_paths(old, new, depth)
        else:
            paths += _deep_paths(old, new, [field], depth)
    return list(dict.fromkeys(paths))


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, str) or isinstance(new, str):
        return bool(old != new or type(old) is not type(new))
    # JSON text equality: unlike ==, it tells True from 1 and 1 from "1".
    return canonical_json(old if old is not _MISSING else "\0missing") != canonical_json(
        new if new is not _MISSING else "\0missing"
    )


def _deep_paths(old: Any, new: Any, prefix: list[str | int], depth: int) -> list[str]:
    # perf: imported here so that importing the models (render, a saved plan) stays light;
    # benchmarks/startup.py (see benchmarks/README.md, start-up).
    from deepdiff import DeepDiff

    diff = DeepDiff(old, new, view="tree", verbose_level=0)
    paths: list[str] = []
    for levels in diff.values():
        for level in levels:
            parts = prefix + list(level.path(output_format="list"))
            paths.append(format_path(parts[:depth]))
    if not paths:
        paths.append(format_path(prefix))
    return sorted(dict.fromkeys(paths), key=_path_sort_key)


def _path_sort_key(path: str) -> list[tuple[int, int, str]]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\[\]]+", path) if p]


def _identities(tools: Sequence[Any]) -> list[tuple[Any, ...]]:
    seen: dict[tuple[Any, ...], int] = defaultdict(int)
    out = []
    for tool in tools:
        if isinstance(tool, Mapping):
            fn = tool.get("function")
            name = fn.get("name") if isinstance(fn, Mapping) else None
            base: tuple[Any, ...] = (str(tool.get("type")), name)
        else:
            base = ("?", canonical_json(tool))
        out.append((*base, seen[base]))
        seen[base] += 1
    return out


def _tool_paths(old: list[Any], new: list[Any], depth: int) -> list[str]:
    old_ids, new_ids = _identities(old), _identities(new)
    if old_ids == new_ids:
        paths: list[str] = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if canonical_json(a) != canonical_json(b):
                paths += _deep_paths(a, b, ["tools", i], depth)
        return paths
    where = {ident: i for i, ident in enumerate(old_ids)}
    paths = []
    common_new = []
    for j, ident in enumerate(new_ids):
        found = where.get(ident)
        if found is None:
            paths.append(format_path(["tools", j]))
            continue
        common_new.append(ident)
        if canonical_json(old[found]) != canonical_json(new[j]):
            paths += _deep_paths(old[found], new[j], ["tools", j], depth)
    present = set(new_ids)
    for i, ident in enumerate(old_ids):
        if ident not in present:
            paths.append(format_path(["tools", i]))
    if [ident for ident in old_ids if ident in present] != common_new:
        paths.insert(0, "tools")
    return paths


LABEL_PATH = format_path(["metadata", OWNER_KEY])
PREVENT_DESTROY_PATH = "lifecycle.prevent_destroy"


def label_paths(
    changed: Sequence[str], before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[str, ...]:
    """``changed`` with a change of the ownership label's ``prevent_destroy`` flag alone
    named as what it is, ``lifecycle.prevent_destroy``, rather than ``metadata.assistctl``.

    The flag is the manifest's ``lifecycle.prevent_destroy`` recorded live; a label whose
    identity changes (a move) stays ``metadata.assistctl``.
    """
    if LABEL_PATH not in changed:
        return tuple(changed)
    old, new = (parse(_label_value(side)) for side in (before, after))
    if old is None or new is None or old.owner != new.owner or old.write_only != new.write_only:
        return tuple(changed)
    return tuple(PREVENT_DESTROY_PATH if p == LABEL_PATH else p for p in changed)


def _label_value(side: Mapping[str, Any]) -> object:
    metadata = side.get("metadata")
    return metadata.get(OWNER_KEY) if isinstance(metadata, Mapping) else None
