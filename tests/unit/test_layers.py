"""The layers, kept by a test: config and parsers, then matching, then ingest and outputs, then the
application (`app/`), then the front doors (`run.py` and the workspace's `web/`), which never
import each other. An import may only go down (or stay inside its own package), and no module
may take part in an import cycle. Imports inside functions count too; so do those under
`if TYPE_CHECKING:` (a type is a dependency as well).

The checker reads the sources with `ast` only; nothing is imported. It is shown failing on
synthetic trees for each cycle the code once had (issue 11).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Top-level package or module -> its layer; a higher layer may import a lower one.
LAYERS: dict[str, int] = {
    "config": 0, "parsers": 0,
    "matching": 1,
    "ingest": 2, "outputs": 2,
    "app": 3,
    "run": 4, "web": 4,
}
FRONT_DOORS = frozenset({"run", "web"})
NOT_SHIPPED = frozenset({"tests", "bench", "tools", "scripts", "docs", "demo", "build"})


def project_modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file that ships (tests, bench... left out)."""
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in NOT_SHIPPED or any(p.startswith(".") for p in rel.parts):
            continue
        if any(p.endswith(".egg-info") for p in rel.parts):
            continue
        name = ".".join(rel.with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _imported_names(tree: ast.AST, package: str) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([base] if base else [])])
            yield base
            yield from (f"{base}.{a.name}" for a in node.names)


def import_graph(root: Path) -> dict[str, set[str]]:
    """module -> the project modules it imports (anywhere in its body)."""
    modules = project_modules(root)

    def resolve(name: str) -> str | None:
        while name:
            if name in modules:
                return name
            name = name.rpartition(".")[0]
        return None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = {resolve(t) for t in _imported_names(tree, package)}
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def problems(root: Path) -> list[str]:
    """Every import cycle and every import against the layers under `root`, in words."""
    graph = import_graph(root)
    out = [f"import cycle: {' -> '.join(group)}" for group in cycles(graph)]
    for module, targets in sorted(graph.items()):
        top = module.split(".")[0]
        if top not in LAYERS:
            out.append(f"{module}: not in a layer (add {top!r} to LAYERS in {Path(__file__).name})")
            continue
        for target in sorted(targets):
            other = target.split(".")[0]
            if other == top or other not in LAYERS:
                continue
            if top in FRONT_DOORS and other in FRONT_DOORS:
                out.append(f"{module} imports {target}: the front doors never import each other")
            elif LAYERS[other] > LAYERS[top]:
                out.append(f"{module} imports {target}: against the layers ({top} is below "
                           f"{other})")
    return out


def test_the_project_keeps_its_layers_and_has_no_import_cycle() -> None:
    assert problems(ROOT) == []


def test_the_checker_sees_the_whole_project() -> None:
    graph = import_graph(ROOT)
    assert {"run", "app.runner", "app.decisions", "outputs.digest", "ingest.store"} <= set(graph)
    assert "app.runner" in graph["run"] or any(t.startswith("app.") for t in graph["run"])
    assert "ingest.store" in graph["app.runner"]


# -- the checker fails on the cycles the code once had -------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for parent in path.relative_to(root).parents:
            if parent != Path() and not (root / parent / "__init__.py").exists():
                (root / parent / "__init__.py").write_text("", encoding="utf-8")
    return root


GOOD = {
    "config/model.py": "import parsers.limits\n",
    "parsers/limits.py": "",
    "matching/placement.py": "from config.model import x\n",
    "ingest/store.py": "from matching import placement\n",
    "outputs/digest.py": "from ingest.store import Store\n",
    "app/runner.py": "from outputs import digest\n",
    "app/workers.py": "def f():\n    from app.runner import parse_one\n",
    "run.py": "def main():\n    from app.runner import run\n",
    "web/views.py": "from app import runner\n",
}


def test_a_clean_synthetic_tree_passes(tmp_path: Path) -> None:
    assert problems(_tree(tmp_path, GOOD)) == []


@pytest.mark.parametrize(("change", "expected"), [
    # run.py <-> commands.py: the command line's words imported back by the commands.
    ({"run.py": "import app.commands\n", "app/commands.py": "from run import say\n"},
     ["import cycle: app.commands -> run", "app.commands imports run: against the layers"]),
    # outputs/digest.py took exit codes and `say` from run.py, and Snapshot from the run,
    # which imports outputs.
    ({"outputs/digest.py": "from run import EXIT_OK, say\nfrom app.runner import Snapshot\n"},
     ["import cycle: app.runner -> outputs.digest",
      "outputs.digest imports app.runner: against the layers",
      "outputs.digest imports run: against the layers"]),
    # the run and its parse workers imported each other.
    ({"app/runner.py": "from outputs import digest\nfrom app.workers import ParsePool\n"},
     ["import cycle: app.runner -> app.workers"]),
    # the service called the command function of the digest (a front door's).
    ({"app/service.py": "def digest():\n    from run import cmd_digest\n"},
     ["app.service imports run: against the layers"]),
    # the two front doors are siblings.
    ({"web/views.py": "import run\n"}, ["web.views imports run: the front doors never import"]),
    ({"run.py": "def web():\n    from web.views import app\n"},
     ["run imports web.views: the front doors never import"]),
    # an import under TYPE_CHECKING is still an import against the layers.
    ({"ingest/store.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                         "    from app.runner import RunResult\n"},
     ["ingest.store imports app.runner: against the layers"]),
    # a relative import is resolved before it is judged.
    ({"matching/units.py": "from ..outputs import digest\n"},
     ["matching.units imports outputs.digest: against the layers"]),
    # a new top-level module must be given its layer.
    ({"pipeline.py": "import app.runner\n"}, ["pipeline: not in a layer"]),
])
def test_the_checker_fails_on_each_kind_of_bad_import(
        tmp_path: Path, change: dict[str, str], expected: list[str]) -> None:
    found = problems(_tree(tmp_path, {**GOOD, **change}))
    for words in expected:
        assert any(p.startswith(words) for p in found), (words, found)


def sql_outside_ingest(root: Path) -> list[str]:
    """Modules outside ingest/ that run SQL themselves (a call of .execute or .executemany)."""
    found = []
    for name, path in project_modules(root).items():
        if name.split(".")[0] == "ingest":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"execute", "executemany", "executescript"}):
                found.append(f"{name}:{node.lineno}")
    return found


def test_sql_is_written_only_in_ingest() -> None:
    assert sql_outside_ingest(ROOT) == []


def test_sql_outside_ingest_is_found(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "notify.py").write_text("def f(store):\n    store.db.execute('x')\n")
    assert sql_outside_ingest(tmp_path) == ["app.notify:2"]
