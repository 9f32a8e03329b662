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

from clihelpers import ROOT, project_dir

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
GOOD = "key: good\nmodel: gpt-4o\n"
BAD = "key: bad\nmodel: gpt-4o\ntemperature: 3\n"
NOT_A_MANIFEST = "replicas: 3\nimage: nginx\n"  # would fail validation if it were passed
WORKFLOW = "on: push\njobs: {}\n"
TUTOR = "key: tutor\nmodel: gpt-4o\ninstructions_file: prompts/tutor.md\n"


def _hook() -> dict[str, Any]:
    hooks = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "assistctl-validate"]
    assert isinstance(hook, dict)
    return hook


def _scratch(root: Path, *, other_yaml: bool = True) -> Path:
    """A repository of manifests with the other YAML files such a repository holds."""
    files = {
        "assistants/good.yaml": GOOD,
        "assistants/team/bad.yaml": BAD,
        "assistants/prompts/tutor.md": "You are a tutor.\n",
        "assistants/tutor.yaml": TUTOR,
        "README.md": "# Our assistants\n",
        "assistants/assistctl.yaml": "project: scratch\n",
        ".github/workflows/ci.yml": WORKFLOW,
        ".pre-commit-config.yaml": "repos: []\n",
    }
    if other_yaml:
        files["deploy/values.yaml"] = NOT_A_MANIFEST
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


def _selected(hook: dict[str, Any], paths: list[str]) -> list[str]:
    """The files pre-commit passes to ``hook``: its own include/exclude filter on each path."""
    run = pytest.importorskip("pre_commit.commands.run")
    return sorted(run.filter_by_include_exclude(paths, hook["files"], hook.get("exclude", "^$")))


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("assistants/tutor.yaml", True),
        ("assistants/team/tutor.yml", True),
        ("deploy/assistants/tutor.yaml", True),
        ("myassistants/tutor.yaml", True),  # manifests wherever they live
        ("tutor.yaml", True),
        ("assistants/assistctl.yaml", True),  # the project file: validate checks it too
        ("assistants/prompts/tutor.md", True),  # re-validates the manifests that use it
        ("assistants/prompts/tutor.txt", True),
        ("README.md", True),  # used by no manifest: passes with a note
        ("assistants/prompts/tutor.json", False),
        (".github/workflows/ci.yml", False),  # hidden paths hold other tools' YAML
        (".pre-commit-config.yaml", False),
        (".gitlab-ci.yml", False),
        ("assistants/.draft/tutor.yaml", False),  # as validate skips them in a directory
    ],
)
def test_files_pattern(path: str, selected: bool) -> None:
    assert _selected(_hook(), [path]) == ([path] if selected else [])


def test_a_user_narrows_the_files_in_their_own_config(tmp_path: Path) -> None:
    """Keys of a hook in .pre-commit-config.yaml override the published ones (docs/ci.md)."""
    clientlib = pytest.importorskip("pre_commit.clientlib")
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(
        "repos:\n"
        "  - repo: https://github.com/OWNER/assistctl\n"
        "    rev: 0123456789abcdef0123456789abcdef01234567\n"
        "    hooks:\n"
        "      - id: assistctl-validate\n"
        "        files: ^deploy/assistants/.*\\.ya?ml$\n",
        encoding="utf-8",
    )
    (user_hook,) = clientlib.load_config(str(config))["repos"][0]["hooks"]
    hook = {**_hook(), **{k: v for k, v in user_hook.items() if k in ("files", "exclude")}}
    paths = ["deploy/assistants/tutor.yaml", "deploy/values.yaml", "docs/mkdocs.yml"]
    assert _selected(_hook(), paths) == sorted(paths)
    assert _selected(hook, paths) == ["deploy/assistants/tutor.yaml"]


def test_entry_on_the_selected_files(tmp_path: Path) -> None:
    # A checkout: instructions files are read only when git tracks them.
    root = project_dir(_scratch(tmp_path, other_yaml=False))
    every = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    )
    selected = _selected(_hook(), every)
    assert selected == [
        "README.md",
        "assistants/assistctl.yaml",
        "assistants/good.yaml",
        "assistants/prompts/tutor.md",
        "assistants/team/bad.yaml",
        "assistants/tutor.yaml",
    ]
    entry = shlex.split(_hook()["entry"])

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*entry, *files], cwd=root, env=_env(), capture_output=True, text=True, timeout=60
        )

    failed = hook(*selected)
    assert failed.returncode == 1
    assert failed.stdout == (
        "assistants/team/bad.yaml:3:14: temperature: must be at most 2, got 3\n"
        "1 error in 1 of 4 files\n"
    )
    passed = hook("assistants/good.yaml")
    assert (passed.returncode, passed.stdout) == (0, "1 manifest valid (2 files)\n")
    # A commit that changes only the project file passes it alone.
    alone = hook("assistants/assistctl.yaml")
    assert alone.returncode == 0, alone.stdout + alone.stderr
    # A commit that changes only an instructions file checks the manifests using it again.
    prompt = root / "assistants" / "prompts" / "tutor.md"
    prompt.write_text("x" * 256_001, encoding="utf-8")
    too_long = hook("assistants/prompts/tutor.md")
    assert too_long.returncode == 1
    assert too_long.stdout == (
        "assistants/tutor.yaml:3:20: instructions_file: instructions file "
        "assistants/prompts/tutor.md is 256,001 characters long; instructions are limited "
        "to 256,000\n"
        "1 error in 1 of 2 files\n"
    )
    prompt.write_text("You are a tutor.\n", encoding="utf-8")
    fine = hook("assistants/prompts/tutor.md")
    assert (fine.returncode, fine.stdout) == (0, "1 manifest valid (2 files)\n")
    unused = hook("README.md")
    assert (unused.returncode, unused.stdout) == (0, "0 manifests valid (0 files)\n")
    assert "no manifest under . names it in instructions_file" in unused.stderr


def test_other_yaml_fails_until_the_user_narrows_the_pattern(tmp_path: Path) -> None:
    """The price of 'manifests wherever they live': other YAML needs a narrower files:."""
    root = project_dir(_scratch(tmp_path))
    every = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    )
    assert "deploy/values.yaml" in _selected(_hook(), every)
    result = subprocess.run(
        [*shlex.split(_hook()["entry"]), "deploy/values.yaml"],
        cwd=root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "deploy/values.yaml:1:1: replicas: unknown field 'replicas'" in result.stdout


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
    scratch = _scratch(tmp_path / "scratch", other_yaml=False)
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
    # The manifests, the project file and the instructions file (standing for the manifest
    # using it) were passed in one run; the workflow and the pre-commit configuration
    # (hidden paths) were not.
    assert "1 error in 1 of 4 files" in out
    assert "ci.yml" not in out and "pre-commit-config" not in out

    # A commit that changes only an instructions file: the manifest using it is checked.
    (scratch / "assistants" / "prompts" / "tutor.md").write_text("x" * 256_001)
    result = subprocess.run(
        [*command, "--files", "assistants/prompts/tutor.md", "README.md", "--color", "never"],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "assistants/tutor.yaml:3:20: instructions_file: instructions file" in out
    assert "is 256,001 characters long" in out and "1 error in 1 of 2 files" in out
