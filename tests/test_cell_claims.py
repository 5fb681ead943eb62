"""Claims the cell chapters make about TensorFlow and Keras, checked against TF/Keras.

Each test backs one sentence of chapters/rnn_cell.md, lstm.md, gru.md or sequences.md
(issue 9). Reference values always come from TensorFlow or Keras, never from rnnlib
alone.
"""

import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
legacy_cells = pytest.importorskip("tf_keras.src.layers.rnn.legacy_cells")

import rnnlib  # noqa: E402
from rnnlib.layouts import tf1_gru_to_keras, tf1_lstm_to_keras  # noqa: E402

v1 = tf.compat.v1


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


# --- lstm.md, recurrent_initializer row (issue 9, item 1) ------------------------------


def test_orthogonal_recurrent_kernel_rows_are_orthonormal_blocks_are_not():
    """Keras's Orthogonal on (units, 4 units): orthonormal rows, contracting blocks."""
    n = 128
    U = np.asarray(keras.initializers.Orthogonal(seed=0)((n, 4 * n)), "float64")
    # the whole matrix: U U^T = I, so |h U| = |h| for every h
    assert np.abs(U @ U.T - np.eye(n)).max() < 1e-5
    h = np.random.default_rng(0).normal(size=(256, n))
    whole = np.linalg.norm(h @ U, axis=1) / np.linalg.norm(h, axis=1)
    assert np.abs(whole - 1).max() < 1e-5
    # each (n, n) gate block is far from orthogonal and shrinks h on average
    for block in np.split(U, 4, axis=1):
        s = np.linalg.svd(block, compute_uv=False)
        assert s.max() < 0.95 and s.min() < 0.05, s[[0, -1]]
        ratio = np.linalg.norm(h @ block, axis=1) / np.linalg.norm(h, axis=1)
        assert 0.4 < ratio.mean() < 0.6, ratio.mean()
    # and the four blocks' squared norms add up to the whole: sum of squares = 1
    parts = sum(np.linalg.norm(h @ b, axis=1) ** 2 for b in np.split(U, 4, axis=1))
    assert np.allclose(parts, np.linalg.norm(h, axis=1) ** 2)


# --- lstm.md, one definition of z_f (issue 9, item 7) ----------------------------------


def test_zf_includes_bias_and_forget_bias_is_added_outside():
    """z = [x, h] K + b (b_f included); f = sigmoid(z_f + forget_bias) is TF1's step,
    and Keras with b_f + forget_bias computes sigmoid(z_f + forget_bias) too."""
    rng = np.random.default_rng(1)
    n_in, n, batch, beta = 3, 5, 4, 1.0
    tf1 = legacy_cells.BasicLSTMCell(n, forget_bias=beta)
    tf1.build((None, n_in))
    K = rng.normal(scale=0.5, size=(n_in + n, 4 * n)).astype("float32")
    b = rng.normal(scale=0.5, size=4 * n).astype("float32")
    tf1.set_weights([K, b])
    x = rng.normal(size=(batch, n_in)).astype("float32")
    c_prev = rng.normal(size=(batch, n)).astype("float32")
    h_prev = rng.normal(size=(batch, n)).astype("float32")

    z = np.concatenate([x, h_prev], 1) @ K + b          # bias included
    z_i, z_j, z_f, z_o = np.split(z, 4, axis=1)
    f = _sigmoid(z_f + beta)
    c = f * c_prev + _sigmoid(z_i) * np.tanh(z_j)
    h = _sigmoid(z_o) * np.tanh(c)
    state = legacy_cells.LSTMStateTuple(tf.constant(c_prev), tf.constant(h_prev))
    tf_h, tf_state = tf1(tf.constant(x), state)
    assert np.abs(c - tf_state.c.numpy()).max() < 1e-5
    assert np.abs(h - tf_h.numpy()).max() < 1e-5

    # with z_f excluding b_f (the other reading), the step would not match TF1
    z_f_nobias = z_f - np.split(b, 4)[2]
    c_wrong = _sigmoid(z_f_nobias + beta) * c_prev + _sigmoid(z_i) * np.tanh(z_j)
    assert np.abs(c_wrong - tf_state.c.numpy()).max() > 1e-2

    # Keras: its b_f is TF1's b_f + forget_bias, so its z_f is z_f + forget_bias
    k_kernel, k_bias = tf1_lstm_to_keras(K, b, forget_bias=beta)
    kc = keras.layers.LSTMCell(n)
    kc.build((None, n_in))
    kc.set_weights([k_kernel[:n_in], k_kernel[n_in:], k_bias])
    z_keras = x @ k_kernel[:n_in] + h_prev @ k_kernel[n_in:] + k_bias  # i, f, c, o
    assert np.abs(np.split(z_keras, 4, axis=1)[1] - (z_f + beta)).max() < 1e-5
    k_h, (_, k_c) = kc(tf.constant(x), [tf.constant(h_prev), tf.constant(c_prev)])
    assert np.abs(np.asarray(k_c) - tf_state.c.numpy()).max() < 1e-5


