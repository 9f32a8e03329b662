"""Every error of a manifest in one ``validate`` run, whatever else is wrong with it.

pydantic runs an ``after`` validator only once the field's items are valid, so a reserved
metadata key or a duplicate function name would show up only after every other error in the
field was fixed. These checks read the raw value instead, and :func:`together` reports their
errors beside the items'. Pure (the manifest an invalid document still makes is
:func:`assistctl.config.manifest.passed_fields`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from assistctl.config.limits import MAX_METADATA_PAIRS, MAX_USER_METADATA_PAIRS
from assistctl.labels import OWNER_KEY

Found = Iterator[tuple[tuple[str | int, ...], PydanticCustomError]]
"""``(location inside the field, error)`` pairs found by a raw check."""


def together(value: Any, handler: Callable[[Any], Any], check: Callable[[Any], Found]) -> Any:
    """``handler(value)`` (pydantic's own validation of the field), with the errors of
    ``check(value)`` added to its own."""
    found = [InitErrorDetails(type=error, loc=loc, input=value) for loc, error in check(value)]
    if not found:
        return handler(value)
    try:
        handler(value)
    except ValidationError as err:
        found = [_again(e) for e in err.errors()] + found
    raise ValidationError.from_exception_data("manifest", found)


def _again(error: Any) -> InitErrorDetails:
    """One of pydantic's errors as it can be raised again, with its type and context kept."""
    template = str(error["msg"]).replace("{", "{{").replace("}", "}}")
    return InitErrorDetails(
        type=PydanticCustomError(error["type"], template, error.get("ctx")),
        loc=tuple(error["loc"]),
        input=error["input"],
    )


def not_reserved(key: str) -> str:
    """A metadata key that is not the ownership label."""
    if key == OWNER_KEY:
        raise PydanticCustomError(
            "reserved_metadata_key",
            "'{key}' is the reserved ownership label; assistctl sets it itself, "
            "remove it from the manifest",
            {"key": OWNER_KEY},
        )
    return key


def metadata_pairs(value: Any) -> Found:
    if isinstance(value, dict) and len(value) > MAX_USER_METADATA_PAIRS:
        yield (
            (),
            PydanticCustomError(
                "too_many_metadata_pairs",
                "has {count} pairs; the limit is {limit} because the API's {api_limit} "
                "include the ownership label '{key}'",
                {
                    "count": len(value),
                    "limit": MAX_USER_METADATA_PAIRS,
                    "api_limit": MAX_METADATA_PAIRS,
                    "key": OWNER_KEY,
                },
            ),
        )


def function_names(value: Any) -> Found:
    """Function names used twice in a list of tools (invalid tools included)."""
    seen: dict[str, int] = {}
    for index, tool in enumerate(value if isinstance(value, list) else []):
        function = tool.get("function") if isinstance(tool, dict) else None
        if not (isinstance(tool, dict) and tool.get("type") == "function"):
            continue
        name = function.get("name") if isinstance(function, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            yield (
                (index, "function", "name"),
                PydanticCustomError(
                    "duplicate_function_name",
                    "duplicate function name '{name}' (also tool {first}); "
                    "function names must be unique within an assistant",
                    {"name": name, "first": seen[name]},
                ),
            )
        else:
            seen[name] = index
