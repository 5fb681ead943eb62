"""Data-flow drawings of the three cells, with the shape of every tensor on its arrow.

Each function returns a :class:`matplotlib.figure.Figure`; matplotlib is imported
only when one of them is called, so ``import rnnlib`` stays light.

Conventions (the same in every drawing):

* rows are examples: ``x`` is (batch, input_size), ``h`` is (batch, units) and the
  stacked ``kernel = [W; U]`` is (input_size + units, k*units);
* a square box marked ``@`` is a matrix product, a round node is element-wise
  (``⊙`` product, ``+`` sum, ``1−`` one minus); adding a (n,) bias to a
  (batch, n) matrix broadcasts it over the rows;
* colours: inputs blue, states green, parameters grey, sigmoid gates red,
  tanh purple, element-wise nodes yellow.
"""
from rnnlib._checks import check_size

# -- colours (face, edge), shared by all drawings ------------------------------
STYLE = {
    "input": ("#dbeafe", "#1d4ed8"),
    "state": ("#dcfce7", "#15803d"),
    "param": ("#f1f5f9", "#475569"),
    "matmul": ("#ffffff", "#111827"),
    "sigmoid": ("#fee2e2", "#b91c1c"),
    "tanh": ("#ede9fe", "#6d28d9"),
    "elementwise": ("#fef9c3", "#a16207"),
    "plumbing": ("#e5e7eb", "#4b5563"),    # concat and split
    "cell": ("#f8fafc", "#334155"),
}
LABEL_SIZE = 10       # shape labels on arrows
NODE_SIZE = 12        # text inside nodes
TITLE_SIZE = 12.5
# Every font size above and in the layouts below is multiplied by FONT_SCALE when drawn.
# A 10-inch drawing is shown about 690 px wide in the book's text column, so the
# labels come out at LABEL_SIZE * FONT_SCALE * 0.96 px: 12 px, legible without zooming.
FONT_SCALE = 1.25


def _shape(*dims):
    """The shape string Python prints for a tuple: (3, 4) or (4,)."""
    return str(tuple(int(d) for d in dims))


def _check(owner, **sizes):
    return {name: check_size(name, value, owner) for name, value in sizes.items()}


CHAR_W = 0.6 * LABEL_SIZE * FONT_SCALE / 72      # width of one monospace label character, inches


def _stretch(labels, base_chars, tight):
    """Horizontal stretch so that labels longer than the layout was drawn for still fit.

    Each layout is drawn for shape labels of ``base_chars`` characters; its
    tightest labelled gap has centres ``tight`` inches apart.
    """
    longer = max(len(t) for t in labels) - base_chars
    extra = longer * CHAR_W + 0.12 if longer > 0 else 0.0     # 0.12: room for the arrow head
    return 1.0 + extra / tight