# --- gru.md, merged products (issue 9, item 5) -----------------------------------------


def test_gru_one_input_kernel_and_one_recurrent_kernel_compute_tf1_gru():
    """TF1 GRUCell = one (in, 3n) kernel on x and one (n, 3n) recurrent kernel on h;
    only the candidate's h-product must wait for r."""
    rng = np.random.default_rng(2)
    n_in, n, batch = 3, 4, 5
    cell = legacy_cells.GRUCell(n)
    cell(tf.zeros((1, n_in)), tf.zeros((1, n)))
    weights = [rng.normal(scale=0.5, size=v.shape).astype("float32")
               for v in cell.variables]
    cell.set_weights(weights)
    kernel, bias = tf1_gru_to_keras(*weights)            # blocks u, r, h~
    W, U = kernel[:n_in], kernel[n_in:]
    assert W.shape == (n_in, 3 * n) and U.shape == (n, 3 * n)
    x = rng.normal(size=(batch, n_in)).astype("float32")
    h = rng.normal(size=(batch, n)).astype("float32")

    xW = x @ W + bias                                    # one product, all blocks
    hU_gates = h @ U[:, :2 * n]                          # one product for u and r
    u = _sigmoid(xW[:, :n] + hU_gates[:, :n])
    r = _sigmoid(xW[:, n:2 * n] + hU_gates[:, n:])
    h_tilde = np.tanh(xW[:, 2 * n:] + (r * h) @ U[:, 2 * n:])  # waits for r
    ours = u * h + (1 - u) * h_tilde
    tf_h, _ = cell(tf.constant(x), tf.constant(h))
    assert np.abs(ours - tf_h.numpy()).max() < 1e-5

    # Keras reset_after=False stores exactly these two kernels and one bias
    kc = keras.layers.GRUCell(n, reset_after=False)
    kc.build((None, n_in))
    assert [tuple(w.shape) for w in kc.weights] == [(n_in, 3 * n), (n, 3 * n), (3 * n,)]
    kc.set_weights([W, U, bias])
    k_h, _ = kc(tf.constant(x), tf.constant(h))
    assert np.abs(np.asarray(k_h) - tf_h.numpy()).max() < 1e-5


# --- gru.md, the bias count (issue 9, items 8 and 16) ----------------------------------


def test_gru_reset_after_adds_a_recurrent_bias_to_all_three_blocks():
    n_in, n = 28, 128
    tf1 = legacy_cells.GRUCell(n)
    tf1(tf.zeros((1, n_in)), tf.zeros((1, n)))
    tf1_count = sum(int(np.prod(v.shape)) for v in tf1.variables)
    counts = {}
    for reset_after in (True, False):
        layer = keras.layers.GRU(n, reset_after=reset_after)
        layer.build((None, None, n_in))
        counts[reset_after] = layer.count_params()
    assert tf1_count == 3 * ((n_in + n) * n + n)
    assert counts[False] == tf1_count
    assert counts[True] - tf1_count == 3 * n
    cell = keras.layers.GRUCell(n)
    cell.build((None, n_in))
    assert tuple(cell.bias.shape) == (2, 3 * n)

    # b' is added to all three recurrent blocks: for z and r it only adds to b
    rng = np.random.default_rng(3)
    W = rng.normal(scale=0.3, size=(n_in, 3 * n)).astype("float32")
    U = rng.normal(scale=0.3, size=(n, 3 * n)).astype("float32")
    b_in = rng.normal(size=3 * n).astype("float32")
    b_rec = rng.normal(size=3 * n).astype("float32")
    x = rng.normal(size=(2, n_in)).astype("float32")
    h = rng.normal(size=(2, n)).astype("float32")
    cell.set_weights([W, U, np.stack([b_in, b_rec])])
    ref, _ = cell(tf.constant(x), tf.constant(h))
    moved = b_rec.copy()
    moved[:2 * n] = 0.0                  # move b'_z, b'_r into b_z, b_r
    b_in2 = b_in.copy()
    b_in2[:2 * n] += b_rec[:2 * n]
    cell.set_weights([W, U, np.stack([b_in2, moved])])
    same, _ = cell(tf.constant(x), tf.constant(h))
    assert np.abs(np.asarray(same) - np.asarray(ref)).max() < 1e-5


