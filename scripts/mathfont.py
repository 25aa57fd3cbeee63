"""The math font cut down to the glyphs the site's formulas use.

STIX Two Math is 404 KB as shipped: 5,169 glyphs, of which the formulas use a few hundred.
`subset` keeps the characters the rendered MathML contains, the italic letters the browser
substitutes for single-letter identifiers (MathML's automatic italic: `<mi>x</mi>` is drawn as
U+1D465), and through the font's MATH table every size variant and assembly part of the
stretchy ones (brackets, sums, roots). Every OpenType feature is kept (`ssty` for script-size
glyphs among them); hinting is dropped. The result, about 30 KB of WOFF2, is cached by the
character set, the font file and the fontTools version, so a build that adds no new character
does not subset again.
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
ALWAYS = frozenset(" \u00a0")


def chars_of(mathml: str) -> set[str]:
    """The characters a MathML fragment draws (its text, entities decoded)."""
    out: set[str] = set()
    for text in MATHML_TEXT.findall(mathml):
        out.update(html.unescape(text))
    out.discard("\n")
    return out


def _key(font: Path, chars: set[str]) -> str:
    import fontTools

    h = hashlib.sha256()
    h.update(font.read_bytes())
    h.update(fontTools.version.encode())
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
