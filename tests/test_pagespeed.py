"""What keeps pages quick on a phone (scripts/pagespeed.py), on small hand-made pages: figure
sizes from the SVG's viewBox, what the search index leaves out, the self-test slot, the code
spans dropped, and the palette rule removed from Material's stylesheet."""

from __future__ import annotations

import re

import pytest

from scripts import pagespeed

SVG = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
    '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="720pt" height="266.4pt" '
    'viewBox="0 0 720 266.4" xmlns="http://www.w3.org/2000/svg" version="1.1">\n</svg>\n'
)


@pytest.fixture
def docs(tmp_path):
    (tmp_path / "generated" / "m").mkdir(parents=True)
    (tmp_path / "generated" / "m" / "fig-light.svg").write_text(SVG)
    (tmp_path / "generated" / "m" / "broken.svg").write_text("<svg></svg>")
    return tmp_path


def test_a_data_width_is_not_a_width(docs):
    html = '<img data-width="3" src="../../generated/m/fig-light.svg">'
    assert 'width="960"' in pagespeed.size_figures(html, "a/b/index.html", docs)


def test_figures_get_their_size_in_css_pixels(docs):
    html = '<p><img alt="a" loading="lazy" src="../../generated/m/fig-light.svg#only-light" /></p>'
    out = pagespeed.size_figures(html, "cnn/dl0009-pooling/index.html", docs)
    # 720 pt x 266.4 pt = 960 px x 355.2 px
    assert 'width="960" height="355"' in out
    assert 'src="../../generated/m/fig-light.svg#only-light"' in out and 'alt="a"' in out
    assert out.count("<img") == 1


def test_figures_resolve_relative_to_the_page(docs):
    html = '<img src="generated/m/fig-light.svg">'
    assert 'width="960"' in pagespeed.size_figures(
        html, "print/index.html".replace("print/", ""), docs
    )
    assert 'width="960"' in pagespeed.size_figures(
        '<img src="../generated/m/fig-light.svg">', "print/index.html", docs
    )


@pytest.mark.parametrize(
    "img",
    [
        '<img src="../../generated/m/fig-light.svg" width="10">',  # sized by its author
        '<img src="../../generated/m/missing.svg">',  # the link check reports it
        '<img src="../../generated/m/broken.svg">',  # no viewBox
        '<img src="https://example.org/x.svg">',
        '<img src="../../generated/m/photo.png">',
        '<img src="../../../../outside.svg">',
        '<img data-src="../../generated/m/fig-light.svg">',  # not the image's source
    ],
)
def test_other_images_are_left_alone(docs, img):
    assert pagespeed.size_figures(img, "cnn/dl0009-pooling/index.html", docs) == img


def test_svg_size_of_a_missing_file_is_none(tmp_path):
    assert pagespeed.svg_size(tmp_path / "none.svg") is None


def test_search_leaves_out_code_evidence_and_the_test_list():
    html = (
        '<h2 id="x">X</h2><p>Prose <span class="claim" data-claim="m.c"><button>✓</button>'
        '<span class="claim__evidence" id="claim-1" popover>numbers</span></span></p>'
        '<div class="language-python highlight"><pre><code>x = 1</code></pre></div>'
        '<h2 id="how-this-page-is-checked">How this page is checked</h2><p>tests</p>'
    )
    out = pagespeed.exclude_from_search(html)
    assert '<div class="language-python highlight" data-search-exclude>' in out
    assert '<span class="claim__evidence" data-search-exclude id="claim-1" popover>' in out
    assert '<h2 id="how-this-page-is-checked" data-search-exclude>' in out
    assert '<h2 id="x">' in out and "<p>Prose" in out
    assert "<pre>" in out  # pre is only marked in notebooks


def test_search_leaves_out_a_notebooks_code_and_outputs():
    html = (
        '<div class="jp-Cell jp-CodeCell jp-Notebook-cell"><div class="jp-InputPrompt '
        'jp-InputArea-prompt">In [1]:</div><pre tabindex="0">x = 1</pre>'
        '<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain">'
        "<pre>1</pre></div></div>"
        '<div class="jp-Cell jp-MarkdownCell"><p>Prose</p></div>'
    )
    out = pagespeed.exclude_from_search(html, notebook=True)
    assert out.count("data-search-exclude") == 4
    assert '<pre tabindex="0" data-search-exclude>' in out
    assert '<div class="jp-Cell jp-MarkdownCell"><p>Prose</p></div>' in out
    assert pagespeed.exclude_from_search(out, notebook=True) == out  # idempotent


def test_the_self_test_slot_follows_the_title_once():
    out = pagespeed.selftest_slot('<h1 id="a">ML0034 · B</h1><p>x</p><h1>y</h1>')
    assert out == '<h1 id="a">ML0034 · B</h1>' + pagespeed.SELFTEST_SLOT + "<p>x</p><h1>y</h1>"


def test_code_keeps_only_the_spans_that_colour_something():
    html = (
        '<span class="k">def</span><span class="w"> </span><span class="nf">f</span>'
        '<span class="p">(</span><span class="n">x</span><span class="p">):</span>'
    )
    out = pagespeed.plain_code_tokens(html)
    assert out == '<span class="k">def</span> <span class="nf">f</span>(x):'
    assert re.sub(r"<[^>]+>", "", out) == re.sub(r"<[^>]+>", "", html)  # same text


def test_the_palette_rule_is_removed_from_materials_stylesheet(tmp_path):
    css = tmp_path / "assets" / "stylesheets"
    css.mkdir(parents=True)
    rule = (
        "[data-md-color-switching] *,[data-md-color-switching] :after,"
        "[data-md-color-switching] :before{transition-duration:0s!important}"
    )
    (css / "palette.abc.min.css").write_text(f"a{{color:red}}{rule}b{{color:blue}}")
    assert pagespeed.drop_switching_rule(tmp_path)
    assert (css / "palette.abc.min.css").read_text() == "a{color:red}b{color:blue}"
    assert not pagespeed.drop_switching_rule(tmp_path)  # gone: nothing to do
