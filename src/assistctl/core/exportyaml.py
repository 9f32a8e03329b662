"""How ``export`` writes a new manifest file: the header comment and the YAML emitter's style.

Block style in the field order given, sequences indented under their key (as the examples),
multi-line text as literal block scalars (``|``), and so is single-line ``instructions``
longer than :data:`BLOCK_INSTRUCTIONS_OVER`; short lists of scalars inline. PyYAML picks a
quoted style by itself where a block scalar cannot hold the text exactly, and a text that
assistctl would not read back as text (:mod:`assistctl.config.yamlcore`: ``no``, ``1e3``) is
quoted. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from assistctl.config import yamlcore
from assistctl.labels import OWNER_KEY

BLOCK_INSTRUCTIONS_OVER = 80
"""Single-line instructions longer than this are written as a block scalar too."""


def header(
    schema: str | None,
    status: str,
    key: str,
    assistant_id: str,
    out: str,
    owner: object,
) -> str:
    lines = []
    if schema is not None:
        lines.append(f"# yaml-language-server: $schema={schema}")
    if status == "managed":
        lines.append(f"# Exported by assistctl from {assistant_id}.")
    elif status == "unmanaged":
        lines += [
            f"# Exported by assistctl from {assistant_id}, which is UNMANAGED: it has no",
            "# ownership label, so 'assistctl apply' would create a second assistant from this",
            "# manifest. Adopt the live one first:",
            f"#   assistctl import {key}={assistant_id} {out}",
        ]
    else:
        lines += [
            f"# Exported by assistctl from {assistant_id}, which carries another owner's label",
            f"# ({OWNER_KEY} = {owner}). To move it to this project:",
            f"#   assistctl import {key}={assistant_id} {out} --force",
        ]
    return "\n".join(lines) + "\n"


_NOT_ADOPTED = re.compile(
    r"^# Exported by assistctl from (?P<id>[A-Za-z0-9._-]+), which (?:is UNMANAGED|carries "
    r"another owner's label)[^\n]*\n(?:#[^\n]*\n)*?#   assistctl import [^\n]*\n",
    re.MULTILINE,
)


def adopted_header(text: str, assistant_id: str) -> str:
    """``text`` with the "not adopted yet" comment export wrote for ``assistant_id`` (now
    managed) replaced by the comment of a managed one; ``text`` when there is none."""
    for match in _NOT_ADOPTED.finditer(text):
        if match.group("id") == assistant_id:
            managed = f"# Exported by assistctl from {assistant_id}.\n"
            return text[: match.start()] + managed + text[match.end() :]
    return text


class _Block(str):
    """A string to write as a literal block scalar even when it is one line."""


class _Dumper(yaml.SafeDumper):
    """Block style, sequences indented under their key (as in the examples), no aliases."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # A text that assistctl would not read back as text (`n`, `1e3`, `=`) is quoted.
        if kind is yaml.ScalarNode and implicit[0]:
            return yamlcore.resolve(value)
        resolve: Any = super().resolve  # PyYAML's stubs leave it untyped
        return resolve(kind, value, implicit)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style by itself when a block scalar cannot hold the text
    # exactly (trailing spaces on a line, control characters).
    style = "|" if "\n" in data or isinstance(data, _Block) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=style)


FLOW_LIST_UNDER = 60
"""A list of short scalars this long (in characters) or less is written inline: ``[a, b]``."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    scalars = all(
        isinstance(v, int | float | bool) or (isinstance(v, str) and "\n" not in v) for v in data
    )
    short = sum(len(str(v)) + 2 for v in data) <= FLOW_LIST_UNDER
    return dumper.represent_sequence(
        "tag:yaml.org,2002:seq", data, flow_style=bool(data) and scalars and short
    )


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Block, _represent_str)
_Dumper.add_representer(list, _represent_list)


def dump_yaml(doc: Mapping[str, Any]) -> str:
    """``doc`` as block-style YAML in its own key order; long instructions as ``|``."""
    data = dict(doc)
    instructions = data.get("instructions")
    if isinstance(instructions, str) and len(instructions) > BLOCK_INSTRUCTIONS_OVER:
        data["instructions"] = _Block(instructions)
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1 << 30,
        indent=2,
    )
    return text
