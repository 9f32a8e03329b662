"""``assistctl export`` over files a pull request may have written: it writes only inside
``--out``, never through a link leading out, never instructions into a YAML file.

Through the real CLI against the emulator over HTTP. Manifests and instructions files are
untrusted (DESIGN.md, "Trust and safety"); ``--out`` is a flag, trusted.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import OWNER_KEY
from clihelpers import at, project_dir, run, track


def seed(emulator: EmulatorHandle, label: str, **fields: Any) -> dict[str, Any]:
    body = {"model": "gpt-4o", **fields, "metadata": {OWNER_KEY: label}}
    return emulator.app.create_assistant(body).obj


def test_a_manifest_linked_from_outside_the_project_is_not_written(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "bot.yaml"
    target.write_text("key: bot\nmodel: gpt-4o\ntemperature: 0.5\n", encoding="utf-8")
    root = project_dir(tmp_path / "project", {"fine.yaml": "key: fine\nmodel: gpt-4o\n"})
    (root / "bot.yaml").symlink_to(target)
    track(root)
    seed(emulator, "default/bot", temperature=0.9)
    seed(emulator, "default/fine", temperature=0.7)

    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root)
    assert r.code == 1
    assert "bot.yaml is outside --out" in r.err and "the others were written" in r.err
    assert target.read_text(encoding="utf-8").endswith("temperature: 0.5\n")
    assert (root / "bot.yaml").is_symlink(), "the link itself is left as it is"
    assert (root / "fine.yaml").read_text(encoding="utf-8").endswith("temperature: 0.7\n")


@pytest.mark.parametrize("named", ["other.yaml", "assistctl.yaml"])
def test_instructions_are_never_written_into_a_yaml_file(
    emulator: EmulatorHandle, tmp_path: Path, named: str
) -> None:
    files = {
        "assistctl.yaml": "project: p\n",
        "bot.yaml": f"key: bot\nmodel: gpt-4o\ninstructions_file: {named}\n",
        "other.yaml": "key: other\nmodel: gpt-4o\n",
    }
    root = project_dir(tmp_path, files)
    seed(emulator, "p/bot", instructions="key: other\nmodel: gpt-4o-mini\n")
    seed(emulator, "p/other")
    flags = at(emulator.base_url, emulator.api_key)

    r = run(*flags, "export", "--out", root, "--format", "json")
    assert r.code == 1
    (skipped,) = json.loads(r.out)["skipped"]
    assert f"its instructions file {named} (named in" in skipped["reason"]
    assert "export writes no instructions there" in skipped["reason"]
    for name, text in files.items():
        assert (root / name).read_text(encoding="utf-8") == text, name


def test_a_link_at_a_temporary_name_is_not_followed_and_modes_stay(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path / "project", {"bot.yaml": "key: bot\nmodel: gpt-4o\n"})
    (root / "bot.yaml").chmod(0o640)
    outside = tmp_path / "outside.txt"
    # The name an earlier export used for its temporary file (the CLI runs in this process).
    (root / f".bot.yaml.{os.getpid()}.tmp").symlink_to(outside)
    seed(emulator, "default/bot", temperature=0.3)
    seed(emulator, "default/new-one", name="New")

    r = run(*at(emulator.base_url, emulator.api_key), "export", "--out", root)
    assert r.code == 0, r.err
    assert not outside.exists()
    assert (root / "bot.yaml").read_text(encoding="utf-8").endswith("temperature: 0.3\n")
    assert stat.S_IMODE((root / "bot.yaml").stat().st_mode) == 0o640
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((root / "new-one.yaml").stat().st_mode) == 0o666 & ~umask
    leftovers = [
        p for p in os.listdir(root) if p.endswith(".tmp") and p != f".bot.yaml.{os.getpid()}.tmp"
    ]
    assert leftovers == []
