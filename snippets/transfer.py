"""Transfer learning and layer freezing in numpy, with the experiments of DL0005 and DL0006.

A generated world with shared structure: every input is 32 numbers made by one fixed random
nonlinear map (the "mixer") from 4 class-relevant factors and 8 nuisance factors, plus noise.
The source task has 16 classes and 2,400 examples; the target task has 5 *other* classes (new
prototypes in the same factor space) and only a few examples per class. A network pre-trained on
the source is reused on the target with a fresh head, under the freezing strategies of DL0006;
moving the source's mixer away from the target's gives a domain gap.

Every network is `snippets.backprop`'s: ReLU hidden layers, a sigmoid output, one-hot targets
and the mean squared error; `backprop.train` does the updates, with `frozen=` layers and
per-layer learning rates (`fine_tune`). The experiments train many such networks side by side
with `_fine_tune_stack`, the same arithmetic vectorized over a leading axis (tested equal).

The protocol: every seed has its own pre-training run, target training set and a validation
split carved off it; every method picks its learning rates on that validation split from the
same grid (`rate_grid`, `tuned`), and only the picked network is evaluated on the test set.
`claims(seed_set)` states what the pages conclude, each with its evidence.
"""

from __future__ import annotations

import functools
import itertools
import numbers
from dataclasses import dataclass

import numpy as np

from snippets import backprop as bp
from snippets import checks
from snippets.batchnorm import BatchNorm
from snippets.formatting import fmt
from snippets.plotting import Theme, new_figure
from snippets.seeds import seeds

Params = list[tuple[np.ndarray, np.ndarray]]

# --- the world -----------------------------------------------------------------------------
N_SIGNAL = 4  # latent factors the labels depend on
N_NUISANCE = 8  # latent factors no label depends on
N_INPUTS = 32
MIX_WIDTH = 32
MIX_GAIN = 1.5
CLASS_NOISE = 0.15  # spread of a class around its prototype, per signal factor
NUISANCE = 1.0  # spread of every nuisance factor
INPUT_NOISE = 0.2
SOURCE_CLASSES = 16
SOURCE_PER_CLASS = 150
TARGET_CLASSES = 5
TEST_PER_CLASS = 100
WORLD_SEED = 2024

# --- the network and its training ------------------------------------------------------------
SIZES = (N_INPUTS, 32, 16)  # the backbone; a head of K outputs goes on top
ACTIVATION = "relu"
PRETRAIN_EPOCHS = 15
PRETRAIN_LR = 0.5
PRETRAIN_BATCH = 32
EPOCHS = 60  # target training, full batch, for every method (gradual: 3 stages of 20)
HEAD_SCALE = 0.01  # standard deviation of the new head's initial weights
XAVIER_HEAD_SCALE = float(np.sqrt(2 / (SIZES[-1] + TARGET_CLASSES)))  # Glorot's, for a pitfall

# --- tuning: every method picks its rates on a validation split, per seed ---------------------
VAL_PER_CLASS = 10  # carved off each seed's labelled target data, never trained on
HEAD_LRS = (0.25, 0.5, 1.0)  # the new head's learning rate
BACKBONE_RATIOS = (0.1, 1.0, 10.0, 30.0, 100.0)  # backbone learning rate ÷ head learning rate
LOW_RATIO = 0.1  # the control "all_low": fine-tune all with the backbone held at 0.1x the head
HEAD_TOLERANCE = 5.0  # points: "head only is close" means the 95 % bound of its gap is below this
SCRATCH_LRS = (1.0, 2.0, 4.0, 8.0, 16.0)  # from scratch: one rate for every layer

# --- the experiments -------------------------------------------------------------------------
N_SEEDS = 5  # each seed: its own pre-training run, target data, head and scratch init
SIZES_PER_CLASS = (1, 3, 10, 30, 100)
SMALL, LARGE = 10, 30  # examples per class in the strategy grid; SMALL also for the curves
ANGLES = (0, 15, 90)  # degrees between the source's and the target's mixer
STRATEGIES = ("head", "early", "all", "gradual")
# controls: "all_low" fine-tunes all with the backbone at LOW_RATIO x the head's rate (the
# usual advice), "xavier" trains only a head started at Glorot's scale; "random_head" and
# "random_low" are "head" and "all_low" on a backbone that was never pre-trained (He init)
METHODS = ("scratch", *STRATEGIES, "all_low", "xavier", "random_head", "random_low")
BN_MOMENTUM = 0.1
BN_BATCH = 10
BN_STEPS = 40


# ---------------------------------------------------------------------------------------------
# The data: one mixer, prototypes per class, samples.


@dataclass(frozen=True)
class Mixer:
    """The fixed map from latent factors to inputs: `x = tanh(f @ W1 + c) @ W2` (plus noise).

    `W1` has shape (n_factors, width), `c` (width,), `W2` (width, n_inputs); the first
    `n_factors - n_nuisance` factors carry the class, the rest are nuisance.
    """

    W1: np.ndarray
    c: np.ndarray
    W2: np.ndarray


def random_mixer(
    rng,
    n_factors: int = N_SIGNAL + N_NUISANCE,
    n_inputs: int = N_INPUTS,
    width: int = MIX_WIDTH,
    gain: float = MIX_GAIN,
) -> Mixer:
    """A random mixer: Gaussian weights scaled so that every layer keeps unit-size signals."""
    rng = checks.generator("rng", rng)
    n_factors = checks.positive_int("n_factors", n_factors)
    n_inputs = checks.positive_int("n_inputs", n_inputs)
    width = checks.positive_int("width", width)
    gain = checks.positive_float("gain", gain)
    W1 = rng.normal(0.0, gain / np.sqrt(n_factors), size=(n_factors, width))
    c = rng.normal(0.0, 0.5, size=width)
    W2 = rng.normal(0.0, 1.0 / np.sqrt(width), size=(width, n_inputs))
    return Mixer(W1, c, W2)


def blend_mixers(a: Mixer, b: Mixer, angle_deg: float) -> Mixer:
    """`cos θ · a + sin θ · b`, entry by entry: θ = 0 gives `a`, θ = 90 gives the unrelated `b`.

    Two independent random mixers blended this way keep the weights' scale at every angle, so
    θ measures only how far the source's input distribution has moved from the target's.
    """
    for name, m in (("a", a), ("b", b)):
        if not isinstance(m, Mixer):
            raise TypeError(f"{name}: expected a Mixer, got {type(m).__name__}")
    if a.W1.shape != b.W1.shape or a.W2.shape != b.W2.shape:
        raise ValueError(
            f"b: expected the shapes of a ({a.W1.shape}, {a.W2.shape}), "
            f"got ({b.W1.shape}, {b.W2.shape})"
        )
    if isinstance(angle_deg, bool) or not isinstance(angle_deg, numbers.Real):
        raise TypeError(f"angle_deg: expected a number in [0, 90], got {angle_deg!r}")
    if not 0 <= angle_deg <= 90:
        raise ValueError(f"angle_deg: expected a number in [0, 90], got {angle_deg}")
    t = np.deg2rad(float(angle_deg))
    return Mixer(*(np.cos(t) * u + np.sin(t) * v for u, v in zip(_arrays(a), _arrays(b))))


