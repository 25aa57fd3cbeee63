"""Companion notebooks: one per question, generated from the snippets its page uses.

A question's notebook reproduces the page's numbers and figures by importing the snippets the
page uses (found from its value and figure markers), so it never copies code. Its cells call
`snippets.companion` to list a snippet's values and show its figures. The build does not start
a kernel to fill in the outputs: when the pipeline runs a snippet it calls the same two
functions on the same results (`notebook.json` beside the snippet's figures), and this module
writes the notebook with those outputs, as a kernel would have recorded them. The cold build then
computes every experiment once, not twice. `execute` runs a notebook in a real kernel: a test
runs every notebook that way and requires the same bytes.

mkdocs-jupyter renders the notebook (without executing it) and offers the .ipynb for download.
Its page carries about 600 KB of inline CSS and a MathJax script from a CDN; `slim_page` removes
both (the site's own stylesheet styles the cells, Temml renders the math).
"""

from __future__ import annotations

import copy
import platform
import re
import shutil
import tempfile
from pathlib import Path

import nbformat

from scripts import pipeline

OUT = "notebooks"  # under docs/generated/
MARKER_SNIPPET = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\.|\(figure:([a-z][a-z0-9_]*)/")
TIMEOUT = 600  # seconds per cell, in `execute`
IMAGE_TEXT = "<IPython.core.display.Image object>"  # how IPython describes a displayed Image


def snippets_of(markdown: str) -> list[str]:
    """Snippets a page quotes or draws from, in order of first use."""
    seen: dict[str, None] = {}
    for m in MARKER_SNIPPET.finditer(markdown):
        seen[m.group(1) or m.group(2)] = None
    return list(seen)


def build_notebook(
    qid: str, title: str, page_link: str, snippets: list[str]
) -> nbformat.NotebookNode:
    """The companion notebook of one question, without outputs."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    names = ", ".join(f"`snippets/{s}.py`" for s in snippets)
    cells = [
        md(
            f"# Companion notebook: {qid} · {title}\n\n"
            f"This notebook reproduces the numbers and figures of the "
            f"[{qid} page]({page_link}) by importing the same tested code ({names}); "
            "nothing is copied. Run it from the project's root folder, in the environment "
            "`make setup` creates, to change a parameter and see what happens."
        ),
        code(
            "import sys, pathlib\n"
            "# the project's root folder: here, or above if started in a subfolder\n"
            "root = pathlib.Path.cwd()\n"
            "if not (root / 'snippets').is_dir():\n"
            "    root = next(p for p in root.parents if (p / 'snippets').is_dir())\n"
            "sys.path.insert(0, str(root))\n\n"
            "from IPython.display import Image, display\n\n"
            "# values as a listing; figures as small PNGs in the light theme\n"
            "from snippets.companion import figure_png, values_listing"
        ),
    ]
    for name in snippets:
        cells += [
            md(
                f"## What snippets/{name}.py computes\n\nThe numbers the page quotes, as the "
                "snippet computes them (formulas typeset on the page are left out here):"
            ),
            code(f"from snippets import {name}\n\nprint(values_listing({name}.values()))"),
            code(
                f"for fig_name, draw in {name}.figures().items():\n"
                "    print(fig_name)\n"
                "    display(Image(figure_png(draw)))"
            ),
        ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for i, cell in enumerate(nb.cells):  # stable ids: the same notebook gives the same bytes
        cell["id"] = f"cell-{i}"
    return nb


def language_info() -> dict:
    """What the python3 kernel reports about itself (nbclient stores it in the notebook)."""
    return {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": platform.python_version(),
    }


def with_outputs(
    nb: nbformat.NotebookNode, snippets: list[str], outputs: dict[str, dict]
) -> nbformat.NotebookNode:
    """A copy of `nb` (from `build_notebook(..., snippets)`) with the outputs its cells give,
    taken from the snippets' notebook outputs (name → {"values": text, "figures": [[figure
    name, base64 PNG], ...]}) and recorded the way nbclient records a run: numbered cells,
    stdout streams, displayed PNGs."""
    nb = copy.deepcopy(nb)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    if len(code_cells) != 1 + 2 * len(snippets):
        raise ValueError(f"nb: expected the notebook of {snippets}, got {len(code_cells)} cells")

    # plain nodes: nbformat.v4.new_output validates each one, a tenth of a warm build's check;
    # nbformat.writes validates the whole notebook once
    def stream(text: str):
        return nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": text})

    def image(png: str):
        data = {"image/png": png, "text/plain": IMAGE_TEXT}
        return nbformat.from_dict({"output_type": "display_data", "data": data, "metadata": {}})

    for i, cell in enumerate(code_cells):
        cell.execution_count = i + 1
        cell.outputs = []
    for k, name in enumerate(snippets):
        values_cell, figures_cell = code_cells[1 + 2 * k], code_cells[2 + 2 * k]
        out = outputs[name]
        values_cell.outputs = [stream(out["values"] + "\n")]
        for fig_name, png in out["figures"]:
            figures_cell.outputs += [stream(f"{fig_name}\n"), image(png)]
    nb.metadata["language_info"] = language_info()
    return nb


def execute(nb: nbformat.NotebookNode, root: Path) -> nbformat.NotebookNode:
    """Run `nb` in a python3 kernel started in `root` (what a reader does); returns it with
    the outputs the kernel recorded, stderr left out (warnings depend on the machine) and
    stdout pieces joined (see `coalesce_streams`)."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    sockets = Path(tempfile.mkdtemp(prefix="kernel-"))
    # local sockets in a private folder: no TCP port, no files in the project
    km = KernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "ipc"))
    client = NotebookClient(
        nb,
        km=km,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(root)}},
        record_timing=False,  # no timestamps: two runs give the same notebook
    )
    try:
        client.execute()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell["outputs"] = coalesce_streams(cell.get("outputs", []))
    return nb


