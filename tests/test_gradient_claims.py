"""The claims of the gradient chapters (bptt.md, vanishing.md), checked independently.

* The per-element relative error catches a planted 0.01 % bug on the smallest
  entry of a gradient, which the largest-entry-scaled error hides below the
  finite-difference noise (bptt.md, "Checking the gradients").
* The full state Jacobian d s_T / d s_0 that rnnlib.jacobians computes equals
  TensorFlow's (tf.GradientTape.jacobian) on Keras's SimpleRNNCell, LSTMCell and
  GRUCell and TF1's BasicLSTMCell at their default initialisers; Keras's
  Orthogonal recurrent kernel has orthonormal rows but gate blocks that are not
  orthogonal (vanishing.md, "Why LSTM and GRU suffer less").
* The truncated-BPTT share without the zero-step (identity) paths, from path
  norms measured by finite differences through rnnlib.unroll (bptt.md).
* The seed-packed, fused adding-problem trainer reproduces rnnlib's own
  trainer (experiments.adding.train_adding) run one seed at a time.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rnnlib  # noqa: E402
from experiments import seeds as es  # noqa: E402
from experiments.adding import train_adding  # noqa: E402
from experiments.gradcheck import finite_differences, kept_share, path_norms, relative_error  # noqa: E402
from rnnlib.jacobians import jacobian_products, step_jacobians  # noqa: E402


def largest_scale_error(a, b):
    return np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max())


def test_per_element_error_catches_a_planted_bug():
    cell = rnnlib.LSTMCell(2, 3, seed=2, dtype="float64")
    rng = np.random.default_rng(7)
    cell.set_params(**{k: v + 0.3 * rng.normal(size=v.shape) for k, v in cell.params.items()})
    x = rng.normal(size=(3, 4, 2))
    D = rng.normal(size=(3, 4, 3))

    def loss():
        return np.sum(rnnlib.unroll(cell, x)[0] * D)

    fd = finite_differences(loss, cell.params["U"])
    good = rnnlib.bptt(cell, x, D).params["U"]
    honest = relative_error(good, fd)
    assert honest < 1e-5
    bad = good.copy()
    j = np.unravel_index(np.abs(bad).argmin(), bad.shape)
    bad[j] *= 1 + 1e-4
    assert relative_error(bad, fd) > 10 * honest            # caught
    assert largest_scale_error(bad, fd) < 1e-4 * np.abs(bad[j]) / np.abs(bad).max() * 2
    # bptt.md compares like with like: the one-scale error of the correct array is smaller
    # still, but the bug's one-scale error is below the usual 1e-6 tolerances
    assert largest_scale_error(good, fd) < largest_scale_error(bad, fd) < 1e-6
    # and a real bug: a sign flip on one entry is caught by both
    bad2 = good.copy()
    bad2[0, 0] = -bad2[0, 0]
    assert relative_error(bad2, fd) > 0.5


def test_relative_error_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(3), np.zeros(4))


# -- full state Jacobians against TensorFlow, at the libraries' default initialisers ----------

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
legacy = pytest.importorskip("tf_keras.src.layers.rnn.legacy_cells")

T_JAC, UNITS, INPUTS = 12, 6, 3


def tf_state_jacobian(tf_cell, x, state0, keras_order):
    """d s_T / d s_0 by tf.GradientTape.jacobian; s stacked as [c; h] for LSTMs."""
    s0 = tf.constant(np.concatenate(state0, axis=1))               # (1, m)
    with tf.GradientTape() as tape:
        tape.watch(s0)
        n = UNITS
        if len(state0) == 2:
            c, h = s0[:, :n], s0[:, n:]
            state = [h, c] if keras_order else (c, h)
        else:
            state = [s0] if keras_order else s0
        for t in range(x.shape[1]):
            _, state = tf_cell(tf.constant(x[:, t]), state)
        if len(state0) == 2:
            h, c = (state[0], state[1]) if keras_order else (state[1], state[0])
            s_T = tf.concat([c, h], axis=1)
        else:
            s_T = state[0] if isinstance(state, (list, tuple)) else state
    return tape.jacobian(s_T, s0).numpy()[0, :, 0, :]


CELLS = {
    "keras SimpleRNNCell": (lambda: keras.layers.SimpleRNNCell(UNITS, dtype="float64"), True, 1),
    "keras LSTMCell": (lambda: keras.layers.LSTMCell(UNITS, dtype="float64"), True, 2),
    "keras GRUCell": (lambda: keras.layers.GRUCell(UNITS, dtype="float64"), True, 1),
    "TF1 BasicLSTMCell": (lambda: legacy.BasicLSTMCell(UNITS, dtype="float64"), False, 2),
}


@pytest.mark.parametrize("name", list(CELLS))
def test_full_state_jacobian_matches_tensorflow_at_defaults(name):
    make, keras_order, n_state = CELLS[name]
    keras.utils.set_random_seed(3)
    tf_cell = make()
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1, T_JAC, INPUTS))
    state0 = [rng.normal(size=(1, UNITS)) * 0.5 for _ in range(n_state)]
    tf_cell(tf.constant(x[:, 0]), [tf.constant(s) for s in state0] if keras_order
            else (tf.constant(state0[0]), tf.constant(state0[1])) if n_state == 2
            else tf.constant(state0[0]))                           # build with default weights
    J_tf = tf_state_jacobian(tf_cell, x, state0, keras_order)
    cell = rnnlib.from_tf(tf_cell)
    init = rnnlib.LSTMState(c=state0[0], h=state0[1]) if n_state == 2 else state0[0]
    P = jacobian_products(step_jacobians(cell, x, initial_state=init)).products[0, 0]
    assert np.abs(P - J_tf).max() <= 1e-10 * max(1.0, np.abs(J_tf).max())
    # default weights really are the library's defaults: biases zero except the forget gate
    if name == "keras LSTMCell":
        b = cell.params["b"]
        forget = np.s_[UNITS:2 * UNITS]
        assert np.all(b[forget] == 1.0) and np.all(np.delete(b, forget) == 0)
    if name == "TF1 BasicLSTMCell":
        assert cell.forget_bias == 1.0 and np.all(cell.params["b"] == 0)


def test_keras_orthogonal_recurrent_kernel_is_not_blockwise_orthogonal():
    units = 32
    keras.utils.set_random_seed(0)
    cell = keras.layers.LSTMCell(units)
    cell.build((None, 2))
    U = cell.recurrent_kernel.numpy().astype(np.float64)          # (units, 4 units)
    assert np.allclose(U @ U.T, np.eye(units), atol=1e-5)          # rows orthonormal
    block_max = [np.linalg.norm(U[:, g * units:(g + 1) * units], 2) for g in range(4)]
    assert max(block_max) < 0.95                                   # no block is orthogonal
    # the numpy copy of the initialiser that the chapter uses has the same structure
    V = es.keras_orthogonal(np.random.default_rng(0), (units, 4 * units))
    assert np.allclose(V @ V.T, np.eye(units), atol=1e-12)
    ours = [np.linalg.norm(V[:, g * units:(g + 1) * units], 2) for g in range(4)]
    assert max(ours) < 0.95 and abs(np.mean(ours) - np.mean(block_max)) < 0.1


# -- truncated BPTT: the kept share without the identity paths ----------------------------------

def fd_path_norms(cell, x, eps=1e-6):
    """N[t, s] = ||d h_t / d h_s|| by central differences through rnnlib.unroll."""
    T = x.shape[1]
    states = [np.zeros((1, cell.units))] + [
        rnnlib.unroll(cell, x[:, :t])[1] for t in range(1, T + 1)]
    N = np.full((T + 1, T + 1), np.nan)
    for s in range(T + 1):
        N[s, s] = 1.0
        for t in range(s + 1, T + 1):
            cols = []
            for e in np.eye(cell.units):
                up = rnnlib.unroll(cell, x[:, s:t], initial_state=states[s] + eps * e)[1]
                down = rnnlib.unroll(cell, x[:, s:t], initial_state=states[s] - eps * e)[1]
                cols.append((up - down)[0] / (2 * eps))
            N[t, s] = np.linalg.norm(np.stack(cols, axis=1), 2)
    return N


@pytest.mark.parametrize("scale", [0.5, 2.0])
def test_kept_share_without_identity_paths(scale):
    T, k = 10, 3
    cell = rnnlib.RNNCell(2, 4, seed=8, dtype="float64")
    cell.set_params(U=scale * cell.params["U"])
    x = np.random.default_rng(3).normal(size=(1, T, 2))
    N_fd = fd_path_norms(cell, x)
    N = path_norms(cell, x)
    assert np.nanmax(np.abs(N_fd - N)) < 1e-6
    kept = total = 0.0
    for t in range(1, T + 1):
        for s in range(1, t):                                       # at least one step back
            total += N_fd[t, s]
            if (s - 1) // k == (t - 1) // k:                        # same chunk
                kept += N_fd[t, s]
    assert abs(kept_share(N, k) - kept / total) < 1e-6


# -- the adding-problem trainer -------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_packed_fused_trainer_reproduces_rnnlib_trainer(kind):
    T, steps, n = 12, 15, 4
    runs = es.train_seeds(kind, T, [3, 5], steps=steps, units=n, batch=8, lr=0.02, n_eval=200)
    for s, seed in enumerate([3, 5]):
        cell = es.make_cell(kind, 2, n, es.keras_default_params(kind, 2, n,
                                                                np.random.default_rng(seed)))
        _, h = train_adding(cell, T, steps=steps, batch=8, lr=0.02, seed=seed, n_eval=200)
        assert np.allclose(runs.losses[:, s], h.losses, rtol=1e-9, atol=1e-12)
        assert np.allclose(runs.grad_norms[:, s], h.grad_norms, rtol=1e-9, atol=1e-12)
        # SeedRuns.cell (read by adding.md for the trained gates) holds seed s's trained
        # weights in its block: the same as the plain trainer's cell after training
        G, N = es.GATES[kind], 2 * n
        cols = np.concatenate([g * N + s * n + np.arange(n) for g in range(G)])
        rows = s * n + np.arange(n)
        packed = runs.cell.params
        assert np.allclose(packed["U"][np.ix_(rows, cols)], cell.params["U"], rtol=1e-9, atol=1e-12)
        assert np.allclose(packed["W"][np.ix_(s * 2 + np.arange(2), cols)], cell.params["W"],
                           rtol=1e-9, atol=1e-12)
        assert np.allclose(packed["b"][cols], cell.params["b"], rtol=1e-9, atol=1e-12)
