"""Input checks: the one validation module every reference function uses.

Each check returns the value in the form the caller computes with, or raises `TypeError` (wrong
kind of thing) or `ValueError` (right kind, bad value) with a message that names the argument,
what it got and what it expected.
"""

from __future__ import annotations

import numbers

import numpy as np


def describe(value) -> str:
    """A short description of `value` for an error message."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"[:120]


def is_int(value) -> bool:
    """An integer that is not a bool (`True` is not a size)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def as_float_array(
    name: str, value, ndim: int | None = None, min_rows: int = 0, keep_float: bool = False
) -> np.ndarray:
    """`value` as a finite float64 array of `ndim` dimensions (and at least `min_rows` rows).

    With `keep_float`, a float32/float16 array keeps its dtype (no copy): for layers whose
    speed matters on large inputs, as PyTorch's do."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected a numeric array, got {describe(value)}")
    if isinstance(value, np.ndarray) and value.dtype == bool:
        raise TypeError(f"{name}: expected a numeric array, got a boolean array")
    try:
        floating = isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating)
        arr = value if keep_float and floating else np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected a numeric array, got {describe(value)}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got shape {arr.shape}")
    if min_rows and arr.shape[0] < min_rows:
        raise ValueError(
            f"{name}: expected at least {min_rows} row(s) (samples), got shape {arr.shape}"
        )
    finite(name, arr)
    return arr


def float_array(name: str, value) -> np.ndarray:
    """`value` as a finite floating array: float dtypes are kept (as PyTorch keeps them),
    integers become float64; bools, strings, complex and ragged input are refused."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected a real numeric array, got {describe(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise TypeError(f"{name}: expected a real numeric array, got {describe(value)}") from exc
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(f"{name}: expected a real floating or integer array, got dtype {arr.dtype}")
    return finite(name, arr)


def finite(name: str, arr: np.ndarray) -> np.ndarray:
    """`arr` itself if every entry is finite."""
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name}: expected finite values, got {bad} NaN or inf entries")
    return arr


def integer(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """`value` as an int in [minimum, maximum] (either bound optional; bools are refused)."""
    span = _span(minimum, maximum)
    if not is_int(value):
        raise TypeError(f"{name}: expected an int{span}, got {describe(value)}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name}: expected an int{span}, got {value}")
    return int(value)


def positive_int(name: str, value) -> int:
    """`value` as an int ≥ 1."""
    return integer(name, value, minimum=1)


def number(
    name: str,
    value,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    open_min: bool = False,
    open_max: bool = False,
) -> float:
    """`value` as a finite float in the interval from `minimum` to `maximum` (either bound
    optional; `open_min`/`open_max` exclude the bound itself). Bools are refused."""
    lo = "" if minimum is None else f"{'>' if open_min else '>='} {minimum:g}"
    hi = "" if maximum is None else f"{'<' if open_max else '<='} {maximum:g}"
    need = "a finite number" + (f" {lo}" if lo else "") + (f" and {hi}" if lo and hi else hi)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected {need}, got {describe(value)}")
    value = float(value)
    bad = not np.isfinite(value)
    if minimum is not None:
        bad = bad or value < minimum or (open_min and value == minimum)
    if maximum is not None:
        bad = bad or value > maximum or (open_max and value == maximum)
    if bad:
        raise ValueError(f"{name}: expected {need}, got {value!r}")
    return value


def positive_float(name: str, value) -> float:
    """`value` as a finite float > 0."""
    return number(name, value, 0.0, open_min=True)


def non_negative(name: str, value) -> float:
    """`value` as a finite float ≥ 0."""
    return number(name, value, 0.0)


def probability(name: str, value) -> float:
    """`value` as a float in [0, 1]."""
    return number(name, value, 0.0, 1.0)


def flag(name: str, value) -> bool:
    """`value` if it is a bool (numpy's included); 0, 1 and strings are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a bool, got {describe(value)}")
    return bool(value)


def pair(name: str, value, minimum: int) -> tuple[int, int]:
    """An int or an (h, w) pair of ints, each ≥ `minimum`, as a pair; a one-element sequence
    counts as an int, as PyTorch's `_pair` accepts it."""
    if is_int(value):
        value = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 1 and is_int(value[0]):
        value = (value[0], value[0])
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and all(map(is_int, value))):
        raise TypeError(f"{name}: expected an int or a pair of ints (h, w), got {describe(value)}")
    h, w = int(value[0]), int(value[1])
    if h < minimum or w < minimum:
        raise ValueError(f"{name}: expected values >= {minimum}, got ({h}, {w})")
    return h, w


def choice(name: str, value, allowed) -> str:
    """`value` if it is one of the strings in `allowed`."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {sorted(allowed)}, got {describe(value)}")
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {sorted(allowed)}, got {value!r}")
    return value


def list_of(name: str, value, kind: type) -> list:
    """`value` as a non-empty list of `kind` instances (a list or tuple; a lone instance or a
    string is refused)."""
    if not isinstance(kind, type):
        raise TypeError(f"kind: expected a class, got {describe(kind)}")
    what = kind.__name__
    if isinstance(value, kind):
        raise TypeError(f"{name}: expected a list of {what}, got a single {what} (wrap it in [ ])")
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name}: expected a list of {what}, got {type(value).__name__}")
    if len(value) == 0:
        raise ValueError(f"{name}: expected at least one {what}, got an empty list")
    for i, item in enumerate(value):
        if not isinstance(item, kind):
            raise TypeError(f"{name}[{i}]: expected a {what}, got {type(item).__name__}")
    return list(value)


def function(name: str, value, what: str = "a callable"):
    """`value` if it can be called."""
    if not callable(value):
        raise TypeError(f"{name}: expected {what}, got {describe(value)}")
    return value


def generator(name: str, value) -> np.random.Generator:
    """A `np.random.Generator` from a Generator or an int seed (no global RNG anywhere)."""
    if isinstance(value, np.random.Generator):
        return value
    if not is_int(value):
        raise TypeError(f"{name}: expected a numpy Generator or an int seed, got {describe(value)}")
    if value < 0:
        raise ValueError(f"{name}: expected a seed >= 0, got {int(value)}")
    return np.random.default_rng(int(value))


def _span(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f" in {minimum}..{maximum}"
    if minimum is not None:
        return f" >= {minimum}"
    return "" if maximum is None else f" <= {maximum}"
