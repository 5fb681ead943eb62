"""Saturating activations stay quiet and finite at extreme inputs.

``sigmoid`` and ``tanh`` are checked at +-1e4 (and +-inf) in float32 and
float64 with every numpy floating-point error turned into an exception and
every warning turned into an error; their values are compared with the exact
limits, with Python's ``math`` in float64 and with TensorFlow's ops.
"""
import math
import warnings

import numpy as np
import pytest

import rnnlib
from rnnlib.activations import sigmoid, sigmoid_grad, tanh, tanh_grad

DTYPES = ["float32", "float64"]
EXTREMES = [-np.inf, -1e4, -1e3, -100.0, -50.0, 50.0, 100.0, 1e3, 1e4, np.inf]


def strict(fn, *args):
    """Call ``fn`` with every numpy FP error raised and every warning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            return fn(*args)


# (function, input, exact value in the limit)
LIMITS = [
    (sigmoid, 1e4, 1.0), (sigmoid, -1e4, 0.0), (sigmoid, np.inf, 1.0), (sigmoid, -np.inf, 0.0),
    (tanh, 1e4, 1.0), (tanh, -1e4, -1.0), (tanh, np.inf, 1.0), (tanh, -np.inf, -1.0),
    (sigmoid_grad, 1e4, 0.0), (sigmoid_grad, -1e4, 0.0),
    (tanh_grad, 1e4, 0.0), (tanh_grad, -1e4, 0.0),
    (sigmoid, 0.0, 0.5), (sigmoid_grad, 0.0, 0.25), (tanh, 0.0, 0.0), (tanh_grad, 0.0, 1.0),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn, a, limit", LIMITS,
                         ids=[f"{f.__name__}({a:g})" for f, a, _ in LIMITS])
def test_limits_without_warnings(fn, a, limit, dtype):
    value = strict(fn, np.array([a], dtype))
    assert value.dtype == np.dtype(dtype)
    assert value[0] == limit


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fn", [sigmoid, tanh, sigmoid_grad, tanh_grad],
                         ids=lambda f: f.__name__)
def test_grid_of_extremes_is_quiet_and_finite(fn, dtype):
    a = np.array(EXTREMES, dtype)
    values = strict(fn, a)
    assert values.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(values))
    assert np.all((values >= -1) & (values <= 1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_python_and_numpy_scalars(dtype):
    assert strict(sigmoid, np.dtype(dtype).type(-1e4)) == 0.0
    assert strict(sigmoid, 1e4) == 1.0


def test_sigmoid_matches_math_in_float64():
    """Against 1 / (1 + exp(-a)) in Python floats, where that formula is safe."""
    a = np.linspace(-700.0, 700.0, 2801)
    exact = np.array([1.0 / (1.0 + math.exp(-v)) if v > -700 else math.exp(v) for v in a])
    np.testing.assert_allclose(strict(sigmoid, a), exact, rtol=1e-13, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_activations_match_tensorflow(dtype):
    tf = pytest.importorskip("tensorflow")
    a = np.concatenate([np.linspace(-60.0, 60.0, 1201), [-1e4, -1e3, 1e3, 1e4]]).astype(dtype)
    for ours, theirs in [(sigmoid, tf.sigmoid), (tanh, tf.tanh)]:
        expected = theirs(tf.constant(a)).numpy()
        # Measured: within 5 ulp (float32) and 16 ulp (float64) of TF's kernels,
        # and both are exactly 0 or +-1 in the far tails.
        np.testing.assert_allclose(strict(ours, a), expected,
                                   rtol=32 * np.finfo(dtype).eps, atol=0)


def cells(dtype):
    return {
        "RNNCell_tanh": rnnlib.RNNCell(3, 8, seed=0, dtype=dtype),
        "RNNCell_sigmoid": rnnlib.RNNCell(3, 8, activation="sigmoid", seed=0, dtype=dtype),
        "LSTMCell": rnnlib.LSTMCell(3, 8, forget_bias=2.5, seed=0, dtype=dtype),
        "GRUCell": rnnlib.GRUCell(3, 8, seed=0, dtype=dtype),
        "GRUCell_reset_after": rnnlib.GRUCell(3, 8, reset_after=True, seed=0, dtype=dtype),
        "MultiCell": rnnlib.MultiCell([rnnlib.LSTMCell(3, 8, seed=1, dtype=dtype),
                                       rnnlib.GRUCell(8, 4, seed=2, dtype=dtype)]),
    }


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(cells("float32")))
@pytest.mark.parametrize("scale", [1e4, 1e6])
def test_cells_fed_huge_inputs_stay_finite(name, dtype, scale):
    cell = cells(dtype)[name]
    rng = np.random.default_rng(0)
    x = (scale * rng.choice([-1.0, 1.0], size=(5, 30, 3))).astype(dtype)
    # Overflow, invalid and divide would be bugs; underflow to 0 inside a
    # saturated gate is the right answer, so it is left at numpy's default.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            outputs, state = rnnlib.unroll(cell, x)
    leaves = [outputs] + list(np.asarray(s) for s in _leaves(state))
    assert all(np.all(np.isfinite(v)) for v in leaves)
    assert outputs.dtype == np.dtype(dtype)
    assert np.all(np.abs(outputs) <= 1.0)      # every output here is a tanh/sigmoid mix


def _leaves(state):
    if isinstance(state, tuple):
        return [leaf for part in state for leaf in _leaves(part)]
    return [state]
