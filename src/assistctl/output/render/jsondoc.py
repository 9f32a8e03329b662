"""The ``json`` format: one versioned document (``format_version: "1"``) for programs.

The body of the document (:func:`plan_json`, :func:`drift_json`) goes in the envelope every
command's JSON shares (:mod:`assistctl.output.jsonout`: ``command``, ``errors``).

One entry per assistant with key, id, action, changed paths, before and after: the plan's own
data, not the diff model people read. ``sort_keys`` and the plan's fixed order make it stable.

Bounded like the other formats: a text longer than :data:`LONG_TEXT` characters in ``before``
or ``after`` (a long prompt) is written ``{"abbreviated": {"length", "sha256", "start",
"end"}}``, and the change's ``text_diffs`` holds the hunks of each changed field that was
abbreviated (:mod:`assistctl.output.textdiff`). A saved plan (``plan --out``) keeps every
value whole.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from assistctl.core.plan import Change, DriftReport, Plan, PlanTarget
from assistctl.output.jsonout import document, dumps
from assistctl.output.render.model import RenderOptions
from assistctl.output.textdiff import hunks

LONG_TEXT = 2_000
"""Characters of a text written whole; a longer one is abbreviated."""
_ENDS = 200  # characters kept at each end of an abbreviated text


def render_plan(plan: Plan, opts: RenderOptions) -> str:
    return dumps(document("plan", plan_json(plan))).rstrip("\n")


def render_drift(report: DriftReport, opts: RenderOptions) -> str:
    return dumps(document("drift", drift_json(report))).rstrip("\n")


def _target(target: PlanTarget | None) -> dict[str, Any] | None:
    """``{"host", "base_url", "project", "environment"}``: where the plan was made."""
    return target.model_dump(mode="json") if target is not None else None


def plan_json(plan: Plan) -> dict[str, Any]:
    """The ``--format json`` document of a plan (before ``json.dumps``)."""
    return {
        "format_version": plan.format_version,
        "project": plan.project,
        "environment": plan.environment,
        "target": _target(plan.target),
        "api_version": plan.api_version,
        "summary": {**plan.counts, "has_changes": plan.has_changes, "safe": plan.is_safe},
        "changes": [
            {
                "key": c.key,
                "id": c.id,
                "action": c.action,
                "changed": list(c.changed),
                "before": _bounded(c.before),
                "after": _bounded(c.after),
                "moved_from": c.moved_from,
                "prevent_destroy": c.prevent_destroy,
                "duplicate_of": c.duplicate_of,
                **_text_diffs(c),
            }
            for c in plan.changes
        ],
        "managed": plan.managed,
        "targeting": plan.targeting.model_dump(mode="json") if plan.targeting else None,
        "ignored": [i.model_dump(mode="json") for i in plan.ignored],
        "problems": [p.model_dump(mode="json") for p in plan.problems],
        "warnings": list(plan.warnings),
    }


def drift_json(report: DriftReport) -> dict[str, Any]:
    """The ``--format json`` document of a drift report (before ``json.dumps``)."""
    return {
        "format_version": report.format_version,
        "project": report.project,
        "environment": report.environment,
        "target": _target(report.target),
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
                "manifest": _bounded(c.after),
                "live": _bounded(c.before),
                "moved_from": c.moved_from,
                **_text_diffs(c, drift=True),
            }
            for c in report.changed
        ],
        "missing": [{"key": c.key, "manifest": _bounded(c.after)} for c in report.missing],
        "orphaned": [
            {
                "key": c.key,
                "id": c.id,
                "live": _bounded(c.before),
                "duplicate_of": c.duplicate_of,
            }
            for c in report.orphaned
        ],
        "problems": [p.model_dump(mode="json") for p in report.problems],
        "ignored": [i.model_dump(mode="json") for i in report.ignored],
    }


def _bounded(value: Any) -> Any:
    """``value`` with every text longer than :data:`LONG_TEXT` abbreviated."""
    if isinstance(value, str) and len(value) > LONG_TEXT:
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        return {
            "abbreviated": {
                "length": len(value),
                "sha256": digest,
                "start": value[:_ENDS],
                "end": value[-_ENDS:],
            }
        }
    if isinstance(value, dict):
        return {k: _bounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bounded(v) for v in value]
    return value


def _text_diffs(change: Change, *, drift: bool = False) -> dict[str, Any]:
    """``{"text_diffs": {field: hunks}}`` for the changed fields that hold an abbreviated
    text (nothing when there is none); ``drift`` diffs manifest -> live."""
    before, after = change.before or {}, change.after or {}
    if drift:
        before, after = after, before
    diffs = {}
    for field in change.changed_fields:
        old, new = before.get(field), after.get(field)
        if _bounded(old) == old and _bounded(new) == new:
            continue
        diffs[field] = hunks(_lines(old), _lines(new))
    return {"text_diffs": diffs} if diffs else {}


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.splitlines() or [""]
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).splitlines()
