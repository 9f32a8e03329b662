"""The rules of each kind of API field: its canonical form, how export writes it, how a request
body carries it, what an update sends, what a host may answer, how deep its diff paths go.
A field's row in :mod:`assistctl.config.apifields` names its kind (and its default);
:mod:`assistctl.core.fields` joins the two into the registry.

The canonical form is what ``plan`` compares, so every rule exists to make what the server
fills in, echoes differently or does not return never show up as a change: above all, **the
plan right after a successful apply is empty**. Export writes the live value with the same
server-filled parts left out (:mod:`assistctl.core.serverfill` holds them, for both), but
otherwise as the host wrote it.

    ``string``   exact text.
    ``text``     null, missing and ``""`` are the same (None); otherwise exact: whitespace is
                 real, the model sees it.
    ``number``   null or missing is the default; floats rounded to 6 decimals (``1`` ==
                 ``1.0``; a host's float32 ``0.699999988`` == ``0.7``).
    ``tools``    in order (the model sees them in order), each without what the server fills
                 in; a tool of a type assistctl does not know is kept whole.
    ``tool_resources``  entries with empty id lists are absent; id lists are sets.
    ``metadata`` string pairs by value, the ownership label included (so a renamed key shows;
                 export leaves the label out).
    ``response_format``  null is the default; ``json_schema`` without the server's fill-ins.
    ``value``    as it is (a write-only field: compared when a host returns it, else by the
                 fingerprint in the label, :mod:`assistctl.core.plan.writeonly`).
    ``id_set``   a set of ids (v1 ``file_ids``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assistctl.core import serverfill as fill
from assistctl.labels import OWNER_KEY

Rule = Callable[[Any, Any], Any]
"""``(default, value) -> value``: a kind's rule, given the field's default."""


def _update(default: Any, wanted: Any, before: Any, after: Any) -> Any:
    """The manifest's value, or the default that resets what the manifest leaves unset."""
    return copy.deepcopy(default) if wanted is None else wanted


@dataclass(frozen=True)
class Kind:
    """What assistctl does with every field of one shape."""

    canonical: Rule
    export: Rule
    body: Callable[[Any], Any] = fill.same
    update: Callable[[Any, Any, Any, Any], Any] = _update
    """``(default, manifest value or None, live canonical, desired canonical) -> value``."""
    answers: tuple[tuple[type, ...], str] | None = None
    """The JSON types a host may answer with (and their name); None: not checked."""
    depth: int | None = None
    """How deep a changed path goes before the rest is one value; None: the field is one."""


# -- canonical forms -----------------------------------------------------------------------------


def _canonical_string(default: Any, value: Any) -> Any:
    return None if value is None else str(value)


def _canonical_text(default: Any, value: Any) -> str | None:
    return None if fill.unset_text(value) else str(value)


def _canonical_number(default: Any, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return default
    try:
        return round(float(value), 6)
    except (TypeError, ValueError):
        return default


def _canonical_tools(default: Any, value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        return []
    return [fill.tool(t, fill.CANONICAL) for t in value]


def _canonical_metadata(default: Any, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): value[k] for k in sorted(value, key=str)}


def _canonical_response_format(default: Any, value: Any) -> Any:
    if value is None or value == default:
        return default
    return fill.response_format(value, fill.CANONICAL)


# -- export: the live value as a manifest writes it, None to leave it out ------------------------


def _exported_text(default: Any, value: Any) -> Any:
    return value if isinstance(value, str) and value != "" else None


def _exported_number(default: Any, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    rounded = fill.rounded(value)
    return None if rounded == default else rounded


def _exported_tools(default: Any, value: Any) -> Any:
    return (
        [fill.tool(t, fill.EXPORTED) for t in value] if isinstance(value, list) and value else None
    )


def _exported_metadata(default: Any, value: Any) -> Any:
    if not isinstance(value, Mapping):
        return None
    return {k: v for k, v in value.items() if k != OWNER_KEY} or None


def _exported_response_format(default: Any, value: Any) -> Any:
    if value is None or value == default:
        return None
    return fill.response_format(value, fill.EXPORTED)


def _exported_ids(default: Any, value: Any) -> Any:
    return list(value) if isinstance(value, list) and value else None


# -- request bodies: null is unset, so nulls leave the API's own structure (never a schema) ------


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


def _tools_body(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    tools = []
    for tool in value:
        tool = _drop_none(tool)
        for part in ("function", "file_search"):
            if isinstance(tool.get(part), dict):
                tool[part] = _drop_none(tool[part])
        fs = tool.get("file_search")
        if isinstance(fs, dict) and isinstance(fs.get("ranking_options"), dict):
            fs["ranking_options"] = _drop_none(fs["ranking_options"])
        tools.append(tool)
    return tools


def _resources_body(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {k: _drop_none(v) for k, v in value.items() if v is not None}


def _response_format_body(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    rf = _drop_none(value)
    if isinstance(rf.get("json_schema"), dict):
        rf["json_schema"] = _drop_none(rf["json_schema"])
    return rf


# -- updates: what a changed field sends, when not the manifest's value or the default ---


def _update_metadata(default: Any, wanted: Any, before: Any, after: Any) -> Any:
    # The API replaces metadata whole; the desired form holds the label and ignored pairs.
    return dict(after)


def _update_resources(default: Any, wanted: Any, before: Any, after: Any) -> Any:
    # The API treats each entry as an override: an entry the manifest dropped is emptied.
    body: dict[str, Any] = dict(wanted) if isinstance(wanted, Mapping) else {}
    for entry, key in fill.RESOURCE_LISTS.items():
        if entry in before and entry not in after:
            body[entry] = {key: []}
    return body


_STRING = ((str,), "a string")
_OBJECT = ((dict,), "an object")

KINDS: dict[str, Kind] = {
    "string": Kind(_canonical_string, _exported_text, answers=_STRING),
    "text": Kind(_canonical_text, _exported_text, answers=_STRING),
    "number": Kind(_canonical_number, _exported_number, answers=((int, float), "a number")),
    "tools": Kind(
        _canonical_tools, _exported_tools, _tools_body, answers=((list,), "a list"), depth=4
    ),
    "tool_resources": Kind(
        lambda default, value: fill.resources(value, fill.id_set),
        lambda default, value: fill.resources(value, fill.id_list) or None,
        _resources_body,
        _update_resources,
        answers=_OBJECT,
        depth=3,
    ),
    "metadata": Kind(
        _canonical_metadata,
        _exported_metadata,
        update=_update_metadata,
        answers=_OBJECT,
        depth=2,
    ),
    "response_format": Kind(
        _canonical_response_format,
        _exported_response_format,
        _response_format_body,
        answers=((str, dict), "a string or an object"),
        depth=3,
    ),
    "value": Kind(lambda default, value: value, lambda default, value: value),
    "id_set": Kind(lambda default, value: fill.id_set(value), _exported_ids),
}
