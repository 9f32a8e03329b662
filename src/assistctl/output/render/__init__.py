"""Plans and drift reports, by format name: ``text``, ``json``, ``markdown``.

:data:`RENDERER_BY_NAME` is the registry (the ``--format`` choices of ``plan`` and ``drift``
are its names, through :mod:`assistctl.cli.choices`); each format is one module: ``text`` and
``markdown`` walk the diff model (:mod:`.model`), ``json`` dumps the plan's own data. Each
renderer returns one string without a trailing newline, which the command prints. Pure: no
I/O, no terminal detection, no deepdiff.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from assistctl.core.plan import DriftReport, Plan
from assistctl.output.registry import by_name
from assistctl.output.render import jsondoc, markdown, text
from assistctl.output.render.jsondoc import drift_json, plan_json
from assistctl.output.render.markdown import MARKDOWN_LIMIT
from assistctl.output.render.model import (
    NO_CHANGES,
    NO_DRIFT,
    RenderOptions,
    drift_summary,
    plan_summary,
)

__all__ = [
    "FORMATS",
    "MARKDOWN_LIMIT",
    "NO_CHANGES",
    "NO_DRIFT",
    "RENDERER_BY_NAME",
    "RenderOptions",
    "Renderer",
    "drift_json",
    "drift_summary",
    "plan_json",
    "plan_summary",
    "render_drift",
    "render_plan",
]


@dataclass(frozen=True)
class Renderer:
    """One format: how it draws a plan and a drift report."""

    plan: Callable[[Plan, RenderOptions], str]
    drift: Callable[[DriftReport, RenderOptions], str]


RENDERER_BY_NAME: Mapping[str, Renderer] = {
    "text": Renderer(text.render_plan, text.render_drift),
    "json": Renderer(jsondoc.render_plan, jsondoc.render_drift),
    "markdown": Renderer(markdown.render_plan, markdown.render_drift),
}
FORMATS = tuple(RENDERER_BY_NAME)


def render_plan(
    plan: Plan, fmt: str = "text", *, color: bool = False, context: int = 3, quiet: bool = False
) -> str:
    """Render a plan in the format called ``fmt`` (UsageError for an unknown one)."""
    return by_name(RENDERER_BY_NAME, fmt).plan(plan, RenderOptions(color, context, quiet))


def render_drift(
    report: DriftReport,
    fmt: str = "text",
    *,
    color: bool = False,
    context: int = 3,
    quiet: bool = False,
) -> str:
    """Render a drift report in the format called ``fmt`` (UsageError for an unknown one)."""
    return by_name(RENDERER_BY_NAME, fmt).drift(report, RenderOptions(color, context, quiet))
