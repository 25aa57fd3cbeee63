"""Page modules as notebooks: run a module cell by cell and record what each cell shows.

A page module is a jupytext "percent" script: a header docstring, `# %% [markdown]` cells and
`# %%` code cells (a module without cell markers is one code cell). `run` executes its code cells
in this process, in order, into a real module object registered as `snippets.<name>`, so the
module's functions, `functools.cache` and any later `import snippets.<name>` behave as after a
normal import. While it runs, an IPython shell is active and records, as a Jupyter kernel does:
what the cell prints (one stdout stream per run of prints), what it passes to `display()`
(display_data) and the value of its last expression (execute_result), with execution counts
1, 2, 3, ... Standard error goes to the build log, not the notebook: warnings carry paths of the
machine. `tests/test_notebooks.py` runs a notebook in a real kernel and compares the outputs.

Each cell is compiled with the module's file name and its own line numbers in that file, so a
failing cell's traceback points at the page module's lines (and `inspect` finds the source of
what the cells define). The header docstring becomes the notebook's first cell, in Markdown.

mkdocs-jupyter renders the written .ipynb without executing it and offers it for download. It
has no option to leave out its inline CSS (about 600 KB) or its MathJax script (from a CDN), so
`slim_page` removes both: the site's stylesheet styles the cells and Temml renders the math.
"""

from __future__ import annotations
import __future__

import ast
import base64
import importlib
import importlib.util
import inspect
import io
import re
import sys
import tokenize
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import jupytext
import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
# what the python3 kernel reports about itself, less its version (the notebook's bytes must not
# depend on the machine's Python patch release)
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
RUN_NOTE = (
    "*To run it yourself: download it, and open it from the project's root folder in the "
    "environment `make setup` creates.*"
)
CELL_MARKER = re.compile(r"^# %%", re.M)


class CellError(RuntimeError):
    """A code cell of a page module raised; the message names the module, the cell and its
    line, and carries the traceback."""


@dataclass(frozen=True)
class Cell:
    kind: str  # "code" or "markdown"
    source: str
    line: int  # line of the module file where the source starts (1-based); 0 if not found


@dataclass
class Outputs:
    """One cell's outputs, in nbformat's shape and in the order the cell produced them."""

    items: list[dict] = field(default_factory=list)

    def stream(self, name: str, text: str) -> None:
        last = self.items[-1] if self.items else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text  # a kernel's pieces of one print, joined as a notebook shows
        elif text:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def display(self, data: dict, metadata: dict | None) -> None:
        self.items.append(
            {"output_type": "display_data", "data": _json_data(data), "metadata": metadata or {}}
        )


def _json_data(data: dict) -> dict:
    """A mime bundle as a kernel sends it: binary data (a PNG) base64-encoded."""
    return {
        mime: base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v
        for mime, v in data.items()
    }


class _Stdout(io.TextIOBase):
    def __init__(self, outputs: Outputs):
        self.outputs = outputs

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.outputs.stream("stdout", text)
        return len(text)


# ---------------------------------------------------------------------------------------------
# cells


def docstring_markdown(doc: str) -> str:
    """The header docstring as the notebook's first cell: its first line's part before ': ' as
    the title, the rest as text."""
    first, _, rest = inspect.cleandoc(doc).partition("\n")
    title, sep, tail = first.partition(": ")
    parts = [f"# {title.strip()}"]
    if sep and tail.strip():
        parts.append(tail[:1].upper() + tail[1:])
    parts += [rest.strip(), RUN_NOTE]
    return "\n\n".join(p for p in parts if p)


def split_cells(text: str) -> tuple[str | None, list[Cell]]:
    """(the module's docstring, its cells) from a percent-format script; the docstring, when
    it opens the first code cell, becomes a Markdown cell of its own."""
    nb = jupytext.reads(text, fmt="py:percent")
    # where each cell's region starts: the file's start (content before the first marker),
    # then each marker; a code cell's source is searched from its region's start
    starts = [m.start() for m in CELL_MARKER.finditer(text)]
    if len(nb.cells) == len(starts) + 1:
        starts = [0, *starts]
    if len(starts) != len(nb.cells):
        starts = [0] * len(nb.cells)
    cells = []
    for c, start in zip(nb.cells, starts, strict=True):
        at = text.find(c.source, start) if c.cell_type == "code" and c.source else -1
        cells.append(Cell(c.cell_type, c.source, text.count("\n", 0, at) + 1 if at >= 0 else 0))
    docstring = None
    if cells and cells[0].kind == "code":
        first = cells[0]
        try:
            body = ast.parse(first.source).body
        except SyntaxError:
            body = []  # reported when the cell runs
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            docstring = body[0].value.value
            lines = first.source.splitlines()[body[0].end_lineno :]
            skip = next((i for i, ln in enumerate(lines) if ln.strip()), len(lines))
            rest = [Cell("markdown", docstring_markdown(docstring), first.line)]
            if skip < len(lines):
                line = first.line + body[0].end_lineno + skip if first.line else 0
                rest.append(Cell("code", "\n".join(lines[skip:]), line))
            cells[:1] = rest
    return docstring, cells


