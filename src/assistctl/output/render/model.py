"""The diff model: what a plan or drift report changes, computed once, for the renderers to walk.

On the model of Terraform's ``internal/command/jsonformat`` (diffs computed into a structure,
renderers that only walk it): :func:`diff_change` turns one :class:`Change` into a
:class:`ChangeDiff` of :class:`FieldDiff` entries, values already in their display form
(compact JSON, the lines of a multi-line value, the hunks of a line diff, excerpts around
the changes inside a long line: :mod:`assistctl.output.textdiff`), so the text and markdown
formats lay lines out and never compare anything themselves. Pure: no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from assistctl.config.providers import LOCAL_BASE_URL
from assistctl.core.fields import WRITE_ONLY_FIELDS
from assistctl.core.plan import Change, DriftReport, Plan, PlanTarget, format_path, top_field
from assistctl.core.plan.paths import PREVENT_DESTROY_PATH
from assistctl.core.plan.writeonly import recorded
from assistctl.labels import OWNER_KEY, label_of, make_label, parse, same_owner
from assistctl.output.textdiff import LONG_LINE, cut, hunks

NO_CHANGES = "No changes. Live assistants match the manifests."
NO_DRIFT = "No drift. Live assistants match the manifests."
LIST_LIMIT = 20
"""Assistants named inline (a table cell, the ignored list) before ``and N more``."""
_INLINE_WIDTH = 72  # a JSON value shorter than this is shown on one line
_DELETE_SHOWN = ("name", "model", "description")


@dataclass(frozen=True)
class RenderOptions:
    """What the user asked for; each format takes what applies to it."""

    color: bool = False
    """ANSI colours (text only); the caller decides with :func:`assistctl.output.console.use_color`."""
    context: int = 3
    """Unchanged lines around each hunk of a multi-line diff."""
    quiet: bool = False
    """``-q``: only errors and the final result (text only; the other formats are data)."""


FieldKind = Literal["set", "unset", "scalar", "block"]


@dataclass(frozen=True)
class FieldDiff:
    """One field of one change, in display form.

    ``set`` (a create's field) carries ``new``, ``unset`` (a delete's) ``old``: the value as
    compact JSON, or, when it spans lines, ``lines`` (``string``: those of a string, else of
    indented JSON). ``scalar`` is ``old -> new`` on one line; ``block`` is a line diff:
    ``lines`` are its hunks, ``note`` says why there are none, ``paths`` name the changed
    parts below the field.
    """

    field: str
    kind: FieldKind
    old: str = ""
    new: str = ""
    lines: tuple[str, ...] = ()
    string: bool = False
    note: str = ""
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeDiff:
    """One change and its field diffs; ``unchanged`` counts an update's folded fields."""

    change: Change
    fields: tuple[FieldDiff, ...]
    unchanged: int = 0


