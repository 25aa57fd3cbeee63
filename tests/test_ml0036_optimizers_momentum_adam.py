"""Tests for snippets/ml0036_optimizers_momentum_adam.py, the page module of ML0036 · Optimizers:
its worked example by scalar loops, the two momentum forms, the quadratic theory against the
reference optimizers, Adam's bias correction, the experiments' shortcuts and fairness, and the
figures. The optimizers themselves are tested in tests/test_optimizers.py; the claims are
re-checked on a second seed set in tests/test_claims.py."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import ml0036_optimizers_momentum_adam as page
from snippets.optimizers import SGD, Adam


def test_worked_example_by_scalar_loops():
    lr, mu = 0.1, 0.9
    e = page.worked_example()
    p, b, sgd, mom, nes = 1.0, 0.0, [1.0], [1.0], [1.0]
    for _ in range(3):  # SGD
        p -= lr * 2 * p
        sgd.append(p)
    p, b = 1.0, None
    for _ in range(3):  # momentum, buffer = gradient at the first step
        g = 2 * p
        b = g if b is None else mu * b + g
        p -= lr * b
        mom.append(p)
    p, b = 1.0, None
    for _ in range(3):  # Nesterov: d = g + mu b
        g = 2 * p
        b = g if b is None else mu * b + g
        p -= lr * (g + mu * b)
        nes.append(p)
    np.testing.assert_allclose(e["sgd"], sgd, rtol=0, atol=1e-15)
    np.testing.assert_allclose(e["momentum"], mom, rtol=0, atol=1e-15)
    np.testing.assert_allclose(e["nesterov"], nes, rtol=0, atol=1e-15)
    assert nes[:3] == pytest.approx([1.0, 0.62, 0.2224])
    p, m, v, adam = 1.0, 0.0, 0.0, [1.0]
    for t in range(1, 4):
        g = 2 * p
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        adam.append(p)
    np.testing.assert_allclose(e["adam"], adam, rtol=1e-14)
    assert e["adam_moments"][0] == pytest.approx([0.2, 0.004, 2.0, 4.0])


def test_momentum_forms_agree_at_a_constant_rate_and_part_after_a_change():
    f = page.momentum_forms()
    assert f["const_gap"] < 1e-14 and f["nesterov_gap"] < 1e-14
    assert f["drop_gap"] > 1e-2
    # PyTorch: the new rate applies to the whole buffer at once
    assert f["step_after_torch"] < f["step_before"] / 2 < f["step_after_sutskever"]


def test_iteration_matrices_are_one_step_of_the_reference_sgd():
    lam, lr, mu = 3.0, 0.07, 0.8
    for method in page.METHODS:
        A = page.iteration_matrix(method, lam, lr, mu)
        for state in np.eye(A.shape[0]):
            p = np.array([state[0]])
            opt = SGD([p], lr, momentum=mu if method != "gd" else 0.0,
                      nesterov=method == "nesterov")  # fmt: skip
            if method != "gd":  # start from a given buffer: one step with it already set
                opt.state[0]["buffer"] = np.array([state[1]])
            opt.step([lam * p])
            got = [p[0]] + ([opt.state[0]["buffer"][0]] if method != "gd" else [])
            np.testing.assert_allclose(got, A @ state, rtol=0, atol=1e-15)


@pytest.mark.parametrize("kappa", [4.0, 25.0, 400.0])
def test_spectral_radii_equal_the_closed_forms(kappa):
    r = np.sqrt(kappa)
    lams = np.geomspace(1.0, kappa, 33)
    want = {"gd": (kappa - 1) / (kappa + 1), "heavy_ball": (r - 1) / (r + 1), "nesterov": 1 - 1 / r}
    for m, rho in want.items():
        lr, mu = page.tuned(m, kappa)
        # repeated eigenvalues at the extremes: eigvals is accurate to about sqrt(machine eps)
        assert page.spectral_radius(m, lams, lr, mu) == pytest.approx(rho, rel=1e-6)


def test_gradient_descent_error_is_the_closed_form():
    lams = page.curvatures(50.0)
    lr, _ = page.tuned("gd", 50.0)
    norms = page.run_quadratic("gd", lams, np.ones(len(lams)), 30)
    want = [np.linalg.norm((1 - lr * lams) ** t) for t in range(31)]
    np.testing.assert_allclose(norms, want, rtol=1e-12)
    assert page.steps_to_tol(np.array([1.0, 0.5, 1e-7]), 1e-6) == 2
    with pytest.raises(ValueError, match="norms"):
        page.steps_to_tol(np.array([1.0, 0.5]), 1e-6)


def test_bias_correction_closed_form_and_reference_adam():
    b = page.bias_correction()
    t = np.arange(1, page.BIAS["steps"] + 1)
    # eps over sqrt(v) is at most 1e-8 / sqrt(0.001): the closed forms ignore it
    np.testing.assert_allclose(b["neither"], (1 - 0.9**t) / np.sqrt(1 - 0.999**t), rtol=1e-6)
    np.testing.assert_allclose(b["only_v"], 1 - 0.9**t, rtol=1e-7)
    np.testing.assert_allclose(b["only_m"], 1 / np.sqrt(1 - 0.999**t), rtol=1e-6)
    # the page's loop with both corrections is the reference Adam (constant gradient case)
    q = np.zeros(1)
    ref = Adam([q], lr=1e-3)
    const = []
    for _ in range(5):
        before = q[0]
        ref.step([np.array([0.3])])
        const.append(abs(q[0] - before))
    np.testing.assert_allclose(page.adam_step_sizes(0.3, 5, True, True), const, rtol=1e-12)


def test_first_steps_and_scale_invariance():
    f = page.first_steps()
    np.testing.assert_allclose(f["sgd"], page.SCALES)
    np.testing.assert_allclose(f["adam"], np.array(page.SCALES) / (np.array(page.SCALES) + 1e-8))
    s = page.scale_invariance()
    assert s["adam_gap"] < 1e-4 < 1 < s["sgd_gap"]


def test_stacked_seeds_equal_one_seed_at_a_time():
    data = [page.logistic_data(s) for s in (0, 1, 2)]
    for name in ("momentum", "Adam"):
        together = page.train_logistic(name, 0.01, data)
        for i, d in enumerate(data):
            np.testing.assert_allclose(
                page.train_logistic(name, 0.01, [d])[0], together[i], rtol=0, atol=1e-14
            )


def test_logistic_gradient_against_finite_differences():
    d = page.logistic_data(3)
    X, y = d["Xtr"][:40], d["ytr"][:40]
    w = np.random.default_rng(1).normal(size=page.LOGREG["d"]) * 0.1
    g = page.logistic_grad(w, X, y)
    h = 1e-5
    num = np.array(
        [
            (page.logistic_loss(w + h * e, X, y) - page.logistic_loss(w - h * e, X, y)) / (2 * h)
            for e in np.eye(len(w))
        ]
    )
    assert np.max(np.abs(g - num) / np.maximum(1e-8, np.abs(g) + np.abs(num))) < 1e-7
    # large logits stay finite
    assert np.isfinite(page.logistic_loss(w * 1e6, X, y))


def test_rates_are_chosen_on_validation_only(monkeypatch):
    r = page.logistic_runs(0)
    for name in page.OPTIMIZERS:
        np.testing.assert_array_equal(r[name]["pick"], np.argmin(r[name]["val"], axis=1))
    original = page.logistic_data

    def flipped(seed, whiten=False):
        d = original(seed, whiten)
        d["yte"] = 1.0 - d["yte"]  # different test labels: the choice must not move
        return d

    monkeypatch.setattr(page, "logistic_data", flipped)
    monkeypatch.setattr(page, "LOGREG", {**page.LOGREG, "seeds": 2, "steps": 50})
    a = page.logistic_runs.__wrapped__(0)
    monkeypatch.setattr(page, "logistic_data", original)
    b = page.logistic_runs.__wrapped__(0)
    for name in page.OPTIMIZERS:
        np.testing.assert_array_equal(a[name]["pick"], b[name]["pick"])
        assert not np.allclose(a[name]["test"], b[name]["test"])


def test_decay_runs_control_and_shapes():
    d = page.decay_runs(0)
    n = len(page.DECAY["sigmas"])
    for key in ("control", "adam_l2", "adamw"):
        assert d[key].shape == (page.DECAY["seeds"], n)
    # without decay Adam ignores the scale: every weight follows one path
    assert np.ptp(d["control"], axis=1).max() < 1e-4


def test_values_are_finite_text():
    for key, value in page.values().items():
        assert "nan" not in str(value).lower() and "inf" not in str(value).lower(), key


def test_tuned_refuses_bad_arguments():
    with pytest.raises(ValueError, match="method"):
        page.tuned("adam", 10.0)
    with pytest.raises(ValueError, match="kappa"):
        page.tuned("gd", 0.5)


def test_example_moduli_and_crossings():
    lr, mu, h = page.EXAMPLE["lr"], page.EXAMPLE["momentum"], page.EXAMPLE["curvature"]
    em = page.example_moduli()
    # heavy ball: det = mu; Nesterov: det = mu (1 - lr h); both pairs complex here
    assert em["heavy_ball_modulus"] == pytest.approx(np.sqrt(mu), rel=1e-12)
    assert em["nesterov_modulus"] == pytest.approx(np.sqrt(mu * (1 - lr * h)), rel=1e-12)
    for name, nesterov in (("heavy_ball", False), ("nesterov", True)):
        p, b, t = page.EXAMPLE["p0"], None, 0
        while p >= 0:
            g = h * p
            b = g if b is None else mu * b + g
            p -= lr * (g + mu * b if nesterov else b)
            t += 1
        assert em[f"{name}_cross"] == t
    assert (em["heavy_ball_cross"], em["nesterov_cross"]) == (4, 3)


def test_nesterov_steep_coordinate_is_zero_after_two_steps():
    x2 = page.trajectories()["nesterov"][:, 1]
    lr, mu = page.tuned("nesterov", page.TRAJ["kappa"])
    # step 1: b = g = κ x₂, d = (1 + μ) κ x₂ and lr κ = 1, so x₂ becomes −μ x₂
    assert x2[1] == pytest.approx(-mu * page.TRAJ["x0"][1], rel=1e-12)
    A = page.iteration_matrix("nesterov", page.TRAJ["kappa"], lr, mu)
    np.testing.assert_allclose(np.linalg.eigvals(A), 0.0, atol=1e-7)  # nilpotent
    np.testing.assert_allclose(x2[2:], 0.0, rtol=0, atol=1e-14)
    assert abs(x2[1]) > 0.5


def test_nesterov_tuned_for_quadratics_matches_its_closed_form():
    for kappa in (4.0, 25.0, 100.0):
        rho, closed = page.nesterov_quadratic_rate(kappa)
        assert rho == pytest.approx(closed, rel=1e-6)
        r = np.sqrt(kappa)
        assert rho > (r - 1) / (r + 1)  # slower than tuned heavy ball


def test_gradient_descent_steps_come_from_the_two_extreme_coordinates():
    # at the tuned rate only λ = 1 and λ = κ contract at ρ, so late on ‖x_t‖ ≈ √2 ρ^t
    sw = page.kappa_sweep()
    x0 = np.sqrt(page.QUAD["dim"])  # ‖(1, …, 1)‖
    rho = sw["gd"]["theory"]
    want = np.ceil(np.log(1 / page.QUAD["tol"] * np.sqrt(2) / x0) / -np.log(rho))
    assert sw["gd"]["steps"][-1] == want[-1]
    np.testing.assert_allclose(sw["gd"]["steps"], want, rtol=0, atol=1)


def test_heavy_ball_extreme_curvatures_have_a_repeated_eigenvalue():
    for kappa in page.QUAD["kappas"]:
        lr, mu = page.tuned("heavy_ball", kappa)
        for lam in (1.0, kappa):
            A = page.iteration_matrix("heavy_ball", lam, lr, mu)
            tr, det = np.trace(A), np.linalg.det(A)
            assert tr * tr - 4 * det == pytest.approx(0.0, abs=1e-12)  # discriminant
            # a Jordan block, not a multiple of the identity: the error decays like t ρ^t
            assert np.abs(A - tr / 2 * np.eye(2)).max() > 1e-3
            assert abs(tr / 2) == pytest.approx(np.sqrt(mu), rel=1e-12)


def test_rmsprop_first_step_by_a_pytorch_form_loop():
    alpha, lr, eps = page.RMSPROP_ALPHA, 0.01, 1e-8
    for g0 in (3.7, -0.02):
        p, s, steps = 0.0, 0.0, []
        for g in (g0, g0, g0):  # torch.optim.RMSprop: square_avg starts at 0, no correction
            s = alpha * s + (1 - alpha) * g * g
            before = p
            p -= lr * g / (np.sqrt(s) + eps)
            steps.append(p - before)
        assert -steps[0] / lr == pytest.approx(np.sign(g0) * page.rmsprop_first_step(), rel=1e-5)
        assert abs(steps[1]) < abs(steps[0])  # s fills up, the step shrinks towards lr
    assert page.rmsprop_first_step() == pytest.approx(10.0, rel=1e-12)


def test_adam_largest_step_closed_form_against_the_reference_adam():
    for betas in page.ADAM_MAX["betas"]:
        closed = page.adam_max_step(betas)
        assert page.adam_growing_gradient_step(betas) == pytest.approx(closed, rel=1e-4)
        # any other gradient sequence stays below the bound (ε aside), once corrections die out
        rng = np.random.default_rng(5)
        p = np.zeros(200)
        opt = Adam([p], lr=1.0, betas=betas)
        g = np.exp(rng.normal(0, 0.3, (3000, 200)).cumsum(axis=0) / 5) * rng.normal(1, 1, 200)
        for t in range(3000):
            before = p.copy()
            opt.step([g[t]])
            if t > 1000:
                assert np.abs(p - before).max() <= closed * (1 + 1e-6)
    # with the defaults, the bound is far above Kingma and Ba's (1 − β₁)/√(1 − β₂)
    assert page.adam_max_step((0.9, 0.999)) > 2 * 0.1 / np.sqrt(0.001)
    assert page.adam_max_step((0.9, 0.99)) > 1.0


@pytest.mark.parametrize("seed_set", [0, 1])
def test_no_rate_is_picked_at_an_edge_of_the_grid(seed_set):
    for whiten in (False, True):
        r = page.logistic_runs(seed_set, whiten)
        for name in page.OPTIMIZERS:
            picks = r[name]["pick"]
            assert picks.min() > 0 and picks.max() < len(page.LRS) - 1, (name, whiten)


def test_hessian_condition_numbers():
    X = page.logistic_data(2)["Xtr"]
    H = X.T @ X / (4 * len(X))  # the logistic Hessian at w = 0, every sigmoid ½
    ev = np.linalg.eigvalsh(H)
    assert page.hessian_condition(2) == pytest.approx(ev[-1] / ev[0], rel=1e-8)
    assert page.hessian_condition(2) > 1e3 > 10 > page.hessian_condition(2, whiten=True)


def test_whitened_control_keeps_points_labels_and_batches():
    raw, white = page.logistic_data(3), page.logistic_data(3, whiten=True)
    for key in ("ytr", "yva", "yte", "order"):
        np.testing.assert_array_equal(raw[key], white[key])
    np.testing.assert_allclose(raw["Xtr"] @ raw["w_true"], white["Xtr"] @ white["w_true"],
                               rtol=1e-12, atol=1e-12)  # fmt: skip
    sd = white["Xte"].std(axis=0)
    assert np.all((sd > 0.9) & (sd < 1.1))
    assert raw["Xte"].std(axis=0).max() / raw["Xte"].std(axis=0).min() > 50
