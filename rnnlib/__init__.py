"""rnnlib: RNN, LSTM and GRU cells in readable numpy that match TensorFlow.

This package is the model and nothing else (the book's drawing machinery is
``bookkit``, the adding-problem experiment is ``experiments``). Reading order,
with line counts (``make linecount`` prints them again):

1. ``activations.py`` (sigmoid, tanh and their derivatives), ``_checks.py`` and
   ``_cell.py`` (the shape checks and the base class every cell shares);
2. ``rnn.py``, then ``lstm.py``, then ``gru.py``: each cell's ``forward`` reads
   like the chapter's equations, and its ``backward`` sits right under it;
3. ``multi.py`` (stacked cells) and ``unroll.py`` (a cell over time, with
   ``dynamic_rnn``'s sequence lengths);
4. ``bptt.py`` (backpropagation through time), ``jacobians.py`` (the per-step
   Jacobians and their products) and ``clipping.py`` (global-norm clipping);
5. ``layouts.py`` (TF1's packed kernels <-> W, U, b) and ``interop.py``
   (``from_tf`` and ``to_keras``).

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
