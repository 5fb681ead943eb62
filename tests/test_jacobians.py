"""rnnlib.jacobians: per-step Jacobians vs finite differences, products vs explicit products."""
import warnings

import numpy as np
import pytest

import rnnlib
from rnnlib.jacobians import cell_state_path, gradient_flow, jacobian_products, step_jacobians
from rnnlib.unroll import prepare

EPS = 1e-6
FD_TOL = 1e-6


def rel_err(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)


def make_cell(kind, n_in, units, seed):
    rng = np.random.default_rng(seed)
    if kind.startswith("rnn"):
        cell = rnnlib.RNNCell(n_in, units, activation=kind.split("-")[1], seed=seed,
                              dtype="float64")
    elif kind == "lstm":
        cell = rnnlib.LSTMCell(n_in, units, seed=seed, dtype="float64")
    else:
        cell = rnnlib.GRUCell(n_in, units, reset_after=kind == "gru-ra", seed=seed,
                              dtype="float64")
    return cell.set_params(**{k: v + 0.3 * rng.standard_normal(v.shape)
                              for k, v in cell.params.items()})


def flat_state(cell, state):
    """State as one (batch, m) array: [c, h] for the LSTM."""
    return np.concatenate(state, axis=1) if isinstance(cell, rnnlib.LSTMCell) else state


def unflat_state(cell, s):
    if isinstance(cell, rnnlib.LSTMCell):
        return rnnlib.LSTMState(s[:, :cell.units], s[:, cell.units:])
    return s


def fd_jacobian(g, s):
    """Central-difference Jacobian of g: (batch, m) -> (batch, m), column convention:
    J[b, i, j] = d g(s)[b, i] / d s[b, j] (examples are independent)."""
    batch, m = s.shape
    J = np.zeros((batch, m, m))
    for j in range(m):
        e = np.zeros_like(s)
        e[:, j] = EPS
        J[:, :, j] = (g(s + e) - g(s - e)) / (2 * EPS)
    return J


def states_along(cell, x, h0):
    """s_0, s_1, ..., s_T (each (batch, m)) from an unmasked run."""
    xs, state, _ = prepare(cell, x, h0, None, False)
    out = [flat_state(cell, state)]
    for t in range(xs.shape[0]):
        _, state = cell(xs[t], state)
        out.append(flat_state(cell, state))
    return xs, out


KINDS = ["rnn-tanh", "rnn-sigmoid", "rnn-relu", "gru", "gru-ra", "lstm"]


@pytest.mark.parametrize("kind", KINDS)
def test_step_jacobians_match_finite_differences(kind):
    rng = np.random.default_rng(KINDS.index(kind))
    cell = make_cell(kind, 2, 3, seed=KINDS.index(kind))
    x = rng.standard_normal((2, 4, 2))
    h0 = unflat_state(cell, rng.standard_normal((2, 2 * 3 if kind == "lstm" else 3)))
    J = step_jacobians(cell, x, h0)
    m = 6 if kind == "lstm" else 3
    assert J.shape == (2, 4, m, m)
    xs, states = states_along(cell, x, h0)
    for t in range(4):
        def step(s, t=t):
            return flat_state(cell, cell(xs[t], unflat_state(cell, s))[1])
        assert rel_err(J[:, t], fd_jacobian(step, states[t])) <= FD_TOL, t


def test_rnn_jacobian_is_diag_act_prime_times_U_transpose():
    """Column convention with W_rec = U.T: dh_t/dh_{t-1} = diag(tanh'(a_t)) W_rec."""
    rng = np.random.default_rng(0)
    cell = make_cell("rnn-tanh", 2, 4, seed=0)
    x = rng.standard_normal((1, 3, 2))
    J = step_jacobians(cell, x)
    xs, state, _ = prepare(cell, x, None, None, False)
    W, U, b = cell.params["W"], cell.params["U"], cell.params["b"]
    for t in range(3):
        a = xs[t] @ W + state @ U + b
        W_rec = U.T
        assert np.allclose(J[0, t], np.diag(1 - np.tanh(a[0]) ** 2) @ W_rec, rtol=0, atol=1e-14)
        # the transposed form W_rec^T diag(sigma') is a different matrix (same singular values)
        other = W_rec.T @ np.diag(1 - np.tanh(a[0]) ** 2)
        assert not np.allclose(J[0, t], other)
        assert np.allclose(np.linalg.svd(J[0, t])[1], np.linalg.svd(other)[1])
        state = np.tanh(a)


