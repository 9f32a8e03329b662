"""One canonical form for the desired state (a manifest) and for a live assistant object.

``plan`` diffs the two canonical forms, so every rule here exists to make values the server
fills in, echoes differently or does not return never show up as a change — and, above all,
to make **the plan right after a successful apply empty**.

Decision: the manifest is the complete desired state
    A field the manifest does not set means *the API default*, not "leave the live value
    alone". So an out-of-band change to, say, ``temperature`` on an assistant whose manifest
    omits it IS drift, and ``apply`` resets it. This is what Terraform does for optional
    arguments with a known default, and it is the only rule that keeps a manifest a faithful
    description of the live object. ``lifecycle.ignore_changes`` is the escape hatch for a
    field someone else owns.

    The one exception is ``reasoning_effort``: the API does not return it (it is not part of
    ``AssistantObject``), so it is compared only when the live object carries the key (a host
    that does return it). When the live object does carry it, an unset manifest value means
    null (the model's default).

Rules, per field (both sides go through :func:`canonical`)
    ``name``, ``description``, ``instructions``
        null, missing and ``""`` are the same (canonical ``None``). Otherwise exact text:
        whitespace and trailing newlines are real changes (the model sees them).
    ``model``
        exact string.
    ``temperature``, ``top_p``
        null or missing means the API default ``1.0``; numbers compare as floats rounded to
        6 decimals (``1`` == ``1.0``; a host storing float32 ``0.699999988`` == ``0.7``).
    ``response_format``
        null or missing means ``"auto"``. ``json_schema``: ``strict`` false/null == omitted,
        ``description`` null/"" == omitted.
    ``tools``
        list order is significant (the API keeps it, and the model sees tools in that
        order); each tool is reduced to its known fields:
        ``code_interpreter`` → ``{"type"}``; ``file_search`` → ``max_num_results`` only when
        set, ``ranking_options`` only when it differs from what the server fills in (ranker
        ``auto`` / ``default_2024_08_21`` / unset are the same, ``score_threshold`` 0 is the
        default), so ``file_search: {}`` == no overrides; ``function`` → ``strict`` false/null
        == omitted, ``description`` null/"" == omitted, ``parameters`` ``{}`` / null /
        ``{"type": "object", "properties": {}}`` (optionally with ``required: []``) == omitted,
        which is the API's "empty parameter list". Tools of a type this module does not know
        are kept whole (numbers and key order normalized).
    ``tool_resources``
        null or missing means ``{}``; entries the server adds for enabled tools with empty id
        lists (``{"code_interpreter": {"file_ids": []}}``, empty ``vector_store_ids``) are the
        same as absent; id lists are sets (sorted): the API attaches files, not a sequence.
    ``metadata``
        null or missing means ``{}``; string pairs compared by value. The ownership label is
        part of the canonical metadata (so a renamed key shows as ``metadata.assistctl``), but
        a matched live object always carries the same label as the manifest — matching is by
        label — so it never shows as a change otherwise.
    ``file_ids`` (v1 dialect only)
        null or missing means ``[]``; a set (sorted).

The v1 dialect compares :data:`FIELDS_V1` only, after translating the manifest's v2
spellings (``file_search`` -> ``retrieval``, ``tool_resources.code_interpreter.file_ids`` ->
``file_ids``; see :mod:`assistctl.config.dialect`), so a v2-style manifest against a v1 host is
empty after apply too.
    everything else
        Only the known fields above are compared: keys a host adds (``id``, ``created_at``,
        fields a future API version returns) never produce a change. Inside free-form JSON
        (function ``parameters``, response ``schema``) dicts compare by value whatever their
        key order, and integral floats become ints (``1.0`` == ``1``).

Pure: no I/O, no heavy imports (``render`` and ``plan`` import this).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

from assistctl.config.dialect import to_v1
from assistctl.config.manifest import API_FIELDS, Manifest
from assistctl.labels import OWNER_KEY, make_label

ApiVersion = Literal["v1", "v2"]

FIELDS_V2: tuple[str, ...] = tuple(f for f in API_FIELDS if f != "file_ids")
"""The fields a v2 plan compares, in display order."""

FIELDS_V1: tuple[str, ...] = (
    "model",
    "name",
    "description",
    "instructions",
    "tools",
    "file_ids",
    "metadata",
)
"""The v1 dialect's assistant fields (no tool_resources, sampling or response_format)."""

TEXT_FIELDS = ("name", "description", "instructions")
NUMBER_FIELDS = ("temperature", "top_p")
WRITE_ONLY_FIELDS = ("reasoning_effort",)
"""Fields the API accepts but does not return: compared only when the live object has them."""

DEFAULT_NUMBER = 1.0
DEFAULT_RESPONSE_FORMAT = "auto"
DEFAULT_RANKERS = (None, "auto", "default_2024_08_21")
_NO_PARAMETERS: tuple[dict[str, Any], ...] = (
    {},
    {"type": "object", "properties": {}},
    {"type": "object", "properties": {}, "required": []},
)


def api_fields(api_version: ApiVersion = "v2") -> tuple[str, ...]:
    """The API fields a plan compares for this dialect, in display order."""
    return FIELDS_V1 if api_version == "v1" else FIELDS_V2


def normalize_live(live: Mapping[str, Any], *, api_version: ApiVersion = "v2") -> dict[str, Any]:
    """Canonical form of a live assistant object as the API returns it."""
    return canonical(live, api_version=api_version)


def desired_api_object(
    manifest: Manifest, project: str, *, api_version: ApiVersion = "v2"
) -> dict[str, Any]:
    """The manifest as an API-shaped object: the fields it sets plus the ownership label.

    For the v1 dialect the v2 spellings are translated (:func:`assistctl.config.dialect.to_v1`).
    """
    body = manifest.api_body()
    body["metadata"] = {
        **(body.get("metadata") or {}),
        OWNER_KEY: make_label(project, manifest.key),
    }
    return to_v1(body) if api_version == "v1" else body


