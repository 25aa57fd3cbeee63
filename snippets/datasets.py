"""Small generated data sets for the experiments: no downloads, every draw from a seed.

Each function returns `X` of shape (n, 2) and integer labels `y` of shape (n,).
"""

from __future__ import annotations

import numpy as np

from snippets import checks


def two_moons(n: int = 200, noise: float = 0.1, rng=0):
    """Two interleaved half circles (label 0 on top, 1 below), like scikit-learn's make_moons."""
    n = checks.positive_int("n", n)
    noise = _noise(noise)
    rng = checks.generator("rng", rng)
    n0 = n // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n - n0)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t0), np.sin(t0)]),
            np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)]),
        ]
    )
    y = np.concatenate([np.zeros(n0, int), np.ones(n - n0, int)])
    return _shuffle(X + noise * rng.standard_normal(X.shape), y, rng)


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, rng=0):
    """A small circle (label 1) inside a large one (label 0); `factor` is the radius ratio."""
    n = checks.positive_int("n", n)
    noise = _noise(noise)
    factor = checks.positive_float("factor", factor)
    if factor >= 1:
        raise ValueError(f"factor: expected a radius ratio in (0, 1), got {factor}")
    rng = checks.generator("rng", rng)
    n0 = n // 2
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n - n0, endpoint=False)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t0), np.sin(t0)]),
            factor * np.column_stack([np.cos(t1), np.sin(t1)]),
        ]
    )
    y = np.concatenate([np.zeros(n0, int), np.ones(n - n0, int)])
    return _shuffle(X + noise * rng.standard_normal(X.shape), y, rng)


def spirals(n: int = 200, noise: float = 0.05, turns: float = 1.5, rng=0):
    """Two interleaved spirals (labels 0 and 1), hard for shallow models."""
    n = checks.positive_int("n", n)
    noise = _noise(noise)
    turns = checks.positive_float("turns", turns)
    rng = checks.generator("rng", rng)
    n0 = n // 2
    parts = []
    for label, m in ((0, n0), (1, n - n0)):
        t = np.linspace(0.15, 1.0, m)
        angle = 2 * np.pi * turns * t + label * np.pi
        parts.append(np.column_stack([t * np.cos(angle), t * np.sin(angle)]))
    X = np.concatenate(parts)
    y = np.concatenate([np.zeros(n0, int), np.ones(n - n0, int)])
    return _shuffle(X + noise * rng.standard_normal(X.shape), y, rng)


def train_val_split(X, y, val_fraction: float = 0.25, rng=0):
    """Shuffle and split into (X_train, y_train, X_val, y_val)."""
    X = checks.as_float_array("X", X, ndim=2, min_rows=2)
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y: expected {X.shape[0]} labels to match X, got shape {y.shape}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction: expected a number in (0, 1), got {val_fraction!r}")
    rng = checks.generator("rng", rng)
    order = rng.permutation(X.shape[0])
    n_val = max(1, int(round(val_fraction * X.shape[0])))
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]


def _noise(noise) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float)):
        raise TypeError(f"noise: expected a number >= 0, got {noise!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise: expected a finite number >= 0, got {noise!r}")
    return float(noise)


def _shuffle(X, y, rng):
    order = rng.permutation(len(y))
    return X[order], y[order]