def _quiet(source: str) -> bool:
    """Whether the cell ends with `;`, which hides its last expression's value in Jupyter."""
    last = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in (
                tokenize.NEWLINE,
                tokenize.NL,
                tokenize.COMMENT,
                tokenize.ENDMARKER,
                tokenize.INDENT,
                tokenize.DEDENT,
            ):
                last = tok
    except (tokenize.TokenError, SyntaxError):
        return False
    return last is not None and last.string == ";"


# ---------------------------------------------------------------------------------------------
# running


def _run_cell(cell: Cell, module: ModuleType, path: Path, flags: int) -> tuple[int, object]:
    """Execute one code cell in `module`; returns the compiler flags for the next cells (a
    `from __future__` import holds for the rest of the module) and the last expression's value
    (None when the cell does not end with an expression, or ends with `;`)."""
    # blank lines before the source: line numbers (a SyntaxError's too) are the file's
    tree = ast.parse("\n" * max(cell.line - 1, 0) + cell.source, filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                flags |= getattr(__future__, alias.name).compiler_flag
    body = tree.body
    last = body[-1] if body and isinstance(body[-1], ast.Expr) else None
    if last is not None:
        body = body[:-1]
    code = compile(ast.Module(body, []), str(path), "exec", flags=flags, dont_inherit=True)
    exec(code, vars(module))
    if last is None:
        return flags, None
    expr = compile(ast.Expression(last.value), str(path), "eval", flags=flags, dont_inherit=True)
    value = eval(expr, vars(module))
    return flags, None if _quiet(cell.source) else value


def _traceback(exc: BaseException, path: Path) -> str:
    """The traceback from the page module's first frame on (the executor's frames say nothing
    about the cell); just the error when it has no frame there (a syntax error)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != str(path):
        tb = tb.tb_next
    if tb is None:
        return "".join(traceback.format_exception_only(exc))
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _new_module(name: str, path: Path, package: str) -> ModuleType:
    """An empty module `package.name` for `path`, registered as an import would register it."""
    importlib.import_module(package)
    fullname = f"{package}.{name}"
    spec = importlib.util.spec_from_file_location(fullname, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[fullname] = module
    setattr(sys.modules[package], name, module)
    return module


def run(name: str, path: Path, package: str = "snippets"):
    """Execute the page module `package.name` (the file `path`) cell by cell; returns the
    module and its notebook with the outputs. A cell that raises raises CellError."""
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    docstring, cells = split_cells(text)
    module = _new_module(name, path, package)
    module.__doc__ = docstring

    outputs = Outputs()

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, *args, **kwargs):
            outputs.display(data, metadata)

    existing = InteractiveShell.initialized()
    config = Config()
    config.HistoryManager.enabled = False  # no history database in the user's home
    shell = InteractiveShell.instance(config=config)
    saved_publisher, shell.display_pub = shell.display_pub, Publisher()
    saved_stdout = sys.stdout
    nb_cells = []
    flags, count = 0, 0
    try:
        for index, cell in enumerate(cells, 1):
            if cell.kind != "code":
                nb_cells.append(nbformat.v4.new_markdown_cell(cell.source))
                continue
            count += 1
            outputs.items = []
            sys.stdout = _Stdout(outputs)
            try:
                flags, value = _run_cell(cell, module, path, flags)
                if value is not None:
                    data, metadata = shell.display_formatter.format(value)
                    outputs.items.append(
                        {
                            "output_type": "execute_result",
                            "execution_count": count,
                            "data": _json_data(data),
                            "metadata": metadata or {},
                        }
                    )
            except Exception as exc:
                sys.stdout = saved_stdout
                where = f"line {cell.line} of {path.name}" if cell.line else path.name
                tb = _traceback(exc, path)
                raise CellError(
                    f"page module {name}: code cell {count} (cell {index}, {where}) raised:\n{tb}"
                ) from None
            finally:
                sys.stdout = saved_stdout
            nb_cells.append(
                nbformat.v4.new_code_cell(
                    INCLUDE_MARK.sub("", cell.source),  # the pages' include marks: not for readers
                    execution_count=count,
                    outputs=[nbformat.from_dict(o) for o in outputs.items],
                )
            )
    except BaseException:
        sys.modules.pop(module.__name__, None)  # as after a failed import
        raise
    finally:
        shell.display_pub = saved_publisher
        if not existing:  # a plain import afterwards (in a test) shows nothing again
            InteractiveShell.clear_instance()
    return module, notebook(nb_cells)


INCLUDE_MARK = re.compile(r"^[ \t]*# --8<-- \[(?:start|end):[\w-]+\][ \t]*(?:\n|$)", re.M)


def notebook(cells: list) -> nbformat.NotebookNode:
    """A notebook of `cells` with stable cell ids and no metadata that varies between runs."""
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


# ---------------------------------------------------------------------------------------------
# the site: the page's link to its module, the rendered notebook page


def page_note(module: str, depth: int) -> str:
    """Markdown appended to a question page at `depth` folders below docs/: links to its page
    module's source and to its notebook."""
    up = "../" * depth
    return (
        "\n\n---\n\n"
        f":material-notebook-outline: **Code and notebook:** the numbers, figures and claims "
        f"of this page come from its page module [`snippets/{module}.py`]"
        f"({up}generated/{module}/{module}.py). It is also a notebook: "
        f"[read it with its outputs]({up}generated/{module}/{module}.ipynb), or download it and "
        "change a parameter and re-run.\n"
    )


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


def slim_page(html: str, stem: str) -> tuple[str, dict[str, bytes]]:
    """A notebook page without mkdocs-jupyter's inline CSS, scripts and copy widgets (the
    site's stylesheet takes over), opened by links to download the .ipynb and the .py, and
    light: its figures become PNG files beside the page (lazily loaded, with their size and an
    alt text naming the function that draws them), and highlighting keeps only the token
    classes that colour something. Returns the HTML and the image files (name → bytes)."""
    download = (
        f'<p class="notebook-download"><a href="{stem}.ipynb" download>'
        f"Download {stem}.ipynb</a> to run it yourself, or read "
        f'<a href="../{stem}.py">{stem}.py</a>, the module it is.</p>'
    )
    html = STRIP.sub("", html).replace("<pre>", '<pre tabindex="0">')  # scrollable: focusable
    html, images = _png_files(html, stem)
    html = PLAIN_TOKEN.sub(r"\1", html)
    html = mark_math(html)
    end = html.find("</h1>")
    at = end + len("</h1>") if end >= 0 else 0
    return html[:at] + download + html[at:], images


# names, whitespace and punctuation: Material draws them in the code's own colour, so their
# spans (half of a notebook page's bytes) change nothing a reader sees
PLAIN_TOKEN = re.compile(r'<span class="(?:n|w|p)">([^<]*)</span>')
SHOWN = re.compile(
    r'show</span>(?:<span class="p">)?\((?:</span>)?(?:<span class="n[a-z]*">)?(\w+)'
    r'|<img alt="[^"]*" class="[^"]*" src="data:image/png;base64,([A-Za-z0-9+/=]+)"'
)


def _png_files(html: str, stem: str) -> tuple[str, dict[str, bytes]]:
    """Embedded PNG outputs as files `<stem>-<n>.png`; each image's alt text names the function
    the last `show(...)` before it was given."""
    images: dict[str, bytes] = {}
    drawn = "a function of the module"

    def swap(m: re.Match) -> str:
        nonlocal drawn
        if m.group(1):
            drawn = m.group(1)
            return m.group(0)
        png = base64.b64decode(m.group(2))
        name = f"{stem}-{len(images) + 1}.png"
        images[name] = png
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        return (
            f'<img alt="Figure drawn by {drawn} in the light theme: the same figure as on the '
            f'question page" src="{name}" loading="lazy" width="{width}" height="{height}"'
        )

    return SHOWN.sub(swap, html), images
