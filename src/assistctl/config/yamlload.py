"""YAML with positions: split a file into documents, each a value and its node tree.

PyYAML's loaders throw positions away and silently keep the last of two equal mapping keys.
So PyYAML *composes* node trees (in C, via libyaml, when available) and we build the values
ourselves, catching duplicate keys; each document keeps its tree for positions
(:mod:`assistctl.config.positions`). Every problem with the input becomes a
:class:`~assistctl.errors.Diagnostic`; nothing here raises for bad input.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from assistctl.config import yamlcore
from assistctl.config.positions import Document, Loc, position
from assistctl.config.textfile import read_text, whole_file
from assistctl.errors import Diagnostic

MAX_VALUES = 1_000_000
"""Values built per document, counting alias expansions: stops "billion laughs" documents."""

_SAFE_C_DEPTH = 2000
"""libyaml before 0.2.6 composes recursively in C and crashes the process on very deep
nesting, which is bounded by the number of indicator characters: below this count the C
composer is safe; above it we compose in Python, where too deep is a catchable error."""

TOO_DEEP = "is nested too deeply to be a manifest (hundreds of levels)"
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"

_STR = yamlcore.STR
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = yamlcore.MERGE
_AMBIGUOUS = yamlcore.AMBIGUOUS
_JSON_SCALARS = frozenset([yamlcore.NULL, yamlcore.BOOL, yamlcore.INT, yamlcore.FLOAT, _STR])
"""The tags whose values JSON carries as they are: the only ones a manifest may hold."""

# perf: texts up to this long are one object per load (see parse's ``shared``);
# benchmarks/plan_memory.py (see benchmarks/README.md, memory).
_SHARE_CHARS = 64

# perf: the tag of each plain scalar cached by its text (manifests repeat the same keys and
# values); benchmarks/validate.py (see benchmarks/README.md, validate). Our own resolution
# (:mod:`assistctl.config.yamlcore`) replaces PyYAML's resolver hooks, which its composers
# call for every node; it depends on the text alone, so path resolvers never apply.
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX = 20_000  # then it starts afresh: a few megabytes at most
_RESOLVED_LONGEST = 100  # longer texts are prose, which rarely recurs


class _Yaml12Resolver(Resolver):
    """Plain scalars resolved by :func:`yamlcore.resolve`: YAML 1.2 where YAML 1.1 agrees,
    :data:`yamlcore.AMBIGUOUS` where it does not."""

    # Nothing to track without path resolvers. perf: and no state, so that libyaml's composer
    # finds these hooks without an instance dictionary to look in first (same benchmark).
    def __init__(self) -> None:
        pass

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode:
            return self.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else self.DEFAULT_MAPPING_TAG
        if not implicit[0]:
            return self.DEFAULT_SCALAR_TAG
        tag = _RESOLVED.get(value)
        if tag is None:
            tag = yamlcore.resolve(value)
            if len(value) <= _RESOLVED_LONGEST:
                if len(_RESOLVED) >= _RESOLVED_MAX:
                    _RESOLVED.clear()
                _RESOLVED[value] = tag
        return tag


_Resolver: Any = _Yaml12Resolver

_CLoader: Any = None
_deep_loader: Any = yaml.SafeLoader  # without libyaml: pure Python, slower, same results
_C_BOUNDS_NESTING = False
"""libyaml 0.2.6 (in PyYAML 6.0.4's wheels) stops at 1,000 levels itself: then every text
takes the C composer. Its own version is asked, as a PyYAML built from source links the
system's libyaml."""
try:
    from yaml import _yaml
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    pass
else:

    class _CComposer(_Resolver, _CParser):  # type: ignore[misc]
        """libyaml's parser and composer."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)

    class _DeepLoader(_Resolver, Composer, SafeConstructor, _CParser):  # type: ignore[misc]
        """libyaml's parser with PyYAML's composer in Python: too-deep input fails with a
        RecursionError instead of crashing the process."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            _Resolver.__init__(self)

    _CLoader, _deep_loader = _CComposer, _DeepLoader
    _C_BOUNDS_NESTING = tuple(getattr(_yaml, "get_version", lambda: (0,))()) >= (0, 2, 6)


def dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in path)


