"""What keeps a page quick on a phone, applied to each page's HTML at build time.

- Figures get their size: `width`/`height` from the SVG's viewBox, so the browser reserves the
  box before the file arrives and nothing below it moves (layout shift 0). The stylesheet keeps
  them at most the column's width with the same aspect ratio.
- The search index gets the explanations, not code: code blocks, the claims' evidence (numbers
  repeated from the page), the list of a page's tests and a notebook's code cells and outputs
  are marked `data-search-exclude`, which Material's search plugin skips. Formulas are left out
  by `mathrender` the same way. A question's page and its notebook stay findable by ID, title
  and text.
- Question pages get an empty slot under the title for the self-test button, sized in the
  stylesheet, so the button appears without pushing the page down.
"""

from __future__ import annotations

import functools
import posixpath
import re
from pathlib import Path

FIGURE = re.compile(r"<img\b(?P<attrs>[^>]*?)\s*/?>")
SRC = re.compile(r'(?<![\w-])src="(?P<src>[^"#?]+\.svg)(?:[#?][^"]*)?"')
VIEWBOX = re.compile(
    rb'<svg\b[^>]*?\bviewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"'
)
PT = 4 / 3  # matplotlib writes sizes in points; a CSS pixel is 3/4 of a point

CODE_BLOCK = re.compile(r'<div class="(?:language-[\w+-]+ )?highlight"')
CHECKED_SECTION = re.compile(r'<h2 id="how-this-page-is-checked"')
EVIDENCE = re.compile(r'<span class="claim__evidence"')
# Material's parser ends an excluded element at the first closing tag of the same name, so a
# notebook's code cells (divs within divs) are excluded by their innermost parts: the code and
# text outputs (<pre>), the prompts and the rendered outputs
NOTEBOOK_CODE = re.compile(
    r"<pre\b(?![^>]*data-search-exclude)[^>]*?(?=/?>)"
    r'|<div class="[^"]*\b(?:jp-InputPrompt|jp-OutputPrompt|jp-OutputArea-output)\b[^"]*"'
)
H1_END = re.compile(r"</h1>")
SELFTEST_SLOT = '<div class="selftest-slot"></div>'


@functools.lru_cache(maxsize=1024)
def _svg_size(path: Path, mtime_ns: int) -> tuple[int, int] | None:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    m = VIEWBOX.search(head)
    if not m:
        return None
    w, h = float(m[1]), float(m[2])
    if not (w > 0 and h > 0):
        return None
    return round(w * PT), round(h * PT)


def svg_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of an SVG written by matplotlib (viewBox in points), or
    None when the file is missing or has no usable viewBox."""
    path = Path(path)
    try:
        return _svg_size(path, path.stat().st_mtime_ns)
    except OSError:
        return None


def size_figures(html: str, page_dest: str, site_files: Path) -> str:
    """Every `<img>` of an SVG under `site_files` without a width gets width and height.

    `page_dest` is the page's output path (`cnn/dl0009-pooling/index.html`); image sources are
    relative to it, as MkDocs writes them."""
    base = posixpath.dirname(page_dest)

    def one(m: re.Match) -> str:
        attrs = m.group("attrs")
        src = SRC.search(attrs)
        if not src or re.search(r"(?<![\w-])width=", attrs) or "://" in src["src"]:
            return m.group(0)
        rel = posixpath.normpath(posixpath.join(base, src["src"]))
        if rel.startswith("../"):
            return m.group(0)
        size = svg_size(Path(site_files) / rel)
        if size is None:
            return m.group(0)
        return f'<img{attrs} width="{size[0]}" height="{size[1]}" decoding="async" />'

    return FIGURE.sub(one, html)


def exclude_from_search(html: str, notebook: bool = False) -> str:
    """Code blocks, claims' evidence and the "How this page is checked" section (a list of the
    page's tests) — and a notebook's code cells with their outputs — marked so Material's search
    plugin leaves them out of the index."""
    for pattern in (CODE_BLOCK, CHECKED_SECTION, EVIDENCE) + ((NOTEBOOK_CODE,) if notebook else ()):
        html = pattern.sub(_exclude, html)
    return html


def _exclude(m: re.Match) -> str:
    marked = m.string.startswith(" data-search-exclude", m.end())
    return m.group(0) if marked else m.group(0) + " data-search-exclude"


def selftest_slot(html: str) -> str:
    """An empty, sized slot right after the page's title for the self-test button."""
    return H1_END.sub("</h1>" + SELFTEST_SLOT, html, count=1)


# names, whitespace and punctuation in highlighted code: drawn in the code's own colour (the
# stylesheet sets punctuation's colour to it, as the notebooks have it), so their spans, a third
# of a question page's elements, change nothing a reader sees
PLAIN_TOKEN = re.compile(r'<span class="(?:n|w|p)">([^<]*)</span>')


def plain_code_tokens(html: str) -> str:
    """Highlighted code without the spans that colour nothing (names, whitespace,
    punctuation)."""
    return PLAIN_TOKEN.sub(r"\1", html)


# Material's palette script marks <body> while it sets the colour scheme at load, and this rule
# (which only stops colour transitions during a switch) makes every mark restyle the whole page:
# two full style passes of a long page on a phone's first second
SWITCHING_RULE = re.compile(
    r"\[data-md-color-switching\] \*,\[data-md-color-switching\] :after,"
    r"\[data-md-color-switching\] :before\{transition-duration:0s!important\}"
)


def drop_switching_rule(site_dir: Path) -> bool:
    """Remove the rule above from Material's palette stylesheet in the built site; True when
    it was there."""
    found = False
    for css in sorted((Path(site_dir) / "assets" / "stylesheets").glob("palette.*.min.css")):
        text = css.read_text(encoding="utf-8")
        new = SWITCHING_RULE.sub("", text)
        if new != text:
            css.write_text(new, encoding="utf-8")
            found = True
    return found
