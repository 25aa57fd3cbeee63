"""Input checks shared by the snippets: every error names the argument, the value and the need."""

from __future__ import annotations

import numbers

import numpy as np


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"[:120]


def as_float_array(
    name: str, value, ndim: int | None = None, min_rows: int = 0, keep_float: bool = False
) -> np.ndarray:
    """`value` as a finite float64 array of `ndim` dimensions (and at least `min_rows` rows).

    With `keep_float`, a float32/float16 array keeps its dtype (no copy): for layers whose
    speed matters on large inputs, as PyTorch's do."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected a numeric array, got {_describe(value)}")
    if isinstance(value, np.ndarray) and value.dtype == bool:
        raise TypeError(f"{name}: expected a numeric array, got a boolean array")
    try:
        floating = isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating)
        arr = value if keep_float and floating else np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected a numeric array, got {_describe(value)}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got shape {arr.shape}")
    if min_rows and arr.shape[0] < min_rows:
        raise ValueError(
            f"{name}: expected at least {min_rows} row(s) (samples), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name}: expected finite values, got {bad} NaN or inf entries")
    return arr


def positive_int(name: str, value) -> int:
    """`value` as an int ≥ 1 (bools are refused: `True` is not a size)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected a positive int, got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value}")
    return int(value)


def positive_float(name: str, value) -> float:
    """`value` as a finite float > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a positive number, got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a finite number > 0, got {value!r}")
    return value


def choice(name: str, value, allowed) -> str:
    """`value` if it is one of the strings in `allowed`."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {sorted(allowed)}, got {_describe(value)}")
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {sorted(allowed)}, got {value!r}")
    return value


def generator(name: str, value) -> np.random.Generator:
    """A `np.random.Generator` from a Generator or an int seed (no global RNG anywhere)."""
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name}: expected a numpy Generator or an int seed, got {_describe(value)}"
        )
    return np.random.default_rng(int(value))
