"""Time rnnlib.unroll against Keras on CPU for the book's sizes.

Run: ``.venv/bin/python benchmarks/bench_unroll.py`` (about a minute).

Sizes: batch 32, time 50, input 8, units 32 and 64; SimpleRNN, LSTM and GRU
(both reset_after variants), float32. Keras runs the same weights
(``rnnlib.to_keras``) inside ``keras.layers.RNN``, called through a
``tf.function`` and through ``model.predict_on_batch``, after a warm-up call.
The three are timed in turn, ``--repeats`` rounds, so background load hits
all of them alike; the table gives the median and the fastest call in ms.

numpy's OpenBLAS starts threads for matrices as small as (32, 64) @ (64, 256),
which helps nothing here and is very slow on a busy machine; compare
``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_unroll.py``.
"""
import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402

BATCH, TIME, INPUT = 32, 50, 8


def make_cells(units):
    return {
        "SimpleRNN": rnnlib.RNNCell(INPUT, units, seed=0),
        "LSTM": rnnlib.LSTMCell(INPUT, units, seed=0),
        "GRU (TF1)": rnnlib.GRUCell(INPUT, units, seed=0),
        "GRU reset_after": rnnlib.GRUCell(INPUT, units, reset_after=True, seed=0),
    }


def timed(contenders, repeats):
    """{name: fn} -> {name: (median_ms, min_ms)}, calling the contenders in turn."""
    for fn in contenders.values():
        fn()                                          # warm-up: tracing, caches
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(1e3 * (time.perf_counter() - t0))
    return {name: (float(np.median(t)), float(np.min(t))) for name, t in times.items()}


def run(repeats, units_list=(32, 64), with_keras=True):
    x = np.random.default_rng(0).normal(size=(BATCH, TIME, INPUT)).astype(np.float32)
    if with_keras:
        import keras
        import tensorflow as tf
    rows = []
    for units in units_list:
        for name, cell in make_cells(units).items():
            contenders = {"rnnlib": lambda c=cell: rnnlib.unroll(c, x)}
            if with_keras:
                layer = keras.layers.RNN(rnnlib.to_keras(cell), return_sequences=True,
                                         return_state=True)
                model = keras.Sequential([keras.Input((TIME, INPUT)), layer])
                xt = tf.constant(x)
                contenders["tf.function"] = tf.function(lambda layer=layer, xt=xt: layer(xt),
                                                        autograph=False)
                contenders["predict_on_batch"] = lambda m=model: m.predict_on_batch(x)
            rows.append((name, units, timed(contenders, repeats)))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--units", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--rnnlib-only", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = run(args.repeats, args.units, with_keras=not args.rnnlib_only)
    if args.json:
        print(json.dumps([{"cell": name, "units": units, "ms": t} for name, units, t in rows]))
        return
    print(f"batch {BATCH}, time {TIME}, input {INPUT}, float32; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; "
          "median / fastest ms per call")
    print(f"{'cell':16s} {'units':>5s} {'rnnlib':>13s} {'keras tf.function':>18s} "
          f"{'predict_on_batch':>17s} {'rnnlib/tf.fn':>12s}")
    nan = (float("nan"),) * 2
    for name, units, t in rows:
        ours, tfn, pob = t["rnnlib"], t.get("tf.function", nan), t.get("predict_on_batch", nan)
        print(f"{name:16s} {units:5d} {ours[0]:6.2f}/{ours[1]:6.2f} {tfn[0]:8.2f}/{tfn[1]:8.2f} "
              f"{pob[0]:8.2f}/{pob[1]:7.2f} {ours[0] / tfn[0]:12.2f}")


if __name__ == "__main__":
    main()
