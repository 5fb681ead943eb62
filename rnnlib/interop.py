"""Moving weights between rnnlib and TensorFlow.

``from_tf(cell)`` turns a built TensorFlow cell into an rnnlib cell with the
same weights, and ``to_keras(cell)`` goes the other way; the numpy layout
conversions they use live in :mod:`rnnlib.layouts`.
Importing this module never imports TensorFlow: ``from_tf`` reads a cell you
already have, and ``to_keras`` imports keras when it is called.
"""
import sys

import numpy as np

from .gru import GRUCell
from .layouts import tf1_gru_to_keras, tf1_lstm_order_to_keras, tf1_lstm_to_keras
from .lstm import LSTMCell
from .multi import MultiCell
from .rnn import RNNCell

# TF and Keras activation functions rnnlib can express, by function name.
_ACTIVATION_NAMES = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu",
                     "linear": "linear", "identity": "linear"}
_SUPPORTED = ("tf_keras legacy_cells.BasicRNNCell, BasicLSTMCell, GRUCell, MultiRNNCell, "
              "or keras.layers.SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells")


def _activation_name(fn):
    """'tanh', 'sigmoid', 'relu' or 'linear' for TF's or Keras's own function, else None."""
    name = _ACTIVATION_NAMES.get(getattr(fn, "__name__", None))
    module = (getattr(fn, "__module__", None) or "").split(".")[0]
    return name if module in ("tensorflow", "tf_keras", "keras") else None


def _shown(fn):
    """A short description of an activation function for error messages."""
    return repr(getattr(fn, "__name__", fn))


def _legacy_cells():
    """tf_keras's TF1 cell module if tf_keras is loaded (else no legacy cell exists)."""
    if "tf_keras" not in sys.modules:
        return None
    from tf_keras.src.layers.rnn import legacy_cells

    return legacy_cells


def _array(variable, owner, label):
    """A TF/Keras variable as a numpy array; non-finite values are refused."""
    arr = np.array(variable.numpy())
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"from_tf: {owner} weight {label} {arr.shape} has {bad} non-finite "
                         "value(s) (nan or inf), expected finite weights")
    return arr


def _require_built(cell, owner):
    if not getattr(cell, "built", False) or not cell.weights:
        raise ValueError(
            f"from_tf: {owner} is not built yet, so it has no weights to copy. Call it once "
            "on an input, cell(x, state), or build it with cell.build((None, input_size)), "
            "then convert it.")


def _from_legacy(cell, lc):
    """tf_keras ``legacy_cells`` (TF1) cell -> rnnlib cell."""
    if type(cell) is lc.MultiRNNCell:
        return MultiCell([from_tf(c) for c in cell._cells])
    n = cell._num_units
    owner = f"{type(cell).__name__}(num_units={n})"
    _require_built(cell, owner)
    act = _activation_name(cell._activation)
    if type(cell) is lc.BasicRNNCell:
        if act is None:
            raise ValueError(f"from_tf: {owner} has activation {_shown(cell._activation)}; "
                             f"rnnlib's RNNCell supports {sorted(set(_ACTIVATION_NAMES.values()))}")
        kernel, bias = _array(cell._kernel, owner, "kernel"), _array(cell._bias, owner, "bias")
        new = RNNCell(kernel.shape[0] - n, n, activation=act, seed=0, dtype=kernel.dtype)
        return new.set_params(W=kernel[:-n], U=kernel[-n:], b=bias)
    if act != "tanh":
        raise ValueError(f"from_tf: {owner} has activation {_shown(cell._activation)}; "
                         "rnnlib's gated cells use tanh only, expected activation=None or 'tanh'")
    if type(cell) is lc.BasicLSTMCell:
        # state_is_tuple=False changes only how TF packs the state: its
        # (batch, 2*units) state is np.concatenate([c, h], axis=1) here.
        kernel = tf1_lstm_order_to_keras(_array(cell._kernel, owner, "kernel"))
        bias = tf1_lstm_order_to_keras(_array(cell._bias, owner, "bias"))
        new = LSTMCell(kernel.shape[0] - n, n, forget_bias=cell._forget_bias, seed=0,
                       dtype=kernel.dtype)
        return new.set_params(W=kernel[:-n], U=kernel[-n:], b=bias)
    kernel, bias = tf1_gru_to_keras(_array(cell._gate_kernel, owner, "gates/kernel"),
                                    _array(cell._gate_bias, owner, "gates/bias"),
                                    _array(cell._candidate_kernel, owner, "candidate/kernel"),
                                    _array(cell._candidate_bias, owner, "candidate/bias"))
    new = GRUCell(kernel.shape[0] - n, n, reset_after=False, seed=0, dtype=kernel.dtype)
    return new.set_params(W=kernel[:-n], U=kernel[-n:], b=bias)


