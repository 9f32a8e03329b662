"""The Assistants API's documented limits, and the strict scalars manifests and the project
file are made of. Plain data and annotations: the project file's model needs them without
building the API objects' models (:mod:`assistctl.config.apiobjects`), so that reading
``assistctl.yaml`` (and starting the listing) does not wait for those.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Strict

# Documented limits (openai-openapi.yaml, CreateAssistantRequest / Metadata / FunctionObject).
MAX_NAME = 256
MAX_DESCRIPTION = 512
MAX_INSTRUCTIONS = 256_000
MAX_TOOLS = 128
MAX_CODE_INTERPRETER_FILES = 20
MAX_VECTOR_STORES = 1
MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512
MAX_V1_FILE_IDS = 20
FUNCTION_NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
NOT_BLANK = r"\S"
"""A text with something besides whitespace (a model id: the API knows no blank one)."""
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")

# The ownership label takes one of the 16 metadata pairs.
MAX_USER_METADATA_PAIRS = MAX_METADATA_PAIRS - 1

# YAML turns `yes`, `"0.5"`-looking scalars and `1` into other types than the API accepts;
# strict scalars refuse the coercions pydantic would otherwise make (a string temperature,
# `strict: "yes"`, `max_num_results: 5.0`). Integers are still accepted where a number is.
Number = Annotated[float, Strict()]
Integer = Annotated[int, Strict()]
Bool = Annotated[bool, Strict()]
