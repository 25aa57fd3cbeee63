"""The experiment DL0005 and DL0006 share: pre-trained backbones and tuned fine-tuning runs.

One generated world (`snippets.synthetic_tasks`): the source task has 16 classes and 2,400
examples; the target task has 5 *other* classes and only a few examples per class. A network
pre-trained on the source is reused on the target with a fresh head, under the freezing
strategies of `snippets.transfer`; turning the source's mixer away from the target's opens a
domain gap.

The protocol: every seed has its own pre-training run, target training set and a validation
split carved off it; every method picks its learning rates on that validation split from the
same grid (`rate_grid`, `tuned`), and only the picked network is evaluated on the test set.
The grid of methods × angles × target sizes is the expensive part; both page modules read it
from here, and `memo` computes each cell once (then loads it from disk).
"""

from __future__ import annotations

import itertools

import numpy as np

from snippets import backprop as bp
from snippets import checks, losses
from snippets import mlp_stack as ms
from snippets import transfer as tf
from snippets.memo import memo
from snippets.seeds import seeds
from snippets.synthetic_tasks import N_INPUTS
from snippets.transfer_world import (  # noqa: F401 - public path: the world is the experiment's
    SOURCE_CLASSES,
    SOURCE_PER_CLASS,
    TARGET_CLASSES,
    TEST_PER_CLASS,
    VAL_PER_CLASS,
    WORLD_SEED,
    World,
    _angle,
    source_data,
    target_data,
    world,
)

# --- the network and its training ------------------------------------------------------------
SIZES = (N_INPUTS, 32, 16)  # the backbone; a head of K outputs goes on top
PRETRAIN_EPOCHS = 15
PRETRAIN_LR = 0.5
PRETRAIN_BATCH = 32
EPOCHS = 60  # target training, full batch, for every method (gradual: 3 stages of 20)
XAVIER_HEAD_SCALE = float(np.sqrt(2 / (SIZES[-1] + TARGET_CLASSES)))  # Glorot's, for a pitfall

# --- tuning: every method picks its rates on a validation split, per seed ---------------------
HEAD_LRS = (0.25, 0.5, 1.0)  # the new head's learning rate
BACKBONE_RATIOS = (0.1, 1.0, 10.0, 30.0, 100.0)  # backbone learning rate ÷ head learning rate
LOW_RATIO = 0.1  # the control "all_low": fine-tune all with the backbone held at 0.1x the head
SCRATCH_LRS = (1.0, 2.0, 4.0, 8.0, 16.0)  # from scratch: one rate for every layer

# --- the grid --------------------------------------------------------------------------------
N_SEEDS = 5  # each seed: its own pre-training run, target data, head and scratch init
SIZES_PER_CLASS = (1, 3, 10, 30, 100)
SMALL, LARGE = 10, 30  # examples per class in the strategy grid; SMALL also for the curves
ANGLES = (0, 15, 90)  # degrees between the source's and the target's mixer
STRATEGIES = tf.STRATEGIES
# controls: "all_low" fine-tunes all with the backbone at LOW_RATIO x the head's rate (the
# usual advice), "xavier" trains only a head started at Glorot's scale; "random_head" and
# "random_low" are "head" and "all_low" on a backbone that was never pre-trained (He init)
METHODS = ("scratch", *STRATEGIES, "all_low", "xavier", "random_head", "random_low")
SIZE_METHODS = ("scratch", "head", "all")
ANGLE_FREE = ("scratch", "random_head", "random_low")  # no pre-trained backbone: no angle
LR_CASES = ((0, SMALL), (0, LARGE), (15, LARGE), (90, LARGE))  # (angle, examples per class)


