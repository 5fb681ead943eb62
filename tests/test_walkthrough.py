"""The side-by-side walkthroughs (bookkit.walkthrough and chapters/walkthroughs/*.toml).

Every declared line must be found in the *installed* TensorFlow / Keras
source, once, in order; the rendered HTML must show each pair on one row, be
escaped, highlighted by pygments, and stack on a narrow screen.
"""
import ast
import importlib
import importlib.metadata
import inspect
import os
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bookkit.walkthrough import (  # noqa: E402  (after the TF log setting)
    Walkthrough,
    WalkthroughError,
    load_walkthroughs,
    show_walkthrough,
)

ROOT = Path(__file__).resolve().parents[1]
WT_DIR = ROOT / "chapters" / "walkthroughs"
FILES = sorted(WT_DIR.glob("*.toml"))
CASES = [(f, wid) for f in FILES for wid in load_walkthroughs(f)]
REQUIRED_IDS = {"tf1-rnn", "keras-simplernn", "tf1-lstm", "keras-lstm", "tf1-gru",
                "keras-gru-reset-after", "keras-gru-reset-before"}


def norm(s):
    return " ".join(s.split())


def source_lines(spec):
    """(first line number, dedented lines) of 'module:Qual.name', read independently."""
    module, _, qualname = spec.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    lines, start = inspect.getsourcelines(obj)
    return start, textwrap.dedent("".join(lines)).splitlines()


def walkthrough(file_name, wid):
    return load_walkthroughs(WT_DIR / file_name)[wid]


def row_text(row, side):
    return "\n".join(line.text for line in getattr(row, side))


def parse(fragment):
    """The rendered fragment as an XML tree: it must be well-formed."""
    return ET.fromstring(fragment.replace("&#8203;", "\u200b"))


def classes(el):
    return el.get("class", "").split()


def text_of(el):
    return "".join(el.itertext())


# -- the declarations ---------------------------------------------------------
def test_files_are_discovered_and_declare_the_ids_chapters_use():
    assert {f.name for f in FILES} >= {"rnn.toml", "lstm.toml", "gru.toml"}
    assert REQUIRED_IDS <= {wid for _, wid in CASES}


@pytest.mark.parametrize("path,wid", CASES, ids=[w for _, w in CASES])
def test_every_declared_line_is_found_once_and_in_order(path, wid):
    wt = load_walkthroughs(path)[wid]
    rows = wt.check()
    declared = [r for r in rows if r.declared]
    assert len(declared) == len(wt.pairs)
    for side in ("tf", "ours"):
        start, lines = source_lines(getattr(wt, side))
        # every source line is shown exactly once, in source order
        shown = [ln.lineno for r in rows for ln in getattr(r, side)]
        assert shown == list(range(start, start + len(lines)))
        placed = []   # (first, last) line index of each declared row on this side
        for row, pair in zip(declared, wt.pairs, strict=True):
            pattern = norm(getattr(pair, side))
            cell = getattr(row, side)
            if not pattern:
                assert not cell, f"{wid}: one-sided entry {pair} has a {side} cell"
                continue
            assert any(pattern in norm(ln.text) for ln in cell), (wid, pattern, cell)
            placed.append((pattern, cell[0].lineno - start, cell[-1].lineno - start))
        # strictly in order, and each pattern occurs exactly once between its neighbours
        for k, (pattern, first, last) in enumerate(placed):
            lo = placed[k - 1][2] + 1 if k else 0
            hi = placed[k + 1][1] if k + 1 < len(placed) else len(lines)
            assert lo <= first <= last < hi, f"{wid}: {pattern!r} out of order"
            hits = [i for i in range(lo, hi) if pattern in norm(lines[i])]
            assert len(hits) == 1, f"{wid}: {side} {pattern!r} occurs at {hits} in its window"
    kinds = {"pair": ("tf", "ours"), "tf": ("tf",), "ours": ("ours",)}
    for row in declared:
        assert tuple(s for s in ("tf", "ours") if getattr(row, s)) == kinds[row.kind]


