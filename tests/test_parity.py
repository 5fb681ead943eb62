"""rnnlib computes what TensorFlow's cells compute (issue 3).

Every number here comes from TensorFlow: a TF cell gets random non-default
weights, ``rnnlib.from_tf`` copies them, and the same inputs go through
``tf.compat.v1.nn.dynamic_rnn`` (TF1 cells) or ``keras.layers.RNN`` (Keras
cells, sequence lengths as a mask with ``zero_output_for_mask=True``, which is
dynamic_rnn's rule) and through ``rnnlib.unroll``. Every output and every part
of the final state must agree to 1e-5 in float32 (1e-12 in float64).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import subprocess  # noqa: E402
import sys  # noqa: E402
import zlib  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib import LSTMState  # noqa: E402


def test_import_rnnlib_does_not_import_tensorflow():
    code = ("import sys, rnnlib, rnnlib.interop; "
            "from rnnlib import from_tf, to_keras; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'tf_keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
legacy = pytest.importorskip("tf_keras.src.layers.rnn.legacy_cells")
pytestmark = [pytest.mark.filterwarnings("ignore:.*is deprecated"),   # TF1 cells warn on creation
              pytest.mark.filterwarnings("ignore:`layer.updates` will be removed")]  # in graph mode
tf.get_logger().setLevel("ERROR")

TOL = {"float32": 1e-5, "float64": 1e-12}


# -- the table of TensorFlow cells --------------------------------------------
@dataclass
class Kind:
    """How to build one kind of TF cell and how its state is laid out."""

    make: Callable            # (units, dtype) -> unbuilt TF cell
    family: str               # "legacy" (dynamic_rnn) or "keras" (keras.layers.RNN)
    to_tf_state: Callable     # rnnlib state -> the same state in TF's structure


def _same(s):
    return s


def _keras_list(s):
    return [s]


def _legacy_lstm(s):
    return legacy.LSTMStateTuple(s.c, s.h)


def _keras_lstm(s):
    return [s.h, s.c]                     # Keras keeps [h, c]; rnnlib keeps (c, h)


KINDS = {
    "tf1_BasicRNNCell": Kind(lambda n, dt: legacy.BasicRNNCell(n, dtype=dt), "legacy", _same),
    "tf1_BasicLSTMCell_fb0": Kind(lambda n, dt: legacy.BasicLSTMCell(n, forget_bias=0.0, dtype=dt),
                                  "legacy", _legacy_lstm),
    "tf1_BasicLSTMCell_fb1": Kind(lambda n, dt: legacy.BasicLSTMCell(n, dtype=dt),
                                  "legacy", _legacy_lstm),
    "tf1_BasicLSTMCell_fb2.5": Kind(lambda n, dt: legacy.BasicLSTMCell(n, forget_bias=2.5,
                                                                       dtype=dt),
                                    "legacy", _legacy_lstm),
    "tf1_BasicLSTMCell_concat_state": Kind(
        lambda n, dt: legacy.BasicLSTMCell(n, forget_bias=0.5, state_is_tuple=False, dtype=dt),
        "legacy", lambda s: np.concatenate([s.c, s.h], axis=1)),
    "tf1_GRUCell": Kind(lambda n, dt: legacy.GRUCell(n, dtype=dt), "legacy", _same),
    "tf1_MultiRNNCell": Kind(
        lambda n, dt: legacy.MultiRNNCell([legacy.BasicLSTMCell(n, forget_bias=1.5, dtype=dt),
                                           legacy.GRUCell(n + 1, dtype=dt)]),
        "legacy", lambda s: (_legacy_lstm(s[0]), s[1])),
    "keras_SimpleRNNCell": Kind(lambda n, dt: keras.layers.SimpleRNNCell(n, dtype=dt),
                                "keras", _keras_list),
    "keras_LSTMCell": Kind(lambda n, dt: keras.layers.LSTMCell(n, dtype=dt), "keras", _keras_lstm),
    "keras_GRUCell_reset_after": Kind(lambda n, dt: keras.layers.GRUCell(n, dtype=dt),
                                      "keras", _keras_list),
    "keras_GRUCell_reset_before": Kind(
        lambda n, dt: keras.layers.GRUCell(n, reset_after=False, dtype=dt), "keras", _keras_list),
    "keras_StackedRNNCells": Kind(
        lambda n, dt: keras.layers.StackedRNNCells([keras.layers.GRUCell(n, dtype=dt),
                                                    keras.layers.LSTMCell(n + 1, dtype=dt)],
                                                   dtype=dt),
        "keras", lambda s: [[s[0]], _keras_lstm(s[1])]),
}

# (batch, time, input_size, units): batch 1, units 1, input size 1, one step, 200 steps.
SHAPES = [(1, 1, 1, 1), (4, 7, 3, 5), (2, 13, 1, 6), (3, 200, 2, 4)]


def rng_for(*key):
    """A generator seeded by the test case, so every case is reproducible."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def randomize(tf_cell, rng, dtype):
    """Random non-default weights (biases included) on a built TF cell."""
    tf_cell.set_weights([rng.normal(0.0, 0.5, w.shape).astype(dtype)
                         for w in tf_cell.get_weights()])