def pretrained(angle_deg: int = 0, seed_set: int = 0) -> dict:
    """One source network per seed (backbone + 16-class head), trained by mini-batch SGD.

    The seeds share the source data of the angle; each has its own initial weights and its own
    shuffling, so a conclusion cannot rest on one lucky pre-training run. The networks train
    side by side (`mlp_stack`, one mini-batch of `PRETRAIN_BATCH` per step).
    """
    angle_deg = _angle(angle_deg)
    seeds(N_SEEDS, seed_set)  # validates seed_set
    if angle_deg in ANGLES:  # the grid's angles train side by side, once
        return _pretrained(ANGLES, seed_set)[ANGLES.index(angle_deg)]
    return _pretrained((angle_deg,), seed_set)[0]


@memo
def _pretrained(angles: tuple[int, ...], seed_set: int) -> list[dict]:
    """`pretrained` for every angle of `angles`, all in one stack: a network's arithmetic does
    not depend on its batchmates, so each is the same as if it trained alone."""
    S = seeds(N_SEEDS, seed_set)
    data = [source_data(a) for a in angles]
    X = np.stack([X for X, _ in data for _ in S])  # (angles x seeds, N, D)
    T = np.stack([losses.one_hot(y, SOURCE_CLASSES) for _, y in data for _ in S])
    rngs = [np.random.default_rng([WORLD_SEED, 4, int(a), s]) for a in angles for s in S]
    params = ms.stack([bp.init_params([*SIZES, SOURCE_CLASSES], r, "he") for r in rngs])
    lrs = np.full((len(rngs), len(SIZES)), PRETRAIN_LR)
    params = ms.minibatch_sgd_stack(params, X, T, lrs, PRETRAIN_EPOCHS, PRETRAIN_BATCH, rngs)
    out = []
    for i, a in enumerate(angles):
        own = [
            (W[i * len(S) : (i + 1) * len(S)], b[i * len(S) : (i + 1) * len(S)]) for W, b in params
        ]
        (X_train, y), (X_val, y_val) = data[i], source_data(a, 30, part=1)
        out.append(
            {
                "params": own,
                "train_acc": ms.stack_accuracy(
                    own, np.broadcast_to(X_train, (len(S), *X_train.shape)), y
                ),
                "val_acc": ms.stack_accuracy(
                    own, np.broadcast_to(X_val, (len(S), *X_val.shape)), y_val
                ),
            }
        )
    return out


def rate_grid(method: str) -> tuple[tuple[float, float], ...]:
    """The (head rate, backbone rate ÷ head rate) pairs a method is tuned over.

    From scratch every layer shares one rate; training only the head has no backbone rate;
    every other strategy tunes both rates over the same grid; the control "all_low" tunes only
    the head's rate, its backbone held at `LOW_RATIO` times it.
    """
    method = checks.choice("method", method, METHODS)
    if method == "scratch":
        return tuple((lr, 1.0) for lr in SCRATCH_LRS)
    if method in ("head", "xavier", "random_head"):
        return tuple((lr, 0.0) for lr in HEAD_LRS)
    if method in ("all_low", "random_low"):
        return tuple((lr, LOW_RATIO) for lr in HEAD_LRS)
    return tuple(itertools.product(HEAD_LRS, BACKBONE_RATIOS))


def tuned(
    method: str, angle_deg: int, n_per_class: int, seed_set: int = 0, curves: bool = False
) -> dict:
    """Train `method` at every point of its rate grid for every seed, pick each seed's rates on
    its validation split, and only then evaluate the picked network on the test set, once.

    Returns per seed (arrays of length `N_SEEDS`): `test` and `train` accuracy, `val` accuracy
    and the picked `rates` (head rate, ratio); per seed and grid point: `val_grid` and
    `drift_grid`; for the picked runs: `losses` (S, 1 + EPOCHS) and `drift` (S, 2), how far each
    pre-trained layer moved (relative Frobenius norm); with `curves`, also `val_curve`
    (S, 1 + EPOCHS), the picked runs' validation accuracy epoch by epoch.
    """
    method = checks.choice("method", method, METHODS)
    angle_deg = _angle(angle_deg)
    n_per_class = checks.positive_int("n_per_class", n_per_class)
    seeds(N_SEEDS, seed_set)  # validates seed_set
    if not isinstance(curves, bool):
        raise TypeError(f"curves: expected True or False, got {checks.describe(curves)}")
    if method in ANGLE_FREE:  # never sees the source: the same runs at every angle
        angle_deg = 0
    out = _tuned(method, angle_deg, n_per_class, seed_set)
    if curves:
        out = {**out, "val_curve": _val_curve(method, angle_deg, n_per_class, seed_set)}
    return out


