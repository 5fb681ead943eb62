"""The LSTM cell: TF1 ``BasicLSTMCell``, and Keras ``LSTMCell`` with forget_bias=0.

Equations (rows are examples; ``*`` is element-wise)::

    i  = sigmoid(x W_i + h U_i + b_i)                  input gate
    f  = sigmoid(x W_f + h U_f + b_f + forget_bias)    forget gate
    c~ = tanh   (x W_c + h U_c + b_c)                  candidate (TF1 calls it j)
    o  = sigmoid(x W_o + h U_o + b_o)                  output gate
    c_t = f * c_{t-1} + i * c~
    h_t = o * tanh(c_t)

The four gate matrices are packed side by side, in Keras's order i, f, c~, o:
``W`` is (input_size, 4*units), ``U`` is (units, 4*units), ``b`` is (4*units,),
so one matrix product computes all four pre-activations. TF1 packs them in the
order i, j, f, o and stacks W over U into one (input_size + units, 4*units)
kernel; :meth:`LSTMCell.tf1_layout` gives that layout.

Hochreiter & Schmidhuber (1997), Long short-term memory; the forget gate is
from Gers, Schmidhuber & Cummins (2000).
"""
import numbers
from collections import namedtuple

import numpy as np

from ._cell import Cell, glorot_uniform, split
from .activations import sigmoid, tanh
from .layouts import keras_lstm_to_tf1

LSTMState = namedtuple("LSTMState", ["c", "h"])
LSTMState.__doc__ = "LSTM state, like TF1's LSTMStateTuple: c (batch, units), h (batch, units)."


class LSTMCell(Cell):
    """LSTM step with TF1's ``forget_bias`` added inside the forget sigmoid.

    Parameters (``cell.params``), gate blocks in the order i, f, c~, o:
        W: (input_size, 4*units), U: (units, 4*units), b: (4*units,)

    Call: ``cell(inputs, LSTMState(c, h)) -> (h_new, LSTMState(c_new, h_new))``
    with inputs (batch, input_size) and c, h (batch, units).
    """

    def __init__(self, input_size, units, forget_bias=1.0, seed=None, dtype="float32"):
        super().__init__(input_size, units, seed, dtype)
        if not isinstance(forget_bias, numbers.Real) or not np.isfinite(forget_bias):
            raise ValueError(f"{self.name}: forget_bias must be a finite number, "
                             f"got {forget_bias!r}")
        self.forget_bias = float(forget_bias)
        n_in, n = self.input_size, self.units
        kernel = glorot_uniform(self.rng, n_in + n, 4 * n, self.dtype)
        self.params = {"W": kernel[:n_in], "U": kernel[n_in:], "b": np.zeros(4 * n, self.dtype)}

    @property
    def state_size(self):
        return LSTMState(self.units, self.units)

    def forward(self, x, state, xWb=None):
        """x: (batch, input_size), state: LSTMState -> (h, LSTMState(c, h), cache).

        ``xWb``, if given, is x @ W + b already computed (:meth:`project`).
        """
        c_prev, h_prev = state
        W, U, b = self.params["W"], self.params["U"], self.params["b"]
        if xWb is None:
            xWb = x @ W + b                             # the input's share
        z = xWb + h_prev @ U                            # (batch, 4*units): every gate
        z_i, z_f, z_c, z_o = split(z, 4)                # each (batch, units)
        i = sigmoid(z_i)
        f = sigmoid(z_f + self.forget_bias)
        c_tilde = tanh(z_c)
        o = sigmoid(z_o)
        c = f * c_prev + i * c_tilde                    # element-wise from here on
        tanh_c = tanh(c)
        h = o * tanh_c
        cache = (x, c_prev, h_prev, i, f, c_tilde, o, tanh_c)
        return h, LSTMState(c, h), cache

    def backward(self, d_output, d_state, cache):
        """Derivatives of one step; d_state is an LSTMState (dc, dh).

        Returns (dx, LSTMState(dc_prev, dh_prev), grads).
        """
        x, c_prev, h_prev, i, f, c_tilde, o, tanh_c = cache
        W, U = self.params["W"], self.params["U"]
        dh = d_output + d_state.h
        do = dh * tanh_c                                 # h = o * tanh(c)
        dc = d_state.c + dh * o * (1.0 - tanh_c**2)
        df = dc * c_prev                                 # c = f * c_prev + i * c~
        di = dc * c_tilde
        dc_tilde = dc * i
        dc_prev = dc * f                                 # the cell-state path: diag(f)
        dz = np.concatenate([di * i * (1.0 - i),         # back through the sigmoids and tanh
                             df * f * (1.0 - f),
                             dc_tilde * (1.0 - c_tilde**2),
                             do * o * (1.0 - o)], axis=1)  # (batch, 4*units)
        grads = {"W": x.T @ dz, "U": h_prev.T @ dz, "b": dz.sum(axis=0)}
        dx = dz @ W.T
        dh_prev = dz @ U.T
        return dx, LSTMState(dc_prev, dh_prev), grads

    def check_state(self, state, batch):
        if not (isinstance(state, tuple) and len(state) == 2):
            got = f"a {type(state).__name__}" + (
                f" of length {len(state)}" if isinstance(state, (tuple, list)) else
                f" with shape {np.shape(state)}")
            raise TypeError(f"{self.name}: state must be an LSTMState(c, h) pair of "
                            f"(batch, {self.units}) arrays, got {got}")
        c = self._check_state_part(state[0], batch, "state.c")
        h = self._check_state_part(state[1], batch, "state.h")
        return LSTMState(c, h)

    def tf1_layout(self):
        """Weights as TF1 ``BasicLSTMCell`` stores them: gate order i, j, f, o.

        Returns {"kernel": (input_size + units, 4*units), "bias": (4*units,)};
        for input size 2 and 4 units that is (6, 16) and (16,). ``forget_bias``
        is not part of the weights: TF1 keeps it as a constructor argument.
        """
        kernel = np.concatenate([self.params["W"], self.params["U"]], axis=0)
        kernel, bias = keras_lstm_to_tf1(kernel, self.params["b"])
        return {"kernel": kernel, "bias": bias}
