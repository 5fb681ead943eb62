"""bookkit.widgets: precomputed-frame sliders that work with no kernel.

The browser side (does the picture really change on the built page?) is in
tests/test_sliders.py; here we check the widget tree and its saved state.
"""
import io

import numpy as np
import pytest

widgets = pytest.importorskip("ipywidgets")
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from bookkit.widgets import (  # noqa: E402
    Frame,
    FrameRenderer,
    describe_figure,
    encode_image,
    figure_to_image,
    frame_slider,
    frames_nbytes,
    html_to_text,
    live_slider,
)


def png(color, size=(8, 6)):
    """A tiny solid-colour PNG: distinct bytes per colour."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


FRAMES = [png((10 * i, 0, 0)) for i in range(5)]
VALUES = [0.5, 0.75, 1.0, 1.25, 1.5]


def model_id(widget):
    return "IPY_MODEL_" + widget.model_id


def link_states():
    """All jslink models in the kernel's widget state, as (source, target) pairs."""
    state = widgets.Widget.get_manager_state()["state"]
    return {(tuple(s["state"]["source"]), tuple(s["state"]["target"]))
            for s in state.values() if s["model_name"] == "LinkModel"}


# -- mismatches are refused --------------------------------------------------
def test_frame_count_must_match_values():
    with pytest.raises(ValueError, match="frames has 4 items but 5 are expected"):
        frame_slider(FRAMES[:4], VALUES, description="scale")


def test_readout_count_must_match_values():
    with pytest.raises(ValueError, match="readouts has 3 items but 5 are expected"):
        frame_slider(FRAMES, VALUES, description="scale", readouts=["a", "b", "c"])


def test_nested_frames_must_match_choices():
    frames = [FRAMES, FRAMES[:4]]
    with pytest.raises(ValueError, match=r"frames\[1\] has 4 items but 5"):
        frame_slider(frames, VALUES, description="scale",
                     choices=[("activation", ["tanh", "relu"])])
    with pytest.raises(ValueError, match="frames has 2 items but 3"):
        frame_slider([FRAMES, FRAMES], VALUES, description="scale",
                     choices=[("activation", ["tanh", "relu", "linear"])])


def test_bad_frames_and_values_are_refused():
    with pytest.raises(ValueError, match="not a PNG, JPEG, WebP"):
        frame_slider([b"hello"] * 5, VALUES, description="scale")
    with pytest.raises(TypeError, match="image bytes .* or a matplotlib Figure"):
        frame_slider([np.zeros((3, 3))] * 5, VALUES, description="scale")
    with pytest.raises(ValueError, match="duplicate labels"):
        frame_slider(FRAMES[:2], [1.0001, 1.0002], description="scale")
    with pytest.raises(ValueError, match="is empty"):
        frame_slider([], [], description="scale")
    with pytest.raises(ValueError, match="value 2.0 .* is not one of"):
        frame_slider(FRAMES, VALUES, description="scale", value=2.0)


# -- the slider shows real values and is jslinked ------------------------------
def test_slider_shows_the_real_values_and_starts_at_value():
    box = frame_slider(FRAMES, VALUES, description="scale", value=1.0)
    assert isinstance(box.slider, widgets.SelectionSlider)
    assert box.labels == ["0.5", "0.75", "1", "1.25", "1.5"]
    assert box.slider.index == 2 and box.slider.label == "1"
    # the same index selects the frame and the readout
    assert box.images[0].selected_index == 2
    assert box.readout_stacks[0].selected_index == 2
    readouts = [child.value for child in box.readout_stacks[0].children]
    assert readouts[3] == "scale = 1.25"
    images = box.images[0].children
    assert [bytes(im.value) for im in images] == FRAMES
    assert {im.format for im in images} == {"png"}


