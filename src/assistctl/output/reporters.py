"""The ``validate`` reports, by format name: ``text``, ``json``, ``github``.

:data:`REPORTER_BY_NAME` is the registry, as check-jsonschema's ``REPORTER_BY_NAME`` (the
``--format`` choices of ``validate`` are its names, through :mod:`assistctl.cli.choices`).
Each reporter turns a :class:`~assistctl.config.loader.LoadResult` into text for stdout. Pure:
the command decides where the text goes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from assistctl.config.loader import LoadResult
from assistctl.errors import Diagnostic
from assistctl.output.jsonout import diagnostic_item, document, dumps
from assistctl.output.registry import by_name

Reporter = Callable[[LoadResult, bool], str]
"""A report of one validation run; the flag is ``-q`` (list errors only)."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _file_count(result: LoadResult) -> int:
    """Files read, and files named by a diagnostic (one that could not be read counts)."""
    return len(set(result.files) | {d.file for d in result.diagnostics})


def summary(result: LoadResult) -> str:
    """``3 errors in 2 of 7 files`` or ``7 manifests valid (5 files)``, plus warnings and
    the environments checked."""
    errors = result.errors
    warnings = len(result.diagnostics) - len(errors)
    files = _file_count(result)
    tail = f", {_plural(warnings, 'warning')}" if warnings else ""
    names = result.environments
    if names:
        tail += f"; environment{'s' if len(names) > 1 else ''} {', '.join(names)}"
    if errors:
        bad = len({d.file for d in errors})
        return f"{_plural(len(errors), 'error')} in {bad} of {_plural(files, 'file')}{tail}"
    valid = _plural(len(result.manifests), "manifest")
    return f"{valid} valid ({_plural(files, 'file')}){tail}"


def _where(d: Diagnostic) -> str:
    return d.file if d.line == 0 else f"{d.file}:{d.line}:{d.col}"


def _listed(result: LoadResult, quiet: bool) -> list[Diagnostic]:
    """``-q`` lists errors only; the summary still counts the warnings."""
    return [d for d in result.diagnostics if not quiet or d.severity == "error"]


def text(result: LoadResult, quiet: bool = False) -> str:
    """One ``path:line:col: field.path: message`` line per problem, then the summary."""
    lines = []
    for d in _listed(result, quiet):
        field = f" {d.path}:" if d.path else ""
        level = " warning:" if d.severity != "error" else ""
        lines.append(f"{_where(d)}:{level}{field} {d.message}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def json_body(result: LoadResult) -> dict[str, Any]:
    """``validate``'s own fields of its JSON document: counts and every diagnostic."""
    errors = len(result.errors)
    return {
        "valid": result.ok,
        "summary": {
            "manifests": len(result.manifests),
            "files": _file_count(result),
            "errors": errors,
            "warnings": len(result.diagnostics) - errors,
        },
        "diagnostics": [diagnostic_item(d) for d in result.diagnostics],
    }


def json_errors(result: LoadResult) -> list[dict[str, Any]]:
    """The document's ``errors``: the error diagnostics (warnings do not fail a run)."""
    return [diagnostic_item(d) for d in result.errors]


def as_json(result: LoadResult, quiet: bool = False) -> str:
    """One versioned document: ``valid``, ``summary``, every diagnostic (file, line, column,
    path, message, severity), and the errors among them as ``errors``.

    Data for programs: complete even with ``-q``.
    """
    return dumps(document("validate", json_body(result), json_errors(result)))


def _escape_data(value: str) -> str:
    # GitHub workflow-command escaping (actions/toolkit, command.ts).
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(result: LoadResult, quiet: bool = False) -> str:
    """``::error file=...,line=...,col=...::message`` annotations, then the summary."""
    lines = []
    for d in _listed(result, quiet):
        level = "error" if d.severity == "error" else "warning"
        props = [f"file={_escape_property(d.file)}"]
        if d.line:
            props += [f"line={d.line}", f"col={d.col}"]
        message = f"{d.path}: {d.message}" if d.path else d.message
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


REPORTER_BY_NAME: Mapping[str, Reporter] = {
    "text": text,
    "json": as_json,
    "github": github,
}
FORMATS = tuple(REPORTER_BY_NAME)


def report(result: LoadResult, fmt: str = "text", *, quiet: bool = False) -> str:
    """The report in the format called ``fmt`` (UsageError for an unknown one)."""
    return by_name(REPORTER_BY_NAME, fmt)(result, quiet)
