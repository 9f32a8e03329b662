"""Assistant objects as the server builds and changes them: defaults, normalised tools, merges.

What the server fills in and returns (the client's normalization relies on this):

- Every ``AssistantObject`` field is present: ``id`` (``asst_`` + 24 letters/digits),
  ``object: "assistant"``, ``created_at`` (whole seconds), ``name``/``description``/
  ``instructions`` (``null`` when not given), ``model``, ``tools`` (``[]``), ``top_p`` and
  ``temperature`` (``1.0``), ``tool_resources`` (``{}``), ``metadata`` (``{}``),
  ``response_format`` (``"auto"``). Numbers come back as floats: ``temperature: 1`` is
  returned as ``1.0``.
- ``null`` sent for ``temperature``/``top_p``/``response_format`` means the default (``1.0``/
  ``"auto"``); ``null`` for ``metadata`` or ``tool_resources`` means ``{}``; ``null`` for
  ``name``/``description``/``instructions`` stores ``null``.
- ``reasoning_effort`` is accepted (create and modify) and validated but not returned, like the
  spec's ``AssistantObject`` which has no such property. It is kept (visible through
  ``GET /_admin/assistants``).
- Tools, as real OpenAI returns them:

  - ``code_interpreter``: ``{"type": "code_interpreter"}``.
  - ``file_search``: ``{"type": "file_search", "file_search": {"ranking_options":
    {"ranker": "default_2024_08_21", "score_threshold": 0.0}}}`` when no options were sent;
    ``max_num_results`` is returned only when sent. *Unsure:* a ``ranker`` of ``"auto"`` (or
    none) is returned as ``"default_2024_08_21"``, the ranker ``auto`` resolves to, on the
    strict side: a client must treat the two as equal. ``score_threshold`` is a float.
  - ``function``: ``{"type": "function", "function": {"name", "description"?, "parameters"?,
    "strict": false}}``: ``strict`` is filled with ``false`` when omitted or ``null``;
    ``description`` and ``parameters`` are returned exactly as sent and absent when not sent
    (*unsure* whether OpenAI fills an empty ``parameters``; the spec says omitting it means an
    empty parameter list).
- ``tool_resources``: with ``code_interpreter`` enabled it contains
  ``"code_interpreter": {"file_ids": [...]}`` (``[]`` when none were given); with
  ``file_search`` enabled ``"file_search": {"vector_store_ids": [...]}`` (``[]`` when none; the
  spec's modify example shows exactly this). Entries for tools that are not enabled are kept as
  sent, and an entry stays when its tool is removed later (*unsure*; normalization should
  treat empty entries as absent). The create-only ``vector_stores`` helper is answered with a
  made-up ``vs_...`` id in ``vector_store_ids`` (the emulator has no vector stores).
- Modify is partial: only the fields sent change. ``metadata`` and ``tools`` sent replace the old
  value whole. ``tool_resources`` sent replaces the entries it names (``code_interpreter``,
  ``file_search``) and keeps the others, following the spec's "Overrides the list of ..."
  wording (*unsure*; strict side: a client that wants an entry gone sends it empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistctl.emulator.store import JsonObject, new_id

DEFAULT_RANKING = {"ranker": "default_2024_08_21", "score_threshold": 0.0}


def _normalize_tool_v1(tool: JsonObject) -> JsonObject:
    if tool["type"] != "function":
        return {"type": tool["type"]}
    fn = dict(tool["function"])
    # v1 functions have no ``strict``; description and parameters come back as sent.
    function: JsonObject = {"name": fn["name"]}
    for key in ("description", "parameters"):
        if key in fn:
            function[key] = fn[key]
    return {"type": "function", "function": function}


def _normalize_tool(tool: JsonObject) -> JsonObject:
    kind = tool["type"]
    if kind == "code_interpreter":
        return {"type": "code_interpreter"}
    if kind == "file_search":
        options = dict(tool.get("file_search") or {})
        ranking = dict(options.get("ranking_options") or DEFAULT_RANKING)
        if ranking.get("ranker", "auto") == "auto":
            ranking["ranker"] = DEFAULT_RANKING["ranker"]
        ranking["score_threshold"] = float(ranking["score_threshold"])
        out: JsonObject = {
            "ranking_options": {
                "ranker": ranking["ranker"],
                "score_threshold": ranking["score_threshold"],
            }
        }
        if "max_num_results" in options:
            out["max_num_results"] = options["max_num_results"]
        return {"type": "file_search", "file_search": out}
    fn = dict(tool["function"])
    function: JsonObject = {"name": fn["name"]}
    if "description" in fn:
        function["description"] = fn["description"]
    if "parameters" in fn:
        function["parameters"] = fn["parameters"]
    function["strict"] = bool(fn.get("strict") or False)
    return {"type": "function", "function": function}


def _normalize_resource(kind: str, value: JsonObject) -> JsonObject:
    if kind == "code_interpreter":
        return {"file_ids": list(value.get("file_ids", []))}
    ids = list(value.get("vector_store_ids", []))
    # The create-only helper makes a vector store; the emulator only makes up its id.
    ids += [new_id("vs_") for _ in value.get("vector_stores", [])]
    return {"vector_store_ids": ids}


def _fill_tool_resources(obj: JsonObject) -> None:
    resources: JsonObject = obj["tool_resources"]
    enabled = {t["type"] for t in obj["tools"]}
    if "code_interpreter" in enabled:
        resources.setdefault("code_interpreter", {"file_ids": []})
    if "file_search" in enabled:
        resources.setdefault("file_search", {"vector_store_ids": []})
    obj["tool_resources"] = {
        k: resources[k] for k in ("code_interpreter", "file_search") if k in resources
    }


def apply_fields_v1(obj: JsonObject, body: Mapping[str, Any]) -> None:
    """Apply a validated v1 create/modify body to a v1 assistant object."""
    for key in ("model", "name", "description", "instructions"):
        if key in body:
            obj[key] = body[key]
    if "tools" in body:
        obj["tools"] = [_normalize_tool_v1(t) for t in body["tools"]]
    if "file_ids" in body:
        obj["file_ids"] = list(body["file_ids"])
    if "metadata" in body:
        obj["metadata"] = dict(body["metadata"] or {})


def apply_fields(obj: JsonObject, extra: JsonObject, body: Mapping[str, Any]) -> None:
    """Apply a validated create/modify body to ``obj`` (returned fields) and ``extra``."""
    for key in ("model", "name", "description", "instructions"):
        if key in body:
            obj[key] = body[key]
    if "reasoning_effort" in body:
        if body["reasoning_effort"] is None:
            extra.pop("reasoning_effort", None)
        else:
            extra["reasoning_effort"] = body["reasoning_effort"]
    if "tools" in body:
        obj["tools"] = [_normalize_tool(t) for t in body["tools"]]
    if "tool_resources" in body:
        sent = body["tool_resources"]
        if sent is None:
            obj["tool_resources"] = {}
        else:
            merged = dict(obj["tool_resources"])
            for kind, value in sent.items():
                merged[kind] = _normalize_resource(kind, value)
            obj["tool_resources"] = merged
    if "metadata" in body:
        obj["metadata"] = dict(body["metadata"] or {})
    for key in ("temperature", "top_p"):
        if key in body:
            obj[key] = 1.0 if body[key] is None else float(body[key])
    if "response_format" in body:
        obj["response_format"] = (
            "auto" if body["response_format"] is None else body["response_format"]
        )
    _fill_tool_resources(obj)


def new_assistant(assistant_id: str, created_at: int, model: str) -> JsonObject:
    """An AssistantObject with every field at the server's default (key order as OpenAI's)."""
    return {
        "id": assistant_id,
        "object": "assistant",
        "created_at": created_at,
        "name": None,
        "description": None,
        "model": model,
        "instructions": None,
        "tools": [],
        "top_p": 1.0,
        "temperature": 1.0,
        "tool_resources": {},
        "metadata": {},
        "response_format": "auto",
    }


def new_assistant_v1(assistant_id: str, created_at: int, model: str) -> JsonObject:
    """A v1 AssistantObject at the server's defaults (fields and order as v1 documented)."""
    return {
        "id": assistant_id,
        "object": "assistant",
        "created_at": created_at,
        "name": None,
        "description": None,
        "model": model,
        "instructions": None,
        "tools": [],
        "file_ids": [],
        "metadata": {},
    }
