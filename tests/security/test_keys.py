"""Keys: ``--api-key-file PATH|-`` for mounted secrets, and a key that cannot be one (inner
whitespace, control or non-ASCII characters) refused without printing any of it and before
any request."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistctl.emulator.testing import EmulatorHandle
from clihelpers import CliResult, copy_examples, run

from ._attack import PROJECT

KEY_PARTS = ("sk-test-part-one", "part-two-of-the-key")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path)


def at(emulator: EmulatorHandle) -> list[str]:
    return ["--base-url", emulator.base_url, "--project", PROJECT]


def key_file(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "key"
    path.write_bytes(content)
    path.chmod(0o600)
    return path


def planned(r: CliResult) -> None:
    assert r.code == 0, r.err
    assert "Plan: 8 to create" in r.out


@pytest.mark.parametrize("ending", [b"", b"\n", b"\r\n"])
def test_key_file(emulator: EmulatorHandle, root: Path, tmp_path: Path, ending: bytes) -> None:
    path = key_file(tmp_path, emulator.api_key.encode() + ending)
    r = run(*at(emulator), "--api-key-file", path, "plan", root)
    planned(r)
    assert emulator.api_key not in r.text
    assert {e["status"] for e in emulator.requests("list")} == {200}  # one end, or both
    # The rest are plan's reference reads, which this emulator does not serve (404), but
    # none was refused for the key.
    assert 401 not in [e["status"] for e in emulator.requests()]


def test_key_from_standard_input(emulator: EmulatorHandle, root: Path) -> None:
    r = run(*at(emulator), "--api-key-file", "-", "plan", root, input=emulator.api_key + "\n")
    planned(r)
    assert emulator.api_key not in r.text


def test_key_file_wins_over_the_environment(
    emulator: EmulatorHandle, root: Path, tmp_path: Path
) -> None:
    path = key_file(tmp_path, emulator.api_key.encode())
    env = {"ASSISTCTL_API_KEY": "sk-wrong-from-env", "OPENAI_API_KEY": "sk-wrong-too"}
    planned(run(*at(emulator), "--api-key-file", path, "plan", root, env=env))


BAD = {
    "space": " ".join(KEY_PARTS),
    "tab": "\t".join(KEY_PARTS),
    "two lines": "\n".join(KEY_PARTS),
    "escape": "\x1b[2J".join(KEY_PARTS),
    "nul": "\x00".join(KEY_PARTS),
    "non-ascii": "\u00e9".join(KEY_PARTS),
    "zero-width": "\u200b".join(KEY_PARTS),
}


def refused(emulator: EmulatorHandle, r: CliResult, source: str) -> None:
    assert r.code == 1 and r.out == ""
    assert r.err == (
        f"assistctl: error: The API key from {source} contains whitespace, a control "
        "character or a non-ASCII character, so it cannot be a key (it is not shown); check "
        "how it was stored or pasted. Nothing was sent.\n"
    )
    assert not any(part in r.text for part in KEY_PARTS)
    assert emulator.requests() == []


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_key_from_a_file(
    emulator: EmulatorHandle, root: Path, tmp_path: Path, kind: str
) -> None:
    path = key_file(tmp_path, BAD[kind].encode() + b"\n")
    r = run(*at(emulator), "--api-key-file", path, "plan", root)
    refused(emulator, r, f"--api-key-file {path}")


@pytest.mark.parametrize("kind", sorted(k for k in BAD if k != "nul"))  # no NUL in environ
def test_a_bad_key_from_the_environment(emulator: EmulatorHandle, root: Path, kind: str) -> None:
    r = run(*at(emulator), "plan", root, env={"OPENAI_API_KEY": BAD[kind]})
    refused(emulator, r, "OPENAI_API_KEY")


def test_a_bad_key_from_the_command_line(emulator: EmulatorHandle, root: Path) -> None:
    r = run(*at(emulator), "--api-key", BAD["tab"], "plan", root)
    refused(emulator, r, "--api-key")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "is empty; put the key in it"),
        (b"\n", "is empty; put the key in it"),
        (b"\xff\xfe" + KEY_PARTS[0].encode(), "is not UTF-8 text (it is not shown)"),
        (b"k" * 70_000, "is over 64 KiB, so it is not a key"),
    ],
)
def test_key_file_problems(
    emulator: EmulatorHandle, root: Path, tmp_path: Path, content: bytes, says: str
) -> None:
    path = key_file(tmp_path, content)
    r = run(*at(emulator), "--api-key-file", path, "plan", root)
    assert r.code == 1 and says in r.err and len(r.err.splitlines()) == 1
    assert KEY_PARTS[0] not in r.text
    assert emulator.requests() == []


def test_missing_key_file_and_two_keys(
    emulator: EmulatorHandle, root: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nope"
    r = run(*at(emulator), "--api-key-file", missing, "plan", root)
    assert r.code == 1
    assert r.err == (
        f"assistctl: error: Cannot read the API key from --api-key-file {missing}: "
        "No such file or directory.\n"
    )
    path = key_file(tmp_path, b"sk-test-one")
    r = run(*at(emulator), "--api-key", "sk-test-two", "--api-key-file", path, "plan", root)
    assert r.code == 1
    assert r.err == (
        "assistctl: error: Give the API key once: --api-key or --api-key-file, not both.\n"
    )
    assert "sk-test-one" not in r.text and "sk-test-two" not in r.text
    assert emulator.requests() == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_key_through_a_pipe(emulator: EmulatorHandle, root: Path, tmp_path: Path) -> None:
    # As `--api-key-file <(vault read ...)`: a pipe, read once.
    import threading

    fifo = tmp_path / "key.pipe"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w") as pipe:
            pipe.write(emulator.api_key + "\n")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        planned(run(*at(emulator), "--api-key-file", fifo, "plan", root))
    finally:
        writer.join(timeout=10)