def test_slider_is_jslinked_to_image_and_readout_stacks():
    box = frame_slider(FRAMES, VALUES, description="scale",
                       readouts=[f"<b>norm = {v}</b>" for v in VALUES])
    links = link_states()
    source = (model_id(box.slider), "index")
    assert (source, (model_id(box.images[0]), "selected_index")) in links
    assert (source, (model_id(box.readout_stacks[0]), "selected_index")) in links
    # jslink, not a Python-side observe: the links are widget models that the
    # page's JavaScript runs, and they sit in the saved state
    assert all(type(link).__name__ == "Link" for link in box.links)


def test_choices_nest_stacks_and_link_every_level():
    frames = [[png((i, j, 0)) for j in range(5)] for i in range(3)]
    readouts = [[f"{a}, scale {v}" for v in VALUES] for a in ("tanh", "relu", "linear")]
    box = frame_slider(frames, VALUES, description="scale", readouts=readouts,
                       choices=[("activation", ["tanh", "relu", "linear"])])
    (toggle,) = box.selectors
    assert isinstance(toggle, widgets.ToggleButtons)
    assert len(box.images) == 3 and len(box.readout_stacks) == 3
    links = link_states()
    for inner in box.images + box.readout_stacks:
        assert ((model_id(box.slider), "index"), (model_id(inner), "selected_index")) in links
    outer_images, outer_readouts = box.children[-1], box.children[-2]
    for outer in (outer_images, outer_readouts):
        assert ((model_id(toggle), "index"), (model_id(outer), "selected_index")) in links
    # frame [2][4] is where it should be
    assert bytes(outer_images.children[2].children[4].value) == frames[2][4]
    assert outer_readouts.children[1].children[0].value == "relu, scale 0.5"


def test_second_slider_choice():
    frames = [FRAMES, FRAMES]
    box = frame_slider(frames, VALUES, description="w", choices=[("a", [0, 2], "slider")])
    assert isinstance(box.selectors[0], widgets.SelectionSlider)
    assert box.selectors[0].label == "0"


# -- image size budget ---------------------------------------------------------
def log_figure():
    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    ax = fig.add_subplot()
    k = np.arange(100)
    ax.set_yscale("log")
    ax.set_ylim(1e-12, 1e12)
    ax.grid(True, which="both", alpha=0.3)
    ax.set(xlabel="step k", ylabel="norm", title="Does the gradient vanish?")
    (line,) = ax.plot(k, np.ones_like(k, dtype=float), label="product")
    (bound,) = ax.plot(k, np.ones_like(k, dtype=float), "--", label="bound")
    ax.legend(loc="upper left")
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.9)
    return fig, k, line, bound


def test_frame_size_budget():
    """A typical log-axis frame is a few kB: 200 of them fit in a 3 MB page."""
    fig, k, line, bound = log_figure()
    renderer = FrameRenderer(fig, [line, bound])
    frames = []
    for scale in (0.5, 1.0, 1.5):
        line.set_ydata(scale ** (99 - k))
        bound.set_ydata((1.2 * scale) ** (99 - k))
        frames.append(renderer.render())
    assert len(set(frames)) == 3                   # the frames differ
    assert max(len(f) for f in frames) < 12_000
    box = frame_slider(frames, [0.5, 1.0, 1.5], description="scale")
    assert frames_nbytes(box) == sum(len(f) for f in frames)
    # 200 such frames, base64-inlined (4/3), stay under 3 MB
    assert 200 * max(len(f) for f in frames) * 4 / 3 < 3e6
    image = Image.open(io.BytesIO(frames[0]))
    assert image.size == (640, 360) and image.mode == "P"


def test_renderer_matches_a_full_redraw():
    """Blitting draws the same picture as drawing the whole figure."""
    fig, k, line, bound = log_figure()
    line.set_ydata(0.9 ** (99 - k))
    bound.set_ydata(1.1 ** (99 - k))
    full = np.asarray(Image.open(io.BytesIO(figure_to_image(fig))).convert("RGB"), float)
    blit = FrameRenderer(fig, [line, bound]).render()
    blit = np.asarray(Image.open(io.BytesIO(blit)).convert("RGB"), float)
    assert full.shape == blit.shape
    assert np.mean(np.abs(full - blit)) < 1.0    # same up to palette rounding


