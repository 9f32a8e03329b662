"""Every provider end to end through the real CLI, against the emulator in that provider's
flavor over HTTP: apply -> plan empty -> update -> drift -> apply -> delete. Plus how each
error envelope (and a proxy's HTML page, an empty body, OpenAI's sunset) reaches the user.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import owner_of
from clihelpers import CliResult, project_dir, run

NO_CHANGES = "No changes. Live assistants match the manifests."
PROJECT = "prov"

TUTOR_V2 = """\
key: tutor
model: gpt-4o
name: Tutor
instructions: Be kind.
tools:
  - type: code_interpreter
  - type: file_search
  - type: function
    function:
      name: get_weather
      description: Weather for a city
      parameters: {type: object, properties: {city: {type: string}}, required: [city]}
      strict: true
tool_resources:
  code_interpreter: {file_ids: [file-a]}
  file_search: {vector_store_ids: [vs_1]}
temperature: 0.2
response_format: {type: json_object}
metadata: {team: edu}
"""
OTHER_V2 = "key: helper\nmodel: gpt-4o-mini\n"

# v2 spellings, translated for the v1 host: file_search -> retrieval, code_interpreter's
# files -> assistant-level file_ids.
TUTOR_V1 = """\
key: tutor
model: gpt-4-turbo
name: Tutor
instructions: Be kind.
tools:
  - type: code_interpreter
  - type: file_search
  - type: function
    function: {name: get_weather, parameters: {type: object, properties: {}}}
tool_resources:
  code_interpreter: {file_ids: [file-a]}
metadata: {team: edu}
"""
# v1 spellings, accepted only under v1.
OTHER_V1 = """\
key: helper
model: gpt-4
tools: [{type: retrieval}]
file_ids: [file-b, file-c]
"""


@dataclass(frozen=True)
class Case:
    provider: str
    fixture: str
    flags: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    """Key (and other) variables; the value ``KEY`` is replaced by the emulator's key."""
    v1: bool = False


CASES = [
    Case("openai", "emulator", flags=("--api-key", "KEY")),
    Case("aimlapi", "emulator_aimlapi", env={"AIMLAPI_API_KEY": "KEY"}),
    Case("laplas", "emulator_aimlapi", env={"LAPLAS_API_KEY": "KEY"}),
    Case(
        "azure",
        "emulator_azure",
        env={"AZURE_OPENAI_API_KEY": "KEY", "OPENAI_API_VERSION": "2025-04-01-preview"},
    ),
    Case("openai", "emulator_v1", flags=("--api-key", "KEY", "--api-version", "v1"), v1=True),
]


@dataclass
class Host:
    """The CLI pointed at one emulator as one provider."""

    case: Case
    emu: EmulatorHandle
    root: Path

    def run(self, *args: str | Path) -> CliResult:
        flags = [a.replace("KEY", self.emu.api_key) for a in self.case.flags]
        env = {k: v.replace("KEY", self.emu.api_key) for k, v in self.case.env.items()}
        return run(
            "--provider",
            self.case.provider,
            "--base-url",
            self.emu.base_url,
            *flags,
            *args,
            env=env,
        )

    def managed(self) -> dict[str, dict[str, Any]]:
        out = {}
        for obj in self.emu.assistants():
            owner = owner_of(obj)
            if owner is not None and owner[0] == PROJECT:
                out[owner[1]] = obj
        return out


@pytest.fixture(params=CASES, ids=["openai", "aimlapi", "laplas", "azure", "openai-v1"])
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Host:
    case: Case = request.param
    emu: EmulatorHandle = request.getfixturevalue(case.fixture)
    tutor, other = (TUTOR_V1, OTHER_V1) if case.v1 else (TUTOR_V2, OTHER_V2)
    root = project_dir(
        tmp_path / "repo",
        {"assistctl.yaml": f"project: {PROJECT}\n", "tutor.yaml": tutor, "helper.yaml": other},
    )
    return Host(case, emu, root)


