"""Seed sets: the seeds an experiment runs on, and a disjoint second set that re-checks its claims.

A page quotes the numbers of seed set 0. The test suite re-runs every snippet's `claims()` on
seed set 1, which shares no seed with set 0: a conclusion that holds only for one set of random
draws (what another machine's rounding would do to a single trajectory) fails there.
"""

from __future__ import annotations

SEED_SETS = (0, 1)  # the default set, and the second set the tests re-check claims on
_STRIDE = 1000  # set s uses seeds s*1000 ...: disjoint for experiments of up to 1000 seeds


def seeds(n: int, seed_set: int = 0) -> tuple[int, ...]:
    """`n` seeds of seed set `seed_set`: 0 … n-1 for set 0, 1000 … 1000+n-1 for set 1."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n: expected an int, got {type(n).__name__} {n!r}")
    if not 1 <= n <= _STRIDE:
        raise ValueError(f"n: expected 1 <= n <= {_STRIDE}, got {n}")
    if isinstance(seed_set, bool) or not isinstance(seed_set, int):
        raise TypeError(f"seed_set: expected an int, got {type(seed_set).__name__} {seed_set!r}")
    if seed_set not in SEED_SETS:
        raise ValueError(f"seed_set: expected one of {SEED_SETS}, got {seed_set}")
    return tuple(range(_STRIDE * seed_set, _STRIDE * seed_set + n))
