"""examples/ci/: every pipeline, hook and cron example parses, and its assistctl commands work.

Each ``assistctl ...`` command line is extracted from the shell the example runs (GitHub
``run:`` steps, GitLab ``script:`` entries, the cron script), checked against the click
declarations (the subcommand and every flag exist), then run as written against the emulator
in the order a pipeline would: validate, plan, apply, plan again, drift. The GitLab note and
issue scripts run against a stand-in for GitLab's API on 127.0.0.1, and the cron script runs
for real, webhook included.
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

from assistctl.cli.main import cli
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import make_label
from clihelpers import ROOT, copy_examples, run

CI = ROOT / "examples" / "ci"
GITHUB = sorted((CI / "github").glob("*.yml"))
GITLAB = CI / "gitlab" / ".gitlab-ci.yml"
CRON_SCRIPT = CI / "cron" / "assistctl-drift.sh"
CRONTAB = CI / "cron" / "crontab"
PIPELINES = [*GITHUB, GITLAB, CRON_SCRIPT]

EXPECTED_SUBCOMMANDS = {
    "assistctl-plan.yml": {"validate", "plan"},
    "assistctl-apply.yml": {"plan", "apply"},
    "assistctl-drift.yml": {"drift"},
    ".gitlab-ci.yml": {"validate", "plan", "apply", "drift"},
    "assistctl-drift.sh": {"drift"},
}


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
    assert names == EXPECTED_SUBCOMMANDS[path.name]


def test_key_commands_are_there() -> None:
    """The issue's contract: which format each pipeline uses."""
    lines = {p.name: [" ".join(c) for c in commands_of(p)] for p in PIPELINES}
    assert any("validate --format github" in c for c in lines["assistctl-plan.yml"])
    assert any("plan --format markdown" in c for c in lines["assistctl-plan.yml"])
    assert any("--out plan.json" in c for c in lines["assistctl-apply.yml"])
    assert "assistctl apply plan.json" in lines["assistctl-apply.yml"]
    assert any("drift --format markdown --out drift.md" in c for c in lines["assistctl-drift.yml"])
    gitlab = lines[".gitlab-ci.yml"]
    assert any("plan --format markdown" in c for c in gitlab)
    assert "assistctl apply plan.json" in gitlab
    assert any("drift --format markdown --out drift.md" in c for c in gitlab)


def test_github_comment_and_issue_are_updated_not_duplicated() -> None:
    plan = _load(CI / "github" / "assistctl-plan.yml")
    (script,) = [
        s["with"]["script"]
        for s in plan["jobs"]["plan"]["steps"]
        if "with" in s and "script" in s["with"]
    ]
    assert "<!-- assistctl-plan -->" in script
    assert "updateComment" in script and "createComment" in script
    assert script.index("updateComment") < script.index("createComment")
    drift = _load(CI / "github" / "assistctl-drift.yml")
    steps = drift["jobs"]["drift"]["steps"]
    (script,) = [s["with"]["script"] for s in steps if "with" in s and "script" in s["with"]]
    assert "labels: label" in script and "issues.update" in script and "issues.create" in script
    assert any(s.get("run", "").rstrip().endswith("exit 2") for s in steps), "drift fails the job"


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


@pytest.mark.parametrize("path", PIPELINES, ids=_ids(PIPELINES))
def test_commands_run_against_the_emulator(
    path: Path, emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifests = copy_examples(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo")
    values = {"MANIFESTS": "assistants", "manifests": "assistants", "report": "report.txt"}
    env = {"ASSISTCTL_BASE_URL": emulator.base_url, "ASSISTCTL_API_KEY": emulator.api_key}
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
        (tutor,) = [
            a
            for a in emulator.assistants()
            if a["metadata"]["assistctl"] == make_label("examples", "math-tutor")
        ]
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
        if not k.startswith(("ASSISTCTL_", "OPENAI_")) and k != "NO_COLOR"
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

    env["ASSISTCTL_API_KEY"] = ""  # a refused key: an error, exit 1, said on stderr
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


# ---- the pre-commit configuration example ---------------------------------------------------


def test_pre_commit_config_example_names_the_published_hook() -> None:
    config = _load(CI / "pre-commit-config.yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    published = {h["id"] for h in hooks}
    used = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert used and used <= published
    clientlib = pytest.importorskip("pre_commit.clientlib")
    clientlib.load_config(str(CI / "pre-commit-config.yaml"))
