"""The adding problem, and a small trainer for it: rnnlib's BPTT + a linear readout + Adam.

The task (Hochreiter & Schmidhuber 1997, experiment 4, slightly simplified):
each sequence has T steps with two input features,

    x_t = (value_t, marker_t),   value_t ~ uniform(-1, 1),
    marker_t = 1 at two distinct steps p < q in the first half of the
               sequence (t < ceil(T / 2)) and 0 elsewhere.

After the last step the network must output the target

    y = 0.5 + (value_p + value_q) / 4            (always in [0, 1])

so it has to notice the two marked values, add them, and carry the sum
across at least T/2 steps of distracting inputs. A sequence counts as solved
when |prediction - y| < 0.04, Hochreiter & Schmidhuber's criterion. Guessing
0.5 every time already "solves" about 15% of sequences (|value_p + value_q| <
0.16 by chance), so that is the floor of the success rate.

The model: any rnnlib cell, then a linear readout of the last output,
``y_hat = h_T @ V + c``; the loss is the mean squared error. Gradients come from
the BPTT loop of :func:`rnnlib.bptt.bptt` with the readout's gradient fed in at
the last step; they are clipped by global norm (Pascanu et al. 2013) and
applied with Adam (Kingma & Ba 2015), all in numpy.

Hochreiter & Schmidhuber (1997), Long short-term memory, Neural Computation 9(8).
"""
from collections import namedtuple

import numpy as np

from rnnlib.clipping import clip_by_global_norm, global_norm
from rnnlib.unroll import prepare, run, unroll

#: Hochreiter & Schmidhuber's success criterion: |prediction - target| below this.
SOLVED_ERROR = 0.04

#: Gradient clipping threshold. Early in training a simple RNN with large
#: recurrent weights can produce a huge gradient; capping the global norm at 1
#: keeps one such step from throwing the weights far away (Pascanu et al. 2013).
CLIP_NORM = 1.0

History = namedtuple("History", ["losses", "grad_norms", "success", "mean_abs_error", "seconds"])
History.__doc__ = """What :func:`train_adding` returns.

losses, grad_norms: (steps,) training loss and global gradient norm before clipping, per step.
success: fraction of held-out sequences with |error| < SOLVED_ERROR after training.
mean_abs_error: mean |error| on those sequences.
seconds: wall time of the training loop.
"""


