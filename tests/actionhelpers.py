"""Run this repository's composite GitHub Action (``action.yml``) the way a runner does.

Each ``run:`` step is executed with ``bash --noprofile --norc -eo pipefail`` (a runner's
``shell: bash``) in a scratch workspace, with the files a runner provides
(``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``GITHUB_PATH``, ``GITHUB_EVENT_PATH``) and the
step's ``env:`` evaluated from the inputs and earlier steps' outputs. ``uses:`` steps
(setup-python) are not run: the test's Python stands in. The GitHub CLI is replaced by
:data:`GH_STUB`, a stand-in that records every call and answers the comment listing from a
JSON file through the real ``jq`` (as ``gh --jq`` does). assistctl itself is the real one:
the test environment's, or the one the install step builds (``install=True``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
REPOSITORY = "acme/assistants"
API_KEY_NAMES = (
    "ASSISTCTL_API_KEY",
    "OPENAI_API_KEY",
    "AIMLAPI_API_KEY",
    "LAPLAS_API_KEY",
    "AZURE_OPENAI_API_KEY",
)

GH_STUB = f"""#!{sys.executable}
# Stand-in for the GitHub CLI: records each call; `gh api` answers GETs from
# $GH_STUB_COMMENTS through jq (as --jq does) and writes nothing anywhere.
import json, os, subprocess, sys

args = sys.argv[1:]
record = {{"args": args, "GH_TOKEN": os.environ.get("GH_TOKEN"), "GH_HOST": os.environ.get("GH_HOST"),
          "keys": sorted(k for k in {list(API_KEY_NAMES)!r} if k in os.environ)}}
method = args[args.index("--method") + 1] if "--method" in args else "GET"
for i, arg in enumerate(args):
    if arg == "-F" and args[i + 1].startswith("body=@"):
        with open(args[i + 1][len("body=@"):], encoding="utf-8") as fh:
            record["body"] = fh.read()
