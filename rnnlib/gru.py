"""The GRU cell: TF1 ``GRUCell`` and Keras ``GRUCell`` (both ``reset_after``).

Equations (rows are examples; ``*`` is element-wise)::

    u  = sigmoid(x W_u + h U_u + b_u)                  update gate (Keras: z)
    r  = sigmoid(x W_r + h U_r + b_r)                  reset gate
    h~ = tanh(x W_h + (r * h) U_h + b_h)               reset_after=False (TF1, Cho et al.)
    h~ = tanh(x W_h + r * (h U_h + b'_h) + b_h)        reset_after=True  (Keras default, cuDNN)
    h_t = u * h_{t-1} + (1 - u) * h~

``u`` close to 1 keeps the old state; some texts call ``1 - u`` the update
gate and write ``h_t = (1 - z) * h_{t-1} + z * h~``: the same cell.

Blocks are packed in Keras's order u, r, h~: ``W`` is (input_size, 3*units),
``U`` is (units, 3*units), ``b`` is (3*units,). With ``reset_after=True``
there is a second bias ``b_U`` (3*units,) added to ``h @ U`` (Keras's
recurrent bias). TF1 keeps two kernels instead, one for the gates [r, u] and
one for the candidate; :meth:`GRUCell.tf1_layout` gives that layout.

Cho et al. (2014), Learning phrase representations using RNN encoder-decoder;
Chung et al. (2014), Empirical evaluation of gated recurrent neural networks.
"""
import numpy as np

from ._cell import Cell, glorot_uniform, split
from .activations import sigmoid, tanh
from .layouts import keras_gru_to_tf1


class GRUCell(Cell):
    """GRU step. The output is the new state, as in the simple RNN.

    Parameters (``cell.params``), blocks in the order u, r, h~:
        W: (input_size, 3*units), U: (units, 3*units), b: (3*units,),
        and with reset_after=True also b_U: (3*units,).

    The default initialisation is TF1's: Glorot kernels, gate biases (u, r)
    1.0 so both gates start mostly open, candidate bias 0.

    Call: ``cell(inputs, state) -> (output, new_state)``, inputs
    (batch, input_size), state (batch, units).
    """

    def __init__(self, input_size, units, reset_after=False, seed=None, dtype="float32"):
        super().__init__(input_size, units, seed, dtype)
        if not isinstance(reset_after, (bool, np.bool_)):
            raise TypeError(f"{self.name}: reset_after must be True or False, got {reset_after!r}")
        self.reset_after = bool(reset_after)
        n_in, n = self.input_size, self.units
        gate_kernel = glorot_uniform(self.rng, n_in + n, 2 * n, self.dtype)
        cand_kernel = glorot_uniform(self.rng, n_in + n, n, self.dtype)
        kernel = np.concatenate([gate_kernel, cand_kernel], axis=1)   # (n_in + n, 3n)
        b = np.concatenate([np.ones(2 * n), np.zeros(n)]).astype(self.dtype)
        self.params = {"W": kernel[:n_in], "U": kernel[n_in:], "b": b}
        if self.reset_after:
            self.params["b_U"] = np.zeros(3 * n, self.dtype)

    def forward(self, x, h_prev, xWb=None):
        """x: (batch, input_size), h_prev: (batch, units) -> (h, h, cache).

        ``xWb``, if given, is x @ W + b already computed (:meth:`project`).
        """
        W, U, b, n = self.params["W"], self.params["U"], self.params["b"], self.units
        if xWb is None:
            xWb = x @ W + b                                       # the input's share
        x_u, x_r, x_h = split(xWb, 3)                             # each (batch, units)
        if self.reset_after:
            h_u, h_r, h_h = split(h_prev @ U + self.params["b_U"], 3)
            u = sigmoid(x_u + h_u)
            r = sigmoid(x_r + h_r)
            h_tilde = tanh(x_h + r * h_h)                         # reset after U_h
        else:
            h_u, h_r = split(h_prev @ U[:, :2 * n], 2)
            u = sigmoid(x_u + h_u)
            r = sigmoid(x_r + h_r)
            h_h = (r * h_prev) @ U[:, 2 * n:]                     # reset before U_h
            h_tilde = tanh(x_h + h_h)
        h = u * h_prev + (1.0 - u) * h_tilde
        return h, h, (x, h_prev, u, r, h_h, h_tilde)

    def backward(self, d_output, d_state, cache):
        """Derivatives of one step. Returns (dx, dh_prev, grads)."""
        x, h_prev, u, r, h_h, h_tilde = cache
        W, U, n = self.params["W"], self.params["U"], self.units
        dh = d_output + d_state
        du = dh * (h_prev - h_tilde)                  # h = u * h_prev + (1 - u) * h~
        dh_tilde = dh * (1.0 - u)
        dh_prev = dh * u
        da_h = dh_tilde * (1.0 - h_tilde**2)          # through the tanh
        da_u = du * u * (1.0 - u)                     # through the sigmoids
        grads = {}
        if self.reset_after:
            dr = da_h * h_h                           # a_h = x_h + r * h_h
            da_r = dr * r * (1.0 - r)
            d_hU = np.concatenate([da_u, da_r, da_h * r], axis=1)   # (batch, 3*units)
            grads["U"] = h_prev.T @ d_hU
            grads["b_U"] = d_hU.sum(axis=0)
            dh_prev += d_hU @ U.T
        else:
            U_h = U[:, 2 * n:]
            d_rh = da_h @ U_h.T                       # a_h = x_h + (r * h_prev) @ U_h
            dr = d_rh * h_prev
            da_r = dr * r * (1.0 - r)
            d_gates = np.concatenate([da_u, da_r], axis=1)          # (batch, 2*units)
            grads["U"] = np.concatenate([h_prev.T @ d_gates, (r * h_prev).T @ da_h], axis=1)
            dh_prev += d_rh * r + d_gates @ U[:, :2 * n].T
        dz = np.concatenate([da_u, da_r, da_h], axis=1)             # (batch, 3*units)
        grads["W"] = x.T @ dz
        grads["b"] = dz.sum(axis=0)
        dx = dz @ W.T
        return dx, dh_prev, {k: grads[k] for k in self.params}

    def tf1_layout(self):
        """Weights as TF1 ``GRUCell`` stores them (requires reset_after=False).

        Returns {"gates/kernel": (input_size + units, 2*units) in order r, u, "gates/bias":
        (2*units,), "candidate/kernel": (input_size + units, units), "candidate/bias":
        (units,)}; for input size 2 and 4 units that is (6, 8), (8,), (6, 4), (4,).
        """
        if self.reset_after:
            raise ValueError(f"{self.name}: TF1's GRUCell has no reset_after=True variant; "
                             "tf1_layout needs reset_after=False")
        kernel = np.concatenate([self.params["W"], self.params["U"]], axis=0)
        return keras_gru_to_tf1(kernel, self.params["b"])
