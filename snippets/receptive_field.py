"""Receptive fields of convolutional stacks: the recurrence, its closed form, holes and borders.

A stack is a list of `Layer(kernel, stride, padding, dilation)`; pooling layers are Layers too
(`kind="avgpool"` or `"maxpool"`). `receptive_field` runs the recurrence of Araujo, Norris & Sim
(Distill, 2019) and returns one `Field(size, stride, padding)` per layer: output `i` of layer `l`
sees the input pixels `i·stride − padding … i·stride − padding + size − 1`. `reachable_offsets`
finds the holes inside a field; `track_support` (integer tracking of every tap),
`gradient_support` (the input gradient of a numpy stack) and `border_prediction` (from the layer
list alone) find the pixels one output really reaches, near the border too.

The layer geometry is `snippets/conv_geometry.py`, the numpy stack whose input gradient checks
these fields `snippets/conv_stack.py`, the layer lists of well-known networks
`snippets/network_layers.py`; their public names are re-exported here. The page's experiments
are in `snippets/dl0010_receptive_field.py`.
"""

from __future__ import annotations

import numpy as np

from snippets import checks
from snippets.conv_geometry import KINDS, Field, Layer, check_layers, output_sizes  # noqa: F401
from snippets.conv_stack import (  # noqa: F401  (public path)
    avg_pool,
    avg_pool_input_grad,
    conv,
    conv_input_grad,
    conv_naive,
    init_weights,
    max_pool,
    max_pool_input_grad,
    stack_forward,
    stack_input_grad,
)
from snippets.network_layers import (  # noqa: F401  (public path)
    alexnet_torchvision,
    alexnet_v2_slim,
    mobilenet_v1_slim,
    resnet50_caffe,
    resnet50_slim,
    resnet50_torchvision,
    same_padding,
    vgg16,
)

CAUSES = ("holes", "dropped", "padding")  # why a border output reaches fewer pixels


def receptive_field(layers) -> list[Field]:
    """Receptive field of every layer of a stack, input → output order.

    Parameters
    ----------
    layers : list of Layer, the first one applied to the input

    Returns
    -------
    list of Field(size, stride, padding), one per layer

    Notes
    -----
    With :math:`k^\\text{eff}_l = d_l (k_l - 1) + 1` and :math:`r_0 = 1, S_0 = 1, P_0 = 0`:
    :math:`r_l = r_{l-1} + (k^\\text{eff}_l - 1) S_{l-1}`, :math:`S_l = S_{l-1} s_l`,
    :math:`P_l = P_{l-1} + p_l S_{l-1}`. Output :math:`i` of layer :math:`l` sees input pixels
    :math:`[\\,i S_l - P_l,\\ i S_l - P_l + r_l - 1\\,]`.
    """
    layers = check_layers(layers)
    # --8<-- [start:recurrence]
    size, stride, padding = 1, 1, 0  # the input itself: one pixel, stride 1, no offset
    fields = []
    for layer in layers:
        size += (layer.k_eff - 1) * stride  # k_eff taps, S_{l-1} input pixels apart
        padding += layer.padding * stride  # p_l of layer l-1's pixels, each S_{l-1} wide
        stride *= layer.stride
        fields.append(Field(size, stride, padding))
    return fields
    # --8<-- [end:recurrence]


def receptive_field_closed_form(layers) -> list[Field]:
    """The same numbers from the closed forms, with cumulative products instead of a loop.

    Notes
    -----
    :math:`S_l = \\prod_{i \\le l} s_i`,
    :math:`r_l = 1 + \\sum_{j \\le l} (k^\\text{eff}_j - 1) \\prod_{i < j} s_i`,
    :math:`P_l = \\sum_{j \\le l} p_j \\prod_{i < j} s_i`.
    """
    layers = check_layers(layers)
    # --8<-- [start:closed_form]
    k_eff = np.array([layer.k_eff for layer in layers], dtype=np.int64)
    s = np.array([layer.stride for layer in layers], dtype=np.int64)
    p = np.array([layer.padding for layer in layers], dtype=np.int64)
    S = np.cumprod(s)
    S_before = np.concatenate([[1], S[:-1]])  # prod_{i<j} s_i
    size = 1 + np.cumsum((k_eff - 1) * S_before)
    padding = np.cumsum(p * S_before)
    return [Field(int(a), int(b), int(c)) for a, b, c in zip(size, S, padding)]
    # --8<-- [end:closed_form]


