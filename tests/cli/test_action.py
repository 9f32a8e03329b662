"""action.yml: the composite GitHub Action, its steps run as a runner would, against the emulator.

See ``actionhelpers`` for how the runner is imitated (bash steps, GITHUB_* files, a recording
stand-in for ``gh``). Every run talks to the emulator over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import pytest

from actionhelpers import (
    ACTION,
    API_KEY_NAMES,
    REPOSITORY,
    Runner,
    expressions,
    have_tools,
    load_action,
)
from assistctl import __version__
from assistctl.cli.main import cli
from assistctl.emulator.testing import EmulatorHandle
from clihelpers import copy_examples

pytestmark = pytest.mark.skipif(have_tools() is not None, reason=str(have_tools()))

MARKER = "<!-- assistctl-plan -->"


@pytest.fixture
def runner(tmp_path: Path, emulator: EmulatorHandle) -> Runner:
    copy_examples(tmp_path / "workspace")
    return Runner(
        tmp_path / "runner",
        tmp_path / "workspace",
        env={"ASSISTCTL_BASE_URL": emulator.base_url},
    )


def key(emulator: EmulatorHandle) -> dict[str, str]:
    """The step's env: the API key, given only to the step that uses the action."""
    return {"ASSISTCTL_API_KEY": emulator.api_key}


# ---- the definition ---------------------------------------------------------------------------


def test_definition() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"command", "paths", "environment", "format", "github-token"}
    assert set(action["outputs"]) >= {"exit-code", "to-create", "to-update", "to-delete"}
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            continue
        assert step["shell"] == "bash"
        # Inputs reach scripts through env:, so none can inject shell.
        assert expressions(step["run"]) == [], step["name"]


def test_every_uses_carries_its_version_in_a_comment() -> None:
    text = ACTION.read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"\s*(- )?uses:", line):
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


# ---- plan on a pull request: summary, outputs, one comment ------------------------------------


def test_plan_on_a_pull_request(runner: Runner, emulator: EmulatorHandle) -> None:
    runner.pull_request(7)
    runner.set_comments([{"id": 1, "user": {"type": "User"}, "body": "LGTM"}])
    first = runner.use({"command": "plan", "paths": "assistants"}, env=key(emulator))
    assert first.ok, first.stderr
    assert first.outputs["exit-code"] == "2"  # --detailed-exitcode: changes
    assert (first.outputs["to-create"], first.outputs["to-update"]) == ("8", "0")
    assert first.outputs["to-delete"] == "0"
    assert first.summary.startswith("### assistctl plan · project `examples`")
    assert "**Plan: 8 to create, 0 to update, 0 to delete.**" in first.summary
    assert Path(first.outputs["report"]).read_text(encoding="utf-8") == first.summary
    listing, post = first.gh_calls
    assert listing["args"][:3] == [
        "api",
        "--paginate",
        f"repos/{REPOSITORY}/issues/7/comments?per_page=100",
    ]
    assert post["args"][:4] == ["api", "--method", "POST", f"repos/{REPOSITORY}/issues/7/comments"]
    assert post["body"].startswith(f"{MARKER}\n### assistctl plan · project `examples`")
    assert (
        "Plan of abc1234 by [this run](https://github.com/acme/assistants/actions/runs/4242)"
        in post["body"]
    )
    # The token for gh, and nothing else: the API key stays with assistctl.
    assert {c["GH_TOKEN"] for c in first.gh_calls} == {"ghs_workflow_token"}
    assert {c["GH_HOST"] for c in first.gh_calls} == {"github.com"}
    assert all(c["keys"] == [] for c in first.gh_calls)

    # The next push: the bot's comment is found by its marker and updated in place; a
    # person's comment quoting the marker is left alone.
    runner.set_comments(
        [
            {"id": 5, "user": {"type": "User"}, "body": f"see {MARKER}"},
            {"id": 99, "user": {"type": "Bot"}, "body": f"{MARKER}\nold plan"},
        ]
    )
    second = runner.use({"command": "plan", "paths": "assistants"}, env=key(emulator))
    assert second.ok, second.stderr
    _, patch = second.gh_calls
    assert patch["args"][:4] == [
        "api",
        "--method",
        "PATCH",
        f"repos/{REPOSITORY}/issues/comments/99",
    ]
    assert patch["body"].startswith(MARKER)


def test_one_comment_per_environment(runner: Runner, emulator: EmulatorHandle) -> None:
    runner.pull_request(7)
    runner.set_comments([{"id": 99, "user": {"type": "Bot"}, "body": f"{MARKER}\nold"}])
    run = runner.use({"command": "plan", "environment": "prod"}, env=key(emulator))
    assert "assistctl command: assistctl --env prod plan" in run.stdout
    post = run.gh_calls[-1]
    assert post["args"][2] == "POST", "the plan without an environment has its own comment"
    assert post["body"].startswith("<!-- assistctl-plan env=prod -->\n")


