"""The listing as the commands use it (issue 18): read while validating, from both ends.

- The listing starts once the project file is read and the target resolved, while the
  manifests load; an invalid manifest still ends the command with its diagnostics and
  exit 1, the listing is abandoned (no page after the first from either end), and nothing
  that changes anything is sent.
- An apply-then-plan loop over 2,000 assistants created in one second: after every apply
  the plan is empty (no assistant missed: that would plan a duplicate create; none listed
  twice: that would plan a conflict), on a host that mirrors and on hosts that do not.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from applyhelpers import manifest_doc, write_manifests
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import owner_of
from clihelpers import at, project_dir, run

PROJECT = "loop"


def test_an_invalid_manifest_abandons_the_listing(emulator: EmulatorHandle, tmp_path: Path) -> None:
    emulator.seed_assistants(450)
    emulator.set_faults(latency_ms=1500)  # the first pages are still on the wire at the end
    root = write_manifests(tmp_path / "p", 300, PROJECT)
    (root / "zz.yaml").write_text("key: zz\nmodel: gpt-4o\ntemperature: 9\n", encoding="utf-8")
    r = run(*at(emulator.base_url, emulator.api_key), "plan", root)
    assert r.code == 1 and r.out == ""
    assert "zz.yaml:3:14: temperature:" in r.err
    assert r.err.splitlines()[-1] == (
        "assistctl: error: 1 error(s) in the manifests (listed above); nothing was changed."
    )
    emulator.settle()
    sent = emulator.requests()
    # It listed while validating, and stopped there: the first page from each end at most.
    assert sent and all(e["operation"] == "list" for e in sent)
    assert len(sent) <= 2 and not any("after" in e["query"] for e in sent)


@pytest.mark.slow
def test_apply_then_plan_over_2000_assistants_created_in_one_second(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    flags = at(emulator.base_url, emulator.api_key)
    count = 2000
    emulator.set_faults(tie_created_at=True)
    root = write_manifests(tmp_path / "p", count, PROJECT)

    def apply_then_plan() -> None:
        r = run(*flags, "apply", "--auto-approve", "--parallelism", "16", root)
        assert r.code == 0, r.err[-2000:]
        before = len(emulator.requests())
        r = run(*flags, "plan", "--detailed-exitcode", root)
        assert r.code == 0, r.out[-2000:] + r.err[-2000:]  # nothing missed, nothing twice
        emulator.settle()
        lists = emulator.requests("list")[before:]
        assert len(lists) <= math.ceil(count / 100) + 2

    # Created: 2,000 in one second.
    apply_then_plan()
    assert len(emulator.assistants()) == count
    # Changed: 100 edited, 50 removed, 50 added (they share the same second too).
    for i in range(0, count, 20):
        doc = manifest_doc(i)
        doc["temperature"] = 0.9
        (root / f"a{i:02d}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    for i in range(count - 50, count):
        (root / f"a{i:02d}.yaml").unlink()
    for i in range(count, count + 50):
        (root / f"a{i:02d}.yaml").write_text(yaml.safe_dump(manifest_doc(i)), encoding="utf-8")
    apply_then_plan()
    live = emulator.assistants()
    assert len(live) == count and len({a["created_at"] for a in live}) <= 3
    # The same state seen by hosts that do not mirror: the walk falls back, and still
    # finds everything once.
    for host in ({"desc_ties_reversed": False}, {"ignore_order": True}):
        emulator.set_faults(**host)
        r = run(*flags, "plan", "--detailed-exitcode", root)
        assert r.code == 0, r.out[-2000:] + r.err[-2000:]
    keys = [f"a{i:02d}" for i in range(count - 50)] + [
        f"a{i:02d}" for i in range(count, count + 50)
    ]
    owners = sorted(owner_of(a) or ("", "") for a in live)
    assert owners == sorted((PROJECT, k) for k in keys)  # one each, none twice


def test_a_key_from_standard_input_serves_the_project_the_loading_finds(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """The listing starts for the project file above the paths (none here); the loading finds
    one below them, with other settings, and connects again: the key piped in serves both."""
    project_dir(
        tmp_path / "outer" / "inner",
        {
            "assistctl.yaml": "project: inner\napi_version: v2\n",
            "a.yaml": "key: a\nmodel: gpt-4o\n",
        },
    )
    r = run(
        "--base-url",
        emulator.base_url,
        "--api-key-file",
        "-",
        "plan",
        tmp_path / "outer",
        input=emulator.api_key + "\n",
    )
    assert r.code == 0, r.err
    assert "Plan: 1 to create, 0 to update, 0 to delete." in r.out
