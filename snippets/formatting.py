"""Number formatting for the values a page quotes: plain decimals and LaTeX matrices."""

from __future__ import annotations

import numpy as np


def fmt(x: float, digits: int = 4) -> str:
    """`x` rounded to `digits` decimals, without a negative zero (LaTeX typesets the hyphen as a
    minus sign in math)."""
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"x: expected a finite number, got {x!r}")
    s = f"{x:.{digits}f}"
    if float(s) == 0.0:
        s = s.lstrip("-")
    return s


def tex_matrix(a, digits: int = 4) -> str:
    """A 1-D or 2-D array as a LaTeX `bmatrix` (1-D arrays become a row)."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise ValueError(f"a: expected a 1-D or 2-D array, got shape {a.shape}")
    rows = [" & ".join(fmt(v, digits) for v in row) for row in a]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def tex_sci(x: float, digits: int = 1) -> str:
    """`x` in scientific notation for LaTeX, e.g. `1.2 \\times 10^{-7}`."""
    x = float(x)
    if not np.isfinite(x):
        raise ValueError(f"x: expected a finite number, got {x!r}")
    mantissa, exponent = f"{x:.{digits}e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"
