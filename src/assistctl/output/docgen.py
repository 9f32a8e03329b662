"""The manifest reference (``docs/manifest-reference.md``), generated from the JSON Schema.

Every field of every object a manifest can hold gets one table row: its type, whether it is
required, its limits (read from the schema's keywords, so they cannot disagree with what
``validate`` and editors check), its description and an example (the schema's ``examples``).
Rules the schema cannot express (across fields or files) follow as a fixed list.

Pure: :func:`render` returns the text. ``python -m assistctl.output.docgen > docs/manifest-reference.md``
regenerates the file; a test fails when the committed file is not current.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from assistctl.config.apifields import NOT_IN_V1
from assistctl.config.manifest import (
    MAX_INSTRUCTIONS,
    MAX_METADATA_PAIRS,
    MAX_USER_METADATA_PAIRS,
    manifest_json_schema,
)
from assistctl.labels import OWNER_KEY

Schema = dict[str, Any]

REGENERATE = "python -m assistctl.output.docgen > docs/manifest-reference.md"

# Shown in the complete example in this order; `instructions_file` (exclusive with
# `instructions`), `file_ids` (v1 only), `moved_from` (a rename) and `environments` (needs
# environments declared in assistctl.yaml) do not belong in it.
_NOT_IN_FULL_EXAMPLE = ("instructions_file", "file_ids", "moved_from", "environments")

RULES = (
    "`key` is unique across the project (every manifest of one run), and `moved_from` may "
    "not name a key that another manifest still uses, nor be shared by two manifests.",
    "`instructions` and `instructions_file` are exclusive. The file is read as UTF-8, exactly "
    f"as is, and its text obeys the same limit ({MAX_INSTRUCTIONS:,} characters). It must be "
    "a regular file inside the project (symbolic links followed), not under a hidden "
    "directory, and tracked by git when the project is in a git work tree.",
    f"`metadata` holds at most {MAX_USER_METADATA_PAIRS} pairs: the API allows "
    f"{MAX_METADATA_PAIRS}, and assistctl uses one for its ownership label `{OWNER_KEY}`, "
    "a key a manifest may not set.",
    "Function names are unique within one assistant.",
    'Numbers and booleans are not read from text: `temperature: "0.5"` and '
    '`strict: "true"` are errors. Quote metadata values YAML would read as booleans or '
    "dates (`yes`, `off`, `2024-05-01`).",
    'Unknown fields are errors, with a "did you mean" hint; so are duplicate keys in a YAML '
    "mapping.",
    "`file_ids` and the tool type `retrieval` exist only in Assistants API v1: they are errors "
    "unless the API version is v1 (`api_version: v1` in `assistctl.yaml`, or "
    "`--api-version v1`). Under v1 the v2 spellings are translated, and v2-only settings "
    f"({', '.join(f'`{name}`' for name in NOT_IN_V1)}, vector stores, "
    "`file_search` options, `strict: true` functions) are errors.",
    "The project file's `policy` (`allowed_models`, `required_metadata`, `max_temperature`, "
    "`max_instructions_chars`) adds its own limits.",
    "In a project whose `assistctl.yaml` declares `vars` or `environments`, `${name}` in a "
    "value is replaced by the variable (a whole value keeps its type; inside text, text; "
    "`$${` is a literal `${`), and every limit above applies to the result, in each "
    "environment. `key`, `moved_from` and `environments` cannot use variables; "
    "`environments` names environments the project declares (docs/environments.md).",
)


@dataclass
class Section:
    """One object a manifest can hold, at one place (``tools[]``, ``lifecycle``, ...)."""

    path: str
    title: str
    description: str
    rows: list[list[str]] = field(default_factory=list)


class _Walker:
    def __init__(self, root: Schema) -> None:
        self.root = root
        self.defs: dict[str, Schema] = root.get("$defs", {})
        self.sections: list[Section] = []

    def deref(self, node: Schema) -> Schema:
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self.defs[ref.rsplit("/", 1)[-1]]
        return node

    def variants(self, node: Schema) -> list[Schema]:
        """The non-null alternatives of ``node`` (``X | None`` is ``anyOf [X, null]``)."""
        for combinator in ("anyOf", "oneOf"):
            if combinator in node:
                found: list[Schema] = []
                for alt in node[combinator]:
                    if alt.get("type") != "null":
                        found += self.variants(alt)
                return found
        return [node]

    def object_variants(self, node: Schema) -> list[Schema]:
        return [v for v in (self.deref(a) for a in self.variants(node)) if "properties" in v]

    def type_of(self, node: Schema) -> str:
        names = []
        for alt in self.variants(node):
            target = self.deref(alt)
            if "const" in alt:
                names.append(f"`{_flow(alt['const'])}`")
            elif "properties" in target:
                names.append("mapping")
            elif target.get("type") == "array":
                item_types = self.type_of(target.get("items", {}))
                names.append(f"list of {item_types}")
            elif target.get("type") == "object":
                values = target.get("additionalProperties")
                names.append(
                    f"mapping of string to {self.type_of(values)}"
                    if isinstance(values, dict)
                    else "mapping (any JSON)"
                )
            elif "enum" in target:
                names.append("string")
            else:
                names.append(str(target.get("type", "any")))
        unique = list(dict.fromkeys(names))
        return " or ".join(unique)

    def limits_of(self, node: Schema) -> list[str]:
        out = _limits(node)
        alternatives = self.variants(node)
        for alt in alternatives:
            # `"auto" | {...}`: the constant is a value to choose, not a limit of the field.
            out += _limits(alt, constant=len(alternatives) == 1)
        return list(dict.fromkeys(out))

    def walk(self, node: Schema, path: str, title: str, description: str) -> None:
        section = Section(path=path, title=title, description=description)
        self.sections.append(section)
        required = set(node.get("required", []))
        children: list[tuple[Schema, str, str, str]] = []
        for name in _ordered(node["properties"]):
            prop = node["properties"][name]
            where = f"{path}.{name}" if path else name
            section.rows.append(
                [
                    f"`{where}`",
                    self.type_of(prop),
                    "yes" if name in required else "",
                    "; ".join(self.limits_of(prop)),
                    _description(prop),
                    f"`{name}: {_flow(_example(prop))}`",
                ]
            )
            children += self._children(prop, where)
        for child, child_path, child_title, child_description in children:
            self.walk(child, child_path, child_title, child_description)

    def _children(self, prop: Schema, where: str) -> list[tuple[Schema, str, str, str]]:
        found: list[tuple[Schema, str, str, str]] = []
        objects = self.object_variants(prop)
        for target in objects:
            found.append(_child(target, where, several=len(objects) > 1))
        for alt in self.variants(prop):
            target = self.deref(alt)
            if target.get("type") == "array" and "items" in target:
                items = self.object_variants(target["items"])
                for item in items:
                    found.append(_child(item, f"{where}[]", several=len(items) > 1))
        return found


def _child(target: Schema, where: str, *, several: bool) -> tuple[Schema, str, str, str]:
    kind = target.get("properties", {}).get("type", {}).get("const")
    title = f"`{where}` with `type: {kind}`" if several and kind else f"`{where}`"
    return target, where, title, str(target.get("description", ""))


def _ordered(properties: dict[str, Schema]) -> list[str]:
    """``type`` first (it says which kind of object this is), then the schema's order."""
    names = list(properties)
    return sorted(names, key=lambda n: n != "type")


