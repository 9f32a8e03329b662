"""docs/: the manifest reference is generated and current; every link between the pages holds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from assistctl.config.loader import load
from assistctl.config.manifest import Manifest, manifest_json_schema
from assistctl.output import docgen

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "manifest-reference.md"


def test_committed_reference_is_current() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == docgen.render(), (
        f"docs/manifest-reference.md is stale: run '{docgen.REGENERATE}' and commit it"
    )


def _objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [schema, *(d for d in schema["$defs"].values() if "properties" in d)]


def test_every_field_of_every_object_has_a_row_with_an_example() -> None:
    schema = manifest_json_schema()
    sections = docgen.sections(schema)
    rows = [row for s in sections for row in s.rows]
    expected = sorted(name for obj in _objects(schema) for name in obj["properties"])
    documented = sorted(row[0].strip("`").rsplit(".", 1)[-1].removesuffix("[]") for row in rows)
    assert documented == expected
    for row in rows:
        assert row[4], f"{row[0]} has no description"
        assert row[5].count(":") >= 1 and not row[5].endswith(": `"), f"{row[0]} has no example"


def test_limits_come_from_the_schema() -> None:
    rows = {row[0]: row for s in docgen.sections() for row in s.rows}
    assert rows["`temperature`"][3] == "0 to 2"
    assert rows["`instructions`"][3] == "at most 256,000 characters"
    assert rows["`tools`"][3] == "at most 128 items"
    assert "at most 15 pairs" in rows["`metadata`"][3]
    assert rows["`tools[].function.name`"][3] == "matches `^[a-zA-Z0-9_-]{1,64}$`"
    assert rows["`tool_resources.code_interpreter.file_ids`"][3] == "at most 20 items"
    assert rows["`tools[].file_search.max_num_results`"][3] == "1 to 50"


def _examples(node: Any, schema: dict[str, Any]) -> list[tuple[dict[str, Any], Any]]:
    found: list[tuple[dict[str, Any], Any]] = []
    if isinstance(node, dict):
        for prop in (node.get("properties") or {}).values():
            found += [(prop, example) for example in prop.get("examples", [])]
        for key, value in node.items():
            if key != "examples":
                found += _examples(value, schema)
    elif isinstance(node, list):
        for value in node:
            found += _examples(value, schema)
    return found


def test_every_example_is_valid_for_its_field() -> None:
    schema = manifest_json_schema()
    examples = _examples(schema, schema)
    assert len(examples) > 30
    for prop, example in examples:
        validator = Draft202012Validator({**prop, "$defs": schema["$defs"]})
        assert list(validator.iter_errors(example)) == [], (prop.get("description"), example)


def test_the_complete_example_is_a_valid_manifest(tmp_path: Path) -> None:
    text = docgen.full_example()
    Manifest.model_validate(yaml.safe_load(text))
    (tmp_path / ".git").mkdir()
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    result = load([str(tmp_path / "m.yaml")])
    assert result.ok and result.diagnostics == [], result.diagnostics
    assert f"```yaml\n{text}```" in docgen.render()


# ---- links between README.md and docs/*.md ------------------------------------------------

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    anchors = set()
    for line in text.splitlines():
        match = re.match(r"#{1,6} (.+)", line)
        if match:
            slug = _slug(match.group(1))
            n = seen.get(slug, 0)
            anchors.add(slug if n == 0 else f"{slug}-{n}")
            seen[slug] = n + 1
    return anchors


PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md")), *sorted((ROOT / "examples").rglob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_relative_links_and_anchors_resolve(page: Path) -> None:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    broken = []
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target}: no such heading")
    assert broken == []


def test_docs_pages_exist() -> None:
    for name in ("manifest-reference.md", "concepts.md", "providers.md", "recipes.md"):
        assert (DOCS / name).is_file(), name


def test_readme_stays_a_first_read() -> None:
    # Issue 16: reference material lives in docs/; the README is what a newcomer reads first.
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"README.md is {len(lines)} lines: move reference material to docs/"
    first_screen = "\n".join(lines[:30])
    assert "pip install -e . && assistctl" in first_screen
    assert "pip install -e '.[dev]' && pytest" in first_screen