def test_overlay_legend_matches_a_full_redraw():
    """An opaque legend pasted back over each frame looks as if drawn last."""
    fig, k, line, bound = log_figure()
    legend = fig.axes[0].legend(loc="upper left", framealpha=1)
    line.set_ydata(10.0 ** (12 - 0.25 * k))      # passes under the legend
    bound.set_ydata(1.1 ** (99 - k))
    renderer = FrameRenderer(fig, [line, bound], overlays=[legend])
    renderer.render()
    blit = np.asarray(fig.canvas.buffer_rgba(), float).copy()    # before encoding
    for artist in (line, bound):
        artist.set_animated(False)
    fig.canvas.draw()                                            # everything, legend last
    full = np.asarray(fig.canvas.buffer_rgba(), float)
    assert np.mean(np.abs(full - blit)) < 0.1
    # inside the legend box the pixels are exactly those of the full redraw
    box = legend.get_window_extent(fig.canvas.get_renderer())
    height = full.shape[0]
    rows = slice(int(height - box.y1) + 2, int(height - box.y0) - 2)
    cols = slice(int(box.x0) + 2, int(box.x1) - 2)
    np.testing.assert_array_equal(full[rows, cols], blit[rows, cols])
    assert np.any(full[rows, cols] != 255)                       # the legend is there


def test_webp_is_the_same_picture_and_smaller():
    fig, k, line, bound = log_figure()
    line.set_ydata(0.9 ** (99 - k))
    png_bytes = FrameRenderer(fig, [line, bound], fmt="png").render()
    webp_bytes = FrameRenderer(fig, [line, bound], fmt="webp").render()
    assert webp_bytes[:4] == b"RIFF" and webp_bytes[8:12] == b"WEBP"
    assert len(webp_bytes) < 0.8 * len(png_bytes)
    as_png = np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGB"))
    as_webp = np.asarray(Image.open(io.BytesIO(webp_bytes)).convert("RGB"))
    np.testing.assert_array_equal(as_png, as_webp)          # lossless: same pixels


def test_encodings():
    rgba = np.zeros((20, 30, 4), np.uint8)
    rgba[5:10, :, 0] = 255
    for fmt, magic in [("png", b"\x89PNG"), ("webp", b"RIFF"), ("jpeg", b"\xff\xd8\xff")]:
        data = encode_image(rgba, fmt=fmt)
        assert data.startswith(magic)
        box = frame_slider([data], [1.0], description="s")
        assert box.images[0].children[0].format == fmt
    with pytest.raises(ValueError, match="fmt must be one of"):
        encode_image(rgba, fmt="bmp")
    with pytest.raises(ValueError, match="colors must be an int in 2..256"):
        encode_image(rgba, colors=1000)


# -- the live extra ---------------------------------------------------------------
def test_live_slider_calls_fn_and_checks_range():
    seen = []

    def fn(v):
        seen.append(v)
        fig = Figure()
        fig.add_subplot().plot([0, v])
        return fig

    w = live_slider(fn, description="scale", min=0.1, max=3.0, value=1.0, log=True)
    assert isinstance(w, widgets.interactive)
    assert seen and seen[-1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="min < max"):
        live_slider(fn, description="scale", min=2, max=1)
    with pytest.raises(ValueError, match="needs min > 0"):
        live_slider(fn, description="scale", min=0, max=1, log=True)


