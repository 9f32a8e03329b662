"""The packages by stage stay layered: every import points down base -> config -> core -> api
-> output -> cli, and no two packages import each other.

Every import counts, at module level or inside a function (the CLI's lazy imports) or under
``TYPE_CHECKING``: a lazy import pointing up is still a dependency pointing up. The emulator
stands apart: it may use the base only, and only the CLI may use it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest

import assistctl

PACKAGE = "assistctl"
ROOT = Path(assistctl.__file__).parent
LAYERS = ("base", "config", "core", "api", "output", "cli")
EMULATOR = "emulator"
ENTRY_POINTS = {f"{PACKAGE}.__main__": "cli"}
"""``python -m assistctl`` runs the CLI: the module sits at the root but belongs to the top."""

Edge = tuple[str, str]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = [PACKAGE, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path = ROOT) -> dict[str, str]:
    """Module name -> source text of every module of the package."""
    return {module_name(p, root): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}


PACKAGES = {module_name(p) for p in ROOT.rglob("__init__.py")}


def imports(name: str, source: str, known: Iterable[str]) -> set[str]:
    """The package's modules that ``source`` (module ``name``) imports, anywhere in it."""
    known = set(known)
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                # A package's own name is its anchor; a module's anchor is its package.
                anchor = name.split(".") if name in PACKAGES else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from assistctl.cli import error_handler`` imports a module, not a name.
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m for m in found if m == PACKAGE or m.startswith(f"{PACKAGE}.")}


def edges(sources: Mapping[str, str]) -> set[Edge]:
    return {
        (name, target)
        for name, source in sources.items()
        for target in imports(name, source, sources)
        if target != name
    }


def layer(module: str) -> str:
    """The package a module belongs to: its first component, or the base at the root."""
    if module in ENTRY_POINTS:
        return ENTRY_POINTS[module]
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in (*LAYERS[1:], EMULATOR):
        return parts[1]
    return "base"


def allowed(source: str, target: str) -> bool:
    a, b = layer(source), layer(target)
    if EMULATOR in (a, b):
        # The emulator uses the base only; only the CLI (the 'emulator' command) uses it.
        return a == b or (a == EMULATOR and b == "base") or (a == "cli" and b == EMULATOR)
    return LAYERS.index(b) <= LAYERS.index(a)


def upward(all_edges: Iterable[Edge]) -> list[str]:
    return sorted(
        f"{s} ({layer(s)}) imports {t} ({layer(t)})" for s, t in all_edges if not allowed(s, t)
    )


def package_cycles(
    all_edges: Iterable[Edge], node_of: Callable[[str], str] = layer
) -> list[list[str]]:
    """Every cycle in the graph of packages (one per strongly connected group); with
    ``node_of`` the identity, in the graph of modules."""
    graph: dict[str, set[str]] = {}
    for s, t in all_edges:
        if node_of(s) != node_of(t):
            graph.setdefault(node_of(s), set()).add(node_of(t))

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            for nxt in graph.get(node, ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    groups: list[list[str]] = []
    for node in sorted(graph):
        group = sorted(n for n in graph if n == node or (reaches(node, n) and reaches(n, node)))
        if len(group) > 1 and group not in groups:
            groups.append(group)
    return groups


REAL = edges(modules())


def test_every_import_points_down() -> None:
    assert upward(REAL) == [], "move the code, or what it needs, down a layer"


def test_no_import_cycle_between_packages() -> None:
    assert package_cycles(REAL) == []


def test_no_import_cycle_inside_the_emulator() -> None:
    """Its request handler routes to the admin endpoints, which must not import it back."""
    inside = {(s, t) for s, t in REAL if layer(s) == layer(t) == EMULATOR}
    assert package_cycles(inside, node_of=str) == []


def test_every_module_has_a_known_place() -> None:
    names = modules()
    assert {layer(m) for m in names} <= {*LAYERS, EMULATOR}
    assert any(layer(m) == "base" for m in names) and f"{PACKAGE}.config.loader" in names


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            {
                "assistctl.config.loader": "def f():\n    from assistctl.api.target import x\n",
                "assistctl.api.target": "",
            },
            ["assistctl.config.loader (config) imports assistctl.api.target (api)"],
        ),
        (
            {"assistctl.labels": "from assistctl.core import plan\n", "assistctl.core.plan": ""},
            ["assistctl.labels (base) imports assistctl.core.plan (core)"],
        ),
        (
            {"assistctl.emulator.app": "import assistctl.core.plan\n", "assistctl.core.plan": ""},
            ["assistctl.emulator.app (emulator) imports assistctl.core.plan (core)"],
        ),
        (
            {
                "assistctl.output.render": "from ..core.plan import Plan\n",
                "assistctl.core.plan": "from assistctl import errors\n",
                "assistctl.errors": "",
            },
            [],
        ),
    ],
    ids=["lazy-upward", "base-upward", "emulator-to-core", "relative-down"],
)
def test_the_check_sees_an_upward_import(sources: dict[str, str], expected: list[str]) -> None:
    assert upward(edges(sources)) == expected


def test_the_check_sees_a_cycle() -> None:
    sources = {
        "assistctl.emulator.app": "from assistctl.api import client\n",
        "assistctl.api.client": "from assistctl.emulator import app\n",
    }
    assert package_cycles(edges(sources)) == [["api", "emulator"]]
    lazy_loop = {
        "assistctl.emulator.app": "from assistctl.emulator.admin import handle_admin\n",
        "assistctl.emulator.admin": "if TYPE_CHECKING:\n    from assistctl.emulator.app import A\n",
    }
    assert package_cycles(edges(lazy_loop), node_of=str) == [
        ["assistctl.emulator.admin", "assistctl.emulator.app"]
    ]