def _start(method: str, angle_deg: int, seed_set: int):
    """Each seed's network before target training, and the stages its method trains in."""
    inits = [np.random.default_rng([WORLD_SEED, 3, s]) for s in seeds(N_SEEDS, seed_set)]
    if method == "scratch":
        nets = [bp.init_params([*SIZES, TARGET_CLASSES], r, "he") for r in inits]
        return nets, (tf.Stage(EPOCHS, frozenset()),)
    if method.startswith("random"):  # the control: a backbone never pre-trained
        S = seeds(N_SEEDS, seed_set)
        rand = [np.random.default_rng([WORLD_SEED, 7, s]) for s in S]
        backbones = ms.stack([bp.init_params([*SIZES, SOURCE_CLASSES], r, "he") for r in rand])
    else:
        backbones = pretrained(angle_deg, seed_set)["params"]
    scale = XAVIER_HEAD_SCALE if method == "xavier" else tf.HEAD_SCALE
    nets = [
        tf.with_new_head(ms.unstack(backbones, i), TARGET_CLASSES, r, scale)
        for i, r in enumerate(inits)
    ]
    kind = {"all_low": "all", "xavier": "head", "random_head": "head", "random_low": "all"}
    return nets, tf.strategy_stages(kind.get(method, method), len(SIZES), EPOCHS)


def _setup(method: str, angle_deg: int, n_per_class: int, seed_set: int):
    """Every (seed, grid point) run of a cell, stacked: seed-major configs, the starting
    networks, the data (training inputs, one-hot targets, labels; validation inputs, labels),
    the method's stages and each run's per-layer rates."""
    S = seeds(N_SEEDS, seed_set)
    configs = [(i, g) for i in range(len(S)) for g in rate_grid(method)]
    data = [target_data(n_per_class, s) for s in S]
    nets, stages = _start(method, angle_deg, seed_set)
    idx = [i for i, _ in configs]
    start = ms.stack([nets[i] for i in idx])
    X, y, Xv, yv = (np.stack([data[i][k] for i in idx]) for k in range(4))
    lrs = np.array([tf.layer_lrs(lr, len(SIZES), ratio) for _, (lr, ratio) in configs])
    T = losses.one_hot(y.ravel(), TARGET_CLASSES).reshape(*y.shape, TARGET_CLASSES)
    return configs, start, (X, T, y, Xv, yv), stages, lrs


@memo
def _tuned(method: str, angle_deg: int, n_per_class: int, seed_set: int) -> dict:
    S = seeds(N_SEEDS, seed_set)
    configs, start, (X, T, y, Xv, yv), stages, lrs = _setup(
        method, angle_deg, n_per_class, seed_set
    )
    trained, train_losses = ms.fine_tune_stack(start, X, T, stages, lrs)
    Av = ms.stack_forward(trained, Xv)[0]
    Tv = losses.one_hot(yv.ravel(), TARGET_CLASSES).reshape(Av.shape)
    val_loss = 0.5 * np.sum((Tv - Av) ** 2, axis=(1, 2)) / Av.shape[1]
    val_acc = np.mean(Av.argmax(axis=2) == yv, axis=1)
    G = len(configs) // len(S)
    val_acc = val_acc.reshape(len(S), G)
    # best validation accuracy; ties go to the lower validation loss
    pick = (
        np.lexsort((val_loss.reshape(len(S), G), -val_acc), axis=1)[:, 0]
        if G > 1
        else np.zeros(len(S), int)
    )
    chosen = np.arange(len(S)) * G + pick
    w = world()
    test = np.array(
        [losses.accuracy(tf.predict(ms.unstack(trained, c), w.X_test), w.y_test) for c in chosen]
    )
    drift = np.stack(  # (configs, backbone layers): relative change of each layer's weights
        [
            np.linalg.norm(trained[l][0] - start[l][0], axis=(1, 2))
            / np.linalg.norm(start[l][0], axis=(1, 2))
            for l in range(len(SIZES) - 1)
        ],
        axis=1,
    )
    return {
        "test": test,
        "train": ms.stack_accuracy(
            [(W[chosen], b[chosen]) for W, b in trained], X[chosen], y[chosen]
        ),
        "val": val_acc[np.arange(len(S)), pick],
        "rates": np.array([configs[c][1] for c in chosen]),
        "val_grid": val_acc,
        "drift_grid": drift.reshape(len(S), G, -1),
        "losses": train_losses[chosen],
        "drift": drift[chosen],
    }


