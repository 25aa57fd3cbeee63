"""Tests for snippets/dl0015_batch_layer_group_normalization.py, the page module of DL0015 ·
Batch, Layer and Group Normalization: its worked example recomputed by loops over the index sets,
the statistics counts against real reductions, the experiment's vectorized batches against
DL0007's batch norm one batch at a time, the formulas it compares with, and its figures. Layer
and group norm themselves are tested in tests/test_normalization.py; the claims are re-checked
on a second seed set in tests/test_claims.py."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from snippets import dl0015_batch_layer_group_normalization as page
from snippets.batchnorm import BatchNorm, batchnorm_forward
from snippets.normalization import group_norm, layer_norm


def _mean_var(values: list[float]) -> tuple[float, float]:
    m = sum(values) / len(values)
    return m, sum((v - m) ** 2 for v in values) / len(values)


def test_worked_example_statistics_by_loops_over_their_index_sets():
    X = np.array(page.EXAMPLE_X, dtype=float)  # (N, C, P)
    N, C, P = X.shape
    G = page.EXAMPLE_GROUPS
    st = page.worked_example()["stats"]
    for c in range(C):
        m, v = _mean_var([X[n, c, p] for n in range(N) for p in range(P)])
        assert st["bn"][0][c] == pytest.approx(m) and st["bn"][1][c] == pytest.approx(v)
    for n in range(N):
        m, v = _mean_var([X[n, c, p] for c in range(C) for p in range(P)])
        assert st["ln"][0][n] == pytest.approx(m) and st["ln"][1][n] == pytest.approx(v)
        for c in range(C):
            m, v = _mean_var([X[n, c, p] for p in range(P)])
            assert st["in"][0][n, c] == pytest.approx(m) and st["in"][1][n, c] == pytest.approx(v)
        for g in range(G):
            chans = range(g * C // G, (g + 1) * C // G)
            m, v = _mean_var([X[n, c, p] for c in chans for p in range(P)])
            assert st["gn"][0][n, g] == pytest.approx(m) and st["gn"][1][n, g] == pytest.approx(v)
    # the round numbers the page shows, by hand
    np.testing.assert_allclose(st["bn"][0], [3, 7, 4, 0])
    np.testing.assert_allclose(st["ln"][0], [2.5, 4.5])
    np.testing.assert_allclose(st["gn"][0], [[3.5, 1.5], [6.5, 2.5]])


def test_layer_norm_variance_is_within_plus_between_channel_variance():
    e = page.worked_example()
    within, between = e["ln_var_parts"]
    np.testing.assert_allclose(within + between, e["stats"]["ln"][1], rtol=1e-12)
    assert within[0] == pytest.approx(5 / 6) and between[0] == pytest.approx(2.25)


def _standardize(X: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """(X − mean) / sqrt(var + eps) over `axes`, written out here, independent of the page."""
    m = X.mean(axis=axes, keepdims=True)
    v = ((X - m) ** 2).mean(axis=axes, keepdims=True)
    return (X - m) / np.sqrt(v + page.EPS)


def test_identities_on_the_example_and_on_random_batches():
    e = page.worked_example()
    assert max(e["gn1_vs_ln"], e["gnC_vs_in"], e["bn1_vs_in"]) <= 1e-15
    np.testing.assert_array_equal(e["in_constant_channel"], 0.0)  # a constant channel is erased
    for X in (e["X"], np.random.default_rng(5).normal(2.0, 3.0, size=(3, 6, 4, 5))):
        C = X.shape[1]
        ln, inst = _standardize(X, (1, 2, 3)), _standardize(X, (2, 3))
        close = {"rtol": 0, "atol": 1e-12}
        np.testing.assert_allclose(page.instance_norm(X), inst, **close)
        np.testing.assert_allclose(group_norm(X, C), inst, **close)
        np.testing.assert_allclose(group_norm(X, 1), ln, **close)
        np.testing.assert_allclose(layer_norm(X, X.shape[1:]), ln, **close)
        bn1 = batchnorm_forward(X[:1], np.ones(C), np.zeros(C))[0]
        np.testing.assert_allclose(bn1, inst[:1], **close)


def test_layout_counts_equal_the_real_reductions():
    shape, G = (3, 6, 2, 5), 3
    X = np.random.default_rng(1).normal(size=shape)
    st = page.statistics(X, G)
    for name, row in page.layout(shape, G).items():
        assert st[name][0].size == row["stats"], name
        assert row["stats"] * row["per_stat"] == X.size, name
    # the weight shapes are the ones the reference functions accept
    w = page.layout(shape, G)
    layer_norm(X, shape[1:], weight=np.ones(w["ln"]["weight"]))
    group_norm(X, G, weight=np.ones(w["gn"]["weight"]))
    with pytest.raises(ValueError, match="weight"):
        group_norm(X, G, weight=np.ones(w["ln"]["weight"]))
    big = page.layout(page.MAP_SHAPE, page.MAP_GROUPS)
    assert big["ln"]["per_stat"] == 256 * 64 * 64 and big["gn"]["stats"] == 2 * 32
    assert big["bn"]["per_stat"] == 2 * 64 * 64 and big["gn"]["per_stat"] == 8 * 64 * 64


def test_batch_noise_equals_a_batch_norm_layer_one_batch_at_a_time(monkeypatch):
    monkeypatch.setattr(page, "BATCHES", 40)
    monkeypatch.setattr(page, "BURN_IN", 25)
    monkeypatch.setattr(page, "BATCH_SIZES", (2, 5))
    seed = 7
    fast = page.batch_noise(seed)
    rng = np.random.default_rng(seed)
    P, s, tau = page.POSITIONS, page.IMAGE_SD, page.PIXEL_SD
    pop_sd = np.sqrt(s**2 + tau**2 + page.EPS)
    for i, N in enumerate(page.BATCH_SIZES):
        a = rng.standard_normal((page.BATCHES, N, 1))
        z = rng.standard_normal((page.BATCHES, N, P))
        means, sq, sq_run, run_vars = [], [], [], []
        layer = BatchNorm(1)  # DL0007's layer, PyTorch's defaults: momentum 0.1, starts at 0 and 1
        for r in range(page.BATCHES):
            X = (page.MU + s * a[r] + tau * z[r]).reshape(N, 1, 1, P)  # one channel
            Y_eval = layer(X[:1], training=False)[0]  # before this batch's update
            run_var = float(layer.running_var[0])
            Y, cache = layer(X, training=True)
            means.append(float(cache["mean"][0]))
            infer = (X[0, 0, 0] - page.MU) / pop_sd
            sq.extend((Y[0, 0, 0] - infer) ** 2)
            if r >= page.BURN_IN:
                sq_run.extend((Y[0, 0, 0] - Y_eval[0, 0, 0]) ** 2)
                run_vars.append(run_var)
        assert len(sq_run) == (page.BATCHES - page.BURN_IN) * P
        assert fast["sd_mean"][i] == pytest.approx(np.std(means, ddof=1), rel=1e-12)
        assert fast["gap"][i] == pytest.approx(np.sqrt(np.mean(sq)), rel=1e-12)
        assert fast["gap_run"][i] == pytest.approx(np.sqrt(np.mean(sq_run)), rel=1e-12)
        assert fast["run_var_mean"][i] == pytest.approx(np.mean(run_vars), rel=1e-12)
        assert fast["run_var_sd"][i] == pytest.approx(np.std(run_vars), rel=1e-12)


def test_the_formulas_the_experiment_compares_with():
    ns = np.array(page.BATCH_SIZES)
    s, tau, P = page.IMAGE_SD, page.PIXEL_SD, page.POSITIONS
    np.testing.assert_allclose(page.theory_sd(), np.sqrt((s**2 + tau**2 / P) / ns))
    np.testing.assert_allclose(page.pixel_count_sd(), np.sqrt((s**2 + tau**2) / (ns * P)))
    # without image-level variation every pixel is independent and the two agree
    np.testing.assert_allclose(page.theory_sd(0.0), page.pixel_count_sd(0.0), rtol=1e-15)
    # one image's mean really has variance s² + τ²/P (a direct simulation, 4 % tolerance)
    rng = np.random.default_rng(3)
    means = (s * rng.standard_normal((20000, 1)) + tau * rng.standard_normal((20000, P))).mean(1)
    assert means.var() == pytest.approx(s**2 + tau**2 / P, rel=0.04)


def test_first_sample_is_untouched_by_its_batch_mates_except_under_batch_norm():
    d = page._first_sample_change(11)
    assert d["ln"] == d["gn"] == d["in"] == 0.0
    assert d["bn"] > 0.05
    # and the same sample alone gives the same layer / group norm output
    X = np.random.default_rng(2).normal(size=page.INDEP_SHAPE)
    np.testing.assert_array_equal(group_norm(X, 4)[:1], group_norm(X[:1], 4))
    np.testing.assert_array_equal(layer_norm(X, X.shape[1:])[:1], layer_norm(X[:1], X.shape[1:]))


def test_experiment_shapes_and_claims_on_both_seed_sets():
    r = page.noise_runs(0)
    for key in ("sd_mean", "gap", "gap_run", "run_var_mean", "run_var_sd", "control_sd_mean"):
        assert r[key].shape == (page.NOISE_SEEDS, len(page.BATCH_SIZES)), key
    c0, c1 = page.claims(0), page.claims(1)
    assert set(c0) == set(c1)
    for holds, evidence in itertools.chain(c0.values(), c1.values()):
        assert isinstance(holds, bool) and isinstance(evidence, str) and "$" not in evidence


def test_values_are_finite_and_the_paper_numbers_are_the_papers():
    v = page.values()
    for key, value in v.items():
        assert "nan" not in str(value).lower(), key
    assert v["eps"] == "10^{-5}"
    # Wu and He (2018), Table 1 (32 images per GPU) and Table 2 (2 images per GPU), typed here
    # from the paper independently of the page module
    paper = {"bn_32": 23.6, "ln_32": 25.3, "in_32": 28.4, "gn_32": 24.1, "bn_2": 34.7, "gn_2": 24.1}
    assert page.WU_HE_2018 == pytest.approx(paper, abs=1e-12)
    w = page.WU_HE_2018
    assert w["bn_2"] - w["gn_2"] == pytest.approx(10.6, abs=1e-9)  # the abstract's 10.6 %
    assert w["gn_32"] - w["bn_32"] == pytest.approx(0.5, abs=1e-9)
    # the page shows them to 0.1: the shown numbers are within half a digit of these
    assert (
        abs(float(v["paper_gap_2"]) - 10.6) <= 0.05 and abs(float(v["paper_gap_32"]) - 0.5) <= 0.05
    )
    assert v["ex_bn_count"] == 6 and v["ex_ln_count"] == 12 and v["ex_in_count"] == 3


def test_expected_running_variance_by_simulation():
    rng = np.random.default_rng(4)
    N, P, R = 2, page.POSITIONS, 20000
    x = page.IMAGE_SD * rng.standard_normal((R, N, 1)) + rng.standard_normal((R, N, P))
    unbiased = x.reshape(R, -1).var(axis=1, ddof=1)  # what each batch adds to the running var
    assert unbiased.mean() == pytest.approx(page.expected_running_var(N), rel=0.01)
    pop = page.IMAGE_SD**2 + page.PIXEL_SD**2
    assert page.expected_running_var(N) < 0.95 * pop
    # independent values: the Bessel factor makes it exact
    assert page.expected_running_var(N, image_sd=0.0) == pytest.approx(page.PIXEL_SD**2)


def test_invariances_recomputed_directly_for_one_seed():
    seed = 3
    got = page._invariance_changes(seed)
    rng = np.random.default_rng(seed)
    N, D, H = page.INV_SHAPE
    X, W = rng.normal(size=(N, D)), rng.normal(size=(H, D))
    du, dn = rng.uniform(0.5, 2.0, size=(H, 1)), rng.uniform(0.5, 2.0, size=(N, 1))
    v, u = rng.normal(size=(1, D)), rng.normal(size=(1, D))

    def norms(A):  # batch norm: each unit over the batch; layer norm: each sample over units
        out = []
        for axis in (0, 1):
            m = A.mean(axis=axis, keepdims=True)
            v = ((A - m) ** 2).mean(axis=axis, keepdims=True)
            out.append((A - m) / np.sqrt(v + page.INV_EPS))
        return out

    bn0, ln0 = norms(X @ W.T)
    cases = [(X, 3 * W), (X, W + v), (X, du * W), (3 * X, W), (X + u, W), (dn * X, W)]
    for t, (X2, W2) in zip(page.TRANSFORMS, cases):
        bn, ln = norms(X2 @ W2.T)
        assert got["bn"][t] == pytest.approx(np.abs(bn - bn0).max(), rel=1e-6, abs=1e-11)
        assert got["ln"][t] == pytest.approx(np.abs(ln - ln0).max(), rel=1e-6, abs=1e-11)
        for k in ("bn", "ln"):
            if t in page.INVARIANT[k]:
                assert got[k][t] < 1e-9, (k, t)
            else:
                assert got[k][t] > page.MOVED_BAR, (k, t)
    # the folding, both sides written out here: W₂(γ ⊙ x̂ + β) + b₂ = (W₂ diag γ) x̂ + (W₂ β + b₂)
    gamma, beta = rng.normal(size=H), rng.normal(size=H)
    W2, b2 = rng.normal(size=(4, H)), rng.normal(size=4)
    A = X @ W.T
    m = A.mean(axis=1, keepdims=True)
    x_hat = (A - m) / np.sqrt(((A - m) ** 2).mean(axis=1, keepdims=True) + page.EPS)
    direct = (gamma * x_hat + beta) @ W2.T + b2
    folded = x_hat @ (W2 @ np.diag(gamma)).T + (W2 @ beta + b2)
    assert np.abs(direct - folded).max() <= 1e-12 and got["fold"]["ln"] <= 1e-12
    np.testing.assert_allclose(
        layer_norm(A, H, gamma, beta) @ W2.T + b2, direct, rtol=0, atol=1e-12
    )
    # a fold that forgets W₂β is caught: the check can fail
    assert np.abs(direct - (x_hat @ (W2 @ np.diag(gamma)).T + b2)).max() > page.MOVED_BAR
    inv = page.invariances(0)
    assert set(inv["bn"]) == set(page.TRANSFORMS) and inv["bn"][page.TRANSFORMS[0]].shape == (
        page.INDEP_SEEDS,
    )


def test_group_and_instance_norm_invariances_and_their_control():
    got = page._invariance_changes(4)["groups"]
    assert max(got["gn_per_group"], got["in_per_channel"]) <= 1e-9
    assert got["gn_per_channel"] > page.MOVED_BAR
    # written out here: a per-(sample, group) affine change is removed by group norm over the
    # group's channels and positions, a per-channel one inside a group is not
    rng = np.random.default_rng(8)
    X = rng.normal(size=(3, 6, 2, 5))
    scale = np.repeat(rng.uniform(0.5, 2.0, size=(3, 2)), 3, axis=1)[:, :, None, None]
    shift = np.repeat(rng.normal(size=(3, 2)), 3, axis=1)[:, :, None, None]

    def gn2(A):  # two groups of three channels, eps = 0 so that the invariance is exact
        B = A.reshape(3, 2, 3, 2, 5)
        m = B.mean(axis=(2, 3, 4), keepdims=True)
        return ((B - m) / np.sqrt(((B - m) ** 2).mean(axis=(2, 3, 4), keepdims=True))).reshape(
            A.shape
        )

    np.testing.assert_allclose(gn2(scale * X + shift), gn2(X), rtol=0, atol=1e-9)
    per_chan = rng.uniform(0.5, 2.0, size=(3, 6, 1, 1))
    assert np.abs(gn2(per_chan * X) - gn2(X)).max() > page.MOVED_BAR


def test_float16_limits_quoted_for_mixed_precision():
    v = page.values()
    f16 = np.finfo(np.float16)
    assert float(f16.max) == 65504.0 and v["fp16_max"] == f"{65504:,}".replace(",", " ")
    assert abs(float(v["fp16_sqrt"]) - np.sqrt(65504.0)) < 0.5
    with np.errstate(over="ignore"):  # a square above the largest float16 overflows
        assert np.float16(300.0) ** 2 == np.inf
    assert float(f16.tiny) == pytest.approx(2.0**-14, rel=0) and page.EPS < float(f16.tiny)
