"""Request validation as the Assistants API server does it, with OpenAI's error wording.

What is checked comes from ``CreateAssistantRequest``, ``ModifyAssistantRequest`` and the
list operation's parameters in OpenAI's OpenAPI spec (its Assistants part is kept in
``tests/data/openapi/``):

- ``additionalProperties: false`` at the top level: an unknown field is a 400
  ``unknown_parameter``; ``model`` is required on create.
- every type and limit: ``name`` <= 256, ``description`` <= 512, ``instructions`` <= 256,000
  characters; ``tools`` <= 128 of ``code_interpreter`` | ``file_search`` | ``function``;
  ``tool_resources.code_interpreter.file_ids`` <= 20, ``tool_resources.file_search.
  vector_store_ids`` <= 1 (and the ``vector_stores`` helper <= 1, create only, exactly one of
  the two as the spec's ``oneOf`` says); ``metadata`` <= 16 pairs, keys <= 64 and string
  values <= 512 characters; ``temperature`` 0..2; ``top_p`` 0..1; ``response_format``
  ``"auto"`` | ``{type: text}`` | ``{type: json_object}`` | ``{type: json_schema,
  json_schema: {name, ...}}`` | null; ``reasoning_effort`` one of the ``ReasoningEffort`` enum
  or null; function names (and ``json_schema.name``) ``^[a-zA-Z0-9_-]{1,64}$``;
  ``file_search.max_num_results`` 1..50; ``ranking_options.score_threshold`` 0..1 (required
  when ``ranking_options`` is given) and ``ranker`` ``auto`` | ``default_2024_08_21``.
- list: ``limit`` an integer 1..100, ``order`` ``asc`` | ``desc``.

Choices where the spec is silent and what OpenAI does is not certain (all deliberately on the
strict side, so a client that passes here also passes against the real server):

- Unknown keys are rejected inside tools, ``function`` objects, ``file_search`` options,
  ``ranking_options``, ``tool_resources`` and ``response_format`` too, not only at the top
  level (the spec declares ``additionalProperties: false`` only at the top). Free-form JSON
  Schema objects (``function.parameters``, ``json_schema.schema``) are never inspected.
- Booleans are not numbers (JSON ``true`` for ``temperature`` is ``invalid_type``), integers
  are accepted where the spec says ``number``; ``max_num_results`` must be an integer.
- Only the first problem is reported, like OpenAI's single-error envelope.
- The v1 ``retrieval`` tool gets a message pointing at ``file_search``.
- Duplicate function names are accepted (the manifest validator rejects them offline).
- An empty or blank (whitespace-only) model string is rejected; any other model string is
  accepted (OpenAI answers an unknown model with ``model_not_found``; the emulator serves a
  model list only when one is seeded, see :mod:`assistctl.emulator.catalog`).
- An empty ``after``/``before`` query parameter counts as absent.

The v1 dialect (``openai-v1`` flavor, :data:`V1_FIELDS`) checks the v1 request shape the same
way: top-level fields ``model``, ``name``, ``description``, ``instructions`` (at most 32,768
characters, v1's documented limit), ``tools`` (``code_interpreter`` | ``retrieval`` |
``function`` without ``strict``), ``file_ids`` (at most 20 strings) and ``metadata``; any v2
field (``tool_resources``, ``temperature``, ...) is an ``unknown_parameter``.

Wording and codes follow OpenAI's current validation messages (``Invalid type for 'x':
expected a string, but got an integer instead.``, ``string_above_max_length``,
``decimal_above_max_value``, ``unknown_parameter``, ``missing_required_parameter``, ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

NAME_LIMIT = 256
DESCRIPTION_LIMIT = 512
INSTRUCTIONS_LIMIT = 256_000
TOOLS_LIMIT = 128
CODE_INTERPRETER_FILES_LIMIT = 20
VECTOR_STORES_LIMIT = 1
VECTOR_STORE_FILES_LIMIT = 100_000_000
METADATA_PAIRS_LIMIT = 16
METADATA_KEY_LIMIT = 64
METADATA_VALUE_LIMIT = 512
FUNCTION_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
FUNCTION_NAME_LIMIT = 64
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
TOOL_TYPES = ("code_interpreter", "file_search", "function")
RESPONSE_FORMAT_TYPES = ("text", "json_object", "json_schema")
RANKERS = ("auto", "default_2024_08_21")
ORDERS = ("asc", "desc")
LIMIT_DEFAULT = 20
LIMIT_MIN = 1
LIMIT_MAX = 100

CREATE_FIELDS = (
    "model",
    "name",
    "description",
    "instructions",
    "reasoning_effort",
    "tools",
    "tool_resources",
    "metadata",
    "temperature",
    "top_p",
    "response_format",
)
MODIFY_FIELDS = CREATE_FIELDS

# Assistants API v1 (``OpenAI-Beta: assistants=v1``), as OpenAI documented it before v2:
# the assistant had assistant-level ``file_ids`` (at most 20, shared by code_interpreter and
# retrieval), tools ``code_interpreter`` | ``retrieval`` | ``function`` (no ``strict``), and
# none of tool_resources, temperature, top_p, response_format, reasoning_effort.
V1_FIELDS = ("model", "name", "description", "instructions", "tools", "file_ids", "metadata")
V1_TOOL_TYPES = ("code_interpreter", "retrieval", "function")
V1_INSTRUCTIONS_LIMIT = 32_768
V1_FILE_IDS_LIMIT = 20


@dataclass
class RequestError(Exception):
    """An error answer: HTTP status plus the fields of OpenAI's ``Error`` object."""

    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)


