"""The built site (the run's one build, tests/conftest.py) in a real browser: Chromium driven
by Playwright, from `CHROME_PATH` (default: Debian's /usr/bin/chromium).

Every page once, and one page of each kind (home, question, notebook, print, tags, ...) in
both colour schemes: no console error, no request to another origin, formulas rendered,
figures of the scheme loaded, axe-core finds no accessibility violation. Plus the scheme
toggle, the self-test progress, the claims' evidence and the widgets. Without a browser these
tests are skipped, unless CI is set: then they fail.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from scripts.static_server import serve

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
AXE = ROOT / "scripts" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"""
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and no browser is at {CHROMIUM} (CHROME_PATH)", pytrace=False)
    pytest.skip(
        f"no browser at {CHROMIUM}: apt-get install -y chromium, or set CHROME_PATH",
        allow_module_level=True,
    )

sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


@pytest.fixture(scope="module")
def server(site):
    with serve(site.path) as origin:  # gzip, as a static host serves the site
        yield origin


@pytest.fixture(scope="module")
def browser():
    # Playwright gives every launch a fresh, empty profile of its own
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def page_paths(site) -> list[str]:
    out = []
    for html in sorted(site.path.rglob("index.html")):
        rel = html.parent.relative_to(site.path).as_posix()
        out.append("" if rel == "." else rel + "/")
    return out


def kind(path: str) -> str:
    """home, question, notebook, or the page itself (print, tags, ...): one of each kind is
    checked in both schemes."""
    if path == "":
        return "home"
    if re.match(r"^[a-z-]+/[a-z]{2}\d{4}-", path):
        return "question"
    if path.startswith("generated/"):
        return "notebook"
    return path


def visits(paths: list[str]) -> list[tuple[str, str]]:
    """(page, scheme): every page once, schemes alternating within a kind, and the first page
    of each kind in both schemes."""
    out, seen = [], {}
    for path in paths:
        k = kind(path)
        n = seen.get(k, 0)
        seen[k] = n + 1
        out += [(path, "light"), (path, "dark")] if n == 0 else [(path, ("light", "dark")[n % 2])]
    return out