@memo
def _val_curve(method: str, angle_deg: int, n_per_class: int, seed_set: int) -> np.ndarray:
    """The picked runs of `_tuned` again, their validation accuracy watched every epoch
    (S, 1 + EPOCHS): a network's arithmetic does not depend on its batchmates, so these are the
    same runs, bit for bit (the last column is `_tuned`'s `val`)."""
    grid, rates = rate_grid(method), _tuned(method, angle_deg, n_per_class, seed_set)["rates"]
    chosen = [i * len(grid) + grid.index(tuple(r)) for i, r in enumerate(rates)]
    _, start, (X, T, _, Xv, yv), stages, lrs = _setup(method, angle_deg, n_per_class, seed_set)
    sub = [(W[chosen], b[chosen]) for W, b in start]
    _, _, A_val = ms.fine_tune_stack_val(sub, X[chosen], T[chosen], Xv[chosen], stages, lrs[chosen])
    return np.mean(A_val.argmax(axis=3) == yv[chosen][:, None, :], axis=2)


def accuracies(method: str, angle_deg: int, n_per_class: int, seed_set: int = 0) -> np.ndarray:
    """Test accuracy (%) of every seed, each at the rates its validation split picked."""
    return 100 * tuned(method, angle_deg, n_per_class, seed_set)["test"]


@memo
def backbone_rate_sweep(seed_set: int = 0) -> dict[tuple[int, int], dict[str, np.ndarray]]:
    """Fine-tune all at each backbone ratio of `BACKBONE_RATIOS` (ratio 0: the head only),
    the head's rate picked per seed and ratio on validation: validation accuracy (%) and the
    first layer's relative change (%), shape (1 + len(BACKBONE_RATIOS), N_SEEDS)."""
    out = {}
    H, R = len(HEAD_LRS), len(BACKBONE_RATIOS)
    for a, n in LR_CASES:
        head, full = tuned("head", a, n, seed_set), tuned("all", a, n, seed_set)
        val = full["val_grid"].reshape(N_SEEDS, H, R)
        drift = full["drift_grid"][:, :, 0].reshape(N_SEEDS, H, R)
        best = val.argmax(axis=1)  # per seed and ratio: the head rate validation prefers
        picked = np.take_along_axis(drift, best[:, None, :], axis=1)[:, 0, :]
        out[(a, n)] = {
            "val": 100 * np.vstack([head["val"], val.max(axis=1).T]),
            "drift": 100 * np.vstack([np.zeros(N_SEEDS), picked.T]),
        }
    return out


def parameter_counts() -> dict[str, list[int]]:
    """Trainable parameters of the target network (5-class head) under each strategy, one
    count per stage (gradual unfreezing has several), and "total"."""
    net = tf.with_new_head(ms.unstack(pretrained(0)["params"], 0), TARGET_CLASSES, 0)
    out = {"total": [tf.trainable_parameters(net)]}
    for m in STRATEGIES:
        stages = tf.strategy_stages(m, len(SIZES), EPOCHS)
        out[m] = [tf.trainable_parameters(net, st.frozen) for st in stages]
    return out
