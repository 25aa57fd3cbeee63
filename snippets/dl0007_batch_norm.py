"""DL0007 · Batch Norm: the page module of docs/training/dl0007-batch-norm.md.

This notebook computes what the page shows: the worked example (a batch of four through a
batch-norm layer, its running statistics, inference on a new sample and the three terms of the
backward pass); a deep ReLU network trained on two spirals with and without batch norm at three
learning rates over several seeds, tuned on the validation split; what goes wrong in training
mode at evaluation; how noisy batch statistics are; scale invariance; folding batch norm into
the layer before. Batch norm itself is the reference code in `snippets/batchnorm.py`; the
network and its training loop are `snippets/layers.py` and `snippets/training.py`; `run_stack`
trains the experiment's networks side by side, the same arithmetic in batched matrix products.
Change a parameter (the example's batch, the learning rates, the number of seeds or epochs) and
re-run the cells below it.
"""

# %%
from __future__ import annotations

import copy
import math

import numpy as np

from snippets import checks, datasets, evidence, layers, losses, training
from snippets.activations import sigmoid
from snippets.backprop import init_params
from snippets.batchnorm import BatchNorm, fold_into_linear, values_per_statistic
from snippets.companion import show
from snippets.formatting import fmt, tex_matrix, tex_sci
from snippets.memo import memo
from snippets.plotting import Theme, new_figure
from snippets.seeds import SEED_SETS, seeds

# %% [markdown]
# ## The worked example
# A batch of 4 samples × 2 features through `BatchNorm(2, momentum=0.1)` in training mode, the
# running statistics after that one batch, one new sample at inference, and the backward pass
# for an upstream gradient `dY`, split into its direct term and the terms through the mean and
# the variance.

# %%
EXAMPLE = {
    "X": [[1.0, 4.0], [2.0, 8.0], [3.0, 6.0], [6.0, 2.0]],
    "gamma": [2.0, 0.5],
    "beta": [1.0, -1.0],
    "x_new": [[4.0, 5.0]],
    "dY": [[0.5, -1.0], [-1.0, 0.5], [0.0, 1.0], [1.5, 0.5]],
    "momentum": 0.1,
}


def worked_example() -> dict[str, np.ndarray | float | int]:
    """Every intermediate number of the worked example (forward, running statistics, inference
    on a new sample, backward with its three terms)."""
    e = {k: np.array(v, dtype=float) for k, v in EXAMPLE.items()}
    bn = BatchNorm(2, momentum=EXAMPLE["momentum"])
    bn.gamma, bn.beta = e["gamma"], e["beta"]
    Y, cache = bn(e["X"], training=True)
    m = e["X"].shape[0]
    unbiased = cache["var"] * m / (m - 1)
    y_new, _ = bn(e["x_new"], training=False)
    # the output once the running statistics have settled on this batch's statistics
    y_settled = e["gamma"] * (e["x_new"] - cache["mean"]) / np.sqrt(unbiased + bn.eps) + e["beta"]
    dX, dgamma, dbeta = bn.backward(e["dY"], cache)
    k = cache["gamma"] * cache["inv_std"]
    x_hat, dY = cache["x_hat"], e["dY"]
    return {
        "Y": Y,
        "mean": cache["mean"],
        "var": cache["var"],
        "std": np.sqrt(cache["var"] + bn.eps),
        "x_hat": x_hat,
        "var_unbiased": unbiased,
        "running_mean": bn.running_mean,
        "running_var": bn.running_var,
        "y_new": y_new,
        "y_settled": y_settled,
        # batches of this kind before the running mean is within 1 % of the batch mean
        "warmup_batches": math.ceil(math.log(0.01) / math.log(1 - EXAMPLE["momentum"])),
        "dX": dX,
        "dgamma": dgamma,
        "dbeta": dbeta,
        "term_direct": k * dY,
        "term_mean": -k * dY.mean(axis=0) * np.ones_like(dY),
        "term_var": -k * x_hat * (dY * x_hat).mean(axis=0),
        "dX_colsum": dX.sum(axis=0),
        "dX_dot_xhat": (dX * x_hat).sum(axis=0),
    }


# %%
example = worked_example()
with np.printoptions(precision=4, suppress=True):
    for key in ("mean", "var", "Y", "running_mean", "running_var", "y_new", "dgamma", "dX"):
        print(f"{key:13}", str(example[key]).replace("\n", "\n" + " " * 14))

# %% [markdown]
# ## The experiment: a deep ReLU network with and without batch norm
# Six hidden ReLU layers of 32 units (He initialization), a sigmoid output and the squared-error
# loss, trained by mini-batch SGD on two spirals (300 training, 100 validation, 100 test
# points) at three learning rates and `N_SEEDS` seeds. The network is a list of layers
# (`layers.mlp`), with a `BatchNorm` after every hidden dense layer or none; `training.train`
# updates every layer's `params` (W, b and gamma, beta) in place and skips a last batch of one
# sample when batch norm is present. A seed fixes the initial weights and the batch order, and
# the two networks of a seed share both. `run` trains one network that way; the experiment
# trains all runs of a network at once with `run_stack`, the same arithmetic on a stack of
# networks (tested equal to `run`, network by network).

# %%
# --8<-- [start:experiment]
SIZES = (2, 32, 32, 32, 32, 32, 32, 1)  # six hidden ReLU layers of 32 units
ACT = "relu"
LRS = (0.1, 1.0, 10.0)  # the grid both networks are run (and tuned) on
EPOCHS = 30
BATCH = 32
N_SEEDS = 5  # a seed fixes the initial weights and the batch order
WORKS = 0.9  # "trains" at a rate: median validation accuracy over the seeds at least this
SNAP_EPOCHS = (0, 2, 10, EPOCHS)  # when the hidden pre-activations are recorded
PROBE = 5  # the last hidden layer (index into the hidden layers)
WATCH = 2  # hidden layer 3: its weights are scaled and their norms followed
# --8<-- [end:experiment]
LR_NAMES = ("low", "mid", "high")
MID = LRS[1]  # the rate the pitfalls and the noise figure use (where both networks train)


@memo
def spiral_data():
    """Two spirals (500 points, 1.5 turns), split 300 / 100 / 100 into training, validation and
    test: `(Xtr, ytr, Xva, yva, Xte, yte)`."""
    X, y = datasets.spirals(500, noise=0.05, turns=1.5, rng=0)
    Xrest, yrest, Xte, yte = datasets.train_val_split(X, y, 0.2, rng=1)
    Xtr, ytr, Xva, yva = datasets.train_val_split(Xrest, yrest, 0.25, rng=2)
    return Xtr, ytr, Xva, yva, Xte, yte


def network(seed: int, use_bn: bool, params=None) -> list:
    """The layers of the experiment's network: He-initialized from `seed` (or the given
    `params`), with a fresh `BatchNorm` after every hidden dense layer if `use_bn`."""
    if params is None:
        params = init_params(list(SIZES), np.random.default_rng(seed), "he")
    # --8<-- [start:network]
    norms = [BatchNorm(n) for n in SIZES[1:-1]] if use_bn else None
    return layers.mlp(params, ACT, "sigmoid", norms=norms)  # Dense → BatchNorm → ReLU, ...
    # --8<-- [end:network]


def dense_layers(net) -> list[layers.Dense]:
    """The dense layers of `net`, in order."""
    return [layer for layer in net if isinstance(layer, layers.Dense)]