def adding_batch(batch, T, rng):
    """A batch of adding-problem sequences.

    Args:
        batch: number of sequences.
        T: sequence length, at least 4 (two markers in the first half).
        rng: a ``numpy.random.Generator``.

    Returns:
        x: (batch, T, 2) float64, features (value, marker).
        y: (batch,) float64 targets 0.5 + (value_p + value_q) / 4.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"adding_batch: rng must be a numpy Generator, "
                        f"got {type(rng).__name__}")
    if not (isinstance(T, (int, np.integer)) and T >= 4):
        raise ValueError(f"adding_batch: T must be an int >= 4, got {T!r}")
    if not (isinstance(batch, (int, np.integer)) and batch >= 1):
        raise ValueError(f"adding_batch: batch must be an int >= 1, "
                         f"got {batch!r}")
    values = rng.uniform(-1.0, 1.0, size=(batch, T))
    half = (T + 1) // 2
    # two distinct marked steps in the first half, per sequence: (batch, 2)
    marked = np.argsort(rng.random((batch, half)), axis=1)[:, :2]
    markers = np.zeros((batch, T))
    rows = np.arange(batch)[:, None]
    markers[rows, marked] = 1.0
    y = 0.5 + values[rows, marked].sum(axis=1) / 4.0
    x = np.stack([values, markers], axis=2)             # (batch, T, 2)
    return x, y


class Adam:
    """Adam (Kingma & Ba 2015) for a dict of numpy arrays, updated in place.

    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
    p <- p - lr * m_hat / (sqrt(v_hat) + eps), with the bias-corrected m_hat, v_hat.
    """

    def __init__(self, params, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m = {k: np.zeros_like(p) for k, p in params.items()}
        self.v = {k: np.zeros_like(p) for k, p in params.items()}
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        for k, g in grads.items():
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * g
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * g * g
            m_hat = self.m[k] / (1 - self.b1 ** self.t)
            v_hat = self.v[k] / (1 - self.b2 ** self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def predict(cell, readout, x):
    """y_hat (batch,) = last output of the cell over x (batch, T, 2), read out linearly."""
    outputs, _ = unroll(cell, x)
    return outputs[:, -1] @ readout["V"][:, 0] + readout["c"][0]


def loss_and_grads(cell, readout, x, y):
    """Mean squared error, and its gradients for the cell and the readout.

    One forward pass keeps each step's cache; the backward pass is
    :func:`rnnlib.bptt.bptt`'s loop (no ``sequence_length`` here). Calling
    ``bptt`` itself would run the forward pass a second time, because the
    readout's gradient needs the last output first.

    Returns (loss, grads), grads keyed "cell/<name>" and "readout/<name>".
    """
    V, c = readout["V"][:, 0], readout["c"][0]
    x_tm, state, _ = prepare(cell, x, None, None, False, owner="loss_and_grads")
    outputs, _, caches = run(cell, x_tm, state, None, keep_caches=True)
    h_T = outputs[-1]                       # (batch, units): the last output
    y_hat = h_T @ V + c                     # (batch,)
    err = y_hat - y
    loss = float(np.mean(err ** 2))
    d_y_hat = 2.0 * err / len(y)            # dloss/dy_hat, (batch,)
    grads = {"readout/V": h_T.T @ d_y_hat[:, None],
             "readout/c": np.array([d_y_hat.sum()])}
    d_cell = {k: np.zeros_like(p) for k, p in cell.params.items()}
    d_state = cell.zero_state(len(y))       # nothing flows in after the end
    d_output = np.zeros_like(h_T)
    for t in reversed(range(len(caches))):  # only the last output is read out
        d_y = d_y_hat[:, None] * V if t == len(caches) - 1 else d_output
        _, d_state, g = cell.backward(d_y, d_state, caches[t])
        for k in d_cell:
            d_cell[k] += g[k]               # shared weights: sum over t
    grads.update({"cell/" + k: g for k, g in d_cell.items()})
    return loss, grads


def evaluate(cell, readout, T, n, rng):
    """(success rate, mean |error|) on n fresh sequences of length T."""
    x, y = adding_batch(n, T, rng)
    err = np.abs(predict(cell, readout, x) - y)
    return float(np.mean(err < SOLVED_ERROR)), float(np.mean(err))


def train_adding(cell, T, *, steps, batch=64, lr=0.01, seed=0, n_eval=1000, clip=CLIP_NORM):
    """Train ``cell`` plus a linear readout on the adding problem of length T.

    Args:
        cell: an rnnlib RNNCell, LSTMCell or GRUCell with input_size 2,
            preferably float64; its parameters are updated in place.
        T: sequence length.
        steps, batch, lr: Adam steps, sequences per step, learning rate.
        seed: seeds the readout's initial weights, the data and the test set.
        n_eval: held-out sequences used for the success rate.
        clip: global-norm threshold for the gradients (None: no clipping).

    Returns:
        (readout, History).
    """
    import time

    if cell.input_size != 2:
        raise ValueError(f"train_adding: the adding problem has 2 input features, "
                         f"the cell expects {cell.input_size}")
    rng = np.random.default_rng(seed)
    readout = {"V": rng.normal(0.0, 1.0 / np.sqrt(cell.units), (cell.units, 1)),
               "c": np.array([0.5])}                   # start at the mean target
    params = {"cell/" + k: v for k, v in cell.params.items()}
    params.update({"readout/" + k: v for k, v in readout.items()})
    opt = Adam(params, lr=lr)
    losses, norms = np.zeros(steps), np.zeros(steps)
    start = time.perf_counter()
    for s in range(steps):
        x, y = adding_batch(batch, T, rng)
        losses[s], grads = loss_and_grads(cell, readout, x, y)
        if clip is not None:
            grads, norms[s] = clip_by_global_norm(grads, clip)
        else:
            norms[s] = global_norm(grads)
        opt.step(params, grads)        # params hold the same arrays as cell and readout
    seconds = time.perf_counter() - start
    success, mae = evaluate(cell, readout, T, n_eval, np.random.default_rng(seed + 10_000))
    return readout, History(losses, norms, success, mae, seconds)
