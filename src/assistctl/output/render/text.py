"""The ``text`` format: Terraform-like plans and drift reports for a terminal.

``+`` create, ``~`` update, ``-`` delete; only changed fields, the rest folded as
``(N unchanged fields)``; multi-line values as the hunks of a line diff; ANSI colour only
when asked. Walks the diff model (:mod:`.model`) and compares nothing itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistctl.core.plan import DriftReport, Ignored, Plan, PlanTarget, Problem
from assistctl.labels import OWNER_KEY
from assistctl.output.render.model import (
    LIST_LIMIT,
    ChangeDiff,
    FieldDiff,
    RenderOptions,
    compact,
    diff_change,
    drift_summary,
    plan_summary,
    scope_phrase,
    target_line,
)

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
_FIELD_INDENT = "      "


@dataclass(frozen=True)
class _Line:
    style: str  # a key of _ANSI, or "" for plain
    text: str


def _target(target: PlanTarget | None) -> list[_Line]:
    line = target_line(target)
    return [_Line("head", line), _Line("", "")] if line else []


def render_plan(plan: Plan, opts: RenderOptions) -> str:
    lines = _target(plan.target)
    if opts.quiet:
        lines += [*_problems(plan.problems, ()), _Line("head", plan_summary(plan))]
        return _paint(lines, opts.color)
    shown = [c for c in plan.changes if c.action != "noop"]
    if shown:
        lines.append(_Line("", "assistctl will perform the following actions:"))
        lines.append(_Line("", ""))
        for c in shown:
            lines += _change(diff_change(c, opts.context))
            lines.append(_Line("", ""))
    lines += _ignored(plan.ignored, scope_phrase(plan))
    lines += _problems(plan.problems, plan.warnings)
    if plan.targeting is not None:
        lines += [_Line("warn", f"Note: {plan.targeting.sentence()}."), _Line("", "")]
    lines.append(_Line("head", plan_summary(plan)))
    return _paint(lines, opts.color)


def render_drift(report: DriftReport, opts: RenderOptions) -> str:
    lines = _target(report.target)
    if opts.quiet:
        lines += [*_problems(report.problems, ()), _Line("head", drift_summary(report))]
        return _paint(lines, opts.color)
    if report.changed or report.missing or report.orphaned:
        head = f"Live assistants of {scope_phrase(report)} differ from the manifests:"
        lines += [_Line("", head), _Line("", "")]
    for c in (*report.changed, *report.missing, *report.orphaned):
        lines += _change(diff_change(c, opts.context, drift=True), drift=True)
        lines.append(_Line("", ""))
    lines += _ignored(report.ignored, scope_phrase(report))
    lines += _problems(report.problems, ())
    lines.append(_Line("head", drift_summary(report)))
    return _paint(lines, opts.color)


def _paint(lines: Iterable[_Line], color: bool) -> str:
    if not color:
        return "\n".join(line.text for line in lines)
    return "\n".join(
        f"{_ANSI[line.style]}{line.text}{_RESET}" if line.style else line.text for line in lines
    )


def _field(d: FieldDiff, indent: str) -> list[_Line]:
    marker = {"set": "+", "unset": "-"}.get(d.kind, "~")
    style = {"+": "add", "-": "del", "~": "chg"}[marker]
    if d.kind == "scalar":
        return [_Line(style, f"{indent}{marker} {d.field} = {d.old} -> {d.new}")]
    if d.kind in ("set", "unset"):
        if not d.lines:
            value = d.new if d.kind == "set" else d.old
            return [_Line(style, f"{indent}{marker} {d.field} = {value}")]
        if d.string:
            lines = [_Line(style, f"{indent}{marker} {d.field} = <<-EOT")]
            lines += [_Line("", f"{indent}      {line}") for line in d.lines]
            return [*lines, _Line("", f"{indent}  EOT")]
        lines = [_Line(style, f"{indent}{marker} {d.field} = {d.lines[0]}")]
        return lines + [_Line("", f"{indent}  {line}") for line in d.lines[1:]]
    head = f"{indent}{marker} {d.field}:"
    if d.paths:
        head += "  # " + ", ".join(d.paths)
    lines = [_Line(style, head)]
    inner = indent + "    "
    if d.note:
        lines.append(_Line("dim", f"{inner}{d.note}"))
    for h in d.lines:
        s = "hunk" if h.startswith("@@") else {"+": "add", "-": "del"}.get(h[:1], "")
        lines.append(_Line(s, f"{inner}{h}"))
    return lines


def _head(diff: ChangeDiff, drift: bool) -> tuple[_Line, _Line]:
    """The comment line saying what happens to the assistant, then its opening line."""
    change = diff.change
    ident = f"{change.key} ({change.id})" if change.id else change.key
    if change.action == "create":
        head = f"  # {change.key} will be created"
        if drift:
            head = f"  # {change.key} is missing: no live assistant carries its label"
        return _Line("head", head), _Line("add", f'  + assistant "{change.key}" {{')
    if change.action == "delete":
        head = f"  # {ident} will be DELETED: no manifest has this key"
        if drift:
            head = f"  # {ident} is labelled for this project but no manifest has this key"
        if change.duplicate_of:
            kept = f"{change.duplicate_of}, the oldest with this label, is kept"
            head = f"  # {ident} will be DELETED: a duplicate; {kept}"
            if drift:
                head = f"  # {ident} duplicates {change.duplicate_of} (same label, newer)"
        return _Line("loud", head), _Line("del", f'  - assistant "{change.key}" {{')
    head = f"  # {ident} will be updated in place"
    if drift:
        head = f"  # {ident} changed out of band (- manifest, + live)"
    if change.moved_from:
        head += f', moved from "{change.moved_from}"'
    return _Line("head", head), _Line("chg", f'  ~ assistant "{change.key}" {{')


def _change(diff: ChangeDiff, *, drift: bool = False) -> list[_Line]:
    lines = list(_head(diff, drift))
    for d in diff.fields:
        lines += _field(d, _FIELD_INDENT)
    if diff.unchanged:
        s = "" if diff.unchanged == 1 else "s"
        lines.append(_Line("dim", f"        ({diff.unchanged} unchanged field{s})"))
    return [*lines, _Line("", "    }")]


def _ignored(ignored: Sequence[Ignored], scope: str) -> list[_Line]:
    if not ignored:
        return []
    lines = [_Line("head", f"Not managed by {scope}, left alone ({len(ignored)}):")]
    for i in ignored[:LIST_LIMIT]:
        lines.append(_Line("dim", f"  {_ignored_one(i)}"))
    if len(ignored) > LIST_LIMIT:
        lines.append(_Line("dim", f"  ... and {len(ignored) - LIST_LIMIT} more"))
    return [*lines, _Line("", "")]


def _ignored_one(i: Ignored) -> str:
    name = f" {compact(i.name)}" if i.name else ""
    owner = "unmanaged" if i.reason == "unmanaged" else f"{OWNER_KEY}: {i.owner}"
    return f"{i.id}{name} ({owner})"


def _problems(problems: Sequence[Problem], warnings: Sequence[str]) -> list[_Line]:
    lines = [_Line("loud", f"Error: {p.message}.") for p in problems]
    lines += [_Line("warn", f"Warning: {w}.") for w in warnings]
    return [*lines, _Line("", "")] if lines else []
