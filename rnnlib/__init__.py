"""rnnlib: RNN, LSTM and GRU cells in readable numpy that match TensorFlow.

``import rnnlib`` needs only numpy; TensorFlow is imported by
:mod:`rnnlib.interop` only when a conversion function is called.
"""
from . import clipping, jacobians
from .activations import sigmoid, tanh
from .bptt import Grads, bptt
from .clipping import clip_by_global_norm
from .gru import GRUCell
from .interop import (
    from_tf,
    keras_gru_to_tf1,
    keras_lstm_to_tf1,
    tf1_gru_to_keras,
    tf1_lstm_to_keras,
    to_keras,
)
from .lstm import LSTMCell, LSTMState
from .multi import MultiCell
from .rnn import RNNCell
from .unroll import unroll

__all__ = ["RNNCell", "LSTMCell", "LSTMState", "GRUCell", "MultiCell", "unroll",
           "bptt", "Grads", "clip_by_global_norm", "jacobians", "clipping",
           "sigmoid", "tanh",
           "from_tf", "to_keras", "tf1_lstm_to_keras", "keras_lstm_to_tf1",
           "tf1_gru_to_keras", "keras_gru_to_tf1"]
__version__ = "0.1.0"
