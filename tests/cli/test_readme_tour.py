"""The README's 30-second tour stays true: its commands exist, and its output is what they print.

The tour was pasted from a real run. This test replays the same steps (in process, against
``--provider local`` and the emulator fixture) and checks that every output line the README
shows, ids and ports aside, is a line the commands print today.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import owner_of
from clihelpers import EXAMPLES, ROOT, project_dir, run, track
from test_examples_ci import assistctl_commands, parse

README = ROOT / "README.md"

# Lines in the tour printed by other programs (git, the shell, the emulator's banner).
NOT_ASSISTCTL = (
    re.compile(r"Updated \d+ paths from the index"),
    re.compile(r"exit \d"),
    re.compile(r"http://127\.0\.0\.1:8765/v1"),
    re.compile(r"assistctl emulator \(openai flavor\) serving .*"),
)


def _tour() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("## 30-second tour")
    end = text.index("\n## ", start + 1)
    return re.findall(r"```console\n(.*?)```", text[start:end], re.S)


def _normal(line: str) -> str:
    line = re.sub(r"asst_[A-Za-z0-9]{24}", "asst_ID", line)
    line = re.sub(r"^\[\d+/", "[N/", line)  # creates run concurrently: any order
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line.rstrip())


def test_the_tour_commands_exist() -> None:
    blocks = _tour()
    assert len(blocks) >= 5
    commands = [
        argv
        for block in blocks
        for line in block.splitlines()
        if line.startswith("$ ")
        for argv in assistctl_commands(line[2:].replace("$(", "; "))
    ]
    names = {parse(argv)[0] for argv in commands}
    assert names == {"validate", "plan", "apply", "drift", "emulator", "output"}


def test_the_tour_output_is_real(
    emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_dir(tmp_path)
    shutil.copytree(EXAMPLES, tmp_path / "examples" / "assistants")
    track(tmp_path)
    monkeypatch.chdir(tmp_path)
    examples = "examples/assistants"
    local = ["--provider", "local"]
    printed: list[str] = []

    def assistctl(*args: str, env: dict[str, str | None] | None = None) -> int:
        r = run(*args, env=env)
        printed.extend((r.err + r.out).splitlines())
        return r.code

    assert assistctl("validate", examples) == 0
    assert assistctl(*local, "plan", examples) == 0
    assert assistctl(*local, "apply", "--auto-approve", examples) == 0
    assert assistctl(*local, "plan", examples) == 0
    tutor = tmp_path / examples / "math-tutor.yaml"
    tutor.write_text(tutor.read_text().replace("temperature: 0.2", "temperature: 0.4"))
    (tmp_path / examples / "release-notes.yaml").unlink()
    assert assistctl(*local, "plan", examples) == 0
    shutil.rmtree(tmp_path / "examples")
    shutil.copytree(EXAMPLES, tmp_path / "examples" / "assistants")

    env: dict[str, str | None] = {
        "ASSISTCTL_BASE_URL": emulator.base_url,
        "ASSISTCTL_API_KEY": "sk-local",
    }
    assert assistctl("-q", "apply", "--auto-approve", examples, env=env) == 0
    (live,) = [a for a in emulator.assistants() if owner_of(a) == ("examples", "math-tutor")]
    ids = run("-q", "output", examples, "--format", "env", env=env)
    assert f"ASSISTANT_MATH_TUTOR_ID={live['id']}" in ids.out.splitlines(), ids.text
    emulator.modify_out_of_band(live["id"], temperature=0.9)
    assert assistctl("drift", examples, env=env) == 2
    assert assistctl("-q", "apply", "--auto-approve", examples, env=env) == 0
    assert assistctl("-q", "drift", examples, env=env) == 0

    real = {_normal(line) for line in printed}
    shown = [
        line
        for block in _tour()
        for line in block.splitlines()
        if not line.startswith("$ ")
        and line.strip() != "..."  # where the README trims
        and not any(p.fullmatch(line) for p in NOT_ASSISTCTL)
    ]
    assert len(shown) > 40
    missing = [line for line in shown if _normal(line) not in real]
    assert missing == [], "README tour lines no command printed; rerun the tour and paste"
