"""The manifest: one YAML document describing one assistant.

Field names mirror the Assistants API (``openai-openapi.yaml``: ``CreateAssistantRequest``,
``AssistantObject``) so an API object can be pasted into a manifest; the objects it holds and
the API's limits are :mod:`assistctl.config.apiobjects`, the list of API fields
:mod:`assistctl.config.apifields`. Only the manifest-only fields (``key``,
``instructions_file``, ``lifecycle``, ``moved_from``) are ours.

Pure: no file or network I/O here. Loading YAML with positions lives in :mod:`yamlload` /
:mod:`loader`; this module only says what a valid document is.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
)
from pydantic_core import PydanticCustomError

from assistctl.config import crosschecks
from assistctl.config.apifields import API_FIELDS
from assistctl.config.apiobjects import (
    FileSearchTool,
    FunctionTool,
    Name,
    ResponseFormat,
    StrictModel,
    Tool,
    ToolResources,
)
from assistctl.config.limits import (
    FUNCTION_NAME_PATTERN,
    MAX_DESCRIPTION,
    MAX_INSTRUCTIONS,
    MAX_METADATA_KEY,
    MAX_METADATA_PAIRS,
    MAX_METADATA_VALUE,
    MAX_NAME,
    MAX_TOOLS,
    MAX_USER_METADATA_PAIRS,
    MAX_V1_FILE_IDS,
    NOT_BLANK,
    REASONING_EFFORTS,
    Bool,
    Integer,
    Number,
)
from assistctl.labels import OWNER_KEY

# The API's limits and objects are offered here too: a manifest's readers import one module.
__all__ = [
    "API_FIELDS",
    "FUNCTION_NAME_PATTERN",
    "MANIFEST_ONLY",
    "MAX_DESCRIPTION",
    "MAX_INSTRUCTIONS",
    "MAX_METADATA_KEY",
    "MAX_METADATA_PAIRS",
    "MAX_METADATA_VALUE",
    "MAX_NAME",
    "MAX_USER_METADATA_PAIRS",
    "MAX_V1_FILE_IDS",
    "NOT_BLANK",
    "REASONING_EFFORTS",
    "FileSearchTool",
    "FunctionTool",
    "Integer",
    "Lifecycle",
    "Manifest",
    "Number",
    "manifest_json_schema",
    "share_fields_sets",
]


class Lifecycle(StrictModel):
    """Safety rails in the style of Terraform's `lifecycle` block."""

    prevent_destroy: Bool = Field(
        default=False,
        description="When true, a plan that would delete this assistant fails.",
        examples=[True],
    )
    ignore_changes: list[Literal[API_FIELDS]] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="API fields whose live value is left alone on update: "
        + ", ".join(f"`{f}`" for f in API_FIELDS)
        + ".",
        examples=[["instructions"]],
    )


MANIFEST_ONLY = ("key", "instructions_file", "lifecycle", "moved_from", "environments")
"""Fields of a manifest that never reach the API."""

MetadataKey = Annotated[
    str, StringConstraints(max_length=MAX_METADATA_KEY), AfterValidator(crosschecks.not_reserved)
]
MetadataValue = Annotated[str, StringConstraints(max_length=MAX_METADATA_VALUE)]