def test_no_environment_no_env_flag(runner: Runner, emulator: EmulatorHandle) -> None:
    run = runner.use({"command": "plan"}, env=key(emulator))
    (line,) = [x for x in run.stdout.splitlines() if x.startswith("assistctl command:")]
    assert (
        line == "assistctl command: assistctl plan --format markdown --detailed-exitcode assistants"
    )


def _takes_env_flag() -> bool:
    try:
        cli.make_context("assistctl", ["--env", "prod", "validate", "assistants"])
    except click.UsageError:
        return False
    return True


@pytest.mark.skipif(not _takes_env_flag(), reason="assistctl has no --env flag yet")
def test_the_environment_flag_is_one_assistctl_takes(
    runner: Runner, emulator: EmulatorHandle
) -> None:
    run = runner.use({"command": "validate", "environment": "prod"}, env=key(emulator))
    assert "No such option" not in run.stdout + run.stderr


def test_no_comment_from_a_fork_or_outside_a_pull_request(
    runner: Runner, emulator: EmulatorHandle
) -> None:
    push = runner.use({"command": "plan"}, env=key(emulator))
    assert push.ok and push.gh_calls == []
    runner.pull_request(8, fork=True)
    fork = runner.use({"command": "plan"}, env=key(emulator))
    assert fork.ok and fork.gh_calls == []
    assert "::notice title=assistctl::pull request from a fork" in fork.stdout
    runner.pull_request(9)
    off = runner.use({"command": "plan", "comment": "false"}, env=key(emulator))
    assert off.ok and off.gh_calls == []


# ---- failures ---------------------------------------------------------------------------------


def test_a_failed_plan_is_reported_in_the_comment_and_fails_the_step(
    runner: Runner, emulator: EmulatorHandle
) -> None:
    runner.pull_request(7)
    # A remote host and no key: refused before any request.
    no_key = {"ASSISTCTL_API_KEY": "", "ASSISTCTL_BASE_URL": "https://assistants.invalid/v1"}
    run = runner.use({"command": "plan"}, env=no_key)
    assert not run.ok and run.failed_step == "Fail on an assistctl error"
    assert run.outputs["exit-code"] == "1"
    assert run.outputs["to-create"] == ""
    assert run.summary.startswith("### assistctl plan failed\n\n```\n")
    assert "assistctl: error:" in run.summary and "ASSISTCTL_API_KEY" in run.summary
    (post,) = [c for c in run.gh_calls if "POST" in c["args"]]
    assert "### assistctl plan failed" in post["body"], "the comment never shows an older plan"


def test_validate_annotates_the_files(runner: Runner, emulator: EmulatorHandle) -> None:
    ok = runner.use({"command": "validate"})
    assert ok.ok and ok.outputs["exit-code"] == "0"
    assert ok.summary == "### assistctl validate\n\n8 manifests valid (7 files)\n"
    broken = runner.workspace / "assistants" / "broken.yaml"
    broken.write_text("key: broken\nmodel: gpt-4o\ntemperature: 3\n")
    bad = runner.use({"command": "validate"})
    assert not bad.ok and bad.outputs["exit-code"] == "1"
    annotation = "::error file=assistants/broken.yaml,line=3,col=14::"
    # Printed after the stop-commands block, so the runner turns it into an annotation.
    assert annotation in bad.stdout.rsplit("::stop-commands::", 1)[1].split("\n", 2)[2]
    # Every error at once: the examples' policy wants metadata 'team' too.
    assert "2 errors in 1 of 8 files" in bad.summary


def test_an_unknown_command_is_refused(runner: Runner) -> None:
    run = runner.use({"command": "destroy"})
    assert not run.ok and run.failed_step == "Run assistctl"
    assert "input 'command' must be validate, plan, apply, drift or output" in run.stdout


def test_untrusted_output_cannot_act_as_a_workflow_command(
    runner: Runner, emulator: EmulatorHandle
) -> None:
    """A manifest is written by the pull request; what it says is echoed inside stop-commands."""
    tutor = runner.workspace / "assistants" / "math-tutor.yaml"
    tutor.write_text(
        tutor.read_text().replace(
            "You are a patient math tutor",
            "::add-mask::x\n  ::error::pwned\n  You are a patient math tutor",
        )
    )
    run = runner.use({"command": "plan", "format": "text"}, env=key(emulator))
    assert run.ok, run.stderr
    (start,) = re.findall(r"^::stop-commands::([0-9a-f]{32})$", run.stdout, re.M)
    inside = run.stdout.split(f"::stop-commands::{start}\n", 1)[1].split(f"::{start}::", 1)
    assert len(inside) == 2, "commands resumed"
    assert "::error::pwned" in inside[0] and "::error::pwned" not in inside[1]
    assert "```" in run.summary  # the text report is fenced in the summary


# ---- apply, saved plans, drift ----------------------------------------------------------------