class _Canvas:
    """An axes measured in inches (1 data unit = 1 inch) with nodes and arrows."""

    def __init__(self, width, height, title, bottom=0.0, stretch=1.0, x0=2.0):
        import matplotlib.pyplot as plt

        # x coordinates right of x0 are spread out by ``stretch`` (node sizes are not)
        self.stretch, self.x0 = stretch, x0
        width = self.X(width)
        self.fig = plt.figure(figsize=(width, height))
        self.ax = self.fig.add_axes([0, 0, 1, 1])
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(bottom, bottom + height)
        self.ax.set_aspect("equal")
        self.ax.axis("off")
        self.nodes = {}
        self.ax.text(width / 2, bottom + height - 0.15, title, ha="center", va="top",
                     fontsize=TITLE_SIZE * FONT_SCALE, fontweight="bold")

    def X(self, x):
        return x if x <= self.x0 else self.x0 + (x - self.x0) * self.stretch

    # -- nodes ---------------------------------------------------------------
    def box(self, name, x, y, text, kind, w=0.9, h=0.55, fontsize=NODE_SIZE, lw=1.5, **kw):
        from matplotlib.patches import FancyBboxPatch

        x = self.X(x)
        face, edge = STYLE[kind]
        pad = 0.06
        patch = FancyBboxPatch((x - w / 2 + pad, y - h / 2 + pad), w - 2 * pad, h - 2 * pad,
                               boxstyle=f"round,pad={pad}" if kind != "matmul" else
                               f"square,pad={pad}", facecolor=face, edgecolor=edge,
                               linewidth=2.2 if kind == "matmul" else lw, zorder=3)
        self.ax.add_patch(patch)
        self.ax.text(x, y, text, ha="center", va="center", fontsize=fontsize * FONT_SCALE, zorder=4,
                     **kw)
        self.nodes[name] = ("box", x, y, w, h)

    def circle(self, name, x, y, text, r=0.23, fontsize=15):
        from matplotlib.patches import Circle

        x = self.X(x)
        face, edge = STYLE["elementwise"]
        self.ax.add_patch(Circle((x, y), r, facecolor=face, edgecolor=edge, linewidth=1.6,
                                 zorder=3))
        self.ax.text(x, y, text, ha="center", va="center", fontsize=fontsize * FONT_SCALE,
                     zorder=4)
        self.nodes[name] = ("circle", x, y, 2 * r, 2 * r)

    def dot(self, name, x, y):
        x = self.X(x)
        self.ax.plot([x], [y], "o", color="#111827", markersize=5, zorder=5)
        self.nodes[name] = ("dot", x, y, 0.0, 0.0)

    def anchor(self, spec):
        """``(x, y)`` or ``"name.side"`` (side: top, bottom, left, right, center)."""
        if not isinstance(spec, str):
            return self.X(spec[0]), spec[1]
        name, _, side = spec.partition(".")
        _, x, y, w, h = self.nodes[name]
        dx, dy = {"top": (0, h / 2), "bottom": (0, -h / 2), "left": (-w / 2, 0),
                  "right": (w / 2, 0), "center": (0, 0), "": (0, 0)}[side]
        return x + dx, y + dy

    # -- arrows --------------------------------------------------------------
    def arrow(self, *path, label=None, seg=None, at=None, side="above", head=True,
              dashed=False, color="#111827", fontsize=LABEL_SIZE):
        """A polyline through ``path`` with an arrow head; ``label`` sits by segment ``seg``."""
        import matplotlib.patheffects as pe
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

        pts = [self.anchor(p) for p in path]
        arrow = FancyArrowPatch(
            path=Path(pts), arrowstyle="-|>" if head else "-", mutation_scale=13,
            linewidth=1.3 if dashed else 1.6, color=color, linestyle="--" if dashed else "-",
            shrinkA=0, shrinkB=0, zorder=2, joinstyle="miter", capstyle="butt",
            path_effects=[pe.withStroke(linewidth=6, foreground="white"), pe.Normal()],
        )
        self.ax.add_patch(arrow)
        if label is not None:
            if seg is None:   # the longest segment
                seg = max(range(len(pts) - 1), key=lambda k: _dist(pts[k], pts[k + 1]))
            (x0, y0), (x1, y1) = pts[seg], pts[seg + 1]
            at = 0.5 if at is None else at
            self.label(x0 + at * (x1 - x0), y0 + at * (y1 - y0), label, side, fontsize)

    def label(self, x, y, text, side="above", fontsize=LABEL_SIZE, **kw):
        off = 0.07
        ha, va, dx, dy = {"above": ("center", "bottom", 0, off),
                          "below": ("center", "top", 0, -off),
                          "left": ("right", "center", -off, 0),
                          "right": ("left", "center", off, 0),
                          "on": ("center", "center", 0, 0)}[side]
        self.ax.text(x + dx, y + dy, text, ha=ha, va=va, fontsize=fontsize * FONT_SCALE, zorder=6,
                     family="DejaVu Sans Mono", color="#111827",
                     bbox=dict(boxstyle="round,pad=0.08", facecolor="white",
                               edgecolor="none", alpha=0.9), **kw)

    def note(self, x, y, text, ha="center", va="center", fontsize=LABEL_SIZE, **kw):
        self.ax.text(self.X(x), y, text, ha=ha, va=va, fontsize=fontsize * FONT_SCALE,
                     color="#374151", zorder=6,
                     **kw)

    def legend(self, kinds, y, ncol=4):
        """A key at height ``y`` (inches) for the node kinds used in the drawing."""
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        text = {"input": "input", "state": "state", "param": "parameter",
                "matmul": "@  matrix product", "sigmoid": "σ  sigmoid gate",
                "tanh": "tanh", "plumbing": "concat / split",
                "elementwise": "⊙ + 1−  element-wise"}
        handles = []
        for kind in kinds:
            face, edge = STYLE[kind]
            if kind == "elementwise":
                handles.append(Line2D([], [], marker="o", linestyle="none", markersize=13,
                                      markerfacecolor=face, markeredgecolor=edge,
                                      label=text[kind]))
            else:
                handles.append(Patch(facecolor=face, edgecolor=edge,
                                     linewidth=2.2 if kind == "matmul" else 1.5,
                                     label=text[kind]))
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        self.ax.legend(handles=handles, loc="center", ncol=ncol, fontsize=10.5 * FONT_SCALE,
                       frameon=False, bbox_to_anchor=(0.5, (y - y0) / (y1 - y0)),
                       handlelength=1.6, columnspacing=1.6)


