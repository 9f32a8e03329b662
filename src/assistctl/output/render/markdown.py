"""The ``markdown`` format: plans and drift reports for pull-request comments.

A summary table by action first, then one collapsed ``<details>`` block per assistant with a
```` ```diff ```` fence, cut to stay under :data:`MARKDOWN_LIMIT` characters with a note saying
what was cut. Walks the diff model (:mod:`.model`) and compares nothing itself.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from assistctl.core.plan import Action, Change, DriftReport, Ignored, Plan, PlanTarget, Problem
from assistctl.output.render.model import (
    IN_PROCESS,
    LIST_LIMIT,
    ChangeDiff,
    FieldDiff,
    RenderOptions,
    diff_change,
    drift_summary,
    in_process,
    plan_summary,
)

MARKDOWN_LIMIT = 60_000
"""Markdown output stays below this many characters (GitHub's comment limit is 65,535)."""
_BLOCK_LIMIT = 20_000  # one assistant's diff, so one huge prompt cannot hide the rest
_NOTE_RESERVE = 2_000  # room kept for the "what was cut" note
_IGNORED_ROWS = 50

_MARK = {"create": "+", "update": "~", "delete": "-"}
_PLAN_VERBS = {"create": "create", "update": "update in place", "delete": "**DELETE**"}
_DRIFT_VERBS = {
    "update": "changed out of band (- manifest, + live)",
    "create": "missing: no live assistant carries its label",
    "delete": "labelled for this project, no manifest",
}


def render_plan(plan: Plan, opts: RenderOptions) -> str:
    head = f"### assistctl plan · {_title(plan)}{_on(plan.target)}\n\n"
    head += f"**{plan_summary(plan)}**\n\n"
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
    if plan.targeting is not None:
        head += f"> [!NOTE]\n> {html.escape(plan.targeting.sentence(), quote=False)}.\n\n"
    if plan.deletes:
        head += (
            f"> [!WARNING]\n> **{len(plan.deletes)} assistant(s) will be deleted:** "
            + ", ".join(_deleted(c) for c in plan.deletes[:LIST_LIMIT])
            + (" …" if len(plan.deletes) > LIST_LIMIT else "")
            + "\n\n"
        )
    head += _problems(plan.problems, plan.warnings)
    blocks = [
        (c, _details(diff_change(c, opts.context), _PLAN_VERBS[c.action]))
        for c in plan.changes
        if c.action != "noop"
    ]
    return _assemble(head, blocks, _ignored(plan.ignored, plan.scope))


def render_drift(report: DriftReport, opts: RenderOptions) -> str:
    head = f"### assistctl drift · {_title(report)}{_on(report.target)}\n\n"
    head += f"**{drift_summary(report)}**\n\n"
    head += "| Drift | Count | Assistants |\n|---|---:|---|\n"
    for label, changes in (
        ("changed out of band", report.changed),
        ("missing (not found live)", report.missing),
        ("not in the manifests", report.orphaned),
    ):
        head += f"| {label} | {len(changes)} | {_key_list(changes)} |\n"
    head += "\n" + _problems(report.problems, ())
    blocks = [
        (c, _details(diff_change(c, opts.context, drift=True), _DRIFT_VERBS[c.action]))
        for c in (*report.changed, *report.missing, *report.orphaned)
    ]
    return _assemble(head, blocks, _ignored(report.ignored, report.scope))


def _on(target: PlanTarget | None) -> str:
    """The rest of the heading after :func:`_title` (which names the environment): the host,
    because a reviewer must see where the plan was made."""
    if target is None:
        return ""
    if in_process(target):
        return f" · on {IN_PROCESS}"
    return f" · on <code>{_esc(target.host)}</code> (<code>{_esc(target.base_url)}</code>)"


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _field(d: FieldDiff) -> list[str]:
    """One field in a ```diff fence: markers in column 0 so GitHub colours them."""
    if d.kind == "scalar":
        return [f"- {d.field} = {d.old}", f"+ {d.field} = {d.new}"]
    if d.kind in ("set", "unset"):
        marker = "+" if d.kind == "set" else "-"
        if not d.lines:
            return [f"{marker} {d.field} = {d.new if d.kind == 'set' else d.old}"]
        return [f"{marker} {d.field}:"] + [f"{marker}   {line}" for line in d.lines]
    head = f"  {d.field}:" + ("  # " + ", ".join(d.paths) if d.paths else "")
    return [head] + ([f"  {d.note}"] if d.note else []) + list(d.lines)


def _diff_lines(diff: ChangeDiff) -> list[str]:
    lines = [line for d in diff.fields for line in _field(d)]
    if diff.unchanged:
        lines.append(f"  ({diff.unchanged} unchanged field{'' if diff.unchanged == 1 else 's'})")
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


def _details(diff: ChangeDiff, verb: str) -> str:
    change = diff.change
    ident = f" ({change.id})" if change.id else ""
    name = f" “{html.escape(change.display_name, quote=False)}”" if change.display_name else ""
    fields = ""
    if change.moved_from:
        verb += f", moved from <code>{change.moved_from}</code>"
    if change.duplicate_of:
        verb += f", a duplicate of <code>{change.duplicate_of}</code> (the oldest, kept)"
    if change.action == "update":
        fields = ": " + ", ".join(
            f"<code>{html.escape(f, quote=False)}</code>" for f in change.changed_fields
        )
    lines = _cap_lines(_diff_lines(diff), _BLOCK_LIMIT)
    summary = f"<code>{_MARK[change.action]} {change.key}</code>{html.escape(ident, quote=False)}{name} — {verb}{fields}"
    return f"<details><summary>{summary}</summary>\n\n{_fence(lines)}\n\n</details>\n"


def _deleted(c: Change) -> str:
    dup = f", duplicate of {c.duplicate_of}" if c.duplicate_of else ""
    return f"`{c.key}` ({c.id}{dup})"


def _key_list(changes: Sequence[Change]) -> str:
    keys = [f"`{c.key}`" for c in changes[:LIST_LIMIT]]
    if len(changes) > LIST_LIMIT:
        keys.append(f"and {len(changes) - LIST_LIMIT} more")
    return ", ".join(keys)


def _title(report: Plan | DriftReport) -> str:
    """``project `support` `` and `` · environment `prod` `` when there is one."""
    title = f"project `{report.project}`"
    return title + (f" · environment `{report.environment}`" if report.environment else "")


def _ignored(ignored: Sequence[Ignored], project: str) -> str:
    if not ignored:
        return ""
    rows = ["| id | name | owner |", "|---|---|---|"]
    for i in ignored[:_IGNORED_ROWS]:
        name = html.escape(i.name or "", quote=False).replace("|", "\\|").replace("\n", " ")
        owner = "unmanaged" if i.reason == "unmanaged" else f"`{i.owner}`"
        rows.append(f"| `{i.id}` | {name} | {owner} |")
    if len(ignored) > _IGNORED_ROWS:
        rows.append(f"| … | and {len(ignored) - _IGNORED_ROWS} more | |")
    return (
        f"<details><summary>{len(ignored)} assistant(s) not managed by project "
        f"<code>{html.escape(project, quote=False)}</code>, left alone</summary>\n\n"
        + "\n".join(rows)
        + "\n\n</details>\n"
    )


def _problems(problems: Sequence[Problem], warnings: Sequence[str]) -> str:
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