def normalize_desired(
    manifest: Manifest, project: str, *, api_version: ApiVersion = "v2"
) -> dict[str, Any]:
    """Canonical form of the state a manifest asks for (unset fields = API defaults)."""
    return canonical(
        desired_api_object(manifest, project, api_version=api_version), api_version=api_version
    )


def canonical(obj: Mapping[str, Any], *, api_version: ApiVersion = "v2") -> dict[str, Any]:
    """Canonical form of an API-shaped assistant (a request body or a response object).

    Every known field of the dialect is present except the write-only ``reasoning_effort``,
    which is present exactly when ``obj`` has the key.
    """
    out: dict[str, Any] = {}
    for field in api_fields(api_version):
        if field in WRITE_ONLY_FIELDS:
            if field in obj:
                out[field] = obj[field]
            continue
        out[field] = _FIELD_RULES[field](obj.get(field))
    return out


def canonical_field(field: str, value: Any) -> Any:
    """Canonical form of one field's value (for fields outside :data:`WRITE_ONLY_FIELDS`)."""
    rule = _FIELD_RULES.get(field)
    return rule(value) if rule else normalize_json(value)


def canonical_json(value: Any) -> str:
    """Deterministic compact JSON of a canonical value (for fingerprints and equality)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(normalized: Mapping[str, Any]) -> str:
    """A short stable digest of a canonical form: equal digests mean no change."""
    return hashlib.sha256(canonical_json(dict(normalized)).encode()).hexdigest()[:16]


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


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _number(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return DEFAULT_NUMBER
    try:
        return round(float(value), 6)
    except (TypeError, ValueError):
        return DEFAULT_NUMBER


def _model(value: Any) -> str | None:
    return None if value is None else str(value)


def _id_list(value: Any) -> list[str]:
    if not isinstance(value, list | tuple):
        return []
    return sorted(str(v) for v in value)


def _metadata(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): value[k] for k in sorted(value, key=str)}


def _tool_resources(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, Any] = {}
    code = value.get("code_interpreter")
    file_ids = _id_list(code.get("file_ids")) if isinstance(code, Mapping) else []
    if file_ids:
        out["code_interpreter"] = {"file_ids": file_ids}
    search = value.get("file_search")
    stores = _id_list(search.get("vector_store_ids")) if isinstance(search, Mapping) else []
    if stores:
        out["file_search"] = {"vector_store_ids": stores}
    return out


def _parameters(value: Any) -> Any:
    if value is None:
        return None
    params = normalize_json(value)
    return None if params in _NO_PARAMETERS else params


def _ranking_options(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    out: dict[str, Any] = {}
    ranker = value.get("ranker")
    if ranker not in DEFAULT_RANKERS:
        out["ranker"] = ranker
    threshold = value.get("score_threshold")
    if threshold is not None and not isinstance(threshold, bool):
        try:
            threshold = round(float(threshold), 6)
        except (TypeError, ValueError):
            # Not a number (a host's oddity): a real difference, shown as it is.
            out["score_threshold"] = normalize_json(threshold)
        else:
            if threshold != 0.0:
                out["score_threshold"] = threshold
    return out or None


def _tool(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return normalize_json(value)
    kind = value.get("type")
    if kind in ("code_interpreter", "retrieval"):
        return {"type": kind}
    if kind == "file_search":
        options = value.get("file_search")
        overrides: dict[str, Any] = {}
        if isinstance(options, Mapping):
            if options.get("max_num_results") is not None:
                overrides["max_num_results"] = normalize_json(options["max_num_results"])
            ranking = _ranking_options(options.get("ranking_options"))
            if ranking is not None:
                overrides["ranking_options"] = ranking
        return {"type": kind, "file_search": overrides} if overrides else {"type": kind}
    if kind == "function":
        fn = value.get("function")
        fn = fn if isinstance(fn, Mapping) else {}
        out: dict[str, Any] = {"name": fn.get("name")}
        description = _text(fn.get("description"))
        if description is not None:
            out["description"] = description
        parameters = _parameters(fn.get("parameters"))
        if parameters is not None:
            out["parameters"] = parameters
        if fn.get("strict") is True:
            out["strict"] = True
        return {"type": kind, "function": out}
    return normalize_json(value)


def _tools(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        return []
    return [_tool(t) for t in value]


def _response_format(value: Any) -> Any:
    if value is None or value == DEFAULT_RESPONSE_FORMAT:
        return DEFAULT_RESPONSE_FORMAT
    if not isinstance(value, Mapping):
        return normalize_json(value)
    kind = value.get("type")
    if kind in ("text", "json_object"):
        return {"type": kind}
    if kind == "json_schema":
        spec = value.get("json_schema")
        spec = spec if isinstance(spec, Mapping) else {}
        out: dict[str, Any] = {"name": spec.get("name")}
        description = _text(spec.get("description"))
        if description is not None:
            out["description"] = description
        if spec.get("schema") is not None:
            out["schema"] = normalize_json(spec["schema"])
        if spec.get("strict") is True:
            out["strict"] = True
        return {"type": kind, "json_schema": out}
    return normalize_json(value)


_FIELD_RULES: dict[str, Callable[[Any], Any]] = {
    "model": _model,
    "name": _text,
    "description": _text,
    "instructions": _text,
    "tools": _tools,
    "tool_resources": _tool_resources,
    "metadata": _metadata,
    "temperature": _number,
    "top_p": _number,
    "response_format": _response_format,
    "file_ids": _id_list,
}
