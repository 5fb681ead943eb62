"""Experiments the book runs with rnnlib; not part of the model.

* :mod:`experiments.adding`: Hochreiter & Schmidhuber's adding problem and a
  small numpy trainer for it (rnnlib's BPTT, a linear readout, Adam).

experiments imports rnnlib; rnnlib never imports experiments.
"""
