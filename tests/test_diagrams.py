"""The cell drawings: right shape strings on the arrows, no overlapping text, clear errors."""
import itertools
import subprocess
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from bookkit.diagrams import (  # noqa: E402
    draw_gru_cell,
    draw_lstm_cell,
    draw_rnn_cell,
    draw_unrolled,
)


def texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def close(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)


# Shapes follow from the sizes alone (rows are examples). For input 2, units 4,
# batch 3 they are the seeds' printouts: (6, 4)/(4,), (6, 16)/(16,), (6, 8)/(8,)/(6, 4)/(4,).
CASES = [
    (draw_rnn_cell, {}, ["(3, 2)", "(3, 4)", "(3, 6)", "(6, 4)", "(4,)"]),
    (draw_lstm_cell, {}, ["(3, 2)", "(3, 4)", "(3, 6)", "(6, 16)", "(16,)", "(3, 16)"]),
    (draw_gru_cell, {}, ["(3, 2)", "(3, 6)", "(6, 8)", "(8,)", "(3, 8)", "(6, 4)", "(4,)",
                         "r (3, 4)", "u (3, 4)"]),
    (draw_gru_cell, {"reset_after": True}, ["(3, 2)", "(2, 12)", "(4, 12)", "(12,)",
                                            "(3, 12)", "(3, 4)"]),
    (draw_rnn_cell, {"input_size": 300, "units": 200, "batch": 10},
     ["(10, 300)", "(10, 200)", "(10, 500)", "(500, 200)", "(200,)"]),
    (draw_lstm_cell, {"input_size": 28, "units": 128, "batch": 32},
     ["(32, 156)", "(156, 512)", "(512,)", "(32, 128)"]),
    (draw_unrolled, {}, ["(3, 2)", "(3, 4)", "W (2, 4)", "U (4, 4)", "b (4,)"]),
    (draw_unrolled, {"cell": "lstm", "T": 3}, ["c (3, 4)", "h (3, 4)", "W (2, 16)",
                                               "U (4, 16)", "b (16,)"]),
    (draw_unrolled, {"cell": "gru", "T": 2}, ["W (2, 12)", "U (4, 12)", "b (12,)"]),
]


@pytest.mark.parametrize("draw, kwargs, shapes", CASES)
def test_figure_carries_the_shapes(draw, kwargs, shapes):
    fig = draw(**kwargs)
    assert isinstance(fig, Figure)
    all_text = "\n".join(texts(fig))
    for shape in shapes:
        assert shape in all_text, f"{draw.__name__}({kwargs}) has no label {shape!r}"
    close(fig)


def test_rnn_kernel_rows_named():
    fig = draw_rnn_cell(input_size=2, units=4, batch=3)
    note = "\n".join(texts(fig))
    assert "rows 0–1: W (2, 4)" in note and "rows 2–5: U (4, 4)" in note
    close(fig)


def test_matrix_products_and_elementwise_ops_are_marked():
    fig = draw_lstm_cell()
    labels = texts(fig)
    assert labels.count("@") == 1                      # one packed product
    assert labels.count("⊙") == 3                      # f*c, i*c~, o*tanh(c)
    close(fig)
    fig = draw_gru_cell()
    labels = texts(fig)
    assert labels.count("@") == 2 and "1−" in labels   # gates and candidate products
    close(fig)


def test_reset_after_splits_list_the_blocks_in_packed_order():
    # Both splits (of x @ W + b and of h @ U + b_U) name their outputs top to bottom
    # in the order the blocks are packed: u, r, h~ (Keras: z, r, h).
    fig = draw_gru_cell(reset_after=True)
    names = {"$u$": "u", "$r$": "r", r"$\tilde{h}$": "h~"}
    splits = [t for t in fig.axes[0].texts if t.get_text() in names
              and t.get_position()[0] < 5.5]          # the names printed beside the splits
    found = sorted(((t.get_position()[1], names[t.get_text()]) for t in splits), reverse=True)
    order = [name for _, name in found]
    assert order == ["u", "r", "h~"] * 2, order
    close(fig)


def test_unrolled_draws_one_input_per_step():
    for T in (1, 4, 6):
        fig = draw_unrolled(T=T)
        labels = texts(fig)
        assert [f"$x_{t}$" in labels for t in range(1, T + 1)] == [True] * T
        assert f"$x_{T + 1}$" not in labels
        close(fig)


@pytest.mark.parametrize("draw, kwargs, shapes", CASES)
def test_no_text_overlaps_and_all_text_inside(draw, kwargs, shapes):
    fig = draw(**kwargs)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    fig_box = fig.bbox
    boxes = []
    for t in fig.findobj(Text):
        if not t.get_text() or not t.get_visible():
            continue
        bb = t.get_window_extent(renderer)
        assert fig_box.x0 - 1 <= bb.x0 and bb.x1 <= fig_box.x1 + 1, t.get_text()
        assert fig_box.y0 - 1 <= bb.y0 and bb.y1 <= fig_box.y1 + 1, t.get_text()
        boxes.append((t.get_text(), bb))
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        if ba.overlaps(bb):
            inter = min(ba.x1, bb.x1) - max(ba.x0, bb.x0), min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
            assert min(inter) < 1.0, f"{draw.__name__}({kwargs}): {a!r} overlaps {b!r}"
    # shape labels (the texts on a white background) stay clear of the boxes and circles
    ax = fig.axes[0]
    nodes = [p.get_window_extent(renderer) for p in ax.patches
             if not isinstance(p, FancyArrowPatch)]
    for t in ax.texts:
        if t.get_bbox_patch() is None:
            continue
        bt = t.get_window_extent(renderer)
        for bn in nodes:
            inter = min(bt.x1, bn.x1) - max(bt.x0, bn.x0), min(bt.y1, bn.y1) - max(bt.y0, bn.y0)
            assert min(inter) < 1.0, f"{draw.__name__}({kwargs}): {t.get_text()!r} hits a node"
    close(fig)


@pytest.mark.parametrize("draw", [draw_rnn_cell, draw_lstm_cell, draw_gru_cell])
@pytest.mark.parametrize("bad", [{"input_size": 0}, {"units": -1}, {"batch": 0}])
def test_bad_sizes_raise_value_error(draw, bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        draw(**bad)


@pytest.mark.parametrize("bad", [{"input_size": 2.5}, {"units": True}, {"batch": "3"}])
def test_non_integer_sizes_raise_type_error(bad):
    with pytest.raises(TypeError, match="int"):
        draw_rnn_cell(**bad)


def test_unrolled_bad_arguments():
    with pytest.raises(ValueError, match="T"):
        draw_unrolled(T=0)
    with pytest.raises(ValueError, match="at most 6"):
        draw_unrolled(T=7)
    with pytest.raises(ValueError, match="cell must be one of"):
        draw_unrolled(cell="transformer")
    with pytest.raises(TypeError, match="reset_after"):
        draw_gru_cell(reset_after="yes")


def test_import_rnnlib_does_not_import_matplotlib():
    code = ("import sys, rnnlib, bookkit.diagrams; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported eagerly'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_svg_is_reproducible_and_closes_the_figure():
    import matplotlib.pyplot as plt

    from bookkit.diagrams import svg

    fig = draw_lstm_cell()
    first = svg(fig).data
    assert not plt.fignum_exists(fig.number)
    assert first.lstrip().startswith("<svg") and first == svg(draw_lstm_cell()).data