def _dist(p, q):
    return ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5


# -----------------------------------------------------------------------------
def draw_rnn_cell(input_size=2, units=4, batch=3):
    """The simple RNN cell ``h_t = tanh([x_t, h_{t-1}] @ kernel + b)`` (TF1 ``BasicRNNCell``).

    Arrows carry shapes: x (batch, input_size), h (batch, units),
    [x, h] (batch, input_size + units), kernel (input_size + units, units),
    b (units,). Returns a matplotlib Figure.
    """
    s = _check("draw_rnn_cell", input_size=input_size, units=units, batch=batch)
    n_in, n, B = s["input_size"], s["units"], s["batch"]
    st = _stretch([_shape(B, n_in + n), _shape(B, n)], 6, 1.25)
    c = _Canvas(10, 5.5, f"Simple RNN cell: the shape of every tensor\n"
                f"(batch {B}, input_size {n_in}, units {n})", bottom=-1.0, stretch=st)
    y = 2.0
    c.box("h", 0.6, 3.0, "$h_{t-1}$", "state", w=0.8)
    c.box("x", 0.6, 1.0, "$x_t$", "input", w=0.8)
    c.box("cat", 2.2, y, "[x, h]", "plumbing", w=0.9)
    c.box("mm", 3.75, y, "@", "matmul", w=0.6, h=0.6, fontsize=18)
    c.box("kernel", 3.75, 0.35, "kernel [W; U]", "param", w=1.6, fontsize=11)
    c.circle("add", 5.05, y, "+")
    c.box("b", 5.05, 0.35, "b", "param", w=0.5, fontsize=11)
    c.box("tanh", 6.4, y, "tanh", "tanh", w=0.8)
    c.box("ht", 7.9, y, "$h_t$", "state", w=0.65)
    c.dot("fork", 8.85, y)

    c.arrow("h.right", (1.45, 3.0), (1.45, y + 0.12), (1.75, y + 0.12),
            label=_shape(B, n), seg=1, side="left")
    c.arrow("x.right", (1.45, 1.0), (1.45, y - 0.12), (1.75, y - 0.12),
            label=_shape(B, n_in), seg=1, side="left")
    c.arrow("cat.right", "mm.left", label=_shape(B, n_in + n))
    c.arrow("kernel.top", "mm.bottom", label=_shape(n_in + n, n), side="left")
    c.note(4.15, -0.02, f"rows 0–{n_in - 1}: W {_shape(n_in, n)}   "
           f"rows {n_in}–{n_in + n - 1}: U {_shape(n, n)}", va="top", fontsize=10)
    c.arrow("mm.right", "add.left", label=_shape(B, n))
    c.arrow("b.top", "add.bottom", label=_shape(n), side="right")
    c.arrow("add.right", "tanh.left", label=_shape(B, n))
    c.arrow("tanh.right", "ht.left", label=_shape(B, n))
    c.arrow("ht.right", "fork.center", head=False)
    c.arrow("fork.center", (8.85, 3.15))
    c.arrow("fork.center", (8.85, 0.85))
    c.note(8.85, 3.2, f"output\n{_shape(B, n)}", va="bottom", family="DejaVu Sans Mono")
    c.note(8.85, 0.8, f"new state\n{_shape(B, n)}", va="top", family="DejaVu Sans Mono")
    c.note(9.0, y, "same\narray", ha="left", fontsize=10, style="italic")
    c.legend(["input", "state", "param", "matmul", "tanh", "plumbing", "elementwise"],
             y=-0.75, ncol=4)
    return c.fig


