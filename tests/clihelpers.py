"""Run the real CLI in-process, with the exit codes and stderr the installed command has.

``click.testing.CliRunner.invoke`` calls ``cli.main`` either in standalone mode (click maps
exceptions to its own exit codes: usage errors give 2, which means "changes" for us) or not
(our exceptions escape). The installed ``assistctl`` goes through
:func:`assistctl.cli.error_handler.run` instead, so :func:`run` does the same inside
``CliRunner.isolation`` and returns what a shell would see.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from assistctl.cli import error_handler
from assistctl.cli.main import cli
from assistctl.config.manifest import Manifest
from assistctl.core.normalize import write_only_fingerprint
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import OWNER_KEY

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "assistants"

# The caller's environment must not leak in: a developer's real key or base URL, colours.
CLEAN_ENV: dict[str, str | None] = {
    name: None
    for name in (
        "ASSISTCTL_BASE_URL",
        "ASSISTCTL_API_KEY",
        "ASSISTCTL_PROVIDER",
        "ASSISTCTL_PROJECT",
        "ASSISTCTL_LOCAL_STATE",
        "ASSISTCTL_ENV",
        "ASSISTCTL_PROJECT",
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "NO_COLOR",
        "FORCE_COLOR",
    )
}


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def cli_runner() -> CliRunner:
    """A runner keeping stderr apart from stdout: click 8.2 always does; click 8.1 (the lowest
    version allowed) only when asked, with a flag that 8.2 removed."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg,unused-ignore]
    except TypeError:
        return CliRunner()


def end_listings(timeout: float = 10.0) -> None:
    """Wait for list requests the command left on the wire (the other end's, once its
    listing was over): the process of the installed command ends them as it exits, and a
    test reading the host's request log must not see them arrive later."""
    ends = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.startswith("assistctl-list-"):
            thread.join(max(0.0, ends - time.monotonic()))


def run(
    *args: str | Path, input: str | None = None, env: Mapping[str, str | None] | None = None
) -> CliResult:
    """``assistctl ARGS...`` in-process; returns (exit code, stdout, stderr)."""
    argv = [str(a) for a in args]
    code: Any = 0
    with cli_runner().isolation(input=input, env={**CLEAN_ENV, **(env or {})}) as streams:
        out, err = streams[0], streams[1]
        try:
            error_handler.run(lambda: cli.main(argv, standalone_mode=False, prog_name="assistctl"))
        except SystemExit as exit_:
            code = exit_.code
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            error_handler.state.verbose = False
            end_listings()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    assert isinstance(code, int), code
    return CliResult(code, stdout, stderr)


def at(url: str, key: str) -> list[str]:
    """The global flags that point the CLI at a host."""
    return ["--base-url", url, "--api-key", key]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def track(root: Path) -> Path:
    """``git add -A`` in ``root``: its files become the project's (an instructions file in a
    git work tree must be tracked)."""
    git(root, "add", "-A")
    return root


def project_dir(root: Path, files: Mapping[str, str] | None = None) -> Path:
    """A git work tree (which stops project-file discovery, as a checkout's root does) with
    ``files`` in it, tracked."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        git(root, "init", "-q", "--template=")
    for name, content in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return track(root)


def copy_examples(root: Path) -> Path:
    """A private copy of ``examples/assistants`` (project ``examples``) to edit, tracked."""
    project_dir(root)
    target = root / "assistants"
    shutil.copytree(EXAMPLES, target)
    track(root)
    return target


def run_on_a_pty(
    args: list[str],
    answer: str | None,
    cwd: Path | None = None,
    term: str = "xterm",
    at_prompt: Callable[[], None] | None = None,
) -> tuple[int, str]:
    """``python -m assistctl ARGS`` with a terminal on stdin/stdout/stderr; types ``answer``
    at the prompt (``None``: Ctrl-C instead, as a SIGINT), after ``at_prompt()`` if given
    (what happens elsewhere while the question waits)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    env.update(TERM=term, NO_COLOR="1", COLUMNS="120")
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistctl", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    answered = False
    last_sigint = 0.0
    deadline = time.monotonic() + 60  # a guard against a hang, not a timing assertion
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                if answered and answer is None and time.monotonic() > last_sigint + 2:
                    # CPython's readline can miss a SIGINT that lands just before it blocks
                    # in select() (no self-pipe); a person presses Ctrl-C again, so do we.
                    proc.send_signal(signal.SIGINT)
                    last_sigint = time.monotonic()
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
            if not answered and b"Only 'yes' will be accepted" in b"".join(chunks):
                if at_prompt is not None:
                    at_prompt()
                if answer is None:
                    proc.send_signal(signal.SIGINT)
                    last_sigint = time.monotonic()
                else:
                    os.write(master, answer.encode())
                answered = True
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, b"".join(chunks).decode(errors="replace").replace("\r\n", "\n")


NO_WRITE_ONLY = write_only_fingerprint(Manifest(key="k", model="m"))
"""The fingerprint this version records when no write-only field is set."""


def seed(emulator: EmulatorHandle, label: str | None, **fields: Any) -> dict[str, Any]:
    """An assistant as this version writes it: ``label`` with its write-only fingerprint."""
    body = dict(fields)
    if label is not None:
        label += f";wo={NO_WRITE_ONLY}"
        body["metadata"] = {**body.get("metadata", {}), OWNER_KEY: label}
    body.setdefault("model", "gpt-4o")
    return emulator.app.create_assistant(body).obj