def built_cell(kind_id, input_size, units, dtype, rng):
    kind = KINDS[kind_id]
    cell = kind.make(units, dtype)
    if kind.family == "legacy":                       # TF1 cells build on their first call
        cell(tf.zeros((1, input_size), dtype), cell.zero_state(1, dtype))
    else:
        cell.build((None, input_size))
    randomize(cell, rng, dtype)
    return cell


def random_state(cell, batch, rng):
    """A random rnnlib state for ``batch`` sequences (so state handling is exercised)."""
    from rnnlib._cell import map_structure

    return map_structure(lambda a: rng.normal(0.0, 0.5, a.shape).astype(a.dtype),
                         cell.zero_state(batch))


def run_tf(kind_id, tf_cell, x, lengths, init_state):
    """Outputs (batch, time, units) and flat final state from TensorFlow.

    Long sequences run inside a ``tf.function`` (graph mode): the eager loop
    takes seconds for 200 steps, the traced one a fraction of that.
    """
    kind = KINDS[kind_id]
    dtype = x.dtype.name
    if init_state is not None:
        init_state = tf.nest.map_structure(tf.constant, kind.to_tf_state(init_state))
    if lengths is not None:
        lengths = tf.constant(lengths)

    def tf_run(x, lengths, init_state):
        if kind.family == "legacy":
            return tf.compat.v1.nn.dynamic_rnn(tf_cell, x, sequence_length=lengths,
                                               dtype=dtype, initial_state=init_state)
        layer = keras.layers.RNN(tf_cell, return_sequences=True, return_state=True,
                                 zero_output_for_mask=True, dtype=dtype)
        mask = None if lengths is None else tf.sequence_mask(lengths, x.shape[1])
        result = layer(x, mask=mask, initial_state=init_state)
        return result[0], result[1:]

    if x.shape[1] > 50:
        tf_run = tf.function(tf_run, autograph=False)
    outputs, final = tf_run(tf.constant(x), lengths, init_state)
    return outputs.numpy(), [np.asarray(a) for a in tf.nest.flatten(final)]


_CASES = {}


def case(kind_id, shape, with_lengths, dtype):
    """TF's answer for one case, computed once and shared by the time-major variant."""
    key = (kind_id, shape, with_lengths, dtype)
    if key not in _CASES:
        batch, time, input_size, units = shape
        rng = rng_for(*key)
        tf_cell = built_cell(kind_id, input_size, units, dtype, rng)
        ours = rnnlib.from_tf(tf_cell)
        x = rng.normal(size=(batch, time, input_size)).astype(dtype)
        lengths, init = None, None
        if with_lengths:                                   # includes a full and an empty one
            lengths = rng.integers(0, time + 1, size=batch)
            if batch >= 2:
                lengths[:2] = time, 0
            init = random_state(ours, batch, rng)
        _CASES[key] = (tf_cell, ours, x, lengths, init, run_tf(kind_id, tf_cell, x, lengths, init))
    return _CASES[key]


def max_diff(tf_values, ours):
    return max(float(np.max(np.abs(a - b), initial=0.0)) for a, b in zip(tf_values, ours,
                                                                          strict=True))


