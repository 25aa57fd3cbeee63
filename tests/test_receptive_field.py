"""Tests for the receptive-field reference code: snippets/receptive_field.py (the recurrence,
holes, tracking, border prediction), conv_geometry.py, conv_stack.py (the numpy check) and
network_layers.py (published values), all through their public path snippets.receptive_field."""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import receptive_field as rf
from snippets.receptive_field import Field, Layer

# --- helpers written here, independently of the reference code --------------------------------


def min_input(layers) -> int:
    """Smallest input length with at least one output: n >= (need - 1)s + k_eff - 2p, backwards."""
    need = 1
    for layer in reversed(layers):
        k_eff = layer.dilation * (layer.kernel - 1) + 1
        need = max(1, (need - 1) * layer.stride + k_eff - 2 * layer.padding)
    return need


def path_counts(layers, n: int) -> np.ndarray:
    """(outputs, inputs) matrix: number of tap paths from each input pixel to each output,
    built from one 0/1 connection matrix per layer (padding connects to nothing)."""
    M = np.eye(n, dtype=np.int64)
    for layer in layers:
        k_eff = layer.dilation * (layer.kernel - 1) + 1
        n_out = (n + 2 * layer.padding - k_eff) // layer.stride + 1
        A = np.zeros((n_out, n), dtype=np.int64)
        for i in range(n_out):
            for t in range(layer.kernel):
                j = i * layer.stride - layer.padding + t * layer.dilation
                if 0 <= j < n:
                    A[i, j] = 1
        M, n = A @ M, n_out
    return M


