"""DL0008 · Hyperparameter Tuning: the page module of docs/training/dl0008-hyperparameter-tuning.md.

This notebook runs every experiment behind the page: a learning-rate sweep, grid against random
search when one of two hyper-parameters matters, Bayesian optimization step by step, the three
searches on the same budget of real training runs, and successive halving. Each run trains the
project's backprop network (`snippets.backprop`) on generated spirals; every choice is made on
validation accuracy and a chosen configuration is re-trained with fresh seeds and scored once
on the test split. Change a parameter (a budget, a seed count, a range) and re-run the cells
below it to see what moves. The search algorithms themselves are the reference modules
`snippets/hyperparameter_search.py`, `snippets/gaussian_process.py` and
`snippets/bayesian_optimization.py`.
"""

# %%
from __future__ import annotations

import functools
import math

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, NullLocator

from snippets import backprop as bp
from snippets import checks, datasets, evidence
from snippets.companion import show
from snippets.formatting import fmt
from snippets.gaussian_process import (
    LENGTH_SCALES,
    NOISES,
    _cholesky,
    _kernel_from_sq,
    _scaled_sq_dists,
    fit_gp,
    gp_posterior,
)
from snippets.hyperparameter_search import (
    BO_INIT,
    N_CANDIDATES,
    Dim,
    Trial,
    bayesian_search,
    best_so_far,
    check_space,
    chosen,
    expected_improvement,
    from_unit,
    grid_search,
    random_search,
    successive_halving,
    to_unit,
    unit_to_values,
    values_to_unit,
)
from snippets.memo import memo
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

# %% [markdown]
# ## The task and the objective
#
# Every training run is the project's backprop network (ReLU hidden layer, He initialization,
# sigmoid output, mean squared error, mini-batch SGD) on two interleaved spirals: 200 points to
# train on, 200 to validate on (every choice is made on these) and 200 to test on (touched
# once per chosen configuration, at the end).
#
# Seeds: `claims(seed_set)` re-runs every experiment on `seeds(n, seed_set)`. A seed fixes a
# run's initial weights and batch order; a search replicate uses one seed for its own draws and
# for every training run it makes, so each replicate sees one realization of the seed noise.

# %%
N_POINTS = 600
EPOCHS = 10
DATA_SEED = 0
GOOD = 0.9  # a "good" run: validation accuracy for counting in figures, values, claims
FRESH_SEEDS = 10  # fresh training seeds a chosen configuration is re-trained with


@memo
def spiral_task():
    """(X_train, T_train, X_val, y_val, X_test, y_test): the generated spirals in three thirds."""
    X, y = datasets.spirals(N_POINTS, noise=0.05, turns=1.0, rng=DATA_SEED)
    X_rest, y_rest, X_te, y_te = datasets.train_val_split(X, y, 1 / 3, rng=DATA_SEED)
    X_tr, y_tr, X_val, y_val = datasets.train_val_split(X_rest, y_rest, 0.5, rng=DATA_SEED + 1)
    return X_tr, y_tr[:, None].astype(float), X_val, y_val, X_te, y_te


# --8<-- [start:objective]
def _train(lr, batch_size, width, epochs, seed, callback=None):
    """Train a 2-width-1 ReLU network with mini-batch SGD on the training split; the weights."""
    lr, width = checks.positive_float("lr", lr), checks.positive_int("width", width)
    batch_size = checks.positive_int("batch_size", batch_size)  # train() checks epochs
    seed = checks.integer("seed", seed, minimum=0)
    X_tr, T_tr = spiral_task()[:2]
    params = bp.init_params([2, width, 1], np.random.default_rng(seed), "he")
    params, _ = bp.train(
        params, X_tr, T_tr, lr, epochs, "relu", "sigmoid",
        batch_size=batch_size, rng=seed, callback=callback,
    )  # fmt: skip
    return params


def _accuracy(params, X, y) -> float:
    return bp.accuracy(bp.forward(params, X, "relu", "sigmoid")[0], y)


def train_and_validate(
    lr: float, batch_size: int, width: int, epochs: int = EPOCHS, seed: int = 0, curve=False
):
    """Train a 2-width-1 network on the spirals and return its validation accuracy.

    `seed` fixes the initial weights and the mini-batch order, so a configuration always gets
    the same score for the same seed. With `curve=True`, returns the validation accuracy after
    every epoch, an array of shape (epochs,). The test split is never looked at.
    """
    _, _, X_val, y_val, _, _ = spiral_task()
    accs = []

    def record(epoch, p):
        accs.append(_accuracy(p, X_val, y_val))

    params = _train(lr, batch_size, width, epochs, seed, record if curve else None)
    return np.array(accs) if curve else _accuracy(params, X_val, y_val)


def retrain_and_test(lr: float, batch_size: int, width: int, seed: int) -> tuple[float, float]:
    """Re-train a chosen configuration with a fresh `seed`: (validation, test) accuracy.

    Called only for configurations already chosen on validation scores, once per fresh seed;
    it is the only function that looks at the test split.
    """
    _, _, X_val, y_val, X_te, y_te = spiral_task()
    params = _train(lr, batch_size, width, EPOCHS, seed)
    return _accuracy(params, X_val, y_val), _accuracy(params, X_te, y_te)


# --8<-- [end:objective]


def _split_seeds(n: int, seed_set: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """`n` seeds for an experiment and `FRESH_SEEDS` others for re-training what it chose."""
    s = seeds(n + FRESH_SEEDS, seed_set)
    return s[:n], s[n:]


def _trial_params(params, keys: tuple[str, ...]) -> dict:
    if not isinstance(params, dict):
        raise TypeError(f"params: expected a dict with keys {keys}, got {type(params).__name__}")
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"params: expected keys {keys}, missing {missing}")
    for k in keys:
        checks.number(f"params[{k!r}]", params[k])
    return params


# %%
X_tr, T_tr, X_val, y_val, X_te, y_te = spiral_task()
print(f"train {len(X_tr)}, validation {len(X_val)}, test {len(X_te)} points")
print(
    f"one run, lr 1, batch 32, width 32: validation accuracy {train_and_validate(1.0, 32, 32):.3f}"
)

# %% [markdown]
# ## Many runs side by side
#
# The experiments below make some 1,500 training runs per seed set, each a few hundred tiny
# matrix products: one at a time, numpy's overhead per call costs more than the arithmetic.
# `validate_many` and `retrain_and_test_many` train many configurations at once, their weights
# stacked along a leading axis (as `snippets/mlp_stack.py` does): the same initial weights, the
# same mini-batches in the same order and the same arithmetic as `train_and_validate`, one
# batched matrix product per layer for the whole stack. A narrower network is padded with
# hidden units whose weights are 0 and stay 0 (ReLU'(0) = 0), a shorter batch with rows whose
# error is 0, and a run whose epoch has fewer batches leaves the stack when its epoch is done.
# Where the padding would change how BLAS groups the terms of a sum, the stack computes that
# product run by run, so every run comes out bit-identical to `train_and_validate` (tested).

# %%
Config = tuple[float, int, int, int]  # (lr, batch_size, width, seed), as train_and_validate
_SHARED_BATCH = 8  # runs with one batch size that get a group of their own


def _check_configs(configs) -> list[Config]:
    if isinstance(configs, (str, bytes)) or not isinstance(configs, (list, tuple)) or not configs:
        raise TypeError(
            "configs: expected a non-empty list of (lr, batch_size, width, seed), got "
            f"{checks.describe(configs)}"
        )
    out = []
    for i, c in enumerate(configs):
        if not isinstance(c, (list, tuple)) or len(c) != 4:
            raise TypeError(
                f"configs[{i}]: expected (lr, batch_size, width, seed), got {checks.describe(c)}"
            )
        out.append(
            (
                checks.positive_float(f"configs[{i}] lr", c[0]),
                checks.positive_int(f"configs[{i}] batch_size", c[1]),
                checks.positive_int(f"configs[{i}] width", c[2]),
                checks.integer(f"configs[{i}] seed", c[3], minimum=0),
            )
        )
    return out


def _groups(configs: list[Config]) -> list[list[int]]:
    """Indices of the runs trained as one stack: a batch size shared by `_SHARED_BATCH` or more
    runs gets its own groups, the rest go by batch size above or below 45; both are split by
    width class (2, 3-4, 5-8, 9-22, 23-64), so that little of a stack is padding."""
    count: dict[int, int] = {}
    for _, bs, _, _ in configs:
        count[bs] = count.get(bs, 0) + 1
    groups: dict[tuple[int, int], list[int]] = {}
    for i, (_, bs, width, _) in enumerate(configs):
        key = bs if count[bs] >= _SHARED_BATCH else -1 - int(bs > 45)
        groups.setdefault((key, math.ceil(math.log2(width) / 1.5)), []).append(i)
    return [sorted(g, key=lambda i: configs[i][1:3]) for g in groups.values()]


