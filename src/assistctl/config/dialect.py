"""The Assistants API v1 dialect: translating v2-style manifests, and what cannot be translated.

Manifests are written in v2 terms (the API's current names). A project that talks to a host
speaking v1 (``api_version: v1`` / ``--api-version v1``; ``OpenAI-Beta: assistants=v1``) may
also use the v1 spellings, assistant-level ``file_ids`` and the tool ``retrieval``. Before a
plan compares or sends anything, the desired object goes through :func:`to_v1`:

========================================  ==============================================
v2 manifest                               sent to (and compared with) a v1 host
========================================  ==============================================
tool ``file_search`` (no options)         tool ``retrieval``
``tool_resources.code_interpreter``       assistant-level ``file_ids`` (merged with the
``.file_ids``                             manifest's own ``file_ids``, first seen first)
function ``strict: false`` / null         omitted (v1 functions have no ``strict``)
``temperature``/``top_p``/                omitted when null; otherwise refused by
``response_format``/``reasoning_effort``  :func:`v1_problems` (v1 assistants have none)
========================================  ==============================================

What has no v1 equivalent is an error at ``validate`` time (:func:`v1_problems`) rather
than silently dropped, because a dropped setting would make the plan report "no changes"
for a manifest that is not what is live: vector stores (``tool_resources.file_search``),
``file_search`` options, ``strict: true`` functions, sampling settings, ``response_format``,
``reasoning_effort``, and instructions over v1's 32,768-character limit.

A live v1 object (``file_ids``, ``retrieval``) needs no translation: it is compared in the
v1 field set (:data:`assistctl.core.fields.FIELDS_V1`), so plan-after-apply is empty in both
dialects. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistctl.config.apifields import NOT_IN_V1
from assistctl.config.manifest import MAX_V1_FILE_IDS, FileSearchTool, FunctionTool, Manifest

V1_MAX_INSTRUCTIONS = 32_768
"""Assistants v1 documented ``instructions`` as at most 32,768 characters (v2: 256,000)."""

V2_ONLY_SETTINGS = NOT_IN_V1
"""The settings v1 has nothing like (``tool_resources`` is translated instead)."""

Loc = tuple[str | int, ...]


def to_v1(body: Mapping[str, Any]) -> dict[str, Any]:
    """A v2-shaped API body (``Manifest.api_body()`` plus label) in the v1 dialect."""
    out: dict[str, Any] = {}
    file_ids: list[str] = []
    has_file_ids = "file_ids" in body and body["file_ids"] is not None
    for item in body.get("file_ids") or []:
        if item not in file_ids:
            file_ids.append(item)
    resources = body.get("tool_resources")
    code = resources.get("code_interpreter") if isinstance(resources, Mapping) else None
    for item in (code.get("file_ids") or []) if isinstance(code, Mapping) else []:
        has_file_ids = True
        if item not in file_ids:
            file_ids.append(item)
    for key, value in body.items():
        if key in ("tool_resources", "file_ids", *V2_ONLY_SETTINGS):
            continue
        if key == "tools" and isinstance(value, list):
            out[key] = [_tool_to_v1(t) for t in value]
        else:
            out[key] = value
    if has_file_ids:
        out["file_ids"] = file_ids
    return out


def _tool_to_v1(tool: Any) -> Any:
    if not isinstance(tool, Mapping):
        return tool
    kind = tool.get("type")
    if kind == "file_search":
        return {"type": "retrieval"}
    if kind == "function" and isinstance(tool.get("function"), Mapping):
        fn = {k: v for k, v in tool["function"].items() if k != "strict"}
        return {**tool, "function": fn}
    return dict(tool)


def v2_refuses(data: Mapping[object, object]) -> list[tuple[Loc, str, bool]]:
    """Assistants API v1 fields in a v2 document, which v2 hosts reject: ``(path, message,
    at the key)`` each, the message naming the v2 spelling."""
    found: list[tuple[Loc, str, bool]] = []
    if "file_ids" in data:
        message = (
            "'file_ids' is an Assistants API v1 field; in v2 use "
            "tool_resources.code_interpreter.file_ids (or a vector store in "
            "tool_resources.file_search), or set api_version: v1 in assistctl.yaml"
        )
        found.append((("file_ids",), message, True))
    tools = data.get("tools")
    for index, tool in enumerate(tools if isinstance(tools, list) else []):
        if isinstance(tool, dict) and tool.get("type") == "retrieval":
            message = (
                "tool type 'retrieval' is Assistants API v1; v2 renamed it "
                "'file_search' (or set api_version: v1 in assistctl.yaml)"
            )
            found.append((("tools", index, "type"), message, False))
    return found


def v1_problems(manifest: Manifest) -> list[tuple[Loc, str]]:
    """Where a valid (v2-checked) manifest cannot be expressed in v1: (path, sentence)."""
    found: list[tuple[Loc, str]] = []
    for name in V2_ONLY_SETTINGS:
        if getattr(manifest, name) is not None:
            found.append(
                (
                    (name,),
                    f"'{name}' does not exist in Assistants API v1 (the project uses "
                    "api_version v1); remove it, or use a v2 host",
                )
            )
    if manifest.instructions is not None and len(manifest.instructions) > V1_MAX_INSTRUCTIONS:
        where: Loc = ("instructions_file",) if manifest.instructions_file else ("instructions",)
        found.append(
            (
                where,
                f"instructions are {len(manifest.instructions):,} characters; Assistants API "
                f"v1 allows at most {V1_MAX_INSTRUCTIONS:,}",
            )
        )
    kinds: dict[str, int] = {}
    for index, tool in enumerate(manifest.tools or []):
        if isinstance(tool, FileSearchTool) and tool.file_search is not None:
            options = tool.file_search.model_dump(exclude_none=True)
            if options:
                found.append(
                    (
                        ("tools", index, "file_search"),
                        "v1 has no file_search options (it becomes the 'retrieval' tool); "
                        "remove them for api_version v1",
                    )
                )
        if isinstance(tool, FunctionTool) and tool.function.strict:
            found.append(
                (
                    ("tools", index, "function", "strict"),
                    "strict function calling does not exist in Assistants API v1; remove "
                    "'strict: true' for api_version v1",
                )
            )
        if tool.type in ("file_search", "retrieval"):
            if "retrieval" in kinds:
                found.append(
                    (
                        ("tools", index, "type"),
                        f"'{tool.type}' repeats tool {kinds['retrieval']}: in v1 'file_search' "
                        "and 'retrieval' are the same tool; keep one",
                    )
                )
            kinds.setdefault("retrieval", index)
    resources = manifest.tool_resources
    search = resources.file_search if resources is not None else None
    if search is not None and search.vector_store_ids:
        found.append(
            (
                ("tool_resources", "file_search"),
                "vector stores do not exist in Assistants API v1; attach the files with "
                "'file_ids' and the 'retrieval' tool instead",
            )
        )
    translated = to_v1(manifest.api_body())
    if len(translated.get("file_ids") or []) > MAX_V1_FILE_IDS:
        where = ("file_ids",) if manifest.file_ids else ("tool_resources", "code_interpreter")
        found.append(
            (
                where,
                f"{len(translated['file_ids'])} files in v1: 'file_ids' and "
                f"tool_resources.code_interpreter.file_ids together hold at most "
                f"{MAX_V1_FILE_IDS} in Assistants API v1",
            )
        )
    return found
