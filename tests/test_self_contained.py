"""A fresh clone is all the tests need: nothing in src/ or tests/ points outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\.\./shared|parents\[\d\]\s*/\s*\"\.\.\"")


def test_no_source_or_test_file_refers_outside_the_repository() -> None:
    offenders = []
    for top in ("src", "tests"):
        for path in (ROOT / top).rglob("*"):
            if path.suffix not in {".py", ".yaml", ".yml", ".md", ".json", ".txt"}:
                continue
            if path == Path(__file__):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert offenders == []


def test_the_openapi_excerpt_is_in_the_repository() -> None:
    spec = ROOT / "tests" / "data" / "openapi" / "assistants.yaml"
    assert spec.is_file()
    text = spec.read_text(encoding="utf-8")
    for name in (
        "AssistantObject",
        "CreateAssistantRequest",
        "ModifyAssistantRequest",
        "ListAssistantsResponse",
        "DeleteAssistantResponse",
        "ErrorResponse",
    ):
        assert f"\n    {name}:" in text, name