def _stack_forward(stack, widths: np.ndarray, X1: np.ndarray) -> np.ndarray:
    """Outputs of a stack of B networks of hidden widths `widths` on `X1` (inputs with a
    column of ones), shape (B, n, 1); networks of one width at a time, each on its own units
    (a product's rounding depends on its shape)."""
    W1, W2, b2 = stack
    out = np.empty((len(widths), len(X1), 1))
    for w in np.unique(widths):
        i = np.flatnonzero(widths == w)
        V1, V2 = np.ascontiguousarray(W1[i, :, :w]), np.ascontiguousarray(W2[i, :w])
        out[i] = bp.sigmoid(np.maximum(X1 @ V1, 0.0) @ V2 + b2[i])
    return out


def _train_group(configs: list[Config], epochs: int, X1T: np.ndarray, callback=None):
    """Train `configs` (sorted by batch size, then width) as one stack on rows (x, 1, t) of `X1T`.

    The stack holds W1 with b1 as its last row, shape (B, 3, width): X W1 + b1 is one product
    (bit-identical to the two steps). Step k of an epoch trains the runs that still have a k-th
    batch, a prefix of the stack since it is sorted by batch size. Where their batches differ in
    length, the shorter ones are padded with rows whose error is 0, and narrower networks with
    hidden units whose weights are 0. That leaves the hidden layer's products and sums
    unchanged, but not the output layer's (BLAS and numpy group the terms of a matrix-vector
    product or a column sum by its shape), so where a step's runs differ in batch length or
    width those are computed for each stretch of equal runs, on its own rows and units.
    """
    N = len(X1T)
    lr = np.array([c[0] for c in configs])
    bs = np.array([c[1] for c in configs])
    widths = np.array([c[2] for c in configs])
    width = int(widths.max())
    B = len(configs)
    W1, W2, b2 = np.zeros((B, 3, width)), np.zeros((B, width, 1)), np.zeros((B, 1, 1))
    for i, (_, _, w, seed) in enumerate(configs):  # the initial weights of _train
        (W, _), (V, _) = bp.init_params([2, w, 1], np.random.default_rng(seed), "he")
        W1[i, :2, :w], W2[i, :w] = W, V
    steps = []
    for k in range(-(-N // int(bs[0]))):
        n = int(np.sum(k * bs < N))  # runs with a k-th batch
        rows = np.minimum(bs[:n], N - k * bs[:n])  # the last batch of an epoch can be short
        j = np.arange(rows.max())
        pad = None if rows.min() == rows.max() else (j < rows[:, None])[:, :, None]
        pos = np.minimum(k * bs[:n, None] + j, N - 1)  # into each run's shuffled order
        pos += N * np.arange(n)[:, None]  # ... as a flat index into the orders, (runs, N)
        # stretches [a, b) of runs with one batch length and one width
        edges = np.flatnonzero(np.diff(rows) | np.diff(widths[:n])) + 1
        same = [(a, b, int(rows[a]), int(widths[a])) for a, b in zip([0, *edges], [*edges, n])]
        if len(same) == 1 and widths[0] == width:
            same = None  # every run has all the rows and units: one product for the stack
        steps.append((n, pos, pad, same, rows[:, None, None].astype(float), lr[:n, None, None]))
    seeds = sorted({c[3] for c in configs})
    rngs = [np.random.default_rng(s) for s in seeds]  # train()'s rng: one per seed
    run_seed = np.array([seeds.index(c[3]) for c in configs])
    for epoch in range(1, epochs + 1):
        order = np.array([rng.permutation(N) for rng in rngs])[run_seed]
        order[bs >= N] = np.arange(N)  # a full batch is not shuffled
        for n, pos, pad, same, m, r in steps:
            B = X1T.take(order.take(pos), axis=0)  # (n, rows, 4): x, 1 and t of each batch
            w1, w2, c2 = W1[:n], W2[:n], b2[:n]
            z1 = B[..., :3] @ w1
            a1 = np.maximum(z1, 0.0)
            if same is None:
                z2 = a1 @ w2
            else:
                z2 = np.zeros((n, pos.shape[1], 1))
                for a, b, rows, w in same:
                    z2[a:b, :rows] = a1[a:b, :rows, :w] @ w2[a:b, :w]
            A = bp.sigmoid(z2 + c2)
            dz2 = (A - B[..., 3:]) / m  # the mean squared error's gradient, as in backprop
            if pad is not None:
                dz2 *= pad
            dz2 *= A * (1.0 - A)
            dz1 = dz2 * w2.transpose(0, 2, 1)
            dz1 *= z1 > 0
            if same is None:
                dW2, db2 = a1.transpose(0, 2, 1) @ dz2, dz2.sum(axis=1, keepdims=True)
            else:
                dW2, db2 = np.zeros_like(w2), np.empty_like(c2)
                for a, b, rows, w in same:
                    h = np.ascontiguousarray(a1[a:b, :rows, :w])  # the layout BLAS gets in _train
                    dW2[a:b, :w] = h.transpose(0, 2, 1) @ dz2[a:b, :rows]
                    db2[a:b] = dz2[a:b, :rows].sum(axis=1, keepdims=True)
            w2 -= r * dW2
            c2 -= r * db2
            w1[:, :2] -= r * (B[..., :2].transpose(0, 2, 1) @ dz1)
            w1[:, 2] -= r[:, 0] * dz1.sum(axis=1)
        if callback is not None:
            callback(epoch, (W1, W2, b2))
    return W1, W2, b2


def _with_ones(X: np.ndarray) -> np.ndarray:
    return np.column_stack([X, np.ones(len(X))])


def _alone(config: Config, n: int) -> bool:
    """Whether a run makes a matrix-vector product where the stack has matrices (numpy hands
    those to another BLAS routine): a hidden layer of one unit, or a batch of one row in an
    epoch over `n` rows."""
    _, batch_size, width, _ = config
    return width == 1 or batch_size == 1 or n % batch_size == 1


def _train_many(configs: list[Config], epochs: int, score) -> np.ndarray:
    """Train every group of `configs` and return `score(stack, widths)` (one row per run, in
    the order given); with `epochs` a tuple `(epochs,)`, the scores after every epoch, on
    axis 1. Runs that `_alone` picks out are trained one at a time by `_train`."""
    X_tr, T_tr = spiral_task()[:2]
    X1T = np.column_stack([_with_ones(X_tr), T_tr])
    total = epochs[0] if isinstance(epochs, tuple) else epochs
    alone = [i for i, c in enumerate(configs) if _alone(c, len(X_tr))]
    rest = [i for i in range(len(configs)) if i not in alone]
    out = None
    for g in [[rest[k] for k in g] for g in _groups([configs[i] for i in rest])] + [
        [i] for i in alone
    ]:
        record: list[np.ndarray] = []
        widths = np.array([configs[i][2] for i in g])
        keep = None
        if isinstance(epochs, tuple):
            keep = lambda e, st, r=record, w=widths: r.append(score(st, w))  # noqa: E731
        if g[0] in alone:
            lr, bs, width, seed = configs[g[0]]
            each = None if keep is None else (lambda e, p, k=keep: k(e, _as_stack(p)))
            stack = _as_stack(_train(lr, bs, width, total, seed, each))
        else:
            stack = _train_group([configs[i] for i in g], total, X1T, keep)
        res = np.stack(record, axis=1) if record else score(stack, widths)
        if out is None:
            out = np.empty((len(configs), *res.shape[1:]))
        out[g] = res
    return out


def _as_stack(params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A stack of one network from `_train`'s [(W1, b1), (W2, b2)]."""
    (W1, b1), (W2, b2) = params
    return np.vstack([W1, b1])[None], W2[None], b2.reshape(1, 1, 1)


def _stack_accuracy(X: np.ndarray, y: np.ndarray):
    X1 = _with_ones(X)
    return lambda stack, widths: np.mean(
        (_stack_forward(stack, widths, X1)[..., 0] > 0.5) == y, axis=1
    )


def validate_many(configs, epochs: int = EPOCHS, curve: bool = False) -> np.ndarray:
    """`train_and_validate` for many configurations (lr, batch_size, width, seed) at once:
    validation accuracy, shape (n,), or with `curve=True` after every epoch, (n, epochs)."""
    configs = _check_configs(configs)
    epochs = checks.positive_int("epochs", epochs)
    curve = checks.flag("curve", curve)
    _, _, X_val, y_val, _, _ = spiral_task()
    acc = _stack_accuracy(X_val, y_val)
    return _train_many(configs, (epochs,) if curve else epochs, acc)


def retrain_and_test_many(configs) -> np.ndarray:
    """`retrain_and_test` for many (lr, batch_size, width, seed) at once: shape (n, 2), the
    validation and test accuracy of each re-trained run."""
    configs = _check_configs(configs)
    _, _, X_val, y_val, X_te, y_te = spiral_task()
    val, test = _stack_accuracy(X_val, y_val), _stack_accuracy(X_te, y_te)
    return _train_many(configs, EPOCHS, lambda st, w: np.stack([val(st, w), test(st, w)], axis=1))


# %% [markdown]
# ## The learning rate first
#
# Validation accuracy over 21 learning rates, evenly spaced in log η from 1e-3 to 1e2, for
# batch sizes 32 and 64. The rate with the best mean is then re-trained with fresh seeds and
# scored on the test split.

# %%
SWEEP_LRS = tuple(float(v) for v in np.logspace(-3, 2, 21))
SWEEP_BATCHES = (32, 64)
SWEEP_WIDTH = 32
SWEEP_N_SEEDS = 5


@memo
def lr_sweep(seed_set: int = 0) -> np.ndarray:
    """Validation accuracy, shape (batch sizes, seeds, learning rates)."""
    sweep_seeds, _ = _split_seeds(SWEEP_N_SEEDS, seed_set)
    configs = [(lr, bs, SWEEP_WIDTH, s) for bs in SWEEP_BATCHES for s in sweep_seeds
               for lr in SWEEP_LRS]  # fmt: skip
    return validate_many(configs).reshape(len(SWEEP_BATCHES), SWEEP_N_SEEDS, len(SWEEP_LRS))


@memo
def sweep_test(seed_set: int = 0) -> dict[str, np.ndarray]:
    """Per batch size, the learning rate with the best mean validation accuracy, re-trained
    with fresh seeds and scored on the test split: `lr` (batches,), `test` (batches, seeds)."""
    _, fresh = _split_seeds(SWEEP_N_SEEDS, seed_set)
    k = np.argmax(lr_sweep(seed_set).mean(axis=1), axis=1)  # the first of equals wins
    lrs = np.array(SWEEP_LRS)[k]
    configs = [(lr, bs, SWEEP_WIDTH, s) for lr, bs in zip(lrs, SWEEP_BATCHES) for s in fresh]
    test = retrain_and_test_many(configs)[:, 1].reshape(len(SWEEP_BATCHES), FRESH_SEEDS)
    return {"lr": lrs, "test": test}


# %%
_acc = lr_sweep().mean(axis=1)
for _i, _bs in enumerate(SWEEP_BATCHES):
    _k = int(np.argmax(_acc[_i]))
    print(
        f"batch {_bs}: best mean validation {_acc[_i, _k]:.3f} at lr {SWEEP_LRS[_k]:.3g}; "
        f"test after re-training {sweep_test()['test'][_i].mean():.3f}"
    )


# %%
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value: float, _pos=None) -> str:
    """'10⁻³' for 0.001: a tick label in plain text (matplotlib's default is mathtext, whose
    parser costs more than the rest of a figure's text)."""
    return "10" + str(round(math.log10(value))).translate(_SUPERSCRIPT)


def _log_axis(ax, which: str = "x") -> None:
    """A log axis without minor ticks (each one is an SVG group, and they add nothing here),
    labelled 10⁻³, 10⁻², …"""
    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(_power_of_ten))


def _draw_lr_sweep(theme: Theme):
    acc = lr_sweep()
    fig, ax = new_figure(theme, width=7.0, height=3.8)
    lrs = np.array(SWEEP_LRS)
    for i, (bs, marker) in enumerate(zip(SWEEP_BATCHES, ("o", "s"))):
        a = acc[i]
        c = theme.palette[i]
        ax.fill_between(lrs, a.min(0), a.max(0), color=c, alpha=0.18, linewidth=0)
        ax.plot(lrs, a.mean(0), marker=marker, markersize=4.5, color=c, label=f"batch size {bs}")
    ax.axhline(0.5, color=theme.muted, linestyle=":", linewidth=1.2)
    ax.text(0.3, 0.45, "chance level", color=theme.muted, fontsize=11, ha="center")
    _log_axis(ax)
    ax.set_ylim(0.35, 1.02)
    ax.set_xlabel("learning rate η (log scale)")
    ax.set_ylabel("validation accuracy")
    ax.legend(loc="upper left", title=f"mean of {SWEEP_N_SEEDS} seeds, band: min to max")
    return fig


show(_draw_lr_sweep)

# %% [markdown]
# ## Grid against random search when only one of two hyper-parameters matters
#
# A score that depends on x1 only: a 3 × 3 grid tries 3 values of it, 9 random trials try 9.

# %%
SYN_SPACE = (Dim("x1", 0.0, 1.0), Dim("x2", 0.0, 1.0))
SYN_PEAK = 0.62
SYN_WIDTH = 0.07
SYN_BUDGET = 9
SYN_SEEDS = 1000


def one_matters(params: dict) -> float:
    """A score that depends on x1 only (a bump at 0.62); x2 is ignored."""
    params = _trial_params(params, ("x1",))
    return math.exp(-0.5 * ((params["x1"] - SYN_PEAK) / SYN_WIDTH) ** 2)


def _best_random_score(seed: int) -> float:
    """The best score of `random_search(one_matters, SYN_SPACE, SYN_BUDGET, seed)`, without its
    bookkeeping (a thousand searches of 9 trials are mostly bookkeeping): the same draws, x1
    the first coordinate as `from_unit` maps it on [0, 1], the same objective (tested)."""
    U = np.random.default_rng(seed).random((SYN_BUDGET, len(SYN_SPACE)))
    return max(one_matters({"x1": float(u)}) for u in U[:, 0])


@memo
def synthetic_runs(seed_set: int = 0) -> dict[str, object]:
    """A 3 × 3 grid, and random search with 9 trials for each of 1000 seeds."""
    grid = grid_search(one_matters, SYN_SPACE, SYN_BUDGET)
    synthetic_seeds = seeds(SYN_SEEDS, seed_set)
    random0 = random_search(one_matters, SYN_SPACE, SYN_BUDGET, synthetic_seeds[0])
    grid_best = max(t.score for t in grid)
    # random wins when some x1 lands where the bump exceeds the grid's best: an interval of
    # half-width SYN_WIDTH·√(2 ln(1/grid_best)) around the peak; 9 independent chances
    half = SYN_WIDTH * math.sqrt(2 * math.log(1 / grid_best))
    return {
        "grid": grid,
        "random0": random0,
        "random_best": np.array([_best_random_score(s) for s in synthetic_seeds]),
        "grid_best": grid_best,
        "p_exact": 1 - (1 - 2 * half) ** SYN_BUDGET,
    }


# %%
_syn = synthetic_runs()
_n_x1 = len({t.params["x1"] for t in _syn["grid"]})
print(f"grid: best {_syn['grid_best']:.3f} from {_n_x1} values of x1")
print(
    f"random beats the grid in {np.mean(_syn['random_best'] > _syn['grid_best']):.3f} of "
    f"{SYN_SEEDS} seeds; formula {_syn['p_exact']:.3f}"
)


# %%
def _draw_grid_vs_random(theme: Theme):
    r = synthetic_runs()
    fig, axes = new_figure(theme, ncols=2, width=9.0, height=4.8)
    u = np.linspace(0, 1, 101)
    g = np.exp(-0.5 * ((u - SYN_PEAK) / SYN_WIDTH) ** 2)
    base, tall = -0.46, 0.36  # the strip under the square where the score g(x1) is drawn
    for ax, key, title, c in (
        (axes[0], "grid", "Grid, 3 × 3", theme.palette[0]),
        (axes[1], "random0", "Random, 9 draws", theme.palette[1]),
    ):
        pts = np.array([[t.params["x1"], t.params["x2"]] for t in r[key]])
        scores = np.array([t.score for t in r[key]])
        ax.plot(pts[:, 0], pts[:, 1], "o", color=c, markersize=7, markeredgewidth=0)
        ax.plot(u, base + tall * g, color=theme.fg, linewidth=1.5)
        ax.vlines(pts[:, 0], base, base + tall * scores, color=c, linewidth=1.5)
        ax.plot(pts[:, 0], base + tall * scores, "o", color=c, markersize=4, markeredgewidth=0)
        ax.axhline(-0.05, color=theme.muted, linewidth=0.8)
        ax.text(0.02, base + 0.3, "score", color=theme.fg, fontsize=11)
        n = len(np.unique(np.round(pts[:, 0], 12)))
        ax.set_xlim(0, 1)
        ax.set_ylim(base - 0.02, 1)
        ax.set_aspect("equal")
        ax.set_yticks([0, 0.5, 1])
        ax.set_xlabel("x₁ (matters)")
        ax.set_ylabel("x₂ (ignored)")
        ax.set_title(f"{title}\n{n} values of x₁, best score {scores.max():.2f}")
    return fig


show(_draw_grid_vs_random)

# %% [markdown]
# ## Bayesian optimization of the learning rate alone, step by step
#
# One run, shown to make the loop visible: after each trial the GP is refitted and the next
# trial goes where expected improvement is largest.

# %%
BO1_SPACE = (Dim("lr", 1e-3, 1e2, log=True),)
BO1_BUDGET = 8
BO1_INIT = 3
BO1_SEED = 4
BO1_BATCH = 32


def lr_objective(params: dict) -> float:
    """Validation accuracy against the learning rate alone (batch 32, width 32, seed 0)."""
    params = _trial_params(params, ("lr",))
    return train_and_validate(params["lr"], BO1_BATCH, SWEEP_WIDTH)


@memo
def bo_1d_runs() -> dict[str, object]:
    """The trials, and the GP and expected improvement the search saw before each new trial."""
    trials = bayesian_search(lr_objective, BO1_SPACE, BO1_BUDGET, BO1_SEED, n_init=BO1_INIT)
    u = np.linspace(0.0, 1.0, 81)[:, None]
    states = []
    for t in range(BO1_INIT, BO1_BUDGET):
        U = to_unit(BO1_SPACE, [x.params for x in trials[:t]])
        s = np.array([x.score for x in trials[:t]])
        y = (s - s.mean()) / s.std()
        ls, noise = fit_gp(U, y)
        mean, std = gp_posterior(U, y, u, ls, 1.0, noise)
        ei = expected_improvement(mean, std, float(y.max()), 0.01)
        states.append(
            {
                "n": t,
                "mean": s.mean() + s.std() * mean,  # back to accuracy units
                "std": s.std() * std,
                "ei": s.std() * ei,
                "next": trials[t].params["lr"],
            }
        )
    lr = np.exp(np.log(1e-3) + u[:, 0] * (np.log(1e2) - np.log(1e-3)))
    return {"trials": trials, "lr": lr, "states": states}


# %%
for _t in bo_1d_runs()["trials"]:
    print(f"lr {_t.params['lr']:9.4g}   validation accuracy {_t.score:.3f}")


# %%
def _draw_bo_steps(theme: Theme):
    r = bo_1d_runs()
    panels = (0, 2, 4)  # after 3, 5 and 7 trials
    fig, axes = new_figure(theme, ncols=len(panels), width=9.0, height=4.0)
    lr, trials = r["lr"], r["trials"]
    sweep_acc = lr_sweep()[SWEEP_BATCHES.index(BO1_BATCH), 0]  # seed 0, as lr_objective
    c0, c1 = theme.palette[0], theme.palette[1]
    for k, (ax, i) in enumerate(zip(axes, panels)):
        st = r["states"][i]
        ax.plot(SWEEP_LRS, sweep_acc, color=theme.muted, linestyle=":", linewidth=1.5,
                label="the sweep's runs (truth)")  # fmt: skip
        ax.fill_between(lr, st["mean"] - 2 * st["std"], st["mean"] + 2 * st["std"], color=c0,
                        alpha=0.18, linewidth=0, label="GP mean ± 2σ")  # fmt: skip
        ax.plot(lr, st["mean"], color=c0, linewidth=2)
        seen = trials[: st["n"]]
        ax.plot([t.params["lr"] for t in seen], [t.score for t in seen], "o", color=theme.fg,
                markersize=5, label="trials so far")  # fmt: skip
        ei = st["ei"] / st["ei"].max()  # rescaled into a band at the bottom of the panel
        ax.fill_between(lr, 0.1, 0.1 + 0.2 * ei, color=c1, alpha=0.5, linewidth=0,
                        label="expected improvement (scaled)")  # fmt: skip
        ax.axvline(st["next"], color=c1, linestyle="--", linewidth=1.5, label="next trial")
        _log_axis(ax)
        ax.set_ylim(0.05, 1.15)
        ax.set_xticks([1e-3, 1e-1, 1e1])
        ax.set_yticks([0.2, 0.6, 1.0])
        ax.set_title(f"after {st['n']} trials")
        if k == 0:
            ax.set_ylabel("validation accuracy")
        else:
            ax.tick_params(labelleft=False)
    axes[1].set_xlabel("learning rate η (log scale)")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3)
    return fig


