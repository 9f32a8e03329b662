"""The API's objects a manifest holds (tools, tool resources, response formats), the strict
scalars they are made of, and every documented limit of the Assistants API.

Field names mirror ``openai-openapi.yaml`` so an API object can be pasted into a manifest; the
manifest document itself is :mod:`assistctl.config.manifest`. Pure: no I/O.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
)

from assistctl.config.limits import (
    FUNCTION_NAME_PATTERN,
    MAX_CODE_INTERPRETER_FILES,
    MAX_VECTOR_STORES,
    Bool,
    Integer,
    Number,
)
from assistctl.labels import NAME_PATTERN

_STRICT = ConfigDict(extra="forbid", frozen=True)

FunctionName = Annotated[str, StringConstraints(pattern=FUNCTION_NAME_PATTERN)]
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]


class StrictModel(BaseModel):
    """Unknown keys refused, instances frozen: the base of every object of a manifest."""

    model_config = _STRICT


class CodeInterpreterTool(StrictModel):
    """Runs Python in a sandbox."""

    type: Literal["code_interpreter"] = Field(description="Always `code_interpreter`.")


class RankingOptions(StrictModel):
    """How file search ranks its results."""

    ranker: Literal["auto", "default_2024_08_21"] | None = Field(
        default=None,
        description="Ranker to use; the server default is `auto`.",
        examples=["auto"],
    )
    score_threshold: Number = Field(
        ge=0, le=1, description="Minimum score of a result, 0 to 1 inclusive.", examples=[0.4]
    )


class FileSearchOptions(StrictModel):
    """Overrides for the file search tool."""

    max_num_results: Integer | None = Field(
        default=None,
        ge=1,
        le=50,
        description="Most results to return, 1 to 50 inclusive.",
        examples=[8],
    )
    ranking_options: RankingOptions | None = Field(
        default=None,
        description="Ranking overrides; the server fills in defaults.",
        examples=[{"score_threshold": 0.4}],
    )


class FileSearchTool(StrictModel):
    """Searches the vector store in `tool_resources.file_search`."""

    type: Literal["file_search"] = Field(description="Always `file_search`.")
    file_search: FileSearchOptions | None = Field(
        default=None,
        description="Optional overrides for the file search tool.",
        examples=[{"max_num_results": 8}],
    )


class FunctionDef(StrictModel):
    """A function the model may call."""

    name: FunctionName = Field(
        description="Function name: a-z, A-Z, 0-9, `_` or `-`, 1 to 64 characters; "
        "unique within the assistant.",
        examples=["get_weather"],
    )
    description: str | None = Field(
        default=None,
        description="What the function does, for the model to decide when to call.",
        examples=["Current weather of a city."],
    )
    parameters: dict[str, Any] | None = Field(
        default=None,
        description="JSON Schema of the arguments; omitted means an empty parameter list.",
        examples=[
            {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
        ],
    )
    strict: Bool | None = Field(
        default=None,
        description="Strict schema adherence; the server default is false.",
        examples=[True],
    )


class FunctionTool(StrictModel):
    """A function tool."""

    type: Literal["function"] = Field(description="Always `function`.")
    function: FunctionDef = Field(
        description="The function definition.",
        examples=[{"name": "get_weather", "parameters": {"type": "object"}}],
    )


class RetrievalTool(StrictModel):
    """v1 only: the predecessor of `file_search`. Accepted only for v1 providers."""

    type: Literal["retrieval"] = Field(description="Always `retrieval` (Assistants API v1).")


Tool = Annotated[
    CodeInterpreterTool | FileSearchTool | FunctionTool | RetrievalTool,
    Field(discriminator="type"),
]


class CodeInterpreterResources(StrictModel):
    """Files available to code interpreter."""

    file_ids: list[str] = Field(
        default_factory=list,
        max_length=MAX_CODE_INTERPRETER_FILES,
        description=f"File ids, at most {MAX_CODE_INTERPRETER_FILES}.",
        examples=[["file-abc123"]],
    )


class FileSearchResources(StrictModel):
    """Vector stores available to file search."""

    vector_store_ids: list[str] = Field(
        max_length=MAX_VECTOR_STORES,
        description=f"Vector store ids, at most {MAX_VECTOR_STORES}; required (the API "
        "refuses `file_search` without it).",
        examples=[["vs_abc123"]],
    )


class ToolResources(StrictModel):
    """Resources used by the assistant's tools."""

    code_interpreter: CodeInterpreterResources | None = Field(
        default=None,
        description="Resources of the code interpreter tool.",
        examples=[{"file_ids": ["file-abc123"]}],
    )
    file_search: FileSearchResources | None = Field(
        default=None,
        description="Resources of the file search tool.",
        examples=[{"vector_store_ids": ["vs_abc123"]}],
    )


class ResponseFormatText(StrictModel):
    """Plain text output."""

    type: Literal["text"] = Field(description="Always `text`.")


class ResponseFormatJsonObject(StrictModel):
    """JSON mode: the output is valid JSON."""

    type: Literal["json_object"] = Field(description="Always `json_object`.")


class JsonSchemaSpec(StrictModel):
    """Structured Outputs configuration."""

    name: FunctionName = Field(
        description="Name of the format: a-z, A-Z, 0-9, `_` or `-`, 1 to 64 characters.",
        examples=["invoice"],
    )
    description: str | None = Field(
        default=None, description="What the format is for.", examples=["One invoice."]
    )
    schema_: dict[str, Any] | None = Field(
        default=None,
        alias="schema",
        description="The JSON Schema the output must match.",
        examples=[{"type": "object", "properties": {"total": {"type": "number"}}}],
    )
    strict: Bool | None = Field(
        default=None,
        description="Strict schema adherence; the server default is false.",
        examples=[True],
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ResponseFormatJsonSchema(StrictModel):
    """Structured Outputs: the output matches a JSON Schema."""

    type: Literal["json_schema"] = Field(description="Always `json_schema`.")
    json_schema: JsonSchemaSpec = Field(
        description="The schema and its name.",
        examples=[{"name": "invoice", "schema": {"type": "object"}, "strict": True}],
    )


ResponseFormatObject = Annotated[
    ResponseFormatText | ResponseFormatJsonObject | ResponseFormatJsonSchema,
    Field(discriminator="type"),
]


def _response_format_tag(value: Any) -> str | None:
    """Pick the one union member to validate against, so a mistake yields one error.

    Without this, pydantic tries every member of `"auto" | {...}` and reports a failure for
    each of them.
    """
    if isinstance(value, dict):
        tag = value.get("type")
        return tag if isinstance(tag, str) else None
    if isinstance(value, BaseModel):
        return getattr(value, "type", None)
    return "auto" if value == "auto" else None


ResponseFormat = Annotated[
    Annotated[Literal["auto"], Tag("auto")]
    | Annotated[ResponseFormatText, Tag("text")]
    | Annotated[ResponseFormatJsonObject, Tag("json_object")]
    | Annotated[ResponseFormatJsonSchema, Tag("json_schema")],
    Discriminator(
        _response_format_tag,
        custom_error_type="response_format_type_missing",
        custom_error_message="must be 'auto' or a mapping whose 'type' is text, json_object "
        "or json_schema",
    ),
]