def test_masked_steps_have_identity_jacobian():
    rng = np.random.default_rng(3)
    for kind in ("rnn-tanh", "lstm", "gru"):
        cell = make_cell(kind, 2, 3, seed=3)
        x = rng.standard_normal((3, 5, 2))
        lengths = np.array([5, 2, 0])
        J = step_jacobians(cell, x, sequence_length=lengths)
        full = step_jacobians(cell, x)
        eye = np.eye(J.shape[-1])
        assert np.array_equal(J[0], full[0])
        assert np.array_equal(J[1, :2], full[1, :2])
        assert all(np.array_equal(J[1, t], eye) for t in range(2, 5))
        assert all(np.array_equal(J[2, t], eye) for t in range(5))


def test_lstm_cell_state_path_is_diag_forget_gate():
    rng = np.random.default_rng(4)
    cell = make_cell("lstm", 2, 3, seed=4)
    x = rng.standard_normal((2, 4, 2))
    D = cell_state_path(cell, x)
    assert D.shape == (2, 4, 3, 3)
    xs, state, _ = prepare(cell, x, None, None, False)
    W, U, b, n = cell.params["W"], cell.params["U"], cell.params["b"], 3
    for t in range(4):
        z_f = (xs[t] @ W + state.h @ U + b)[:, n:2 * n]            # Keras order i, f, c, o
        f = 1 / (1 + np.exp(-(z_f + cell.forget_bias)))
        for bi in range(2):
            assert np.allclose(D[bi, t], np.diag(f[bi]), rtol=0, atol=1e-14)

        def c_only(c, t=t, h=state.h):                             # h_{t-1} held fixed
            return cell(xs[t], rnnlib.LSTMState(c, h))[1].c
        assert rel_err(D[:, t], fd_jacobian(c_only, state.c)) <= FD_TOL
        _, state = cell(xs[t], state)
    J = step_jacobians(cell, x)
    assert np.array_equal(J[..., :n, :n], D)                        # top-left block


def test_products_match_explicit_matrix_products():
    rng = np.random.default_rng(5)
    for kind in ("rnn-tanh", "gru-ra", "lstm"):
        cell = make_cell(kind, 2, 3, seed=5)
        x = rng.standard_normal((2, 6, 2))
        J = step_jacobians(cell, x)
        res = jacobian_products(J)
        T, m = 6, J.shape[-1]
        assert res.products.shape == (2, T + 1, m, m)
        assert res.norms.shape == res.overflowed.shape == res.log10_norms.shape == (2, T + 1)
        assert res.singular_values.shape == (2, T + 1, m)
        for bi in range(2):
            for k in range(T + 1):
                P = np.eye(m)
                for t in range(k, T):                               # J_T ... J_{k+1}
                    P = J[bi, t] @ P
                assert np.allclose(res.products[bi, k], P, rtol=1e-12, atol=1e-15)
                sv = np.linalg.svd(P, compute_uv=False)
                assert np.allclose(res.singular_values[bi, k], sv, rtol=1e-10, atol=1e-15)
                assert np.isclose(res.norms[bi, k], np.linalg.norm(P, 2), rtol=1e-10)
                assert np.isclose(res.log10_norms[bi, k], np.log10(sv[0]), rtol=0, atol=1e-10)
        assert not res.overflowed.any()


def test_products_are_the_jacobian_of_the_unrolled_network():
    """d s_T / d s_k from the products equals finite differences through the unroll."""
    rng = np.random.default_rng(6)
    for kind in ("rnn-tanh", "gru", "lstm"):
        cell = make_cell(kind, 2, 3, seed=6)
        x = rng.standard_normal((2, 5, 2))
        res = gradient_flow(cell, x)
        xs, states = states_along(cell, x, None)
        for k in (0, 2, 4):
            def tail(s, k=k, cell=cell, xs=xs):
                _, final = rnnlib.unroll(cell, xs[k:], unflat_state(cell, s), time_major=True)
                return flat_state(cell, final)
            assert rel_err(res.products[:, k], fd_jacobian(tail, states[k])) <= FD_TOL


