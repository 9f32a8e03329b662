"""Property: whatever a host answers, the client either refuses it with one sentence or the
rest of the tool can plan with it, render it in every format, and save and reload the plan.

Live objects are drawn with the right top-level JSON types (wrong ones are refused by the
client, see ``test_bad_input``) and anything at all inside: tools of unknown types, function
parameters that are not schemas, ranking options and response formats of any shape,
metadata values that are not strings, labels of this project, of others and broken ones.
A traceback anywhere past the client is a bug.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistctl.api.wire import check_assistant
from assistctl.config.manifest import Manifest
from assistctl.core import planfile
from assistctl.core.plan import compute_plan, drift_report
from assistctl.core.planfile import Origin
from assistctl.errors import ApiError
from assistctl.output.render import render_drift, render_plan

PROJECT = "odd"

_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_json = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
_ranking = st.fixed_dictionaries(
    {"score_threshold": st.one_of(st.floats(0, 1), st.sampled_from(["high", ""]), _json)},
    optional={"ranker": st.one_of(st.sampled_from(["auto", "default_2024_08_21", "x"]), _json)},
)
_tool = st.one_of(
    st.just({"type": "code_interpreter"}),
    st.just({"type": "file_search"}),
    st.fixed_dictionaries(
        {
            "type": st.just("file_search"),
            "file_search": st.one_of(
                st.fixed_dictionaries(
                    {"ranking_options": st.one_of(_ranking, _json)},
                    optional={"max_num_results": _json},
                ),
                _json,
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("function"),
            "function": st.fixed_dictionaries(
                {"name": st.sampled_from(["f", "g", ""])},
                optional={"description": _json, "parameters": _json, "strict": _json},
            ),
        }
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["retrieval", "web_search", "x"])}, optional={"x": _json}
    ),
)
_label = st.sampled_from(
    [f"{PROJECT}/alpha", f"{PROJECT}/beta", f"{PROJECT}/alpha", f"{PROJECT}/", "other/alpha"]
)
_live = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["asst_1", "asst_2", "asst_3", "x"]),
        # Mostly labelled: only this project's assistants are normalized and diffed.
        "metadata": st.one_of(
            st.fixed_dictionaries({"assistctl": _label}, optional={"team": _json}),
            st.dictionaries(st.sampled_from(["assistctl", "team"]), _json, max_size=2),
        ),
    },
    optional={
        "model": st.one_of(st.none(), st.text(max_size=8)),
        "name": st.one_of(st.none(), st.text(max_size=8)),
        "description": st.one_of(st.none(), st.text()),
        "instructions": st.one_of(st.none(), st.text()),
        "tools": st.lists(_tool, max_size=4),
        "tool_resources": st.dictionaries(
            st.sampled_from(["code_interpreter", "file_search", "x"]),
            st.one_of(_json, st.fixed_dictionaries({"file_ids": _json, "vector_store_ids": _json})),
            max_size=2,
        ),
        "temperature": st.one_of(st.none(), st.floats(0, 2)),
        "top_p": st.one_of(st.none(), st.floats(0, 1)),
        "response_format": st.one_of(
            st.sampled_from(["auto", "none"]),
            st.fixed_dictionaries(
                {"type": st.sampled_from(["text", "json_object", "json_schema"])},
                optional={"json_schema": _json},
            ),
        ),
        "reasoning_effort": _json,
        "file_ids": _json,
    },
)
MANIFESTS = [
    Manifest.model_validate(
        {
            "key": "alpha",
            "model": "gpt-4o",
            "instructions": "Line one.\nLine two.\n",
            "tools": [
                {
                    "type": "function",
                    "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
                },
                {"type": "file_search"},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": {"type": "object"}},
            },
            "metadata": {"team": "odd"},
        }
    ),
    Manifest.model_validate({"key": "beta", "model": "gpt-4o"}),
]
ORIGIN = Origin(project=PROJECT, provider="openai", base_url="http://odd.test/v1", api_version="v2")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects=st.lists(_live, max_size=4), api_version=st.sampled_from(["v1", "v2"]))
def test_any_accepted_answer_can_be_planned_rendered_and_saved(
    objects: list[dict[str, Any]], api_version: str
) -> None:
    accepted = []
    for obj in objects:
        try:
            accepted.append(check_assistant(obj, "GET http://odd.test/v1/assistants"))
        except ApiError as err:
            assert "\n" not in str(err)
    plan = compute_plan(MANIFESTS, accepted, PROJECT, api_version=api_version)
    for fmt in ("text", "json", "markdown"):
        render_plan(plan, fmt, color=fmt == "text")
        render_drift(drift_report(plan), fmt, color=False)
    saved = planfile.build(plan, ORIGIN, "digest")
    assert planfile.loads(planfile.dumps(saved), "odd.plan") == saved
    planfile.stale_changes(saved, accepted)
