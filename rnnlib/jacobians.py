"""Per-step state Jacobians and their products: how gradients travel back in time.

Convention (stated once, used everywhere in this module)
--------------------------------------------------------
A Jacobian is written in **column (numerator) convention**: for states
``s_t`` of size m,

    J_t[i, j] = d s_t[i] / d s_{t-1}[j]          row i: an output, column j: an input

so the chain rule composes to the left, ``d s_T / d s_k = J_T J_{T-1} ... J_{k+1}``,
and in the row-vector code the gradient travels as ``ds_prev = ds @ J_t``.

For the simple RNN, rnnlib computes (rows are examples) ``h_t = act(x W + h_{t-1} U + b)``.
In column vectors that is ``h_t = act(W_rec h_{t-1} + ...)`` with ``W_rec = U.T``, and

    d h_t / d h_{t-1} = diag(act'(a_t)) W_rec = diag(act'(a_t)) U.T

where ``a_t`` is this step's pre-activation. (Pascanu et al. 2013, eq. 5, write
the factor as ``W_rec^T diag(sigma'(x_{k-1}))``; :func:`step_jacobians` is what
the book checks that formula against, with finite differences.)

Shapes: every function works per example. Jacobians come back as
(batch, time, m, m) and products as (batch, time + 1, m, m); use a batch of 1
for a single sequence. m is ``units`` for RNNCell and GRUCell and
``2 * units`` for LSTMCell, whose state is stacked as ``s = [c; h]``.

Pascanu, Mikolov & Bengio (2013), On the difficulty of training recurrent
neural networks; Bengio, Simard & Frasconi (1994).
"""
from collections import namedtuple

import numpy as np

from .gru import GRUCell
from .lstm import LSTMCell
from .rnn import RNNCell
from .unroll import prepare, run

JacobianProducts = namedtuple(
    "JacobianProducts",
    ["products", "norms", "singular_values", "overflowed", "log10_norms"])
JacobianProducts.__doc__ = """Products d s_T / d s_k for k = 0..T, from :func:`jacobian_products`.

products: (batch, T + 1, m, m); products[:, k] = J_T ... J_{k+1}, products[:, T] = I.
    Entries of an overflowed product are whatever the arithmetic gave (inf or nan).
norms: (batch, T + 1) spectral norms (largest singular value); inf where overflowed.
singular_values: (batch, T + 1, m), descending; all inf where overflowed.
overflowed: (batch, T + 1) bool; True where the product (or its norm) is not
    representable in the dtype. Once a product overflows, so do all earlier k.
log10_norms: (batch, T + 1) log10 of the spectral norm computed with
    rescaling in float64, so it stays finite when the product itself overflows
    or underflows to 0 (-inf only if a Jacobian makes the product exactly zero).
"""


def step_jacobians(cell, inputs, initial_state=None, sequence_length=None, time_major=False):
    """Per-step state Jacobians J_t = d s_t / d s_{t-1} along one forward pass.

    Args:
        cell: an RNNCell, GRUCell (either ``reset_after``) or LSTMCell.
        inputs: (batch, time, input_size), or (time, batch, input_size) if ``time_major``.
        initial_state: as for :func:`rnnlib.unroll`; zeros if None.
        sequence_length: optional ints (batch,). Past a sequence's end the state is
            copied, so there J_t is the identity.

    Returns:
        (batch, time, m, m) in column convention (module docstring): m = units for
        RNN and GRU; for the LSTM, m = 2 * units and the state is ``s = [c; h]``,
        so ``J[..., :n, :n]`` is d c_t / d c_{t-1} = diag(f_t) and
        ``J[..., n:, n:]`` is d h_t / d h_{t-1} with c_{t-1} held fixed.
    """
    step = _step_jacobian_fn(cell, "step_jacobians")
    x, state, lengths = prepare(cell, inputs, initial_state, sequence_length, time_major,
                                owner="step_jacobians")
    _, _, caches = run(cell, x, state, lengths, keep_caches=True)
    J = np.stack([step(cell, cache) for cache in caches], axis=1)   # (batch, time, m, m)
    if lengths is not None:
        eye = np.eye(J.shape[-1], dtype=J.dtype)
        alive = np.arange(x.shape[0])[None, :] < lengths[:, None]  # (batch, time)
        J = np.where(alive[:, :, None, None], J, eye)
    return J