class Visit:
    """A page opened in a fresh context with a colour scheme, recording what it asked for."""

    def __init__(self, browser, origin: str, path: str, scheme: str):
        self.context = browser.new_context(
            color_scheme=scheme, viewport={"width": 1280, "height": 900}
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def check(request):
            url = request.url
            if not (url.startswith(origin) or url.startswith(("data:", "blob:", "about:"))):
                self.foreign.append(url)

        self.page.on("request", check)
        self.page.goto(f"{origin}/{path}", wait_until="load")

    def close(self):
        self.context.close()


def build_widgets(page) -> None:
    """Scroll each playground into view, so it is built (widgets.js builds them near the
    screen), then back to the top."""
    widgets = page.locator(".mliq-widget")
    for i in range(widgets.count()):
        widgets.nth(i).scroll_into_view_if_needed()
    if widgets.count():
        page.wait_for_function(
            "[...document.querySelectorAll('.mliq-widget')]"
            ".every(w => w.querySelector('.widget-status'))"
        )
    page.evaluate("window.scrollTo(0, 0)")


def displayed(element) -> bool:
    """Shown by the stylesheet (a lazy image not yet loaded has no size, so no is_visible)."""
    return element.evaluate("e => getComputedStyle(e).display !== 'none'")


def test_visits_cover_every_page_and_each_kind_in_both_schemes():
    paths = ["", "a/ml0001-x/", "a/ml0002-y/", "b/dl0003-z/", "generated/m/m/", "tags/"]
    plan = visits(paths)
    assert {p for p, _ in plan} == set(paths)
    for k in ("home", "question", "notebook", "tags/"):
        first = next(p for p in paths if kind(p) == k)
        assert {s for p, s in plan if p == first} == {"light", "dark"}
    assert plan.count(("a/ml0002-y/", "dark")) == 1 and ("b/dl0003-z/", "light") in plan
    assert len(plan) == len(paths) + 4


def test_every_page_and_each_kind_in_both_schemes(site, server, browser):
    """No console error, nothing from another origin, no raw TeX, figures of the scheme loaded,
    and no axe-core violation: every page once, one page of each kind in both schemes."""
    problems = []
    paths = page_paths(site)
    assert len({kind(p) for p in paths} & {"home", "question", "notebook"}) == 3
    for path, scheme in visits(paths):
        v = Visit(browser, server, path, scheme)
        page = v.page
        # prose only: a notebook's code cells build TeX strings on purpose
        text = page.evaluate(
            "() => { const c = document.querySelector('.md-content').cloneNode(true);"
            " c.querySelectorAll('pre, code').forEach(e => e.remove()); return c.innerText; }"
        )
        if "\\(" in text or "\\frac" in text or "$$" in text:
            problems.append(f"{path} {scheme}: raw TeX left in the text")
        # a notebook's outputs are single light PNGs on white, in both schemes: they load
        for img in page.query_selector_all(".jupyter-wrapper img"):
            img.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img)
        # figures: scroll each displayed one into view so lazy loading fetches it
        figures = "img[src*='generated/']:not(.jupyter-wrapper img)"
        for img in page.query_selector_all(f".md-content {figures}"):
            if displayed(img):
                img.scroll_into_view_if_needed()
                src = img.get_attribute("src")
                if f"-{scheme}.svg" not in src:
                    problems.append(f"{path} {scheme}: the visible figure is {src}")
                page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img)
        shown = [i for i in page.query_selector_all(figures) if displayed(i)]
        hidden = page.query_selector_all(figures)
        if len(hidden) != 2 * len(shown):
            problems.append(f"{path} {scheme}: {len(shown)} of {len(hidden)} figures shown")
        build_widgets(page)  # axe checks the playgrounds too
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(AXE_RUN)
        problems += [f"{path} {scheme}: axe {x}" for x in violations]
        problems += [f"{path} {scheme}: console error {e}" for e in v.errors]
        problems += [f"{path} {scheme}: request to {u}" for u in v.foreign]
        v.close()
    assert not problems, "\n".join(problems)


def test_formulas_are_mathml_and_use_the_served_font(server, browser):
    v = Visit(browser, server, "training/ml0034-backpropagation/", "light")
    assert v.page.locator("math").count() > 50
    family = v.page.evaluate("getComputedStyle(document.querySelector('math')).fontFamily")
    assert "STIX2" in family
    v.page.wait_for_function("document.fonts.check('16px STIX2')")
    v.close()


def test_the_scheme_toggle_swaps_figure_variants(server, browser):
    v = Visit(browser, server, "training/ml0034-backpropagation/", "dark")
    page = v.page

    def visible_variant():
        imgs = [i for i in page.query_selector_all("img[src*='generated/']") if displayed(i)]
        return {("dark" if "-dark.svg" in i.get_attribute("src") else "light") for i in imgs}

    assert visible_variant() == {"dark"}  # follows the system setting by default
    page.click("form[data-md-component=palette] label:visible")  # automatic → light
    assert visible_variant() == {"light"}
    page.click("form[data-md-component=palette] label:visible")  # light → dark
    assert visible_variant() == {"dark"}
    v.close()


