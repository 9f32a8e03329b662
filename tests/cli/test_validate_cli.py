"""``assistctl validate`` through the real CLI: formats, exit codes, paths, hostile files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistctl.cli.main import cli
from assistctl.config.loader import load
from clihelpers import cli_runner, project_dir, track

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "assistants"
GOOD = "key: {key}\nmodel: gpt-4o\n"
BAD = "key: bad\nmodel: gpt-4o\ntemperature: 3\ncolour: red\n"


def run(*args: str | Path) -> tuple[int, str, str]:
    """The CLI in-process. Returns (exit code, stdout, stderr)."""
    result = cli_runner().invoke(cli, [str(a) for a in args], standalone_mode=False)
    if result.exception is not None:
        raise result.exception
    code = result.return_value
    assert isinstance(code, int)
    return code, result.stdout, result.stderr


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """``files`` in a git work tree (which keeps project discovery inside tmp), tracked."""
    project_dir(root)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return track(root)


def test_examples_are_valid() -> None:
    code, out, _ = run("validate", EXAMPLES)
    assert code == 0, out
    assert re.fullmatch(r"\d+ manifests valid \(\d+ files\)\n", out)
    result = load([EXAMPLES])
    keys = {m.manifest.key for m in result.manifests}
    assert len(keys) >= 5 and result.project.project == "examples"


def test_examples_cover_the_manifest_features() -> None:
    manifests = [m.manifest for m in load([EXAMPLES]).manifests]
    tools = {t.type for m in manifests for t in m.tools or []}
    assert tools == {"code_interpreter", "file_search", "function"}
    assert any(getattr(m.response_format, "type", None) == "json_schema" for m in manifests)
    assert any(m.instructions_file and m.instructions for m in manifests)
    assert any(m.tool_resources and m.tool_resources.file_search for m in manifests)
    assert any(m.tool_resources and m.tool_resources.code_interpreter for m in manifests)
    assert any(m.lifecycle for m in manifests) and all(m.metadata for m in manifests)
    files = [m.file for m in load([EXAMPLES]).manifests]
    assert len(files) > len(set(files)), "one file holds several documents"


def test_text_report_sorted_one_per_line_then_summary(tmp_path: Path) -> None:
    root = write(tmp_path, {"b.yaml": BAD, "a.yaml": GOOD.format(key="a") + "name: 5\n"})
    code, out, err = run("validate", root)
    assert code == 1 and err == ""
    assert out.splitlines() == [
        f"{root}/a.yaml:3:7: name: must be text, got the number 5; put the value in quotes "
        "to make it text",
        f"{root}/b.yaml:3:14: temperature: must be at most 2, got 3",
        f"{root}/b.yaml:4:1: colour: unknown field 'colour'",
        "3 errors in 2 of 2 files",
    ]


def test_summary_when_valid(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {"a.yaml": GOOD.format(key="a"), "b.yml": GOOD.format(key="b") + "---\nkey: c\nmodel: m\n"},
    )
    assert run("validate", root)[:2] == (0, "3 manifests valid (2 files)\n")
    assert run("validate", root / "a.yaml")[:2] == (0, "1 manifest valid (1 file)\n")


def test_json_format(tmp_path: Path) -> None:
    root = write(tmp_path, {"b.yaml": BAD})
    code, out, _ = run("validate", "--format", "json", root)
    assert code == 1
    diagnostics = [
        {
            "file": f"{root}/b.yaml",
            "line": 3,
            "column": 14,
            "path": "temperature",
            "message": "must be at most 2, got 3",
            "severity": "error",
        },
        {
            "file": f"{root}/b.yaml",
            "line": 4,
            "column": 1,
            "path": "colour",
            "message": "unknown field 'colour'",
            "severity": "error",
        },
    ]
    assert json.loads(out) == {
        "format_version": "1",
        "command": "validate",
        "valid": False,
        "summary": {"manifests": 0, "files": 1, "errors": 2, "warnings": 0},
        "diagnostics": diagnostics,
        "errors": diagnostics,
    }
    code, out, _ = run("validate", "--format", "json", EXAMPLES)
    doc = json.loads(out)
    assert code == 0 and doc["valid"] and doc["errors"] == doc["diagnostics"] == []
    assert doc["summary"] == {"manifests": 8, "files": 7, "errors": 0, "warnings": 0}


def test_github_format(tmp_path: Path) -> None:
    root = write(tmp_path, {"b.yaml": BAD, "c,d.yaml": "key: x\nmodel: m\nname: [1]\n"})
    code, out, _ = run("validate", "--format", "github", root)
    assert code == 1
    assert out.splitlines() == [
        f"::error file={root}/b.yaml,line=3,col=14::temperature: must be at most 2, got 3",
        f"::error file={root}/b.yaml,line=4,col=1::colour: unknown field 'colour'",
        f"::error file={root}/c%2Cd.yaml,line=3,col=7::name: must be text, got a list",
        "3 errors in 2 of 2 files",
    ]


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    root = write(tmp_path, {"a.yaml": GOOD.format(key="a"), "empty.yaml": "# later\n"})
    code, out, _ = run("validate", root)
    assert code == 0
    assert out.splitlines() == [
        f"{root}/empty.yaml: warning: the file is empty: no manifest to check",
        "1 manifest valid (2 files), 1 warning",
    ]
    code, out, _ = run("validate", "--format", "github", root)
    assert code == 0 and out.startswith(f"::warning file={root}/empty.yaml::")


def test_every_error_in_every_file_is_reported(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"m{i}.yaml": BAD.replace("bad", f"b{i}") for i in range(5)}
    code, out, _ = run("validate", write(tmp_path, files))
    assert code == 1 and out.splitlines()[-1] == "10 errors in 5 of 5 files"


def test_duplicate_key_across_files_names_both_places(tmp_path: Path) -> None:
    root = write(tmp_path, {"a.yaml": GOOD.format(key="same"), "b/c.yaml": GOOD.format(key="same")})
    code, out, _ = run("validate", root)
    assert code == 1
    assert out.splitlines()[0] == (
        f"{root}/b/c.yaml:1:6: key: duplicate key 'same': also defined at {root}/a.yaml:1; "
        "keys must be unique in the project"
    )


def test_same_file_named_twice_is_read_once(tmp_path: Path) -> None:
    root = write(tmp_path, {"a.yaml": GOOD.format(key="a")})
    assert run("validate", root, root / "a.yaml", root / "a.yaml")[:2] == (
        0,
        "1 manifest valid (1 file)\n",
    )


def test_directories_skip_hidden_prompts_and_the_project_file(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "a.yaml": GOOD.format(key="a") + "instructions_file: prompts/a.md\n",
            "prompts/a.md": "Be brief.\n",
            "prompts/notes.txt": "not yaml",
            ".hidden/x.yaml": "garbage: [",
            ".dot.yaml": "garbage: [",
            "assistctl.yaml": "project: p\n",
        },
    )
    result = load([root])
    assert result.ok, result.diagnostics
    assert [m.manifest.instructions for m in result.manifests] == ["Be brief.\n"]
    assert result.files == [f"{root}/a.yaml", f"{root}/assistctl.yaml"]


def test_instructions_file_resolution(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "team/a.yaml": "key: a\nmodel: m\ninstructions_file: ../prompts/p.md\n",
        "team/b.yaml": "key: b\nmodel: m\ninstructions_file: ../prompts/p.md\n",
        "prompts/p.md": "Shared prompt.",
    }
    # Without a project file the directory argument is the project root: ../ leaves it.
    root = write(tmp_path, files)
    errors = load([root / "team"]).errors
    assert [e.message.split(" resolves")[0] for e in errors] == [
        "instructions file '../prompts/p.md'"
    ] * 2
    assert "outside the project root" in errors[0].message
    # assistctl.yaml above makes its directory the root.
    write(tmp_path, {"assistctl.yaml": "project: p\n"})
    result = load([root / "team"])
    assert result.ok, result.diagnostics
    for loaded in result.manifests:
        assert loaded.manifest.api_body() == {"model": "m", "instructions": "Shared prompt."}
        assert loaded.line == 1


@pytest.mark.parametrize(
    ("prompt", "fragment"),
    [
        (None, "not found: relative to {root}/a.yaml it is {root}/p.md, which does not exist"),
        (b"\x00\x01binary", "{root}/p.md looks like a binary file"),
        (b"caf\xe9", "{root}/p.md is not UTF-8 text"),
        ("x" * 256_001, "{root}/p.md is 256,001 characters long; instructions are limited"),
    ],
)
def test_instructions_file_problems(
    tmp_path: Path, prompt: str | bytes | None, fragment: str
) -> None:
    files: dict[str, str | bytes] = {"a.yaml": "key: a\nmodel: m\ninstructions_file: p.md\n"}
    if prompt is not None:
        files["p.md"] = prompt
    root = write(tmp_path, files)
    [error] = load([root / "a.yaml"]).errors
    assert (error.line, error.col, error.path) == (3, 20, "instructions_file")
    assert fragment.format(root=root) in error.message


def test_instructions_file_at_the_limit_is_valid(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {"a.yaml": "key: a\nmodel: m\ninstructions_file: p.md\n", "p.md": "x" * 256_000},
    )
    assert load([root]).ok


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    code, out, _ = run("validate", tmp_path / "nope")
    assert code == 1
    assert (
        out
        == f"{tmp_path}/nope: no such file or directory; check the path\n1 error in 1 of 1 file\n"
    )


def test_directory_without_manifests(tmp_path: Path) -> None:
    root = write(tmp_path, {"README.md": "# nothing", "sub/notes.txt": "x"})
    code, out, _ = run("validate", root)
    assert code == 1
    assert f"{root}: no manifests here: the directory holds no *.yaml or *.yml files" in out


def test_only_empty_files_is_an_error(tmp_path: Path) -> None:
    root = write(tmp_path, {"a.yaml": "", "b.yaml": "---\n"})
    code, out, _ = run("validate", root)
    assert code == 1 and "no manifests found: every file is empty" in out


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "looks like a binary file"),
        ("key: caf\u00e9\n".encode("utf-16"), "looks like a binary file"),
        (b"key: caf\xe9\n", "is not UTF-8 text"),
        (b"", "no manifests found"),
        (b"- key: a\n  model: m\n", "not a list"),
        (b"key: a\nmodel: m\n\ttools: []\n", "does not allow tabs"),
        (b"key: a\nmodel: [\n", "invalid YAML"),
        (b"key: a\x07\nmodel: m\n", "control character"),
        (b"a: " + b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        (b"42\n", "not a single value"),
    ],
    ids=["binary", "utf16", "latin1", "empty", "list", "tabs", "syntax", "control", "deep", "int"],
)
def test_hostile_files_are_diagnostics_not_tracebacks(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    root = write(tmp_path, {"m.yaml": content})
    code, out, err = run("validate", root / "m.yaml")
    assert code == 1 and err == ""
    assert fragment in out


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    root = write(tmp_path, {"ok.yaml": GOOD.format(key="ok")})
    with open(root / "big.yaml", "wb") as handle:
        handle.write(b"key: big\nmodel: m\ninstructions: ")
        handle.write(b"x" * (50 * 1024 * 1024))
    code, out, _ = run("validate", root)
    assert code == 1
    assert f"{root}/big.yaml: is 50.0 MiB; a file is limited to 10 MiB" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    root = write(tmp_path, {"m.yaml": GOOD.format(key="a")})
    (root / "m.yaml").chmod(0)
    code, out, _ = run("validate", root)
    assert code == 1 and "cannot read this file: Permission denied" in out


def test_dangling_symlink_in_a_directory(tmp_path: Path) -> None:
    root = write(tmp_path, {"a.yaml": GOOD.format(key="a")})
    (root / "gone.yaml").symlink_to(root / "missing.yaml")
    code, out, _ = run("validate", root)
    assert code == 1 and f"{root}/gone.yaml: cannot read this file" in out


def test_subprocess_exit_codes_and_streams(tmp_path: Path) -> None:
    root = write(tmp_path, {"good.yaml": GOOD.format(key="a"), "bad/b.yaml": BAD})
    cmd = [sys.executable, "-m", "assistctl", "validate"]
    good = subprocess.run([*cmd, root / "good.yaml"], capture_output=True, text=True, check=False)
    assert (good.returncode, good.stdout, good.stderr) == (0, "1 manifest valid (1 file)\n", "")
    bad = subprocess.run([*cmd, root], capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stdout.splitlines()[-1] == "2 errors in 1 of 2 files"
    usage = subprocess.run([*cmd, "--format", "xml", root], capture_output=True, text=True)
    assert usage.returncode == 1 and "Invalid value for '--format'" in usage.stderr


@pytest.mark.parametrize(
    "flags",
    [(), ("-q", "--format", "json", "--provider", "openai", "--color", "always")],
    ids=["plain", "flags-after-the-command"],
)
def test_validate_imports_neither_httpx_nor_deepdiff_nor_ruamel(
    tmp_path: Path, flags: tuple[str, ...]
) -> None:
    # The pre-commit path must stay light: httpx and deepdiff cost most of a plan's startup,
    # and ruamel.yaml (export's round trip) is only for export.
    root = write(tmp_path, {"a.yaml": GOOD.format(key="a")})
    # main() ends the process with os._exit: the probe looks at sys.modules right then.
    probe = (
        "import os, sys\n"
        "real_exit = os._exit\n"
        "def probe_exit(code):\n"
        "    heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'deepdiff', 'ruamel'))\n"
        "    print(code, heavy, flush=True)\n"
        "    real_exit(code)\n"
        "os._exit = probe_exit\n"
        "from assistctl.cli.main import main\n"
        f"sys.argv = ['assistctl', 'validate', {str(root)!r}, *{list(flags)!r}]\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.stdout.splitlines()[-1] == "0 []", proc.stdout + proc.stderr


def test_pre_commit_hook_definition() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "assistctl-validate"
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "assistctl validate",
        "python",
        True,
    )
    # Manifests and instructions files wherever they live; hidden paths and other files never
    # (tests/cli/test_pre_commit_hook.py has the full table).
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for name in ("assistants/a.yaml", "infra/assistants/team/b.yml", "assistants/prompts/a.md"):
        assert files.search(name) and not exclude.search(name), name
    for name in ("assistants/prompts/a.json", ".github/workflows/ci.yml"):
        assert not files.search(name) or exclude.search(name), name


def test_missing_shared_prompt_is_reported_for_each_manifest(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "a.yaml": "key: a\nmodel: m\ninstructions_file: p.md\n",
            "sub/b.yaml": "key: b\nmodel: m\ninstructions_file: ../p.md\n",
        },
    )
    errors = load([root]).errors
    assert [e.message.split(":")[0] for e in errors] == [
        "instructions file 'p.md' not found",
        "instructions file '../p.md' not found",
    ]
    assert f"relative to {root}/sub/b.yaml" in errors[1].message


# ---- an instructions file stands for the manifests that use it (the pre-commit hook) --------


def test_an_instructions_file_validates_the_manifests_using_it(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "project/assistctl.yaml": "project: p\npolicy:\n  max_instructions_chars: 10\n",
            "project/a.yaml": "key: a\nmodel: gpt-4o\ninstructions_file: prompts/t.md\n",
            "project/team/b.yaml": (
                "key: b\nmodel: gpt-4o\n---\nkey: c\nmodel: gpt-4o\n"
                "instructions_file: ../prompts/t.md\n"
            ),
            "project/other.yaml": "key: d\nmodel: gpt-4o\ntemperature: 9\n",
            "project/prompts/t.md": "Short.\n",
            "project/prompts/unused.txt": "Nobody reads me.\n",
        },
    )
    prompt = root / "project" / "prompts" / "t.md"
    code, out, err = run("validate", prompt)
    assert (code, out, err) == (0, "3 manifests valid (3 files)\n", "")

    prompt.write_text("Far too long for the policy.\n", encoding="utf-8")
    code, out, _ = run("validate", prompt)
    assert code == 1
    assert out.count("instructions are 29 characters long; the project policy allows 10") == 2
    assert "other.yaml" not in out, "only the manifests using it"

    code, out, err = run("validate", root / "project" / "prompts" / "unused.txt")
    assert (code, out) == (0, "0 manifests valid (0 files)\n")
    assert "no manifest under" in err and "names it in instructions_file" in err
    assert run("-q", "validate", root / "project" / "prompts" / "unused.txt")[2] == ""

    code, out, _ = run("validate", "--format", "json", prompt, root / "project" / "a.yaml")
    doc = json.loads(out)
    assert code == 1 and doc["summary"]["manifests"] == 1 and len(doc["errors"]) == 2


def test_an_instructions_file_reached_through_a_link(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "a.yaml": "key: a\nmodel: gpt-4o\ninstructions_file: prompts/t.md\n",
            "real/t.md": "Hello.\n",
        },
    )
    (root / "prompts").symlink_to(root / "real", target_is_directory=True)
    code, out, _ = run("validate", root / "real" / "t.md")
    assert (code, out) == (0, "1 manifest valid (1 file)\n")
