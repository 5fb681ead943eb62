"""Tools the BPTT chapter uses to check gradients and to measure truncation.

relative_error: the per-element relative error of cs231n's gradient-checking
notes, max_i |a_i - b_i| / max(|a_i|, |b_i|). A scale-free error per entry, so
a wrong small entry is not hidden behind the largest one.

path_norms, kept_share: the size of every gradient path d h_t / d h_s of a
simple RNN, and the share of those paths that truncated BPTT keeps.
"""
import numpy as np

from rnnlib.jacobians import jacobian_products, step_jacobians

#: Below this size (in both arrays) an entry counts as zero: finite differences
#: in float64 with eps = 1e-6 cannot resolve smaller derivatives relative to a
#: loss of order 1, so the error there is measured absolutely.
TINY = 1e-8


def relative_error(a, b, tiny=TINY):
    """max over entries of |a - b| / max(|a|, |b|, tiny), as in cs231n."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), tiny)))


def finite_differences(loss, array, eps=1e-6):
    """Central differences of loss() with respect to every entry of array (changed in place)."""
    grad = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        array[idx] = old + eps
        up = loss()
        array[idx] = old - eps
        down = loss()
        array[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def path_norms(cell, x):
    """N[t, s] = spectral norm of d h_t / d h_s for 0 <= s <= t <= T (NaN above).

    x: (1, T, input_size), one sequence. N[t, t] = 1: the identity, a path of
    zero steps.
    """
    J = step_jacobians(cell, x)                       # (1, T, n, n)
    T = x.shape[1]
    N = np.full((T + 1, T + 1), np.nan)
    for t in range(1, T + 1):
        N[t, : t + 1] = jacobian_products(J[:, :t]).norms[0]
    N[0, 0] = 1.0
    return N


def kept_share(N, k):
    """Share of the paths t -> s with 1 <= s < t (at least one step
    back) that truncated BPTT with chunks of k steps keeps, weighted by
    their norms N[t, s].

    Step t's chunk starts at step (t - 1) // k * k + 1; a path is kept
    when s lies in that chunk. The zero-step paths s = t (identity,
    norm 1) are left out of both sums: truncation never drops them.
    """
    T = N.shape[0] - 1
    kept = total = 0.0
    for t in range(2, T + 1):
        first = (t - 1) // k * k + 1
        kept += np.sum(N[t, first:t])
        total += np.sum(N[t, 1:t])
    return kept / total