@st.composite
def layer_lists(draw, max_layers: int = 4, kinds=("conv", "conv", "avgpool"), max_dilation=3):
    """A random stack: conv padding up to k_eff - 1 (beyond half), pool padding up to half."""
    layers = []
    for _ in range(draw(st.integers(1, max_layers))):
        kind = draw(st.sampled_from(kinds))
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        d = draw(st.integers(1, max_dilation))
        k_eff = d * (k - 1) + 1
        p = draw(st.integers(0, k_eff - 1 if kind == "conv" else k_eff // 2))
        layers.append(Layer(k, s, p, d, kind))
    return layers


@st.composite
def stacks(draw, **kwargs):
    """A random stack, an input length from the smallest possible to 14 more, an output index."""
    layers = draw(layer_lists(**kwargs))
    n = min_input(layers) + draw(st.integers(0, 14))
    n_out = path_counts(layers, n).shape[0]
    index = draw(st.integers(0, n_out - 1))
    return layers, n, index


# conv3 p1, conv3 p1, pool2 s2, conv3 d2 p2 (k_eff 5), conv3 s2 p1, conv3 p1: the page's example
HAND_EXAMPLE = [
    Layer(3, 1, 1),
    Layer(3, 1, 1),
    Layer(2, 2, 0, kind="maxpool"),
    Layer(3, 1, 2, dilation=2),
    Layer(3, 2, 1),
    Layer(3, 1, 1),
]

# --- the recurrence ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "s", "p", "d"), [(1, 1, 0, 1), (3, 1, 1, 1), (3, 2, 0, 3), (7, 2, 3, 1)]
)
def test_one_layer_field_is_its_effective_kernel(k, s, p, d):
    (f,) = rf.receptive_field([Layer(k, s, p, d)])
    assert f == Field(d * (k - 1) + 1, s, p)


def test_stacked_3x3_grow_by_two_per_layer():
    sizes = [f.size for f in rf.receptive_field([Layer(3, padding=1)] * 5)]
    assert sizes == [3, 5, 7, 9, 11]
    assert [f.padding for f in rf.receptive_field([Layer(3, padding=1)] * 5)] == [1, 2, 3, 4, 5]


def test_worked_example_by_hand():
    # conv3 p1, conv3 p1, pool2 s2, conv3 d2 p2 (k_eff 5), conv3 s2 p1, conv3 p1:
    # r: 1+2=3, +2=5, +1·1=6, +4·2=14, +2·2=18, +2·4=26; S: 1,1,2,2,4,4;
    # P: 1, 2, 2, 2+2·2=6, 6+1·2=8, 8+1·4=12
    fields = rf.receptive_field(HAND_EXAMPLE)
    assert [f.size for f in fields] == [3, 5, 6, 14, 18, 26]
    assert [f.stride for f in fields] == [1, 1, 2, 2, 4, 4]
    assert [f.padding for f in fields] == [1, 2, 2, 6, 8, 12]
    # input 32 -> 32, 32, 16, 16, 8, 8 outputs; output 3 sees 3·4 - 12 = 0 … 25
    assert rf.output_sizes(HAND_EXAMPLE, 32) == [32, 32, 16, 16, 8, 8]
    assert rf.field_of(HAND_EXAMPLE, 3) == (0, 25)
    assert rf.field_of(HAND_EXAMPLE, 0) == (-12, 13)
    assert rf.field_of(HAND_EXAMPLE, 0, 32) == (0, 13)
    assert rf.field_of(HAND_EXAMPLE, 7, 32) == (16, 31)  # 16 … 41, clipped at 31


@settings(max_examples=80, deadline=None)
@given(layer_lists(max_layers=10, kinds=("conv", "avgpool", "maxpool")))
def test_closed_form_equals_recurrence(layers):
    assert rf.receptive_field_closed_form(layers) == rf.receptive_field(layers)


def test_stride_multiplies_later_growth():
    # the same 3×3 layer adds 2 pixels after stride 1, 2·2·2 = 8 after three stride-2 layers
    before = rf.receptive_field([Layer(2, 2)] * 3)[-1]
    after = rf.receptive_field([Layer(2, 2)] * 3 + [Layer(3)])[-1]
    assert before.stride == 8 and after.size - before.size == 2 * 8


def test_dilation_doubling_grows_like_stride_doubling_but_keeps_resolution():
    dilated = rf.receptive_field([Layer(3, 1, 2**i, 2**i) for i in range(6)])
    strided = rf.receptive_field([Layer(3, 2, 1)] * 6)
    assert [f.size for f in dilated] == [2 ** (i + 2) - 1 for i in range(6)]
    assert [f.size for f in dilated] == [f.size for f in strided]
    assert dilated[-1].stride == 1 and strided[-1].stride == 64


def test_two_3x3_see_what_one_5x5_sees_with_fewer_weights():
    assert rf.receptive_field([Layer(3)] * 2)[-1].size == rf.receptive_field([Layer(5)])[0].size
    assert rf.receptive_field([Layer(3)] * 3)[-1].size == 7


def test_field_record_access():
    f = Field(7, 2, 3)
    assert f.size == f[0] == f["size"] == 7
    assert f["stride"] == 2 and f["padding"] == 3
    assert tuple(f) == (7, 2, 3) and f._asdict() == {"size": 7, "stride": 2, "padding": 3}
    assert f.interval(4) == (5, 11)
    with pytest.raises(KeyError):
        f["kernel"]


def test_field_of_accepts_layers_fields_or_one_of_them():
    layers = [Layer(3, 2, 1), Layer(3, 1, 1)]
    fields = rf.receptive_field(layers)
    assert rf.field_of(layers, 2) == rf.field_of(fields, 2) == rf.field_of(fields[-1], 2)
    assert rf.field_of(layers, 2) == (2 * 2 - 3, 2 * 2 - 3 + 6)
    assert rf.field_of(Layer(3, 1, 1), 0) == (-1, 1)


def test_field_in_padding_only_is_none_and_index_is_checked():
    # padding 3 > k_eff - 1: output 0 of a 1×1 conv sees only padding
    assert rf.field_of([Layer(1, 1, 3)], 0, 4) is None
    assert rf.field_of([Layer(1, 1, 3)], 3, 4) == (0, 0)
    assert rf.track_support([Layer(1, 1, 3)], 4, 0).size == 0
    with pytest.raises(ValueError, match="index"):
        rf.field_of([Layer(3)], 8, 10)  # 10 pixels, 3×3 valid: outputs 0 … 7


# --- published values (Araujo, Norris & Sim 2019; google-research/receptive_field table) -----


def at(layers, name):
    fields = rf.receptive_field(layers)
    return tuple(fields[[x.name for x in layers].index(name)])


def test_vgg16_matches_the_published_end_points():
    published = {
        "conv1_1": (3, 1, 1),
        "pool1": (6, 2, 2),
        "conv2_1": (10, 2, 4),
        "pool2": (16, 4, 6),
        "conv3_1": (24, 4, 10),
        "conv3_2": (32, 4, 14),
        "pool3": (44, 8, 18),
        "conv4_1": (60, 8, 26),
        "conv4_2": (76, 8, 34),
        "pool4": (100, 16, 42),
        "conv5_1": (132, 16, 58),
        "conv5_2": (164, 16, 74),
        "pool5": (212, 32, 90),
    }
    layers = rf.vgg16()
    assert {name: at(layers, name) for name in published} == published


def test_alexnet_v2_matches_the_published_end_points():
    published = {
        "conv1": (11, 4, 0),
        "pool1": (19, 8, 0),
        "conv2": (51, 8, 16),
        "conv3": (99, 16, 32),
        "conv4": (131, 16, 48),
        "conv5": (163, 16, 64),
        "pool5": (195, 32, 64),
    }
    layers = rf.alexnet_v2_slim()
    assert {name: at(layers, name) for name in published} == published


@pytest.mark.parametrize(
    ("size", "paddings"), [(224, (15, 47, 143, 239)), (321, (17, 49, 145, 241))]
)
def test_resnet_v1_50_matches_the_published_blocks(size, paddings):
    # the padding depends on the input size through pool1's SAME padding
    layers = rf.resnet50_slim(size)
    blocks = [at(layers, f"block{b}") for b in (1, 2, 3, 4)]
    assert blocks == list(zip((35, 99, 291, 483), (8, 16, 32, 32), paddings))


@pytest.mark.parametrize(
    ("size", "paddings"),
    [
        (224, (0, 2, 2, 6, 6, 14, 14, 30, 46, 62, 78, 94, 94, 126)),
        (321, (1, 3, 5, 9, 13, 21, 29, 45, 61, 77, 93, 109, 125, 157)),
    ],
)
def test_mobilenet_v1_matches_the_published_end_points(size, paddings):
    layers = rf.mobilenet_v1_slim(size)
    names = ["Conv2d_0"] + [f"Conv2d_{i}_pointwise" for i in range(1, 14)]
    sizes = (3, 7, 11, 19, 27, 43, 59, 91, 123, 155, 187, 219, 251, 315)
    strides = (2, 2, 4, 4, 8, 8, 16, 16, 16, 16, 16, 16, 32, 32)
    assert [at(layers, n) for n in names] == list(zip(sizes, strides, paddings))


def test_torchvision_variants_by_hand():
    # AlexNet: same sizes as alexnet_v2, padding 2 + 2·8 + 3·(1·16) = 66
    assert tuple(rf.receptive_field(rf.alexnet_torchvision())[-1]) == (195, 32, 66)
    # ResNet-50 v1.5: the strided 3×3 of layers 2-4 works at the finer stride (4, 8, 16
    # instead of 8, 16, 32): 483 - 2·(4 + 8 + 16) = 427; maxpool padding 1 adds 1·2 to 239 - 28
    r = rf.receptive_field(rf.resnet50_torchvision())[-1]
    assert tuple(r) == (483 - 2 * (4 + 8 + 16), 32, 239 + 2 - (4 + 8 + 16))


def test_original_resnet50_by_hand():
    # conv1 7/2 p3 -> 7, S 2, P 3; pool1 3/2 p0 -> 11, S 4, P 3; stage 2: three 3×3 at S 4
    # -> 35, P 15; each later stage strides in its first 1×1, so all its 3×3 work at S 8, 16, 32
    layers = rf.resnet50_caffe()
    got = [at(layers, name) for name in ("res2c", "res3d", "res4f", "res5c")]
    assert got == [
        (35, 4, 15),
        (35 + 4 * 16, 8, 15 + 4 * 8),
        (99 + 6 * 32, 16, 47 + 6 * 16),
        (291 + 3 * 64, 32, 143 + 3 * 32),
    ]


@pytest.mark.parametrize(
    ("k", "s", "n", "before"),
    [(3, 1, 10, 1), (3, 2, 112, 0), (3, 2, 161, 1), (7, 2, 224, 2), (1, 1, 5, 0), (5, 1, 9, 2)],
)
def test_same_padding_by_hand(k, s, n, before):
    # TF: total = max(k - (n mod s or s), 0), before = total // 2
    assert rf.same_padding(k, s, n) == before


# --- the empirical check: input gradients have the predicted support --------------------------


@settings(max_examples=60, deadline=None)
@given(stacks())
def test_gradient_support_matches_tracking_and_prediction(case):
    layers, n, index = case
    got = np.flatnonzero(rf.gradient_support(layers, n, index))
    # three independent answers for the same set of pixels
    np.testing.assert_array_equal(got, rf.track_support(layers, n, index))
    np.testing.assert_array_equal(got, np.flatnonzero(path_counts(layers, n)[index]))
    first, last = rf.field_of(layers, index)
    assert np.all((got >= first) & (got <= last))  # never outside the predicted field
    if first >= 0 and last <= n - 1:  # field inside the image: extent exact, holes as predicted
        assert got[0] == first and got[-1] == last
        np.testing.assert_array_equal(got, first + rf.reachable_offsets(layers))


@settings(max_examples=80, deadline=None)
@given(stacks(kinds=("conv", "avgpool"), max_dilation=1))
def test_clipped_extent_is_exact_without_dilation_holes_or_dropped_pixels(case):
    # at the border, dilation can skip the few valid positions of a layer below (a hole that
    # lands on the image edge), and floor division can drop the last pixels; without either,
    # clipping the predicted interval to the image is exact
    layers, n, index = case
    lengths = [n, *rf.output_sizes(layers, n)]
    dropped = any((m + 2 * x.padding - x.k_eff) % x.stride for x, m in zip(layers, lengths[:-1]))
    field = rf.receptive_field(layers)[-1]
    if dropped or len(rf.reachable_offsets(layers)) < field.size:
        return
    got = np.flatnonzero(rf.gradient_support(layers, n, index))
    assert rf.field_of(layers, index, n) == ((got[0], got[-1]) if got.size else None)


@pytest.mark.parametrize(
    ("layers", "n", "index", "inside"),
    [
        ([Layer(3, 1, 1), Layer(2, 2), Layer(3, 1, 1, 2)], 20, 4, True),
        ([Layer(3, 1, 1), Layer(2, 2), Layer(3, 1, 1)], 20, 0, False),
        ([Layer(5, 2, 2), Layer(3, 2, 1, kind="avgpool"), Layer(3, 1, 1)], 30, 3, True),
        ([Layer(5, 2, 2), Layer(3, 2, 1, kind="avgpool"), Layer(3, 1, 1)], 30, 7, False),
    ],
)
def test_support_inside_and_clipped(layers, n, index, inside):
    got = np.flatnonzero(rf.gradient_support(layers, n, index))
    first, last = rf.field_of(layers, index)
    assert (first >= 0 and last < n) == inside
    assert (got[0], got[-1]) == (max(first, 0), min(last, n - 1))


def test_a_dilation_hole_on_the_border_trims_the_clipped_field():
    # field of output 0: size 4 + 4·2 = 12, padding 1 + 1·2 = 3, so -3 … 8, clipped 0 … 8;
    # but the d = 2 layer's taps for output 0 are positions -1, 1, 3 of the map below: -1 is
    # padding, and position 0 (which alone reads pixel 0) is skipped
    layers = [Layer(3, 1, 1), Layer(2, 2), Layer(3, 1, 1, 2)]
    assert rf.field_of(layers, 0, 20) == (0, 8)
    got = np.flatnonzero(rf.gradient_support(layers, 20, 0))
    assert (got[0], got[-1]) == (1, 8)
    np.testing.assert_array_equal(got, rf.track_support(layers, 20, 0))


def test_pixels_dropped_by_floor_division_are_never_seen():
    # 7 pixels, 2×2 stride 2: outputs read 0-1, 2-3, 4-5; pixel 6 is dropped, so the 3×3 layer
    # above, whose last output is predicted to see 2 … 7 (clipped 2 … 6), sees 2 … 5
    layers = [Layer(2, 2), Layer(3, 1, 1)]
    assert rf.field_of(layers, 2, 7) == (2, 6)
    np.testing.assert_array_equal(np.flatnonzero(rf.gradient_support(layers, 7, 2)), [2, 3, 4, 5])


def test_dilation_leaves_holes_but_not_in_the_extent():
    layers = [Layer(3, 1, 0, 2)]  # taps 0, 2, 4
    got = np.flatnonzero(rf.gradient_support(layers, 12, 3))
    np.testing.assert_array_equal(got, [3, 5, 7])
    assert rf.field_of(layers, 3) == (3, 7)
    # two d = 2 layers reach only even offsets; d = 1 then d = 2 fills them in
    np.testing.assert_array_equal(rf.reachable_offsets([Layer(3, 1, 0, 2)] * 2), [0, 2, 4, 6, 8])
    np.testing.assert_array_equal(rf.reachable_offsets([Layer(3), Layer(3, 1, 0, 2)]), np.arange(7))
    # a 1×1 stride-2 layer under a 3×3 reads every other pixel: holes without dilation
    np.testing.assert_array_equal(rf.reachable_offsets([Layer(1, 2), Layer(3)]), [0, 2, 4])


def test_2d_support_is_the_product_of_the_1d_supports():
    layers = [Layer(3, 2, 1), Layer(3, 1, 2, 2, "avgpool"), Layer(2, 1, 0)]
    n = 13
    for index in [(0, 2), (3, 1), (2, 2)]:
        got = rf.gradient_support(layers, n, index, nd=2, seed=4)
        rows = np.zeros(n, bool)
        cols = np.zeros(n, bool)
        rows[rf.track_support(layers, n, index[0])] = True
        cols[rf.track_support(layers, n, index[1])] = True
        np.testing.assert_array_equal(got, np.outer(rows, cols))


def test_gradient_with_unit_weights_counts_paths():
    layers = [Layer(3, 1, 1), Layer(3, 2, 2, 2), Layer(2, 1, 1)]
    n = 15
    W = [np.ones((1, 1, 3)), np.ones((1, 1, 3)), np.ones((1, 1, 2))]
    counts = path_counts(layers, n)
    for index in range(counts.shape[0]):
        g = rf.stack_input_grad(layers, np.zeros((1, 1, n)), W, index)[0, 0]
        np.testing.assert_array_equal(g, counts[index])


def test_a_pixel_lost_to_an_intermediate_layers_padding():
    # the second reviewer's case: pixel 0 is inside the field, not a hole and not dropped, but
    # its only path runs through position -1 (padding) of the map below the last layer
    layers = [Layer(2, 3, 1), Layer(4, 1, kind="avgpool"), Layer(2, 2, 1, 2, "avgpool")]
    pred = rf.border_prediction(layers, 14, 0)
    got = np.flatnonzero(rf.gradient_support(layers, 14, 0))
    np.testing.assert_array_equal(got, pred["predicted"])
    np.testing.assert_array_equal(pred["padding"], [0])
    assert pred["dropped"].size == 0 and 0 not in pred["holes"]
    # pixel 6 of 7 is dropped by the 2×2 stride-2 layer
    pred = rf.border_prediction([Layer(2, 2), Layer(3, 1, 1)], 7, 2)
    np.testing.assert_array_equal(pred["dropped"], [6])
    np.testing.assert_array_equal(pred["predicted"], [2, 3, 4, 5])


@settings(max_examples=60, deadline=None)
@given(stacks())
def test_border_prediction_equals_the_gradient_support(case):
    layers, n, index = case
    pred = rf.border_prediction(layers, n, index)
    got = np.flatnonzero(rf.gradient_support(layers, n, index))
    np.testing.assert_array_equal(got, pred["predicted"])
    # the causes partition the clipped interval's missing pixels
    parts = np.concatenate([pred[c] for c in rf.CAUSES] + [pred["predicted"]])
    np.testing.assert_array_equal(np.sort(parts), pred["clipped"])


def test_tap_paths_by_hand():
    paths = rf.tap_paths([Layer(2, 2, 1), Layer(3, 1, 1)], 1)
    assert paths.shape == (6, 3)
    assert set(map(tuple, paths[:, 1:])) == {(0, 1), (1, 1), (2, 1)}
    # map-1 position j reads input 2j - 1 and 2j
    assert sorted(paths[:, 0]) == [-1, 0, 1, 2, 3, 4]


def test_dropped_pixels_by_hand():
    # 7 pixels, 2×2 stride 2: (7 - 2) % 2 = 1, pixel 6 dropped; 8 pixels: none dropped
    assert rf.drops_pixels([Layer(2, 2)], 7) and not rf.drops_pixels([Layer(2, 2)], 8)
    assert not rf.drops_pixels([Layer(3, 1, 1)] * 3, 5)  # stride 1 never drops


# --- the numpy layers ---------------------------------------------------------------------------


def test_conv_by_hand():
    X = np.array([[[1.0, 2.0, 3.0, 4.0]]])
    W = np.array([[[1.0, 0.0, -1.0]]])
    # padding 1: [0,1,2,3,4,0] -> 0-2, 1-3, 2-4, 3-0
    np.testing.assert_array_equal(rf.conv(X, W, padding=1), [[[-2.0, -2.0, -2.0, 3.0]]])
    # dilation 2, stride 1, padding 2: taps j-2, j, j+2
    np.testing.assert_array_equal(rf.conv(X, W, padding=2, dilation=2), [[[-3, -4, 1, 2]]])
    np.testing.assert_array_equal(rf.conv(X, W, stride=2, padding=1), [[[-2.0, -2.0]]])


@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize(("s", "p", "d"), [(1, 0, 1), (2, 1, 1), (1, 2, 2), (3, 3, 2)])
def test_conv_naive_equals_vectorized(nd, s, p, d):
    rng = np.random.default_rng(nd * 100 + s * 10 + p + d)
    X = rng.normal(size=(2, 3, *(9,) * nd))
    W = rng.normal(size=(4, 3, *(3,) * nd))
    np.testing.assert_allclose(
        rf.conv(X, W, s, p, d), rf.conv_naive(X, W, s, p, d), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("nd", [1, 2])
@pytest.mark.parametrize(("s", "p", "d"), [(1, 1, 1), (2, 0, 1), (2, 3, 2)])
def test_conv_input_grad_is_the_adjoint(nd, s, p, d):
    rng = np.random.default_rng(7 + nd + s + p + d)
    X = rng.normal(size=(2, 2, *(8,) * nd))
    W = rng.normal(size=(3, 2, *(3,) * nd))
    Y = rf.conv(X, W, s, p, d)
    G = rng.normal(size=Y.shape)
    # <conv(X), G> = <X, conv^T(G)> for a linear map
    lhs = np.sum(Y * G)
    rhs = np.sum(X * rf.conv_input_grad(G, W, X.shape, s, p, d))
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_conv_input_grad_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1, 2, 7))
    W = rng.normal(size=(2, 2, 3))
    G = rng.normal(size=rf.conv(X, W, 2, 2, 2).shape)
    analytic = rf.conv_input_grad(G, W, X.shape, 2, 2, 2)
    numeric = np.zeros_like(X)
    h = 1e-5
    for idx in np.ndindex(X.shape):
        up, down = X.copy(), X.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (
            np.sum(rf.conv(up, W, 2, 2, 2) * G) - np.sum(rf.conv(down, W, 2, 2, 2) * G)
        ) / (2 * h)
    err = np.linalg.norm(analytic - numeric) / max(
        1e-8, np.linalg.norm(analytic) + np.linalg.norm(numeric)
    )
    assert err <= 1e-7