# --- sequences.md, feeding a tuple state in TF1 (issue 9, item 3) ----------------------


def _tf1_lstm_graph(batch, time, n_in, units, state_is_tuple=True):
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(0)
        inputs = v1.placeholder(tf.float32, (batch, time, n_in))
        cell = legacy_cells.BasicLSTMCell(units, state_is_tuple=state_is_tuple)
        init = cell.zero_state(batch, tf.float32)
        outputs, final = v1.nn.dynamic_rnn(cell, inputs, initial_state=init)
    return graph, inputs, init, final


def test_tf1_feeding_the_whole_state_tuple_equals_feeding_its_parts():
    batch, time, n_in, units = 3, 5, 2, 4
    x = np.random.default_rng(4).normal(size=(batch, time, n_in)).astype("float32")
    graph, inputs, init, final = _tf1_lstm_graph(batch, time, n_in, units)
    with graph.as_default(), v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        with pytest.raises(AttributeError, match="eval"):
            init.eval()                                  # a tuple has no .eval()
        state = sess.run(init)                           # the fix: sess.run
        assert type(state).__name__ == "LSTMStateTuple"
        value = sess.run(final, {inputs: x, init: state})
        whole = sess.run(final, {inputs: x, init: value})  # feed the tuple whole
        parts = sess.run(final, {inputs: x, init.c: value.c, init.h: value.h})
        assert np.array_equal(whole.c, parts.c) and np.array_equal(whole.h, parts.h)
        assert np.abs(whole.h - value.h).max() > 1e-3      # the state did matter
        with pytest.raises(ValueError):
            sess.run(final, {inputs: x, init: np.concatenate(value, 1)})

    # state_is_tuple=False: the state is one (batch, 2 units) tensor, so .eval() works
    graph, inputs, init, final = _tf1_lstm_graph(batch, time, n_in, units, False)
    with graph.as_default(), v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        assert init.eval().shape == (batch, 2 * units)
        value = sess.run(final, {inputs: x})
        assert value.shape == (batch, 2 * units)
        sess.run(final, {inputs: x, init: value})          # one array feeds back


# --- sequences.md, variable reuse in TF1 graphs (issue 9, item 17) ---------------------


def test_tf1_get_variable_reuse_error_and_reuse_variables():
    graph = tf.Graph()
    with graph.as_default():
        with v1.variable_scope("rnn"):
            w = v1.get_variable("W", (2, 4))
        with pytest.raises(ValueError, match="already exists, disallowed"):
            with v1.variable_scope("rnn"):
                v1.get_variable("W", (2, 4))
        with v1.variable_scope("rnn") as scope:
            scope.reuse_variables()
            assert v1.get_variable("W", (2, 4)) is w


# --- rnn_cell.md, the names in old posts (missing: the bridge) -------------------------


def test_tf_compat_v1_basic_rnn_cell_refuses_under_keras3():
    with pytest.raises(AttributeError, match="not available with Keras 3"):
        tf.compat.v1.nn.rnn_cell.BasicRNNCell(4)
    assert not hasattr(tf, "contrib")
    assert not hasattr(tf.nn, "rnn_cell")


def test_tf_use_legacy_keras_routes_compat_v1_cells_to_tf_keras():
    code = ("import tensorflow as tf; c = tf.compat.v1.nn.rnn_cell.BasicRNNCell(4);"
            " print(type(c).__module__ + '.' + type(c).__name__)")
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([sys.executable, "-W", "ignore", "-c", code], env=env,
                         capture_output=True, text=True, check=True, timeout=300)
    assert run.stdout.strip().endswith(
        "tf_keras.src.layers.rnn.legacy_cells.BasicRNNCell"), run.stdout