def bn_layers(net) -> list[BatchNorm]:
    """The batch-norm layers of `net`, in order."""
    return [layer for layer in net if isinstance(layer, BatchNorm)]


def probe(net, X) -> dict[str, list[np.ndarray]]:
    """One forward pass of the batch `X` in training mode on a copy of `net` (so its running
    statistics are left alone): per hidden layer, `pre` = its W x + b (what a batch norm
    receives) and `z` = what enters its activation (after batch norm, if any)."""
    net = copy.deepcopy(net)
    _, caches = layers.forward(net, X, training=True)
    pairs = list(zip(net, caches))
    pre = [c @ layer.W + layer.b for layer, c in pairs if isinstance(layer, layers.Dense)]
    z = [c[0] for layer, c in pairs if isinstance(layer, layers.Activation)]
    return {"pre": pre[:-1], "z": z[:-1]}


def hidden_z(net, X) -> list[np.ndarray]:
    """What enters each hidden layer's activation for the batch X (training mode, on a copy)."""
    return probe(net, X)["z"]


def dead_fraction(z) -> float:
    """Share of the units (columns of z) that are ≤ 0 for every sample: dead ReLUs."""
    z = checks.as_float_array("z", z, ndim=2, min_rows=1)
    if z.shape[1] == 0:
        raise ValueError(f"z: expected at least one unit (column), got shape {z.shape}")
    return float(np.mean(np.all(z <= 0, axis=0)))


def _inputs(standardize: bool) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation inputs; `standardize`: mean 0 and variance 1 per coordinate
    (with the training statistics)."""
    Xtr, _, Xva, _, _, _ = spiral_data()
    if standardize:
        mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
        Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    return Xtr, Xva


def _outcome(net, Xva, history, snaps, weight_norms) -> dict:
    """What a run records, from its trained `net`: see `run`."""
    yva = spiral_data()[3]
    A_val = layers.forward(net, Xva, training=False)[0]
    return {
        "losses": history,
        "val_loss": losses.mse_loss(A_val, yva[:, None].astype(float)),
        "val_acc": losses.accuracy(A_val, yva),
        "net": net,
        "params": [(d.W, d.b) for d in dense_layers(net)],
        "bn": bn_layers(net),
        "z": {e: z[PROBE] for e, z in snaps.items()},
        "dead": {e: dead_fraction(z[PROBE]) for e, z in snaps.items()},
        "z_std0": np.array([z.std() for z in snaps[0]]),  # every hidden layer at initialisation
        "weight_norms": np.array(weight_norms),  # (epochs + 1, hidden layers)
    }


# --8<-- [start:run]
@memo
def run(lr: float, use_bn: bool, seed: int = 0, standardize: bool = False, epochs: int = EPOCHS):
    """Train the network once and record training losses, validation loss and accuracy, weight
    norms and the probe layer's pre-activations at `SNAP_EPOCHS`. `standardize` rescales the
    inputs to mean 0 and variance 1 per coordinate (training statistics): the control for the
    inputs' small scale. The test split is not touched here."""
    Xtr, Xva = _inputs(standardize)
    T = spiral_data()[1][:, None].astype(float)
    net = network(seed, use_bn)
    snaps = {0: hidden_z(net, Xtr)}
    weight_norms = [[np.linalg.norm(d.W) for d in dense_layers(net)[:-1]]]

    def record(epoch):
        weight_norms.append([np.linalg.norm(d.W) for d in dense_layers(net)[:-1]])
        if epoch in SNAP_EPOCHS:
            snaps[epoch] = hidden_z(net, Xtr)

    order = np.random.default_rng([seed, 1])
    history = training.train(
        net, Xtr, T, epochs, training.sgd(lr), batch_size=BATCH, rng=order, callback=record
    )
    return _outcome(net, Xva, history, snaps, weight_norms)


# --8<-- [end:run]


def stack_forward(stack: dict, A: np.ndarray, mode: str = "train"):
    """`layers.forward` for a stack of networks (`run_stack`): `A` of shape (B, m, 2), network i
    on batch A[i] (parameters with a leading axis of size 1 are shared by every batch).

    `mode` "train" normalizes with each batch's statistics and updates the running ones,
    "probe" uses the batch's statistics and leaves the running ones alone (`probe`), "eval"
    uses the running statistics. Returns the output (B, m, 1) and, per layer, what its backward
    needs: its input `a` and batch norm's `x_hat` and `inv_std`; "probe" keeps `z`, what enters
    each hidden activation. Op for op the arithmetic of `layers.Dense`, `BatchNorm` and
    `layers.Activation` (in place where a result is not needed twice: the same numbers).
    """
    W, b, bn = stack["W"], stack["b"], stack["bn"]
    cache = []
    for l in range(len(W)):
        entry = {"a": A}
        cache.append(entry)
        z = A @ W[l]
        z += b[l][:, None, :]
        if l == len(W) - 1:
            return sigmoid(z), cache
        if bn is not None:
            if mode == "eval":
                inv_std = 1.0 / np.sqrt(bn["var"][l] + bn["eps"])
                z -= bn["mean"][l][:, None, :]
            else:
                m = z.shape[1]
                mean = z.mean(axis=1)
                z -= mean[:, None, :]  # centred
                var = np.multiply(z, z).mean(axis=1)
                inv_std = 1.0 / np.sqrt(var + bn["eps"])
                if mode == "train":
                    keep, f = 1 - bn["momentum"], bn["momentum"]
                    bn["mean"][l] = keep * bn["mean"][l] + f * mean
                    bn["var"][l] = keep * bn["var"][l] + f * (var * m / (m - 1))
            z *= inv_std[:, None, :]  # x_hat
            if mode == "eval":  # (in place: large arrays are slow to allocate)
                z *= bn["gamma"][l][:, None, :]
            else:
                entry.update(x_hat=z, inv_std=inv_std)
                z = bn["gamma"][l][:, None, :] * z
            z += bn["beta"][l][:, None, :]
        if mode == "probe":
            entry["z"] = z
            A = np.maximum(z, 0.0)
        else:
            A = np.maximum(z, 0.0, out=z)


def stack_of(net) -> dict:
    """A network of the experiment (`network`) as a stack of one for `stack_forward`: its
    arrays with a leading axis of size 1 (views: nothing is copied)."""
    dense, norms = dense_layers(net), bn_layers(net)
    if len(dense) != len(SIZES) - 1 or len(norms) not in (0, len(dense) - 1):
        raise ValueError(f"net: expected the layers of `network`, got {checks.describe(net)}")
    stack = {"W": [d.W[None] for d in dense], "b": [d.b[None] for d in dense], "bn": None}
    if norms:
        stack["bn"] = {
            "gamma": [n.gamma[None] for n in norms],
            "beta": [n.beta[None] for n in norms],
            "mean": [n.running_mean[None] for n in norms],
            "var": [n.running_var[None] for n in norms],
            "eps": norms[0].eps,
            "momentum": norms[0].momentum,
        }
    return stack