@pytest.mark.parametrize("time_major", [False, True], ids=["batch_major", "time_major"])
@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "sequence_length"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "b{}_t{}_in{}_n{}".format(*s))
@pytest.mark.parametrize("kind_id", list(KINDS))
def test_unroll_matches_tensorflow(kind_id, shape, with_lengths, time_major, record_property):
    tf_cell, ours, x, lengths, init, (tf_out, tf_state) = case(kind_id, shape, with_lengths,
                                                               "float32")
    assert ours.dtype == np.float32
    inputs = x.transpose(1, 0, 2) if time_major else x
    out, state = rnnlib.unroll(ours, inputs, initial_state=init, sequence_length=lengths,
                               time_major=time_major)
    if time_major:
        out = out.transpose(1, 0, 2)
    assert out.dtype == np.float32 and out.shape == tf_out.shape
    ours_flat = [np.asarray(a) for a in tf.nest.flatten(KINDS[kind_id].to_tf_state(state))]
    diff = max_diff([tf_out] + tf_state, [out] + ours_flat)
    record_property("max_abs_diff", diff)
    assert diff <= TOL["float32"]


@pytest.mark.parametrize("kind_id", list(KINDS))
def test_float64_matches_tensorflow(kind_id, record_property):
    tf_cell, ours, x, lengths, init, (tf_out, tf_state) = case(kind_id, (4, 7, 3, 5), True,
                                                               "float64")
    assert all(v.dtype == np.float64 for v in ours.params.values())
    out, state = rnnlib.unroll(ours, x, initial_state=init, sequence_length=lengths)
    ours_flat = [np.asarray(a) for a in tf.nest.flatten(KINDS[kind_id].to_tf_state(state))]
    diff = max_diff([tf_out] + tf_state, [out] + ours_flat)
    record_property("max_abs_diff", diff)
    assert out.dtype == np.float64 and diff <= TOL["float64"]


@pytest.mark.parametrize("kind_id", list(KINDS))
def test_one_step_matches_tensorflow(kind_id):
    """``cell(x, state)`` against the TF cell called directly, from a random state."""
    rng = rng_for("step", kind_id)
    tf_cell = built_cell(kind_id, 3, 5, "float32", rng)
    ours = rnnlib.from_tf(tf_cell)
    x = rng.normal(size=(4, 3)).astype("float32")
    state = random_state(ours, 4, rng)
    tf_out, tf_state = tf_cell(tf.constant(x), tf.nest.map_structure(
        tf.constant, KINDS[kind_id].to_tf_state(state)))
    out, new_state = ours(x, state)
    ours_flat = tf.nest.flatten(KINDS[kind_id].to_tf_state(new_state))
    assert max_diff([tf_out.numpy()] + [np.asarray(a) for a in tf.nest.flatten(tf_state)],
                    [out] + [np.asarray(a) for a in ours_flat]) <= TOL["float32"]


def test_dynamic_rnn_time_major_matches():
    """TF's own time-major path, not only a transpose of the batch-major answer."""
    rng = rng_for("time_major")
    tf_cell = built_cell("tf1_BasicLSTMCell_fb2.5", 3, 4, "float32", rng)
    ours = rnnlib.from_tf(tf_cell)
    x = rng.normal(size=(9, 5, 3)).astype("float32")         # (time, batch, input_size)
    lengths = np.array([9, 0, 4, 1, 7])
    tf_out, tf_state = tf.compat.v1.nn.dynamic_rnn(tf_cell, tf.constant(x), sequence_length=lengths,
                                                   time_major=True, dtype=tf.float32)
    out, state = rnnlib.unroll(ours, x, sequence_length=lengths, time_major=True)
    assert max_diff([tf_out.numpy(), tf_state.c.numpy(), tf_state.h.numpy()],
                    [out, state.c, state.h]) <= TOL["float32"]


# -- activations, use_bias ----------------------------------------------------
ACTIVATION_SPECS = ["tanh", "sigmoid", "relu", "linear", tf.nn.relu, tf.sigmoid, tf.identity]


@pytest.mark.parametrize("activation", ACTIVATION_SPECS,
                         ids=lambda a: a if isinstance(a, str) else f"tf.{a.__name__}")