def coalesce_streams(outputs: list) -> list:
    """Outputs with stderr left out and consecutive stdout pieces joined, as a notebook shows
    them. A kernel sends `print`'s text and its newline as one message or two, depending on
    when its output thread flushes; joined, two runs record the same thing."""
    merged: list = []
    for out in outputs:
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            continue
        last = merged[-1] if merged else None
        if (
            last is not None
            and out.get("output_type") == "stream"
            and last.get("output_type") == "stream"
            and last.get("name") == out.get("name")
        ):
            last["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def build(out_dir: Path, pages: list[dict], say=print) -> None:
    """Write the notebook of every page in `pages` (dicts with qid, title, stem, link,
    snippets) into `out_dir/notebooks/`, from the outputs the snippets' run left in `out_dir`;
    a file is rewritten only when its bytes change, and notebooks of removed pages go."""
    target = out_dir / OUT
    target.mkdir(parents=True, exist_ok=True)
    wanted = set()
    loaded: dict[str, dict] = {}
    for p in pages:
        for s in p["snippets"]:
            if s not in loaded:
                try:
                    loaded[s] = pipeline.load_notebook_outputs(out_dir, s)
                except (OSError, ValueError) as exc:
                    raise pipeline.SnippetError(
                        f"notebook {p['stem']}: no outputs of snippet {s!r} ({exc})"
                    ) from None
        nb = build_notebook(p["qid"], p["title"], p["link"], p["snippets"])
        data = nbformat.writes(with_outputs(nb, p["snippets"], loaded)).encode()
        path = target / f"{p['stem']}.ipynb"
        wanted.add(path.name)
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            pipeline._atomic_write(path, data)
            say(f"notebook {p['stem']}: written")
    for old in target.glob("*.ipynb"):
        if old.name not in wanted:
            old.unlink()


STRIP = re.compile(
    r"<style[^>]*>.*?</style>"
    r"|<script[^>]*>.*?</script>"
    r'|<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>'  # needs its JS
    r'|<div class="clipboard-copy-txt"[^>]*>.*?</div>'  # a second copy of every code cell
    r'|<a class="anchor-link"[^>]*>.*?</a>',  # Material adds its own permalinks
    re.S,
)


MARKDOWN_CELL = re.compile(
    r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.S
)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)")


def mark_math(html: str) -> str:
    """TeX in markdown cells (`$…$`, `$$…$$`) marked the way pymdownx.arithmatex marks it, so
    the site's build-time renderer typesets notebooks too (nbconvert leaves it for MathJax)."""

    def cell(m: re.Match) -> str:
        body = DISPLAY_MATH.sub(r'<div class="arithmatex">\\[\1\\]</div>', m.group(2))
        body = INLINE_MATH.sub(r'<span class="arithmatex">\\(\1\\)</span>', body)
        return m.group(1) + body + m.group(3)

    return MARKDOWN_CELL.sub(cell, html)


def slim_page(html: str, stem: str) -> str:
    """A notebook page without mkdocs-jupyter's inline CSS, scripts and copy widgets (the
    site's stylesheet takes over), opened by a link to download the .ipynb beside it."""
    download = (
        f'<p class="notebook-download"><a href="{stem}.ipynb" download>'
        f"Download {stem}.ipynb</a> to run it yourself.</p>"
    )
    html = STRIP.sub("", html).replace("<pre>", '<pre tabindex="0">')  # scrollable: focusable
    html = mark_math(html)
    end = html.find("</h1>")
    at = end + len("</h1>") if end >= 0 else 0
    return html[:at] + download + html[at:]


def page_note(src_uri: str) -> str:
    """Markdown appended to a question page: where its companion notebook is."""
    stem = Path(src_uri).stem
    depth = src_uri.count("/")
    link = "../" * depth + f"generated/{OUT}/{stem}.ipynb"
    return (
        "\n\n---\n\n"
        f":material-notebook-outline: **Companion notebook:** [{stem}.ipynb]({link}) reproduces "
        "this page's numbers and figures from the same snippets, with their outputs, and can "
        "be downloaded to run yourself.\n"
    )
