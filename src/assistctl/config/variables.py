"""``${name}`` in manifests: substitution of the project's variables, as data.

A value that is exactly ``${name}`` becomes the variable's value with its type (a number
stays a number, a list a list); inside longer text, the value is written as text. ``$${``
is a literal ``${``. Anything else after ``${`` (spaces, operators, a missing ``}``) is an
error: there are no expressions, defaults or includes, and variables never come from the
process environment, so that a plan does not depend on who runs it.

Only values are substituted, never mapping keys, and never the fields that identify an
assistant in every environment (``key``, ``moved_from``, ``environments``). Pure: the
loader gives documents' data and the merged variables of one environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistctl.config.messages import did_you_mean
from assistctl.config.names import VAR_NAME_PATTERN

Loc = tuple[str | int, ...]

MARKER = "${"
IDENTITY_FIELDS = ("key", "moved_from", "environments")
"""Top-level fields that name an assistant the same way in every environment."""

_NAME = re.compile(VAR_NAME_PATTERN[1:-1])
_WHOLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]{0,63})\}")
_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_LITERAL_HINT = "write $${ for a literal ${"


def _reference_problem(inner: str | None) -> str:
    if inner is None:
        return f"'${{' is not closed; write ${{name}}, or {_LITERAL_HINT}"
    shown = inner if len(inner) <= 40 else inner[:37] + "..."
    return (
        f"'${{{shown}}}' is not a variable reference: use ${{name}} (letters, digits and '_'; "
        f"no expressions, defaults or spaces), or {_LITERAL_HINT}"
    )


def text_problem(text: str) -> str | None:
    """Why ``text`` has a malformed or any reference, for values that must hold none (a
    variable's own value), or None when it holds only literal text (``$${`` included)."""
    if MARKER not in text:
        return None
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token == "$${":
            continue
        inner = match.group(1)
        if inner is not None and _NAME.fullmatch(inner):
            return f"'${{{inner}}}' refers to a variable"
        return _reference_problem(inner)
    return None


def unescape(text: str) -> str:
    """A literal text: ``$${`` becomes ``${`` (for a variable's own value)."""
    return text.replace("$${", MARKER) if MARKER in text else text


def has_references(data: Any) -> bool:
    """Whether ``${`` occurs anywhere in ``data`` (values or keys): then it is substituted."""
    if isinstance(data, str):
        return MARKER in data
    if isinstance(data, dict):
        return any(
            (isinstance(k, str) and MARKER in k) or has_references(v) for k, v in data.items()
        )
    if isinstance(data, list):
        return any(has_references(v) for v in data)
    return False


def whole_references(data: Any, path: Loc = ()) -> list[Loc]:
    """Paths of the values that are exactly ``${name}`` (for a hint where nothing is
    substituted)."""
    if isinstance(data, str):
        return [path] if _WHOLE.fullmatch(data) else []
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in whole_references(v, (*path, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in whole_references(v, (*path, i))]
    return []


@dataclass
class Substituted:
    """One document after substitution, and where variables were at work."""

    data: Any
    used: set[Loc] = field(default_factory=set)
    """Paths whose value came (in whole or in part) from a variable, or failed to."""
    problems: list[tuple[Loc, str]] = field(default_factory=list)
    """(path, sentence) of each reference that could not be substituted."""

    def touches(self, path: str) -> bool:
        """Whether a diagnostic at dotted ``path`` concerns a substituted value."""
        for loc in self.used:
            prefix = ".".join(str(p) for p in loc)
            if path == prefix or path.startswith(prefix + "."):
                return True
        return False

    @property
    def failed(self) -> set[str]:
        """Dotted paths where substitution failed: the model's errors there are its echo."""
        return {".".join(str(p) for p in loc) for loc, _ in self.problems}


def as_text(value: Any) -> str | None:
    """How a variable's value reads inside text; None for values that have no text form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


class _Substitution:
    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.variables = variables
        self.result = Substituted(None)

    def value(self, name: str, path: Loc) -> tuple[bool, Any]:
        if name in self.variables:
            return True, self.variables[name]
        hint = did_you_mean(name, sorted(self.variables))
        self.problem(
            path,
            f"variable '{name}' is not defined: declare it under vars: (or the "
            f"environment's vars:) in assistctl.yaml{hint}",
        )
        return False, None

    def problem(self, path: Loc, message: str) -> None:
        self.result.used.add(path)
        self.result.problems.append((path, message))

    def walk(self, data: Any, path: Loc) -> Any:
        if isinstance(data, str):
            return self.text(data, path) if MARKER in data else data
        if isinstance(data, dict):
            out: dict[Any, Any] = {}
            for key, item in data.items():
                if isinstance(key, str) and MARKER in key:
                    self.problem(
                        (*path, key),
                        "variables are substituted in values, not in mapping keys",
                    )
                if not path and key in IDENTITY_FIELDS and has_references(item):
                    self.problem(
                        (key,),
                        f"'{key}' cannot use variables: it names the assistant the same way "
                        "in every environment",
                    )
                    out[key] = item
                    continue
                out[key] = self.walk(item, (*path, key))
            return out
        if isinstance(data, list):
            return [self.walk(item, (*path, i)) for i, item in enumerate(data)]
        return data

    def text(self, text: str, path: Loc) -> Any:
        self.result.used.add(path)
        whole = _WHOLE.fullmatch(text)
        if whole is not None:
            found, value = self.value(whole.group(1), path)
            return value if found else text
        parts: list[str] = []
        end = 0
        for match in _TOKEN.finditer(text):
            parts.append(text[end : match.start()])
            end = match.end()
            token, inner = match.group(0), match.group(1)
            if token == "$${":
                parts.append(MARKER)
                continue
            if inner is None or not _NAME.fullmatch(inner):
                self.problem(path, _reference_problem(inner))
                return text
            found, value = self.value(inner, path)
            if not found:
                return text
            shown = as_text(value)
            if shown is None:
                kind = "empty (null)" if value is None else f"a {_kind(value)}"
                self.problem(
                    path,
                    f"variable '{inner}' is {kind}: it can only be used as a whole value "
                    f"(field: ${{{inner}}}), not inside text",
                )
                return text
            parts.append(shown)
        parts.append(text[end:])
        return "".join(parts)


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "mapping"


def substitute(data: Any, variables: Mapping[str, Any]) -> Substituted:
    """``data`` with every reference replaced by the value in ``variables`` (already merged:
    the environment's over the project's, and unescaped). Never raises for bad input."""
    run = _Substitution(variables)
    run.result.data = run.walk(data, ())
    return run.result


def merged(
    project_vars: Mapping[str, Any], environment_vars: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The variables of one environment: its own over the project's, text unescaped."""
    combined = {**project_vars, **(environment_vars or {})}
    return {name: _unescaped(value) for name, value in combined.items()}


def _unescaped(value: Any) -> Any:
    if isinstance(value, str):
        return unescape(value)
    if isinstance(value, list):
        return [_unescaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescaped(v) for k, v in value.items()}
    return value
