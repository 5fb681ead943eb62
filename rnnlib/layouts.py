"""Gate layouts: TF1's packed kernels <-> Keras's (and rnnlib's) W, U, b.

Plain numpy, no TensorFlow: the conversions the LSTM and GRU chapters show,
used by the cells' ``tf1_layout`` methods and by :mod:`rnnlib.interop`.

``kernel`` stacks the input weights over the recurrent weights: rows
``[0, input_size)`` are W and the next ``units`` rows are U.

=============  ==========================================  ==================
cell           TF1 (tf_keras legacy_cells)                 Keras 3 / rnnlib
=============  ==========================================  ==================
simple RNN     kernel (in+n, n), bias (n,)                 W, U, b
LSTM           kernel (in+n, 4n) gates i, j, f, o;         W, U, b gates
               forget_bias added at every step             i, f, c, o
GRU            gates/kernel (in+n, 2n) gates r, u;         W, U, b blocks
               candidate/kernel (in+n, n)                  u(z), r, h
=============  ==========================================  ==================
"""
import numpy as np

from ._cell import split as _blocks  # k equal gate blocks along the last axis


def tf1_lstm_to_keras(kernel, bias, forget_bias=1.0):
    """TF1 ``BasicLSTMCell`` weights -> Keras ``LSTMCell`` weights.

    kernel: (input_size + units, 4*units) with gate blocks i, j, f, o
    bias: (4*units,) in the same order

    Returns (kernel, bias) with blocks reordered to i, f, c, o (TF1's ``j`` is
    Keras's ``c``) and ``forget_bias`` folded into the forget-gate bias, since
    sigmoid(z_f + b_f + forget_bias) = sigmoid(z_f + (b_f + forget_bias)).
    """
    i, j, f, o = _blocks(np.asarray(kernel), 4)
    bi, bj, bf, bo = _blocks(np.asarray(bias), 4)
    new_kernel = np.concatenate([i, f, j, o], axis=-1)
    new_bias = np.concatenate([bi, bf + np.asarray(forget_bias, bf.dtype), bj, bo])
    return new_kernel, new_bias


def tf1_lstm_order_to_keras(a):
    """Reorder gate blocks i, j, f, o -> i, f, c, o on the last axis, nothing else."""
    i, j, f, o = _blocks(np.asarray(a), 4)
    return np.concatenate([i, f, j, o], axis=-1)


def keras_lstm_to_tf1(kernel, bias):
    """Keras order i, f, c, o -> TF1 order i, j, f, o (no forget_bias folding)."""
    i, f, c, o = _blocks(np.asarray(kernel), 4)
    bi, bf, bc, bo = _blocks(np.asarray(bias), 4)
    return np.concatenate([i, c, f, o], axis=-1), np.concatenate([bi, bc, bf, bo])


def tf1_gru_to_keras(gate_kernel, gate_bias, candidate_kernel, candidate_bias):
    """TF1 ``GRUCell`` weights -> one kernel and bias in the order u, r, h.

    gate_kernel: (input_size + units, 2*units), blocks r, u
    candidate_kernel: (input_size + units, units)
    Returns kernel (input_size + units, 3*units) and bias (3*units,).
    """
    r, u = _blocks(np.asarray(gate_kernel), 2)
    br, bu = _blocks(np.asarray(gate_bias), 2)
    kernel = np.concatenate([u, r, np.asarray(candidate_kernel)], axis=-1)
    bias = np.concatenate([bu, br, np.asarray(candidate_bias)])
    return kernel, bias


def keras_gru_to_tf1(kernel, bias):
    """Order u, r, h -> TF1's two kernels; returns a dict keyed like TF1's variables."""
    u, r, h = _blocks(np.asarray(kernel), 3)
    bu, br, bh = _blocks(np.asarray(bias), 3)
    return {"gates/kernel": np.concatenate([r, u], axis=-1),
            "gates/bias": np.concatenate([br, bu]),
            "candidate/kernel": h,
            "candidate/bias": bh}
