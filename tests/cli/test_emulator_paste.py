"""``assistctl emulator`` prints the lines that point assistctl at it, and they work as pasted.

Both sides are real processes: the emulator serving over HTTP on 127.0.0.1, and assistctl
run with nothing in its environment but what the banner said (and, for the first try, not
even the key: a local host gets a placeholder the emulator accepts).
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from clihelpers import CLEAN_ENV, project_dir

MANIFEST = "key: a\nmodel: gpt-4o\n"


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def serve() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=10)


def start(procs: list[subprocess.Popen[str]], flavor: str) -> tuple[str, dict[str, str], str]:
    """Start ``assistctl emulator``; its URL, the variables its banner exports, the banner."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistctl", "emulator", "--port", "0", "--flavor", flavor],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_base_env(),
    )
    procs.append(proc)
    assert proc.stdout is not None and proc.stderr is not None
    url = proc.stdout.readline().strip()
    # The banner, "Point assistctl at it...", three exports (and for v1 one more line).
    banner = [proc.stderr.readline() for _ in range(6 if flavor.endswith("-v1") else 5)]
    exported = {}
    for line in banner:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").strip().partition("=")
            exported[name] = shlex.split(value)[0]
    return url, exported, "".join(banner)


def assistctl(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    root = project_dir(tmp_path / "project", {"a.yaml": MANIFEST})
    return subprocess.run(
        [sys.executable, "-m", "assistctl", "plan", str(root), *args],
        capture_output=True,
        text=True,
        env={**_base_env(), **env},
        timeout=60,
    )


@pytest.mark.parametrize("flavor", ["openai", "aimlapi", "azure"])
def test_the_pasted_lines_work(
    serve: list[subprocess.Popen[str]], tmp_path: Path, flavor: str
) -> None:
    url, exported, banner = start(serve, flavor)
    assert exported["ASSISTCTL_BASE_URL"] == url, banner
    assert set(exported) == {"ASSISTCTL_BASE_URL", "ASSISTCTL_API_KEY", "ASSISTCTL_PROVIDER"}
    # Pasted into a shell where another provider was chosen: the lines still win.
    r = assistctl(tmp_path, {"ASSISTCTL_PROVIDER": "local", **exported})
    assert r.returncode == 0, r.stderr
    assert "Plan: 1 to create" in r.stdout and url in r.stderr


def test_the_v1_flavor_says_what_else_to_pass(
    serve: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    _, exported, banner = start(serve, "openai-v1")
    assert "# and pass --api-version v1" in banner
    r = assistctl(tmp_path, exported, "--api-version", "v1")
    assert r.returncode == 0, r.stderr


def test_the_first_try_without_a_key_is_not_a_401(
    serve: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, _, _ = start(serve, "openai")
    r = assistctl(tmp_path, {"ASSISTCTL_BASE_URL": url})
    assert r.returncode == 0, r.stderr
    assert "Plan: 1 to create" in r.stdout