def test_products_agree_with_bptt():
    """bptt's gradient for the initial state is d_final @ (d s_T / d s_0)."""
    rng = np.random.default_rng(7)
    cell = make_cell("gru-ra", 2, 3, seed=7)
    x = rng.standard_normal((2, 5, 2))
    d_final = rng.standard_normal((2, 3))
    g = rnnlib.bptt(cell, x, None, d_final_state=d_final)
    P0 = gradient_flow(cell, x).products[:, 0]
    assert rel_err(g.initial_state, np.einsum("bi,bij->bj", d_final, P0)) <= 1e-12


def test_overflow_comes_back_as_inf_with_a_flag_and_no_warning():
    units, T = 3, 60
    cell = rnnlib.RNNCell(1, units, activation="linear", seed=0)      # float32
    cell.set_params(U=(10.0 * np.eye(units)).astype(np.float32))    # J_t = 10 I
    x = np.zeros((1, T, 1), np.float32)                               # forward stays at 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")                                # any warning fails
        res = gradient_flow(cell, x)
    steps_back = T - np.arange(T + 1)                                 # T - k
    expected_overflow = 10.0 ** steps_back.astype(np.float64) > np.finfo(np.float32).max
    assert expected_overflow.any() and not expected_overflow.all()
    assert np.array_equal(res.overflowed[0], expected_overflow)
    assert np.all(np.isinf(res.norms[0, expected_overflow]))
    assert np.all(np.isinf(res.singular_values[0, expected_overflow]))
    ok = ~expected_overflow
    assert np.allclose(res.norms[0, ok], 10.0 ** steps_back[ok], rtol=1e-5)
    # the rescaled log norm stays finite and exact all the way back
    assert np.allclose(res.log10_norms[0], steps_back, atol=1e-9)


def test_vanishing_products_underflow_quietly_to_zero():
    cell = rnnlib.RNNCell(1, 2, activation="linear", seed=0, dtype="float64")
    cell.set_params(U=0.01 * np.eye(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gradient_flow(cell, np.zeros((1, 200, 1)))
    assert res.norms[0, 0] == 0.0 and not res.overflowed.any()
    assert np.isclose(res.log10_norms[0, 100], -200.0)
    assert np.isclose(res.log10_norms[0, 0], -400.0)                 # rescaled: no underflow
    dead = rnnlib.RNNCell(1, 2, activation="linear", seed=0, dtype="float64")
    dead.set_params(U=np.zeros((2, 2)))                               # a truly zero Jacobian
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradient_flow(dead, np.zeros((1, 3, 1))).log10_norms[0, 0] == -np.inf


def test_bad_arguments_are_refused():
    multi = rnnlib.MultiCell([rnnlib.RNNCell(2, 3), rnnlib.RNNCell(3, 3)])
    with pytest.raises(TypeError, match="RNNCell, GRUCell or LSTMCell, got MultiCell"):
        step_jacobians(multi, np.zeros((1, 2, 2)))
    with pytest.raises(TypeError, match="must be an LSTMCell, got GRUCell"):
        cell_state_path(rnnlib.GRUCell(2, 3), np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match=r"\(batch, time, m, m\), got shape \(2, 3, 3\)"):
        jacobian_products(np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match=r"got shape \(1, 2, 3, 4\)"):
        jacobian_products(np.zeros((1, 2, 3, 4)))
    with pytest.raises(TypeError, match="float array, got dtype int64"):
        jacobian_products(np.zeros((1, 2, 3, 3), np.int64))
    with pytest.raises(ValueError, match="inputs"):
        step_jacobians(rnnlib.RNNCell(2, 3), np.zeros((1, 2, 5)))


def test_run_is_unchanged_by_analysis():
    """Computing Jacobians must not touch the cell's parameters."""
    cell = make_cell("lstm", 2, 3, seed=8)
    before = {k: v.copy() for k, v in cell.params.items()}
    gradient_flow(cell, np.ones((1, 3, 2)))
    assert all(np.array_equal(before[k], cell.params[k]) for k in before)
