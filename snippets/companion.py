"""Figures in a page module's notebook: `show(draw)` displays one as a compact PNG.

A page module's cells call `show(draw)` to display one of its figures. Run as a notebook (by the
build, which records the image, or by a reader's kernel) it displays; run as a plain import (by
the tests, say) it does nothing, so importing stays cheap.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from matplotlib.figure import Figure

from snippets.plotting import LIGHT, Theme, themed

NOTEBOOK_DPI = 90
NOTEBOOK_COLOURS = 64


def figure_png(draw: Callable[[Theme], Figure]) -> bytes:
    """A figure of the page in the light theme on white, as a compact 64-colour PNG (a tenth of
    the size of a full-colour one, and the notebook stays light)."""
    from PIL import Image

    if not callable(draw):
        raise TypeError(f"draw: expected a function Theme -> Figure, got {type(draw).__name__}")
    with themed(LIGHT):
        fig = draw(LIGHT)
        if not isinstance(fig, Figure):
            raise TypeError(f"draw: expected it to return a Figure, got {type(fig).__name__}")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=NOTEBOOK_DPI, facecolor="white")
    small = io.BytesIO()
    Image.open(buf).convert("RGB").quantize(NOTEBOOK_COLOURS).save(small, "png", optimize=True)
    return small.getvalue()


def show(draw: Callable[[Theme], Figure]) -> None:
    """Display the figure `draw` makes (light theme, compact PNG) in a running IPython shell or
    Jupyter kernel; anywhere else, do nothing (the site's figures are SVGs drawn by the build)."""
    if not callable(draw):
        raise TypeError(f"draw: expected a function Theme -> Figure, got {type(draw).__name__}")
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        return
    if get_ipython() is not None:
        display(Image(data=figure_png(draw)))
