"""Page modules run as notebooks: the cell executor on a probe module, and one real page
module's notebook run again in a real Jupyter kernel, which must show what the site shows."""

from __future__ import annotations

import base64
import json
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from scripts import notebooks, questions
from snippets import memo

ROOT = Path(__file__).resolve().parent.parent

PROBE = '''"""XX0001 · Probe: the page module of docs/x/xx0001-probe.md.

What the probe shows.
"""

# %% [markdown]
# ## The setup
# A formula, $x^2$.

# %%
from __future__ import annotations

import functools

from IPython.display import display

print("one")
print("two", end="")
display({"k": 1})
print("three")

# %%
@functools.cache
def double(n: int) -> int:
    return 2 * n


double(21)

# %%
double(1);  # a trailing semicolon hides the value, as in Jupyter

# %%
x = double(2)  # no expression at the end: no result


def values():
    return {"x": x}
'''


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package `pk` in a tmp folder; returns a function writing `pk/<name>.py`."""
    (tmp_path / "pk").mkdir()
    (tmp_path / "pk" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(name: str, text: str) -> Path:
        path = tmp_path / "pk" / f"{name}.py"
        path.write_text(text)
        return path

    yield write
    for mod in [m for m in sys.modules if m == "pk" or m.startswith("pk.")]:
        del sys.modules[mod]


def test_cells_record_stdout_display_and_last_expression_in_order(package):
    module, nb = notebooks.run("probe", package("probe", PROBE), "pk")
    kinds = [c.cell_type for c in nb.cells]
    assert kinds == ["markdown", "markdown", "code", "code", "code", "code"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == [1, 2, 3, 4]
    first = [(o.output_type, o.get("text"), o.get("data")) for o in code[0].outputs]
    assert first == [
        ("stream", "one\ntwo", None),  # pieces of the stream joined, as a notebook shows them
        ("display_data", None, {"text/plain": "{'k': 1}"}),
        ("stream", "three\n", None),
    ]
    assert [dict(o) for o in code[1].outputs] == [
        {
            "output_type": "execute_result",
            "execution_count": 2,
            "data": {"text/plain": "42"},
            "metadata": {},
        }
    ]
    assert code[2].outputs == [] and code[3].outputs == []
    nbformat.validate(nb)
    assert [c["id"] for c in nb.cells] == [f"cell-{i}" for i in range(6)]


def test_the_executed_module_is_the_imported_one(package):
    path = package("probe", PROBE)
    module, _ = notebooks.run("probe", path, "pk")
    import pk.probe  # noqa: F401 - the executed module, not a second run

    assert sys.modules["pk.probe"] is module and module.values() == {"x": 4}
    assert module.__file__ == str(path) and module.__doc__.startswith("XX0001 · Probe")
    code = module.values.__code__  # compiled with the module's file and lines: tracebacks,
    assert code.co_filename == str(path)  # inspect and coverage see the page module
    assert code.co_firstlineno == PROBE.splitlines().index("def values():") + 1
    assert module.double.cache_info().hits >= 0  # functools.cache works on the module's function
    from IPython import get_ipython

    assert get_ipython() is None  # after the run, show() does nothing again on a plain import


def test_docstring_and_markdown_cells_become_markdown(package):
    _, nb = notebooks.run("probe", package("probe", PROBE), "pk")
    head, setup = nb.cells[0].source, nb.cells[1].source
    assert head.startswith("# XX0001 · Probe\n\nThe page module of docs/x/xx0001-probe.md.")
    assert "What the probe shows." in head and notebooks.RUN_NOTE in head
    assert setup == "## The setup\nA formula, $x^2$."


def test_a_module_without_cells_is_its_docstring_and_one_code_cell(package):
    text = (
        '"""Old style: no cells."""\n\nimport math\n\n\ndef values():\n    return {"pi": math.pi}\n'
    )
    module, nb = notebooks.run("old", package("old", text), "pk")
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"]
    assert nb.cells[1].source.startswith("import math") and module.values()["pi"] > 3


def test_a_failing_cell_names_the_module_the_cell_and_its_line(package):
    text = PROBE.replace("x = double(2)  #", "y = 1 / 0\nx = double(2)  #")
    path = package("probe", text)
    with pytest.raises(notebooks.CellError) as info:
        notebooks.run("probe", path, "pk")
    message = str(info.value)
    line = text.splitlines().index("y = 1 / 0") + 1
    assert "page module probe: code cell 4 (cell 6, line" in message
    assert "ZeroDivisionError" in message and f'{path}", line {line}' in message
    assert message.count("File ") == 1  # the cell's frame: none of the executor's
    assert "pk.probe" not in sys.modules  # as after a failed import


def test_a_syntax_error_fails_with_the_module_and_cell(package):
    with pytest.raises(
        notebooks.CellError, match=r"(?s)page module bad: code cell 1 .*line 5.*SyntaxError"
    ):
        notebooks.run("bad", package("bad", '"""Bad."""\n\n# %%\nx = 1\ny = (\n'), "pk")


def test_include_marks_are_left_out_of_the_notebook_but_not_the_run(package):
    text = (
        '"""XX0002 · Marked: the page module of docs/x/xx0002-marked.md."""\n\n# %%\n'
        "def twice(n):\n    # --8<-- [start:twice]\n    return 2 * n\n    # --8<-- [end:twice]\n"
        "\n\nx = twice(2)\n"
    )
    module, nb = notebooks.run("marked", package("marked", text), "pk")
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "--8<--" not in sources and "    return 2 * n\n" in sources
    assert module.x == 4 and module.twice.__code__.co_firstlineno == 4  # the file's own lines


def test_cell_lines_are_found_in_the_file():
    doc, cells = notebooks.split_cells(PROBE)
    assert doc.startswith("XX0001")
    lines = PROBE.splitlines()
    for cell in cells:
        if cell.kind == "code":
            assert lines[cell.line - 1] == cell.source.splitlines()[0]


def test_page_note_links_the_module_source_and_its_notebook():
    note = notebooks.page_note("dl0009_pooling", 1)
    assert "[`snippets/dl0009_pooling.py`](../generated/dl0009_pooling/dl0009_pooling.py)" in note
    assert "(../generated/dl0009_pooling/dl0009_pooling.ipynb)" in note


# --- the same notebook in a real kernel ------------------------------------------------------


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Run `nb` in a python3 kernel started in `cwd`, as a reader does."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    sockets = Path(tempfile.mkdtemp(prefix="kernel-"))
    # local sockets in a private folder: no TCP port, no files in the project
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "ipc"))
    client = NotebookClient(
        nb, km=km, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    try:
        client.execute()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
    return nb


def shown(nb: nbformat.NotebookNode) -> list[list[tuple]]:
    """Per code cell: its outputs as a reader sees them, stdout pieces joined, stderr left out
    (warnings carry the machine's paths), images decoded."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        out: list[tuple] = []
        for o in cell.outputs:
            if o.output_type == "stream":
                if o.name == "stdout":
                    if out and out[-1][0] == "stdout":
                        out[-1] = ("stdout", out[-1][1] + o.text)
                    else:
                        out.append(("stdout", o.text))
            elif o.output_type == "error":
                out.append(("error", o.ename, o.evalue))
            else:
                data = {
                    k: base64.b64decode(v) if k.startswith("image/") else v
                    for k, v in o.data.items()
                }
                out.append((o.output_type, o.get("execution_count"), json.dumps(sorted(data))))
                out.append(("data", tuple(sorted(data.items()))))
        cells.append(out)
    return cells


def test_a_notebook_run_in_a_real_kernel_shows_what_the_site_shows(outputs, monkeypatch):
    name = questions.page_module("cnn/dl0009-pooling.md")  # quick to run
    written = (outputs / name / f"{name}.ipynb").read_text()  # what the build put in the site
    site = nbformat.reads(written, as_version=4)
    blank = nbformat.reads(written, as_version=4)
    for cell in blank.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    monkeypatch.delenv(memo.ENV, raising=False)  # the kernel computes everything afresh
    kernel = execute(blank, ROOT)
    assert [c.source for c in kernel.cells] == [c.source for c in site.cells]
    assert [c.get("execution_count") for c in kernel.cells] == [
        c.get("execution_count") for c in site.cells
    ]
    assert shown(kernel) == shown(site)
    assert any(out for out in shown(site)), "the notebook shows nothing: nothing was compared"