def test_pooling_by_hand():
    X = np.array([[[1.0, 5.0, 2.0, 0.0, 3.0]]])
    np.testing.assert_allclose(rf.avg_pool(X, 2, 2), [[[3.0, 1.0]]])
    # padding 1 counts the padded zero in the mean: [0,1] [5,2] [0,3]
    np.testing.assert_allclose(rf.avg_pool(X, 2, 2, 1), [[[0.5, 3.5, 1.5]]])
    np.testing.assert_allclose(rf.max_pool(-X, 2, 2, 1), [[[-1.0, -2.0, 0.0]]])  # pad never wins
    np.testing.assert_allclose(rf.max_pool(X, 3, 1), [[[5.0, 5.0, 3.0]]])
    # overlapping windows: 5 wins twice, 3 once
    g = rf.max_pool_input_grad(np.ones((1, 1, 3)), X, 3, 1)
    np.testing.assert_allclose(g, [[[0.0, 2.0, 0.0, 0.0, 1.0]]])
    g = rf.avg_pool_input_grad(np.ones((1, 1, 2)), X.shape, 2, 2)
    np.testing.assert_allclose(g, [[[0.5, 0.5, 0.5, 0.5, 0.0]]])


def test_max_pool_2d_gradient_by_finite_differences():
    rng = np.random.default_rng(3)
    X = rng.permutation(50).reshape(1, 2, 5, 5).astype(float)  # distinct: no ties, no kinks
    G = rng.normal(size=rf.max_pool(X, 3, 2, 1).shape)
    analytic = rf.max_pool_input_grad(G, X, 3, 2, 1)
    numeric = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        up, down = X.copy(), X.copy()
        up[idx] += 1e-5
        down[idx] -= 1e-5
        numeric[idx] = np.sum((rf.max_pool(up, 3, 2, 1) - rf.max_pool(down, 3, 2, 1)) * G) / 2e-5
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


