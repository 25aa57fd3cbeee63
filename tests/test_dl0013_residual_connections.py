"""Tests for snippets/dl0013_residual_connections.py, the page module of DL0013 · Residual
Connections: the worked example by hand, the stacked trainer against the reference library
(`training.train` on `Residual` layers), the gradient experiment against a loop over blocks,
ResNet-34's shortcut counts, the figures. The block itself is tested in tests/test_residual.py;
the claims are re-checked on a second seed set in tests/test_claims.py."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import dl0013_residual_connections as page
from snippets import layers
from snippets.batchnorm import BatchNorm
from snippets.residual import Residual
from snippets.seeds import seeds


def relu(v):
    return np.maximum(v, 0.0)


def test_worked_example_by_hand():
    e = page.worked_example()
    x, W1, b1, W2, b2 = (np.array(page.EXAMPLE[k]) for k in ("x", "W1", "b1", "W2", "b2"))
    F = relu(relu(x) @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(e["Fx"], F, atol=1e-15)
    np.testing.assert_allclose(e["y"], x + F, atol=1e-15)
    np.testing.assert_allclose(e["Fx"], [[0.125, -0.15]], atol=1e-15)

    # J[i, j] = dF_i / dx_j by centred differences
    def f(v):
        return (relu(relu(v) @ W1 + b1) @ W2 + b2)[0]

    J = np.zeros((2, 2))
    for j in range(2):
        h = np.zeros((1, 2))
        h[0, j] = 1e-6
        J[:, j] = (f(x + h) - f(x - h)) / 2e-6
    np.testing.assert_allclose(e["J"], J, atol=1e-9)
    g_y = np.array(page.EXAMPLE["g_y"])
    np.testing.assert_allclose(e["g_x"], g_y @ (np.eye(2) + J), atol=1e-9)
    np.testing.assert_allclose(e["g_plain"], g_y @ J, atol=1e-9)
    # x_2 < 0: the plain block hands back nothing for it, the shortcut hands back g_y's entry
    assert e["g_plain"][0, 1] == 0.0 and e["g_x"][0, 1] == g_y[0, 1]


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("norm", [False, True])
def test_stacked_training_equals_the_reference_library(residual, norm):
    steps, blocks, lrs = 6, 3, (0.03, 0.3)
    runs = [(s, lr) for s in (0, 1) for lr in lrs]
    hist, val, state = page.train_stack(
        [page.init(s, blocks, "plain", norm) for s, _ in runs],
        [page.split(s) for s, _ in runs],
        [lr for _, lr in runs],
        residual,
        steps,
    )
    for i, (s, lr) in enumerate(runs):
        ref = page.run(s, residual, blocks, lr, steps, norm=norm)
        np.testing.assert_allclose(hist[i, [0, -1]], ref["train_loss"], rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(val[i], ref["val_loss"], rtol=1e-11)
        # every trained parameter and running statistic, layer by layer
        net = ref["net"]
        np.testing.assert_allclose(state["P"]["W0"][i], net[0].W, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(state["P"]["Wo"][i], net[-1].W, rtol=1e-10, atol=1e-12)
        tail = 3 if norm else 2  # (final batch norm,) ReLU, head
        if norm:  # the final batch norm before the head
            bn = net[-3]
            assert isinstance(bn, BatchNorm)
            np.testing.assert_allclose(state["P"]["gf"][i], bn.gamma, rtol=1e-10)
            np.testing.assert_allclose(state["P"]["bef"][i], bn.beta, atol=1e-12)
            np.testing.assert_allclose(state["running"]["mf"][i], bn.running_mean, atol=1e-12)
            np.testing.assert_allclose(state["running"]["vf"][i], bn.running_var, rtol=1e-10)
            assert not np.allclose(bn.gamma, 1.0)  # trained
        inner = [b.inner for b in net[1:-tail]] if residual else [
            net[1 + k * (6 if norm else 4): 1 + (k + 1) * (6 if norm else 4)] for k in range(blocks)
        ]  # fmt: skip
        for l, F in enumerate(inner):
            dense = [layer for layer in F if isinstance(layer, layers.Dense)]
            np.testing.assert_allclose(state["P"]["W1"][i, l], dense[0].W, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(state["P"]["W2"][i, l], dense[1].W, rtol=1e-10, atol=1e-12)
            bns = [layer for layer in F if isinstance(layer, BatchNorm)]
            assert len(bns) == (2 if norm else 0)
            for k, bn in zip("12", bns):
                np.testing.assert_allclose(state["P"][f"g{k}"][i, l], bn.gamma, rtol=1e-10)
                np.testing.assert_allclose(state["P"][f"be{k}"][i, l], bn.beta, atol=1e-12)
                run = state["running"]
                np.testing.assert_allclose(run[f"m{k}"][i, l], bn.running_mean, atol=1e-12)
                np.testing.assert_allclose(run[f"v{k}"][i, l], bn.running_var, rtol=1e-10)
    assert hist[0, -1] < hist[0, 0]  # training moves the loss


def test_the_plain_network_is_the_residual_one_without_shortcuts():
    P = page.init(3, 2, "plain")
    X = page.split(3)[0]
    res, plain = page.network(P, True), page.network(P, False)
    assert sum(isinstance(layer, Residual) for layer in res) == 2
    assert not any(isinstance(layer, Residual) for layer in plain)
    assert len(plain) == 1 + 2 * 4 + 2  # stem, 2 blocks of 4 layers, ReLU, head
    # by hand: h <- h + F(h) versus h <- F(h)
    h_r = h_p = X @ P["W0"] + P["b0"]
    for l in range(2):
        F = lambda h: relu(relu(h) @ P["W1"][l] + P["b1"][l]) @ P["W2"][l] + P["b2"][l]  # noqa: E731,B023
        h_r, h_p = h_r + F(h_r), F(h_p)
    np.testing.assert_allclose(layers.forward(res, X)[0], relu(h_r) @ P["Wo"] + P["bo"])
    np.testing.assert_allclose(layers.forward(plain, X)[0], relu(h_p) @ P["Wo"] + P["bo"])
    # with batch norm both networks normalize the stream once more before the head
    Pn = page.init(3, 2, "plain", norm=True)
    for net in (page.network(Pn, True), page.network(Pn, False)):
        assert isinstance(net[-3], BatchNorm) and isinstance(net[-1], layers.Dense)
        assert np.all(net[-3].gamma == 1) and np.all(net[-3].beta == 0)


def test_gradient_ratios_match_the_reference_backward():
    """The stacked backward's ‖dL/dh‖ at each block input equals the reference library's
    layer-by-layer backward from the same injected gradient, for the five networks."""
    blocks, seed = 4, 2
    for kind in page.INITS:
        norm, residual = kind.endswith("-bn"), kind.startswith("residual")
        base = "residual-zero" if kind == "residual-zero" else "plain"
        P = page.init(seed, blocks, base, norm)
        X = page.split(seed)[0]
        net = page.network(P, residual)[: -3 if norm else -2]  # up to the last block's output
        H, caches = layers.forward(net, X)
        top = np.random.default_rng(0).normal(size=H.shape)
        Ps = {k: v[None] for k, v in P.items()}
        _, state = page._forward(Ps, X[None], residual)
        _, norms = page._backward(Ps, X[None], np.zeros((1, len(X), 1)), residual,
                                  state, top=top[None])  # fmt: skip
        step = 1 if residual else (6 if norm else 4)  # a plain block is 4 or 6 layers
        dh, expected = top, [np.linalg.norm(top)]
        for i in reversed(range(1, len(net), step)):
            dh = layers.backward(net[i : i + step], caches[i : i + step], dh)[0]
            expected.append(np.linalg.norm(dh))
        np.testing.assert_allclose(norms[0], expected[::-1], rtol=1e-10)
        if kind == "residual-zero":
            assert np.all(norms[0] == norms[0][-1])  # every block passes it on unchanged


def test_rate_choice_reads_validation_and_skips_diverged_rates():
    val = np.array([[0.3, 0.2, 0.25], [0.3, 0.2, 0.05]])  # rate 2 best on average
    assert page.choose_rate(val) == 2
    val[0, 2] = np.nan  # one seed diverged at rate 2: never chosen
    assert page.choose_rate(val) == 1
    val[1, 1] = np.inf
    assert page.choose_rate(val) == 0


def test_experiment_structure():
    d = page.degradation(0)
    nets = [k for k in d if isinstance(k, tuple)]
    assert set(nets) == {(k, b) for k in page.KINDS for b in (page.SHALLOW, page.DEEP)}
    for key in nets:
        r = d[key]
        assert r["hist"].shape == (page.N_SEEDS, len(page.LRS), page.STEPS + 1)
        assert r["best"] == page.choose_rate(r["val"]) and r["lr"] == page.LRS[r["best"]]
        np.testing.assert_array_equal(r["train"], r["hist"][:, r["best"], -1])
    # the references, by hand: ½ Var(t) and the normal equations of a linear fit
    for i, s in enumerate(seeds(page.N_SEEDS, 0)):
        X, T = page.split(s)[:2]
        np.testing.assert_allclose(d["constant"][i], 0.5 * np.mean((T - T.mean()) ** 2))
        A = np.c_[X, np.ones(len(X))]
        w = np.linalg.solve(A.T @ A, A.T @ T)
        np.testing.assert_allclose(d["linear"][i], 0.5 * np.mean((A @ w - T) ** 2), rtol=1e-9)
    Xtr, _, Xva, _ = page.split(0)
    assert not np.any(np.isin(Xtr, Xva))  # disjoint draws
    for key in nets:  # a rate at which a seed diverged is never the chosen one
        assert np.all(np.isfinite(d[key]["val"][:, d[key]["best"]]))
        assert np.all(np.isfinite(d[key]["train"]))
    v = page.values()
    diverged = [float(x) for x in v["lrs_diverged"].split(", ")]
    for key in nets:  # every network diverged in some seed at these rates
        for lr in diverged:
            assert not np.all(np.isfinite(d[key]["hist"][:, page.LRS.index(lr), -1]))
    kept = [float(x) for x in v["lrs_kept"].split(", ")]
    means = [d["plain", page.DEEP]["hist"][:, page.LRS.index(lr), -1].mean() for lr in kept]
    assert min(means) >= float(v["plain_deep_rate_min"]) - 5e-4
    assert max(means) <= float(v["plain_deep_rate_max"]) + 5e-4
    ratio = d["plain", page.DEEP]["train"] / d["constant"]
    assert abs(ratio.max() - float(v["plain_deep_const_max"])) <= 5e-3
    g = page.gradient_at_init(0)
    for i, s in enumerate(seeds(page.GRAD_SEEDS, 0)):  # ½ Var(t) on the gradient seeds
        T = page.split(s)[1]
        np.testing.assert_allclose(g["constant"][i], 0.5 * np.var(T), rtol=1e-12)
    assert g["plain", page.GRAD_DEPTHS[0]].shape == (page.GRAD_SEEDS, page.GRAD_DEPTHS[0] + 1)
    np.testing.assert_array_equal(g["residual-zero", page.GRAD_DEPTHS[-1]], 0.0)


def test_zero_init_network_starts_as_stem_and_head():
    assert page.zero_init_gap(4, 6) == 0.0
    P = page.init(4, 6, "residual-zero")
    assert np.all(P["W2"] == 0) and np.any(P["W1"] != 0)
    # the same seed gives the plain and He-residual networks the same weights
    a, b = page.init(4, 6, "plain"), page.init(4, 6, "residual-he")
    assert all(np.array_equal(a[k], b[k]) for k in a)
    # with batch norm: the same dense weights, γ = 1 and β = 0
    c = page.init(4, 6, "plain", norm=True)
    assert all(np.array_equal(a[k], c[k]) for k in a)
    assert np.all(c["g1"] == 1) and np.all(c["be2"] == 0)


def test_resnet34_shortcut_counts():
    c = page.shortcut_params()
    assert c["n_blocks"] == 16 and c["n_changes"] == 3
    assert c["B"] == 64 * 128 + 128 * 256 + 256 * 512
    identity_blocks = 2 * 64 * 64 + 3 * 128 * 128 + 5 * 256 * 256 + 2 * 512 * 512
    assert c["C"] == c["B"] + identity_blocks + 64 * 64  # stage 1's first block keeps 64
    # the 3×3 convolutions of ResNet-34's blocks: about 21.1 M of its 21.8 M parameters
    assert 21.0e6 < c["blocks"] < 21.2e6


def test_values_and_claims_are_well_formed():
    v = page.values()
    for key, value in v.items():
        assert "nan" not in str(value).lower(), key
    assert v["deep_layers"] == 2 * page.DEEP + 2
    c0 = page.claims(0)
    for holds, ev in c0.values():
        assert isinstance(holds, bool) and isinstance(ev, str) and "$" not in ev


def test_task_refuses_bad_arguments():
    with pytest.raises(ValueError, match="^n:"):
        page.task(0, 0)
    with pytest.raises(TypeError, match="^seed:"):
        page.task("seed", 4)
