"""What the CLI prints besides its results: --version, shell completion, -q, the progress bar.

``-q`` contract: only errors and the final result. Progress notes ("Planning project ...",
one line per applied change, "Saved the plan to ...", "wrote FILE") disappear; results (the
plan, the report, the final apply line, validation errors) and every error stay.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistctl import __version__
from assistctl.emulator.testing import EmulatorHandle
from assistctl.output.progress import BAR_MIN_CHANGES, LineProgress, TtyProgress, choose
from clihelpers import at, copy_examples, project_dir, run

APPLIED = "Apply complete: 8 created, 0 updated, 0 deleted, 0 failed.\n"
NO_CHANGES = "No changes. Live assistants match the manifests.\n"


def test_version() -> None:
    r = run("--version")
    assert (r.code, r.out, r.err) == (0, f"assistctl, version {__version__}\n", "")


# ---- shell completion -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        ("bash", "complete -o nosort -F _assistctl_completion assistctl"),
        ("zsh", "#compdef assistctl"),
        ("fish", "complete --no-files --command assistctl"),
    ],
)
def test_completion_script(shell: str, expected: str) -> None:
    r = run(env={"_ASSISTCTL_COMPLETE": f"{shell}_source"})
    assert r.code == 0 and expected in r.out, r.text


def test_completion_script_from_the_installed_command() -> None:
    # The documented line: eval "$(_ASSISTCTL_COMPLETE=bash_source assistctl)"
    script = Path(sys.executable).parent / "assistctl"
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "assistctl"]
    env = {"_ASSISTCTL_COMPLETE": "bash_source", "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "_assistctl_completion_setup;" in done.stdout


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("assistctl pl", "1", ["plain,plan"]),
        ("assistctl plan --for", "2", ["plain,--format"]),
        ("assistctl plan --format ", "3", ["plain,text", "plain,json", "plain,markdown"]),
        ("assistctl --provider a", "2", ["plain,aimlapi", "plain,azure"]),
    ],
)
def test_completion_answers(words: str, cword: str, expected: list[str]) -> None:
    env = {"_ASSISTCTL_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": cword}
    r = run(env=env)
    assert r.code == 0 and r.out.split() == expected, r.text


# ---- -q: only errors and the final result ----------------------------------------------------


@pytest.fixture
def flags(emulator: EmulatorHandle) -> list[str]:
    return ["-q", *at(emulator.base_url, emulator.api_key)]


def test_quiet_validate(tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    r = run("-q", "validate", root)
    assert (r.code, r.out, r.err) == (0, "8 manifests valid (7 files)\n", "")
    (root / "empty.yaml").write_text("")  # a warning
    (root / "bad.yaml").write_text("key: bad\nmodel: gpt-4o\ntemperature: 3\n")
    loud = run("validate", str(root / "empty.yaml"), str(root / "bad.yaml"))
    assert "warning: the file is empty" in loud.out
    r = run("-q", "validate", str(root / "empty.yaml"), str(root / "bad.yaml"))
    assert r.code == 1 and r.err == ""
    assert r.out.splitlines() == [
        # Every error at once: the policy's beside the schema's.
        f"{root / 'bad.yaml'}:1:1: metadata.team: metadata 'team' is required by the project "
        "policy",
        f"{root / 'bad.yaml'}:3:14: temperature: must be at most 2, got 3",
        "2 errors in 1 of 3 files, 1 warning",  # the project file counts
    ]
    gh = run("-q", "validate", "--format", "github", str(root / "empty.yaml"), str(root))
    assert "::warning" not in gh.out and "::error" in gh.out
    data = run("-q", "validate", "--format", "json", str(root / "empty.yaml"))
    doc = json.loads(data.out)
    assert "warning" in [d["severity"] for d in doc["diagnostics"]], "json stays complete"
    assert doc["summary"]["warnings"] == 1 and len(doc["errors"]) == 1


def test_quiet_plan_apply_drift(flags: list[str], tmp_path: Path, emulator: EmulatorHandle) -> None:
    root = copy_examples(tmp_path)
    plan = run(*flags, "plan", "--out", tmp_path / "plan.json", root)
    assert plan.code == 0 and plan.err == ""
    assert plan.out.endswith("Plan: 8 to create, 0 to update, 0 to delete.\n")

    r = run(*flags, "--project", "examples", "apply", tmp_path / "plan.json")
    assert (r.code, r.out, r.err) == (0, APPLIED, "")
    r = run(*flags, "apply", "--auto-approve", root)
    assert (r.code, r.out, r.err) == (0, NO_CHANGES, "")

    (root / "weather-agent.yaml").unlink()
    r = run(*flags, "apply", "--auto-approve", root)
    assert (r.code, r.err) == (0, "")
    assert r.out == "Apply complete: 0 created, 0 updated, 1 deleted, 0 failed.\n"

    assert run(*flags, "plan", "--out", tmp_path / "none.json", root).err == ""
    r = run(*flags, "--project", "examples", "apply", tmp_path / "none.json")
    assert (r.code, r.out, r.err) == (0, "", "No changes in this plan.\n"), "still the result"

    r = run(*flags, "drift", root)
    # Even quiet, a report names where it was made.
    assert (r.code, r.err) == (0, "")
    assert r.out == targeted(emulator, "No drift. Live assistants match the manifests.")


def targeted(emulator: EmulatorHandle, result: str) -> str:
    """A quiet plan or drift report: the line naming where it was made, then the result."""
    host = emulator.base_url.split("//")[1].split("/")[0]
    return f'Target: project "examples" on {host} ({emulator.base_url})\n\n{result}\n'


def test_quiet_still_shows_errors(flags: list[str], tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    r = run("-q", "--base-url", "http://127.0.0.1:9/v1", "--api-key", "k", "plan", root)
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("assistctl: error: ") and "127.0.0.1:9" in r.err
    r = run(*flags, "apply", root)  # no terminal, no --auto-approve: refused, plan shown
    assert r.code == 1 and "Plan: 8 to create" in r.out
    assert r.err.startswith("assistctl: error: Refusing to apply without a terminal")


def test_quiet_plan_and_drift_print_only_errors_and_the_result(
    flags: list[str], tmp_path: Path, emulator: EmulatorHandle
) -> None:
    """Issue 14, case 7: no list of the assistants left alone, no diff, no warnings; only
    the target line (issue 13: every plan names where it was made) before the result."""
    root = copy_examples(tmp_path)
    emulator.seed_assistants(3, name="made by hand")
    loud = run(*flags[1:], "plan", root)
    assert "left alone (3)" in loud.out
    r = run(*flags, "plan", root)
    plan = targeted(emulator, "Plan: 8 to create, 0 to update, 0 to delete.")
    assert (r.code, r.out, r.err) == (0, plan, "")
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    r = run(*flags, "drift", root)
    no_drift = targeted(emulator, "No drift. Live assistants match the manifests.")
    assert (r.code, r.out, r.err) == (0, no_drift, "")
    (root / "weather-agent.yaml").unlink()
    r = run(*flags, "drift", root)
    drift = targeted(emulator, "Drift: 0 changed out of band, 0 missing, 1 not in the manifests.")
    assert (r.code, r.out) == (2, drift)


def test_a_refused_plan_never_says_no_changes(
    flags: list[str], tmp_path: Path, emulator: EmulatorHandle
) -> None:
    """Issue 14, case 7: a refused plan with nothing else to do (duplicate labels are now
    repaired, so the refusal here is a model the host no longer serves)."""
    root = copy_examples(tmp_path)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    models = {a["model"] for a in emulator.assistants()}
    emulator.seed_catalog("models", *sorted(models - {"gpt-4o-mini"}))
    runs: list[list[str | Path]] = [
        [*flags[1:], "plan", root],
        [*flags[1:], "plan", "--format", "markdown", root],
        [*flags, "plan", root],
        [*flags, "apply", "--auto-approve", root],
        [*flags[1:], "apply", "--auto-approve", root],
    ]
    for argv in runs:
        r = run(*argv)
        assert r.code == 1, r.text
        assert "No changes" not in r.out, argv
        assert "model 'gpt-4o-mini' is not a model this host serves" in r.err, r.err
    r = run(*flags, "plan", root)
    # Refused, it still names where it was made (issue 13).
    assert r.out.startswith('Target: project "examples" on ')
    assert r.out.splitlines()[-1].startswith("Plan refused: ")
    assert run(*flags[1:], "plan", root).out.startswith('Target: project "examples" on ')
    assert run(*flags, "apply", "--auto-approve", root).out == ""


def test_quiet_import_and_export(
    flags: list[str], tmp_path: Path, emulator: EmulatorHandle
) -> None:
    (live,) = emulator.seed_assistants(1, name="Support Bot")
    out = tmp_path / "exported"
    project_dir(tmp_path)
    r = run(*flags, "export", "--all", "--out", out)
    assert r.code == 0 and r.err == ""
    assert "wrote" not in r.out
    assert r.out.splitlines()[0] == (
        f"Exported 1 assistant(s) of project 'default' to {out}: 1 new file(s), 0 updated in "
        "place, 0 up to date (0 managed, 1 not yet adopted)."
    )
    assert f"  assistctl import support-bot={live['id']} {out}" in r.out

    r = run(*flags, "import", f"support-bot={live['id']}", out, "--auto-approve")
    assert (r.code, r.err) == (0, "")
    assert r.out == "Import complete: 1 label(s) written, 0 already in place.\n"


@pytest.mark.parametrize("command", [["providers"], ["schema"]])
def test_quiet_offline_commands(command: list[str]) -> None:
    loud, quiet = run(*command), run("-q", *command)
    assert quiet.code == 0 and quiet.err == "" and quiet.out == loud.out


# ---- the progress display of apply -----------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("tty", "total", "quiet", "kind"),
    [
        (True, BAR_MIN_CHANGES, False, TtyProgress),
        (True, 50, False, TtyProgress),
        (True, BAR_MIN_CHANGES - 1, False, LineProgress),  # a few: one line each
        (True, 1, False, LineProgress),
        (False, 50, False, LineProgress),  # CI logs, cron, pipes
        (True, 50, True, type(None)),
        (False, 50, True, type(None)),
    ],
)
def test_progress_choice(tty: bool, total: int, quiet: bool, kind: type) -> None:
    stream = _Terminal() if tty else io.StringIO()
    assert type(choose(stream, total, quiet=quiet)) is kind