def stack_step(stack: dict, A: np.ndarray, T: np.ndarray, lrs: np.ndarray) -> None:
    """One SGD step of every network of the stack on its own batch (A[i], T[i]), network i at
    rate lrs[i], in place: `training.train`'s step with `training.sgd`, op for op."""
    Y, cache = stack_forward(stack, A, "train")
    m = A.shape[1]
    W, b, bn = stack["W"], stack["b"], stack["bn"]
    dz = (Y - T) / m
    dz *= Y * (1.0 - Y)  # the sigmoid's derivative
    grads = []
    for l in reversed(range(len(W))):
        e = cache[l]
        if l < len(W) - 1 and bn is not None:
            dbeta = dz.sum(axis=1)
            tmp = dz * e["x_hat"]
            dgamma = tmp.sum(axis=1)
            grads.append((bn["gamma"][l], dgamma))
            grads.append((bn["beta"][l], dbeta))
            # the three terms: direct, through the mean, through the variance
            np.multiply(e["x_hat"], dgamma[:, None, :] / m, out=tmp)
            dz -= dbeta[:, None, :] / m
            dz -= tmp
            dz *= (bn["gamma"][l] * e["inv_std"])[:, None, :]
        grads.append((W[l], e["a"].transpose(0, 2, 1) @ dz))
        grads.append((b[l], dz.sum(axis=1)))
        if l > 0:  # down through W and the ReLU below (its output is > 0 where its input is)
            dz = dz @ W[l].transpose(0, 2, 1)
            dz *= e["a"] > 0  # ReLU'(0) = 0
    for p, g in grads:
        g *= lrs.reshape(-1, *[1] * (p.ndim - 1))
        p -= g


def run_stack(specs, use_bn: bool, epochs: int = EPOCHS) -> list[dict]:
    """`run(lr, use_bn, seed, standardize, epochs)` for every `(lr, seed, standardize)` of
    `specs`, trained side by side: the networks stacked on a leading axis (W of shape
    (B, fan_in, fan_out)), each with its own initial weights, batch order, inputs and rate, in
    one pass of batched matrix products per step. The arithmetic is `run`'s, op for op (tested
    equal network by network); it is what makes 35 runs cost about as much as two.
    Returns `run`'s dicts, in the order of `specs`."""
    if not isinstance(specs, (list, tuple)) or not specs:
        raise TypeError(f"specs: expected a non-empty list of (lr, seed, standardize), got "
                        f"{checks.describe(specs)}")  # fmt: skip
    for i, spec in enumerate(specs):
        if not isinstance(spec, (list, tuple)) or len(spec) != 3:
            raise TypeError(f"specs[{i}]: expected (lr, seed, standardize), got "
                            f"{checks.describe(spec)}")  # fmt: skip
    lrs = np.array([checks.positive_float(f"specs[{i}] lr", s[0]) for i, s in enumerate(specs)])
    seeds_ = [checks.integer(f"specs[{i}] seed", s[1], minimum=0) for i, s in enumerate(specs)]
    flags = [checks.flag(f"specs[{i}] standardize", s[2]) for i, s in enumerate(specs)]
    use_bn = checks.flag("use_bn", use_bn)
    epochs = checks.positive_int("epochs", epochs)

    T = spiral_data()[1][:, None].astype(float)
    X, Xva = (np.stack(x) for x in zip(*(_inputs(f) for f in flags)))
    nets = [init_params(list(SIZES), np.random.default_rng(s), "he") for s in seeds_]
    hidden = range(len(SIZES) - 2)
    ref = BatchNorm(1)  # the defaults of every batch-norm layer
    stack = {
        "W": [np.stack([p[l][0] for p in nets]) for l in range(len(SIZES) - 1)],
        "b": [np.stack([p[l][1] for p in nets]) for l in range(len(SIZES) - 1)],
        "bn": None,
    }
    if use_bn:
        shapes = [(len(specs), n) for n in SIZES[1:-1]]
        stack["bn"] = {
            "gamma": [np.ones(s) for s in shapes],
            "beta": [np.zeros(s) for s in shapes],
            "mean": [np.zeros(s) for s in shapes],
            "var": [np.ones(s) for s in shapes],
            "eps": ref.eps,
            "momentum": ref.momentum,
        }
    rows = np.arange(len(specs))[:, None]
    orders = [np.random.default_rng([s, 1]) for s in seeds_]

    def probe_z():
        cache = stack_forward(stack, X, "probe")[1]
        return [[cache[l]["z"][i] for l in hidden] for i in range(len(specs))]

    def norms():
        return [[np.linalg.norm(W[i]) for W in stack["W"][:-1]] for i in range(len(specs))]

    def loss():
        Y = stack_forward(stack, X, "eval")[0]
        return [float(x) for x in 0.5 * np.sum((T - Y) ** 2, axis=(1, 2)) / X.shape[1]]

    snaps = [{0: z} for z in probe_z()]
    weight_norms = [[w] for w in norms()]
    history = [[x] for x in loss()]
    N, steps, min_batch = X.shape[1], 0, 2 if use_bn else 1
    for epoch in range(1, epochs + 1):
        order = np.stack([rng.permutation(N) for rng in orders])
        for start in range(0, N, BATCH):
            idx = order[:, start : start + BATCH]
            if idx.shape[1] < min_batch:
                continue
            stack_step(stack, X[rows, idx], T[idx], lrs)
            steps += 1
        for h, x in zip(history, loss()):
            h.append(x)
        for w, x in zip(weight_norms, norms()):
            w.append(x)
        if epoch in SNAP_EPOCHS:
            for s, z in zip(snaps, probe_z()):
                s[epoch] = z
    out = []
    for i in range(len(specs)):
        params = [(W[i], b[i]) for W, b in zip(stack["W"], stack["b"])]
        norms_i = None
        if use_bn:
            norms_i = []
            for l in hidden:
                layer = BatchNorm(SIZES[l + 1])
                for name, key in (("gamma", "gamma"), ("beta", "beta"), ("running_mean", "mean"),
                                  ("running_var", "var")):  # fmt: skip
                    setattr(layer, name, stack["bn"][key][l][i].copy())
                layer.num_batches_tracked = steps
                norms_i.append(layer)
        net = layers.mlp(params, ACT, "sigmoid", norms=norms_i)
        out.append(_outcome(net, Xva[i], np.array(history[i]), snaps[i], weight_norms[i]))
    return out


@memo
def experiment_runs(use_bn: bool, seed_set: int = 0) -> dict:
    """Every run of the experiment for one network, trained together by `run_stack`: each rate
    of LRS with each seed of `seed_set` and, without batch norm, the control (standardized
    inputs at the rate LRS[0]). (lr, seed, standardize) → `run`'s dict."""
    ss = seeds(N_SEEDS, seed_set)
    specs = [(lr, s, False) for lr in LRS for s in ss]
    if not use_bn:
        specs += [(LRS[0], s, True) for s in ss]
    return dict(zip(specs, run_stack(specs, use_bn)))


def result(lr: float, use_bn: bool, seed: int = 0, standardize: bool = False) -> dict:
    """The experiment's run of (lr, use_bn, seed, standardize), `run`'s dict: from the stacked
    runs of its seed set (`experiment_runs`), or trained alone by `run` if it is not one."""
    for k in SEED_SETS:
        if seed in seeds(N_SEEDS, k):
            found = experiment_runs(use_bn, k).get((lr, seed, standardize))
            if found is not None:
                return found
    return run(lr, use_bn, seed, standardize)


@memo
def grid(seed_set: int = 0) -> dict:
    """Every (rate, with/without batch norm) over the seeds of `seed_set`: arrays over seeds of
    the final training loss, validation accuracy, dead share of the last hidden layer, and the
    loss curves (seeds × epochs)."""
    out = {}
    for lr in LRS:
        for use_bn in (False, True):
            rs = [result(lr, use_bn, s) for s in seeds(N_SEEDS, seed_set)]
            out[lr, use_bn] = {
                "loss": np.array([r["losses"][-1] for r in rs]),
                "curves": np.array([r["losses"] for r in rs]),
                "val_acc": np.array([r["val_acc"] for r in rs]),
                "dead": np.array([r["dead"][EPOCHS] for r in rs]),
            }
    return out