# --- effective receptive field -----------------------------------------------------------------


def test_uniform_erf_is_the_trinomial_distribution():
    depth, n = 6, 21
    W = [np.full((1, 1, 3), 1 / 3)] * depth
    g = rf.stack_input_grad([Layer(3, 1, 1)] * depth, np.zeros((1, 1, n)), W, n // 2)[0, 0]
    want = np.array([1.0])
    for _ in range(depth):
        want = np.convolve(want, np.ones(3) / 3)
    np.testing.assert_allclose(g[n // 2 - depth : n // 2 + depth + 1], want, rtol=1e-12)
    assert g.sum() == pytest.approx(1.0)
    # variance of a sum of `depth` uniform {-1, 0, 1} steps: depth · 2/3
    offsets = np.arange(-depth, depth + 1)
    assert np.sum(want * offsets**2) == pytest.approx(depth * 2 / 3)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: Layer(0), ValueError, ["kernel", ">= 1", "0"]),
        (lambda: Layer(-3), ValueError, ["kernel"]),
        (lambda: Layer(3, stride=0), ValueError, ["stride"]),
        (lambda: Layer(3, padding=-1), ValueError, ["padding", ">= 0"]),
        (lambda: Layer(3, dilation=0), ValueError, ["dilation"]),
        (lambda: Layer(3.0), TypeError, ["kernel", "int", "3.0"]),
        (lambda: Layer(math.nan), TypeError, ["kernel", "nan"]),
        (lambda: Layer(3, stride=math.inf), TypeError, ["stride"]),
        (lambda: Layer("3"), TypeError, ["kernel", "str"]),
        (lambda: Layer(True), TypeError, ["kernel", "bool"]),
        (lambda: Layer(3, padding=None), TypeError, ["padding"]),
        (lambda: Layer(3, kind="pool"), ValueError, ["kind", "maxpool"]),
        (lambda: Layer(2, 2, 2, kind="maxpool"), ValueError, ["padding", "at most 1"]),
        (lambda: rf.receptive_field([]), ValueError, ["layers", "empty"]),
        (lambda: rf.receptive_field(None), TypeError, ["layers"]),
        (lambda: rf.receptive_field(Layer(3)), TypeError, ["layers", "single Layer"]),
        (lambda: rf.receptive_field([Layer(3), (3, 1)]), TypeError, ["layers[1]", "tuple"]),
        (lambda: rf.receptive_field_closed_form([]), ValueError, ["layers"]),
        (lambda: rf.field_of([Layer(3)], -1), ValueError, ["index"]),
        (lambda: rf.field_of([Layer(3)], 1.0), TypeError, ["index"]),
        (lambda: rf.field_of([Layer(3)], 0, 0), ValueError, ["input_size"]),
        (lambda: rf.output_sizes([Layer(7)], 5), ValueError, ["input_size", "layers[0]"]),
        (lambda: rf.track_support([Layer(3)], 5, 3), ValueError, ["index"]),
        (lambda: rf.conv(np.ones((1, 2, 5)), np.ones((1, 3, 3))), ValueError, ["W", "(C_out, 2"]),
        (lambda: rf.conv(np.ones((2, 5)), np.ones((1, 1, 3))), ValueError, ["X", "(N, C, L)"]),
        (lambda: rf.conv(np.full((1, 1, 5), np.nan), np.ones((1, 1, 3))), ValueError, ["X", "NaN"]),
        (lambda: rf.conv(np.ones((1, 1, 2)), np.ones((1, 1, 3))), ValueError, ["too small"]),
        (lambda: rf.conv(np.ones((1, 1, 5)), np.ones((1, 1, 3)), 0), ValueError, ["stride"]),
        (lambda: rf.conv("x", np.ones((1, 1, 3))), TypeError, ["X"]),
        (
            lambda: rf.conv_input_grad(np.ones((1, 1, 4)), np.ones((1, 1, 3)), (1, 1, 5)),
            ValueError,
            ["dY", "(1, 1, 3)"],
        ),
        (lambda: rf.max_pool(np.ones((1, 1, 5)), 2, 2, 2), ValueError, ["padding"]),
        (lambda: rf.drops_pixels([Layer(3)], 0), ValueError, ["input_size"]),
        (lambda: rf.border_prediction([Layer(3)], 5, 3), ValueError, ["index"]),
        (lambda: rf.tap_paths([Layer(3)], -1), ValueError, ["index"]),
        (lambda: rf.init_weights([Layer(3)], nd=3), ValueError, ["nd"]),
        (
            lambda: rf.stack_input_grad([Layer(3)], np.ones((1, 1, 5)), [np.ones((1, 1, 3))], 3),
            ValueError,
            ["index"],
        ),
        (lambda: rf.stack_forward([Layer(3)], np.ones((1, 1, 5)), []), ValueError, ["weights"]),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_layer_is_frozen_and_normalises_numpy_ints():
    layer = Layer(np.int64(3), np.int32(2))
    assert type(layer.kernel) is int and layer == Layer(3, 2)
    with pytest.raises(AttributeError):
        layer.kernel = 5  # type: ignore[misc]
    assert Layer(3, name="a") == Layer(3, name="b")  # the name is a label, not geometry


def test_public_names_keep_their_path_and_reference_modules_stay_light():
    # names moved to the concept modules are the same objects at snippets.receptive_field
    from snippets import conv_geometry, conv_stack, network_layers

    for module in (conv_geometry, conv_stack, network_layers):
        for name in dir(module):
            obj = getattr(module, name)
            if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__:
                assert getattr(rf, name) is obj, name
    # reference modules import numpy, checks and each other only: no plotting, no page module
    allowed = {"__future__", "dataclasses", "typing", "numpy", "snippets", "snippets.checks"}
    allowed |= {"snippets.conv", "snippets.pooling"}  # the one convolution and max pooling
    allowed |= {m.__name__ for m in (rf, conv_geometry, conv_stack, network_layers)}
    for module in (rf, conv_geometry, conv_stack, network_layers):
        tree = ast.parse(open(module.__file__, encoding="utf-8").read())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert imported <= allowed, (module.__name__, imported - allowed)
