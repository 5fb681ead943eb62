"""rnnlib against Keras and against the matrix-product floor, forward and backward.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_keras.py``
(a few minutes; ``--json`` prints the rows as JSON, ``--size`` picks sizes).

Rows: SimpleRNN, LSTM, GRU (reset_after False and True) at batch 32, time 50,
input 8, units 64 and at batch 32, time 100, input 32, units 128, float32.
Three contenders run the same weights (``rnnlib.to_keras``):

- rnnlib: ``unroll`` (forward) and ``bptt`` (forward and backward, gradients
  for the weights and the inputs of ``loss = sum(outputs * dy)``);
- Keras 3: ``keras.layers.RNN(cell)`` called inside a ``tf.function``; the
  backward pass is ``tf.GradientTape`` on the same loss, also in a
  ``tf.function``;
- the floor: the matrix products alone, in numpy. Forward: ``x @ W`` for all
  steps in one product, then ``h @ U`` per step. Backward: ``dz @ U.T`` per
  step, then ``dW``, ``dU`` and ``dx`` as one product each over all steps.

The three are called in turn, round after round, so background load hits them
alike; each ratio is taken within a round and the table gives the median ratio
with its interquartile range, and also the ratio of the fastest calls (on a
busy machine the fastest of many calls is the best estimate of a quiet one).
One BLAS thread (numpy's OpenBLAS starts threads even for (32, 64) @ (64, 256),
which only slows these sizes down) and one TensorFlow thread (``TF_NUM_THREADS``
changes it; with two cores shared it made Keras no faster).
"""
import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402

SIZES = {"B32 T50 D8 H64": (32, 50, 8, 64), "B32 T100 D32 H128": (32, 100, 32, 128)}
CELLS = ("SimpleRNN", "LSTM", "GRU reset_after=False", "GRU reset_after=True")


def make_cell(name, inputs, units):
    if name == "SimpleRNN":
        return rnnlib.RNNCell(inputs, units, seed=0)
    if name == "LSTM":
        return rnnlib.LSTMCell(inputs, units, forget_bias=0.0, seed=0)
    return rnnlib.GRUCell(inputs, units, reset_after=name.endswith("True"), seed=0)


def floor_fns(cell, x, dy):
    """The matrix products alone: (forward, forward+backward) callables."""
    W, U = cell.params["W"], cell.params["U"]
    batch, time_, n_in = x.shape
    x_tm = np.ascontiguousarray(x.transpose(1, 0, 2))            # (T, B, D)
    dz = np.ones((time_, batch, U.shape[1]), x.dtype) * 1e-3

    def forward():
        xw = (x_tm.reshape(-1, n_in) @ W).reshape(time_, batch, -1)
        h = np.zeros((batch, U.shape[0]), x.dtype)
        hs = np.empty((time_, batch, U.shape[0]), x.dtype)
        for t in range(time_):
            hs[t] = h = (xw[t] + h @ U)[:, :U.shape[0]]
        return hs

    def both():
        hs = forward()
        for t in reversed(range(time_)):
            dz[t, :, :U.shape[0]] += dz[t] @ U.T * 1e-3
        dz2 = dz.reshape(-1, U.shape[1])
        return x_tm.reshape(-1, n_in).T @ dz2, hs.reshape(-1, U.shape[0]).T @ dz2, dz2 @ W.T
    return forward, both


def contenders(cell, x, dy, with_keras=True):
    """{column: (forward fn, forward+backward fn)}."""
    found = {"rnnlib": (lambda: rnnlib.unroll(cell, x), lambda: rnnlib.bptt(cell, x, dy)),
             "floor": floor_fns(cell, x, dy)}
    if with_keras:
        import keras
        import tensorflow as tf

        threads = int(os.environ.get("TF_NUM_THREADS", "1"))
        if tf.config.threading.get_intra_op_parallelism_threads() != threads:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        layer = keras.layers.RNN(rnnlib.to_keras(cell), return_sequences=True)
        xt, dyt = tf.constant(x), tf.constant(dy)
        layer(xt)                                                  # build

        @tf.function(autograph=False)
        def k_forward():
            return layer(xt)

        @tf.function(autograph=False)
        def k_both():
            with tf.GradientTape() as tape:
                tape.watch(xt)
                loss = tf.reduce_sum(layer(xt) * dyt)
            return tape.gradient(loss, [xt] + layer.trainable_weights)
        found["keras"] = (k_forward, k_both)
    return found


def measure(fns, rounds):
    """Call each fn once per round, in turn; {name: [ms per round]}."""
    for fn in fns.values():
        fn()
        fn()                                                       # warm-up, tracing
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(1e3 * (time.perf_counter() - t0))
    return times


def summarise(times, ours, other):
    ratios = np.array(times[ours]) / np.array(times[other])
    q1, med, q3 = np.percentile(ratios, [25, 50, 75])
    return {"median": float(med), "q1": float(q1), "q3": float(q3),
            "min": float(ratios.min()), "max": float(ratios.max()),
            "fastest": float(np.min(times[ours]) / np.min(times[other]))}


def run(rounds, sizes=tuple(SIZES), cells=CELLS, with_keras=True):
    rows = []
    for size in sizes:
        batch, time_, n_in, units = SIZES[size]
        rng = np.random.default_rng(0)
        x = rng.normal(size=(batch, time_, n_in)).astype(np.float32)
        dy = rng.normal(size=(batch, time_, units)).astype(np.float32)
        for name in cells:
            found = contenders(make_cell(name, n_in, units), x, dy, with_keras)
            row = {"size": size, "cell": name}
            for k, label in enumerate(("forward", "forward_backward")):
                times = measure({c: fns[k] for c, fns in found.items()}, rounds)
                row[label] = {"ms": {c: float(np.median(t)) for c, t in times.items()},
                              "fastest_ms": {c: float(np.min(t)) for c, t in times.items()},
                              "vs_floor": summarise(times, "rnnlib", "floor")}
                if with_keras:
                    row[label]["vs_keras"] = summarise(times, "rnnlib", "keras")
            rows.append(row)
    return rows


def markdown(rows):
    head = ("| size | cell | pass | rnnlib ms | Keras ms | rnnlib/Keras (IQR) | fastest-call "
            "ratio | floor ms | rnnlib/floor |")
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        for label, shown in (("forward", "forward"), ("forward_backward", "fwd+bwd")):
            m, vk, vf = r[label]["ms"], r[label].get("vs_keras"), r[label]["vs_floor"]
            keras = f"{m['keras']:.2f}" if vk else "-"
            ratio = f"{vk['median']:.2f} ({vk['q1']:.2f}-{vk['q3']:.2f})" if vk else "-"
            fastest = f"{vk['fastest']:.2f}" if vk else "-"
            lines.append(f"| {r['size']} | {r['cell']} | {shown} | {m['rnnlib']:.2f} | {keras} "
                         f"| {ratio} | {fastest} | {m['floor']:.2f} | {vf['median']:.2f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--size", choices=list(SIZES), nargs="+", default=list(SIZES))
    parser.add_argument("--cell", choices=CELLS, nargs="+", default=list(CELLS))
    parser.add_argument("--rnnlib-only", action="store_true", help="no Keras column")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = run(args.rounds, args.size, args.cell, with_keras=not args.rnnlib_only)
    if args.json:
        print(json.dumps(rows))
        return
    print(f"float32, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"{args.rounds} interleaved rounds; ms are medians, ratios are medians of the "
          f"per-round ratios (interquartile range); load average {os.getloadavg()[0]:.2f}\n")
    print(markdown(rows))


if __name__ == "__main__":
    main()