class _Unbuildable(Exception):
    """The document cannot become a value at all; ``message`` says why."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class _Builder:
    """Builds Python values from a node tree, collecting duplicate-key diagnostics.

    Each collection level is two frames (``build`` and ``build_mapping`` or the list), so
    the recursion limit stops a document at the same depth whichever composer made it.
    """

    def __init__(
        self, file: str, shared: dict[str, str] | None = None, *, aliases: bool = True
    ) -> None:
        self.file = file
        self.shared: dict[str, str] = {} if shared is None else shared
        self.constructor = SafeConstructor()
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        # The collections being built, when the text has aliases: one reached again is a loop.
        # perf: none without aliases; benchmarks/validate.py (see benchmarks/README.md).
        self.active: set[int] | None = set() if aliases else None

    def error(self, node: Node, path: Loc, message: str) -> None:
        p = position(node)
        self.diagnostics.append(Diagnostic(self.file, p.line, p.col, dotted(path), message))

    @staticmethod
    def too_many(node: Node) -> _Unbuildable:
        """Values are counted, keys included: an alias bomb stops at the node that passes
        :data:`MAX_VALUES`."""
        return _Unbuildable(
            node,
            f"the document expands to more than {MAX_VALUES:,} values through aliases; "
            "this is not a manifest",
        )

    def build(self, node: Node, parent: Loc, key: str | int | None = None) -> Any:
        """The value of ``node``, found at ``key`` in ``parent`` (``parent`` itself without a
        ``key``)."""
        # perf: a path is only made for collections and diagnostics, the count is inline;
        # benchmarks/validate.py.
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.too_many(node)
        if isinstance(node, ScalarNode):
            text: str = node.value
            if node.tag == _STR:
                return self.shared.setdefault(text, text) if len(text) <= _SHARE_CHARS else text
            path = parent if key is None else (*parent, key)
            if node.tag == _AMBIGUOUS:
                # Read as its text, so the rest of the document is still checked; the
                # error is the real cause (what is said at this node afterwards is not).
                self.error(node, path, yamlcore.ambiguity(text))
                return text
            value = self.scalar(node, path)
            if isinstance(value, float) and not math.isfinite(value):
                self.error(node, path, yamlcore.not_finite(value) or "")
            return value
        path = parent if key is None else (*parent, key)
        active = self.active
        if active is not None:
            if id(node) in active:
                raise _Unbuildable(node, "an alias refers to the value that contains it")
            active.add(id(node))
        try:
            if node.tag != (_SEQ if isinstance(node, SequenceNode) else _MAP):
                self.error(node, path, f"unsupported YAML tag {node.tag}")
            if isinstance(node, SequenceNode):
                return [self.build(item, path, i) for i, item in enumerate(node.value)]
            assert isinstance(node, MappingNode), node
            return self.build_mapping(node, path)
        finally:
            if active is not None:
                active.discard(id(node))

    def scalar(self, node: ScalarNode, path: Loc) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        if node.tag not in _JSON_SCALARS:
            # Dates, binary and the like: JSON (and so the API) has no such values.
            self.error(
                node,
                path,
                f"unsupported YAML tag {tag}: a manifest holds only what JSON can (text, "
                "numbers, true/false, null); remove the tag (and quote the value for text)",
            )
            return None
        try:
            value = self.constructor.construct_object(node)
        except ConstructorError as err:
            self.error(node, path, f"cannot read this value: {err.problem}")
            return None
        except (ValueError, KeyError, IndexError, OverflowError) as err:
            # PyYAML's constructors trust the tag, so an explicit tag on a value that does
            # not fit it (`!!int x`, `!!bool maybe`) fails inside int() or a dict lookup.
            why = f" ({err})" if isinstance(err, ValueError) and str(err) else ""
            message = f"cannot read '{node.value}' as {tag}{why}; remove the tag or fix the value"
            self.error(node, path, message)
            return None
        return value

    def build_mapping(self, node: MappingNode, path: Loc) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Node] = {}
        merged: list[dict[Any, Any]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, path, "a mapping key must be a plain value, not a collection")
                continue
            if key_node.tag == _MERGE:
                merged.extend(self.merge_sources(value_node, path))
                continue
            key = self.key(key_node, path)
            earlier = first_seen.get(key)
            if earlier is not None:
                self.error(
                    key_node,
                    (*path, key),
                    f"duplicate key '{key}' (first defined on line {position(earlier).line}); "
                    "YAML would silently keep only the last one",
                )
                continue
            first_seen[key] = key_node
            result[key] = self.build(value_node, path, key)
        if not merged:
            return result
        # Merge keys (`<<: *base`): explicit keys win, then earlier sources over later ones.
        combined: dict[Any, Any] = {}
        for source in reversed(merged):
            combined.update(source)
        combined.update(result)
        return combined

    def key(self, node: ScalarNode, path: Loc) -> str:
        """A mapping key, always its text (JSON's keys are text): one of another type, or
        that YAML 1.1 and 1.2 read differently, is reported at the key."""
        text: str = node.value
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.too_many(node)
        if node.tag == _STR:
            return self.shared.setdefault(text, text) if len(text) <= _SHARE_CHARS else text
        if node.tag == _AMBIGUOUS:
            self.error(node, (*path, text), yamlcore.ambiguity(text, key=True))
            return text
        before = len(self.diagnostics)
        value = self.scalar(node, (*path, text))
        if len(self.diagnostics) == before:  # not already refused for its tag
            self.error(node, (*path, text), yamlcore.not_text_key(value, text))
        return text

    def merge_sources(self, node: Node, path: Loc) -> Iterator[dict[Any, Any]]:
        for source in node.value if isinstance(node, SequenceNode) else [node]:
            if isinstance(source, MappingNode):
                yield self.build_mapping(source, path)
            else:
                self.error(source, path, "'<<' merges only mappings (or a list of mappings)")


@dataclass
class YamlFile:
    """A file's documents and the problems found while reading and parsing it."""

    file: str
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    empty: bool = False
    text: str = ""
    """The file's text (empty when it could not be read), for a quick search in it."""


def _yaml_error(file: str, text: str, err: yaml.YAMLError) -> Diagnostic:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    if mark is not None:
        line, col = mark.line, mark.column
    elif isinstance(err, yaml.reader.ReaderError):
        line = text.count("\n", 0, err.position)
        col = err.position - (text.rfind("\n", 0, err.position) + 1)
    else:
        return whole_file(file, f"is not valid YAML: {err}")
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    if problem == _LIBYAML_TOO_DEEP:
        return Diagnostic(file, line + 1, col + 1, "", TOO_DEEP)
    if isinstance(err, yaml.reader.ReaderError):
        # libyaml reports the character as a number, PyYAML's Python reader as a string.
        code = ord(err.character) if isinstance(err.character, str) else err.character
        problem = f"contains the control character #x{code:04x}"
    lines = text.split("\n")
    if line < len(lines) and lines[line][col : col + 1] == "\t":
        problem += "; YAML does not allow tabs for indentation, use spaces"
    return Diagnostic(file, line + 1, col + 1, "", f"invalid YAML: {problem}")


def _too_deep(file: str, loader: Any) -> Diagnostic:
    """The Python composer ran out of stack: point at where the parser stopped."""
    mark = loader.get_mark() if loader is not None and hasattr(loader, "get_mark") else None
    if mark is None:
        return whole_file(file, TOO_DEEP)
    return Diagnostic(file, mark.line + 1, mark.column + 1, "", TOO_DEEP)


def _shallow(text: str) -> bool:
    """Safe for libyaml's composer: bounded by libyaml, or few enough indicators."""
    return _C_BOUNDS_NESTING or sum(text.count(c) for c in "[{-:?") <= _SAFE_C_DEPTH


def parse(text: str, file: str, *, shared: dict[str, str] | None = None) -> YamlFile:
    """Split ``text`` into documents with their values; empty documents are skipped.

    ``shared``: short key and value texts, one table for every file of one load, so that
    each distinct text is one object (manifests repeat the same keys and small values).
    """
    result = YamlFile(file, text=text)
    loader: Any = None
    aliases = "*" in text  # without one, no node is reached twice
    try:
        # Inside the try: PyYAML's pure-Python reader checks characters in its constructor.
        loader = _CLoader(text) if _CLoader is not None and _shallow(text) else _deep_loader(text)
        while loader.check_node():
            node = loader.get_node()
            if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
                continue  # `---` with nothing after it: nothing to check
            builder = _Builder(file, shared, aliases=aliases)
            try:
                data = builder.build(node, ())
            except _Unbuildable as err:
                where = position(err.node)
                result.diagnostics.append(Diagnostic(file, where.line, where.col, "", err.message))
                continue
            except RecursionError:
                where = position(node)
                result.diagnostics.append(Diagnostic(file, where.line, where.col, "", TOO_DEEP))
                continue
            result.diagnostics.extend(builder.diagnostics)
            result.documents.append(Document(file, len(result.documents) + 1, node, data))
    except yaml.YAMLError as err:
        result.diagnostics.append(_yaml_error(file, text, err))
    except RecursionError:
        result.diagnostics.append(_too_deep(file, loader))
    finally:
        if loader is not None:
            loader.dispose()
    result.empty = not result.documents and not result.diagnostics
    return result


def load_file(
    path: str | os.PathLike[str],
    file: str,
    *,
    what: str = "file",
    shared: dict[str, str] | None = None,
) -> YamlFile:
    """Read and parse one file; ``file`` is the name shown in diagnostics."""
    text, problem = read_text(path, file, what=what)
    if text is None:
        assert problem is not None
        return YamlFile(file, diagnostics=[problem])
    return parse(text, file, shared=shared)
