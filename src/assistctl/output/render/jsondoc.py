"""The ``json`` format: one versioned document (``format_version: "1"``) for programs.

The body of the document (:func:`plan_json`, :func:`drift_json`) goes in the envelope every
command's JSON shares (:mod:`assistctl.output.jsonout`: ``command``, ``errors``).

One entry per assistant with key, id, action, changed paths, before and after: the plan's own
data, not the diff model people read. ``sort_keys`` and the plan's fixed order make it stable.
"""

from __future__ import annotations

from typing import Any

from assistctl.core.plan import DriftReport, Plan, PlanTarget
from assistctl.output.jsonout import document, dumps
from assistctl.output.render.model import RenderOptions


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
                "before": c.before,
                "after": c.after,
                "moved_from": c.moved_from,
                "prevent_destroy": c.prevent_destroy,
                "duplicate_of": c.duplicate_of,
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
                "manifest": c.after,
                "live": c.before,
                "moved_from": c.moved_from,
            }
            for c in report.changed
        ],
        "missing": [{"key": c.key, "manifest": c.after} for c in report.missing],
        "orphaned": [
            {"key": c.key, "id": c.id, "live": c.before, "duplicate_of": c.duplicate_of}
            for c in report.orphaned
        ],
        "problems": [p.model_dump(mode="json") for p in report.problems],
        "ignored": [i.model_dump(mode="json") for i in report.ignored],
    }
