"""The package's import structure, checked from the source (DESIGN.md, "Data flow and package
layout"): the planner is layered with imports that only go down, and the stages keep to their
side of the pipeline. Every import counts — module level, inside functions and under
``TYPE_CHECKING`` — because a cycle hidden in a function is still a cycle a reader must follow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "edgeauto"

# The planner's layers, lowest first. A planner module imports only planner modules of a
# lower layer, or of its own layer when that adds no cycle. A new planner file must be placed.
PLANNER_LAYERS = {
    0: {
        "context", "deps", "failinfo", "listing", "loops", "options", "records", "results",
        "factcache", "runstate", "segment", "state", "step", "sync", "tags", "taskargs",
        "varscope", "asyncjobs", "includevars",
    },
    1: {"fold", "handlers", "includes", "scope", "serialgate"},
    2: {"barrier", "builtins", "dispatch"},
    3: {"services"},
    4: {"outbox"},
    5: {"facts_task", "meta", "pending", "taskplan"},
    6: {"host"},
    7: {"connect", "play", "python_check"},
    8: {"run", "preflight"},
}  # fmt: skip

# (importer prefix, forbidden import prefix, why)
FORBIDDEN = [
    ("edgeauto.modules", "edgeauto.transport", "modules compile calls; they never see a connection"),
    ("edgeauto.modules", "edgeauto.planner", "modules are declarations the planner reads"),
    ("edgeauto.remote", "edgeauto.planner", "the shell side knows nothing of the walk"),
    ("edgeauto.inventory", "edgeauto.planner", "inventory is loaded before any plan exists"),
    ("edgeauto.transport", "edgeauto.planner", "transports carry scripts, whatever the plan"),
    ("edgeauto.templating", "edgeauto.transport", "templating never contacts a host"),
    ("edgeauto.templating", "edgeauto.remote", "templating never contacts a host"),
    ("edgeauto.templating", "edgeauto.planner", "templating never contacts a host"),
    ("edgeauto.templating", "edgeauto.facts", "templating never contacts a host"),
    ("edgeauto.playbook", "edgeauto.planner", "validation runs before any plan exists"),
    ("edgeauto.playbook", "edgeauto.transport", "validation never contacts a host"),
]  # fmt: skip


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every ``edgeauto.*`` module ``path`` imports, wherever the import statement stands."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import module`
    return {m for m in out if m.startswith("edgeauto")}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in imports_of(p) if m in files and m != name} for name, p in files.items()
    }


def planner_layer(module: str) -> int | None:
    short = module.removeprefix("edgeauto.planner.")
    return next((n for n, names in PLANNER_LAYERS.items() if short in names), None)


def test_every_planner_module_has_a_layer(graph):
    planner = [m for m in graph if m.startswith("edgeauto.planner.")]
    unplaced = sorted(m for m in planner if planner_layer(m) is None)
    assert not unplaced, f"place these in PLANNER_LAYERS: {unplaced}"


def test_planner_imports_only_go_down(graph):
    wrong = []
    for src, targets in graph.items():
        if planner_layer(src) is None:
            continue
        for dst in targets:
            if planner_layer(dst) is not None and planner_layer(dst) > planner_layer(src):
                wrong.append(
                    f"{src} (layer {planner_layer(src)}) imports {dst} ({planner_layer(dst)})"
                )
    assert not wrong, "\n".join(wrong)


def test_there_is_no_import_cycle_inside_the_planner(graph):
    planner = {m: {d for d in t if d.startswith("edgeauto.planner.")}
               for m, t in graph.items() if m.startswith("edgeauto.planner.")}  # fmt: skip
    cycle = find_cycle(planner)
    assert cycle is None, " -> ".join(cycle or [])


def test_stages_keep_to_their_side_of_the_pipeline(graph):
    wrong = [
        f"{src} imports {dst}: {why}"
        for src, targets in graph.items()
        for dst in targets
        for importer, forbidden, why in FORBIDDEN
        if src.startswith(importer) and dst.startswith(forbidden)
    ]
    assert not wrong, "\n".join(sorted(wrong))


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None