show(_draw_bo_steps)

# %% [markdown]
# ## Grid, random and Bayesian search on the same budget
#
# Three hyper-parameters (learning rate, batch size, width, all on log scales), 27 training
# runs per search, 8 replicates of each method. Each pick is re-trained with fresh seeds and
# scored once on the test split.

# %%
SEARCH_SPACE = (
    Dim("lr", 1e-3, 1e2, log=True),
    Dim("batch_size", 16, 128, log=True, integer=True),
    Dim("width", 2, 64, log=True, integer=True),
)
SEARCH_BUDGET = 27
SEARCH_REPS = 8  # independent replicates of every search
METHODS = {"grid": "grid 3 × 3 × 3", "random": "random", "bayes": "Bayesian (GP + EI)"}


def spiral_objective(params: dict, seed: int = 0) -> float:
    """The search objective: validation accuracy of one 10-epoch training run with `seed`."""
    params = _trial_params(params, ("lr", "batch_size", "width"))
    return train_and_validate(params["lr"], params["batch_size"], params["width"], seed=seed)


def _config(params: dict, seed: int) -> Config:
    return (params["lr"], params["batch_size"], params["width"], seed)


def _look_up(score: dict, params: dict, seed: int) -> float:
    """`spiral_objective(params, seed)` read from `score`, computed beforehand by a batch."""
    params = _trial_params(params, ("lr", "batch_size", "width"))
    return float(score[_config(params, seed)])


