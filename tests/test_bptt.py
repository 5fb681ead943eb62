"""rnnlib.bptt checked twice: against finite differences (float64) and tf.GradientTape (float32).

The loss is L = sum(outputs * d_outputs) + sum(final_state * d_final_state), whose
gradient w.r.t. outputs and final state is exactly (d_outputs, d_final_state), so
bptt(...) must return dL/d(params, inputs, initial_state).
"""
import os

import numpy as np
import pytest

import rnnlib
from rnnlib._cell import map_structure

FD_TOL = 1e-6     # float64 central differences
TF_TOL = 1e-4     # float32, rnnlib vs TensorFlow
EPS = 1e-6        # finite-difference step


# -- helpers ---------------------------------------------------------------------------

def leaves(state):
    """The arrays of a (nested) state, in order."""
    if isinstance(state, tuple):
        return [a for part in state for a in leaves(part)]
    return [state]


def rel_err(a, b):
    """max |a - b| / max(max |a|, max |b|); 0 when both are zero."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)


def make_cell(kind, input_size, units, rng, dtype="float64"):
    seed = int(rng.integers(2**31))
    if kind.startswith("rnn"):
        act = kind.split("-")[1]
        cell = rnnlib.RNNCell(input_size, units, activation=act, seed=seed, dtype=dtype)
    elif kind == "lstm":
        cell = rnnlib.LSTMCell(input_size, units, forget_bias=float(rng.uniform(0, 1)),
                               seed=seed, dtype=dtype)
    elif kind == "gru":
        cell = rnnlib.GRUCell(input_size, units, seed=seed, dtype=dtype)
    elif kind == "gru-ra":
        cell = rnnlib.GRUCell(input_size, units, reset_after=True, seed=seed, dtype=dtype)
    elif kind == "multi":
        cell = rnnlib.MultiCell([
            rnnlib.LSTMCell(input_size, units, seed=seed, dtype=dtype),
            rnnlib.GRUCell(units, units + 1, reset_after=bool(rng.integers(2)), seed=seed + 1,
                           dtype=dtype),
            rnnlib.RNNCell(units + 1, units, seed=seed + 2, dtype=dtype)])
    else:
        raise AssertionError(kind)
    # random biases too, so no gate sits exactly at its initial value
    cell.set_params(**{k: v + 0.3 * rng.standard_normal(v.shape) for k, v in cell.params.items()})
    return cell


def loss_fn(cell, x, h0, lengths, dy, dfs, time_major=False):
    out, final = rnnlib.unroll(cell, x, h0, lengths, time_major=time_major)
    total = np.sum(out * dy)
    if dfs is not None:
        total += sum(np.sum(a * b) for a, b in zip(leaves(final), leaves(dfs), strict=True))
    return total


def numeric_grad(f, arr):
    """Central differences of f() w.r.t. every entry of arr (modified in place, restored)."""
    grad = np.zeros_like(arr)
    for idx in np.ndindex(arr.shape):
        old = arr[idx]
        arr[idx] = old + EPS
        up = f()
        arr[idx] = old - EPS
        down = f()
        arr[idx] = old
        grad[idx] = (up - down) / (2 * EPS)
    return grad


KINDS = ["rnn-tanh", "rnn-sigmoid", "rnn-relu", "lstm", "gru", "gru-ra", "multi"]


# -- 1. finite differences, float64 -------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("with_final", [False, True])
def test_bptt_matches_finite_differences(kind, masked, with_final):
    rng = np.random.default_rng([KINDS.index(kind), masked, with_final])
    batch, time, n_in, units = 3, int(rng.integers(3, 6)), 2, 3
    time_major = bool(rng.integers(2))
    cell = make_cell(kind, n_in, units, rng)
    x = rng.standard_normal((time, batch, n_in) if time_major else (batch, time, n_in))
    h0 = map_structure(lambda z: rng.standard_normal(z.shape), cell.zero_state(batch))
    # lengths cover a full sequence, a short one and an empty one
    lengths = np.array([time, 1, 0]) if masked else None
    out_shape = (time, batch, cell.output_size) if time_major else (batch, time, cell.output_size)
    dy = rng.standard_normal(out_shape)
    dfs = map_structure(lambda z: rng.standard_normal(z.shape), h0) if with_final else None

    g = rnnlib.bptt(cell, x, dy, initial_state=h0, sequence_length=lengths,
                    d_final_state=dfs, time_major=time_major)

    def f():
        return loss_fn(cell, x, h0, lengths, dy, dfs, time_major)

    assert set(g.params) == set(cell.params)
    for key, p in cell.params.items():
        assert g.params[key].shape == p.shape and g.params[key].dtype == p.dtype
        assert rel_err(g.params[key], numeric_grad(f, p)) <= FD_TOL, key
    assert g.inputs.shape == x.shape
    assert rel_err(g.inputs, numeric_grad(f, x)) <= FD_TOL
    assert type(g.initial_state) is type(h0)
    for d, s in zip(leaves(g.initial_state), leaves(h0), strict=True):
        assert rel_err(d, numeric_grad(f, s)) <= FD_TOL
    if masked:
        # inputs after a sequence's end never reach the loss: exactly zero gradient
        dx_bm = g.inputs.transpose(1, 0, 2) if time_major else g.inputs
        for b, length in enumerate(lengths):
            assert np.all(dx_bm[b, length:] == 0)


def test_empty_sequence_passes_state_gradient_straight_through():
    """sequence_length 0: final state = initial state, so d initial = d final exactly."""
    rng = np.random.default_rng(1)
    cell = make_cell("lstm", 2, 3, rng)
    x = rng.standard_normal((2, 4, 2))
    dfs = map_structure(lambda z: rng.standard_normal(z.shape), cell.zero_state(2))
    g = rnnlib.bptt(cell, x, rng.standard_normal((2, 4, 3)), sequence_length=np.array([0, 0]),
                    d_final_state=dfs)
    assert all(np.array_equal(a, b) for a, b in zip(g.initial_state, dfs, strict=True))
    assert all(np.all(v == 0) for v in g.params.values())


def test_d_outputs_none_means_zero():
    rng = np.random.default_rng(2)
    cell = make_cell("gru", 2, 3, rng)
    x = rng.standard_normal((2, 4, 2))
    dfs = rng.standard_normal((2, 3))
    a = rnnlib.bptt(cell, x, None, d_final_state=dfs)
    b = rnnlib.bptt(cell, x, np.zeros((2, 4, 3)), d_final_state=dfs)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


# -- bad input -----------------------------------------------------------------------------

def test_bad_d_outputs_shape_is_refused():
    cell = rnnlib.RNNCell(2, 3, seed=0)
    x = np.zeros((4, 5, 2), np.float32)
    with pytest.raises(ValueError, match=r"d_outputs must have shape \(batch, time, units\)"):
        rnnlib.bptt(cell, x, np.zeros((4, 5, 2)))
    with pytest.raises(ValueError, match="rank 3"):
        rnnlib.bptt(cell, x, np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"\(time, batch, units\)"):
        rnnlib.bptt(cell, x, np.zeros((5, 4, 3)), time_major=True)   # x is read as time 4, batch 5


def test_bad_d_outputs_dtype_is_refused():
    cell = rnnlib.RNNCell(2, 3, seed=0)
    with pytest.raises(TypeError, match="d_outputs must be a float array, got dtype int64"):
        rnnlib.bptt(cell, np.zeros((4, 5, 2)), np.zeros((4, 5, 3), np.int64))


def test_bad_d_final_state_is_refused():
    cell = rnnlib.LSTMCell(2, 3, seed=0)
    x, dy = np.zeros((4, 5, 2)), np.zeros((4, 5, 3))
    with pytest.raises(TypeError, match="d_final_state.*LSTMState"):
        rnnlib.bptt(cell, x, dy, d_final_state=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="d_final_state.*batch 2"):
        rnnlib.bptt(cell, x, dy, d_final_state=rnnlib.LSTMState(np.zeros((2, 3)),
                                                                np.zeros((2, 3))))


def test_bad_cell_and_lengths_are_refused():
    with pytest.raises(TypeError, match="bptt: cell must be an rnnlib cell"):
        rnnlib.bptt("lstm", np.zeros((1, 2, 2)), np.zeros((1, 2, 3)))
    cell = rnnlib.RNNCell(2, 3, seed=0)
    with pytest.raises(ValueError, match="sequence_length must be <= the time axis"):
        rnnlib.bptt(cell, np.zeros((1, 2, 2)), np.zeros((1, 2, 3)), sequence_length=[3])


# -- 2. tf.GradientTape, float32 ------------------------------------------------------------

tf_cases = [
    "keras-simplernn", "keras-lstm", "keras-gru-reset-after", "keras-gru-reset-before",
    "tf1-rnn", "tf1-lstm", "tf1-gru", "tf1-multi",
]


@pytest.fixture(scope="module")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


def build_tf_cell(case, n_in, units):
    import warnings

    import keras
    from tf_keras.src.layers.rnn import legacy_cells

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)      # "deprecated" notices of TF1 cells
        if case == "keras-simplernn":
            return keras.layers.SimpleRNNCell(units)
        if case == "keras-lstm":
            return keras.layers.LSTMCell(units)
        if case == "keras-gru-reset-after":
            return keras.layers.GRUCell(units, reset_after=True)
        if case == "keras-gru-reset-before":
            return keras.layers.GRUCell(units, reset_after=False)
        if case == "tf1-rnn":
            return legacy_cells.BasicRNNCell(units)
        if case == "tf1-lstm":
            return legacy_cells.BasicLSTMCell(units, forget_bias=1.0)
        if case == "tf1-gru":
            return legacy_cells.GRUCell(units)
        if case == "tf1-multi":
            return legacy_cells.MultiRNNCell([legacy_cells.BasicLSTMCell(units),
                                              legacy_cells.GRUCell(units)])
    raise AssertionError(case)


def tf_zero_state(tf, case, batch, units):
    from tf_keras.src.layers.rnn.legacy_cells import LSTMStateTuple

    z = lambda: tf.zeros((batch, units))  # noqa: E731
    return {"keras-simplernn": lambda: [z()], "keras-lstm": lambda: [z(), z()],
            "keras-gru-reset-after": lambda: [z()], "keras-gru-reset-before": lambda: [z()],
            "tf1-rnn": z, "tf1-lstm": lambda: LSTMStateTuple(z(), z()), "tf1-gru": z,
            "tf1-multi": lambda: (LSTMStateTuple(z(), z()), z())}[case]()


def tf_state_to_rnnlib(case, state):
    """TF state structure -> rnnlib's (Keras LSTM keeps [h, c], rnnlib LSTMState(c, h))."""
    s = [np.asarray(a) for a in state] if isinstance(state, (list, tuple)) else None
    if case in ("keras-simplernn", "keras-gru-reset-after", "keras-gru-reset-before"):
        return s[0]
    if case == "keras-lstm":
        return rnnlib.LSTMState(s[1], s[0])
    if case in ("tf1-rnn", "tf1-gru"):
        return np.asarray(state)
    if case == "tf1-lstm":
        return rnnlib.LSTMState(s[0], s[1])
    if case == "tf1-multi":
        return (rnnlib.LSTMState(*map(np.asarray, state[0])), np.asarray(state[1]))
    raise AssertionError(case)


def tf_weights_to_rnnlib(case, values, n_in, layer=None):
    """TF variable values (a list, in cell.weights order) -> rnnlib params.

    Used for the weights themselves and, since every conversion is a
    re-arrangement, for their gradients too.
    """
    from rnnlib.interop import tf1_gru_to_keras, tf1_lstm_to_keras

    v = [np.asarray(a) for a in values]
    if case in ("keras-simplernn", "keras-lstm", "keras-gru-reset-before"):
        return {"W": v[0], "U": v[1], "b": v[2]}
    if case == "keras-gru-reset-after":
        return {"W": v[0], "U": v[1], "b": v[2][0], "b_U": v[2][1]}
    if case in ("tf1-rnn", "tf1-lstm", "tf1-gru"):
        if case == "tf1-rnn":
            kernel, bias = v
        elif case == "tf1-lstm":
            kernel, bias = tf1_lstm_to_keras(v[0], v[1], forget_bias=0.0)  # rnnlib adds it
        else:
            kernel, bias = tf1_gru_to_keras(*v)
        return {"W": kernel[:n_in], "U": kernel[n_in:], "b": bias}
    if case == "tf1-multi":
        units = v[1].shape[0] // 4
        lower = tf_weights_to_rnnlib("tf1-lstm", v[:2], n_in)
        upper = tf_weights_to_rnnlib("tf1-gru", v[2:], units)
        return {**{f"0/{k}": a for k, a in lower.items()},
                **{f"1/{k}": a for k, a in upper.items()}}
    raise AssertionError(case)


