"""Search spaces and trials: what every hyper-parameter search strategy is built on.

A search space is a tuple of named dimensions (`Dim`: bounds, linear or log scale, real or
integer). Strategies work on the unit cube [0, 1]^d: `from_unit` maps its points to
hyper-parameter values and `to_unit` maps values back. A `Trial` is one evaluated
configuration; `evaluate` runs the objective (a score to *maximize*) and checks its score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from snippets import checks


@dataclass(frozen=True)
class Dim:
    """One hyper-parameter: a name, bounds `low < high`, and how to sample between them.

    `log=True` spaces the values evenly in log(value) (needs `low > 0`): a learning rate in
    [1e-4, 1] spends as many trials in [1e-4, 1e-3] as in [0.1, 1]. `integer=True` rounds the
    value to the nearest integer (bounds must be integers), e.g. a batch size or a width.
    """

    name: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name: expected a non-empty str, got {checks.describe(self.name)}")
        low = checks.number(f"{self.name}.low", self.low)
        high = checks.number(f"{self.name}.high", self.high)
        checks.flag(f"{self.name}.log", self.log)
        checks.flag(f"{self.name}.integer", self.integer)
        if not low < high:
            raise ValueError(f"{self.name}: expected low < high, got low={low!r}, high={high!r}")
        if self.log and low <= 0:
            raise ValueError(f"{self.name}.low: expected > 0 on a log scale, got {low!r}")
        if self.integer and (low != round(low) or high != round(high)):
            raise ValueError(
                f"{self.name}: expected integer bounds for an integer dimension, "
                f"got low={low!r}, high={high!r}"
            )


Space = tuple[Dim, ...]


def check_space(space) -> Space:
    """`space` as a tuple of `Dim`s with distinct names.

    Accepts a sequence of `Dim`s, or a mapping name → `(low, high)` or `(low, high, "log")`
    (or `"linear"`), e.g. `{"lr": (1e-4, 1.0, "log"), "dropout": (0.0, 0.5)}`.
    """
    if isinstance(space, Mapping):
        dims = []
        for name, spec in space.items():
            if isinstance(spec, Dim):
                dims.append(spec)
                continue
            if not isinstance(spec, (tuple, list)) or len(spec) not in (2, 3):
                raise TypeError(
                    f"space[{name!r}]: expected (low, high) or (low, high, scale), got {spec!r}"
                )
            scale = spec[2] if len(spec) == 3 else "linear"
            scale = checks.choice(f"space[{name!r}] scale", scale, ("linear", "log"))
            dims.append(Dim(name, spec[0], spec[1], log=scale == "log"))
        space = dims
    if isinstance(space, (str, bytes)) or not isinstance(space, Sequence) or len(space) == 0:
        raise TypeError(
            "space: expected a non-empty sequence of Dim or a mapping name → (low, high[, "
            f"scale]), got {type(space).__name__}"
        )
    for i, d in enumerate(space):
        if not isinstance(d, Dim):
            raise TypeError(f"space[{i}]: expected a Dim, got {type(d).__name__}")
    names = [d.name for d in space]
    if len(set(names)) != len(names):
        raise ValueError(f"space: expected distinct names, got {names}")
    return tuple(space)


def unit_to_values(space, U) -> np.ndarray:
    r"""Map points of the unit cube to hyper-parameter values, as an array.

    Parameters
    ----------
    space : search space (see `check_space`), d dimensions
    U : array of shape (n, d) with entries in [0, 1]

    Returns
    -------
    array of shape (n, d): values, integer dimensions rounded to the nearest integer

    Notes
    -----
    Linear: :math:`x = a + u (b - a)`. Log: :math:`x = \exp(\ln a + u (\ln b - \ln a))`,
    so :math:`\ln x` is uniform when :math:`u` is.
    """
    space = check_space(space)
    U = checks.as_float_array("U", U, ndim=2)
    if U.shape[1] != len(space):
        raise ValueError(f"U: expected shape (n, {len(space)}) for the space, got {U.shape}")
    if U.size and (U.min() < 0 or U.max() > 1):
        raise ValueError(f"U: expected entries in [0, 1], got [{U.min()}, {U.max()}]")
    # --8<-- [start:unit_to_values]
    V = np.empty_like(U)
    for j, d in enumerate(space):
        if d.log:
            x = np.exp(np.log(d.low) + U[:, j] * (np.log(d.high) - np.log(d.low)))
        else:
            x = d.low + U[:, j] * (d.high - d.low)
        x = np.clip(x, d.low, d.high)  # exp(log(b)) can overshoot b by one ulp
        V[:, j] = np.rint(x) if d.integer else x
    return V
    # --8<-- [end:unit_to_values]


def values_to_unit(space, V) -> np.ndarray:
    """The inverse of `unit_to_values`: values of shape (n, d) inside the bounds → the unit
    cube, shape (n, d)."""
    space = check_space(space)
    V = _inside(space, "V", checks.as_float_array("V", V, ndim=2))
    # --8<-- [start:values_to_unit]
    U = np.empty_like(V)
    for j, d in enumerate(space):
        if d.log:
            U[:, j] = (np.log(V[:, j]) - np.log(d.low)) / (np.log(d.high) - np.log(d.low))
        else:
            U[:, j] = (V[:, j] - d.low) / (d.high - d.low)
    return np.clip(U, 0.0, 1.0)
    # --8<-- [end:values_to_unit]


def from_unit(space, U) -> list[dict[str, float]]:
    """`unit_to_values` as a list of n dicts name → value (an int for integer dimensions), the
    form an objective takes."""
    space = check_space(space)
    V = unit_to_values(space, U)
    return [{d.name: int(v) if d.integer else float(v) for d, v in zip(space, row)} for row in V]


def to_unit(space, points) -> np.ndarray:
    """The inverse of `from_unit`: a list of n dicts (or one dict) → array (n, d) in [0, 1]."""
    space = check_space(space)
    if isinstance(points, Mapping):
        points = [points]
    if not isinstance(points, Sequence) or isinstance(points, (str, bytes)):
        raise TypeError(f"points: expected a list of dicts, got {type(points).__name__}")
    rows = []
    for i, p in enumerate(points):
        if not isinstance(p, Mapping):
            raise TypeError(f"points[{i}]: expected a dict name → value, got {type(p).__name__}")
        for d in space:
            if d.name not in p:
                raise ValueError(f"points[{i}]: expected a value for {d.name!r}, got {p!r}")
            if isinstance(p[d.name], (bool, np.bool_)):
                raise TypeError(f"points[{i}][{d.name!r}]: expected a number, got {p[d.name]!r}")
        rows.append([p[d.name] for d in space])
    V = checks.as_float_array("points", rows, ndim=2) if rows else np.empty((0, len(space)))
    return values_to_unit(space, _inside(space, "points", V))


def _inside(space: Space, name: str, V: np.ndarray) -> np.ndarray:
    """`V` (n, d) if every column is inside its dimension's bounds (checked as one array:
    Bayesian search maps thousands of candidates per step)."""
    if V.shape[1] != len(space):
        raise ValueError(f"{name}: expected shape (n, {len(space)}) for the space, got {V.shape}")
    low, high = np.array([d.low for d in space]), np.array([d.high for d in space])
    outside = (V < low) | (V > high)
    if outside.any():
        i, j = np.argwhere(outside)[0]
        d, v = space[j], float(V[i, j])
        raise ValueError(
            f"{name}[{i}][{d.name!r}]: expected a value in [{d.low}, {d.high}], got {v!r}"
        )
    return V


@dataclass(frozen=True)
class Trial:
    """One evaluated configuration: its hyper-parameters and the score the objective returned."""

    params: dict
    score: float


Objective = Callable[[dict], float]


def evaluate(objective, params: dict, *args) -> Trial:
    """Run `objective(params, *args)` on a copy of `params`; the `Trial` with its score.

    The score must be a finite number: a search that maximizes a NaN learns nothing.
    """
    checks.function("objective", objective, "a callable(params dict) -> score")
    score = objective(dict(params), *args)
    try:
        score = checks.number("objective", score)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{exc} (the score for {params})") from None
    return Trial(dict(params), score)


def _check_trials(trials) -> list[Trial]:
    return checks.list_of("trials", trials, Trial)


def best_so_far(trials) -> np.ndarray:
    """The best score among the first t trials, for t = 1..n: shape (n,)."""
    return np.maximum.accumulate(np.array([t.score for t in _check_trials(trials)]))


def chosen(trials) -> Trial:
    """The trial a search hands back: the best validation score (the first of equals)."""
    trials = _check_trials(trials)
    return trials[int(np.argmax([t.score for t in trials]))]
