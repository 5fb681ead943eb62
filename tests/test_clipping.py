"""rnnlib.clip_by_global_norm against tf.clip_by_global_norm and Pascanu et al.'s Algorithm 1."""
import os

import numpy as np
import pytest

import rnnlib
from rnnlib.clipping import global_norm


def random_grads(rng, scale, dtype=np.float32):
    shapes = {"W": (2, 12), "U": (4, 12), "b": (12,), "b_U": (12,)}
    return {k: (scale * rng.standard_normal(s)).astype(dtype) for k, s in shapes.items()}


@pytest.fixture(scope="module")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


@pytest.mark.parametrize("scale, max_norm", [(1.0, 0.5), (1.0, 5.0), (10.0, 1.0),
                                             (1e-3, 1.0), (1.0, 1e-6)])
def test_matches_tf_clip_by_global_norm(tf, scale, max_norm):
    rng = np.random.default_rng(int(scale * 1000) + int(max_norm * 10))
    grads = random_grads(rng, scale)
    clipped, norm = rnnlib.clip_by_global_norm(grads, max_norm)
    tf_clipped, tf_norm = tf.clip_by_global_norm(list(grads.values()), max_norm)
    assert np.isclose(norm, float(tf_norm), rtol=1e-5)
    for mine, theirs in zip(clipped.values(), tf_clipped, strict=True):
        assert np.allclose(mine, theirs.numpy(), rtol=1e-5, atol=0)
        assert mine.dtype == np.float32


def test_algorithm_1_and_direction_kept():
    rng = np.random.default_rng(0)
    grads = random_grads(rng, 3.0, np.float64)
    flat = np.concatenate([g.ravel() for g in grads.values()])
    norm_true = np.linalg.norm(flat)
    clipped, norm = rnnlib.clip_by_global_norm(grads, 1.0)
    assert np.isclose(norm, norm_true, rtol=1e-14)
    new_flat = np.concatenate([g.ravel() for g in clipped.values()])
    assert np.isclose(np.linalg.norm(new_flat), 1.0, rtol=1e-14)     # threshold * g / ||g||
    cos = new_flat @ flat / (np.linalg.norm(new_flat) * norm_true)
    assert np.isclose(cos, 1.0, rtol=1e-14)                          # same direction
    # below the threshold nothing changes (and the input is not modified either)
    same, _ = rnnlib.clip_by_global_norm(grads, 2 * norm_true)
    assert all(np.array_equal(same[k], grads[k]) for k in grads)
    assert np.isclose(np.linalg.norm(flat), norm_true)


def test_clipping_bptt_gradients():
    cell = rnnlib.LSTMCell(2, 3, seed=0, dtype="float64")
    rng = np.random.default_rng(1)
    g = rnnlib.bptt(cell, rng.standard_normal((2, 4, 2)), 100 * rng.standard_normal((2, 4, 3)))
    clipped, norm = rnnlib.clip_by_global_norm(g.params, 1.0)
    assert norm > 1.0 and np.isclose(global_norm(clipped), 1.0)
    assert set(clipped) == set(cell.params)


def test_norm_does_not_overflow_when_squares_would():
    big = {"a": np.full(4, 1e200), "b": np.full(5, -1e200)}
    clipped, norm = rnnlib.clip_by_global_norm(big, 1.0)
    assert np.isclose(norm, 3e200)
    assert np.allclose(clipped["a"], 1 / 3) and np.allclose(clipped["b"], -1 / 3)


def test_zero_and_empty_gradients():
    z = {"W": np.zeros((2, 3))}
    clipped, norm = rnnlib.clip_by_global_norm(z, 1.0)
    assert norm == 0.0 and np.array_equal(clipped["W"], z["W"])
    assert rnnlib.clip_by_global_norm({}, 1.0) == ({}, 0.0)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_bad_max_norm_value_is_refused(bad):
    with pytest.raises(ValueError, match="max_norm must be a finite number > 0"):
        rnnlib.clip_by_global_norm({"W": np.ones(3)}, bad)


@pytest.mark.parametrize("bad", [None, "1.0", True, np.array([1.0])])
def test_bad_max_norm_type_is_refused(bad):
    with pytest.raises(TypeError, match="max_norm must be a number > 0"):
        rnnlib.clip_by_global_norm({"W": np.ones(3)}, bad)


def test_bad_grads_are_refused():
    with pytest.raises(TypeError, match="grads must be a dict of arrays, got list"):
        rnnlib.clip_by_global_norm([np.ones(3)], 1.0)
    g = rnnlib.bptt(rnnlib.RNNCell(2, 3, seed=0), np.ones((1, 2, 2), np.float32),
                    np.ones((1, 2, 3), np.float32))
    with pytest.raises(TypeError, match="pass grads.params"):
        rnnlib.clip_by_global_norm(g, 1.0)
    with pytest.raises(TypeError, match=r"grads\['W'\] must be a float array, got dtype int64"):
        rnnlib.clip_by_global_norm({"W": np.ones(3, np.int64)}, 1.0)
    with pytest.raises(ValueError, match=r"\['U'\] contain inf or nan"):
        rnnlib.clip_by_global_norm({"W": np.ones(3), "U": np.array([np.inf])}, 1.0)
