"""Transfer learning and layer freezing: a new head, frozen layers, per-layer learning rates.

A network pre-trained on a source task is reused on a target task: its layers below the output
are copied under a fresh head (`with_new_head`), and fine-tuning trains some of them. Which
layers train is a sequence of `Stage`s (`strategy_stages`: head only, freeze the early layers,
fine-tune all, gradual unfreezing); how fast each trains is a learning rate per dense layer
(`layer_lrs`, discriminative rates). Both live in the update `fine_tune_update` hands to
`snippets.training.train`: a frozen layer takes no step, yet its gradient is still computed and
passed down to the trainable layers below it. The networks are `snippets.layers.mlp`: ReLU
hidden layers and a sigmoid output (DL0005, DL0006). Re-exported here: the synthetic tasks
(`snippets.synthetic_tasks`) and what a "frozen" batch-norm layer left in training mode does
anyway (`snippets.frozen_batchnorm.bn_running_mean_drift`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snippets import backprop as bp
from snippets import checks, training
from snippets import layers as nn
from snippets.frozen_batchnorm import bn_running_mean_drift  # noqa: F401  (public path)
from snippets.synthetic_tasks import (  # noqa: F401  (public path)
    CLASS_NOISE,
    INPUT_NOISE,
    MIX_GAIN,
    MIX_WIDTH,
    N_INPUTS,
    N_NUISANCE,
    N_SIGNAL,
    NUISANCE,
    Mixer,
    blend_mixers,
    random_mixer,
    sample,
)

Params = list[tuple[np.ndarray, np.ndarray]]

ACTIVATION = "relu"  # hidden layers; the output is a sigmoid
HEAD_SCALE = 0.01  # standard deviation of a new head's initial weights
STRATEGIES = ("head", "early", "all", "gradual")


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
    # --8<-- [start:head]
    backbone = [(W.copy(), b.copy()) for W, b in params[:-1]]
    W = rng.normal(0.0, scale, size=(params[-1][0].shape[0], n_classes))
    return [*backbone, (W, np.zeros(n_classes))]
    # --8<-- [end:head]


def trainable_parameters(params, frozen=()) -> int:
    """How many weights and biases an optimizer updates: those of the layers not frozen."""
    params = bp.check_params(params)
    frozen = _frozen_set("frozen", frozen, len(params))
    # --8<-- [start:count]
    return sum(W.size + b.size for l, (W, b) in enumerate(params) if l not in frozen)
    # --8<-- [end:count]


def _frozen_set(name: str, frozen, n_layers: int) -> frozenset[int]:
    """`frozen` as a set of layer indices in 0..n_layers - 1."""
    if isinstance(frozen, (str, bytes)) or not hasattr(frozen, "__iter__"):
        raise TypeError(
            f"{name}: expected an iterable of layer indices, got {checks.describe(frozen)}"
        )
    return frozenset(checks.integer(name, i, 0, n_layers - 1) for i in frozen)


def layer_lrs(head_lr: float, n_layers: int, backbone_ratio: float, decay: float = 1.0):
    """Discriminative learning rates, one per layer (input layer first).

    The head gets `head_lr`; pre-trained layer l gets
    `head_lr · backbone_ratio · decay^(n_layers - 2 - l)`, so with `decay < 1` every layer
    further from the head learns more slowly (ULMFiT used decay = 1/2.6).
    `backbone_ratio = 0` leaves the backbone bit-identical, like freezing it.
    """
    head_lr = checks.positive_float("head_lr", head_lr)
    n_layers = checks.positive_int("n_layers", n_layers)
    backbone_ratio = checks.non_negative("backbone_ratio", backbone_ratio)
    decay = checks.number("decay", decay, 0.0, 1.0, open_min=True)
    # --8<-- [start:lrs]
    backbone = [head_lr * backbone_ratio * decay ** (n_layers - 2 - l) for l in range(n_layers - 1)]
    return backbone + [head_lr]
    # --8<-- [end:lrs]


def _rates(lr, n_layers: int) -> list[float]:
    """`lr` as one rate per layer: a float > 0 for every layer, or a list of floats >= 0."""
    if not isinstance(lr, (list, tuple, np.ndarray)):
        return [checks.positive_float("lr", lr)] * n_layers
    if len(lr) != n_layers:
        raise ValueError(f"lr: expected one learning rate per layer ({n_layers}), got {len(lr)}")
    return [checks.non_negative(f"lr[{i}]", v) for i, v in enumerate(lr)]


@dataclass(frozen=True)
class Stage:
    """A stretch of training: `epochs` epochs with the layers in `frozen` held fixed."""

    epochs: int
    frozen: frozenset[int]


def unfreeze_schedule(n_layers: int, epochs_per_stage) -> tuple[Stage, ...]:
    """Gradual unfreezing: the head alone first, then one more layer from the top per stage.

    Stage s (0-based) trains the top s + 1 layers, so it freezes layers 0 .. n_layers - 2 - s;
    the last stage trains everything. `epochs_per_stage` is one int for every stage or a list of
    `n_layers` ints.
    """
    n_layers = checks.positive_int("n_layers", n_layers)
    if not isinstance(epochs_per_stage, (list, tuple)):
        epochs = [checks.positive_int("epochs_per_stage", epochs_per_stage)] * n_layers
    elif len(epochs_per_stage) != n_layers:
        raise ValueError(
            f"epochs_per_stage: expected {n_layers} entries (one per stage), "
            f"got {len(epochs_per_stage)}"
        )
    else:
        epochs = [
            checks.positive_int(f"epochs_per_stage[{i}]", e) for i, e in enumerate(epochs_per_stage)
        ]
    # --8<-- [start:schedule]
    return tuple(Stage(epochs[s], frozenset(range(n_layers - 1 - s))) for s in range(n_layers))
    # --8<-- [end:schedule]


def strategy_stages(strategy: str, n_layers: int, epochs: int) -> tuple[Stage, ...]:
    """The stages of a freezing strategy, `epochs` epochs in all.

    "head": only the new head trains; "early": the bottom `n_layers - 2` layers stay frozen
    (the top pre-trained layer and the head train); "all": nothing is frozen; "gradual":
    `unfreeze_schedule`, the epochs split evenly over its `n_layers` stages.
    """
    strategy = checks.choice("strategy", strategy, STRATEGIES)
    n_layers = checks.integer("n_layers", n_layers, 2)  # a backbone below the head
    epochs = checks.positive_int("epochs", epochs)
    if strategy == "gradual" and epochs % n_layers:
        raise ValueError(f"epochs: expected a multiple of {n_layers} (the stages), got {epochs}")
    # --8<-- [start:strategies]
    if strategy == "head":
        return (Stage(epochs, frozenset(range(n_layers - 1))),)
    if strategy == "early":
        return (Stage(epochs, frozenset(range(n_layers - 2))),)
    if strategy == "all":
        return (Stage(epochs, frozenset()),)
    return unfreeze_schedule(n_layers, epochs // n_layers)  # "gradual"
    # --8<-- [end:strategies]


def check_stages(stages, n_layers: int) -> tuple[Stage, ...]:
    """`stages` as a tuple of `Stage`, validated against a network of `n_layers` layers."""
    if not isinstance(stages, (list, tuple)):
        raise TypeError(f"stages: expected a list of Stage, got {checks.describe(stages)}")
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


def dense_indices(layers) -> list[int]:
    """For every layer of a network, the index of the dense layer it belongs to: a `Dense`
    starts a new one, every other layer (activation, batch norm) belongs to the last `Dense`
    before it. Layers with parameters before the first `Dense` are refused."""
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(
            f"layers: expected a non-empty list of layers, got {checks.describe(layers)}"
        )
    out, l = [], -1
    for i, layer in enumerate(layers):
        l += isinstance(layer, nn.Dense)
        if l < 0 and getattr(layer, "params", None):
            raise ValueError(
                f"layers[{i}]: expected a Dense layer before any layer with parameters"
            )
        out.append(l)
    return out


def fine_tune_update(layers, lr, frozen=()) -> training.Update:
    """The update of fine-tuning, for `training.train`: per dense layer l (0 = input layer),
    p ← p − lr[l]·dp for its parameters and those of the layers that belong to it (a batch
    norm after it), and no step at all for the layers in `frozen`.

    `lr` is one float > 0 for every layer or one float >= 0 per dense layer (`layer_lrs`).
    Freezing changes only the update: backpropagation still computes a frozen layer's
    gradients and hands the error on to the layers below it.
    """
    owner = dense_indices(layers)
    lrs = _rates(lr, owner[-1] + 1)
    frozen = _frozen_set("frozen", frozen, owner[-1] + 1)

    # --8<-- [start:update]
    def update(i, layer, grads):
        l = owner[i]  # the dense layer that layers[i] belongs to
        if l in frozen:
            return  # frozen: its parameters keep their exact bits
        for p, g in zip(layer.params, grads):
            p -= lrs[l] * g  # in place, as the optimizer of `training.train` must

    return update
    # --8<-- [end:update]


def dense_params(layers) -> Params:
    """The `(W, b)` of every `Dense` of a network, copied."""
    return [(d.W.copy(), d.b.copy()) for d in layers if isinstance(d, nn.Dense)]


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
    losses : array of `1 + total epochs` training losses (`training.train`'s, stage after stage)
    """
    params = bp.check_params(params)
    stages = check_stages(stages, len(params))
    _rates(lr, len(params))
    X = checks.as_float_array("X", X, ndim=2, min_rows=1)
    if X.shape[1] != params[0][0].shape[0]:
        raise ValueError(
            f"X: expected {params[0][0].shape[0]} features (the rows of layer 0's W), "
            f"got shape {X.shape}"
        )
    if callback is not None:
        checks.function("callback", callback, "a callable(epoch, params)")
    net = nn.mlp(params, activation, output_activation)
    # --8<-- [start:fine_tune]
    losses, done = [], 0
    for stage in stages:
        update = fine_tune_update(net, lr, stage.frozen)

        def after(epoch, offset=done):  # epochs count on across stages
            if callback is not None:
                callback(offset + epoch, dense_params(net))

        stage_losses = training.train(net, X, T, stage.epochs, update, callback=after)
        losses.extend(stage_losses[1:] if losses else stage_losses)  # starts where the last ended
        done += stage.epochs
    return dense_params(net), np.array(losses)
    # --8<-- [end:fine_tune]


def predict(params, X) -> np.ndarray:
    """The network's sigmoid outputs for `X` (ReLU hidden layers)."""
    params = bp.check_params(params)
    return nn.forward(nn.mlp(params, ACTIVATION, "sigmoid"), X, training=False)[0]
