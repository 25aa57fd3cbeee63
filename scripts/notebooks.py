"""Companion notebooks: one per question, generated, executed at build time, cached by content.

A question's notebook reproduces the page's numbers and figures by importing the snippets the
page uses (found from its value and figure markers), so it never copies code. The build writes
the executed notebook to `docs/generated/notebooks/<page stem>.ipynb`; mkdocs-jupyter renders it
(without executing again) and offers the .ipynb for download. Execution is cached like the
figures: the key covers the notebook's cells, the cache keys of the snippets it imports (which
cover their own imports) and the environment, so an unchanged build starts no kernel.

mkdocs-jupyter's page carries about 600 KB of inline CSS and a MathJax script from a CDN;
`slim_page` removes both (the site's own stylesheet styles the cells, Temml renders the math).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from scripts import pipeline

OUT = "notebooks"  # under docs/generated/
MARKER_SNIPPET = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\.|\(figure:([a-z][a-z0-9_]*)/")
TIMEOUT = 600  # seconds per cell


def snippets_of(markdown: str) -> list[str]:
    """Snippets a page quotes or draws from, in order of first use."""
    seen: dict[str, None] = {}
    for m in MARKER_SNIPPET.finditer(markdown):
        seen[m.group(1) or m.group(2)] = None
    return list(seen)


def build_notebook(
    qid: str, title: str, page_link: str, snippets: list[str]
) -> nbformat.NotebookNode:
    """The (unexecuted) companion notebook of one question."""
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
            "root = pathlib.Path.cwd()\n"
            "if not (root / 'snippets').is_dir():  # started from elsewhere in the project\n"
            "    root = next(p for p in root.parents if (p / 'snippets').is_dir())\n"
            "sys.path.insert(0, str(root))\n\n"
            "import io\n\n"
            "from IPython.display import Image, display\n"
            "from PIL import Image as PILImage\n"
            "from snippets.plotting import LIGHT, themed\n\n\n"
            "def show(draw):\n"
            "    # a figure of the page, light theme on white, as a compact 64-colour bitmap\n"
            "    with themed(LIGHT):\n"
            "        buf = io.BytesIO()\n"
            "        draw(LIGHT).savefig(buf, format='png', dpi=90, facecolor='white')\n"
            "    small = io.BytesIO()\n"
            "    PILImage.open(buf).convert('RGB').quantize(64).save(small, 'png', optimize=True)\n"
            "    display(Image(small.getvalue()))"
        ),
    ]
    for name in snippets:
        cells += [
            md(
                f"## What snippets/{name}.py computes\n\nThe numbers the page quotes, as the "
                "snippet computes them (formulas typeset on the page are left out here):"
            ),
            code(
                f"from snippets import {name}\n\n"
                f"for key, value in {name}.values().items():\n"
                "    if '\\\\' not in str(value):\n"
                "        print(f'{key:28} {value}')"
            ),
        ]
        draw_all = f"for fig_name, draw in {name}.figures().items():\n"
        cells.append(code(draw_all + "    print(fig_name)\n    show(draw)"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for i, cell in enumerate(nb.cells):  # stable ids: the same notebook gives the same bytes
        cell["id"] = f"cell-{i}"
    return nb


def _key(nb: nbformat.NotebookNode, snippet_keys: list[str]) -> str:
    h = hashlib.sha256(nbformat.writes(nb).encode())
    for k in snippet_keys:
        h.update(k.encode())
    h.update(pipeline.environment_fingerprint())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def _execute(nb: nbformat.NotebookNode, root: Path) -> nbformat.NotebookNode:
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
        record_timing=False,  # no timestamps: two builds give the same notebook
    )
    try:
        client.execute()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
    return _without_stderr(nb)


def _without_stderr(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Move what cells printed to stderr (warnings, first-run cache notices of the machine)
    out of the stored notebook and into the build log: the notebook must not depend on them."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                pipeline.log.info("notebook cell wrote to stderr: %s", out.get("text", "")[:500])
            else:
                kept.append(out)
        cell["outputs"] = kept
    return nb


def build(root: Path, out_dir: Path, cache_dir: Path, pages: list[dict], say=print) -> None:
    """Write the executed notebook of every page in `pages` (dicts with qid, title, stem,
    link, snippets), re-executing only those whose key changed."""
    keys = {s.name: s.key for s in pipeline.discover(root)}
    target = out_dir / OUT
    target.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    todo = []
    wanted = set()
    for p in pages:
        unknown = [s for s in p["snippets"] if s not in keys]
        if unknown:
            raise pipeline.SnippetError(f"notebook {p['stem']}: unknown snippets {unknown}")
        nb = build_notebook(p["qid"], p["title"], p["link"], p["snippets"])
        key = _key(nb, [keys[s] for s in p["snippets"]])
        path = target / f"{p['stem']}.ipynb"
        wanted.add(path.name)
        manifest = cache_dir / f"notebook-{p['stem']}.json"
        try:
            m = json.loads(manifest.read_text())
            fresh = m["key"] == key and hashlib.sha256(path.read_bytes()).hexdigest() == m["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            fresh = False
        if fresh:
            say(f"notebook {p['stem']}: cached")
        else:
            todo.append((p, nb, key, path, manifest))
    for old in target.glob("*.ipynb"):
        if old.name not in wanted:
            old.unlink()

    def run(item):
        p, nb, key, path, manifest = item
        manifest.unlink(missing_ok=True)
        start = time.perf_counter()
        try:
            nb = _execute(nb, root)
        except Exception as exc:  # noqa: BLE001 - report which notebook, then fail the build
            path.unlink(missing_ok=True)
            raise pipeline.SnippetError(f"notebook {p['stem']} failed:\n{exc}") from exc
        data = nbformat.writes(nb).encode()
        pipeline._atomic_write(path, data)
        pipeline._atomic_write(
            manifest, json.dumps({"key": key, "sha256": hashlib.sha256(data).hexdigest()}).encode()
        )
        return p["stem"], time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=2) as pool:  # one kernel process per worker
        for stem, seconds in pool.map(run, todo):
            say(f"notebook {stem}: {seconds:.2f} s")


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
