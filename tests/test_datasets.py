"""Tests for snippets/datasets.py: shapes, balance, determinism, geometry, bad input."""

import numpy as np
import pytest

from snippets import datasets as ds


@pytest.mark.parametrize("make", [ds.two_moons, ds.circles, ds.spirals])
def test_shapes_balance_and_determinism(make):
    X, y = make(101, rng=3)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert set(np.unique(y)) == {0, 1} and abs(int(y.sum()) - 50) <= 1
    X2, y2 = make(101, rng=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(101, rng=4)[0])


def test_geometry_without_noise():
    X, y = ds.circles(40, noise=0.0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    X, y = ds.two_moons(40, noise=0.0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0)


def test_split_partitions_the_data():
    X, y = ds.two_moons(40)
    Xt, yt, Xv, yv = ds.train_val_split(X, y, 0.25, rng=1)
    assert len(Xv) == 10 and len(Xt) == 30
    both = np.concatenate([Xt, Xv])
    assert sorted(map(tuple, both)) == sorted(map(tuple, X))


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: ds.two_moons(0), ValueError, "n"),
        (lambda: ds.two_moons(10, noise=-1), ValueError, "noise"),
        (lambda: ds.circles(10, factor=1.5), ValueError, "factor"),
        (lambda: ds.spirals(10, rng="x"), TypeError, "rng"),
        (lambda: ds.train_val_split(np.ones((4, 2)), np.ones(3)), ValueError, "y"),
        (lambda: ds.train_val_split(np.ones((4, 2)), np.ones(4), 1.0), ValueError, "val_fraction"),
    ],
)
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


@pytest.mark.parametrize("rng", [-1, np.int64(-5)])
def test_a_negative_seed_is_refused_by_name(rng):
    # numpy's own message ("expected non-negative integer") would not say which argument
    with pytest.raises(ValueError, match=r"^rng: expected a seed >= 0, got -\d"):
        ds.two_moons(rng=rng)
