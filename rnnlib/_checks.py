"""Input checks shared by every public function.

Each check raises ``ValueError`` or ``TypeError`` naming what was expected and
what was received, so a mistake is reported where it is made and never turns
into silent broadcasting or a crash deep inside numpy.
"""
import numbers

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_size(name, value, owner):
    """A positive integer such as ``units`` or ``input_size``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an int >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{owner}: {name} must be >= 1, got {value}")
    return int(value)


def check_dtype(dtype, owner):
    """float32 or float64; anything else is refused."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{owner}: dtype must be float32 or float64, got {dtype!r}") from None
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"{owner}: dtype must be float32 or float64, got {dt}")
    return dt


def as_float_array(x, name, owner, dtype):
    """Convert ``x`` to an array of ``dtype``, refusing int, bool and complex.

    Real floating inputs of another precision are cast to ``dtype`` (the
    parameters' dtype), the way a float64 numpy batch is fed to a float32 model.
    """
    arr = np.asarray(x)
    if arr.dtype.kind != "f":
        raise TypeError(
            f"{owner}: {name} must be a float array, got dtype {arr.dtype} "
            f"({name}.shape={arr.shape}); convert with .astype({np.dtype(dtype).name!r})"
        )
    return arr.astype(dtype, copy=False)


def check_shape(arr, expected, name, owner, meaning):
    """Compare ``arr.shape`` with ``expected`` (``None`` entries match anything).

    ``meaning`` describes the axes, e.g. ``"(batch, input_size)"``.
    """
    if arr.ndim != len(expected):
        raise ValueError(
            f"{owner}: {name} must have rank {len(expected)} {meaning}, "
            f"got rank {arr.ndim} ({name}.shape={arr.shape})"
        )
    for got, want in zip(arr.shape, expected, strict=True):
        if want is not None and got != want:
            shown = tuple("?" if w is None else w for w in expected)
            raise ValueError(
                f"{owner}: {name} must have shape {meaning} = {shown}, "
                f"got {name}.shape={arr.shape}"
            )
    return arr
