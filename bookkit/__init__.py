"""bookkit: the machinery that draws the book. It is not part of the model.

Nothing here computes an RNN: the model a reader studies is :mod:`rnnlib`.
These modules only turn rnnlib and TensorFlow into pages:

* :mod:`bookkit.walkthrough`: TensorFlow's installed source beside rnnlib's,
  line by line, declared in ``chapters/walkthroughs/*.toml``;
* :mod:`bookkit.widgets`: sliders of precomputed frames that work on the
  static website with no kernel (and in a running notebook);
* :mod:`bookkit.diagrams`: the cell diagrams, with the shape on every arrow.

bookkit imports rnnlib; rnnlib never imports bookkit. matplotlib, ipywidgets,
Pillow and pygments are imported inside the functions that need them.
"""
