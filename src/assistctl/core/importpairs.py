"""What ``assistctl import`` is asked to adopt: ``KEY=ID`` pairs, from arguments or a file.

A pairs file may come from anyone (a pull request, another tool's output), so it is read
strictly: one ``KEY=ID`` a line, blank lines and ``#`` comment lines allowed, nothing else;
keys are manifest keys (:data:`assistctl.labels.NAME_PATTERN`) and ids the shape hosts give
(letters, digits, ``_``, ``-``, ``.``; no ``/``, so an id can only ever name one object).
Every bad line is reported with its line number, and nothing is sent for a bad file.
Pure: the command reads the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from assistctl.errors import UsageError
from assistctl.labels import is_valid_name

MAX_PAIRS = 1000
"""More pairs than this in one import is a mistake (a wrong file), not an adoption."""

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class Pair:
    """Adopt live assistant :attr:`assistant_id` under manifest key :attr:`key`."""

    key: str
    assistant_id: str
    origin: str
    """Where the pair was given: ``argument 2`` or ``pairs.txt:3``, for messages."""


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.match(value))


def looks_like_pair(arg: str) -> bool:
    """An argument meant as ``KEY=ID`` (a path argument has no ``=`` before its first ``/``)."""
    head = arg.split("/", 1)[0]
    return "=" in head


def split_arguments(
    args: Sequence[str], *, pairs_file: bool, exists: Callable[[str], bool]
) -> tuple[list[Pair], list[str]]:
    """``(pairs, paths)`` of import's positional arguments: the leading ``KEY=ID`` ones are
    pairs (an existing path with ``=`` in it is a path), the rest paths. The 0.1.0 form
    ``KEY ID PATH...`` (no ``=``, no ``--from``, a first argument that is no path) reads as
    one pair."""
    leading = 0
    while leading < len(args) and looks_like_pair(args[leading]) and not exists(args[leading]):
        leading += 1
    pairs, paths = from_arguments(args[:leading]), list(args[leading:])
    if not pairs and not pairs_file and len(paths) >= 3 and not exists(paths[0]):
        pairs = from_arguments([f"{paths[0]}={paths[1]}"])
        paths = paths[2:]
    if not paths:
        raise UsageError(
            "import needs the manifests' PATH after the pairs (assistctl import "
            "tutor=asst_abc123 assistants/)."
        )
    return pairs, paths


def _problem(text: str) -> str | None:
    """Why ``text`` is not a ``KEY=ID`` pair, or None."""
    key, eq, assistant_id = text.partition("=")
    if not eq:
        return "expected KEY=ID"
    if not is_valid_name(key):
        return (
            f"'{_short(key)}' is not a manifest key (letters, digits, '.', '_', '-', "
            "starting with a letter or digit)"
        )
    if not is_valid_id(assistant_id):
        return f"'{_short(assistant_id)}' is not an assistant id (such as asst_abc123)"
    return None


def _short(text: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return shown.encode("unicode_escape").decode("ascii")


def from_arguments(args: Iterable[str]) -> list[Pair]:
    """The pairs given on the command line; UsageError naming the first bad one."""
    pairs = []
    for n, arg in enumerate(args, 1):
        problem = _problem(arg)
        if problem is not None:
            raise UsageError(f"Import pair '{_short(arg)}' (argument {n}): {problem}.")
        key, _, assistant_id = arg.partition("=")
        pairs.append(Pair(key, assistant_id, f"argument {n}"))
    return pairs


def from_file(text: str, name: str) -> list[Pair]:
    """The pairs of a pairs file; UsageError naming every bad line (up to five)."""
    pairs: list[Pair] = []
    bad: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        problem = _problem(stripped)
        if problem is not None:
            bad.append(f"{name}:{n}: {problem}")
            continue
        key, _, assistant_id = stripped.partition("=")
        pairs.append(Pair(key, assistant_id, f"{name}:{n}"))
        if len(pairs) > MAX_PAIRS:
            raise UsageError(
                f"{name} holds more than {MAX_PAIRS} pairs; import adopts at most {MAX_PAIRS} "
                "assistants at a time (split the file)."
            )
    if bad:
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        raise UsageError(
            f"{name} is not a file of KEY=ID lines: {'; '.join(bad[:5])}{more}. Nothing was "
            "imported; write one KEY=ID a line (blank lines and # comments are allowed)."
        )
    return pairs


def refuse_repeats(pairs: list[Pair]) -> None:
    """One key and one assistant appear at most once: two ids for one key would give the
    key two assistants, and one assistant cannot carry two labels."""
    if not pairs:
        raise UsageError(
            "Nothing to import: give KEY=ID pairs (assistctl import tutor=asst_abc123 "
            "assistants/) or --from FILE."
        )
    for attr, what in (("key", "key"), ("assistant_id", "assistant")):
        seen: dict[str, Pair] = {}
        for pair in pairs:
            value = getattr(pair, attr)
            if value in seen:
                raise UsageError(
                    f"The {what} '{value}' is given twice ({seen[value].origin} and "
                    f"{pair.origin}); each key adopts one assistant, and each assistant "
                    "takes one key."
                )
            seen[value] = pair
