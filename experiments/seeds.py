"""The adding problem for several seeds at once, at Keras's default initialisation.

Training one small network at a time in numpy spends most of its time in
Python, not in arithmetic. So S networks of ``units`` units each (one per seed)
are packed into one rnnlib cell of S * units units whose weights are
block-diagonal: seed s owns its own units, its own two input features and its
own readout, and the blocks never touch. Gradients outside the blocks are
masked to zero, the squared error is summed over the seeds (so each block gets
exactly its own network's gradient), and clipping by global norm is done per
seed. Adam works entry by entry, so it keeps the blocks apart too. The result
is S independent training runs for the price of about one.

The initial weights follow Keras 3's defaults for ``SimpleRNN``, ``LSTM`` and
``GRU``: kernel ``glorot_uniform`` on (inputs, G * units), recurrent kernel
``Orthogonal`` on the whole (units, G * units) matrix, biases zero, with
``unit_forget_bias=True`` (forget-gate bias 1) for the LSTM and
``reset_after=True`` for the GRU. The tests compare these initialisers with
Keras's own.
"""
from collections import namedtuple

import numpy as np

from rnnlib.gru import GRUCell
from rnnlib.lstm import LSTMCell
from rnnlib.rnn import RNNCell
from rnnlib.unroll import prepare, run

from .adding import SOLVED_ERROR, Adam, adding_batch

GATES = {"rnn": 1, "lstm": 4, "gru": 3}

SeedRuns = namedtuple("SeedRuns", ["losses", "grad_norms", "success", "lag_steps",
                                   "lag_grads", "long_share", "seconds", "success_at",
                                   "cell"])
SeedRuns.__doc__ = """What :func:`train_seeds` returns (S = number of seeds).

losses, grad_norms: (steps, S) training loss and gradient norm before clipping.
success: (S,) share of held-out sequences solved after training.
lag_steps: (R,) the Adam steps at which the gradient against lag was recorded.
lag_grads: (R, S, T) mean over the batch of ||d loss_b / d x_t||, indexed by the
    lag T - 1 - t (lag 0 is the last step), for one example's own loss.
long_share: (R, S) ||part of dL/d(cell weights) from lags > 10|| / ||dL/d(cell weights)||.
seconds: wall time of the training loop (the evaluations at eval_at included).
success_at: {step: (S,) share solved after that many steps}, for each step in eval_at.
cell: the packed rnnlib cell (S * units units, seed s owns units s*units ...) after training.
"""