def test_full_loop(host: Host) -> None:
    root = host.root
    r = host.run("validate", root)
    assert (r.code, r.out) == (0, "2 manifests valid (3 files)\n"), r.text

    r = host.run("apply", "--auto-approve", root)
    assert r.code == 0, r.text
    live = host.managed()
    assert set(live) == {"tutor", "helper"}
    tutor_id = live["tutor"]["id"]
    assert owner_of(live["tutor"]) == (PROJECT, "tutor")
    if host.case.v1:
        # What the v1 host stores for a v2-style manifest (the translation).
        assert [t["type"] for t in live["tutor"]["tools"]] == [
            "code_interpreter",
            "retrieval",
            "function",
        ]
        assert live["tutor"]["file_ids"] == ["file-a"]
        assert live["helper"]["file_ids"] == ["file-b", "file-c"]
        assert "tool_resources" not in live["tutor"]
    else:
        assert live["tutor"]["tool_resources"] == {
            "code_interpreter": {"file_ids": ["file-a"]},
            "file_search": {"vector_store_ids": ["vs_1"]},
        }
        assert live["tutor"]["temperature"] == 0.2

    r = host.run("plan", "--detailed-exitcode", root)
    assert r.code == 0, r.text
    assert r.out.splitlines()[-1] == NO_CHANGES

    # Update a manifest: a plan with one in-place change, applied, then empty again.
    path = root / "tutor.yaml"
    path.write_text(path.read_text().replace("Be kind.", "Be very kind."))
    r = host.run("plan", "--detailed-exitcode", root)
    assert r.code == 2, r.text
    assert "Plan: 0 to create, 1 to update, 0 to delete." in r.out
    assert host.run("apply", "--auto-approve", root).code == 0
    assert host.managed()["tutor"]["id"] == tutor_id
    assert host.managed()["tutor"]["instructions"] == "Be very kind."
    assert host.run("plan", "--detailed-exitcode", root).code == 0

    # Someone edits the assistant by hand: drift exits 2, apply puts it back.
    host.emu.modify_out_of_band(tutor_id, name="Hand edited")
    r = host.run("drift", root)
    assert r.code == 2, r.text
    assert '"Hand edited"' in r.out
    assert host.run("apply", "--auto-approve", root).code == 0
    assert host.managed()["tutor"]["name"] == "Tutor"
    r = host.run("drift", root)
    assert r.code == 0, r.text

    # A manifest removed: its assistant is deleted.
    (root / "helper.yaml").unlink()
    r = host.run("apply", "--auto-approve", root)
    assert r.code == 0, r.text
    assert set(host.managed()) == {"tutor"}
    assert host.run("plan", "--detailed-exitcode", root).code == 0

    log = host.emu.requests()
    assert log
    if host.case.provider == "azure":
        assert {e["query"].get("api-version") for e in log} == {"2025-04-01-preview"}
    if host.emu.flavor in ("openai", "openai-v1"):
        beta = "assistants=v1" if host.case.v1 else "assistants=v2"
        assert {e["openai_beta"] for e in log} == {beta}


def test_azure_settings_as_the_official_sdk_reads_them(
    emulator_azure: EmulatorHandle, tmp_path: Path
) -> None:
    """AZURE_OPENAI_ENDPOINT (+ /openai), AZURE_OPENAI_API_KEY and OPENAI_API_VERSION alone."""
    root = project_dir(tmp_path, {"a.yaml": OTHER_V2})
    env = {
        "AZURE_OPENAI_ENDPOINT": emulator_azure.root_url + "/",
        "AZURE_OPENAI_API_KEY": emulator_azure.api_key,
    }
    r = run("--provider", "azure", "apply", "--auto-approve", root, env=env)
    assert r.code == 0, r.text
    assert f"{emulator_azure.root_url}/openai (azure, api-version 2024-05-01-preview)" in r.err
    assert len(emulator_azure.assistants()) == 1
    # The assistants, and the models plan checks the manifests against (not served here).
    paths = {e["path"] for e in emulator_azure.requests()}
    assert paths == {"/openai/assistants", "/openai/models"}


def test_v1_dialect_from_the_project_file(emulator_v1: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(
        tmp_path, {"assistctl.yaml": "api_version: v1\n", "a.yaml": OTHER_V1, "t.yaml": TUTOR_V1}
    )
    flags = ("--base-url", emulator_v1.base_url, "--api-key", emulator_v1.api_key)
    assert run(*flags, "validate", root).code == 0
    assert run(*flags, "apply", "--auto-approve", root).code == 0
    r = run(*flags, "plan", "--detailed-exitcode", root)
    assert r.code == 0, r.text
    assert "assistants v1" in r.err


def test_v1_fields_under_v2_name_the_replacement(tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"a.yaml": OTHER_V1})
    r = run("validate", root)
    assert r.code == 1
    assert "tool type 'retrieval' is Assistants API v1; v2 renamed it 'file_search'" in r.out
    assert "in v2 use tool_resources.code_interpreter.file_ids" in r.out


def test_v2_only_settings_under_v1_are_errors_not_dropped(tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"t.yaml": TUTOR_V2})
    r = run("--api-version", "v1", "validate", root)
    assert r.code == 1
    lines = r.out.splitlines()
    assert any(
        "temperature" in line and "does not exist in Assistants API v1" in line for line in lines
    )
    assert any("response_format" in line for line in lines)
    assert any("tools.2.function.strict" in line for line in lines)
    assert any("vector stores do not exist in Assistants API v1" in line for line in lines)


