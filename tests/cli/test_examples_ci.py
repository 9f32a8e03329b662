"""examples/ci/: every pipeline, hook and cron example parses, and its assistctl commands work.

Each ``assistctl ...`` command line is extracted from the shell the example runs (GitLab
``script:`` entries, the cron script, GitHub ``run:`` steps), checked against the click
declarations (the subcommand and every flag exist), then run as written against the emulator
in the order a pipeline would: validate, plan, apply, plan again, drift. The GitHub workflows
run assistctl through this repository's action (``action.yml``): each use of it runs with its
``with:`` inputs and ``env:`` as a runner would (``actionhelpers``), and each workflow is
checked for the hardening GitHub recommends. The GitLab note and issue scripts run against a
stand-in for GitLab's API on 127.0.0.1, and the cron script runs for real, webhook included.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from actionhelpers import Runner, evaluate, have_tools, load_action
from assistctl.cli.main import cli
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import owner_of
from clihelpers import ROOT, copy_examples, run

CI = ROOT / "examples" / "ci"
GITHUB = sorted((CI / "github").glob("*.yml"))
GITLAB = CI / "gitlab" / ".gitlab-ci.yml"
CRON_SCRIPT = CI / "cron" / "assistctl-drift.sh"
CRONTAB = CI / "cron" / "crontab"
PIPELINES = [*GITHUB, GITLAB, CRON_SCRIPT]
SHELL_PIPELINES = [GITLAB, CRON_SCRIPT]  # the GitHub workflows run assistctl via the action

EXPECTED_SUBCOMMANDS = {
    "assistctl-plan.yml": {"validate", "plan"},
    "assistctl-apply.yml": {"plan", "apply"},
    "assistctl-drift.yml": {"drift"},
    "assistctl-promote.yml": {"plan", "apply", "output"},
    ".gitlab-ci.yml": {"validate", "plan", "apply", "drift"},
    "assistctl-drift.sh": {"drift"},
}

# This repository's action, as the examples name it (OWNER and the SHA are placeholders the
# reader replaces: see docs/versioning.md).
OUR_ACTION = re.compile(r"OWNER/assistctl@[0-9a-f]{40}")
# The GitHub Actions the examples use, pinned to the commit of the release in the comment.
PINNED_USES = re.compile(r"^\s*(- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(CI)) for p in paths]


# ---- reading the examples -------------------------------------------------------------------


def _load(path: Path) -> dict[Any, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def shell_scripts(path: Path) -> list[str]:
    """The shell each example runs: run steps, script entries, or the script itself."""
    if path.suffix == ".sh":
        return [path.read_text(encoding="utf-8")]
    doc = _load(path)
    scripts: list[str] = []
    if "jobs" in doc:  # GitHub Actions
        for job in doc["jobs"].values():
            scripts += [step["run"] for step in job["steps"] if "run" in step]
        return scripts
    for job in doc.values():  # GitLab CI: every mapping with script lines
        if isinstance(job, dict):
            for key in ("before_script", "script", "after_script"):
                scripts += job.get(key, [])
    return scripts


_REDIRECT = re.compile(r"""\s(?:\d|&)?(?:>>?|<)&?\s*(?:"[^"]*"|'[^']*'|[^\s;&|)]+)""")
_HEREDOC = re.compile(r"<<-?\s*'?\"?(\w+)'?\"?")
_SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "{", "}"}
_KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!"}


def logical_lines(script: str) -> Iterator[str]:
    """Lines of shell, continuations joined, here-document bodies left out."""
    lines = script.replace("\\\n", " ").splitlines()
    terminator = None
    for line in lines:
        if terminator is not None:
            if line.strip() == terminator:
                terminator = None
            continue
        heredoc = _HEREDOC.search(line)
        if heredoc:
            terminator = heredoc.group(1)
        yield line


def assistctl_commands(script: str) -> list[list[str]]:
    """Every simple command of ``script`` that runs ``assistctl``, redirections removed."""
    found = []
    for line in logical_lines(script):
        line = _REDIRECT.sub(" ", " " + line)
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|(){}")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        command: list[str] = []
        for token in [*lexer, ";"]:
            if token not in _SEPARATORS:
                command.append(token)
                continue
            while command and (command[0] in _KEYWORDS or re.match(r"\w+=", command[0])):
                command.pop(0)
            if command and command[0] == "assistctl":
                found.append(command)
            command = []
    return found