def draw_lstm_cell(input_size=2, units=4, batch=3):
    """The LSTM cell (TF1 ``BasicLSTMCell``): one packed product, four gates, two states.

    ``[x_t, h_{t-1}] @ kernel + b`` is (batch, 4*units): four (batch, units)
    blocks, i, f, c~, o in Keras's order (TF1: i, j, f, o). The cell state
    ``c`` runs along the top; everything after the split is element-wise.
    Returns a matplotlib Figure.
    """
    s = _check("draw_lstm_cell", input_size=input_size, units=units, batch=batch)
    n_in, n, B = s["input_size"], s["units"], s["batch"]
    hs = _shape(B, n)
    st = _stretch([_shape(B, n_in + n), _shape(B, 4 * n)], 7, 1.25)
    c = _Canvas(10, 7.9, f"LSTM cell: the shape of every tensor\n"
                f"(batch {B}, input_size {n_in}, units {n})", bottom=-1.5, stretch=st)
    y, bus, gy, top = 1.0, 1.9, 2.85, 5.0
    # inputs and the packed product
    c.box("c", 0.6, top, "$c_{t-1}$", "state", w=0.8)
    c.box("h", 0.6, 2.0, "$h_{t-1}$", "state", w=0.8)
    c.box("x", 0.6, 0.0, "$x_t$", "input", w=0.8)
    c.box("cat", 2.0, y, "[x, h]", "plumbing", w=0.9)
    c.box("mm", 3.45, y, "@", "matmul", w=0.6, h=0.6, fontsize=18)
    c.box("kernel", 3.45, -0.45, "kernel [W; U]", "param", w=1.6, fontsize=11)
    c.circle("add", 4.85, y, "+")
    c.box("b", 4.85, -0.45, "b", "param", w=0.5, fontsize=11)
    c.box("split", 6.2, y, "split", "plumbing", w=0.7, h=0.5, fontsize=11)
    c.arrow("h.right", (1.25, 2.0), (1.25, y + 0.12), (1.55, y + 0.12),
            label=hs, seg=1, side="left")
    c.arrow("x.right", (1.25, 0.0), (1.25, y - 0.12), (1.55, y - 0.12),
            label=_shape(B, n_in), seg=1, side="left")
    c.arrow("cat.right", "mm.left", label=_shape(B, n_in + n))
    c.arrow("kernel.top", "mm.bottom", label=_shape(n_in + n, 4 * n), side="left")
    c.arrow("mm.right", "add.left", label=_shape(B, 4 * n))
    c.arrow("b.top", "add.bottom", label=_shape(4 * n), side="right")
    c.arrow("add.right", "split.left", label=_shape(B, 4 * n))
    # four gate blocks
    xs = {"f": 3.6, "i": 5.05, "c": 6.35, "o": 8.05}
    c.arrow("split.right", (7.25, y), (7.25, bus), head=False)
    c.arrow((xs["f"], bus), (xs["o"], bus), head=False)
    c.note(7.4, bus - 0.1, f"4 blocks {hs}\nKeras order i, f, c̃, o\n(TF1: i, j, f, o)",
           va="top", ha="left", fontsize=10)
    c.box("gf", xs["f"], gy, "$f$: σ", "sigmoid", w=0.9)
    c.box("gi", xs["i"], gy, "$i$: σ", "sigmoid", w=0.9)
    c.box("gc", xs["c"], gy, r"$\tilde{c}$: tanh", "tanh", w=1.1)
    c.box("go", xs["o"], gy, "$o$: σ", "sigmoid", w=0.9)
    for k in xs:
        c.arrow((xs[k], bus), f"g{k}.bottom")
    c.note(xs["f"] - 0.55, gy, "TF1 adds\nforget_bias\ninside this σ", ha="right",
           fontsize=10, style="italic")
    # the cell state along the top, then the output
    c.circle("mf", xs["f"], top, "⊙")
    c.circle("mi", 5.7, 3.95, "⊙")
    c.circle("addc", 5.7, top, "+")
    c.dot("fc", 7.25, top)
    c.box("tc", 7.25, 3.95, "tanh", "tanh", w=0.75)
    c.circle("mo", xs["o"], 3.95, "⊙")
    c.box("ct", 9.45, top, "$c_t$", "state", w=0.65)
    c.box("ht", 9.45, 3.95, "$h_t$", "state", w=0.65)
    c.arrow("c.right", "mf.left", label=hs)
    c.arrow("gf.top", "mf.bottom", label=hs, side="right")
    c.arrow("mf.right", "addc.left", label=hs)
    c.arrow("gi.top", (xs["i"], 3.95), "mi.left", label=hs, seg=0, side="left")
    c.arrow("gc.top", (xs["c"], 3.95), "mi.right", label=hs, seg=0, side="right")
    c.arrow("mi.top", "addc.bottom")
    c.arrow("addc.right", "ct.left", label=hs, at=0.3)
    c.arrow("fc.center", "tc.top")
    c.arrow("tc.right", "mo.left")
    c.arrow("go.top", "mo.bottom", label=hs, side="right")
    c.arrow("mo.right", "ht.left", label=hs)
    c.arrow("ht.bottom", (9.45, 3.2))
    c.note(9.45, 3.15, f"output\n{hs}", va="top", family="DejaVu Sans Mono")
    c.note(9.78, top + 0.35, "new state (c, h)", ha="right", va="bottom", fontsize=10,
           style="italic")
    c.legend(["input", "state", "param", "matmul", "sigmoid", "tanh", "plumbing",
              "elementwise"], y=-1.25, ncol=4)
    return c.fig


