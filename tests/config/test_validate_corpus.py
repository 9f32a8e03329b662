"""The bad-manifest corpus, run through the real CLI.

Each case under ``tests/data/bad_manifests/`` is a file, or a directory of files, validated
on its own. Every ``# expect: LINE: FRAGMENT`` comment in a case's files states one error
that must be reported in that file at that line with that message fragment, and the case
must report no other error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistctl.cli.main import cli
from clihelpers import cli_runner

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_manifests"
EXPECT = re.compile(r"#\s*expect:\s*(\d+):\s*(.+?)\s*$")


def _cases() -> list[Path]:
    return sorted(CORPUS.iterdir())


def _expectations(case: Path) -> list[tuple[Path, int, str]]:
    files = sorted(case.rglob("*")) if case.is_dir() else [case]
    found = []
    for file in files:
        if not file.is_file():
            continue
        for line in file.read_bytes().decode("utf-8", "replace").splitlines():
            match = EXPECT.search(line)
            if match:
                found.append((file.resolve(), int(match.group(1)), match.group(2)))
    return found


def test_corpus_is_large_enough() -> None:
    assert len(_cases()) >= 30
    assert all(_expectations(case) for case in _cases()), "every case states its errors"


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_bad_manifest_reports_expected_errors(case: Path) -> None:
    result = cli_runner().invoke(
        cli, ["validate", "--format", "json", str(case)], standalone_mode=False
    )
    assert result.exception is None, result.output
    assert result.return_value == 1
    doc = json.loads(result.stdout)
    errors = doc["errors"]
    assert errors == [d for d in doc["diagnostics"] if d["severity"] == "error"]
    got = [(Path(d["file"]).resolve(), d["line"], d["message"]) for d in errors]
    missing = []
    for file, line, fragment in _expectations(case):
        hit = next((g for g in got if g[0] == file and g[1] == line and fragment in g[2]), None)
        if hit is None:
            missing.append(f"{file.name}:{line}: {fragment}")
        else:
            got.remove(hit)
    shown = "\n".join(f"{f.name}:{ln}: {m}" for f, ln, m in got)
    assert not missing, f"not reported: {missing}\nreported besides:\n{shown}"
    assert not got, f"unexpected errors:\n{shown}"


def test_corpus_text_format_is_file_line_col(tmp_path: Path) -> None:
    case = CORPUS / "temperature-too-high.yaml"
    result = cli_runner().invoke(cli, ["validate", str(case)], standalone_mode=False)
    first = result.stdout.splitlines()[0]
    assert first == f"{case}:5:14: temperature: must be at most 2, got 2.01"