# --- lstm.md, TF1 LSTMCell's extras (missing: LSTMCell vs BasicLSTMCell) ---------------


def test_tf1_lstmcell_without_extras_is_basic_lstm_and_extras_follow_the_source():
    """LSTMCell with no peepholes, clip or projection computes BasicLSTMCell (what
    rnnlib implements); with them, TF's output follows the equations in lstm.md."""
    rng = np.random.default_rng(5)
    n_in, n, p, batch = 2, 4, 3, 3
    x = rng.normal(size=(batch, n_in)).astype("float32")
    c0 = rng.normal(size=(batch, n)).astype("float32")
    h0 = rng.normal(size=(batch, n)).astype("float32")

    plain = legacy_cells.LSTMCell(n)
    plain.build((None, n_in))
    K, b = (rng.normal(scale=0.5, size=v.shape).astype("float32")
            for v in plain.variables)
    plain.set_weights([K, b])
    basic = legacy_cells.BasicLSTMCell(n)
    basic.build((None, n_in))
    basic.set_weights([K, b])
    st = legacy_cells.LSTMStateTuple(tf.constant(c0), tf.constant(h0))
    plain_h = plain(x, st)[0].numpy()
    assert np.abs(plain_h - basic(x, st)[0].numpy()).max() < 1e-6
    ours_h, _ = rnnlib.from_tf(basic)(x, rnnlib.LSTMState(c=c0, h=h0))
    assert np.abs(ours_h - plain_h).max() < 1e-5

    # peepholes, cell clip and projection, by hand from the equations in lstm.md
    full = legacy_cells.LSTMCell(n, use_peepholes=True, cell_clip=0.5, num_proj=p)
    full.build((None, n_in))
    vals = [rng.normal(scale=0.5, size=v.shape).astype("float32")
            for v in full.variables]
    full.set_weights(vals)
    names = [v.name.split(":")[0].split("/", 1)[1] for v in full.variables]
    w = dict(zip(names, vals, strict=True))
    assert sorted(names) == ["bias", "kernel", "projection/kernel", "w_f_diag",
                             "w_i_diag", "w_o_diag"]
    hp = rng.normal(size=(batch, p)).astype("float32")   # h has num_proj columns
    z = np.concatenate([x, hp], 1) @ w["kernel"] + w["bias"]
    z_i, z_j, z_f, z_o = np.split(z, 4, axis=1)
    c = (_sigmoid(z_f + 1.0 + w["w_f_diag"] * c0) * c0
         + _sigmoid(z_i + w["w_i_diag"] * c0) * np.tanh(z_j))
    c = np.clip(c, -0.5, 0.5)
    m = _sigmoid(z_o + w["w_o_diag"] * c) * np.tanh(c)
    h = m @ w["projection/kernel"]
    tf_h, tf_s = full(x, legacy_cells.LSTMStateTuple(tf.constant(c0), tf.constant(hp)))
    assert tf_h.shape == (batch, p)
    assert np.abs(c - tf_s.c.numpy()).max() < 1e-5
    assert np.abs(h - tf_h.numpy()).max() < 1e-5


# --- lstm.md, cuDNN history and conditions (issue 9, item 9) ---------------------------


def test_cudnn_lstm_name_and_eager_condition_live_only_in_tf_keras():
    """Under Keras 3, tf.compat.v1.keras.layers has no CuDNNLSTM (tf_keras still has the
    class), and only tf_keras's LSTM checks eager execution; Keras 3's code does not."""
    import importlib
    import inspect

    assert not hasattr(tf.compat.v1.keras.layers, "CuDNNLSTM")
    cudnn_lstm = importlib.import_module("tf_keras.src.layers.rnn.cudnn_lstm")
    assert cudnn_lstm.CuDNNLSTM.__name__ == "CuDNNLSTM"
    tf_keras_lstm = importlib.import_module("tf_keras.src.layers.rnn.lstm")
    old = inspect.getsource(tf_keras_lstm.LSTM.__init__)
    assert "executing_eagerly_outside_functions()" in old
    for name in ("keras.src.backend.tensorflow.rnn", "keras.src.layers.rnn.lstm"):
        assert "executing_eagerly" not in inspect.getsource(importlib.import_module(name))
    # the docstring still lists the condition the code no longer checks
    assert "Eager execution is enabled in the outermost context" in keras.layers.LSTM.__doc__
