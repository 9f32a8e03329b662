"""``assistctl plan`` through the real CLI against the emulator over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import start_server
from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import make_label
from clihelpers import EXAMPLES, at, copy_examples, project_dir, run

MANIFEST = "key: {key}\nmodel: gpt-4o\nname: {name}\n"
BAD = "key: bad\nmodel: gpt-4o\ntemperature: 3\ncolour: red\n"


def manifests(root: Path, *keys: str) -> Path:
    return project_dir(root, {f"{k}.yaml": MANIFEST.format(key=k, name=k.title()) for k in keys})


def test_250_live_assistants_take_about_three_list_requests_and_no_get(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.seed_assistants(200)
    emulator.seed_assistants(49, metadata={"assistctl": make_label("other", "x")})
    emulator.seed_assistants(1, metadata={"assistctl": make_label("default", "x")})
    root = manifests(tmp_path, "a", "b")
    r = run(*at(emulator.base_url, emulator.api_key), "plan", root)
    assert r.code == 0, r.err
    assert "Plan: 2 to create, 0 to update, 1 to delete." in r.out
    assert 'Not managed by project "default", left alone (249):' in r.out
    # ceil(250 / 100) = 3, and at most 2 more: the walk from both ends confirms its seam.
    sent = emulator.requests()
    ops = [e["operation"] for e in sent if e["path"] != "/v1/models"]
    assert set(ops) == {"list"} and 3 <= len(ops) <= 5
    assert [e["path"] for e in sent if e["operation"] != "list"] == ["/v1/models"]  # the check


@pytest.mark.parametrize("command", ["plan", "drift", "apply"])
def test_invalid_manifests_give_the_validate_errors_and_send_nothing(
    emulator: EmulatorHandle, tmp_path: Path, command: str
) -> None:
    root = project_dir(tmp_path, {"bad.yaml": BAD, "good.yaml": MANIFEST.format(key="g", name="G")})
    validate = run("validate", root)
    r = run(*at(emulator.base_url, emulator.api_key), command, root)
    assert validate.code == 1 and r.code == 1
    diagnostics = validate.out.splitlines()[:-1]
    assert len(diagnostics) == 2
    assert r.err.splitlines()[:-1] == diagnostics
    assert r.err.splitlines()[-1].startswith("assistctl: error: 2 error(s) in the manifests")
    assert r.out == "" and "Traceback" not in r.err
    # Nothing that changes anything: the listing ran while the manifests loaded, no more.
    assert all(e["operation"] == "list" for e in emulator.requests())


def test_detailed_exitcode(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = manifests(tmp_path, "a")
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "plan", "--detailed-exitcode", root).code == 2
    assert run(*flags, "plan", root).code == 0
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    r = run(*flags, "plan", "-d", root)
    assert r.code == 0 and "No changes. Live assistants match the manifests." in r.out
    # Both ends' first requests: a 400 to the newest-first one alone is a host that does not
    # list newest first, and the walk goes on with one cursor.
    emulator.set_faults(next_statuses=[400, 400])
    r = run(*flags, "plan", "-d", root)
    assert r.code == 1 and r.err.splitlines()[-1].startswith("assistctl: error: API error 400")


def test_json_format(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = manifests(tmp_path, "a", "b")
    flags = at(emulator.base_url, emulator.api_key)
    run(*flags, "apply", "--auto-approve", root)
    (a,) = [o for o in emulator.assistants() if o["name"] == "A"]
    emulator.modify_out_of_band(a["id"], temperature=0.5)
    unmanaged = emulator.seed_assistants(1, name="by hand")[0]
    r = run(*flags, "plan", "--format", "json", root)
    assert r.code == 0
    doc = json.loads(r.out)
    assert doc["format_version"] == "1" and doc["project"] == "default"
    assert [(c["key"], c["action"], c["changed"]) for c in doc["changes"]] == [
        ("a", "update", ["temperature"]),
        ("b", "noop", []),
    ]
    assert doc["changes"][0]["id"] == a["id"]
    assert doc["changes"][0]["before"]["temperature"] == 0.5
    assert doc["changes"][0]["after"]["temperature"] == 1.0
    assert [i["id"] for i in doc["ignored"]] == [unmanaged["id"]]
    assert r.out == run(*flags, "plan", "--format", "json", root).out, "stable output"


def test_markdown_format(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = manifests(tmp_path, "a")
    r = run(*at(emulator.base_url, emulator.api_key), "plan", "--format", "markdown", root)
    assert r.code == 0
    assert r.out.startswith("### assistctl plan · project `default`")
    assert "**Plan: 1 to create, 0 to update, 0 to delete.**" in r.out
    assert "<details>" in r.out and "```diff" in r.out


def test_examples_plan_names_the_project_and_host_on_stderr(emulator: EmulatorHandle) -> None:
    r = run(*at(emulator.base_url, emulator.api_key), "plan", EXAMPLES)
    assert r.code == 0
    assert "Plan: 8 to create, 0 to update, 0 to delete." in r.out
    assert r.err == (
        f"Planning project 'examples' against {emulator.base_url} (openai-compatible) ...\n"
    )


def test_out_writes_a_saved_plan_without_the_key(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = copy_examples(tmp_path)
    out = tmp_path / "plan.json"
    r = run(*at(emulator.base_url, emulator.api_key), "plan", "--out", out, root)
    assert r.code == 0
    assert f"Saved the plan to {out}" in r.err
    text = out.read_text()
    assert emulator.api_key not in text and emulator.api_key not in r.text
    doc = json.loads(text)
    assert doc["kind"] == "assistctl-plan" and doc["format_version"] == "1"
    assert doc["origin"]["project"] == "examples"
    assert doc["origin"]["base_url"] == emulator.base_url
    assert len(doc["plan"]["changes"]) == 8
    assert not list(tmp_path.glob(".*.tmp")), "written atomically, no temporary file left"


def test_out_is_not_written_for_an_unsafe_plan(emulator: EmulatorHandle, tmp_path: Path) -> None:
    label = {"assistctl": make_label("default", "b", prevent_destroy=True)}
    emulator.seed_assistants(1, metadata=label)
    root = manifests(tmp_path, "a")
    out = tmp_path / "plan.json"
    r = run(*at(emulator.base_url, emulator.api_key), "plan", "--out", out, root)
    assert r.code == 1 and "records lifecycle.prevent_destroy" in r.err
    assert not out.exists()


# -- failures reaching the host: one sentence, exit 1, no traceback, no key ----------------------


def assert_one_clear_error(r_code: int, err: str, key: str, *needles: str) -> None:
    lines = err.splitlines()
    assert r_code == 1
    assert len(lines) == 2, err  # the "Planning ..." note, then the error
    assert lines[1].startswith("assistctl: error: ")
    assert "Traceback" not in err and key not in err
    for needle in needles:
        assert needle in lines[1]


def test_wrong_key(tmp_path: Path) -> None:
    key = "sk-wrong-key-1234567890abcdef"
    root = manifests(tmp_path, "a")
    with start_server("127.0.0.1", 0, EmulatorApp("openai", api_keys=["sk-right"])) as server:
        r = run(*at(server.base_url, key), "plan", root)
    assert r.out == ""
    assert_one_clear_error(r.code, r.err, key, "API error 401", "--api-key")
    assert "cdef" not in r.err, "not even the tail of the key"


def test_no_key_for_a_local_host_is_a_placeholder_the_emulator_accepts(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    r = run("--base-url", emulator.base_url, "plan", manifests(tmp_path, "a"))
    assert r.code == 0 and "Plan: 1 to create" in r.out, r.err


def test_no_key_for_a_local_host_that_wants_a_real_one(tmp_path: Path) -> None:
    app = EmulatorApp("openai", api_keys=["sk-the-real-one"])
    with start_server("127.0.0.1", 0, app) as server:
        r = run("--base-url", server.base_url, "plan", manifests(tmp_path, "a"))
    assert_one_clear_error(r.code, r.err, "sk-the-real-one", "401", "the placeholder key")
    assert "ASSISTCTL_API_KEY or OPENAI_API_KEY" in r.err


def test_key_from_the_environment(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = manifests(tmp_path, "a")
    env = {"OPENAI_BASE_URL": emulator.base_url, "OPENAI_API_KEY": emulator.api_key}
    r = run("plan", root, env=env)
    assert r.code == 0 and "Plan: 1 to create" in r.out
    assert emulator.requests()[0]["operation"] == "list"


def test_host_that_does_not_serve_assistants(emulator: EmulatorHandle, tmp_path: Path) -> None:
    url = emulator.root_url + "/api/v9"
    r = run(*at(url, emulator.api_key), "plan", manifests(tmp_path, "a"))
    assert_one_clear_error(
        r.code, r.err, emulator.api_key, "404", f"{url} does not serve the Assistants API"
    )


def test_connection_refused(tmp_path: Path) -> None:
    with start_server("127.0.0.1", 0, EmulatorApp("openai")) as server:
        url = server.base_url
    key = "sk-refused-0123456789"
    r = run(*at(url, key), "--max-retries", "0", "plan", manifests(tmp_path, "a"))
    assert_one_clear_error(r.code, r.err, key, f"Connection refused by {url}/assistants")


def test_bad_flag_exits_1_not_2(tmp_path: Path) -> None:
    r = run("plan", "--format", "yaml", manifests(tmp_path, "a"))
    assert r.code == 1 and "Invalid value for '--format'" in r.err


@pytest.mark.parametrize("command", [["plan"], ["drift"], ["apply", "--auto-approve"]])
def test_verbose_failure_shows_a_traceback_but_never_the_key(
    tmp_path: Path, command: list[str]
) -> None:
    key = "sk-wrong-key-1234567890abcdef"
    root = manifests(tmp_path, "a")
    with start_server("127.0.0.1", 0, EmulatorApp("openai", api_keys=["sk-right"])) as server:
        r = run("-v", *at(server.base_url, key), *command, root)
    assert r.code == 1 and "Traceback" in r.err and "AuthError" in r.err
    assert key not in r.text and "cdef" not in r.text
