"""Apply trusts the live side: an assistant relabelled (or deleted) while the interactive
prompt waits is not modified or deleted (issue 13, attack 6). The prompt runs on a real
terminal (a pty); the change out of band happens before ``yes`` is typed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import make_label
from clihelpers import copy_examples, run, run_on_a_pty

from ._attack import by_key, flags, snapshot, writes_to


def apply_on_a_terminal(args: list[str], at_prompt: Callable[[], None]) -> tuple[int, str]:
    """``python -m assistctl ARGS`` on a pty: at the prompt, ``at_prompt()``, then ``yes``."""
    code, out = run_on_a_pty(args, "yes\n", term="dumb", at_prompt=at_prompt)
    assert "Only 'yes' will be accepted" in out, out
    return code, out


def test_relabelled_while_the_prompt_waits_is_left_alone(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags(emulator), "apply", "--auto-approve", root).code == 0
    live = by_key(emulator)
    (root / "weather-agent.yaml").unlink()  # a delete
    tutor = root / "math-tutor.yaml"  # an update
    tutor.write_text(tutor.read_text().replace("patient math tutor", "very patient math tutor"))
    weather, math = live["weather-agent"]["id"], live["math-tutor"]["id"]
    moved: dict[str, str] = {}

    def relabel() -> None:
        # Another project takes one over; someone removes the label of the other.
        emulator.modify_out_of_band(
            weather, metadata={"assistctl": make_label("victim", "weather-agent")}
        )
        emulator.modify_out_of_band(math, metadata={"owner": "someone"})
        moved.update(snapshot(emulator, [weather, math]))
        moved["n"] = str(len(emulator.requests()))

    code, out = apply_on_a_terminal([*flags(emulator), "apply", str(root)], relabel)

    assert code == 1, out
    assert (
        f"FAILED to delete weather-agent ({weather}): no longer ours: labelled "
        "'victim/weather-agent', not 'examples/weather-agent'; left as it is"
    ) in out
    assert (
        f"FAILED to update math-tutor ({math}): no longer ours: unmanaged (no assistctl label), "
        "not 'examples/math-tutor'; left as it is"
    ) in out
    assert (
        "Apply failed for 2 of 2 changes (math-tutor, weather-agent): "
        "0 created, 0 updated, 0 deleted." in out
    )
    # Read once each, right before the change, and never written.
    since = int(moved.pop("n"))
    assert writes_to(emulator, [weather, math], since) == []
    reads = [e["assistant_id"] for e in emulator.requests()[since:] if e["operation"] == "retrieve"]
    assert sorted(reads) == sorted([weather, math])
    assert snapshot(emulator, [weather, math]) == moved
    # The next plan: neither is ours any more; the tutor's manifest has no assistant now.
    r = run(*flags(emulator), "plan", "--format", "json", root)
    assert r.code == 0, r.err
    assert '"action": "create"' in r.out and weather not in r.out.split('"ignored"')[0]


def test_deleted_while_the_prompt_waits_is_reported_gone(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = copy_examples(tmp_path)
    assert run(*flags(emulator), "apply", "--auto-approve", root).code == 0
    tutor_id = by_key(emulator)["math-tutor"]["id"]
    tutor = root / "math-tutor.yaml"
    tutor.write_text(tutor.read_text().replace("patient math tutor", "very patient math tutor"))

    code, out = apply_on_a_terminal(
        [*flags(emulator), "apply", str(root)], lambda: emulator.delete_out_of_band(tutor_id)
    )

    assert code == 1, out
    assert (
        f"FAILED to update math-tutor ({tutor_id}): gone: it was deleted since the plan was made; "
        "left as it is"
    ) in out
    assert emulator.get(tutor_id) is None
    after_create = [e for e in emulator.requests() if e["operation"] != "create"]
    assert [e["operation"] for e in after_create if e["assistant_id"] == tutor_id] == ["retrieve"]
