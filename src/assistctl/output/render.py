"""Renderers for plans and drift reports: ``text`` (Terraform-like), ``json``, ``markdown``.

Chosen by name (:func:`render_plan`, :func:`render_drift`); each returns one string without a
trailing newline, which the command prints. Pure: no I/O, no terminal detection (the caller
decides ``color`` with :func:`assistctl.output.console.use_color`), no deepdiff.

- text: ``+`` create, ``~`` update, ``-`` delete; only changed fields, the rest folded as
  ``(N unchanged fields)``; multi-line strings and JSON values (tools, schemas) as a
  line-level unified diff (:mod:`assistctl.output.linediff`: a 256,000-character prompt renders in
  well under a second, however its lines changed);
  ANSI colour only when ``color=True``.
- json: ``format_version: "1"``, one entry per assistant with key, id, action, changed
  paths, before and after; ``sort_keys`` and the plan's fixed order make it stable.
- markdown: for pull-request comments; summary table by action first, then one collapsed
  ``<details>`` block per assistant with a ```` ```diff ```` fence, cut to stay under
  :data:`MARKDOWN_LIMIT` characters with a note saying what was cut.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistctl.core.plan import (
    Action,
    Change,
    DriftReport,
    Ignored,
    Plan,
    Problem,
    format_path,
    top_field,
)
from assistctl.errors import UsageError
from assistctl.labels import OWNER_KEY
from assistctl.output.linediff import unified_lines

FORMATS = ("text", "json", "markdown")
MARKDOWN_LIMIT = 60_000
"""Markdown output stays below this many characters (GitHub's comment limit is 65,535)."""
_BLOCK_LIMIT = 20_000  # one assistant's diff in markdown, so one huge prompt cannot hide the rest
_NOTE_RESERVE = 2_000  # room kept for the "what was cut" note
_LIST_LIMIT = 20  # assistants named inline in a table cell or the ignored list (text)
_INLINE_WIDTH = 72  # a JSON value shorter than this is shown on one line

_ANSI = {
    "add": "\x1b[32m",
    "del": "\x1b[31m",
    "chg": "\x1b[33m",
    "hunk": "\x1b[36m",
    "head": "\x1b[1m",
    "loud": "\x1b[1;31m",
    "warn": "\x1b[33m",
    "dim": "\x1b[2m",
}
_RESET = "\x1b[0m"

NO_CHANGES = "No changes. Live assistants match the manifests."
NO_DRIFT = "No drift. Live assistants match the manifests."


def plan_summary(plan: Plan) -> str:
    """``Plan: 1 to create, 2 to update, 0 to delete.`` or :data:`NO_CHANGES`."""
    if not plan.has_changes:
        return NO_CHANGES
    c = plan.counts
    return f"Plan: {c['create']} to create, {c['update']} to update, {c['delete']} to delete."


def drift_summary(report: DriftReport) -> str:
    if report.in_sync:
        return NO_DRIFT
    parts = [
        f"{len(report.changed)} changed out of band",
        f"{len(report.missing)} missing",
        f"{len(report.orphaned)} not in the manifests",
    ]
    if report.problems:
        parts.append(f"{len(report.problems)} problem{'s' if len(report.problems) > 1 else ''}")
    return "Drift: " + ", ".join(parts) + "."


def render_plan(plan: Plan, fmt: str = "text", *, color: bool = False, context: int = 3) -> str:
    """Render a plan as ``text``, ``json`` or ``markdown``."""
    renderers: dict[str, Callable[[], str]] = {
        "text": lambda: _plan_text(plan, color=color, context=context),
        "json": lambda: _dump(plan_json(plan)),
        "markdown": lambda: _plan_markdown(plan, context=context),
    }
    return _pick(renderers, fmt)()


def render_drift(
    report: DriftReport, fmt: str = "text", *, color: bool = False, context: int = 3
) -> str:
    """Render a drift report as ``text``, ``json`` or ``markdown``."""
    renderers: dict[str, Callable[[], str]] = {
        "text": lambda: _drift_text(report, color=color, context=context),
        "json": lambda: _dump(drift_json(report)),
        "markdown": lambda: _drift_markdown(report, context=context),
    }
    return _pick(renderers, fmt)()


def _pick(renderers: dict[str, Callable[[], str]], fmt: str) -> Callable[[], str]:
    try:
        return renderers[fmt]
    except KeyError:
        raise UsageError(
            f"Unknown output format '{fmt}'; use one of {', '.join(FORMATS)}."
        ) from None


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------------------- json


def plan_json(plan: Plan) -> dict[str, Any]:
    """The ``--format json`` document of a plan (before ``json.dumps``)."""
    return {
        "format_version": plan.format_version,
        "project": plan.project,
        "api_version": plan.api_version,
        "summary": {**plan.counts, "has_changes": plan.has_changes, "safe": plan.is_safe},
        "changes": [
            {
                "key": c.key,
                "id": c.id,
                "action": c.action,
                "changed": list(c.changed),
                "before": c.before,
                "after": c.after,
                "moved_from": c.moved_from,
                "prevent_destroy": c.prevent_destroy,
            }
            for c in plan.changes
        ],
        "ignored": [i.model_dump(mode="json") for i in plan.ignored],
        "problems": [p.model_dump(mode="json") for p in plan.problems],
        "warnings": list(plan.warnings),
    }


def drift_json(report: DriftReport) -> dict[str, Any]:
    """The ``--format json`` document of a drift report (before ``json.dumps``)."""
    return {
        "format_version": report.format_version,
        "project": report.project,
        "in_sync": report.in_sync,
        "summary": {
            "changed": len(report.changed),
            "missing": len(report.missing),
            "orphaned": len(report.orphaned),
            "ignored": len(report.ignored),
        },
        "changed": [
            {
                "key": c.key,
                "id": c.id,
                "changed": list(c.changed),
                "manifest": c.after,
                "live": c.before,
                "moved_from": c.moved_from,
            }
            for c in report.changed
        ],
        "missing": [{"key": c.key, "manifest": c.after} for c in report.missing],
        "orphaned": [{"key": c.key, "id": c.id, "live": c.before} for c in report.orphaned],
        "problems": [p.model_dump(mode="json") for p in report.problems],
        "ignored": [i.model_dump(mode="json") for i in report.ignored],
    }


# ---------------------------------------------------------------------------- field diffs


@dataclass(frozen=True)
class _Line:
    style: str  # a key of _ANSI, or "" for plain
    text: str


@dataclass(frozen=True)
class _FieldDiff:
    """One top-level field of one change, ready for either the text or the diff layout."""

    field: str
    kind: str  # "set" (create), "unset" (delete), "scalar" (old -> new), "block" (hunks)
    old: Any = None
    new: Any = None
    hunks: tuple[str, ...] = ()
    note: str = ""
    paths: tuple[str, ...] = ()


def _is_multiline(value: Any) -> bool:
    if isinstance(value, str):
        return "\n" in value
    if isinstance(value, dict | list):
        return len(_compact(value)) > _INLINE_WIDTH
    return False


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _scalar(value: Any) -> str:
    return _compact(value)


def _block_lines(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.splitlines() or [""]
    return json.dumps(value, ensure_ascii=False, indent=2).splitlines()


def _hunks(old: Any, new: Any, context: int) -> tuple[tuple[str, ...], str]:
    a = [] if old is None else _block_lines(old)
    b = [] if new is None else _block_lines(new)
    lines = unified_lines(a, b, context)
    note = ""
    if not lines:
        note = "(only line endings or the trailing newline differ)"
    return tuple(lines), note


def _field_diffs(change: Change, context: int, *, reverse: bool = False) -> list[_FieldDiff]:
    """The per-field diffs of an update; ``reverse`` shows after -> before (drift)."""
    before, after = change.before or {}, change.after or {}
    old_side, new_side = (after, before) if reverse else (before, after)
    out = []
    for field in change.changed_fields:
        old, new = old_side.get(field), new_side.get(field)
        if field == "metadata" and isinstance(old, dict) and isinstance(new, dict):
            out += _pair_diffs(field, old, new)
            continue
        paths = tuple(p for p in change.changed if p != field and top_field(p) == field)
        if _is_multiline(old) or _is_multiline(new):
            hunks, note = _hunks(old, new, context)
            out.append(_FieldDiff(field, "block", old, new, hunks, note, paths))
        else:
            out.append(_FieldDiff(field, "scalar", old, new, paths=paths))
    return out


def _pair_diffs(field: str, old: dict[str, Any], new: dict[str, Any]) -> list[_FieldDiff]:
    """Metadata pairs one by one: ``~ metadata.tier = "silver" -> "gold"``."""
    out = []
    for key in sorted(set(old) | set(new)):
        name = format_path([field, key])
        if key not in old:
            out.append(_FieldDiff(name, "set", new=new[key]))
        elif key not in new:
            out.append(_FieldDiff(name, "unset", old=old[key]))
        elif old[key] != new[key]:
            out.append(_FieldDiff(name, "scalar", old[key], new[key]))
    return out


def _visible(field: str, value: Any) -> Any:
    """Hide the ownership label from a create's or delete's metadata: it is not a user field."""
    if field == "metadata" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != OWNER_KEY}
    return value


def _set_fields(change: Change) -> list[_FieldDiff]:
    after = change.after or {}
    out = []
    for field in change.changed:
        value = _visible(field, after.get(field))
        if field == "metadata" and not value:
            continue
        out.append(_FieldDiff(field, "set", new=value))
    return out


_DELETE_SHOWN = ("name", "model", "description")


def _unset_fields(change: Change) -> list[_FieldDiff]:
    before = change.before or {}
    return [
        _FieldDiff(f, "unset", old=before.get(f))
        for f in _DELETE_SHOWN
        if before.get(f) is not None
    ]


def _unchanged_count(change: Change) -> int:
    fields = set(change.before or {}) | set(change.after or {})
    return len(fields - set(change.changed_fields))


# ---------------------------------------------------------------------------- text


def _paint(lines: Iterable[_Line], color: bool) -> str:
    if not color:
        return "\n".join(line.text for line in lines)
    return "\n".join(
        f"{_ANSI[line.style]}{line.text}{_RESET}" if line.style else line.text for line in lines
    )


def _text_field(d: _FieldDiff, indent: str) -> list[_Line]:
    marker = {"set": "+", "unset": "-"}.get(d.kind, "~")
    style = {"+": "add", "-": "del", "~": "chg"}[marker]
    if d.kind == "scalar":
        return [_Line(style, f"{indent}{marker} {d.field} = {_scalar(d.old)} -> {_scalar(d.new)}")]
    if d.kind in ("set", "unset"):
        value = d.new if d.kind == "set" else d.old
        if not _is_multiline(value):
            return [_Line(style, f"{indent}{marker} {d.field} = {_scalar(value)}")]
        if isinstance(value, str):
            lines = [_Line(style, f"{indent}{marker} {d.field} = <<-EOT")]
            lines += [_Line("", f"{indent}      {line}") for line in value.splitlines()]
            return [*lines, _Line("", f"{indent}  EOT")]
        body = _block_lines(value)
        lines = [_Line(style, f"{indent}{marker} {d.field} = {body[0]}")]
        return lines + [_Line("", f"{indent}  {line}") for line in body[1:]]
    head = f"{indent}{marker} {d.field}:"
    if d.paths:
        head += "  # " + ", ".join(d.paths)
    lines = [_Line(style, head)]
    inner = indent + "    "
    if d.note:
        lines.append(_Line("dim", f"{inner}{d.note}"))
    for h in d.hunks:
        s = "hunk" if h.startswith("@@") else {"+": "add", "-": "del"}.get(h[:1], "")
        lines.append(_Line(s, f"{inner}{h}"))
    return lines


def _change_text(change: Change, context: int, *, drift: bool = False) -> list[_Line]:
    ident = f"{change.key} ({change.id})" if change.id else change.key
    if change.action == "create":
        head = f"  # {change.key} will be created"
        if drift:
            head = f"  # {change.key} is missing: no live assistant carries its label"
        lines = [_Line("head", head), _Line("add", f'  + assistant "{change.key}" {{')]
        for d in _set_fields(change):
            lines += _text_field(d, "      ")
        return [*lines, _Line("", "    }")]
    if change.action == "delete":
        head = f"  # {ident} will be DELETED: no manifest has this key"
        if drift:
            head = f"  # {ident} is labelled for this project but no manifest has this key"
        lines = [_Line("loud", head), _Line("del", f'  - assistant "{change.key}" {{')]
        lines.append(_Line("del", f"      - id = {_scalar(change.id)}"))
        for d in _unset_fields(change):
            lines += _text_field(d, "      ")
        return [*lines, _Line("", "    }")]
    head = f"  # {ident} will be updated in place"
    if drift:
        head = f"  # {ident} changed out of band (- manifest, + live)"
    if change.moved_from:
        head += f', moved from "{change.moved_from}"'
    lines = [_Line("head", head), _Line("chg", f'  ~ assistant "{change.key}" {{')]
    for d in _field_diffs(change, context, reverse=drift):
        lines += _text_field(d, "      ")
    unchanged = _unchanged_count(change)
    if unchanged:
        s = "" if unchanged == 1 else "s"
        lines.append(_Line("dim", f"        ({unchanged} unchanged field{s})"))
    return [*lines, _Line("", "    }")]


def _ignored_text(ignored: Sequence[Ignored], project: str) -> list[_Line]:
    if not ignored:
        return []
    lines = [_Line("head", f'Not managed by project "{project}", left alone ({len(ignored)}):')]
    for i in ignored[:_LIST_LIMIT]:
        lines.append(_Line("dim", f"  {_ignored_one(i)}"))
    if len(ignored) > _LIST_LIMIT:
        lines.append(_Line("dim", f"  ... and {len(ignored) - _LIST_LIMIT} more"))
    return [*lines, _Line("", "")]


def _ignored_one(i: Ignored) -> str:
    name = f" {_scalar(i.name)}" if i.name else ""
    owner = "unmanaged" if i.reason == "unmanaged" else f"{OWNER_KEY}: {i.owner}"
    return f"{i.id}{name} ({owner})"


def _problems_text(problems: Sequence[Problem], warnings: Sequence[str]) -> list[_Line]:
    lines = [_Line("loud", f"Error: {p.message}.") for p in problems]
    lines += [_Line("warn", f"Warning: {w}.") for w in warnings]
    return [*lines, _Line("", "")] if lines else []


def _plan_text(plan: Plan, *, color: bool, context: int) -> str:
    lines: list[_Line] = []
    shown = [c for c in plan.changes if c.action != "noop"]
    if shown:
        lines.append(_Line("", "assistctl will perform the following actions:"))
        lines.append(_Line("", ""))
        for c in shown:
            lines += _change_text(c, context)
            lines.append(_Line("", ""))
    lines += _ignored_text(plan.ignored, plan.project)
    lines += _problems_text(plan.problems, plan.warnings)
    lines.append(_Line("head", plan_summary(plan)))
    return _paint(lines, color)


def _drift_text(report: DriftReport, *, color: bool, context: int) -> str:
    lines: list[_Line] = []
    if report.changed or report.missing or report.orphaned:
        head = f'Live assistants of project "{report.project}" differ from the manifests:'
        lines += [_Line("", head), _Line("", "")]
    for c in (*report.changed, *report.missing, *report.orphaned):
        lines += _change_text(c, context, drift=True)
        lines.append(_Line("", ""))
    lines += _ignored_text(report.ignored, report.project)
    lines += _problems_text(report.problems, ())
    lines.append(_Line("head", drift_summary(report)))
    return _paint(lines, color)


# ---------------------------------------------------------------------------- markdown


def _diff_field(d: _FieldDiff) -> list[str]:
    """One field in a ```diff fence: markers in column 0 so GitHub colours them."""
    if d.kind == "scalar":
        return [f"- {d.field} = {_scalar(d.old)}", f"+ {d.field} = {_scalar(d.new)}"]
    if d.kind in ("set", "unset"):
        marker = "+" if d.kind == "set" else "-"
        value = d.new if d.kind == "set" else d.old
        if not _is_multiline(value):
            return [f"{marker} {d.field} = {_scalar(value)}"]
        return [f"{marker} {d.field}:"] + [f"{marker}   {line}" for line in _block_lines(value)]
    head = f"  {d.field}:" + ("  # " + ", ".join(d.paths) if d.paths else "")
    return [head] + ([f"  {d.note}"] if d.note else []) + list(d.hunks)


def _change_diff_lines(change: Change, context: int, *, drift: bool) -> list[str]:
    if change.action == "create":
        return [line for d in _set_fields(change) for line in _diff_field(d)]
    if change.action == "delete":
        lines = [f"- id = {_scalar(change.id)}"]
        return lines + [line for d in _unset_fields(change) for line in _diff_field(d)]
    lines = []
    for d in _field_diffs(change, context, reverse=drift):
        lines += _diff_field(d)
    unchanged = _unchanged_count(change)
    if unchanged:
        lines.append(f"  ({unchanged} unchanged field{'' if unchanged == 1 else 's'})")
    return lines


def _fence(lines: list[str]) -> str:
    body = "\n".join(lines)
    longest = 0
    run = 0
    for ch in body:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}diff\n{body}\n{ticks}"


