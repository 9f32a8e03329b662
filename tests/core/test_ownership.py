"""The pure rules behind apply's live checks, the duplicate rule and the mass-delete guard."""

from __future__ import annotations

from typing import Any

import pytest

from assistctl.config.manifest import Manifest
from assistctl.core.normalize import desired_label
from assistctl.core.plan import Change, DeleteGuard, Plan, Planner
from assistctl.core.plan.ownership import (
    duplicate_repairs,
    foreign_bodies,
    kept_refusal,
    managed_keys,
    rank,
    refusal,
)
from assistctl.errors import TooMuchChange


def live(ident: str, label: str | None, created: Any = 1718000000, **fields: Any) -> dict[str, Any]:
    metadata = {"assistctl": label} if label is not None else {}
    return {"id": ident, "created_at": created, "model": "gpt-4o", "metadata": metadata, **fields}


def test_the_oldest_is_kept_then_the_smaller_id_and_no_date_sorts_last() -> None:
    objs = [live("b", "p/k"), live("a", "p/k"), live("z", "p/k", created=1), live("0", "p/k", None)]
    assert [o["id"] for o in sorted(objs, key=rank)] == ["z", "a", "b", "0"]
    assert rank(live("x", "p/k", created=True)) == (float("inf"), "x")


def test_refusal_names_why_a_change_must_not_touch_the_assistant() -> None:
    update = Change(key="k", id="asst_1", action="update")
    delete = Change(key="k", id="asst_1", action="delete")
    assert refusal(update, live("asst_1", "p/k;prevent_destroy"), "p") is None
    assert refusal(delete, live("asst_1", "p/k"), "p") is None
    assert "no longer ours: unmanaged" in str(refusal(update, live("asst_1", None), "p"))
    assert "labelled 'q/k', not 'p/k'" in str(refusal(update, live("asst_1", "q/k"), "p"))
    assert "labelled 'p/other'" in str(refusal(delete, live("asst_1", "p/other"), "p"))
    assert "records lifecycle.prevent_destroy" in str(
        refusal(delete, live("asst_1", "p/k;prevent_destroy"), "p")
    )
    assert "instead of 'asst_1'" in str(refusal(update, live("asst_2", "p/k"), "p"))
    # A move: the live assistant still carries the old key's label until the update.
    move = Change(key="new", id="asst_1", action="update", moved_from="old")
    assert refusal(move, live("asst_1", "p/old"), "p") is None
    # Environments: the scope is compared whole.
    assert "not 'p@prod/k'" in str(refusal(update, live("asst_1", "p@dev/k"), "p@prod"))


def test_a_duplicate_is_deleted_only_for_an_older_copy_of_the_same_key() -> None:
    repair = Change(key="k", id="asst_new", action="delete", duplicate_of="asst_old")
    new = live("asst_new", "p/k;prevent_destroy", created=5)
    assert refusal(repair, new, "p") is None  # the key keeps its oldest: protection holds
    assert kept_refusal(repair, live("asst_old", "p/k", created=1), new, "p") is None
    assert "is gone" in str(kept_refusal(repair, None, new, "p"))
    assert "labelled 'p/other'" in str(
        kept_refusal(repair, live("asst_old", "p/other", created=1), new, "p")
    )
    assert "is not older" in str(kept_refusal(repair, live("asst_old", "p/k", created=9), new, "p"))


def test_duplicate_repairs_of_the_given_keys_only() -> None:
    objs = [
        live("a2", "p/a", created=2),
        live("a1", "p/a;prevent_destroy", created=2),
        live("a3", "p/a", created=1),
        live("b1", "p/b"),
        live("b2", "p/b"),
        live("q1", "q/a"),
        live("u", None),
    ]
    repairs = duplicate_repairs(objs, "p", ["a"])
    assert [(c.id, c.duplicate_of, c.action) for c in repairs] == [
        ("a1", "a3", "delete"),
        ("a2", "a3", "delete"),
    ]
    assert managed_keys(objs, "p") == 2 and managed_keys(objs, "q") == 1


