"""Changing fields of manifests inside an existing file, keeping everything else as written.

``export`` updates the manifests a team already has rather than writing new ones beside
them: the fields that changed live are changed in the file, and the rest (comments, key
order, quoting, ``lifecycle``, other documents of the file) stays as it was. ruamel.yaml
does the comment-preserving round trip; this module decides what it touches:

- the file is cut at its ``---`` lines, and only the documents that change are loaded and
  written again: the others keep their bytes;
- ruamel keeps the comment lines *before* a key with the key above it (as trailing lines of
  its value). Deleting or inserting a key would move them to the wrong key, so after loading
  they are handed to the key they precede (:func:`_own_comments`), and the comments at the
  end of a mapping stay at its end when a key is appended;
- a changed value is merged into the old one (:func:`_merge`): pairs and items that did not
  change keep their comments and style;
- the indentation is the one under which the document reads back exactly as it was written,
  among the usual ones (:data:`INDENTS`).

Pure: text in, text out. The caller checks the result reads back as intended
(:func:`assistctl.core.exportupdate.check_file`).
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tag import Tag
from ruamel.yaml.tokens import CommentToken

from assistctl.config import yamlcore

INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 0), (4, 4, 2), (3, 5, 3), (3, 3, 0))
"""(mapping, sequence, dash offset): the examples' style first, then the other common ones."""

BLOCK_OVER = 80
"""Single-line ``instructions`` longer than this are written as a block scalar (as new files)."""

FLOW_LIST_UNDER = 60
"""A list of short scalars this long (in characters) or less is written inline."""

_DOCUMENT_START = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)


class InPlaceError(Exception):
    """The file cannot be changed in place; the message says why, for a sentence."""


@dataclass(frozen=True)
class Edit:
    """What changes in the document whose ``key`` (or ``moved_from``) is :attr:`key`."""

    key: str
    set: Mapping[str, Any] = field(default_factory=dict)
    """Top-level field -> its new value (plain data)."""
    remove: Sequence[str] = ()
    order: Sequence[str] = ()
    """Top-level field order, for where a new field goes."""