def test_every_computing_line_of_the_rnnlib_cells_is_declared():
    """Each assignment or return in a cell's forward is explained by some walkthrough."""
    declared = {}
    for path, wid in CASES:
        wt = load_walkthroughs(path)[wid]
        for row in wt.check():
            if row.declared:
                declared.setdefault(wt.ours, set()).update(ln.lineno for ln in row.ours)
    assert set(declared) >= {"rnnlib.rnn:RNNCell.forward", "rnnlib.lstm:LSTMCell.forward",
                             "rnnlib.gru:GRUCell.forward"}
    for spec, linenos in declared.items():
        start, lines = source_lines(spec)
        func = ast.parse("\n".join(lines)).body[0]
        computing = {start + node.lineno - 1 for node in ast.walk(func)
                     if isinstance(node, (ast.Assign, ast.AugAssign, ast.Return))}
        missing = sorted(computing - linenos)
        assert not missing, (f"{spec}: lines {missing} compute something but no walkthrough "
                             f"pairs or annotates them: "
                             f"{[lines[n - start] for n in missing]}")


def test_tf1_lstm_new_c_row_holds_the_whole_statement_and_our_cell_update():
    rows = walkthrough("lstm.toml", "tf1-lstm").check()
    row = next(r for r in rows if "new_c = add(" in row_text(r, "tf"))
    assert row.kind == "pair"
    assert norm(row_text(row, "ours")) == "c = f * c_prev + i * c_tilde # element-wise from here on"
    tf = norm(row_text(row, "tf"))
    assert "multiply(c, sigmoid(add(f, forget_bias_tensor)))" in tf
    assert "multiply(sigmoid(i), self._activation(j))" in tf
    assert "forget bias" in row.note.lower().replace("_", " ") or "sigmoid(f" in row.note


def test_keras_gru_walkthroughs_pair_the_matching_branch():
    after = walkthrough("gru.toml", "keras-gru-reset-after").check()
    before = walkthrough("gru.toml", "keras-gru-reset-before").check()

    def partner(rows, tf_fragment):
        row = next(r for r in rows if r.kind == "pair" and tf_fragment in row_text(r, "tf"))
        return row_text(row, "ours").strip()

    assert partner(after, "hh = self.activation(x_h + recurrent_h)").startswith(
        "h_tilde = tanh(x_h + r * h_h)")
    assert partner(before, "hh = self.activation(x_h + recurrent_h)") == "h_tilde = tanh(x_h + h_h)"
    # Keras repeats the gate lines in implementation 1; the pairs use implementation 2,
    # which comes after the `matrix_x` product of all three blocks.
    tf_start, tf_lines = source_lines("keras.src.layers.rnn.gru:GRUCell.call")
    matrix_x = tf_start + next(i for i, t in enumerate(tf_lines)
                               if "matrix_x = ops.matmul(inputs, self.kernel)" in t)
    for rows in (after, before):
        z_row = next(r for r in rows if r.kind == "pair"
                     and "z = self.recurrent_activation(x_z + recurrent_z)" in row_text(r, "tf"))
        assert z_row.tf[0].lineno > matrix_x
        assert row_text(z_row, "ours").strip() == "u = sigmoid(x_u + h_u)"


# -- version drift: errors, never a silent misalignment ------------------------
TF_RNN = "tf_keras.src.layers.rnn.legacy_cells:BasicRNNCell.call"
OURS_RNN = "rnnlib.rnn:RNNCell.forward"


def test_missing_tf_line_fails_naming_the_line_the_id_and_the_file():
    wt = Walkthrough("drift-demo", "t", TF_RNN, OURS_RNN, [
        ["output = self._activation(gate_inputs)", "h = self.activation.fn(a)", ""],
        ["new_state = self._renamed_in_tf_3(output)", "", "a line TF no longer has"],
    ], source="walkthroughs/demo.toml")
    with pytest.raises(WalkthroughError) as info:
        wt.check()
    msg = str(info.value)
    assert isinstance(info.value, ValueError)
    for needle in ("'drift-demo'", "walkthroughs/demo.toml",
                   "new_state = self._renamed_in_tf_3(output)", "not found",
                   "tf_keras/src/layers/rnn/legacy_cells.py",
                   importlib.metadata.version("tf-keras")):
        assert needle in msg, (needle, msg)
    with pytest.raises(WalkthroughError, match="drift-demo"):
        wt.render_html()


def test_missing_rnnlib_line_fails_too():
    wt = Walkthrough("ours-demo", "t", TF_RNN, OURS_RNN,
                     [["return output, output", "return h_new", ""]], source="x.toml")
    with pytest.raises(WalkthroughError, match=r"rnnlib line 'return h_new'.*not found"):
        wt.check()


def test_pairs_out_of_order_fail():
    wt = Walkthrough("order-demo", "t", TF_RNN, OURS_RNN, [
        ["output = self._activation(gate_inputs)", "h = self.activation.fn(a)", ""],
        ["gate_inputs = tf.matmul(", "a = x @ W", ""],
    ], source="x.toml")
    with pytest.raises(WalkthroughError, match=r"'order-demo'.*does not come after.*source order"):
        wt.check()