def cell_state_path(cell, inputs, initial_state=None, sequence_length=None, time_major=False):
    """The LSTM's cell-state path d c_t / d c_{t-1} = diag(f_t).

    Returns (batch, time, units, units). This is the partial derivative with
    h_{t-1} held fixed: the "constant error carousel"
    c_t = f_t * c_{t-1} + i_t * c~_t, whose only factor is the forget gate.
    It is the top-left block of :func:`step_jacobians` for an LSTMCell.
    """
    if not isinstance(cell, LSTMCell):
        raise TypeError(f"cell_state_path: cell must be an LSTMCell, got {type(cell).__name__}")
    x, state, lengths = prepare(cell, inputs, initial_state, sequence_length, time_major,
                                owner="cell_state_path")
    _, _, caches = run(cell, x, state, lengths, keep_caches=True)
    f = np.stack([cache[4] for cache in caches], axis=1)            # (batch, time, units)
    if lengths is not None:
        alive = np.arange(x.shape[0])[None, :] < lengths[:, None]
        f = np.where(alive[:, :, None], f, 1.0)                     # copied state: identity
    return _diag(f)


def jacobian_products(jacobians):
    """Products d s_T / d s_k = J_T J_{T-1} ... J_{k+1} for every k = 0..T.

    Args:
        jacobians: (batch, T, m, m) per-step Jacobians in column convention, as
            returned by :func:`step_jacobians` or :func:`cell_state_path`.

    Returns:
        :class:`JacobianProducts` with products (batch, T + 1, m, m), norms and
        overflowed (batch, T + 1), singular_values (batch, T + 1, m) and
        log10_norms (batch, T + 1). Column k is the gradient's path from step T
        back to step k; k = T is the identity. A product that overflows comes
        back as inf with ``overflowed`` set, without raising or warning.
    """
    J = np.asarray(jacobians)
    if J.dtype.kind != "f":
        raise TypeError(f"jacobian_products: jacobians must be a float array, got dtype {J.dtype}")
    if J.ndim != 4 or J.shape[-1] != J.shape[-2]:
        raise ValueError("jacobian_products: jacobians must have shape (batch, time, m, m), "
                         f"got shape {J.shape}")
    batch, T, m, _ = J.shape
    P = np.empty((batch, T + 1, m, m), J.dtype)
    P[:, T] = np.eye(m, dtype=J.dtype)
    Q = np.broadcast_to(np.eye(m), (batch, m, m)).copy()           # rescaled copy, float64
    log_scale = np.zeros(batch)
    log10_norms = np.zeros((batch, T + 1))
    with np.errstate(all="ignore"):                                 # overflow -> inf, flagged below
        for k in reversed(range(T)):
            P[:, k] = P[:, k + 1] @ J[:, k]                         # J_T ... J_{k+2} J_{k+1}
            Q = Q @ J[:, k].astype(np.float64)
            s = np.abs(Q).max(axis=(1, 2))                          # keep Q near norm 1
            s = np.where(s > 0, s, 1.0)
            Q /= s[:, None, None]
            log_scale += np.log10(s)
            log10_norms[:, k] = log_scale + np.log10(np.linalg.svd(Q, compute_uv=False)[:, 0])
        singular_values = _singular_values(P)
    norms = singular_values[..., 0]
    overflowed = ~(np.isfinite(P).all(axis=(2, 3)) & np.isfinite(norms))
    overflowed = np.flip(np.logical_or.accumulate(np.flip(overflowed, axis=1), axis=1), axis=1)
    singular_values[overflowed] = np.inf
    norms = singular_values[..., 0].copy()
    return JacobianProducts(P, norms, singular_values, overflowed, log10_norms)


def gradient_flow(cell, inputs, initial_state=None, sequence_length=None, time_major=False):
    """``jacobian_products(step_jacobians(...))``: d s_T / d s_k for every k, in one call."""
    return jacobian_products(step_jacobians(cell, inputs, initial_state, sequence_length,
                                            time_major))