def working_rates(seed_set: int = 0) -> dict[bool, list[float]]:
    """The rates of the grid at which each network trains: median validation accuracy over the
    seeds ≥ WORKS (the median, so that one failed seed does not decide it either way)."""
    g = grid(seed_set)
    return {b: [lr for lr in LRS if np.median(g[lr, b]["val_acc"]) >= WORKS] for b in (False, True)}


@memo
def tuned(seed_set: int = 0) -> dict:
    """Per seed, each network's rate is the grid's lowest validation loss; the test split is
    evaluated once, at that rate."""
    Xte, yte = spiral_data()[4:]
    out = {}
    for use_bn in (False, True):
        chosen, acc = [], []
        for s in seeds(N_SEEDS, seed_set):
            lr = min(LRS, key=lambda r: result(r, use_bn, s)["val_loss"])
            chosen.append(lr)
            acc.append(
                losses.accuracy(layers.forward(result(lr, use_bn, s)["net"], Xte, False)[0], yte)
            )
        out[use_bn] = {"lr": chosen, "test_acc": np.array(acc)}
    return out


@memo
def control(seed_set: int = 0) -> np.ndarray:
    """Validation accuracies over the seeds of the plain network at the rate LRS[0] with
    standardized inputs: does a larger input scale rescue it?"""
    return np.array([result(LRS[0], False, s, True)["val_acc"] for s in seeds(N_SEEDS, seed_set)])


def _pre_norm_std(net, X) -> float:
    """Standard deviation of the last hidden layer's W x + b: what its batch norm receives."""
    return float(probe(net, X)["pre"][PROBE].std())


@memo
def drift(seed_set: int = 0) -> dict:
    """Standard deviation of what enters the last hidden layer's ReLU, at the start and at the
    end of training at rate MID, over the seeds: with and without batch norm. With batch norm
    that is the normalized gamma x_hat + beta, so `pre_start` / `pre_end` also follow the
    layer's W x + b, which its batch norm receives (for the plain network z is W x + b)."""
    Xtr = spiral_data()[0]
    out = {}
    for use_bn in (False, True):
        ss = seeds(N_SEEDS, seed_set)
        rs = [result(MID, use_bn, s) for s in ss]
        out[use_bn] = {
            "start": np.array([r["z"][0].std() for r in rs]),
            "end": np.array([r["z"][EPOCHS].std() for r in rs]),
        }
        if use_bn:  # the same initial weights as the runs
            out[use_bn]["pre_start"] = np.array([_pre_norm_std(network(s, True), Xtr) for s in ss])
            out[use_bn]["pre_end"] = np.array([_pre_norm_std(r["net"], Xtr) for r in rs])
    return out


# %%
g0 = grid(0)
print("rate  network  median final loss  mean val acc %  mean dead %")
for lr in LRS:
    for use_bn in (False, True):
        r = g0[lr, use_bn]
        print(
            f"{lr:<5g} {'BN' if use_bn else 'plain':8} {np.median(r['loss']):17.4f}"
            f" {100 * r['val_acc'].mean():15.0f} {100 * r['dead'].mean():12.0f}"
        )
tu0 = tuned(0)
for use_bn in (False, True):
    print(
        f"tuned {'BN' if use_bn else 'plain':5}: rates {tu0[use_bn]['lr']}, test accuracy %",
        np.round(100 * tu0[use_bn]["test_acc"]).astype(int).tolist(),
    )

# %% [markdown]
# ## Forgetting inference mode
# The trained batch-norm networks (rate MID) on the validation set: with the running statistics,
# then wrongly in training mode, each sample normalized with the statistics of its own batch,
# for random batches of several sizes and for one-class batches.

# %%
MISMATCH_SIZES = (100, 32, 8, 4, 2)
MISMATCH_ORDERS = 4
SORTED_CHUNKS = 2  # each class of the validation set is cut into this many one-class batches


def _accuracy_on_batches(net, X, y, batches) -> float:
    """Accuracy when `net` is (wrongly) run in training mode on the given index batches: each
    sample is normalized with the statistics of its own batch (the running statistics are left
    alone). The batches of one size go through `stack_forward` together, as a stack of copies
    of `net` (tested equal to `layers.forward` one batch at a time)."""
    stack = stack_of(net)
    pred = np.full(len(y), np.nan)
    by_size: dict[int, list] = {}
    for idx in batches:
        by_size.setdefault(len(idx), []).append(idx)
    for size, group in by_size.items():
        if size < 2:
            raise ValueError(f"batches: expected at least 2 samples per batch, got {size}")
        idx = np.stack(group)
        pred[idx] = stack_forward(stack, X[idx], "probe")[0][:, :, 0]
    return float(np.mean((pred > 0.5) == y))


def _accuracy_in_training_mode(net, X, y, order, batch_size: int) -> float:
    """`_accuracy_on_batches` with consecutive batches of `batch_size` taken from `order`."""
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    return _accuracy_on_batches(net, X, y, batches)


def sorted_batches(y, rng, chunks: int = SORTED_CHUNKS) -> list[np.ndarray]:
    """One-class batches: each class's indices, shuffled, cut into `chunks` near-equal parts."""
    y = checks.as_float_array("y", y, ndim=1, min_rows=1)
    rng = checks.generator("rng", rng)
    chunks = checks.positive_int("chunks", chunks)
    smallest = min(int(np.sum(y == c)) for c in np.unique(y))
    if smallest < chunks:
        raise ValueError(
            f"chunks: expected at most {smallest} (the smallest class's size), got {chunks}"
        )
    return [
        part
        for c in np.unique(y)
        for part in np.array_split(rng.permutation(np.flatnonzero(y == c)), chunks)
    ]


@memo
def mismatch_runs(seed_set: int = 0) -> dict:
    """Validation accuracies, one per seed: `eval` (running statistics), each batch size of
    MISMATCH_SIZES (training mode, mean over MISMATCH_ORDERS shuffles), `sorted` (one-class
    batches, `sorted_batches`) and `random_like_sorted` (as many random batches of the same
    sizes), both also averaged over MISMATCH_ORDERS shuffles."""
    _, _, Xva, yva, _, _ = spiral_data()
    out = {k: [] for k in ("eval", "sorted", "random_like_sorted", *MISMATCH_SIZES)}
    for s in seeds(N_SEEDS, seed_set):
        r = result(MID, True, s)
        out["eval"].append(r["val_acc"])
        rng = np.random.default_rng([s, 4])
        for m in MISMATCH_SIZES:
            orders = [rng.permutation(len(yva)) for _ in range(MISMATCH_ORDERS)]
            accs = [_accuracy_in_training_mode(r["net"], Xva, yva, o, m) for o in orders]
            out[m].append(float(np.mean(accs)))
        # the control for sorting: random batches, as many and as large as the sorted ones
        sort_acc, rand_acc = [], []
        for _ in range(MISMATCH_ORDERS):
            batches = sorted_batches(yva, rng)
            sort_acc.append(_accuracy_on_batches(r["net"], Xva, yva, batches))
            cuts = np.cumsum([len(b) for b in batches])[:-1]
            rand = np.split(rng.permutation(len(yva)), cuts)
            rand_acc.append(_accuracy_on_batches(r["net"], Xva, yva, rand))
        out["sorted"].append(float(np.mean(sort_acc)))
        out["random_like_sorted"].append(float(np.mean(rand_acc)))
    return {k: np.array(v) for k, v in out.items()}


