"""Bad input is refused with an exception that names what was expected and got.

One table: each row is a call that must fail, the exception type, and a
regular expression that the message must match. The expressions are written
so that they contain both halves, the expectation and the received value,
e.g. ``state has batch 1 but inputs have batch 4``.
"""
import os

import numpy as np
import pytest

import rnnlib
from rnnlib import GRUCell, LSTMCell, LSTMState, MultiCell, RNNCell, unroll

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
pytestmark = pytest.mark.filterwarnings("ignore:.*is deprecated")   # TF1 cells warn on creation

F32 = np.float32
X = np.zeros((4, 2), F32)                  # (batch 4, input_size 2)
SEQ = np.zeros((4, 5, 2), F32)             # (batch 4, time 5, input_size 2)


def rnn():
    return RNNCell(2, 4, seed=0)


def lstm():
    return LSTMCell(2, 4, seed=0)


def gru():
    return GRUCell(2, 4, seed=0)


def multi():
    return MultiCell([LSTMCell(2, 3, seed=0), GRUCell(3, 4, seed=1)])


def zeros(*shape, dtype=F32):
    return np.zeros(shape, dtype)


# -- TensorFlow cells, built only when a row that needs them runs -------------
def legacy(name, built=True, **kwargs):
    pytest.importorskip("tensorflow")
    cells = pytest.importorskip("tf_keras.src.layers.rnn.legacy_cells")
    cell = getattr(cells, name)(4, **kwargs)
    if built:
        cell.build((None, 2))
    return cell


def keras_cell(name, built=True, **kwargs):
    keras = pytest.importorskip("keras")
    cell = getattr(keras.layers, name)(4, **kwargs)
    if built:
        cell.build((None, 2))
    return cell


def with_nan(cell, index):
    weights = cell.get_weights()
    weights[index] = weights[index].copy()
    weights[index].flat[0] = np.nan
    cell.set_weights(weights)
    return cell


def keras_layer():
    keras = pytest.importorskip("keras")
    return keras.layers.LSTM(4)


def custom_activation_cell():
    return RNNCell(2, 4, activation=(np.sin, np.cos), seed=0)


