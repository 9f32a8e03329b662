"""``assistctl export`` over manifests that exist: updated in place, never duplicated.

Through the real CLI against the emulator over HTTP. The property: after ``export``,
``validate`` passes and ``plan`` is empty, and what the team wrote (comments, key order,
``lifecycle``, ``instructions_file``, the other documents of a file) is still there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import OWNER_KEY
from clihelpers import NO_WRITE_ONLY, at, copy_examples, project_dir, run, seed, track

NO_CHANGES = "No changes. Live assistants match the manifests."


def files_in(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def assert_clean(flags: list[str], root: Path) -> None:
    """What export promises: validate passes and plan is empty."""
    validated = run("validate", root)
    assert validated.code == 0, validated.out + validated.err
    plan = run(*flags, "plan", "--detailed-exitcode", root)
    assert plan.code == 0 and NO_CHANGES in plan.out, plan.out + plan.err


def ids_by_key(emulator: EmulatorHandle) -> dict[str, str]:
    return {
        str(o["metadata"][OWNER_KEY]).split(";")[0].split("/")[1]: str(o["id"])
        for o in emulator.assistants()
        if OWNER_KEY in o["metadata"]
    }


def test_the_examples_are_updated_in_place(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    before = files_in(root)
    ids = ids_by_key(emulator)

    # Exported as they are: every manifest is up to date, not one byte changes.
    same = run(*flags, "export", "--out", root)
    assert same.code == 0, same.err
    assert "0 new file(s), 0 updated in place, 8 up to date" in same.out
    assert files_in(root) == before

    # Changed out of band, in every way a manifest can hold.
    emulator.modify_out_of_band(
        ids["math-tutor"],
        temperature=0.4,
        description="",
        metadata={
            "team": "education",
            "owner": "bob@example.com",
            "cost-center": "4711",
            OWNER_KEY: f"examples/math-tutor;wo={NO_WRITE_ONLY}",
        },
    )
    emulator.modify_out_of_band(ids["support-agent"], instructions="New support prompt.\n")
    emulator.modify_out_of_band(ids["translator-de"], temperature=0.9, name="Deutsch")
    emulator.modify_out_of_band(ids["release-notes"], instructions="by hand\n", top_p=0.5)
    r = run(*flags, "export", "--out", root)
    assert r.code == 0, r.err
    assert "0 new file(s), 4 updated in place, 4 up to date" in r.out
    assert_clean(flags, root)
    after = files_in(root)
    changed = sorted(k for k in after if after[k] != before[k])
    assert changed == [
        "math-tutor.yaml",
        "prompts/support-agent.md",
        "release-notes.yaml",
        "translators.yaml",
    ]
    assert sorted(after) == sorted(before), "no file added"

    tutor = after["math-tutor.yaml"].decode()
    assert tutor == before["math-tutor.yaml"].decode().replace(
        "description: Explains algebra and calculus step by step and checks results with code.\n",
        "",
    ).replace("owner: alice@example.com", "owner: bob@example.com").replace(
        "temperature: 0.2", "temperature: 0.4"
    )
    # instructions_file kept; the file has the live instructions, byte for byte.
    assert after["support-agent.yaml"] == before["support-agent.yaml"]
    assert after["prompts/support-agent.md"] == b"New support prompt.\n"
    # The multi-document file: only the changed document changed.
    translators = after["translators.yaml"].decode()
    assert translators == before["translators.yaml"].decode().replace(
        "key: translator-de\nname: German Translator\n", "key: translator-de\nname: Deutsch\n"
    ).replace("language: de}\ntemperature: 0.3\n", "language: de}\ntemperature: 0.9\n")
    # ignore_changes: instructions left to the dashboard; reasoning_effort (not returned by
    # the host) and lifecycle kept.
    notes = after["release-notes.yaml"].decode()
    assert "by hand" not in notes and "reasoning_effort: medium" in notes
    assert "top_p: 0.5\n" in notes and "ignore_changes: [instructions]" in notes


HAND_WRITTEN = """\
# Our assistants. Reviewed by the platform team.
key: tutor   # stable, do not rename
name: Tutor
# gpt-4o since March
model: gpt-4o
instructions: |
  You are a tutor.
metadata:
  team: edu     # billing
  # who to page
  owner: alice
temperature: 0.2  # warm

# protected: students depend on it
lifecycle:
  prevent_destroy: true
---
# The second one.
key: helper
model: gpt-4o-mini
description: 'Helps.'   # quoted on purpose
tools:
  - type: code_interpreter