def draw_gru_cell(input_size=2, units=4, batch=3, reset_after=False):
    """The GRU cell: gates u (Keras: z) and r, candidate h~, ``h_t = u⊙h + (1−u)⊙h~``.

    ``reset_after=False`` is TF1's ``GRUCell`` (and Cho et al.): a gates
    kernel (input_size + units, 2*units) and a candidate kernel
    (input_size + units, units) applied to ``[x, r⊙h]``. ``reset_after=True`` is
    Keras's default: ``x @ kernel`` (input_size, 3*units) and
    ``h @ recurrent_kernel`` (units, 3*units) are computed once, and r multiplies
    the recurrent part of the candidate after the product. Returns a Figure.
    """
    s = _check("draw_gru_cell", input_size=input_size, units=units, batch=batch)
    if not isinstance(reset_after, bool):
        raise TypeError(f"draw_gru_cell: reset_after must be True or False, got {reset_after!r}")
    if reset_after:
        return _draw_gru_reset_after(s["input_size"], s["units"], s["batch"])
    n_in, n, B = s["input_size"], s["units"], s["batch"]
    hs = _shape(B, n)
    # 1.07: a little more room between the labelled nodes of the gates row
    st = 1.07 * _stretch([_shape(B, n_in + n), _shape(B, 2 * n)], 6, 1.15)
    c = _Canvas(10, 7.75, f"GRU cell (TF1 GRUCell, reset_after=False): the shape of every "
                f"tensor\n(batch {B}, input_size {n_in}, units {n})", bottom=-1.5, stretch=st)
    ya, yb, top = 1.0, 3.0, 5.0
    c.box("h", 0.6, top, "$h_{t-1}$", "state", w=0.8)
    c.box("x", 0.55, ya, "$x_t$", "input", w=0.7)
    # row A: the two gates from one product
    c.box("cat1", 2.0, ya, "[x, h]", "plumbing", w=0.9)
    c.box("mm1", 3.5, ya, "@", "matmul", w=0.6, h=0.6, fontsize=18)
    c.box("k1", 3.5, -0.45, "gates kernel", "param", w=1.45, fontsize=11)
    c.circle("add1", 4.7, ya, "+")
    c.box("b1", 4.85, -0.45, "gates bias", "param", w=1.1, fontsize=11)
    c.box("sig", 5.85, ya, "σ", "sigmoid", w=0.6)
    c.box("split", 7.1, ya, "split", "plumbing", w=0.7, h=0.5, fontsize=11)
    c.dot("hfork", 2.0, top)
    c.dot("hr", 2.0, 2.05)
    c.arrow("h.right", "hfork.center", head=False)
    c.arrow("hfork.center", "cat1.top", label=hs, seg=0, side="right", at=0.86)
    c.arrow("x.right", "cat1.left", label=_shape(B, n_in), side="below")
    c.arrow("cat1.right", "mm1.left", label=_shape(B, n_in + n))
    c.arrow("k1.top", "mm1.bottom", label=_shape(n_in + n, 2 * n), side="left")
    c.arrow("mm1.right", "add1.left", label=_shape(B, 2 * n))
    c.arrow((4.7, -0.17), "add1.bottom", label=_shape(2 * n), side="right")
    c.arrow("add1.right", "sig.left", label=_shape(B, 2 * n))
    c.arrow("sig.right", "split.left", label=_shape(B, 2 * n))
    # row B: the candidate from [x, r*h]
    c.circle("rh", 3.0, 2.05, "⊙")
    c.box("cat2", 3.0, yb, "[x, r⊙h]", "plumbing", w=1.15)
    c.box("mm2", 4.55, yb, "@", "matmul", w=0.6, h=0.6, fontsize=18)
    c.box("k2", 4.55, 4.0, "candidate kernel", "param", w=1.85, fontsize=11)
    c.box("b2", 6.3, 4.0, "cand. bias", "param", w=1.15, fontsize=11)
    c.circle("add2", 5.85, yb, "+")
    c.box("tanh", 6.95, yb, "tanh", "tanh", w=0.7)
    c.arrow("hr.center", "rh.left")
    c.arrow("split.top", (7.1, 2.05), "rh.right", label=f"r {hs}", seg=1, side="above",
            at=0.5)
    c.arrow("x.right", (1.05, ya), (1.05, yb), "cat2.left", label=_shape(B, n_in), seg=2,
            side="above", at=0.25)
    c.arrow("rh.top", "cat2.bottom", label=hs, side="right")
    c.arrow("cat2.right", "mm2.left", label=_shape(B, n_in + n))
    c.arrow("k2.bottom", (4.55, 3.3), label=_shape(n_in + n, n), side="left")
    c.arrow("mm2.right", "add2.left", label=hs)
    c.arrow((5.85, 3.72), "add2.top", label=_shape(n), side="right")
    c.arrow("add2.right", "tanh.left")
    # the update along the top
    c.circle("mu", 6.6, top, "⊙")
    c.circle("addh", 8.4, top, "+")
    c.circle("mc", 8.4, 4.0, "⊙")
    c.circle("one", 8.4, yb, "1−", fontsize=12)
    c.box("ht", 9.4, top, "$h_t$", "state", w=0.65)
    c.dot("ufork", 7.9, ya)
    c.arrow("hfork.center", "mu.left", label=hs, at=0.6)
    c.arrow("split.right", "ufork.center", head=False)
    c.arrow("ufork.center", (8.4, ya), "one.bottom", label=f"u {hs}", seg=1, side="right")
    c.arrow("ufork.center", (7.9, 4.5), (6.6, 4.5), "mu.bottom")
    c.arrow("tanh.right", (7.5, yb), (7.5, 4.0), "mc.left", label=r"$\tilde{h}$", seg=1,
            side="left", fontsize=12)
    c.arrow("one.top", "mc.bottom")
    c.arrow("mu.right", "addh.left", label=hs)
    c.arrow("mc.top", "addh.bottom")
    c.arrow("addh.right", "ht.left")
    c.arrow("ht.bottom", (9.4, 4.2))
    c.note(9.4, 4.15, f"output\n= new\nstate\n{hs}", va="top", family="DejaVu Sans Mono")
    c.legend(["input", "state", "param", "matmul", "sigmoid", "tanh", "plumbing",
              "elementwise"], y=-1.25, ncol=4)
    return c.fig


