"""Tests for snippets/dl0012_dropout.py, the page module of DL0012 · Dropout: the worked
example by hand, the two scaling schemes, the exact ensemble's enumeration, the dropout/ridge
identity, the side-by-side training against one network at a time, the batch-norm variance
formula, figures and values. The dropout layer itself is tested in tests/test_dropout.py; the
claims are re-checked on a second seed set in tests/test_claims.py."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from snippets import dl0012_dropout as page
from snippets.dropout import dropout, dropout_backward


def test_worked_example_by_hand():
    e = page.worked_example()
    x, p = np.array(page.EX_X), page.EX_P
    # the same seed draws the same uniforms: keep where u >= p
    keep = np.random.default_rng(page.EX_SEED).random(x.shape) >= p
    np.testing.assert_array_equal(e["mask"], keep / (1 - p))
    np.testing.assert_array_equal(e["Y"], np.where(keep, x / (1 - p), 0.0))
    np.testing.assert_allclose(e["var"], [p / (1 - p) * xi**2 for xi in x])
    np.testing.assert_array_equal(e["Y_eval"], x)
    v = page.values()
    assert v["ex_kept"] == int(keep.sum()) and v["ex_scale"] == "2"


def test_original_and_inverted_schemes_are_one_family():
    """Original dropout with weights W/(1 − p) computes what inverted dropout with W computes,
    in training (same mask) and at test time; their expectations equal the test outputs."""
    rng = np.random.default_rng(0)
    x, W, p = rng.normal(size=5), rng.normal(size=(5, 3)), 0.3
    Y, mask = dropout(x, p, rng=1)
    r = (mask != 0).astype(float)
    inverted_train, original_train = Y @ W, (r * x) @ (W / (1 - p))
    np.testing.assert_allclose(original_train, inverted_train, rtol=1e-12)
    inverted_test, original_test = x @ W, ((1 - p) * x) @ (W / (1 - p))
    np.testing.assert_allclose(original_test, inverted_test, rtol=1e-12)
    # exact expectation over all 2^5 masks, for both schemes
    keep, prob = page.all_masks(5, p)
    np.testing.assert_allclose(prob @ ((keep * x / (1 - p)) @ W), inverted_test, rtol=1e-12)
    np.testing.assert_allclose(prob @ ((keep * x) @ W), (1 - p) * x @ W, rtol=1e-12)


def test_all_masks_enumerates_every_pattern_once():
    keep, prob = page.all_masks(4, 0.25)
    assert keep.shape == (16, 4) and len({tuple(row) for row in keep}) == 16
    assert prob.sum() == pytest.approx(1.0, abs=1e-15)
    for row, pr in zip(keep, prob):
        k = row.sum()
        assert pr == pytest.approx(0.75**k * 0.25 ** (4 - k), rel=1e-14)
    with pytest.raises(ValueError, match="p"):
        page.all_masks(4, 1.0)
    with pytest.raises(TypeError, match="n"):
        page.all_masks(4.0, 0.5)


def test_ensemble_gaps_by_a_loop_over_masks():
    m = page.ensemble_models()
    keep, prob = page.all_masks(page.ENS_N, page.ENS_P)
    x = m["X"][0]
    total_lin = total_relu = 0.0
    for row, pr in zip(keep, prob):
        d = row / (1 - page.ENS_P)
        total_lin += pr * float(m["w"] @ (d * x))
        h = np.maximum((d * x) @ m["W"] + m["c"], 0.0)
        total_relu += pr * float(1 / (1 + np.exp(-(h @ m["v"]))))
    e = page.ensemble()
    assert total_lin == pytest.approx(float(m["w"] @ x), abs=1e-12)
    z_eval = float(np.maximum(x @ m["W"] + m["c"], 0.0) @ m["v"])
    assert abs(total_relu - 1 / (1 + np.exp(-z_eval))) == pytest.approx(
        e["relu"]["p_gap"][0], abs=1e-12
    )


def test_dropout_on_inputs_is_a_ridge_penalty_in_expectation():
    """E_M ‖y − (M ⊙ X)w‖² = ‖y − Xw‖² + p/(1 − p) Σ_j w_j² ‖X_j‖², M one mask per example
    (row), by enumerating every mask of a 2 × 3 design."""
    rng = np.random.default_rng(3)
    X, y, w, p = rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=3), 0.4
    keep, prob = page.all_masks(6, p)
    expected = 0.0
    for row, pr in zip(keep, prob):
        M = row.reshape(2, 3) / (1 - p)
        expected += pr * float(np.sum((y - (X * M) @ w) ** 2))
    ridge = float(np.sum((y - X @ w) ** 2)) + p / (1 - p) * float(np.sum(w**2 * (X**2).sum(0)))
    assert expected == pytest.approx(ridge, rel=1e-12)


def _one_network(seed: int, j: int, steps: int) -> list[np.ndarray]:
    """The network of drop probability P_GRID[j], trained alone: reference dropout for the
    masks (from the generator the side-by-side version gives it), a plain backward pass."""
    p = page.P_GRID[j]
    Xtr, ytr, *_ = page.moons_data(seed)
    W1, b1, W2, b2, W3, b3 = page.init_weights(seed)
    params = [W1, b1, W2, b2, W3, b3]
    m1 = [np.zeros_like(a) for a in params]
    m2 = [np.zeros_like(a) for a in params]
    rng = np.random.default_rng([seed, 2, j])
    y = ytr[:, None].astype(float)
    for t in range(1, steps + 1):
        W1, b1, W2, b2, W3, b3 = params
        Z1 = Xtr @ W1 + b1
        D1, M1 = dropout(np.maximum(Z1, 0.0), p, rng=rng)
        Z2 = D1 @ W2 + b2
        D2, M2 = dropout(np.maximum(Z2, 0.0), p, rng=rng)
        z = D2 @ W3 + b3
        dz = (1 / (1 + np.exp(-z)) - y) / len(y)
        dA2 = dropout_backward(dz @ W3.T, M2, p) * (Z2 > 0)
        dA1 = dropout_backward(dA2 @ W2.T, M1, p) * (Z1 > 0)
        grads = [Xtr.T @ dA1, dA1.sum(0), D1.T @ dA2, dA2.sum(0), D2.T @ dz, dz.sum(0)]
        for i, g in enumerate(grads):
            m1[i] = 0.9 * m1[i] + 0.1 * g
            m2[i] = 0.999 * m2[i] + 0.001 * g * g
            mh, vh = m1[i] / (1 - 0.9**t), m2[i] / (1 - 0.999**t)
            params[i] = params[i] - page.LR * mh / (np.sqrt(vh) + 1e-8)
    return params


def test_side_by_side_equals_one_network_at_a_time():
    steps = 30
    stacked = page.train_stack(5, steps=steps)["params"]
    for j in range(len(page.P_GRID)):
        alone = _one_network(5, j, steps)
        for a, b in zip(stacked, alone):
            # Adam divides by sqrt(v): where a gradient is tiny (a unit kept rarely, p = 0.95)
            # the batched and the plain matmul's round-off is amplified; a wrong mask or
            # gradient would be off by O(step size), 1e-3 and more
            np.testing.assert_allclose(a[j], b, rtol=1e-7, atol=1e-9)


def test_variance_ratio_against_a_direct_computation():
    rng = np.random.default_rng(2)
    x = np.maximum(rng.standard_normal(2_000_000), 0.0)
    for p in (0.2, 0.6):
        y = dropout(x, p, rng=rng)[0]
        assert y.mean() == pytest.approx(x.mean(), rel=5e-3)  # the mean is kept
        assert x.var() / y.var() == pytest.approx(float(page.variance_ratio(p)), rel=1e-2)
    assert page.variance_ratio(0.0) == pytest.approx(1.0)
    # the exact moments of relu(z), z ~ N(0, 1)
    assert page.RELU_MEAN == pytest.approx(x.mean(), rel=5e-3)
    assert page.RELU_VAR == pytest.approx(x.var(), rel=5e-3)


def test_bn_shift_uses_the_running_statistics():
    """With p = 0 the statistics behind 'dropout' are the clean ones: variance 1 at inference."""
    from snippets.batchnorm import BatchNorm

    rng = np.random.default_rng(0)
    bn = page._bn_stats(BatchNorm(page.BN_FEATURES), rng, 0.0, drop=True)
    X = np.maximum(rng.standard_normal((4000, page.BN_FEATURES)), 0.0)
    assert bn(X, False)[0].var(axis=0).mean() == pytest.approx(1.0, abs=0.05)


def test_checkpoint_steps():
    steps = page.checkpoint_steps()
    expected = [1, 2, 3, 4, *range(5, 401, 5), *range(425, 801, 25)]
    assert page.EVERY == 5 and page.STEPS == 400 and page.MAX_STEPS == 800
    np.testing.assert_array_equal(steps, expected)
    np.testing.assert_array_equal(page.checkpoint_steps(12), [1, 2, 3, 4, 5, 10])
    # the training run records exactly these steps
    r = page.train_stack(5, steps=12)
    np.testing.assert_array_equal(r["step"], [1, 2, 3, 4, 5, 10])
    assert len(r["snapshots"]) == 6
    with pytest.raises(TypeError, match="steps"):
        page.checkpoint_steps(12.0)


def test_overfitting_bookkeeping():
    ov = page.overfitting(0)
    n = page.N_SEEDS
    keys = ("p", "joint_p", "dstop_p", "stop_step", "dstop_step", "joint_step")
    for key in (*keys, "plain_train", "drop_train"):
        assert ov[key].shape == (n,), key
    for arm in (*page.ARMS, "stop_short", "dstop_short", "joint_short"):
        assert ov[f"{arm}_loss"].shape == ov[f"{arm}_acc"].shape == (n,), arm
    c = ov["curves"]
    grid = page.checkpoint_steps()
    assert c["val"].shape == (n, grid.size, len(page.P_GRID))
    np.testing.assert_array_equal(c["step"][0], grid)
    fixed = list(grid).index(page.STEPS)
    for s in range(n):
        V = c["val"][s]
        j = page.P_GRID.index(ov["p"][s])  # the chosen p: lowest validation loss at STEPS
        assert V[fixed, j] == V[fixed].min()
        assert ov["drop_train"][s] == c["train"][s, fixed, j]
        assert ov["plain_train"][s] == c["train"][s, fixed, 0]
        k = list(grid).index(ov["stop_step"][s])  # early stopping: lowest p = 0 loss
        assert V[k, 0] == V[:, 0].min()
        kd = list(grid).index(ov["dstop_step"][s])  # p > 0 and step: lowest among p > 0
        jd = page.P_GRID.index(ov["dstop_p"][s])
        assert jd > 0 and V[kd, jd] == V[:, 1:].min()
        kk = list(grid).index(ov["joint_step"][s])
        jj = page.P_GRID.index(ov["joint_p"][s])
        assert V[kk, jj] == V.min()
        # the joint arm is the better of early stopping and the p > 0 arm on validation
        assert V.min() == min(V[k, 0], V[kd, jd])
    assert np.all(ov["mc"]["agree"] <= 1.0)


def test_arms_read_the_test_split_at_the_validation_choice():
    """Retrain the first seed: each arm's test loss and accuracy are those of the network at
    the (p, step) of lowest validation loss, recomputed here from the weights at that step
    (a selection on the test loss, or at the wrong step, would not match)."""
    ov = page.overfitting(0)
    seed = page.seeds(page.N_SEEDS, 0)[0]
    r = page.train_stack(seed)
    *_, Xte, yte = page.moons_data(seed)
    V = r["val"]
    fixed = list(r["step"]).index(page.STEPS)
    Vs = V[: fixed + 1]  # stopping steps up to STEPS only
    kd, jd = np.unravel_index(int(np.argmin(V[:, 1:])), V[:, 1:].shape)
    kds, jds = np.unravel_index(int(np.argmin(Vs[:, 1:])), Vs[:, 1:].shape)
    picks = {
        "plain": (fixed, 0),
        "drop": (fixed, int(np.argmin(V[fixed]))),
        "stop": (int(np.argmin(V[:, 0])), 0),
        "dstop": (kd, jd + 1),
        "joint": np.unravel_index(int(np.argmin(V)), V.shape),
        "stop_short": (int(np.argmin(Vs[:, 0])), 0),
        "dstop_short": (kds, jds + 1),
        "joint_short": np.unravel_index(int(np.argmin(Vs)), Vs.shape),
    }
    for arm, (k, j) in picks.items():
        z = page.predict([a[j] for a in r["snapshots"][k]], Xte)
        loss = np.mean(np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0) - yte * z)
        assert ov[f"{arm}_loss"][0] == pytest.approx(loss, rel=1e-10), arm
        assert ov[f"{arm}_acc"][0] == pytest.approx(np.mean((z > 0) == (yte == 1))), arm
    # the snapshots are the weights of their step: the last one is the final weights, and the
    # logged validation loss is recomputed from each snapshot
    for a, b in zip(r["snapshots"][-1], r["params"]):
        np.testing.assert_array_equal(a, b)
    _, _, Xva, yva, _, _ = page.moons_data(seed)
    for k in (0, len(V) // 2):
        z = page.predict(r["snapshots"][k], Xva)
        np.testing.assert_allclose(page.bce(z, yva), V[k], rtol=1e-12)


def test_values_and_claims_are_well_formed():
    v = page.values()
    for key, value in v.items():
        assert "nan" not in str(value).lower(), key
    assert v["ov_grid"] == "0, 0.25, 0.5, 0.75, 0.9, 0.95" and v["ens_masks"] == "4,096"
    c0 = page.claims(0)
    for holds, text in c0.values():
        assert isinstance(holds, bool) and isinstance(text, str) and text


def test_masks_of_the_stack_match_reference_dropout_draws():
    """The side-by-side masks are the reference layer's: (u >= p) / (1 − p) from one
    generator per drop probability."""
    for j, p in itertools.islice(enumerate(page.P_GRID), 1, None):
        a = np.random.default_rng([0, 2, j])
        b = np.random.default_rng([0, 2, j])
        _, mask = dropout(np.ones((4, 6)), p, rng=a)
        np.testing.assert_array_equal(mask, (b.random((4, 6)) >= p) / (1 - p))