def test_choice_values_set_the_initial_selection():
    frames = [[png((i, j, 0)) for j in range(5)] for i in range(2)]
    box = frame_slider(frames, VALUES, description="scale", value=1.25,
                       choices=[("T", [25, 100])], choice_values=[100])
    assert box.selectors[0].index == 1 and box.selectors[0].label == "100"
    assert box.children[-1].selected_index == 1          # the outer image stack
    assert box.children[-2].selected_index == 1          # the outer readout stack
    assert all(stack.selected_index == 3 for stack in box.images)
    with pytest.raises(ValueError, match="choice value 50 is not one of"):
        frame_slider(frames, VALUES, description="scale", choices=[("T", [25, 100])],
                     choice_values=[50])


# -- alternative text (issue 13) ---------------------------------------------------
def saved_image_state(image):
    """The state of an Image as the page saves it (what the html-manager renders)."""
    return widgets.Widget.get_manager_state()["state"][image.model_id]


def test_alt_text_is_the_readout_text_by_default():
    readouts = [f"<b>scale = {v:g}</b>: ‖∂h<sub>T</sub>/∂h<sub>0</sub>‖ = 1e-{i}&nbsp;x"
                for i, v in enumerate(VALUES)]
    box = frame_slider(FRAMES, VALUES, description="scale", readouts=readouts)
    alts = [im.tooltip for im in box.images[0].children]
    assert alts == box.alts
    assert alts[3] == "scale = 1.25: ‖∂h_T/∂h_0‖ = 1e-3 x"     # &nbsp; -> a space
    # the tooltip is saved with the page, next to an empty description: the
    # renderer's updateTooltip reads description.length and throws without it
    state = saved_image_state(box.images[0].children[3])
    assert state["model_name"] == "ImageModel"
    assert state["state"]["tooltip"] == alts[3]
    assert state["state"]["description"] == ""
    # no readouts given: the default readout, "scale = 1.25", is the alt text too
    box = frame_slider(FRAMES, VALUES, description="scale")
    assert box.alts[3] == "scale = 1.25"


def test_alt_text_starts_with_what_the_figure_is():
    fig = Figure(figsize=(3, 2), dpi=40)
    ax = fig.add_subplot()
    ax.set_yscale("log")
    ax.set(xlabel="step $k$", ylabel="$\\|\\partial h_T / \\partial h_k\\|$",
           title="Does it vanish?")
    (line,) = ax.plot([0, 1], [1, 2])
    renderer = FrameRenderer(fig, [line])
    assert renderer.description == describe_figure(fig) == (
        "Plot: Does it vanish? Horizontal axis: step k; "
        "vertical axis: ‖∂ h_T / ∂ h_k‖, log scale.")
    frames = [renderer.render() for _ in VALUES]
    assert isinstance(frames[0], Frame) and frames[0].description == renderer.description
    box = frame_slider(frames, VALUES, description="s",
                       readouts=[f"s = {v:g}" for v in VALUES])
    assert box.alts[1] == renderer.description + " s = 0.75"
    # nested choices: alts nest like frames
    box = frame_slider([frames, frames], VALUES, description="s", choices=[("a", ["x", "y"])],
                       readouts=[[f"{a}: s = {v:g}" for v in VALUES] for a in "xy"])
    assert box.alts[1][4].endswith("y: s = 1.5")
    assert box.images[1].children[4].tooltip == box.alts[1][4]


def test_explicit_alts_are_used_and_checked():
    alts = [f"picture {i}" for i in range(5)]
    box = frame_slider(FRAMES, VALUES, description="scale", alts=alts)
    assert [im.tooltip for im in box.images[0].children] == alts
    with pytest.raises(ValueError, match="alts has 4 items but 5 are expected"):
        frame_slider(FRAMES, VALUES, description="scale", alts=alts[:4])
    with pytest.raises(TypeError, match=r"alts\[2\] must be a non-empty string"):
        frame_slider(FRAMES, VALUES, description="scale", alts=alts[:2] + [" "] + alts[3:])


def test_html_to_text():
    assert html_to_text("<b>a</b> &lt; b<sup>2</sup><br>c") == "a < b^2 c"
    with pytest.raises(TypeError, match="expected an HTML string, got int"):
        html_to_text(3)