def compact(value: Any) -> str:
    """A value on one line, as JSON: ``"gpt-4o"``, ``1.0``, ``{"team": "edu"}``."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


IN_PROCESS = "the local emulator (in process)"
"""Where a plan of ``--provider local`` was made: the in-process emulator has no host."""


def in_process(target: PlanTarget) -> bool:
    return target.base_url == LOCAL_BASE_URL


def where(target: PlanTarget) -> str:
    """The host as people read it, with the base URL: ``api.openai.com
    (https://api.openai.com/v1)``, or :data:`IN_PROCESS`."""
    return IN_PROCESS if in_process(target) else f"{target.host} ({target.base_url})"


def target_line(target: PlanTarget | None) -> str | None:
    """``Target: project "shop", environment "prod" on api.openai.com (https://api.openai.com/v1)``
    (no environment part for a project without environments)."""
    if target is None:
        return None
    env = f', environment "{target.environment}"' if target.environment else ""
    return f'Target: project "{target.project}"{env} on {where(target)}'


def scope_phrase(report: Plan | DriftReport, quote: str = '"') -> str:
    """``project "support"``, or ``project "support", environment "prod"``."""
    text = f"project {quote}{report.project}{quote}"
    if report.environment:
        text += f", environment {quote}{report.environment}{quote}"
    return text


def plan_summary(plan: Plan) -> str:
    """``Plan: 1 to create, 2 to update, 0 to delete.`` or :data:`NO_CHANGES`; a refused plan
    says so instead, whatever it would change."""
    if plan.problems:
        n = len(plan.problems)
        these = "they are" if n > 1 else "it is"
        return f"Plan refused: {n} problem{'s' if n > 1 else ''}; nothing can be applied until {these} fixed."
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


def diff_change(change: Change, context: int, *, drift: bool = False) -> ChangeDiff:
    """The diff of one change; ``drift`` shows an update as manifest -> live."""
    if change.action == "create":
        return ChangeDiff(change, tuple(_set_fields(change)))
    if change.action == "delete":
        shown_id = FieldDiff("id", "unset", old=compact(change.id))
        return ChangeDiff(change, (shown_id, *_unset_fields(change)))
    fields = tuple(_field_diffs(change, context, reverse=drift))
    return ChangeDiff(change, fields, _unchanged_count(change))


def _is_multiline(value: Any) -> bool:
    if isinstance(value, str):
        return "\n" in value or len(value) > LONG_LINE
    if isinstance(value, dict | list):
        return len(compact(value)) > _INLINE_WIDTH
    return False


def _block_lines(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.splitlines() or [""]
    return json.dumps(value, ensure_ascii=False, indent=2).splitlines()


def _whole(field: str, kind: Literal["set", "unset"], value: Any) -> FieldDiff:
    """A field set or unset as a whole: its value on one line, or its lines."""
    if _is_multiline(value):
        lines = tuple(cut(line) for line in _block_lines(value))
        return FieldDiff(field, kind, lines=lines, string=isinstance(value, str))
    if kind == "set":
        return FieldDiff(field, kind, new=compact(value))
    return FieldDiff(field, kind, old=compact(value))


def _hunks(old: Any, new: Any, context: int) -> tuple[tuple[str, ...], str]:
    a = [] if old is None else _block_lines(old)
    b = [] if new is None else _block_lines(new)
    lines = hunks(a, b, context)
    note = ""
    if not lines:
        note = "(only line endings or the trailing newline differ)"
    return tuple(lines), note


def _field_diffs(change: Change, context: int, *, reverse: bool = False) -> list[FieldDiff]:
    """The per-field diffs of an update; ``reverse`` shows after -> before (drift)."""
    before, after = change.before or {}, change.after or {}
    old_side, new_side = (after, before) if reverse else (before, after)
    out = []
    flag_shown = PREVENT_DESTROY_PATH in change.changed
    for field in change.changed_fields:
        old, new = old_side.get(field), new_side.get(field)
        if field == "lifecycle":
            out.append(_prevent_destroy_diff(old_side, new_side))
            continue
        if field == "metadata" and isinstance(old, dict) and isinstance(new, dict):
            out += _pair_diffs(field, old, new, label_shown=not flag_shown)
            continue
        if field in WRITE_ONLY_FIELDS and field not in before:
            out.append(_write_only(field, after.get(field), recorded(before), reverse))
            continue
        paths = tuple(p for p in change.changed if p != field and top_field(p) == field)
        if _is_multiline(old) or _is_multiline(new):
            hunks, note = _hunks(old, new, context)
            out.append(FieldDiff(field, "block", lines=hunks, note=note, paths=paths))
        else:
            out.append(FieldDiff(field, "scalar", compact(old), compact(new), paths=paths))
    return out


def _write_only(field: str, value: Any, recorded: bool, reverse: bool) -> FieldDiff:
    """A write-only field the host does not show: what is sent, against what is known of
    the live value (its fingerprint moved, or none is recorded yet)."""
    known = "(write-only) changed" if recorded else "(write-only) not recorded yet"
    sent = compact(value)
    if reverse:
        return FieldDiff(field, "scalar", sent, known)
    return FieldDiff(field, "scalar", known, sent)


def _prevent_destroy_diff(old_side: dict[str, Any], new_side: dict[str, Any]) -> FieldDiff:
    """The label's recorded ``prevent_destroy`` flag, shown as the manifest field it is."""
    flags = [
        bool(label and label.prevent_destroy) for label in (label_of(old_side), label_of(new_side))
    ]
    return FieldDiff(PREVENT_DESTROY_PATH, "scalar", compact(flags[0]), compact(flags[1]))


def _pair_diffs(
    field: str, old: dict[str, Any], new: dict[str, Any], *, label_shown: bool = True
) -> list[FieldDiff]:
    """Metadata pairs one by one: ``~ metadata.tier = "silver" -> "gold"``. The ownership
    label shows only when its identity moves: its flags are shown as the fields they record
    (``lifecycle.prevent_destroy``, the write-only fields); ``label_shown`` False leaves it
    out in any case."""
    out = []
    if same_owner(old.get(OWNER_KEY), new.get(OWNER_KEY)):
        old, new = _without_label(old), _without_label(new)
    for key in sorted(set(old) | set(new)):
        if key == OWNER_KEY and not label_shown:
            continue
        name = format_path([field, key])
        if key not in old:
            out.append(_whole(name, "set", new[key]))
        elif key not in new:
            out.append(_whole(name, "unset", old[key]))
        elif old[key] != new[key]:
            a, b = old[key], new[key]
            if key == OWNER_KEY:
                a, b = _identities(a, b)
            out.append(FieldDiff(name, "scalar", compact(a), compact(b)))
    return out


def _identities(old: Any, new: Any) -> tuple[Any, Any]:
    """Two labels as their identities (``P/K``) when their flags are the same: a move."""
    a, b = parse(old), parse(new)
    if (
        a is None
        or b is None
        or (a.prevent_destroy, a.write_only)
        != (
            b.prevent_destroy,
            b.write_only,
        )
    ):
        return old, new
    return make_label(*a.owner), make_label(*b.owner)


def _without_label(pairs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in pairs.items() if k != OWNER_KEY}


def _visible(field: str, value: Any) -> Any:
    """Hide the ownership label from a create's or delete's metadata: it is not a user field."""
    if field == "metadata" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != OWNER_KEY}
    return value


def _set_fields(change: Change) -> list[FieldDiff]:
    after = change.after or {}
    out = []
    for field in change.changed:
        value = _visible(field, after.get(field))
        if field == "metadata" and not value:
            continue
        out.append(_whole(field, "set", value))
    return out


def _unset_fields(change: Change) -> list[FieldDiff]:
    before = change.before or {}
    return [_whole(f, "unset", before[f]) for f in _DELETE_SHOWN if before.get(f) is not None]


def _unchanged_count(change: Change) -> int:
    fields = set(change.before or {}) | set(change.after or {})
    return len(fields - set(change.changed_fields))
