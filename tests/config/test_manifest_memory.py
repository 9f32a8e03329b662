"""``share_fields_sets``: loaded manifests share pydantic's per-instance "fields set".

Sharing is only allowed to save memory: ``api_body`` (which reads the set through
``exclude_unset``) and copies must behave exactly as with private sets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistctl.config.loader import load
from assistctl.config.manifest import FunctionTool, Manifest, share_fields_sets


def _manifest(**fields: Any) -> Manifest:
    return Manifest.model_validate({"key": "k", "model": "gpt-4o", **fields})


TOOLS = [{"type": "code_interpreter"}, {"type": "function", "function": {"name": "f"}}]


def test_same_shapes_share_one_set_and_bodies_are_unchanged() -> None:
    a = _manifest(name="A", tools=TOOLS, temperature=0.5)
    b = _manifest(name="B", tools=TOOLS, temperature=0.7)
    c = _manifest(description="only a description")
    before = [x.api_body() for x in (a, b, c)]
    for x in (a, b, c):
        share_fields_sets(x)
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__
    assert a.tools is not None and b.tools is not None
    assert a.tools[1].__pydantic_fields_set__ is b.tools[1].__pydantic_fields_set__
    assert c.__pydantic_fields_set__ is not a.__pydantic_fields_set__
    assert [x.api_body() for x in (a, b, c)] == before
    assert "temperature" not in c.api_body() and "description" not in a.api_body()


def test_a_copy_with_an_update_does_not_change_the_shared_set() -> None:
    a = _manifest(name="A")
    b = _manifest(name="B")
    share_fields_sets(a)
    share_fields_sets(b)
    shared = set(a.__pydantic_fields_set__)
    copied = a.model_copy(update={"instructions": "from a file"})
    assert copied.api_body()["instructions"] == "from a file"
    assert a.__pydantic_fields_set__ == shared == b.__pydantic_fields_set__
    assert "instructions" not in b.api_body()


def test_the_loader_shares_them(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"a{i}.yaml").write_text(
            f"key: a{i}\nmodel: gpt-4o\nname: A{i}\ntools:\n  - type: code_interpreter\n",
            encoding="utf-8",
        )
    loaded = load([tmp_path])
    assert loaded.ok
    sets = {id(lm.manifest.__pydantic_fields_set__) for lm in loaded.manifests}
    tool_sets = {
        id(lm.manifest.tools[0].__pydantic_fields_set__)
        for lm in loaded.manifests
        if lm.manifest.tools
    }
    assert len(sets) == 1 and len(tool_sets) == 1
    assert [lm.manifest.api_body()["name"] for lm in loaded.manifests] == ["A0", "A1", "A2"]


def _parameters(m: Manifest) -> dict[str, Any]:
    assert m.tools is not None
    tool = m.tools[0]
    assert isinstance(tool, FunctionTool) and isinstance(tool.function.parameters, dict)
    return tool.function.parameters


def test_short_texts_are_one_object_across_files(tmp_path: Path) -> None:
    body = (
        "model: gpt-4o\nmetadata:\n  team: core\ntools:\n  - type: function\n    function:\n"
        "      name: lookup\n      parameters: {type: object, properties: {q: {type: string}}}\n"
    )
    for i in range(2):
        (tmp_path / f"a{i}.yaml").write_text(f"key: a{i}\n{body}", encoding="utf-8")
    a, b = (lm.manifest for lm in load([tmp_path]).manifests)
    assert a.metadata is not None and b.metadata is not None
    assert a.metadata["team"] is b.metadata["team"]
    pa, pb = _parameters(a), _parameters(b)
    assert pa == pb and pa is not pb
    assert next(iter(pa["properties"])) is next(iter(pb["properties"]))
    assert pa["properties"]["q"]["type"] is pb["properties"]["q"]["type"]


def test_without_pydantics_internal_set_nothing_is_shared_and_nothing_fails() -> None:
    """The fallback for a pydantic that keeps no ``__pydantic_fields_set__`` on instances."""
    a = _manifest(name="A", tools=TOOLS)
    object.__delattr__(a, "__pydantic_fields_set__")
    share_fields_sets(a)
    assert not hasattr(a, "__pydantic_fields_set__")
