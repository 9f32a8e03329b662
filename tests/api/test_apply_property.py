"""Property: for random manifests and random live states, apply(plan) then plan is empty.

Through the real engine and the real client, with the emulator in process
(``LocalTransport``: same request handling as over HTTP, no socket, so hundreds of examples
run in seconds). Live states mix this project's assistants (drifted in any field, some
without a manifest, some renamed with ``moved_from``), unmanaged assistants and another
project's assistants, including one whose key collides with ours. After the apply:

- the next plan has no changes;
- every manifest has exactly one live assistant with its label, and nothing else of the
  project is left;
- assistants that already existed for a key (or its ``moved_from``) kept their id;
- unmanaged and other projects' assistants are exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assistctl.api.apply import apply_plan
from assistctl.api.client import AssistantsClient
from assistctl.api.target import resolve_target
from assistctl.config.manifest import Manifest
from assistctl.core.plan import compute_plan, create_body
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.transport import LocalTransport
from assistctl.labels import owner_of
from assistctl.options import GlobalOptions

PROJECT = "prop"
OTHER = "elsewhere"
KEYS = ("a", "b", "c", "d")
ORPHANS = ("old1", "old2")

# ---------------------------------------------------------------------------- strategies

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=10)
_short = st.one_of(st.just(""), _text, st.sampled_from(["Support", "  padded  ", "ünïcode ✓"]))
_instructions = st.one_of(
    _short,
    st.lists(st.sampled_from(["Be brief.", "", "  - indented", "Use the tools."]), max_size=4).map(
        "\n".join
    ),
)
_schema = st.sampled_from(
    [
        {},
        {"type": "object", "properties": {}},
        {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
        {
            "type": "object",
            "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 9.0}},
            "additionalProperties": False,
        },
    ]
)


# Strategies are built once: hypothesis validates every new strategy object, which made a
# composite that builds them per draw spend most of the test's time there.
_FUNCTIONS = [
    st.fixed_dictionaries(
        {
            "type": st.just("function"),
            "function": st.fixed_dictionaries(
                {"name": st.just(f"fn_{i}")},
                optional={"description": _short, "parameters": _schema, "strict": st.booleans()},
            ),
        }
    )
    for i in range(5)
]

_file_search = st.fixed_dictionaries(
    {"type": st.just("file_search")},
    optional={
        "file_search": st.fixed_dictionaries(
            {},
            optional={
                "max_num_results": st.integers(1, 50),
                "ranking_options": st.fixed_dictionaries(
                    {"score_threshold": st.sampled_from([0, 0.25, 1.0])},
                    optional={"ranker": st.sampled_from(["auto", "default_2024_08_21"])},
                ),
            },
        )
    },
)


@st.composite
def _tools(draw: st.DrawFn) -> list[dict[str, Any]]:
    kinds = draw(st.lists(st.sampled_from(["code_interpreter", "file_search", "function"])))
    tools: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, kind in enumerate(kinds[:5]):
        if kind == "function":
            tools.append(draw(_FUNCTIONS[i]))
        elif kind not in seen:  # one code_interpreter and one file_search at most
            seen.add(kind)
            tools.append({"type": kind} if kind == "code_interpreter" else draw(_file_search))
    return tools


_tool_resources = st.fixed_dictionaries(
    {},
    optional={
        "code_interpreter": st.fixed_dictionaries(
            {"file_ids": st.lists(st.sampled_from(["file-1", "file-2", "file-3"]), unique=True)}
        ),
        "file_search": st.fixed_dictionaries(
            {"vector_store_ids": st.lists(st.sampled_from(["vs_1", "vs_2"]), max_size=1)}
        ),
    },
)
_response_format = st.one_of(
    st.just("auto"),
    st.just({"type": "text"}),
    st.just({"type": "json_object"}),
    st.builds(
        lambda schema, strict, description: {
            "type": "json_schema",
            "json_schema": {
                "name": "answer",
                "schema": schema,
                **({"strict": strict} if strict is not None else {}),
                **({"description": description} if description is not None else {}),
            },
        },
        _schema,
        st.sampled_from([None, False, True]),
        st.sampled_from([None, "The answer."]),
    ),
)
_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": _short,
    "description": _short,
    "instructions": _instructions,
    "tools": _tools(),
    "tool_resources": _tool_resources,
    "metadata": st.dictionaries(st.sampled_from(["team", "tier", "env"]), _text, max_size=3),
    "temperature": st.sampled_from([0, 0.3, 1, 1.0, 1.7, 2]),
    "top_p": st.sampled_from([0, 0.5, 0.95, 1]),
    "response_format": _response_format,
    "reasoning_effort": st.sampled_from(["low", "medium", "high"]),
}


def _doc(key: str) -> st.SearchStrategy[dict[str, Any]]:
    """A manifest setting a random subset of the fields, each to a random valid value."""
    return st.fixed_dictionaries(
        {"key": st.just(key), "model": st.sampled_from(["gpt-4o", "o3-mini"])}, optional=_FIELDS
    )


DOCS = {key: _doc(key) for key in (*KEYS, *ORPHANS, "x")}


def body_of(doc: dict[str, Any], project: str | None) -> dict[str, Any]:
    """The create body of ``doc``: labelled for ``project``, or without a label (None)."""
    body = create_body(Manifest.model_validate(doc), project or "unused")
    if project is None:
        body["metadata"].pop("assistctl")
    return body


@st.composite
def scenario(draw: st.DrawFn) -> tuple[list[Manifest], list[dict[str, Any]]]:
    """(manifests, create bodies of the live assistants, oldest first)."""
    wanted = draw(st.lists(st.sampled_from(KEYS), unique=True))
    docs = {key: draw(DOCS[key]) for key in wanted}
    live_keys = draw(st.lists(st.sampled_from(KEYS + ORPHANS), unique=True))
    # A rename: a manifest without a live assistant names an orphan's key as its old key.
    renamable = [k for k in wanted if k not in live_keys]
    orphans = [k for k in live_keys if k in ORPHANS]
    rename: bool = draw(st.booleans())
    if renamable and orphans and rename:
        docs[draw(st.sampled_from(renamable))]["moved_from"] = draw(st.sampled_from(orphans))
    bodies = [body_of(draw(DOCS[key]), PROJECT) for key in live_keys]
    for _ in range(draw(st.integers(0, 2))):
        bodies.append(body_of(draw(DOCS["x"]), None))
    for key in draw(st.lists(st.sampled_from(KEYS[:2]), unique=True)):
        bodies.append(body_of(draw(DOCS[key]), OTHER))
    order = draw(st.permutations(range(len(bodies))))
    return [Manifest.model_validate(d) for d in docs.values()], [bodies[i] for i in order]


# ---------------------------------------------------------------------------- the property


@pytest.fixture(scope="module")
def local() -> Iterator[tuple[EmulatorApp, AssistantsClient]]:
    """One in-process emulator and one client for every example (reset per example)."""
    app = EmulatorApp("openai")
    target = resolve_target(
        GlobalOptions(base_url="https://emulator.test/v1", api_key="sk-test-property"), env={}
    )
    with AssistantsClient(target, transport=LocalTransport(app)) as client:
        yield app, client


@pytest.mark.slow  # 150 examples, about 3 s
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=scenario(), parallelism=st.integers(1, 4))
def test_apply_then_plan_is_empty(
    local: tuple[EmulatorApp, AssistantsClient],
    case: tuple[list[Manifest], list[dict[str, Any]]],
    parallelism: int,
) -> None:
    app, client = local
    manifests, bodies = case
    app.reset()
    for body in bodies:
        app.create_assistant(body)
    before = {obj["id"]: obj for obj in client.list_all()}
    plan = compute_plan(manifests, before.values(), PROJECT)
    assume(plan.is_safe)

    report = apply_plan(client, plan, parallelism=parallelism)

    assert report.ok, [(o.change.key, o.error) for o in report.failed]
    live = client.list_all()
    after = compute_plan(manifests, live, PROJECT)
    assert not after.has_changes, [(c.key, c.action, c.changed) for c in after.changes]
    ours = [(owner_of(obj), obj["id"]) for obj in live]
    ids = {owner[1]: i for owner, i in ours if owner is not None and owner[0] == PROJECT}
    assert sorted(ids) == sorted(m.key for m in manifests)
    assert len(ids) == len([o for o, _ in ours if o is not None and o[0] == PROJECT])
    # Updated in place: a key (or the key it moved from) that existed keeps its assistant.
    was = {owner_of(o): i for i, o in before.items()}
    for m in manifests:
        kept = was.get((PROJECT, m.key)) or was.get((PROJECT, m.moved_from or ""))
        if kept is not None:
            assert ids[m.key] == kept
    # Unmanaged and other projects' assistants: untouched.
    untouched = {i: o for i, o in before.items() if (owner_of(o) or ("",))[0] != PROJECT}
    assert {o["id"]: o for o in live if o["id"] in untouched} == untouched
