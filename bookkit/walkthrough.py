"""Side-by-side walkthroughs: TensorFlow's installed source next to rnnlib's.

A walkthrough shows one function of TensorFlow (read from the installed
package with :func:`inspect.getsourcelines` when the page is built, never
copied into this project) in the left column and the rnnlib code for the same
step in the right column. Rows are paired by declarations in TOML files::

    [[walkthrough]]
    id = "tf1-rnn"
    title = "TF1 BasicRNNCell.call next to RNNCell.forward"
    tf = "tf_keras.src.layers.rnn.legacy_cells:BasicRNNCell.call"
    ours = "rnnlib.rnn:RNNCell.forward"
    pairs = [
      # [TF line pattern, rnnlib line pattern, short note]
      ["output = self._activation(gate_inputs)", "h = self.activation.fn(a)", "tanh by default"],
      ["_check_rnn_cell_input_dtypes", "", "a note on a TF line with no partner"],
    ]

Matching rules (deliberately plain, so that a TensorFlow upgrade fails loudly):

* A pattern is a literal substring of one source line; runs of whitespace
  count as one space. No regular expressions: a loose regex could keep
  matching after the code it describes has changed.
* An empty pattern makes the entry one-sided: the other line gets its note
  and stands alone, with no partner.
* Entries are listed in source order on both sides. Each pattern must pick out
  exactly one line once that order is taken into account; a pattern that is
  missing, ambiguous or out of order raises :class:`WalkthroughError`, naming
  the walkthrough, the TOML file and the pattern. Nothing is ever guessed.
* A pattern may hit any line of a statement that spans several lines; the row
  then shows the whole statement.

Lines that are not declared stand alone (an empty cell on the other side),
both columns keep their source order, and long undeclared runs (a docstring,
a code path the walkthrough does not discuss) fold into a ``<details>`` row.
A declared line is never folded.

The HTML carries its own small ``<style>`` block and inline pygments colours,
so it looks the same on the static site, in JupyterLab and offline (a light
box in the theme's dark mode too). Every text colour in it meets WCAG AA
contrast (4.5:1) and the pairing marks 3:1, on each of its backgrounds. On a
screen narrower than 700 px, or in a box narrower than 560 px, the two columns
stack: each row then shows the TF line, the rnnlib line and the note one under
the other, each labelled.
"""
import ast
import html
import importlib
import importlib.metadata
import inspect
import re
import sys
import textwrap
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Walkthrough", "WalkthroughError", "Pair", "Row", "Line",
           "load_walkthroughs", "show_walkthrough"]

FOLD_MIN = 6          # undeclared block bodies this long or longer fold into <details>
FOLD_DOC_MIN = 3      # so do docstrings this long or longer
STACK_BELOW_PX = 700  # on a screen narrower than this, the two columns stack
STACK_BELOW_BOX_PX = 560  # and so they do in a narrower box (a book's text column is ~660 px)
# accessible-pygments: every token colour >= 6.9:1 on the walkthrough's white, grey and
# yellow rows (WCAG AA asks 4.5:1); the same style the theme uses for code in light mode.
PYGMENTS_STYLE = "a11y-high-contrast-light"
SIDES = {"tf": "TF", "ours": "rnnlib"}


class WalkthroughError(ValueError):
    """A walkthrough declaration does not fit the installed source."""


@dataclass(frozen=True)
class Pair:
    """One declared row: a TF pattern, an rnnlib pattern (either may be ""), a note."""
    tf: str
    ours: str
    note: str = ""


@dataclass(frozen=True)
class Line:
    lineno: int       # line number in the real source file
    text: str         # the line, dedented like the function
    html: str = ""    # the same line highlighted by pygments


@dataclass(frozen=True)
class Row:
    """One row of the walkthrough.

    kind is "pair" (both sides), "tf" or "ours" (one side only). ``tf`` and
    ``ours`` hold the lines shown in each column (several for a statement
    that spans lines, none for an empty cell). ``declared`` tells whether the
    row comes from the TOML (pairs and one-sided notes) or is an undeclared
    source line.
    """
    kind: str
    tf: tuple = ()
    ours: tuple = ()
    note: str = ""
    declared: bool = False