def test_ambiguous_pattern_fails():
    wt = Walkthrough("ambiguous-demo", "t", TF_RNN, OURS_RNN,
                     [["gate_inputs = tf.", "a = x @ W", ""]], source="x.toml")
    with pytest.raises(WalkthroughError, match=r"'ambiguous-demo'.*matches lines \[468, 469\]"):
        wt.check()


def test_two_entries_in_one_statement_fail():
    wt = Walkthrough("statement-demo", "t", "tf_keras.src.layers.rnn.legacy_cells:"
                     "BasicLSTMCell.call", "rnnlib.lstm:LSTMCell.forward", [
                         ["new_c = add(", "", ""],
                         ["multiply(sigmoid(i), self._activation(j))", "", ""]],
                     source="x.toml")
    with pytest.raises(WalkthroughError, match="same statement"):
        wt.check()


def test_bad_declarations_are_rejected(tmp_path):
    with pytest.raises(WalkthroughError, match="two empty patterns"):
        Walkthrough("w", "t", TF_RNN, OURS_RNN, [["", " ", "note"]])
    with pytest.raises(WalkthroughError, match="must be"):
        Walkthrough("w", "t", TF_RNN, OURS_RNN, [["only one"]])
    with pytest.raises(WalkthroughError, match="has no 'BasicRNNCell.cal'"):
        Walkthrough("w", "t", TF_RNN[:-1], OURS_RNN, []).check()
    bad = tmp_path / "bad.toml"
    bad.write_text('[[walkthrough]]\nid = "a"\ntitle = "t"\ntf = "m:f"\nours = "m:g"\npair = []\n')
    with pytest.raises(WalkthroughError,
                       match=r"missing keys \['pairs'\].*unknown keys \['pair'\]"):
        load_walkthroughs(bad)
    with pytest.raises(WalkthroughError, match=r"no walkthrough 'nope'.*tf1-rnn"):
        show_walkthrough(WT_DIR / "rnn.toml", "nope")
    with pytest.raises(WalkthroughError, match="not found"):
        load_walkthroughs(tmp_path / "missing.toml")


# -- the HTML -------------------------------------------------------------------
def test_notes_and_titles_are_escaped():
    wt = Walkthrough("escape-demo", "<b>bold?</b> & co", TF_RNN, OURS_RNN, [
        ["return output, output", "return h, h", "<script>alert('x')</script> `a<b`"]])
    out = wt.render_html()
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "&lt;b&gt;bold?&lt;/b&gt; &amp; co" in out
    assert '<span class="rnnwt-mono">a&lt;b</span>' in out   # backticks -> code, still escaped
    parse(out)


def test_show_walkthrough_displays_in_a_notebook_and_has_real_content(monkeypatch):
    monkeypatch.chdir(ROOT / "chapters")            # the chapters run from chapters/
    shown = show_walkthrough("walkthroughs/lstm.toml", "tf1-lstm")
    out = shown._repr_html_()
    assert out == str(shown) == shown.data
    # pygments did the highlighting (inline styles, one span per token)
    assert re.search(r'<span style="[^"]*">def</span>(<span style="[^"]*">)? (</span>)?'
                     r'<span style="[^"]*">call</span>', out)
    # the stacking rules for narrow screens, and no external resources
    assert "@media (max-width:700px)" in out and "@container rnnwt (max-width:560px)" in out
    assert "http://" not in out and "https://" not in out and "@import" not in out
    # the header names the real module, file and installed versions
    assert "tf_keras.src.layers.rnn.legacy_cells:BasicLSTMCell.call" in out
    assert "tf_keras/src/layers/rnn/legacy_cells.py" in out
    assert f"tf_keras {importlib.metadata.version('tf-keras')}" in out
    assert f"tensorflow {importlib.metadata.version('tensorflow')}" in out

    root = parse(out)
    rows = [el for el in root.iter("div") if "rnnwt-row" in classes(el)]
    pair = next(r for r in rows if "rnnwt-pair" in classes(r) and "new_c = add(" in text_of(r))
    tf_cell, ours_cell, note = list(pair)
    assert "rnnwt-tf" in classes(tf_cell) and "rnnwt-ours" in classes(ours_cell)
    assert "c = f * c_prev + i * c_tilde" in text_of(ours_cell)
    assert "multiply(sigmoid(i), self._activation(j))" in text_of(tf_cell)
    assert "rnnwt-note" in classes(note) and "Same formula" in text_of(note)
    # real line numbers of the installed file on the TF side
    start, lines = source_lines("tf_keras.src.layers.rnn.legacy_cells:BasicLSTMCell.call")
    new_c = start + next(i for i, t in enumerate(lines) if "new_c = add(" in t)
    numbers = [text_of(s) for s in tf_cell.iter("span") if "rnnwt-ln" in classes(s)]
    assert numbers == [str(n) for n in range(new_c, new_c + 4)]
    # the docstring is folded, and no declared row is ever inside a fold
    folds = list(root.iter("details"))
    assert folds and "docstring" in text_of(folds[0].find("summary"))
    for row in rows:
        if "rnnwt-declared" in classes(row):
            assert not list(row.iter("details"))


