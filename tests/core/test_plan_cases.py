"""Table-driven plan cases: ``tests/plan_cases/*.yaml``, one scenario per file.

Each file holds ``project`` (the ownership scope: ``P`` or ``P@ENV``), optional
``siblings`` (the project's other declared environments), ``api_version`` and ``targeting``
(the selection of path arguments: ``{keys: [...], manifests: N}``), ``manifests`` (manifest
documents),
``live`` (assistant objects exactly as the API returns them, every field present) and
``expected``:

- ``changes``: the full ordered list of ``{key, action, changed}``;
- ``ignored``: ids of live assistants left alone (default: none);
- ``unsafe``: fragments the PlanError of ``raise_if_unsafe`` must contain (default: safe);
- ``warnings``: fragments the plan's warnings must contain (none when absent or empty);
- ``reasons``: ``{id: reason}`` of ignored assistants (``other_environment``, ...);
- ``body``: ``{key: exact request body}`` for the changes listed;
- ``ids`` / ``moved``: ``{key: live id}`` / ``{key: old key}`` of in-place changes;
- ``duplicates``: ``{deleted id: kept id}`` of the deletes that repair duplicates;
- ``managed``: how many keys of the project are live (the mass-delete guard's base).

An optional ``host`` says what the host serves besides assistants, for plan's reference check
(:mod:`assistctl.core.references`): ``models`` (the names ``GET /models`` lists), ``files``
and ``vector_stores`` (the ids that exist); a kind left out is not served, so not checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistctl.config.manifest import Manifest
from assistctl.config.yamlload import parse
from assistctl.core.plan import Plan, Targeting, compute_plan
from assistctl.core.references import HostFacts, ids, problems, references
from assistctl.errors import PlanError
from assistctl.labels import parse_label

CASES_DIR = Path(__file__).resolve().parents[1] / "plan_cases"
CASE_FILES = sorted(CASES_DIR.glob("*.yaml"))


def load_case(path: Path) -> dict[str, Any]:
    """A case, read as manifests are (YAML 1.2 where 1.1 agrees), so it means what it shows."""
    parsed = parse(path.read_text(encoding="utf-8"), str(path))
    assert not parsed.diagnostics, parsed.diagnostics
    (document,) = parsed.documents
    data = document.data
    assert isinstance(data, dict)
    return data


def plan_of(case: dict[str, Any]) -> Plan:
    manifests = [Manifest.model_validate(m) for m in case["manifests"]]
    targeting = case.get("targeting")
    plan = compute_plan(
        manifests,
        case["live"],
        case["project"],
        api_version=case.get("api_version", "v2"),
        targeting=Targeting.model_validate(targeting) if targeting else None,
        siblings=case.get("siblings", ()),
    )
    host = case.get("host")
    if host is None:
        return plan
    found = references((m, "manifests") for m in manifests)
    facts = HostFacts(
        models=frozenset(host["models"]) if "models" in host else None,
        files={i: i in host["files"] for i in ids(found, "file")} if "files" in host else {},
        vector_stores=(
            {i: i in host["vector_stores"] for i in ids(found, "vector_store")}
            if "vector_stores" in host
            else {}
        ),
    )
    return plan.model_copy(update={"problems": (*plan.problems, *problems(found, facts))})


def test_there_are_enough_cases() -> None:
    assert len(CASE_FILES) >= 25


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_plan_case(path: Path) -> None:
    case = load_case(path)
    expected = case["expected"]
    plan = plan_of(case)

    got = [{"key": c.key, "action": c.action, "changed": list(c.changed)} for c in plan.changes]
    assert got == expected["changes"]

    assert [i.id for i in plan.ignored] == expected.get("ignored", [])

    fragments = expected.get("unsafe")
    if fragments:
        with pytest.raises(PlanError) as err:
            plan.raise_if_unsafe()
        for fragment in fragments:
            assert fragment in str(err.value)
    else:
        plan.raise_if_unsafe()
        assert plan.is_safe

    for fragment in expected.get("warnings", []):
        assert any(fragment in w for w in plan.warnings), plan.warnings
    if not expected.get("warnings"):
        assert plan.warnings == ()
    reasons = {i.id: i.reason for i in plan.ignored}
    for ident, reason in expected.get("reasons", {}).items():
        assert reasons[ident] == reason

    for key, body in expected.get("body", {}).items():
        change = plan.change_for(key)
        assert change is not None
        assert change.body == body
    repairs = {str(c.id): c.duplicate_of for c in plan.changes if c.duplicate_of}
    assert repairs == expected.get("duplicates", {})
    if "managed" in expected:
        assert plan.managed == expected["managed"]
    for key, live_id in expected.get("ids", {}).items():
        change = plan.change_for(key)
        assert change is not None and change.id == live_id
    for key, old in expected.get("moved", {}).items():
        change = plan.change_for(key)
        assert change is not None and change.moved_from == old


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_plan_round_trips_through_json(path: Path) -> None:
    plan = plan_of(load_case(path))
    again = Plan.model_validate_json(plan.model_dump_json())
    assert again == plan


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_plan_is_deterministic_whatever_the_live_order(path: Path) -> None:
    case = load_case(path)
    reversed_case = {**case, "live": list(reversed(case["live"]))}
    assert plan_of(reversed_case) == plan_of(case)


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_invariants(path: Path) -> None:
    case = load_case(path)
    plan = plan_of(case)
    for c in plan.changes:
        if c.action == "create":
            assert c.id is None and c.before is None and c.after is not None
            assert c.body is not None
            assert parse_label(c.body["metadata"]["assistctl"]) == (case["project"], c.key)
            assert plan.scope == case["project"]
        elif c.action == "update":
            assert c.id and c.before is not None and c.after is not None and c.changed
            # The label's recorded flag is shown as lifecycle.prevent_destroy, sent in metadata.
            sent = {"metadata" if f == "lifecycle" else f for f in c.changed_fields}
            assert c.body and set(c.body) >= sent
        elif c.action == "delete":
            assert c.id and c.before is not None and c.after is None and c.body is None
        else:
            assert c.changed == () and c.body is None and c.before is not None
    # Never anything for assistants that are not ours.
    touched = {c.id for c in plan.changes if c.action != "noop"}
    assert touched.isdisjoint(i.id for i in plan.ignored)


def test_unknown_api_version_and_duplicate_keys_are_refused() -> None:
    m = Manifest.model_validate({"key": "a", "model": "gpt-4o"})
    with pytest.raises(PlanError, match="v3"):
        compute_plan([m], [], "demo", api_version="v3")
    with pytest.raises(PlanError, match="'a'"):
        compute_plan([m, m], [], "demo")