@dataclass
class _Source:
    """A function's installed source, split in lines and statements."""
    spec: str
    lines: list              # [Line]
    path: str                # file path shown to the reader (relative to site-packages)
    version: str             # e.g. "tf_keras 2.21.0, tensorflow 2.21.0"
    spans: list = field(default_factory=list)   # per line: (first, last) index of its statement
    folds: list = field(default_factory=list)   # (first, last, is_docstring) foldable ranges

    @property
    def where(self):
        first, last = self.lines[0].lineno, self.lines[-1].lineno
        return f"{self.path}, lines {first}\u2013{last}"


def _norm(s):
    return " ".join(s.split())


def _resolve(spec, wt):
    """'package.module:Qual.name' -> the object, with errors naming the walkthrough."""
    module_name, sep, qualname = spec.partition(":")
    if not sep or not module_name or not qualname:
        raise wt.error(f"source {spec!r} must look like 'package.module:Class.method'")
    try:
        obj = importlib.import_module(module_name)
    except ImportError as exc:
        raise wt.error(f"cannot import {module_name!r} for {spec!r}: {exc}") from exc
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise wt.error(f"{module_name} has no {qualname!r} (no attribute {part!r}); "
                           "the installed version may have moved it") from None
    return obj


def _versions(module_name):
    """Installed distribution versions for a module's top-level package (no imports)."""
    top = module_name.split(".")[0]
    dists = importlib.metadata.packages_distributions().get(top, [top])
    out = []
    for dist in dict.fromkeys(dists + ["tensorflow"] if top in ("tf_keras", "keras") else dists):
        try:
            out.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return ", ".join(out) or "version unknown"


_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor,
             ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)


def _structure(code, n):
    """Statement spans and foldable ranges of a function's (dedented) source.

    Returns (spans, folds): spans[i] = (first, last) 0-based lines of the
    simple statement that line i belongs to (or (i, i)); folds = [(first,
    last, is_docstring)] for the docstring and for every block body nested in
    the function (an ``if`` branch, a loop body...).
    """
    spans = [(i, i) for i in range(n)]
    folds = []
    try:
        func = ast.parse(code).body[0]
    except (SyntaxError, IndexError):   # cannot happen for importable code
        return spans, folds
    for node in ast.walk(func):
        if isinstance(node, ast.stmt) and not isinstance(node, _COMPOUND):
            for i in range(node.lineno - 1, node.end_lineno):
                spans[i] = (node.lineno - 1, node.end_lineno - 1)
        elif isinstance(node, _COMPOUND) and node is not func:
            for block in (getattr(node, "body", []), getattr(node, "orelse", []),
                          getattr(node, "finalbody", [])):
                if block:
                    folds.append((block[0].lineno - 1, block[-1].end_lineno - 1, False))
    body = getattr(func, "body", [])
    if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        folds.append((body[0].lineno - 1, body[0].end_lineno - 1, True))
    return spans, sorted(folds, key=lambda f: (f[0], -f[1]))


def _load_source(spec, wt):
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    obj = _resolve(spec, wt)
    try:
        raw, start = inspect.getsourcelines(obj)
        filename = inspect.getsourcefile(obj)
    except (OSError, TypeError) as exc:
        raise wt.error(f"no source available for {spec!r}: {exc}") from exc
    code = textwrap.dedent("".join(raw))
    texts = code.splitlines()
    lexer = PythonLexer(stripnl=False, ensurenl=True)
    formatter = HtmlFormatter(nowrap=True, noclasses=True, style=PYGMENTS_STYLE)
    htmls = highlight(code, lexer, formatter).split("\n")[: len(texts)]
    if len(htmls) != len(texts):   # pygments keeps one output line per input line
        raise wt.error(f"highlighting {spec!r} changed its number of lines")
    module_name = spec.partition(":")[0]
    top = sys.modules[module_name.split(".")[0]]
    base = Path(top.__file__).resolve().parent.parent
    try:
        shown = Path(filename).resolve().relative_to(base).as_posix()
    except ValueError:
        shown = Path(filename).name
    lines = [Line(start + k, t, h) for k, (t, h) in enumerate(zip(texts, htmls, strict=True))]
    spans, folds = _structure(code, len(texts))
    return _Source(spec, lines, shown, _versions(module_name), spans, folds)


