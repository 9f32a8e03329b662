"""Bad input of every kind gives exit 1 and one clear sentence: never a traceback, never an
"internal error", and nothing that changes anything sent to the host for input that is
invalid before it (a listing may start once the project file is read: it only reads).

Each table below is data: manifests and project files (written into a fresh project
directory), flags, saved plan files, and server answers (served by a tiny scripted
``http.server`` on 127.0.0.1). The existing bad-manifest corpus (``tests/data/bad_manifests``)
is reused for plan and apply, checked against the emulator's request log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from assistctl.emulator.testing import EmulatorHandle
from clihelpers import project_dir, run

from ._support import (
    Reply,
    assert_one_clear_error,
    assistant,
    default_script,
    free_port,
    page,
    scripted_server,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_manifests"
GOOD = "key: alpha\nmodel: gpt-4o\n"
OWN = {"assistctl": "default/alpha"}


def _corpus() -> list[Path]:
    return sorted(CORPUS.iterdir())


# ---- manifests and project files: exit 1, nothing sent ---------------------------------------

Files = Mapping[str, str | bytes]

MANIFESTS: dict[str, Files] = {
    "binary-noise": {"a.yaml": bytes(range(256)) * 16},
    "nul-byte": {"a.yaml": b"key: a\x00b\nmodel: gpt-4o\n"},
    "latin-1": {"a.yaml": "key: a\nmodel: gpt-4o\nname: caf\xe9\n".encode("latin-1")},
    "utf-16": {"a.yaml": GOOD.encode("utf-16")},
    "bom-then-bad-yaml": {"a.yaml": b"\xef\xbb\xbfkey: a\nmodel: [x\n"},
    "huge-file": {"a.yaml": GOOD + "instructions: " + "x" * (11 * 1024 * 1024) + "\n"},
    "deep-flow-nesting": {"a.yaml": GOOD + "metadata: " + "[" * 20_000 + "]" * 20_000 + "\n"},
    "deep-block-nesting": {
        "a.yaml": GOOD + "metadata:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 2000))
    },
    "python-tag": {"a.yaml": GOOD + "name: !!python/object/apply:os.system ['true']\n"},
    "alias-cycle": {"a.yaml": GOOD + "metadata: &a {x: &b [*a, *a]}\n"},
    "empty-file": {"a.yaml": ""},
    "only-separators": {"a.yaml": "---\n---\n"},
    "comment-only": {"a.yaml": "# nothing here\n"},
    "no-yaml-in-dir": {"notes.txt": "key: alpha\n"},
    "key-a-list": {"a.yaml": "key: [alpha]\nmodel: gpt-4o\n"},
    "key-a-number": {"a.yaml": "key: 5\nmodel: gpt-4o\n"},
    "model-a-mapping": {"a.yaml": "key: a\nmodel: {name: gpt-4o}\n"},
    "name-a-number": {"a.yaml": GOOD + "name: 123\n"},
    "metadata-a-list": {"a.yaml": GOOD + "metadata: [a, b]\n"},
    "metadata-nested": {"a.yaml": GOOD + "metadata: {team: {name: edu}}\n"},
    "temperature-boolean": {"a.yaml": GOOD + "temperature: true\n"},
    "temperature-nan": {"a.yaml": GOOD + "temperature: .nan\n"},
    "top-p-infinite": {"a.yaml": GOOD + "top_p: .inf\n"},
    "tools-a-string": {"a.yaml": GOOD + "tools: code_interpreter\n"},
    "tool-a-number": {"a.yaml": GOOD + "tools: [5]\n"},
    "function-without-name": {"a.yaml": GOOD + "tools: [{type: function, function: {}}]\n"},
    "instructions-file-binary": {
        "a.yaml": GOOD + "instructions_file: p.md\n",
        "p.md": b"\xff\xfe\x00\x01binary",
    },
    "instructions-file-too-long": {
        "a.yaml": GOOD + "instructions_file: p.md\n",
        "p.md": "x" * 256_001,
    },
    "instructions-file-escapes": {"a.yaml": GOOD + "instructions_file: /dev/zero\n"},
    "two-docs-same-key": {"a.yaml": GOOD + "---\n" + GOOD},
    "moved-from-self-and-other": {
        "a.yaml": "key: a\nmodel: gpt-4o\nmoved_from: b\n",
        "b.yaml": "key: c\nmodel: gpt-4o\nmoved_from: b\n",
    },
}

PROJECT_FILES: dict[str, Files] = {
    "invalid-yaml": {"assistctl.yaml": "project: [x\n"},
    "binary": {"assistctl.yaml": bytes(range(256))},
    "a-list": {"assistctl.yaml": "- project\n- x\n"},
    "two-documents": {"assistctl.yaml": "project: x\n---\nproject: y\n"},
    "unknown-field": {"assistctl.yaml": "project: x\nprojet: y\n"},
    "project-with-slash": {"assistctl.yaml": "project: bad/name\n"},
    "project-a-number": {"assistctl.yaml": "project: 5\n"},
    "provider-unknown": {"assistctl.yaml": "project: x\nprovider: nope\n"},
    "base-url-ftp": {"assistctl.yaml": "project: x\nbase_url: ftp://example.com\n"},
    "api-version-v9": {"assistctl.yaml": "project: x\napi_version: v9\n"},
    "policy-models-a-string": {"assistctl.yaml": "project: x\npolicy:\n  allowed_models: gpt\n"},
    "policy-temperature-text": {"assistctl.yaml": "project: x\npolicy:\n  max_temperature: hot\n"},
    "policy-violated": {
        "assistctl.yaml": "project: x\npolicy:\n  allowed_models: ['o3*']\n  required_metadata: [team]\n"
    },
    "misnamed-project-file": {"assistctl.yml": "project: x\n"},
    "is-a-directory": {"assistctl.yaml/keep": ""},
}


def _write(root: Path, files: Files) -> Path:
    project_dir(root)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


COMMANDS = {"plan": ["plan"], "apply": ["apply", "--auto-approve"], "drift": ["drift"]}


def _reads_only(emulator: EmulatorHandle) -> bool:
    """Nothing but list requests reached the host (the listing runs while manifests load)."""
    return all(e["operation"] == "list" for e in emulator.requests())


@pytest.mark.parametrize("command", ["plan", "apply"])
@pytest.mark.parametrize("case", _corpus(), ids=lambda p: p.name)
def test_bad_manifest_corpus_sends_nothing(
    emulator: EmulatorHandle, case: Path, command: str
) -> None:
    r = run(*_at(emulator), *COMMANDS[command], case)
    assert_one_clear_error(r, case.name)
    assert _reads_only(emulator), "a write was sent for invalid manifests"


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
@pytest.mark.parametrize("case", sorted(MANIFESTS), ids=str)
def test_bad_manifest_sends_nothing(
    emulator: EmulatorHandle, tmp_path: Path, case: str, command: str
) -> None:
    root = _write(tmp_path / "p", MANIFESTS[case])
    r = run(*_at(emulator), *COMMANDS[command], root)
    assert_one_clear_error(r, case)
    assert _reads_only(emulator)


@pytest.mark.parametrize("command", ["plan", "apply"])
@pytest.mark.parametrize("case", sorted(PROJECT_FILES), ids=str)
def test_bad_project_file_sends_nothing(
    emulator: EmulatorHandle, tmp_path: Path, case: str, command: str
) -> None:
    root = _write(tmp_path / "p", {**PROJECT_FILES[case], "alpha.yaml": GOOD})
    r = run(*_at(emulator), *COMMANDS[command], root)
    assert_one_clear_error(r, case)
    assert _reads_only(emulator)


def test_dangling_project_file_link_is_reported(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = _write(tmp_path / "p", {"alpha.yaml": GOOD})
    (root / "assistctl.yaml").symlink_to(tmp_path / "nowhere.yaml")
    r = run(*_at(emulator), "apply", "--auto-approve", root)
    assert "assistctl.yaml" in r.err
    assert_one_clear_error(r)
    assert _reads_only(emulator)


# ---- flags ------------------------------------------------------------------------------------

# Placeholders: {url} the emulator, {dir} a valid project, {tmp} a scratch directory,
# {refused} a port nothing listens on. ``online``: the command may list before it fails.
FLAGS: dict[str, tuple[list[str], bool]] = {
    "parallelism-zero": (["apply", "--auto-approve", "--parallelism", "0", "{dir}"], False),
    "parallelism-text": (["apply", "--auto-approve", "--parallelism", "many", "{dir}"], False),
    "parallelism-too-high": (["apply", "--auto-approve", "--parallelism", "65", "{dir}"], False),
    "base-url-ftp": (["--base-url", "ftp://example.com/v1", "plan", "{dir}"], False),
    "base-url-words": (["--base-url", "not a url", "plan", "{dir}"], False),
    "base-url-credentials": (["--base-url", "http://u:p@127.0.0.1:9/v1", "plan", "{dir}"], False),
    "base-url-query": (["--base-url", "http://127.0.0.1:9/v1?x=1", "plan", "{dir}"], False),
    "base-url-bad-port": (["--base-url", "http://127.0.0.1:99999/v1", "plan", "{dir}"], False),
    "base-url-no-host": (["--base-url", "http:///v1", "plan", "{dir}"], False),
    "base-url-template": (["--base-url", "https://{{r}}.openai.azure.com", "plan", "{dir}"], False),
    "base-url-open-ipv6": (["--base-url", "http://[::1/v1", "plan", "{dir}"], False),
    "base-url-control-char": (["--base-url", "http://exa\x01mple.com/v1", "plan", "{dir}"], False),
    "base-url-bad-idna": (["--base-url", "http://ex\u00e4mple..com/v1", "plan", "{dir}"], False),
    "provider-unknown": (["--provider", "nope", "plan", "{dir}"], False),
    "api-version-v3": (["--api-version", "v3", "plan", "{dir}"], False),
    "plan-format-yaml": (["plan", "--format", "yaml", "{dir}"], False),
    "drift-format-github": (["drift", "--format", "github", "{dir}"], False),
    "validate-format-markdown": (["validate", "--format", "markdown", "{dir}"], False),
    "providers-format-yaml": (["providers", "--format", "yaml"], False),
    "plan-without-paths": (["plan"], False),
    "apply-missing-path": (["apply", "--auto-approve", "{tmp}/nope.yaml"], False),
    "drift-missing-path": (["drift", "{tmp}/nope"], False),
    "timeout-zero": (["--timeout", "0", "plan", "{dir}"], False),
    "timeout-negative": (["--timeout", "-5", "plan", "{dir}"], False),
    "max-retries-negative": (["--max-retries", "-1", "plan", "{dir}"], False),
    "project-with-slash": (["--project", "a/b", "plan", "{dir}"], False),
    "project-empty": (["--project", "", "apply", "--auto-approve", "{dir}"], False),
    "unknown-option": (["plan", "--frobnicate", "{dir}"], False),
    "unknown-command": (["frobnicate"], False),
    "plan-out-is-a-directory": (["plan", "--out", "{tmp}", "{dir}"], False),
    "export-out-is-a-file": (["export", "--out", "{dir}/alpha.yaml"], False),
    "import-unknown-key": (["import", "nope=asst_x", "{dir}"], False),
    "local-state-is-a-directory": (
        ["--provider", "local", "--local-state", "{tmp}", "plan", "{dir}"],
        False,
    ),
    "local-state-not-json": (
        ["--provider", "local", "--local-state", "{tmp}/garbage.json", "plan", "{dir}"],
        False,
    ),
    "local-state-a-list": (
        ["--provider", "local", "--local-state", "{tmp}/list.json", "plan", "{dir}"],
        False,
    ),
    "apply-without-approval": (["apply", "{dir}"], True),
    "plan-out-missing-directory": (["plan", "--out", "{tmp}/no/such/p.json", "{dir}"], True),
    "import-unknown-assistant": (["import", "alpha", "asst_nope", "{dir}"], True),
    "import-empty-id": (["import", "alpha", "", "{dir}"], True),
    "connection-refused": (["--base-url", "http://127.0.0.1:{refused}/v1", "plan", "{dir}"], False),
}


@pytest.mark.parametrize("case", sorted(FLAGS), ids=str)
def test_bad_flag(emulator: EmulatorHandle, tmp_path: Path, case: str) -> None:
    argv, online = FLAGS[case]
    root = _write(tmp_path / "p", {"alpha.yaml": GOOD})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "garbage.json").write_text("{nope")
    (scratch / "list.json").write_text("[1, 2]")
    values = {"dir": str(root), "tmp": str(scratch), "refused": str(free_port())}
    args = [a.format(**values) for a in argv]
    r = run(*_at(emulator), "--max-retries", "0", *args)
    assert_one_clear_error(r, case)
    sent = emulator.requests()
    if online:
        assert all(e["method"] == "GET" for e in sent), sent  # reads only
    else:
        assert sent == []


# ---- saved plan files -------------------------------------------------------------------------

Edit = Callable[[str], str | bytes]


def _json_edit(change: Callable[[dict[str, Any]], Any]) -> Edit:
    def edit(text: str) -> str:
        data = json.loads(text)
        return json.dumps(change(data))

    return edit


PLAN_FILES: dict[str, Edit] = {
    "truncated": lambda t: t[: len(t) // 2],
    "not-json": lambda t: "this is not a plan\n",
    "empty": lambda t: "",
    "binary": lambda t: bytes(range(256)),
    "a-json-list": lambda t: "[]",
    "a-json-string": lambda t: '"assistctl-plan"',
    "nested-too-deep": lambda t: "[" * 100_000 + "]" * 100_000,
    "wrong-kind": _json_edit(lambda d: {**d, "kind": "terraform-plan"}),
    "no-kind": _json_edit(lambda d: {k: v for k, v in d.items() if k != "kind"}),
    "format-version-2": _json_edit(lambda d: {**d, "format_version": "2"}),
    "no-plan": _json_edit(lambda d: {k: v for k, v in d.items() if k != "plan"}),
    "changes-a-string": _json_edit(lambda d: {**d, "plan": {**d["plan"], "changes": "x"}}),
    "unknown-action": _json_edit(
        lambda d: {
            **d,
            "plan": {
                **d["plan"],
                "changes": [{**c, "action": "nuke"} for c in d["plan"]["changes"]],
            },
        }
    ),
    "extra-field": _json_edit(lambda d: {**d, "x": "y"}),
    "edited-body": lambda t: t.replace('"gpt-4o"', '"gpt-4o-mini"'),
    "edited-digest": _json_edit(lambda d: {**d, "digest": "0" * 64}),
    "huge": _json_edit(lambda d: {**d, "padding": "y" * 5_000_000}),
}


@pytest.fixture
def saved_plan(emulator: EmulatorHandle, tmp_path: Path) -> tuple[Path, str]:
    root = _write(tmp_path / "p", {"alpha.yaml": GOOD, "beta.yaml": "key: beta\nmodel: gpt-4o\n"})
    out = tmp_path / "plan.json"
    r = run(*_at(emulator), "plan", "--out", out, root)
    assert r.code == 0, r.err
    emulator.app.clear_requests()
    return root, out.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", sorted(PLAN_FILES), ids=str)
def test_bad_plan_file(
    emulator: EmulatorHandle, tmp_path: Path, saved_plan: tuple[Path, str], case: str
) -> None:
    edited = PLAN_FILES[case](saved_plan[1])
    path = tmp_path / f"{case}.plan"
    if isinstance(edited, bytes):
        path.write_bytes(edited)
    else:
        path.write_text(edited, encoding="utf-8")
    r = run(*_at(emulator), "apply", path)
    assert_one_clear_error(r, case)
    assert emulator.requests() == []


@pytest.mark.parametrize("case", ["other-project", "other-host", "stale"])
def test_plan_file_for_another_target(
    emulator: EmulatorHandle, tmp_path: Path, saved_plan: tuple[Path, str], case: str
) -> None:
    root, text = saved_plan
    path = tmp_path / "p.plan"
    path.write_text(text, encoding="utf-8")
    flags = _at(emulator)
    if case == "other-project":
        flags += ["--project", "someone-else"]
    elif case == "other-host":
        flags = ["--base-url", emulator.base_url.replace("127.0.0.1", "localhost")]
        flags += ["--api-key", emulator.api_key]
    else:
        assert run(*_at(emulator), "apply", "--auto-approve", root).code == 0
    emulator.app.clear_requests()
    r = run(*flags, "apply", path)
    assert_one_clear_error(r, case)
    assert all(e["operation"] == "list" for e in emulator.requests())


# ---- server answers ---------------------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
MANAGED = page(assistant(metadata=OWN, name="old"))
ORPHAN = page(assistant(metadata={"assistctl": "default/gone"}))

# (command, {operation: reply}). Commands: plan, drift, apply, export, import.
ANSWERS: dict[str, tuple[str, dict[str, Reply]]] = {
    "list-truncated-json": ("plan", {"list": Reply(body=b'{"object":"list","data":[{"id":"a')}),
    "list-not-json": ("plan", {"list": Reply(body=b"hello")}),
    "list-json-null": ("plan", {"list": Reply(body=b"null")}),
    "list-a-json-array": ("plan", {"list": Reply(body=b"[]")}),
    "list-nested-too-deep": ("plan", {"list": Reply(body=DEEP)}),
    "list-nan": ("plan", {"list": Reply(body=b'{"data": [], "has_more": NaN}')}),
    "list-invalid-utf8": ("plan", {"list": Reply(body=b'{"data": [{"id": "\xff"}]}')}),
    "data-not-a-list": ("plan", {"list": Reply(body={"object": "list", "data": {"a": 1}})}),
    "data-null": ("plan", {"list": Reply(body={"object": "list", "data": None})}),
    "entry-a-string": ("plan", {"list": Reply(body=page("asst_1"))}),
    "entry-without-id": ("plan", {"list": Reply(body=page({"object": "assistant"}))}),
    "entry-id-a-number": ("plan", {"list": Reply(body=page(assistant(ident=7)))}),
    "entry-id-empty": ("plan", {"list": Reply(body=page(assistant(ident="")))}),
    "has-more-a-string": ("plan", {"list": Reply(body=page(assistant(), has_more="false"))}),
    "has-more-forever": ("plan", {"list": Reply(body=page(assistant(), has_more=True))}),
    "has-more-empty-page": ("plan", {"list": Reply(body=page(has_more=True))}),
    "name-a-number": ("plan", {"list": Reply(body=page(assistant(name=123)))}),
    "metadata-a-string": ("plan", {"list": Reply(body=page(assistant(metadata="x")))}),
    "tools-an-object": ("drift", {"list": Reply(body=page(assistant(metadata=OWN, tools={})))}),
    "tool-a-string": ("drift", {"list": Reply(body=page(assistant(metadata=OWN, tools=["x"])))}),
    "function-name-an-object": (
        "plan",
        {
            "list": Reply(
                body=page(
                    assistant(metadata=OWN, tools=[{"type": "function", "function": {"name": {}}}])
                )
            )
        },
    ),
    "temperature-a-string": ("plan", {"list": Reply(body=page(assistant(temperature="hot")))}),
    "top-p-a-boolean": ("plan", {"list": Reply(body=page(assistant(metadata=OWN, top_p=True)))}),
    "response-format-a-number": (
        "plan",
        {"list": Reply(body=page(assistant(metadata=OWN, response_format=7)))},
    ),
    "tool-resources-a-list": (
        "plan",
        {"list": Reply(body=page(assistant(metadata=OWN, tool_resources=[])))},
    ),
    "huge-html-200": (
        "plan",
        {"list": Reply(body="<html>" + "x" * 8_000_000 + "</html>", content_type="text/html")},
    ),
    "huge-error-body": (
        "plan",
        {"list": Reply(status=400, body={"error": {"message": "y" * 5_000_000}})},
    ),
    "html-502-page": ("plan", {"list": Reply(status=502, body=HTML_502, content_type="text/html")}),
    "html-401-page": (
        "drift",
        {"list": Reply(status=401, body="<b>no</b>", content_type="text/html")},
    ),
    "empty-200": ("plan", {"list": Reply(body=b"")}),
    "200-text-html": (
        "plan",
        {"list": Reply(body="<html><title>Sign in</title></html>", content_type="text/html")},
    ),
    "302-redirect": (
        "plan",
        {
            "list": Reply(
                status=302, headers={"Location": "https://elsewhere.example/v1/assistants"}
            )
        },
    ),
    "404-collection": (
        "plan",
        {"list": Reply(status=404, body={"error": {"message": "Invalid URL"}})},
    ),
    "429-wait-too-long": (
        "plan",
        {
            "list": Reply(
                status=429, body={"error": {"message": "slow"}}, headers={"retry-after": "999999"}
            )
        },
    ),
    "error-body-a-list": ("plan", {"list": Reply(status=400, body=[1, 2])}),
    "error-message-an-object": (
        "plan",
        {"list": Reply(status=400, body={"error": {"message": {}}})},
    ),
    "error-message-multiline": (
        "plan",
        {"list": Reply(status=400, body={"error": {"message": "first\n\nsecond\r\nthird"}})},
    ),
    "body-cut-mid-way": ("plan", {"list": Reply(body=page(assistant()), cut=True)}),
    "not-http-at-all": ("plan", {"list": Reply(raw=b"HELLO\r\n\r\n")}),
    "closed-without-answer": ("plan", {"list": Reply(raw=b"")}),
    "create-truncated-json": ("apply", {"create": Reply(body=b'{"id": "asst_')}),
    "create-without-id": ("apply", {"create": Reply(body={"object": "assistant"})}),
    "create-nested-too-deep": ("apply", {"create": Reply(body=DEEP)}),
    "create-html-200": ("apply", {"create": Reply(body="<p>ok</p>", content_type="text/html")}),
    "create-400": ("apply", {"create": Reply(status=400, body={"error": {"message": "bad"}})}),
    "create-302": (
        "apply",
        {"create": Reply(status=302, headers={"Location": "http://x.example/"})},
    ),
    "modify-a-string": ("apply", {"list": Reply(body=MANAGED), "modify": Reply(body="x")}),
    "modify-wrong-types": (
        "apply",
        {"list": Reply(body=MANAGED), "modify": Reply(body=assistant(metadata=OWN, tools="x"))},
    ),
    "modify-404": (
        "apply",
        {
            "list": Reply(body=MANAGED),
            "modify": Reply(status=404, body={"error": {"message": "gone"}}),
        },
    ),
    "delete-a-list": ("apply", {"list": Reply(body=ORPHAN), "delete": Reply(body=b"[]")}),
    "delete-empty-body": ("apply", {"list": Reply(body=ORPHAN), "delete": Reply(body=b"")}),
    "export-data-not-a-list": ("export", {"list": Reply(body={"data": "x"})}),
    "export-html-200": ("export", {"list": Reply(body="<html/>", content_type="text/html")}),
    "import-retrieve-without-id": ("import", {"retrieve": Reply(body={"object": "assistant"})}),
    "import-modify-truncated": (
        "import",
        {"retrieve": Reply(body=assistant()), "modify": Reply(body=b'{"id":')},
    ),
}


@pytest.mark.parametrize("case", sorted(ANSWERS), ids=str)
def test_bad_server_answer(tmp_path: Path, case: str) -> None:
    command, overrides = ANSWERS[case]
    root = _write(tmp_path / "p", {"alpha.yaml": GOOD})
    argv: list[str | Path] = {  # type: ignore[assignment]  # mypy joins the values to list[object]
        "plan": ["plan", root],
        "drift": ["drift", root],
        "apply": ["apply", "--auto-approve", root],
        "export": ["export", "--out", tmp_path / "out"],
        "import": ["import", "alpha=asst_scripted000000000000000001", root, "--auto-approve"],
    }[command]
    with scripted_server(default_script(overrides)) as server:
        r = run("--base-url", server.url, "--api-key", "sk-test-x", "--max-retries", "0", *argv)
        creates = [
            e for e in server.log if e["method"] == "POST" and e["path"].endswith("/assistants")
        ]
    assert_one_clear_error(r, case)
    if command == "apply" and not overrides.get("create", Reply()).cut:
        # A create whose answer was garbage is not sent again blindly.
        assert len(creates) <= 1


def _at(emulator: EmulatorHandle) -> list[str]:
    return ["--base-url", emulator.base_url, "--api-key", emulator.api_key]


def test_the_corpus_is_large_enough() -> None:
    own = len(MANIFESTS) + len(PROJECT_FILES) + len(FLAGS) + len(PLAN_FILES) + len(ANSWERS) + 3
    assert own >= 60, own
    assert len(_corpus()) >= 30