def _limits(node: Schema, *, constant: bool = True) -> list[str]:
    out: list[str] = []
    if "const" in node and constant:
        out.append(f"always `{_flow(node['const'])}`")
    if "enum" in node:
        out.append("one of " + ", ".join(f"`{v}`" for v in node["enum"]))
    lo, hi = node.get("minimum"), node.get("maximum")
    if lo is not None and hi is not None:
        out.append(f"{lo} to {hi}")
    elif lo is not None:
        out.append(f"at least {lo}")
    elif hi is not None:
        out.append(f"at most {hi}")
    if "minLength" in node and node["minLength"] > 0:
        out.append("not empty" if node["minLength"] == 1 else f"at least {node['minLength']} chars")
    if "maxLength" in node:
        out.append(f"at most {node['maxLength']:,} characters")
    if "pattern" in node:
        out.append(f"matches `{node['pattern']}`")
    if "maxItems" in node:
        count = node["maxItems"]
        out.append(f"at most {count} item{'' if count == 1 else 's'}")
    if "maxProperties" in node:
        out.append(f"at most {node['maxProperties']} pairs")
    names = node.get("propertyNames", {})
    if "maxLength" in names:
        out.append(f"keys at most {names['maxLength']} characters")
    values = node.get("additionalProperties")
    if isinstance(values, dict) and "maxLength" in values:
        out.append(f"values at most {values['maxLength']} characters")
    items = node.get("items")
    if isinstance(items, dict) and "enum" in items:
        out.append("each one of " + ", ".join(f"`{v}`" for v in items["enum"]))
    if node.get("default") not in (None, [], {}):
        out.append(f"default `{_flow(node['default'])}`")
    return out


