"""Sliders that keep working on the static website, where no Python is running.

A figure redrawn by ``ipywidgets.interact`` needs a kernel: on the built book
the slider moves but the picture never changes. The pattern used here needs
none. We draw every slider position in advance ("frames"), put the pictures in
an ``ipywidgets.Stack`` (which shows one child at a time) and tie the slider to
the stack with ``jslink``, a link that runs in the browser's JavaScript::

    SelectionSlider.index  --jslink-->  Stack([Image, Image, ...]).selected_index
                           --jslink-->  Stack([HTML, HTML, ...]).selected_index   (readout)

Jupyter Book saves the widgets' state into the page at build time, so the
same widget works on the website, in a running notebook, and with the
keyboard (focus the slider handle, then arrow keys, Home, End; that is the
noUiSlider control ipywidgets 8 draws). ``live_slider`` is the extra for a
running kernel: any value, recomputed on the spot.

Image size matters because every frame is inlined into the page as base64:
``figure_to_image`` and ``FrameRenderer`` (fast: redraws only what changes)
render a matplotlib figure to a palette-quantised PNG or lossless WebP (line
plots need few colours: 4 to 10 kB a frame) so that a page with a couple of
hundred frames stays within a few MB; ``frames_nbytes`` adds up what a widget
carries.

Accessibility. Every frame carries alternative text made from the same
numbers as its readout (by default the readout's text, preceded by what the
figure is, which :class:`FrameRenderer` reads from the axes: title, axis
labels, log scales), so it follows the slider and cannot drift from it. It is
stored as the Image's ``tooltip`` (ipywidgets 8 has no ``alt`` trait), which
every renderer turns into the ``<img>``'s ``title``, an accessible name in a
live notebook too; on the book's pages ``assets/widgets-offline.js`` moves it
to ``alt`` and gives every slider handle a name (its description) and a value
text (its readout), the toggle buttons ``aria-pressed``, and the readout a
polite live region.

ipywidgets, matplotlib and Pillow are imported inside the functions, so
``import rnnlib`` stays light.
"""
import html
import io
import re
from numbers import Real

__all__ = ["Frame", "FrameRenderer", "describe_figure", "encode_image", "figure_to_image",
           "frame_slider", "frames_nbytes", "html_to_text", "live_slider"]

IMAGE_FORMATS = {"png", "jpeg", "webp"}


def figure_to_image(fig, *, fmt="png", dpi=None, colors=32, quality=80, close=False):
    """Render a matplotlib figure to compressed image bytes for ``frame_slider``.

    Args:
        fig: a matplotlib Figure (it may be drawn again and again, e.g. after
            ``line.set_ydata``; each call renders its current state). To render
            many frames of one figure quickly, use :class:`FrameRenderer`.
        fmt: "png" (palette-quantised to ``colors`` colours: small and sharp
            for line plots), "webp" (the same palette picture as lossless
            WebP, about a third smaller still; every current browser shows
            it) or "jpeg" (lossy, ``quality`` 1..100, for photographs).
        dpi: resolution; the figure's own dpi if None.
        colors: palette size for PNG, 2..256.
        close: close the figure afterwards (if pyplot made it).

    Returns:
        bytes of the encoded image.
    """
    _check_encoding(fmt, colors, quality, "figure_to_image")
    if not hasattr(fig, "canvas"):
        raise TypeError(f"figure_to_image: expected a matplotlib Figure, got "
                        f"{type(fig).__name__}")
    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=dpi)        # raw pixels, no encoding cost
    width, height = _pixel_size(fig, dpi, len(raw.getvalue()))
    import numpy as np

    rgba = np.frombuffer(raw.getvalue(), np.uint8).reshape(height, width, 4)
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return encode_image(rgba, fmt=fmt, colors=colors, quality=quality)


def _check_encoding(fmt, colors, quality, owner):
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"{owner}: fmt must be one of {sorted(IMAGE_FORMATS)}, got {fmt!r}")
    if not (isinstance(colors, int) and 2 <= colors <= 256):
        raise ValueError(f"{owner}: colors must be an int in 2..256, got {colors!r}")
    if not (isinstance(quality, int) and 1 <= quality <= 100):
        raise ValueError(f"{owner}: quality must be an int in 1..100, got {quality!r}")


