"""Concurrent applies converge without help (issue 13, attack 4): several applies of one
project at once, against the emulator with latency so that every plan is made before any
create lands, end with exactly one assistant per key and an empty plan, and never touch an
assistant that is not theirs."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from applyhelpers import assert_one_each, clean_env, manifest_doc, write_manifests
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import make_label, owner_of
from clihelpers import run

from ._attack import assert_next_plan_empty, flags, snapshot, writes_to

COUNT = 6
APPLIES = 4


def _hold_creates_until_listed(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, lists: int
) -> None:
    """The race made certain: the emulator answers no create until ``lists`` list requests
    were answered, so at least two of the applies plan before any create lands (however
    slowly the machine starts the processes). A gate in front of the real app, not a fake."""
    app = emulator.app
    original = app.handle
    listed = threading.Event()
    answered = [0]
    lock = threading.Lock()

    def handle(method: str, path: str, *rest: Any) -> Any:
        collection = path.rstrip("/").endswith("/assistants")
        if collection and method.upper() == "POST":
            listed.wait(timeout=60)
        response = original(method, path, *rest)
        if collection and method.upper() == "GET":
            with lock:
                answered[0] += 1
                if answered[0] >= lists:
                    listed.set()
        return response

    monkeypatch.setattr(app, "handle", handle)


def test_simultaneous_applies_leave_one_assistant_per_key(
    emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_manifests(tmp_path / "race", COUNT, "race")
    (bystander,) = emulator.seed_assistants(1, name="by hand")
    (neighbour,) = emulator.seed_assistants(1, metadata={"assistctl": make_label("other", "a00")})
    others = [bystander["id"], neighbour["id"]]
    before = snapshot(emulator, others)
    emulator.set_faults(latency_ms=40)
    # Each apply lists from both ends: two list requests, both sent as its listing starts.
    _hold_creates_until_listed(emulator, monkeypatch, 2 * APPLIES)

    argv = [sys.executable, "-m", "assistctl", *flags(emulator, "race"), "apply"]
    procs = [
        subprocess.Popen(
            [*argv, "--auto-approve", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        for _ in range(APPLIES)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]

    for code, out, err in results:
        assert code == 0, out + err
    creates = emulator.requests("create")
    repairs = [e for e in emulator.requests("delete") if e["status"] == 200]
    # Applies planned before any create landed: duplicates were made, then repaired
    # by the applies themselves (each deletes the newer copies of the keys it created).
    assert len(creates) > COUNT
    assert len(creates) - len(repairs) == COUNT
    assert any("a duplicate of" in err for _, _, err in results)
    assert_one_each(emulator.assistants(), "race", COUNT)

    emulator.clear_faults()
    # At most one more apply: here it has nothing left to do.
    r = run(*flags(emulator, "race"), "apply", "--auto-approve", root)
    assert r.code == 0 and "No changes." in r.out, r.out + r.err
    assert_one_each(emulator.assistants(), "race", COUNT)
    assert_next_plan_empty(emulator, root, "race")
    assert writes_to(emulator, others) == []
    assert snapshot(emulator, others) == before


def test_a_plan_finds_leftover_duplicates_and_one_apply_repairs_them(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """Duplicates from any earlier cause (an older version, a copied label): the plan proposes
    the repair, loudly, instead of refusing forever; one apply makes it."""
    root = write_manifests(tmp_path / "dup", 2, "dup")
    assert run(*flags(emulator, "dup"), "apply", "--auto-approve", root).code == 0
    # Two copies of a00 as its manifest says, created in the same second or later.
    fields = {k: v for k, v in manifest_doc(0).items() if k not in ("key", "metadata")}
    (applied,) = [o for o in emulator.assistants() if owner_of(o) == ("dup", "a00")]
    label = applied["metadata"]["assistctl"]  # with the flags apply recorded
    metadata = {**manifest_doc(0)["metadata"], "assistctl": label}
    emulator.seed_assistants(2, metadata=metadata, **fields)
    copies = [o for o in emulator.assistants() if owner_of(o) == ("dup", "a00")]
    kept = min(copies, key=lambda o: (o["created_at"], o["id"]))

    r = run(*flags(emulator, "dup"), "plan", root)
    assert r.code == 0, r.err
    assert "Plan: 0 to create, 0 to update, 2 to delete." in r.out
    assert r.out.count("will be DELETED: a duplicate;") == 2
    assert "Warning: 'a00' has 3 live assistants carrying its label" in r.out

    r = run(*flags(emulator, "dup"), "apply", "--auto-approve", root)
    assert r.code == 0, r.out + r.err
    assert [o["id"] for o in emulator.assistants() if owner_of(o) == ("dup", "a00")] == [kept["id"]]
    assert_one_each(emulator.assistants(), "dup", 2)
    assert_next_plan_empty(emulator, root, "dup")
