"""Renderers: golden files for text/json/markdown plans and drift reports, and their bounds.

Regenerate the golden files after an intended change with
``ASSISTCTL_UPDATE_GOLDEN=1 pytest tests/output/test_render.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistctl.config.manifest import Manifest
from assistctl.core.normalize import write_only_fingerprint
from assistctl.core.plan import DriftReport, Plan, PlanTarget, compute_plan, drift_report
from assistctl.errors import UsageError
from assistctl.output.render import (
    MARKDOWN_LIMIT,
    NO_CHANGES,
    NO_DRIFT,
    plan_summary,
    render_drift,
    render_plan,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("ASSISTCTL_UPDATE_GOLDEN") == "1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
EXT = {"text": "txt", "json": "json", "markdown": "md"}
NO_WRITE_ONLY = write_only_fingerprint(Manifest(key="k", model="m"))
"""The fingerprint recorded for a manifest that sets no write-only field."""
OPENAI = PlanTarget(host="api.openai.com", base_url="https://api.openai.com/v1", project="x")


def live(
    assistant_id: str, key: str | None, project: str = "demo", **fields: Any
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": assistant_id,
        "object": "assistant",
        "created_at": 1718000000,
        "name": None,
        "description": None,
        "model": "gpt-4o",
        "instructions": None,
        "tools": [],
        "top_p": 1.0,
        "temperature": 1.0,
        "tool_resources": {},
        "metadata": {"assistctl": f"{project}/{key};wo={NO_WRITE_ONLY}"} if key else {},
        "response_format": "auto",
    }
    obj.update(fields)
    return obj


def scenario_plan(name: str = "scenario") -> Plan:
    data = yaml.safe_load((GOLDEN / f"{name}.yaml").read_text(encoding="utf-8"))
    manifests = [Manifest.model_validate(m) for m in data["manifests"]]
    plan = compute_plan(manifests, data["live"], data["project"])
    return plan.model_copy(update={"target": OPENAI.model_copy(update={"project": plan.project})})


def unsafe_plan() -> Plan:
    manifests = [
        Manifest.model_validate(
            {"key": "tutor-v2", "model": "gpt-4o", "lifecycle": {"prevent_destroy": True}}
        ),
        Manifest.model_validate({"key": "dup", "model": "gpt-4o"}),
    ]
    return compute_plan(
        manifests,
        [
            live("asst_tutor", "tutor"),
            live("asst_dup1", "dup"),
            live("asst_dup2", "dup"),
            live("asst_vault", "vault;prevent_destroy", name="Vault"),
        ],
        "demo",
    )


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_text(text + "\n", encoding="utf-8")
    assert text + "\n" == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_plan_golden(fmt: str) -> None:
    check_golden(f"plan.{EXT[fmt]}", render_plan(scenario_plan(), fmt))


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_drift_golden(fmt: str) -> None:
    check_golden(f"drift.{EXT[fmt]}", render_drift(drift_report(scenario_plan()), fmt))


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_unsafe_plan_golden(fmt: str) -> None:
    check_golden(f"plan_unsafe.{EXT[fmt]}", render_plan(unsafe_plan(), fmt))


def test_plan_text_with_colour_golden() -> None:
    text = render_plan(scenario_plan(), "text", color=True)
    check_golden("plan_color.txt", text)
    assert ANSI.search(text)
    assert ANSI.sub("", text) == render_plan(scenario_plan(), "text")


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_no_ansi_without_colour(fmt: str) -> None:
    assert not ANSI.search(render_plan(scenario_plan(), fmt, color=False))
    assert not ANSI.search(render_drift(drift_report(scenario_plan()), fmt, color=False))
    assert "\x1b" not in render_plan(unsafe_plan(), fmt)


def test_summary_lines_are_exact() -> None:
    text = render_plan(scenario_plan(), "text")
    assert text.splitlines()[-1] == "Plan: 1 to create, 2 to update, 1 to delete."
    empty = compute_plan(
        [Manifest.model_validate({"key": "a", "model": "gpt-4o"})], [live("asst_a", "a")], "demo"
    )
    assert plan_summary(empty) == NO_CHANGES
    assert render_plan(empty, "text") == "No changes. Live assistants match the manifests."
    assert render_drift(drift_report(empty), "text") == NO_DRIFT
    assert f"**{NO_CHANGES}**" in render_plan(empty, "markdown")


def test_text_shows_only_changed_fields_and_folds_the_rest() -> None:
    m = Manifest.model_validate(
        {"key": "a", "model": "gpt-4o", "name": "A", "instructions": "same", "temperature": 0.5}
    )
    plan = compute_plan([m], [live("asst_a", "a", name="A", instructions="same")], "demo")
    text = render_plan(plan, "text")
    assert "~ temperature = 1.0 -> 0.5" in text
    assert "(9 unchanged fields)" in text
    assert "instructions" not in text and '"A"' not in text


def test_json_is_versioned_stable_and_complete() -> None:
    plan = scenario_plan()
    out = render_plan(plan, "json")
    assert out == render_plan(plan, "json")
    doc = json.loads(out)
    assert doc["format_version"] == "1"
    assert out == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)
    assert [c["action"] for c in doc["changes"]] == ["create", "update", "update", "delete", "noop"]
    for entry in doc["changes"]:
        assert {"key", "id", "action", "changed", "before", "after"} <= set(entry)
    support = next(c for c in doc["changes"] if c["key"] == "support")
    assert "tools[1].function.parameters" in support["changed"]
    assert support["before"]["temperature"] == 0.7 and support["after"]["temperature"] == 0.3

    drift = json.loads(render_drift(drift_report(plan), "json"))
    assert drift["format_version"] == "1" and drift["in_sync"] is False
    assert [c["key"] for c in drift["missing"]] == ["faq-bot"]
    assert [c["key"] for c in drift["orphaned"]] == ["legacy-bot"]


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="yaml"):
        render_plan(scenario_plan(), "yaml")
    with pytest.raises(UsageError):
        render_drift(DriftReport(project="demo"), "html")


def _big_plan(n: int, *, instructions_lines: int = 3) -> Plan:
    manifests = []
    lives = []
    for i in range(n):
        key = f"assistant-{i:04d}"
        text = "\n".join(f"Rule {j} for {key}: be helpful." for j in range(instructions_lines))
        manifests.append(
            Manifest.model_validate(
                {"key": key, "model": "gpt-4o", "instructions": text + "\nNew rule.\n"}
            )
        )
        if i % 5:  # one in five is a create, the rest updates
            lives.append(live(f"asst_{i:04d}", key, instructions=text + "\n"))
    return compute_plan(manifests, lives, "demo")


def test_markdown_stays_under_the_limit_for_500_changes() -> None:
    plan = _big_plan(500, instructions_lines=20)
    assert len(plan.changes) == 500 and plan.counts["create"] == 100
    out = render_plan(plan, "markdown")
    assert len(out) < MARKDOWN_LIMIT
    assert out.startswith("### assistctl plan")
    assert "| + create | 100 |" in out and "| ~ update | 400 |" in out
    assert "Cut to stay under GitHub's comment size limit" in out
    shown = out.count("<details><summary><code>")
    assert 0 < shown < 500
    assert f"the diffs of {500 - shown} of 500 assistants are not shown" in out

    drift = render_drift(drift_report(plan), "markdown")
    assert len(drift) < MARKDOWN_LIMIT and "Cut to stay under" in drift


def test_markdown_without_cuts_has_no_cut_note() -> None:
    out = render_plan(_big_plan(5), "markdown")
    assert "Cut to stay" not in out
    assert out.count("<details><summary><code>") == 5


def test_huge_instructions_render_as_line_diff() -> None:
    lines = [f"Line {i}: " + "x" * 40 for i in range(5_000)]
    old = "\n".join(lines)
    assert len(old) >= 256_000 - 20_000
    new_lines = list(lines)
    new_lines[2_500] = "Line 2500: changed"
    new = "\n".join(new_lines)[:256_000]
    m = Manifest.model_validate({"key": "big", "model": "gpt-4o", "instructions": new})
    plan = compute_plan([m], [live("asst_big", "big", instructions=old)], "demo")
    assert plan.changes[0].changed == ("instructions",)

    text = render_plan(plan, "text")
    assert "-" + lines[2_500] in text and "+Line 2500: changed" in text
    assert len(text) < 5_000  # a few hunks, not two copies of the prompt

    md = render_plan(plan, "markdown")
    assert len(md) < MARKDOWN_LIMIT and "+Line 2500: changed" in md


def test_markdown_caps_one_huge_block_and_keeps_the_others() -> None:
    big = "\n".join(f"line {i} " + "y" * 60 for i in range(3_000))
    manifests = [
        Manifest.model_validate({"key": "huge", "model": "gpt-4o", "instructions": big}),
        Manifest.model_validate({"key": "small", "model": "gpt-4o", "temperature": 0.5}),
    ]
    plan = compute_plan(manifests, [live("asst_small", "small")], "demo")
    md = render_plan(plan, "markdown")
    assert len(md) < MARKDOWN_LIMIT
    assert "more lines cut)" in md
    assert "<code>~ small</code>" in md and "+ temperature = 0.5" in md


def test_markdown_fence_survives_backticks_in_instructions() -> None:
    m = Manifest.model_validate(
        {"key": "a", "model": "gpt-4o", "instructions": "Use\n```python\ncode\n```\nblocks"}
    )
    md = render_plan(compute_plan([m], [], "demo"), "markdown")
    assert "````diff\n" in md and "\n````\n" in md


def test_markdown_escapes_display_names() -> None:
    m = Manifest.model_validate({"key": "a", "model": "gpt-4o", "name": "<script>x</script>"})
    md = render_plan(compute_plan([m], [], "demo"), "markdown")
    assert "<script>" not in md.split("```diff")[0]


def test_text_shows_metadata_pairs_and_the_label_only_when_it_moves() -> None:
    m = Manifest.model_validate(
        {"key": "new", "model": "gpt-4o", "moved_from": "old", "metadata": {"team": "a"}}
    )
    obj = live("asst_1", "old")
    obj["metadata"]["owner"] = "bob"
    text = render_plan(compute_plan([m], [obj], "demo"), "text")
    assert 'moved from "old"' in text
    assert '~ metadata.assistctl = "demo/old" -> "demo/new"' in text
    assert '+ metadata.team = "a"' in text and '- metadata.owner = "bob"' in text

    created = render_plan(compute_plan([m], [], "demo"), "text")
    assert "assistctl" not in created.replace("assistctl will perform", "")


def test_trailing_newline_only_difference_is_explained() -> None:
    m = Manifest.model_validate({"key": "a", "model": "gpt-4o", "instructions": "one\ntwo\n"})
    plan = compute_plan([m], [live("asst_a", "a", instructions="one\ntwo")], "demo")
    assert "only line endings or the trailing newline differ" in render_plan(plan, "text")


def test_ignored_list_is_bounded_in_text() -> None:
    lives = [live(f"asst_{i:03d}", None, name=f"n{i}") for i in range(60)]
    text = render_plan(compute_plan([], lives, "demo"), "text")
    assert "left alone (60)" in text and "... and 40 more" in text


def test_write_only_fields_show_what_is_known_of_the_live_value() -> None:
    thinker = Manifest.model_validate({"key": "a", "model": "o3-mini", "reasoning_effort": "low"})
    recorded = live("asst_a", "a")  # records "nothing write-only set"
    text = render_plan(compute_plan([thinker], [recorded], "demo"), "text")
    assert '      ~ reasoning_effort = (write-only) changed -> "low"' in text.splitlines()
    assert "metadata" not in text  # the label's fingerprint is shown as the field it records

    unrecorded = live("asst_a", "a", metadata={"assistctl": "demo/a"})
    text = render_plan(compute_plan([thinker], [unrecorded], "demo"), "text")
    assert '~ reasoning_effort = (write-only) not recorded yet -> "low"' in text
    drift = render_drift(drift_report(compute_plan([thinker], [recorded], "demo")), "text")
    assert '~ reasoning_effort = "low" -> (write-only) changed' in drift

    plain = Manifest.model_validate({"key": "a", "model": "o3-mini"})
    label = f"demo/a;wo={write_only_fingerprint(thinker)}"
    removed = live("asst_a", "a", metadata={"assistctl": label})
    text = render_plan(compute_plan([plain], [removed], "demo"), "text")
    assert "~ reasoning_effort = (write-only) changed -> null" in text


def test_dropping_prevent_destroy_shows_as_the_lifecycle_field_not_the_label() -> None:
    m = Manifest.model_validate({"key": "tutor", "model": "gpt-4o", "metadata": {"team": "b"}})
    obj = live("asst_1", "tutor;prevent_destroy")
    obj["metadata"]["team"] = "a"
    plan = compute_plan([m], [obj], "demo")
    text = render_plan(plan, "text")
    assert "~ lifecycle.prevent_destroy = true -> false" in text
    assert '~ metadata.team = "a" -> "b"' in text
    assert "metadata.assistctl" not in text
    markdown = render_plan(plan, "markdown")
    assert "- lifecycle.prevent_destroy = true\n+ lifecycle.prevent_destroy = false" in markdown
    doc = json.loads(render_plan(plan, "json"))
    assert doc["changes"][0]["changed"] == ["lifecycle.prevent_destroy", "metadata.team"]
    assert doc["changes"][0]["after"]["metadata"]["assistctl"] == f"demo/tutor;wo={NO_WRITE_ONLY}"


def test_a_targeted_plan_says_so_in_every_format() -> None:
    from assistctl.core.plan import Targeting

    m = Manifest.model_validate({"key": "a", "model": "gpt-4o"})
    plan = compute_plan(
        [m],
        [live("asst_a", "a"), live("asst_orphan", "gone")],
        "demo",
        targeting=Targeting(keys=("a",), manifests=7),
    )
    sentence = (
        "Targeting 1 of 7 manifests: a; nothing outside the selection is created, updated "
        "or deleted."
    )
    assert plan.deletes == ()
    assert f"Note: {sentence}" in render_plan(plan, "text")
    assert f"> [!NOTE]\n> {sentence}" in render_plan(plan, "markdown")
    doc = json.loads(render_plan(plan, "json"))
    assert doc["targeting"] == {"keys": ["a"], "manifests": 7}
    assert doc["managed"] == 2
    whole = json.loads(render_plan(compute_plan([m], [live("asst_a", "a")], "demo"), "json"))
    assert whole["targeting"] is None


def test_duplicates_are_named_loudly_in_every_format() -> None:
    m = Manifest.model_validate({"key": "dup", "model": "gpt-4o"})
    plan = compute_plan([m], [live("asst_d1", "dup"), live("asst_d2", "dup")], "demo")
    text = render_plan(plan, "text")
    assert "# dup (asst_d2) will be DELETED: a duplicate; asst_d1, the oldest" in text
    assert "Warning: 'dup' has 2 live assistants carrying its label" in text
    markdown = render_plan(plan, "markdown")
    assert "`dup` (asst_d2, duplicate of asst_d1)" in markdown
    assert "a duplicate of <code>asst_d1</code>" in markdown
    doc = json.loads(render_plan(plan, "json"))
    (delete,) = [c for c in doc["changes"] if c["action"] == "delete"]
    assert delete["id"] == "asst_d2" and delete["duplicate_of"] == "asst_d1"
    assert any("asst_d1, the oldest, is kept" in w for w in doc["warnings"])
    drift = render_drift(drift_report(plan), "text")
    assert "# dup (asst_d2) duplicates asst_d1 (same label, newer)" in drift