def encode_image(rgba, *, fmt="png", colors=32, quality=80):
    """Encode pixels (height, width, 3 or 4) uint8 as PNG, WebP or JPEG bytes.

    PNG and WebP are palette-quantised to ``colors`` colours, then lossless;
    JPEG is lossy with ``quality``. See :func:`figure_to_image`.
    """
    from PIL import Image

    _check_encoding(fmt, colors, quality, "encode_image")
    image = Image.fromarray(rgba[..., :3])          # drop alpha: figures are opaque
    out = io.BytesIO()
    if fmt == "jpeg":
        image.save(out, format="JPEG", quality=quality, optimize=True)
        return out.getvalue()
    # An octree palette of a few dozen colours keeps antialiased lines and text
    # smooth and makes a line plot about four times smaller (3 ms a frame).
    image = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=0)
    if fmt == "png":
        # zlib level 6: 6 ms; level 9 saves a tenth of the bytes for 35 ms
        image.save(out, format="PNG", compress_level=6)
    else:
        # lossless WebP of the same palette picture: about a third smaller
        # than the PNG, 7 ms (method 1; higher methods gain little)
        image.save(out, format="WEBP", lossless=True, quality=25, method=1)
    return out.getvalue()


class FrameRenderer:
    """Render many frames of one figure fast, by redrawing only what changes.

    The axes, ticks, labels and legend are drawn once; each :meth:`render`
    pastes that background back and draws only ``artists`` (lines, markers,
    texts whose data you change between frames). That is matplotlib's
    "blitting", about 1 ms a frame instead of a full redraw's 100 ms or more.

    Make the figure with ``matplotlib.figure.Figure`` (not pyplot, so the
    notebook does not also display it) and fix the axis limits first: the
    background is not redrawn, so autoscaling would not follow the data.

    ``overlays`` are artists that do not change but must stay on top of the
    changing ones, typically a legend over the lines. Drawing a legend again
    for every frame about doubles the time a frame takes (its text is the
    slow part); instead its pixels are copied once and pasted back over each
    frame. That is exact
    only for an opaque overlay (``ax.legend(framealpha=1)``): whatever a
    changing artist draws inside the overlay's box is hidden.

    Example::

        fig = Figure(figsize=(6.4, 3.4), dpi=100)
        ax = fig.add_subplot()
        ax.set_yscale("log"); ax.set_ylim(1e-12, 1e12)
        (line,) = ax.plot(k, np.ones_like(k))
        renderer = FrameRenderer(fig, [line])
        frames = []
        for s in scales:
            line.set_ydata(curve(s))
            frames.append(renderer.render())
    """

    def __init__(self, fig, artists, *, overlays=(), fmt="png", colors=32, quality=80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        _check_encoding(fmt, colors, quality, "FrameRenderer")
        if not hasattr(fig, "canvas"):
            raise TypeError(f"FrameRenderer: expected a matplotlib Figure, got "
                            f"{type(fig).__name__}")
        self.fig = fig
        self.artists = list(artists)
        self.fmt, self.colors, self.quality = fmt, colors, quality
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)                     # attaches itself as fig.canvas
        for artist in self.artists:
            artist.set_animated(True)                # left out of the background
        fig.canvas.draw()
        self._background = fig.canvas.copy_from_bbox(fig.bbox)
        renderer = fig.canvas.get_renderer()
        # one pixel of margin keeps the overlay's antialiased edge
        self._overlays = [fig.canvas.copy_from_bbox(a.get_window_extent(renderer).padded(1))
                          for a in overlays]
        self.description = describe_figure(fig)

    def render(self):
        """The figure as it is now, encoded: a :class:`Frame` (bytes with a ``description``)."""
        return Frame(self._render(), self.description)

    def _render(self):
        import numpy as np

        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        for artist in self.artists:
            self.fig.draw_artist(artist)
        for region in self._overlays:
            canvas.restore_region(region)            # back on top, as drawn once
        rgba = np.asarray(canvas.buffer_rgba())
        return encode_image(rgba, fmt=self.fmt, colors=self.colors, quality=self.quality)


class Frame(bytes):
    """Encoded image bytes that also say what the figure is (``description``).

    :meth:`FrameRenderer.render` returns these; :func:`frame_slider` puts the
    description in front of each frame's alternative text. Plain ``bytes``
    work too (then the alt text is the readout alone).
    """

    def __new__(cls, data, description=""):
        obj = super().__new__(cls, data)
        obj.description = str(description)
        return obj