def _locate(patterns, src, side, wt):
    """Line index for each (declaration index, pattern), in order, or WalkthroughError.

    Each pattern must pick out exactly one line among the monotone placements
    of all patterns of this side (counted by dynamic programming).
    """
    label = SIDES[side]
    norm_lines = [_norm(line.text) for line in src.lines]
    cands = []
    for k, pat in patterns:
        hits = [i for i, text in enumerate(norm_lines) if _norm(pat) in text]
        if not hits:
            raise wt.error(f"{label} line {pat!r} (entry {k + 1}) not found in {src.spec} "
                           f"({src.where}; {src.version}). The installed code may have "
                           f"changed: update the pattern in {wt.source}")
        cands.append(hits)
    m = len(patterns)
    fwd = [dict.fromkeys(c, 0) for c in cands]      # ways to place patterns 0..j, j at line i
    for i in cands[0] if m else ():
        fwd[0][i] = 1
    for j in range(1, m):
        for i in cands[j]:
            fwd[j][i] = sum(w for i0, w in fwd[j - 1].items() if i0 < i)
        if not any(fwd[j].values()):
            (k, pat), (k0, pat0) = patterns[j], patterns[j - 1]
            before = [src.lines[i].lineno for i, w in fwd[j - 1].items() if w]
            raise wt.error(f"{label} line {pat!r} (entry {k + 1}; lines "
                           f"{[src.lines[i].lineno for i in cands[j]]}) does not come after "
                           f"{pat0!r} (entry {k0 + 1}; line(s) {before}) in {src.spec} "
                           f"({src.where}; {src.version}): entries must follow the source order")
    bwd = [dict.fromkeys(c, 0) for c in cands]      # ways to place patterns j..m-1, j at i
    for i in cands[-1] if m else ():
        bwd[-1][i] = 1
    for j in range(m - 2, -1, -1):
        for i in cands[j]:
            bwd[j][i] = sum(w for i1, w in bwd[j + 1].items() if i1 > i)
    chosen = []
    for j, (k, pat) in enumerate(patterns):
        ok = [i for i in cands[j] if fwd[j][i] and bwd[j][i]]
        if len(ok) != 1:
            raise wt.error(f"{label} line {pat!r} (entry {k + 1}) matches lines "
                           f"{[src.lines[i].lineno for i in ok]} of {src.spec} ({src.where}), "
                           "even with the entries' order: make the pattern longer")
        chosen.append(ok[0])
    for j in range(1, m):          # two entries inside one multi-line statement
        if src.spans[chosen[j]][0] <= chosen[j - 1] or src.spans[chosen[j - 1]][1] >= chosen[j]:
            raise wt.error(f"{label} lines {patterns[j - 1][1]!r} and {patterns[j][1]!r} fall "
                           f"in the same statement of {src.spec} ({src.where})")
    return {k: i for (k, _), i in zip(patterns, chosen, strict=True)}


