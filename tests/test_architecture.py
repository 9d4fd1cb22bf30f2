"""models/ is the pure domain: importing it must not load Qt or the ui package; the rooms
are layered (setup.cfg [importlinter]) and no module imports another in a cycle."""
import ast
import os
import shutil
import subprocess
import sys

import grimp

from tests.helpers.data import ROOT


def test_models_never_import_qt():
    code = ("import sys, pkgutil, importlib, models\n"
            "for m in pkgutil.iter_modules(models.__path__):\n"
            "    importlib.import_module('models.' + m.name)\n"
            "bad = [n for n in sys.modules if n.split('.')[0] in ('PySide6', 'pyqtgraph', 'ui', 'shiboken6')]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# -- the rooms as contracts (setup.cfg [importlinter]) ----------------------------
PACKAGES = ("models", "ui", "cli")
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(root):
    """lint-imports run in `root` (its own copy of the packages and setup.cfg), no cache left behind."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # only root's packages count
    return subprocess.run([sys.executable, "-c", LINT, "--no-cache", "--no-logo"], cwd=root, env=env,
                          capture_output=True, text=True)


def test_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout, result.stdout


def test_import_contracts_can_fail(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    records = tmp_path / "models" / "catalogue" / "records.py"
    records.write_text(records.read_text(encoding="utf-8") + "\nimport PySide6\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "models never imports Qt, plotting or a face BROKEN" in result.stdout, result.stdout
    assert "models.catalogue.records -> PySide6" in result.stdout, result.stdout


def _module_level_lines(module: str) -> set[int]:
    """Lines of the imports that run when `module` is imported (not those inside functions)."""
    path = ROOT.joinpath(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    lines = set()

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)) and not in_function:
                lines.add(child.lineno)
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return lines


def module_level_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    edges: dict[str, set[str]] = {m: set() for m in graph.modules}
    for importer in graph.modules:
        lines = _module_level_lines(importer)
        for imported in graph.find_modules_directly_imported_by(importer):
            details = graph.get_import_details(importer=importer, imported=imported)
            if any(d["line_number"] in lines for d in details):
                edges[importer].add(imported)
    return edges


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's components, iteratively (a deep import chain must not hit the recursion limit)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                out.append(component)
    return out


def test_strongly_connected_finds_a_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert sorted(map(sorted, strongly_connected(edges))) == [["a", "b", "c"], ["d"], ["e"]]


def test_no_module_imports_in_a_cycle():
    edges = module_level_graph()
    assert "ui.main_window" in edges and "ui.app" in edges
    assert "ui.app" not in edges["ui.main_window"]   # that cycle was broken; it stays broken
    cycles = [sorted(c) for c in strongly_connected(edges) if len(c) > 1]
    assert cycles == []
