"""The envelope every ``--format json`` document shares, and failures as its ``errors``.

Every command that speaks JSON prints exactly one document on stdout: its own fields plus
``format_version`` (``"1"``), ``command`` and ``errors``, an array that is empty when the run
succeeded and otherwise says why it failed, in the same words as stderr: one entry per
manifest diagnostic (``file``, ``line``, ``column``, ``path``), the API's own message (with
``status`` and ``code``), or the one sentence of any other error. The exit code does not
change. The shapes are in ``schemas/output/`` and ``docs/json-output.md``.

Pure: builds data and text; the command decides where the text goes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from assistctl.errors import ApiError, AssistctlError, Diagnostic, ManifestError

FORMAT_VERSION = "1"
"""Of every JSON document; bumped only by a breaking change (docs/versioning.md)."""

COMMANDS = ("validate", "plan", "drift", "apply", "import", "export", "output", "providers")
"""The commands that speak JSON; each has ``schemas/output/COMMAND.schema.json``."""

RESULT_FORMATS = ("text", "json")
"""``--format`` of the commands that report what they did (apply, import, export): their own
sentences for people, or the JSON document."""


def diagnostic_item(d: Diagnostic) -> dict[str, Any]:
    """One manifest problem; also the entries of ``validate``'s ``diagnostics``."""
    return {
        "file": d.file,
        "line": d.line,
        "column": d.col,
        "path": d.path,
        "message": d.message,
        "severity": d.severity,
    }


def error_items(err: BaseException) -> list[dict[str, Any]]:
    """What ``errors`` says about a failure: every diagnostic, or one message."""
    if isinstance(err, ManifestError):
        items = [diagnostic_item(d) for d in err.diagnostics if d.severity == "error"]
        return items or [{"message": str(err)}]
    if isinstance(err, ApiError):
        item: dict[str, Any] = {"message": str(err)}
        if err.status is not None:
            item["status"] = err.status
        if err.code is not None:
            item["code"] = err.code
        return [item]
    if isinstance(err, AssistctlError):
        return [{"message": str(err)}]
    if isinstance(err, KeyboardInterrupt):
        return [{"message": "Interrupted."}]
    # A bug: the handler says the same on stderr, with how to get the traceback.
    return [{"message": f"internal error: {type(err).__name__}: {err}"}]


def document(
    command: str, body: Mapping[str, Any] | None = None, errors: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """``body`` (the command's own fields, none when it failed early) in the envelope."""
    return {
        "format_version": FORMAT_VERSION,
        **(body or {}),
        "command": command,
        "errors": [dict(e) for e in errors],
    }


def dumps(doc: Mapping[str, Any]) -> str:
    """The text of a document: stable (sorted keys), readable, UTF-8 as is."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