class Walkthrough:
    """One declared walkthrough: TF function ``tf``, rnnlib function ``ours``, ``pairs``.

    ``check()`` reads both sources and returns the rows; ``render_html()``
    returns the HTML. The object displays itself in a notebook.
    """

    def __init__(self, id, title, tf, ours, pairs, source="<walkthrough>"):
        self.id, self.title, self.tf, self.ours, self.source = id, title, tf, ours, str(source)
        self.pairs = []
        for k, entry in enumerate(pairs):
            if isinstance(entry, Pair):
                entry = (entry.tf, entry.ours, entry.note)
            if (not isinstance(entry, (list, tuple)) or len(entry) not in (2, 3)
                    or not all(isinstance(s, str) for s in entry)):
                raise self.error(f"entry {k + 1} of pairs must be [tf_pattern, rnnlib_pattern, "
                                 f"note] (strings), got {entry!r}")
            pair = Pair(*entry)
            if not _norm(pair.tf) and not _norm(pair.ours):
                raise self.error(f"entry {k + 1} of pairs has two empty patterns")
            self.pairs.append(pair)
        self._rows = None

    def error(self, message):
        return WalkthroughError(f"walkthrough {self.id!r} ({self.source}): {message}")

    def __repr__(self):
        return f"<Walkthrough {self.id!r}: {self.tf} vs {self.ours}, {len(self.pairs)} entries>"

    # -- matching -----------------------------------------------------------------
    def check(self):
        """Read both sources, place every pattern and return the rows (list of Row).

        Raises WalkthroughError if a pattern is missing, ambiguous or out of order.
        """
        if self._rows is not None:
            return self._rows
        srcs = {side: _load_source(getattr(self, side), self) for side in SIDES}
        found = {side: _locate([(k, getattr(p, side)) for k, p in enumerate(self.pairs)
                                if _norm(getattr(p, side))], srcs[side], side, self)
                 for side in SIDES}
        self._srcs = srcs
        self._rows = _layout(self.pairs, found, srcs)
        return self._rows

    # -- HTML -------------------------------------------------------------------------
    def render_html(self):
        rows = self.check()
        tf_src, our_src = self._srcs["tf"], self._srcs["ours"]
        esc = html.escape
        head = (
            f'<div class="rnnwt-title">{esc(self.title)}</div>'
            '<div class="rnnwt-meta">'
            f'<div><span class="rnnwt-badge rnnwt-b-tf">TensorFlow</span> '
            f'<span class="rnnwt-mono">{esc(self.tf)}</span> from '
            f'<span class="rnnwt-mono">{esc(tf_src.where)}</span>, installed '
            f'{esc(tf_src.version)}</div>'
            f'<div><span class="rnnwt-badge rnnwt-b-ours">rnnlib</span> '
            f'<span class="rnnwt-mono">{esc(self.ours)}</span> from '
            f'<span class="rnnwt-mono">{esc(our_src.where)}</span>, {esc(our_src.version)}</div>'
            "<div>Both columns are read from the installed code when this page is built. "
            "Rows with a note correspond; the other lines keep their place.</div></div>")
        body = "".join(_row_html(group, self._srcs) for group in _group(rows))
        cols = ('<div class="rnnwt-row rnnwt-cols"><div>TensorFlow</div><div>rnnlib</div></div>')
        return (f'<div class="rnnwt" data-walkthrough="{esc(self.id)}">'
                f"<style>{CSS}</style>"
                f'{head}<div class="rnnwt-grid">{cols}{body}</div></div>')

    def _repr_html_(self):
        return self.render_html()


def _layout(pairs, found, srcs):
    """Merge both sources into rows: pairs on one row, other lines alone, in source order."""
    rows = []
    pos = {"tf": 0, "ours": 0}

    def flush(side, upto):
        """Undeclared lines of one side up to (not including) index upto."""
        lines = srcs[side].lines
        while pos[side] < upto:
            rows.append(Row(side, **{side: (lines[pos[side]],)}))
            pos[side] += 1

    def span(side, k):
        first, last = srcs[side].spans[found[side][k]]
        return first, last

    for k, pair in enumerate(pairs):
        sides = [s for s in SIDES if k in found[s]]
        for s in sides:
            flush(s, span(s, k)[0])
        cells = {}
        for s in sides:
            first, last = span(s, k)
            cells[s] = tuple(srcs[s].lines[first:last + 1])
            pos[s] = last + 1
        kind = "pair" if len(sides) == 2 else sides[0]
        rows.append(Row(kind, note=pair.note, declared=True, **cells))
    for s in SIDES:
        flush(s, len(srcs[s].lines))
    return rows


def _group(rows):
    """Consecutive undeclared rows of one side become one block (folded if long)."""
    groups = []
    for row in rows:
        last = groups[-1] if groups else None
        if (not row.declared and last and not last[0].declared and last[0].kind == row.kind):
            last.append(row)
        else:
            groups.append([row])
    return groups


def _lines_html(lines):
    """One div per line; a wrapped line continues 4 columns right of its own indent."""
    out = []
    for ln in lines:
        hang = len(ln.text) - len(ln.text.lstrip(" ")) + 4
        # <pre>, not <span>: HTML tools (BeautifulSoup in nbconvert, sanitizers)
        # collapse whitespace-only text, which would eat the indentation.
        out.append(f'<div class="rnnwt-line"><span class="rnnwt-ln">{ln.lineno}</span>'
                   f'<pre class="rnnwt-code" style="padding-left:{hang}ch;text-indent:-{hang}ch">'
                   f'{ln.html or "&#8203;"}</pre></div>')
    return "".join(out)


