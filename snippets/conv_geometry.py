"""Geometry of convolution and pooling layers along one axis: a Layer, a Field, output lengths.

A stack is a list of `Layer(kernel, stride, padding, dilation, kind)`; pooling layers are Layers
too (`kind="avgpool"` or `"maxpool"`). `Field(size, stride, padding)` is the receptive field of
one layer's outputs in input pixels (computed by `snippets.receptive_field`). Both are imported
from `snippets.receptive_field`, their public path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from snippets import checks

KINDS = ("conv", "avgpool", "maxpool")


# --8<-- [start:layer]
@dataclass(frozen=True)
class Layer:
    """One convolution or pooling layer's geometry (the same on every axis).

    `padding` is the padding before the first pixel; extra padding after the last one (as
    TensorFlow's "SAME" may add) changes how many outputs there are, not where fields sit.
    Convolutions accept any padding, pooling layers at most half the effective kernel (as in
    PyTorch): a window wholly in the padding would have nothing to pool.
    """

    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    kind: str = "conv"  # "conv", "avgpool" or "maxpool": the field is the same for all three
    name: str = field(default="", compare=False)

    def __post_init__(self):
        for arg, low in (("kernel", 1), ("stride", 1), ("padding", 0), ("dilation", 1)):
            object.__setattr__(self, arg, checks.integer(arg, getattr(self, arg), minimum=low))
        checks.choice("kind", self.kind, KINDS)
        if not isinstance(self.name, str):
            raise TypeError(f"name: expected a str, got {checks.describe(self.name)}")
        if self.kind != "conv" and self.padding > self.k_eff // 2:
            raise ValueError(
                f"padding: expected at most {self.k_eff // 2} (half the effective kernel "
                f"{self.k_eff}) for a {self.kind} layer, got {self.padding}"
            )

    @property
    def k_eff(self) -> int:
        """Effective kernel d·(k − 1) + 1: the span of input the kernel's taps cover."""
        return self.dilation * (self.kernel - 1) + 1


class Field(NamedTuple):
    """Receptive field of one layer's outputs, in input pixels."""

    size: int  # how many input pixels one output spans
    stride: int  # distance in the input between neighbouring outputs (the "jump")
    padding: int  # output 0's field starts at input index -padding

    def interval(self, index: int) -> tuple[int, int]:
        """First and last input pixel (inclusive) of output `index`, before clipping."""
        first = index * self.stride - self.padding
        return first, first + self.size - 1

    def __getitem__(self, key):
        # record["size"] as well as record.size and record[0]
        if isinstance(key, str):
            if key not in self._fields:
                raise KeyError(key)
            return getattr(self, key)
        return tuple.__getitem__(self, key)


# --8<-- [end:layer]


def check_layers(layers) -> list[Layer]:
    """`layers` as a non-empty list of Layer; raises TypeError / ValueError otherwise."""
    return checks.list_of("layers", layers, Layer)


def output_sizes(layers, input_size) -> list[int]:
    """Output length of every layer for an input of `input_size` pixels.

    Notes
    -----
    :math:`n_l = \\lfloor (n_{l-1} + 2 p_l - k^\\text{eff}_l) / s_l \\rfloor + 1` (floor
    division, as in PyTorch); raises ValueError if some layer would have no output.
    """
    layers = check_layers(layers)
    n = checks.integer("input_size", input_size, minimum=1)
    sizes = []
    for i, layer in enumerate(layers):
        span = n + 2 * layer.padding - layer.k_eff
        if span < 0:
            raise ValueError(
                f"input_size: expected a larger input, {input_size} leaves layers[{i}] "
                f"(effective kernel {layer.k_eff}, padding {layer.padding}) only {n} pixels"
            )
        n = span // layer.stride + 1
        sizes.append(n)
    return sizes
