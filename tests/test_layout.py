"""The layout of snippets/ (issue 12): no import cycle, small reference modules, and every
question page paired with its page module, each naming the other.

Each check is a function of a project root, run on the real tree and on small synthetic trees
(so a check that cannot fail would show)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from scripts import pipeline, questions

ROOT = Path(__file__).resolve().parent.parent
MAX_REFERENCE_LINES = 300
OUTPUTS = ("figures", "values", "claims", "data")


def modules(root: Path) -> dict[str, ast.Module]:
    return {
        p.stem: ast.parse(p.read_text(encoding="utf-8"), filename=str(p))
        for p in sorted((root / "snippets").glob("*.py"))
        if p.stem != "__init__"
    }


def import_cycles(root: Path) -> list[list[str]]:
    """Cycles among snippets/ modules, function-local imports included (one per cycle)."""
    trees = modules(root)
    graph = {n: sorted(pipeline._imports(t, n) & trees.keys() - {n}) for n, t in trees.items()}
    cycles, state = [], {}  # state: 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in graph[node]:
            if state.get(dep) == 1:
                cycles.append(path[path.index(dep) :] + [dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [name])
    return cycles


def is_page_module(tree: ast.Module) -> bool:
    return pipeline._defines(tree, *OUTPUTS)


def long_reference_modules(root: Path) -> list[str]:
    out = []
    for name, tree in modules(root).items():
        lines = len((root / "snippets" / f"{name}.py").read_text(encoding="utf-8").splitlines())
        if not is_page_module(tree) and lines > MAX_REFERENCE_LINES:
            out.append(f"snippets/{name}.py: {lines} lines")
    return out


def question_pages(root: Path) -> list[str]:
    docs = root / "docs"
    return sorted(
        p.relative_to(docs).as_posix()
        for p in docs.rglob("*.md")
        if questions.QUESTION_PATH.match(p.relative_to(docs).as_posix())
    )


def pairing_problems(root: Path) -> list[str]:
    """Each question page has its page module and names it; each page module's first docstring
    line names its page; each module with outputs is the page module of a page."""
    problems = []
    pages = {questions.page_module(p): p for p in question_pages(root)}
    trees = modules(root)
    for module, page in pages.items():
        path = f"snippets/{module}.py"
        if module not in trees:
            problems.append(f"docs/{page}: no page module {path}")
            continue
        if path not in (root / "docs" / page).read_text(encoding="utf-8"):
            problems.append(f"docs/{page}: does not name its page module {path}")
        doc = ast.get_docstring(trees[module]) or ""
        first = doc.splitlines()[0] if doc else ""
        if f"docs/{page}" not in first:
            problems.append(f"{path}: the first docstring line does not name docs/{page}")
    for name, tree in trees.items():
        if is_page_module(tree) and name not in pages:
            problems.append(f"snippets/{name}.py: has outputs but is no question page's module")
    return problems


# --- the real tree ---------------------------------------------------------------------------


def test_no_import_cycle_in_snippets():
    assert import_cycles(ROOT) == []


def test_no_reference_module_over_300_lines():
    assert long_reference_modules(ROOT) == []


def test_every_question_page_and_its_page_module_name_each_other():
    assert question_pages(ROOT), "no question page found"
    assert pairing_problems(ROOT) == []


# --- the checks on synthetic trees -----------------------------------------------------------


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / "snippets" / "__init__.py").write_text("")
    return tmp_path


PAGE = "# XX0001 · Demo\n\nIts numbers come from `snippets/xx0001_demo.py`.\n"
MODULE = (
    '"""XX0001 · Demo: the page module of docs/t/xx0001-demo.md."""\n\n\n'
    "def values():\n    return {}\n"
)


def test_cycles_are_found_through_function_local_and_relative_imports(tmp_path):
    root = tree(
        tmp_path,
        {
            "snippets/a.py": "from snippets import b\n",
            "snippets/b.py": "def f():\n    from . import c\n",
            "snippets/c.py": "def g():\n    import snippets.a\n",
            "snippets/d.py": "from snippets import a\n",  # uses the cycle, is not in it
        },
    )
    cycles = import_cycles(root)
    assert len(cycles) == 1 and set(cycles[0]) == {"a", "b", "c"}
    (root / "snippets" / "c.py").write_text("def g():\n    pass\n")
    assert import_cycles(root) == []


def test_long_reference_modules_are_found_and_page_modules_exempt(tmp_path):
    body = "x = 1\n" * (MAX_REFERENCE_LINES + 1)
    root = tree(
        tmp_path,
        {"snippets/ref.py": body, "snippets/page.py": body + "def values():\n    return {}\n"},
    )
    assert long_reference_modules(root) == [f"snippets/ref.py: {MAX_REFERENCE_LINES + 1} lines"]
    (root / "snippets" / "ref.py").write_text("x = 1\n" * MAX_REFERENCE_LINES)
    assert long_reference_modules(root) == []


def test_pairing_problems_are_found(tmp_path):
    root = tree(tmp_path, {"docs/t/xx0001-demo.md": PAGE, "snippets/xx0001_demo.py": MODULE})
    assert pairing_problems(root) == []
    (root / "docs" / "t" / "xx0001-demo.md").write_text(PAGE.replace("snippets/", "code/"))
    (root / "snippets" / "xx0001_demo.py").write_text(MODULE.replace("docs/t/", "docs/u/"))
    (root / "snippets" / "orphan.py").write_text("def figures():\n    return {}\n")
    found = pairing_problems(root)
    assert [re.sub(r":.*", "", p) for p in found] == [
        "docs/t/xx0001-demo.md",
        "snippets/xx0001_demo.py",
        "snippets/orphan.py",
    ], found
    (root / "snippets" / "xx0001_demo.py").unlink()
    assert "docs/t/xx0001-demo.md: no page module snippets/xx0001_demo.py" in pairing_problems(root)
