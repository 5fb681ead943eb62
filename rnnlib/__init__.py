"""rnnlib: RNN, LSTM and GRU cells in readable numpy that match TensorFlow.

``import rnnlib`` needs only numpy; TensorFlow is imported by
:mod:`rnnlib.interop` only when a conversion function is called.
"""
from .activations import sigmoid, tanh
from .gru import GRUCell
from .lstm import LSTMCell, LSTMState
from .multi import MultiCell
from .rnn import RNNCell
from .unroll import unroll

__all__ = ["RNNCell", "LSTMCell", "LSTMState", "GRUCell", "MultiCell", "unroll",
           "sigmoid", "tanh"]
__version__ = "0.1.0"
