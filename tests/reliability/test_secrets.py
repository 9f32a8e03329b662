"""The API key never appears in stdout, stderr, plan files, reports or exported manifests.

A recognisable key is passed each way the CLI reads one (``--api-key``, ``ASSISTCTL_API_KEY``,
``OPENAI_API_KEY``), with and without ``-v`` (which adds the HTTP log and tracebacks), to
every command in every output format, against a host that accepts it, one that refuses it
(401, with the emulator echoing a masked form of it as OpenAI does) and a port where nothing
listens. Any 8-character piece of the key, or its last 4 characters, counts as a leak.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistctl.cli.main import cli
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import RunningServer, start_server
from clihelpers import CliResult, project_dir, run

from ._support import free_port

KEY = "sk-test-RELIABILITY-9f8e7d6c5b4a"
PIECES = {KEY[i : i + 8] for i in range(len(KEY) - 7)} | {KEY[-4:]}
SOURCES = ("--api-key", "ASSISTCTL_API_KEY", "OPENAI_API_KEY")
COVERED = {
    "validate",
    "schema",
    "providers",
    "export",
    "import",
    "plan",
    "apply",
    "drift",
    "output",
}
NOT_COVERED = {"emulator": "serves until stopped; it takes no key of its own"}


def leaks(text: str) -> list[str]:
    return sorted(piece for piece in PIECES if piece in text)


@pytest.fixture(scope="module")
def hosts() -> Iterator[dict[str, RunningServer]]:
    """One emulator that accepts only the key, one that accepts only another key."""
    with (
        start_server("127.0.0.1", 0, EmulatorApp("openai", api_keys=[KEY])) as accepting,
        start_server(
            "127.0.0.1", 0, EmulatorApp("openai", api_keys=["sk-another-0000"])
        ) as refusing,
    ):
        yield {"accepted": accepting, "refused-401": refusing}


def test_every_command_is_covered() -> None:
    assert set(cli.commands) - set(NOT_COVERED) == COVERED, "a new command needs a secrets case"


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("outcome", ["accepted", "refused-401", "connection-refused"])
def test_the_key_never_leaks(
    hosts: dict[str, RunningServer], tmp_path: Path, outcome: str, source: str, verbose: bool
) -> None:
    if outcome == "connection-refused":
        url = f"http://127.0.0.1:{free_port()}/v1"
        seeded_id = "asst_nothing"
    else:
        server = hosts[outcome]
        server.app.reset()
        url = server.base_url
        seeded_id = server.app.create_assistant({"model": "gpt-4o", "name": "by hand"}).id
    root = project_dir(
        tmp_path / "p",
        {"alpha.yaml": "key: alpha\nmodel: gpt-4o\n", "beta.yaml": "key: beta\nmodel: gpt-4o\n"},
    )
    flags = ["-v"] if verbose else []
    flags += ["--base-url", url, "--max-retries", "0"]
    env: dict[str, str | None] = {}
    if source == "--api-key":
        flags += ["--api-key", KEY]
    else:
        env[source] = KEY
    plan_file, report, exported = tmp_path / "plan.json", tmp_path / "drift.md", tmp_path / "out"

    runs: list[tuple[str, CliResult]] = []

    def cli_run(*args: str | Path) -> None:
        runs.append((" ".join(map(str, args)), run(*flags, *args, env=env)))

    for fmt in ("text", "json", "github"):
        cli_run("validate", "--format", fmt, root)
    cli_run("schema")
    for fmt in ("text", "json"):
        cli_run("providers", "--format", fmt)
    cli_run("export", "--all", "--out", exported / "all")
    cli_run("import", f"beta={seeded_id}", root, "--auto-approve")
    for fmt in ("text", "json"):
        cli_run("plan", "--format", fmt, root)
    cli_run("plan", "--format", "markdown", "--out", plan_file, root)
    cli_run("apply", plan_file)
    for fmt in ("text", "json"):
        cli_run("drift", "--format", fmt, root)
    cli_run("drift", "--format", "markdown", "--out", report, root)
    cli_run("apply", "--auto-approve", root)
    cli_run("export", "--out", exported / "managed")
    for fmt in ("text", "json", "env", "dotenv"):
        cli_run("output", "--format", fmt, root)
    cli_run("plan", "--format", "nope", root)  # a usage error, too

    for what, result in runs:
        assert not leaks(result.text), f"{what}: {leaks(result.text)}\n{result.text}"
        assert "internal error" not in result.text, f"{what}:\n{result.text}"
    files = [plan_file, report, *exported.rglob("*")]
    for file in files:
        if file.is_file():
            assert not leaks(file.read_text(errors="replace")), f"{file}: leaked"

    codes = {what: result.code for what, result in runs}
    if outcome == "accepted":
        # The success path really ran: the commands did their job.
        assert codes[f"import beta={seeded_id} {root} --auto-approve"] == 0, runs
        assert codes[f"apply {plan_file}"] == 0, runs
        assert codes[f"drift --format text {root}"] == 0, runs
        assert plan_file.is_file() and report.is_file()
        assert list((exported / "managed").glob("*.yaml")), "nothing was exported"
        assert codes[f"output --format dotenv {root}"] == 0, runs
    else:
        # The failure path really ran: every command that talks to the host failed.
        for what, code in codes.items():
            offline = what.startswith(("validate", "schema", "providers", "plan --format nope"))
            assert code == (0 if offline and "nope" not in what else 1), f"{what}: {code}"


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
def test_a_key_named_by_an_environment_never_leaks(
    hosts: dict[str, RunningServer], tmp_path: Path, verbose: bool
) -> None:
    """The key in the variable an environment names (``api_key_env``), accepted or refused."""
    root = project_dir(
        tmp_path / "p",
        {
            "assistctl.yaml": "project: p\nenvironments:\n"
            "  prod: {api_key_env: REL_PROD_KEY, base_url_env: REL_PROD_URL}\n",
            "alpha.yaml": "key: alpha\nmodel: gpt-4o\n",
        },
    )
    flags = ["-v"] if verbose else []
    for outcome, server in hosts.items():
        server.app.reset()
        env: dict[str, str | None] = {"REL_PROD_KEY": KEY, "REL_PROD_URL": server.base_url}
        for args in (
            ("plan", "--format", "json"),
            ("apply", "--auto-approve"),
            ("drift",),
            ("output", "--format", "dotenv"),
        ):
            result = run(*flags, "--env", "prod", "--max-retries", "0", *args, root, env=env)
            assert not leaks(result.text), f"{outcome} {args}: {result.text}"
            assert result.code == (0 if outcome == "accepted" else 1), (outcome, args, result.text)
