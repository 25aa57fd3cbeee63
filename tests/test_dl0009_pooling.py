"""Tests for snippets/dl0009_pooling.py, the page module of DL0009 · Pooling: its worked
example, border cases, shift experiment, figures and widget data. The pooling itself is tested in
tests/test_pooling.py; the claims are re-checked on a second seed set in tests/test_claims.py."""

from __future__ import annotations

import json

import numpy as np
import pytest

from snippets import dl0009_pooling as page
from snippets import pooling as pl


def test_worked_example_winners_and_the_padding_limit():
    # 3×3 windows, stride 1 on the 4×4 example: the 8 at (2, 2) wins three windows, the 9 one
    assert page.worked_example()["ov_winners"] == [(2, 2), (0, 3), (2, 2), (2, 2)]
    v = page.values()
    assert (v["ex_ov_busiest"], v["ex_ov_parts"], v["ex_ov_top"]) == ("8", "1 + 3 + 4", "8")
    # k = 3, s = 1, p = 2 on a row of 5, beyond PyTorch's limit: 7 windows
    assert v["edge_bigpad_n"] == pl.pool_output_size(5, 3, 1, 2) == 7


def test_widget_vectors_agree_with_the_loop_versions():
    vectors = page.data()["widget"]["vectors"]
    assert len(vectors) == 60 and json.loads(json.dumps(vectors)) == vectors
    for case in vectors[:20]:
        X = np.array(case["x"])[None]
        args = (case["kernel"], case["stride"], case["padding"], case["ceil_mode"])
        cip = case["count_include_pad"]
        dY = np.array(case["dy"])[None]
        np.testing.assert_array_equal(case["max"], pl.max_pool2d_naive(X, *args)[0])
        np.testing.assert_allclose(case["avg"], pl.avg_pool2d_naive(X, *args, cip)[0])
        np.testing.assert_allclose(case["max_grad"], pl.max_pool2d_backward_naive(dY, X, *args)[0])
        np.testing.assert_allclose(
            case["avg_grad"], pl.avg_pool2d_backward_naive(dY, X.shape, *args, cip)[0]
        )


def test_shift_table_uses_the_sample_standard_deviation():
    runs = page.shift_runs(0)["blur"]["rel_change"]
    mean, sd = 100 * runs.mean(), 100 * runs.std(ddof=1)
    assert page.values()["shift_blur_change"] == f"{mean:.1f} ± {sd:.1f}"


def test_worked_example_numbers():
    e = page.worked_example()
    np.testing.assert_array_equal(e["max"], [[6, 9], [4, 8]])
    np.testing.assert_allclose(e["avg"], [[3.75, 4.75], [2.25, 4.5]])
    np.testing.assert_array_equal(e["ov_dX_max"].max(), 1 + 3 + 4)  # the 8 wins three windows
    c = page.edge_cases()
    assert c["grad_sum_incl"] == pytest.approx((4 + 6 + 4 + 6 + 9 + 6 + 4 + 6 + 4) / 9)
    assert c["grad_sum_excl"] == pytest.approx(9.0)
    assert (c["ceil_5_p1_raw"], c["ceil_5_p1"]) == (4, 3)
    assert c["neg_zero_wins"] == 8  # every window but the centre one touches the border
    v = page.values()
    assert v["ex_ov_wins"] == 3 and v["edge_ceil_5_p1_last_start"] == 5 and v["edge_ceil_6_n"] == 4
    for key, value in v.items():
        assert "nan" not in str(value).lower(), key


def test_one_pixel_shift_row():
    r = page.shift_row()
    x = np.array(page.SHIFT_ROW)
    y = np.concatenate([[page.SHIFT_NEW], x[:-1]])
    mx = [max(x[i : i + 3]) for i in range(len(x) - 2)]
    my = [max(y[i : i + 3]) for i in range(len(y) - 2)]
    assert sum(a == b for a, b in zip(mx, my)) == int(np.sum(r["max"] == r["max_shift"])) == 5
    # a mean moves by (entering - leaving)/3; no window of this row swaps equal values
    np.testing.assert_allclose(r["avg_shift"] - r["avg"], (y[:-2] - x[2:]) / 3, atol=1e-15)
    assert np.all(r["avg"] != r["avg_shift"])


