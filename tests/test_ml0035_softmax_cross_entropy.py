"""Tests for snippets/ml0035_softmax_cross_entropy.py: ML0035's worked example and experiments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from snippets import ml0035_softmax_cross_entropy as page
from snippets.softmax import cross_entropy, cross_entropy_backward, softmax, softmax_naive
from tests.gradcheck import assert_gradients_match, numeric_grad


def test_worked_example_by_hand():
    z, y, eps = page.EXAMPLE["z"], page.EXAMPLE["y"], page.EXAMPLE["eps"]
    C = len(z)
    e = [math.exp(v) for v in z]
    p = [v / sum(e) for v in e]
    onehot = [1.0 if c == y else 0.0 for c in range(C)]
    q = [(1 - eps) * onehot[c] + eps / C for c in range(C)]
    loss = -math.log(p[y])
    loss_ls = -sum(q[c] * math.log(p[c]) for c in range(C))
    # squared error, mean over C entries: dL/dp_i = 2 (p_i − y_i) / C, then the softmax Jacobian
    g = [2 * (p[i] - onehot[i]) / C for i in range(C)]
    grad_mse = [sum(g[i] * p[i] * ((i == k) - p[k]) for i in range(C)) for k in range(C)]

    ex = page.worked_example()
    np.testing.assert_allclose(ex["p"], p, rtol=1e-14)
    assert ex["loss"] == pytest.approx(loss, rel=1e-14)
    assert ex["loss_ls"] == pytest.approx(loss_ls, rel=1e-14)
    assert ex["lse"] == pytest.approx(math.log(sum(e)), rel=1e-14)
    np.testing.assert_allclose(ex["grad"], [p[c] - onehot[c] for c in range(C)], atol=1e-15)
    np.testing.assert_allclose(ex["q"], q, atol=1e-15)
    np.testing.assert_allclose(ex["grad_ls"], [p[c] - q[c] for c in range(C)], atol=1e-15)
    np.testing.assert_allclose(ex["grad_mse"], grad_mse, atol=1e-15)
    v = page.values()
    assert float(v["ex_loss"]) == pytest.approx(loss, abs=5e-5)
    assert float(v["ex_loss_ls"]) == pytest.approx(loss_ls, abs=5e-5)
    assert float(v["ex_grad_norm"]) == pytest.approx(math.dist(p, onehot), abs=5e-5)  # ‖p − y‖


def test_smoothed_loss_is_entropy_plus_kl():
    # −Σ q log p = H(q) + KL(q ‖ p): the smoothed loss never goes below H(q)
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(1, 6)) * 2
    for eps in (0.05, 0.3):
        q = np.full(6, eps / 6)
        q[2] += 1 - eps
        p = softmax(Z)[0]
        kl = float(np.sum(q * np.log(q / p)))
        assert cross_entropy(Z, np.array([2]), eps) == pytest.approx(
            page.smoothed_entropy(eps, 6) + kl, rel=1e-12
        )


def test_mse_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    Z, y = rng.normal(size=(5, 4)) * 2, np.array([0, 3, 1, 1, 2])
    g = page.mse_softmax_backward(Z, y)
    assert_gradients_match(g, numeric_grad(lambda: page.mse_softmax(Z, y), Z))
    # the same loss from its definition
    want = np.mean((softmax(Z) - np.eye(4)[y]) ** 2)
    assert page.mse_softmax(Z, y) == pytest.approx(want, rel=1e-14)


def test_naive_softmax_overflows_and_the_reference_is_exact():
    o = page.overflow_example()
    assert np.isnan(o["naive_p"][0, 0]) and np.all(np.isnan(o["naive_p"][1]))
    assert o["naive_loss"] == math.inf
    assert np.array_equal(o["p"][0], [1.0, 0.0, 0.0])
    assert np.allclose(o["p"][1], 1 / 3, rtol=1e-15)
    assert np.array_equal(o["logp"][0], [0.0, -1000.0, -2000.0])
    assert o["loss_row0"] == 2000.0  # −log p of class 2 = 2000 exactly
    # the naive formula is fine below the overflow limit and breaks just above it
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isfinite(softmax_naive([[o["limit64"] - 1, 0.0]])).all()
        assert np.isnan(softmax_naive([[o["limit64"] + 1, 0.0]])).any()
    assert o["limit64"] == pytest.approx(709.78, abs=0.01)
    assert o["limit32"] == pytest.approx(88.72, abs=0.01)
    assert o["limit16"] == pytest.approx(math.log(65504), rel=1e-15)
    # bfloat16's largest value, 0x7F7F: exponent 127, mantissa 1.1111111 in binary
    assert o["limit_bf16"] == pytest.approx(math.log(float.fromhex("0x1.fep127")), rel=1e-15)


def test_gradient_path_norms_from_the_closed_form():
    g = page.gradient_path()
    C = page.PATH_C
    for i in (0, 40, 100, 160):
        s = g["s"][i]
        z = np.zeros(C)
        z[0], z[1] = -s, s
        p = np.exp(z) / np.exp(z).sum()
        y = np.eye(C)[0]
        assert g["ce"][i] == pytest.approx(np.linalg.norm(p - y), rel=1e-12)
        J = np.diag(p) - np.outer(p, p)
        assert g["mse"][i] == pytest.approx(np.linalg.norm(J @ (2 * (p - y) / C)), rel=1e-10)
    assert g["ce"][-1] == pytest.approx(math.sqrt(2), abs=1e-3)


def test_train_grid_equals_plain_training_rate_by_rate():
    d = page.gaussian_classes(5)
    X, y = d["train"]
    W0, b0 = 3.0 * d["W0"], np.zeros(page.C)
    lrs = (0.3, 30.0)
    for loss in page.LOSSES:
        W, b = page.train_grid(X, y, W0, b0, loss, lrs, steps=25)
        for r, lr in enumerate(lrs):
            Wp, bp = page.train(X, y, W0, b0, loss, lr, steps=25)
            np.testing.assert_allclose(W[r], Wp, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(b[r], bp, rtol=1e-10, atol=1e-12)


def test_data_splits_are_fresh_draws_and_deterministic():
    a = page._gaussian_classes.__wrapped__(0)  # uncached: two independent draws
    b = page._gaussian_classes.__wrapped__(0)
    for part in ("train", "val", "test"):
        np.testing.assert_array_equal(a[part][0], b[part][0])
        np.testing.assert_array_equal(a[part][1], b[part][1])
    assert not np.array_equal(a["train"][0], page._gaussian_classes.__wrapped__(1)["train"][0])
    X_tr, X_va, X_te = (a[k][0] for k in ("train", "val", "test"))
    assert X_tr.shape == (page.N_TRAIN, page.D) and len(X_te) == page.N_TEST
    assert not np.isin(X_va, X_tr).any() and not np.isin(X_te, X_tr).any()
    with pytest.raises(ValueError, match="seed"):
        page.gaussian_classes(-1)


def test_experiment_results_match_a_plain_retraining_of_one_seed():
    # seed 0 of seed set 0, large start, both losses: plain loop at the chosen rate, accuracy and
    # the confidently-wrong share recomputed from scratch
    r = page.loss_experiment(0)
    seed = page.seeds(page.N_SEEDS, 0)[0]
    d = page.gaussian_classes(seed)
    (X, y), (Xv, yv) = d["train"], d["val"]
    for loss in page.LOSSES:
        x = r["large"][loss]
        assert x["val"].shape == x["stuck_by_rate"].shape == (page.N_SEEDS, len(page.LR_GRID))
        assert 0 < x["k"] < len(page.LR_GRID) - 1  # the chosen rate is not at the grid's edge
        W, b = page.train(X, y, page.INITS["large"] * d["W0"], np.zeros(page.C), loss, x["lr"])
        acc = np.mean(np.argmax(Xv @ W + b, axis=1) == yv)
        assert x["val"][0, x["k"]] == pytest.approx(acc, abs=1e-12)
        P = np.exp(X @ W + b)
        P /= P.sum(axis=1, keepdims=True)
        end = P[np.arange(len(y)), y] < 0.01
        assert x["stuck"][0] == pytest.approx(np.mean(end), abs=1e-12)
        # of those, the share confidently wrong at the start already
        Z0 = X @ (page.INITS["large"] * d["W0"])
        P0 = np.exp(Z0 - Z0.max(axis=1, keepdims=True))
        start = (P0 / P0.sum(axis=1, keepdims=True))[np.arange(len(y)), y] < 0.01
        since = np.sum(end & start) / max(end.sum(), 1)
        assert x["since_by_rate"][0, x["k"]] == pytest.approx(since, abs=1e-12)
        # the stuck samples' gradient and the largest per-sample gradient, per sample from the
        # batch gradient of the loss (×N: the batch mean divides by N)
        if loss == "mse":
            Z = X @ W + b
            norms = np.linalg.norm(len(y) * page.mse_softmax_backward(Z, y), axis=1)
            assert x["grad_max"][0] == pytest.approx(norms.max(), rel=1e-8)
            assert x["grad_stuck"][0] == pytest.approx(norms[end].mean(), rel=1e-8)
            ce = np.linalg.norm(len(y) * cross_entropy_backward(Z, y), axis=1)
            assert x["ce_grad_max"][0] == pytest.approx(ce.max(), rel=1e-10)
            assert x["ce_grad_stuck"][0] == pytest.approx(ce[end].mean(), rel=1e-10)
    for init in page.INITS:
        for loss in page.LOSSES:
            assert 0 < r[init][loss]["k"] < len(page.LR_GRID) - 1


def test_stuck_samples_gradient_norms_from_the_closed_form():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(6, 3)), np.array([0, 1, 2, 1, 0, 2])
    W, b = rng.normal(size=(3, 3)) * 4, rng.normal(size=3)
    g_ce, g_mse = page._grad_norms(W, b, X, y)
    Z = X @ W + b
    np.testing.assert_allclose(g_ce, np.linalg.norm(6 * cross_entropy_backward(Z, y), axis=1))
    np.testing.assert_allclose(
        g_mse, np.linalg.norm(6 * page.mse_softmax_backward(Z, y), axis=1), rtol=1e-8, atol=1e-18
    )


def test_large_start_is_confidently_wrong_and_small_start_is_not():
    r = page.loss_experiment(0)
    assert np.all(r["large"]["stuck_start"] > 0.5)  # most samples start with p_true < 0.01
    assert np.all(r["small"]["stuck_start"] == 0.0)


def test_hessian_is_the_softmax_jacobian_and_psd():
    rng = np.random.default_rng(1)
    for _ in range(5):
        z = rng.normal(size=5) * 3
        H = page.ce_hessian(z)
        num = np.zeros((5, 5))
        for k in range(5):  # finite differences of the gradient p − y
            dz = np.zeros(5)
            dz[k] = 1e-6
            up = cross_entropy_backward((z + dz)[None], [2])[0]
            down = cross_entropy_backward((z - dz)[None], [2])[0]
            num[:, k] = (up - down) / 2e-6
        np.testing.assert_allclose(H, num, atol=1e-8)
        assert np.linalg.eigvalsh(H).min() > -1e-15
        np.testing.assert_allclose(H @ np.ones(5), 0.0, atol=1e-15)


def test_mse_loss_is_concave_along_the_path_from_the_quoted_point():
    g = page.gradient_path()
    s0 = float(page.values()["path_concave_s"])
    f = []
    for s in g["s"]:
        e = [math.exp(-s), math.exp(s), 1.0, 1.0]
        p = [v / sum(e) for v in e]
        f.append(((p[0] - 1) ** 2 + p[1] ** 2 + p[2] ** 2 + p[3] ** 2) / 4)
    curv = np.diff(f, 2)
    mid = g["s"][1:-1]
    assert np.all(curv[mid >= s0 - 1e-9] < 0) and np.all(curv[mid < s0 - 1e-9] >= 0)


def test_mse_helpers_validate_classes():
    with pytest.raises(ValueError, match="^y:"):
        page.mse_softmax([[0.0, 1.0]], [-1])
    with pytest.raises(ValueError, match="^y:"):
        page.mse_softmax_backward([[0.0, 1.0]], [2])
    with pytest.raises(TypeError, match="^y:"):
        page.mse_softmax([[0.0, 1.0]], [0.5])


def test_label_smoothing_optimum():
    for eps, C in ((0.1, 10), (0.2, 3), (0.5, 2)):
        gap = page.optimal_gap(eps, C)
        # at the formula's gap the gradient is zero: softmax equals the smoothed target
        z = np.zeros((1, C))
        z[0, 0] = gap
        p = softmax(z)[0]
        assert p[0] == pytest.approx(1 - eps + eps / C, rel=1e-12)
        assert cross_entropy(z, np.array([0]), eps) == pytest.approx(
            page.smoothed_entropy(eps, C), rel=1e-12
        )
    assert page.optimal_gap(1.0, 5) == pytest.approx(0.0, abs=1e-15)  # ε = 1: uniform target
    d = page.ls_descent(0.1)
    assert d["gaps"][-1] == pytest.approx(page.optimal_gap(0.1, page.LS_C), abs=1e-8)
    assert d["loss"] == pytest.approx(page.smoothed_entropy(0.1, page.LS_C), abs=1e-10)
    with pytest.raises(ValueError, match="eps"):
        page.optimal_gap(1.5, 3)


def test_claims_hold_and_values_are_consistent():
    c = page.claims(0)
    assert all(h for h, _ in c.values()), {k: e for k, (h, e) in c.items() if not h}
    v = page.values()
    assert float(v["ls_gap_10"]) == pytest.approx(math.log(0.91 / 0.01), abs=5e-5)