def glorot_uniform(rng, shape):
    """Keras's glorot_uniform: uniform(-l, l) with l = sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-limit, limit, size=shape)


def keras_orthogonal(rng, shape):
    """Keras's Orthogonal(gain=1) on a 2-D shape (rows, cols), as keras.initializers does it.

    For rows < cols (a recurrent kernel (units, G * units)) it draws a
    (cols, rows) Gaussian matrix, takes Q of its QR decomposition (signs fixed by
    diag(R)) and transposes: the rows of the result are orthonormal, the
    (units, units) gate blocks are not.
    """
    rows, cols = shape
    a = rng.normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    return q.T if rows < cols else q


def keras_default_params(kind, input_size, units, rng):
    """{W, U, b (, b_U)} as Keras 3 initialises SimpleRNN / LSTM / GRU(reset_after=True)."""
    if kind not in GATES:
        raise ValueError(f"keras_default_params: kind must be one of {sorted(GATES)}, got {kind!r}")
    G = GATES[kind]
    params = {"W": glorot_uniform(rng, (input_size, G * units)),
              "U": keras_orthogonal(rng, (units, G * units)),
              "b": np.zeros(G * units)}
    if kind == "lstm":
        params["b"][units:2 * units] = 1.0            # unit_forget_bias=True
    if kind == "gru":
        params["b_U"] = np.zeros(G * units)           # reset_after=True: recurrent bias
    return params


def make_cell(kind, input_size, units, params=None):
    """An rnnlib cell of this kind with the given weights (Keras's gate conventions)."""
    if kind == "rnn":
        cell = RNNCell(input_size, units, dtype="float64")
    elif kind == "lstm":
        cell = LSTMCell(input_size, units, forget_bias=0.0, dtype="float64")  # bias in b
    elif kind == "gru":
        cell = GRUCell(input_size, units, reset_after=True, dtype="float64")
    else:
        raise ValueError(f"make_cell: kind must be one of {sorted(GATES)}, got {kind!r}")
    if params is not None:
        cell.set_params(**params)
    return cell


def _packed(kind, seeds, units, inputs=2):
    """One cell holding len(seeds) networks as diagonal blocks, and who owns each entry."""
    S, n, G = len(seeds), units, GATES[kind]
    N = S * n
    big = {"W": np.zeros((S * inputs, G * N)), "U": np.zeros((N, G * N)), "b": np.zeros(G * N)}
    if kind == "gru":
        big["b_U"] = np.zeros(G * N)
    owner = {k: np.full(v.shape, -1) for k, v in big.items()}
    for s, seed in enumerate(seeds):
        small = keras_default_params(kind, inputs, n, np.random.default_rng(seed))
        cols = np.concatenate([g * N + s * n + np.arange(n) for g in range(G)])
        rows_u, rows_w = s * n + np.arange(n), s * inputs + np.arange(inputs)
        big["W"][np.ix_(rows_w, cols)] = small["W"]
        big["U"][np.ix_(rows_u, cols)] = small["U"]
        owner["W"][np.ix_(rows_w, cols)] = s
        owner["U"][np.ix_(rows_u, cols)] = s
        for k in ("b", "b_U"):
            if k in big:
                big[k][cols], owner[k][cols] = small[k], s
    return make_cell(kind, S * inputs, N, big), owner


def train_seeds(kind, T, seeds, *, steps, units=8, batch=32, lr=0.01, clip=1.0,
                record_every=None, n_eval=1000, long_lag=10, fused=True, eval_at=()):
    """Train one network per seed on the adding problem of length T, all at once.

    Each seed has its own initial weights (Keras defaults), its own readout and
    its own stream of training sequences. ``fused=False`` runs rnnlib's own
    cells step by step instead of the fused passes below (same numbers, slower).
    Returns :class:`SeedRuns`.
    """
    import time

    S, n = len(seeds), units
    cell, owner = _packed(kind, seeds, units)
    rngs = [np.random.default_rng(seed) for seed in seeds]
    V = np.zeros((S * n, S))
    for s, rng in enumerate(rngs):
        V[s * n:(s + 1) * n, s] = rng.normal(0.0, 1.0 / np.sqrt(n), n)
    readout = {"V": V, "c": np.full(S, 0.5)}
    owner["V"] = np.where(V != 0, np.arange(S)[None, :], -1)
    owner["c"] = np.arange(S)
    params = dict(cell.params, **readout)             # the same arrays: updated in place
    opt = Adam(params, lr=lr)
    losses, norms = np.zeros((steps, S)), np.zeros((steps, S))
    lag_steps = [] if record_every is None else list(range(0, steps, record_every)) + [steps]
    lag_grads, long_share = [], []
    success_at = {}
    start = time.perf_counter()
    for step in range(steps + 1):
        if step in eval_at or step == steps:
            success_at[step] = _evaluate(cell, readout, T, seeds, n_eval)
        xy = [adding_batch(batch, T, rng) for rng in rngs]
        x = np.concatenate([a for a, _ in xy], axis=2)            # (batch, T, 2S)
        y = np.stack([b for _, b in xy], axis=1)                  # (batch, S)
        record = step in lag_steps
        if fused:
            loss, grads, dx, d_long = _fused_loss_and_grads(kind, cell.params, readout, x, y,
                                                            record, long_lag)
        else:
            loss, grads, dx, d_long = _loss_and_grads(cell, readout, owner, x, y, record,
                                                      long_lag)
        if record:
            lag_grads.append(dx)
            long_share.append(_long_share(owner, grads, d_long, S))
        if step == steps:
            break                                                 # the last step only records
        sq = np.zeros(S)
        for k, g in grads.items():
            grads[k] = g = np.where(owner[k] >= 0, g, 0.0)
            sq += np.bincount(owner[k][owner[k] >= 0], weights=g[owner[k] >= 0] ** 2,
                              minlength=S)
        losses[step], norms[step] = loss, np.sqrt(sq)
        if clip is not None:
            scale = clip / np.maximum(norms[step], clip)          # per seed, 1 if short
            for k, g in grads.items():
                g *= np.where(owner[k] >= 0, scale[np.maximum(owner[k], 0)], 0.0)
        opt.step(params, grads)
    seconds = time.perf_counter() - start
    return SeedRuns(losses, norms, success_at[steps], np.array(lag_steps),
                    np.array(lag_grads), np.array(long_share), seconds, success_at, cell)


def _evaluate(cell, readout, T, seeds, n_eval):
    """(S,) share of n_eval held-out sequences (the same for every call) solved per seed."""
    xy = [adding_batch(n_eval, T, np.random.default_rng(seed + 10_000)) for seed in seeds]
    x = np.concatenate([a for a, _ in xy], axis=2)
    y = np.stack([b for _, b in xy], axis=1)
    x_tm, state, _ = prepare(cell, x, None, None, False, owner="train_seeds")
    outputs, _, _ = run(cell, x_tm, state, None)
    err = np.abs(outputs[-1] @ readout["V"] + readout["c"] - y)
    return np.mean(err < SOLVED_ERROR, axis=0)


def _loss_and_grads(cell, readout, owner, x, y, record, long_lag):
    """Summed per-seed MSE; grads; per-seed ||dloss_b/dx_t|| by lag (if record)."""
    B, S = y.shape
    V, c = readout["V"], readout["c"]
    x_tm, state, _ = prepare(cell, x, None, None, False, owner="train_seeds")
    outputs, _, caches = run(cell, x_tm, state, None, keep_caches=True)
    h_T = outputs[-1]                                             # (batch, S * units)
    err = h_T @ V + c - y                                         # (batch, S)
    loss = np.mean(err ** 2, axis=0)                              # (S,)
    d_y_hat = 2.0 * err / B
    grads = {"V": h_T.T @ d_y_hat, "c": d_y_hat.sum(axis=0)}
    d_cell = {k: np.zeros_like(p) for k, p in cell.params.items()}
    d_long = {k: np.zeros_like(p) for k, p in cell.params.items()} if record else None
    d_state = cell.zero_state(B)
    d_output = np.zeros_like(h_T)
    Tn = len(caches)
    dx_norms = np.zeros((S, Tn)) if record else None
    for t in reversed(range(Tn)):
        d_y = d_y_hat @ V.T if t == Tn - 1 else d_output
        dx, d_state, g = cell.backward(d_y, d_state, caches[t])
        for k in d_cell:
            d_cell[k] += g[k]
            if record and Tn - 1 - t > long_lag:
                d_long[k] += g[k]
        if record:   # one example's own loss: undo the 1/B of the mean
            per = np.linalg.norm(B * dx.reshape(B, S, -1), axis=2)   # (batch, S)
            dx_norms[:, Tn - 1 - t] = per.mean(axis=0)
    grads.update(d_cell)
    return loss, grads, dx_norms, d_long


def _long_share(owner, grads, d_long, S):
    """Per seed: ||cell-weight gradient from lags > long_lag|| / ||whole cell-weight gradient||."""
    num, den = np.zeros(S), np.zeros(S)
    for k in d_long:
        m = owner[k] >= 0
        num += np.bincount(owner[k][m], weights=d_long[k][m] ** 2, minlength=S)
        den += np.bincount(owner[k][m], weights=grads[k][m] ** 2, minlength=S)
    return np.sqrt(num / den)


# -- the same forward and backward passes, fused over time for speed -------------------
# rnnlib's cells are written to be read one step at a time; here the input
# products x_t W of all steps are one matrix product, the weight gradients are
# summed over time in one product at the end, and each step is a handful of
# numpy calls. `tests/test_gradient_claims.py` checks these against rnnlib's
# cells (``_loss_and_grads``) on the same weights and data.

def _sig(z):
    return 0.5 * np.tanh(0.5 * z) + 0.5          # = 1 / (1 + exp(-z)), no overflow


def _fused_loss_and_grads(kind, p, readout, x, y, record, long_lag):
    """What :func:`_loss_and_grads` returns, for a packed cell's params ``p``."""
    B, T, _ = x.shape
    S = y.shape[1]
    N = p["U"].shape[0]
    xw = np.einsum("bti,ij->tbj", x, p["W"]) + p["b"]          # (T, B, G*N)
    H = np.zeros((T + 1, B, N))                                  # H[t + 1] = h_t
    if kind == "rnn":
        for t in range(T):
            H[t + 1] = np.tanh(xw[t] + H[t] @ p["U"])
    elif kind == "lstm":
        C = np.zeros((T + 1, B, N))
        gates = np.zeros((T, B, 4 * N))                          # i, f, c~, o (activated)
        TC = np.zeros((T, B, N))
        for t in range(T):
            z = xw[t] + H[t] @ p["U"]
            g = gates[t]
            g[:] = _sig(z)
            g[:, 2 * N:3 * N] = np.tanh(z[:, 2 * N:3 * N])
            C[t + 1] = g[:, N:2 * N] * C[t] + g[:, :N] * g[:, 2 * N:3 * N]
            TC[t] = np.tanh(C[t + 1])
            H[t + 1] = g[:, 3 * N:] * TC[t]
    else:                                                        # gru, reset_after=True
        UR = np.zeros((T, B, 2 * N))                             # u, r
        HH = np.zeros((T, B, N))                                 # h_{t-1} U_h + b'_h
        HT = np.zeros((T, B, N))                                 # candidate
        for t in range(T):
            hz = H[t] @ p["U"] + p["b_U"]
            UR[t] = _sig(xw[t, :, :2 * N] + hz[:, :2 * N])
            HH[t] = hz[:, 2 * N:]
            HT[t] = np.tanh(xw[t, :, 2 * N:] + UR[t, :, N:] * HH[t])
            u = UR[t, :, :N]
            H[t + 1] = u * H[t] + (1.0 - u) * HT[t]
    V, c = readout["V"], readout["c"]
    err = H[T] @ V + c - y
    loss = np.mean(err ** 2, axis=0)
    d_y_hat = 2.0 * err / B
    grads = {"V": H[T].T @ d_y_hat, "c": d_y_hat.sum(axis=0)}
    dh = d_y_hat @ V.T                                           # (B, N), reaches h_T
    DZ = np.zeros_like(xw)                                       # d(pre-activations), input side
    DHZ = np.zeros((T, B, 3 * N)) if kind == "gru" else None     # recurrent side (gru)
    if kind == "lstm":
        dc = np.zeros((B, N))
    for t in reversed(range(T)):
        if kind == "rnn":
            da = dh * (1.0 - H[t + 1] ** 2)
            DZ[t] = da
            dh = da @ p["U"].T
        elif kind == "lstm":
            g = gates[t]
            i, f, ct, o = g[:, :N], g[:, N:2 * N], g[:, 2 * N:3 * N], g[:, 3 * N:]
            dc = dc + dh * o * (1.0 - TC[t] ** 2)
            dz = DZ[t]
            dz[:, :N] = dc * ct * i * (1.0 - i)
            dz[:, N:2 * N] = dc * C[t] * f * (1.0 - f)
            dz[:, 2 * N:3 * N] = dc * i * (1.0 - ct ** 2)
            dz[:, 3 * N:] = dh * TC[t] * o * (1.0 - o)
            dc = dc * f
            dh = dz @ p["U"].T
        else:
            u, r = UR[t, :, :N], UR[t, :, N:]
            dah = dh * (1.0 - u) * (1.0 - HT[t] ** 2)
            dz, dhz = DZ[t], DHZ[t]
            dz[:, :N] = dhz[:, :N] = dh * (H[t] - HT[t]) * u * (1.0 - u)
            dz[:, N:2 * N] = dhz[:, N:2 * N] = dah * HH[t] * r * (1.0 - r)
            dz[:, 2 * N:] = dah
            dhz[:, 2 * N:] = dah * r
            dh = dh * u + dhz @ p["U"].T
    dR = DHZ if kind == "gru" else DZ                            # what multiplies U
    H_prev = H[:T].reshape(T * B, N)
    grads["W"] = x.transpose(1, 0, 2).reshape(T * B, -1).T @ DZ.reshape(T * B, -1)
    grads["U"] = H_prev.T @ dR.reshape(T * B, -1)
    grads["b"] = DZ.sum(axis=(0, 1))
    if kind == "gru":
        grads["b_U"] = DHZ.sum(axis=(0, 1))
    if not record:
        return loss, grads, None, None
    dx = (DZ @ p["W"].T).reshape(T, B, S, -1)                     # (T, B, S, 2)
    dx_norms = np.linalg.norm(B * dx, axis=3).mean(axis=1).T[:, ::-1]   # (S, lag)
    short = slice(T - 1 - long_lag, T)                           # lags 0 .. long_lag
    keep = np.ones(T, bool)
    keep[short] = False                                          # lags > long_lag
    long = {"W": x[:, keep].transpose(1, 0, 2).reshape(-1, x.shape[2]).T
            @ DZ[keep].reshape(-1, DZ.shape[2]),
            "U": H[:T][keep].reshape(-1, N).T @ dR[keep].reshape(-1, dR.shape[2]),
            "b": DZ[keep].sum(axis=(0, 1))}
    if kind == "gru":
        long["b_U"] = DHZ[keep].sum(axis=(0, 1))
    return loss, grads, dx_norms, long