# %%
mm0 = mismatch_runs(0)
for key in ("eval", *MISMATCH_SIZES, "random_like_sorted", "sorted"):
    print(f"{key!s:18} mean validation accuracy {100 * mm0[key].mean():5.1f} %")

# %% [markdown]
# ## How noisy batch statistics are
# Real pre-batch-norm values (hidden layer 3 of a trained network, all 300 training samples);
# random batches drawn without replacement; the spread across batches of the batch mean, the
# batch standard deviation and one fixed sample's normalized value.

# %%
NOISE_SIZES = (2, 4, 8, 16, 32, 64)
NOISE_DRAWS = 500
NOISE_LAYER = 2


def batch_statistics_noise(values, sizes=NOISE_SIZES, draws: int = NOISE_DRAWS, rng=0) -> dict:
    """Spread across random batches (without replacement) of the batch mean, of the batch
    standard deviation and of one fixed sample's normalized value, in units of the population
    standard deviation, averaged over the columns of `values` (M samples × units).

    Returns a dict of arrays over `sizes`: `mean_sd`, `std_sd`, `xhat_sd`, and `mean_sd_theory`
    = sqrt((M − m) / ((M − 1) m)), the exact spread of a mean drawn without replacement.
    """
    values = checks.as_float_array("values", values, ndim=2, min_rows=3)
    M = values.shape[0]
    rng = checks.generator("rng", rng)
    draws = checks.positive_int("draws", draws)
    sizes = [checks.positive_int("sizes", s) for s in sizes]
    if any(not 2 <= s <= M for s in sizes):
        raise ValueError(f"sizes: expected batch sizes in 2..{M}, got {sizes}")
    sigma = values.std(axis=0)
    out = {k: [] for k in ("mean_sd", "std_sd", "xhat_sd", "mean_sd_theory")}
    for m in sizes:
        idx = np.argpartition(rng.random((draws, M)), m - 1, axis=1)[:, :m]  # m distinct rows
        batch = values[idx]  # (draws, m, units)
        out["mean_sd"].append(np.mean(batch.mean(axis=1).std(axis=0) / sigma))
        out["std_sd"].append(np.mean(batch.std(axis=1).std(axis=0) / sigma))
        # sample 0 together with m − 1 others: its normalized value depends on who they are
        others = 1 + np.argpartition(rng.random((draws, M - 1)), m - 1, axis=1)[:, : m - 1]
        batch = values[np.concatenate([np.zeros((draws, 1), int), others], axis=1)]
        x_hat = (batch[:, 0] - batch.mean(axis=1)) / np.sqrt(batch.var(axis=1) + 1e-5)
        out["xhat_sd"].append(np.mean(x_hat.std(axis=0)))
        out["mean_sd_theory"].append(math.sqrt((M - m) / ((M - 1) * m)))
    return {k: np.array(v) for k, v in out.items()}


@memo
def noise_runs(seed: int = 0) -> dict:
    """`batch_statistics_noise` on what hidden layer NOISE_LAYER's batch norm receives, for the
    network trained at rate MID with `seed`."""
    pre = probe(result(MID, True, seed)["net"], spiral_data()[0])["pre"][NOISE_LAYER]
    return batch_statistics_noise(pre, rng=np.random.default_rng([seed, 5]))


def _slope(sizes, spread) -> float:
    """Slope of log(spread) against log(batch size): -1/2 is the 1/sqrt(m) law."""
    return float(np.polyfit(np.log(sizes), np.log(spread), 1)[0])


# %%
nz0 = noise_runs(seeds(1)[0])
print("batch size      ", NOISE_SIZES)
for key in ("mean_sd", "mean_sd_theory", "std_sd", "xhat_sd"):
    print(f"{key:15}", np.round(nz0[key], 3).tolist())

# %% [markdown]
# ## Scale invariance and folding
# At initialization, scaling one hidden layer's weights changes nothing but the size of their
# gradient, which is orthogonal to each unit's weights. At inference, batch norm folds into the
# dense layer before it.


# %%
@memo
def scale_invariance(layer: int = WATCH, factor: float = 10.0) -> dict:
    """At initialisation: scale one hidden layer's W by `factor`; compare outputs and gradients."""
    Xtr, ytr = spiral_data()[:2]
    X, T = Xtr[:BATCH], ytr[:BATCH, None].astype(float)
    base = init_params(list(SIZES), np.random.default_rng(0), "he")
    out = {}
    for name, f in (("one", 1.0), ("scaled", factor)):
        net = network(
            0, True, [(W * (f if i == layer else 1.0), b) for i, (W, b) in enumerate(base)]
        )
        A, caches = layers.forward(net, X, training=True)
        _, grads = layers.backward(net, caches, losses.mse_grad(A, T))
        i = net.index(dense_layers(net)[layer])
        W, dW = net[i].W, grads[i][0]
        cos = np.sum(W * dW, axis=0) / (np.linalg.norm(W, axis=0) * np.linalg.norm(dW, axis=0))
        out[name] = {
            "A": A,
            "dW_norm": float(np.linalg.norm(dW)),
            "max_cos": float(np.abs(cos).max()),
        }
    return {
        "factor": factor,
        "layer": layer,
        "output_diff": float(np.abs(out["one"]["A"] - out["scaled"]["A"]).max()),
        "grad_ratio": out["one"]["dW_norm"] / out["scaled"]["dW_norm"],
        "max_cos": max(out["one"]["max_cos"], out["scaled"]["max_cos"]),
    }


@memo
def fold_check(seed_set: int = 0) -> float:
    """Largest output difference on the validation set between a trained batch-norm network
    (rate MID) in inference mode and the same network with every batch norm folded into its
    dense layer, over the seeds of `seed_set`."""
    Xva = spiral_data()[2]
    worst = 0.0
    for s in seeds(N_SEEDS, seed_set):
        r = result(MID, True, s)
        folded = [fold_into_linear(W, b, n) for (W, b), n in zip(r["params"][:-1], r["bn"])]
        folded.append(r["params"][-1])
        A = layers.forward(r["net"], Xva, training=False)[0]
        A_folded = layers.forward(layers.mlp(folded, ACT, "sigmoid"), Xva, training=False)[0]
        worst = max(worst, float(np.abs(A - A_folded).max()))
    return worst


# %%
sc0 = scale_invariance()
print(f"output change {sc0['output_diff']:.1e}, gradient ratio {sc0['grad_ratio']:.2f}")
print(f"largest |cos(W, dW)| {sc0['max_cos']:.1e}, folded vs unfolded {fold_check(0):.1e}")

# %% [markdown]
# ## Figures
# Each figure is a function of a theme (the site draws a light and a dark one): the training
# curves at the three rates, the last hidden layer's pre-activations at the largest rate, and
# the noise of batch statistics.