def segments(text: str) -> list[str]:
    """``text`` cut before each ``---`` line: joined again, they are ``text``."""
    starts = [m.start() for m in _DOCUMENT_START.finditer(text) if m.start() > 0]
    bounds = [0, *starts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


class _CoreResolver(VersionedResolver):
    """Writing: a plain scalar is what assistctl reads it as (:mod:`assistctl.config.yamlcore`),
    so a text it would not read back as text (``no``, ``1e3``, ``=``, a date) is quoted."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return Tag(suffix=yamlcore.resolve(value))
        return super().resolve(kind, value, implicit)


class _CoreRepresenter(RoundTripRepresenter):
    """Writing: a new float as both YAML versions read it (``1.0e+20``, not ``1e+20``)."""

    def represent_plain_float(self, value: float) -> Any:
        if not math.isfinite(value):  # never in a manifest (JSON cannot carry it)
            return self.represent_float(value)
        return self.represent_scalar(yamlcore.FLOAT, yamlcore.plain_number(value))


_CoreRepresenter.add_representer(float, _CoreRepresenter.represent_plain_float)


def _yaml(indent: tuple[int, int, int], *, dumping: bool = False) -> YAML:
    """A round-trip ruamel.yaml; ``dumping``: one that writes under assistctl's reading rules
    (ruamel caches its resolver at first use, so loading and dumping take one each)."""
    yaml = YAML(typ="rt")
    if dumping:
        yaml.Resolver = _CoreResolver
        yaml.Representer = _CoreRepresenter
    yaml.preserve_quotes = True
    yaml.width = 1 << 20  # never re-wrap a long line
    mapping, sequence, offset = indent
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, data: Any, explicit_start: bool) -> str:
    yaml.explicit_start = explicit_start
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _load(segment: str, name: str) -> tuple[Any, tuple[int, int, int], bool]:
    """The document of ``segment``, the indentation that writes it back as it was, and
    whether it did so exactly."""
    best: tuple[int, tuple[int, int, int], Any] | None = None
    explicit = segment.startswith("---")
    for indent in INDENTS:
        yaml = _yaml(indent)
        try:
            data = yaml.load(segment)
        except YAMLError as err:
            problem = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise InPlaceError(
                f"{name} cannot be read for an update in place ({problem})"
            ) from None
        _own_comments(data)
        again = _dump(_yaml(indent, dumping=True), data, explicit)
        if again == segment:
            return data, indent, True
        differing = sum(
            a != b for a, b in zip(again.splitlines(), segment.splitlines(), strict=False)
        )
        differing += abs(again.count("\n") - segment.count("\n"))
        if best is None or differing < best[0]:
            best = (differing, indent, None)
    assert best is not None
    data = _yaml(best[1]).load(segment)
    _own_comments(data)
    return data, best[1], False


def document_key(data: Any) -> str | None:
    key = data.get("key") if isinstance(data, CommentedMap) else None
    return key if isinstance(key, str) else None


def edit_text(text: str, edits: Sequence[Edit], name: str) -> tuple[str, list[str]]:
    """``text`` with ``edits`` made, and notes for people (a document reformatted).

    A document is found by its ``key``, else by its ``moved_from``. Raises
    :class:`InPlaceError` when the file cannot be changed in place.
    """
    crlf = "\r\n" in text and "\n" not in text.replace("\r\n", "")
    source = text.replace("\r\n", "\n") if crlf else text
    wanted = {e.key: e for e in edits}
    done: set[str] = set()
    notes: list[str] = []
    parts = []
    for segment in segments(source):
        edit = _edit_for(segment, wanted)
        if edit is None:
            parts.append(segment)
            continue
        data, indent, exact = _load(segment, name)
        found = document_key(data)
        edit = wanted.get(found or "") or wanted.get(str(data.get("moved_from")))
        if edit is None:  # the cheap look-up was wrong: the document is another one
            parts.append(segment)
            continue
        _apply(data, edit)
        done.add(edit.key)
        if not exact:
            notes.append(
                f"{name}: the document of '{found}' was reindented (ruamel.yaml could not "
                "write its layout back exactly)"
            )
        parts.append(_dump(_yaml(indent, dumping=True), data, segment.startswith("---")))
    missing = sorted(set(wanted) - done)
    if missing:
        raise InPlaceError(f"{name} has no document with key '{missing[0]}' any more")
    result = "".join(parts)
    return (result.replace("\n", "\r\n") if crlf else result), notes


def _edit_for(segment: str, wanted: Mapping[str, Edit]) -> Edit | None:
    """Whether ``segment`` may hold a document to edit: a ``key:`` or ``moved_from:`` line
    naming one (loading every document with ruamel would cost more than it says)."""
    for match in re.finditer(r"^(?:key|moved_from)[ \t]*:[ \t]*['\"]?([^'\"#\s]+)", segment, re.M):
        if match.group(1) in wanted:
            return wanted[match.group(1)]
    return None


# -- comments --------------------------------------------------------------------------------


def _tail(node: Any, key: Any) -> tuple[Any, Any]:
    """``(holder, index)``: where ruamel keeps the lines that follow ``node[key]``'s value."""
    value = node[key]
    if isinstance(value, CommentedMap) and len(value) and not value.fa.flow_style():
        return _tail(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
        return _tail(value, len(value) - 1)
    return node, key


def _slot(holder: Any) -> int:
    return 0 if isinstance(holder, CommentedSeq) else 2


def _token(holder: Any, index: Any) -> CommentToken | None:
    entry = holder.ca.items.get(index)
    slot = _slot(holder)
    token = entry[slot] if entry and len(entry) > slot else None
    return token if isinstance(token, CommentToken) else None


def _take_following(node: Any, key: Any) -> str:
    """Remove and return the whole lines after ``node[key]``'s value (its own end-of-line
    comment stays)."""
    holder, index = _tail(node, key)
    token = _token(holder, index)
    if token is None or "\n" not in token.value:
        return ""
    eol, rest = token.value.split("\n", 1)
    token.value = eol + "\n"
    return rest


def _put_following(node: Any, key: Any, lines: str) -> None:
    """Make ``lines`` the whole lines after ``node[key]``'s value."""
    if not lines:
        return
    holder, index = _tail(node, key)
    token = _token(holder, index)
    if token is None:
        entry = holder.ca.items.setdefault(index, [None, None, None, None])
        entry[_slot(holder)] = CommentToken("\n" + lines, CommentMark(0))
    else:
        token.value = token.value.split("\n", 1)[0] + "\n" + lines


def _own_comments(node: Any) -> None:
    """Give each key of every mapping the comment lines just above it (ruamel keeps them
    with the key before), so that deleting or inserting a key keeps them with their key."""
    if isinstance(node, CommentedMap):
        keys = list(node)
        for key, following in itertools.pairwise(keys):
            rest = _take_following(node, key)
            if not rest:
                continue
            before = []
            for line in rest.removesuffix("\n").split("\n"):
                text = line.lstrip(" ")
                before.append(CommentToken(text + "\n", CommentMark(len(line) - len(text))))
            entry = node.ca.items.setdefault(following, [None, None, None, None])
            entry[1] = before + (entry[1] or [])
        for key in keys:
            _own_comments(node[key])
    elif isinstance(node, CommentedSeq):
        for item in node:
            _own_comments(item)


# -- values ----------------------------------------------------------------------------------


def _apply(doc: CommentedMap, edit: Edit) -> None:
    for name in edit.remove:
        if name in doc:
            _delete(doc, name)
    for name, value in edit.set.items():
        if name in doc:
            doc[name] = _merge(doc[name], value)
        else:
            _insert(doc, name, _styled(value, name), edit.order)


def _delete(node: CommentedMap, key: Any) -> None:
    keys = list(node)
    if keys[-1] == key and len(keys) > 1:
        # The lines after the last value close the mapping: they stay at its end.
        _put_following(node, keys[-2], _take_following(node, key))
    del node[key]


def _insert(node: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    keys = list(node)
    rank = {name: i for i, name in enumerate(order)}
    position = len(keys)
    if key in rank:
        later = [i for i, k in enumerate(keys) if rank.get(k, -1) > rank[key]]
        position = later[0] if later else len(keys)
    if position == len(keys) and keys:
        closing = _take_following(node, keys[-1])
        node.insert(position, key, value)
        _put_following(node, key, closing)
    else:
        node.insert(position, key, value)


def _merge(old: Any, new: Any) -> Any:
    """``new``, reusing the parts of ``old`` that are equal (their comments and style)."""
    if old == new and type(old) is not bool and type(new) is not bool:
        return old
    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key in [k for k in old if k not in new]:
            _delete(old, key)
        for key, value in new.items():
            if key in old:
                old[key] = _merge(old[key], value)
            else:
                _insert(old, key, _styled(value), list(new))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list) and len(old) == len(new):
        for i, value in enumerate(new):
            old[i] = _merge(old[i], value)
        return old
    return _styled(new)


def _literal_ok(text: str) -> bool:
    """A literal block scalar holds ``text`` exactly (else ruamel picks a quoted style)."""
    lines = text.split("\n")
    return (
        "\r" not in text
        and not text.startswith((" ", "\t"))
        and not any(line.endswith((" ", "\t")) for line in lines)
        and all(ch == "\n" or ch == "\t" or ch >= " " for ch in text)
        and "\ufeff" not in text
    )


def _styled(value: Any, name: str | None = None) -> Any:
    """Plain data as ruamel nodes in the style of exported manifests."""
    if isinstance(value, str):
        block = "\n" in value or (name == "instructions" and len(value) > BLOCK_OVER)
        return LiteralScalarString(value) if block and _literal_ok(value) else value
    if isinstance(value, Mapping):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _styled(item)
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_styled(item) for item in value)
        scalars = all(
            isinstance(v, int | float | bool) or (isinstance(v, str) and "\n" not in v)
            for v in value
        )
        if value and scalars and sum(len(str(v)) + 2 for v in value) <= FLOW_LIST_UNDER:
            seq.fa.set_flow_style()
        return seq
    return value