def _block_html(lines, src):
    """Lines of an undeclared block; whole block bodies and docstrings inside it fold."""
    start = src.lines[0].lineno
    idx = [ln.lineno - start for ln in lines]
    out, k = [], 0
    while k < len(idx):
        fold = next((f for f in src.folds if f[0] == idx[k] and f[1] <= idx[-1]
                     and f[1] - f[0] + 1 >= (FOLD_DOC_MIN if f[2] else FOLD_MIN)), None)
        if fold is None:
            out.append(_lines_html([lines[k]]))
            k += 1
            continue
        n = fold[1] - fold[0] + 1
        what = "docstring, " if fold[2] else ""
        out.append(f'<details class="rnnwt-fold"><summary>\u22ef {what}{n} lines '
                   f'({lines[k].lineno}\u2013{lines[k + n - 1].lineno}) \u22ef</summary>'
                   f"{_lines_html(lines[k:k + n])}</details>")
        k += n
    return "".join(out)


def _note_html(note):
    """Escape a note; `backticks` become code spans."""
    return re.sub(r"`([^`]+)`", r'<span class="rnnwt-mono">\1</span>', html.escape(note))


def _row_html(group, srcs):
    first = group[0]
    cells = []
    for side in SIDES:
        lines = [ln for row in group for ln in getattr(row, side)]
        if not lines:
            cells.append(f'<div class="rnnwt-cell rnnwt-{side} rnnwt-empty"></div>')
            continue
        inner = _lines_html(lines) if first.declared else _block_html(lines, srcs[side])
        cells.append(f'<div class="rnnwt-cell rnnwt-{side}" data-label="{SIDES[side]}">'
                     f"{inner}</div>")
    note = (f'<div class="rnnwt-note">{_note_html(first.note)}</div>' if first.note else "")
    cls = f"rnnwt-row rnnwt-{first.kind}" + (" rnnwt-declared" if first.declared else "")
    return f'<div class="{cls}">{"".join(cells)}{note}</div>'


_STACKED = """
.rnnwt-row{grid-template-columns:minmax(0,1fr)}
.rnnwt-cols,.rnnwt-empty{display:none}
.rnnwt-tf{border-right:0}
.rnnwt-cell::before{content:attr(data-label);display:block;padding-left:.3em;
 font:600 10.5px/1.6 system-ui,sans-serif;color:#57606a;letter-spacing:.03em}
.rnnwt-pair .rnnwt-ours{border-top:1px dashed #9a6700}
"""

CSS = ("""
.rnnwt{container:rnnwt/inline-size;margin:1em 0;border:1px solid #d0d7de;border-radius:6px;
 background:#fff;color:#1f2328;font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 overflow:hidden;text-align:left}
.rnnwt *{box-sizing:border-box}
.rnnwt-title{font-weight:600;font-size:14px;padding:.5em .75em;background:#f6f8fa;
 border-bottom:1px solid #d0d7de}
.rnnwt-meta{padding:.4em .75em;font-size:12px;color:#57606a;border-bottom:1px solid #d0d7de}
.rnnwt-meta>div{margin:.15em 0}
.rnnwt-badge{display:inline-block;padding:0 .45em;border-radius:3px;font-weight:600;color:#fff}
.rnnwt-b-tf{background:#bc4c00}.rnnwt-b-ours{background:#0969da}
.rnnwt-mono,.rnnwt-cell{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,
 "DejaVu Sans Mono","Liberation Mono",monospace}
.rnnwt-mono{font-size:.92em;overflow-wrap:anywhere}
.rnnwt-row{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr)}
.rnnwt-cols{font-weight:600;font-size:12px;border-bottom:1px solid #d0d7de;background:#f6f8fa}
.rnnwt-cols>div{padding:.25em .75em}.rnnwt-cols>div:first-child{border-right:1px solid #d0d7de}
.rnnwt-cell{font-size:12px;line-height:1.5;padding:0 .5em 0 0;min-width:0}
.rnnwt-tf{border-right:1px solid #d0d7de}
.rnnwt-empty{background:#f6f8fa}
.rnnwt-line{display:flex}
.rnnwt-ln{flex:none;width:2.9em;padding-right:.6em;text-align:right;color:#59636e;
 user-select:none;-webkit-user-select:none}
.rnnwt .rnnwt-line pre.rnnwt-code{flex:1;min-width:0;margin:0;padding:0;border:0;border-radius:0;
 background:none;box-shadow:none;color:inherit;font:inherit;overflow:visible;clear:none;
 white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere;hyphens:none;tab-size:4}
.rnnwt-declared{border-top:1px solid #eaeef2;border-bottom:1px solid #eaeef2}
.rnnwt-pair{background:#fff8c5;box-shadow:inset 3px 0 #9a6700}
.rnnwt-pair .rnnwt-empty{background:transparent}
.rnnwt-declared.rnnwt-tf,.rnnwt-declared.rnnwt-ours{background:#f6f8fa;
 box-shadow:inset 3px 0 #6e7781}
.rnnwt-note{grid-column:1/-1;padding:.15em .75em .35em 3.9em;font-size:12.5px;color:#3d444d}
.rnnwt-note::before{content:"\\2191\\00a0";color:#9a6700}
.rnnwt-fold>summary{cursor:pointer;color:#57606a;font-size:11.5px;padding:.1em 0 .1em 3.9em;
 list-style-position:inside}
.rnnwt-fold[open]>summary{border-bottom:1px dotted #d0d7de}
"""
       + f"@container rnnwt (max-width:{STACK_BELOW_BOX_PX}px){{{_STACKED}}}\n"
       + f"@media (max-width:{STACK_BELOW_PX}px){{{_STACKED}}}\n")


