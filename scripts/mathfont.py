"""The math font cut down to the glyphs the site's formulas use.

STIX Two Math is 404 KB as shipped: 5,169 glyphs, of which the formulas use a few hundred.
`subset` keeps the characters the rendered MathML contains, the italic letters the browser
substitutes for single-letter identifiers (MathML's automatic italic: `<mi>x</mi>` is drawn as
U+1D465), the Latin and Greek letters and the accents whole, the radical signs, and through the
font's MATH table every size variant and assembly part of the stretchy characters (brackets,
sums, roots). Every OpenType feature is kept; hinting is dropped. The result, about 50 KB of
WOFF2, draws every formula pixel for pixel as the full font does (tests/test_browser.py). It is
cached by the character set, the font file and the fontTools version, so a build that adds no
new character does not cut the font again.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from pathlib import Path

from scripts.files import atomic_write

MATHML_TEXT = re.compile(r">([^<]+)<")
# MathML Core draws a single-letter <mi> in the math italic letters (text-transform: math-auto)
ITALIC = frozenset(
    chr(c)
    for c in [*range(0x1D434, 0x1D468), *range(0x1D6E2, 0x1D71C), 0x210E]  # ℎ: italic h
)
# and the blocks of letters and accents whole, with the radical signs: a glyph can be drawn
# without its character in the MathML (the radical of <msqrt>, a stretched accent), and Chromium
# lays out some scripts a pixel differently when a letter is missing (Greek without Beta, for
# one, though no formula uses it). The tests compare every formula with the full font's.
BLOCKS = (
    (0x20, 0x7F),  # Basic Latin
    (0xA0, 0x100),  # Latin-1 Supplement
    (0x300, 0x370),  # Combining Diacritical Marks: accents
    (0x370, 0x400),  # Greek
    (0x2000, 0x2070),  # General Punctuation: primes, spaces, invisible operators
    (0x20D0, 0x2100),  # Combining Marks for Symbols: vector arrows
    (0x221A, 0x221D),  # the radical signs
)
ALWAYS = frozenset(chr(c) for lo, hi in BLOCKS for c in range(lo, hi))


def chars_of(mathml: str) -> set[str]:
    """The characters a MathML fragment draws (its text, entities decoded)."""
    out: set[str] = set()
    for text in MATHML_TEXT.findall(mathml):
        out.update(html.unescape(text))
    out.discard("\n")
    return out


SUBSET_VERSION = "1"  # bump when the options below change: cached fonts are cut again


def _key(font: Path, chars: set[str]) -> str:
    import brotli
    import fontTools

    h = hashlib.sha256()
    h.update(font.read_bytes())
    h.update(f"{fontTools.version} {brotli.__version__} {SUBSET_VERSION}".encode())
    h.update("".join(sorted(chars)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:24]


def subset(font: Path, chars: set[str], cache_dir: Path) -> bytes:
    """WOFF2 bytes of `font` holding `chars`, the italic letters and what the MATH table needs
    to draw them; cached in `cache_dir`."""
    if not isinstance(chars, (set, frozenset)):
        raise TypeError(f"chars: expected a set of characters, got {type(chars).__name__}")
    font, cache_dir = Path(font), Path(cache_dir)
    keep = set(chars) | ITALIC | ALWAYS
    cached = cache_dir / f"{_key(font, keep)}.woff2"
    if cached.is_file():
        return cached.read_bytes()
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    options = ft_subset.Options()
    options.layout_features = ["*"]  # ssty, dtls, ... as the browser's math layout asks
    options.hinting = False
    options.name_IDs = ["*"]  # the licence and the font's names stay
    options.notdef_outline = True
    options.flavor = "woff2"
    tt = TTFont(str(font), recalcTimestamp=False)  # byte-identical builds
    cutter = ft_subset.Subsetter(options)
    cutter.populate(unicodes=sorted(ord(c) for c in keep))
    cutter.subset(tt)
    tt.flavor = "woff2"
    buf = io.BytesIO()
    tt.save(buf)
    data = buf.getvalue()
    cache_dir.mkdir(parents=True, exist_ok=True)
    for old in cache_dir.glob("*.woff2"):  # one font per cache: the newest set replaces it
        old.unlink(missing_ok=True)
    atomic_write(cached, data)
    return data