def _draw_gru_reset_after(n_in, n, B):
    """Keras's default GRU: products first, reset gate applied after ``h @ U_h``."""
    hs = _shape(B, n)
    st = _stretch([_shape(B, 3 * n)], 7, 1.15)
    c = _Canvas(10.6, 8.2, f"GRU cell (Keras GRUCell, reset_after=True): the shape of every "
                f"tensor\n(batch {B}, input_size {n_in}, units {n})", bottom=-1.5, stretch=st)
    ya, yb, top, yg = 0.6, 3.6, 5.5, 1.5
    c.box("h", 0.6, top, "$h_{t-1}$", "state", w=0.8)
    c.box("x", 0.55, ya, "$x_t$", "input", w=0.7)
    # the two products, each for all three blocks u, r, h~
    c.box("mmx", 2.1, ya, "@", "matmul", w=0.55, h=0.55, fontsize=18)
    c.box("W", 2.1, -0.5, "kernel W", "param", w=1.1, fontsize=11)
    c.circle("addx", 3.45, ya, "+")
    c.box("b", 3.45, -0.5, "bias b", "param", w=0.9, fontsize=11)
    c.box("splx", 4.7, ya, "split", "plumbing", w=0.5, h=0.9, fontsize=10, rotation=90)
    c.dot("hfork", 1.2, top)
    c.box("mmh", 2.1, yb, "@", "matmul", w=0.55, h=0.55, fontsize=18)
    c.box("U", 2.1, 4.65, "recurrent\nkernel U", "param", w=1.3, h=0.8, fontsize=11)
    c.circle("addh", 3.45, yb, "+")
    c.box("bU", 3.65, 4.6, "$b_U$", "param", w=0.55, fontsize=11)
    c.box("splh", 4.7, yb, "split", "plumbing", w=0.5, h=0.9, fontsize=10, rotation=90)
    c.arrow("x.right", "mmx.left", label=_shape(B, n_in))
    c.arrow("W.top", "mmx.bottom", label=_shape(n_in, 3 * n), side="left")
    c.arrow("mmx.right", "addx.left", label=_shape(B, 3 * n))
    c.arrow("b.top", "addx.bottom", label=_shape(3 * n), side="right")
    c.arrow("addx.right", "splx.left", label=_shape(B, 3 * n), at=0.5)
    c.arrow("h.right", "hfork.center", head=False)
    c.arrow("hfork.center", (1.2, yb), "mmh.left", label=hs, seg=0, side="left", at=0.6)
    c.arrow("U.bottom", "mmh.top", label=_shape(n, 3 * n), side="right")
    c.arrow("mmh.right", "addh.left", label=_shape(B, 3 * n))
    c.arrow((3.65, 4.32), (3.65, yb + 0.45), (3.45, yb + 0.45), "addh.top",
            label=_shape(3 * n), seg=0, side="right")
    c.arrow("addh.right", "splh.left", label=_shape(B, 3 * n), at=0.5)
    # Both splits hand out the blocks in the packed order u, r, h~ (top to bottom),
    # so a few wires cross; a white gap marks each crossing (no junction there).
    xr, xh, xu, xo = 5.8, 6.75, 8.1, 8.8
    # r column
    c.circle("ar", xr, yg, "+")
    c.box("sr", xr, 2.3, "$r$: σ", "sigmoid", w=0.75, h=0.5)
    c.arrow((4.95, yb), (5.35, yb), (5.35, yg), "ar.left")
    c.arrow((4.95, ya), (xr, ya), "ar.bottom")
    c.arrow("ar.top", "sr.bottom")
    # candidate column
    c.circle("mr", xh, 2.78, "⊙")
    c.circle("ah", xh, yg, "+")
    c.box("tanh", 7.4, 2.45, "tanh", "tanh", w=0.7, h=0.5)
    c.arrow("sr.top", (xr, 2.78), "mr.left", label=hs, seg=1, side="above", at=0.4)
    c.arrow((4.95, yb - 0.3), (xh, yb - 0.3), "mr.top", label=hs, seg=0, at=0.75)
    c.arrow((4.95, ya - 0.3), (xh, ya - 0.3), "ah.bottom", label=hs, seg=0, at=0.75,
            side="below")
    c.arrow("mr.bottom", "ah.top")
    c.arrow("ah.right", (7.4, yg), "tanh.bottom")
    # update gate column
    c.circle("au", xu, yg, "+")
    c.box("su", xo, yg, "$u$: σ", "sigmoid", w=0.75, h=0.5)
    c.arrow((4.95, yb + 0.3), (xu, yb + 0.3), "au.top")
    c.arrow((4.95, ya + 0.3), (xu, ya + 0.3), "au.bottom", label=hs, seg=0, at=0.9)
    c.arrow("au.right", "su.left")
    # the update along the top
    c.circle("mu", 7.6, top, "⊙")
    c.circle("addt", xo, top, "+")
    c.circle("mc", xo, 4.45, "⊙")
    c.circle("one", xo, 2.9, "1−", fontsize=12)
    c.box("ht", 9.85, top, "$h_t$", "state", w=0.65)
    c.dot("ufork", xo, 2.2)
    c.arrow("hfork.center", "mu.left", label=hs, at=0.5)
    c.arrow("su.top", "ufork.center", head=False)
    c.arrow("ufork.center", "one.bottom")
    c.arrow("ufork.center", (9.35, 2.2), (9.35, 5.0), (7.6, 5.0), "mu.bottom",
            label=f"u {hs}", seg=1, side="right", at=0.3)
    c.arrow("tanh.top", (7.4, 4.45), "mc.left", label=r"$\tilde{h}$", seg=0, side="right",
            at=0.3, fontsize=12)
    c.arrow("one.top", "mc.bottom", label=hs, side="right", at=0.3)
    c.arrow("mu.right", "addt.left", label=hs, at=0.5)
    c.arrow("mc.top", "addt.bottom")
    c.arrow("addt.right", "ht.left")
    c.arrow("ht.bottom", (9.85, 4.7))
    c.note(9.85, 4.65, f"output\n= new\nstate\n{hs}", va="top", family="DejaVu Sans Mono")
    for yy, name in [(ya + 0.3, "u"), (ya, "r"), (ya - 0.3, r"\tilde{h}"),
                     (yb + 0.3, "u"), (yb, "r"), (yb - 0.3, r"\tilde{h}")]:
        c.note(5.08, yy + 0.02, f"${name}$", va="bottom", fontsize=11)
    c.note(0.2, -0.5, "blocks u, r, h̃\n(Keras: z, r, h)", ha="left", fontsize=10)
    c.legend(["input", "state", "param", "matmul", "sigmoid", "tanh", "plumbing",
              "elementwise"], y=-1.25, ncol=4)
    return c.fig


