"""What the security cases share: an attacker's tools (re-sealing a plan file, a second host
that must receive nothing) and the checks every case ends with (nothing not ours touched,
the next plan empty).

The attacker of these cases can write what a pull request or a job's artifact can: the
manifests, ``assistctl.yaml``, saved plan files. The command line and the environment are
the pipeline's own, as in CI.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistctl.core.normalize import fingerprint, normalize_live
from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import start_server
from assistctl.emulator.testing import EmulatorHandle
from clihelpers import at, run

PROJECT = "examples"
"""The project of the copied examples (``examples/assistants/assistctl.yaml``)."""


def flags(emulator: EmulatorHandle, project: str = PROJECT) -> list[str]:
    """The pipeline's trusted configuration: host, key and project from the command line."""
    return [*at(emulator.base_url, emulator.api_key), "--project", project]


def reseal(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Edit a saved plan and write a matching digest, as anyone who can write the file can:
    the digest is an unkeyed SHA-256 of the rest of the content."""
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    content = {k: v for k, v in data.items() if k != "digest"}
    data["digest"] = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def forged_delete(obj: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A delete entry for ``obj`` as ``plan --out`` would have written it."""
    return {
        "key": key,
        "id": obj["id"],
        "action": "delete",
        "before": normalize_live(obj),
        "after": None,
        "changed": [],
        "body": None,
        "prevent_destroy": False,
        "moved_from": None,
        "ignore_changes": [],
        "duplicate_of": None,
    }


def add_deletes(data: dict[str, Any], targets: Iterable[tuple[Mapping[str, Any], str]]) -> None:
    """Add deletes to a saved plan, with fingerprints that pass its staleness check."""
    for obj, key in targets:
        entry = forged_delete(obj, key)
        data["plan"]["changes"].append(entry)
        data["fingerprints"][obj["id"]] = fingerprint(entry["before"])


@contextmanager
def attacker_host() -> Iterator[EmulatorHandle]:
    """A second host on 127.0.0.1 that must never be sent anything (its request log)."""
    with start_server("127.0.0.1", 0, EmulatorApp("openai")) as server:
        yield EmulatorHandle(server)


def snapshot(emulator: EmulatorHandle, ids: Iterable[str]) -> dict[str, str]:
    """The stored objects of ``ids``, byte for byte (their JSON), to compare after."""
    return {i: json.dumps(emulator.get(i), sort_keys=True) for i in ids}


def writes_to(emulator: EmulatorHandle, ids: Iterable[str], since: int = 0) -> list[Any]:
    """Modify and delete requests the emulator received for ``ids`` (reads are allowed)."""
    wanted = set(ids)
    return [
        (e["operation"], e["assistant_id"])
        for e in emulator.requests()[since:]
        if e["operation"] in ("modify", "delete") and e["assistant_id"] in wanted
    ]


def assert_next_plan_empty(emulator: EmulatorHandle, root: Path, project: str = PROJECT) -> None:
    r = run(*flags(emulator, project), "plan", "--detailed-exitcode", root)
    assert r.code == 0, r.out + r.err
    assert r.out.rstrip().endswith("No changes. Live assistants match the manifests."), r.out


def by_key(emulator: EmulatorHandle, project: str = PROJECT) -> dict[str, dict[str, Any]]:
    """This project's live assistants by key."""
    out = {}
    for obj in emulator.assistants():
        label = (obj.get("metadata") or {}).get("assistctl", "")
        if label.startswith(project + "/"):
            out[label.split("/", 1)[1].split(";")[0]] = obj
    return out
