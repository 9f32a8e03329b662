"""Inside the API's own objects (tools, response formats, tool resources): what the server
fills in, written once for both the canonical form a plan compares and the form export writes.

A value the server fills in (or returns for a key a request left out) is the same as absent;
:data:`CANONICAL` and :data:`EXPORTED` walk the same rules, the first normalising free-form
JSON and numbers, the second keeping the host's own text and key order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assistctl.core.jsonform import normalize_json

PLAIN_TOOLS = ("code_interpreter", "retrieval")
"""Tools without options: only their type counts."""
PLAIN_FORMATS = ("text", "json_object")
"""Response formats without options."""
DEFAULT_RANKERS = (None, "auto", "default_2024_08_21")
DEFAULT_SCORE_THRESHOLD = 0.0
NO_PARAMETERS: tuple[dict[str, Any], ...] = (
    {},
    {"type": "object", "properties": {}},
    {"type": "object", "properties": {}, "required": []},
)
"""The API's ways of saying "no parameters": all the same as leaving ``parameters`` out."""
RESOURCE_LISTS = {"code_interpreter": "file_ids", "file_search": "vector_store_ids"}
"""Each tool resource and its id list."""


def same(value: Any) -> Any:
    return value


def unset_text(value: Any) -> bool:
    return value is None or value == ""


def _not_true(value: Any) -> bool:
    return value is not True


def _no_parameters(value: Any) -> bool:
    return value is None or value in NO_PARAMETERS


def _is_none(value: Any) -> bool:
    return value is None


Keys = dict[str, tuple[Callable[[Any], bool], Callable[[Any], Any]]]

# Beside ``name``, the keys of a named object of the API that are compared: for each, when the
# server treats a value as unset (it returns that value for an omitted key), and its
# canonical form. Other keys a host adds are neither compared nor exported.
_FUNCTION_KEYS: Keys = {
    "description": (unset_text, str),
    "parameters": (_no_parameters, normalize_json),
    "strict": (_not_true, same),
}
_SCHEMA_KEYS: Keys = {
    "description": (unset_text, str),
    "schema": (_is_none, normalize_json),
    "strict": (_not_true, same),
}


def _canonical_named(obj: Any, keys: Keys) -> dict[str, Any]:
    obj = obj if isinstance(obj, Mapping) else {}
    out: dict[str, Any] = {"name": obj.get("name")}
    for key, (unset, form) in keys.items():
        value = obj.get(key)
        if not unset(value):
            out[key] = form(value)
    return out


def _exported_named(obj: Any, keys: Keys) -> Any:
    if not isinstance(obj, Mapping):
        return obj
    return {k: v for k, v in obj.items() if k == "name" or (k in keys and not keys[k][0](v))}


def rounded(value: Any) -> Any:
    """A number as compared, rounded to 6 decimals (a numeric string too); else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    try:
        return round(float(value), 6)
    except ValueError:
        return value


def _canonical_ranking(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    out: dict[str, Any] = {}
    if value.get("ranker") not in DEFAULT_RANKERS:
        out["ranker"] = value.get("ranker")
    threshold = value.get("score_threshold")
    if threshold is not None and not isinstance(threshold, bool):
        threshold = rounded(threshold)
        if not isinstance(threshold, float):
            # Not a number (a host's oddity): a real difference, shown as it is.
            out["score_threshold"] = normalize_json(threshold)
        elif threshold != DEFAULT_SCORE_THRESHOLD:
            out["score_threshold"] = threshold
    return out or None


def _exported_ranking(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    out: dict[str, Any] = {}
    if value.get("ranker") not in DEFAULT_RANKERS:
        out["ranker"] = value["ranker"]
    threshold = value.get("score_threshold")
    if isinstance(threshold, int | float):
        threshold = rounded(threshold)
    if out or (threshold is not None and threshold != DEFAULT_SCORE_THRESHOLD):
        # The manifest model requires score_threshold whenever ranking_options is set.
        out["score_threshold"] = DEFAULT_SCORE_THRESHOLD if threshold is None else threshold
        return out
    return None


@dataclass(frozen=True)
class Form:
    """How the values inside tools and response formats are written."""

    json: Callable[[Any], Any]
    named: Callable[[Any, Keys], Any]
    ranking: Callable[[Any], dict[str, Any] | None]


CANONICAL = Form(normalize_json, _canonical_named, _canonical_ranking)
EXPORTED = Form(same, _exported_named, _exported_ranking)


def tool(value: Any, form: Form) -> Any:
    if isinstance(value, Mapping) and value.get("type") == "file_search":
        options = value.get("file_search")
        overrides: dict[str, Any] = {}
        if isinstance(options, Mapping):
            if options.get("max_num_results") is not None:
                overrides["max_num_results"] = form.json(options["max_num_results"])
            ranking = form.ranking(options.get("ranking_options"))
            if ranking is not None:
                overrides["ranking_options"] = ranking
        return (
            {"type": "file_search", "file_search": overrides}
            if overrides
            else {"type": "file_search"}
        )
    return _typed(value, form, PLAIN_TOOLS, "function", _FUNCTION_KEYS)


def response_format(value: Any, form: Form) -> Any:
    return _typed(value, form, PLAIN_FORMATS, "json_schema", _SCHEMA_KEYS)


def _typed(value: Any, form: Form, plain: tuple[str, ...], named: str, keys: Keys) -> Any:
    """An API object told apart by its ``type``: one with no options is its type; the named
    one keeps its options under the key of its type's name; any other is kept whole."""
    if not isinstance(value, Mapping):
        return form.json(value)
    kind = value.get("type")
    if kind in plain:
        return {"type": kind}
    if kind == named:
        return {"type": kind, kind: form.named(value.get(kind), keys)}
    return form.json(value)


def resources(value: Any, ids: Callable[[Any], list[Any]]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, Any] = {}
    for entry, key in RESOURCE_LISTS.items():
        found = value.get(entry)
        listed = ids(found.get(key)) if isinstance(found, Mapping) else []
        if listed:
            out[entry] = {key: listed}
    return out


def id_set(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        return []
    return sorted(str(v) for v in value)


def id_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []
