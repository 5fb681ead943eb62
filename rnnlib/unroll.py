"""Running a cell over a sequence, with TF1 ``dynamic_rnn`` semantics.

The loop is the whole idea of a recurrent network: the same cell, with the
same weights, applied at every time step, each step's new state feeding the
next step.
"""
from functools import partial

import numpy as np

from ._cell import Cell, map_structure
from ._checks import as_float_array, check_shape


def check_sequence_length(sequence_length, batch, time, owner="unroll"):
    """Return lengths as an int array (batch,), each in 0..time, or None."""
    if sequence_length is None:
        return None
    lengths = np.asarray(sequence_length)
    if lengths.dtype.kind not in "iu":
        raise TypeError(f"{owner}: sequence_length must hold integers, got dtype {lengths.dtype}")
    if lengths.shape != (batch,):
        raise ValueError(f"{owner}: sequence_length must have shape (batch,) = ({batch},), "
                         f"got shape {lengths.shape}")
    if lengths.min() < 0:
        raise ValueError(f"{owner}: sequence_length must be >= 0, got {lengths.tolist()}")
    if lengths.max() > time:
        raise ValueError(f"{owner}: sequence_length must be <= the time axis ({time}), "
                         f"got {lengths.tolist()}")
    return lengths


def prepare(cell, inputs, initial_state, sequence_length, time_major, owner="unroll"):
    """Check everything ``unroll`` (and ``bptt``) is given.

    Returns (x, state, lengths) with x time-major (time, batch, input_size).
    """
    if not isinstance(cell, Cell):
        raise TypeError(f"{owner}: cell must be an rnnlib cell, got {type(cell).__name__}")
    x = as_float_array(inputs, "inputs", owner, cell.dtype)
    meaning = "(time, batch, input_size)" if time_major else "(batch, time, input_size)"
    check_shape(x, (None, None, cell.input_size), "inputs", owner, meaning)
    if not time_major:
        x = x.transpose(1, 0, 2)                       # (time, batch, input_size)
    time, batch = x.shape[:2]
    if initial_state is None:
        state = cell.zero_state(batch)
    else:
        state = cell.check_state(initial_state, batch)
    return x, state, check_sequence_length(sequence_length, batch, time, owner)


def run(cell, x, state, lengths, keep_caches=False):
    """The loop itself, on checked time-major input (time, batch, input_size).

    Returns (outputs (time, batch, units), final_state, caches). A sequence
    whose length is reached gets zero outputs and keeps its last state.
    """
    xWb = cell.project(x)                       # x @ W + b for every step in one product
    outputs = np.zeros(x.shape[:2] + (cell.output_size,), cell.dtype)
    caches = []
    for t in range(x.shape[0]):
        out, new_state, cache = cell.forward(x[t], state, xWb[t])  # same cell, same weights
        if lengths is not None:
            alive = (t < lengths)[:, None]                 # (batch, 1)
            out = np.where(alive, out, 0.0)
            new_state = map_structure(partial(np.where, alive), new_state, state)  # new or old
        outputs[t] = out
        state = new_state
        if keep_caches:
            caches.append(cache)
    return outputs, state, caches


def unroll(cell, inputs, initial_state=None, sequence_length=None, time_major=False):
    """Run ``cell`` over every time step, like TF1's ``tf.nn.dynamic_rnn``.

    Args:
        cell: an rnnlib cell (RNNCell, LSTMCell, GRUCell or MultiCell).
        inputs: (batch, time, input_size), or (time, batch, input_size) if
            ``time_major``.
        initial_state: a state for ``batch`` sequences; zeros if None.
        sequence_length: optional ints (batch,), each in 0..time.

    Returns:
        outputs: (batch, time, units) (time-major if ``time_major``); zeros
            past each sequence's length.
        final_state: each sequence's state at its own last valid step.
    """
    x, state, lengths = prepare(cell, inputs, initial_state, sequence_length, time_major)
    outputs, state, _ = run(cell, x, state, lengths)
    if not time_major:
        outputs = outputs.transpose(1, 0, 2)
    return outputs, state