class WalkthroughHTML:
    """What :func:`show_walkthrough` returns: displays as HTML in a notebook."""

    def __init__(self, data, walkthrough):
        self.data = data
        self.walkthrough = walkthrough

    def _repr_html_(self):
        return self.data

    def __str__(self):
        return self.data

    def __repr__(self):
        return f"<WalkthroughHTML {self.walkthrough.id!r}: {len(self.data)} characters of HTML>"


_KEYS = {"id", "title", "tf", "ours", "pairs"}


def load_walkthroughs(path):
    """Read a TOML file of ``[[walkthrough]]`` tables -> {id: Walkthrough} (not yet checked)."""
    path = Path(path)
    book_copy = Path(__file__).resolve().parents[1] / "chapters" / path
    if not path.is_absolute() and not path.exists() and book_copy.exists():
        path = book_copy   # a notebook run outside chapters/ (student notebooks)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WalkthroughError(f"walkthrough file {str(path)!r} not found "
                               f"(relative paths start at {Path.cwd()})") from None
    except tomllib.TOMLDecodeError as exc:
        raise WalkthroughError(f"{path}: not valid TOML: {exc}") from exc
    tables = data.get("walkthrough")
    if not isinstance(tables, list) or not tables:
        raise WalkthroughError(f"{path}: expected [[walkthrough]] tables, found keys "
                               f"{sorted(data)}")
    out = {}
    for n, t in enumerate(tables, 1):
        missing, unknown = _KEYS - set(t), set(t) - _KEYS
        if missing or unknown:
            raise WalkthroughError(f"{path}: walkthrough #{n} ({t.get('id', 'no id')!r}) "
                                   f"has missing keys {sorted(missing)} / unknown keys "
                                   f"{sorted(unknown)}; expected exactly {sorted(_KEYS)}")
        if t["id"] in out:
            raise WalkthroughError(f"{path}: walkthrough id {t['id']!r} declared twice")
        out[t["id"]] = Walkthrough(t["id"], t["title"], t["tf"], t["ours"], t["pairs"],
                                   source=path)
    return out


def show_walkthrough(path, walkthrough_id):
    """Check and render one walkthrough; the result displays as HTML in a notebook.

    ``path`` is relative to the working directory (chapters/ during the book
    build), e.g. ``show_walkthrough("walkthroughs/lstm.toml", "tf1-lstm")``.
    """
    walkthroughs = load_walkthroughs(path)
    if walkthrough_id not in walkthroughs:
        raise WalkthroughError(f"{path}: no walkthrough {walkthrough_id!r}; "
                               f"declared ids: {sorted(walkthroughs)}")
    wt = walkthroughs[walkthrough_id]
    return WalkthroughHTML(wt.render_html(), wt)