def _cap_lines(lines: list[str], limit: int) -> list[str]:
    total = 0
    for i, line in enumerate(lines):
        total += len(line) + 1
        if total > limit:
            return [*lines[:i], f"... ({len(lines) - i} more lines cut)"]
    return lines


_MD_MARK = {"create": "+", "update": "~", "delete": "-"}
_MD_VERB = {
    "create": "create",
    "update": "update in place",
    "delete": "**DELETE**",
}


def _details(change: Change, context: int, *, drift: bool, verb: str) -> str:
    ident = f" ({change.id})" if change.id else ""
    name = f" “{html.escape(change.display_name, quote=False)}”" if change.display_name else ""
    fields = ""
    if change.moved_from:
        verb += f", moved from <code>{change.moved_from}</code>"
    if change.action == "update":
        fields = ": " + ", ".join(
            f"<code>{html.escape(f, quote=False)}</code>" for f in change.changed_fields
        )
    lines = _cap_lines(_change_diff_lines(change, context, drift=drift), _BLOCK_LIMIT)
    summary = f"<code>{_MD_MARK[change.action]} {change.key}</code>{html.escape(ident, quote=False)}{name} — {verb}{fields}"
    return f"<details><summary>{summary}</summary>\n\n{_fence(lines)}\n\n</details>\n"


