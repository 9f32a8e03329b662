"""The key goes only where the trusted side said (issue 13, attack 2), and every plan says
which host it was made against.

A pull request sets ``base_url`` in ``assistctl.yaml`` to its own server (here a second
emulator on 127.0.0.1 whose request log must stay empty). The pipeline's key is in the
environment, as in CI. Plain http to a host off this machine never carries a key, whoever
chose it: shown with an HTTP proxy (a listener counting connections) that would see it.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistctl.api.target import resolve_target
from assistctl.config.providers import LOOPBACK_KEY
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import start_server
from assistctl.emulator.testing import EmulatorHandle
from assistctl.errors import ConfigError
from assistctl.options import GlobalOptions
from clihelpers import copy_examples, run

from ._attack import PROJECT, attacker_host, flags

KEY_ENV = "ASSISTCTL_API_KEY"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


def point_at(root: Path, url: str) -> None:
    """The pull request's edit: ``base_url`` in the project file."""
    project = root / "assistctl.yaml"
    project.write_text(project.read_text() + f"base_url: {url}\n")


@contextmanager
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP server on 127.0.0.1 (its URL) recording the first bytes of every connection."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(65536))
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.mark.parametrize("command", ["plan", "drift", "apply"])
def test_a_project_file_host_gets_no_key(
    emulator: EmulatorHandle, root: Path, command: str
) -> None:
    with attacker_host() as attacker:
        point_at(root, attacker.base_url)
        args = (
            [command, "--auto-approve", str(root)] if command == "apply" else [command, str(root)]
        )
        r = run(*args, env={KEY_ENV: emulator.api_key})
        assert r.code == 1 and r.out == ""
        assert r.err == (
            f"assistctl: error: assistctl.yaml names the host {attacker.base_url[7:-3]} "
            f"({attacker.base_url}), but the API key goes only to a host chosen by the command "
            f"line or the environment; to use it, pass --base-url {attacker.base_url} or set "
            f"ASSISTCTL_BASE_URL={attacker.base_url} (or remove base_url from assistctl.yaml "
            "to use the preset's host).\n"
        )
        assert emulator.api_key not in r.text
        assert attacker.requests() == [] and emulator.requests() == []


def test_the_trusted_host_wins_and_the_project_file_host_hears_nothing(
    emulator: EmulatorHandle, root: Path
) -> None:
    with attacker_host() as attacker:
        point_at(root, attacker.base_url)
        r = run(*flags(emulator), "apply", "--auto-approve", root)
        assert r.code == 0, r.err
        r = run(*flags(emulator), "plan", root)
        assert r.code == 0 and "No changes." in r.out
        host = emulator.base_url.split("/")[2]
        assert f'Target: project "{PROJECT}" on {host} ({emulator.base_url})' in r.out
        assert attacker.requests() == []
        assert emulator.requests("list")


def test_the_trusted_side_may_name_the_project_files_host(
    emulator: EmulatorHandle, root: Path
) -> None:
    point_at(root, emulator.base_url + "/")
    env = {KEY_ENV: emulator.api_key, "ASSISTCTL_BASE_URL": emulator.base_url}
    r = run("plan", root, env=env)
    assert r.code == 0, r.err
    assert emulator.requests("list")


def test_a_project_file_host_on_this_machine_without_a_key_gets_no_key(
    root: Path,
) -> None:
    # Nothing to leak: no key anywhere. The local server is asked, with the placeholder that
    # assistctl sends to hosts on this machine, which is no secret.
    with listener() as (url, seen):
        point_at(root, url + "/v1")
        r = run("plan", root)
    assert r.code == 1 and len(seen) >= 1
    headers = seen[0].decode().lower()
    assert headers.startswith("get /v1/assistants?")
    assert f"authorization: bearer {LOOPBACK_KEY}\r\n" in headers


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [
        (["--base-url", "http://api.example.test/v1"], {}, "--base-url"),
        ([], {"OPENAI_BASE_URL": "http://api.example.test/v1"}, "OPENAI_BASE_URL"),
    ],
)
def test_never_a_key_over_plain_http_off_this_machine(
    root: Path, args: list[str], env: dict[str, str], source: str
) -> None:
    with listener() as (proxy, seen):
        # Every request would go through the listener, as through any hop on the way.
        no_bypass: dict[str, str | None] = dict.fromkeys(
            ("ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy")
        )
        proxied = {**env, "OPENAI_API_KEY": "sk-test-plain", "HTTP_PROXY": proxy}
        r = run(*args, "plan", root, env={**no_bypass, **proxied, "http_proxy": proxy})
    assert r.code == 1
    assert r.err == (
        "assistctl: error: Refusing to send the API key over plain http to api.example.test "
        f"(base URL from {source}); use https://, or a server on this machine (localhost).\n"
    )
    assert "sk-test-plain" not in r.text
    assert seen == []


