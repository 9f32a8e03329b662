"""State files across restarts, and `assistctl emulator` itself as a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import start_server
from assistctl.emulator.store import Store

# One plain-HTTP client for raw requests (no TLS context to build per call).
RAW = httpx.Client(verify=False)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HEADERS = {"Authorization": "Bearer k", "OpenAI-Beta": "assistants=v2"}


def test_server_restart_with_state_loses_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with start_server(app=EmulatorApp(store=Store(state))) as server:
        client = openai.OpenAI(
            base_url=server.base_url,
            api_key="k",
            max_retries=0,
            http_client=openai.DefaultHttpxClient(verify=False),
        )
        ids = [client.beta.assistants.create(model="gpt-4o", name=f"n{i}").id for i in range(5)]
        client.beta.assistants.update(ids[0], instructions="kept", reasoning_effort="low")
        client.beta.assistants.delete(ids[4])
        before = [a.model_dump() for a in client.beta.assistants.list(order="asc")]
    with start_server(app=EmulatorApp(store=Store(state))) as server:
        client = openai.OpenAI(
            base_url=server.base_url,
            api_key="k",
            max_retries=0,
            http_client=openai.DefaultHttpxClient(verify=False),
        )
        after = [a.model_dump() for a in client.beta.assistants.list(order="asc")]
        assert after == before
        assert [a["id"] for a in after] == ids[:4]
        assert server.app.store.get(ids[0]).extra == {"reasoning_effort": "low"}  # type: ignore[union-attr]


@pytest.fixture
def run_cli(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def start_cli(procs: list[subprocess.Popen[str]], *args: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistctl", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    procs.append(proc)
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    return proc, first


def test_cli_prints_url_serves_and_stops_on_sigint(
    tmp_path: Path, run_cli: list[subprocess.Popen[str]]
) -> None:
    state = tmp_path / "cli-state.json"
    proc, url = start_cli(run_cli, "--state", str(state))
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
    created = RAW.post(url + "/assistants", json={"model": "gpt-4o"}, headers=HEADERS)
    assert created.status_code == 200
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err

    proc, url = start_cli(run_cli, "--state", str(state), "--flavor", "aimlapi")
    assert not url.endswith("/v1")
    listed = RAW.get(url + "/assistants", headers={"Authorization": "Bearer k"}).json()
    assert [a["id"] for a in listed["data"]] == [created.json()["id"]]
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_cli_fault_flags(run_cli: list[subprocess.Popen[str]]) -> None:
    proc, url = start_cli(
        run_cli, "--lost-creates", "1", "--rate-limit-fraction", "0", "--seed", "1"
    )
    root = url.removesuffix("/v1")
    faults = RAW.get(root + "/_admin/faults").json()
    assert faults["lost_creates"] == 1 and faults["seed"] == 1
    with pytest.raises(httpx.RemoteProtocolError):
        RAW.post(url + "/assistants", json={"model": "m"}, headers=HEADERS)
    assert RAW.get(root + "/_admin/health").json()["assistants"] == 1
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_cli_port_in_use(run_cli: list[subprocess.Popen[str]]) -> None:
    with start_server() as busy:
        result = subprocess.run(
            [sys.executable, "-m", "assistctl", "emulator", "--port", str(busy.port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "already in use" in result.stderr and "Traceback" not in result.stderr


def test_cli_corrupt_state_file(tmp_path: Path) -> None:
    state = tmp_path / "bad.json"
    state.write_text("{nope")
    result = subprocess.run(
        [sys.executable, "-m", "assistctl", "emulator", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "not a valid state file" in result.stderr and "Traceback" not in result.stderr
