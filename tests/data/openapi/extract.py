"""Cut the Assistants part out of OpenAI's OpenAPI spec, for the conformance tests.

Usage: ``python tests/data/openapi/extract.py PATH/TO/openapi.yaml > tests/data/openapi/assistants.yaml``

Keeps the operations under ``/assistants``, the read operations ``plan`` checks references
with (models, files, vector stores), every component they reference, directly or through
other components, plus the schemas the tests validate against by name; the result is a valid
OpenAPI document on its own. Operations and components are copied unmodified.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

PATHS: dict[str, tuple[str, ...] | None] = {
    "/assistants": None,
    "/assistants/{assistant_id}": None,
    "/models": ("get",),
    "/files": ("get",),
    "/files/{file_id}": ("get",),
    "/vector_stores": ("get",),
    "/vector_stores/{vector_store_id}": ("get",),
}
"""The paths kept, each with the operations kept (None: every one)."""
ALSO = ("AssistantSupportedModels", "ErrorResponse", "Error")
"""Components the tests or the emulator's documentation name without an operation needing them."""


def refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    paths = {
        path: {k: v for k, v in spec["paths"][path].items() if methods is None or k in methods}
        for path, methods in PATHS.items()
    }
    todo = refs(paths) | {f"#/components/schemas/{name}" for name in ALSO}
    components: dict[str, dict[str, Any]] = {}
    while todo:
        ref = todo.pop()
        _, _, kind, name = ref.split("/", 3)
        if name in components.get(kind, {}):
            continue
        node = spec["components"][kind][name]
        components.setdefault(kind, {})[name] = node
        todo |= refs(node)
    ordered = {kind: dict(sorted(items.items())) for kind, items in sorted(components.items())}
    if "securitySchemes" in spec["components"]:
        ordered["securitySchemes"] = spec["components"]["securitySchemes"]
    return {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "servers": spec["servers"],
        "security": spec.get("security", []),
        "paths": paths,
        "components": ordered,
    }


def main(path: str) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, "rb") as fh:
        spec = yaml.load(fh, Loader=loader)
    sys.stdout.write(yaml.safe_dump(extract(spec), sort_keys=False, allow_unicode=True, width=100))


if __name__ == "__main__":
    main(sys.argv[1])
