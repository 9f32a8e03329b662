"""``assistctl export`` through the real CLI against the emulator over HTTP.

The property that matters: ``export`` then ``plan`` on the exported directory shows no
changes, whatever the assistants carry.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import OWNER_KEY
from clihelpers import at, copy_examples, project_dir, run, seed, track

NO_CHANGES = "No changes. Live assistants match the manifests."

SUPPORT: dict[str, Any] = {
    "model": "gpt-4o",
    "name": "Support Agent",
    "description": "Answers customers of Example Shop.",
    "instructions": "You are the support assistant.\n\nRules:\n- Be polite.\n- Be brief.\n",
    "tools": [
        {"type": "code_interpreter"},
        {"type": "file_search", "file_search": {"max_num_results": 8}},
        {
            "type": "function",
            "function": {
                "name": "lookup_order",
                "description": "Find an order by its number",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "order_id": {"type": "string", "pattern": "^A-[0-9]+$"},
                        "include_items": {"type": "boolean", "default": False},
                    },
                    "required": ["order_id"],
                    "additionalProperties": False,
                },
                "strict": True,
            },
        },
        {"type": "function", "function": {"name": "ping"}},
    ],
    "tool_resources": {
        "code_interpreter": {"file_ids": ["file-b", "file-a"]},
        "file_search": {"vector_store_ids": ["vs_faq"]},
    },
    "metadata": {"team": "support", "cost-center": "4711", "on-call": "yes"},
    "temperature": 0.3,
    "top_p": 0.9,
    "response_format": {
        "type": "json_schema",
        "json_schema": {
            "name": "reply",
            "description": "One reply.",
            "schema": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "score": {"type": "number"}},
                "required": ["text", "score"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    },
}

# Instructions that are easy to get wrong in YAML: each must come back byte for byte.
TRICKY = [
    "one line",
    "no trailing newline\nsecond line",
    "two trailing newlines\n\n",
    "  leading spaces\nthen normal\n",
    "trailing spaces   \nhere\n",
    "tab\tinside\n\tand at a line start\n",
    "yes",
    "- looks like a list\n# looks like a comment\n",
    "key: value\nanother: one\n",
    "Windows\r\nline ends\r\n",
    "Unicode: é, 漢字, emoji 🙂\n",
    "a single long line, far longer than eighty characters, that still has to survive as is",
    "x" * 2001,
    "long prompt\n" * 300,
]


def files_in(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): p.read_text(encoding="utf-8")
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_round_trip_then_plan_shows_no_changes(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"assistctl.yaml": "project: shop\n"})
    (root / "schemas").mkdir()
    (root / "schemas" / "assistant.schema.json").write_text("{}", encoding="utf-8")
    support = seed(emulator, "shop/support", **SUPPORT)
    seed(emulator, "shop/bare")
    seed(emulator, "shop/sampling", temperature=0, top_p=0.25, response_format={"type": "text"})
    seed(
        emulator,
        "shop/ranker",
        tools=[
            {
                "type": "file_search",
                "file_search": {"ranking_options": {"ranker": "auto", "score_threshold": 0.4}},
            }
        ],
    )
    seed(emulator, "shop/json", response_format={"type": "json_object"}, description="")
    for i, text in enumerate(TRICKY):
        seed(emulator, f"shop/tricky-{i}", instructions=text)
    unmanaged = seed(emulator, None, name="Not ours")
    others = seed(emulator, "billing/support", name="Theirs")
    flags = at(emulator.base_url, emulator.api_key)
    out = root / "manifests"

    r = run(*flags, "export", "--out", out)
    assert r.code == 0, r.err
    written = files_in(out)
    keys = ["support", "bare", "sampling", "ranker", "json"] + [f"tricky-{i}" for i in range(14)]
    assert sorted(k for k in written if "/" not in k) == sorted(f"{k}.yaml" for k in keys)
    assert f"wrote {out / 'support.yaml'}  ({support['id']}, managed)" in r.out
    assert "Exported 19 assistant(s) of project 'shop'" in r.out
    assert unmanaged["id"] not in r.out and others["id"] not in r.out
    # In a git work tree the prompts written beside the manifests are read once tracked.
    assert f"'git add {out}' before planning" in r.out
    untracked = run(*flags, "plan", out)
    assert untracked.code == 1 and "is not tracked by git" in untracked.err
    track(root)

    plan = run(*flags, "plan", "--detailed-exitcode", out)
    assert plan.code == 0, plan.out + plan.err
    assert NO_CHANGES in plan.out

    text = written["support.yaml"]
    assert text.startswith(
        "# yaml-language-server: $schema=../schemas/assistant.schema.json\n"
        f"# Exported by assistctl from {support['id']}.\n"
        "key: support\nname: Support Agent\nmodel: gpt-4o\n"
    )
    assert "instructions: |\n  You are the support assistant.\n\n  Rules:\n" in text
    assert OWNER_KEY not in yaml.safe_load(text)["metadata"]
    assert "strict: false" not in text and "ranking_options" not in text
    assert "file_ids: [file-b, file-a]" in text
    top = [line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-z_]+:", line)]
    assert top == [
        "key",
        "name",
        "model",
        "description",
        "instructions",
        "tools",
        "tool_resources",
        "metadata",
        "temperature",
        "top_p",
        "response_format",
    ]
    # Fields at API defaults are left out.
    assert written["bare.yaml"].splitlines()[2:] == ["key: bare", "model: gpt-4o"]
    assert (
        "temperature: 0.0\ntop_p: 0.25\nresponse_format:\n  type: text\n"
        in (written["sampling.yaml"])
    )
    assert "description" not in written["json.yaml"]
    # Long instructions live in prompts/, byte for byte.
    assert "instructions_file: prompts/tricky-12.md" in written["tricky-12.yaml"]
    assert (out / "prompts" / "tricky-13.md").read_bytes() == TRICKY[13].encode()
    assert "instructions_file" not in written["tricky-11.yaml"]
    assert "instructions: |-\n  a single long line" in written["tricky-11.yaml"]
    for name, content in written.items():
        assert emulator.api_key not in content, name
    assert emulator.api_key not in r.text


def test_the_examples_round_trip(emulator: EmulatorHandle, tmp_path: Path) -> None:
    assistants = copy_examples(tmp_path)
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "apply", "--auto-approve", assistants).code == 0
    # Outside the project: inside it, the exported copies would share the project's keys.
    out = tmp_path / "exported"
    r = run(*flags, "--project", "examples", "export", "--out", out)
    assert r.code == 0, r.err
    assert r.err.count("warning") == 0, r.err
    plan = run(*flags, "--project", "examples", "plan", "-d", out)
    assert plan.code == 0 and NO_CHANGES in plan.out, plan.out + plan.err
    assert run("validate", out).code == 0


def test_default_out_and_project_flag_write_a_project_file(
    emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_dir(tmp_path)
    monkeypatch.chdir(root)
    seed(emulator, "team-a/bot", name="Bot", instructions="Hi.\n")
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "--project", "team-a", "export")
    assert r.code == 0, r.err
    assert sorted(files_in(root / "assistants")) == ["assistctl.yaml", "bot.yaml"]
    assert (root / "assistants" / "assistctl.yaml").read_text().endswith("project: team-a\n")
    # No schemas/ directory above: no modeline.
    assert (root / "assistants" / "bot.yaml").read_text().startswith("# Exported by assistctl")
    plan = run(*flags, "plan", "assistants")
    assert NO_CHANGES in plan.out, plan.out + plan.err


def test_all_exports_unmanaged_ones_that_import_then_adopts(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path)
    flags = at(emulator.base_url, emulator.api_key)
    mine = seed(emulator, "default/helper", name="Helper")
    first = seed(emulator, None, name="Support Bot", instructions="Line 1\nLine 2\n")
    second = seed(emulator, None, name="Support  bot!", temperature=0.5)
    nameless = seed(emulator, None)
    helper_twin = seed(emulator, None, name="Helper")
    theirs = seed(emulator, "billing/support-bot", metadata={"team": "billing"})
    odd = seed(emulator, "not a label", name="Odd")
    out = root / "all"

    r = run(*flags, "export", "--all", "--out", out)
    assert r.code == 0, r.err
    written = files_in(out)
    assert sorted(written) == sorted(
        [
            "helper.yaml",
            "support-bot.yaml",
            "support-bot-2.yaml",
            f"{nameless['id']}.yaml",
            "helper-2.yaml",
            "support-bot-3.yaml",
            "odd.yaml",
        ]
    )
    assert f"assistctl import support-bot={first['id']} {out}\n" in r.out
    assert f"assistctl import support-bot-3={theirs['id']} {out} --force\n" in r.out
    assert f"assistctl import odd={odd['id']} {out} --force\n" in r.out
    assert "UNMANAGED" in written["support-bot.yaml"]
    assert "(assistctl = billing/support-bot;wo=" in written["support-bot-3.yaml"]
    assert mine["id"] in written["helper.yaml"] and "UNMANAGED" not in written["helper.yaml"]

    before = run(*flags, "plan", out)
    assert "Plan: 6 to create, 0 to update, 0 to delete." in before.out

    commands = [line.split()[2:] for line in r.out.splitlines() if line.startswith("  assistctl ")]
    assert len(commands) == 6
    for args in commands:
        done = run(*flags, "import", *args, "--auto-approve")
        assert done.code == 0, done.err
    # Adopted: only the write-only fingerprint is still to record, once.
    plan = run(*flags, "plan", "-d", out)
    assert plan.code == 2 and "Plan: 0 to create, 6 to update, 0 to delete." in plan.out
    assert plan.out.count("~ reasoning_effort = (write-only) not recorded yet -> null") == 6
    assert run(*flags, "apply", "--auto-approve", out).code == 0
    plan = run(*flags, "plan", "-d", out)
    assert plan.code == 0 and NO_CHANGES in plan.out, plan.out
    for obj in (second, helper_twin):
        stored = emulator.get(obj["id"])
        assert stored is not None and stored["metadata"][OWNER_KEY].startswith("default/")


def test_force_is_only_for_files_that_are_not_manifests(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path)
    seed(emulator, "default/a", instructions="A" * 3000)
    seed(emulator, "default/b", name="B")
    flags = at(emulator.base_url, emulator.api_key)
    out = root / "out"
    out.mkdir()
    (out / "b.yaml").write_text("# mine\n", encoding="utf-8")

    r = run(*flags, "export", "--out", out)
    assert r.code == 1 and r.out == ""
    assert (
        f"Refusing to overwrite 1 file(s) that are not manifests of this project: {out / 'b.yaml'}"
        in r.err
    )
    assert "--force" in r.err
    assert files_in(out) == {"b.yaml": "# mine\n"}, "nothing written when anything is refused"

    forced = run(*flags, "export", "--out", out, "--force")
    assert forced.code == 0, forced.err
    assert sorted(files_in(out)) == ["a.yaml", "b.yaml", "prompts/a.md"]
    # Not yet tracked, the new instructions file is not the project's: its manifest is not
    # updated until 'git add' (as validate and plan would not read it).
    untracked = run(*flags, "export", "--out", out)
    assert untracked.code == 1 and "is not tracked by git" in untracked.err
    track(root)
    before = files_in(out)
    # The manifests are the project's now: exported again, they are left as they are.
    again = run(*flags, "export", "--out", out)
    assert again.code == 0, again.err
    assert "0 new file(s), 0 updated in place, 2 up to date" in again.out
    assert files_in(out) == before
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]


def test_an_assistant_that_cannot_be_a_manifest_is_skipped_and_reported(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path)
    seed(emulator, "default/fine", name="Fine")
    crowded = seed(emulator, None, metadata={f"k{i}": "v" for i in range(16)})
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--all", "--out", root / "x")
    assert r.code == 1
    assert f"{crowded['id']}: it cannot be written as a valid manifest (metadata:" in r.err
    assert "the others were written" in r.err
    assert sorted(files_in(root / "x")) == ["fine.yaml"]


def test_nothing_to_export(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(tmp_path)
    seed(emulator, None, name="Unmanaged")
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root / "x")
    assert r.code == 0
    assert "No assistants of project 'default'" in r.out and "--all" in r.out
    assert not (root / "x").exists()


def test_two_assistants_with_one_label_are_refused(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path)
    a = seed(emulator, "default/twin")
    b = seed(emulator, "default/twin")
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root / "x")
    assert r.code == 1
    assert f"{a['id']} and {b['id']} both carry the label assistctl = default/twin" in r.err
    assert not (root / "x").exists()


def test_out_must_be_a_directory(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"file.yaml": "x: 1\n"})
    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root / "file.yaml")
    assert r.code == 1 and "Traceback" not in r.err
    assert emulator.requests() == []


def test_write_only_value_is_read_back_from_its_fingerprint(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """The API never returns reasoning_effort; the label's fingerprint says which value it is."""
    root = project_dir(
        tmp_path, {"m/thinker.yaml": "key: thinker\nmodel: o3-mini\nreasoning_effort: high\n"}
    )
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "apply", "--auto-approve", root / "m").code == 0
    out = root / "out"
    assert run(*flags, "export", "--out", out).code == 0
    assert files_in(out)["thinker.yaml"].endswith(
        "key: thinker\nmodel: o3-mini\nreasoning_effort: high\n"
    )
    plan = run(*flags, "plan", "-d", out)
    assert plan.code == 0 and NO_CHANGES in plan.out, plan.out