# -- one step per cell kind: the derivative equations ---------------------------------

def _rnn_jacobian(cell, cache):
    """h_t = act(a_t) with a_t = x W + h_{t-1} U + b, so

    J = diag(act'(a_t)) W_rec = diag(act'(a_t)) U.T   (column convention).
    """
    _, _, a = cache
    return _diag(cell.activation.grad(a)) @ cell.params["U"].T


def _gru_jacobian(cell, cache):
    """h_t = u * h_{t-1} + (1 - u) * h~, differentiated through u, r and h~."""
    _, h_prev, u, r, h_h, h_tilde = cache
    U, n = cell.params["U"], cell.units
    U_u, U_r, U_h = U[:, :n].T, U[:, n:2 * n].T, U[:, 2 * n:].T    # column convention
    du = _diag(u * (1.0 - u)) @ U_u                                 # d u / d h_{t-1}
    dr = _diag(r * (1.0 - r)) @ U_r                                 # d r / d h_{t-1}
    if cell.reset_after:                                            # a_h = x W_h + r * h_h + b_h
        da_h = _diag(h_h) @ dr + _diag(r) @ U_h
    else:                                                           # a_h = x W_h + (r*h) U_h + b_h
        da_h = U_h @ (_diag(r) + _diag(h_prev) @ dr)
    dh_tilde = _diag(1.0 - h_tilde**2) @ da_h
    return _diag(u) + _diag(h_prev - h_tilde) @ du + _diag(1.0 - u) @ dh_tilde


def _lstm_jacobian(cell, cache):
    """State s = [c; h]: the 2n x 2n block matrix [[dc/dc, dc/dh], [dh/dc, dh/dh]]."""
    _, c_prev, _, i, f, c_tilde, o, tanh_c = cache
    U, n = cell.params["U"], cell.units
    U_i, U_f, U_c, U_o = (U[:, k * n:(k + 1) * n].T for k in range(4))
    di = _diag(i * (1.0 - i)) @ U_i                                 # d gate / d h_{t-1}
    df = _diag(f * (1.0 - f)) @ U_f
    dc_tilde = _diag(1.0 - c_tilde**2) @ U_c
    do = _diag(o * (1.0 - o)) @ U_o
    dc_dc = _diag(f)                                                # c = f * c_prev + i * c~
    dc_dh = _diag(c_prev) @ df + _diag(c_tilde) @ di + _diag(i) @ dc_tilde
    dh_dc_new = _diag(o * (1.0 - tanh_c**2))                        # h = o * tanh(c)
    dh_dc = dh_dc_new @ dc_dc
    dh_dh = _diag(tanh_c) @ do + dh_dc_new @ dc_dh
    return np.block([[dc_dc, dc_dh], [dh_dc, dh_dh]])               # (batch, 2n, 2n)


def _step_jacobian_fn(cell, owner):
    if isinstance(cell, LSTMCell):
        return _lstm_jacobian
    if isinstance(cell, GRUCell):
        return _gru_jacobian
    if isinstance(cell, RNNCell):
        return _rnn_jacobian
    raise TypeError(f"{owner}: cell must be an RNNCell, GRUCell or LSTMCell, got "
                    f"{type(cell).__name__} (for a MultiCell, analyse one layer at a time)")


def _diag(v):
    """(..., n) -> (..., n, n) diagonal matrices, one per example."""
    return v[..., :, None] * np.eye(v.shape[-1], dtype=v.dtype)


def _singular_values(P):
    """Singular values of (..., m, m), descending, computed on a rescaled copy.

    Dividing by the largest entry first keeps the SVD itself from overflowing;
    non-finite products get inf (the caller flags them).
    """
    finite = np.isfinite(P).all(axis=(-2, -1))
    scale = np.where(finite, np.abs(np.where(np.isfinite(P), P, 0)).max(axis=(-2, -1)), 1.0)
    scale = np.where(scale > 0, scale, 1.0)
    M = np.where(finite[..., None, None], P / scale[..., None, None], 0.0)
    sv = np.linalg.svd(M, compute_uv=False) * scale[..., None]
    return np.where(finite[..., None], sv, np.inf).astype(P.dtype)
