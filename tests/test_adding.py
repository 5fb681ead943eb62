"""experiments.adding: the adding problem and its numpy trainer.

Gradients are checked against central finite differences in float64, and
Adam against Keras's Adam on the same gradients.
"""
import numpy as np
import pytest

from experiments.adding import (
    SOLVED_ERROR,
    Adam,
    adding_batch,
    loss_and_grads,
    predict,
    train_adding,
)
from rnnlib import GRUCell, LSTMCell, RNNCell


def test_adding_batch_definition():
    x, y = adding_batch(200, 9, np.random.default_rng(0))
    assert x.shape == (200, 9, 2) and y.shape == (200,)
    values, markers = x[..., 0], x[..., 1]
    assert np.all((values >= -1) & (values <= 1))
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, 5:] == 0)              # both markers in the first ceil(9/2) = 5 steps
    expected = 0.5 + (values * markers).sum(axis=1) / 4
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-15)
    assert np.all((y >= 0) & (y <= 1))


def test_adding_batch_refuses_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="T must be an int >= 4"):
        adding_batch(4, 3, rng)
    with pytest.raises(ValueError, match="batch must be an int >= 1"):
        adding_batch(0, 10, rng)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        adding_batch(4, 10, 0)


def readout_for(cell, rng):
    return {"V": rng.normal(size=(cell.units, 1)), "c": np.array([0.3])}


@pytest.mark.parametrize("make", [
    lambda: RNNCell(2, 3, seed=1, dtype="float64"),
    lambda: LSTMCell(2, 3, seed=1, dtype="float64"),
    lambda: GRUCell(2, 3, seed=1, dtype="float64"),
], ids=["rnn", "lstm", "gru"])
def test_loss_and_grads_match_finite_differences(make):
    cell = make()
    rng = np.random.default_rng(2)
    readout = readout_for(cell, rng)
    x, y = adding_batch(3, 6, rng)
    loss, grads = loss_and_grads(cell, readout, x, y)
    params = {"cell/" + k: v for k, v in cell.params.items()}
    params.update({"readout/" + k: v for k, v in readout.items()})
    assert set(grads) == set(params)
    eps = 1e-6
    for key, p in params.items():
        numeric = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            up, _ = loss_and_grads(cell, readout, x, y)
            p[idx] = old - eps
            down, _ = loss_and_grads(cell, readout, x, y)
            p[idx] = old
            numeric[idx] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grads[key], numeric, rtol=1e-5, atol=1e-8, err_msg=key)
    assert loss == pytest.approx(np.mean((predict(cell, readout, x) - y) ** 2), rel=1e-12)


def test_adam_matches_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(3)
    start = rng.normal(size=(4, 3))
    grads_seq = [rng.normal(size=(4, 3)) for _ in range(5)]
    ours = {"w": start.copy()}
    opt = Adam(ours, lr=0.05)
    var = keras.Variable(start.astype("float32"))
    keras_opt = keras.optimizers.Adam(learning_rate=0.05, beta_1=0.9, beta_2=0.999,
                                      epsilon=1e-8)
    for g in grads_seq:
        opt.step(ours, {"w": g})
        keras_opt.apply_gradients([(keras.ops.convert_to_tensor(g.astype("float32")), var)])
    np.testing.assert_allclose(ours["w"], np.asarray(var), rtol=1e-5, atol=1e-5)


def test_train_adding_learns_a_short_sequence():
    cell = LSTMCell(2, 8, seed=0, dtype="float64")
    _, history = train_adding(cell, 5, steps=150, batch=32, lr=0.02, seed=0, n_eval=500)
    assert history.losses.shape == (150,) and history.grad_norms.shape == (150,)
    assert history.losses[-20:].mean() < 0.2 * history.losses[:20].mean()
    assert history.success > 0.5                  # far above answering 0.5 (about 15%)
    assert history.mean_abs_error < 2 * SOLVED_ERROR
    with pytest.raises(ValueError, match="2 input features"):
        train_adding(RNNCell(3, 4, seed=0), 5, steps=1)