@pytest.mark.parametrize(
    "flags", [("--provider", "aimlapi"), ("--base-url", "https://api.apilaplas.com")]
)
def test_aimlapi_model_list_is_a_warning(tmp_path: Path, flags: tuple[str, ...]) -> None:
    root = project_dir(tmp_path, {"a.yaml": "key: a\nmodel: claude-3-opus\n", "b.yaml": OTHER_V2})
    r = run(*flags, "validate", root)
    assert r.code == 0, r.text
    (warning,) = [line for line in r.out.splitlines() if ": warning: " in line]
    assert "a.yaml:2:8: warning: model: 'claude-3-opus' is not among" in warning
    assert "https://docs.aimlapi.com/" in warning
    assert r.out.splitlines()[-1] == "2 manifests valid (2 files), 1 warning"


def test_model_list_only_for_aimlapi_and_laplas(tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"a.yaml": "key: a\nmodel: claude-3-opus\n"})
    for flags in ((), ("--provider", "openai"), ("--provider", "azure")):
        r = run(*flags, "validate", root)
        assert (r.code, "warning" in r.out) == (0, False), (flags, r.out)
    root_p = project_dir(
        tmp_path / "p", {"assistctl.yaml": "provider: laplas\n", "a.yaml": "key: a\nmodel: x\n"}
    )
    assert "warning" in run("validate", root_p).out


def test_providers_command(tmp_path: Path) -> None:
    r = run("providers")
    assert r.code == 0
    for name in ("openai (default)", "aimlapi", "laplas", "azure", "local"):
        assert f"\n{name}\n" in "\n" + r.out
    assert "api-key: KEY" in r.out and "OPENAI_API_VERSION" in r.out
    assert "2026-08-26" in r.out
    doc = json.loads(run("providers", "--format", "json").out)
    by_name = {p["name"]: p for p in doc["providers"]}
    assert list(by_name) == ["openai", "aimlapi", "laplas", "azure", "local"]
    assert by_name["azure"]["auth"] == "api-key: KEY"
    assert by_name["azure"]["base_url_variables"] == ["AZURE_OPENAI_ENDPOINT + /openai"]
    assert by_name["openai"]["dialects"] == ["v2", "v1"]
    assert by_name["aimlapi"]["path_prefix"] == ""
    assert "AIMLAPI_API_KEY" in by_name["aimlapi"]["key_variables"]
    assert "LAPLAS_API_KEY" in by_name["laplas"]["key_variables"]
    assert "gpt-4o" in by_name["laplas"]["documented_models"]
    assert by_name["local"]["auth"] == "none"


def test_local_provider_refuses_v1(tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"a.yaml": OTHER_V1})
    r = run("--provider", "local", "--api-version", "v1", "plan", root)
    assert r.code == 1
    assert "--flavor openai-v1" in r.err and "Traceback" not in r.text


# ---- error rendering ---------------------------------------------------------------------------


@contextmanager
def _refuse_keys(emu: EmulatorHandle) -> Iterator[None]:
    emu.app.api_keys = frozenset({"the-only-right-key"})
    try:
        yield
    finally:
        emu.app.api_keys = None


@pytest.mark.parametrize(
    ("fixture", "flags", "expected"),
    [
        (
            "emulator",
            ("--provider", "openai"),
            ["API error 401: Incorrect API key provided", "OPENAI_API_KEY"],
        ),
        (
            "emulator_aimlapi",
            ("--provider", "aimlapi"),
            ["API error 401: Incorrect API key provided", "(request id req_", "AIMLAPI_API_KEY"],
        ),
        (
            "emulator_azure",
            ("--provider", "azure"),
            [
                "API error 401: Access denied due to invalid subscription key",
                "AZURE_OPENAI_API_KEY",
            ],
        ),
        (
            "emulator_v1",
            ("--provider", "openai", "--api-version", "v1"),
            ["API error 401: Incorrect API key provided"],
        ),
    ],
)
def test_refused_key_in_each_envelope(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fixture: str,
    flags: tuple[str, ...],
    expected: list[str],
) -> None:
    emu: EmulatorHandle = request.getfixturevalue(fixture)
    root = project_dir(tmp_path, {"a.yaml": OTHER_V2})
    with _refuse_keys(emu):
        r = run(
            *flags, "--base-url", emu.base_url, "--api-key", "sk-wrong-key-123456", "plan", root
        )
    assert r.code == 1
    (line,) = r.err.strip().splitlines()[-1:]
    assert line.startswith("assistctl: error: ")
    for text in expected:
        assert text in line, line
    assert "The API key was refused" in line
    assert "sk-wrong-key-123456" not in r.text and "Traceback" not in r.text