class Manifest(StrictModel):
    """One assistant. Field names mirror the Assistants API. Read as YAML 1.2 (as editors
    do): a plain value YAML 1.1 reads otherwise (yes, no, on, off, y, n, 012, 1:30, 1e3,
    2024-05-01, =) must be quoted, keys are text, and .inf/.nan are refused."""

    key: Name = Field(
        description="Stable identity of the assistant within the project (letters, digits, "
        "`.`, `_`, `-`; 1 to 128 characters; unique across the project). Stored in the "
        f"ownership label `metadata.{OWNER_KEY}`.",
        examples=["math-tutor"],
    )
    model: str = Field(
        min_length=1,
        pattern=NOT_BLANK,
        description="Model id, e.g. `gpt-4o`; not blank.",
        examples=["gpt-4o"],
    )
    name: str | None = Field(
        default=None,
        max_length=MAX_NAME,
        description=f"Display name, at most {MAX_NAME} chars.",
        examples=["Math Tutor"],
    )
    description: str | None = Field(
        default=None,
        max_length=MAX_DESCRIPTION,
        description=f"Description, at most {MAX_DESCRIPTION} characters.",
        examples=["Explains algebra step by step."],
    )
    instructions: str | None = Field(
        default=None,
        max_length=MAX_INSTRUCTIONS,
        description=f"System instructions, at most {MAX_INSTRUCTIONS:,} characters. "
        "Exclusive with `instructions_file`.",
        examples=["You are a patient math tutor. Explain each step."],
    )
    instructions_file: str | None = Field(
        default=None,
        min_length=1,
        description="Path of a file holding the instructions, relative to the manifest, "
        "inside the project. Exclusive with `instructions`.",
        examples=["prompts/math-tutor.md"],
    )
    tools: list[Tool] | None = Field(
        default=None,
        max_length=MAX_TOOLS,
        description=f"Enabled tools, at most {MAX_TOOLS}: `code_interpreter`, `file_search`, "
        "`function` (and `retrieval` for v1 providers).",
        examples=[[{"type": "code_interpreter"}]],
    )
    tool_resources: ToolResources | None = Field(
        default=None,
        description="Files and vector stores used by the tools.",
        examples=[{"code_interpreter": {"file_ids": ["file-abc123"]}}],
    )
    metadata: dict[MetadataKey, MetadataValue] | None = Field(
        default=None,
        description=f"String pairs, at most {MAX_USER_METADATA_PAIRS} (the API allows "
        f"{MAX_METADATA_PAIRS}; one is the ownership label `{OWNER_KEY}`); keys at most "
        f"{MAX_METADATA_KEY} characters, values at most {MAX_METADATA_VALUE}.",
        examples=[{"team": "education"}],
        # The validator below checks the count (with its own message); the schema says it
        # too, so that editors flag a 16th pair.
        json_schema_extra={"maxProperties": MAX_USER_METADATA_PAIRS},
    )
    temperature: Number | None = Field(
        default=None, ge=0, le=2, description="Sampling temperature, 0 to 2.", examples=[0.2]
    )
    top_p: Number | None = Field(
        default=None, ge=0, le=1, description="Nucleus sampling, 0 to 1.", examples=[1.0]
    )
    response_format: ResponseFormat | None = Field(
        default=None,
        description="`auto`, `{type: text}`, `{type: json_object}` or "
        "`{type: json_schema, json_schema: {name, schema, strict}}`.",
        examples=[{"type": "json_object"}],
    )
    reasoning_effort: Literal[REASONING_EFFORTS] | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Reasoning effort for reasoning models: " + ", ".join(REASONING_EFFORTS) + ".",
        examples=["medium"],
    )
    file_ids: list[str] | None = Field(
        default=None,
        max_length=MAX_V1_FILE_IDS,
        description="v1 only: assistant-level file ids (v2: `tool_resources`). Accepted only "
        "for v1 providers.",
        examples=[["file-abc123"]],
    )
    lifecycle: Lifecycle | None = Field(
        default=None,
        description="`prevent_destroy` and `ignore_changes`.",
        examples=[{"prevent_destroy": True}],
    )
    moved_from: Name | None = Field(
        default=None,
        description="Previous `key` of this assistant: the rename is applied in place "
        "(same assistant id) instead of delete + create.",
        examples=["algebra-tutor"],
    )
    environments: list[Name] | None = Field(
        default=None,
        min_length=1,
        description="The environments of `assistctl.yaml` this assistant exists in (default: "
        "every environment).",
        examples=[["dev", "prod"]],
    )

    @field_validator("instructions_file")
    @classmethod
    def _one_source_of_instructions(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("instructions") is not None:
            raise PydanticCustomError(
                "instructions_conflict",
                "set either 'instructions' or 'instructions_file', not both",
            )
        return value

    @field_validator("metadata", mode="wrap")
    @classmethod
    def _metadata_limits(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return crosschecks.together(value, handler, crosschecks.metadata_pairs)

    @field_validator("tools", mode="wrap")
    @classmethod
    def _unique_function_names(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return crosschecks.together(value, handler, crosschecks.function_names)

    def api_body(self) -> dict[str, Any]:
        """The API request body for the fields this manifest sets, in API names.

        ``instructions`` must already be resolved (the loader reads ``instructions_file``).
        Manifest-only fields never reach the API. The ownership label is added by the
        caller that knows the project.
        """
        data = self.model_dump(
            mode="json",
            by_alias=True,
            exclude_unset=True,
            exclude=set(MANIFEST_ONLY),
        )
        return data

    @property
    def prevent_destroy(self) -> bool:
        return bool(self.lifecycle and self.lifecycle.prevent_destroy)

    @property
    def ignore_changes(self) -> tuple[str, ...]:
        return tuple(self.lifecycle.ignore_changes) if self.lifecycle else ()


_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
_MAX_FIELDS_SETS = 4096  # distinct combinations of given fields; real manifests have dozens


# perf: reaches into pydantic's internals (the instance's ``__pydantic_fields_set__``);
# benchmarks/plan_memory.py (see benchmarks/README.md, memory). A pydantic that keeps the set
# elsewhere gets nothing shared, and nothing broken.
def share_fields_sets(model: BaseModel) -> None:
    """Let ``model`` and its nested models share pydantic's "fields set" with every other
    model whose set has the same content.

    pydantic keeps, per instance, the set of fields the input gave (``api_body`` reads it:
    ``exclude_unset``). A manifest and its tool models hold four or five such sets, the
    largest part of a loaded manifest after its instructions. Sharing is safe for these
    frozen models: pydantic changes a set only on assignment (refused) and in
    ``model_copy(update=...)``, after copying it.
    """
    fields_set = getattr(model, "__pydantic_fields_set__", None)
    if not isinstance(fields_set, set):
        return
    content = frozenset(fields_set)
    shared = _FIELDS_SETS.get(content)
    if shared is None:
        if len(_FIELDS_SETS) < _MAX_FIELDS_SETS:
            _FIELDS_SETS[content] = fields_set
    elif shared is not fields_set:
        object.__setattr__(model, "__pydantic_fields_set__", shared)
    for value in model.__dict__.values():
        if isinstance(value, BaseModel):
            share_fields_sets(value)
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, BaseModel):
                    share_fields_sets(item)


def manifest_json_schema() -> dict[str, Any]:
    """JSON Schema of one manifest document, generated from the model."""
    schema = Manifest.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://assistctl.dev/schemas/assistant.schema.json"
    schema["title"] = "assistctl assistant manifest"
    return schema


STAND_INS = {"key": "k", "model": "m"}
"""Valid values for a required field that failed, so that the rest can be checked."""


def passed_fields(data: dict[object, object], failed: set[str | int]) -> Manifest | None:
    """The manifest made of the fields of ``data`` that passed validation, or None when even
    that fails. ``failed`` (the top-level fields that did not) gets the required fields
    filled with :data:`STAND_INS`, which are not the document's to check further."""
    kept: dict[object, object] = {k: v for k, v in data.items() if k not in failed}
    for name, stand_in in STAND_INS.items():
        if name not in kept:
            failed.add(name)
            kept[name] = stand_in
    try:
        return Manifest.model_validate(kept)
    except ValidationError:
        return None
