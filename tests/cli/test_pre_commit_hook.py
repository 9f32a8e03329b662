"""The pre-commit hook this repository publishes (``.pre-commit-hooks.yaml``).

Two levels: the hook's definition and its ``entry`` run directly on the files its ``files``
pattern selects (offline, fast); and the real thing, ``pre-commit try-repo`` of this
repository in a scratch git repository. try-repo builds the hook's virtualenv and
pip-installs this package into it, so it needs the package index pip is configured with
(PyPI in CI) and takes a while (about 20 s here): it is marked ``slow``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from clihelpers import ROOT

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
GOOD = "key: good\nmodel: gpt-4o\n"
BAD = "key: bad\nmodel: gpt-4o\ntemperature: 3\n"
NOT_A_MANIFEST = "replicas: 3\nimage: nginx\n"  # would fail validation if it were passed


def _hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "assistctl-validate"]
    assert isinstance(hook, dict)
    return hook


def _scratch(root: Path) -> Path:
    files = {
        "assistants/good.yaml": GOOD,
        "assistants/team/bad.yaml": BAD,
        "assistants/prompts/tutor.md": "You are a tutor.\n",
        "deploy/values.yaml": NOT_A_MANIFEST,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTCTL_", "OPENAI_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_hook_definition() -> None:
    hook = _hook()
    assert hook["entry"] == "assistctl validate"
    assert hook["language"] == "python", "pre-commit installs this package to run it"
    assert hook["pass_filenames"] is True
    assert hook["require_serial"] is True, "one run sees every file: duplicate keys are caught"
    clientlib = pytest.importorskip("pre_commit.clientlib")
    clientlib.load_manifest(str(HOOKS_FILE))  # pre-commit's own schema of a hooks file


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("assistants/tutor.yaml", True),
        ("assistants/team/tutor.yml", True),
        ("deploy/assistants/tutor.yaml", True),
        ("assistants/assistctl.yaml", True),  # the project file: validate checks it too
        ("assistants/prompts/tutor.md", False),
        ("deploy/values.yaml", False),
        ("myassistants/tutor.yaml", False),
    ],
)
def test_files_pattern(path: str, selected: bool) -> None:
    # pre-commit matches `files` with re.search against the path relative to the repo root.
    assert bool(re.search(_hook()["files"], path)) is selected


def test_entry_on_the_selected_files(tmp_path: Path) -> None:
    root = _scratch(tmp_path)
    (root / ".git").mkdir()
    pattern = re.compile(_hook()["files"])
    selected = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and pattern.search(p.relative_to(root).as_posix())
    )
    assert selected == ["assistants/good.yaml", "assistants/team/bad.yaml"]
    entry = shlex.split(_hook()["entry"])

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*entry, *files], cwd=root, env=_env(), capture_output=True, text=True, timeout=60
        )

    failed = hook(*selected)
    assert failed.returncode == 1
    assert failed.stdout == (
        "assistants/team/bad.yaml:3:14: temperature: must be at most 2, got 3\n"
        "1 error in 1 of 2 files\n"
    )
    passed = hook("assistants/good.yaml")
    assert (passed.returncode, passed.stdout) == (0, "1 manifest valid (1 file)\n")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    inside = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
    )
    if inside.returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout; try-repo needs one")
    scratch = _scratch(tmp_path / "scratch")
    env = {**_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    subprocess.run(["git", "init", "-q", str(scratch)], check=True, env=env)
    subprocess.run(["git", "-C", str(scratch), "add", "-A"], check=True, env=env)
    # try-repo uses ROOT's HEAD plus its uncommitted changes to tracked files.
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "assistctl-validate"]
    result = subprocess.run(
        [*command, "--all-files", "--color", "never"],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert re.search(r"assistctl validate\.+Failed", out), out
    assert "assistants/team/bad.yaml:3:14: temperature: must be at most 2, got 3" in out
    # Both manifests were passed in one run; the other YAML file was not.
    assert "1 error in 1 of 2 files" in out
    assert "values.yaml" not in out