def test_azure_api_version_errors(emulator_azure: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"a.yaml": OTHER_V2})
    flags = ("--provider", "azure", "--base-url", emulator_azure.base_url)
    env = {
        "AZURE_OPENAI_API_KEY": emulator_azure.api_key,
        "OPENAI_API_VERSION": "2024-02-15-preview",
    }
    r = run(*flags, "plan", root, env=env)
    assert r.code == 1
    assert "API error 400: API version not supported" in r.err
    assert "Traceback" not in r.text


def test_v1_host_without_api_version_v1(emulator_v1: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"a.yaml": OTHER_V2})
    r = run("--base-url", emulator_v1.base_url, "--api-key", emulator_v1.api_key, "plan", root)
    assert r.code == 1
    assert "API error 400: Invalid 'OpenAI-Beta' header: assistants=v2 is not supported" in r.err
    assert "assistants=v1" in r.err


@dataclass
class Canned:
    """A tiny HTTP server (also usable as an HTTP proxy) answering every request the same."""

    status: int
    body: bytes
    content_type: str
    seen: list[str] = field(default_factory=list)
    url: str = ""


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up is normal here: a failed plan closes its client while the other
    end's list request may still be answered. The standard library would print that
    traceback to sys.stderr, which CliRunner captures as the command's own output."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def canned() -> Iterator[Callable[[int, bytes, str], Canned]]:
    servers: list[ThreadingHTTPServer] = []

    def start(status: int, body: bytes, content_type: str = "text/html") -> Canned:
        reply = Canned(status, body, content_type)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                reply.seen.append(self.path)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_POST = do_DELETE = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        reply.url = f"http://127.0.0.1:{server.server_address[1]}"
        return reply

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


HTML_502 = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>"
    b"502 Bad Gateway</h1></center><hr><center>nginx</center>"
    + b"<p>filler</p>" * 300
    + b"</body></html>"
)


@pytest.mark.parametrize("provider", ["openai", "aimlapi", "azure"])
def test_html_502_from_a_proxy(
    canned: Callable[[int, bytes, str], Canned], tmp_path: Path, provider: str
) -> None:
    reply = canned(502, HTML_502, "text/html")
    root = project_dir(tmp_path, {"a.yaml": OTHER_V2})
    args = ("--provider", provider, "--base-url", reply.url, "--api-key", "k", "--max-retries", "0")
    r = run(*args, "plan", root)
    assert r.code == 1
    last = r.err.strip().splitlines()[-1]
    assert last.startswith(
        "assistctl: error: API error 502: Bad Gateway; the body is not JSON (text/html): "
        "'502 Bad Gateway'"
    ), last
    assert "Try again later" in last
    assert "<html" not in r.text and "filler" not in r.text and "Traceback" not in r.text


def test_empty_error_body(canned: Callable[[int, bytes, str], Canned], tmp_path: Path) -> None:
    reply = canned(400, b"", "application/json")
    root = project_dir(tmp_path, {"a.yaml": OTHER_V2})
    r = run("--base-url", reply.url, "--api-key", "k", "plan", root)
    assert r.code == 1
    assert "assistctl: error: API error 400: Bad Request (empty response body)" in r.err
    assert "Traceback" not in r.text


def test_404_on_the_collection_of_another_host(
    canned: Callable[[int, bytes, str], Canned], tmp_path: Path
) -> None:
    reply = canned(404, b'{"error": {"message": "Not here", "type": "x"}}', "application/json")
    root = project_dir(tmp_path, {"a.yaml": OTHER_V2})
    r = run("--base-url", reply.url + "/v1", "--api-key", "k", "plan", root)
    assert r.code == 1
    assert "does not serve the Assistants API" in r.err
    assert "sunset" not in r.err and "Traceback" not in r.text


def test_no_key_over_plain_http_even_through_a_proxy(
    canned: Callable[[int, bytes, str], Canned], tmp_path: Path
) -> None:
    """api.openai.com over plain http (here through an HTTP proxy that is a local server) would
    show the key to every hop: refused before any request. The sunset's 404 wording is
    checked through the client in tests/api/test_client_http.py."""
    reply = canned(404, b"{}", "application/json")
    root = project_dir(tmp_path, {"a.yaml": OTHER_V2})
    env = {
        "HTTP_PROXY": reply.url,
        "http_proxy": reply.url,
        "NO_PROXY": None,
        "no_proxy": None,
        "ALL_PROXY": None,
        "all_proxy": None,
        "OPENAI_API_KEY": "sk-test-plain-http",
    }
    r = run("--base-url", "http://api.openai.com/v1", "plan", root, env=env)
    assert r.code == 1 and reply.seen == []
    assert r.err == (
        "assistctl: error: Refusing to send the API key over plain http to api.openai.com "
        "(base URL from --base-url); use https://, or a server on this machine (localhost).\n"
    )
