"""Gradient clipping by global norm (Pascanu, Mikolov & Bengio 2013, Algorithm 1).

    g = all gradients, as one long vector
    if ||g|| > threshold:
        g <- threshold * g / ||g||

Only the length of the step changes, never its direction. The result is what
``tf.clip_by_global_norm(t_list, clip_norm)`` computes: every tensor times
``clip_norm / max(global_norm, clip_norm)``.
"""
import numbers

import numpy as np


def global_norm(grads):
    """sqrt of the sum of squares of every entry of every array in ``grads``.

    Computed after dividing by the largest entry, so the squares cannot
    overflow while the norm itself is representable.
    """
    arrays = _check_grads(grads, "global_norm")
    if not arrays:
        return 0.0
    biggest = max(float(np.max(np.abs(a), initial=0.0)) for a in arrays.values())
    if biggest == 0.0:
        return 0.0
    total = sum(float(np.sum((a.astype(np.float64) / biggest) ** 2))
                for a in arrays.values())
    return biggest * float(np.sqrt(total))


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by one factor so their global norm is <= ``max_norm``.

    Args:
        grads: dict of float arrays, e.g. ``bptt(...).params``.
        max_norm: the threshold, a finite number > 0.

    Returns:
        (clipped, norm): ``clipped`` a new dict with the same keys, shapes and
        dtypes, each array multiplied by ``max_norm / max(norm, max_norm)``
        (unchanged if ``norm <= max_norm``); ``norm`` the global norm before
        clipping, a Python float.

    Gradients containing inf or nan are refused with a ValueError: there is no
    direction left to keep. (TensorFlow returns all-NaN tensors in that case.)
    """
    arrays = _check_grads(grads, "clip_by_global_norm")
    threshold = _check_max_norm(max_norm)
    bad = [k for k, a in arrays.items() if not np.all(np.isfinite(a))]
    if bad:
        raise ValueError(f"clip_by_global_norm: gradients {bad} contain inf or nan; "
                         "expected finite values (an overflowed gradient has no "
                         "direction)")
    norm = global_norm(arrays)
    scale = threshold / max(norm, threshold)       # 1.0 when no clipping is needed
    clipped = {k: (a * scale).astype(a.dtype) for k, a in arrays.items()}
    return clipped, norm


def _check_grads(grads, owner):
    if not isinstance(grads, dict):
        hint = (" (for the result of bptt pass grads.params)"
                if isinstance(grads, tuple) and hasattr(grads, "params") else "")
        raise TypeError(f"{owner}: grads must be a dict of arrays, got "
                        f"{type(grads).__name__}{hint}")
    arrays = {}
    for key, value in grads.items():
        arr = np.asarray(value)
        if arr.dtype.kind != "f":
            raise TypeError(f"{owner}: grads[{key!r}] must be a float array, "
                            f"got dtype {arr.dtype} (shape {arr.shape})")
        arrays[key] = arr
    return arrays


def _check_max_norm(max_norm):
    if isinstance(max_norm, (bool, np.bool_)) or not isinstance(max_norm, numbers.Real):
        raise TypeError(f"clip_by_global_norm: max_norm must be a number > 0, "
                        f"got {max_norm!r}")
    value = float(max_norm)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"clip_by_global_norm: max_norm must be a finite number > 0, "
                         f"got {max_norm!r}")
    return value