def test_indentation_survives_html_tools_and_notebook_display():
    """nbconvert's HTML export re-parses outputs with BeautifulSoup, which collapses
    whitespace-only text outside <pre>; the code lines are <pre> so indentation stays."""
    from bs4 import BeautifulSoup
    from IPython.core.formatters import DisplayFormatter

    shown = show_walkthrough(WT_DIR / "rnn.toml", "keras-simplernn")
    bundle, _ = DisplayFormatter().format(shown)
    assert bundle["text/html"] == shown.data
    soup = BeautifulSoup(str(BeautifulSoup(shown.data, features="html.parser")),
                         features="html.parser")
    codes = [pre.get_text() for pre in soup.select(".rnnwt-line > pre.rnnwt-code")]
    start, lines = source_lines("keras.src.layers.rnn.simple_rnn:SimpleRNNCell.call")
    _, ours = source_lines("rnnlib.rnn:RNNCell.forward")
    assert len(codes) == len(lines) + len(ours)
    assert "    if training and dp_mask is not None:" in codes
    assert "        sequence = sequence * dp_mask" in codes


def test_implementation_1_is_folded_in_the_keras_walkthroughs():
    for file_name, wid, header in [("lstm.toml", "keras-lstm", "if self.implementation == 1:"),
                                   ("gru.toml", "keras-gru-reset-after",
                                    "if self.implementation == 1:")]:
        root = parse(walkthrough(file_name, wid).render_html())
        summaries = [text_of(d.find("summary")) for d in root.iter("details")]
        assert any(re.search(r"\d{2} lines", s) for s in summaries), (wid, summaries)
        assert header in text_of(root)


# -- in a browser: side by side when wide, stacked when narrow --------------------
@pytest.mark.browser
@pytest.mark.parametrize("width,box,side_by_side", [
    (1280, None, True),     # a wide notebook
    (1280, 660, True),      # the text column of the book at 1280 px
    (1280, 500, False),     # a narrow box on a wide screen (container query)
    (390, None, False),     # a phone (media query)
])
def test_columns_line_up_when_wide_and_stack_when_narrow(browser, width, box, side_by_side):
    shown = show_walkthrough(WT_DIR / "lstm.toml", "tf1-lstm")
    page = browser.new_page(viewport={"width": width, "height": 800})
    style = f"width:{box}px" if box else ""
    try:
        page.set_content(f"<!doctype html><meta name=viewport content='width=device-width'>"
                         f"<body style='margin:8px'><div style='{style}'>{shown.data}</div></body>")
        boxes = page.evaluate("""() => [...document.querySelectorAll('.rnnwt-pair')].map(r => {
            const [tf, ours] = r.querySelectorAll('.rnnwt-cell');
            const a = tf.getBoundingClientRect(), b = ours.getBoundingClientRect();
            return {tf: [a.left, a.top, a.right, a.bottom],
                    ours: [b.left, b.top, b.right, b.bottom], text: r.textContent};
        })""")
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
    finally:
        page.close()
    assert len(boxes) >= 6
    assert overflow <= width, "the walkthrough makes the page scroll sideways"
    for b in boxes:
        tf, ours = b["tf"], b["ours"]
        if side_by_side:    # same top, TF on the left
            assert tf[1] == pytest.approx(ours[1], abs=1) and tf[2] <= ours[0] + 1
        else:               # stacked: TF line above the rnnlib line, same left edge
            assert tf[3] <= ours[1] + 1 and tf[0] == pytest.approx(ours[0], abs=1)
    if side_by_side:        # the rnnlib column starts at the same x on every row
        assert len({round(b["ours"][0]) for b in boxes}) == 1
    assert "c = f * c_prev + i * c_tilde" in "".join(b["text"] for b in boxes)