def _last_field(layers_or_fields) -> tuple[Field, list[Layer] | None]:
    """The last Field of a stack given as Layers, Fields, one Layer or one Field."""
    if isinstance(layers_or_fields, Field):
        return layers_or_fields, None
    if isinstance(layers_or_fields, Layer):
        layers_or_fields = [layers_or_fields]
    if (
        isinstance(layers_or_fields, (list, tuple))
        and layers_or_fields
        and all(isinstance(f, Field) for f in layers_or_fields)
    ):
        return layers_or_fields[-1], None
    layers = check_layers(layers_or_fields)
    return receptive_field(layers)[-1], layers


def field_of(layers, index, input_size=None) -> tuple[int, int] | None:
    """First and last input pixel (inclusive) that output `index` of the last layer sees.

    Parameters
    ----------
    layers : list of Layer, a list of Field (the last one is used), a Layer or a Field
    index : int >= 0, position of the output along one axis
    input_size : int, optional
        Length of the input along that axis. When given, the interval is clipped to the image
        `[0, input_size - 1]`, `index` must be a valid output position (checked when `layers`
        are Layers), and `None` is returned if the field lies wholly in the padding.

    Notes
    -----
    The interval is :math:`[\\,i S_L - P_L,\\ i S_L - P_L + r_L - 1\\,]`; 2-D fields are the
    product of the intervals of the two axes.
    """
    last, layers = _last_field(layers)
    index = checks.integer("index", index, minimum=0)
    if input_size is not None:
        input_size = checks.positive_int("input_size", input_size)
        n_out = None if layers is None else output_sizes(layers, input_size)[-1]
        if n_out is not None and index >= n_out:
            raise ValueError(
                f"index: expected 0 <= index < {n_out} (outputs for input_size "
                f"{input_size}), got {index}"
            )
    # --8<-- [start:field_of]
    first, final = last.interval(index)
    if input_size is None:
        return first, final
    first, final = max(first, 0), min(final, input_size - 1)
    return (first, final) if first <= final else None
    # --8<-- [end:field_of]


def reachable_offsets(layers) -> np.ndarray:
    """Offsets inside the field (0 … size − 1) that some path of taps reaches.

    Every offset is reachable in an ordinary stack; dilation, or a kernel narrower than the
    spacing of the layer below (a 1×1 convolution with stride 2), leaves holes. Ignores the
    image border: this is the support of an output whose field lies inside the image.

    Notes
    -----
    The set is the Minkowski sum over layers of
    :math:`\\{\\,t\\, d_l\\, S_{l-1} : t = 0, \\dots, k_l - 1\\,\\}`.
    """
    layers = check_layers(layers)
    # --8<-- [start:offsets]
    offsets = np.zeros(1, dtype=np.int64)
    stride = 1
    for layer in layers:
        taps = np.arange(layer.kernel) * layer.dilation * stride
        offsets = np.unique(offsets[:, None] + taps[None, :])
        stride *= layer.stride
    return offsets
    # --8<-- [end:offsets]


def _output_index(layers, input_size, index) -> tuple[list[int], int]:
    """Map lengths [input, layer 1, …, layer L] and `index` checked against the last one."""
    n = checks.positive_int("input_size", input_size)
    lengths = [n, *output_sizes(layers, n)]
    index = checks.integer("index", index, minimum=0)
    if index >= lengths[-1]:
        raise ValueError(f"index: expected 0 <= index < {lengths[-1]}, got {index}")
    return lengths, index


def track_support(layers, input_size, index) -> np.ndarray:
    """Input pixels connected to output `index` of the last layer, by following every tap back
    through the stack and dropping positions that fall in a layer's padding (exact, integers
    only: the dependency-tracking counterpart of a gradient)."""
    layers = check_layers(layers)
    lengths, index = _output_index(layers, input_size, index)
    # --8<-- [start:track]
    positions = np.array([index])
    for layer, n_below in zip(reversed(layers), reversed(lengths[:-1])):
        taps = np.arange(layer.kernel) * layer.dilation
        below = positions[:, None] * layer.stride - layer.padding + taps[None, :]
        below = np.unique(below)
        positions = below[(below >= 0) & (below < n_below)]  # padding holds no pixel
    return positions
    # --8<-- [end:track]


