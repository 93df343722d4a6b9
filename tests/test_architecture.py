"""The layout docs/architecture.md describes, held against the code: no import cycle (imports inside
functions count), no subcommand importing the CLI, every module saying what it is for, the import-linter contracts
kept, and its folder map naming exactly the modules there are."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "glowline"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """Every glowline module ``name`` imports, at module level or inside a function, resolved to modules."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:  # ``from pkg import sub`` imports the submodule; ``from mod import name`` mod
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_package_has_no_import_cycle() -> None:
    graph = {name: imports_of(name) for name in MODULES}
    # importing a submodule imports its package first: ``glowline.data.store.json_cache`` needs
    # ``glowline.data.store`` (parents are not edges: a package's __init__ may hand out its submodules lazily)
    assert cycles(graph) == []


def test_no_subcommand_imports_the_cli() -> None:
    offenders = [name for name in MODULES if name.startswith("glowline.commands") and "glowline.cli" in
                 imports_of(name)]
    assert offenders == []


def test_every_command_is_registered_and_has_add_parser_and_run() -> None:
    from glowline import commands

    files = {p.stem for p in (PACKAGE / "commands").glob("*.py")} - {"__init__", "options", "context", "line"}
    assert set(commands.COMMANDS) == files
    for name in commands.COMMANDS:
        module = commands.module(name)
        assert callable(module.add_parser) and callable(module.run), name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_says_what_it_is_for(name: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 4, f"{name} needs a first line saying what it is for"


def test_status_imports_only_os_sys_time_and_fcntl_from_the_stdlib() -> None:
    # select: built in, to wait for the refresher; subprocess: Windows only, in a branch
    allowed = {"os", "sys", "time", "fcntl", "select", "__future__", "subprocess"}
    for name, path in MODULES.items():
        if not name.startswith("glowline.status"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                mods = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                mods = {(node.module or "").split(".")[0]}
            else:
                continue
            mods -= {"glowline"}
            stdlib_only = mods - allowed - {"collections", "types", "typing"}  # collections/types/typing: annotations
            assert not stdlib_only, f"{name} imports {stdlib_only}"


def test_import_linter_contracts_are_kept() -> None:
    lint = Path(sys.executable).parent / "lint-imports"  # installed with the test extra, beside this interpreter
    proc = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_the_readme_folder_map_names_every_module() -> None:
    """Every module appears in docs/architecture.md's map, and every file the map names exists."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    named: set[str] = set()
    folder: list[str] = []
    for raw in block.splitlines():
        stripped = raw.strip()
        if not stripped:
            continue
        depth = (len(raw) - len(raw.lstrip(" "))) // 2
        head = stripped.split()[0]
        folder = folder[:depth]
        if head.endswith("/"):
            folder.append(head.rstrip("/"))
            continue
        for word in re.findall(r"[\w]+\.py", stripped.split("  ", 1)[0]):
            named.add("/".join([*folder, word]))
    actual = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    packages = {name for name in named if name.endswith("__init__.py")}  # named when they hold more than a marker
    assert named - packages == actual, (sorted(actual - named), sorted(named - packages - actual))
    assert all((ROOT / name).is_file() for name in packages), packages
