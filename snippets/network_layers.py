"""Well-known CNNs as layer lists, along the longest path from the input to the last feature map.

TF-slim's alexnet_v2, vgg_16, resnet_v1_50 and mobilenet_v1 (TensorFlow "SAME" padding resolved
for the input size), torchvision's AlexNet and ResNet-50 (v1.5), and the original (Caffe)
ResNet-50. `tests/test_receptive_field.py` compares their fields with the values Araujo, Norris &
Sim (Distill, 2019) publish. The functions are imported from `snippets.receptive_field`, their
public path.
"""

from __future__ import annotations

from snippets import checks
from snippets.conv_geometry import Layer


def same_padding(kernel: int, stride: int, input_size: int, dilation: int = 1) -> int:
    """Padding before the first pixel that TensorFlow's "SAME" uses for this input length.

    SAME pads a total of max(k_eff − (n mod s or s), 0) and puts the smaller half first, so a
    3×3 stride-2 layer on an even input pads 0 before (and 1 after) while PyTorch's padding=1
    pads 1 on both sides: the same network, fields shifted by one pixel of that layer.
    """
    layer = Layer(kernel, stride, 0, dilation)
    n = checks.positive_int("input_size", input_size)
    total = max(layer.k_eff - (n % layer.stride or layer.stride), 0)
    return total // 2


def _tf_stack(specs, input_size: int) -> list[Layer]:
    """Layers from (name, kernel, stride, padding) where padding is an int or "SAME" / "VALID",
    resolved for `input_size` (TensorFlow's SAME depends on each layer's input length)."""
    n, layers = input_size, []
    for name, k, s, pad, kind in specs:
        p = same_padding(k, s, n) if pad == "SAME" else 0 if pad == "VALID" else pad
        after = {"SAME": max(k - (n % s or s), 0) - p, "VALID": 0}.get(pad, p)
        layers.append(Layer(k, s, p, kind=kind, name=name))
        n = (n + p + after - k) // s + 1
    return layers


def alexnet_v2_slim() -> list[Layer]:
    """TF-slim alexnet_v2 up to pool5 (conv1 and the pools VALID, the other convs SAME)."""
    c, m = "conv", "maxpool"
    specs = [("conv1", 11, 4, "VALID", c), ("pool1", 3, 2, "VALID", m)]
    specs += [("conv2", 5, 1, "SAME", c), ("pool2", 3, 2, "VALID", m)]
    specs += [(f"conv{i}", 3, 1, "SAME", c) for i in (3, 4, 5)]
    specs += [("pool5", 3, 2, "VALID", m)]
    return _tf_stack(specs, 224)


def alexnet_torchvision() -> list[Layer]:
    """torchvision's AlexNet features (conv1 11×11 stride 4 padding 2) up to the last pool."""
    return [
        Layer(11, 4, 2, name="conv1"),
        Layer(3, 2, 0, kind="maxpool", name="pool1"),
        Layer(5, 1, 2, name="conv2"),
        Layer(3, 2, 0, kind="maxpool", name="pool2"),
        *(Layer(3, 1, 1, name=f"conv{i}") for i in (3, 4, 5)),
        Layer(3, 2, 0, kind="maxpool", name="pool5"),
    ]


def vgg16() -> list[Layer]:
    """VGG-16 up to pool5: 13 convolutions 3×3 padding 1, 5 max pools 2×2 stride 2 (the same
    in TF-slim and torchvision)."""
    layers = []
    for block, n_convs in enumerate((2, 2, 3, 3, 3), start=1):
        layers += [Layer(3, 1, 1, name=f"conv{block}_{j}") for j in range(1, n_convs + 1)]
        layers.append(Layer(2, 2, 0, kind="maxpool", name=f"pool{block}"))
    return layers


def resnet50_slim(input_size: int = 224) -> list[Layer]:
    """TF-slim resnet_v1_50 along its longest path, up to block4.

    conv1 7×7/2 padded 3 explicitly (conv2d_same), pool1 3×3/2 SAME, then 3, 4, 6, 3 bottleneck
    units (1×1, 3×3, 1×1). TF-slim downsamples in the *last* unit of blocks 1-3, in its 3×3
    convolution (conv2d_same: padding 1). The shortcut paths (1×1 convolutions and
    subsampling) sit centred inside this path's field, so this path sets the field.
    """
    specs = [("conv1", 7, 2, 3, "conv"), ("pool1", 3, 2, "SAME", "maxpool")]
    for b, (units, stride) in enumerate(zip((3, 4, 6, 3), (2, 2, 2, 1)), start=1):
        for u in range(1, units + 1):
            s = stride if u == units else 1
            name = f"block{b}" if u == units else f"block{b}/unit{u}"
            specs += [(f"{name}/conv1", 1, 1, 0, "conv")]
            specs += [(f"{name}/conv2", 3, s, 1 if s > 1 else "SAME", "conv")]
            specs += [(name, 1, 1, 0, "conv")]
    return _tf_stack(specs, input_size)


def resnet50_torchvision() -> list[Layer]:
    """torchvision's resnet50 ("v1.5") along its longest path, up to layer4: maxpool padding 1
    and the stride in the 3×3 convolution of the *first* unit of layers 2-4."""
    layers = [Layer(7, 2, 3, name="conv1"), Layer(3, 2, 1, kind="maxpool", name="maxpool")]
    for b, (units, stride) in enumerate(zip((3, 4, 6, 3), (1, 2, 2, 2)), start=1):
        for u in range(units):
            s = stride if u == 0 else 1
            name = f"layer{b}" if u == units - 1 else f"layer{b}.{u}"
            layers += [Layer(1, name=f"{name}.conv1"), Layer(3, s, 1, name=f"{name}.conv2")]
            layers += [Layer(1, name=name)]
    return layers


def resnet50_caffe() -> list[Layer]:
    """ResNet-50 as first released (He et al., Caffe) along its longest path, up to res5c:
    pool1 without padding, and the stride in the first 1×1 convolution of the first unit of
    stages 3-5 (a 1×1 stride-2 convolution reads one pixel in four of its input)."""
    layers = [Layer(7, 2, 3, name="conv1"), Layer(3, 2, 0, kind="maxpool", name="pool1")]
    for stage, (units, stride) in enumerate(zip((3, 4, 6, 3), (1, 2, 2, 2)), start=2):
        for u in range(units):
            name = f"res{stage}{'abcdef'[u]}"
            s = stride if u == 0 else 1
            layers += [Layer(1, s, name=f"{name}_branch2a"), Layer(3, 1, 1, name=f"{name}_2b")]
            layers += [Layer(1, name=name)]
    return layers


def mobilenet_v1_slim(input_size: int = 224) -> list[Layer]:
    """TF-slim mobilenet_v1 up to Conv2d_13_pointwise: a 3×3/2 convolution, then 13 depthwise
    3×3 + pointwise 1×1 pairs, all SAME."""
    specs = [("Conv2d_0", 3, 2, "SAME", "conv")]
    for i, s in enumerate((1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1), start=1):
        specs += [(f"Conv2d_{i}_depthwise", 3, s, "SAME", "conv")]
        specs += [(f"Conv2d_{i}_pointwise", 1, 1, "SAME", "conv")]
    return _tf_stack(specs, input_size)
