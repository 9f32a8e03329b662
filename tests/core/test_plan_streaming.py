"""Planning a listing page by page: what the plan keeps of each live object and manifest.

A plan of 10,000 assistants must not hold the raw listing, the manifests and the plan all at
once (issue 7's memory target). These tests pin the properties that make that so, through
the real client, the emulator over HTTP and the real planner.
"""

from __future__ import annotations

import gc
import ssl
import threading
import weakref
from typing import Any

import httpx

from assistctl.api.client import AssistantsClient
from assistctl.api.connection import tls_verify
from assistctl.api.target import resolve_target
from assistctl.cli.commands._shared import list_and_plan
from assistctl.config.manifest import Manifest
from assistctl.core.plan import Planner, compute_plan, create_body
from assistctl.emulator.testing import EmulatorHandle
from assistctl.options import GlobalOptions

PROJECT = "demo"


def manifest(i: int, **fields: Any) -> Manifest:
    return Manifest.model_validate(
        {
            "key": f"bot-{i:03d}",
            "model": "gpt-4o",
            "name": f"Bot {i}",
            "instructions": f"You are bot {i}.\n" * 50,
            "tools": [{"type": "code_interpreter"}],
            "metadata": {"team": "core"},
            "temperature": 0.5,
            **fields,
        }
    )


def client_for(emulator: EmulatorHandle) -> AssistantsClient:
    target = resolve_target(GlobalOptions(base_url=emulator.base_url, api_key="sk-x"), env={})
    return AssistantsClient(target)


def seed(emulator: EmulatorHandle, manifests: list[Manifest]) -> None:
    for m in manifests:
        emulator.app.create_assistant(create_body(m, PROJECT))


def test_a_noop_keeps_one_form_for_before_and_after() -> None:
    m = manifest(1)
    live = {"id": "asst_1", "object": "assistant", **create_body(m, PROJECT)}
    plan = compute_plan([m], [live], PROJECT)
    (change,) = plan.changes
    assert change.action == "noop"
    assert change.before is change.after
    # An update keeps both: they differ.
    drifted = {**live, "temperature": 1.5}
    (update,) = compute_plan([m], [drifted], PROJECT).changes
    assert update.action == "update"
    assert update.before is not update.after
    assert update.before is not None and update.before["temperature"] == 1.5


def test_the_planner_lets_each_manifest_go_once_planned(emulator: EmulatorHandle) -> None:
    manifests = [manifest(i) for i in range(250)]
    seed(emulator, manifests[:200])  # 200 noops, 50 creates
    refs = [weakref.ref(m) for m in manifests]
    planner = Planner(manifests, PROJECT)
    planner.recent_limit = 10
    del manifests
    with client_for(emulator) as client:
        plan = list_and_plan(client, planner)
    gc.collect()
    alive = [i for i, ref in enumerate(refs) if ref() is not None]
    # The manifests still to create stay with the planner; of the matched ones, only the
    # last few of the newest second (kept in case an older duplicate comes after them).
    assert alive[-50:] == list(range(200, 250))
    assert len(alive) <= 50 + planner.recent_limit
    assert plan.counts == {"create": 50, "update": 0, "delete": 0, "noop": 200}
    # 200 live assistants: two pages from each end (with them all created in one second,
    # the walks confirm their seam with a page of overlap), within ceil(200/100) + 2.
    assert len(emulator.requests("list")) <= 4


def test_the_same_plan_whether_streamed_or_computed_whole(emulator: EmulatorHandle) -> None:
    manifests = [manifest(i) for i in range(230)]
    seed(emulator, manifests[:180])
    emulator.seed_assistants(40)  # unmanaged
    emulator.seed_assistants(3, metadata={"assistctl": f"{PROJECT}/gone"})  # duplicates
    for record in emulator.assistants()[:20]:
        emulator.modify_out_of_band(record["id"], temperature=1.0)
    with client_for(emulator) as client:
        whole = compute_plan(manifests, client.list_all(), PROJECT)
        streamed = list_and_plan(client, Planner(manifests, PROJECT))
    assert streamed == whole
    assert streamed.counts["update"] == 20 and len(streamed.ignored) == 40
    assert streamed.problems == ()
    assert [c.key for c in streamed.deletes] == ["gone"] * 3  # no manifest: all of them go


def test_list_responses_are_freed_without_the_cyclic_collector(
    emulator: EmulatorHandle,
) -> None:
    emulator.seed_assistants(250, instructions="x" * 4000)
    with client_for(emulator) as client:
        gc.collect()
        gc.disable()
        try:
            pages = sum(1 for _ in client.pages())
            # The other end's last request may still be on the wire: its thread holds its
            # answer until it ends (it is no longer needed, and read no further).
            for thread in threading.enumerate():
                if thread.name.startswith("assistctl-list-"):
                    thread.join(10)
            held = [o for o in gc.get_objects() if isinstance(o, httpx.Response)]
        finally:
            gc.enable()
    assert 3 <= pages <= 5  # batches as they came, from both ends
    # Each 0.4 MB page body would otherwise wait for a collection the CLI runs rarely.
    assert held == []


def test_plain_http_hosts_skip_loading_the_ca_bundle_but_still_verify() -> None:
    context = tls_verify("http://127.0.0.1:8080/v1")
    assert isinstance(context, ssl.SSLContext)
    assert context.cert_store_stats()["x509_ca"] == 0  # nothing loaded: nothing trusted
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert tls_verify("https://api.openai.com/v1") is True
    assert tls_verify("HTTPS://example.test/openai") is True
