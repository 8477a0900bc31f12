"""The drawing of the house, enforced from the source (ast, function-level imports included).

1. The app-level import graph has no cycle, and `core` (the ground floor) imports no business app.
2. Every non-migration module stays under 400 lines.
3. No area imports the rows another area owns (indicators' values and targets, supervision's tasks,
   reporting's submissions): it reads them through the owner's selectors, writes through its services.

Typing-only imports (`if TYPE_CHECKING:`) are left out: they never run, so they cannot make a
start-up cycle. Tests and migrations are left out of the graph (a test may use any area's factories).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # …/kaifang
ROOT = PACKAGE.parent
APPS = sorted(p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists())
GROUND = "core"
MAX_LINES = 400


def _modules(*, tests: bool) -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or (not tests and ("tests" in parts or path.name == "conftest.py")):
            continue
        yield path


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.AST, module: str) -> Iterator[str]:
    """Every module name `tree` imports at run time (top level and inside functions)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = module.split(".")[: -node.level]
                yield ".".join([*base, node.module] if node.module else base)
            elif node.module:
                yield node.module
        stack.extend(ast.iter_child_nodes(node))


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "kaifang" and parts[1] in APPS else None


def import_graph() -> dict[str, dict[str, list[str]]]:
    """app → {imported app: [importing module, …]}."""
    graph: dict[str, dict[str, list[str]]] = {app: {} for app in APPS}
    for path in _modules(tests=False):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        source = app_of(module)
        if source is None:
            continue
        for name in _imported(ast.parse(path.read_text(encoding="utf-8")), module):
            target = app_of(name)
            if target is not None and target != source:
                graph[source].setdefault(target, []).append(module)
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(app: str) -> list[str] | None:
        state[app] = 1
        path.append(app)
        for nxt in sorted(graph.get(app, {})):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[app] = 2
        return None

    for app in sorted(graph):
        if app not in state and (found := visit(app)):
            return found
    return None


def test_core_the_ground_floor_imports_no_business_app():
    assert import_graph()[GROUND] == {}


def test_the_app_import_graph_has_no_cycle():
    graph = import_graph()
    cycle = find_cycle(graph)
    where = [f"{a} → {b}: {sorted(set(graph[a][b]))[:3]}" for a, b in itertools.pairwise(cycle)] if cycle else []
    assert cycle is None, "import cycle " + " → ".join(cycle or []) + "\n" + "\n".join(where)


def test_the_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": []}, "b": {}}) is None


def test_every_module_stays_under_400_lines():
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in _modules(tests=True)
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


# The rows an area owns: every other area reads them through the owner's selectors and writes them
# through its services, never by importing the model (STYLE 14).
OWNED_MODELS: dict[str, set[str]] = {
    "indicators": {"DataValue", "DataValueHistory", "Target"},
    "supervision": {"Task", "TaskTransition", "SupervisionAction"},
    "reporting": {"Submission", "SubmissionEvent"},
}

# Temporary: these two modules are being changed on the scores branch, which replaces their reads of
# indicators' rows by indicators' selectors; the lead removes this entry at merge. Nothing else may join.
BEING_CHANGED_ELSEWHERE: dict[str, set[str]] = {
    "kaifang/assessment/inputs.py": {"indicators.DataValue", "indicators.Target"},
    "kaifang/dashboards/selectors.py": {"indicators.DataValue", "indicators.Target"},
}


def _owned_models_used(tree: ast.AST) -> Iterator[str]:
    """`app.Model` for every owned model `tree` imports at run time from another app's models
    (`from kaifang.x.models import M`), or reaches through an imported models module (`models.M`)."""
    models_modules: dict[str, str] = {}  # local name → owning app, for `from kaifang.x import models [as y]`
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)  # an annotation naming the row a selector returns reads nothing
            continue
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            app = app_of(node.module)
            if app in OWNED_MODELS and node.module == f"kaifang.{app}.models":
                yield from (f"{app}.{a.name}" for a in node.names if a.name in OWNED_MODELS[app])
            elif app in OWNED_MODELS and node.module == f"kaifang.{app}":
                models_modules.update({a.asname or a.name: app for a in node.names if a.name == "models"})
        elif isinstance(node, ast.Import):
            for a in node.names:
                app = app_of(a.name)
                if app in OWNED_MODELS and a.name == f"kaifang.{app}.models":
                    models_modules[a.asname or a.name] = app
        stack.extend(ast.iter_child_nodes(node))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = models_modules.get(ast.unparse(node.value))
            if owner is not None and node.attr in OWNED_MODELS[owner]:
                yield f"{owner}.{node.attr}"


def owned_models_used_elsewhere() -> dict[str, set[str]]:
    """module path → the other areas' owned models it uses (tests and migrations left out)."""
    found: dict[str, set[str]] = {}
    for path in _modules(tests=False):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        own = app_of(module)
        used = set(_owned_models_used(ast.parse(path.read_text(encoding="utf-8"))))
        used = {m for m in used if m.split(".")[0] != own}
        if used:
            found[str(path.relative_to(ROOT))] = used
    return found


def test_no_area_imports_another_areas_owned_models():
    found = owned_models_used_elsewhere()
    left = {path: used - BEING_CHANGED_ELSEWHERE.get(path, set()) for path, used in found.items()}
    assert {path: sorted(used) for path, used in left.items() if used} == {}


def test_the_owned_model_finder_sees_the_three_ways_of_reaching_a_model():
    source = (
        "from kaifang.indicators.models import DataValue, Indicator\n"
        "from kaifang.supervision import models as sm\n"
        "import kaifang.reporting.models\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from kaifang.indicators.models import Target\n"
        "def f():\n"
        "    sm.Task.objects.all(); sm.TaskState; kaifang.reporting.models.Submission.objects.all()\n"
    )
    used = set(_owned_models_used(ast.parse(source)))
    assert used == {"indicators.DataValue", "supervision.Task", "reporting.Submission"}