def _bayesian_searches(objective_many, space, budget: int, rngs, n_init: int = BO_INIT):
    """`bayesian_search` for independent searches side by side, search r drawing from
    `rngs[r]`: each step proposes one point per search exactly as `bayesian_search` does, and
    `objective_many([(r, params), ...])` scores them in one batch. Returns one list of trials
    per search, each the one `bayesian_search` returns for an objective that gives the same
    scores (tested)."""
    checks.function("objective_many", objective_many, "a callable([(r, params)]) -> scores")
    space = check_space(space)
    budget = checks.positive_int("budget", budget)
    n_init = checks.integer("n_init", n_init, minimum=1, maximum=budget)
    rngs = [checks.generator(f"rngs[{r}]", g) for r, g in enumerate(rngs)]
    d, n_candidates = len(space), N_CANDIDATES
    todo = [from_unit(space, rng.random((n_init, d))) for rng in rngs]
    trials: list[list[Trial]] = [[] for _ in rngs]
    while True:
        batch = [(r, p) for r, ps in enumerate(todo) for p in ps]
        for (r, p), score in zip(batch, objective_many(batch), strict=True):
            trials[r].append(Trial(dict(p), checks.number("objective", score)))
        if len(trials[0]) >= budget:
            return trials
        # the loop body of bayesian_search, for every search; the GPs are fitted together
        Us = np.array([to_unit(space, [t.params for t in tr]) for tr in trials])
        ys = []
        for tr in trials:
            s = np.array([t.score for t in tr])
            ys.append((s - s.mean()) / (s.std() if s.std() > 0 else 1.0))
        todo = []
        for rng, U, y, (ls, noise) in zip(rngs, Us, ys, zip(*_fit_gps(Us, np.array(ys)))):
            near = U[np.argmax(y)] + 0.05 * rng.standard_normal((n_candidates, d))
            cand = np.concatenate([rng.random((n_candidates, d)), np.clip(near, 0.0, 1.0)])
            cand = values_to_unit(space, unit_to_values(space, cand))
            mean, std = _gp_posterior(U, y, cand, ls, noise)
            ei = expected_improvement(mean, std, float(y.max()), 0.01)
            todo.append(from_unit(space, cand[[np.argmax(ei)]]))