@pytest.mark.parametrize("case", tf_cases)
def test_bptt_matches_tf_gradient_tape(tf, case):
    rng = np.random.default_rng(tf_cases.index(case))
    batch, time, n_in, units = 3, 5, 2, 4
    tf_cell = build_tf_cell(case, n_in, units)
    x = rng.standard_normal((batch, time, n_in)).astype(np.float32)
    state0 = tf_zero_state(tf, case, batch, units)
    tf_cell(tf.constant(x[:, 0]), state0)                       # build the variables
    for var in tf_cell.weights:                                  # random weights, biases too
        var.assign(0.5 * rng.standard_normal(var.shape).astype(np.float32))
    state0 = tf.nest.map_structure(
        lambda z: tf.constant(rng.standard_normal(z.shape).astype(np.float32)), state0)
    lengths = np.array([time, 3, 0])
    dy = rng.standard_normal((batch, time, units)).astype(np.float32)
    d_final = tf.nest.map_structure(lambda z: rng.standard_normal(z.shape).astype(np.float32),
                                    state0)

    # TensorFlow: a dynamic_rnn-style loop with masking, under a tape
    x_tf = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch([x_tf, state0])
        state, outputs = state0, []
        for t in range(time):
            out, new = tf_cell(x_tf[:, t], state)
            alive = tf.constant((t < lengths)[:, None])
            outputs.append(tf.where(alive, out, 0.0))
            state = tf.nest.map_structure(lambda n, o, a=alive: tf.where(a, n, o), new, state)
        loss = tf.reduce_sum(tf.stack(outputs, axis=1) * dy) + tf.add_n(
            [tf.reduce_sum(s * d) for s, d in zip(tf.nest.flatten(state),
                                                  tf.nest.flatten(d_final), strict=True)])
    g_vars, g_x, g_state = tape.gradient(loss, [tf_cell.weights, x_tf, state0])

    # rnnlib with the same weights; the layout map used for the gradients below must
    # be the one from_tf uses for the weights
    cell = rnnlib.from_tf(tf_cell)
    assert cell.dtype == np.float32
    same_layout = tf_weights_to_rnnlib(case, [v.numpy() for v in tf_cell.weights], n_in)
    assert all(np.array_equal(cell.params[k], same_layout[k]) for k in cell.params)
    outs_np, _ = rnnlib.unroll(cell, x, tf_state_to_rnnlib(case, state0), lengths)
    assert rel_err(outs_np, tf.stack(outputs, axis=1)) <= TF_TOL       # same forward first
    g = rnnlib.bptt(cell, x, dy, initial_state=tf_state_to_rnnlib(case, state0),
                    sequence_length=lengths, d_final_state=tf_state_to_rnnlib(case, d_final))

    expected = tf_weights_to_rnnlib(case, g_vars, n_in)
    for key in cell.params:
        assert rel_err(g.params[key], expected[key]) <= TF_TOL, key
    assert rel_err(g.inputs, g_x) <= TF_TOL
    for mine, theirs in zip(leaves(g.initial_state),
                            leaves(tf_state_to_rnnlib(case, g_state)), strict=True):
        assert rel_err(mine, theirs) <= TF_TOL
