"""The format registries: every entry honours the renderers' contract, and text and markdown
both draw what the diff model computed.

Parametrized over the registries themselves, so a format added to one is checked here with
no test to edit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from assistctl.config.loader import LoadResult
from assistctl.config.providers import PROVIDERS
from assistctl.core.plan import compute_plan, drift_report
from assistctl.errors import Diagnostic, UsageError
from assistctl.output.providers import LISTING_BY_NAME, listing
from assistctl.output.render import RENDERER_BY_NAME, render_drift, render_plan
from assistctl.output.render.model import diff_change
from assistctl.output.reporters import REPORTER_BY_NAME, report
from test_render import scenario_plan, unsafe_plan


@pytest.mark.parametrize("fmt", list(RENDERER_BY_NAME))
def test_each_format_draws_every_changed_assistant_the_same_way_twice(fmt: str) -> None:
    plan = scenario_plan()
    draws: list[Callable[[], str]] = [
        lambda: render_plan(plan, fmt),
        lambda: render_drift(drift_report(plan), fmt),
        lambda: render_plan(unsafe_plan(), fmt),
        lambda: render_plan(compute_plan([], [], "demo"), fmt),
    ]
    for draw in draws:
        out = draw()
        assert out and out == draw() and not out.endswith("\n") and "\x1b" not in out
    shown = render_plan(plan, fmt)
    for change in plan.changes:
        if change.action != "noop":
            assert change.key in shown, f"{fmt} leaves out {change.key}"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_and_markdown_draw_each_field_of_the_model(fmt: str) -> None:
    plan = scenario_plan()
    shown = render_plan(plan, fmt)
    for change in plan.changes:
        for field in diff_change(change, 3).fields:
            assert f"{field.field} " in shown or f"{field.field}:" in shown, (fmt, field)
            for line in field.lines:
                assert line in shown, (fmt, field.field, line)


REGISTRIES: Mapping[str, tuple[Mapping[str, Any], Callable[[str], object]]] = {
    "render": (RENDERER_BY_NAME, lambda fmt: render_plan(scenario_plan(), fmt)),
    "reporters": (REPORTER_BY_NAME, lambda fmt: report(LoadResult(), fmt)),
    "providers": (LISTING_BY_NAME, lambda fmt: listing(PROVIDERS.values(), fmt)),
}


@pytest.mark.parametrize("name", list(REGISTRIES))
def test_an_unknown_name_is_one_usage_error_naming_the_known_ones(name: str) -> None:
    registry, use = REGISTRIES[name]
    with pytest.raises(UsageError) as refused:
        use("yaml")
    assert str(refused.value) == (
        f"Unknown output format 'yaml'; use one of {', '.join(registry)}."
    )


@pytest.mark.parametrize("fmt", list(REPORTER_BY_NAME))
def test_each_validate_report_ends_in_one_newline(fmt: str) -> None:
    result = LoadResult(
        diagnostics=[Diagnostic("a.yaml", 3, 14, "temperature", "must be at most 2, got 3")],
        files=["a.yaml"],
    )
    out = report(result, fmt)
    assert out.endswith("\n") and not out.endswith("\n\n") and "a.yaml" in out


@pytest.mark.parametrize("fmt", list(LISTING_BY_NAME))
def test_each_provider_listing_names_every_preset(fmt: str) -> None:
    out = listing(PROVIDERS.values(), fmt)
    assert out.endswith("\n") and all(name in out for name in PROVIDERS)
