"""Backpropagation through time (BPTT).

An unrolled RNN is one deep feed-forward network whose layers are the time
steps and whose weights are shared. BPTT is ordinary backpropagation on that
network: run the forward loop keeping each step's cache, then run the steps
in reverse, each one turning "gradient w.r.t. my outputs and new state" into
"gradient w.r.t. my inputs, my old state and the weights" (``cell.backward``).
The weights are shared, so their gradients are summed over the steps.

The loop below is min-char-rnn's backward loop with batches, gated cells and
``sequence_length`` masking::

    dh = d_final_state                     # nothing flows in from after the end
    for t in reversed(range(T)):
        dx[t], dh, g = cell.backward(d_outputs[t], dh, cache[t])
        dW += g

Werbos (1990), Backpropagation through time: what it does and how to do it.
Williams & Peng (1990), An efficient gradient-based algorithm for on-line
training of recurrent network trajectories (truncated BPTT).
"""
from collections import namedtuple

import numpy as np

from ._cell import map_structure
from ._checks import as_float_array, check_shape
from .unroll import prepare, run

Grads = namedtuple("Grads", ["params", "inputs", "initial_state"])
Grads.__doc__ = """Gradients returned by :func:`bptt`.

params: dict keyed like ``cell.params``, each array shaped like its parameter.
inputs: shaped like the ``inputs`` given to :func:`bptt` (batch- or time-major).
initial_state: shaped like the state (an array, an LSTMState, or a tuple for
    a MultiCell).
"""


def bptt(cell, inputs, d_outputs, initial_state=None, sequence_length=None,
         d_final_state=None, time_major=False):
    """Gradients of a loss through an unrolled cell, by backpropagation through time.

    The loss is whatever produced ``d_outputs`` and ``d_final_state``: for
    ``loss = sum(outputs * d_outputs) + sum(final_state * d_final_state)``
    they are exactly its gradients, and the result is the gradient of that loss.

    Args:
        cell: an rnnlib cell (RNNCell, LSTMCell, GRUCell or MultiCell).
        inputs: (batch, time, input_size), or (time, batch, input_size) if
            ``time_major``.
        d_outputs: dLoss/d(outputs of :func:`rnnlib.unroll`), (batch, time, units)
            (time-major if ``time_major``); None means zeros.
        initial_state: the state the forward pass starts from; zeros if None.
        sequence_length: optional ints (batch,), as in :func:`rnnlib.unroll`.
            Outputs past a sequence's length are zero constants, so their
            gradients are ignored; the state is copied through those steps,
            so its gradient passes straight back through them.
        d_final_state: dLoss/d(final_state), same structure as the state;
            None means zeros (the loss does not use the final state).

    Returns:
        Grads(params, inputs, initial_state): ``params`` a dict keyed and
        shaped like ``cell.params``; ``inputs`` shaped like ``inputs``;
        ``initial_state`` shaped like the state.
    """
    x, h0, lengths = prepare(cell, inputs, initial_state, sequence_length, time_major,
                             owner="bptt")
    time, batch = x.shape[:2]
    dys = _check_d_outputs(cell, d_outputs, time, batch, time_major)
    dh = _check_d_final_state(cell, d_final_state, batch)

    # forward: unroll's loop, keeping each step's cache for its backward
    _, _, caches = run(cell, x, h0, lengths, keep_caches=True)

    # backward: the same steps in reverse order
    dparams = {k: np.zeros_like(v) for k, v in cell.params.items()}
    dx = np.zeros_like(x)                      # (time, batch, input_size)
    for t in reversed(range(time)):
        dy = dys[t]                            # (batch, units)
        if lengths is None:
            dx[t], dh, g = cell.backward(dy, dh, caches[t])
        else:
            # finished sequences: their output was a constant 0 and their state was
            # copied, so the cell gets no gradient from them and dh passes unchanged
            alive = (t < lengths)[:, None]     # (batch, 1)
            dy = np.where(alive, dy, 0.0)
            dh_cell = _where(alive, dh, 0.0)
            dx[t], dh_prev, g = cell.backward(dy, dh_cell, caches[t])
            dh = _where(alive, dh_prev, dh)
        for k in dparams:
            dparams[k] += g[k]                 # shared weights: sum over t
    if not time_major:
        dx = dx.transpose(1, 0, 2)             # (batch, time, input_size)
    return Grads(dparams, dx, dh)


def _where(alive, new, old):
    """np.where(alive, new, old) on every array of a (nested) state; old may be 0.0."""
    if np.isscalar(old):
        return map_structure(lambda n: np.where(alive, n, old), new)
    return map_structure(lambda n, o: np.where(alive, n, o), new, old)


def _check_d_outputs(cell, d_outputs, time, batch, time_major):
    """Return d_outputs time-major (time, batch, units) in the cell's dtype."""
    if d_outputs is None:
        return np.zeros((time, batch, cell.output_size), cell.dtype)
    dy = as_float_array(d_outputs, "d_outputs", "bptt", cell.dtype)
    if time_major:
        expected, meaning = (time, batch, cell.output_size), "(time, batch, units)"
    else:
        expected, meaning = (batch, time, cell.output_size), "(batch, time, units)"
    check_shape(dy, expected, "d_outputs", "bptt", meaning)  # names the rank or the axis
    return dy if time_major else dy.transpose(1, 0, 2)


def _check_d_final_state(cell, d_final_state, batch):
    """Return d_final_state checked like a state, or zeros."""
    if d_final_state is None:
        return cell.zero_state(batch)
    try:
        return cell.check_state(d_final_state, batch)
    except (TypeError, ValueError) as err:
        raise type(err)(f"bptt: d_final_state must be shaped like the state: {err}") from None