@pytest.mark.parametrize("family", ["legacy", "keras"])
def test_simple_rnn_activations(family, activation):
    rng = rng_for("act", family, str(activation))
    if family == "legacy":
        tf_cell = legacy.BasicRNNCell(3, activation=activation)
        tf_cell(tf.zeros((1, 2)), tf_cell.zero_state(1, tf.float32))
    else:
        tf_cell = keras.layers.SimpleRNNCell(3, activation=activation)
        tf_cell.build((None, 2))
    tf_cell.set_weights([rng.normal(0.0, 0.3, w.shape).astype("float32")
                         for w in tf_cell.get_weights()])
    ours = rnnlib.from_tf(tf_cell)
    x = rng.normal(size=(2, 6, 2)).astype("float32")
    tf_out, tf_state = run_tf("tf1_BasicRNNCell" if family == "legacy" else "keras_SimpleRNNCell",
                              tf_cell, x, None, None)
    out, state = rnnlib.unroll(ours, x)
    assert max_diff([tf_out] + tf_state, [out, state]) <= TOL["float32"]


@pytest.mark.parametrize("kind_id", ["keras_SimpleRNNCell", "keras_LSTMCell",
                                     "keras_GRUCell_reset_after", "keras_GRUCell_reset_before"])
def test_keras_use_bias_false_is_a_zero_bias(kind_id):
    rng = rng_for("nobias", kind_id)
    layer_class = {"keras_SimpleRNNCell": keras.layers.SimpleRNNCell,
                   "keras_LSTMCell": keras.layers.LSTMCell}.get(kind_id, keras.layers.GRUCell)
    kwargs = {"reset_after": False} if kind_id.endswith("before") else {}
    tf_cell = layer_class(4, use_bias=False, **kwargs)
    tf_cell.build((None, 3))
    randomize(tf_cell, rng, "float32")
    ours = rnnlib.from_tf(tf_cell)
    assert all(not np.any(v) for k, v in ours.params.items() if k.startswith("b"))
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    tf_out, tf_state = run_tf(kind_id, tf_cell, x, None, None)
    out, state = rnnlib.unroll(ours, x)
    ours_flat = [np.asarray(a) for a in tf.nest.flatten(KINDS[kind_id].to_tf_state(state))]
    assert max_diff([tf_out] + tf_state, [out] + ours_flat) <= TOL["float32"]


# -- the seed posts' printouts: input (3, 2), 4 units --------------------------
SEED_LAYOUTS = {
    "BasicRNNCell": {"kernel": (6, 4), "bias": (4,)},
    "BasicLSTMCell": {"kernel": (6, 16), "bias": (16,)},
    "GRUCell": {"gates/kernel": (6, 8), "gates/bias": (8,),
                "candidate/kernel": (6, 4), "candidate/bias": (4,)},
}


@pytest.mark.parametrize("name", list(SEED_LAYOUTS))
def test_seed_posts_tf1_layout(name):
    rng = rng_for("seed", name)
    tf_cell = getattr(legacy, name)(4)
    x = rng.normal(size=(3, 2)).astype("float32")
    tf_cell(x, tf_cell.zero_state(3, tf.float32))
    randomize(tf_cell, rng, "float32")
    tf_vars = {v.name.split("/", 1)[1].removesuffix(":0"): v.numpy() for v in tf_cell.weights}
    assert {k: v.shape for k, v in tf_vars.items()} == SEED_LAYOUTS[name]

    fresh = {"BasicRNNCell": rnnlib.RNNCell, "BasicLSTMCell": rnnlib.LSTMCell,
             "GRUCell": rnnlib.GRUCell}[name](2, 4)
    assert {k: v.shape for k, v in fresh.tf1_layout().items()} == SEED_LAYOUTS[name]

    layout = rnnlib.from_tf(tf_cell).tf1_layout()
    assert layout.keys() == tf_vars.keys()
    for key, value in layout.items():
        assert value.dtype == tf_vars[key].dtype and np.array_equal(value, tf_vars[key]), key


