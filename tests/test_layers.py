"""The import graph of the product: every import runs downward, no import loops, no module over 400 lines.

The layers, bottom to top, are defined once, in `LAYERS`: a module may import its own package and the
packages below it, never one above. Imports are read with `ast` from the source (module level, inside
functions and under `TYPE_CHECKING` alike), so a lazy import cannot hide an upward dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from settings import REPO_ROOT

LAYERS = ("settings", "textkit", "ingest", "index", "sync", "assistant", "storage", "bots", "evals", "vsh")
"""Bottom to top. `textkit` (text toolkit) and `sync` (GOV.UK sync) are planned; listed so they land in place."""

KNOWN_LOOPS: set[frozenset[str]] = set()

MAX_LINES = 400
KNOWN_LARGE: set[str] = set()

RANK = {name: rank for rank, name in enumerate(LAYERS)}


def _modules() -> dict[str, Path]:
    """Every module of the layer packages: dotted name -> file."""
    found: dict[str, Path] = {}
    for package in LAYERS:
        folder = REPO_ROOT / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str:
    """The longest prefix of `name` that is a module of ours (`bots.web.app.create_app` -> `bots.web.app`)."""
    parts = name.split(".")
    while parts and ".".join(parts) not in MODULES:
        parts.pop()
    return ".".join(parts)


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module of ours, line) for every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            if name.split(".")[0] in RANK and (target := _resolve(name)):
                yield target, node.lineno


GRAPH: dict[str, set[str]] = {m: set() for m in MODULES}
EDGES: list[tuple[str, str, int]] = []
for _module, _path in MODULES.items():
    for _target, _line in dict.fromkeys(_imports(_module, _path)):
        if _target != _module:
            GRAPH[_module].add(_target)
            EDGES.append((_module, _target, _line))

CHANNELS = ("bots.web", "bots.slack")
"""Sibling channels: each uses the channel service below them (`bots.service`), never the other channel."""


def _layer(module: str) -> str:
    return module.split(".")[0]


def test_every_top_level_package_has_a_layer() -> None:
    packages = {p.parent.name for p in REPO_ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages <= set(LAYERS), f"place these packages in LAYERS: {sorted(packages - set(LAYERS))}"
    assert {"settings", "ingest", "index", "assistant", "storage", "bots", "evals", "vsh"} <= packages


def test_every_import_runs_downward() -> None:
    upward = [
        f"{MODULES[source].relative_to(REPO_ROOT)}:{line}: {source} ({_layer(source)}) imports {target} "
        f"({_layer(target)}), a layer above it"
        for source, target, line in EDGES
        if RANK[_layer(target)] > RANK[_layer(source)]
    ]
    assert not upward, "imports that run upward:\n" + "\n".join(upward)


def test_channels_do_not_import_each_other() -> None:
    def channel(module: str) -> str | None:
        return next((c for c in CHANNELS if module == c or module.startswith(c + ".")), None)

    crossing = [
        f"{MODULES[s].relative_to(REPO_ROOT)}:{line}: {s} imports {t}"
        for s, t, line in EDGES
        if channel(s) and channel(t) and channel(s) != channel(t)
    ]
    assert not crossing, "channels importing each other:\n" + "\n".join(crossing)
    assert not [s for s, t, _ in EDGES if t.startswith(CHANNELS) and s.startswith(("bots.service", "bots.metrics"))]


def test_settings_imports_nothing_of_the_project() -> None:
    outside = [(s, t) for s, t, _ in EDGES if _layer(s) == "settings" and _layer(t) != "settings"]
    assert not outside, outside


def _loops() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(GRAPH[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return loops


def test_no_import_loops() -> None:
    loops = [loop for loop in _loops() if frozenset(loop) not in KNOWN_LOOPS]
    described = []
    for loop in loops:
        members = set(loop)
        links = [f"{s} -> {t} (line {line})" for s, t, line in EDGES if s in members and t in members]
        described.append(" <-> ".join(loop) + ": " + "; ".join(links))
    assert not loops, "import loops:\n" + "\n".join(described)


def test_known_loops_still_exist() -> None:
    """An exception for a loop that is gone must go too (so the list only ever shrinks)."""
    current = {frozenset(loop) for loop in _loops()}
    assert current >= KNOWN_LOOPS, f"remove from KNOWN_LOOPS: {[sorted(x) for x in KNOWN_LOOPS - current]}"


def test_no_module_over_400_lines() -> None:
    large = {
        str(path.relative_to(REPO_ROOT)): n
        for path in MODULES.values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    unexpected = {name: n for name, n in large.items() if name not in KNOWN_LARGE}
    assert not unexpected, f"modules over {MAX_LINES} lines: {unexpected}"
    assert set(large) == KNOWN_LARGE, (
        f"now under {MAX_LINES} lines, remove from KNOWN_LARGE: {KNOWN_LARGE - set(large)}"
    )
