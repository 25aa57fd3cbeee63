"""Tests for the build machinery: dependency-aware cache keys, cache validation, markers, math,
and deterministic figures. The end-to-end build is in test_build.py."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from scripts import markers, mathrender, pipeline
from snippets import plotting

ROOT = Path(__file__).resolve().parent.parent


def make_project(tmp_path: Path, modules: dict[str, str]) -> Path:
    pkg = tmp_path / "snippets"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('"""pkg"""\n')
    for name, src in modules.items():
        (pkg / f"{name}.py").write_text(src)
    return tmp_path


MODULES = {
    "helper": "X = 1\n",
    "uses_helper": "from snippets.helper import X\n\ndef values():\n    return {'x': X}\n",
    "relative": "from . import helper\n\ndef figures():\n    return {}\n",
    "alone": "import numpy as np\n\ndef values():\n    return {'y': 2}\n",
    "chain": "from snippets import uses_helper\n\ndef values():\n    return {}\n",
}


def keys(root: Path) -> dict[str, str]:
    return {s.name: s.key for s in pipeline.discover(root)}


def test_discover_finds_snippets_and_their_project_imports(tmp_path):
    root = make_project(tmp_path, MODULES)
    found = {s.name: s for s in pipeline.discover(root)}
    assert set(found) == {"uses_helper", "relative", "alone", "chain"}  # helper has no outputs
    assert "helper" in found["uses_helper"].deps
    assert "helper" in found["relative"].deps
    assert set(found["chain"].deps) >= {"uses_helper", "helper"}  # transitive
    assert "helper" not in found["alone"].deps


def test_editing_a_module_changes_exactly_the_keys_that_depend_on_it(tmp_path):
    root = make_project(tmp_path, MODULES)
    before = keys(root)
    assert keys(root) == before  # stable
    (root / "snippets" / "helper.py").write_text("X = 2\n")
    after = keys(root)
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"uses_helper", "relative", "chain"}
    (root / "snippets" / "alone.py").write_text(MODULES["alone"] + "# edited\n")
    assert {n for n in after if after[n] != keys(root)[n]} == {"alone"}


def test_real_snippets_depend_on_the_plotting_style():
    found = {s.name: s for s in pipeline.discover(ROOT)}
    assert found and all(
        "plotting" in s.deps for s in found.values() if "figures" in s.path.read_text()
    )
    assert "plotting" not in found  # a helper, not a snippet


def test_editing_a_library_module_reruns_exactly_the_modules_that_use_it(tmp_path):
    """The probe on the real tree: touch a reference module in a copy of snippets/; the keys
    that change are those of the modules importing it, directly or not, and no other."""
    shutil.copytree(
        ROOT / "snippets", tmp_path / "snippets", ignore=shutil.ignore_patterns("__pycache__")
    )
    before = {s.name: s for s in pipeline.discover(tmp_path)}
    users_of = {
        p.stem: {n for n, s in before.items() if p.stem in s.deps}
        for p in sorted((tmp_path / "snippets").glob("*.py"))
        if p.stem not in before and p.stem != "__init__"
    }
    # a library module some modules use and others do not: something to re-run, and to keep
    library, users = next((m, u) for m, u in users_of.items() if u and u != set(before))
    path = tmp_path / "snippets" / f"{library}.py"
    path.write_text(path.read_text() + "\n# an edit\n")
    after = keys(tmp_path)
    assert {n for n in before if before[n].key != after[n]} == users | ({library} & set(before))


def outputs(tmp_path: Path):
    snippet = pipeline.Snippet("demo", tmp_path / "demo.py", (), "k1")
    out, cache = tmp_path / "out", tmp_path / "cache"
    files = {"a-light.svg": b"<svg>light</svg>", "a-dark.svg": b"<svg>dark</svg>"}
    pipeline.write_outputs(snippet, files, 0.5, out, cache)
    return snippet, out, cache


def test_written_outputs_are_fresh_and_readable(tmp_path):
    snippet, out, cache = outputs(tmp_path)
    assert pipeline.is_fresh(snippet, out, cache)
    assert (out / "demo" / "a-light.svg").stat().st_mode & 0o444 == 0o444
    assert not pipeline.is_fresh(pipeline.Snippet("demo", snippet.path, (), "k2"), out, cache)


@pytest.mark.parametrize(
    "damage",
    [
        lambda out, cache: (out / "demo" / "a-dark.svg").write_bytes(b"<svg>da"),  # truncated
        lambda out, cache: (out / "demo" / "a-dark.svg").unlink(),  # missing
        lambda out, cache: (out / "demo" / "extra.svg").write_bytes(b"x"),  # unexpected file
        lambda out, cache: (cache / "demo.json").write_text("{not json"),  # corrupt manifest
        lambda out, cache: (cache / "demo.json").write_text('{"key": "k1"}'),  # incomplete
        lambda out, cache: (cache / "demo.json").unlink(),  # lost
    ],
)
def test_damaged_cache_entries_are_not_trusted(tmp_path, damage):
    snippet, out, cache = outputs(tmp_path)
    damage(out, cache)
    assert not pipeline.is_fresh(snippet, out, cache)


def test_rewriting_identical_outputs_leaves_files_untouched(tmp_path):
    snippet, out, cache = outputs(tmp_path)
    path = out / "demo" / "a-light.svg"
    before = path.stat().st_mtime_ns
    files = {"a-light.svg": b"<svg>light</svg>", "a-dark.svg": b"<svg>changed</svg>"}
    pipeline.write_outputs(snippet, files, 0.5, out, cache)
    assert path.stat().st_mtime_ns == before  # no spurious change for `mkdocs serve` to see
    assert (out / "demo" / "a-dark.svg").read_bytes() == b"<svg>changed</svg>"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"x": float("nan")}, "not a finite number"),
        ({"x": [1, 2]}, "must be an int, float or str"),
        ({"bad name": 1}, "must match"),
        ({"x": "loss is nan"}, "NaN or inf"),
        ([1], "must return a dict"),
    ],
)
def test_bad_values_are_rejected(values, message):
    with pytest.raises((TypeError, ValueError), match=message):
        pipeline._check_values("demo", values)


def test_numpy_scalars_become_plain_numbers():
    assert pipeline._check_values("demo", {"x": np.float64(0.5), "n": np.int64(3)}) == {
        "x": 0.5,
        "n": 3,
    }


# --- markers -----------------------------------------------------------------------------------

VALUES = {"backprop": {"ex_loss": "0.197044", "x": 0.123456, "W1": "W"}}
FIGURES = {"backprop": {"xor-training"}}


CLAIMS = {
    "backprop": {
        "learns": {"holds": True, "evidence": "5 of 5 seeds; loss < 0.01 * rate [x] $5"},
        "wrong": {"holds": False, "evidence": "2 of 5 seeds; margin -0.3, spread 0.8"},
    }
}


def fill(text, page="training/ml0034-backpropagation.md", offset=0):
    return markers.fill(text, page, VALUES, FIGURES, line_offset=offset, claims=CLAIMS)


def test_value_markers_are_filled_with_optional_format():
    assert fill("L = {{ backprop.ex_loss }}, x = {{backprop.x:.2f}}, {{ backprop.W1 }}") == (
        "L = 0.197044, x = 0.12, W"
    )


def test_figure_marker_becomes_light_and_dark_images_relative_to_the_page():
    out = fill("![Loss curves falling](figure:backprop/xor-training)")
    assert out.splitlines() == [
        "![Loss curves falling](../generated/backprop/xor-training-light.svg#only-light)"
        "{ loading=lazy }",
        "![Loss curves falling](../generated/backprop/xor-training-dark.svg#only-dark)"
        "{ loading=lazy }",
    ]
    top = markers.fill("![A](figure:backprop/xor-training)", "index.md", VALUES, FIGURES)
    assert "(generated/backprop/xor-training-light.svg#only-light)" in top


def test_alt_text_can_quote_values():
    out = fill("![Loss ends at {{ backprop.ex_loss }}](figure:backprop/xor-training)")
    assert out.startswith("![Loss ends at 0.197044](")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\nb\n{{ backprop.nope }}", "page.md:13: snippet 'backprop' has no value 'nope'"),
        ("{{ other.x }}", "page.md:11: unknown snippet 'other'"),
        ("\n{{ backprop }}", "page.md:12: malformed marker"),
        ("{{ backprop.ex_loss:.2f }}", "cannot format"),
        ("![](figure:backprop/xor-training)", "needs alt text"),
        ("![A](figure:backprop/loss)", "has no figure 'loss'"),
        ("![A](figure:Backprop)", "must look like 'snippet/figure-name'"),
        ("![A in [0, 1]](figure:backprop/xor-training)", "may not contain square brackets"),
        ("\n\n{{ claim: backprop.nope }}", "page.md:13: snippet 'backprop' has no claim 'nope'"),
        ("{{ claim: other.x }}", "page.md:11: unknown snippet 'other'"),
        ("{{ claim: backprop }}", "page.md:11: malformed claim marker"),
        ("{{claim:backprop.learns extra}}", "malformed claim marker"),
        (
            "It trains.\nIt is wrong {{ claim: backprop.wrong }}.",
            "page.md:12: claim backprop.wrong does not hold: 2 of 5 seeds; margin -0.3, spread 0.8",
        ),
    ],
)
def test_unknown_or_malformed_markers_fail_with_page_and_line(text, message):
    with pytest.raises(markers.MarkerError) as info:
        fill(text, page="page.md", offset=10)
    assert message in str(info.value)


def test_claim_marker_becomes_a_check_mark_that_opens_its_evidence():
    out = fill("It learns {{ claim: backprop.learns }}. Again {{claim:backprop.learns}}.")
    first, second = out.split("Again")
    assert first.startswith('It learns <span class="claim" data-claim="backprop.learns">')
    assert 'popovertarget="claim-1"' in first and 'id="claim-1" popover>' in first
    assert 'popovertarget="claim-2"' in second and 'id="claim-2"' in second  # ids stay unique
    assert 'aria-label="Checked by the build: show the evidence"' in first
    # Markdown and math syntax in the evidence stays text: entities, not * [ ] $
    assert "loss &lt; 0.01 &#42; rate &#91;x&#93; &#36;5" in first
    for raw in ("*", "$", "[x]"):
        assert raw not in first.split("</strong>")[1]


def test_claim_evidence_renders_as_text_in_markdown():
    import markdown

    html = markdown.markdown(fill("It learns {{ claim: backprop.learns }}."))
    assert "loss &lt; 0.01 &#42; rate &#91;x&#93; &#36;5</span></span>." in html
    assert "<em>" not in html and "<a " not in html


def test_claims_are_checked_and_kept_with_their_evidence():
    assert pipeline.check_claims({"a": (np.bool_(True), " 3 of  3 seeds ")}) == {
        "a": {"holds": True, "evidence": "3 of 3 seeds"}
    }
    bad = [
        ([("a", True)], TypeError, "must return a dict"),
        ({"1a": (True, "x")}, ValueError, "claim name"),
        ({"a": True}, TypeError, "(holds, evidence) pair"),
        ({"a": (1, "x")}, TypeError, "holds must be a bool"),
        ({"a": (True, "")}, TypeError, "non-empty str"),
        ({"a": (True, "margin nan")}, ValueError, "NaN or inf"),
    ]
    for claims, exc, words in bad:
        with pytest.raises(exc, match=re.escape(words)):
            pipeline.check_claims(claims)


def test_latex_braces_are_not_markers():
    text = r"$\frac{{a}}{b}$ and ${{x}}^2$"
    assert fill(text) == text


# --- math ----------------------------------------------------------------------------------------


@pytest.fixture
def renderer(tmp_path):
    r = mathrender.Renderer(tmp_path / "math.json")
    yield r
    r.close()


def test_math_is_rendered_to_mathml(renderer):
    page = (
        '<p><span class="arithmatex">\\(a &lt; b\\)</span></p>'
        '<div class="arithmatex">\\[\\sum_{k=1}^{n} \\left( \\frac{1}{k} \\right)\\]</div>'
    )
    out = renderer.render_page(page, "p.md")
    assert "arithmatex" not in out and "\\(" not in out
    assert out.count("<math") == 2
    assert "<mo>&lt;</mo>" in out or "<mo>&#x3C;</mo>" in out
    assert 'display="block"' in out and "<munderover>" in out and 'stretchy="true"' in out


def test_aligned_equations_become_a_table(renderer):
    out = renderer.render("\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}", display=True)
    assert out.count("<mtr>") == 2


def test_bad_tex_fails_with_the_page_and_formula(renderer):
    with pytest.raises(mathrender.MathError, match=r"p\.md: formula '\\\\frac\{a'"):
        renderer.render_page('<span class="arithmatex">\\(\\frac{a\\)</span>', "p.md")


def test_math_cache_is_reused_and_a_corrupt_one_ignored(tmp_path):
    r = mathrender.Renderer(tmp_path / "math.json")
    html = r.render("x^2", display=False)
    r.close()
    again = mathrender.Renderer(tmp_path / "math.json")
    assert again.render("x^2", display=False) == html
    assert again.node is None  # served from the cache: Node never started
    again.close()
    (tmp_path / "math.json").write_text('{"temml": "0", "mathml": [')
    broken = mathrender.Renderer(tmp_path / "math.json")
    assert broken.cache == {}
    broken.close()


def test_stylesheet_points_at_the_served_font():
    css = mathrender.stylesheet().decode()
    assert "url('STIXTwoMath.woff2')" in css
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls and all(u.startswith(("'STIXTwoMath", '"data:')) for u in urls), urls
    assert mathrender.FONT.is_file()
    # text never waits for the math font
    face = re.search(r"@font-face\s*\{[^}]*\}", css).group(0)
    assert "font-display: swap" in face


# --- figures -------------------------------------------------------------------------------------


def draw(theme):
    fig, ax = plotting.new_figure(theme)
    x = np.linspace(0, 1, 50)
    ax.plot(x, x**2, "o-", label="x²")
    ax.set_xlabel("x")
    ax.legend()
    return fig


@pytest.mark.parametrize("theme", list(plotting.THEMES.values()))
def test_svg_is_deterministic_and_has_no_date(theme):
    with plotting.themed(theme):
        a = plotting.to_svg(draw(theme))
    with plotting.themed(theme):
        b = plotting.to_svg(draw(theme))
    assert a == b
    assert b"<dc:date>" not in a and b"Created with" not in a


def test_light_and_dark_differ_in_colour():
    svgs = {}
    for name, theme in plotting.THEMES.items():
        with plotting.themed(theme):
            svgs[name] = plotting.to_svg(draw(theme))
    assert svgs["light"] != svgs["dark"]
    assert plotting.DARK.fg.lower().encode() in svgs["dark"]


def test_plotting_rejects_bad_arguments():
    with pytest.raises(TypeError, match="theme"):
        plotting.new_figure("dark")
    with pytest.raises(ValueError, match="ncols"):
        plotting.new_figure(plotting.LIGHT, ncols=0)
    with pytest.raises(TypeError, match="fig"):
        plotting.to_svg(object())


def test_no_generated_file_is_tracked():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "docs/generated/" in ignored and "site/" in ignored and ".cache/" in ignored


def test_values_file_round_trips(tmp_path):
    out = tmp_path / "out"
    (out / "demo").mkdir(parents=True)
    (out / "demo" / pipeline.VALUES_FILE).write_text(json.dumps({"a": 1}))
    (out / "demo" / "f-light.svg").write_text("<svg/>")
    (out / "demo" / "f-dark.svg").write_text("<svg/>")
    (out / "demo" / "g-light.svg").write_text("<svg/>")  # no dark twin: not a figure
    assert pipeline.load_values(out) == {"demo": {"a": 1}}
    assert pipeline.load_figures(out) == {"demo": {"f"}}
    shutil.rmtree(out)
    assert pipeline.load_figures(out) == {}


@pytest.mark.parametrize(
    ("seconds", "workers", "expected"),
    [
        ([2.3], 2, False),  # one snippet: nothing to share
        ([2.3, 0.01], 2, False),  # one long and one trivial: the pool only adds its start-up
        ([2.0, 2.0], 2, True),  # two equal halves: about half the time
        ([3.0, 3.0, 3.0], 1, False),  # one core
        ([0.2, 0.2, 0.2, 0.2], 2, False),  # all quick: start-up dominates
        ([1.0] * 8, 2, True),
    ],
)
def test_pool_is_used_only_where_it_pays(seconds, workers, expected):
    assert pipeline.pays_to_parallelize(seconds, workers) is expected


# --- notebook pages -------------------------------------------------------------------------


def test_notebook_page_is_slimmed():
    from scripts import notebooks

    html = (
        "<style>big{}</style><h1>T</h1><script src='https://cdn/mathjax.js'></script>"
        '<div class="zeroclipboard-container"><clipboard-copy><div>x</div></clipboard-copy>\n</div>'
        '<pre>code</pre><div class="clipboard-copy-txt" id="c">code</div>'
    )
    out, images = notebooks.slim_page(html, "nb")
    assert images == {}
    assert "<style" not in out and "<script" not in out and "clipboard" not in out
    assert out.startswith('<h1>T</h1><p class="notebook-download"><a href="nb.ipynb" download>')
    assert '<a href="../nb.py">nb.py</a>' in out  # the module's source, beside the notebook
    assert '<pre tabindex="0">code</pre>' in out


def test_notebook_page_figures_become_files_and_plain_tokens_lose_their_spans():
    import base64

    from scripts import notebooks
    from snippets import companion, plotting

    def draw(theme):
        fig, ax = plotting.new_figure(theme, width=2.0, height=1.0)
        ax.plot([0, 1], [0, 1])
        return fig

    png = companion.figure_png(draw)
    code = (
        '<span class="n">show</span><span class="p">(</span><span class="n">draw_loss</span>'
        '<span class="p">)</span> <span class="k">if</span>'
    )
    img = (
        '<img alt="No description has been provided for this image" class="" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode()}"\n>'
    )
    out, images = notebooks.slim_page(f"<h1>T</h1><pre>{code}</pre>{img}", "nb")
    assert images == {"nb-1.png": png}
    assert "base64" not in out and 'src="nb-1.png" loading="lazy"' in out
    assert 'alt="Figure drawn by draw_loss in the light theme' in out
    w, h = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert f'width="{w}" height="{h}"' in out and w > h > 0
    assert 'show(draw_loss) <span class="k">if</span>' in out  # keywords keep their colour


def test_notebook_markdown_math_is_rendered_at_build_time(tmp_path):
    from scripts import notebooks

    html = (
        '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput">'
        "<p>Loss $L = \\frac{1}{2}(t-a)^2$ costs $5, and</p><p>$$\\sum_k x_k$$</p></div>"
        "<pre>$not math$</pre>"
    )
    marked = notebooks.mark_math(html)
    assert '<span class="arithmatex">\\(L = \\frac{1}{2}(t-a)^2\\)</span>' in marked
    assert '<div class="arithmatex">\\[\\sum_k x_k\\]</div>' in marked
    assert "costs $5, and" in marked and "<pre>$not math$</pre>" in marked
    r = mathrender.Renderer(tmp_path / "m.json")
    out = r.render_page(marked, "nb")
    r.close()
    assert out.count("<math") == 2 and "\\frac" not in out


def test_figure_png_rejects_what_is_not_a_figure():
    from snippets import companion

    with pytest.raises(TypeError, match="draw"):
        companion.figure_png("not a function")
    with pytest.raises(TypeError, match="Figure"):
        companion.figure_png(lambda theme: None)


def test_figure_png_is_a_deterministic_small_palette_image():
    from PIL import Image

    from snippets import companion, plotting

    def draw(theme):
        fig, ax = plotting.new_figure(theme, width=3, height=2)
        ax.plot([0, 1, 2], [1, 0, 2], label="x")
        return fig

    png = companion.figure_png(draw)
    assert png == companion.figure_png(draw)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and image.size == (
        3 * companion.NOTEBOOK_DPI,
        2 * companion.NOTEBOOK_DPI,
    )
    assert len(image.getcolors()) <= companion.NOTEBOOK_COLOURS
    assert image.convert("RGB").getpixel((0, 0)) == (255, 255, 255)  # on white, not transparent


# --- errors point at the page and line ------------------------------------------------------------


def test_link_lines_finds_inline_reference_and_html_links():
    from scripts import page_lines

    source = (
        "# T\n"
        'See [x](a.md#b) and ![y](a.md#b "title").\n'
        "Not this: a.md#bc or (a.md#bc).\n"
        '[ref]: a.md#b\n<a href="a.md#b">z</a>\n'
    )
    assert page_lines.link_lines(source, "a.md#b") == [2, 4, 5]
    assert page_lines.link_lines(source, "nowhere.md") == []
    with pytest.raises(ValueError, match="url"):
        page_lines.link_lines(source, "")
    with pytest.raises(TypeError, match="source"):
        page_lines.link_lines(None, "a.md")


def test_link_warning_gets_the_page_and_line(tmp_path):
    import logging

    from scripts import page_lines

    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "p.md").write_text("---\ntags: [a]\n---\n# P\n\nGo [there](nowhere.md).\n")
    f = page_lines.LinkLines(tmp_path)

    def message(text):
        record = logging.LogRecord("mkdocs.structure.pages", 30, "x", 1, text, (), None)
        assert f.filter(record)
        return record.getMessage()

    broken = "Doc file 'q/p.md' contains a link 'nowhere.md', but the target is not found."
    assert message(broken) == "q/p.md:6: " + broken
    generated = "Doc file 'gen/x.md' contains a link 'nowhere.md', but the target is not found."
    assert message(generated) == generated  # no source file: left as MkDocs wrote it
    assert message("Something else") == "Something else"


def test_missing_includes_are_reported_with_page_and_line(tmp_path):
    from scripts import page_lines

    (tmp_path / "s.py").write_text("# --8<-- [start:ok]\nx = 1\n# --8<-- [end:ok]\n")
    md = (
        "text\n"
        '```python\n--8<-- "s.py:ok"\n```\n'
        '    --8<-- "s.py:gone"\n'
        '--8<-- "s.py:2:3"\n'
        '--8<-- "missing.py"\n'
    )
    problems = page_lines.check_includes(md, "q/p.md", tmp_path, line_offset=3)
    assert [p.split(": ", 1)[0] for p in problems] == ["q/p.md:8", "q/p.md:8", "q/p.md:10"]
    assert "[start:gone]" in problems[0] and "[end:gone]" in problems[1]
    assert "missing.py" in problems[2] and "does not exist" in problems[2]


def test_discovery_reuses_its_analysis_and_distrusts_a_damaged_one(tmp_path):
    root = make_project(tmp_path, MODULES)
    cache = tmp_path / "cache"
    first = {s.name: s for s in pipeline.discover(root, cache)}
    assert first == {s.name: s for s in pipeline.discover(root)}  # same result as no cache
    assert {s.name: s for s in pipeline.discover(root, cache)} == first  # from the cache
    stored = json.loads((cache / pipeline.ANALYSIS_FILE).read_text())
    assert len(stored) == len(list((root / "snippets").glob("*.py")))
    for junk in ("{", "[]", json.dumps(dict.fromkeys(stored, ["not", "an", "entry"]))):
        (cache / pipeline.ANALYSIS_FILE).write_text(junk)
        assert {s.name: s for s in pipeline.discover(root, cache)} == first
    (root / "snippets" / "alone.py").write_text("from snippets import helper\n" + MODULES["alone"])
    after = {s.name: s for s in pipeline.discover(root, cache)}
    assert "helper" in after["alone"].deps and "helper" not in first["alone"].deps


def test_page_modules_sharing_an_experiment_run_in_one_group():
    def snippet(name, *deps):
        return pipeline.Snippet(name, Path(f"{name}.py"), tuple(deps), "k")

    a = snippet("dl0005_a", "checks", "transfer_experiment")
    b = snippet("dl0006_b", "transfer_experiment", "transfer")
    c = snippet("ml0034_c", "backprop")
    d = snippet("ml0033_d", "backprop", "zero_init")
    grouped = pipeline.groups([a, c, b, d])
    assert grouped == [[a, b], [c], [d]]  # a library both import is no reason to wait


def test_log_scale_labels_ticks_as_plain_text():
    fig, ax = plotting.new_figure(plotting.LIGHT)
    ax.plot([1e-3, 1e-1, 10], [1e-4, 2e-2, 3])
    plotting.log_scale(ax, "x", "y")
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    assert "10⁻³" in labels and "10⁻¹" in labels and not any("$" in t for t in labels)
    assert ax.get_xscale() == ax.get_yscale() == "log"