def commands_of(path: Path) -> list[list[str]]:
    return [c for script in shell_scripts(path) for c in assistctl_commands(script)]


def jobs_of(path: Path) -> dict[str, Any]:
    jobs = _load(path)["jobs"]
    assert isinstance(jobs, dict)
    return jobs


def action_steps(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(job name, step) of every use of this repository's action in a GitHub workflow."""
    return [
        (name, step)
        for name, job in jobs_of(path).items()
        for step in job["steps"]
        if OUR_ACTION.fullmatch(step.get("uses", ""))
    ]


def action_command(
    path: Path, step_id: str | None = None, command: str | None = None
) -> dict[str, Any]:
    (step,) = [
        s
        for _, s in action_steps(path)
        if (step_id is None or s.get("id") == step_id)
        and (command is None or s["with"]["command"] == command)
    ]
    return step


def parse(argv: list[str]) -> tuple[str, click.Context]:
    """Parse ``assistctl ARGS`` with the real click declarations; raises on unknown flags."""
    assert argv[0] == "assistctl"
    ctx = cli.make_context("assistctl", argv[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # click 8.2 renamed it
        rest = [*ctx.protected_args, *ctx.args]
    name = rest[0]
    assert name in cli.commands, f"no subcommand {name!r}"
    sub = cli.commands[name].make_context(name, rest[1:], parent=ctx)
    return name, sub


# ---- the extraction itself -----------------------------------------------------------------


def test_extraction_finds_commands_in_compound_shell() -> None:
    script = (
        "set +e\n"
        'assistctl plan --format markdown -d "$MANIFESTS" > plan.md 2> plan.err\n'
        "if [ -f plan.json ]; then assistctl apply plan.json; else echo no; fi\n"
        "NO_COLOR=1 assistctl drift \\\n  --out drift.md x  # comment\n"
        "python3 - <<'PY'\nprint('assistctl apply --bogus')\nPY\n"
        'pip install "assistctl @ git+https://example.invalid/assistctl"\n'
    )
    assert assistctl_commands(script) == [
        ["assistctl", "plan", "--format", "markdown", "-d", "$MANIFESTS"],
        ["assistctl", "apply", "plan.json"],
        ["assistctl", "drift", "--out", "drift.md", "x"],
    ]


def test_parse_refuses_unknown_flags_and_commands() -> None:
    with pytest.raises(click.UsageError):
        parse(["assistctl", "plan", "--formt", "markdown", "x"])
    with pytest.raises(click.UsageError):
        parse(["assistctl", "plan", "--format", "yaml", "x"])
    with pytest.raises(AssertionError):
        parse(["assistctl", "destroy", "x"])


# ---- every example: parses, names real commands and flags -----------------------------------


@pytest.mark.parametrize("path", [*GITHUB, GITLAB], ids=_ids([*GITHUB, GITLAB]))
def test_yaml_parses(path: Path) -> None:
    doc = _load(path)
    if path in GITHUB:
        # PyYAML reads the key `on` as the boolean True (YAML 1.1).
        assert doc.get("on", doc.get(True)), "no trigger"
        for job in doc["jobs"].values():
            assert job["runs-on"] and job["steps"]
            for step in job["steps"]:
                assert ("uses" in step) != ("run" in step), step
    else:
        stages = doc["stages"]
        jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
        assert jobs
        for name, job in jobs.items():
            assert job["stage"] in stages, name
            for need in job.get("needs", []):
                assert need in jobs, f"{name} needs unknown job {need}"


@pytest.mark.parametrize("path", PIPELINES, ids=_ids(PIPELINES))
def test_commands_and_flags_exist(path: Path) -> None:
    commands = commands_of(path)
    names = {parse(argv)[0] for argv in commands}
    if path in GITHUB:
        declared = load_action()["inputs"]
        for _, step in action_steps(path):
            assert set(step["with"]) <= set(declared), step["with"]
            names.add(step["with"]["command"])
    assert names == EXPECTED_SUBCOMMANDS[path.name]


def test_key_commands_are_there() -> None:
    """The issue's contract: which format each pipeline uses."""
    lines = {p.name: [" ".join(c) for c in commands_of(p)] for p in SHELL_PIPELINES}
    plan = CI / "github" / "assistctl-plan.yml"
    # The action's defaults: validate --format github, plan --format markdown.
    assert action_command(plan, command="validate")["with"].get("format", "github") == "github"
    assert action_command(plan, command="plan")["with"].get("format", "markdown") == "markdown"
    apply = CI / "github" / "assistctl-apply.yml"
    assert action_command(apply, command="plan")["with"]["plan-file"] == "plan.json"
    assert action_command(apply, command="apply")["with"]["paths"] == "plan.json"
    drift = CI / "github" / "assistctl-drift.yml"
    assert action_command(drift, command="drift")["with"].get("format", "markdown") == "markdown"
    gitlab = lines[".gitlab-ci.yml"]
    assert any("plan --format markdown" in c for c in gitlab)
    assert "assistctl apply plan.json" in gitlab
    assert any("drift --format markdown --out drift.md" in c for c in gitlab)


def test_github_drift_issue_is_updated_not_duplicated() -> None:
    drift = _load(CI / "github" / "assistctl-drift.yml")
    steps = drift["jobs"]["drift"]["steps"]
    (script,) = [s["with"]["script"] for s in steps if "with" in s and "script" in s["with"]]
    assert "labels: label" in script and "issues.update" in script and "issues.create" in script
    assert "process.env.REPORT" in script, "the report is the action's output file"
    assert any(s.get("run", "").rstrip().endswith("exit 2") for s in steps), "drift fails the job"


# ---- the hardening GitHub recommends ------------------------------------------------------------


def _secret_places(node: Any, where: str) -> list[str]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _secret_places(v, f"{where}.{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _secret_places(v, f"{where}[{i}]")]
    return [where] if isinstance(node, str) and "secrets." in node else []


@pytest.mark.parametrize("path", GITHUB, ids=_ids(GITHUB))
def test_github_workflow_hardening(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = _load(path)
    triggers: dict[str, Any] = doc.get("on", doc.get(True)) or {}
    assert not {"pull_request_target", "workflow_run"} & set(triggers), "runs untrusted code"
    # Every action pinned to a full commit, its release in a comment.
    for line in text.splitlines():
        if re.match(r"\s*(- )?uses:", line):
            assert PINNED_USES.match(line), line
    # Least privilege: no token rights for the workflow; each job names what it needs.
    assert doc["permissions"] == {}
    for name, job in doc["jobs"].items():
        writes = {k for k, v in (job["permissions"] or {}).items() if v == "write"}
        assert writes <= {"pull-requests", "issues"}, (name, writes)
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name
    # The key only in the env of the steps that run assistctl, and in an environment.
    secrets = _secret_places(doc, "workflow")
    allowed = {
        f"workflow.jobs.{name}.steps[{i}].env.ASSISTCTL_API_KEY"
        for name, job in doc["jobs"].items()
        for i, step in enumerate(job["steps"])
        if OUR_ACTION.fullmatch(step.get("uses", ""))
    }
    assert secrets and set(secrets) <= allowed, secrets
    for place in secrets:
        assert doc["jobs"][place.split(".")[2]].get("environment"), place


def test_apply_runs_one_at_a_time_and_is_never_cancelled() -> None:
    doc = _load(CI / "github" / "assistctl-apply.yml")
    assert doc["concurrency"]["cancel-in-progress"] is False
    assert doc["jobs"]["apply"]["environment"] == "assistants-production"


def test_a_pull_request_from_a_fork_is_validated_without_secrets() -> None:
    """Forks get no secrets under pull_request: validate for all, plan for branches here."""
    doc = _load(CI / "github" / "assistctl-plan.yml")
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    for name, job in doc["jobs"].items():
        if _secret_places(job, name):
            assert job["if"] == same_repo, name
    validate = doc["jobs"]["validate"]
    assert "if" not in validate and _secret_places(validate, "validate") == []
    fork = doc["jobs"]["fork"]
    assert fork["if"] == same_repo.replace("==", "!=")
    assert "GITHUB_STEP_SUMMARY" in fork["steps"][0]["run"]


def test_the_action_is_hardened_too() -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    uses = [line for line in text.splitlines() if re.match(r"\s*(- )?uses:", line)]
    assert uses and all(PINNED_USES.match(line) for line in uses)


# ---- running the commands as written against the emulator ------------------------------------


def _substitute(argv: list[str], values: dict[str, str]) -> list[str]:
    out = []
    for arg in argv:
        match = re.fullmatch(r"\$\{?(\w+)\}?", arg)
        out.append(values[match.group(1)] if match else arg)
    return out


def _flag(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg in names:
            return argv[i + 1] if i + 1 < len(argv) else ""
    return None


@pytest.mark.parametrize("path", SHELL_PIPELINES, ids=_ids(SHELL_PIPELINES))
def test_commands_run_against_the_emulator(
    path: Path, emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifests = copy_examples(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    values = {"MANIFESTS": "assistants", "manifests": "assistants", "report": "report.txt"}
    env = {"ASSISTCTL_BASE_URL": emulator.base_url, "ASSISTCTL_API_KEY": emulator.api_key}
    if path.suffix == ".yml":  # the pipeline's own trusted setting, as the runner gives it
        project = (_load(path).get("variables") or {}).get("ASSISTCTL_PROJECT")
        env.update({"ASSISTCTL_PROJECT": project} if project else {})
    commands = [_substitute(argv, values) for argv in commands_of(path)]
    by_name: dict[str, list[list[str]]] = {}
    for argv in commands:
        by_name.setdefault(parse(argv)[0], []).append(argv)
    done: list[list[str]] = []

    def assistctl(argv: list[str]) -> Any:
        done.append(argv)
        return run(*argv[1:], env=env)

    for argv in by_name.get("validate", []):
        r = assistctl(argv)
        assert r.code == 0 and r.out.endswith("8 manifests valid (7 files)\n"), r.text
        (manifests / "broken.yaml").write_text("key: broken\nmodel: gpt-4o\ntemperature: 3\n")
        r = assistctl(argv)
        assert r.code == 1
        if _flag(argv, "--format") == "github":
            assert "::error file=assistants/broken.yaml,line=3,col=14::" in r.out, r.out
        (manifests / "broken.yaml").unlink()

    # Nothing live yet: every plan has 8 creates.
    for argv in by_name.get("plan", []):
        r = assistctl(argv)
        assert r.code == (2 if {"-d", "--detailed-exitcode"} & set(argv) else 0), r.text
        if _flag(argv, "--format") == "markdown":
            assert r.out.startswith("### assistctl plan · project `examples`")
            assert "**Plan: 8 to create, 0 to update, 0 to delete.**" in r.out
        out = _flag(argv, "--out")
        if out:
            assert json.loads(Path(out).read_text())["kind"] == "assistctl-plan"

    if "apply" in by_name:
        for argv in by_name["apply"]:
            r = assistctl(argv)
            assert r.code == 0, r.text
            assert "Apply complete: 8 created, 0 updated, 0 deleted, 0 failed." in r.out
    else:
        assert run("apply", "--auto-approve", manifests, env=env).code == 0
    assert len(emulator.assistants()) == 8

    for argv in by_name.get("plan", []):
        r = assistctl(argv)
        assert r.code == 0, r.text
        assert "No changes. Live assistants match the manifests." in r.out

    for argv in by_name.get("drift", []):
        r = assistctl(argv)
        assert r.code == 0, r.text
        (tutor,) = [a for a in emulator.assistants() if owner_of(a) == ("examples", "math-tutor")]
        emulator.modify_out_of_band(tutor["id"], temperature=0.9)
        r = assistctl(argv)
        assert r.code == 2, r.text
        out = _flag(argv, "--out")
        report = Path(out).read_text() if out else r.out
        assert "math-tutor" in report and "temperature" in report
        if _flag(argv, "--format") == "markdown":
            assert report.startswith("### assistctl drift · project `examples`")
        emulator.modify_out_of_band(tutor["id"], temperature=0.2)

    assert {tuple(c) for c in commands} <= {tuple(c) for c in done}, "a command was not run"


# ---- the GitHub workflows: their uses of the action, against the emulator ---------------------


class Workflow:
    """Runs one workflow's uses of the action, with its ``with:`` and ``env:`` as written."""

    def __init__(self, path: Path, tmp_path: Path, emulator: EmulatorHandle) -> None:
        self.path = path
        self.workspace = tmp_path / "workspace"
        self.manifests = copy_examples(self.workspace)
        self.runner = Runner(tmp_path / "runner", self.workspace)
        self.context = {
            "secrets": {"ASSISTCTL_API_KEY": emulator.api_key},
            "vars": {"ASSISTCTL_BASE_URL": emulator.base_url, "ASSISTCTL_PROVIDER": ""},
        }

    def use(self, command: str, step_id: str | None = None, workspace: Path | None = None) -> Any:
        step = action_command(self.path, step_id, command)
        inputs = {k: evaluate(str(v), self.context) for k, v in step["with"].items()}
        env = {k: evaluate(str(v), self.context) for k, v in (step.get("env") or {}).items()}
        runner = self.runner
        if workspace is not None:  # another job: a fresh workspace
            runner = Runner(workspace.parent / "runner-2", workspace)
        return runner.use(inputs, env=env)


def _needs_tools() -> None:
    if have_tools() is not None:
        pytest.skip(str(have_tools()))


def test_github_plan_workflow(tmp_path: Path, emulator: EmulatorHandle) -> None:
    _needs_tools()
    flow = Workflow(CI / "github" / "assistctl-plan.yml", tmp_path, emulator)
    flow.runner.pull_request(12)
    valid = flow.use("validate")
    assert valid.ok and valid.outputs["exit-code"] == "0"
    (flow.manifests / "broken.yaml").write_text("key: broken\nmodel: gpt-4o\ntemperature: 3\n")
    invalid = flow.use("validate")
    assert (
        not invalid.ok and "::error file=assistants/broken.yaml,line=3,col=14::" in invalid.stdout
    )
    (flow.manifests / "broken.yaml").unlink()

    plan = flow.use("plan")
    assert plan.ok and plan.outputs["exit-code"] == "2" and plan.outputs["to-create"] == "8"
    (post,) = [c for c in plan.gh_calls if "POST" in c["args"]]
    assert post["body"].startswith("<!-- assistctl-plan -->\n### assistctl plan")
    assert emulator.assistants() == [], "a plan changes nothing"

    assert run("apply", "--auto-approve", flow.manifests, env=_at(emulator)).code == 0
    flow.runner.set_comments([{"id": 3, "user": {"type": "Bot"}, "body": post["body"]}])
    again = flow.use("plan")
    assert again.outputs["exit-code"] == "0" and "No changes" in again.summary
    (patch,) = [c for c in again.gh_calls if "PATCH" in c["args"]]
    assert patch["args"][3].endswith("/issues/comments/3")


def test_github_apply_workflow(tmp_path: Path, emulator: EmulatorHandle) -> None:
    _needs_tools()
    flow = Workflow(CI / "github" / "assistctl-apply.yml", tmp_path, emulator)
    plan = flow.use("plan", "plan")
    assert plan.ok and plan.outputs["exit-code"] == "2"  # changes: the apply job runs
    # The apply job: no checkout, only the artifact.
    apply_job = tmp_path / "apply-job" / "workspace"
    apply_job.mkdir(parents=True)
    (apply_job / ".git").mkdir()
    shutil.copy(flow.workspace / "plan.json", apply_job / "plan.json")
    applied = flow.use("apply", workspace=apply_job)
    assert applied.ok, applied.stderr
    assert "Apply complete: 8 created, 0 updated, 0 deleted, 0 failed." in applied.summary
    assert len(emulator.assistants()) == 8
    # The next merge with nothing to do: exit code 0, no apply job.
    assert flow.use("plan", "plan").outputs["exit-code"] == "0"


def test_github_promote_workflow(tmp_path: Path, emulator: EmulatorHandle) -> None:
    """dev on merge, prod's plan saved, applied after approval in a fresh job, ids read."""
    _needs_tools()
    flow = Workflow(CI / "github" / "assistctl-promote.yml", tmp_path, emulator)
    # The same manifests in both environments: examples/environments as assistants/.
    shutil.rmtree(flow.manifests)
    shutil.copytree(ROOT / "examples" / "environments", flow.manifests)
    # dev's host in CI is the environment's variables' (assistctl.yaml names `local`).
    flow.context["vars"]["ASSISTCTL_PROVIDER"] = "openai"
    dev = flow.use("apply", "dev")
    assert dev.ok, dev.stderr
    assert "assistctl command: assistctl --env dev apply" in dev.stdout
    scopes = {a["metadata"]["assistctl"].split("/")[0] for a in emulator.assistants()}
    assert scopes == {"support@dev"} and len(emulator.assistants()) == 2
    plan = flow.use("plan", "plan")
    assert plan.ok and plan.outputs["exit-code"] == "2" and plan.outputs["to-create"] == "1"
    assert "environment `prod`" in plan.summary
    # The approved job: a fresh checkout, the artifact downloaded into assistants/.
    job = tmp_path / "prod-job" / "workspace"
    shutil.copytree(flow.workspace, job)
    (job / "prod.plan").rename(job / "assistants" / "prod.plan")
    applied = flow.use("apply", "prod", workspace=job)
    assert applied.ok, applied.stderr
    assert "Apply complete: 1 created, 0 updated, 0 deleted, 0 failed." in applied.summary
    ids = flow.use("output", "ids", workspace=job)
    assert ids.ok and ids.outputs["exit-code"] == "0", ids.stderr
    [line] = Path(ids.outputs["report"]).read_text().splitlines()
    [prod] = [
        a for a in emulator.assistants() if a["metadata"]["assistctl"].startswith("support@prod/")
    ]
    assert line == f"ASSISTANT_SUPPORT_BOT_ID={prod['id']}"
    # The next merge: dev and prod in sync, no approval needed.
    assert flow.use("apply", "dev").ok
    assert flow.use("plan", "plan").outputs["exit-code"] == "0"


def test_github_drift_workflow(tmp_path: Path, emulator: EmulatorHandle) -> None:
    _needs_tools()
    flow = Workflow(CI / "github" / "assistctl-drift.yml", tmp_path, emulator)
    assert run("apply", "--auto-approve", flow.manifests, env=_at(emulator)).code == 0
    in_sync = flow.use("drift")
    assert in_sync.ok and in_sync.outputs["exit-code"] == "0"
    (tutor,) = [a for a in emulator.assistants() if a["name"] == "Math Tutor"]
    emulator.modify_out_of_band(tutor["id"], temperature=0.9)
    drifted = flow.use("drift")
    assert drifted.outputs["exit-code"] == "2"  # the issue step and "Fail on drift" run
    report = Path(drifted.outputs["report"]).read_text(encoding="utf-8")
    assert report.startswith("### assistctl drift · project `examples`")
    assert "math-tutor" in report and "temperature" in report


def _at(emulator: EmulatorHandle) -> dict[str, str | None]:
    return {"ASSISTCTL_BASE_URL": emulator.base_url, "ASSISTCTL_API_KEY": emulator.api_key}


# ---- the cron example, for real ---------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """A stand-in web server: records requests; answers GitLab-like JSON (see ``routes``)."""

    log: list[tuple[str, str, Any]]
    routes: dict[tuple[str, str], tuple[Any, dict[str, str]]]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.log.append((self.command, self.path, body))
        payload, headers = self.routes.get((self.command, self.path), ({}, {}))
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, type[_Recorder]]]:
    handler = type("Handler", (_Recorder,), {"log": [], "routes": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _script_env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ASSISTCTL_", "OPENAI_")) and k not in ("NO_COLOR", "FORCE_COLOR")
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def test_cron_script(
    emulator: EmulatorHandle, tmp_path: Path, recorder: tuple[str, type[_Recorder]]
) -> None:
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    manifests = copy_examples(tmp_path / "repo")
    env = {"ASSISTCTL_BASE_URL": emulator.base_url, "ASSISTCTL_API_KEY": emulator.api_key}
    assert run("apply", "--auto-approve", manifests, env=env).code == 0
    url, handler = recorder
    if shutil.which("curl"):
        env["ASSISTCTL_DRIFT_WEBHOOK"] = f"{url}/hook"

    def cron() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(CRON_SCRIPT)],
            cwd=tmp_path / "repo",
            env=_script_env(env),
            capture_output=True,
            text=True,
            timeout=120,
        )

    in_sync = cron()
    assert (in_sync.returncode, in_sync.stdout, in_sync.stderr) == (0, "", ""), "silent: no mail"
    (tutor,) = [a for a in emulator.assistants() if a["name"] == "Math Tutor"]
    emulator.modify_out_of_band(tutor["id"], temperature=0.9)
    drifted = cron()
    assert drifted.returncode == 2, drifted.stderr
    assert "math-tutor" in drifted.stdout and "0.2 -> 0.9" in drifted.stdout
    assert drifted.stdout.rstrip().endswith(
        "Drift: 1 changed out of band, 0 missing, 0 not in the manifests."
    )
    assert drifted.stderr == ""
    if "ASSISTCTL_DRIFT_WEBHOOK" in env:
        ((method, where, body),) = handler.log
        assert (method, where) == ("POST", "/hook")
        assert body["text"].startswith("```\n") and "math-tutor" in body["text"]

    # No key for a remote host: an error, exit 1, said on stderr.
    env.update(ASSISTCTL_API_KEY="", ASSISTCTL_BASE_URL="https://assistants.invalid/v1")
    failed = cron()
    assert failed.returncode == 1 and failed.stdout == ""
    assert "assistctl: error:" in failed.stderr
    assert "the drift check failed (exit 1)" in failed.stderr


def test_crontab_line() -> None:
    entries = [
        line
        for line in CRONTAB.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#") and not re.match(r"\w+=", line)
    ]
    (entry,) = entries
    fields = entry.split(None, 5)
    field = r"(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*"
    assert all(re.fullmatch(field, f) for f in fields[:5]), fields[:5]
    assert CRON_SCRIPT.name in fields[5]
    assert os.access(CRON_SCRIPT, os.X_OK), "the script is executable"


# ---- the GitLab API scripts, against a stand-in for GitLab -----------------------------------


def _python_heredocs(script: str) -> list[str]:
    return re.findall(r"python3 - <<'PY'\n(.*?)\nPY\n", script, re.S)


def _gitlab_script(job: str) -> str:
    (script,) = _load(GITLAB)[job]["script"]
    return str(script)


def _run_snippet(code: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=_script_env(env), check=True, timeout=60
    )


def test_gitlab_plan_note_is_created_then_updated(
    tmp_path: Path, recorder: tuple[str, type[_Recorder]]
) -> None:
    (code,) = _python_heredocs(_gitlab_script("plan:mr"))
    url, handler = recorder
    (tmp_path / "note.md").write_text("### assistctl plan · project `examples`\n")
    env = {
        "CI_API_V4_URL": f"{url}/api/v4",
        "CI_PROJECT_ID": "7",
        "CI_MERGE_REQUEST_IID": "3",
        "GITLAB_API_TOKEN": "glpat-test",
        "CI_COMMIT_SHORT_SHA": "abc1234",
    }
    notes = "/api/v4/projects/7/merge_requests/3/notes"
    handler.routes = {("GET", f"{notes}?per_page=100&page=1"): ([{"id": 1, "body": "LGTM"}], {})}
    _run_snippet(code, tmp_path, env)
    assert [(m, p) for m, p, _ in handler.log][-1] == ("POST", notes)
    assert handler.log[-1][2]["body"].startswith("<!-- assistctl-plan -->\n### assistctl plan")

    # The next push: the note is on page 2; it is updated, not duplicated.
    handler.log.clear()
    handler.routes = {
        ("GET", f"{notes}?per_page=100&page=1"): (
            [{"id": 1, "body": "LGTM"}],
            {"X-Next-Page": "2"},
        ),
        ("GET", f"{notes}?per_page=100&page=2"): (
            [{"id": 42, "body": "<!-- assistctl-plan -->\nold plan"}],
            {"X-Next-Page": ""},
        ),
    }
    _run_snippet(code, tmp_path, env)
    assert [(m, p) for m, p, _ in handler.log] == [
        ("GET", f"{notes}?per_page=100&page=1"),
        ("GET", f"{notes}?per_page=100&page=2"),
        ("PUT", f"{notes}/42"),
    ]


def test_gitlab_drift_issue_is_opened_then_updated(
    tmp_path: Path, recorder: tuple[str, type[_Recorder]]
) -> None:
    (code,) = _python_heredocs(_gitlab_script("drift"))
    url, handler = recorder
    (tmp_path / "drift.md").write_text("### assistctl drift · project `examples`\n")
    env = {
        "CI_API_V4_URL": f"{url}/api/v4",
        "CI_PROJECT_ID": "7",
        "GITLAB_API_TOKEN": "glpat-test",
        "CI_JOB_URL": "https://gitlab.example/jobs/1",
    }
    issues = "/api/v4/projects/7/issues"
    listing = f"{issues}?labels=assistctl-drift&state=opened&per_page=100"
    handler.routes = {("GET", listing): ([{"iid": 5, "title": "something else"}], {})}
    _run_snippet(code, tmp_path, env)
    method, where, body = handler.log[-1]
    assert (method, where) == ("POST", issues)
    assert body["labels"] == "assistctl-drift" and body["description"].startswith(
        "### assistctl drift"
    )

    handler.log.clear()
    title = "assistctl: live assistants drifted from the manifests"
    handler.routes = {("GET", listing): ([{"iid": 9, "title": title}], {})}
    _run_snippet(code, tmp_path, env)
    assert [(m, p) for m, p, _ in handler.log] == [("GET", listing), ("PUT", f"{issues}/9")]


# ---- the hardening GitLab recommends ----------------------------------------------------------


def test_gitlab_hardening() -> None:
    doc = _load(GITLAB)
    text = GITLAB.read_text(encoding="utf-8")
    # The key that writes is a protected variable: only the default branch's jobs use it.
    mr_jobs = [
        name
        for name, job in doc.items()
        if isinstance(job, dict) and "script" in job and "merge_request_event" in str(job["rules"])
    ]
    assert mr_jobs
    for name in mr_jobs:
        script = "\n".join(doc[name]["script"])
        assert '"$ASSISTCTL_API_KEY"' not in script and "${ASSISTCTL_API_KEY" not in script
        assert doc[name]["interruptible"] is True
    assert 'ASSISTCTL_API_KEY="$ASSISTCTL_PLAN_API_KEY" assistctl plan' in text
    apply = doc["apply:main"]
    assert apply["resource_group"] == "assistants-production"
    assert apply["interruptible"] is False
    assert apply["environment"]["name"] == "assistants-production"
    # pip never sees a key.
    (install,) = doc["default"]["before_script"]
    assert install.startswith(
        "env -u ASSISTCTL_API_KEY -u ASSISTCTL_PLAN_API_KEY -u GITLAB_API_TOKEN pip install"
    )


def test_gitlab_mr_plan_without_a_key_is_a_warning(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    """A fork's merge request has no variables: the job says why and exits 3 (allowed)."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    copy_examples(tmp_path / "repo")
    (script,) = _load(GITLAB)["plan:mr"]["script"]
    assert _load(GITLAB)["plan:mr"]["allow_failure"] == {"exit_codes": [3]}
    env = {"MANIFESTS": "assistants", "ASSISTCTL_BASE_URL": emulator.base_url}

    def job(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            cwd=tmp_path / "repo",
            env=_script_env({**env, **extra}),
            capture_output=True,
            text=True,
            timeout=120,
        )

    fork = job({})
    assert fork.returncode == 3 and "No ASSISTCTL_PLAN_API_KEY in this pipeline" in fork.stdout
    own = job({"ASSISTCTL_PLAN_API_KEY": emulator.api_key})
    assert own.returncode == 0, own.stdout + own.stderr
    assert "**Plan: 8 to create, 0 to update, 0 to delete.**" in own.stdout


# ---- the pre-commit configuration example ---------------------------------------------------


def test_pre_commit_config_example_names_the_published_hook() -> None:
    config = _load(CI / "pre-commit-config.yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    published = {h["id"] for h in hooks}
    used = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert used and used <= published
    clientlib = pytest.importorskip("pre_commit.clientlib")
    clientlib.load_config(str(CI / "pre-commit-config.yaml"))