def invalid(message: str, param: str | None = None, code: str | None = None) -> RequestError:
    return RequestError(400, message, param=param, code=code)


# ---- small typed checks ------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _type_error(param: str, expected: str, value: Any) -> RequestError:
    return invalid(
        f"Invalid type for '{param}': expected {expected}, but got {_kind(value)} instead.",
        param,
        "invalid_type",
    )


def _quote_list(values: Sequence[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _invalid_value(param: str, value: Any, allowed: Sequence[str]) -> RequestError:
    return invalid(
        f"Invalid value: '{value}'. Supported values are: {_quote_list(allowed)}.",
        param,
        "invalid_value",
    )


def _string(value: Any, param: str, *, max_len: int | None = None, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, str):
        raise _type_error(param, "a string", value)
    if max_len is not None and len(value) > max_len:
        raise invalid(
            f"Invalid '{param}': string too long. Expected a string with maximum length "
            f"{max_len}, but got a string with length {len(value)} instead.",
            param,
            "string_above_max_length",
        )


def _number(value: Any, param: str, lo: float, hi: float, *, nullable: bool = True) -> None:
    if value is None and nullable:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _type_error(param, "a number", value)
    if isinstance(value, float) and not math.isfinite(value):
        raise _type_error(param, "a number", value)
    if value < lo:
        raise invalid(
            f"Invalid '{param}': decimal below minimum value. Expected a value >= {_num(lo)}, "
            f"but got {value} instead.",
            param,
            "decimal_below_min_value",
        )
    if value > hi:
        raise invalid(
            f"Invalid '{param}': decimal above maximum value. Expected a value <= {_num(hi)}, "
            f"but got {value} instead.",
            param,
            "decimal_above_max_value",
        )


def _integer(value: Any, param: str, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error(param, "an integer", value)
    if value < lo:
        raise invalid(
            f"Invalid '{param}': integer below minimum value. Expected a value >= {lo}, "
            f"but got {value} instead.",
            param,
            "integer_below_min_value",
        )
    if value > hi:
        raise invalid(
            f"Invalid '{param}': integer above maximum value. Expected a value <= {hi}, "
            f"but got {value} instead.",
            param,
            "integer_above_max_value",
        )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _object(value: Any, param: str, allowed: Sequence[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _type_error(param, "an object", value)
    for key in value:
        if key not in allowed:
            raise invalid(
                f"Unknown parameter: '{param}.{key}'.", f"{param}.{key}", "unknown_parameter"
            )
    return value


def _array(value: Any, param: str, max_items: int) -> list[Any]:
    if not isinstance(value, list):
        raise _type_error(param, "an array", value)
    if len(value) > max_items:
        raise invalid(
            f"Invalid '{param}': array too long. Expected an array with maximum length "
            f"{max_items}, but got an array with length {len(value)} instead.",
            param,
            "array_above_max_length",
        )
    return value


def _string_array(value: Any, param: str, max_items: int) -> None:
    for i, item in enumerate(_array(value, param, max_items)):
        _string(item, f"{param}[{i}]")


def _required(obj: Mapping[str, Any], key: str, param: str) -> Any:
    if key not in obj:
        raise invalid(
            f"Missing required parameter: '{param}'.", param, "missing_required_parameter"
        )
    return obj[key]


def _name_pattern(value: Any, param: str) -> None:
    _string(value, param, max_len=FUNCTION_NAME_LIMIT)
    if value == "":
        raise invalid(
            f"Invalid '{param}': empty string. Expected a string with minimum length 1, "
            "but got an empty string instead.",
            param,
            "empty_string",
        )
    if not FUNCTION_NAME_RE.match(value):
        raise invalid(
            f"Invalid '{param}': string does not match pattern. Expected a string that "
            "matches the pattern '^[a-zA-Z0-9_-]+$'.",
            param,
            "invalid_value",
        )


# ---- the fields ----------------------------------------------------------------------------------


def check_metadata(value: Any, param: str = "metadata") -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise _type_error(param, "an object", value)
    if len(value) > METADATA_PAIRS_LIMIT:
        raise invalid(
            f"Invalid '{param}': too many properties. Expected an object with at most "
            f"{METADATA_PAIRS_LIMIT} properties, but got an object with {len(value)} "
            "properties instead.",
            param,
            "object_above_max_properties",
        )
    for key, item in value.items():
        if len(key) > METADATA_KEY_LIMIT:
            raise invalid(
                f"Invalid '{param}': string too long. Expected a key with maximum length "
                f"{METADATA_KEY_LIMIT}, but got a key with length {len(key)} instead.",
                param,
                "string_above_max_length",
            )
        _string(item, f"{param}.{key}", max_len=METADATA_VALUE_LIMIT)


def _check_tool(tool: Any, param: str, dialect: str = "v2") -> None:
    if not isinstance(tool, dict):
        raise _type_error(param, "an object", tool)
    kind = _required(tool, "type", f"{param}.type")
    if not isinstance(kind, str):
        raise _type_error(f"{param}.type", "a string", kind)
    if dialect == "v1":
        if kind not in V1_TOOL_TYPES:
            raise _invalid_value(f"{param}.type", kind, V1_TOOL_TYPES)
        if kind != "function":
            _object(tool, param, ("type",))
            return
        _check_function(tool, param, ("name", "description", "parameters"))
        return
    if kind == "retrieval":
        raise invalid(
            f"Invalid value: 'retrieval'. The 'retrieval' tool is a v1 tool; use "
            f"'file_search' with the v2 Assistants API. Supported values are: "
            f"{_quote_list(TOOL_TYPES)}.",
            f"{param}.type",
            "invalid_value",
        )
    if kind not in TOOL_TYPES:
        raise _invalid_value(f"{param}.type", kind, TOOL_TYPES)
    if kind == "code_interpreter":
        _object(tool, param, ("type",))
    elif kind == "file_search":
        _object(tool, param, ("type", "file_search"))
        if "file_search" in tool:
            fs = _object(
                tool["file_search"], f"{param}.file_search", ("max_num_results", "ranking_options")
            )
            if "max_num_results" in fs:
                _integer(fs["max_num_results"], f"{param}.file_search.max_num_results", 1, 50)
            if "ranking_options" in fs:
                rp = f"{param}.file_search.ranking_options"
                ro = _object(fs["ranking_options"], rp, ("ranker", "score_threshold"))
                if "ranker" in ro:
                    ranker = ro["ranker"]
                    _string(ranker, f"{rp}.ranker")
                    if ranker not in RANKERS:
                        raise _invalid_value(f"{rp}.ranker", ranker, RANKERS)
                threshold = _required(ro, "score_threshold", f"{rp}.score_threshold")
                _number(threshold, f"{rp}.score_threshold", 0, 1, nullable=False)
    else:
        _check_function(tool, param, ("name", "description", "parameters", "strict"))


def _check_function(tool: dict[str, Any], param: str, keys: Sequence[str]) -> None:
    _object(tool, param, ("type", "function"))
    fp = f"{param}.function"
    fn = _object(_required(tool, "function", fp), fp, keys)
    _name_pattern(_required(fn, "name", f"{fp}.name"), f"{fp}.name")
    if "description" in fn:
        _string(fn["description"], f"{fp}.description")
    if "parameters" in fn and not isinstance(fn["parameters"], dict):
        raise _type_error(f"{fp}.parameters", "an object", fn["parameters"])
    if "strict" in fn and fn["strict"] is not None and not isinstance(fn["strict"], bool):
        raise _type_error(f"{fp}.strict", "a boolean", fn["strict"])


def check_tools(value: Any, dialect: str = "v2") -> None:
    for i, tool in enumerate(_array(value, "tools", TOOLS_LIMIT)):
        _check_tool(tool, f"tools[{i}]", dialect)


def _check_chunking(value: Any, param: str) -> None:
    if not isinstance(value, dict):
        raise _type_error(param, "an object", value)
    kind = _required(value, "type", f"{param}.type")
    if kind == "auto":
        _object(value, param, ("type",))
    elif kind == "static":
        _object(value, param, ("type", "static"))
        sp = f"{param}.static"
        static = _object(
            _required(value, "static", sp), sp, ("max_chunk_size_tokens", "chunk_overlap_tokens")
        )
        size = _required(static, "max_chunk_size_tokens", f"{sp}.max_chunk_size_tokens")
        _integer(size, f"{sp}.max_chunk_size_tokens", 100, 4096)
        overlap = _required(static, "chunk_overlap_tokens", f"{sp}.chunk_overlap_tokens")
        _integer(overlap, f"{sp}.chunk_overlap_tokens", 0, size // 2)
    else:
        raise _invalid_value(f"{param}.type", kind, ("auto", "static"))


def check_tool_resources(value: Any, *, create: bool) -> None:
    if value is None:
        return
    res = _object(value, "tool_resources", ("code_interpreter", "file_search"))
    if "code_interpreter" in res:
        cp = "tool_resources.code_interpreter"
        ci = _object(res["code_interpreter"], cp, ("file_ids",))
        if "file_ids" in ci:
            _string_array(ci["file_ids"], f"{cp}.file_ids", CODE_INTERPRETER_FILES_LIMIT)
    if "file_search" in res:
        fp = "tool_resources.file_search"
        allowed = ("vector_store_ids", "vector_stores") if create else ("vector_store_ids",)
        fs = _object(res["file_search"], fp, allowed)
        if "vector_store_ids" in fs:
            _string_array(fs["vector_store_ids"], f"{fp}.vector_store_ids", VECTOR_STORES_LIMIT)
        if "vector_stores" in fs:
            vp = f"{fp}.vector_stores"
            for i, vs in enumerate(_array(fs["vector_stores"], vp, VECTOR_STORES_LIMIT)):
                item = _object(vs, f"{vp}[{i}]", ("file_ids", "chunking_strategy", "metadata"))
                if "file_ids" in item:
                    _string_array(item["file_ids"], f"{vp}[{i}].file_ids", VECTOR_STORE_FILES_LIMIT)
                if "chunking_strategy" in item:
                    _check_chunking(item["chunking_strategy"], f"{vp}[{i}].chunking_strategy")
                if "metadata" in item:
                    check_metadata(item["metadata"], f"{vp}[{i}].metadata")
        if create and ("vector_store_ids" in fs) == ("vector_stores" in fs):
            raise invalid(
                f"Invalid '{fp}': expected exactly one of 'vector_store_ids' or 'vector_stores'.",
                fp,
                "invalid_value",
            )


def check_response_format(value: Any) -> None:
    param = "response_format"
    if value is None:
        return
    if isinstance(value, str):
        if value != "auto":
            raise _invalid_value(param, value, ("auto",))
        return
    if not isinstance(value, dict):
        raise _type_error(param, "a string or an object", value)
    kind = _required(value, "type", f"{param}.type")
    if not isinstance(kind, str):
        raise _type_error(f"{param}.type", "a string", kind)
    if kind not in RESPONSE_FORMAT_TYPES:
        raise _invalid_value(f"{param}.type", kind, RESPONSE_FORMAT_TYPES)
    if kind != "json_schema":
        _object(value, param, ("type",))
        return
    _object(value, param, ("type", "json_schema"))
    jp = f"{param}.json_schema"
    js = _object(
        _required(value, "json_schema", jp), jp, ("description", "name", "schema", "strict")
    )
    _name_pattern(_required(js, "name", f"{jp}.name"), f"{jp}.name")
    if "description" in js:
        _string(js["description"], f"{jp}.description")
    if "schema" in js and not isinstance(js["schema"], dict):
        raise _type_error(f"{jp}.schema", "an object", js["schema"])
    if "strict" in js and js["strict"] is not None and not isinstance(js["strict"], bool):
        raise _type_error(f"{jp}.strict", "a boolean", js["strict"])


def _check_model(value: Any) -> None:
    _string(value, "model")
    if value == "":
        raise invalid(
            "Invalid 'model': empty string. Expected a string with minimum length 1, "
            "but got an empty string instead.",
            "model",
            "empty_string",
        )
    if not value.strip():
        # *Unsure* of OpenAI's words; it knows no model of whitespace either way.
        raise invalid(
            "Invalid 'model': blank string. Expected a model id, but got a string of only "
            "whitespace instead.",
            "model",
            "invalid_value",
        )


def _check_body(body: Any, *, create: bool, dialect: str = "v2") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid(
            f"Invalid type for request body: expected an object, but got {_kind(body)} instead.",
            None,
            "invalid_type",
        )
    if dialect == "v1":
        return _check_body_v1(body, create=create)
    allowed = CREATE_FIELDS if create else MODIFY_FIELDS
    for key in body:
        if key not in allowed:
            raise invalid(f"Unknown parameter: '{key}'.", key, "unknown_parameter")
    if create:
        _required(body, "model", "model")
    if "model" in body:
        _check_model(body["model"])
    if "name" in body:
        _string(body["name"], "name", max_len=NAME_LIMIT, nullable=True)
    if "description" in body:
        _string(body["description"], "description", max_len=DESCRIPTION_LIMIT, nullable=True)
    if "instructions" in body:
        _string(body["instructions"], "instructions", max_len=INSTRUCTIONS_LIMIT, nullable=True)
    if "reasoning_effort" in body:
        effort = body["reasoning_effort"]
        if effort is not None:
            _string(effort, "reasoning_effort")
            if effort not in REASONING_EFFORTS:
                raise _invalid_value("reasoning_effort", effort, REASONING_EFFORTS)
    if "tools" in body:
        check_tools(body["tools"])
    if "tool_resources" in body:
        check_tool_resources(body["tool_resources"], create=create)
    if "metadata" in body:
        check_metadata(body["metadata"])
    if "temperature" in body:
        _number(body["temperature"], "temperature", 0, 2)
    if "top_p" in body:
        _number(body["top_p"], "top_p", 0, 1)
    if "response_format" in body:
        check_response_format(body["response_format"])
    return body


def _check_body_v1(body: dict[str, Any], *, create: bool) -> dict[str, Any]:
    for key in body:
        if key not in V1_FIELDS:
            raise invalid(f"Unknown parameter: '{key}'.", key, "unknown_parameter")
    if create:
        _required(body, "model", "model")
    if "model" in body:
        _check_model(body["model"])
    if "name" in body:
        _string(body["name"], "name", max_len=NAME_LIMIT, nullable=True)
    if "description" in body:
        _string(body["description"], "description", max_len=DESCRIPTION_LIMIT, nullable=True)
    if "instructions" in body:
        _string(body["instructions"], "instructions", max_len=V1_INSTRUCTIONS_LIMIT, nullable=True)
    if "tools" in body:
        check_tools(body["tools"], "v1")
    if "file_ids" in body:
        _string_array(body["file_ids"], "file_ids", V1_FILE_IDS_LIMIT)
    if "metadata" in body:
        check_metadata(body["metadata"])
    return body


def validate_create(body: Any, dialect: str = "v2") -> dict[str, Any]:
    """Check a create body; return it unchanged or raise :class:`RequestError`."""
    return _check_body(body, create=True, dialect=dialect)


def validate_modify(body: Any, dialect: str = "v2") -> dict[str, Any]:
    """Check a modify body; return it unchanged or raise :class:`RequestError`."""
    return _check_body(body, create=False, dialect=dialect)


@dataclass(frozen=True)
class ListQuery:
    limit: int = LIMIT_DEFAULT
    order: str = "desc"
    after: str | None = None
    before: str | None = None


def validate_list_query(query: Mapping[str, str]) -> ListQuery:
    """Check the list operation's query parameters. Unknown parameters are ignored."""
    limit = LIMIT_DEFAULT
    if "limit" in query:
        raw = query["limit"].strip()
        try:
            limit = int(raw)
        except ValueError:
            raise invalid(
                f"Invalid type for 'limit': expected an integer, but got '{raw}' instead.",
                "limit",
                "invalid_type",
            ) from None
        _integer(limit, "limit", LIMIT_MIN, LIMIT_MAX)
    order = query.get("order", "desc")
    if order not in ORDERS:
        raise _invalid_value("order", order, ORDERS)
    return ListQuery(
        limit=limit,
        order=order,
        after=query.get("after") or None,
        before=query.get("before") or None,
    )