def gradient_support(layers, input_size, index, nd: int = 1, seed: int = 0) -> np.ndarray:
    """Boolean mask over the input (length L, or L×L for nd=2) of the pixels whose input
    gradient is non-zero, for output `index` of a stack with positive random weights."""
    layers = check_layers(layers)
    n = checks.positive_int("input_size", input_size)
    rng = np.random.default_rng(seed)
    weights = init_weights(layers, channels=2, nd=nd, rng=rng)
    X = rng.normal(size=(1, 2, *(n,) * nd))
    g = stack_input_grad(layers, X, weights, index)
    return np.any(g != 0, axis=(0, 1))


def drops_pixels(layers, input_size) -> bool:
    """Whether some layer leaves pixels at the end of its input that no output reads (its output
    length is rounded down: (n + 2p − k_eff) is not a multiple of s)."""
    layers = check_layers(layers)
    lengths = [checks.positive_int("input_size", input_size), *output_sizes(layers, input_size)]
    return any((n + 2 * x.padding - x.k_eff) % x.stride for x, n in zip(layers, lengths[:-1]))


def tap_paths(layers, index) -> np.ndarray:
    """Every path of kernel taps from output `index` of the last layer down to the input, one
    row per path: column m is the path's position in map m (0 = the input, L = the output).

    No position is checked against any map's length: positions below 0 or past a map's end are
    where the path runs through padding. There are prod(k_l) paths.
    """
    layers = check_layers(layers)
    index = checks.integer("index", index, minimum=0)
    pos = np.array([[index]])  # columns: map L, L-1, ... (reversed at the end)
    for layer in reversed(layers):
        taps = np.arange(layer.kernel) * layer.dilation
        below = pos[:, -1:] * layer.stride - layer.padding + taps[None, :]  # (paths, k)
        pos = np.hstack([np.repeat(pos, layer.kernel, axis=0), below.reshape(-1, 1)])
    return pos[:, ::-1]


def border_prediction(layers, input_size, index) -> dict[str, np.ndarray]:
    """The pixels output `index` can reach, predicted without gradients or `track_support`,
    and the pixels of its clipped interval that are missing, by cause.

    Start from the interval clipped to the image and remove, in this order:
    `holes` (offsets no path of taps reaches, `reachable_offsets`), `dropped` (pixels past the
    end of the last field of some layer, left over when an output length is rounded down) and
    `padding` (pixels whose every tap path runs through a padded position of an intermediate
    map). What is left, `predicted`, is the set of input pixels at the end of a path that stays
    inside every map.
    """
    layers = check_layers(layers)
    lengths, index = _output_index(layers, input_size, index)
    n = lengths[0]
    fields = receptive_field(layers)
    first, last = fields[-1].interval(index)
    clipped = np.arange(max(first, 0), min(last, n - 1) + 1)
    offsets = set((first + reachable_offsets(layers)).tolist())
    no_hole = np.array([x for x in clipped if x in offsets], dtype=np.int64)
    # end of the last field of every layer: pixels past it reach no unit of that layer
    ends = [f.interval(m - 1)[1] for f, m in zip(fields, lengths[1:])]
    kept = no_hole[no_hole <= min(ends)]
    paths = tap_paths(layers, index)
    inner = paths[:, 1:-1]  # intermediate maps 1 ... L-1
    clear = np.all((inner >= 0) & (inner < np.array(lengths[1:-1])), axis=1)
    x = paths[:, 0]
    predicted = np.unique(x[clear & (x >= 0) & (x < n)])
    return {
        "clipped": clipped,
        "predicted": predicted,
        "holes": np.setdiff1d(clipped, no_hole),
        "dropped": np.setdiff1d(no_hole, kept),
        "padding": np.setdiff1d(kept, predicted),
    }