_TEX_SYMBOLS = {
    "partial": "∂", "phi": "φ", "sigma": "σ", "gamma": "γ", "alpha": "α", "beta": "β",
    "lambda": "λ", "theta": "θ", "tau": "τ", "epsilon": "ε", "delta": "δ", "Delta": "Δ",
    "nabla": "∇", "odot": "⊙", "cdot": "·", "times": "×", "approx": "≈", "leq": "≤",
    "geq": "≥", "le": "≤", "ge": "≥", "infty": "∞", "prime": "′", "|": "‖", ",": " ",
    ";": " ", "!": "", " ": " ", "quad": " ", "max": "max", "min": "min", "log": "log",
    "exp": "exp", "tanh": "tanh", "top": "ᵀ", "ldots": "…", "cdots": "⋯", "to": "→",
}


def tex_to_text(text):
    """matplotlib mathtext (``$\\|\\partial h_T\\|$``) as plain Unicode (``‖∂h_T‖``)."""
    def command(match):
        name = match.group(1)
        return _TEX_SYMBOLS.get(name, name)

    text = re.sub(r"\\(mathrm|mathbf|mathit|operatorname|text|left|right|big|Big)\b", "", text)
    text = re.sub(r"\\([A-Za-z]+|[|,;! ])", command, text)
    text = text.replace("$", "").replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def describe_figure(fig):
    """What a matplotlib figure shows, from its axes: title, axis labels, log scales.

    For example "Plot: How much of the gradient reaches step k? Horizontal axis:
    step k; vertical axis: ‖∂h_T/∂h_k‖, log scale." Used as the start of a
    frame's alternative text; the frame's numbers follow.
    """
    parts = []
    for ax in fig.get_axes():
        if not ax.get_visible():
            continue
        title = tex_to_text(ax.get_title() or "")
        axes = []
        for which, label, scale in (("horizontal", ax.get_xlabel(), ax.get_xscale()),
                                    ("vertical", ax.get_ylabel(), ax.get_yscale())):
            label = tex_to_text(label or "")
            if label:
                axes.append(f"{which} axis: {label}" + (", log scale" if scale == "log" else ""))
        text = f"Plot: {title}" if title else "Plot"
        if not text.endswith(("?", ".", "!")):
            text += "."
        if axes:
            joined = "; ".join(axes)
            text += " " + joined[0].upper() + joined[1:] + "."
        parts.append(text)
    return " ".join(parts)