def svg(fig):
    """``fig`` as an IPython SVG image, and close it.

    In a notebook or a book page the drawing then stays sharp at any zoom: on a
    phone, pinch to zoom in, or open the image on its own. The output is the same
    from run to run (fixed ids, no date), so cached pages do not change.
    """
    import io

    import matplotlib
    import matplotlib.pyplot as plt
    from IPython.display import SVG

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "rnnlib", "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return SVG(buffer.getvalue())


_PARAM_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def draw_unrolled(T=4, input_size=2, units=4, batch=3, cell="rnn"):
    """One cell applied at ``T`` time steps, the state flowing left to right.

    Every box is the same cell with the same W (input_size, k*units),
    U (units, k*units) and b (k*units,) (k = 1, 4, 3 for ``cell`` = "rnn",
    "lstm", "gru"); the dashed lines show that one set of weights serves all
    steps. ``T`` may be 1 to 6. Returns a matplotlib Figure.
    """
    s = _check("draw_unrolled", T=T, input_size=input_size, units=units, batch=batch)
    T, n_in, n, B = s["T"], s["input_size"], s["units"], s["batch"]
    if T > 6:
        raise ValueError(f"draw_unrolled: T must be at most 6 to stay legible, got {T}")
    if cell not in _PARAM_BLOCKS:
        raise ValueError(f"draw_unrolled: cell must be one of {sorted(_PARAM_BLOCKS)}, "
                         f"got {cell!r}")
    k, lstm = _PARAM_BLOCKS[cell], cell == "lstm"
    hs = _shape(B, n)
    gap = 2.0 + max(0, len(hs) - 9) * CHAR_W
    width = max(6.5, 2.8 + gap * T)
    title = (f"Unrolled over T = {T} step{'s' * (T > 1)}:\n"
             f"one {cell.upper()} cell, the same weights at every step")
    c = _Canvas(width, 5.9, title, bottom=-1.1)
    y, yx, yo, ybus = 2.0, 0.75, 3.55, 0.15
    xs = [2.3 + gap * t for t in range(T)]
    c.box("s0", 0.55, y, "$c_0, h_0$" if lstm else "$h_0$", "state", w=0.85 if lstm else 0.7)
    c.note(0.55, y - 0.4, "zeros", va="top", fontsize=10, style="italic")
    for t, xc in enumerate(xs, start=1):
        c.box(f"cell{t}", xc, y, f"{cell.upper()}\ncell", "cell", w=0.95, h=0.85, fontsize=11)
        c.box(f"x{t}", xc - 0.15, yx, f"$x_{t}$", "input", w=0.6, h=0.5)
        c.box(f"o{t}", xc, yo, f"$h_{t}$", "state", w=0.6, h=0.5)
        c.arrow(f"x{t}.top", (xc - 0.15, y - 0.425), label=_shape(B, n_in), side="left")
        c.arrow(f"cell{t}.top", f"o{t}.bottom", label=hs, side="right")
        c.arrow((xc + 0.3, ybus), (xc + 0.3, y - 0.425), head=False, dashed=True,
                color="#64748b")
    c.box("sT", xs[-1] + 1.75, y, f"$c_{T}, h_{T}$" if lstm else f"$h_{T}$", "state",
          w=0.85 if lstm else 0.7)
    c.note(xs[-1] + 1.75, y - 0.4, "final\nstate", va="top", fontsize=10, style="italic")
    for t in range(T + 1):
        src = "s0.right" if t == 0 else f"cell{t}.right"
        dst = f"cell{t + 1}.left" if t < T else "sT.left"
        (x0, _), (x1, _) = c.anchor(src), c.anchor(dst)
        if lstm:
            c.arrow((x0, y + 0.2), (x1, y + 0.2), label=f"c {hs}", at=0.5)
            c.arrow((x0, y - 0.2), (x1, y - 0.2), label=f"h {hs}", at=0.5, side="below")
        else:
            c.arrow((x0, y), (x1, y), label=hs, at=0.5)
    # one set of weights, shared by every step
    c.arrow((xs[0] + 0.3, ybus), (xs[-1] + 0.3, ybus), head=False, dashed=True,
            color="#64748b")
    mid = (xs[0] + xs[-1]) / 2 + 0.3
    pw = min(width - 0.4, 5.6)
    px = min(max(mid, pw / 2 + 0.2), width - pw / 2 - 0.2)
    c.box("params", px, -0.55, f"shared:  W {_shape(n_in, k * n)}   U {_shape(n, k * n)}"
          f"   b {_shape(k * n)}", "param", w=pw, h=0.5, fontsize=11)
    c.arrow((mid, -0.3), (mid, ybus), head=False, dashed=True, color="#64748b")
    c.note(xs[-1] + 1.75, yo, "outputs: one\nper step", fontsize=10, style="italic")
    return c.fig
