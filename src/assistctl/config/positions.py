"""Where a value is in a YAML file: a document keeps its node tree, so that a field path
(from pydantic: ``("tools", 2, "function", "name")``) maps back to a line and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Loc = tuple[str | int, ...]

_MERGE = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Position:
    """1-based line and column."""

    line: int
    col: int


def position(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _shown(key_node: Node, node: Node) -> Position:
    """Where to point for a value: a block collection is shown at its key (``tools:``), which
    is the line a reader looks for; anything else at the value itself."""
    block = isinstance(node, MappingNode | SequenceNode) and not node.flow_style
    return position(key_node if block and key_node is not node else node)


def _key(node: ScalarNode) -> Any:
    """A key's value: its text, as the builder keeps every key (JSON's keys are text)."""
    return node.value


def _child(node: Node, element: str | int) -> tuple[Node, Node] | None:
    """``(key_node, value_node)`` of ``element`` inside ``node``, following merge keys."""
    if isinstance(node, SequenceNode):
        if isinstance(element, int) and 0 <= element < len(node.value):
            item: Node = node.value[element]
            return item, item
        return None
    if not isinstance(node, MappingNode):
        return None
    merged: list[Node] = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            continue
        if key_node.tag == _MERGE:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            merged += [s for s in sources if isinstance(s, MappingNode)]
            continue
        key = _key(key_node)
        if key == element and type(key) is type(element):
            return key_node, value_node
    for target in merged:
        found = _child(target, element)
        if found is not None:
            return found
    return None


@dataclass
class Document:
    """One YAML document of a file: its Python value and its node tree for positions."""

    file: str
    index: int
    node: Node
    data: Any

    @property
    def position(self) -> Position:
        return position(self.node)

    def locate(self, loc: Sequence[str | int], *, at_key: bool = False) -> tuple[Position, Loc]:
        """Position and cleaned field path of a validation error location.

        ``loc`` may contain elements that are not in the document: union tags that pydantic
        inserts (``("tools", 0, "function", "function", "name")``) are skipped, and a missing
        last field is kept in the path but positioned at its parent, the nearest node that
        exists. ``at_key`` points at the key rather than the value (for unknown fields).
        """
        node = key_node = self.node
        path: list[str | int] = []
        for i, element in enumerate(loc):
            if element == "[key]":
                node = key_node
                continue
            found = _child(node, element)
            if found is not None:
                key_node, node = found
                path.append(element)
            elif i == len(loc) - 1 and isinstance(node, MappingNode):
                path.append(element)  # a missing field: keep the name, point at the parent
        return position(key_node) if at_key else _shown(key_node, node), tuple(path)

    def nearest(self, path: Sequence[str | int], *, at_key: bool = False) -> Position:
        """Position of the value at ``path``, or of its nearest existing parent."""
        node = key_node = self.node
        for element in path:
            found = _child(node, element)
            if found is None:
                return _shown(key_node, node)
            key_node, node = found
        return position(key_node) if at_key else _shown(key_node, node)
