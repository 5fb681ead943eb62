"""The repository's layering: rnnlib is the model alone, without import circles.

Every import is read from the source (including the ones inside functions), so
a lazy import cannot hide a circle or a dependency on the book's machinery.
"""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rnnlib", "bookkit", "experiments")


def _imports(path):
    """The modules ``path`` imports, as dotted names (relative ones resolved)."""
    package = path.parent.name
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.add(f"{package}.{node.module}" if node.module else package)
            else:
                found.add(node.module)
    return found


def _graph():
    graph = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            graph[name] = {m for m in _imports(path) if m.split(".")[0] in PACKAGES}
    return graph


def test_rnnlib_never_imports_the_book_machinery_or_experiments():
    for name, deps in _graph().items():
        if name.split(".")[0] == "rnnlib":
            bad = {d for d in deps if d.split(".")[0] != "rnnlib"}
            assert not bad, f"{name} imports {sorted(bad)}: rnnlib must stay the model only"


def test_no_import_circles():
    graph = _graph()
    # a package's __init__ re-exports its modules; the circles that matter are between modules
    edges = {n: {d for d in deps if d in graph and d != n.split(".")[0]}
             for n, deps in graph.items() if "." in n}
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == "open":
                cycle = stack[stack.index(dep):] + [dep]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep, stack + [dep])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert len(state) == len(edges) > 10


def test_import_rnnlib_is_numpy_only():
    code = ("import sys, rnnlib; heavy = [m for m in ('tensorflow', 'keras', 'tf_keras', "
            "'matplotlib', 'ipywidgets', 'bookkit', 'experiments') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


def test_reading_guide_line_counts_are_true_and_within_budget():
    """rnnlib's docstring gives each model file's line count and the total (``wc -l``).

    The reading guide promises the model can be read in an afternoon; the counts
    make that a plan, so they must be the files' real counts, every file must be
    listed, and the whole package stays within its 1,600-line budget.
    """
    import re

    import rnnlib

    files = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "rnnlib").glob("*.py")}
    stated = {name: int(n) for name, n in re.findall(r"``(\w+\.py)``\s+\((\d+)", rnnlib.__doc__)}
    assert stated == files, "rnnlib/__init__.py's reading guide has stale line counts"
    total = re.search(r"([\d,]+) lines in all", rnnlib.__doc__)
    assert total and int(total.group(1).replace(",", "")) == sum(files.values())
    assert sum(files.values()) <= 1600, f"rnnlib has {sum(files.values())} lines, budget 1600"
