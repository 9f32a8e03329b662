"""Global options before or after the command, kubectl-style; help with examples; bare command.

Through the real CLI (in process, and as a subprocess for the entry point's own exit path).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from assistctl.cli.globalopts import GLOBAL_SECTION
from assistctl.cli.main import cli
from assistctl.emulator.testing import EmulatorHandle
from assistctl.options import GlobalOptions
from clihelpers import CLEAN_ENV, copy_examples, project_dir, run

GOOD = "key: a\nmodel: gpt-4o\n"


def local(tmp_path: Path) -> list[str]:
    """The in-process emulator, its state in ``tmp_path``."""
    return ["--provider", "local", "--local-state", str(tmp_path / "state.json")]


# ---- the issue's own examples -------------------------------------------------------------


def test_plan_with_the_provider_after_the_command(tmp_path: Path) -> None:
    root = project_dir(tmp_path / "p", {"a.yaml": GOOD})
    after = run("plan", root, *local(tmp_path))
    before = run(*local(tmp_path), "plan", root)
    assert after.code == 0, after.err
    assert "Plan: 1 to create, 0 to update, 0 to delete." in after.out
    assert (after.code, after.out, after.err) == (before.code, before.out, before.err)


def test_validate_quiet_after_the_paths(tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"a.yaml": GOOD, "empty.yaml": ""})
    after = run("validate", root, "-q")
    assert (after.code, after.err) == (0, "")
    assert after.out == run("-q", "validate", root).out == "1 manifest valid (2 files), 1 warning\n"
    assert "warning" in run("validate", root).out, "without -q the warning is listed"


# ---- every global option, every command -------------------------------------------------


def test_every_global_option_is_offered_by_the_group_and_every_command() -> None:
    fields = [f.name for f in dataclasses.fields(GlobalOptions)]
    assert fields, "GlobalOptions declares the global options"
    for field in dataclasses.fields(GlobalOptions):
        assert "flag" in field.metadata, f"{field.name}: declare it with options.option/switch"
    for owner in [cli, *cli.commands.values()]:
        names = [p.name for p in owner.params if p.name in fields]
        assert names == fields, owner.name
    group = {p.name: p for p in cli.params}
    for command in cli.commands.values():
        for param in command.params:
            if param.name in group:
                assert isinstance(param, click.Option)
                assert param.opts == group[param.name].opts, "the same spelling"
                assert param.envvar is None, "the variable is read once, by the group"


def test_after_the_command_wins_over_before_and_over_the_environment(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(tmp_path, {"a.yaml": GOOD})
    env = {"ASSISTCTL_API_KEY": emulator.api_key, "ASSISTCTL_PROJECT": "from-env"}
    url = ["--base-url", emulator.base_url]
    r = run(*url, "--project", "before", "plan", root, "--project", "after", env=env)
    assert r.code == 0 and "Planning project 'after'" in r.err, r.err
    r = run(*url, "plan", root, env=env)
    assert "Planning project 'from-env'" in r.err, "ASSISTCTL_PROJECT is --project"
    r = run("plan", root, *url, "--api-key", emulator.api_key, "-q")
    assert (r.code, r.err) == (0, ""), "base URL, key and -q after the paths"


def test_verbose_after_the_command(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"a.yaml": GOOD})
    r = run("plan", root, "--base-url", emulator.base_url, "-v")
    assert r.code == 0 and re.search(r"GET .*/assistants.* 200", r.err), r.err


def test_bad_values_after_the_command_are_one_sentence(tmp_path: Path) -> None:
    r = run("plan", tmp_path, "--provider", "nowhere")
    assert r.code == 1 and "Invalid value for '--provider'" in r.err
    r = run("plan", tmp_path, "--no-color", "--color", "always")
    assert r.code == 1
    assert (
        r.err
        == "assistctl: error: --no-color and --color always contradict each other; keep one.\n"
    )


# ---- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_each_help_lists_the_global_options_and_ends_with_examples(name: str) -> None:
    r = run(name, "--help")
    assert r.code == 0, r.err
    assert f"{GLOBAL_SECTION}:" in r.out
    for param in cli.params:
        if isinstance(param, click.Option) and param.name != "version":
            assert param.opts[-1] in r.out, f"{name} --help lacks {param.opts[-1]}"
    tail = r.out.rstrip("\n").split("Examples:\n")[-1].splitlines()
    assert 2 <= len(tail) <= 3, r.out
    assert all(line.strip().startswith(f"assistctl {name}") for line in tail), tail


def _examples() -> list[tuple[str, str]]:
    found = []
    for owner in [cli, *cli.commands.values()]:
        found += [(owner.name or "assistctl", line) for line in owner.examples]  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize(("owner", "example"), _examples())
def test_each_example_is_a_valid_command_line(owner: str, example: str) -> None:
    """Parsed by the real parser: every flag exists and every value is allowed."""
    words = shlex.split(re.split(r"\s[#|>]|\s&&\s", example)[0])
    assert words[0] == "assistctl" and words[1] in cli.commands, example
    parent = cli.make_context("assistctl", [])
    command = cli.commands[words[1]]
    command.make_context(words[1], words[2:], parent=parent)  # raises on a bad line


def test_the_examples_paths_exist() -> None:
    root = Path(__file__).resolve().parents[2]
    for _, example in _examples():
        for word in shlex.split(example):
            if word.startswith("examples/"):
                assert (root / word).exists(), example


# ---- bare assistctl -----------------------------------------------------------------------


def test_bare_assistctl_prints_the_help_and_exits_0() -> None:
    r = run()
    assert (r.code, r.err) == (0, "")
    # click 8.1 writes "COMMAND [ARGS]...", later versions "[COMMAND]" (.ci/lowest runs 8.1.8).
    assert r.out.startswith("Usage: assistctl [OPTIONS] "), r.out
    assert "Commands:" in r.out and "Examples:" in r.out
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    proc = subprocess.run(
        [sys.executable, "-m", "assistctl"], capture_output=True, text=True, env=env
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith("Usage: assistctl [OPTIONS] ") and "Commands:" in proc.stdout


def test_global_flags_alone_print_the_help(tmp_path: Path) -> None:
    r = run("-q", "--provider", "local")
    assert r.code == 0 and "Commands:" in r.out


def test_a_whole_loop_with_flags_after(tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    assert run("apply", root, "--auto-approve", "-q", *local(tmp_path)).code == 0
    r = run("drift", root, *local(tmp_path))
    assert r.code == 0
    assert r.out.endswith("\n\nNo drift. Live assistants match the manifests.\n")
