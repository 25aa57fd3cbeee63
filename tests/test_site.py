"""The real site, built once per test run (the `site` fixture in tests/conftest.py): what only
the whole site can show. How the build behaves on edits and failures is tested on a probe
project in tests/test_build.py."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from scripts import bench, pipeline, questions
from tests.conftest import GENERATED, ROOT
from tests.probe import ran

PAGE = "training/ml0034-backpropagation.md"  # a question page with figures and included code
HTML = "training/ml0034-backpropagation/index.html"


def test_the_sites_build_finds_every_page_module_cached(site):
    """The snippet step ran before collection; the site build reuses all of it."""
    names = {s.name for s in pipeline.discover(ROOT)}
    assert len(names) >= 10
    assert ran(site.log) == dict.fromkeys(names, "cached")
    assert not re.search(r"notebook \S+: written", site.log)


def test_every_figure_reference_has_both_variants_and_alt_text(site):
    pages = site.pages()
    for name, html in pages.items():
        refs = re.findall(r'src="([^"]*generated/[^"]+?)-(light|dark)\.svg#only-\2"', html)
        for base in {b for b, _ in refs}:
            for scheme in ("light", "dark"):
                src = f"{base}-{scheme}.svg#only-{scheme}"
                tag = re.search(rf'<img[^>]*src="{re.escape(src)}"[^>]*>', html)
                assert tag, (name, base, scheme)
                assert re.search(r'alt="[^"]{20,}"', tag.group(0)), tag.group(0)
                svg = (site.path / name).parent / f"{base}-{scheme}.svg"
                assert svg.resolve().read_bytes().startswith(b"<?xml"), svg
    assert len(re.findall(r"-light\.svg#only-light", pages[HTML])) >= 3


def test_formulas_are_rendered_and_markers_filled(site):
    for name, html in site.pages().items():
        if name.startswith("generated/"):  # a notebook's code cells are code: f"{{x}}" is fine
            html = re.sub(r"<pre[^>]*>.*?</pre>", "", html, flags=re.S)
        assert "{{" not in html, name
        assert 'class="arithmatex"' not in html, name
        assert "\\(" not in html and "\\[" not in html, name
    html = site.pages()[HTML]
    assert html.count("<math") > 50
    assert "<h1" in html and "ML0034 · Backpropagation" in html
    text = unescape(re.sub(r"<[^>]+>", "", html))
    # code included from a reference module, as it stands
    path, section = re.search(
        r'--8<-- "(snippets/[a-z_]+\.py):([a-z_0-9]+)"', (ROOT / "docs" / PAGE).read_text()
    ).groups()
    source = (ROOT / path).read_text()
    body = source.split(f"[start:{section}]", 1)[1].split("\n", 1)[1]
    line = next(ln.strip() for ln in body.splitlines() if ln.strip() and "#" not in ln)
    assert line in text, (path, section, line)


def test_pages_load_nothing_from_another_origin(site):
    """What a page fetches by itself (scripts, styles, images, fonts) is all on the site.

    Links a reader may click are not requests at load time; `rel=canonical` is not fetched.
    """
    remote = re.compile(r"^(https?:)?//")
    for name, html in site.pages().items():
        for tag in re.findall(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", html):
            if 'rel="canonical"' in tag:
                continue
            for url in re.findall(r'(?:src|href)="([^"]*)"', tag):
                assert not remote.match(url), f"{name}: {tag}"
    for css in site.path.rglob("*.css"):
        text = css.read_text()
        for url in re.findall(r"url\(['\"]?([^'\")]*)", text) + re.findall(
            r"@import\s+['\"]([^'\"]+)", text
        ):
            assert not remote.match(url), f"{css.name}: {url}"


def test_pages_stay_within_their_weight_budget(site):
    weights = bench.page_weights(site.path)
    module = questions.page_module(PAGE)
    question_pages = [p for p in weights if bench.QUESTION_PAGE.match(p)]
    notebooks = {p for p in weights if bench.NOTEBOOK_PAGE.match(p)}
    assert len(question_pages) >= 10 and notebooks >= {f"generated/{module}/{module}"}
    assert bench.over_budget(weights) == []
    over = bench.QUESTION_PAGE_BUDGET + 1024
    assert bench.over_budget({"cnn/dl0001-x": {"html": over, "figures": 0}})  # can fail


def test_every_question_page_links_its_page_module_and_notebook(site):
    pages = site.pages()
    for src in sorted(p.relative_to(ROOT / "docs").as_posix() for p in ROOT.glob("docs/*/*.md")):
        if not questions.QUESTION_PATH.match(src):
            continue
        m = questions.page_module(src)
        html = pages[src.removesuffix(".md") + "/index.html"]
        assert f'href="../../generated/{m}/{m}.py"' in html, src
        assert f'href="../../generated/{m}/{m}/"' in html, src
        assert (site.path / "generated" / m / f"{m}.py").read_bytes() == (
            ROOT / "snippets" / f"{m}.py"
        ).read_bytes()
        notebook = (site.path / "generated" / m / m / "index.html").read_text()
        assert f'<a href="{m}.ipynb" download>' in notebook
        assert (site.path / "generated" / m / m / f"{m}.ipynb").is_file()
        assert "<style" not in notebook.split('<div class="jupyter-wrapper">', 1)[-1]
        assert 'class="arithmatex"' not in notebook
    assert GENERATED.is_dir()


def test_the_search_index_leaves_formulas_out_and_finds_the_text(site):
    """Formulas are marked `data-search-exclude` before indexing: no MathML, and no TeX
    placeholder (TeX inside included code, e.g. a docstring's `:math:`, is code, and stays)."""
    import json

    docs = json.loads((site.path / "search" / "search_index.json").read_text())["docs"]
    text = " ".join(d["title"] + " " + d["text"] for d in docs)
    for soup in ("<math", "mrow", "<mi>", "\\(", "\\[", "data-search-exclude"):
        assert soup not in text, soup
    page = [d for d in docs if d["location"].startswith("training/ml0034-backpropagation/")]
    assert any("chain rule" in d["text"] for d in page)  # the prose is indexed
    assert not [d for d in docs if d["location"].startswith("print/")]  # indexed on its own page


# --- page speed on a phone (scripts/pagespeed.py, scripts/mathfont.py) -------------------------
QUESTION_HTML = re.compile(r"^[a-z-]+/([a-z]{2}\d{4})-[a-z0-9-]+/index\.html$")


def test_the_math_font_holds_every_glyph_the_formulas_draw_and_little_else(site):
    import io

    from fontTools.ttLib import TTFont

    from scripts import mathfont, mathrender

    full = TTFont(str(mathrender.FONT)).getBestCmap()
    data = (site.path / mathrender.FONT_URI).read_bytes()
    served = TTFont(io.BytesIO(data)).getBestCmap()
    drawn = set()
    for html in site.pages().values():
        for formula in re.findall(r"<math\b.*?</math>", html, re.S):
            drawn |= mathfont.chars_of(formula)
    assert len(drawn) > 100
    missing = sorted(c for c in drawn if ord(c) in full and ord(c) not in served)
    assert not missing, missing
    assert len(data) < 80_000 < mathrender.FONT.stat().st_size / 4


def test_pages_with_formulas_preload_the_math_font_and_others_do_not(site):
    for name, html in site.pages().items():
        preload = 'rel="preload" href="' in html and "STIXTwoMath.woff2" in html
        assert preload == ("<math" in html), name


def test_every_figure_has_its_size_before_it_loads(site):
    """width and height from the SVG's viewBox: the browser reserves the box (no layout shift)."""
    from scripts import pagespeed

    seen = 0
    for name, html in site.pages().items():
        for tag in re.findall(r"<img\b[^>]*>", html):
            src = re.search(r'src="([^"#]+\.svg)', tag)
            if not src:
                continue
            path = (site.path / name).parent / src[1]
            w, h = pagespeed.svg_size(path)
            assert f'width="{w}" height="{h}"' in tag, (name, tag[:120])
            seen += 1
    assert seen > 40


def test_the_search_index_is_small_and_ranks_a_question_above_its_notebook(site):
    import gzip
    import json

    raw = (site.path / "search" / "search_index.json").read_bytes()
    docs = json.loads(raw)["docs"]
    pages = [n for n in site.pages() if QUESTION_HTML.match(n)]
    assert len(pages) >= 10
    assert len(gzip.compress(raw)) / len(pages) <= 10 * 1024  # per question, gzipped
    text = " ".join(d["text"] for d in docs)
    for code in ("def ", "np.", "import numpy", "assert ", "Checked when the site was built"):
        assert code not in text, code
    for name in pages:
        qid = QUESTION_HTML.match(name)[1].upper()
        where = name.removesuffix("index.html")
        own = [d for d in docs if d["location"].split("#")[0] == where]
        assert own and all(d.get("boost") == 2 for d in own), name
        assert qid in own[0]["title"], name  # found by its ID
        notebook = [d for d in docs if d["location"].startswith("generated/") and qid in d["title"]]
        assert notebook and all(d.get("boost") == 0.5 for d in notebook), qid


class _Collapsibles(HTMLParser):
    """Each `<details>` block's summary and the text of its body (nested blocks included)."""

    def __init__(self):
        super().__init__()
        self.open: list[dict] = []
        self.blocks: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self.open.append({"summary": "", "body": "", "in_summary": False})
        elif tag == "summary" and self.open:
            self.open[-1]["in_summary"] = True

    def handle_endtag(self, tag):
        if tag == "summary" and self.open:
            self.open[-1]["in_summary"] = False
        elif tag == "details" and self.open:
            self.blocks.append(self.open.pop())

    def handle_data(self, data):
        for block in self.open:
            block["summary" if block["in_summary"] else "body"] += data.strip()


def test_every_collapsible_block_holds_its_answer(site):
    # a `??? question` whose answer lost its 4-space indent renders as an empty <details>
    # followed by the answer as a loose paragraph: the build does not warn
    empty = []
    for name, html in site.pages().items():
        parser = _Collapsibles()
        parser.feed(html)
        empty += [(name, b["summary"].strip()) for b in parser.blocks if len(b["body"]) < 20]
    assert not empty, empty


def test_every_figure_is_a_small_light_and_dark_pair(outputs):
    # read from the build's outputs, not drawn again: one check for every page module's figures
    from snippets.plotting import DARK, LIGHT

    light = sorted(outputs.glob("*/*-light.svg"))
    assert len(light) >= 40
    for path in light:
        dark = path.with_name(path.name.removesuffix("-light.svg") + "-dark.svg")
        for svg, theme in ((path, LIGHT), (dark, DARK)):
            data = svg.read_bytes()
            assert data.startswith(b"<?xml"), svg
            assert len(data) <= 100 * 1024, f"{svg}: {len(data) // 1024} KB"
            assert theme.fg.lower().encode() in data.lower(), (
                f"{svg}: not in the {theme.name} theme"
            )
    assert set(outputs.glob("*/*-dark.svg")) == {
        p.with_name(p.name.removesuffix("-light.svg") + "-dark.svg") for p in light
    }
