"""YAML with positions: read a file, split it into documents, keep every node's line:col.

PyYAML's loaders throw positions away and silently keep the last of two equal mapping keys.
So we let PyYAML *compose* node trees (fast, in C via libyaml when available) and build the
Python values ourselves, which is where duplicate keys are caught. Each document keeps its
node tree so that an error location from pydantic (``("tools", 2, "function", "name")``)
can be mapped back to the line and column of the offending node.

Every problem with the input (unreadable, binary, not UTF-8, too big, bad YAML) becomes a
:class:`~assistctl.errors.Diagnostic`; nothing here raises for bad input.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from assistctl.errors import Diagnostic

Loc = tuple[str | int, ...]

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest file we parse. A manifest at every API limit is far below this; a bigger file is
almost surely not a manifest, and parsing it would cost seconds and hundreds of megabytes."""

MAX_VALUES = 1_000_000
"""Values built per document, counting alias expansions: stops "billion laughs" documents."""

_SAFE_C_DEPTH = 2000
"""libyaml before 0.2.6 composes recursively in C and crashes the process on very deep
nesting. Nesting depth is bounded by the number of indicator characters, so below this count
the C composer is safe; above it we compose in Python, where too-deep nesting is a catchable
error. libyaml 0.2.6 (bundled with PyYAML 6.0.4) stops at 1,000 levels itself, with a
ScannerError, so with it the C composer is always safe (see :data:`_C_BOUNDS_NESTING`)."""

TOO_DEEP = "is nested too deeply to be a manifest (hundreds of levels)"
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"

_RESOLVED: dict[str, str] = {}
"""Tag of each plain scalar seen so far. The same keys and values recur in every manifest,
and PyYAML's resolver tries a list of regular expressions in Python for each of them."""

_RESOLVED_MAX = 20_000
_RESOLVED_LONGEST = 100
"""The cache starts afresh at ``_RESOLVED_MAX`` entries and skips longer texts (prose, which
rarely recurs), so that it holds at most a few megabytes."""


class _CachedResolver(Resolver):
    """PyYAML's implicit resolver with its answers cached.

    Without path resolvers (SafeLoader's resolver has none), a tag depends only on the kind
    of node, on whether a scalar is plain and on its text, so the answer for a text can be
    reused; and descending or ascending the tree has nothing to track.
    """

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            if not implicit[0]:
                return self.DEFAULT_SCALAR_TAG
            tag = _RESOLVED.get(value)
            if tag is None:
                # Resolver.resolve's own matching, inline: calling it would add a frame,
                # and nesting depth is bounded by the recursion limit (see _SAFE_C_DEPTH).
                resolvers = self.yaml_implicit_resolvers.get(value[0] if value else "", [])
                wildcard = self.yaml_implicit_resolvers.get(None, [])
                tag = self.DEFAULT_SCALAR_TAG
                for candidate, regexp in resolvers + wildcard:
                    if regexp.match(value):
                        tag = candidate
                        break
                if len(value) <= _RESOLVED_LONGEST:
                    if len(_RESOLVED) >= _RESOLVED_MAX:
                        _RESOLVED.clear()
                    _RESOLVED[value] = tag
            return tag
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        if kind is MappingNode:
            return self.DEFAULT_MAPPING_TAG
        return None

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_CLoader: Any
_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: pure Python, slower but identical results
    _CLoader = None
    _CParser = None


if _CParser is not None:

    class _CComposer(_CachedResolver, _CParser):  # type: ignore[misc]
        """libyaml's parser and composer: the fast path."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)

    class _DeepLoader(_CachedResolver, Composer, SafeConstructor, Resolver, _CParser):  # type: ignore[misc]
        """libyaml's parser with PyYAML's Python composer: deep input fails with RecursionError
        instead of a crash."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _CLoader = _CComposer
    _deep_loader: Any = _DeepLoader
else:  # pragma: no cover - depends on how PyYAML was built
    _deep_loader = yaml.SafeLoader


def _libyaml_bounds_nesting() -> bool:
    """True when libyaml refuses documents deeper than 1,000 levels (0.2.6 and later).

    PyYAML's wheels up to 6.0.3 bundle libyaml 0.2.5, which has no such bound; a PyYAML
    built from source links whatever libyaml the system has. So the version is asked, not
    PyYAML's own.
    """
    if _CParser is None:
        return False
    from yaml import _yaml

    return tuple(_yaml.get_version()) >= (0, 2, 6)


