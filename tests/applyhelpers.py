"""Shared by the apply fault, kill and Ctrl-C tests: manifests on disk, the emulator and the
CLI as subprocesses, and the invariant every run must end with (one assistant per label)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from assistctl.config.manifest import Manifest
from assistctl.labels import make_label, owner_of

KEY = "sk-test-apply-reliability-0123456789"


def manifest_doc(i: int) -> dict[str, Any]:
    """Manifest number ``i``: a few fields, enough for a realistic create body."""
    return {
        "key": f"a{i:02d}",
        "model": "gpt-4o",
        "name": f"Assistant {i}",
        "instructions": f"You are assistant {i}.\nAnswer briefly.",
        "tools": [{"type": "code_interpreter"}],
        "metadata": {"team": f"t{i % 3}"},
        "temperature": 0.5,
    }


def manifests(count: int) -> list[Manifest]:
    return [Manifest.model_validate(manifest_doc(i)) for i in range(count)]


def write_manifests(root: Path, count: int, project: str) -> Path:
    """``root`` with ``assistctl.yaml`` and ``count`` manifests; a ``.git`` stops discovery."""
    import yaml

    root.mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    (root / "assistctl.yaml").write_text(f"project: {project}\n", encoding="utf-8")
    for i in range(count):
        text = yaml.safe_dump(manifest_doc(i), sort_keys=False)
        (root / f"a{i:02d}.yaml").write_text(text, encoding="utf-8")
    return root


def labels(assistants: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """How many live assistants carry each ownership label (unlabelled ones are not counted)."""
    out: Counter[str] = Counter()
    for obj in assistants:
        owner = owner_of(dict(obj))  # the identity: the flags after it may differ
        if owner is not None:
            out[make_label(*owner)] += 1
    return out


def assert_one_each(assistants: Iterable[Mapping[str, Any]], project: str, count: int) -> None:
    """Exactly the ``count`` manifests' assistants of ``project`` exist, none twice."""
    ours = {k: n for k, n in labels(assistants).items() if k.startswith(project + "/")}
    assert ours == {f"{project}/a{i:02d}": 1 for i in range(count)}


def assert_no_duplicates(assistants: Iterable[Mapping[str, Any]]) -> None:
    twice = {label: n for label, n in labels(assistants).items() if n > 1}
    assert twice == {}


def clean_env() -> dict[str, str]:
    """This environment minus anything that would point the CLI elsewhere or colour it."""
    drop = ("ASSISTCTL_", "OPENAI_")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(drop) and k not in ("NO_COLOR", "FORCE_COLOR")
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cli_args(url: str, *args: str | Path) -> list[str]:
    """``python -m assistctl`` pointed at ``url`` with the test key."""
    return [
        sys.executable,
        "-m",
        "assistctl",
        "--base-url",
        url,
        "--api-key",
        KEY,
        *map(str, args),
    ]


def run_cli(url: str, *args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_args(url, *args),
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=timeout,
        check=False,
    )


class EmulatorProcess:
    """``assistctl emulator --port 0`` as a subprocess, driven through its admin endpoints."""

    def __init__(self, *flags: str | Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistctl", "emulator", "--port", "0", *map(str, flags)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=clean_env(),
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.url
        self.root = self.url.removesuffix("/v1")
        self.admin = httpx.Client(base_url=self.root + "/_admin", timeout=10)

    def health(self) -> dict[str, Any]:
        """``assistants`` stored and API requests ``in_flight`` right now."""
        answer: dict[str, Any] = self.admin.get("/health").json()
        return answer

    def count(self) -> int:
        """Assistants stored right now."""
        answer: int = self.health()["assistants"]
        return answer

    def assistants(self) -> list[dict[str, Any]]:
        return [e["assistant"] for e in self.admin.get("/assistants").json()["data"]]

    def requests(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.admin.get("/requests").json()["data"]
        return data

    def seed(self, body: Mapping[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self.admin.post("/assistants", json=dict(body)).json()["data"][0]
        return created

    def stop(self) -> None:
        """SIGTERM (a clean stop: the state file is written after every change) and wait."""
        self.admin.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@contextmanager
def emulator_process(*flags: str | Path) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(*flags)
    try:
        yield emu
    finally:
        emu.stop()
