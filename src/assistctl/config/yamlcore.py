"""What a plain YAML scalar means: YAML 1.2's core schema, and the words YAML 1.1 reads otherwise.

Editors (through the JSON Schema's language server) read manifests as YAML 1.2; PyYAML and
other older tools read YAML 1.1, where ``on`` is true, ``012`` is 10, ``1:30`` is 90 and
``2024-05-01`` is a date. assistctl reads a plain (unquoted) scalar only when both versions
agree on it; one they read differently is refused with a sentence saying to quote it, so no
tool in a pipeline can read a manifest differently from its author. Agreed values:

- null: ``~``, ``null``, ``Null``, ``NULL``, nothing; booleans: ``true``/``false`` (also
  capitalised or upper case);
- integers: ``0``, ``-12``, ``+7`` (no leading zero, no ``_``), ``0x1F`` (unsigned);
- floats: ``1.5``, ``-0.5``, ``3.``, ``.5``, ``1.5e+3`` (a digit before the point unless it
  starts the scalar, a sign in the exponent), ``.inf``/``.nan`` (refused later: JSON cannot
  carry them);
- everything else that neither version reads as anything but text.

Refused (:data:`AMBIGUOUS`): ``y``/``n``/``yes``/``no``/``on``/``off`` in any case, ``=``,
leading-zero and ``0o``/``0b`` integers, ``_`` in numbers, signed hex, base-60 numbers
(``1:30``), exponents without a point or sign (``1e3``), ``-.5``, and dates and timestamps.
Pure: no I/O.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode

NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
STR = "tag:yaml.org,2002:str"
MERGE = "tag:yaml.org,2002:merge"
AMBIGUOUS = "tag:assistctl.dev,2025:yaml11"
"""The tag of a plain scalar that YAML 1.1 and YAML 1.2 read differently."""

_NULLS = frozenset(["", "~", "null", "Null", "NULL"])
_BOOLS = frozenset(["true", "True", "TRUE", "false", "False", "FALSE"])
_AGREED_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+")
_AGREED_FLOAT = re.compile(
    r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)

# YAML 1.1's words as the 1.1 spec lists them (PyYAML itself skips y and n), and 1.2's numbers.
_YAML11_TRUE = frozenset(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"])
_YAML11_FALSE = frozenset(["n", "N", "no", "No", "NO", "off", "Off", "OFF"])
_YAML12_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_YAML12_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
# YAML 1.1's numbers and timestamps as PyYAML's resolver writes them (copied rather than
# asked: a program may register its own resolvers with PyYAML).
_YAML11_TYPES = (
    (
        FLOAT,
        re.compile(
            r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
            r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
        ),
    ),
    (
        INT,
        re.compile(
            r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
            r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
        ),
    ),
    (
        "tag:yaml.org,2002:timestamp",
        re.compile(
            r"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
            r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?"
            r":[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?"
        ),
    ),
)
_CONSTRUCTOR = SafeConstructor()


def resolve(text: str) -> str:
    """The tag of a plain scalar: a core-schema tag both versions agree on, :data:`MERGE` for
    ``<<``, or :data:`AMBIGUOUS`."""
    if text in _NULLS:
        return NULL
    if text in _BOOLS:
        return BOOL
    if _AGREED_INT.fullmatch(text):
        return INT
    if _AGREED_FLOAT.fullmatch(text):
        return FLOAT
    if text == "<<":
        return MERGE
    if _yaml11(text) is not None or _yaml12(text) is not None:
        return AMBIGUOUS
    return STR


def _yaml11(text: str) -> Any:
    """What YAML 1.1 makes of ``text`` when it is not text (None when it is text)."""
    if text in _YAML11_TRUE or text in _YAML11_FALSE:
        return text in _YAML11_TRUE
    if text == "=":
        return _VALUE_KEY
    tag = next((tag for tag, pattern in _YAML11_TYPES if pattern.fullmatch(text)), None)
    if tag is None:
        return None
    try:
        return _CONSTRUCTOR.construct_object(ScalarNode(tag, text))
    except (ConstructorError, ValueError, OverflowError):
        return None


def _yaml12(text: str) -> int | float | None:
    """The number YAML 1.2's core schema makes of ``text`` (None when it is text)."""
    if _YAML12_INT.fullmatch(text):
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)
    if _YAML12_FLOAT.fullmatch(text):
        return float(text)
    return None


class _ValueKey:
    """YAML 1.1's ``=``, the "default value" key of its value type."""


_VALUE_KEY = _ValueKey()


def _reading(value: Any, text: str) -> str:
    if value is None:
        return f"the text '{text}'"
    if value is _VALUE_KEY:
        return "its special 'value' key"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime.datetime):
        return "a timestamp"
    if isinstance(value, datetime.date):
        return "a date"
    return f"the number {plain_number(value)}"


def plain_number(value: float) -> str:
    """A number as both YAML versions read it back the same (``1000.0``, ``1.0e+20``)."""
    if isinstance(value, int):
        return str(value)
    shown = repr(value)
    mantissa, e, exponent = shown.partition("e")
    if "." not in mantissa and mantissa.lstrip("-").isdigit():
        mantissa += ".0"
    if e and exponent[:1] not in "+-":
        exponent = "+" + exponent
    return mantissa + (f"e{exponent}" if e else "")


def ambiguity(text: str, *, key: bool = False) -> str:
    """The sentence refusing a plain scalar tagged :data:`AMBIGUOUS`."""
    old, new = _yaml11(text), _yaml12(text)
    message = (
        f"{text} is {_reading(old, text)} in YAML 1.1 but {_reading(new, text)} in YAML 1.2 "
        f"(what editors use), so tools disagree on it; quote it ('{text}')"
    )
    if key:
        return message + ": mapping keys are text"
    if isinstance(old, bool):
        return message + " for the text, or write true or false"
    number = new if new is not None else old
    if isinstance(number, int | float):
        return message + f" for the text, or write {plain_number(number)} for the number"
    return message


def not_text_key(value: Any, text: str) -> str:
    """The sentence refusing a mapping key that is not text (``1:``, ``true:``, ``~:``)."""
    if value is None:
        shown = "nothing (null)"
    elif isinstance(value, bool):
        shown = f"the boolean {str(value).lower()}"
    elif isinstance(value, int | float):
        shown = f"the number {text}"
    else:
        shown = f"a {type(value).__name__}"
    return f"mapping keys must be text, got {shown}; quote it ('{text}')"


def not_finite(value: float) -> str | None:
    """The sentence refusing ``.inf``/``-.inf``/``.nan`` (None for a finite number)."""
    if math.isnan(value):
        return "NaN (.nan) is not a number JSON can carry, so neither can the API; write a number"
    if math.isinf(value):
        sign = "-" if value < 0 else ""
        return (
            f"infinity ({sign}.inf) is not a number JSON can carry, so neither can the API; "
            "write a finite number"
        )
    return None
