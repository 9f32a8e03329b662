"""Files a manifest refers to stay inside the project (issue 13, attack 1).

A pull request sets ``instructions_file`` to a file that is not the project's: a system file,
the checkout's ``.git/config`` (which holds the pipeline's token), a symbolic link out of the
repository, ``/proc/self/environ``, a credentials file CI wrote into the work tree, a FIFO.
Each is a validate error at the manifest's ``instructions_file`` line and column, its content
appears nowhere, the file is never opened (a FIFO would block the run), and nothing is sent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistctl.emulator.testing import EmulatorHandle
from clihelpers import CliResult, copy_examples, git, run, track

from ._attack import flags

CANARY = "CANARY-7f3a9c1e-not-for-your-eyes"
TOKEN = "AUTHORIZATION: basic " + CANARY


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The examples in a git work tree (``tmp_path``), every file tracked, and a secret
    outside the project (``tmp_path/outside``)."""
    root = copy_examples(tmp_path)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text(CANARY + "\n")
    with (tmp_path / ".git" / "config").open("a") as config:
        config.write(f'[http "https://github.com/"]\n\textraheader = {TOKEN}\n')
    return root


def attack(root: Path, reference: str, *, commit: bool = True) -> Path:
    """A manifest of the project pointing ``instructions_file`` at ``reference``."""
    manifest = root / "evil.yaml"
    manifest.write_text(
        f"key: evil\nmodel: gpt-4o\nmetadata: {{team: red}}\ninstructions_file: {reference}\n"
    )
    if commit:
        track(root)
    return manifest


def refused(r: CliResult, manifest: Path, fragment: str) -> None:
    """One error at the reference's line and column, naming why; nothing of the file shown."""
    assert r.code == 1, r.out + r.err
    assert f"{manifest.name}:4:20: instructions_file: instructions file " in r.text
    assert fragment in r.text, r.text
    assert CANARY not in r.text and "root:x:0:0" not in r.text
    assert "Traceback" not in r.text


def plan_refused(emulator: EmulatorHandle, root: Path, manifest: Path, fragment: str) -> None:
    """validate, then plan with the pipeline's key: refused, and nothing but the listing was
    sent (it starts while the manifests load, and only reads: issue 18)."""
    refused(run("validate", root), manifest, fragment)
    refused(run(*flags(emulator), "plan", "--format", "markdown", root), manifest, fragment)
    assert {e["operation"] for e in emulator.requests()} <= {"list"}


@pytest.mark.parametrize(
    "reference",
    ["/etc/passwd", "../outside/secret.txt", "/proc/self/environ", "/dev/zero"],
)
def test_a_file_outside_the_project(
    emulator: EmulatorHandle, root: Path, reference: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTCTL_CANARY", CANARY)  # what /proc/self/environ would show
    manifest = attack(root, reference)
    plan_refused(emulator, root, manifest, "outside the project root")


def test_the_checkouts_git_config(emulator: EmulatorHandle, root: Path) -> None:
    manifest = attack(root, "../.git/config")
    plan_refused(emulator, root, manifest, "outside the project root")


def test_a_hidden_file_inside_the_project_even_tracked(
    emulator: EmulatorHandle, root: Path
) -> None:
    (root / ".env").write_text(f"OPENAI_API_KEY={CANARY}\n")
    (root / ".config").mkdir()
    (root / ".config" / "token").write_text(CANARY)
    git(root, "add", "-f", ".env", ".config/token")
    for reference, hidden in ((".env", ".env"), ("prompts/../.config/token", ".config")):
        manifest = attack(root, reference)
        plan_refused(emulator, root, manifest, f"under the hidden name '{hidden}'")


def test_a_symlink_out_of_the_repository(emulator: EmulatorHandle, root: Path) -> None:
    (root / "prompts" / "innocent.md").symlink_to(root.parent / "outside" / "secret.txt")
    manifest = attack(root, "prompts/innocent.md")  # git tracks the link itself
    plan_refused(emulator, root, manifest, "outside the project root")


def test_an_untracked_credentials_file_in_the_work_tree(
    emulator: EmulatorHandle, root: Path
) -> None:
    # As a CI login step leaves it: inside the checkout, never committed.
    creds = root / "gha-creds-1234.json"
    creds.write_text(f'{{"type": "service_account", "private_key": "{CANARY}"}}\n')
    manifest = attack(root, "gha-creds-1234.json", commit=False)
    git(root, "add", "evil.yaml")  # the manifest is the pull request's; the file is not
    plan_refused(emulator, root, manifest, "is not tracked by git")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("where", ["prompts/pipe.md", "../outside/pipe.md"])
def test_a_fifo_is_never_opened(emulator: EmulatorHandle, root: Path, where: str) -> None:
    # Opening a FIFO for reading blocks until a writer comes: a run that opened it would hang.
    os.mkfifo(root / where)
    manifest = attack(root, where)
    fragment = "is not a regular file" if where.startswith("prompts") else "outside the project"
    plan_refused(emulator, root, manifest, fragment)


def test_git_failing_in_a_work_tree_refuses_rather_than_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_examples(tmp_path)
    manifest = root / "support-agent.yaml"
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    r = run("validate", root, env={"PATH": str(empty)})
    assert r.code == 1
    assert f"{manifest.name}:8:20: instructions_file: instructions file " in r.out
    assert "(git is not installed); install git to check it" in r.out
    # A .git that git does not recognise: the file is not read either.
    os.rename(tmp_path / ".git", tmp_path / "git.moved")
    (tmp_path / ".git").mkdir()
    r = run("validate", root)
    assert r.code == 1 and "listing its tracked files failed (git: not a git repository" in r.out


def test_the_projects_own_tracked_files_are_read(emulator: EmulatorHandle, root: Path) -> None:
    (root / "prompts" / "evil.md").write_text("Be good.\n")
    attack(root, "prompts/evil.md")
    r = run(*flags(emulator), "plan", root)
    assert r.code == 0, r.err
    assert "Be good." in r.out
