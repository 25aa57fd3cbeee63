"""Formulas rendered to MathML at build time with Temml under Node: pages ship no math JavaScript.

pymdownx.arithmatex (generic mode) leaves each formula in the page as `\\(...\\)` inside
`<span class="arithmatex">` or `\\[...\\]` inside `<div class="arithmatex">`. `render_page`
replaces each with MathML, which every current browser lays out natively and screen readers
read. Browsers need a font with an OpenType MATH table for stretchy brackets and big operators,
so the site serves STIX Two Math itself (no font from another origin).

Why Temml and not KaTeX's HTML: on the backpropagation page KaTeX's HTML+MathML output weighed
about 300 KB; Temml's MathML is a fifth of that, with no web-font set to match. Results are
cached by content in one JSON file, so Node starts only when a formula is new, and then one
Node process renders all new formulas of the build.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
from pathlib import Path

from scripts import mathfont
from scripts.files import atomic_write

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
TEMML_DIR = NODE_MODULES / "temml"
FONT = (
    NODE_MODULES
    / "@fontsource"
    / "stix-two-math"
    / "files"
    / "stix-two-math-latin-400-normal.woff2"
)
RENDERER = HERE / "temml_render.mjs"
ASSET_DIR = "assets/math"  # where the stylesheet and fonts go in the site
STYLESHEET = f"{ASSET_DIR}/temml.css"

MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex"(?: data-search-exclude="math")?>(?P<body>.*?)'
    r"</(?P=tag)>",
    re.S,
)
MATH_OPEN = re.compile(r'<(?:span|div) class="arithmatex"(?=>)')  # a formula's opening tag
INLINE = re.compile(r"^\\\((?P<tex>.*)\\\)$", re.S)
DISPLAY = re.compile(r"^\\\[(?P<tex>.*)\\\]$", re.S)


class MathError(ValueError):
    """A formula Temml cannot render, or Temml missing; the message says which page."""


def temml_version() -> str:
    try:
        version = json.loads((TEMML_DIR / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError) as exc:
        raise MathError(
            f"Temml is not installed in {TEMML_DIR}: run `make setup` "
            "(or `npm ci --prefix scripts`)"
        ) from exc
    if not FONT.is_file():
        raise MathError(f"the math font {FONT} is missing: run `make setup`")
    return version


class Renderer:
    """Renders TeX with a cache file; `close()` saves the cache and stops Node."""

    def __init__(self, cache_file: Path) -> None:
        self.version = temml_version()
        self.cache_file = Path(cache_file)
        self.cache: dict[str, str] = {}
        try:
            data = json.loads(self.cache_file.read_text())
            if isinstance(data, dict) and data.get("temml") == self.version:
                self.cache = {k: v for k, v in data["mathml"].items() if isinstance(v, str)}
        except (OSError, ValueError, KeyError, AttributeError):
            self.cache = {}  # missing or corrupt: start over, never trust it
        self.dirty = False
        self.node: subprocess.Popen | None = None
        self.rendered = 0
        self.chars: dict[str, set[str]] = {}  # page -> what its formulas draw: the font keeps it

    def _key(self, tex: str, display: bool) -> str:
        return hashlib.sha256(f"{int(display)}\0{tex}".encode()).hexdigest()[:32]

    def _node(self) -> subprocess.Popen:
        if self.node is None:
            try:
                self.node = subprocess.Popen(
                    ["node", str(RENDERER)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                    cwd=HERE,
                )
            except OSError as exc:
                raise MathError(f"cannot start Node.js to render formulas: {exc}") from exc
        return self.node

    def render(self, tex: str, display: bool) -> str:
        key = self._key(tex, display)
        if key in self.cache:
            return self.cache[key]
        node = self._node()
        node.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
        node.stdin.flush()
        line = node.stdout.readline()
        if not line:
            raise MathError("the Temml renderer (Node) stopped unexpectedly")
        reply = json.loads(line)
        if "error" in reply:
            raise MathError(reply["error"])
        self.cache[key] = reply["mathml"]
        self.dirty = True
        self.rendered += 1
        return reply["mathml"]

    def render_page(self, page_html: str, page: str) -> str:
        """Every arithmatex formula in `page_html` replaced by MathML; what they draw is kept
        in `chars[page]`."""
        drawn = self.chars[page] = set()

        def one(m: re.Match) -> str:
            body = html.unescape(m.group("body")).strip()
            d = DISPLAY.match(body)
            i = None if d else INLINE.match(body)
            if not (d or i):
                raise MathError(f"{page}: unexpected math markup {body[:80]!r}")
            tex = (d or i).group("tex")
            try:
                out = self.render(tex.strip(), display=bool(d))
            except MathError as exc:
                raise MathError(f"{page}: formula {tex.strip()[:120]!r}: {exc}") from None
            drawn.update(mathfont.chars_of(out))
            return f'<div class="math">{out}</div>' if d else out

        return MATH.sub(one, page_html)

    def close(self) -> None:
        if self.node is not None:
            self.node.stdin.close()
            self.node.wait(timeout=10)
            self.node = None
        if self.dirty:
            data = {"temml": self.version, "mathml": self.cache}
            atomic_write(self.cache_file, json.dumps(data, sort_keys=True).encode())
            self.dirty = False


def stylesheet() -> bytes:
    """Temml's stylesheet for STIX Two Math, pointing at the font the site serves. Text never
    waits for the font (`font-display: swap`): a formula is drawn at once in a fallback font and
    redrawn when the font arrives, which pages preload."""
    css = (TEMML_DIR / "dist" / "Temml-STIX2.css").read_text()
    css = css.replace("url('./STIXTwoMath.woff2')", "url('STIXTwoMath.woff2')")
    if "url('STIXTwoMath.woff2')" not in css:
        raise MathError("Temml-STIX2.css no longer names STIXTwoMath.woff2: update mathrender.py")
    face = re.compile(r"(@font-face\s*\{)")
    if len(face.findall(css)) != 1:
        raise MathError("Temml-STIX2.css no longer has one @font-face: update mathrender.py")
    return face.sub(r"\1\n  font-display: swap;", css).encode()


FONT_URI = f"{ASSET_DIR}/STIXTwoMath.woff2"


def write_font(site_dir: Path, chars: set[str], cache_dir: Path) -> Path:
    """The math font, cut to `chars` (mathfont.subset), written into the built site."""
    out = Path(site_dir) / FONT_URI
    data = mathfont.subset(FONT, chars, cache_dir)
    if not (out.is_file() and out.read_bytes() == data):
        atomic_write(out, data)
    return out
