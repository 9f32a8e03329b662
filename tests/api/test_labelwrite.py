"""Import's label writes against the emulator over HTTP: each after a fresh read.

The plan of an import is made from a listing and confirmed later; what happens to the
assistant in between must not be overwritten, as apply does not overwrite a changed one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistctl.api.client import AssistantsClient
from assistctl.api.labelwrite import write_labels
from assistctl.api.target import resolve_target
from assistctl.config.loader import load_or_raise
from assistctl.core.adopt import ImportItem, plan_imports
from assistctl.core.importpairs import Pair
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import OWNER_KEY
from assistctl.options import GlobalOptions
from clihelpers import end_listings


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[AssistantsClient]:
    target = resolve_target(
        GlobalOptions(base_url=emulator.base_url, api_key=emulator.api_key), env={}
    )
    with AssistantsClient(target) as c:
        yield c


def planned(client: AssistantsClient, tmp_path: Path, pairs: dict[str, str]) -> list[ImportItem]:
    for key in pairs:
        (tmp_path / f"{key}.yaml").write_text(f"key: {key}\nmodel: gpt-4o\n", encoding="utf-8")
    (tmp_path / ".git").mkdir(exist_ok=True)
    loaded = load_or_raise([tmp_path])
    everyone = client.list_all()
    end_listings()  # the other end's last list request, still on the wire, is not logged later
    found: dict[str, dict[str, Any] | None] = {str(o["id"]): o for o in everyone}
    return plan_imports(
        [Pair(k, i, "test") for k, i in pairs.items()],
        loaded,
        found,
        everyone,
        project="shop",
        force=False,
        api_version="v2",
        missing="no such assistant",
        paths=(str(tmp_path),),
    )


def test_a_pair_added_meanwhile_is_kept(
    emulator: EmulatorHandle, client: AssistantsClient, tmp_path: Path
) -> None:
    live = emulator.seed_assistants(1, metadata={"team": "edu"})[0]
    items = planned(client, tmp_path, {"tutor": live["id"]})
    emulator.modify_out_of_band(live["id"], metadata={"team": "edu", "owner": "bob"})
    (outcome,) = write_labels(client, items)
    assert outcome.ok, outcome.error
    stored = emulator.get(live["id"])
    assert stored is not None
    assert stored["metadata"] == {"team": "edu", "owner": "bob", OWNER_KEY: "shop/tutor"}


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ({OWNER_KEY: "billing/bot"}, "carried no label, now 'billing/bot'; left as it is"),
        ({f"k{i}": "v" for i in range(16)}, "now has 16 metadata pairs"),
    ],
)
def test_an_assistant_changed_since_the_plan_is_left_alone(
    emulator: EmulatorHandle,
    client: AssistantsClient,
    tmp_path: Path,
    metadata: dict[str, str],
    reason: str,
) -> None:
    first, second = emulator.seed_assistants(2)
    items = planned(client, tmp_path, {"a": first["id"], "b": second["id"]})
    emulator.modify_out_of_band(first["id"], metadata=metadata)
    emulator.app.clear_requests()
    outcomes = write_labels(client, items)
    assert [o.ok for o in outcomes] == [False, True], "one failure does not stop the others"
    assert outcomes[0].error is not None and reason in outcomes[0].error
    stored = emulator.get(first["id"])
    assert stored is not None and stored["metadata"] == metadata
    # Each assistant was read again right before its write; the changed one was not written.
    assert [e["operation"] for e in emulator.requests()] == ["retrieve", "retrieve", "modify"]


def test_an_assistant_deleted_since_the_plan(
    emulator: EmulatorHandle, client: AssistantsClient, tmp_path: Path
) -> None:
    live = emulator.seed_assistants(1)[0]
    items = planned(client, tmp_path, {"tutor": live["id"]})
    emulator.delete_out_of_band(live["id"])
    (outcome,) = write_labels(client, items)
    assert not outcome.ok and outcome.error is not None and "gone" in outcome.error