# end of helper
---
key: untouched
model: "gpt-4o"
metadata: {team: edu}
"""


def test_a_hand_written_multi_document_file(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"assistctl.yaml": "project: school\n", "all.yaml": HAND_WRITTEN})
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    ids = ids_by_key(emulator)
    emulator.modify_out_of_band(
        ids["tutor"],
        model="gpt-4.1",
        instructions="You are a patient tutor.\nCheck every answer.\n",
        metadata={
            "team": "edu",
            "owner": "bob",
            OWNER_KEY: f"school/tutor;prevent_destroy;wo={NO_WRITE_ONLY}",
        },
    )
    emulator.modify_out_of_band(ids["helper"], tools=[], top_p=0.3)

    r = run(*flags, "export", "--out", root)
    assert r.code == 0, r.err
    assert f"updated {root / 'all.yaml'}  'tutor'" in r.out
    assert ": model, instructions, metadata" in r.out
    assert f"up to date: {root / 'all.yaml'}  'untouched'" in r.out
    assert_clean(flags, root)
    assert (root / "all.yaml").read_text() == (
        HAND_WRITTEN.replace("model: gpt-4o\n", "model: gpt-4.1\n", 1)
        .replace("You are a tutor.\n", "You are a patient tutor.\n  Check every answer.\n")
        .replace("owner: alice", "owner: bob")
        .replace(
            "description: 'Helps.'   # quoted on purpose\ntools:\n  - type: code_interpreter\n",
            "description: 'Helps.'   # quoted on purpose\ntop_p: 0.3\n",
        )
    )
    assert sorted(os.listdir(root)) == [".git", "all.yaml", "assistctl.yaml"]


def test_a_variable_reference_is_left_alone_and_said(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    manifest = "key: bot\nmodel: gpt-4o\nname: ${bot_name}\ntemperature: 0.5\n"
    root = project_dir(tmp_path, {"bot.yaml": manifest})
    seed(emulator, "default/bot", name="Support Bot", temperature=0.7)
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root)
    assert r.code == 0, r.err
    assert "kept name in" in r.err and "variable reference ('${bot_name}')" in r.err
    assert "'Support Bot'" in r.err
    assert (root / "bot.yaml").read_text() == manifest.replace("0.5", "0.7")
    doc = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root, "--format", "json")
    assert '"kept name in' in doc.out


def test_crlf_line_ends_stay(emulator: EmulatorHandle, tmp_path: Path) -> None:
    text = "# windows\r\nkey: bot\r\nmodel: gpt-4o\r\ntemperature: 0.5\r\n"
    root = project_dir(tmp_path)
    (root / "bot.yaml").write_bytes(text.encode())
    seed(emulator, "default/bot", temperature=0.25)
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "export", "--out", root).code == 0
    assert (root / "bot.yaml").read_bytes() == text.replace("0.5", "0.25").encode()
    assert_clean(flags, root)


def test_an_exported_unmanaged_assistant_is_found_again(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path)
    stray = seed(emulator, None, name="Support Bot", temperature=0.5)
    flags = at(emulator.base_url, emulator.api_key)
    out = root / "assistants"
    assert run(*flags, "export", "--all", "--out", out).code == 0
    emulator.modify_out_of_band(stray["id"], temperature=0.6)
    again = run(*flags, "export", "--all", "--out", out)
    assert again.code == 0, again.err
    assert sorted(os.listdir(out)) == ["support-bot.yaml"], "no second file for it"
    assert "temperature: 0.6" in (out / "support-bot.yaml").read_text()
    assert f"assistctl import support-bot={stray['id']} {out}" in again.out

    # Adopted: the comment that says it is not is replaced by the one of a managed manifest.
    pair = f"support-bot={stray['id']}"
    assert run(*flags, "import", pair, out, "--auto-approve").code == 0
    assert "UNMANAGED" in (out / "support-bot.yaml").read_text()
    adopted = run(*flags, "export", "--out", out)
    assert adopted.code == 0, adopted.err
    text = (out / "support-bot.yaml").read_text()
    assert text.startswith(f"# Exported by assistctl from {stray['id']}.\nkey: support-bot\n")
    # import writes the label without the write-only fingerprint: one apply records it.
    assert "'support-bot' records no fingerprint of its write-only reasoning_effort" in adopted.err
    assert run(*flags, "apply", "--auto-approve", out).code == 0
    assert_clean(flags, out)


def test_a_manifest_outside_out_is_not_written(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(
        tmp_path,
        {"assistctl.yaml": "project: p\n", "team/bot.yaml": "key: bot\nmodel: gpt-4o\n"},
    )
    seed(emulator, "p/bot", temperature=0.3)
    seed(emulator, "p/other")
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root / "new")
    assert r.code == 1
    assert f"its manifest {root / 'team' / 'bot.yaml'} is outside --out" in r.err
    assert (root / "team" / "bot.yaml").read_text() == "key: bot\nmodel: gpt-4o\n"
    assert sorted(os.listdir(root / "new")) == ["other.yaml"], "the other one is written"


def test_an_unreadable_project_file_stops_everything(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path, {"a.yaml": "key: a\nmodel: [\n"})
    seed(emulator, "default/b")
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root)
    assert r.code == 1 and "a.yaml:3:1: invalid YAML" in r.err.replace(str(root) + "/", "")
    assert "export updates manifests in place and writes nothing until they are fixed" in r.err
    assert sorted(os.listdir(root)) == [".git", "a.yaml"]


@pytest.mark.parametrize(
    "name",
    [
        "../../escape",
        "/etc/passwd",
        "..",
        "a/../../b",
        "nul\x00byte",
        "C:\\Windows\\evil",
        "x" * 5000,
        "~",
        "",
    ],
)
def test_a_hostile_name_never_leaves_out(
    emulator: EmulatorHandle, tmp_path: Path, name: str
) -> None:
    root = project_dir(tmp_path)
    out = root / "a" / "out"
    seed(emulator, None, name=name[:256], instructions="long\n" * 1000)
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--all", "--out", out)
    assert r.code == 0, r.err
    written = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written), written
    assert all(len(p.name) <= 140 for p in written)
    assert run("validate", track(root) / "a" / "out").code == 0


def test_a_symbolic_link_inside_out_does_not_lead_outside(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = root / "out"
    out.mkdir()
    (out / "prompts").symlink_to(outside, target_is_directory=True)
    seed(emulator, "default/long", instructions="x" * 3000)
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", out)
    assert r.code == 1
    assert "is outside --out" in r.err and "Nothing was written" in r.err
    assert os.listdir(outside) == [] and sorted(os.listdir(out)) == ["prompts"]


def test_a_protection_the_label_records_is_added_never_removed(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(
        tmp_path,
        {
            "a.yaml": "key: a\nmodel: gpt-4o\nlifecycle:\n  ignore_changes: [name]\n",
            "b.yaml": "key: b\nmodel: gpt-4o\nlifecycle: {prevent_destroy: true}\n",
        },
    )
    seed(emulator, "default/a;prevent_destroy")
    seed(emulator, "default/b")
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root)
    assert r.code == 0, r.err
    assert "lifecycle.prevent_destroy added, as the live label records it" in r.err
    assert (root / "a.yaml").read_text() == (
        "key: a\nmodel: gpt-4o\nlifecycle:\n  ignore_changes: [name]\n  prevent_destroy: true\n"
    )
    # b's protection is the manifest's to give up, not export's: the next apply records it.
    assert (
        root / "b.yaml"
    ).read_text() == "key: b\nmodel: gpt-4o\nlifecycle: {prevent_destroy: true}\n"


def test_an_instructions_file_outside_out_is_not_written(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(
        tmp_path,
        {
            "common/tutor.md": "Old.\n",
            "assistants/tutor.yaml": "key: tutor\nmodel: gpt-4o\ninstructions_file: ../common/tutor.md\n",
        },
    )
    seed(emulator, "default/tutor", instructions="New.\n")
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root / "assistants")
    assert r.code == 1
    assert "its instructions file ../common/tutor.md (named in" in r.err
    assert "export writes only inside --out" in r.err
    assert (root / "common" / "tutor.md").read_text() == "Old.\n"


def test_a_new_file_never_takes_the_name_of_a_manifest(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path, {"tutor.yaml": "key: helper\nmodel: gpt-4o\n"})
    seed(emulator, "default/helper")
    seed(emulator, "default/tutor", name="Tutor")
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "export", "--out", root)
    assert r.code == 0, r.err
    assert sorted(os.listdir(root)) == [".git", "tutor-2.yaml", "tutor.yaml"]
    assert (root / "tutor.yaml").read_text() == "key: helper\nmodel: gpt-4o\n"
    assert_clean(flags, root)


ENVIRONMENTS = """\
project: support
vars:
  brand: Acme