_C_BOUNDS_NESTING = _libyaml_bounds_nesting()
"""With a bounded libyaml every text takes the C composer; otherwise deep texts (by
indicator count) take the Python composer."""


@dataclass(frozen=True)
class Position:
    """1-based line and column."""

    line: int
    col: int


def _pos(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _bad_tagged(node: ScalarNode, err: Exception) -> str:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    why = f" ({err})" if isinstance(err, ValueError) and str(err) else ""
    return f"cannot read '{node.value}' as {tag}{why}; remove the tag or fix the value"


_SHARE_CHARS = 64
"""Keys and values up to this long are shared between the documents of one load (see
:func:`parse`'s ``shared``)."""


class _Unbuildable(Exception):
    """The document cannot become a value at all; ``message`` says why."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class _Builder:
    """Builds Python values from a node tree, collecting duplicate-key diagnostics.

    Paths are only built for collections and for diagnostics: string scalars, nearly all of
    a manifest, are taken inline. Values are still counted one by one, so that the alias
    guard stops at the same node as before.
    """

    def __init__(
        self, file: str, *, aliases: bool = True, shared: dict[str, str] | None = None
    ) -> None:
        self.file = file
        self.shared: dict[str, str] = {} if shared is None else shared
        self._constructor: SafeConstructor | None = None
        self.diagnostics: list[Diagnostic] = []
        self.count = 0
        self.limit = MAX_VALUES
        # Without aliases no node is reached twice, so nothing can contain itself.
        self.active: set[int] | None = set() if aliases else None

    def error(self, node: Node, path: Loc, message: str) -> None:
        p = _pos(node)
        self.diagnostics.append(Diagnostic(self.file, p.line, p.col, dotted(path), message))

    def too_many(self, node: Node) -> _Unbuildable:
        return _Unbuildable(
            node,
            f"the document expands to more than {self.limit:,} values through aliases; "
            "this is not a manifest",
        )

    def build(self, node: Node, path: Loc) -> Any:
        self.count += 1
        if self.count > self.limit:
            raise self.too_many(node)
        if isinstance(node, ScalarNode):
            if node.tag == _STR or node.tag == _VALUE:
                # A plain `=` resolves to YAML 1.1's "value" tag, which PyYAML only reads (as
                # the string) in a key; it is the string everywhere here.
                return node.value
            constructor = self._constructor
            if constructor is None:  # most documents have no other scalars
                constructor = self._constructor = SafeConstructor()
            try:
                return constructor.construct_object(node)
            except ConstructorError as err:
                self.error(node, path, f"cannot read this value: {err.problem}")
                return None
            except (ValueError, KeyError, IndexError, OverflowError) as err:
                # PyYAML's constructors trust the resolver's tag, so an explicit tag on a value
                # that does not fit it (`!!int x`, `!!bool maybe`, hour 99 in a !!timestamp)
                # fails inside int(), a dict lookup or datetime().
                self.error(node, path, _bad_tagged(node, err))
                return None
        # Collections inline, not in a helper: one frame more per nesting level would lower
        # the depth at which the recursion limit stops a document (see _SAFE_C_DEPTH).
        active = self.active
        if active is not None:
            if id(node) in active:
                raise _Unbuildable(node, "an alias refers to the value that contains it")
            active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ:
                    self.error(node, path, f"unsupported YAML tag {node.tag}")
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                if node.tag != _MAP:
                    self.error(node, path, f"unsupported YAML tag {node.tag}")
                return self.build_mapping(node, path)
        finally:
            if active is not None:
                active.discard(id(node))
        raise AssertionError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def build_mapping(self, node: MappingNode, path: Loc) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Node] = {}
        merged: list[dict[Any, Any]] = []
        # A local count, written back around every call that counts too. String keys and
        # values are taken inline, the same few lines twice, rather than through a helper:
        # they are most of a manifest's nodes, and a call each costs more than the rest.
        count = self.count
        limit = self.limit
        shared = self.shared
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, path, "a mapping key must be a plain value, not a collection")
                continue
            if key_node.tag == _STR:
                count += 1
                if count > limit:
                    raise self.too_many(key_node)
                key = key_node.value
                if len(key) <= _SHARE_CHARS:
                    key = shared.setdefault(key, key)
            elif key_node.tag == _MERGE:
                self.count = count
                merged.extend(self.merge_sources(value_node, path))
                count = self.count
                continue
            else:
                self.count = count
                key = self.build(key_node, path)
                count = self.count
            try:
                earlier = first_seen.get(key)
            except TypeError:  # an unhashable key, e.g. !!binary tricks
                self.error(key_node, path, "a mapping key must be a plain value")
                continue
            if earlier is not None:
                self.error(
                    key_node,
                    (*path, key),
                    f"duplicate key '{key}' (first defined on line {_pos(earlier).line}); "
                    "YAML would silently keep only the last one",
                )
                continue
            first_seen[key] = key_node
            if value_node.tag == _STR and isinstance(value_node, ScalarNode):
                count += 1
                if count > limit:
                    raise self.too_many(value_node)
                value = value_node.value
                if len(value) <= _SHARE_CHARS:
                    value = shared.setdefault(value, value)
                result[key] = value
            else:
                self.count = count
                result[key] = self.build(value_node, (*path, key))
                count = self.count
        self.count = count
        if not merged:
            return result
        # Merge keys (`<<: *base`): explicit keys win, then earlier sources over later ones.
        combined: dict[Any, Any] = {}
        for source in reversed(merged):
            combined.update(source)
        combined.update(result)
        return combined

    def merge_sources(self, node: Node, path: Loc) -> Iterator[dict[Any, Any]]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if isinstance(source, MappingNode):
                yield self.build_mapping(source, path)
            else:
                self.error(source, path, "'<<' merges only mappings (or a list of mappings)")


def _shown(key_node: Node, node: Node) -> Position:
    """Where to point for a value: a block collection is shown at its key (``tools:``), which
    is the line a reader looks for; anything else at the value itself."""
    block = isinstance(node, MappingNode | SequenceNode) and not node.flow_style
    return _pos(key_node if block and key_node is not node else node)


def dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in path)


def _merge_targets(node: MappingNode) -> Iterator[MappingNode]:
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.tag == _MERGE:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            yield from (s for s in sources if isinstance(s, MappingNode))


def _child(node: Node, element: str | int, builder: _Builder) -> tuple[Node, Node] | None:
    """``(key_node, value_node)`` of ``element`` inside ``node``, following merge keys."""
    if isinstance(node, SequenceNode):
        if isinstance(element, int) and 0 <= element < len(node.value):
            item: Node = node.value[element]
            return item, item
        return None
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.tag != _MERGE:
            key = key_node.value if key_node.tag == _STR else builder.build(key_node, ())
            if key == element and type(key) is type(element):
                return key_node, value_node
    for target in _merge_targets(node):
        found = _child(target, element, builder)
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
        return _pos(self.node)

    def locate(self, loc: Sequence[str | int], *, at_key: bool = False) -> tuple[Position, Loc]:
        """Position and cleaned field path of a validation error location.

        ``loc`` may contain elements that are not in the document: union tags that pydantic
        inserts (``("tools", 0, "function", "function", "name")``) are skipped, and a missing
        last field is kept in the path but positioned at its parent, the nearest node that
        exists. ``at_key`` points at the key rather than the value (for unknown fields).
        """
        builder = _Builder(self.file)
        node = self.node
        key_node = node
        path: list[str | int] = []
        for i, element in enumerate(loc):
            last = i == len(loc) - 1
            if element == "[key]":
                node = key_node
                continue
            found = _child(node, element, builder)
            if found is not None:
                key_node, node = found
                path.append(element)
            elif last and isinstance(node, MappingNode):
                path.append(element)  # a missing field: keep the name, point at the parent
        return _pos(key_node) if at_key else _shown(key_node, node), tuple(path)

    def nearest(self, path: Sequence[str | int], *, at_key: bool = False) -> Position:
        """Position of the value at ``path``, or of its nearest existing parent."""
        builder = _Builder(self.file)
        node = key_node = self.node
        for element in path:
            found = _child(node, element, builder)
            if found is None:
                return _shown(key_node, node)
            key_node, node = found
        return _pos(key_node) if at_key else _shown(key_node, node)


@dataclass
class YamlFile:
    """A file's documents and the problems found while reading and parsing it."""

    file: str
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    empty: bool = False


def _whole_file(file: str, message: str) -> Diagnostic:
    return Diagnostic(file, 0, 0, "", message)


def _read_at_most(fd: int, size: int, limit: int) -> bytes:
    """Up to ``limit`` bytes of an open file whose size is ``size``, until its end.

    Not ``open(...).read(limit)``: that allocates ``limit`` bytes (10 MiB) for every file.
    """
    parts: list[bytes] = []
    total = 0
    want = min(size + 1, limit)  # one byte more than expected, to see the end early
    while total < limit:
        chunk = os.read(fd, want)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = min(limit - total, 65536)  # the file grew, or this is the end
    return b"".join(parts)


def read_text(
    path: str | os.PathLike[str], file: str, *, what: str = "file"
) -> tuple[str | None, Diagnostic | None]:
    """The text of a UTF-8 file, or a diagnostic saying why it cannot be had."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            # FIFOs and devices would block or never end; directories are not files.
            return None, _whole_file(file, f"is not a regular {what}")
        if info.st_size > MAX_FILE_BYTES:
            return None, _whole_file(
                file,
                f"is {info.st_size / 1024 / 1024:.1f} MiB; a {what} is limited to "
                f"{MAX_FILE_BYTES // 1024 // 1024} MiB, so this is probably not one",
            )
        fd = os.open(path, os.O_RDONLY)
        try:
            raw = _read_at_most(fd, info.st_size, MAX_FILE_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        return None, _whole_file(file, f"cannot read this {what}: {reason}")
    if raw.find(b"\x00", 0, 8192) != -1:
        return None, _whole_file(file, f"looks like a binary file, not a YAML {what}")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, Diagnostic(
            file,
            line,
            err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1,
            "",
            f"is not UTF-8 text (byte 0x{raw[err.start]:02x} cannot be decoded); "
            "save the file as UTF-8",
        )


def _yaml_error(file: str, text: str, err: yaml.YAMLError) -> Diagnostic:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    if mark is not None:
        line, col = mark.line, mark.column
    elif isinstance(err, yaml.reader.ReaderError):
        line = text.count("\n", 0, err.position)
        col = err.position - (text.rfind("\n", 0, err.position) + 1)
    else:
        return _whole_file(file, f"is not valid YAML: {err}")
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    if problem == _LIBYAML_TOO_DEEP:
        return Diagnostic(file, line + 1, col + 1, "", TOO_DEEP)
    if isinstance(err, yaml.reader.ReaderError):
        # libyaml reports the character as a number, PyYAML's Python reader as a string.
        code = ord(err.character) if isinstance(err.character, str) else err.character
        problem = f"contains the control character #x{code:04x}"
    lines = text.split("\n")
    offending = lines[line][col : col + 1] if line < len(lines) else ""
    hint = ""
    if offending == "\t":
        hint = "; YAML does not allow tabs for indentation, use spaces"
    return Diagnostic(file, line + 1, col + 1, "", f"invalid YAML: {problem}{hint}")


def _too_deep(file: str, loader: Any) -> Diagnostic:
    """The Python composer ran out of stack: point at where the parser stopped."""
    mark = loader.get_mark() if loader is not None and hasattr(loader, "get_mark") else None
    if mark is None:
        return _whole_file(file, TOO_DEEP)
    return Diagnostic(file, mark.line + 1, mark.column + 1, "", TOO_DEEP)


def _shallow(text: str) -> bool:
    """At most ``_SAFE_C_DEPTH`` indicators; a text no longer than that needs no counting."""
    if _C_BOUNDS_NESTING or len(text) <= _SAFE_C_DEPTH:
        return True
    return sum(text.count(c) for c in "[{-:?") <= _SAFE_C_DEPTH


def parse(text: str, file: str, *, shared: dict[str, str] | None = None) -> YamlFile:
    """Split ``text`` into documents with their values; empty documents are skipped.

    ``shared``: a table of short key and value texts, passed to every file of one load, so
    that each distinct text is one object: manifests repeat the same keys and small values
    (``type``, ``function``, ``string``, a team name), about 0.5 KB per manifest that the
    plan keeps otherwise as separate copies.
    """
    result = YamlFile(file)
    loader: Any = None
    aliases = "*" in text  # an alias needs one
    try:
        # Inside the try: PyYAML's pure-Python reader checks characters in its constructor.
        loader = _CLoader(text) if _CLoader is not None and _shallow(text) else _deep_loader(text)
        while loader.check_node():
            node = loader.get_node()
            if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
                continue  # `---` with nothing after it: nothing to check
            builder = _Builder(file, aliases=aliases, shared=shared)
            try:
                data = builder.build(node, ())
            except _Unbuildable as err:
                where = _pos(err.node)
                result.diagnostics.append(Diagnostic(file, where.line, where.col, "", err.message))
                continue
            except RecursionError:
                where = _pos(node)
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
