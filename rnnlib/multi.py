"""Stacking cells, like TF1's ``MultiRNNCell``.

Layer k's output is layer k+1's input at the same time step; the state is a
tuple with one entry per layer.
"""
from ._cell import Cell


class MultiCell(Cell):
    """A stack of cells run bottom to top at each step.

    ``cells[k].input_size`` must equal ``cells[k-1].output_size``. The state is
    a tuple of the layers' states; the output is the top layer's output
    (batch, cells[-1].units).
    """

    def __init__(self, cells):
        cells = list(cells)
        if not cells:
            raise ValueError("MultiCell: expected a non-empty list of cells, got []")
        seen = {}
        for k, cell in enumerate(cells):
            if not isinstance(cell, Cell) or isinstance(cell, MultiCell):
                raise TypeError(f"MultiCell: cells[{k}] must be an rnnlib cell, "
                                f"got {type(cell).__name__}")
            if id(cell) in seen:
                raise ValueError(
                    f"MultiCell: cells[{seen[id(cell)]}] and cells[{k}] are the same object. "
                    "A list like [cell] * n repeats one cell, so every layer would share "
                    "one set of weights (and a second layer's input size rarely fits). "
                    "Build a new cell for each layer: [LSTMCell(...) for _ in range(n)]."
                )
            seen[id(cell)] = k
        for k in range(1, len(cells)):
            if cells[k].input_size != cells[k - 1].output_size:
                raise ValueError(
                    f"MultiCell: cells[{k}] expects input_size {cells[k].input_size} but "
                    f"cells[{k - 1}] outputs {cells[k - 1].output_size} features")
        dtypes = {c.dtype for c in cells}
        if len(dtypes) != 1:
            raise TypeError(f"MultiCell: all cells must share one dtype, got "
                            f"{sorted(d.name for d in dtypes)}")
        self.cells = cells
        self.input_size = cells[0].input_size
        self.units = cells[-1].units
        self.dtype = cells[0].dtype

    @property
    def params(self):
        """Parameters of every layer, keyed ``"<layer>/<name>"`` (e.g. ``"0/W"``)."""
        return {f"{k}/{name}": v for k, c in enumerate(self.cells) for name, v in c.params.items()}

    def set_params(self, **arrays):
        """Replace parameters by ``"<layer>/<name>"`` key: ``set_params(**{"0/W": W})``."""
        unknown = set(arrays) - set(self.params)
        if unknown:
            raise ValueError(f"{self.name}: unknown parameter(s) {sorted(unknown)}, "
                             f"expected some of {sorted(self.params)}")
        for k, cell in enumerate(self.cells):
            mine = {key.split("/", 1)[1]: v for key, v in arrays.items()
                    if key.split("/", 1)[0] == str(k)}
            if mine:
                cell.set_params(**mine)
        return self

    def astype(self, dtype):
        return MultiCell([c.astype(dtype) for c in self.cells])

    @property
    def state_size(self):
        return tuple(c.state_size for c in self.cells)

    @property
    def name(self):
        return "MultiCell(" + ", ".join(c.name for c in self.cells) + ")"

    def check_state(self, state, batch):
        if not isinstance(state, tuple) or len(state) != len(self.cells):
            raise TypeError(f"{self.name}: state must be a tuple of {len(self.cells)} "
                            f"layer states, got {type(state).__name__}"
                            + (f" of length {len(state)}" if isinstance(state, tuple) else ""))
        return tuple(c.check_state(s, batch) for c, s in zip(self.cells, state, strict=True))

    def project(self, x):
        """The bottom layer's x @ W + b; the layers above see outputs only step by step."""
        return self.cells[0].project(x)

    def forward(self, x, state, xWb=None):
        """Run each layer in turn; returns (top output, tuple of states, caches)."""
        new_states, caches = [], []
        for cell, s in zip(self.cells, state, strict=True):
            x, s_new, cache = cell.forward(x, s, xWb)  # this layer's output feeds the next
            xWb = None
            new_states.append(s_new)
            caches.append(cache)
        return x, tuple(new_states), caches

    def backward(self, d_output, d_state, caches):
        """Top layer first: each layer's dx is the gradient for the output below."""
        d_prev_states = [None] * len(self.cells)
        grads = {}
        d = d_output
        for k in reversed(range(len(self.cells))):
            d, d_prev_states[k], g = self.cells[k].backward(d, d_state[k], caches[k])
            grads.update({f"{k}/{name}": v for name, v in g.items()})
        return d, tuple(d_prev_states), {key: grads[key] for key in self.params}
