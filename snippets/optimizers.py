"""SGD (with momentum, dampening, Nesterov), Adam (with AMSGrad) and AdamW, step for step as
`torch.optim` computes them.

An optimizer holds a list of float numpy arrays (`params`, given as any iterable of arrays;
PyTorch's parameter groups, dicts with their own settings, are not supported) and updates them
in place with `.step(grads)`, a list of arrays of the same shapes (an entry of None skips its
parameter, as a parameter without a gradient is skipped in PyTorch). State (momentum buffers,
moment estimates, step counts) is kept per parameter.

Unlike PyTorch, which only warns about a parameter listed twice in one group (and raises only
across groups), these classes refuse arrays that share memory, a view of another one included:
the shared entries would be stepped more than once per step.
"""

from __future__ import annotations

import numpy as np

from snippets import checks


def _params(params) -> list[np.ndarray]:
    if isinstance(params, np.ndarray) or not hasattr(params, "__iter__"):
        raise TypeError(
            f"params: expected an iterable of float arrays, got {checks.describe(params)}"
        )
    params = list(params)  # any iterable, as in torch.optim (a generator is read once)
    if not params:
        raise ValueError("params: expected at least one array, got an empty list")
    for i, p in enumerate(params):
        if not (isinstance(p, np.ndarray) and p.dtype.kind == "f"):
            raise TypeError(f"params[{i}]: expected a float numpy array, got {checks.describe(p)}")
        checks.finite(f"params[{i}]", p)
        for j, q in enumerate(params[:i]):
            if np.shares_memory(q, p):  # the shared entries would be stepped twice per step
                raise ValueError(f"params: params[{j}] and params[{i}] share memory")
    return params


def _betas(betas) -> tuple[float, float]:
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise TypeError(f"betas: expected a pair (beta1, beta2), got {checks.describe(betas)}")
    b1 = checks.number("betas", betas[0], 0.0, 1.0, open_max=True)
    b2 = checks.number("betas", betas[1], 0.0, 1.0, open_max=True)
    return b1, b2


class _Optimizer:
    def __init__(self, params):
        self.params = _params(params)
        self.state: list[dict] = [{} for _ in self.params]

    def _grads(self, grads) -> list[np.ndarray | None]:
        if not isinstance(grads, (list, tuple)):
            raise TypeError(
                f"grads: expected a list of {len(self.params)} arrays (one per parameter), "
                f"got {checks.describe(grads)}"
            )
        if len(grads) != len(self.params):
            raise ValueError(
                f"grads: expected a list of {len(self.params)} arrays (one per parameter), "
                f"got {checks.describe(grads)}"
            )
        out = []
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            if g is None:
                out.append(None)
                continue
            g = checks.float_array(f"grads[{i}]", g)
            if g.shape != p.shape:
                raise ValueError(f"grads[{i}]: expected shape {p.shape}, got {g.shape}")
            out.append(g.astype(p.dtype, copy=False))
        return out


class SGD(_Optimizer):
    """`torch.optim.SGD`: p ← p − lr · d, where g = ∇ + weight_decay · p and

    - without momentum, d = g;
    - with momentum μ, the buffer b = g at the first step, then b ← μ b + (1 − dampening) g,
      and d = b, or d = g + μ b with Nesterov momentum (which needs μ > 0 and no dampening).

    `lr` is required, as in the issue's signature (and older PyTorch); current PyTorch
    defaults it to 1e-3.
    """

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params)
        self.lr = checks.non_negative("lr", lr)
        self.momentum = checks.non_negative("momentum", momentum)
        self.dampening = checks.number("dampening", dampening)
        self.weight_decay = checks.non_negative("weight_decay", weight_decay)
        self.nesterov = checks.flag("nesterov", nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"nesterov: Nesterov momentum needs momentum > 0 and dampening 0, got "
                f"momentum {self.momentum:g} and dampening {self.dampening:g}"
            )

    def step(self, grads) -> None:
        for p, g, state in zip(self.params, self._grads(grads), self.state, strict=True):
            if g is None:
                continue
            # --8<-- [start:sgd]
            if self.weight_decay:
                g = g + self.weight_decay * p  # L2 penalty's gradient
            if self.momentum:
                if "buffer" not in state:
                    state["buffer"] = g.copy()  # first step: the buffer is the gradient
                else:
                    b = state["buffer"]
                    b *= self.momentum
                    b += (1.0 - self.dampening) * g
                b = state["buffer"]
                g = g + self.momentum * b if self.nesterov else b
            p -= self.lr * g
            # --8<-- [end:sgd]


class Adam(_Optimizer):
    """`torch.optim.Adam`: moving averages of the gradient and its square, bias-corrected.

    With g = ∇ + weight_decay · p (an L2 penalty, scaled by Adam like the gradient) and step t:
    m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², and
    p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + eps).
    With `amsgrad`, v is replaced by the largest v seen so far.
    """

    decoupled = False  # AdamW: weight decay acts on p directly, not through the gradient

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False
    ):
        super().__init__(params)
        self.lr = checks.non_negative("lr", lr)
        self.betas = _betas(betas)
        self.eps = checks.non_negative("eps", eps)
        self.weight_decay = checks.non_negative("weight_decay", weight_decay)
        self.amsgrad = checks.flag("amsgrad", amsgrad)

    def step(self, grads) -> None:
        b1, b2 = self.betas
        for p, g, state in zip(self.params, self._grads(grads), self.state, strict=True):
            if g is None:
                continue
            if not state:
                state.update(t=0, m=np.zeros_like(p), v=np.zeros_like(p))
                if self.amsgrad:
                    state["v_max"] = np.zeros_like(p)
            # --8<-- [start:adam]
            state["t"] += 1
            t, m, v = state["t"], state["m"], state["v"]
            if self.weight_decay and self.decoupled:
                p *= 1.0 - self.lr * self.weight_decay  # AdamW: shrink p itself
            elif self.weight_decay:
                g = g + self.weight_decay * p  # Adam: L2 penalty through the gradient
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            if self.amsgrad:
                np.maximum(state["v_max"], v, out=state["v_max"])
                v = state["v_max"]
            m_hat_scale = 1.0 / (1.0 - b1**t)  # bias corrections: m and v start at 0
            denom = np.sqrt(v) / np.sqrt(1.0 - b2**t) + self.eps
            p -= self.lr * m_hat_scale * m / denom
            # --8<-- [end:adam]


class AdamW(Adam):
    """`torch.optim.AdamW`: Adam whose weight decay is decoupled from the gradient:
    p ← p · (1 − lr · weight_decay) before the Adam step, so every weight shrinks at the same
    rate whatever its gradient history (Loshchilov and Hutter, 2019)."""

    decoupled = True

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
