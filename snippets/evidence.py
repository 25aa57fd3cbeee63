"""The site's rule for reading an experiment over seeds, and the evidence text a claim shows.

Runs that are compared share their seed (same data, same initial weights), so the comparison is
made on the per-seed differences d = a − b:

- a **difference** is a finding when mean(d) > std(d) and d has the same sign in every seed but
  at most one;
- **no difference these seeds can resolve** when |mean(d)| ≤ std(d);
- anything between is neither, and a page says nothing about it.

std is the sample standard deviation (n − 1). Every function returns `(holds, evidence)`, the
pair a page module's `claims()` maps a claim name to.
"""

from __future__ import annotations

import itertools

import numpy as np

from snippets import checks

Claim = tuple[bool, str]


def _seeds(name: str, values) -> np.ndarray:
    d = checks.as_float_array(name, values, ndim=1)
    if d.size < 2:
        raise ValueError(f"{name}: expected values from at least 2 seeds, got {d.size}")
    return d


def mean_std(values) -> tuple[float, float]:
    """Mean and sample standard deviation (n − 1) over seeds."""
    x = _seeds("values", values)
    return float(x.mean()), float(x.std(ddof=1))


def spread(values, scale: float = 1.0, digits: int = 1, unit: str = "") -> str:
    """'mean ± std' of `values` × `scale`, e.g. '93.4 ± 1.2 %' for accuracies with scale 100."""
    m, s = mean_std(np.asarray(values, dtype=float) * scale)
    return f"{m:.{digits}f} ± {s:.{digits}f}{' ' + unit if unit else ''}"


def paired(a, b) -> np.ndarray:
    """Per-seed differences a − b of two runs that share their seeds."""
    a, b = _seeds("a", a), _seeds("b", b)
    if a.shape != b.shape:
        raise ValueError(f"b: expected {a.size} seeds like a, got {b.size}")
    return a - b


def direction(d) -> int:
    """+1 when d is a positive difference under the rule, −1 when negative, else 0."""
    d = _seeds("d", d)
    m, sd = float(d.mean()), float(d.std(ddof=1))
    n, pos, neg = d.size, int(np.sum(d > 0)), int(np.sum(d < 0))
    if m > sd and pos >= n - 1:
        return 1
    if -m > sd and neg >= n - 1:
        return -1
    return 0


def describe(d, scale: float = 1.0, digits: int = 1, unit: str = "") -> str:
    """The evidence a reader checks: each seed's difference, mean ± std, the sign count."""
    d = _seeds("d", d) * scale
    m, sd = float(d.mean()), float(d.std(ddof=1))
    each = ", ".join(f"{x:+.{digits}f}" for x in d)
    u = f" {unit}" if unit else ""
    return (
        f"per seed {each}{u}; mean {m:+.{digits}f} ± std {sd:.{digits}f}{u}; "
        f"positive in {int(np.sum(d > 0))} of {d.size} seeds"
    )


def beats(a, b, what: str, scale: float = 1.0, digits: int = 1, unit: str = "") -> Claim:
    """`a` is ahead of `b` (larger) by a difference the seeds resolve."""
    d = paired(a, b)
    text = f"{what}: {np.mean(a) * scale:.{digits}f} vs {np.mean(b) * scale:.{digits}f}; "
    return direction(d) == 1, text + describe(d, scale, digits, unit)


def not_ahead(a, b, what: str, scale: float = 1.0, digits: int = 1, unit: str = "") -> Claim:
    """`a` is not ahead of `b` by a difference the seeds resolve (`beats` negated)."""
    holds, text = beats(a, b, what, scale, digits, unit)
    return not holds, text


def no_difference(runs: dict, what: str, scale: float = 1.0, digits: int = 1) -> Claim:
    """No pair of `runs` (name → per-seed values) differs by more than the seeds resolve:
    |mean(d)| ≤ std(d) for every pair."""
    if not isinstance(runs, dict) or len(runs) < 2:
        raise ValueError(f"runs: expected a dict of at least 2 named runs, got {runs!r:.80}")
    ok, parts = True, []
    for x, y in itertools.combinations(runs, 2):
        d = paired(runs[x], runs[y]) * scale
        m, sd = float(d.mean()), float(d.std(ddof=1))
        ok = ok and abs(m) <= sd
        parts.append(f"{x} − {y} {m:+.{digits}f} ± {sd:.{digits}f}")
    means = ", ".join(f"{k} {np.mean(v) * scale:.{digits}f}" for k, v in runs.items())
    return ok, f"{what}: {means}; paired differences (mean ± std) " + ", ".join(parts)


def all_of(*claims: Claim) -> Claim:
    """Every one of `claims` holds; their evidence joined."""
    return all(h for h, _ in claims), "; ".join(e for _, e in claims)