# -- to_keras and the exact round trip ------------------------------------------
def rnnlib_cells():
    rng = np.random.default_rng(7)

    def shaken(cell):                      # non-default weights, so a mix-up would show
        return cell.set_params(**{k: rng.normal(0.0, 0.5, v.shape).astype(v.dtype)
                                  for k, v in cell.params.items()})

    return {
        "RNNCell_tanh": shaken(rnnlib.RNNCell(3, 4, seed=1)),
        "RNNCell_relu": shaken(rnnlib.RNNCell(3, 4, activation="relu", seed=1)),
        "RNNCell_float64": shaken(rnnlib.RNNCell(3, 4, seed=1, dtype="float64")),
        "LSTMCell_fb0": shaken(rnnlib.LSTMCell(3, 4, forget_bias=0.0, seed=1)),
        "LSTMCell_fb1": shaken(rnnlib.LSTMCell(3, 4, seed=1)),
        "LSTMCell_fb2.5": shaken(rnnlib.LSTMCell(3, 4, forget_bias=2.5, seed=1)),
        "LSTMCell_fb0.1_float64": shaken(rnnlib.LSTMCell(3, 4, forget_bias=0.1, seed=1,
                                                         dtype="float64")),
        "GRUCell_reset_before": shaken(rnnlib.GRUCell(3, 4, seed=1)),
        "GRUCell_reset_after": shaken(rnnlib.GRUCell(3, 4, reset_after=True, seed=1)),
        "MultiCell": rnnlib.MultiCell([shaken(rnnlib.LSTMCell(3, 4, forget_bias=2.5, seed=1)),
                                       shaken(rnnlib.GRUCell(4, 2, reset_after=True, seed=2))]),
    }


ROUND_TRIP = rnnlib_cells()


def expected_after_round_trip(cell):
    """What from_tf(to_keras(cell)) must give: the same W, U, b, with b_f + forget_bias."""
    if isinstance(cell, rnnlib.MultiCell):
        return {f"{k}/{name}": v for k, c in enumerate(cell.cells)
                for name, v in expected_after_round_trip(c).items()}
    params = dict(cell.params)
    if isinstance(cell, rnnlib.LSTMCell):
        b_i, b_f, b_c, b_o = np.split(params["b"], 4)
        params["b"] = np.concatenate([b_i, b_f + cell.dtype.type(cell.forget_bias), b_c, b_o])
    return params


@pytest.mark.parametrize("name", list(ROUND_TRIP))
def test_round_trip_is_exact(name):
    cell = ROUND_TRIP[name]
    back = rnnlib.from_tf(rnnlib.to_keras(cell))
    expected = expected_after_round_trip(cell)
    assert back.params.keys() == expected.keys()
    for key, value in expected.items():
        assert back.params[key].dtype == value.dtype
        assert np.array_equal(back.params[key], value), key
    layers = back.cells if isinstance(back, rnnlib.MultiCell) else [back]
    assert all(c.forget_bias == 0.0 for c in layers if isinstance(c, rnnlib.LSTMCell))


@pytest.mark.parametrize("name", list(ROUND_TRIP))
def test_to_keras_matches_rnnlib(name):
    """The Keras cell that to_keras builds computes what the rnnlib cell computes."""
    cell = ROUND_TRIP[name]
    k_cell = rnnlib.to_keras(cell)
    assert k_cell.built
    rng = rng_for("to_keras", name)
    x = rng.normal(size=(3, 11, cell.input_size)).astype(cell.dtype)
    lengths = np.array([11, 0, 6])
    layer = keras.layers.RNN(k_cell, return_sequences=True, return_state=True,
                             zero_output_for_mask=True, dtype=cell.dtype.name)
    result = layer(x, mask=tf.sequence_mask(lengths, 11))
    out, state = rnnlib.unroll(cell, x, sequence_length=lengths)

    def keras_layout(c, s):
        if isinstance(c, rnnlib.MultiCell):
            return [keras_layout(ci, si) for ci, si in zip(c.cells, s, strict=True)]
        return _keras_lstm(s) if isinstance(c, rnnlib.LSTMCell) else [s]

    ours_flat = [np.asarray(a) for a in tf.nest.flatten(keras_layout(cell, state))]
    tf_flat = [np.asarray(a) for a in tf.nest.flatten(result[1:])]
    assert max_diff([result[0].numpy()] + tf_flat, [out] + ours_flat) <= TOL[cell.dtype.name]


def test_lstm_state_is_an_lstm_state():
    tf_cell = built_cell("tf1_BasicLSTMCell_fb1", 2, 3, "float32", rng_for("state"))
    _, state = rnnlib.unroll(rnnlib.from_tf(tf_cell), np.zeros((1, 2, 2), np.float32))
    assert isinstance(state, LSTMState)
