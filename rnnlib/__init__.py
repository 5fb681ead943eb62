"""rnnlib: RNN, LSTM and GRU cells in readable numpy that match TensorFlow.

This package is the model and nothing else (the book's drawing machinery is
``bookkit``, the adding-problem experiment is ``experiments``). Reading order,
with line counts; with this ``__init__.py`` (39) that is 1,599 lines in all:

1. ``activations.py`` (92: sigmoid, tanh and their derivatives), ``_checks.py``
   (66) and ``_cell.py`` (149: the shape checks and the base class every cell shares);
2. ``rnn.py`` (74), then ``lstm.py`` (122), then ``gru.py`` (124): each cell's
   ``forward`` reads like the chapter's equations, and its ``backward`` sits under it;
3. ``multi.py`` (106: stacked cells) and ``unroll.py`` (94: a cell over time, with
   ``dynamic_rnn``'s sequence lengths);
4. ``bptt.py`` (125: backpropagation through time), ``jacobians.py`` (224: the
   per-step Jacobians and their products) and ``clipping.py`` (86: global-norm clipping);
5. ``layouts.py`` (75: TF1's packed kernels <-> W, U, b) and ``interop.py`` (223:
   ``from_tf`` and ``to_keras``).

Rows are examples everywhere: ``x`` is (batch, input_size), ``h`` is
(batch, units), ``W`` is (input_size, units), and ``x @ W`` is the product.
``import rnnlib`` needs only numpy; TensorFlow is imported by
:mod:`rnnlib.interop` only when a conversion function is called.
"""
from . import clipping, jacobians
from .activations import sigmoid, tanh
from .bptt import Grads, bptt
from .clipping import clip_by_global_norm
from .gru import GRUCell
from .interop import from_tf, to_keras
from .layouts import keras_gru_to_tf1, keras_lstm_to_tf1, tf1_gru_to_keras, tf1_lstm_to_keras
from .lstm import LSTMCell, LSTMState
from .multi import MultiCell
from .rnn import RNNCell
from .unroll import unroll

__all__ = ["RNNCell", "LSTMCell", "LSTMState", "GRUCell", "MultiCell", "unroll", "bptt", "Grads",
           "clip_by_global_norm", "jacobians", "clipping", "sigmoid", "tanh", "from_tf",
           "to_keras", "tf1_lstm_to_keras", "keras_lstm_to_tf1", "tf1_gru_to_keras",
           "keras_gru_to_tf1"]
__version__ = "0.1.0"