def test_azure_resource_url_from_the_project_file_is_not_trusted() -> None:
    project = _Project(provider="azure", base_url="https://evil.openai.azure.com/openai")
    env = {"AZURE_OPENAI_API_KEY": "k-azure"}
    with pytest.raises(ConfigError, match=r"names the host evil\.openai\.azure\.com"):
        resolve_target(GlobalOptions(), project, env=env)
    trusted = {**env, "AZURE_OPENAI_ENDPOINT": "https://evil.openai.azure.com"}
    target = resolve_target(GlobalOptions(), project, env=trusted)
    assert (target.host, target.base_url_source) == (
        "evil.openai.azure.com",
        "AZURE_OPENAI_ENDPOINT",
    )


class _Project:
    def __init__(self, provider: str | None = None, base_url: str | None = None) -> None:
        self.provider, self.base_url, self.api_version = provider, base_url, None


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_every_plan_and_drift_names_host_and_project(
    emulator: EmulatorHandle, root: Path, tmp_path: Path, fmt: str
) -> None:
    host = emulator.base_url.split("/")[2]
    out = tmp_path / "plan.json"
    for command in ("plan", "drift"):
        extra = ["--out", str(out)] if command == "plan" else []
        r = run(*flags(emulator), command, "--format", fmt, *extra, root)
        assert r.code in (0, 2), r.err
        if fmt == "json":
            assert json.loads(r.out)["target"] == {
                "host": host,
                "base_url": emulator.base_url,
                "project": PROJECT,
                "environment": None,
            }
        elif fmt == "markdown":
            head = r.out.splitlines()[0]
            assert head == (
                f"### assistctl {command} · project `{PROJECT}` · on <code>{host}</code> "
                f"(<code>{emulator.base_url}</code>)"
            )
        else:
            assert r.out.splitlines()[0] == (
                f'Target: project "{PROJECT}" on {host} ({emulator.base_url})'
            )
    saved = json.loads(out.read_text())
    assert saved["plan"]["target"]["host"] == host
    assert emulator.api_key not in out.read_text()


PROD = "environments:\n  prod:\n    api_key_env: SUPPORT_PROD_KEY\n"
"""An environment whose key is in the variable the project file names (issue 15)."""


def test_an_environments_url_variable_gets_the_key_but_the_same_url_in_the_file_does_not(
    root: Path,
) -> None:
    key = "sk-prod-only"
    project = root / "assistctl.yaml"
    base = project.read_text()
    # A host that answers only this key: a plan that succeeds is one that sent it.
    with start_server("127.0.0.1", 0, EmulatorApp("openai", api_keys=[key])) as server:
        prod = EmulatorHandle(server, api_key=key)
        env = {"ASSISTCTL_ENV": "prod", "SUPPORT_PROD_KEY": key}
        # The URL in the variable base_url_env names: the pipeline's value, trusted.
        project.write_text(base + PROD + "    base_url_env: SUPPORT_PROD_URL\n")
        r = run("plan", root, env={**env, "SUPPORT_PROD_URL": prod.base_url})
        assert r.code == 0, r.err
        assert {e["status"] for e in prod.requests("list")} == {200}  # one end, or both
        sent = len(prod.requests())  # the listing, and plan's reference reads
        # The same URL written in the project file: a pull request's word, no key.
        project.write_text(base + PROD + f"base_url: {prod.base_url}\n")
        r = run("plan", root, env=env)
        assert r.code == 1 and r.out == ""
        assert r.err.startswith(
            f"assistctl: error: assistctl.yaml names the host {prod.base_url[7:-3]} "
        )
        assert key not in r.text
        assert len(prod.requests()) == sent  # the refused run sent nothing


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_plan_and_drift_name_the_environment_they_were_made_in(
    emulator: EmulatorHandle, root: Path, fmt: str
) -> None:
    host = emulator.base_url.split("/")[2]
    project = root / "assistctl.yaml"
    project.write_text(project.read_text() + PROD + "    base_url_env: SUPPORT_PROD_URL\n")
    env = {
        "ASSISTCTL_ENV": "prod",
        "SUPPORT_PROD_KEY": emulator.api_key,
        "SUPPORT_PROD_URL": emulator.base_url,
    }
    for command in ("plan", "drift"):
        r = run(command, "--format", fmt, root, env=env)
        assert r.code in (0, 2), r.err
        if fmt == "json":
            document = json.loads(r.out)
            assert document["environment"] == "prod"
            assert document["target"] == {
                "host": host,
                "base_url": emulator.base_url,
                "project": PROJECT,
                "environment": "prod",
            }
        elif fmt == "markdown":
            assert r.out.splitlines()[0] == (
                f"### assistctl {command} · project `{PROJECT}` · environment `prod` · on "
                f"<code>{host}</code> (<code>{emulator.base_url}</code>)"
            )
        else:
            assert r.out.splitlines()[0] == (
                f'Target: project "{PROJECT}", environment "prod" on {host} ({emulator.base_url})'
            )