with open(os.environ["GH_STUB_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
if method == "GET":
    with open(os.environ["GH_STUB_COMMENTS"], encoding="utf-8") as fh:
        page = fh.read()
    if "--jq" in args:
        jq = ["jq", "-r", args[args.index("--jq") + 1]]
        sys.stdout.write(subprocess.run(jq, input=page, capture_output=True, text=True, check=True).stdout)
    else:
        sys.stdout.write(page)
else:
    sys.stdout.write("{{}}\\n")
"""

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_PATH = re.compile(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*")


def load_action() -> dict[str, Any]:
    doc = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def expressions(text: str) -> list[str]:
    return _EXPRESSION.findall(text)


def evaluate(text: str, context: Mapping[str, Any]) -> str:
    """``${{ a.b.c }}`` replaced by its value in ``context``; other expressions refused."""

    def value(match: re.Match[str]) -> str:
        path = match.group(1)
        assert _PATH.fullmatch(path), f"the test harness evaluates plain lookups only: {path}"
        node: Any = context
        for part in path.split("."):
            node = node.get(part, "") if isinstance(node, Mapping) else ""
        return "" if node is None else str(node)

    return _EXPRESSION.sub(value, text)


@dataclass
class ActionRun:
    """What one use of the action left behind."""

    ok: bool
    outputs: dict[str, str]
    summary: str
    stdout: str
    stderr: str
    gh_calls: list[dict[str, Any]]
    failed_step: str | None = None
    step_outputs: dict[str, dict[str, str]] = field(default_factory=dict)


def _read_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line:
            name, sep, value = line.partition("=")
            assert sep, f"GITHUB_OUTPUT line without '=': {line!r}"
            outputs[name] = value
    return outputs


class Runner:
    """A job's worth of runner state: one workspace, one RUNNER_TEMP, one step summary."""

    def __init__(self, root: Path, workspace: Path, *, env: Mapping[str, str] | None = None):
        self.root = root
        self.workspace = workspace
        self.temp = root / "runner-temp"
        self.temp.mkdir(parents=True, exist_ok=True)
        self.summary = root / "step-summary.md"
        self.summary.touch()
        self.gh_log = root / "gh-calls.jsonl"
        self.gh_log.touch()
        self.comments = root / "comments.json"
        self.comments.write_text("[]")
        self.event = root / "event.json"
        self.event.write_text("{}")
        self.event_name = "push"
        bin_dir = root / "stub-bin"
        bin_dir.mkdir(exist_ok=True)
        (bin_dir / "gh").write_text(GH_STUB, encoding="utf-8")
        (bin_dir / "gh").chmod(0o755)
        self.path = [str(bin_dir), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
        self.env = dict(env or {})

    def pull_request(self, number: int, *, fork: bool = False, sha: str = "abc1234def") -> None:
        head = "someone/assistants-fork" if fork else REPOSITORY
        event = {
            "pull_request": {"number": number, "head": {"repo": {"full_name": head}, "sha": sha}}
        }
        self.event.write_text(json.dumps(event))
        self.event_name = "pull_request"

    def set_comments(self, comments: list[dict[str, Any]]) -> None:
        self.comments.write_text(json.dumps(comments))

    def base_env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTCTL_", "OPENAI_"))}
        keep.pop("NO_COLOR", None)
        keep.pop("FORCE_COLOR", None)
        return {
            **keep,
            "PATH": os.pathsep.join(self.path),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_RUN_ID": "4242",
            "GITHUB_EVENT_NAME": self.event_name,
            "GITHUB_EVENT_PATH": str(self.event),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "RUNNER_TEMP": str(self.temp),
            "GH_STUB_LOG": str(self.gh_log),
            "GH_STUB_COMMENTS": str(self.comments),
            "GITHUB_PATH": str(self.root / "github-path"),
            **self.env,
        }

    def use(
        self,
        inputs: Mapping[str, str],
        *,
        env: Mapping[str, str] | None = None,
        install: bool = False,
    ) -> ActionRun:
        """One ``uses:`` of the action with ``with: inputs`` and the step's ``env:``."""
        action = load_action()
        declared = action["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs the action does not declare: {unknown}"
        values = {name: spec.get("default", "") for name, spec in declared.items()}
        values["github-token"] = "ghs_workflow_token"  # ${{ github.token }}
        values.update(inputs)
        for name, spec in declared.items():
            assert not spec.get("required") or values.get(name), f"missing input {name}"
        self.summary.write_text("")
        calls_before = len(self.gh_log.read_text().splitlines())
        steps: dict[str, dict[str, str]] = {}
        stdout = stderr = ""
        failed = None
        for index, step in enumerate(action["runs"]["steps"]):
            if "uses" in step:
                continue
            if step["name"] == "Install assistctl" and not install:
                continue
            context = {"inputs": values, "steps": {k: {"outputs": v} for k, v in steps.items()}}
            step_env = {k: evaluate(str(v), context) for k, v in (step.get("env") or {}).items()}
            cwd = self.workspace / evaluate(step.get("working-directory", "."), context)
            output = self.root / f"output-{index}"
            output.write_text("")
            script = self.root / f"step-{index}.sh"
            script.write_text(step["run"], encoding="utf-8")
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=cwd,
                env={
                    **self.base_env(),
                    **(env or {}),
                    **step_env,
                    "GITHUB_OUTPUT": str(output),
                },
                capture_output=True,
                text=True,
                timeout=600,
            )
            stdout += result.stdout
            stderr += result.stderr
            steps[step.get("id", f"step{index}")] = _read_outputs(output)
            if result.returncode != 0:
                failed = step["name"]
                break
        context = {"steps": {k: {"outputs": v} for k, v in steps.items()}}
        outputs = {
            name: evaluate(spec["value"], context) for name, spec in action["outputs"].items()
        }
        calls = [json.loads(line) for line in self.gh_log.read_text().splitlines()]
        return ActionRun(
            ok=failed is None,
            outputs=outputs,
            summary=self.summary.read_text(encoding="utf-8"),
            stdout=stdout,
            stderr=stderr,
            gh_calls=calls[calls_before:],
            failed_step=failed,
            step_outputs=steps,
        )


def have_tools() -> str | None:
    """Why the action cannot be run here, or None."""
    for tool in ("bash", "jq"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None
