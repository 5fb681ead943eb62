"""What every cell shares: sizes, dtype, parameters, state checks.

A cell maps one time step ``(inputs, state) -> (output, new_state)``. The three
concrete cells (:mod:`rnnlib.rnn`, :mod:`rnnlib.lstm`, :mod:`rnnlib.gru`) keep
their equations in ``forward`` and the matching derivatives in ``backward``.
"""
import copy

import numpy as np

from ._checks import as_float_array, check_dtype, check_shape, check_size


def glorot_uniform(rng, fan_in, fan_out, dtype, shape=None):
    """Glorot/Xavier uniform init, TensorFlow's default kernel initializer.

    Samples from U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)).
    """
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape or (fan_in, fan_out)).astype(dtype)


class Cell:
    """Base class. Subclasses set ``self.params`` and implement ``forward``."""

    def __init__(self, input_size, units, seed=None, dtype="float32"):
        owner = type(self).__name__
        self.input_size = check_size("input_size", input_size, owner)
        self.units = check_size("units", units, owner)
        self.dtype = check_dtype(dtype, owner)
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.params = {}

    # -- the public step -------------------------------------------------
    def project(self, x):
        """x @ W + b, the input's share of every pre-activation; x: (..., input_size).

        It does not depend on the state, so :func:`rnnlib.unroll` computes it for all
        time steps in one product before its loop, as Keras and cuDNN do."""
        return x @ self.params["W"] + self.params["b"]

    def __call__(self, inputs, state):
        """One step. ``inputs``: (batch, input_size); returns ``(output, new_state)``."""
        x = self.check_inputs(inputs)
        state = self.check_state(state, batch=x.shape[0])
        output, new_state, _ = self.forward(x, state)
        return output, new_state

    def zero_state(self, batch_size, dtype=None):
        """All-zeros state for ``batch_size`` sequences, shaped like ``state_size``."""
        check_size("batch_size", batch_size, self.name)
        dt = self.dtype if dtype is None else check_dtype(dtype, self.name)
        return map_structure(lambda n: np.zeros((batch_size, n), dt), self.state_size)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    @property
    def name(self):
        return f"{type(self).__name__}(input_size={self.input_size}, units={self.units})"

    def __repr__(self):
        return f"<{self.name}, dtype={self.dtype.name}>"

    # -- parameters -------------------------------------------------------
    def set_params(self, **arrays):
        """Replace parameters by name, checking shapes. All arrays must share one
        float dtype (float32 or float64), which becomes the cell's dtype."""
        unknown = set(arrays) - set(self.params)
        if unknown:
            raise ValueError(f"{self.name}: unknown parameter(s) {sorted(unknown)}, "
                             f"expected some of {sorted(self.params)}")
        new = dict(self.params)
        for key, value in arrays.items():
            arr = np.asarray(value)
            if arr.dtype.kind != "f":
                raise TypeError(f"{self.name}: parameter {key} must be float, got {arr.dtype}")
            if arr.shape != self.params[key].shape:
                raise ValueError(f"{self.name}: parameter {key} must have shape "
                                 f"{self.params[key].shape}, got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{self.name}: parameter {key} has non-finite values")
            new[key] = arr
        dtypes = {a.dtype for a in new.values()}
        if len(dtypes) != 1:
            raise TypeError(f"{self.name}: all parameters must share one dtype, "
                            f"got {sorted(d.name for d in dtypes)}")
        self.dtype = check_dtype(dtypes.pop(), self.name)
        self.params = {k: np.array(v, dtype=self.dtype) for k, v in new.items()}
        return self

    def astype(self, dtype):
        """A copy of this cell with parameters cast to ``dtype``."""
        clone = copy.deepcopy(self)
        dt = check_dtype(dtype, self.name)
        clone.params = {k: v.astype(dt) for k, v in self.params.items()}
        clone.dtype = dt
        return clone

    # -- checks -----------------------------------------------------------
    def check_inputs(self, inputs, name="inputs"):
        """Return ``inputs`` as a (batch, input_size) array of the cell's dtype."""
        x = as_float_array(inputs, name, self.name, self.dtype)
        if x.ndim == 2 and x.shape[1] != self.input_size:
            raise ValueError(
                f"{self.name}: {name} have {x.shape[1]} features, expected "
                f"{self.input_size} ({name}.shape={x.shape})"
            )
        return check_shape(x, (None, self.input_size), name, self.name, "(batch, input_size)")

    def check_state(self, state, batch):
        """Return ``state`` checked against ``state_size`` and the batch size."""
        return self._check_state_part(state, batch, "state")

    def _check_state_part(self, state, batch, name, size=None):
        size = self.units if size is None else size
        if isinstance(state, (tuple, list)):
            raise TypeError(f"{self.name}: {name} must be one array of shape "
                            f"(batch, {size}), got a {type(state).__name__} of {len(state)}")
        s = as_float_array(state, name, self.name, self.dtype)
        check_shape(s, (None, size), name, self.name, f"(batch, {size})")
        if s.shape[0] != batch:
            raise ValueError(f"{self.name}: {name} has batch {s.shape[0]} but inputs have "
                             f"batch {batch} ({name}.shape={s.shape})")
        return s


def split(z, k):
    """``np.split(z, k, axis=-1)`` (k equal blocks), without np.split's cost per call."""
    n = z.shape[-1] // k
    return [z[..., j * n:(j + 1) * n] for j in range(k)]


def map_structure(fn, *states):
    """Apply ``fn`` leaf by leaf to states that share one nesting of tuples.

    ``map_structure(np.add, LSTMState(c1, h1), LSTMState(c2, h2))`` is
    ``LSTMState(c1 + c2, h1 + h2)``; plain arrays are single leaves.
    """
    first = states[0]
    if isinstance(first, tuple):
        parts = [map_structure(fn, *group) for group in zip(*states, strict=True)]
        return type(first)(*parts) if hasattr(first, "_fields") else tuple(parts)
    return fn(*states)