def _key_list(changes: Sequence[Change]) -> str:
    keys = [f"`{c.key}`" for c in changes[:_LIST_LIMIT]]
    if len(changes) > _LIST_LIMIT:
        keys.append(f"and {len(changes) - _LIST_LIMIT} more")
    return ", ".join(keys)


def _ignored_markdown(ignored: Sequence[Ignored], project: str) -> str:
    if not ignored:
        return ""
    rows = ["| id | name | owner |", "|---|---|---|"]
    for i in ignored[:50]:
        name = html.escape(i.name or "", quote=False).replace("|", "\\|").replace("\n", " ")
        owner = "unmanaged" if i.reason == "unmanaged" else f"`{i.owner}`"
        rows.append(f"| `{i.id}` | {name} | {owner} |")
    if len(ignored) > 50:
        rows.append(f"| … | and {len(ignored) - 50} more | |")
    return (
        f"<details><summary>{len(ignored)} assistant(s) not managed by project "
        f"<code>{html.escape(project, quote=False)}</code>, left alone</summary>\n\n"
        + "\n".join(rows)
        + "\n\n</details>\n"
    )


def _problems_markdown(problems: Sequence[Problem], warnings: Sequence[str]) -> str:
    out = ""
    if problems:
        out += "> [!CAUTION]\n> **This plan is refused:**\n"
        out += "".join(f"> - {html.escape(p.message, quote=False)}\n" for p in problems)
        out += "\n"
    if warnings:
        out += (
            "> [!WARNING]\n"
            + "".join(f"> - {html.escape(w, quote=False)}\n" for w in warnings)
            + "\n"
        )
    return out


