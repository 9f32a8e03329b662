"""What ``assistctl import`` shows: the plan of label writes to review, then what it did.

Pure: text and data; the command decides where they go.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from assistctl.core.adopt import ImportItem
from assistctl.core.fields import WRITE_ONLY_FIELDS
from assistctl.labels import OWNER_KEY, describe_scope

Status = Literal["imported", "already_managed", "failed", "not_written"]


def _value(value: object) -> str:
    return "(none)" if value is None else f'"{value}"'


def _write_only(fields: Sequence[str]) -> bool:
    """Only write-only fields: what the next apply sends once to record their fingerprint."""
    return bool(fields) and set(fields) <= set(WRITE_ONLY_FIELDS)


def _then(item: ImportItem, paths: str) -> str:
    if item.fields_after is None:
        return "then 'assistctl plan' cannot tell (the manifest no longer matches the key)"
    if not item.fields_after:
        return f"then 'assistctl plan {paths}' shows no changes for it"
    more = " (write-only: sent once to record it)" if _write_only(item.fields_after) else ""
    return f"then 'assistctl plan {paths}' updates: {', '.join(item.fields_after)}{more}"


def _who(item: ImportItem) -> str:
    name = f" ({item.name})" if item.name else ""
    return f"{item.pair.assistant_id}{name}"


def render_plan(items: Sequence[ImportItem], project: str, where: str, paths: str) -> str:
    """The label writes, one block per pair, and a summary line."""
    lines = [f"Import plan for {describe_scope(project)} on {where}:", ""]
    for item in items:
        adoption = item.adoption
        if adoption.done:
            lines.append(
                f"  = {item.pair.key} <- {_who(item)}: already carries "
                f"{_value(adoption.previous)}; nothing to write"
            )
            lines.append(f"      {_then(item, paths)}")
            continue
        marker = "+" if adoption.previous is None else "~"
        forced = "  (--force: replaces another owner's label)" if adoption.previous else ""
        lines += [
            f"  {marker} {item.pair.key} <- {_who(item)}, manifest {item.manifest.file}",
            f"      metadata.{OWNER_KEY}: {_value(adoption.previous)} -> "
            f"{_value(adoption.label)}{forced}",
            f"      {_then(item, paths)}",
        ]
    writes = sum(1 for i in items if not i.adoption.done)
    lines += ["", f"Import: {writes} label(s) to write, {len(items) - writes} already in place."]
    if writes:
        lines.append("Only the ownership label is written; every other field keeps its value.")
    return "\n".join(lines)


def imported_sentence(item: ImportItem, project: str) -> str:
    """What one successful write did."""
    text = (
        f"Imported {_who(item)} as '{item.pair.key}' of {describe_scope(project)}: added "
        f"metadata.{OWNER_KEY} = {item.adoption.label}; nothing else was changed."
    )
    if item.adoption.previous is not None:
        text += f" It replaced the previous label {OWNER_KEY} = {item.adoption.previous} (--force)."
    return text


def differences_sentence(item: ImportItem, fields: tuple[str, ...] | None, paths: str) -> str:
    """What the next plan does for an adopted assistant."""
    if fields is None:
        return f"'{item.pair.key}': run 'assistctl plan {paths}' to see what differs."
    if not fields:
        return (
            f"The assistant matches {item.manifest.file}: 'assistctl plan {paths}' shows no "
            f"changes for '{item.pair.key}'."
        )
    if _write_only(fields):
        return (
            f"The assistant matches {item.manifest.file} as far as the API shows; its write-only "
            f"{', '.join(fields)} cannot be read back, so the next 'assistctl apply {paths}' "
            "sends it once and records it."
        )
    return (
        f"The manifest {item.manifest.file} differs in: {', '.join(fields)}. Run 'assistctl "
        f"plan {paths}' to see the differences; 'assistctl apply' would update them."
    )


def final_sentence(written: int, already: int, failed: Sequence[str]) -> str:
    """The last line: the failure first when there is one."""
    if failed:
        return (
            f"Import failed for {len(failed)} of {written + len(failed)} label(s) "
            f"({', '.join(failed)}): {written} written, {already} already in place."
        )
    return f"Import complete: {written} label(s) written, {already} already in place."


def json_entry(
    item: ImportItem,
    status: Status,
    fields: tuple[str, ...] | None,
    error: str | None = None,
) -> dict[str, Any]:
    """One pair in ``import``'s JSON document."""
    return {
        "key": item.pair.key,
        "id": item.pair.assistant_id,
        "name": item.name,
        "status": status,
        "label": item.adoption.label,
        "previous_label": item.adoption.previous,
        "manifest": item.manifest.file,
        "fields_to_update": list(fields) if fields is not None else None,
        "error": error,
    }