def html_to_text(fragment):
    """The text a screen reader reads from an HTML fragment (tags dropped).

    ``<sub>`` becomes ``_`` (``h<sub>T</sub>`` -> ``h_T``), ``<sup>`` ``^``;
    entities are decoded and white space collapsed.
    """
    if not isinstance(fragment, str):
        raise TypeError(f"html_to_text: expected an HTML string, got {type(fragment).__name__}")
    text = re.sub(r"<sub\b[^>]*>", "_", fragment, flags=re.I)
    text = re.sub(r"<sup\b[^>]*>", "^", text, flags=re.I)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.I)
    text = re.sub(r"<[^>]*>", "", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _pixel_size(fig, dpi, nbytes):
    """Width and height in pixels of a figure rendered to ``nbytes`` of RGBA."""
    dpi = fig.dpi if dpi is None else dpi
    w, h = (s * dpi for s in fig.get_size_inches())
    for width in {int(w), round(w)}:
        for height in {int(h), round(h)}:
            if width * height * 4 == nbytes:
                return width, height
    raise ValueError(f"figure_to_image: cannot match {nbytes} bytes of RGBA to a "
                     f"{w:.1f} x {h:.1f} pixel figure")


def _image_format(data):
    """The format of encoded image bytes, from their magic number."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def _as_image_bytes(frame, where):
    if isinstance(frame, Frame):
        data = frame
    elif isinstance(frame, (bytes, bytearray)):
        data = bytes(frame)
    elif hasattr(frame, "canvas"):                    # a matplotlib Figure
        data = Frame(figure_to_image(frame), describe_figure(frame))
        import matplotlib.pyplot as plt

        plt.close(frame)
    else:
        raise TypeError(f"frame_slider: {where} must be image bytes (PNG/JPEG/WebP) or a "
                        f"matplotlib Figure, got {type(frame).__name__}")
    fmt = _image_format(data)
    if fmt is None:
        raise ValueError(f"frame_slider: {where} is not a PNG, JPEG, WebP or GIF image "
                         f"(first bytes {data[:8]!r})")
    return data, fmt


def _label(value, value_format):
    if isinstance(value, str):
        return value
    if isinstance(value, Real):
        return format(value, value_format)
    raise TypeError(f"frame_slider: values must be numbers or strings, got "
                    f"{type(value).__name__} ({value!r})")


def _check_labels(values, value_format, what):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"frame_slider: {what} must be a sequence, got {type(values).__name__}")
    labels = [_label(v, value_format) for v in values]
    if len(labels) == 0:
        raise ValueError(f"frame_slider: {what} is empty; expected at least one value")
    dupes = sorted({s for s in labels if labels.count(s) > 1})
    if dupes:
        raise ValueError(f"frame_slider: {what} give duplicate labels {dupes}; "
                         f"use a finer value_format (now {value_format!r})")
    return labels


def _nested_check(frames, shape, where="frames"):
    """Check that ``frames`` nests like ``shape`` (a tuple of lengths)."""
    if isinstance(frames, (str, bytes, bytearray)) or not hasattr(frames, "__len__"):
        raise TypeError(f"frame_slider: {where} must be a list of {shape[0]} items, "
                        f"got {type(frames).__name__}")
    if len(frames) != shape[0]:
        raise ValueError(f"frame_slider: {where} has {len(frames)} items but "
                         f"{shape[0]} are expected (one per value); shape expected {shape}")
    if len(shape) > 1:
        for i, sub in enumerate(frames):
            _nested_check(sub, shape[1:], f"{where}[{i}]")


def frame_slider(frames, values, *, description, readouts=None, alts=None, value=None,
                 choices=None, choice_values=None, value_format=".3g", image_width="100%",
                 max_width="760px"):
    """A slider that swaps precomputed pictures: works with no kernel.

    Args:
        frames: one image per value: bytes of a PNG/JPEG/WebP (see
            ``figure_to_image``) or matplotlib Figures (encoded as palette PNG
            and closed). With ``choices``, nested lists: ``frames[c1][c2]...[v]``.
        values: the slider positions (numbers or strings); the slider shows
            each one's label (``format(v, value_format)``), e.g. ``1.25``.
        description: the slider's name, e.g. "scale"; the default readout is
            "scale = 1.25".
        readouts: optional HTML string per frame (nested like ``frames``)
            shown under the picture: the key number of that frame, e.g.
            "‖∂h_T/∂h_0‖ = 3.2e-09". Must be given as HTML (it is not escaped).
        alts: optional alternative text per frame (nested like ``frames``), what
            a reader who cannot see the picture is told. By default it is made
            from the readout: the frame's description (what the figure is:
            :class:`FrameRenderer` and Figure frames know it from the axes)
            followed by the readout's text, so it always says the same numbers.
            Given alts must still contain the readout's text: the browser test
            (tests/test_a11y.py) checks that the visible frame's alt does.
        value: the initial value (must be one of ``values``); the first if None.
        choices: optional list of ``(description, options)`` pairs, or
            ``(description, options, "slider")``, for extra selectors
            (ToggleButtons, or a second slider) over precomputed sets; each
            adds one level of nesting to ``frames`` and ``readouts``, outermost
            first. Every link is a ``jslink``, so all selectors work offline.
        choice_values: optional initial option for each choice (the first if None).

    Returns:
        an ``ipywidgets.VBox`` with attributes ``slider`` (the SelectionSlider
        for ``values``), ``selectors`` (one widget per choice), ``images`` and
        ``readout_stacks`` (the innermost Stacks), ``links`` and ``alts`` (the
        alternative text of every frame, nested like ``frames``).

    Raises:
        ValueError: frames or readouts do not match values (and choices) in
            number, a frame is not an image, labels repeat, or ``value`` is
            not among ``values``.
    """
    import ipywidgets as widgets
    from ipywidgets.widgets import widget_string

    if not isinstance(description, str) or not description:
        raise TypeError(f"frame_slider: description must be a non-empty string, "
                        f"got {description!r}")
    labels = _check_labels(values, value_format, "values")
    choices = [] if choices is None else list(choices)
    choice_specs = []
    for k, choice in enumerate(choices):
        if not (isinstance(choice, tuple) and len(choice) in (2, 3)):
            raise TypeError(f"frame_slider: choices[{k}] must be (description, options) or "
                            f"(description, options, 'slider'), got {choice!r}")
        kind = choice[2] if len(choice) == 3 else "toggle"
        if kind not in ("toggle", "slider"):
            raise ValueError(f"frame_slider: choices[{k}] kind must be 'toggle' or 'slider', "
                             f"got {kind!r}")
        choice_specs.append((choice[0], _check_labels(choice[1], value_format,
                                                      f"choices[{k}] options"), kind))
    if choice_values is None:
        choice_index = [0] * len(choice_specs)
    else:
        if len(choice_values) != len(choice_specs):
            raise ValueError(f"frame_slider: choice_values has {len(choice_values)} items, "
                             f"expected one per choice ({len(choice_specs)})")
        choice_index = []
        for (desc, opts, _), v in zip(choice_specs, choice_values, strict=True):
            if _label(v, value_format) not in opts:
                raise ValueError(f"frame_slider: choice value {v!r} is not one of the "
                                 f"{desc!r} options {opts}")
            choice_index.append(opts.index(_label(v, value_format)))
    shape = tuple(len(opts) for _, opts, _ in choice_specs) + (len(labels),)
    _nested_check(frames, shape, "frames")
    if readouts is not None:
        _nested_check(readouts, shape, "readouts")
    if alts is not None:
        _nested_check(alts, shape, "alts")
    if value is None:
        index = 0
    else:
        label = _label(value, value_format)
        if label not in labels:
            raise ValueError(f"frame_slider: value {value!r} (label {label!r}) is not one of "
                             f"the values {labels}")
        index = labels.index(label)

    slider = widgets.SelectionSlider(
        options=[(s, i) for i, s in enumerate(labels)], index=index,
        description=description, continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="100%", max_width=max_width),
    )
    selectors = []
    for (desc, opts, kind), start in zip(choice_specs, choice_index, strict=True):
        if kind == "slider":
            sel = widgets.SelectionSlider(options=[(s, i) for i, s in enumerate(opts)],
                                          index=start, description=desc, continuous_update=True,
                                          style={"description_width": "initial"},
                                          layout=widgets.Layout(width="100%",
                                                                max_width=max_width))
        else:
            sel = widgets.ToggleButtons(options=[(s, i) for i, s in enumerate(opts)],
                                        index=start, description=desc,
                                        style={"description_width": "initial",
                                               "button_width": "auto"})
        selectors.append(sel)

    links, image_stacks, readout_stacks = [], [], []
    default_readouts = None
    if readouts is None:
        default_readouts = [f"{html.escape(description)} = {html.escape(s)}" for s in labels]

    # One Layout and one style shared by all frames: each widget would otherwise
    # get its own model, about 1 kB of saved state per frame.
    image_layout = widgets.Layout(width=image_width, max_width=max_width, height="auto")
    text_layout = widgets.Layout()
    text_style = widget_string.HTMLStyle()

    def build(frames_level, readouts_level, alts_level, depth, where):
        """Nested Stacks: the selector of each level picks a child."""
        if depth == len(choice_specs):
            texts = default_readouts if readouts_level is None else readouts_level
            for i, text in enumerate(texts):
                if not isinstance(text, str):
                    raise TypeError(f"frame_slider: readouts{where[6:]}[{i}] must be a "
                                    f"string, got {type(text).__name__}")
            images, alt_texts = [], []
            for i, frame in enumerate(frames_level):
                data, fmt = _as_image_bytes(frame, f"{where}[{i}]")
                if alts_level is None:
                    alt = " ".join(t for t in (getattr(data, "description", ""),
                                               html_to_text(texts[i])) if t)
                else:
                    alt = alts_level[i]
                    if not (isinstance(alt, str) and alt.strip()):
                        raise TypeError(f"frame_slider: alts{where[6:]}[{i}] must be a "
                                        f"non-empty string, got {alt!r}")
                alt_texts.append(alt)
                # ipywidgets 8 has no alt trait: the tooltip becomes the <img>'s
                # title (an accessible name), and widgets-offline.js moves it to alt.
                images.append(_alt_image(widgets)(value=bytes(data), format=fmt,
                                                  layout=image_layout, tooltip=alt))
            image_stack = widgets.Stack(images, selected_index=index)
            readout_stack = widgets.Stack([widgets.HTML(t, layout=text_layout, style=text_style)
                                           for t in texts],
                                          selected_index=index)
            links.append(widgets.jslink((slider, "index"), (image_stack, "selected_index")))
            links.append(widgets.jslink((slider, "index"), (readout_stack, "selected_index")))
            image_stacks.append(image_stack)
            readout_stacks.append(readout_stack)
            all_alts.append(alt_texts)
            return image_stack, readout_stack
        pairs = [build(frames_level[j], None if readouts_level is None else readouts_level[j],
                       None if alts_level is None else alts_level[j],
                       depth + 1, f"{where}[{j}]") for j in range(len(frames_level))]
        sel = selectors[depth]
        start = choice_index[depth]
        outer_images = widgets.Stack([p[0] for p in pairs], selected_index=start)
        outer_readouts = widgets.Stack([p[1] for p in pairs], selected_index=start)
        links.append(widgets.jslink((sel, "index"), (outer_images, "selected_index")))
        links.append(widgets.jslink((sel, "index"), (outer_readouts, "selected_index")))
        return outer_images, outer_readouts

    all_alts = []
    top_images, top_readouts = build(frames, readouts, alts, 0, "frames")
    top_readouts.add_class("rnnlib-readout")     # a polite live region on the page
    box = widgets.VBox([*selectors, slider, top_readouts, top_images],
                       layout=widgets.Layout(width="100%"))
    box.add_class("rnnlib-frame-slider")
    box.slider = slider
    box.selectors = selectors
    box.images = image_stacks
    box.readout_stacks = readout_stacks
    box.links = links
    box.labels = labels
    box.alts = _nest(all_alts, shape)
    return box


_ALT_IMAGE = None


def _alt_image(widgets):
    """``ipywidgets.Image`` that can carry a tooltip (the frame's alt text).

    The widget renderer's ``DOMWidgetView.updateTooltip`` (@jupyter-widgets/base
    6, in the html-manager and in JupyterLab alike) reads
    ``model.get('description').length``; an Image has no description, so a
    tooltip on a plain Image throws and the widget is not drawn at all. This
    subclass only adds an empty, synced ``description``; the model and view are
    still ipywidgets' own ImageModel and ImageView.
    """
    global _ALT_IMAGE
    if _ALT_IMAGE is None:
        from traitlets import Unicode

        class AltImage(widgets.Image):
            description = Unicode("", help="always empty; see bookkit.widgets._alt_image")\
                .tag(sync=True)

        _ALT_IMAGE = AltImage
    return _ALT_IMAGE


def _nest(flat_lists, shape):
    """The innermost lists (in build order) nested again like ``shape``."""
    items = list(flat_lists)
    for size in reversed(shape[:-1]):
        items = [items[i:i + size] for i in range(0, len(items), size)]
    return items[0]


def frames_nbytes(widget):
    """Total bytes of image data inside ``widget`` (recursing into children).

    Base64 inlining in the page adds a third on top of this.
    """
    total = 0
    if getattr(widget, "_model_name", None) == "ImageModel":     # Image and its subclasses
        total += len(bytes(widget.value))
    for child in getattr(widget, "children", ()):
        total += frames_nbytes(child)
    return total


def live_slider(fn, *, description, min, max, step=None, value=None, log=False):
    """For a running kernel only: a slider that calls ``fn(value)`` for any value.

    ``fn`` returns a matplotlib Figure (or draws with pyplot and returns None).
    On the static website this widget cannot redraw (no Python there); use
    ``frame_slider`` for the page and offer this as an extra.

    Args:
        fn: called as ``fn(value)`` each time the slider is released.
        description: the slider's name.
        min, max, step, value: the slider's range; with ``log`` the slider
            moves over log10 of the value (``ipywidgets.FloatLogSlider``).
    """
    import ipywidgets as widgets

    if not callable(fn):
        raise TypeError(f"live_slider: fn must be callable, got {type(fn).__name__}")
    if not (isinstance(min, Real) and isinstance(max, Real) and min < max):
        raise ValueError(f"live_slider: need numbers min < max, got min={min!r}, max={max!r}")
    if value is None:
        value = min
    if not min <= value <= max:
        raise ValueError(f"live_slider: value {value!r} is outside [{min}, {max}]")
    if log:
        import math

        if min <= 0:
            raise ValueError(f"live_slider: log=True needs min > 0, got min={min!r}")
        control = widgets.FloatLogSlider(
            value=value, base=10, min=math.log10(min), max=math.log10(max),
            step=step or (math.log10(max) - math.log10(min)) / 200, description=description,
            continuous_update=False, style={"description_width": "initial"})
    else:
        control = widgets.FloatSlider(value=value, min=min, max=max,
                                      step=step or (max - min) / 200,
                                      description=description, continuous_update=False,
                                      style={"description_width": "initial"})

    def show(v):
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig = fn(v)
        if fig is None:
            fig = plt.gcf()
        display(fig)
        plt.close(fig)

    return widgets.interactive(show, v=control)