def _description(prop: Schema) -> str:
    return str(prop.get("description", "")).replace("\n", " ")


def _example(prop: Schema) -> Any:
    """The first of the schema's ``examples``; a constant is its own example."""
    if prop.get("examples"):
        return prop["examples"][0]
    if "const" in prop:
        return prop["const"]
    raise ValueError(f"no example in the schema for {json.dumps(prop)[:80]}")


def _flow(value: Any) -> str:
    """``value`` as one line of YAML flow style (what you would type in a manifest)."""
    text = yaml.safe_dump([value], default_flow_style=True, width=10**6, sort_keys=False)
    return text.strip()[1:-1]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def sections(schema: Schema | None = None) -> list[Section]:
    """Every object of a manifest, the top level first, each with one row per field."""
    root = schema if schema is not None else manifest_json_schema()
    walker = _Walker(root)
    walker.walk(root, "", "Top level", str(root.get("description", "")))
    return walker.sections


def full_example(schema: Schema | None = None) -> str:
    """A complete manifest assembled from the top-level fields' examples (valid YAML)."""
    root = schema if schema is not None else manifest_json_schema()
    doc = {
        name: _example(prop)
        for name, prop in root["properties"].items()
        if name not in _NOT_IN_FULL_EXAMPLE
    }
    text: str = yaml.safe_dump(doc, sort_keys=False, width=100, allow_unicode=True)
    return text


def render(schema: Schema | None = None) -> str:
    """The text of ``docs/manifest-reference.md``."""
    root = schema if schema is not None else manifest_json_schema()
    parts = [
        "# Manifest reference",
        "",
        f"<!-- Generated from the manifest JSON Schema by '{REGENERATE}'; do not edit. -->",
        "",
        "Generated from the manifest JSON Schema (`assistctl schema`, committed as "
        "`schemas/assistant.schema.json`) by `python -m assistctl.output.docgen`; a test fails when "
        "this page is out of date. One YAML document describes one assistant; field names are "
        "the Assistants API's own. The limits are the ones `assistctl validate` checks offline "
        "and editors check through the schema. See also [concepts](concepts.md) and the "
        "[README](../README.md#manifest-reference).",
        "",
        "A complete manifest, built from the examples below:",
        "",
        "```yaml",
        full_example(root).rstrip("\n"),
        "```",
        "",
        "Contents: "
        + " · ".join(f"[{s.title.replace('`', '')}](#{_slug(s.title)})" for s in sections(root)),
        "",
    ]
    for section in sections(root):
        parts += [f"## {section.title}", ""]
        if section.description:
            parts += [section.description, ""]
        parts += [
            "| field | type | required | limits | description | example |",
            "|---|---|---|---|---|---|",
        ]
        parts += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in section.rows]
        parts.append("")
    parts += ["## Rules beyond the schema", ""]
    parts += [f"- {rule}" for rule in RULES]
    return "\n".join(parts) + "\n"


def _slug(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