def test_self_test_progress_survives_a_reload(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/training/ml0034-backpropagation/")
    toggle = page.locator(".selftest-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    page.reload()
    assert page.locator(".selftest-toggle").get_attribute("aria-pressed") == "true"
    page.goto(f"{server}/")
    status = page.locator('.selftest-status[data-qid="ML0034"]')
    assert status.inner_text() == "✓ known"
    assert "1 of" in page.locator("#selftest-progress").inner_text()
    page.click("#selftest-reset")
    assert status.inner_text() == "not yet"
    page.reload()
    assert page.locator('.selftest-status[data-qid="ML0034"]').inner_text() == "not yet"
    context.close()


def test_claim_evidence_opens_by_keyboard_click_and_touch_in_both_schemes(site, server, browser):
    with_claims = [
        p for p in page_paths(site) if 'class="claim"' in (site.path / p / "index.html").read_text()
    ]
    assert with_claims, "no page states a claim"
    path = next((p for p in with_claims if not p.startswith("print")), with_claims[0])
    for scheme in ("light", "dark"):
        v = Visit(browser, server, path, scheme)
        page = v.page
        mark = page.locator(".claim__mark:visible").first  # not one in a closed short answer
        evidence = page.locator(f"#{mark.get_attribute('popovertarget')}")
        assert mark.get_attribute("aria-label") == "Checked by the build: show the evidence"
        assert not evidence.is_visible()
        mark.focus()
        page.keyboard.press("Enter")
        assert evidence.is_visible()
        assert evidence.inner_text().startswith("Checked when the site was built:")
        page.add_script_tag(path=str(AXE))  # contrast and names with the evidence open
        assert page.evaluate(AXE_RUN) == []
        page.keyboard.press("Escape")
        assert not evidence.is_visible()
        mark.click()
        assert evidence.is_visible()
        page.locator("h1").first.click(position={"x": 2, "y": 2})  # a click elsewhere closes it
        assert not evidence.is_visible()
        assert v.errors == []
        v.close()
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    page.goto(f"{server}/{path}")
    mark = page.locator(".claim__mark:visible").first
    evidence = page.locator(f"#{mark.get_attribute('popovertarget')}")
    mark.tap()
    assert evidence.is_visible()
    box = evidence.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360  # the whole card fits the phone
    phone.close()


def test_tables_that_scroll_sideways_can_be_reached_by_keyboard(server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{server}/training/ml0032-non-linear-activation/")
    page.wait_for_timeout(300)  # the resize check runs after Material has wrapped the tables
    wraps = page.evaluate(
        """() => [...document.querySelectorAll('.md-typeset__scrollwrap')].map(w => ({
            scrolls: w.scrollWidth > w.clientWidth + 1, tabindex: w.getAttribute('tabindex'),
            label: w.getAttribute('aria-label')}))"""
    )
    assert any(w["scrolls"] for w in wraps)  # at phone width some table is wider than the page
    for w in wraps:
        assert (w["tabindex"] == "0") == w["scrolls"], w
        assert (w["label"] is not None) == w["scrolls"], w
    context.close()


# --- widgets: the JavaScript agrees with the Python reference ----------------------------------


def widget_page(browser, server, path, scheme="light"):
    v = Visit(browser, server, path, scheme)
    # a widget is built only when it comes near the screen
    assert v.page.locator(".mliq-widget .widget-status").count() == 0
    v.page.locator(".mliq-widget").scroll_into_view_if_needed()
    v.page.wait_for_selector(".mliq-widget[data-mounted] .widget-status")
    return v


def test_receptive_field_widget_agrees_with_python(site, server, browser):
    v = widget_page(browser, server, "cnn/dl0010-receptive-field/")
    data = json.loads(
        (site.path / "generated" / "dl0010_receptive_field" / "widget.json").read_text()
    )
    got = v.page.evaluate(
        """vectors => vectors.map(t => ({
            fields: MLIQ.rf.receptiveField(t.layers).map(f => [f.size, f.stride, f.padding]),
            sizes: MLIQ.rf.outputSizes(t.layers, t.input_size),
            field: MLIQ.rf.fieldOf(MLIQ.rf.receptiveField(t.layers), t.index, t.input_size) || [],
            errors: t.layers.map(MLIQ.rf.layerError).filter(e => e),
        }))""",
        data["vectors"],
    )
    assert len(got) == len(data["vectors"]) >= 30
    for js, py in zip(got, data["vectors"]):
        assert js["fields"] == py["fields"]
        assert js["sizes"] == py["output_sizes"]
        assert js["field"] == py["field"]
        assert js["errors"] == []
    assert v.errors == []
    v.close()


def test_pooling_widget_agrees_with_python(site, server, browser):
    v = widget_page(browser, server, "cnn/dl0009-pooling/")
    data = json.loads((site.path / "generated" / "dl0009_pooling" / "widget.json").read_text())
    got = v.page.evaluate(
        """vectors => vectors.map(t => {
            const a = [t.kernel, t.stride, t.padding, t.ceil_mode];
            return {
              max: MLIQ.pool.maxPool(t.x, ...a),
              avg: MLIQ.pool.avgPool(t.x, ...a, t.count_include_pad),
              max_grad: MLIQ.pool.maxPoolBackward(t.dy, t.x, ...a),
              avg_grad: MLIQ.pool.avgPoolBackward(t.dy, [t.x.length, t.x[0].length], ...a,
                                                  t.count_include_pad),
            };
        })""",
        data["vectors"],
    )
    assert len(got) == len(data["vectors"]) >= 50
    for js, py in zip(got, data["vectors"]):
        for key in ("max", "avg", "max_grad", "avg_grad"):
            np.testing.assert_allclose(js[key], py[key], rtol=1e-12, atol=1e-12, err_msg=key)
    v.close()


def test_widgets_react_to_edits_and_reject_bad_input(server, browser):
    v = widget_page(browser, server, "cnn/dl0009-pooling/", "dark")
    page = v.page
    w = page.locator(".mliq-widget")
    first_output = w.locator("table").first.locator("tbody td").first
    assert first_output.inner_text() == "6"  # the page's 4×4 example, max of the first window
    w.get_by_label("Kernel").fill("3")
    w.get_by_label("Stride").fill("1")
    assert w.locator(".widget-status").inner_text().startswith("Output 2 × 2")
    assert first_output.inner_text() == "8"
    w.get_by_label("Padding").fill("5")  # more than half the kernel
    assert "at most half the kernel" in w.locator(".widget-error").all_inner_texts().__str__()
    assert w.get_by_label("Padding").get_attribute("aria-invalid") == "true"
    w.get_by_label("Padding").fill("1")
    w.get_by_label("Grid size").fill("500")  # capped
    assert "from 1 to 8" in " ".join(w.locator(".widget-error").all_inner_texts())
    w.get_by_label("Grid size").fill("3")
    assert w.locator(".widget-cell").count() == 9
    assert v.errors == []
    v.close()

    v = widget_page(browser, server, "cnn/dl0010-receptive-field/")
    w = v.page.locator(".mliq-widget")
    rows_before = w.locator(".widget-row").count()
    w.get_by_role("button", name="Add layer").click()
    assert w.locator(".widget-row").count() == rows_before + 1
    w.get_by_label("Preset").select_option(label="VGG-16")
    assert w.locator("tbody tr").last.locator("td").nth(3).inner_text() == "212"
    w.locator(".widget-row").first.get_by_label("kernel").fill("2.5")
    assert "whole number" in " ".join(w.locator(".widget-error").all_inner_texts())
    assert v.errors == []
    v.close()


def test_widgets_never_build_markup_from_strings():
    source = (ROOT / "docs" / "javascripts" / "widgets.js").read_text()
    source += (ROOT / "docs" / "javascripts" / "selftest.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source


# --- a phone: nothing wider than the screen, nothing moves, search, the font -------------------
PHONE = {"width": 360, "height": 740}


def test_no_page_is_wider_than_a_phone(site, server, browser):
    """At 360 px nothing overflows the page, and no inline formula needs to scroll (a long one
    belongs on its own line, as a display formula)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = []
    for path in page_paths(site):
        page.goto(f"{server}/{path}", wait_until="load")
        page.evaluate("document.fonts.ready")
        build_widgets(page)
        width, scrolling = page.evaluate(
            """() => [document.documentElement.scrollWidth,
                [...document.querySelectorAll('math:not(.tml-display)')]
                  .filter(m => m.scrollWidth > m.clientWidth + 1)
                  .map(m => m.textContent.slice(0, 50))]"""
        )
        if width > PHONE["width"]:
            problems.append(f"{path or 'home'}: {width} px wide")
        problems += [f"{path}: inline formula scrolls: {t}" for t in scrolling]
    context.close()
    assert not problems, "\n".join(problems)


LAYOUT_SHIFT = """() => new Promise(done => {
    let total = 0;
    new PerformanceObserver(list => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
    }).observe({type: "layout-shift", buffered: true});
    setTimeout(() => done(total), 500);
})"""


@pytest.mark.parametrize(
    "path",
    ["training/ml0034-backpropagation/", "cnn/dl0009-pooling/", "cnn/dl0010-receptive-field/"],
)
def test_nothing_moves_while_a_question_page_loads(server, browser, path):
    """Figures have their size, the self-test button its slot, the math font is preloaded and
    widgets are built off screen: the layout does not shift (CLS 0) at phone width."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server}/{path}", wait_until="load")
    page.evaluate("document.fonts.ready")
    assert page.locator(".selftest-slot .selftest-toggle").count() == 1
    assert page.evaluate(LAYOUT_SHIFT) == 0
    # a playground's box is about as tall before it is built as after
    for widget in page.locator(".mliq-widget").all():
        before = widget.evaluate("e => e.getBoundingClientRect().height")
        widget.scroll_into_view_if_needed()
        widget.locator(".widget-status").wait_for()
        after = widget.evaluate("e => e.getBoundingClientRect().height")
        assert 0.85 * after <= before <= after + 1, (before, after)
    context.close()


@pytest.mark.parametrize(
    "query, page",
    [
        ("DL0007", "training/dl0007-batch-norm/"),
        ("receptive field", "cnn/dl0010-receptive-field/"),
        ("ML0034", "training/ml0034-backpropagation/"),
        ("pooling", "cnn/dl0009-pooling/"),
    ],
)
def test_search_lists_the_question_page_first(server, browser, query, page):
    v = Visit(browser, server, "", "light")
    v.page.fill("input[data-md-component=search-query]", query)
    first = v.page.locator(".md-search-result__item > a").first
    first.wait_for()
    href = first.get_attribute("href")
    assert href.split("#")[0].split("?")[0].endswith(page), href
    v.close()


def test_the_served_math_font_draws_every_formula_like_the_full_font(server, browser):
    """The cut font against STIX Two Math as shipped: the same pixels on two long pages, whole
    (figures hidden: they load lazily). A difference must show twice: a screenshot now and then
    lands between two antialiasings."""
    from scripts import mathrender

    full = mathrender.FONT.read_bytes()
    pages = ("training/ml0034-backpropagation/", "training/dl0007-batch-norm/")

    def shoot(font: bytes | None) -> dict:
        shots = {}
        context = browser.new_context(viewport={"width": 900, "height": 900})
        if font is not None:
            context.route(
                "**/STIXTwoMath.woff2",
                lambda route: route.fulfill(body=font, content_type="font/woff2"),
            )
        page = context.new_page()
        for path in pages:
            page.goto(f"{server}/{path}", wait_until="load")
            page.wait_for_function("document.fonts.check('16px STIX2')")
            page.add_style_tag(content="img { visibility: hidden !important; }")
            assert page.locator(".md-content math").count() > 100
            shots[path] = page.locator(".md-content").screenshot(animations="disabled")
        context.close()
        return shots

    served, shipped = shoot(None), shoot(full)
    differ = {k for k in served if served[k] != shipped[k]}
    if differ:
        again, again_full = shoot(None), shoot(full)
        differ = {k for k in differ if again[k] != again_full[k]}
    assert not differ, sorted(differ)
