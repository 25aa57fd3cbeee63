"""Layer tables of VGG-16 and ResNet-50, to count where a network's parameters and work sit.

A `LayerSpec` describes one layer's shape for counting (a convolution, a BatchNorm or a dense
layer), not a layer that computes anything. `vgg16_layers` and `resnet50_layers` list the layers
of the two networks at a given input size; `summarize` adds up parameters and multiply-adds of
the convolutional body and of the classifier head. The totals match torchvision's model cards.
"""

from __future__ import annotations

from dataclasses import dataclass

from snippets import checks

KINDS = ("conv", "bn", "fc")


# --8<-- [start:networks]
@dataclass(frozen=True)
class LayerSpec:
    """The shape of one layer of a network, for counting: a convolution, a BatchNorm or a
    dense layer.

    `k` is the kernel side (1 for dense layers), `out_hw` the side of the square output map (1
    for dense layers); `head` marks the layers of the classifier head.
    """

    kind: str  # "conv", "bn" or "fc"
    c_in: int
    c_out: int
    k: int = 1
    out_hw: int = 1
    bias: bool = True
    head: bool = False

    def __post_init__(self):
        checks.choice("kind", self.kind, KINDS)
        for name in ("c_in", "c_out", "k", "out_hw"):
            checks.positive_int(name, getattr(self, name))
        checks.flag("bias", self.bias)
        checks.flag("head", self.head)


def layer_params(layer: LayerSpec) -> int:
    """Weights and biases of one layer: k²·C_in·C_out (+ C_out) for a conv, C_in·C_out (+ C_out)
    for a dense layer, 2·C for a BatchNorm."""
    _check_layer(layer)
    if layer.kind == "bn":
        return 2 * layer.c_out  # scale γ and shift β (running statistics are not parameters)
    k = layer.k if layer.kind == "conv" else 1
    return k * k * layer.c_in * layer.c_out + (layer.c_out if layer.bias else 0)


def layer_macs(layer: LayerSpec) -> int:
    """Multiply-adds of one forward pass for one image (BatchNorm folds into the conv: 0)."""
    _check_layer(layer)
    if layer.kind == "bn":
        return 0
    return layer.k * layer.k * layer.c_in * layer.c_out * layer.out_hw**2


def vgg16_layers(image: int = 224) -> list[LayerSpec]:
    """VGG-16 (configuration D): 13 3×3 convs with biases, 5 max-pools, FC 4096-4096-1000."""
    image = _image_side(image)
    stages = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
    layers, c_in, side = [], 3, image
    for c_out, n in stages:
        for _ in range(n):
            layers.append(LayerSpec("conv", c_in, c_out, k=3, out_hw=side))  # padding 1 keeps size
            c_in = c_out
        side //= 2  # 2×2 max-pool, no parameters
    sizes = [c_in * side * side, 4096, 4096, 1000]  # flatten the 512×7×7 map
    layers += [LayerSpec("fc", i, o, head=True) for i, o in zip(sizes[:-1], sizes[1:])]
    return layers


def resnet50_layers(image: int = 224) -> list[LayerSpec]:
    """ResNet-50 (torchvision layout): bottleneck blocks 3-4-6-3, BatchNorm after every conv,
    convs without biases, stride 2 in the 3×3 conv, then GAP and one FC 2048 → 1000."""
    image = _image_side(image)
    side = image // 2
    layers = [LayerSpec("conv", 3, 64, k=7, out_hw=side, bias=False), LayerSpec("bn", 64, 64)]
    side //= 2  # 3×3 max-pool, stride 2
    c_in = 64
    for width, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for i in range(blocks):
            s = stride if i == 0 else 1
            out = side // s
            layers += [
                LayerSpec("conv", c_in, width, k=1, out_hw=side, bias=False),
                LayerSpec("bn", width, width),
                LayerSpec("conv", width, width, k=3, out_hw=out, bias=False),
                LayerSpec("bn", width, width),
                LayerSpec("conv", width, 4 * width, k=1, out_hw=out, bias=False),
                LayerSpec("bn", 4 * width, 4 * width),
            ]
            if i == 0:  # projection shortcut: the block changes width (and size)
                layers += [
                    LayerSpec("conv", c_in, 4 * width, k=1, out_hw=out, bias=False),
                    LayerSpec("bn", 4 * width, 4 * width),
                ]
            c_in, side = 4 * width, out
    layers.append(LayerSpec("fc", c_in, 1000, head=True))  # after GAP: 2048 numbers per image
    return layers


def summarize(layers: list[LayerSpec]) -> dict[str, int]:
    """Parameters and multiply-adds of the body (convs, BN) and of the head (dense layers)."""
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(f"layers: expected a non-empty list of LayerSpec, got {layers!r:.60}")
    out = {"body_params": 0, "head_params": 0, "body_macs": 0, "head_macs": 0}
    for layer in layers:
        _check_layer(layer)
        part = "head" if layer.head else "body"
        out[f"{part}_params"] += layer_params(layer)
        out[f"{part}_macs"] += layer_macs(layer)
    out["params"] = out["body_params"] + out["head_params"]
    out["macs"] = out["body_macs"] + out["head_macs"]
    return out


# --8<-- [end:networks]


def _check_layer(layer) -> None:
    if not isinstance(layer, LayerSpec):
        raise TypeError(f"layer: expected an architectures.LayerSpec, got {checks.describe(layer)}")


def _image_side(image) -> int:
    image = checks.positive_int("image", image)
    if image % 32:
        raise ValueError(
            f"image: expected a multiple of 32 (the networks' total stride), got {image}"
        )
    return image