def test_shift_experiment_shapes_and_exact_parts():
    """The experiment's structure and its exact parts; its conclusions are claims()."""
    r = page.shift_runs(0)
    for key, metrics in r.items():
        for name, arr in metrics.items():
            assert arr.shape == (page.SHIFT_SEEDS,), (key, name)
    for kind in ("max", "avg"):
        assert np.all(r[f"odd_{kind}"]["two_px_error"] == 0)  # two pixels = one cell, exactly
    c0, c1 = page.claims(0), page.claims(1)
    assert set(c0) == set(c1)
    for holds, evidence in c0.values():
        assert isinstance(holds, bool) and isinstance(evidence, str) and "$" not in evidence


def test_stride_two_is_equivariant_to_even_shifts_only():
    Z = page.feature_maps(np.random.default_rng(6), 4, 16, 1.0)  # (4, 1, 16, 17)
    for pool in (pl.max_pool2d, pl.avg_pool2d):
        base = pool(Z[..., 2:], 2)  # columns 2..16
        two = pool(Z[..., :-2], 2)  # the same maps moved right by two pixels
        np.testing.assert_array_equal(two[..., 1:], base[..., :-1])  # = moved by one cell
        one = pool(Z[..., 1:-1], 2)  # moved right by one pixel
        for m in range(3):  # no shift of the pooled map reproduces it
            assert not np.allclose(one[..., m:], base[..., : base.shape[-1] - m])


def test_max_blur_pool_matches_a_direct_loop():
    X = np.random.default_rng(3).standard_normal((2, 3, 9, 8))
    M = pl.max_pool2d(X, 2, 1)  # (2, 3, 8, 7)
    w = np.array([1.0, 2.0, 1.0])
    out = np.zeros((2, 3, 3, 3))
    for a in range(3):
        for b in range(3):
            patch = M[..., 2 * a : 2 * a + 3, 2 * b : 2 * b + 3]
            out[..., a, b] = np.einsum("ncij,i,j->nc", patch, w, w) / 16
    np.testing.assert_allclose(page.max_blur_pool(X), out, rtol=1e-12, atol=1e-12)
    # a constant map stays constant: the blur's weights sum to 1
    np.testing.assert_allclose(page.max_blur_pool(np.full((1, 1, 6, 6), 2.5)), 2.5, rtol=1e-12)


def test_max_output_stays_when_the_winner_stays_in_the_shared_cells():
    """The rule behind the max claim, by a loop over windows of one small map."""
    Z = page.feature_maps(np.random.default_rng(8), 1, 12, 1.0)[0, 0]  # (12, 13)
    X, Xs = Z[:, 1:], Z[:, :-1]  # Xs[:, c] == X[:, c - 1]
    k, s = 2, 2
    A, B = pl.max_pool2d(X[None, None], k, s)[0, 0], pl.max_pool2d(Xs[None, None], k, s)[0, 0]
    for a in range(A.shape[0]):
        for b in range(A.shape[1]):
            # in Z's columns: A's window is c0+1..c0+k, B's is c0..c0+k-1
            rows, c0 = slice(a * s, a * s + k), b * s
            shared = Z[rows, c0 + 1 : c0 + k].max()
            union = Z[rows, c0 : c0 + k + 1].max()
            if shared == union:
                assert A[a, b] == B[a, b]
            elif A[a, b] != 0 or B[a, b] != 0:
                assert A[a, b] != B[a, b]


def test_figures_are_small():
    # the strict build draws both themes; one theme is enough to check the size here
    from snippets.plotting import LIGHT, themed, to_svg

    with themed(LIGHT):
        for name, draw in page.figures().items():
            assert len(to_svg(draw(LIGHT))) < 60_000, name


def test_feature_maps_refuse_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="blur: expected a finite number >= 0 and < 1000"):
        page.feature_maps(rng, 2, 8, -1.0)
    with pytest.raises(TypeError, match="blur"):
        page.feature_maps(rng, 2, 8, True)
    with pytest.raises(ValueError, match="n_maps"):
        page.feature_maps(rng, 0, 8, 1.0)
    with pytest.raises(TypeError, match="rng"):
        page.feature_maps("seed", 2, 8, 1.0)