def test_foreign_labels_in_bodies_are_named() -> None:
    ok = Change(key="a", action="create", body={"metadata": {"assistctl": "p/a;prevent_destroy"}})
    moved = Change(key="b", id="x", action="update", body={"metadata": {"assistctl": "p/b"}})
    no_label = Change(key="c", id="y", action="update", body={"temperature": 1})
    theirs = Change(key="d", action="create", body={"metadata": {"assistctl": "q/d"}})
    missing = Change(key="e", action="create", body={"model": "gpt-4o"})
    plan = Plan(project="p", changes=(ok, moved, no_label, theirs, missing))
    assert foreign_bodies(plan, "p") == [
        "the create of 'd' would write the label 'q/d', not this project's 'p/d'",
        "the create of 'e' would write the label None, not this project's 'p/e'",
    ]


@pytest.mark.parametrize(
    ("deletes", "managed", "refused"),
    [(3, 10, False), (4, 10, True), (9, 9, False), (0, 100, False), (31, 100, True)],
)
def test_the_mass_delete_guard(deletes: int, managed: int, refused: bool) -> None:
    if refused:
        with pytest.raises(TooMuchChange, match=f"it deletes {deletes} of the {managed}"):
            DeleteGuard().check(deletes, managed)
    else:
        DeleteGuard().check(deletes, managed)


def test_a_policy_only_tightens_the_guard() -> None:
    assert DeleteGuard().tightened(50, 20) == DeleteGuard(30, 10)
    assert DeleteGuard().tightened(5, 2) == DeleteGuard(5, 2)
    assert DeleteGuard().tightened(None, None) == DeleteGuard()
    with pytest.raises(TooMuchChange):
        DeleteGuard(0, 1).check(1, 1)


def test_duplicate_repairs_do_not_count_as_mass_deletes() -> None:
    repairs = tuple(
        Change(key=f"k{i}", id=f"d{i}", action="delete", duplicate_of=f"o{i}") for i in range(9)
    )
    Plan(project="p", changes=repairs, managed=10).raise_if_unsafe()
    plain = tuple(c.model_copy(update={"duplicate_of": None}) for c in repairs[:4])
    with pytest.raises(TooMuchChange):
        Plan(project="p", changes=plain, managed=10).raise_if_unsafe()
    Plan(project="p", changes=plain, managed=10).raise_if_unsafe(allow_mass_delete=True)


def _manifest(key: str, **fields: Any) -> Manifest:
    return Manifest.model_validate({"key": key, "model": "gpt-4o", **fields})


def test_an_older_copy_after_its_manifest_went_is_kept_when_identical() -> None:
    planner = Planner([_manifest("a")], "p")
    planner.recent_limit = 0  # as if many others were matched in between
    label = desired_label(_manifest("a"), "p")  # as apply wrote it: nothing else to change
    planner.add(live("asst_late", label, created=5, temperature=1.0))
    planner.add(live("asst_old", label, created=1, temperature=1.0))
    plan = planner.finish()
    assert [(c.action, c.id, c.duplicate_of) for c in plan.changes] == [
        ("delete", "asst_late", "asst_old"),
        ("noop", "asst_old", None),
    ]


def test_an_older_different_copy_after_its_manifest_went_is_a_conflict() -> None:
    planner = Planner([_manifest("a")], "p")
    planner.recent_limit = 0
    planner.add(live("asst_late", "p/a", created=5))
    planner.add(live("asst_old", "p/a", created=1, temperature=0.4))
    plan = planner.finish()
    assert plan.changes == ()
    (problem,) = plan.problems
    assert problem.kind == "label_conflict" and problem.ids == ("asst_late", "asst_old")
    assert "listed the oldest, asst_old, after the others" in problem.message