environments:
  dev:
    vars: {model: gpt-4o-mini}
  prod:
    vars: {model: gpt-4o}
"""
BOT = """\
key: support-bot
model: ${model}   # per environment
instructions: "You answer questions about ${brand} products."
temperature: 0.3
"""


def test_variables_of_an_environment_are_kept(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"assistctl.yaml": ENVIRONMENTS, "bot.yaml": BOT})
    dev = [*at(emulator.base_url, emulator.api_key), "--env", "dev"]
    assert run(*dev, "apply", "--auto-approve", root).code == 0
    (bot,) = emulator.assistants()
    emulator.modify_out_of_band(
        bot["id"], model="gpt-4.1", instructions="You answer about Acme.", temperature=0.5
    )
    r = run(*dev, "export", "--out", root)
    assert r.code == 0, r.err
    manifest = root / "bot.yaml"
    assert f"kept model in {manifest}: it holds a variable reference ('${{model}}')" in r.err
    assert f"kept instructions in {manifest}" in r.err
    assert (root / "bot.yaml").read_text() == BOT.replace("0.3", "0.5")
    plan = run(*dev, "plan", root)
    assert "Plan: 0 to create, 1 to update" in plan.out, plan.out + plan.err
    assert "temperature" not in plan.out, "what export could write, it wrote"