def _from_keras(cell, keras):
    """Keras 3 cell -> rnnlib cell."""
    if type(cell) is keras.layers.StackedRNNCells:
        return MultiCell([from_tf(c) for c in cell.cells])
    owner = f"keras.layers.{type(cell).__name__}(units={cell.units})"
    _require_built(cell, owner)
    for option in ("dropout", "recurrent_dropout"):
        if getattr(cell, option) > 0:
            raise ValueError(f"from_tf: {owner} has {option}={getattr(cell, option)}; rnnlib "
                             f"cells have no dropout, expected {option}=0")
    if cell.compute_dtype != cell.variable_dtype:
        raise ValueError(f"from_tf: {owner} computes in {cell.compute_dtype} but stores "
                         f"{cell.variable_dtype} weights (dtype policy "
                         f"{cell.dtype_policy.name!r}); rnnlib computes in the weights' dtype")
    act = _activation_name(cell.activation)
    if type(cell) is not keras.layers.SimpleRNNCell:
        if act != "tanh":
            raise ValueError(f"from_tf: {owner} has activation {_shown(cell.activation)}; "
                             "rnnlib's gated cells use tanh, expected activation='tanh'")
        if _activation_name(cell.recurrent_activation) != "sigmoid":
            raise ValueError(f"from_tf: {owner} has recurrent_activation "
                             f"{_shown(cell.recurrent_activation)}; rnnlib's gates use "
                             "sigmoid, expected recurrent_activation='sigmoid'")
    W = _array(cell.kernel, owner, "kernel")
    U = _array(cell.recurrent_kernel, owner, "recurrent_kernel")
    n_in, n, dtype = W.shape[0], cell.units, W.dtype
    # use_bias=False is the same cell with a zero bias.
    bias = _array(cell.bias, owner, "bias") if cell.use_bias else np.zeros(U.shape[1:], dtype)
    if type(cell) is keras.layers.SimpleRNNCell:
        if act is None:
            raise ValueError(f"from_tf: {owner} has activation {_shown(cell.activation)}; "
                             f"rnnlib's RNNCell supports {sorted(set(_ACTIVATION_NAMES.values()))}")
        return RNNCell(n_in, n, activation=act, seed=0, dtype=dtype).set_params(W=W, U=U, b=bias)
    if type(cell) is keras.layers.LSTMCell:
        # Keras has no forget_bias: unit_forget_bias only initialises b_f to 1.
        new = LSTMCell(n_in, n, forget_bias=0.0, seed=0, dtype=dtype)
        return new.set_params(W=W, U=U, b=bias)
    new = GRUCell(n_in, n, reset_after=cell.reset_after, seed=0, dtype=dtype)
    if not cell.reset_after:
        return new.set_params(W=W, U=U, b=bias)
    if not cell.use_bias:
        bias = np.zeros((2, 3 * n), dtype)
    return new.set_params(W=W, U=U, b=bias[0], b_U=bias[1])   # bias is (2, 3*units)


