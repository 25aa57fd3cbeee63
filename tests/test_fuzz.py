"""Fuzzed input for every public snippet function: junk in, only a clear error out.

Each public function that takes arguments is called with random arguments drawn from a pool of
valid-looking and invalid values (wrong types, NaN, inf, empty and oddly shaped arrays, bad
hyper-parameters). It may return, or raise ValueError / TypeError with a message; any other
exception, or running past the time limit, fails the test.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import signal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import snippets

SKIP_MODULES = {"plotting"}  # drawing helpers: tested in test_pipeline
# page modules (ml0034_backpropagation, ...) run their experiments when imported and hold no
# reference function: their own tests cover them
PAGE_MODULE = re.compile(r"^(ml|dl)\d{4}_")
TIME_LIMIT = 5  # seconds per call


def public_functions():
    out = []
    for info in pkgutil.iter_modules(snippets.__path__):
        if info.name in SKIP_MODULES or PAGE_MODULE.match(info.name):
            continue
        module = importlib.import_module(f"snippets.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("_") or name in ("figures", "values", "claims", "data"):
                continue
            if not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            required = [
                p
                for p in inspect.signature(fn).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            if required:  # functions without arguments are the pages' experiments
                out.append(pytest.param(fn, len(required), id=f"{info.name}.{name}"))
    return out


def arrays():
    shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
    # large but not at the edge of float64: overflow of sums near 1e308 is not guarded
    fill = st.sampled_from([0.0, 1.0, -2.5, np.nan, np.inf, -1e150])
    return st.builds(
        lambda shape, v, seed: np.where(
            np.random.default_rng(seed).random(shape) < 0.8,
            np.random.default_rng(seed + 1).normal(size=shape),
            v,
        ),
        shapes,
        fill,
        st.integers(0, 1000),
    )


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 6),
    st.sampled_from([0.0, -1.0, 0.5, 2.5, float("nan"), float("inf")]),
    st.text(max_size=3),
    st.lists(st.integers(-2, 4), max_size=4),
    st.tuples(st.integers(-1, 4), st.integers(-1, 4)),
    arrays(),
    st.just({}),
)


class TimeLimit(Exception):
    pass


def _expire(signum, frame):
    raise TimeLimit


@pytest.mark.parametrize(("fn", "n_args"), public_functions())
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI stays deterministic
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_junk_in_gives_a_clear_error_or_a_result(fn, n_args, data):
    args = [data.draw(JUNK, label=f"arg{i}") for i in range(n_args)]
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.alarm(TIME_LIMIT)
    try:
        fn(*args)
    except (ValueError, TypeError) as exc:
        assert str(exc).strip(), f"{fn.__name__} raised {type(exc).__name__} without a message"
    except TimeLimit:
        pytest.fail(f"{fn.__name__} ran past {TIME_LIMIT} s on {args!r}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
