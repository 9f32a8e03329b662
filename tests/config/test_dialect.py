"""The v1 dialect: v2 spellings translated for a v1 host, what cannot be, and plan-after-apply
empty against the openai-v1 emulator (in process)."""

from __future__ import annotations

from typing import Any

import pytest

from assistctl.config.dialect import to_v1, v1_problems
from assistctl.config.manifest import Manifest
from assistctl.core.plan import compute_plan
from assistctl.emulator.app import EmulatorApp

PROJECT = "demo"


def manifest(**fields: Any) -> Manifest:
    return Manifest.model_validate({"key": "a", "model": "gpt-4-turbo", **fields})


def test_to_v1_translates_tools_and_files() -> None:
    body = {
        "model": "m",
        "tools": [
            {"type": "file_search"},
            {"type": "function", "function": {"name": "f", "strict": False}},
            {"type": "code_interpreter"},
        ],
        "tool_resources": {"code_interpreter": {"file_ids": ["b", "a"]}},
        "file_ids": ["a", "c"],
        "temperature": None,
        "metadata": {"k": "v"},
    }
    assert to_v1(body) == {
        "model": "m",
        "tools": [
            {"type": "retrieval"},
            {"type": "function", "function": {"name": "f"}},
            {"type": "code_interpreter"},
        ],
        "file_ids": ["a", "c", "b"],
        "metadata": {"k": "v"},
    }
    assert "file_ids" not in to_v1({"model": "m", "tool_resources": {"file_search": {}}})


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"temperature": 0.5}, ("temperature",)),
        ({"top_p": 0.5}, ("top_p",)),
        ({"response_format": "auto"}, ("response_format",)),
        ({"reasoning_effort": "low"}, ("reasoning_effort",)),
        ({"instructions": "x" * 32_769}, ("instructions",)),
        (
            {"tools": [{"type": "file_search", "file_search": {"max_num_results": 3}}]},
            ("tools", 0, "file_search"),
        ),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "strict": True}}]},
            ("tools", 0, "function", "strict"),
        ),
        (
            {"tools": [{"type": "retrieval"}, {"type": "file_search"}]},
            ("tools", 1, "type"),
        ),
        (
            {"tool_resources": {"file_search": {"vector_store_ids": ["vs_1"]}}},
            ("tool_resources", "file_search"),
        ),
        (
            {
                "file_ids": [f"f{i}" for i in range(15)],
                "tool_resources": {"code_interpreter": {"file_ids": [f"g{i}" for i in range(6)]}},
            },
            ("file_ids",),
        ),
    ],
)
def test_what_v1_cannot_express(fields: dict[str, Any], where: tuple[Any, ...]) -> None:
    assert [p for p, _ in v1_problems(manifest(**fields))] == [where]


def test_what_v1_can_express() -> None:
    m = manifest(
        instructions="x" * 32_768,
        tools=[
            {"type": "file_search", "file_search": {}},
            {"type": "function", "function": {"name": "f", "strict": False}},
        ],
        tool_resources={
            "code_interpreter": {"file_ids": ["a"]},
            "file_search": {"vector_store_ids": []},
        },
        file_ids=["b"],
        temperature=None,
    )
    assert v1_problems(m) == []


class V1Api:
    """Applies plan bodies to the openai-v1 emulator in process."""

    def __init__(self) -> None:
        self.app = EmulatorApp("openai-v1")

    def live(self) -> list[dict[str, Any]]:
        return [r.obj for r in self.app.store.all()]

    def apply(self, manifests: list[Manifest]) -> None:
        plan = compute_plan(manifests, self.live(), PROJECT, api_version="v1")
        for change in plan.changes:
            if change.action == "create":
                self.app.create_assistant(change.body)
            elif change.action == "update":
                assert change.id is not None
                self.app.modify_assistant(change.id, change.body)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"tools": [{"type": "file_search"}, {"type": "code_interpreter"}]},
        {
            "tools": [{"type": "code_interpreter"}],
            "tool_resources": {"code_interpreter": {"file_ids": ["x", "y"]}},
        },
        {"tools": [{"type": "retrieval"}], "file_ids": ["b", "a"]},
        {
            "tools": [
                {
                    "type": "function",
                    "function": {"name": "f", "description": "", "parameters": {}, "strict": False},
                }
            ],
            "file_ids": ["a"],
            "tool_resources": {"code_interpreter": {"file_ids": ["a", "b"]}},
            "metadata": {"team": "x"},
            "name": "",
        },
    ],
)
def test_plan_after_apply_is_empty_on_a_v1_host(fields: dict[str, Any]) -> None:
    api = V1Api()
    m = manifest(**fields)
    api.apply([m])
    assert not compute_plan([m], api.live(), PROJECT, api_version="v1").has_changes
    # And an update converges too: switch v1 and v2 spellings of the same thing.
    other = manifest(tools=[{"type": "retrieval"}], file_ids=["z"])
    api.apply([other])
    plan = compute_plan([other], api.live(), PROJECT, api_version="v1")
    assert not plan.has_changes, plan.changes
    api.apply([m])
    assert not compute_plan([m], api.live(), PROJECT, api_version="v1").has_changes


def test_spellings_are_equivalent_in_v1() -> None:
    api = V1Api()
    v2 = manifest(
        tools=[{"type": "file_search"}],
        tool_resources={"code_interpreter": {"file_ids": ["f"]}},
    )
    api.apply([v2])
    v1 = manifest(tools=[{"type": "retrieval"}], file_ids=["f"])
    assert not compute_plan([v1], api.live(), PROJECT, api_version="v1").has_changes