def _arrays(m: Mixer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return m.W1, m.c, m.W2


# --8<-- [start:sample]
def sample(
    mixer: Mixer,
    prototypes,
    n_per_class: int,
    rng,
    class_noise: float = CLASS_NOISE,
    nuisance: float = NUISANCE,
    input_noise: float = INPUT_NOISE,
):
    """Draw `n_per_class` examples of every class, shuffled.

    Parameters
    ----------
    mixer : Mixer with `W1` of shape (n_signal + n_nuisance, width)
    prototypes : array of shape (K, n_signal), one point per class in the signal factors
    n_per_class : int >= 1
    rng : np.random.Generator or int seed
    class_noise, nuisance, input_noise : float >= 0, standard deviations

    Returns
    -------
    X : array of shape (K * n_per_class, n_inputs)
    y : int array of shape (K * n_per_class,), labels 0..K-1
    """
    prototypes, n_per_class, rng, (class_noise, nuisance, input_noise) = _check_sample(
        mixer, prototypes, n_per_class, rng, class_noise, nuisance, input_noise
    )
    K, n_signal = prototypes.shape
    y = np.repeat(np.arange(K), n_per_class)
    signal = prototypes[y] + class_noise * rng.standard_normal((y.size, n_signal))
    other = nuisance * rng.standard_normal((y.size, mixer.W1.shape[0] - n_signal))
    hidden = np.tanh(np.hstack([signal, other]) @ mixer.W1 + mixer.c)
    X = hidden @ mixer.W2 + input_noise * rng.standard_normal((y.size, mixer.W2.shape[1]))
    order = rng.permutation(y.size)
    return X[order], y[order]


# --8<-- [end:sample]


def _check_sample(mixer, prototypes, n_per_class, rng, *noise):
    if not isinstance(mixer, Mixer):
        raise TypeError(f"mixer: expected a Mixer, got {type(mixer).__name__}")
    prototypes = checks.as_float_array("prototypes", prototypes, ndim=2, min_rows=1)
    n_factors = mixer.W1.shape[0]
    if not 1 <= prototypes.shape[1] <= n_factors:
        raise ValueError(
            f"prototypes: expected shape (K, n_signal) with n_signal in 1..{n_factors} "
            f"(the mixer's factors), got {prototypes.shape}"
        )
    n_per_class = checks.positive_int("n_per_class", n_per_class)
    rng = checks.generator("rng", rng)
    names = ("class_noise", "nuisance", "input_noise")
    return prototypes, n_per_class, rng, tuple(_non_negative(n, v) for n, v in zip(names, noise))


def _non_negative(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a number >= 0, got {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    return float(value)


# ---------------------------------------------------------------------------------------------
# Reusing a network: a new head, which layers train and how fast.


# --8<-- [start:head]
def with_new_head(params, n_classes: int, rng, scale: float = HEAD_SCALE) -> Params:
    """The pre-trained layers (copied) below a fresh output layer of `n_classes` units.

    The source's head maps features to the source's classes; the target has other classes,
    so its head starts from random weights W ~ N(0, scale²) and zero biases. A small `scale`
    keeps the sigmoid outputs near 0.5 at the start, where the squared error's gradient is
    largest, whatever the size of the pre-trained features.
    """
    params = bp.check_params(params)
    n_classes = checks.positive_int("n_classes", n_classes)
    rng = checks.generator("rng", rng)
    scale = checks.positive_float("scale", scale)
    if len(params) < 2:
        raise ValueError("params: expected a backbone below the head (>= 2 layers), got 1")
    backbone = [(W.copy(), b.copy()) for W, b in params[:-1]]
    W = rng.normal(0.0, scale, size=(params[-1][0].shape[0], n_classes))
    return [*backbone, (W, np.zeros(n_classes))]


# --8<-- [end:head]


# --8<-- [start:count]
def trainable_parameters(params, frozen=()) -> int:
    """How many weights and biases an optimizer updates: those of the layers not frozen."""
    params = bp.check_params(params)
    frozen = _frozen_set("frozen", frozen, len(params))
    return sum(W.size + b.size for l, (W, b) in enumerate(params) if l not in frozen)


# --8<-- [end:count]


def _frozen_set(name: str, frozen, n_layers: int) -> frozenset[int]:
    if isinstance(frozen, (str, bytes)) or not hasattr(frozen, "__iter__"):
        raise TypeError(f"{name}: expected an iterable of layer indices, got {frozen!r}")
    out = set()
    for i in frozen:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError(f"{name}: expected layer indices (ints), got {i!r}")
        if not 0 <= i < n_layers:
            raise ValueError(f"{name}: expected indices in 0..{n_layers - 1}, got {i}")
        out.add(int(i))
    return frozenset(out)


# --8<-- [start:lrs]
def layer_lrs(head_lr: float, n_layers: int, backbone_ratio: float, decay: float = 1.0):
    """Discriminative learning rates, one per layer (input layer first).

    The head gets `head_lr`; pre-trained layer l gets
    `head_lr · backbone_ratio · decay^(n_layers - 2 - l)`, so with `decay < 1` every layer
    further from the head learns more slowly (ULMFiT used decay = 1/2.6).
    `backbone_ratio = 0` leaves the backbone bit-identical, like freezing it.
    """
    head_lr = checks.positive_float("head_lr", head_lr)
    n_layers = checks.positive_int("n_layers", n_layers)
    backbone_ratio = _non_negative("backbone_ratio", backbone_ratio)
    decay = checks.positive_float("decay", decay)
    if decay > 1:
        raise ValueError(f"decay: expected a number in (0, 1], got {decay}")
    return [head_lr * backbone_ratio * decay ** (n_layers - 2 - l) for l in range(n_layers - 1)] + [
        head_lr
    ]


# --8<-- [end:lrs]


@dataclass(frozen=True)
class Stage:
    """A stretch of training: `epochs` epochs with the layers in `frozen` held fixed."""

    epochs: int
    frozen: frozenset[int]


# --8<-- [start:schedule]
def unfreeze_schedule(n_layers: int, epochs_per_stage) -> tuple[Stage, ...]:
    """Gradual unfreezing: the head alone first, then one more layer from the top per stage.

    Stage s (0-based) trains the top s + 1 layers, so it freezes layers 0 .. n_layers - 2 - s;
    the last stage trains everything. `epochs_per_stage` is one int for every stage or a list of
    `n_layers` ints.
    """
    n_layers = checks.positive_int("n_layers", n_layers)
    epochs = _stage_epochs(epochs_per_stage, n_layers)
    return tuple(Stage(epochs[s], frozenset(range(n_layers - 1 - s))) for s in range(n_layers))


# --8<-- [end:schedule]


def _stage_epochs(epochs_per_stage, n_layers: int) -> list[int]:
    if not isinstance(epochs_per_stage, (list, tuple)):
        return [checks.positive_int("epochs_per_stage", epochs_per_stage)] * n_layers
    if len(epochs_per_stage) != n_layers:
        raise ValueError(
            f"epochs_per_stage: expected {n_layers} entries (one per stage), "
            f"got {len(epochs_per_stage)}"
        )
    return [
        checks.positive_int(f"epochs_per_stage[{i}]", e) for i, e in enumerate(epochs_per_stage)
    ]


# --8<-- [start:strategies]
def strategy_stages(strategy: str, n_layers: int, epochs: int) -> tuple[Stage, ...]:
    """The stages of a freezing strategy, `epochs` epochs in all.

    "head": only the new head trains; "early": the bottom `n_layers - 2` layers stay frozen
    (the top pre-trained layer and the head train); "all": nothing is frozen; "gradual":
    `unfreeze_schedule`, the epochs split evenly over its `n_layers` stages.
    """
    strategy = checks.choice("strategy", strategy, STRATEGIES)
    n_layers = checks.positive_int("n_layers", n_layers)
    epochs = checks.positive_int("epochs", epochs)
    if n_layers < 2:
        raise ValueError(f"n_layers: expected a backbone below the head (>= 2), got {n_layers}")
    if strategy == "head":
        return (Stage(epochs, frozenset(range(n_layers - 1))),)
    if strategy == "early":
        return (Stage(epochs, frozenset(range(n_layers - 2))),)
    if strategy == "all":
        return (Stage(epochs, frozenset()),)
    if epochs % n_layers:
        raise ValueError(f"epochs: expected a multiple of {n_layers} (the stages), got {epochs}")
    return unfreeze_schedule(n_layers, epochs // n_layers)


# --8<-- [end:strategies]


# --8<-- [start:fine_tune]
def fine_tune(
    params,
    X,
    T,
    stages,
    lr,
    activation: str = ACTIVATION,
    output_activation: str = "sigmoid",
    callback=None,
):
    """Train through `stages` in order, each with its own frozen layers (full-batch descent).

    Parameters
    ----------
    params : list of (W, b), e.g. from `with_new_head`
    X : array of shape (N, n_inputs); T : array of shape (N, K), one-hot
    stages : sequence of `Stage` (or `(epochs, frozen)` pairs)
    lr : float, or one float per layer (`layer_lrs`)
    callback : callable(epoch, params), optional, after every epoch (epochs count across
        stages)

    Returns
    -------
    params : the trained network (new arrays; frozen layers keep their exact bits)
    losses : array of `1 + total epochs` training losses, as `backprop.train` returns them
    """
    params = bp.check_params(params)
    stages = check_stages(stages, len(params))
    if callback is not None and not callable(callback):
        raise TypeError(f"callback: expected a callable(epoch, params), got {callback!r}")
    losses, done = [], 0
    for stage in stages:

        def on_epoch(epoch, p, offset=done):  # epochs count on across stages
            if callback is not None:
                callback(offset + epoch, p)

        params, stage_losses = bp.train(
            params,
            X,
            T,
            lr,
            stage.epochs,
            activation,
            output_activation,
            frozen=stage.frozen,
            callback=on_epoch,
        )
        losses.extend(
            stage_losses[1:] if losses else stage_losses
        )  # a stage starts where the last ended
        done += stage.epochs
    return params, np.array(losses)


# --8<-- [end:fine_tune]


def check_stages(stages, n_layers: int) -> tuple[Stage, ...]:
    """`stages` as a tuple of `Stage`, validated against a network of `n_layers` layers."""
    if not isinstance(stages, (list, tuple)):
        raise TypeError(f"stages: expected a list of Stage, got {type(stages).__name__}")
    if len(stages) == 0:
        raise ValueError("stages: expected at least one stage, got an empty list")
    out = []
    for i, s in enumerate(stages):
        if isinstance(s, Stage):
            epochs, frozen = s.epochs, s.frozen
        elif isinstance(s, (list, tuple)) and len(s) == 2:
            epochs, frozen = s
        else:
            raise TypeError(f"stages[{i}]: expected a Stage or an (epochs, frozen) pair, got {s!r}")
        epochs = checks.positive_int(f"stages[{i}] epochs", epochs)
        out.append(Stage(epochs, _frozen_set(f"stages[{i}] frozen", frozen, n_layers)))
    return tuple(out)


def predict(params, X) -> np.ndarray:
    """The network's sigmoid outputs for `X` (ReLU hidden layers)."""
    return bp.forward(params, X, ACTIVATION, "sigmoid")[0]


# ---------------------------------------------------------------------------------------------
# The vectorized twin of `fine_tune`: many networks of one shape trained side by side.


def _stack_forward(params, X):
    """Outputs and per-layer (input, pre-activation) of a stack of B networks.

    `params` holds (W, b) of shapes (B, fan_in, fan_out) and (B, fan_out); `X` is (B, N, D).
    ReLU hidden layers, sigmoid output: the network of `predict`, B at a time.
    """
    cache, a = [], X
    for l, (W, b) in enumerate(params):
        z = a @ W + b[:, None, :]
        cache.append((a, z))
        a = bp.sigmoid(z) if l == len(params) - 1 else np.maximum(z, 0.0)
    return a, cache


def _stack_step(params, X, T, lrs, frozen, forward=None):
    """One full-batch gradient step for every network of the stack (`forward`: the stack's
    `_stack_forward(params, X)` if already computed)."""
    A, cache = forward if forward is not None else _stack_forward(params, X)
    delta = (A - T) / X.shape[1] * A * (1.0 - A)  # the output layer's delta, as in backprop
    new = list(params)
    for l in reversed(range(len(params))):
        W, b = params[l]
        if l not in frozen:
            r = lrs[:, l]
            dW = cache[l][0].transpose(0, 2, 1) @ delta
            new[l] = (W - r[:, None, None] * dW, b - r[:, None] * delta.sum(axis=1))
        if l > 0:  # the error handed to the layer below, through frozen layers too
            delta = (delta @ W.transpose(0, 2, 1)) * (cache[l - 1][1] > 0)
    return new


def _fine_tune_stack(params, X, T, stages, lrs, callback=None):
    """`fine_tune` for B networks at once: same stages, each network with its own data and
    per-layer rates.

    `params` as in `_stack_forward`, `X` (B, N, D), `T` (B, N, K), `lrs` (B, n_layers). The
    arithmetic is `backprop.train`'s (tested equal, network by network); one forward pass per
    epoch serves both the update and the loss. Returns the trained stack and the training
    losses, shape (B, 1 + total epochs).
    """
    lrs = np.asarray(lrs, dtype=float)
    forward = _stack_forward(params, X)

    def loss(A):
        return 0.5 * np.sum((T - A) ** 2, axis=(1, 2)) / X.shape[1]

    losses, epoch = [loss(forward[0])], 0
    for stage in stages:
        for _ in range(stage.epochs):
            params = _stack_step(params, X, T, lrs, stage.frozen, forward)
            forward = _stack_forward(params, X)
            losses.append(loss(forward[0]))
            epoch += 1
            if callback is not None:
                callback(epoch, params)
    return params, np.array(losses).T


def _stack(nets):
    """A list of networks → one stacked network (arrays with a leading axis)."""
    return [
        (np.stack([n[l][0] for n in nets]), np.stack([n[l][1] for n in nets]))
        for l in range(len(nets[0]))
    ]


def _unstack(params, i):
    return [(W[i], b[i]) for W, b in params]


def _stack_accuracy(params, X, y) -> np.ndarray:
    """Accuracy of each network of the stack on its own (X[i], y[i]); shape (B,)."""
    A = _stack_forward(params, X)[0]
    return np.mean(A.argmax(axis=2) == y, axis=1)


# ---------------------------------------------------------------------------------------------
# The experiment: one world, pre-trained backbones, tuned target runs.


@dataclass(frozen=True)
class World:
    """The target's mixer, an unrelated mixer, the class prototypes and the target test set."""

    target_mixer: Mixer
    other_mixer: Mixer
    source_prototypes: np.ndarray  # (16, 4)
    target_prototypes: np.ndarray  # (5, 4): other classes in the same factors
    X_test: np.ndarray
    y_test: np.ndarray


@functools.cache
def world() -> World:
    rng = np.random.default_rng(WORLD_SEED)
    target = random_mixer(rng)
    other = random_mixer(rng)
    source_protos = rng.normal(size=(SOURCE_CLASSES, N_SIGNAL))
    target_protos = rng.normal(size=(TARGET_CLASSES, N_SIGNAL))
    X_test, y_test = sample(target, target_protos, TEST_PER_CLASS, rng)
    return World(target, other, source_protos, target_protos, X_test, y_test)


def source_mixer(angle_deg: float) -> Mixer:
    """The source's mixer: the target's at 0°, turned towards an unrelated one as θ grows."""
    w = world()
    return blend_mixers(w.target_mixer, w.other_mixer, angle_deg)


def source_data(angle_deg: float, n_per_class: int = SOURCE_PER_CLASS, part: int = 0):
    """Source examples (`part` 0: the training set, 1: fresh data for validation)."""
    if isinstance(angle_deg, bool) or not isinstance(angle_deg, (int, float)):
        raise TypeError(f"angle_deg: expected a number of degrees in [0, 90], got {angle_deg!r}")
    if not np.isfinite(angle_deg) or not 0 <= angle_deg <= 90:
        raise ValueError(f"angle_deg: expected degrees in [0, 90], got {angle_deg}")
    n_per_class = checks.positive_int("n_per_class", n_per_class)
    if n_per_class > SOURCE_PER_CLASS:
        raise ValueError(f"n_per_class: expected at most {SOURCE_PER_CLASS}, got {n_per_class}")
    if isinstance(part, bool) or part not in (0, 1):
        raise ValueError(f"part: expected 0 (training) or 1 (validation), got {part!r}")
    rng = np.random.default_rng([WORLD_SEED, 1, int(angle_deg), part])
    return sample(source_mixer(angle_deg), world().source_prototypes, n_per_class, rng)


@functools.cache
def pretrained(angle_deg: int = 0, seed_set: int = 0) -> dict:
    """One source network per seed (backbone + 16-class head), trained by mini-batch SGD.

    The seeds share the source data of the angle; each has its own initial weights and its own
    shuffling, so a conclusion cannot rest on one lucky pre-training run. The networks train
    side by side (`_fine_tune_stack`'s arithmetic, one mini-batch of `PRETRAIN_BATCH` per step).
    """
    X, y = source_data(angle_deg)
    T = bp.one_hot(y, SOURCE_CLASSES)
    S = seeds(N_SEEDS, seed_set)
    rngs = [np.random.default_rng([WORLD_SEED, 4, int(angle_deg), s]) for s in S]
    params = _stack([bp.init_params([*SIZES, SOURCE_CLASSES], r, "he") for r in rngs])
    lrs = np.full((len(S), len(SIZES)), PRETRAIN_LR)
    for _ in range(PRETRAIN_EPOCHS):
        orders = np.stack([r.permutation(y.size) for r in rngs])
        for start in range(0, y.size, PRETRAIN_BATCH):
            idx = orders[:, start : start + PRETRAIN_BATCH]
            params = _stack_step(params, X[idx], T[idx], lrs, frozenset())
    X_val, y_val = source_data(angle_deg, 30, part=1)
    B = len(S)
    return {
        "params": params,
        "train_acc": _stack_accuracy(params, np.broadcast_to(X, (B, *X.shape)), y),
        "val_acc": _stack_accuracy(params, np.broadcast_to(X_val, (B, *X_val.shape)), y_val),
    }


def target_data(n_per_class: int, seed: int):
    """The seed's labelled target data, split: `n_per_class` training examples per class and
    `VAL_PER_CLASS` validation examples per class carved off the same draw."""
    n_per_class = checks.positive_int("n_per_class", n_per_class)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed: expected an int >= 0, got {seed!r}")
    rng = np.random.default_rng([WORLD_SEED, 2, seed, n_per_class])
    w = world()
    X, y = sample(w.target_mixer, w.target_prototypes, n_per_class + VAL_PER_CLASS, rng)
    val = np.zeros(y.size, dtype=bool)
    for k in range(TARGET_CLASSES):  # the first VAL_PER_CLASS of every class (order is random)
        val[np.flatnonzero(y == k)[:VAL_PER_CLASS]] = True
    return X[~val], y[~val], X[val], y[val]


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


def tuned(method: str, angle_deg: int, n_per_class: int, seed_set: int = 0) -> dict:
    """Train `method` at every point of its rate grid for every seed, pick each seed's rates on
    its validation split, and only then evaluate the picked network on the test set, once.

    Returns per seed (arrays of length `N_SEEDS`): `test` accuracy, `val` accuracy and the
    picked `rates` (head rate, ratio); per seed and grid point: `val_grid` (S, G); for the
    picked runs: `losses` (S, 1 + EPOCHS), `val_curve` (S, 1 + EPOCHS) and `drift` (S, 2), how
    far each pre-trained layer moved (relative Frobenius norm).
    """
    method = checks.choice("method", method, METHODS)
    if isinstance(angle_deg, bool) or not isinstance(angle_deg, int):
        raise TypeError(f"angle_deg: expected an int number of degrees, got {angle_deg!r}")
    if not 0 <= angle_deg <= 90:
        raise ValueError(f"angle_deg: expected degrees in [0, 90], got {angle_deg}")
    n_per_class = checks.positive_int("n_per_class", n_per_class)
    seeds(N_SEEDS, seed_set)  # validates seed_set
    return _tuned(method, angle_deg, n_per_class, seed_set)


@functools.cache
def _tuned(method: str, angle_deg: int, n_per_class: int, seed_set: int) -> dict:
    S = seeds(N_SEEDS, seed_set)
    configs = [(i, g) for i in range(len(S)) for g in rate_grid(method)]
    data = [target_data(n_per_class, s) for s in S]
    inits = [np.random.default_rng([WORLD_SEED, 3, s]) for s in S]
    if method == "scratch":
        nets = [bp.init_params([*SIZES, TARGET_CLASSES], r, "he") for r in inits]
        stages = (Stage(EPOCHS, frozenset()),)
    else:
        if method.startswith("random"):  # the control: a backbone never pre-trained
            rand = [np.random.default_rng([WORLD_SEED, 7, s]) for s in S]
            backbones = _stack([bp.init_params([*SIZES, SOURCE_CLASSES], r, "he") for r in rand])
        else:
            backbones = pretrained(angle_deg, seed_set)["params"]
        scale = XAVIER_HEAD_SCALE if method == "xavier" else HEAD_SCALE
        nets = [
            with_new_head(_unstack(backbones, i), TARGET_CLASSES, r, scale)
            for i, r in enumerate(inits)
        ]
        kind = {"all_low": "all", "xavier": "head", "random_head": "head", "random_low": "all"}
        kind = kind.get(method, method)
        stages = strategy_stages(kind, len(SIZES), EPOCHS)
    idx = [i for i, _ in configs]
    start = _stack([nets[i] for i in idx])
    X = np.stack([data[i][0] for i in idx])
    y = np.stack([data[i][1] for i in idx])
    Xv = np.stack([data[i][2] for i in idx])
    yv = np.stack([data[i][3] for i in idx])
    lrs = np.array([layer_lrs(lr, len(SIZES), ratio) for _, (lr, ratio) in configs])
    curve = [_stack_accuracy(start, Xv, yv)]
    trained, losses = _fine_tune_stack(
        start,
        X,
        bp.one_hot(y.ravel(), TARGET_CLASSES).reshape(*y.shape, TARGET_CLASSES),
        stages,
        lrs,
        callback=lambda e, p: curve.append(_stack_accuracy(p, Xv, yv)),
    )
    curve = np.array(curve).T  # (configs, 1 + EPOCHS)
    Av = _stack_forward(trained, Xv)[0]
    val_loss = (
        0.5
        * np.sum((bp.one_hot(yv.ravel(), TARGET_CLASSES).reshape(Av.shape) - Av) ** 2, axis=(1, 2))
        / Av.shape[1]
    )
    G = len(configs) // len(S)
    val_acc = curve[:, -1].reshape(len(S), G)
    # best validation accuracy; ties go to the lower validation loss
    pick = (
        np.lexsort((val_loss.reshape(len(S), G), -val_acc), axis=1)[:, 0]
        if G > 1
        else np.zeros(len(S), int)
    )
    chosen = np.arange(len(S)) * G + pick
    w = world()
    test = np.array(
        [bp.accuracy(predict(_unstack(trained, c), w.X_test), w.y_test) for c in chosen]
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
        "train": _stack_accuracy(trained, X, y)[chosen],
        "val": val_acc[np.arange(len(S)), pick],
        "rates": np.array([configs[c][1] for c in chosen]),
        "val_grid": val_acc,
        "drift_grid": drift.reshape(len(S), G, -1),
        "losses": losses[chosen],
        "val_curve": curve[chosen],
        "drift": drift[chosen],
    }


# ---------------------------------------------------------------------------------------------
# Batch norm in a frozen backbone: what its running statistics do on the target.


# --8<-- [start:bn]
def bn_running_mean_drift(Z_source, Z_target, steps: int, batch_size: int, momentum: float, rng):
    """Fit a `BatchNorm` to the source (one pass in training mode), then run target batches
    through it in training mode, as a "frozen" backbone left in train mode does.

    Parameters
    ----------
    Z_source : array of shape (N_s, D), the layer's pre-activations on source data
    Z_target : array of shape (N_t, D), the same on target data
    steps : int, target batches; batch_size : int >= 2; momentum : float in (0, 1]

    Returns
    -------
    dict with `source_mean`, `target_mean` (D,), `fraction` (steps + 1,): how far the running
    mean has moved from the source mean towards the target mean (0 = source, 1 = target),
    and the layers `before` (source statistics) and `after` the target batches.

    Notes
    -----
    Each step sets :math:`\\hat\\mu \\leftarrow (1 - m)\\,\\hat\\mu + m\\,\\mu_\\text{batch}`, so
    after k steps the source's share of the running mean is :math:`(1 - m)^k`.
    """
    Z_source = checks.as_float_array("Z_source", Z_source, ndim=2, min_rows=2)
    Z_target = checks.as_float_array("Z_target", Z_target, ndim=2, min_rows=2)
    if Z_target.shape[1] != Z_source.shape[1]:
        raise ValueError(
            f"Z_target: expected {Z_source.shape[1]} features like Z_source, got {Z_target.shape}"
        )
    steps = checks.positive_int("steps", steps)
    batch_size = checks.positive_int("batch_size", batch_size)
    if not 2 <= batch_size <= len(Z_target):
        raise ValueError(
            f"batch_size: expected 2..{len(Z_target)} (Z_target's rows), got {batch_size}"
        )
    momentum = checks.positive_float("momentum", momentum)
    if momentum > 1:
        raise ValueError(f"momentum: expected a number in (0, 1], got {momentum}")
    rng = checks.generator("rng", rng)
    D = Z_source.shape[1]
    before = BatchNorm(D, momentum=None)  # cumulative average: the source's statistics
    for start in range(0, len(Z_source) - 1, 32):
        before(Z_source[start : start + 32], training=True)
    after = BatchNorm(D, momentum=momentum)
    after.running_mean, after.running_var = before.running_mean.copy(), before.running_var.copy()
    target_mean = Z_target.mean(axis=0)
    gap = np.linalg.norm(target_mean - before.running_mean)
    fraction, order = [0.0], np.array([], dtype=int)
    for _ in range(steps):
        if order.size < batch_size:  # a new epoch over the target set
            order = np.concatenate([order, rng.permutation(len(Z_target))])
        idx, order = order[:batch_size], order[batch_size:]
        after(Z_target[idx], training=True)  # no weight changes, yet the layer does
        fraction.append(float(np.linalg.norm(after.running_mean - before.running_mean) / gap))
    return {
        "source_mean": before.running_mean,
        "target_mean": target_mean,
        "fraction": np.array(fraction),
        "before": before,
        "after": after,
    }


# --8<-- [end:bn]


@functools.cache
def bn_demo(seed_set: int = 0) -> dict:
    """The drift on a pre-trained backbone's first layer (the set's first seed, source at 0°)
    fed that seed's target training set, and what it does to the layer's output on the
    target's validation split."""
    seed = seeds(1, seed_set)[0]
    W, b = (x[0] for x in pretrained(0, seed_set)["params"][0])
    X_train, _, X_val, _ = target_data(SMALL, seed)
    Zs = source_data(0)[0] @ W + b
    Zt = X_train @ W + b
    r = bn_running_mean_drift(
        Zs, Zt, BN_STEPS, BN_BATCH, BN_MOMENTUM, np.random.default_rng([WORLD_SEED, 5, seed])
    )
    sd = np.sqrt(r["before"].running_var)
    Z_val = X_val @ W + b
    out_before = r["before"](Z_val, training=False)[0]
    out_after = r["after"](Z_val, training=False)[0]
    # training mode: one example normalized with different batchmates
    rng = np.random.default_rng([WORLD_SEED, 6, seed])
    probe, outs = Zt[:1], []
    for _ in range(50):
        mates = Zt[1 + rng.permutation(len(Zt) - 1)[: BN_BATCH - 1]]
        outs.append(BatchNorm(len(b))(np.vstack([probe, mates]), training=True)[0][0])
    k = np.arange(BN_STEPS + 1)
    return {
        **r,
        "expected": 1 - (1 - BN_MOMENTUM) ** k,
        "shift_sd": float(np.mean(np.abs(r["target_mean"] - r["source_mean"]) / sd)),
        "output_change": float(np.mean(np.abs(out_after - out_before))),
        "batch_noise": float(np.mean(np.std(np.array(outs), axis=0))),
    }


# ---------------------------------------------------------------------------------------------
# Summaries the pages and claims share: per-seed accuracies, sweeps over the backbone's rate.

SIZE_METHODS = ("scratch", "head", "all")
LR_CASES = ((0, SMALL), (0, LARGE), (15, LARGE), (90, LARGE))  # (angle, examples per class)


def test_acc(method: str, angle_deg: int, n_per_class: int, seed_set: int = 0) -> np.ndarray:
    """Test accuracy (%) of every seed, each at the rates its validation split picked."""
    return 100 * tuned(method, angle_deg, n_per_class, seed_set)["test"]


@functools.cache
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


# ---------------------------------------------------------------------------------------------
# What the pages show: figures (drawn for a theme) and values (the numbers they quote).

LABELS = {  # short names for the figures
    "scratch": "from scratch",
    "head": "head only",
    "early": "freeze early layer",
    "all": "fine-tune all",
    "gradual": "gradual unfreezing",
    "all_low": "fine-tune all, backbone 0.1x",
}
METHOD_STYLE = {  # palette index and marker per method, the same in every figure
    "scratch": (1, "s"),
    "head": (0, "o"),
    "all": (2, "^"),
    "early": (3, "D"),
    "gradual": (4, "v"),
}


def _style(theme: Theme, method: str) -> dict:
    i, marker = METHOD_STYLE[method]
    return {"color": theme.palette[i], "marker": marker, "label": LABELS[method]}


def _draw_data_size(theme: Theme):
    fig, ax = new_figure(theme, width=6.8, height=4.0)
    n = np.array(SIZES_PER_CLASS)
    for m in SIZE_METHODS:
        acc = np.array([test_acc(m, 0, k) for k in SIZES_PER_CLASS])
        style = _style(theme, m)
        ax.fill_between(n, acc.min(1), acc.max(1), color=style["color"], alpha=0.18, lw=0)
        ax.plot(n, acc.mean(1), markersize=6, linestyle="--" if m == "all" else "-", **style)
    ax.axhline(100 / TARGET_CLASSES, color=theme.muted, linestyle=":", linewidth=1.5)
    ax.text(1, 100 / TARGET_CLASSES + 1.5, "chance", color=theme.muted, fontsize=10)
    ax.set_xscale("log")
    ax.set_xticks(n, [str(v) for v in n])
    ax.minorticks_off()
    ax.set_xlabel("target training examples per class (5 classes)")
    ax.set_ylabel("target test accuracy (%)")
    ax.set_ylim(15, 100)
    ax.legend(loc="lower right")
    return fig


def _draw_convergence(theme: Theme):
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.6, height=3.9)
    for m in SIZE_METHODS:
        r = tuned(m, 0, SMALL)
        curve = 100 * r["val_curve"]
        style = _style(theme, m)
        epochs = np.arange(curve.shape[1])
        ax1.fill_between(epochs, curve.min(0), curve.max(0), color=style["color"], alpha=0.18, lw=0)
        ax1.plot(epochs, curve.mean(0), color=style["color"], label=style["label"])
        ax2.plot(epochs, r["losses"].mean(0), color=style["color"], label=style["label"])
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("validation accuracy (%)")
    ax1.legend(loc="lower right")
    ax2.set_yscale("log")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("training loss (MSE)")
    return fig


def _draw_strategy_curves(theme: Theme):
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=10.0, height=4.0)
    for m in ("scratch", *STRATEGIES):
        curve = 100 * tuned(m, 0, SMALL)["val_curve"].mean(0)
        style = _style(theme, m)
        ax1.plot(
            np.arange(curve.size),
            curve,
            color=style["color"],
            label=style["label"],
            linestyle="--" if m == "scratch" else "-",
        )
    edge = 0
    for s in strategy_stages("gradual", len(SIZES), EPOCHS)[:-1]:
        edge += s.epochs
        ax1.axvline(edge, color=theme.muted, linestyle=":", linewidth=1.2)
    ax1.set_xlabel("epoch (dotted: unfreezing stages)")
    ax1.set_ylabel("validation accuracy (%)")
    ax1.set_ylim(15, 100)
    ax1.legend(loc="lower right", fontsize=10)

    net = with_new_head(_unstack(pretrained(0)["params"], 0), TARGET_CLASSES, 0)
    names, counts, colours = [], [], []
    for m in STRATEGIES:
        stages = strategy_stages(m, len(SIZES), EPOCHS)
        for i, st in enumerate(stages):
            names.append(f"gradual, stage {i + 1}" if len(stages) > 1 else LABELS[m])
            counts.append(trainable_parameters(net, st.frozen))
            colours.append(theme.palette[METHOD_STYLE[m][0]])
    y = np.arange(len(names))[::-1]
    ax2.barh(y, counts, color=colours, height=0.65)
    for yi, c in zip(y, counts):
        ax2.text(c * 1.08, yi, f"{c:,}", va="center", fontsize=10, color=theme.fg)
    ax2.set_yticks(y, names, fontsize=10)
    ax2.set_xscale("log")
    ax2.set_xlim(30, 2e4)
    ax2.set_xlabel("trainable parameters")
    ax2.grid(axis="y", visible=False)
    return fig


def _draw_strategy_grid(theme: Theme):
    import matplotlib

    methods = ("scratch", *STRATEGIES)
    cols = [(a, n) for a in ANGLES for n in (SMALL, LARGE)]
    runs = [[test_acc(m, a, n) for a, n in cols] for m in methods]
    acc = np.array([[r.mean() for r in row] for row in runs])
    sd = np.array([[r.std(ddof=1) for r in row] for row in runs])
    fig, ax = new_figure(theme, width=9.6, height=3.9)
    cmap = matplotlib.colormaps["cividis"]
    ax.imshow(acc, cmap=cmap, vmin=40, vmax=100, aspect="auto")
    for i in range(acc.shape[0]):
        for j in range(acc.shape[1]):
            r, g, bl, _ = cmap((acc[i, j] - 40) / 60)
            dark = 0.299 * r + 0.587 * g + 0.114 * bl < 0.5
            ax.text(
                j,
                i,
                f"{acc[i, j]:.1f} ± {sd[i, j]:.1f}",
                ha="center",
                va="center",
                fontsize=10,
                color="white" if dark else "black",
            )
    ax.set_xticks(range(len(cols)), [f"{a}°, {n}" for a, n in cols])
    ax.set_yticks(range(len(methods)), [LABELS[m] for m in methods])
    ax.set_xlabel("source–target angle, target examples per class")
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig


def _draw_backbone_lr(theme: Theme):
    sweep = backbone_rate_sweep()
    fig, (ax1, ax2) = new_figure(theme, ncols=2, width=9.6, height=3.9)
    x = np.arange(1 + len(BACKBONE_RATIOS))
    for k, ((a, n), r) in enumerate(sweep.items()):
        label = f"{a}°, {n} per class"
        marker = ("o", "s", "^", "D")[k]
        ax1.plot(x, r["val"].mean(1), marker=marker, color=theme.palette[k], label=label)
        ax2.plot(x, r["drift"].mean(1), marker=marker, color=theme.palette[k], label=label)
    for ax in (ax1, ax2):
        ax.set_xticks(x, ["0", *(f"{v:g}" for v in BACKBONE_RATIOS)])
        ax.set_xlabel("backbone learning rate ÷ head learning rate")
    ax1.set_ylabel("validation accuracy (%)")
    ax1.legend(loc="lower right", fontsize=10)
    ax2.set_yscale("symlog", linthresh=1)
    ax2.set_ylim(0, 200)
    ax2.set_yticks([0, 1, 10, 100], ["0", "1", "10", "100"])
    ax2.set_ylabel("change of first-layer weights (%)")
    return fig


def _draw_bn(theme: Theme):
    r = bn_demo()
    fig, ax = new_figure(theme, width=6.8, height=3.8)
    k = np.arange(r["fraction"].size)
    ax.plot(k, 100 * r["fraction"], color=theme.palette[0], label="train mode (momentum 0.1)")
    ax.plot(
        k,
        100 * r["expected"],
        color=theme.fg,
        linestyle=":",
        label=f"$1 - {1 - BN_MOMENTUM:g}^k$ (expected)",
    )
    ax.plot(
        k,
        np.zeros_like(k, dtype=float),
        color=theme.palette[1],
        linestyle="--",
        label="eval mode (statistics frozen)",
    )
    ax.set_xlabel(f"target batches of {BN_BATCH} seen by the frozen layer")
    ax.set_ylabel("running mean: % of the way\nfrom source to target")
    ax.set_ylim(-5, 110)
    ax.legend(loc="center right")
    return fig


def figures():
    """Figure name → function drawing it for a theme."""
    return {
        "data-size": _draw_data_size,
        "convergence": _draw_convergence,
        "strategy-curves": _draw_strategy_curves,
        "strategy-grid": _draw_strategy_grid,
        "backbone-lr": _draw_backbone_lr,
        "bn-drift": _draw_bn,
    }


def _put_acc(v: dict, key: str, acc) -> None:
    """Mean, standard deviation over seeds, minimum and maximum of per-seed accuracies (%)."""
    acc = np.asarray(acc)
    v[key] = fmt(acc.mean(), 1)
    v[key + "_sd"] = fmt(acc.std(ddof=1), 1)
    v[key + "_lo"] = fmt(acc.min(), 1)
    v[key + "_hi"] = fmt(acc.max(), 1)


def _rates(values) -> str:
    return ", ".join(fmt(x, 3).rstrip("0").rstrip(".") for x in values)


def values() -> dict[str, object]:
    """Every number the two pages quote, formatted as they show it (seed set 0)."""
    v: dict[str, object] = {
        "n_signal": N_SIGNAL,
        "n_nuisance": N_NUISANCE,
        "n_inputs": N_INPUTS,
        "source_classes": SOURCE_CLASSES,
        "target_classes": TARGET_CLASSES,
        "source_n": f"{SOURCE_CLASSES * SOURCE_PER_CLASS:,}",
        "test_n": TARGET_CLASSES * TEST_PER_CLASS,
        "val_per_class": VAL_PER_CLASS,
        "val_n": VAL_PER_CLASS * TARGET_CLASSES,
        "sizes": "-".join(str(s) for s in SIZES),
        "seeds": N_SEEDS,
        "epochs": EPOCHS,
        "head_lrs": _rates(HEAD_LRS),
        "ratios": _rates(BACKBONE_RATIOS),
        "scratch_lrs": _rates(SCRATCH_LRS),
        "scratch_lr_max": _rates([max(SCRATCH_LRS)]),
        "low_ratio": fmt(LOW_RATIO, 1),
        "grid_points": len(HEAD_LRS) * len(BACKBONE_RATIOS),
        "backbone_lr_min": _rates([min(HEAD_LRS) * min(BACKBONE_RATIOS)]),
        "backbone_lr_max": _rates([max(HEAD_LRS) * max(BACKBONE_RATIOS)]),
        "head_scale": fmt(HEAD_SCALE, 2),
        "pretrain_epochs": PRETRAIN_EPOCHS,
        "pretrain_lr": fmt(PRETRAIN_LR, 1),
        "pretrain_batch": PRETRAIN_BATCH,
        "small": SMALL,
        "large": LARGE,
        "small_n": SMALL * TARGET_CLASSES,
        "chance": fmt(100 / TARGET_CLASSES, 0),
        "class_noise": fmt(CLASS_NOISE, 2),
        "nuisance": fmt(NUISANCE, 1),
        "input_noise": fmt(INPUT_NOISE, 1),
    }
    for a in ANGLES:
        p = pretrained(a)
        v[f"src_train_{a}"] = fmt(100 * p["train_acc"].mean(), 1)
        v[f"src_val_{a}"] = fmt(100 * p["val_acc"].mean(), 1)

    # parameter counts of the target network, per strategy and per gradual stage
    net = with_new_head(_unstack(pretrained(0)["params"], 0), TARGET_CLASSES, 0)
    total = trainable_parameters(net)
    v["params_total"] = f"{total:,}"
    for m in STRATEGIES:
        counts = [trainable_parameters(net, st.frozen) for st in strategy_stages(m, 3, EPOCHS)]
        v[f"params_{m}"] = f"{counts[-1]:,}"
        v[f"params_{m}_pct"] = fmt(100 * counts[-1] / total, 0)
    stages = strategy_stages("gradual", len(SIZES), EPOCHS)
    v["stage_epochs"] = stages[0].epochs
    for i, st in enumerate(stages, 1):
        v[f"params_gradual_{i}"] = f"{trainable_parameters(net, st.frozen):,}"

    # DL0005: accuracy against the number of target examples
    for m in SIZE_METHODS:
        for n in SIZES_PER_CLASS:
            _put_acc(v, f"acc_{m}_{n}", test_acc(m, 0, n))
    for n in SIZES_PER_CLASS:
        v[f"gain_{n}"] = fmt(test_acc("all", 0, n).mean() - test_acc("scratch", 0, n).mean(), 1)
    v["features_mean"] = fmt(
        np.mean(bp.forward(net, target_data(SMALL, 0)[0], ACTIVATION, "sigmoid")[1].a[-2]), 2
    )

    # DL0005: learning curves on the validation split, SMALL examples per class
    for m in SIZE_METHODS:
        r = tuned(m, 0, SMALL)
        v[f"val_half_{m}"] = fmt(100 * r["val_curve"][:, EPOCHS // 2].mean(), 1)
        v[f"val_end_{m}"] = fmt(100 * r["val_curve"][:, -1].mean(), 1)
        v[f"loss_end_{m}"] = fmt(r["losses"][:, -1].mean(), 4)
    v["half"] = EPOCHS // 2

    # DL0005 + DL0006: the grid of strategies, sizes and domain angles, and the 90° control
    for a in ANGLES:
        for n in (SMALL, LARGE):
            for m in ("scratch", *STRATEGIES):
                _put_acc(v, f"g_{m}_{a}_{n}", test_acc(m, a, n))
    for n in (SMALL, LARGE):
        _put_acc(v, f"g_all_low_90_{n}", test_acc("all_low", 90, n))
    picked = tuned("all", 90, LARGE)["rates"]
    v["picked_backbone_90"] = _rates(sorted(set(picked[:, 0] * picked[:, 1])))
    for m in ("random_head", "random_low"):
        for n in (SMALL, LARGE):
            _put_acc(v, f"g_{m}_90_{n}", test_acc(m, 90, n))
    v["train_acc_scratch_10"] = fmt(100 * tuned("scratch", 0, SMALL)["train"].mean(), 1)
    v["train_acc_scratch_10_lo"] = fmt(100 * tuned("scratch", 0, SMALL)["train"].min(), 1)

    # grid edges: how often the picked rate is the largest of its grid (seed set 0)
    settings = [(a, n) for a in ANGLES for n in (SMALL, LARGE)]
    top = [
        tuned(m, a, n)["rates"][:, 1] == max(BACKBONE_RATIOS)
        for m in ("early", "all", "gradual")
        for a, n in settings
    ]
    v["edge_ratio_picks"] = int(np.sum(top))
    v["edge_ratio_runs"] = int(np.size(top))
    sc = [tuned("scratch", 0, n)["rates"][:, 0] == max(SCRATCH_LRS) for n in SIZES_PER_CLASS]
    v["edge_scratch_picks"] = int(np.sum(sc))
    v["edge_scratch_runs"] = int(np.size(sc))
    hd = [
        tuned(m, a, n)["rates"][:, 0] == max(HEAD_LRS)
        for m in ("head", *STRATEGIES[1:])
        for a, n in settings
    ]
    v["edge_head_picks"] = int(np.sum(hd))
    v["edge_head_runs"] = int(np.size(hd))
    rh = [tuned("random_head", 90, n)["rates"][:, 0] == max(HEAD_LRS) for n in (SMALL, LARGE)]
    v["edge_random_head_picks"] = int(np.sum(rh))
    v["edge_random_head_runs"] = int(np.size(rh))
    v["ratio_max"] = _rates([max(BACKBONE_RATIOS)])
    v["head_lr_max"] = _rates([max(HEAD_LRS)])
    v["head_tolerance"] = fmt(HEAD_TOLERANCE, 0)

    # the head-initialization pitfall
    _put_acc(v, "xavier_head", test_acc("xavier", 0, SMALL))
    sat = []  # share of the Glorot head's first outputs outside [0.05, 0.95], per seed
    for i, s in enumerate(seeds(N_SEEDS, 0)):
        init = np.random.default_rng([WORLD_SEED, 3, s])  # the head init `_tuned` uses
        backbone = _unstack(pretrained(0)["params"], i)
        A = predict(
            with_new_head(backbone, TARGET_CLASSES, init, XAVIER_HEAD_SCALE),
            target_data(SMALL, s)[0],
        )
        sat.append(100 * np.mean((A < 0.05) | (A > 0.95)))
    v["xavier_saturated_lo"] = fmt(min(sat), 0)
    v["xavier_saturated_hi"] = fmt(max(sat), 0)
    v["xavier_scale"] = fmt(XAVIER_HEAD_SCALE, 2)

    # DL0006: the backbone's learning rate (validation accuracy, first-layer change)
    for (a, n), r in backbone_rate_sweep().items():
        for ratio, acc, drift in zip((0.0, *BACKBONE_RATIOS), r["val"], r["drift"]):
            key = f"{a}_{n}_r{ratio:g}".replace(".", "")
            v[f"lrs_val_{key}"] = fmt(acc.mean(), 1)
            v[f"lrs_drift_{key}"] = fmt(drift.mean(), 1)
    ulmfit = layer_lrs(1.0, len(SIZES), 1 / 2.6, 1 / 2.6)
    v["ulmfit_lrs"] = ", ".join(fmt(x, 3) for x in ulmfit)

    # DL0006: batch norm in a frozen backbone
    bn = bn_demo()
    v["bn_momentum"] = fmt(BN_MOMENTUM, 1)
    v["bn_batch"] = BN_BATCH
    v["bn_mates"] = BN_BATCH - 1
    v["bn_steps"] = BN_STEPS
    v["bn_shift_sd"] = fmt(bn["shift_sd"], 2)
    for k in (5, 10, BN_STEPS):
        v[f"bn_frac_{k}"] = fmt(100 * bn["fraction"][k], 0)
        v[f"bn_expected_{k}"] = fmt(100 * bn["expected"][k], 0)
    v["bn_output_change"] = fmt(bn["output_change"], 2)
    v["bn_batch_noise"] = fmt(bn["batch_noise"], 2)
    return v


# ---------------------------------------------------------------------------------------------
# Claims: what the pages conclude, checked on a seed set (the build on set 0, tests on set 1).


def _spread(*runs) -> float:
    """The larger of the runs' standard deviations over seeds (ddof = 1)."""
    return max(float(np.std(r, ddof=1)) for r in runs)


def _beats(a, b, what: str) -> tuple[bool, str]:
    """`a` is ahead of `b`: per-seed values paired by seed (same data, backbone and head init),
    differences d = a - b with mean(d) > std(d) and d > 0 in all seeds but at most one."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = a - b
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    ahead = int(np.sum(d > 0))
    return bool(mean > sd and ahead >= d.size - 1), (
        f"{what}: {a.mean():.1f} vs {b.mean():.1f}, paired difference {mean:.1f} ± {sd:.1f} "
        f"(mean ± sd), ahead in {ahead} of {d.size} seeds"
    )


def _level(runs: dict[str, np.ndarray], what: str) -> tuple[bool, str]:
    """No difference the seeds can resolve: for every pair of runs, the per-seed differences d
    (paired by seed) have |mean(d)| <= std(d)."""
    names = list(runs)
    means = ", ".join(f"{k} {np.mean(runs[k]):.1f}" for k in names)
    ok, pairs = True, []
    for i, j in itertools.combinations(range(len(names)), 2):
        d = np.asarray(runs[names[i]], dtype=float) - np.asarray(runs[names[j]], dtype=float)
        mean, sd = float(d.mean()), float(d.std(ddof=1))
        ok = ok and abs(mean) <= sd
        pairs.append(f"{names[i]} - {names[j]} {mean:.1f} ± {sd:.1f}")
    return bool(ok), f"{what}: {means}; paired differences (mean ± sd) " + ", ".join(pairs)


# two-sided 95 % quantiles of Student's t, by degrees of freedom (seeds - 1)
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def _within(a, b, tol: float, what: str) -> tuple[bool, str]:
    """`a` and `b` differ by less than `tol`: the 95 % t-interval of the paired per-seed
    differences, |mean(d)| + t * sd(d) / sqrt(n), lies inside (-tol, tol)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    bound = abs(mean) + _T975[d.size - 1] * sd / np.sqrt(d.size)
    return bool(bound < tol), (
        f"{what}: paired difference {mean:.1f} ± {sd:.1f} (mean ± sd), 95 % bound {bound:.1f} "
        f"< {tol:g}"
    )


def _not_ahead(a, b, what: str) -> tuple[bool, str]:
    """`a` is not ahead of `b` by a difference the seeds resolve (the negation of `_beats`)."""
    holds, evidence = _beats(a, b, what)
    return not holds, evidence


def _all_of(*results: tuple[bool, str]) -> tuple[bool, str]:
    return all(h for h, _ in results), "; ".join(e for _, e in results)


def claims(seed_set: int = 0) -> dict[str, tuple[bool, str]]:
    """Claim name → (holds, evidence) for DL0005 and DL0006, on `seed_set`'s seeds.

    Accuracies are test accuracies in % (mean over seeds; spread = standard deviation over
    seeds), each method at the rates its validation split picked, unless a claim says
    validation. A difference counts only when the margin exceeds the seed spread.
    """

    def acc(m, a, n):
        return test_acc(m, a, n, seed_set)

    c: dict[str, tuple[bool, str]] = {}
    # DL0005: small target sets
    c["reuse_beats_scratch_small"] = _all_of(
        *(
            _beats(acc(m, 0, n), acc("scratch", 0, n), f"{m} vs scratch at {n}/class")
            for n in (1, 3, SMALL)
            for m in ("head", "all")
        )
    )
    c["all_no_gain_over_head_tiny"] = _all_of(
        *(
            _not_ahead(acc("all", 0, n), acc("head", 0, n), f"all vs head at {n}/class")
            for n in (1, 3)
        )
    )
    gains = {n: acc("all", 0, n) - acc("scratch", 0, n) for n in SIZES_PER_CLASS}
    c["gain_shrinks"] = _all_of(
        _beats(gains[1], gains[SMALL], f"fine-tune minus scratch, 1 vs {SMALL}/class"),
        _beats(gains[SMALL], gains[100], f"fine-tune minus scratch, {SMALL} vs 100/class"),
    )
    c["all_beats_scratch_large"] = _beats(
        acc("all", 0, LARGE), acc("scratch", 0, LARGE), f"all vs scratch at {LARGE}/class"
    )
    c["all_beats_head_100"] = _beats(acc("all", 0, 100), acc("head", 0, 100), "at 100/class")
    c["scratch_beats_head_100"] = _beats(
        acc("scratch", 0, 100), acc("head", 0, 100), "at 100/class"
    )
    # DL0005: learning curves (validation) and training loss at SMALL
    loss_head = tuned("head", 0, SMALL, seed_set)["losses"][:, -1]
    loss_scratch = tuned("scratch", 0, SMALL, seed_set)["losses"][:, -1]
    c["head_higher_loss_better_test"] = _all_of(
        _beats(
            1000 * loss_head, 1000 * loss_scratch, "final training loss x 1000, head vs scratch"
        ),
        _beats(acc("head", 0, SMALL), acc("scratch", 0, SMALL), "test accuracy, head vs scratch"),
    )
    # DL0005: domain gap
    c["trained_backbone_beats_scratch_15_small"] = _all_of(
        *(
            _beats(acc(m, 15, SMALL), acc("scratch", 15, SMALL), f"{m} vs scratch at 15°")
            for m in ("early", "all", "gradual")
        )
    )
    c["all_beats_scratch_15_large"] = _beats(
        acc("all", 15, LARGE), acc("scratch", 15, LARGE), f"at 15°, {LARGE}/class"
    )
    c["frozen_90_below_scratch"] = _all_of(
        *(
            _beats(acc("scratch", 90, n), acc(m, 90, n), f"scratch vs {m} at 90°, {n}/class")
            for n in (SMALL, LARGE)
            for m in ("head", "early")
        )
    )
    c["features_90_no_better_than_random"] = _all_of(
        *(
            _not_ahead(acc(m, 90, n), acc(r, 90, n), f"90° vs random backbone, {m}, {n}/class")
            for n in (SMALL, LARGE)
            for m, r in (("head", "random_head"), ("all_low", "random_low"))
        )
    )
    c["all_90_level_with_scratch"] = _all_of(
        *(
            _level({"all": acc("all", 90, n), "scratch": acc("scratch", 90, n)}, f"90°, {n}/class")
            for n in (SMALL, LARGE)
        )
    )
    c["low_rate_90_below_scratch"] = _all_of(
        *(
            _beats(
                acc("scratch", 90, n), acc("all_low", 90, n), f"scratch vs all at 0.1x, {n}/class"
            )
            for n in (SMALL, LARGE)
        )
    )
    c["tuned_rate_90_beats_low"] = _all_of(
        *(
            _beats(acc("all", 90, n), acc("all_low", 90, n), f"tuned vs 0.1x at 90°, {n}/class")
            for n in (SMALL, LARGE)
        )
    )
    # DL0005: the Glorot-sized head
    xavier, small = acc("xavier", 0, SMALL), acc("head", 0, SMALL)
    ratio = np.std(xavier, ddof=1) / np.std(small, ddof=1)
    c["xavier_head_unreliable"] = (
        bool(small.min() - xavier.min() > np.std(small, ddof=1) and ratio > 3),
        f"worst seed {xavier.min():.1f} (Glorot head) vs {small.min():.1f} (small head); "
        f"seed spread {np.std(xavier, ddof=1):.1f} vs {np.std(small, ddof=1):.1f} ({ratio:.1f}x)",
    )
    # DL0006: strategies
    c["backbone_strategies_level_0_small"] = _level(
        {m: acc(m, 0, SMALL) for m in ("early", "all", "gradual")}, f"0°, {SMALL}/class"
    )
    c["head_close_to_backbone_0_small"] = _all_of(
        *(
            _within(acc(m, 0, SMALL), acc("head", 0, SMALL), HEAD_TOLERANCE, f"{m} vs head")
            for m in ("early", "all", "gradual")
        )
    )
    c["strategies_beat_scratch_0_small"] = _all_of(
        *(
            _beats(acc(m, 0, SMALL), acc("scratch", 0, SMALL), f"{m} vs scratch at 0°")
            for m in STRATEGIES
        )
    )
    c["all_never_behind"] = _all_of(
        *(
            _not_ahead(acc(m, a, n), acc("all", a, n), f"{m} vs all at {a}°, {n}/class")
            for a in ANGLES
            for n in (SMALL, LARGE)
            for m in ("head", "early", "gradual")
        )
    )
    c["trained_backbones_level_0_large"] = _level(
        {m: acc(m, 0, LARGE) for m in ("early", "all", "gradual")}, f"0°, {LARGE}/class"
    )
    c["backbone_beats_head_15_large"] = _all_of(
        *(
            _beats(acc(m, 15, LARGE), acc("head", 15, LARGE), f"{m} vs head at 15°, {LARGE}")
            for m in ("early", "all", "gradual")
        )
    )
    c["early_beats_head_15_small"] = _beats(
        acc("early", 15, SMALL), acc("head", 15, SMALL), f"early vs head at 15°, {SMALL}"
    )
    c["all_level_with_gradual_15_large"] = _level(
        {m: acc(m, 15, LARGE) for m in ("all", "gradual")}, f"15°, {LARGE}/class"
    )
    c["more_layers_better_90"] = _all_of(
        *(
            _beats(acc(hi, 90, n), acc(lo, 90, n), f"{hi} vs {lo} at 90°, {n}/class")
            for n in (SMALL, LARGE)
            for lo, hi in (("head", "early"), ("early", "all"))
        )
    )
    # DL0006: the backbone's rate (validation accuracy), and how far it moves the first layer
    sweep = backbone_rate_sweep(seed_set)
    r0 = sweep[(0, SMALL)]["val"]
    c["rate_matters_little_0_small"] = _level(
        {f"ratio {x:g}": row for x, row in zip((0, *BACKBONE_RATIOS), r0) if x <= 10},
        f"validation, 0°, {SMALL}/class",
    )
    r90 = sweep[(90, LARGE)]["val"]
    c["high_rate_wins_90"] = _beats(
        r90[-1],
        r90[1],
        f"validation, 90°, {LARGE}/class, ratio {BACKBONE_RATIOS[-1]:g} vs {BACKBONE_RATIOS[0]:g}",
    )
    drift = np.array([r["drift"].mean(axis=1) for r in sweep.values()])
    c["drift_grows_with_rate"] = (
        bool(np.all(np.diff(drift, axis=1) > 0)),
        "mean first-layer change (%) per ratio, every case: "
        + "; ".join(" < ".join(f"{d:.1f}" for d in row) for row in drift),
    )
    # DL0006: batch norm
    bn = bn_demo(seed_set)
    dev = float(np.max(np.abs(bn["fraction"] - bn["expected"])))
    c["bn_follows_expectation"] = (
        bool(dev < 0.1),
        f"largest gap to 1 - {1 - BN_MOMENTUM:g}^k over {BN_STEPS} batches: {100 * dev:.1f} points",
    )
    c["bn_changes_frozen_layer"] = (
        bool(bn["output_change"] > 0.1 and bn["batch_noise"] > 0.1),
        f"output change {bn['output_change']:.2f} sd, batch-to-batch noise "
        f"{bn['batch_noise']:.2f} sd per feature",
    )
    return c
