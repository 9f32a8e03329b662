"""Pydantic validation errors rewritten as one plain sentence each, with "did you mean" hints.

Pydantic's own messages name Python types ("Input should be a valid string") and its error
locations contain union tags that are not in the document. This module turns one error into
the location to point at and a sentence a YAML author understands. Pure: no I/O.
"""

from __future__ import annotations

import datetime
import difflib
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from assistctl.config.limits import FUNCTION_NAME_PATTERN, NOT_BLANK
from assistctl.config.names import ENV_VAR_PATTERN, VAR_NAME_PATTERN
from assistctl.labels import NAME_PATTERN

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Explained:
    """Where an error points (a pydantic-style location) and what to say about it."""

    loc: Loc
    message: str
    at_key: bool = False


# Fields an API object has but a manifest must not: pasting an API object is a common start.
_SERVER_FIELDS = {
    "id": "is assigned by the server; remove it (the manifest's 'key' is its identity)",
    "object": "is set by the server; remove it",
    "created_at": "is set by the server; remove it",
}
_EXTRA_HINTS = {
    "vector_stores": "is not supported; create the vector store separately and list its id "
    "in 'vector_store_ids'",
}

_MISSING_HINTS = {
    "vector_store_ids": "; the API refuses file_search without it: list the vector store "
    "(vector_store_ids: [vs_...]) or remove file_search",
}

_EXPECTED = {
    "string_type": "text",
    "str_type": "text",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value pairs)",
    "model_type": "a mapping (key: value pairs)",
    "model_attributes_type": "a mapping (key: value pairs)",
}

_PATTERNS = {
    FUNCTION_NAME_PATTERN: "use 1 to 64 characters among a-z, A-Z, 0-9, '_' and '-'",
    NAME_PATTERN: "start with a letter or digit, then use letters, digits, '.', '_' or '-', "
    "at most 128 characters in all",
    VAR_NAME_PATTERN: "a variable's name starts with a letter or '_', then letters, digits or "
    "'_', at most 64 characters",
    ENV_VAR_PATTERN: "name an environment variable: a letter or '_', then letters, digits or "
    "'_', at most 128 characters",
}


def describe_value(value: Any) -> str:
    """How a YAML author would name the value they wrote."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``Optional`` layers."""
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if _is_union(tp):
            members = [m for m in typing.get_args(tp) if m is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _model_fields(model: type[BaseModel]) -> dict[str, Any]:
    return {(f.alias or name): f.annotation for name, f in model.model_fields.items()}


def _tag_of(member: Any) -> str | None:
    """The ``type`` literal of a union member model, which pydantic uses as its tag."""
    member = _unwrap(member)
    if isinstance(member, type) and issubclass(member, BaseModel):
        field = member.model_fields.get("type")
        if field is not None and typing.get_origin(field.annotation) is typing.Literal:
            value = typing.get_args(field.annotation)[0]
            return value if isinstance(value, str) else None
    return None


def fields_at(root: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model found at ``loc`` (a raw pydantic location), or []."""
    tp: Any = root
    for element in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(element, str):
            tp = _model_fields(tp).get(element)
        elif _is_union(tp):
            tp = next((m for m in typing.get_args(tp) if _tag_of(m) == element), None)
        elif typing.get_origin(tp) is list and isinstance(element, int):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return []
        if tp is None:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(_model_fields(tp))
    return []


def did_you_mean(name: object, candidates: list[str]) -> str:
    if not isinstance(name, str):
        return ""
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _number(value: Any) -> str:
    """``2`` rather than pydantic's ``2.0`` for a bound the user wrote as an integer."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _needs_quotes(value: Any) -> bool:
    return isinstance(value, bool | int | float | datetime.date) or value is None


def explain(error: ErrorDetails, root: type[BaseModel]) -> Explained:
    """One sentence, and the location to point at, for one pydantic error."""
    kind = error["type"]
    loc: Loc = tuple(error["loc"])
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    name = loc[-1] if loc else ""

    if "subpath" in ctx:
        loc = (*loc, *ctx["subpath"])
    if kind == "extra_forbidden":
        hint = _SERVER_FIELDS.get(str(name)) if len(loc) == 1 else None
        hint = hint or _EXTRA_HINTS.get(str(name))
        if hint:
            return Explained(loc, f"'{name}' {hint}", at_key=True)
        suggestion = did_you_mean(name, fields_at(root, loc[:-1]))
        return Explained(loc, f"unknown field '{name}'{suggestion}", at_key=True)
    if kind == "missing":
        hint = _MISSING_HINTS.get(str(name), "")
        return Explained(loc, f"required field '{name}' is missing{hint}")
    if kind == "string_too_long":
        limit = ctx["max_length"]
        length = len(value) if isinstance(value, str) else "?"
        what = "key" if name == "[key]" else "value"
        return Explained(
            loc, f"{what} is {length:,} characters long; the limit is {limit:,}".lstrip()
        )
    if kind == "string_too_short":
        return Explained(loc, "must not be empty")
    if kind == "too_long":
        return Explained(loc, f"has {ctx['actual_length']} items; the limit is {ctx['max_length']}")
    if kind == "too_short":
        return Explained(
            loc, f"has {ctx['actual_length']} items; at least {ctx['min_length']} is needed"
        )
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        bound = {
            "less_than_equal": f"at most {_number(ctx.get('le'))}",
            "greater_than_equal": f"at least {_number(ctx.get('ge'))}",
            "less_than": f"less than {_number(ctx.get('lt'))}",
            "greater_than": f"greater than {_number(ctx.get('gt'))}",
        }[kind]
        return Explained(loc, f"must be {bound}, got {_number(value)}")
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == NOT_BLANK:
        return Explained(loc, "must not be blank (it holds only whitespace)")
    if kind == "string_pattern_mismatch":
        rule = _PATTERNS.get(ctx.get("pattern", ""), f"must match {ctx.get('pattern')}")
        return Explained(loc, f"'{value}' is not a valid name: {rule}")
    if kind == "literal_error":
        return Explained(loc, f"{describe_value(value)} is not allowed; use {ctx['expected']}")
    if kind == "union_tag_invalid":
        tags = ", ".join(
            t.strip("'") for t in str(ctx["expected_tags"]).split(", ") if t != "'retrieval'"
        )
        return Explained((*loc, "type"), f"unknown type '{ctx['tag']}'; use one of: {tags}")
    if kind == "union_tag_not_found":
        if not isinstance(value, dict):
            return Explained(loc, f"must be a mapping with a 'type' (got {describe_value(value)})")
        return Explained((*loc, "type"), "required field 'type' is missing")
    if kind == "response_format_type_missing" and isinstance(value, dict) and "type" in value:
        return Explained((*loc, "type"), str(error["msg"]))
    if kind in _EXPECTED:
        message = f"must be {_EXPECTED[kind]}, got {describe_value(value)}"
        if name == "[key]":
            message = f"keys must be text, got {describe_value(value)}"
        elif kind == "string_type" and _needs_quotes(value):
            message += "; put the value in quotes to make it text"
        return Explained(loc, message)
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    return Explained(loc, message[:1].lower() + message[1:])
