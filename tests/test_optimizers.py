"""snippets/optimizers.py against torch.optim's update rules: first steps by hand, a textbook
Adam written independently (bias-corrected m̂ and v̂) over many random steps, the difference
between Adam's L2 penalty and AdamW's decoupled decay, AMSGrad's running maximum, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.optimizers import SGD, Adam, AdamW


def steps(opt, grads_seq):
    for g in grads_seq:
        opt.step([np.array(g, dtype=float)])


def test_plain_sgd_by_hand():
    p = np.array([1.0, -2.0])
    SGD([p], lr=0.1).step([np.array([2.0, 1.0])])
    assert np.allclose(p, [0.8, -2.1], rtol=0, atol=1e-15)


def test_momentum_dampening_and_nesterov_by_hand():
    g1, g2 = 1.0, 3.0
    # momentum 0.9: b1 = g1 (no dampening at the first step), b2 = 0.9 b1 + (1 - 0.5) g2
    p = np.array([0.0])
    steps(SGD([p], lr=1.0, momentum=0.9, dampening=0.5), [[g1], [g2]])
    assert p[0] == pytest.approx(-(g1 + (0.9 * g1 + 0.5 * g2)))
    # Nesterov: d = g + 0.9 b
    p = np.array([0.0])
    steps(SGD([p], lr=1.0, momentum=0.9, nesterov=True), [[g1], [g2]])
    b1, b2 = g1, 0.9 * g1 + g2
    assert p[0] == pytest.approx(-((g1 + 0.9 * b1) + (g2 + 0.9 * b2)))


def test_sgd_weight_decay_adds_the_l2_gradient():
    p = np.array([2.0])
    SGD([p], lr=0.5, weight_decay=0.1).step([np.array([1.0])])
    assert p[0] == pytest.approx(2.0 - 0.5 * (1.0 + 0.1 * 2.0))


def test_adams_first_step_is_lr_times_the_sign():
    p = np.array([1.0, 1.0, 1.0])
    Adam([p], lr=0.01, eps=0.0).step([np.array([3.0, -0.001, 1e6])])
    assert np.allclose(p, [0.99, 1.01, 0.99], rtol=0, atol=1e-15)


def textbook_adam(p, grads, lr, b1, b2, eps, wd=0.0, decoupled=False, amsgrad=False):
    m = v = v_max = 0.0
    out = []
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        v_max = np.maximum(v_max, v)
        m_hat = m / (1 - b1**t)
        v_hat = (v_max if amsgrad else v) / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


@pytest.mark.parametrize("kind", [Adam, AdamW])
@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("wd", [0.0, 0.05])
def test_adam_and_adamw_agree_with_the_textbook_over_many_steps(kind, amsgrad, wd):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 2)) * rng.uniform(0.01, 10) for _ in range(60)]
    p0 = rng.normal(size=(3, 2))
    p = p0.copy()
    opt = kind([p], lr=0.02, betas=(0.8, 0.95), eps=1e-6, weight_decay=wd, amsgrad=amsgrad)
    want = textbook_adam(
        p0, grads, 0.02, 0.8, 0.95, 1e-6, wd, decoupled=kind is AdamW, amsgrad=amsgrad
    )
    for g, w in zip(grads, want, strict=True):
        opt.step([g])
        assert np.allclose(p, w, rtol=1e-12, atol=1e-14)


def test_adamw_decay_is_not_adams_l2_penalty():
    g = [np.array([1e-3]), np.array([1e-3])]
    a, w = np.array([5.0]), np.array([5.0])
    steps(Adam([a], lr=0.1, weight_decay=0.1), g)
    steps(AdamW([w], lr=0.1, weight_decay=0.1), g)
    # Adam divides the penalty's gradient by its own scale: the step stays about lr
    assert 5.0 - a[0] == pytest.approx(0.2, rel=1e-3)
    # AdamW shrinks p by (1 - lr·wd) each step, then takes an Adam step of about lr
    assert w[0] == pytest.approx((5.0 * 0.99 - 0.1) * 0.99 - 0.1, rel=1e-3)
    assert AdamW([np.zeros(1)]).weight_decay == 0.01 and Adam([np.zeros(1)]).weight_decay == 0


def test_disjoint_views_of_one_array_are_separate_parameters():
    a = np.ones(4)
    SGD([a[:2], a[2:]], lr=0.5).step([np.ones(2), 3 * np.ones(2)])  # no shared memory
    np.testing.assert_array_equal(a, [0.5, 0.5, -0.5, -0.5])


def test_params_may_be_any_iterable():
    a, b = np.ones(2), np.ones(3)
    opt = SGD((p for p in (a, b)), lr=0.5)
    opt.step([np.ones(2), np.ones(3)])
    assert opt.params[0] is a and opt.params[1] is b
    np.testing.assert_array_equal(a, 0.5)
    np.testing.assert_array_equal(b, 0.5)


@pytest.mark.parametrize("nesterov, dampening", [(False, 0.0), (False, 0.3), (True, 0.0)])
@pytest.mark.parametrize("wd", [0.0, 0.05])
def test_sgd_agrees_with_an_independent_loop_over_many_steps(nesterov, dampening, wd):
    rng = np.random.default_rng(7)
    lr, mu, shape = 0.03, 0.8, (3, 2)
    p = rng.standard_normal(shape)
    q = [row[:] for row in p.tolist()]  # plain Python floats, element by element
    buf = None
    opt = SGD([p], lr, momentum=mu, dampening=dampening, weight_decay=wd, nesterov=nesterov)
    for _ in range(40):
        g = rng.standard_normal(shape)
        opt.step([g])
        gl = [[g[i][j] + wd * q[i][j] for j in range(2)] for i in range(3)]
        if buf is None:
            buf = [row[:] for row in gl]
        else:
            buf = [
                [mu * buf[i][j] + (1 - dampening) * gl[i][j] for j in range(2)] for i in range(3)
            ]
        for i in range(3):
            for j in range(2):
                d = gl[i][j] + mu * buf[i][j] if nesterov else buf[i][j]
                q[i][j] -= lr * d
    np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)


def test_amsgrad_never_lets_the_denominator_shrink():
    p = np.array([0.0])
    opt = Adam([p], lr=0.1, amsgrad=True)
    steps(opt, [[10.0], [0.1], [0.1]])
    assert opt.state[0]["v_max"][0] >= opt.state[0]["v"][0]
    assert opt.state[0]["v_max"][0] == pytest.approx((1 - 0.999) * 100)


def test_a_missing_gradient_skips_its_parameter_and_its_step_count():
    a, b = np.array([1.0]), np.array([1.0])
    opt = Adam([a, b], lr=0.1)
    opt.step([np.array([1.0]), None])
    opt.step([np.array([1.0]), np.array([1.0])])
    assert opt.state[0]["t"] == 2 and opt.state[1]["t"] == 1
    assert b[0] == pytest.approx(0.9)  # its first step: lr times the sign


@pytest.mark.parametrize("kind", [SGD, Adam, AdamW])
def test_every_optimizer_minimizes_a_quadratic(kind):
    p = np.array([3.0, -2.0])
    opt = kind([p], lr=0.05, **({"momentum": 0.9} if kind is SGD else {}))
    for _ in range(500):
        opt.step([2 * p])  # gradient of |p|²
    assert np.linalg.norm(p) < 0.05


def test_float32_parameters_stay_float32():
    p = np.ones(3, dtype=np.float32)
    AdamW([p]).step([np.ones(3)])
    assert p.dtype == np.float32


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: SGD([np.ones(2)], lr=-0.1), ValueError, "lr"),
        (lambda: SGD([np.ones(2)], lr=0.1, momentum=-1), ValueError, "momentum"),
        (lambda: SGD([np.ones(2)], lr=0.1, nesterov=True), ValueError, "nesterov"),
        (lambda: SGD([np.ones(2)], 0.1, 0.9, dampening=0.1, nesterov=True), ValueError, "nesterov"),
        (lambda: SGD([np.ones(2)], lr=0.1, weight_decay=-1), ValueError, "weight_decay"),
        (lambda: SGD([], lr=0.1), ValueError, "params"),
        (lambda: SGD(np.ones(2), lr=0.1), TypeError, "params"),
        (lambda: SGD(3.0, lr=0.1), TypeError, "params"),
        (lambda: (a := np.ones(2), SGD([a, np.ones(1), a], lr=0.1)), ValueError, "params"),
        (lambda: (a := np.ones(4), SGD([a, a[:2]], lr=0.1)), ValueError, "params"),  # a view
        (lambda: (a := np.ones(4), Adam([a[::2], a[1::2], a[2:]])), ValueError, "params"),
        (lambda: SGD([{"params": [np.ones(2)]}], lr=0.1), TypeError, r"params\[0\]"),  # a group
        (lambda: Adam([np.ones(2)]).step(np.ones(2)), TypeError, "grads"),
        (lambda: SGD([np.ones(2, dtype=int)], lr=0.1), TypeError, r"params\[0\]"),
        (lambda: Adam([np.ones(2)], betas=(1.0, 0.9)), ValueError, "betas"),
        (lambda: Adam([np.ones(2)], betas=(0.9,)), TypeError, "betas"),
        (lambda: Adam([np.ones(2)], eps=-1e-8), ValueError, "eps"),
        (lambda: AdamW([np.ones(2)], amsgrad=1), TypeError, "amsgrad"),
        (lambda: Adam([np.ones(2)]).step([np.ones(3)]), ValueError, r"grads\[0\]"),
        (lambda: Adam([np.ones(2)]).step([np.ones(2), np.ones(2)]), ValueError, "grads"),
        (lambda: SGD([np.ones(2)], 0.1).step([np.array([np.nan, 1.0])]), ValueError, r"grads\[0\]"),
    ],
)
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name}:"):
        call()