def _fit_gps(Us: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`fit_gp(Us[r], ys[r])` (Matérn-5/2) for R data sets of one shape at once: length-scales
    (R, d) and noises (R,), bit-identical (tested). The same grid search, with every set's
    candidate factorizations in one batch, and each kernel matrix computed once for all the
    noise levels tried with it; a set whose batch fails is factored one by one, as there."""
    R, n, d = Us.shape
    D2 = (Us[:, :, None, :] - Us[:, None, :, :]) ** 2  # (R, n, n, d)
    rows = np.arange(R)

    def best_of(ls: np.ndarray, noise: np.ndarray, reps: int = 1):
        """The best of the options (ls[:, i // reps], noise[:, i]): ls (R, u, d), noise (R, k)."""
        K = np.stack([np.einsum("ijd,kd->kij", D2[r], 1.0 / ls[r] ** 2) for r in rows])
        K = np.repeat(_kernel_from_sq("matern52", K, 1.0), reps, axis=1)
        K = K + (noise + 1e-10)[:, :, None, None] * np.eye(n)
        try:
            L = np.linalg.cholesky(K)
        except np.linalg.LinAlgError:
            L = np.empty_like(K)
            for r in rows:
                try:
                    L[r] = np.linalg.cholesky(K[r])
                except np.linalg.LinAlgError:
                    L[r] = np.array([_cholesky(Ki, 0.0, 1.0) for Ki in K[r]])
        y = np.broadcast_to(ys[:, None, :], (R, noise.shape[1], n))[..., None]
        a = np.linalg.solve(L, y)[..., 0]
        loglik = -0.5 * np.sum(a * a, axis=-1) - np.log(np.diagonal(L, axis1=2, axis2=3)).sum(-1)
        best = np.argmax(loglik, axis=1)  # the first of equals wins
        return ls[rows, best // reps], noise[rows, best]

    grid, noises = np.array(LENGTH_SCALES), np.array(NOISES)
    every = np.broadcast_to(grid[None, :, None], (R, grid.size, d))
    ls, noise = best_of(every, np.tile(noises, (R, grid.size)), noises.size)
    for _ in range(2):
        for j in range(d):
            options = np.repeat(ls[:, None, :], grid.size, axis=1)
            options[:, :, j] = grid
            ls, _ = best_of(options, np.repeat(noise[:, None], grid.size, axis=1))
    return best_of(ls[:, None, :], np.tile(noises, (R, 1)), noises.size)


def _gp_posterior(X: np.ndarray, y: np.ndarray, X_new: np.ndarray, ls: np.ndarray, noise: float):
    """`gp_posterior(X, y, X_new, ls, 1.0, noise)` (Matérn-5/2), bit-identical (tested): the
    squared distances to the candidates one dimension at a time, (n, m) arrays instead of one
    (n, m, d) array summed over its short last axis, which took most of the time."""
    L = _cholesky(_kernel_from_sq("matern52", _scaled_sq_dists(X, X, ls), 1.0), noise, 1.0)
    sq = 0.0
    for j in range(X.shape[1]):
        D = (X[:, j, None] - X_new[None, :, j]) / ls[j]
        sq = sq + D * D
    K_s = _kernel_from_sq("matern52", sq, 1.0)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    V = np.linalg.solve(L, K_s)
    var = 1.0 - np.sum(V * V, axis=0)
    return K_s.T @ alpha, np.sqrt(np.maximum(var, 0.0))


@memo
def search_runs(seed_set: int = 0) -> dict[str, list[list[Trial]]]:
    """Grid, random and Bayesian search, `SEARCH_REPS` replicates each, 27 trials apiece.

    Replicate r of every method trains with the same seed s_r (so the methods face the same
    seed noise), and random and Bayesian search also draw their points from s_r.
    """
    rep_seeds, _ = _split_seeds(SEARCH_REPS, seed_set)
    sp, n = SEARCH_SPACE, SEARCH_BUDGET

    # grid and random search choose their points before seeing a score: a dry run with a
    # constant objective lists them, one batch trains them all, and the searches then run with
    # an objective that reads the score of its (configuration, seed)
    def unscored(params: dict) -> float:
        return 0.0

    configs = {
        _config(t.params, s): None
        for s in rep_seeds
        for t in grid_search(unscored, sp, n)
        + random_search(unscored, sp, n, np.random.default_rng(s))
    }
    score = dict(zip(configs, validate_many(list(configs))))
    runs: dict[str, list[list[Trial]]] = {k: [] for k in METHODS}
    for s in rep_seeds:
        f = functools.partial(_look_up, score, seed=s)
        runs["grid"].append(grid_search(f, sp, n))
        runs["random"].append(random_search(f, sp, n, np.random.default_rng(s)))

    # Bayesian search must see each score before its next point: the replicates step together.
    # Its first trials are random search's first ones (the same draws): their scores are known
    def scores(batch: list[tuple[int, dict]]) -> list[float]:
        configs = [_config(p, rep_seeds[r]) for r, p in batch]
        new = list(dict.fromkeys(c for c in configs if c not in score))
        if new:
            score.update(zip(new, validate_many(new)))
        return [score[c] for c in configs]

    runs["bayes"] = _bayesian_searches(scores, sp, n, [np.random.default_rng(s) for s in rep_seeds])
    return runs


@memo
def _retrained(seed_set: int = 0) -> dict[str, np.ndarray]:
    """Every re-training the comparison makes, in one batch: per method, the pick (`pick`) and
    the unselected control (`control`, see `unselected_control`) of each replicate, re-trained
    with the `FRESH_SEEDS` fresh seeds: (validation, test), shape (replicates, seeds, 2)."""
    _, fresh = _split_seeds(SEARCH_REPS, seed_set)
    todo = {}
    for key, reps in search_runs(seed_set).items():
        todo[key, "pick"] = [chosen(tr).params for tr in reps]
        todo[key, "control"] = [_control_trial(tr, seed_set, r).params for r, tr in
                                enumerate(reps)]  # fmt: skip
    configs = [_config(p, s) for ps in todo.values() for p in ps for s in fresh]
    again = retrain_and_test_many(configs).reshape(len(todo), SEARCH_REPS, FRESH_SEEDS, 2)
    return dict(zip(todo, again))


def _control_trial(trials: list[Trial], seed_set: int, r: int) -> Trial:
    """One trial of replicate `r` the search did not pick, drawn at random (configurations
    equal to the pick excluded)."""
    others = [t for t in trials if t.params != chosen(trials).params]
    return others[int(np.random.default_rng([seed_set, r]).integers(len(others)))]


@memo
def search_outcomes(seed_set: int = 0) -> dict[str, dict[str, np.ndarray]]:
    """Per method, arrays over replicates: the chosen trial's validation score as the search
    saw it (`selected`), the same configuration re-trained with fresh seeds (`fresh_val` and
    `test`, means over the seeds) and how many trials reached `GOOD` validation accuracy."""
    out = {}
    for key, reps in search_runs(seed_set).items():
        again = _retrained(seed_set)[key, "pick"]  # (replicates, fresh seeds, 2)
        out[key] = {
            "selected": np.array([chosen(tr).score for tr in reps]),
            "fresh_val": again[:, :, 0].mean(axis=1),
            "test": again[:, :, 1].mean(axis=1),
            "good": np.array([sum(t.score >= GOOD for t in tr) for tr in reps]),
        }
    return out


@memo
def unselected_control(seed_set: int = 0) -> dict[str, np.ndarray]:
    """The control for the winner's curse: per method and replicate, one trial the search did
    not pick (drawn at random, configurations equal to the pick excluded), re-trained with the
    same fresh seeds. Its score as the search saw it minus its fresh-seed validation accuracy,
    shape (replicates,) per method."""
    out = {}
    for key, reps in search_runs(seed_set).items():
        scores = [_control_trial(tr, seed_set, r).score for r, tr in enumerate(reps)]
        out[key] = np.array(scores) - _retrained(seed_set)[key, "control"][:, :, 0].mean(axis=1)
    return out


@memo
def length_scales(seed_set: int = 0) -> dict[str, np.ndarray]:
    """GP length-scales fitted to each replicate's 27 trials, per method: (replicates, d)."""
    out = {}
    for key in ("random", "bayes"):
        rows = []
        for tr in search_runs(seed_set)[key]:
            s = np.array([t.score for t in tr])
            rows.append(fit_gp(to_unit(SEARCH_SPACE, [t.params for t in tr]),
                               (s - s.mean()) / s.std())[0])  # fmt: skip
        out[key] = np.array(rows)
    return out


# %%
print("method   selected  test (mean ± std over replicates)  trials >= 90 %")
for _key in METHODS:
    _o = search_outcomes()[_key]
    print(
        f"{_key:8} {_o['selected'].mean():8.3f}  {evidence.spread(_o['test'], digits=3):>24}"
        f"           {_o['good'].mean():5.1f}"
    )


# %%
def _draw_search_comparison(theme: Theme):
    runs, out = search_runs(), search_outcomes()
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.5, height=4.2)
    fig.get_layout_engine().set(wspace=0.08)
    t = np.arange(1, SEARCH_BUDGET + 1)
    jitter = np.linspace(-0.12, 0.12, SEARCH_REPS)
    for k, ((key, label), ls, marker) in enumerate(
        zip(METHODS.items(), ("-", "--", "-"), ("s", "o", "^"))
    ):
        c = theme.palette[k]
        curves = np.array([best_so_far(tr) for tr in runs[key]])
        ax1.plot(t, curves.mean(0), color=c, linestyle=ls, marker=marker, markersize=4,
                 label=label, drawstyle="steps-post")  # fmt: skip
        ax2.plot(k + jitter - 0.2, out[key]["selected"], marker, color=c, markersize=7,
                 markerfacecolor="none", linestyle="none", markeredgewidth=1.2)  # fmt: skip
        ax2.plot(k + jitter + 0.2, out[key]["test"], marker, color=c, markersize=7,
                 linestyle="none", markeredgewidth=0)  # fmt: skip
    ax1.set_xlabel("trials (training runs)")
    ax1.set_ylabel("best validation accuracy so far")
    ax1.set_xlim(1, SEARCH_BUDGET)
    ax1.set_title(f"What each search saw (mean of {SEARCH_REPS})")
    fig.legend(*ax1.get_legend_handles_labels(), loc="outside lower center", ncols=3)
    ax2.set_xticks(range(3))
    ax2.set_xticklabels(["grid", "random", "Bayesian"])
    ax2.set_xlim(-0.6, 2.6)
    ax2.set_ylabel("accuracy of the chosen configuration")
    ax2.set_title("hollow: as selected; filled: re-trained, test", fontsize=11)
    return fig


show(_draw_search_comparison)


# %%
def _draw_where(theme: Theme):
    runs = search_runs()
    fig, axes = new_figure(theme, ncols=3, width=9.0, height=4.1)
    titles = {"grid": "grid", "random": "random", "bayes": "Bayesian"}  # replicate 1 of each
    for k, (ax, (key, title), marker) in enumerate(zip(axes, titles.items(), ("s", "o", "^"))):
        c = theme.palette[k]
        tr = runs[key][0]
        lr = np.array([x.params["lr"] for x in tr])
        width = np.array([x.params["width"] for x in tr])
        good = np.array([x.score >= GOOD for x in tr])
        ax.plot(lr[~good], width[~good], marker, color=c, markersize=6.5, markerfacecolor="none",
                markeredgewidth=1.3)  # fmt: skip
        ax.plot(lr[good], width[good], marker, color=c, markersize=6.5, markeredgewidth=0)
        _log_axis(ax)
        _log_axis(ax, "y")
        ax.set_xlim(7e-4, 1.5e2)
        ax.set_ylim(1.7, 75)
        ax.set_xticks([1e-3, 1e-1, 1e1])
        ax.set_yticks([2, 8, 32])
        ax.yaxis.set_major_formatter("{x:.0f}")
        ax.set_xlabel("learning rate η")
        ax.set_title(f"{title}: {int(good.sum())} filled")
        if k == 0:
            ax.set_ylabel("hidden width")
        else:
            ax.tick_params(labelleft=False)
    handles = [
        Line2D([], [], marker="o", color=theme.fg, markerfacecolor="none", linestyle="none",
               markersize=6.5, markeredgewidth=1.3, label=f"validation accuracy < {GOOD:.0%}"),
        Line2D([], [], marker="o", color=theme.fg, linestyle="none", markersize=6.5,
               markeredgewidth=0, label=f"validation accuracy ≥ {GOOD:.0%}"),
    ]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncols=2)
    return fig


# show(_draw_where) displays it; left out here to keep the rendered notebook light

# %% [markdown]
# ## Successive halving
#
# 27 random configurations trained for 1 epoch, the best third for 3, the best third of those
# for 9 and the last one for 27. Every configuration is also trained fully, to see what halving
# dropped.

# %%
SH_CONFIGS = 27
SH_MIN_EPOCHS = 1
SH_MAX_EPOCHS = 27
SH_ETA = 3
SH_REPS = 5


def _halving_configs(seed: int) -> list[dict]:
    """27 random configurations drawn with `seed`."""
    rng = np.random.default_rng(seed)
    return from_unit(SEARCH_SPACE, rng.random((SH_CONFIGS, len(SEARCH_SPACE))))


def _halving_run(configs: list[dict], curves: np.ndarray) -> dict[str, object]:
    """Successive halving on the record of 27 configurations trained for 27 epochs:
    `curves[i, e - 1]` is configuration i's validation accuracy after e epochs.

    Training is deterministic, so a run stopped after r epochs would have reported exactly
    `curves[i, r - 1]`: successive halving with resumed training reads its scores from there.
    """

    def objective(params: dict, epochs: int) -> float:
        return float(curves[configs.index(params), epochs - 1])

    rungs = successive_halving(objective, configs, SH_MIN_EPOCHS, SH_ETA, SH_MAX_EPOCHS)
    previous = [0] + [r.resource for r in rungs[:-1]]
    final = curves[:, -1]
    winner = rungs[-1].indices[0]
    # late bloomers: dropped by the first round (one epoch) yet >= GOOD after full training
    first_out = np.setdiff1d(np.arange(SH_CONFIGS), rungs[1].indices)
    return {
        "configs": configs,
        "curves": curves,
        "rungs": rungs,
        "epochs_resumed": sum(len(r.indices) * (r.resource - p) for r, p in zip(rungs, previous)),
        "epochs_restarted": sum(len(r.indices) * r.resource for r in rungs),
        "epochs_full": SH_CONFIGS * SH_MAX_EPOCHS,
        "winner_rank": int(np.sum(final > final[winner])) + 1,
        "winner_gap": float(final.max() - final[winner]),
        "late": int(np.sum(final[first_out] >= GOOD)),
    }


@memo
def halving_runs(seed_set: int = 0) -> list[dict[str, object]]:
    """`SH_REPS` replicates of `_halving_run`, one per seed of the set: 27 configurations drawn
    with the seed and trained with it for 27 epochs, validation accuracy after every epoch."""
    configs = [_halving_configs(s) for s in seeds(SH_REPS, seed_set)]
    batch = [_config(c, s) for s, cs in zip(seeds(SH_REPS, seed_set), configs) for c in cs]
    curves = validate_many(batch, SH_MAX_EPOCHS, curve=True).reshape(SH_REPS, SH_CONFIGS, -1)
    return [_halving_run(c, k) for c, k in zip(configs, curves)]


# %%
for _r in halving_runs():
    print(
        f"kept configuration ranks {_r['winner_rank']} of {SH_CONFIGS} after full training; "
        f"late bloomers dropped: {_r['late']}; epochs {_r['epochs_resumed']} of {_r['epochs_full']}"
    )


# %%
def _draw_halving(theme: Theme):
    r = halving_runs()[0]
    fig, ax = new_figure(theme, width=7.5, height=4.6)
    epochs = np.arange(1, SH_MAX_EPOCHS + 1)
    rungs = r["rungs"]
    last = {i: k for k, rung in enumerate(rungs) for i in rung.indices}  # last rung reached
    for i, curve in enumerate(r["curves"]):
        stop = rungs[last[i]].resource
        ax.plot(epochs[stop - 1 :], curve[stop - 1 :], color=theme.muted, linewidth=0.8,
                linestyle=":")  # fmt: skip
    for i, curve in enumerate(r["curves"]):  # what was trained, on top
        k = last[i]
        stop = rungs[k].resource
        color = theme.muted if k == 0 else theme.palette[k - 1]
        ax.plot(epochs[:stop], curve[:stop], color=color, linewidth=1.2 + 0.4 * k, marker="o",
                markersize=3 if k == 0 else 0)  # fmt: skip
    for rung in rungs:
        ax.axvline(rung.resource, color=theme.fg, linewidth=0.8, linestyle="--")
        ax.text(rung.resource * 1.05, 0.345, f"{len(rung.indices)} trained", fontsize=11,
                color=theme.fg)  # fmt: skip

    labels = [f"dropped after {rungs[0].resource} epoch"]
    labels += [f"dropped after {rung.resource} epochs" for rung in rungs[1:-1]]
    labels += ["the winner"]
    handles = [Line2D([], [], color=theme.muted, marker="o", markersize=3, linestyle="none")]
    handles += [Line2D([], [], color=theme.palette[k], lw=1.2 + 0.4 * (k + 1)) for k in
                range(len(rungs) - 1)]  # fmt: skip
    handles.append(Line2D([], [], color=theme.muted, lw=0.8, linestyle=":"))
    labels.append("the rest of each run, never trained")
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
    _log_axis(ax)
    ax.set_xticks([1, 3, 9, 27])
    ax.set_xticklabels(["1", "3", "9", "27"])
    ax.set_xlim(0.9, 45)
    ax.set_ylim(0.33, 1.02)
    ax.set_xlabel("epochs (log scale)")
    ax.set_ylabel("validation accuracy")
    return fig


# show(_draw_halving) displays it; left out here to keep the rendered notebook light


# %% [markdown]
# ## What the page quotes and concludes
#
# `figures()`, `values()` and `claims()` are what the build calls after running this module:
# the figures it draws, every number the page quotes (seed set 0), and what the page concludes
# from the experiments (re-checked on seed set 1 by the tests).


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "lr-sweep": _draw_lr_sweep,
        "grid-vs-random": _draw_grid_vs_random,
        "bo-steps": _draw_bo_steps,
        "search-comparison": _draw_search_comparison,
        "where-trials-went": _draw_where,
        "successive-halving": _draw_halving,
    }


def _majority() -> float:
    """Validation accuracy of a constant prediction of the more frequent class."""
    y_val = spiral_task()[3]
    return float(max(y_val.mean(), 1 - y_val.mean()))


def _updates_per_epoch(batch_size: int) -> int:
    return math.ceil(len(spiral_task()[0]) / batch_size)


def _good_window(seed_set: int) -> np.ndarray:
    """The swept learning rates where batch 32's mean validation accuracy reaches `GOOD`."""
    return np.array(SWEEP_LRS)[lr_sweep(seed_set).mean(axis=1)[0] >= GOOD]


ENDPOINT_GRID_LRS = (1e-3, 10**-0.5, 1e2)  # a 3-point grid with the bounds as grid points


def _paired_gaps(seed_set: int) -> dict[tuple[str, str], np.ndarray]:
    """Test accuracy of b's pick minus a's, per replicate (replicates share training seeds)."""
    out = search_outcomes(seed_set)
    pairs = (("grid", "random"), ("grid", "bayes"), ("random", "bayes"))
    return {(a, b): out[b]["test"] - out[a]["test"] for a, b in pairs}


def _optimism(seed_set: int) -> dict[str, np.ndarray]:
    """Per replicate, averaged over the three methods (replicates are the units, since the
    methods share their seeds): the pick's score as selected minus its fresh-seed validation
    accuracy (`picked`), the same for a random unselected trial (`control`), and `picked`
    minus `control` (`excess`)."""
    out, ctrl = search_outcomes(seed_set), unselected_control(seed_set)
    picked = np.mean([out[k]["selected"] - out[k]["fresh_val"] for k in METHODS], axis=0)
    control = np.mean([ctrl[k] for k in METHODS], axis=0)
    return {"picked": picked, "control": control, "excess": picked - control}


def _val_minus_test(seed_set: int) -> np.ndarray:
    """Per replicate, mean over methods: the picks' fresh-seed validation minus test accuracy."""
    out = search_outcomes(seed_set)
    return np.mean([out[k]["fresh_val"] - out[k]["test"] for k in METHODS], axis=0)


def values() -> dict[str, object]:
    """Every number the page quotes (seed set 0), formatted as the page shows it."""
    X_tr, _, X_val, _, X_te, _ = spiral_task()
    v: dict[str, object] = {
        "n_train": len(X_tr),
        "n_val": len(X_val),
        "n_test": len(X_te),
        "epochs": EPOCHS,
        "fresh_seeds": FRESH_SEEDS,
        "good": fmt(100 * GOOD, 0),
    }

    sweep = lr_sweep()
    acc = sweep.mean(axis=1)  # (batch sizes, learning rates)
    st = sweep_test()
    v["sweep_n_lrs"] = len(SWEEP_LRS)
    v["sweep_seeds"] = SWEEP_N_SEEDS
    v["sweep_width"] = SWEEP_WIDTH
    v["sweep_runs"] = sweep.size
    for i, bs in enumerate(SWEEP_BATCHES):
        k = SWEEP_LRS.index(float(st["lr"][i]))
        v[f"sweep_best_lr_{bs}"] = fmt(st["lr"][i], 1)
        v[f"sweep_best_acc_{bs}"] = fmt(100 * acc[i, k], 1)
        m, s = evidence.mean_std(st["test"][i])
        v[f"sweep_test_{bs}"], v[f"sweep_test_std_{bs}"] = fmt(100 * m, 1), fmt(100 * s, 1)
        v[f"updates_{bs}"] = _updates_per_epoch(bs)
    good = _good_window(0)
    v["sweep_good_lo"] = fmt(good.min(), 2)
    v["sweep_good_hi"] = fmt(good.max(), 1)
    v["sweep_good_decades"] = fmt(np.log10(good.max() / good.min()), 2)
    v["majority"] = fmt(100 * _majority(), 1)
    k32 = SWEEP_LRS.index(float(st["lr"][0]))
    v["sweep_spread_32"] = fmt(100 * np.ptp(sweep[0, :, k32]), 1)
    v["sweep_lo_acc"] = fmt(100 * acc[0, 0], 1)
    v["sweep_hi_acc"] = fmt(100 * acc[0, -1], 1)

    syn = synthetic_runs()
    v["syn_budget"] = SYN_BUDGET
    v["syn_grid_distinct"] = len({t.params["x1"] for t in syn["grid"]})
    v["syn_random_distinct"] = len({t.params["x1"] for t in syn["random0"]})
    v["syn_grid_best"] = fmt(syn["grid_best"], 2)
    v["syn_random0_best"] = fmt(max(t.score for t in syn["random0"]), 2)
    v["syn_seeds"] = SYN_SEEDS
    v["syn_random_mean"] = fmt(syn["random_best"].mean(), 2)
    v["syn_p_sim"] = fmt(100 * np.mean(syn["random_best"] > syn["grid_best"]), 1)
    v["syn_p_exact"] = fmt(100 * syn["p_exact"], 1)
    v["syn_peak"] = fmt(SYN_PEAK, 2)
    v["syn_width"] = fmt(SYN_WIDTH, 2)

    # random search: P(at least one of n trials lands in the best 5 % of the space)
    v["top5_n"] = math.ceil(math.log(0.05) / math.log(0.95))
    v["top5_p60"] = fmt(100 * (1 - 0.95**60), 1)
    v["grid_5_6"] = f"{5**6:,}"

    bo1 = bo_1d_runs()
    best = max(bo1["trials"], key=lambda t: t.score)
    v["bo1_budget"] = BO1_BUDGET
    v["bo1_init"] = BO1_INIT
    v["bo1_best_lr"] = fmt(best.params["lr"], 2)
    v["bo1_best_acc"] = fmt(100 * best.score, 1)
    for state in bo1["states"]:
        v[f"bo1_next_{state['n']}"] = f"{state['next']:.2g}"
    v["bo1_sweep_best"] = fmt(100 * sweep[SWEEP_BATCHES.index(BO1_BATCH), 0].max(), 1)

    runs, out = search_runs(), search_outcomes()
    v["search_budget"] = SEARCH_BUDGET
    v["search_reps"] = SEARCH_REPS
    v["search_runs"] = SEARCH_BUDGET * len(METHODS) * SEARCH_REPS
    v["search_retrain_runs"] = len(METHODS) * SEARCH_REPS * FRESH_SEEDS
    v["bo_init"] = BO_INIT
    v["n_candidates"] = f"{N_CANDIDATES:,}"
    for key in METHODS:
        m, s = evidence.mean_std(out[key]["test"])
        v[f"{key}_test"], v[f"{key}_test_std"] = fmt(100 * m, 1), fmt(100 * s, 1)
        v[f"{key}_selected"] = fmt(100 * out[key]["selected"].mean(), 1)
        m, s = evidence.mean_std(out[key]["good"])
        v[f"{key}_good"], v[f"{key}_good_std"] = fmt(m, 1), fmt(s, 1)
        v[f"{key}_good_seed0"] = int(out[key]["good"][0])
    for (a, b), gap in _paired_gaps(0).items():
        m, s = evidence.mean_std(gap)
        v[f"gap_{a}_{b}"], v[f"gap_{a}_{b}_std"] = fmt(100 * m, 1), fmt(100 * s, 1)
        v[f"gap_{a}_{b}_pos"] = int(np.sum(gap > 0))
        v[f"gap_{a}_{b}_se"] = fmt(100 * s / math.sqrt(len(gap)), 1)
    for name, d in _optimism(0).items():
        m, s = evidence.mean_std(d)
        v[f"optimism_{name}"], v[f"optimism_{name}_std"] = fmt(100 * m, 1), fmt(100 * s, 1)
        v[f"optimism_{name}_pos"] = int(np.sum(d > 0))
    m, s = evidence.mean_std(_val_minus_test(0))
    v["split_shift"], v["split_shift_std"] = fmt(100 * m, 1), fmt(100 * s, 1)
    grid0 = runs["grid"][0]
    v["grid_distinct_lr"] = len({t.params["lr"] for t in grid0})
    v["random_distinct_lr"] = len({t.params["lr"] for t in runs["random"][0]})
    v["grid_lrs"] = ", ".join(f"{x:.2g}" for x in sorted({t.params["lr"] for t in grid0}))
    later = runs["bayes"][0][BO_INIT:]
    v["bayes_lr_median"] = f"{np.median([t.params['lr'] for t in later]):.2g}"
    v["bayes_width_median"] = int(np.median([t.params["width"] for t in later]))
    v["lr_low"], v["lr_high"] = "10^{-3}", "10^{2}"
    v["bs_low"], v["bs_high"] = SEARCH_SPACE[1].low, SEARCH_SPACE[1].high
    v["width_low"], v["width_high"] = SEARCH_SPACE[2].low, SEARCH_SPACE[2].high

    ls = length_scales()["random"]
    for j, d in enumerate(SEARCH_SPACE):
        v[f"ard_{d.name}"] = fmt(np.median(ls[:, j]), 2)
        v[f"ard_{d.name}_min"] = fmt(ls[:, j].min(), 2)
        v[f"ard_{d.name}_max"] = fmt(ls[:, j].max(), 2)
    both = np.concatenate([length_scales()[k] for k in ("random", "bayes")])
    v["ard_fits"] = len(both)
    for j, d in ((1, "batch"), (2, "width")):
        m, s = evidence.mean_std(np.log(both[:, j] / both[:, 0]))
        v[f"ard_lr_{d}"], v[f"ard_lr_{d}_std"] = fmt(m, 2), fmt(s, 2)
        v[f"ard_lr_{d}_pos"] = int(np.sum(both[:, j] > both[:, 0]))
    m, s = evidence.mean_std(np.log(both[:, 1] / both[:, 2]))
    v["ard_batch_width"], v["ard_batch_width_std"] = fmt(m, 2), fmt(s, 2)
    v["ard_at_edge"] = int(np.sum(np.isin(both, (LENGTH_SCALES[0], LENGTH_SCALES[-1]))))
    v["ard_values"] = both.size

    sh = halving_runs()
    r0 = sh[0]
    v["sh_configs"] = SH_CONFIGS
    v["sh_eta"] = SH_ETA
    v["sh_reps"] = SH_REPS
    v["sh_rungs"] = ", ".join(f"{len(r.indices)} × {r.resource}" for r in r0["rungs"])
    v["sh_epochs_resumed"] = r0["epochs_resumed"]
    v["sh_epochs_restarted"] = r0["epochs_restarted"]
    v["sh_epochs_full"] = r0["epochs_full"]
    v["sh_saving"] = fmt(r0["epochs_full"] / r0["epochs_resumed"], 1)
    v["sh_max_epochs"] = SH_MAX_EPOCHS
    ranks = [r["winner_rank"] for r in sh]
    v["sh_rank1"] = sum(k == 1 for k in ranks)
    v["sh_worst_rank"] = max(ranks)
    v["sh_worst_gap"] = fmt(100 * max(r["winner_gap"] for r in sh), 1)
    v["sh_beaten"] = sum(k > 1 for k in ranks)
    v["sh_late_reps"] = sum(r["late"] > 0 for r in sh)
    v["sh_late_total"] = sum(r["late"] for r in sh)
    v["sh0_rank"] = r0["winner_rank"]
    v["sh0_late"] = r0["late"]

    v["total_runs"] = (
        sweep.size + len(SWEEP_BATCHES) * FRESH_SEEDS + v["search_runs"]
        + 2 * v["search_retrain_runs"] + BO1_BUDGET + SH_CONFIGS * SH_REPS
    )  # fmt: skip
    return v


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from its experiments: name → (holds, evidence), for a seed set.

    Comparisons use the site's one rule (`snippets.evidence`): a paired difference d (per
    seed, replicate or fit) is a finding when mean(d) > std(d) with the sign agreeing in all but
    at most one unit; "no difference these units can resolve" when |mean(d)| <= std(d).
    Claims about one method use a threshold fixed in advance (stated in the evidence); the one
    claim checked against theory uses a formula and its standard error.
    """
    c: dict[str, tuple[bool, str]] = {}
    sweep = lr_sweep(seed_set)
    acc = sweep.mean(axis=1)

    lo = acc[:, 0]
    c["tiny_lr_near_chance"] = (
        bool(np.all(np.abs(lo - 0.5) < 0.05)),
        f"at lr 0.001, mean validation accuracy {100 * lo[0]:.1f} % (batch 32) and "
        f"{100 * lo[1]:.1f} % (batch 64) over {SWEEP_N_SEEDS} seeds; within 5 points of chance "
        f"(50 %) required; a constant prediction scores {100 * _majority():.1f} %",
    )
    drop = acc.max(axis=1) - acc[:, -1]
    c["huge_lr_fails"] = (
        bool(np.all(drop > 0.2)),
        f"at lr 100 the mean falls {100 * drop[0]:.1f} (batch 32) and {100 * drop[1]:.1f} "
        f"(batch 64) points below the peak mean; threshold 20 points",
    )
    good = _good_window(seed_set)
    decades = float(np.log10(good.max() / good.min())) if len(good) else 0.0
    c["good_window_narrow"] = (
        bool(len(good) and decades < 1.0),
        f"batch 32 mean at or above {100 * GOOD:.0f} % for lr from {good.min():.3g} to "
        f"{good.max():.3g}, {decades:.2f} of a decade out of 5",
    )
    idx = [int(np.argmin(np.abs(np.log(SWEEP_LRS) - math.log(x)))) for x in ENDPOINT_GRID_LRS]
    at = acc[0, idx]
    c["endpoint_grid_misses_window"] = (
        bool(np.all(at < GOOD)),
        "batch 32 mean at lr 0.001, 0.32, 100: "
        + ", ".join(f"{100 * a:.1f} %" for a in at)
        + f"; all below {100 * GOOD:.0f} %",
    )

    syn = synthetic_runs(seed_set)
    p = float(np.mean(syn["random_best"] > syn["grid_best"]))
    se = math.sqrt(syn["p_exact"] * (1 - syn["p_exact"]) / SYN_SEEDS)
    c["random_beats_grid_one_dim"] = (
        bool(p > 0.5 and abs(p - syn["p_exact"]) < 4 * se),
        f"random beats the grid in {100 * p:.1f} % of {SYN_SEEDS} seeds; formula "
        f"{100 * syn['p_exact']:.1f} %, standard error {100 * se:.1f} points",
    )

    runs, out = search_runs(seed_set), search_outcomes(seed_set)
    verdict, parts = {}, []
    for (a, b), gap in _paired_gaps(seed_set).items():
        sign, text = evidence.direction(100 * gap), evidence.describe(gap, 100, 2)
        verdict[a, b], verdict[b, a] = sign, -sign
        se = 100 * evidence.mean_std(gap)[1] / math.sqrt(len(gap))
        parts.append(f"{b} minus {a}: {text}, standard error {se:.1f}")
    best = [k for k in METHODS if all(verdict[k, o] == 1 for o in METHODS if o != k)]
    c["methods_not_ranked"] = (
        not best,
        f"test accuracy of the picks, points, paired over {SEARCH_REPS} replicates: "
        + "; ".join(parts)
        + "; a method is best only if it beats both others by the rule (mean above std, sign "
        + f"in at least {SEARCH_REPS - 1} of {SEARCH_REPS}); best: {best or 'none'}",
    )
    d = 100 * _val_minus_test(seed_set)
    m, sd = evidence.mean_std(d)
    c["val_test_no_difference"] = (
        bool(abs(m) <= sd),
        f"picks re-trained with fresh seeds, validation minus test accuracy per replicate "
        f"(mean of the 3 methods), points: {evidence.describe(d, digits=2)}; no difference "
        f"requires |mean| <= std",
    )
    d = out["bayes"]["good"] - out["random"]["good"]
    sign, text = evidence.direction(d), evidence.describe(d, digits=1)
    c["bayes_more_good_trials"] = (
        sign == 1,
        f"trials at or above {100 * GOOD:.0f} % out of {SEARCH_BUDGET}: Bayesian "
        f"{out['bayes']['good'].mean():.1f}, random {out['random']['good'].mean():.1f}; paired "
        f"gap over {SEARCH_REPS} replicates {text}",
    )
    tops = [max(t.params["lr"] for t in tr) for tr in runs["grid"]]
    ok = all(t.params["lr"] == top for tr, top in zip(runs["grid"], tops) for t in tr
             if t.score >= GOOD)  # fmt: skip
    n_good = sum(t.score >= GOOD for tr in runs["grid"] for t in tr)
    c["grid_good_only_top_column"] = (
        bool(ok and n_good > 0),
        f"all {n_good} grid trials at or above {100 * GOOD:.0f} % over {SEARCH_REPS} "
        f"replicates have the top learning rate {tops[0]:.3g}",
    )

    ls = np.concatenate([length_scales(seed_set)[k] for k in ("random", "bayes")])
    med = np.median(ls, axis=0)
    d = np.log(ls[:, 1] / ls[:, 0])
    sign, text = evidence.direction(d), evidence.describe(d, digits=2)
    c["ard_lr_shorter_than_batch"] = (
        sign == 1,
        f"log of batch-size over learning-rate length-scale, {len(ls)} fits (random and "
        f"Bayesian replicates): {text}; medians lr {med[0]:.2f}, batch size {med[1]:.2f}",
    )
    d = np.log(ls[:, 1] / ls[:, 2])
    m, sd = evidence.mean_std(d)
    c["ard_batch_width_unranked"] = (
        bool(abs(m) <= sd),
        f"log of batch-size over width length-scale, {len(ls)} fits: "
        f"{evidence.describe(d, digits=2)}; no difference "
        f"requires |mean| <= std; medians batch size {med[1]:.2f}, width {med[2]:.2f}",
    )

    sh = halving_runs(seed_set)
    ranks = [r["winner_rank"] for r in sh]
    c["halving_usually_not_always"] = (
        bool(sum(k == 1 for k in ranks) > len(ranks) / 2 and max(ranks) > 1),
        f"rank of the kept configuration after full training, per replicate: {ranks}",
    )
    late = [r["late"] for r in sh]
    c["halving_drops_late_bloomers"] = (
        bool(sum(k > 0 for k in late) >= 2),
        f"configurations dropped after the first round (1 epoch) that reach {100 * GOOD:.0f} % "
        f"after {SH_MAX_EPOCHS} epochs, per replicate: {late}; required in at least 2 of "
        f"{len(late)} replicates",
    )
    return c