CASES = [
    # ---- cell __call__: shapes ------------------------------------------------
    ("call/inputs_rank_3", lambda: rnn()(zeros(4, 2, 1), zeros(4, 4)),
     ValueError, r"inputs must have rank 2 \(batch, input_size\), got rank 3"),
    ("call/inputs_rank_1", lambda: rnn()(zeros(2), zeros(4, 4)),
     ValueError, r"inputs must have rank 2 .*got rank 1 \(inputs.shape=\(2,\)\)"),
    ("call/wrong_features", lambda: rnn()(zeros(4, 3), zeros(4, 4)),
     ValueError, r"inputs have 3 features, expected 2 \(inputs.shape=\(4, 3\)\)"),
    ("call/state_batch_1_for_batch_4", lambda: rnn()(X, zeros(1, 4)),
     ValueError, r"state has batch 1 but inputs have batch 4"),
    ("call/state_rank_1", lambda: rnn()(X, zeros(4)),
     ValueError, r"state must have rank 2 \(batch, 4\), got rank 1"),
    ("call/state_wrong_units", lambda: rnn()(X, zeros(4, 5)),
     ValueError, r"state must have shape \(batch, 4\).*got state.shape=\(4, 5\)"),
    ("call/rnn_state_is_a_tuple", lambda: rnn()(X, (zeros(4, 4), zeros(4, 4))),
     TypeError, r"state must be one array of shape \(batch, 4\), got a tuple of 2"),
    ("call/gru_state_batch_mismatch", lambda: gru()(X, zeros(3, 4)),
     ValueError, r"state has batch 3 but inputs have batch 4"),
    # ---- LSTM state ---------------------------------------------------------
    ("call/lstm_state_is_one_array", lambda: lstm()(X, zeros(4, 4)),
     TypeError, r"LSTMState\(c, h\) pair of \(batch, 4\) arrays, got a ndarray with shape"),
    ("call/lstm_state_triple", lambda: lstm()(X, (zeros(4, 4),) * 3),
     TypeError, r"LSTMState\(c, h\) pair.*got a tuple of length 3"),
    ("call/lstm_state_list", lambda: lstm()(X, [zeros(4, 4), zeros(4, 4)]),
     TypeError, r"LSTMState\(c, h\) pair.*got a list of length 2"),
    ("call/lstm_h_wrong_units", lambda: lstm()(X, LSTMState(zeros(4, 4), zeros(4, 3))),
     ValueError, r"state.h must have shape \(batch, 4\).*got state.h.shape=\(4, 3\)"),
    ("call/lstm_c_batch_1", lambda: lstm()(X, LSTMState(zeros(1, 4), zeros(4, 4))),
     ValueError, r"state.c has batch 1 but inputs have batch 4"),
    # ---- dtypes -------------------------------------------------------------
    ("call/int_inputs", lambda: rnn()(zeros(4, 2, dtype=np.int64), zeros(4, 4)),
     TypeError, r"inputs must be a float array, got dtype int64"),
    ("call/bool_inputs", lambda: rnn()(zeros(4, 2, dtype=bool), zeros(4, 4)),
     TypeError, r"inputs must be a float array, got dtype bool"),
    ("call/complex_inputs", lambda: lstm()(zeros(4, 2, dtype=np.complex64), lstm().zero_state(4)),
     TypeError, r"inputs must be a float array, got dtype complex64"),
    ("call/int_state", lambda: gru()(X, zeros(4, 4, dtype=np.int32)),
     TypeError, r"state must be a float array, got dtype int32"),
    # ---- constructors -------------------------------------------------------
    ("init/units_0", lambda: RNNCell(2, 0), ValueError, r"units must be >= 1, got 0"),
    ("init/input_size_0", lambda: LSTMCell(0, 3), ValueError, r"input_size must be >= 1, got 0"),
    ("init/units_negative", lambda: GRUCell(2, -1), ValueError, r"units must be >= 1, got -1"),
    ("init/units_float", lambda: RNNCell(2, 2.5), TypeError, r"units must be an int >= 1, got 2.5"),
    ("init/units_bool", lambda: RNNCell(2, True),
     TypeError, r"units must be an int >= 1, got True"),
    ("init/dtype_int", lambda: RNNCell(2, 3, dtype="int32"),
     TypeError, r"dtype must be float32 or float64, got int32"),
    ("init/unknown_activation", lambda: RNNCell(2, 3, activation="swish"),
     ValueError, r"unknown activation 'swish': expected one of \['linear', 'relu', 'sigmoid'"),
    ("init/activation_without_grad", lambda: RNNCell(2, 3, activation=np.sin),
     TypeError, r"callable without its derivative: pass a pair \(fn, grad\)"),
    ("init/forget_bias_nan", lambda: LSTMCell(2, 3, forget_bias=float("nan")),
     ValueError, r"forget_bias must be a finite number, got nan"),
    ("init/forget_bias_string", lambda: LSTMCell(2, 3, forget_bias="1"),
     ValueError, r"forget_bias must be a finite number, got '1'"),
    ("init/reset_after_string", lambda: GRUCell(2, 3, reset_after="yes"),
     TypeError, r"reset_after must be True or False, got 'yes'"),
    # ---- zero_state, set_params ------------------------------------------------
    ("zero_state/batch_0", lambda: rnn().zero_state(0),
     ValueError, r"batch_size must be >= 1, got 0"),
    ("zero_state/batch_float", lambda: lstm().zero_state(2.0),
     TypeError, r"batch_size must be an int >= 1, got 2.0"),
    ("zero_state/dtype_int", lambda: gru().zero_state(2, "int32"),
     TypeError, r"dtype must be float32 or float64, got int32"),
    ("zero_state/multi_batch_0", lambda: multi().zero_state(0),
     ValueError, r"batch_size must be >= 1, got 0"),
    ("set_params/wrong_shape", lambda: rnn().set_params(W=zeros(3, 4)),
     ValueError, r"parameter W must have shape \(2, 4\), got \(3, 4\)"),
    ("set_params/int", lambda: rnn().set_params(b=np.zeros(4, int)),
     TypeError, r"parameter b must be float, got int64"),
    ("set_params/nan", lambda: rnn().set_params(b=np.full(4, np.nan, F32)),
     ValueError, r"parameter b has non-finite values"),
    ("set_params/unknown", lambda: rnn().set_params(V=zeros(2, 4)),
     ValueError, r"unknown parameter\(s\) \['V'\], expected some of \['U', 'W', 'b'\]"),
    # ---- unroll -------------------------------------------------------------
    ("unroll/not_a_cell", lambda: unroll("lstm", SEQ),
     TypeError, r"cell must be an rnnlib cell, got str"),
    ("unroll/inputs_rank_2", lambda: unroll(rnn(), zeros(4, 5)),
     ValueError, r"inputs must have rank 3 \(batch, time, input_size\), got rank 2"),
    ("unroll/wrong_features", lambda: unroll(rnn(), zeros(4, 5, 3)),
     ValueError, r"\(batch, time, input_size\) = \('\?', '\?', 2\), got inputs.shape=\(4, 5, 3\)"),
    ("unroll/time_major_wrong_features", lambda: unroll(gru(), zeros(5, 4, 3), time_major=True),
     ValueError, r"\(time, batch, input_size\) = .*got inputs.shape=\(5, 4, 3\)"),
    ("unroll/int_inputs", lambda: unroll(rnn(), SEQ.astype(int)),
     TypeError, r"inputs must be a float array, got dtype int64"),
    ("unroll/state_batch_1_for_batch_4", lambda: unroll(rnn(), SEQ, initial_state=zeros(1, 4)),
     ValueError, r"state has batch 1 but inputs have batch 4"),
    ("unroll/time_major_but_batch_major_state",
     lambda: unroll(rnn(), SEQ, initial_state=zeros(4, 4), time_major=True),
     ValueError, r"state has batch 4 but inputs have batch 5"),
    ("unroll/lstm_state_not_pair", lambda: unroll(lstm(), SEQ, initial_state=zeros(4, 4)),
     TypeError, r"LSTMState\(c, h\) pair.*got a ndarray"),
    ("unroll/sequence_length_wrong_length", lambda: unroll(rnn(), SEQ, sequence_length=[1, 2, 3]),
     ValueError, r"sequence_length must have shape \(batch,\) = \(4,\), got shape \(3,\)"),
    ("unroll/sequence_length_scalar", lambda: unroll(rnn(), SEQ, sequence_length=3),
     ValueError, r"sequence_length must have shape \(batch,\) = \(4,\), got shape \(\)"),
    ("unroll/sequence_length_negative", lambda: unroll(rnn(), SEQ, sequence_length=[1, 2, 3, -1]),
     ValueError, r"sequence_length must be >= 0, got \[1, 2, 3, -1\]"),
    ("unroll/sequence_length_too_long", lambda: unroll(lstm(), SEQ, sequence_length=[5, 2, 3, 6]),
     ValueError, r"sequence_length must be <= the time axis \(5\), got \[5, 2, 3, 6\]"),
    ("unroll/sequence_length_float", lambda: unroll(rnn(), SEQ, sequence_length=[1.0, 2, 3, 4]),
     TypeError, r"sequence_length must hold integers, got dtype float64"),
    ("unroll/sequence_length_bool", lambda: unroll(rnn(), SEQ, sequence_length=[True] * 4),
     TypeError, r"sequence_length must hold integers, got dtype bool"),
    # ---- MultiCell ----------------------------------------------------------
    ("multi/empty", lambda: MultiCell([]),
     ValueError, r"expected a non-empty list of cells, got \[\]"),
    ("multi/same_object_twice", lambda: MultiCell([rnn()] * 2),
     ValueError, r"cells\[0\] and cells\[1\] are the same object"),
    ("multi/sizes_do_not_chain", lambda: MultiCell([RNNCell(2, 4), RNNCell(5, 3)]),
     ValueError, r"cells\[1\] expects input_size 5 but cells\[0\] outputs 4 features"),
    ("multi/mixed_dtypes", lambda: MultiCell([RNNCell(2, 4), RNNCell(4, 3, dtype="float64")]),
     TypeError, r"all cells must share one dtype, got \['float32', 'float64'\]"),
    ("multi/not_a_cell", lambda: MultiCell([rnn(), "gru"]),
     TypeError, r"cells\[1\] must be an rnnlib cell, got str"),
    ("multi/state_one_layer_short", lambda: multi()(X, multi().zero_state(4)[:1]),
     TypeError, r"state must be a tuple of 2 layer states, got tuple of length 1"),
    ("multi/layer_state_batch_1", lambda: multi()(X, (multi().zero_state(4)[0], zeros(1, 4))),
     ValueError, r"GRUCell\(input_size=3, units=4\): state has batch 1 but inputs have batch 4"),
    ("multi/wrong_features", lambda: multi()(zeros(4, 3), multi().zero_state(4)),
     ValueError, r"inputs have 3 features, expected 2"),
    ("multi/unroll_state_batch", lambda: unroll(multi(), SEQ, initial_state=multi().zero_state(2)),
     ValueError, r"state.c has batch 2 but inputs have batch 4"),
    ("multi/set_params_unknown_layer", lambda: multi().set_params(**{"5/W": zeros(2, 12)}),
     ValueError, r"unknown parameter\(s\) \['5/W'\], expected some of \['0/U', '0/W'"),
    ("multi/set_params_no_layer", lambda: multi().set_params(W=zeros(2, 12)),
     ValueError, r"unknown parameter\(s\) \['W'\], expected some of"),
    # ---- from_tf ------------------------------------------------------------
    ("from_tf/not_a_cell", lambda: rnnlib.from_tf("lstm"),
     TypeError, r"expected a TensorFlow cell \(.*BasicLSTMCell.*\), got builtins.str"),
    ("from_tf/rnnlib_cell", lambda: rnnlib.from_tf(rnn()),
     TypeError, r"expected a TensorFlow cell .*got rnnlib.rnn.RNNCell"),
    ("from_tf/keras_layer_not_cell", lambda: rnnlib.from_tf(keras_layer()),
     TypeError, r"expected a TensorFlow cell .*got .*LSTM \(.*pass its .cell\)"),
    ("from_tf/legacy_not_built", lambda: rnnlib.from_tf(legacy("BasicLSTMCell", built=False)),
     ValueError, r"BasicLSTMCell\(num_units=4\) is not built yet.*Call it once.*cell.build"),
    ("from_tf/keras_not_built", lambda: rnnlib.from_tf(keras_cell("GRUCell", built=False)),
     ValueError, r"GRUCell\(units=4\) is not built yet.*Call it once.*cell.build"),
    ("from_tf/legacy_lstm_relu",
     lambda: rnnlib.from_tf(legacy("BasicLSTMCell", activation="relu")),
     ValueError, r"has activation 'relu'; .*expected activation=None or 'tanh'"),
    ("from_tf/legacy_gru_sigmoid", lambda: rnnlib.from_tf(legacy("GRUCell", activation="sigmoid")),
     ValueError, r"GRUCell\(num_units=4\) has activation 'sigmoid'; .*expected .*'tanh'"),
    ("from_tf/legacy_rnn_softplus",
     lambda: rnnlib.from_tf(legacy("BasicRNNCell", activation="softplus")),
     ValueError, r"activation 'softplus'; rnnlib's RNNCell supports \['linear', 'relu'"),
    ("from_tf/keras_lstm_relu", lambda: rnnlib.from_tf(keras_cell("LSTMCell", activation="relu")),
     ValueError, r"LSTMCell\(units=4\) has activation 'relu'; .*expected activation='tanh'"),
    ("from_tf/keras_gru_hard_sigmoid",
     lambda: rnnlib.from_tf(keras_cell("GRUCell", recurrent_activation="hard_sigmoid")),
     ValueError, r"recurrent_activation 'hard_sigmoid'.*expected recurrent_activation='sigmoid'"),
    ("from_tf/keras_simple_rnn_softplus",
     lambda: rnnlib.from_tf(keras_cell("SimpleRNNCell", activation="softplus")),
     ValueError, r"activation 'softplus'; rnnlib's RNNCell supports"),
    ("from_tf/keras_dropout", lambda: rnnlib.from_tf(keras_cell("LSTMCell", dropout=0.5)),
     ValueError, r"has dropout=0.5; .*expected dropout=0"),
    ("from_tf/keras_recurrent_dropout",
     lambda: rnnlib.from_tf(keras_cell("SimpleRNNCell", recurrent_dropout=0.1)),
     ValueError, r"has recurrent_dropout=0.1; .*expected recurrent_dropout=0"),
    ("from_tf/keras_mixed_precision",
     lambda: rnnlib.from_tf(keras_cell("GRUCell", dtype="mixed_float16")),
     ValueError, r"computes in float16 but stores float32 weights .*'mixed_float16'"),
    ("from_tf/legacy_nan_kernel", lambda: rnnlib.from_tf(with_nan(legacy("BasicRNNCell"), 0)),
     ValueError, r"weight kernel \(6, 4\) has 1 non-finite value\(s\).*expected finite"),
    ("from_tf/legacy_gru_nan_candidate",
     lambda: rnnlib.from_tf(with_nan(legacy("GRUCell"), 3)),
     ValueError, r"weight candidate/bias \(4,\) has 1 non-finite.*expected finite"),
    ("from_tf/keras_nan_bias", lambda: rnnlib.from_tf(with_nan(keras_cell("LSTMCell"), 2)),
     ValueError, r"LSTMCell\(units=4\) weight bias \(16,\) has 1 non-finite.*expected finite"),
    # ---- to_keras -----------------------------------------------------------
    ("to_keras/not_a_cell", lambda: rnnlib.to_keras("gru"),
     TypeError, r"expected an rnnlib RNNCell, LSTMCell, GRUCell or MultiCell, got builtins.str"),
    ("to_keras/custom_activation", lambda: rnnlib.to_keras(custom_activation_cell()),
     ValueError, r"activation 'sin'; Keras needs one of \['linear', 'relu', 'sigmoid', 'tanh'\]"),
]


@pytest.mark.parametrize("call, error, match", [pytest.param(*row[1:], id=row[0]) for row in CASES])
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_table_covers_every_entry_point():
    groups = {row[0].split("/")[0] for row in CASES}
    assert {"call", "init", "zero_state", "unroll", "multi", "from_tf", "to_keras"} <= groups
