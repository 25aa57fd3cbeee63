"""Tests for snippets/dl0011_fully_connected_layer.py, the page module of DL0011: its worked
examples, experiments, values, figures and claims."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import backprop as bp
from snippets import dl0011_fully_connected_layer as page
from snippets import fully_connected as fc

# --- worked examples ----------------------------------------------------------------------------


def test_dense_worked_example_by_hand():
    e = page.dense_example()
    # z = x W + b: row 1: 2·0.5 + 1·0.25 + 0.5·(−1) + 0.1 = 0.85, 2·(−1) + 0.5 + 0.5 − 0.2 = −1.2
    #              row 2: 0.25 + 0.5 − 0.5 + 0.1 = 0.35, −0.5 + 1 + 0.5 − 0.2 = 0.8
    np.testing.assert_allclose(e["Z"], [[0.85, -1.2], [0.35, 0.8]], atol=1e-12)
    np.testing.assert_allclose(e["A"], [[0.85, 0.0], [0.35, 0.8]], atol=1e-12)
    # Δ = (A − T)/2 ⊙ [z > 0] = [[−0.075, 0], [0.175, −0.1]] (the ReLU blocks the −0.25)
    delta = np.array([[-0.075, 0.0], [0.175, -0.1]])
    X = np.array(page.DENSE_EXAMPLE["X"])
    np.testing.assert_allclose(e["dW"], X.T @ delta, atol=1e-12)
    np.testing.assert_allclose(e["db"], [0.1, -0.1], atol=1e-12)
    # loss: ½(0.15² + 0.5² + 0.35² + 0.2²) / 2
    assert e["loss"] == pytest.approx(0.5 * (0.0225 + 0.25 + 0.1225 + 0.04) / 2)


# --- the experiments and values ------------------------------------------------------------------


def test_position_experiment_claims_hold_on_the_default_seeds():
    # seed set 1 is re-checked by tests/test_claims.py; the figure and values use set 0
    for name, (holds, evidence) in page.claims(0).items():
        assert holds, (name, evidence)


def test_position_experiment_setup():
    r = page.position_runs()
    assert len(r["runs"]) == page.POS_N_SEEDS
    assert r["flatten"]["col_acc"].shape == (page.POS_N_SEEDS, page.POS_SIDE)
    for head in ("flatten", "gap", "flatten_all"):
        assert set(r[head]["lr"]) <= set(page.POS_LRS)  # rates come from the validation grid
        # the pick is the first rate with the best validation accuracy (smaller wins a tie)
        acc = r[head]["val_accs"]
        assert acc.shape == (page.POS_N_SEEDS, len(page.POS_LRS))
        np.testing.assert_array_equal(r[head]["lr"], np.asarray(page.POS_LRS)[acc.argmax(axis=1)])
        np.testing.assert_allclose(r[head]["val"], acc.max(axis=1))
    assert page.position_runs() is page.position_runs(0)  # values and claims share one run
    run = r["runs"][0]
    assert run["flatten"]["n_params"] == fc.flatten_fc_params(8, 7, 7, 6)
    assert run["gap"]["n_params"] == fc.gap_fc_params(8, 6)
    # on 11×11 maps the flatten head refuses; the GAP head runs
    assert "X: expected C·H·W = 392" in run["flatten_big_error"]
    assert "968" in run["flatten_big_error"]
    assert run["gap_big_out_shape"] == (run["n_big"], 6)


def _synthetic_maps_loop(rng, signatures, n_per_class, cols, side, contrast=1.0):
    # the plain version: one map at a time, drawing its row, column, amplitude and noise
    K, C = signatures.shape
    yy, xx = np.mgrid[0:side, 0:side]
    X, y = [], []
    for k in range(K):
        for _ in range(n_per_class):
            r, c = rng.integers(0, side), rng.choice(cols)
            bump = np.exp(-((yy - r) ** 2 + (xx - c) ** 2) / (2 * page.POS_BUMP_SIGMA**2))
            amp = contrast * rng.uniform(0.7, 1.3)
            noise = 0.1 * np.abs(rng.normal(size=(C, side, side)))
            X.append(amp * signatures[k][:, None, None] * bump + noise)
            y.append(k)
    return np.array(X), np.array(y)


@pytest.mark.parametrize(
    "cols, side, contrast", [([0, 1, 2], 7, 1.0), (range(11), 11, 121 / 49), ([4], 7, 1.0)]
)
def test_synthetic_maps_equal_the_plain_loop(cols, side, contrast):
    sig = np.random.default_rng(0).uniform(size=(3, 4))
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    X, y = page.synthetic_maps(a, sig, 20, cols, side, contrast)
    X_loop, y_loop = _synthetic_maps_loop(b, sig, 20, cols, side, contrast)
    np.testing.assert_array_equal(X, X_loop)  # bit-identical: the same draws, the same arithmetic
    np.testing.assert_array_equal(y, y_loop)
    assert a.random() == b.random()  # and the generator left in the same state


@pytest.mark.parametrize("fan_in", [392, 8])  # through the Gram matrix, and directly
def test_rates_trained_side_by_side_equal_one_train_per_rate(fan_in):
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(600, fan_in)), np.eye(6)[rng.integers(0, 6, 600)]
    init = bp.init_params([fan_in, 6], np.random.default_rng(1))
    stacked = page._train_rates(init, X, T, page.POS_LRS, 40)
    assert len(stacked) == len(page.POS_LRS)
    for lr, params in zip(page.POS_LRS, stacked):
        ((W, b),) = bp.train(init, X, T, lr, 40, "sigmoid")[0]
        np.testing.assert_allclose(params[0][0], W, rtol=0, atol=1e-12 * np.abs(W).max())
        np.testing.assert_allclose(params[0][1], b, rtol=0, atol=1e-12)


def test_synthetic_maps_bump_has_the_stated_width():
    # one channel, no noise to speak of: the map's profile is exp(-d² / (2σ²)) around the object
    sig = np.ones((1, 1))
    X, _ = page.synthetic_maps(np.random.default_rng(3), sig, 1, [3], 7)
    peak = np.unravel_index(X[0, 0].argmax(), (7, 7))
    assert peak[1] == 3
    ratio = X[0, 0][peak[0], 4] / X[0, 0][peak]
    assert ratio == pytest.approx(np.exp(-1 / (2 * page.POS_BUMP_SIGMA**2)), abs=0.15)


def test_synthetic_maps_contrast_scales_the_object_only():
    sig = np.random.default_rng(0).uniform(size=(2, 3))
    X1, y1 = page.synthetic_maps(np.random.default_rng(7), sig, 2, [1], 5)
    X2, y2 = page.synthetic_maps(np.random.default_rng(7), sig, 2, [1], 5, contrast=2.0)
    np.testing.assert_array_equal(y1, y2)
    # same draws: X1 = S + N and X2 = 2 S + N, so X2 - X1 = S >= 0 and 2 X1 - X2 = N, the noise
    assert np.all(X2 - X1 >= 0)
    noise = 2 * X1 - X2
    assert noise.min() >= -1e-12 and noise.max() < X1.max()
    with pytest.raises(ValueError, match="contrast"):
        page.synthetic_maps(np.random.default_rng(7), sig, 2, [1], 5, contrast=0.0)


def test_conv_view_experiment_is_exact():
    r = page.conv_view_runs()
    assert r["fc_vs_conv"] < 1e-12 and r["cam_vs_head"] < 1e-12
    # with a hidden ReLU layer after GAP, averaging no longer commutes with the head
    assert r["cam_hidden_vs_head"] > 0.1
    assert r["big_out_shape"] == (1, 6, 11 - 7 + 1, 11 - 7 + 1)


def test_values_quote_the_counts():
    v = page.values()

    def num(key):
        return float(str(v[key]).replace(",", ""))

    assert num("ex_flat") == 2358 and num("ex_gap") == 54
    assert num("ex_ratio") == pytest.approx(2358 / 54, abs=0.05)
    assert num("vgg_params") == 138_357_544 and num("resnet_params") == 25_557_032
    head = (25088 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    assert num("vgg_head_params") == head == 123_642_856
    assert num("vgg_head_share") == pytest.approx(100 * head / 138_357_544, abs=0.05)
    assert num("resnet_head_share") == pytest.approx(100 * 2_049_000 / 25_557_032, abs=0.05)
    assert num("ex_c_frac") == pytest.approx(800 / 9, abs=0.05)
    # VGG's head split in its two changes: GAP alone (hidden layers kept), then one linear layer
    keep = (512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
    assert num("vgg_gap_keep_hidden") == keep == 22_979_560
    body = 138_357_544 - head
    assert num("vgg_gap_keep_hidden_ratio") == pytest.approx(head / keep, abs=0.05)
    assert num("vgg_gap_keep_hidden_share") == pytest.approx(100 * keep / (body + keep), abs=0.5)
    assert num("vgg_gap_head") == 513_000
    assert num("vgg_gap_head_share") == pytest.approx(100 * 513_000 / (body + 513_000), abs=0.05)
    # a 4096 → 1000 layer: one multiply-add per weight; the biases are additions only
    assert float(v["fc_4096_1000_macs"].replace("{,}", "")) == 4096 * 1000
    assert float(v["fc_4096_1000"].replace("{,}", "")) == 4096 * 1000 + 1000
    assert num("pos_gap_floor") == page.POS_GAP_FLOOR
    assert num("pos_bump_sigma") == page.POS_BUMP_SIGMA
    np.testing.assert_allclose(page.gap_example()["Y"], [[5.0, 1.0]])
    for key, value in v.items():
        assert "nan" not in str(value).lower(), key


def test_figures_draw():
    from snippets import plotting

    for name, draw in page.figures().items():
        with plotting.themed(plotting.DARK):
            fig = draw(plotting.DARK)
        assert fig.axes, name


def test_network_runs_count_the_layer_tables():
    n = page.network_runs()
    assert n["vgg_convs"] == 13 and n["resnet_convs"] == 53
    assert n["vgg448_fc1"] == 512 * 14 * 14 * 4096 + 4096
    assert n["vgg_gap_head"] == 512 * 1000 + 1000


def test_values_and_claims_are_the_same_on_a_second_call():
    # cached runs: values() and claims() read the experiment once per seed set
    assert page.values() == page.values()
    assert page.claims(0) == page.claims()
