"""Figure style: light and dark themes, a colour-blind-safe palette, deterministic SVG.

The one place that decides how figures look. A snippet's figure function takes a `Theme`, draws
on `new_figure(theme, ...)` with the theme's colours, and returns the Figure; the build calls it
inside `themed(theme)` and saves it with `to_svg`, which gives the same bytes on every run.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}


@dataclass(frozen=True)
class Theme:
    """Colours for one page scheme; `palette[0]` and `palette[1]` are the two main series."""

    name: str
    fg: str  # text and important lines
    muted: str  # axes, ticks, secondary lines
    grid: str
    bg: str  # the page background the figure sits on (figures themselves are transparent)
    palette: tuple[str, ...]


LIGHT = Theme(
    name="light",
    fg="#1f2328",
    muted="#57606a",
    grid="#d8dee4",
    bg="#ffffff",
    palette=tuple(OKABE_ITO[c] for c in ("blue", "vermillion", "green", "purple", "orange", "sky")),
)
DARK = Theme(
    name="dark",
    fg="#e6edf3",
    muted="#9da7b3",
    grid="#3a404a",
    bg="#1e2129",  # Material's slate scheme
    palette=tuple(
        OKABE_ITO[c] for c in ("sky", "orange", "green", "purple", "yellow", "vermillion")
    ),
)
THEMES = {"light": LIGHT, "dark": DARK}

SVG_SALT = "ml-interview-questions"


def _rc(theme: Theme) -> dict[str, object]:
    return {
        "font.family": "DejaVu Sans",  # ships with matplotlib: same glyphs on every machine
        "font.size": 12,
        "axes.titlesize": 13,
        "axes.labelsize": 12,
        "legend.fontsize": 11,
        "text.color": theme.fg,
        "axes.labelcolor": theme.fg,
        "axes.edgecolor": theme.muted,
        "axes.facecolor": "none",
        "axes.grid": True,
        "axes.axisbelow": True,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": matplotlib.cycler(color=list(theme.palette)),
        "grid.color": theme.grid,
        "grid.linewidth": 0.8,
        "xtick.color": theme.muted,
        "ytick.color": theme.muted,
        "xtick.labelcolor": theme.fg,
        "ytick.labelcolor": theme.fg,
        "lines.linewidth": 2.0,
        "legend.frameon": False,
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
        "svg.fonttype": "path",  # text as shared glyph paths: exact look, no font needed
        "svg.hashsalt": SVG_SALT,
        "svg.image_inline": True,
        "path.simplify": True,
    }


@contextmanager
def themed(theme: Theme) -> Iterator[Theme]:
    """Apply `theme` to everything drawn (and saved) inside the block."""
    if not isinstance(theme, Theme):
        raise TypeError(f"theme: expected a plotting.Theme, got {type(theme).__name__}")
    with matplotlib.rc_context(_rc(theme)):
        yield theme


def new_figure(theme: Theme, ncols: int = 1, width: float = 6.4, height: float = 3.6):
    """A Figure with `ncols` axes side by side, sized in inches; returns `(fig, axes)`."""
    if not isinstance(theme, Theme):
        raise TypeError(f"theme: expected a plotting.Theme, got {type(theme).__name__}")
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols: expected a positive int, got {ncols!r}")
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, (axes[0] if ncols == 1 else tuple(axes))


_ID_COMMENT = re.compile(rb"<!--.*?-->\s*", re.S)
_GEOMETRY = re.compile(rb'( (?:d|x|y|points)=")([^"]*)(")')
_LONG_DECIMAL = re.compile(rb"(-?\d+\.\d{2})\d+")


_MARKER_GROUP = re.compile(rb'(<g clip-path="[^"]*")>((?:\s*<use [^>]*/>)+)(\s*</g>)')
_USE_STYLE = re.compile(rb' style="([^"]*)"')


def _hoist_marker_style(m: re.Match) -> bytes:
    # matplotlib repeats a marker's style on every <use>; one copy on the group does the same
    styles = set(_USE_STYLE.findall(m.group(2)))
    if len(styles) != 1:
        return m.group(0)
    style = styles.pop()
    return m.group(1) + b' style="' + style + b'">' + _USE_STYLE.sub(b"", m.group(2)) + m.group(3)


def _round_geometry(m: re.Match) -> bytes:
    # positions in pt to 1/100: invisible on screen, and a third of the file
    return m.group(1) + _LONG_DECIMAL.sub(rb"\1", m.group(2)) + m.group(3)


def to_svg(fig: Figure) -> bytes:
    """Serialise `fig` as SVG with no date, no creator and fixed ids: same input, same bytes."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig: expected a matplotlib Figure, got {type(fig).__name__}")
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": SVG_SALT}):
        fig.savefig(buf, format="svg", dpi=200, metadata={"Date": None, "Creator": None})
    svg = _ID_COMMENT.sub(b"", buf.getvalue())
    svg = _MARKER_GROUP.sub(_hoist_marker_style, svg)
    return _GEOMETRY.sub(_round_geometry, svg)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class _PlainLogFormatter(LogFormatterSciNotation):
    """matplotlib's log-axis tick labels (10⁻³, 2×10⁻¹) as plain text: the same labels without
    the mathtext parser, which takes a fifth of the time to draw a figure with log axes."""

    def __call__(self, x, pos=None):
        label = super().__call__(x, pos)
        math = re.fullmatch(r"\$\\mathdefault\{(.*)\}\$", label)
        if math is None:
            return label
        body = math.group(1).replace(r"\times", "×")
        return re.sub(r"\^\{(-?\d+)\}", lambda e: e.group(1).translate(_SUPERSCRIPT), body)


def log_scale(ax, *which: str) -> None:
    """Log scales on the axes `which` ("x", "y") of `ax`, with plain-text tick labels."""
    for name in which:
        getattr(ax, f"set_{name}scale")("log")
        axis = getattr(ax, f"{name}axis")
        axis.set_major_formatter(_PlainLogFormatter())
        axis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))
