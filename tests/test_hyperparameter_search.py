"""Tests for snippets/hyperparameter_search.py: spaces, the three searches, the GP maths,
successive halving, the experiment protocol, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import hyperparameter_search as hs
from snippets.hyperparameter_search import Dim

SPACE = (Dim("lr", 1e-4, 1.0, log=True), Dim("dropout", 0.0, 0.5), Dim("width", 8, 256, True, True))


def counting(f):
    """Wrap an objective so the test can see every call it got."""
    calls = []

    def g(p):
        calls.append(dict(p))
        return f(p)

    g.calls = calls
    return g


def quadratic(p):  # maximum 0 at lr = 1e-2, dropout = 0.2
    return -((math.log10(p["lr"]) + 2) ** 2) - 10 * (p["dropout"] - 0.2) ** 2


def in_bounds(trials, space):
    for t in trials:
        for d in space:
            v = t.params[d.name]
            assert d.low <= v <= d.high
            assert isinstance(v, int) == d.integer


# --- spaces ------------------------------------------------------------------------------------


def test_from_unit_by_hand():
    (p,) = hs.from_unit(SPACE, [[0.5, 0.5, 0.5]])
    assert p["lr"] == pytest.approx(1e-2)  # the geometric mean of 1e-4 and 1
    assert p["dropout"] == pytest.approx(0.25)
    assert p["width"] == 45 and isinstance(p["width"], int)  # sqrt(8 * 256) = 45.25
    lo, hi = hs.from_unit(SPACE, [[0, 0, 0], [1, 1, 1]])
    assert lo == {"lr": pytest.approx(1e-4), "dropout": 0.0, "width": 8}
    assert hi == {"lr": 1.0, "dropout": 0.5, "width": 256}


def test_mapping_space_is_the_same_as_dims():
    space = hs.check_space({"lr": (1e-4, 1.0, "log"), "dropout": (0.0, 0.5)})
    assert space == (Dim("lr", 1e-4, 1.0, log=True), Dim("dropout", 0.0, 0.5))


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(1e-6, 1e3),
    ratio=st.floats(1.01, 1e6),
    log=st.booleans(),
    u=st.lists(st.floats(0, 1), min_size=1, max_size=8),
)
def test_to_unit_inverts_from_unit(low, ratio, log, u):
    space = (Dim("x", low, low * ratio, log=log),)
    U = np.array(u)[:, None]
    points = hs.from_unit(space, U)
    assert all(low <= p["x"] <= low * ratio for p in points)
    np.testing.assert_allclose(hs.to_unit(space, points), U, atol=1e-9)


# --- grid --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "d, budget, counts",
    [(2, 9, (3, 3)), (2, 20, (5, 4)), (3, 27, (3, 3, 3)), (3, 26, (3, 3, 2)), (1, 7, (7,))],
)
def test_grid_counts_by_hand(d, budget, counts):
    assert hs.grid_counts(d, budget) == counts


@settings(max_examples=80, deadline=None)
@given(d=st.integers(1, 4), budget=st.integers(1, 400))
def test_grid_counts_fill_the_budget(d, budget):
    counts = hs.grid_counts(d, budget)
    assert len(counts) == d and math.prod(counts) <= budget
    assert max(counts) - min(counts) <= 1  # as square as possible
    k = min(counts)
    if max(counts) == k:  # all equal: one more point on any axis would overrun the budget
        assert (k + 1) * k ** (d - 1) > budget
    else:  # the small axes cannot grow either
        assert math.prod(counts) // k * (k + 1) > budget


def test_grid_points_are_cell_centres_in_row_major_order():
    P = hs.grid_points([3, 2])
    third, half = [1 / 6, 1 / 2, 5 / 6], [1 / 4, 3 / 4]
    np.testing.assert_allclose(P, [[a, b] for a in third for b in half])
    np.testing.assert_allclose(hs.grid_points([3], endpoints=True)[:, 0], [0, 0.5, 1])
    np.testing.assert_allclose(hs.grid_points([1], endpoints=True)[:, 0], [0.5])


def test_grid_search_evaluates_the_grid_in_log_space():
    f = counting(quadratic)
    trials = hs.grid_search(f, SPACE[:2], 9)
    assert len(trials) == 9 and f.calls == [t.params for t in trials]
    lrs = sorted({t.params["lr"] for t in trials})
    # three cell centres of [log 1e-4, log 1]: 10^(-4 + 4/6), 10^-2, 10^(-4/6)
    np.testing.assert_allclose(lrs, [10 ** (-4 + 4 / 6), 1e-2, 10 ** (-4 / 6)])
    assert [t.score for t in trials] == [quadratic(t.params) for t in trials]


def test_grid_search_respects_the_budget_and_bounds():
    trials = hs.grid_search(quadratic, SPACE, 30)
    assert len(trials) == 27  # 3 x 3 x 3, the largest grid within 30
    in_bounds(trials, SPACE)


# --- random ------------------------------------------------------------------------------------


def test_random_search_is_seeded_and_spends_the_budget():
    a = hs.random_search(quadratic, SPACE, 12, 7)
    b = hs.random_search(quadratic, SPACE, 12, np.random.default_rng(7))
    c = hs.random_search(quadratic, SPACE, 12, 8)
    assert a == b and a != c and len(a) == 12
    in_bounds(a, SPACE)


@settings(max_examples=25, deadline=None)
@given(
    lows=st.lists(st.floats(1e-3, 10), min_size=1, max_size=4),
    log=st.booleans(),
    seed=st.integers(0, 2**31),
    budget=st.integers(1, 20),
)
def test_every_search_stays_inside_the_bounds(lows, log, seed, budget):
    space = tuple(Dim(f"x{i}", low, 3 * low, log=log) for i, low in enumerate(lows))
    f = counting(lambda p: -sum(p.values()))
    r = hs.random_search(f, space, budget, seed)
    g = hs.grid_search(f, space, budget)
    assert len(r) == budget and len(g) <= budget and len(f.calls) == len(r) + len(g)
    in_bounds(r + g, space)


def test_log_scale_sampling_is_uniform_in_log_space():
    space = (Dim("lr", 1e-5, 1e1, log=True),)
    trials = hs.random_search(lambda p: 0.0, space, 3000, 0)
    e = np.sort([math.log10(t.params["lr"]) for t in trials])
    # Kolmogorov-Smirnov distance to Uniform(-5, 1); 1.63/sqrt(n) is the 1 % critical value
    cdf = (e + 5) / 6
    n = len(e)
    ks = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert ks < 1.63 / math.sqrt(n)
    # so each decade gets a sixth of the draws, where a linear scale would put 90 % in the last
    per_decade = np.histogram(e, bins=6, range=(-5, 1))[0] / n
    np.testing.assert_allclose(per_decade, 1 / 6, atol=0.03)


# --- Gaussian process --------------------------------------------------------------------------


def matern52_by_hand(r, ls, var):
    return (
        var
        * (1 + math.sqrt(5) * r / ls + 5 * r * r / (3 * ls * ls))
        * math.exp(-math.sqrt(5) * r / ls)
    )


def test_kernels_by_hand():
    a, b = np.array([[0.1, 0.2]]), np.array([[0.4, 0.6]])  # distance 0.5
    assert hs.matern52_kernel(a, b, 0.3, 2.0)[0, 0] == pytest.approx(matern52_by_hand(0.5, 0.3, 2))
    assert hs.rbf_kernel(a, b, 0.3, 2.0)[0, 0] == pytest.approx(2 * math.exp(-0.25 / 0.18))
    # one length-scale per dimension: distances are measured in units of each
    r = math.hypot(0.3 / 0.5, 0.4 / 2.0)
    got = hs.matern52_kernel(a, b, [0.5, 2.0], 1.0)[0, 0]
    assert got == pytest.approx(matern52_by_hand(r, 1.0, 1.0))
    X = np.random.default_rng(0).random((6, 2))
    for k in (hs.matern52_kernel(X, X, 0.4), hs.rbf_kernel(X, X, 0.4)):
        np.testing.assert_allclose(k, k.T)
        np.testing.assert_allclose(np.diag(k), 1.0)
        assert np.linalg.eigvalsh(k).min() > -1e-12


def gp_by_hand(X, y, Xs, ls, var, noise):
    """The textbook formulas with an explicit inverse (fine for a test)."""

    def k(A, B):
        r = np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))
        s = math.sqrt(5) * r / ls
        return var * (1 + s + s * s / 3) * np.exp(-s)

    Kinv = np.linalg.inv(k(X, X) + noise * np.eye(len(X)))
    Ks = k(X, Xs)
    return Ks.T @ Kinv @ y, var - np.einsum("im,ij,jm->m", Ks, Kinv, Ks)


def test_gp_posterior_matches_the_textbook_formulas():
    rng = np.random.default_rng(1)
    X, y, Xs = rng.random((8, 3)), rng.normal(size=8), rng.random((5, 3))
    mean, std = hs.gp_posterior(X, y, Xs, 0.7, 1.5, 0.01)
    m, v = gp_by_hand(X, y, Xs, 0.7, 1.5, 0.01)
    np.testing.assert_allclose(mean, m, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(std**2, v, rtol=1e-7, atol=1e-10)


def test_gp_with_one_observation_in_closed_form():
    # mean = k y0 / (s² + σ²), var = s² − k² / (s² + σ²)
    x0, y0, xs, ls, var, noise = 0.2, 1.3, 0.5, 0.4, 2.0, 0.1
    k = matern52_by_hand(0.3, ls, var)
    mean, std = hs.gp_posterior([[x0]], [y0], [[xs]], ls, var, noise)
    assert mean[0] == pytest.approx(k * y0 / (var + noise))
    assert std[0] ** 2 == pytest.approx(var - k * k / (var + noise))


def test_noise_free_posterior_interpolates_the_observations():
    rng = np.random.default_rng(2)
    X = rng.random((10, 2))
    y = np.sin(6 * X[:, 0]) + X[:, 1]
    for kernel in hs.KERNELS:
        mean, std = hs.gp_posterior(X, y, X, 0.3, 1.0, 0.0, kernel)
        np.testing.assert_allclose(mean, y, atol=1e-6)
        assert std.max() < 1e-4
    # far from the data the posterior returns to the prior: mean 0, std sqrt(variance)
    mean, std = hs.gp_posterior(X, y, [[40.0, 40.0]], 0.3, 2.0, 0.0)
    assert abs(mean[0]) < 1e-12 and std[0] == pytest.approx(math.sqrt(2.0))


def test_gp_survives_duplicate_points():
    X = np.array([[0.3], [0.3], [0.7]])
    mean, std = hs.gp_posterior(X, [1.0, 1.0, -1.0], X, 0.2, 1.0, 0.0)
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(std))
    np.testing.assert_allclose(mean, [1, 1, -1], atol=1e-4)


def test_log_marginal_likelihood_by_hand():
    rng = np.random.default_rng(3)
    X, y = rng.random((7, 2)), rng.normal(size=7)
    r = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    K = np.vectorize(matern52_by_hand)(r, 0.5, 1.2) + 0.05 * np.eye(7)
    expected = -0.5 * y @ np.linalg.solve(K, y) - 0.5 * np.linalg.slogdet(K)[1]
    expected -= 3.5 * math.log(2 * math.pi)
    got = hs.gp_log_marginal_likelihood(X, y, 0.5, 1.2, 0.05)
    assert got == pytest.approx(expected, rel=1e-9)


def test_fit_gp_finds_the_dimension_that_matters():
    rng = np.random.default_rng(4)
    X = rng.random((25, 2))
    y = np.sin(8 * X[:, 0])  # x2 plays no part
    y = (y - y.mean()) / y.std()
    ls, noise = hs.fit_gp(X, y)
    assert ls[1] > 5 * ls[0]
    assert noise <= 1e-3  # noise-free data
    best = hs.gp_log_marginal_likelihood(X, y, ls, 1.0, noise)
    for v in hs.LENGTH_SCALES:  # better than any shared length-scale
        assert best >= hs.gp_log_marginal_likelihood(X, y, v, 1.0, noise) - 1e-9


# --- expected improvement ----------------------------------------------------------------------


def test_expected_improvement_against_monte_carlo():
    rng = np.random.default_rng(5)
    mean = np.array([0.0, 1.0, -1.0, 0.3])
    std = np.array([1.0, 0.2, 2.0, 0.5])
    best, xi = 0.5, 0.1
    f = mean + std * rng.standard_normal((400_000, 4))
    mc = np.maximum(f - best - xi, 0).mean(axis=0)
    mc_se = np.maximum(f - best - xi, 0).std(axis=0) / math.sqrt(len(f))
    ei = hs.expected_improvement(mean, std, best, xi)
    assert np.all(np.abs(ei - mc) < 4 * mc_se)


def test_expected_improvement_formula_by_hand():
    # mean = best: EI = σ φ(0) = σ / sqrt(2π)
    assert hs.expected_improvement([1.0], [2.0], 1.0)[0] == pytest.approx(
        2 / math.sqrt(2 * math.pi)
    )
    # σ = 0: the improvement itself, or nothing
    np.testing.assert_array_equal(
        hs.expected_improvement([2.0, 0.0], [0.0, 0.0], 1.0, 0.25), [0.75, 0.0]
    )


@settings(max_examples=80, deadline=None)
@given(mean=st.floats(-5, 5), std=st.floats(0, 5), best=st.floats(-5, 5), xi=st.floats(0, 1))
def test_expected_improvement_bounds(mean, std, best, xi):
    ei = hs.expected_improvement([mean], [std], best, xi)[0]
    delta = mean - best - xi
    assert ei >= max(delta, 0) - 1e-12  # E[max(f, 0)] ≥ max(E f, 0)
    assert ei <= max(delta, 0) + std / math.sqrt(2 * math.pi) + 1e-12
    more = hs.expected_improvement([mean], [std + 0.5], best, xi)[0]
    assert more >= ei - 1e-12  # more uncertainty, more to gain


# --- Bayesian optimization ---------------------------------------------------------------------


def test_bayesian_search_is_seeded_and_starts_like_random_search():
    a = hs.bayesian_search(quadratic, SPACE, 9, 3, n_init=4, n_candidates=200)
    b = hs.bayesian_search(quadratic, SPACE, 9, 3, n_init=4, n_candidates=200)
    r = hs.random_search(quadratic, SPACE, 9, 3)
    assert a == b and len(a) == 9
    assert a[:4] == r[:4]  # the same initial design as random search with the same seed
    in_bounds(a, SPACE)


def branin(p):
    """Branin-Hoo, negated for maximization: maximum -0.397887 at three points."""
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return -((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10)


def test_bayesian_search_beats_random_search_on_branin():
    space = (Dim("x1", -5.0, 10.0), Dim("x2", 0.0, 15.0))
    opt, budget, seeds = -0.397887, 25, range(4)
    bo = [hs.best_so_far(hs.bayesian_search(branin, space, budget, s)) for s in seeds]
    rs = [hs.best_so_far(hs.random_search(branin, space, budget, s)) for s in seeds]
    regret_bo = np.mean([opt - c[-1] for c in bo])
    regret_rs = np.mean([opt - c[-1] for c in rs])
    assert regret_bo < 0.1 < regret_rs

    # and it needs fewer evaluations to come within 1 of the optimum
    def first(c):
        return int(np.argmax(c >= opt - 1.0)) + 1 if np.any(c >= opt - 1.0) else budget + 1

    assert np.mean([first(c) for c in bo]) < np.mean([first(c) for c in rs])


def test_bayesian_search_with_a_fixed_length_scale_and_rbf():
    space = (Dim("x", 0.0, 1.0),)
    trials = hs.bayesian_search(
        lambda p: -((p["x"] - 0.3) ** 2), space, 10, 0, n_init=3, kernel="rbf", length_scale=0.2
    )
    assert abs(max(trials, key=lambda t: t.score).params["x"] - 0.3) < 0.02


# --- successive halving ------------------------------------------------------------------------


def test_successive_halving_keeps_the_best_third():
    configs = [{"q": q} for q in np.random.default_rng(6).permutation(27) / 27]
    f = counting(lambda p: p["q"])

    def objective(p, r):
        f(p)
        return p["q"] * (1 - 1 / (r + 1))  # learning curves that never cross

    rungs = hs.successive_halving(objective, configs, 1, 3)
    assert [r.resource for r in rungs] == [1, 3, 9, 27]
    assert [len(r.indices) for r in rungs] == [27, 9, 3, 1]
    assert len(f.calls) == 40
    q = np.array([c["q"] for c in configs])
    for rung, kept in zip(rungs[1:], (9, 3, 1)):
        assert set(rung.indices) == set(np.argsort(-q)[:kept])  # the true top ones survive
    capped = hs.successive_halving(objective, configs, 1, 3, max_resource=10)
    assert [r.resource for r in capped] == [1, 3, 9]


def test_best_so_far_by_hand():
    trials = [hs.Trial({}, s) for s in (0.2, 0.1, 0.5, 0.4, 0.7)]
    np.testing.assert_array_equal(hs.best_so_far(trials), [0.2, 0.2, 0.5, 0.5, 0.7])


# --- the page's experiments ---------------------------------------------------------------------


def test_grid_versus_random_when_one_dimension_matters():
    r = hs.synthetic_runs()
    assert len({t.params["x1"] for t in r["grid"]}) == 3
    assert len({t.params["x1"] for t in r["random0"]}) == 9
    # grid's best is the bump at x1 = 1/2; random beats it as often as the formula says
    assert r["grid_best"] == pytest.approx(math.exp(-0.5 * ((0.5 - hs.SYN_PEAK) / 0.07) ** 2))
    p = np.mean(r["random_best"] > r["grid_best"])
    se = math.sqrt(r["p_exact"] * (1 - r["p_exact"]) / hs.SYN_SEEDS)
    assert abs(p - r["p_exact"]) < 4 * se


def test_the_splits_are_disjoint_and_the_search_never_reads_the_test_split(monkeypatch):
    X_tr, T_tr, X_val, y_val, X_te, y_te = hs.spiral_task()
    assert len(X_tr) == len(X_val) == len(X_te) == hs.N_POINTS // 3
    rows = {tuple(x) for x in np.concatenate([X_tr, X_val, X_te])}
    assert len(rows) == hs.N_POINTS  # no point in two splits
    before = hs.spiral_objective({"lr": 5.0, "batch_size": 32, "width": 16}, seed=3)
    # replace the test split by garbage: the objective (validation only) cannot notice
    broken = (X_tr, T_tr, X_val, y_val, np.full_like(X_te, np.nan), 1 - y_te)
    monkeypatch.setattr(hs, "spiral_task", lambda: broken)
    after = hs.spiral_objective({"lr": 5.0, "batch_size": 32, "width": 16}, seed=3)
    assert after == before


def test_retrain_and_test_matches_validation_and_test_by_hand():
    val, test = hs.retrain_and_test(5.0, 32, 16, seed=4)
    assert val == hs.train_and_validate(5.0, 32, 16, seed=4)
    _, _, _, _, X_te, y_te = hs.spiral_task()
    params = hs._train(5.0, 32, 16, hs.EPOCHS, 4)
    A = hs.bp.forward(params, X_te, "relu", "sigmoid")[0]
    assert test == pytest.approx(np.mean((A[:, 0] > 0.5) == y_te))


def test_chosen_is_the_first_best_validation_score():
    trials = [hs.Trial({"i": i}, s) for i, s in enumerate((0.5, 0.9, 0.7, 0.9))]
    assert hs.chosen(trials).params == {"i": 1}


def test_halving_epoch_accounting_by_hand():
    r = hs.halving_runs()[0]
    assert [len(g.indices) for g in r["rungs"]] == [27, 9, 3, 1]
    # resumed: 27·1 + 9·(3−1) + 3·(9−3) + 1·(27−9); restarted: 27·1 + 9·3 + 3·9 + 1·27
    assert r["epochs_resumed"] == 27 + 18 + 18 + 18 == 81
    assert r["epochs_restarted"] == 4 * 27 and r["epochs_full"] == 27 * 27
    final = r["curves"][:, -1]
    winner = r["rungs"][-1].indices[0]
    assert r["winner_rank"] == 1 + np.sum(final > final[winner])
    assert r["rungs"][1].indices == tuple(np.argsort(-r["curves"][:, 0], kind="stable")[:9])
    # a late bloomer: dropped by the first round, yet at or above GOOD after 27 epochs
    first_out = [i for i in range(27) if i not in r["rungs"][1].indices]
    assert r["late"] == sum(final[i] >= hs.GOOD for i in first_out)


def test_paired_rule_by_hand():
    assert hs.paired_rule([2, 3, 2.5, 3, -0.1])[0] == 1  # mean 2.08 > std 1.33, 4 of 5 > 0
    assert hs.paired_rule([-2, -3, -2.5, -3, 0.1])[0] == -1
    assert hs.paired_rule([0.1, 5, 0.1, 0.1])[0] == 0  # one sign, but mean 1.3 < std 2.5
    # mean 1.97 > std 1.60, but the sign agrees in only 4 of 6 (all but one would be 5)
    assert hs.paired_rule([3, 3, 3, 3, -0.1, -0.1])[0] == 0
    assert "positive in 4 of 6" in hs.paired_rule([3, 3, 3, 3, -0.1, -0.1])[1]
    for bad in ([1.0], [[1.0, 2.0]], [1.0, float("nan")]):
        with pytest.raises(ValueError, match="d: expected"):
            hs.paired_rule(bad)


def test_the_unselected_control_never_re_trains_the_pick():
    runs, ctrl = hs.search_runs(), hs.unselected_control()
    for key, reps in runs.items():
        assert ctrl[key].shape == (hs.SEARCH_REPS,)
        for tr, drop in zip(reps, ctrl[key]):
            assert any(t.params != hs.chosen(tr).params for t in tr) and np.isfinite(drop)


def test_every_claim_holds_on_the_default_seed_set():
    c = hs.claims(0)
    assert c, "claims() is empty"
    for name, (holds, evidence) in c.items():
        assert isinstance(evidence, str) and evidence and "$" not in evidence
        assert holds, f"{name}: {evidence}"


def test_figures_and_values_are_complete():
    assert set(hs.figures()) == {
        "lr-sweep",
        "grid-vs-random",
        "bo-steps",
        "search-comparison",
        "where-trials-went",
        "successive-halving",
    }
    assert all(isinstance(x, (int, float, str)) for x in hs.values().values())


# --- bad input ---------------------------------------------------------------------------------


def f0(p):
    return 0.0


BAD = [
    (lambda: Dim("lr", 0.0, 1.0, log=True), ValueError, "lr.low"),
    (lambda: Dim("lr", 1.0, 0.5), ValueError, "low < high"),
    (lambda: Dim("w", 1.5, 8, integer=True), ValueError, "integer bounds"),
    (lambda: Dim("x", "0", 1), TypeError, "x.low"),
    (lambda: Dim("x", 0, float("nan")), ValueError, "x.high"),
    (lambda: Dim("", 0, 1), TypeError, "name"),
    (lambda: hs.check_space([]), TypeError, "space"),
    (lambda: hs.check_space([Dim("a", 0, 1), Dim("a", 0, 2)]), ValueError, "distinct"),
    (lambda: hs.check_space({"a": (0, 1, "cubic")}), ValueError, "scale"),
    (lambda: hs.check_space([("a", 0, 1)]), TypeError, "space[0]"),
    (lambda: hs.from_unit(SPACE, [[0.5, 0.5]]), ValueError, "U"),
    (lambda: hs.from_unit(SPACE, [[0.5, 0.5, 1.5]]), ValueError, "[0, 1]"),
    (lambda: hs.to_unit(SPACE, [{"lr": 0.1}]), ValueError, "dropout"),
    (lambda: hs.to_unit(SPACE, [{"lr": 5.0, "dropout": 0, "width": 8}]), ValueError, "lr"),
    (lambda: hs.grid_search(f0, SPACE, 0), ValueError, "budget"),
    (lambda: hs.grid_search(f0, SPACE, 2.5), TypeError, "budget"),
    (lambda: hs.grid_search("f", SPACE, 4), TypeError, "objective"),
    (lambda: hs.grid_points([3, 0]), ValueError, "counts[1]"),
    (lambda: hs.random_search(f0, SPACE, 4, "seed"), TypeError, "rng"),
    (lambda: hs.random_search(lambda p: float("nan"), SPACE, 4, 0), ValueError, "objective"),
    (lambda: hs.random_search(lambda p: "high", SPACE, 4, 0), TypeError, "objective"),
    (lambda: hs.bayesian_search(f0, SPACE, 4, 0, n_init=5), ValueError, "n_init"),
    (lambda: hs.bayesian_search(f0, SPACE, 6, 0, kernel="linear"), ValueError, "kernel"),
    (lambda: hs.bayesian_search(f0, SPACE, 6, 0, length_scale=-1.0), ValueError, "length_scale"),
    (lambda: hs.bayesian_search(f0, SPACE, 6, 0, xi=-0.1), ValueError, "xi"),
    (lambda: hs.gp_posterior([[0.0]], [1.0, 2.0], [[0.5]]), ValueError, "y"),
    (lambda: hs.gp_posterior([[0.0]], [1.0], [[0.5, 0.1]]), ValueError, "X_new"),
    (lambda: hs.gp_posterior([[0.0]], [1.0], [[0.5]], noise=-1.0), ValueError, "noise"),
    (lambda: hs.gp_posterior([[0.0]], [np.inf], [[0.5]]), ValueError, "y"),
    (lambda: hs.gp_posterior([[0.0, 1.0]], [1.0], [[0.5, 0]], [1.0]), ValueError, "length_scale"),
    (lambda: hs.matern52_kernel([[0.0]], [[1.0]], 0.0), ValueError, "length_scale"),
    (lambda: hs.rbf_kernel([[0.0]], [[1.0, 2.0]]), ValueError, "B"),
    (lambda: hs.expected_improvement([0.0], [-1.0], 0.0), ValueError, "std"),
    (lambda: hs.expected_improvement([0.0, 1.0], [1.0], 0.0), ValueError, "std"),
    (lambda: hs.expected_improvement([0.0], [1.0], None), TypeError, "best"),
    (lambda: hs.successive_halving(lambda p, r: 0.0, [{}], 1, eta=1), ValueError, "eta"),
    (lambda: hs.successive_halving(lambda p, r: 0.0, [], 1), TypeError, "configs"),
    (lambda: hs.successive_halving(lambda p, r: 0.0, [{}], 4, 3, 2), ValueError, "max_resource"),
    (lambda: hs.train_and_validate(0.0, 32, 8), ValueError, "lr"),
    (lambda: hs.train_and_validate(1.0, 32.5, 8), TypeError, "batch_size"),
    (lambda: hs.train_and_validate(1.0, 32, 0), ValueError, "width"),
    (lambda: hs.best_so_far([]), ValueError, "trials"),
    (lambda: hs.retrain_and_test(-1.0, 32, 8, 0), ValueError, "lr"),
    (lambda: hs.spiral_objective({"lr": 1.0, "width": 8}), ValueError, "batch_size"),
    (lambda: hs.best_so_far([0.5]), TypeError, "trials[0]"),
]


@pytest.mark.parametrize("call, exc, words", BAD)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
