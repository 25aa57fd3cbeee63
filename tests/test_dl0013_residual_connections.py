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
from snippets.residual import Residual


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


@pytest.mark.parametrize("kind", ["plain", "residual"])
def test_stacked_training_equals_the_reference_library(kind):
    steps, blocks, lrs = 6, 3, (0.03, 0.3)
    runs = [(s, lr) for s in (0, 1) for lr in lrs]
    init_kind = "residual-zero" if kind == "residual" else "plain"
    hist, val = page.train_stack(
        [page.init(s, blocks, init_kind) for s, _ in runs],
        [page.split(s) for s, _ in runs],
        [lr for _, lr in runs],
        kind == "residual",
        steps,
    )
    for i, (s, lr) in enumerate(runs):
        ref = page.run(s, kind, blocks, lr, steps)
        np.testing.assert_allclose(hist[i], ref["losses"], rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(val[i], ref["val_loss"], rtol=1e-11)
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


def test_gradient_ratios_match_the_reference_backward():
    """The stacked backward's ‖dL/dh‖ at each block input equals the reference library's
    layer-by-layer backward from the same injected gradient."""
    blocks, seed = 4, 2
    for kind in page.INITS:
        P = page.init(seed, blocks, kind)
        X = page.split(seed)[0]
        net = page.network(P, kind != "plain")[:-2]  # up to the last block's output
        H, caches = layers.forward(net, X)
        top = np.random.default_rng(0).normal(size=H.shape)
        Ps = {k: v[None] for k, v in P.items()}
        _, state = page._forward(Ps, X[None], kind != "plain")
        _, norms = page._backward(Ps, X[None], np.zeros((1, len(X), 1)), kind != "plain",
                                  state, top=top[None])  # fmt: skip
        step = 1 if kind != "plain" else 4  # a plain block is 4 layers of the list
        dh, expected = top, [np.linalg.norm(top)]
        for i in reversed(range(1, len(net), step)):
            dh = layers.backward(net[i : i + step], caches[i : i + step], dh)[0]
            expected.append(np.linalg.norm(dh))
        np.testing.assert_allclose(norms[0], expected[::-1], rtol=1e-12)
        if kind == "residual-zero":
            assert np.all(norms[0] == norms[0][-1])  # every block passes it on unchanged


def test_experiment_structure_and_tuning_on_validation():
    d = page.degradation(0)
    assert set(d) == {(k, b) for k in page.KINDS for b in (page.SHALLOW, page.DEEP)}
    for r in d.values():
        assert r["hist"].shape == (page.N_SEEDS, len(page.LRS), page.STEPS + 1)
        best = int(np.argmin(r["val"].mean(axis=0)))  # chosen on validation, not training
        assert r["lr"] == page.LRS[best]
        np.testing.assert_array_equal(r["train"], r["hist"][:, best, -1])
    Xtr, _, Xva, _ = page.split(0)
    assert not np.any(np.isin(Xtr, Xva))  # disjoint draws
    g = page.gradient_at_init(0)
    assert g["plain", 5].shape == (page.GRAD_SEEDS, 6)
    np.testing.assert_array_equal(g["residual-zero", 40], 0.0)


def test_zero_init_network_starts_as_stem_and_head():
    assert page.zero_init_gap(4, 6) == 0.0
    P = page.init(4, 6, "residual-zero")
    assert np.all(P["W2"] == 0) and np.any(P["W1"] != 0)
    # the same seed gives the plain and He-residual networks the same weights
    a, b = page.init(4, 6, "plain"), page.init(4, 6, "residual-he")
    assert all(np.array_equal(a[k], b[k]) for k in a)


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


def test_figures_draw_in_both_themes_and_are_small():
    from snippets.plotting import DARK, LIGHT, themed, to_svg

    for theme in (LIGHT, DARK):
        with themed(theme):
            for name, draw in page.figures().items():
                assert len(to_svg(draw(theme))) < 80_000, name


def test_task_refuses_bad_arguments():
    with pytest.raises(ValueError, match="n"):
        page.task(0, 0)
    with pytest.raises(TypeError, match="seed"):
        page.task("seed", 4)