# %%
def _draw_training(theme: Theme):
    fig, axes = new_figure(theme, ncols=len(LRS), width=10.0, height=3.7)
    epochs = np.arange(EPOCHS + 1)
    g = grid(0)
    low = int(np.floor(np.log10(min(g[k]["curves"].min() for k in g))))
    # decade labels as plain numbers (0.001): no mathtext to lay out, three times per figure
    decades = [f"{10.0**k:g}" for k in range(low, 0)]
    for i, (ax, lr) in enumerate(zip(axes, LRS)):
        for use_bn, color, style, label in (
            (False, theme.palette[0], "-", "without BN"),
            (True, theme.palette[1], "--", "with BN"),
        ):
            c = g[lr, use_bn]["curves"]
            ax.fill_between(epochs, c.min(axis=0), c.max(axis=0), color=color, alpha=0.2, lw=0)
            ax.plot(epochs, np.median(c, axis=0), color=color, linestyle=style, label=label)
        ax.set_yscale("log")
        ax.set_ylim(10.0**low, 0.3)  # whole decades, shared
        ax.minorticks_off()  # a tick per decade is enough, and keeps the SVG small
        ax.set_yticks(10.0 ** np.arange(low, 0), decades)
        ax.set_title(f"learning rate η = {lr:g}")
        ax.set_xlabel("epoch")
        if i == 0:
            ax.set_ylabel("training loss (MSE)")
            ax.legend(loc="lower left")
        else:
            ax.tick_params(labelleft=False)
    return fig


def _draw_histograms(theme: Theme, lr: float = LRS[2]):
    fig, axes = new_figure(theme, ncols=2, width=9.0, height=3.9)
    fig.get_layout_engine().set(wspace=0.06)  # keep the panels' tick labels apart
    styles = ("-", "--", "-.", ":")
    for ax, use_bn, reach in zip(axes, (False, True), (1.0, 4.0)):
        r = result(lr, use_bn, seeds(1)[0])
        bins = np.linspace(-reach, reach, 41)
        top = 0.0
        for j, e in enumerate(SNAP_EPOCHS):
            z = np.clip(r["z"][e].ravel(), bins[0], bins[-1])  # outliers into the edge bins
            density, _ = np.histogram(z, bins=bins, density=True)
            top = max(top, density.max())
            label = f"epoch {e}" + ("" if use_bn else f": {100 * r['dead'][e]:.0f} % dead")
            ax.stairs(
                density, bins, color=theme.palette[j], linestyle=styles[j], linewidth=2, label=label
            )
        ax.axvline(0, color=theme.muted, linewidth=1)
        ax.set_xlim(-reach, reach)
        ax.set_xticks(np.linspace(-reach, reach, 5))
        ax.locator_params(axis="y", nbins=4)  # few tick labels: text is most of an SVG's bytes
        ax.set_ylim(0, 1.75 * top)  # room for the legend above the histograms
        worst = max(r["dead"].values())
        dead = "no dead units" if worst == 0 else f"at most {100 * worst:.0f} % dead"
        ax.set_title(f"with BN: {dead}" if use_bn else "without BN")
        ax.legend(loc="upper right", ncols=1 if not use_bn else 2)
    axes[0].set_ylabel("density")
    fig.supxlabel(
        f"input to the ReLU in hidden layer {PROBE + 1}, all units and samples, η = {lr:g}, seed 0",
        fontsize="medium",
    )
    return fig


def _draw_noise(theme: Theme):
    r = noise_runs(seeds(1)[0])
    sizes = np.array(NOISE_SIZES)
    fig, ax = new_figure(theme, width=6.4, height=3.8)
    ax.plot(
        sizes,
        r["xhat_sd"],
        marker="o",
        color=theme.palette[1],
        label="one sample's normalized value x̂",
    )
    ax.plot(sizes, r["std_sd"], marker="s", color=theme.palette[2], label="batch std / σ")
    ax.plot(sizes, r["mean_sd"], marker="^", color=theme.palette[0], label="batch mean / σ")
    ax.plot(
        sizes,
        r["mean_sd_theory"],
        color=theme.fg,
        linestyle=":",
        linewidth=1.5,
        label="theory for the mean",
    )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.minorticks_off()
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ticks = [0.05, 0.1, 0.2, 0.5, 1.0]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_ylim(0.05, 1.2)
    ax.set_xlabel("batch size m")
    ax.set_ylabel("spread across batches (sd)")
    ax.legend(loc="lower left")
    return fig


show(_draw_training)
show(_draw_histograms)

# %% [markdown]
# ## What the build reads
# `figures()`, `values()` (every number the page quotes, formatted as it shows them, seed set
# 0) and `claims(seed_set)` (what the page concludes, re-checked on seed set 1).


# %%
def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "training-curves": _draw_training,
        "activation-histograms": _draw_histograms,
        "batch-noise": _draw_noise,
    }


def _pct(a) -> str:
    """Accuracies over seeds as 'mean (min–max)' in percent."""
    a = 100 * np.asarray(a)
    return f"{a.mean():.0f} ({a.min():.0f}–{a.max():.0f})"


def _loss(a) -> str:
    """Losses over seeds as 'median (min–max)'."""
    a = np.asarray(a)
    return f"{np.median(a):.4f} ({a.min():.4f}–{a.max():.4f})"


def _ratio(a, digits: int = 2) -> str:
    """Values over seeds as 'mean (min–max)'."""
    a = np.asarray(a)
    return f"{a.mean():.{digits}f} ({a.min():.{digits}f}–{a.max():.{digits}f})"


def _rates(rates) -> str:
    return ", ".join(f"{r:g}" for r in rates) or "none"


