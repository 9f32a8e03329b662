"""Plan checks what manifests refer to against the host, read-only (issue 14, case 4)."""

from __future__ import annotations

from pathlib import Path

from assistctl.emulator.app import EmulatorApp
from assistctl.emulator.server import start_server
from assistctl.emulator.testing import EmulatorHandle
from clihelpers import at, project_dir, run

TYPO = "key: tutor\nmodel: gtp-4o\n"
FILES = """\
key: {key}
model: gpt-4o
tools: [{{type: code_interpreter}}, {{type: file_search}}]
tool_resources:
  code_interpreter: {{file_ids: [file-ok, file-gone, file-shared]}}
  file_search: {{vector_store_ids: [{store}]}}
"""


def test_an_unknown_model_is_a_plan_error_naming_the_closest(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    emulator.seed_catalog("models", "gpt-4o", "gpt-4o-mini", "o3-mini", "gpt-4.1")
    root = project_dir(tmp_path / "p", {"tutor.yaml": TYPO})
    assert run("validate", root).code == 0  # validate stays offline: it cannot know
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "plan", root)
    assert r.code == 1
    error = (
        f"'tutor' ({root / 'tutor.yaml'}): model 'gtp-4o' is not a model this host serves; "
        "closest: 'gpt-4o', 'gpt-4.1'"
    )
    assert f"Error: {error}." in r.out
    assert r.out.splitlines()[-1].startswith("Plan refused: 1 problem")
    assert error in r.err
    r = run(*flags, "apply", "--auto-approve", root)
    assert r.code == 1 and emulator.assistants() == []  # nothing sent
    ops = [e["operation"] for e in emulator.requests()]
    # Each command: its listing (from both ends) and, once its first page has come, the
    # models; nothing else.
    assert set(ops) == {"list", "list_models"} and ops.count("list_models") == 2
    assert ops[0] == "list"


def test_each_referenced_id_is_checked_once(tmp_path: Path, emulator: EmulatorHandle) -> None:
    emulator.seed_catalog("files", "file-ok", "file-shared")
    emulator.seed_catalog("vector_stores", "vs_ok")
    root = project_dir(
        tmp_path / "p",
        {
            "a.yaml": FILES.format(key="a", store="vs_ok"),
            "b.yaml": FILES.format(key="b", store="vs_gone"),
        },
    )
    r = run(*at(emulator.base_url, emulator.api_key), "plan", root)
    assert r.code == 1
    where = "tool_resources.code_interpreter.file_ids names the file"
    assert f"'a' ({root / 'a.yaml'}): {where} 'file-gone', which does not exist" in r.out
    assert f"'b' ({root / 'b.yaml'}): {where} 'file-gone'" in r.out
    assert (
        f"'b' ({root / 'b.yaml'}): tool_resources.file_search.vector_store_ids names the "
        "vector store 'vs_gone', which does not exist on this host"
    ) in r.out
    assert r.out.count("Error: ") == 3
    reads = sorted(e["path"] for e in emulator.requests() if e["operation"] != "list")
    assert reads == [
        "/v1/files",
        "/v1/files/file-gone",
        "/v1/files/file-ok",
        "/v1/files/file-shared",
        "/v1/models",  # not served here: skipped
        "/v1/vector_stores",
        "/v1/vector_stores/vs_gone",
        "/v1/vector_stores/vs_ok",
    ]
    assert all(e["method"] == "GET" for e in emulator.requests())


def test_a_host_without_those_endpoints_is_skipped_with_a_note(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    root = project_dir(tmp_path / "p", {"a.yaml": FILES.format(key="a", store="vs_x")})
    flags = at(emulator.base_url, emulator.api_key)
    r = run(*flags, "plan", root)
    assert r.code == 0 and "Plan: 1 to create" in r.out and r.err.count("\n") == 1
    r = run(*flags, "-v", "plan", root)
    assert r.code == 0
    assert "GET /models answered API error 404" in r.err
    assert "GET /files answered API error 404" in r.err and "not checked" in r.err
    assert [e["path"] for e in emulator.requests()].count("/v1/files") == 2  # one per run


def test_known_references_pass_and_apply_goes_ahead(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    emulator.seed_catalog("models", "gpt-4o")
    emulator.seed_catalog("files", "file-ok", "file-gone", "file-shared")
    emulator.seed_catalog("vector_stores", "vs_ok")
    root = project_dir(tmp_path / "p", {"a.yaml": FILES.format(key="a", store="vs_ok")})
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    r = run(*flags, "plan", "--detailed-exitcode", root)
    assert r.code == 0 and "No changes." in r.out


def test_a_host_that_refuses_the_listing_is_asked_nothing_else(tmp_path: Path) -> None:
    """The checks start once the listing's first page has come: a host refusing the key for
    the listing hears nothing about models, files or vector stores, and the listing's error
    is the one said."""
    with start_server("127.0.0.1", 0, EmulatorApp("openai", api_keys=["sk-the-right-key"])) as s:
        host = EmulatorHandle(s, api_key="sk-the-right-key")
        host.seed_catalog("models", "gpt-4o")
        root = project_dir(tmp_path / "p", {"a.yaml": FILES.format(key="a", store="vs_ok")})
        r = run(*at(host.base_url, "sk-not-this-hosts-key"), "plan", root)
        assert r.code == 1
        assert "401" in r.err, r.err
        assert {(e["path"], e["status"]) for e in host.requests()} == {("/v1/assistants", 401)}