def from_tf(cell):
    """A TensorFlow cell as an rnnlib cell with identical weights (same dtype).

    Accepts the TF1 cells in ``tf_keras.src.layers.rnn.legacy_cells``
    (``BasicRNNCell``, ``BasicLSTMCell``, ``GRUCell``, ``MultiRNNCell``) and
    the Keras 3 cells ``keras.layers.SimpleRNNCell``, ``LSTMCell``,
    ``GRUCell`` (``reset_after`` True or False) and ``StackedRNNCells``. The
    cell must be built (called once, or ``cell.build((None, input_size))``).

    What maps to what:
        BasicRNNCell, SimpleRNNCell -> RNNCell (tanh, sigmoid, relu or linear)
        BasicLSTMCell(forget_bias)  -> LSTMCell(forget_bias); TF1's gate
            order i, j, f, o becomes i, f, c, o. With state_is_tuple=False TF's
            state (batch, 2*units) is ``np.concatenate([c, h], axis=1)``.
        keras LSTMCell              -> LSTMCell(forget_bias=0); Keras's state
            list is [h, c], rnnlib's is LSTMState(c, h).
        GRUCell (TF1)               -> GRUCell(reset_after=False)
        keras GRUCell               -> GRUCell(reset_after=cell.reset_after)
        use_bias=False              -> a zero bias

    Raises ValueError for what rnnlib cannot compute (gated cells with an
    activation other than tanh / sigmoid gates, dropout > 0, mixed-precision
    policies), for unbuilt cells and for non-finite weights; TypeError for
    anything that is not one of the cells above.
    """
    lc, keras = _legacy_cells(), sys.modules.get("keras")   # loaded if its cells exist
    if lc is not None and type(cell) in (lc.BasicRNNCell, lc.BasicLSTMCell, lc.GRUCell,
                                         lc.MultiRNNCell):
        return _from_legacy(cell, lc)
    if keras is not None and type(cell) in (keras.layers.SimpleRNNCell, keras.layers.LSTMCell,
                                            keras.layers.GRUCell, keras.layers.StackedRNNCells):
        return _from_keras(cell, keras)
    hint = ""
    if keras is not None and isinstance(cell, keras.layers.RNN):
        hint = " (this is a layer that runs a cell over time: pass its .cell)"
    raise TypeError(f"from_tf: expected a TensorFlow cell ({_SUPPORTED}), "
                    f"got {type(cell).__module__}.{type(cell).__name__}{hint}")


def to_keras(cell):
    """An rnnlib cell as a built Keras 3 cell with the same weights.

    RNNCell -> ``keras.layers.SimpleRNNCell`` (same activation);
    LSTMCell -> ``keras.layers.LSTMCell`` whose forget-gate bias is
    ``b_f + forget_bias`` (folded by :func:`tf1_lstm_to_keras`; Keras has no
    forget_bias argument); GRUCell -> ``keras.layers.GRUCell(reset_after=...)``;
    MultiCell -> ``keras.layers.StackedRNNCells``. The Keras cell has the
    rnnlib cell's dtype. ``from_tf(to_keras(cell))`` gives back the same
    weights bit for bit (for an LSTM with the forget bias folded into ``b``).
    """
    import keras

    if isinstance(cell, MultiCell):
        stacked = keras.layers.StackedRNNCells([to_keras(c) for c in cell.cells],
                                               dtype=cell.dtype.name)
        stacked.build((None, cell.input_size))
        return stacked
    if not isinstance(cell, (RNNCell, LSTMCell, GRUCell)):
        raise TypeError("to_keras: expected an rnnlib RNNCell, LSTMCell, GRUCell or MultiCell, "
                        f"got {type(cell).__module__}.{type(cell).__name__}")
    n, dtype, p = cell.units, cell.dtype.name, cell.params
    if isinstance(cell, RNNCell):
        act = cell.activation.name
        if act not in ("tanh", "sigmoid", "relu", "linear"):
            raise ValueError(f"to_keras: {cell.name} has activation {act!r}; Keras needs one "
                             "of ['linear', 'relu', 'sigmoid', 'tanh']")
        new = keras.layers.SimpleRNNCell(n, activation=act, dtype=dtype)
        weights = [p["W"], p["U"], p["b"]]
    elif isinstance(cell, LSTMCell):
        tf1 = cell.tf1_layout()
        kernel, bias = tf1_lstm_to_keras(tf1["kernel"], tf1["bias"], cell.forget_bias)
        new = keras.layers.LSTMCell(n, unit_forget_bias=False, dtype=dtype)
        weights = [kernel[:cell.input_size], kernel[cell.input_size:], bias]
    else:
        new = keras.layers.GRUCell(n, reset_after=cell.reset_after, dtype=dtype)
        bias = np.stack([p["b"], p["b_U"]]) if cell.reset_after else p["b"]
        weights = [p["W"], p["U"], bias]
    new.build((None, cell.input_size))
    new.set_weights(weights)
    return new
