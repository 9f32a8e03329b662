"""``assistctl export`` and what a manifest means (issue 14): every value it writes, new file or
update in place, reads back under assistctl's YAML rules as the text or number it is, and the
write-only ``reasoning_effort`` is read back from the fingerprint the live label records.

Through the real CLI against the emulator over HTTP (which, like OpenAI, never returns
``reasoning_effort``). The property each time: after ``export``, ``validate`` passes and
``plan`` is empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistctl.config.manifest import Manifest
from assistctl.core.normalize import write_only_fingerprint
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import OWNER_KEY
from clihelpers import at, project_dir, run

NO_CHANGES = "No changes. Live assistants match the manifests."


def fingerprint(effort: str | None) -> str | None:
    manifest = Manifest(key="k", model="m", reasoning_effort=effort)
    return write_only_fingerprint(manifest)


def seed(emulator: EmulatorHandle, label: str, effort: str | None, **fields: Any) -> str:
    value = f"{label};wo={fingerprint(effort)}"
    body = {
        "model": "o3-mini",
        **fields,
        "metadata": {**fields.get("metadata", {}), OWNER_KEY: value},
    }
    return str(emulator.app.create_assistant(body).obj["id"])


def assert_clean(flags: list[str], root: Path) -> None:
    validated = run("validate", root)
    assert validated.code == 0, validated.out + validated.err
    plan = run(*flags, "plan", "--detailed-exitcode", root)
    assert plan.code == 0 and NO_CHANGES in plan.out, plan.out + plan.err


TRICKY = {
    "name": "no",
    "description": "1e3",
    "metadata": {"on": "y", "1": "=", "when": "2024-05-01", "ok": "plain"},
    "response_format": {
        "type": "json_schema",
        "json_schema": {
            "name": "big",
            "schema": {"type": "number", "maximum": 1e20, "minimum": -1e-07},
        },
    },
}


def test_texts_that_would_not_read_back_as_text_are_quoted_in_place(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    manifest = "# ours\nkey: bot\nmodel: o3-mini   # pinned\nname: Bot\n"
    root = project_dir(tmp_path, {"bot.yaml": manifest})
    seed(emulator, "default/bot", None, **TRICKY)
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "export", "--out", root)
    assert r.code == 0, r.err
    assert (root / "bot.yaml").read_text(encoding="utf-8") == (
        "# ours\nkey: bot\nmodel: o3-mini   # pinned\nname: 'no'\ndescription: '1e3'\n"
        "metadata:\n  'on': 'y'\n  '1': '='\n  when: '2024-05-01'\n  ok: plain\n"
        "response_format:\n  type: json_schema\n  json_schema:\n    name: big\n    schema:\n"
        "      type: number\n      maximum: 1.0e+20\n      minimum: -1.0e-07\n"
    )
    assert_clean(flags, root)


def test_texts_that_would_not_read_back_as_text_are_quoted_in_a_new_file(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path)
    seed(emulator, "default/bot", None, **TRICKY)
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "export", "--out", root).code == 0
    text = (root / "bot.yaml").read_text(encoding="utf-8")
    assert "name: 'no'\n" in text and "'on': 'y'\n" in text and "maximum: 1.0e+20\n" in text
    assert_clean(flags, root)


@pytest.mark.parametrize(
    ("written", "recorded", "expected"),
    [
        ("reasoning_effort: low\n", "high", "reasoning_effort: high\n"),
        ("reasoning_effort: low\n", None, ""),
        ("", "medium", "reasoning_effort: medium\n"),
    ],
)
def test_reasoning_effort_is_updated_from_the_fingerprint(
    emulator: EmulatorHandle,
    tmp_path: Path,
    written: str,
    recorded: str | None,
    expected: str,
) -> None:
    manifest = "key: thinker\nmodel: o3-mini\ntemperature: 0.5  # kept\n{}"
    root = project_dir(tmp_path, {"thinker.yaml": manifest.format(written)})
    seed(emulator, "default/thinker", recorded, temperature=0.5)
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "export", "--out", root)
    assert r.code == 0, r.err
    assert (root / "thinker.yaml").read_text(encoding="utf-8") == manifest.format(expected)
    assert "updated" in r.out and "reasoning_effort" in r.out
    assert_clean(flags, root)


def test_a_new_file_keeps_the_protection_beside_the_recovered_value(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path)
    seed(emulator, "default/thinker;prevent_destroy", "high")
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "export", "--out", root).code == 0
    assert (
        (root / "thinker.yaml")
        .read_text(encoding="utf-8")
        .endswith(
            "key: thinker\nmodel: o3-mini\nreasoning_effort: high\nlifecycle:\n  prevent_destroy: true\n"
        )
    )
    assert_clean(flags, root)


def test_an_imported_assistant_without_a_fingerprint_is_said_and_kept(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    manifest = "key: thinker\nmodel: o3-mini\nreasoning_effort: high\n"
    root = project_dir(tmp_path, {"thinker.yaml": manifest})
    live = emulator.app.create_assistant({"model": "o3-mini"}).obj
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "import", f"thinker={live['id']}", root, "--auto-approve").code == 0
    r = run(*flags, "export", "--out", root)
    assert r.code == 0, r.err
    assert "records no fingerprint of its write-only reasoning_effort yet" in r.err
    assert (root / "thinker.yaml").read_text(encoding="utf-8") == manifest
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    assert_clean(flags, root)