def test_plan_file_then_apply_then_an_empty_plan(runner: Runner, emulator: EmulatorHandle) -> None:
    plan = runner.use({"command": "plan", "plan-file": "plan.json"}, env=key(emulator))
    assert plan.ok and plan.outputs["exit-code"] == "2"
    assert json.loads((runner.workspace / "plan.json").read_text())["kind"] == "assistctl-plan"
    assert emulator.assistants() == []
    # The project comes from the step's env (trusted), never from the plan file.
    env = {**key(emulator), "ASSISTCTL_PROJECT": "examples"}
    apply = runner.use({"command": "apply", "paths": "plan.json"}, env=env)
    assert apply.ok, apply.stderr
    assert apply.outputs["exit-code"] == "0"
    assert "Apply complete: 8 created, 0 updated, 0 deleted, 0 failed." in apply.summary
    assert apply.outputs["to-create"] == ""  # counts are plan's
    assert len(emulator.assistants()) == 8
    again = runner.use({"command": "plan"}, env=key(emulator))
    assert again.outputs["exit-code"] == "0"
    assert [again.outputs[f"to-{a}"] for a in ("create", "update", "delete")] == ["0", "0", "0"]
    assert "No changes" in again.summary


def test_apply_paths_and_extra_args(runner: Runner, emulator: EmulatorHandle) -> None:
    run = runner.use(
        {"command": "apply", "paths": "assistants\n", "args": "--parallelism 2"}, env=key(emulator)
    )
    assert run.ok, run.stderr
    assert (
        "assistctl command: assistctl apply --auto-approve --parallelism 2 assistants" in run.stdout
    )
    assert len(emulator.assistants()) == 8


def test_global_options_in_args_come_after_the_command(
    runner: Runner, emulator: EmulatorHandle
) -> None:
    run = runner.use(
        {"command": "plan", "args": "--project elsewhere --max-retries 1 --color never"},
        env=key(emulator),
    )
    assert run.ok, run.stderr
    assert run.outputs["exit-code"] == "2" and run.outputs["to-create"] == "8"
    assert "project `elsewhere`" in run.summary, run.summary


def test_drift(runner: Runner, emulator: EmulatorHandle) -> None:
    assert runner.use({"command": "apply"}, env=key(emulator)).ok
    in_sync = runner.use({"command": "drift"}, env=key(emulator))
    assert in_sync.ok and in_sync.outputs["exit-code"] == "0"
    (tutor,) = [a for a in emulator.assistants() if a["name"] == "Math Tutor"]
    emulator.modify_out_of_band(tutor["id"], temperature=0.9)
    drifted = runner.use({"command": "drift"}, env=key(emulator))
    assert drifted.ok, "drift is a result (exit-code 2), not a failed step"
    assert drifted.outputs["exit-code"] == "2"
    assert drifted.summary.startswith("### assistctl drift · project `examples`")
    assert "math-tutor" in Path(drifted.outputs["report"]).read_text()


def test_output_writes_the_ids_for_github_env(runner: Runner, emulator: EmulatorHandle) -> None:
    missing = runner.use({"command": "output"}, env=key(emulator))
    assert missing.ok, "keys without an assistant are a result (exit-code 2), told by the output"
    assert missing.outputs["exit-code"] == "2"
    assert runner.use({"command": "apply"}, env=key(emulator)).ok
    run = runner.use({"command": "output"}, env=key(emulator))
    assert run.ok and run.outputs["exit-code"] == "0"
    assert "assistctl command: assistctl output --format env assistants" in run.stdout
    lines = Path(run.outputs["report"]).read_text().splitlines()
    live = {a["id"] for a in emulator.assistants()}
    assert len(lines) == 8 and {line.split("=", 1)[1] for line in lines} == live
    assert all(re.fullmatch(r"ASSISTANT_[A-Z0-9_]+_ID=asst_\w+", line) for line in lines)


def test_json_format_reports_json_and_counts_from_it(
    runner: Runner, emulator: EmulatorHandle
) -> None:
    run = runner.use({"command": "plan", "format": "json"}, env=key(emulator))
    report = json.loads(Path(run.outputs["report"]).read_text())
    assert report["summary"]["create"] == 8 and run.outputs["to-create"] == "8"


# ---- the install step, for real ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_install_step_installs_this_checkout(runner: Runner, emulator: EmulatorHandle) -> None:
    """pip-installs the action's own checkout (needs the package index pip is configured with)."""
    leaked = dict.fromkeys(API_KEY_NAMES, "sk-never-for-pip")
    run = runner.use({"command": "validate"}, env=leaked, install=True)
    assert run.ok, run.stderr
    venv_bin = run.step_outputs["install"]["bin"]
    assert venv_bin.startswith(str(runner.temp))
    assert f"assistctl, version {__version__}" in run.stdout
    assert not (runner.root / "github-path").exists(), "the job's PATH is left alone"
    # A second use in the job reuses that environment: with pip gone from it, installing
    # again would fail.
    for pip in Path(venv_bin).parent.glob("lib/python*/site-packages/pip"):
        shutil.rmtree(pip)
    again = runner.use({"command": "validate"}, install=True)
    assert again.ok, again.stderr
    assert again.step_outputs["install"]["bin"] == venv_bin