def _assemble(head: str, blocks: list[tuple[Change, str]], tail: str) -> str:
    """Head, as many detail blocks as fit under the limit, a note naming the cut, tail."""
    budget = MARKDOWN_LIMIT - len(head) - len(tail) - _NOTE_RESERVE
    kept: list[str] = []
    cut: list[Change] = []
    used = 0
    for change, block in blocks:
        if not cut and used + len(block) + 1 <= budget:
            kept.append(block)
            used += len(block) + 1
        else:
            cut.append(change)
    out = head + "\n".join(kept)
    if cut:
        keys = _key_list(cut)
        out += (
            f"\n_Cut to stay under GitHub's comment size limit: the diffs of {len(cut)} of "
            f"{len(blocks)} assistants are not shown ({keys}). Run the command locally or "
            "use `--format json` for the full output._\n"
        )
    return (out + "\n" + tail if tail else out).rstrip("\n")


def _plan_markdown(plan: Plan, *, context: int) -> str:
    head = f"### assistctl plan · project `{plan.project}`\n\n**{plan_summary(plan)}**\n\n"
    head += "| Action | Count | Assistants |\n|---|---:|---|\n"
    rows: tuple[tuple[Action, str], ...] = (
        ("create", "+ create"),
        ("update", "~ update"),
        ("delete", "- delete"),
        ("noop", "no change"),
    )
    for action, label in rows:
        changes = plan.of(action)
        keys = _key_list(changes) if action != "noop" else ""
        head += f"| {label} | {len(changes)} | {keys} |\n"
    head += "\n"
    if plan.deletes:
        head += (
            f"> [!WARNING]\n> **{len(plan.deletes)} assistant(s) will be deleted:** "
            + ", ".join(f"`{c.key}` ({c.id})" for c in plan.deletes[:_LIST_LIMIT])
            + (" …" if len(plan.deletes) > _LIST_LIMIT else "")
            + "\n\n"
        )
    head += _problems_markdown(plan.problems, plan.warnings)
    blocks = [
        (c, _details(c, context, drift=False, verb=_MD_VERB[c.action]))
        for c in plan.changes
        if c.action != "noop"
    ]
    return _assemble(head, blocks, _ignored_markdown(plan.ignored, plan.project))


def _drift_markdown(report: DriftReport, *, context: int) -> str:
    head = f"### assistctl drift · project `{report.project}`\n\n**{drift_summary(report)}**\n\n"
    head += "| Drift | Count | Assistants |\n|---|---:|---|\n"
    for label, changes in (
        ("changed out of band", report.changed),
        ("missing (not found live)", report.missing),
        ("not in the manifests", report.orphaned),
    ):
        head += f"| {label} | {len(changes)} | {_key_list(changes)} |\n"
    head += "\n" + _problems_markdown(report.problems, ())
    verbs = {
        "update": "changed out of band (- manifest, + live)",
        "create": "missing: no live assistant carries its label",
        "delete": "labelled for this project, no manifest",
    }
    blocks = [
        (c, _details(c, context, drift=True, verb=verbs[c.action]))
        for c in (*report.changed, *report.missing, *report.orphaned)
    ]
    return _assemble(head, blocks, _ignored_markdown(report.ignored, report.project))