def values() -> dict[str, object]:
    """Every number the page quotes, formatted as the page shows it (seed set 0)."""
    v: dict[str, object] = {}
    ex = worked_example()
    for key in ("X", "gamma", "beta", "x_new", "dY"):
        v[f"ex_{key}"] = tex_matrix(EXAMPLE[key], digits=1)
    for key in (
        "mean",
        "var",
        "var_unbiased",
        "running_mean",
        "running_var",
        "y_new",
        "y_settled",
        "dgamma",
        "dbeta",
        "dX_colsum",
        "x_hat",
        "Y",
        "dX",
        "term_direct",
        "term_mean",
        "term_var",
    ):
        v[f"ex_{key}"] = tex_matrix(ex[key])
    for j in (0, 1):  # zero but for eps: shown in scientific notation
        v[f"ex_dX_dot_xhat_{j + 1}"] = tex_sci(ex["dX_dot_xhat"][j])
    v["ex_std"] = tex_matrix(ex["std"])
    v["ex_momentum"] = fmt(EXAMPLE["momentum"], 1)
    v["ex_keep"] = fmt(1 - EXAMPLE["momentum"], 1)
    m = len(EXAMPLE["X"])
    v["ex_bessel"] = rf"\frac{{{m}}}{{{m - 1}}}"
    dev = np.array(EXAMPLE["X"])[:, 0] - ex["mean"][0]  # the first feature, by hand on the page
    v["ex_dev_1"] = ", ".join(fmt(d, 0) for d in dev)
    v["ex_sq_1"] = " + ".join(fmt(d * d, 0) for d in dev)
    v["ex_m"] = m
    v["ex_warmup"] = ex["warmup_batches"]

    v["exp_depth"] = len(SIZES) - 2
    v["exp_width"] = SIZES[1]
    v["exp_epochs"] = EPOCHS
    v["exp_batch"] = BATCH
    v["exp_seeds"] = N_SEEDS
    v["exp_works"] = fmt(100 * WORKS, 0)
    Xtr, _, Xva, _, Xte, _ = spiral_data()
    v["exp_ntrain"] = len(Xtr)
    v["exp_nval"] = len(Xva)
    v["exp_ntest"] = len(Xte)
    v["exp_steps"] = EPOCHS * math.ceil(len(Xtr) / BATCH)
    g = grid(0)
    for name, lr in zip(LR_NAMES, LRS):
        v[f"lr_{name}"] = f"{lr:g}"
        for tag, use_bn in (("plain", False), ("bn", True)):
            v[f"{name}_{tag}_loss"] = _loss(g[lr, use_bn]["loss"])
            v[f"{name}_{tag}_acc"] = _pct(g[lr, use_bn]["val_acc"])
            v[f"{name}_{tag}_dead"] = _pct(g[lr, use_bn]["dead"])
    tu = tuned(0)
    for tag, use_bn in (("plain", False), ("bn", True)):
        v[f"tuned_{tag}_test"] = _pct(tu[use_bn]["test_acc"])
        v[f"tuned_{tag}_lrs"] = ", ".join(f"{lr:g}" for lr in tu[use_bn]["lr"])
        v[f"tuned_{tag}_worst"] = fmt(100 * tu[use_bn]["test_acc"].min(), 0)
    worst = int(np.argmin(tu[False]["test_acc"]))
    v["tuned_plain_worst_seed"] = seeds(N_SEEDS)[worst]
    v["tuned_plain_worst_bn"] = fmt(100 * tu[True]["test_acc"][worst], 0)
    v["tuned_diff"] = evidence.spread(
        evidence.paired(tu[True]["test_acc"], tu[False]["test_acc"]), 100
    )
    v["tuned_bn_edge"] = sum(lr in (LRS[0], LRS[-1]) for lr in tu[True]["lr"])
    v["tuned_plain_edge"] = sum(lr in (LRS[0], LRS[-1]) for lr in tu[False]["lr"])
    v["control_acc"] = _pct(control(0))
    v["mid_plain_lower"] = int(np.sum(g[MID, False]["loss"] < g[MID, True]["loss"]))
    v["mid_plain_worst"] = fmt(100 * g[MID, False]["val_acc"].min(), 0)
    v["control_gain"] = evidence.spread(
        evidence.paired(control(0), g[LRS[0], False]["val_acc"]), 100
    )
    v["input_scale"] = _ratio(1 / Xtr.std(axis=0), 1)  # per coordinate
    v["high_plain_dead_early"] = _pct(
        [result(LRS[2], False, s)["dead"][SNAP_EPOCHS[1]] for s in seeds(N_SEEDS)]
    )
    v["snap_early"] = SNAP_EPOCHS[1]
    v["snap_early_steps"] = SNAP_EPOCHS[1] * math.ceil(len(Xtr) / BATCH)
    w = working_rates(0)
    v["works_bn"], v["works_plain"] = _rates(w[True]), _rates(w[False])
    dr = drift(0)
    v["drift_plain_start"] = _ratio(dr[False]["start"])
    v["drift_plain_end"] = _ratio(dr[False]["end"])
    v["drift_bn_end"] = _ratio(dr[True]["end"])
    v["drift_plain_ratio"] = _ratio(dr[False]["end"] / dr[False]["start"])
    v["drift_bn_pre_ratio"] = _ratio(dr[True]["pre_end"] / dr[True]["pre_start"])
    v["snap_mid"] = SNAP_EPOCHS[2]
    first = seeds(1)[0]
    v["high_plain_dead_seed0"] = fmt(100 * result(LRS[2], False, first)["dead"][EPOCHS], 0)
    v["high_plain_dead_mid_seed0"] = fmt(
        100 * result(LRS[2], False, first)["dead"][SNAP_EPOCHS[2]], 0
    )
    growth = np.array(
        [
            (lambda n: n[-1] / n[0])(result(LRS[2], True, s)["weight_norms"][:, WATCH])
            for s in seeds(N_SEEDS)
        ]
    )
    v["high_bn_wnorm_growth"] = _ratio(growth)
    v["high_bn_eff_lr"] = _ratio(1 / growth**2)  # eta / ||W||^2, relative to its start
    bias = max(
        np.abs(b).max() for s in seeds(N_SEEDS) for _, b in result(MID, True, s)["params"][:-1]
    )
    v["bn_bias_max"] = tex_sci(bias, 0)

    mm = mismatch_runs(0)
    v["mm_eval"] = _pct(mm["eval"])
    for m in MISMATCH_SIZES:
        v[f"mm_{m}"] = _pct(mm[m])
    v["mm_sorted"] = _pct(mm["sorted"])
    v["mm_random_like_sorted"] = _pct(mm["random_like_sorted"])
    v["mm_orders"] = MISMATCH_ORDERS
    yva = spiral_data()[3]
    sizes = [len(b) for b in sorted_batches(yva, np.random.default_rng(0))]
    v["mm_sorted_count"] = len(sizes)
    v["mm_sorted_sizes"] = f"{min(sizes)}–{max(sizes)}"
    v["mm_class_counts"] = " and ".join(str(int(np.sum(yva == c))) for c in np.unique(yva))

    nz = noise_runs(first)
    for i, m in enumerate(NOISE_SIZES):
        v[f"noise_mean_{m}"] = fmt(nz["mean_sd"][i], 2)
        v[f"noise_xhat_{m}"] = fmt(nz["xhat_sd"][i], 2)
    v["noise_draws"] = NOISE_DRAWS
    v["noise_layer"] = NOISE_LAYER + 1

    sc = scale_invariance()
    v["scale_factor"] = f"{sc['factor']:g}"
    v["scale_layer"] = sc["layer"] + 1
    v["scale_output_diff"] = tex_sci(sc["output_diff"], 0)
    v["scale_grad_ratio"] = fmt(sc["grad_ratio"], 2)
    v["scale_max_cos"] = tex_sci(sc["max_cos"], 0)

    v["fold_diff"] = tex_sci(fold_check(0), 0)
    v["cnn_values"] = f"{values_per_statistic((32, 64, 56, 56)):,}"
    v["cnn_one_image"] = f"{values_per_statistic((1, 64, 56, 56)):,}"
    v["mlp_values"] = values_per_statistic((32, 64))
    return v


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """What the page concludes from its experiments: name → (holds, evidence), on the seeds of
    `seed_set`. Accuracies in the evidence are validation accuracies in percent unless said,
    as 'mean (min–max)' over the seeds. Paired differences d are taken per seed (the compared
    runs share data, initial weights and batch order) and read by `snippets.evidence`."""
    n = N_SEEDS
    ss = seeds(n, seed_set)
    g = grid(seed_set)
    low, mid, high = LRS
    out: dict[str, tuple[bool, str]] = {}

    w = working_rates(seed_set)
    medians = {k: 100 * np.median(g[k]["val_acc"]) for k in g}
    closest = min(abs(x - 100 * WORKS) for x in medians.values())
    out["bn_works_at_more_grid_rates"] = (
        w[True] == [low, mid] and w[False] == [mid],
        f"rates where the median validation accuracy over {n} seeds is >= {100 * WORKS:.0f} "
        f"percent: with BN {_rates(w[True])}; without {_rates(w[False])}; medians "
        + "; ".join(
            f"rate {lr:g}: BN {medians[lr, True]:.0f}, plain {medians[lr, False]:.0f}" for lr in LRS
        )
        + f"; closest median {closest:.0f} points from the bar",
    )

    a, b = g[low, True], g[low, False]
    gap_acc = a["val_acc"].min() - b["val_acc"].max()
    gap_loss = b["loss"].min() - a["loss"].max()
    out["plain_stalls_low_lr"] = (
        bool(gap_acc > 0 and gap_loss > 0),
        f"rate {low:g}, {n} of {n} seeds: worst BN accuracy minus best plain accuracy "
        f"{100 * gap_acc:.0f} points; lowest plain training loss {b['loss'].min():.4f} above "
        f"highest BN loss {a['loss'].max():.4f}; BN minus plain accuracy, "
        f"{evidence.describe(evidence.paired(a['val_acc'], b['val_acc']), 100)}",
    )

    c = control(seed_set)
    gain = evidence.paired(c, b["val_acc"])
    same, same_text = evidence.no_difference(
        {"standardized": c, "plain": b["val_acc"]}, f"rate {low:g}, plain network", 100
    )
    out["standardized_inputs_do_not_rescue"] = (
        bool(c.max() < a["val_acc"].min() and evidence.direction(gain) != 1 and same),
        f"{same_text} (standardized inputs against raw ones; |mean| <= std: no gain these seeds "
        f"can resolve); per seed {evidence.describe(gain, 100)}; standardized {_pct(c)}, BN "
        f"{_pct(a['val_acc'])}: best control seed {100 * (a['val_acc'].min() - c.max()):.0f} "
        f"points below the worst BN seed",
    )

    a, b = g[high, True], g[high, False]
    out["plain_dies_high_lr"] = (
        bool(b["dead"].min() >= 0.5 and a["dead"].max() <= 0.05),
        f"rate {high:g}, share of dead ReLUs in the last hidden layer after training: plain "
        f"{_pct(b['dead'])} percent, BN {_pct(a['dead'])} percent ({n} seeds)",
    )
    d = evidence.paired(a["val_acc"], b["val_acc"])
    out["bn_beats_plain_high_lr"] = (
        bool(a["val_acc"].min() > b["val_acc"].max() and evidence.direction(d) == 1),
        f"rate {high:g}: BN {_pct(a['val_acc'])}, plain {_pct(b['val_acc'])}; worst BN "
        f"seed {100 * (a['val_acc'].min() - b['val_acc'].max()):.0f} points above the best "
        f"plain; BN minus plain, {evidence.describe(d, 100)}",
    )

    tu = tuned(seed_set)
    ta, tb = tu[True]["test_acc"], tu[False]["test_acc"]
    d = 100 * evidence.paired(ta, tb)
    worst = int(np.argmin(tb))
    same, same_text = evidence.no_difference(
        {"BN": ta, "plain": tb}, "test accuracy at each network's validation-tuned rate", 100
    )
    out["tuned_no_meaningful_difference"] = (
        same,
        f"{same_text} ({n} seeds, 100 test points; rates BN {_rates(tu[True]['lr'])}, plain "
        f"{_rates(tu[False]['lr'])}); BN minus plain, {evidence.describe(d)}; |mean| <= std, so "
        f"no difference these seeds can resolve; plain's worst seed is seed {ss[worst]}: plain "
        f"{100 * tb[worst]:.0f}, BN {100 * ta[worst]:.0f}",
    )
    close = int(np.sum(np.abs(d) <= 3))
    out["tuned_most_seeds_within_3_points"] = (
        close >= n - 1,
        f"test accuracies of BN and plain at their tuned rates within 3 points (3 test samples) "
        f"in {close} of {n} seeds; per-seed differences {', '.join(f'{x:+.0f}' for x in d)}",
    )
    out["tuned_bn_no_failed_seed"] = (
        bool(ta.min() >= WORKS),
        f"BN test accuracy at its tuned rate {_pct(ta)}, every seed at least "
        f"{100 * WORKS:.0f}; plain {_pct(tb)}",
    )

    dr = drift(seed_set)
    rp = dr[False]["end"] / dr[False]["start"]
    rb = dr[True]["end"] / dr[True]["start"]
    rw = dr[True]["pre_end"] / dr[True]["pre_start"]
    out["scale_drifts_without_bn"] = (
        bool(rp.min() > 1.2),
        f"rate {mid:g}, std of the last hidden layer's W x + b, end over start of training: "
        f"plain {_ratio(rp, 3)} ({n} seeds, threshold 1.2); for comparison, with BN the "
        f"same W x + b {_ratio(rw, 3)} and the normalized output reaching the ReLU "
        f"{_ratio(rb, 3)}",
    )
    out["bn_input_still_drifts"] = (
        evidence.direction(rw - 1) == 1,
        f"rate {mid:g}, BN network, std of the last hidden layer's W x + b (what its batch norm "
        f"receives), end over start, minus 1: {evidence.describe(rw - 1, digits=3)}",
    )

    grows = [
        bool(np.all(np.diff(result(lr, True, s)["weight_norms"], axis=0) > 0))
        for lr in LRS
        for s in ss
    ]
    out["bn_weight_norms_grow"] = (
        all(grows),
        f"every hidden layer's weight norm grew at every epoch in {sum(grows)} of {len(grows)} "
        f"BN runs ({len(LRS)} rates x {n} seeds)",
    )

    mm = mismatch_runs(seed_set)
    steps = list(zip(MISMATCH_SIZES[:-2], MISMATCH_SIZES[1:-1]))  # 100 → 32 → 8 → 4
    drops = [evidence.paired(mm[big], mm[small]) for big, small in steps]
    drop4 = mm["eval"] - mm[4]
    out["train_mode_small_batches_hurt"] = (
        bool(all(evidence.direction(x) == 1 for x in drops) and drop4.min() > 0.3),
        "training mode, accuracy lost at each step down in batch size: "
        + "; ".join(
            f"{big} to {small}: {evidence.describe(x, 100)}"
            for (big, small), x in zip(steps, drops)
        )
        + f"; inference mode minus batches of 4: {_pct(drop4)} points, threshold 30",
    )
    out["batches_of_two_near_chance"] = (
        bool(abs(mm[2].mean() - 0.5) < 0.05),
        f"training mode, batches of 2: {_pct(mm[2])} percent; chance is 50 percent, "
        f"threshold 5 points",
    )
    d = evidence.paired(mm["random_like_sorted"], mm["sorted"])
    out["class_sorted_batches_hurt"] = (
        evidence.direction(d) == 1,
        f"training mode, one-class batches ({SORTED_CHUNKS} per class): "
        f"{_pct(mm['sorted'])}; random batches of the same sizes: "
        f"{_pct(mm['random_like_sorted'])}; random minus sorted, {evidence.describe(d, 100)}",
    )

    nz = [noise_runs(s) for s in ss]
    dev = max(float(np.max(np.abs(r["mean_sd"] / r["mean_sd_theory"] - 1))) for r in nz)
    out["batch_mean_follows_theory"] = (
        dev < 0.1,
        f"largest relative gap between the measured spread of batch means and the sampling "
        f"formula: {100 * dev:.1f} percent, threshold 10 (batch sizes {NOISE_SIZES[0]}-"
        f"{NOISE_SIZES[-1]}, {n} trained networks, {NOISE_DRAWS} batches each)",
    )
    slopes = np.array([[_slope(NOISE_SIZES, r[k]) for k in ("std_sd", "xhat_sd")] for r in nz])
    out["batch_noise_falls_like_root_m"] = (
        bool(np.all((slopes > -0.7) & (slopes < -0.4))),
        f"log-log slope against batch size (1/sqrt(m) is -0.5, accepted -0.7 to -0.4): batch std "
        f"{_ratio(slopes[:, 0], 3)}, one sample's normalized value {_ratio(slopes[:, 1], 3)} "
        f"({n} networks)",
    )
    return out


# %%
for name, (holds, _evidence) in claims(0).items():
    print(f"{'holds' if holds else 'FAILS'}  {name}")
