"""The simple (Elman) RNN cell: TF1 ``BasicRNNCell``, Keras ``SimpleRNNCell``.

Equation (rows are examples, as in TensorFlow)::

    h_t = act(x_t W + h_{t-1} U + b)        output_t = h_t

TF1 stores ``W`` and ``U`` stacked as one ``kernel`` of shape
(input_size + units, units) and computes ``[x, h] @ kernel``; that is the same
product, because ``[x, h] @ [[W], [U]] = x @ W + h @ U``.

Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2).
"""
import numpy as np

from ._cell import Cell, glorot_uniform
from .activations import get_activation


class RNNCell(Cell):
    """h_t = act(x_t W + h_{t-1} U + b); the output is the new state.

    Parameters (``cell.params``):
        W: (input_size, units)  input-to-hidden weights
        U: (units, units)       hidden-to-hidden (recurrent) weights
        b: (units,)             bias

    Call: ``cell(inputs, state) -> (output, new_state)`` with
    inputs (batch, input_size) and state, output, new_state (batch, units);
    output and new_state are the same array.
    """

    def __init__(self, input_size, units, activation="tanh", seed=None, dtype="float32"):
        super().__init__(input_size, units, seed, dtype)
        self.activation = get_activation(activation)
        n_in, n = self.input_size, self.units
        # TF1 draws one Glorot matrix for the stacked kernel [[W], [U]].
        kernel = glorot_uniform(self.rng, n_in + n, n, self.dtype)
        self.params = {"W": kernel[:n_in], "U": kernel[n_in:], "b": np.zeros(n, self.dtype)}

    def forward(self, x, h_prev, xWb=None):
        """x: (batch, input_size), h_prev: (batch, units) -> (h, h, cache).

        ``xWb``, if given, is x @ W + b already computed (:meth:`project`).
        """
        W, U, b = self.params["W"], self.params["U"], self.params["b"]
        if xWb is None:
            xWb = x @ W + b              # the input's share, (batch, units)
        a = xWb + h_prev @ U             # (batch, units) pre-activation
        h = self.activation.fn(a)        # (batch, units)
        return h, h, (x, h_prev, a)      # output is new state: same array

    def backward(self, d_output, d_state, cache):
        """Derivatives of one step, reading ``forward`` from bottom to top.

        d_output, d_state: (batch, units), gradients for the output and the
        new state. Returns (dx, dh_prev, grads) with grads keyed like params.
        """
        x, h_prev, a = cache
        W, U = self.params["W"], self.params["U"]
        dh = d_output + d_state                 # h is used twice: as output and as state
        da = dh * self.activation.grad(a)       # through h = act(a)
        grads = {"W": x.T @ da, "U": h_prev.T @ da, "b": da.sum(axis=0)}
        dx = da @ W.T                           # (batch, input_size)
        dh_prev = da @ U.T                      # (batch, units)
        return dx, dh_prev, grads

    def tf1_layout(self):
        """Weights as TF1 ``BasicRNNCell`` stores them.

        Returns {"kernel": (input_size + units, units), "bias": (units,)};
        for input size 2 and 4 units that is (6, 4) and (4,).
        """
        p = self.params
        return {"kernel": np.concatenate([p["W"], p["U"]], axis=0), "bias": p["b"].copy()}
