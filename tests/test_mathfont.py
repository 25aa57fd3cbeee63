"""The math font cut to the formulas' glyphs (scripts/mathfont.py): it keeps every character
asked for, the italic letters MathML substitutes, and the MATH table's size variants and
assemblies that stretchy characters need; two cuts are byte-identical; the cache is used."""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont

from scripts import mathfont, mathrender

FONT = mathrender.FONT
if not FONT.is_file():
    pytest.skip("the math font is not installed (make setup)", allow_module_level=True)


def load(data: bytes) -> TTFont:
    return TTFont(io.BytesIO(data))


def cmap(font: TTFont) -> dict[int, str]:
    return font.getBestCmap()


@pytest.fixture(scope="module")
def cut(tmp_path_factory):
    cache = tmp_path_factory.mktemp("math-font")
    return mathfont.subset(FONT, set("(x)=∑√∂"), cache), cache


def test_chars_of_reads_text_and_entities_not_markup():
    mathml = (
        "<math><mi>x</mi><mo>&lt;</mo><msup><mi>y</mi><mn>2</mn></msup><mo>&#x2211;</mo></math>"
    )
    assert mathfont.chars_of(mathml) == {"x", "<", "y", "2", "∑"}
    assert mathfont.chars_of("<math><mi>m</mi><mi>a</mi></math>") == {"m", "a"}  # not "math"


def test_the_cut_keeps_what_was_asked_and_the_italic_letters(cut):
    data, _ = cut
    full = TTFont(str(FONT))
    font = load(data)
    kept = cmap(font)
    for ch in "(x)=∑√∂ ":
        assert ord(ch) in kept, ch
    for ch in "𝑥𝑦𝛼𝜃ℎ":  # MathML draws <mi>x</mi> as U+1D465, ...
        assert ord(ch) in kept, ch
    for ch in "ΒΩβ√∛":  # whole blocks: letters and radicals MathML draws without their text
        assert ord(ch) in kept, ch
    assert ord("⨁") not in kept and ord("ℵ") not in kept  # not asked for
    assert len(font.getGlyphOrder()) < len(full.getGlyphOrder()) / 5
    assert len(data) < 80_000 and data[:4] == b"wOF2"


def test_the_cut_keeps_the_math_table_and_every_variant_of_a_stretchy_character(cut):
    data, _ = cut
    full, font = TTFont(str(FONT)), load(data)
    assert "MATH" in font
    for ch in "(∑√":
        constructions = []
        for table in (full, font):
            name = cmap(table)[ord(ch)]
            variants = table["MATH"].table.MathVariants
            at = variants.VertGlyphCoverage.glyphs.index(name)
            constructions.append(variants.VertGlyphConstruction[at])
        wanted, gotten = constructions
        # the same size variants (the cut renames glyphs, so compare their heights)
        assert [v.AdvanceMeasurement for v in gotten.MathGlyphVariantRecord] == [
            v.AdvanceMeasurement for v in wanted.MathGlyphVariantRecord
        ], ch
        assert len(gotten.MathGlyphVariantRecord) > 1, ch
        for v in gotten.MathGlyphVariantRecord:
            assert v.VariantGlyph in font.getGlyphOrder()
        # and the parts that build it taller than its largest variant
        if wanted.GlyphAssembly is not None:
            assert [p.FullAdvance for p in gotten.GlyphAssembly.PartRecords] == [
                p.FullAdvance for p in wanted.GlyphAssembly.PartRecords
            ], ch


def test_two_cuts_are_byte_identical_and_the_cache_is_used(cut, tmp_path, monkeypatch):
    data, cache = cut
    assert mathfont.subset(FONT, set("(x)=∑√∂"), tmp_path) == data  # computed again
    from fontTools import subset as ft_subset

    def fail(*args, **kwargs):
        raise AssertionError("subset again although the cache holds it")

    monkeypatch.setattr(ft_subset, "Subsetter", fail)
    assert mathfont.subset(FONT, set("(x)=∑√∂"), cache) == data


def test_a_new_character_set_replaces_the_cached_font(cut, tmp_path):
    mathfont.subset(FONT, {"a"}, tmp_path)
    mathfont.subset(FONT, {"b"}, tmp_path)
    assert len(list(tmp_path.glob("*.woff2"))) == 1


def test_chars_must_be_a_set(tmp_path):
    with pytest.raises(TypeError, match="chars"):
        mathfont.subset(FONT, "abc", tmp_path)
