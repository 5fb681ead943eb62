"""Activation functions and their derivatives.

Each activation is an :class:`Activation`: a name, the function ``fn(a)`` and
its derivative ``grad(a)``, both taking the *pre-activation* ``a``. The
backward passes in :mod:`rnnlib.bptt` need the derivative; the gradient
chapter needs the bounds ``max |sigmoid'| = 1/4`` and ``max |tanh'| = 1``.

``sigmoid`` and ``tanh`` accept any finite input, including +-1e4, without
overflow warnings or NaNs.
"""
from collections import namedtuple

import numpy as np

Activation = namedtuple("Activation", ["name", "fn", "grad"])


def sigmoid(a):
    """Logistic function 1 / (1 + exp(-a)), computed without overflow warnings."""
    # Below about -88 (float32) or -709 (float64) exp(-a) overflows to inf and the
    # result is 1 / inf = 0; far above 0 exp(-a) underflows and the result is 1: the
    # right answers, so neither is reported, even under np.errstate(all="raise").
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-a))


def sigmoid_grad(a):
    s = sigmoid(a)
    return s * (1.0 - s)  # at most 1/4, reached at a = 0


def tanh(a):
    return np.tanh(a)


def tanh_grad(a):
    t = np.tanh(a)
    return 1.0 - t * t  # at most 1, reached at a = 0


def relu(a):
    return np.maximum(a, 0.0)


def relu_grad(a):
    return (a > 0).astype(np.result_type(a, np.float32))


def linear(a):
    return a


def linear_grad(a):
    return np.ones_like(a)


ACTIVATIONS = {
    "tanh": Activation("tanh", tanh, tanh_grad),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_grad),
    "relu": Activation("relu", relu, relu_grad),
    "linear": Activation("linear", linear, linear_grad),
}


def get_activation(activation):
    """Return an :class:`Activation` from a name, an Activation, or a pair.

    ``activation`` may be one of ``"tanh"``, ``"sigmoid"``, ``"relu"``,
    ``"linear"``, an :class:`Activation`, or a pair ``(fn, grad)`` of callables
    where ``grad`` is the derivative of ``fn`` with respect to its input.
    """
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}: expected one of "
                f"{sorted(ACTIVATIONS)} or a pair (fn, grad)"
            )
        return ACTIVATIONS[activation]
    if isinstance(activation, tuple) and len(activation) == 2 and all(map(callable, activation)):
        fn, grad = activation
        return Activation(getattr(fn, "__name__", "custom"), fn, grad)
    if callable(activation):
        raise TypeError(
            f"activation {activation!r} is a callable without its derivative: "
            "pass a pair (fn, grad) so that backpropagation can use grad"
        )
    raise TypeError(
        f"activation must be a name, an Activation or a pair (fn, grad); "
        f"got {type(activation).__name__}"
    )
