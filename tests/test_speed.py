"""rnnlib.unroll is not absurdly slower than Keras at the book's sizes.

The numbers come from ``benchmarks/bench_unroll.py`` run in a subprocess with
``OPENBLAS_NUM_THREADS=1`` (numpy's BLAS threads only slow these small
matrices down, badly so on a busy machine). rnnlib and Keras are called in
turn, and the fastest of the rounds is compared, so background load that
slows one call down does not decide the result. The bound is loose on
purpose: this guards against a regression such as an accidental copy per
step, it is not a race.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_unroll.py"
MAX_RATIO = 3.0


def test_unroll_within_3x_of_keras():
    pytest.importorskip("tensorflow")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, str(BENCH), "--json", "--units", "64",
                          "--repeats", "15"], env=env, capture_output=True, text=True,
                         check=True, timeout=600)
    rows = json.loads(out.stdout.strip().splitlines()[-1])
    assert {r["cell"] for r in rows} == {"SimpleRNN", "LSTM", "GRU (TF1)", "GRU reset_after"}
    ours = sum(r["ms"]["rnnlib"][1] for r in rows)            # fastest call, ms
    keras = sum(r["ms"]["tf.function"][1] for r in rows)
    report = ", ".join(f"{r['cell']}: {r['ms']['rnnlib'][1]:.2f} vs "
                       f"{r['ms']['tf.function'][1]:.2f} ms" for r in rows)
    assert ours < MAX_RATIO * keras, f"rnnlib {ours:.1f} ms vs Keras {keras:.1f} ms ({report})"
