"""Student notebooks from the MyST chapters: plain Jupyter, no MyST syntax left.

A chapter (``chapters/*.md``, a MyST Markdown notebook) becomes a ``.ipynb``
that reads in plain JupyterLab the way the website reads:

- glued values (``{glue:text}`name:.2f```, ``{glue:md}``, ``{glue}``) become
  the numbers of the executed build, formatted as on the site;
- ``{exercise}`` becomes a heading "Exercise 3.1" with its title; every
  ``{solution}`` (and ``solution-start`` ... ``solution-end``, code cells
  included) moves to a "Solutions" section at the end of the notebook;
- ``{math}`` with a label and ``$$ ... $$ (label)`` get the site's equation
  number as ``\\tag{3.1}``; ``{eq}`` becomes "(3.1)";
- ``{cite}`` becomes author-year text, "[Cho et al., 2014]", and the cited
  works are listed at the end; ``{bibliography}`` lists them all;
- ``{ref}``, ``{numref}``, ``{doc}`` and ``(label)=`` targets become links:
  to the other notebooks (relative, the default) or, with ``base_url``, to the
  website's pages;
- admonitions become blockquotes with their title in bold, dropdowns
  ``<details>``;
- ``{literalinclude}`` of a file inside an importable package (rnnlib, ...)
  becomes a code cell that prints the code with ``inspect.getsource``, so it
  never drifts from the installed code; other files are inlined as a fence;
- ``{glossary}`` becomes bold terms with their definitions; a book-local
  directive converts through its own ``markdown(argument, root)`` function in
  ``_ext/<name>.py`` if it has one (``{selfcheck}``: the question, the choices
  and the answers in a ``<details>``); MyST comments and ``(label)=`` targets
  are dropped;
- code cells stay code cells (tags kept; ``hide-input`` cells open with their
  input collapsed in JupyterLab); outputs are not included.

Anything else (an unknown role or directive, a missing glue key or label) is
kept as readable text and listed in ``NotebookConverter.warnings``;
``KNOWN_ROLES`` and ``KNOWN_DIRECTIVES`` list what is converted, and
``myst_leftovers(markdown)`` lists the MyST syntax left in a string.

The numbers come from the finished Sphinx build: the environment (equation,
exercise and section numbers, labels, titles) and myst-nb's glue files
(``<build>/jupyter_execute/<doc>.glue.json``). Markdown is parsed with
myst-parser's own markdown-it configuration, so roles and directives are found
exactly as the book build finds them; the Markdown around them is copied
through unchanged.

API (also used by ``_ext/ipynb_download.py`` for the site's download button)::

    from bookkit.notebooks import BookData, NotebookConverter

    book = BookData.from_build("_build")          # after `jupyter-book build .`
    # or, inside Sphinx (html-page-context and later): BookData.from_sphinx(app)
    conv = NotebookConverter(book, base_url=None)  # or "https://example.org/book"
    # drop_solutions=True leaves the solutions out (a student edition)
    nb = conv.convert("chapters/gru")             # an nbformat v4 NotebookNode
    conv.warnings                                 # constructs it could not convert

    write_notebooks("_build", "_build/notebooks")  # every chapter; returns the paths

Command line: ``python -m bookkit.notebooks [--build _build] [--out DIR]
[--base-url URL]`` (``BOOK_URL`` in the environment sets the base URL).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pickle
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]

# Directives that become a blockquote with their (capitalised) name as title.
ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention",
               "danger", "error", "seealso", "margin", "sidebar", "epigraph", "topic"}
CITE_ROLES = {"cite", "cite:p", "cite:t", "cite:ps", "cite:ts", "cite:ct", "cite:cp",
              "cite:alp", "cite:empty", "cite:label", "cite:year", "cite:author"}
GLUE_ROLES = {"glue", "glue:", "glue:any", "glue:text", "glue:md"}
# Everything convert() turns into plain Markdown (anything else is reported in
# .warnings and shown as text/quote); book-local directives with a
# ``markdown()`` in _ext/<name>.py are converted too.
KNOWN_ROLES = CITE_ROLES | GLUE_ROLES | {
    "eq", "ref", "numref", "doc", "math", "code", "literal", "samp", "file", "command", "kbd",
    "py:func", "func", "py:class", "class", "py:meth", "meth", "py:mod", "mod", "py:obj", "obj",
    "attr", "py:attr", "envvar", "program", "option", "sub", "subscript", "sup", "superscript",
    "abbr", "term", "dfn", "guilabel", "menuselection", "emphasis", "strong", "download",
    "external"}
KNOWN_DIRECTIVES = ADMONITIONS | {
    "admonition", "dropdown", "math", "exercise", "exercise-start", "exercise-end", "solution",
    "solution-start", "solution-end", "literalinclude", "code-block", "code", "sourcecode",
    "code-cell", "bibliography", "glue", "glue:", "glue:any", "glue:md", "glue:text",
    "glue:math", "figure", "image", "glossary", "toctree", "tableofcontents", "contents", "raw"}


# -- what the build knows ----------------------------------------------------
@dataclass
class BookData:
    """Numbers and names from a finished build.

    Attributes:
        srcdir: the book's source folder (where ``_toc.yml`` is).
        docnames: notebook documents in the build (have a ``kernelspec``), sorted.
        titles: docname -> page title.
        labels: label -> (docname, html anchor, section title).
        equations: label -> (docname, number text such as "3.1").
        exercises: docname -> list of (node id, number text) in number order.
        glue_folder: folder of myst-nb's ``<doc>.glue.json`` files.
        bibfiles: the BibTeX files of the book.
    """

    srcdir: Path
    docnames: list
    titles: dict
    labels: dict
    equations: dict
    exercises: dict
    glue_folder: Path
    bibfiles: list
    _glue: dict = field(default_factory=dict, repr=False)
    _bib: dict | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env, glue_folder):
        """From a Sphinx ``BuildEnvironment`` after the read phase."""
        def number(parts):
            return ".".join(str(p) for p in parts)

        equations = {}
        for label, (doc, _n) in env.domaindata["math"]["objects"].items():
            nums = env.toc_fignumbers.get(doc, {}).get("displaymath", {})
            parts = nums.get(f"equation-{label}")
            equations[label] = (doc, number(parts) if parts else str(_n))
        exercises = {}
        for doc, kinds in env.toc_fignumbers.items():
            found = sorted(kinds.get("exercise", {}).items(), key=lambda kv: kv[1])
            exercises[doc] = [(node_id, number(parts)) for node_id, parts in found]
        labels = {name: tuple(value) for name, value in env.domaindata["std"]["labels"].items()}
        titles = {doc: node.astext() for doc, node in env.titles.items()}
        docnames = sorted(doc for doc in env.found_docs
                          if "kernelspec" in env.metadata.get(doc, {}))
        srcdir = Path(env.srcdir)
        bibfiles = [srcdir / b for b in getattr(env.config, "bibtex_bibfiles", []) or []]
        return cls(srcdir, docnames, titles, labels, equations, exercises,
                   Path(glue_folder), bibfiles)

    @classmethod
    def from_sphinx(cls, app):
        """Inside a running Sphinx build (from ``html-page-context`` on)."""
        folder = getattr(getattr(app.env, "mystnb_config", None), "output_folder", None)
        return cls.from_env(app.env, folder or Path(app.outdir).parent / "jupyter_execute")

    @classmethod
    def from_build(cls, build_dir):
        """From a build folder (``_build``, with ``.doctrees/`` and ``jupyter_execute/``)."""
        build_dir = Path(build_dir)
        pickled = build_dir / ".doctrees" / "environment.pickle"
        if not pickled.is_file():
            raise FileNotFoundError(f"no Sphinx environment at {pickled}: build the book first "
                                    "(jupyter-book build .)")
        # the pickle holds nodes of the book's local extensions (_ext/)
        for folder in (build_dir.resolve().parent / "_ext", ROOT / "_ext"):
            if folder.is_dir() and str(folder) not in sys.path:
                sys.path.append(str(folder))
        with pickled.open("rb") as f:
            env = pickle.load(f)
        return cls.from_env(env, build_dir / "jupyter_execute")

    def glue(self, docname):
        """docname -> {key: output dict} from myst-nb's glue file ({} if none)."""
        if docname not in self._glue:
            path = self.glue_folder.joinpath(*docname.split("/")).with_suffix(".glue.json")
            path = path.with_name(docname.split("/")[-1] + ".glue.json")
            self._glue[docname] = (json.loads(path.read_text(encoding="utf-8"))
                                   if path.is_file() else {})
        return self._glue[docname]

    def bibliography(self):
        """key -> (author-year label, formatted reference in Markdown)."""
        if self._bib is None:
            self._bib = _read_bibliography(self.bibfiles)
        return self._bib


def _read_bibliography(bibfiles):
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    out = {}
    style = find_plugin("pybtex.style.formatting", "plain")()
    for bibfile in bibfiles:
        data = parse_file(str(bibfile))
        for entry in style.format_entries(data.entries.values()):
            source = data.entries[entry.key]
            persons = source.persons.get("author") or source.persons.get("editor") or []
            names = [" ".join(p.prelast_names + p.last_names) for p in persons]
            names = [_latex_to_text(n) for n in names]
            if len(names) == 0:
                who = entry.key
            elif len(names) == 1:
                who = names[0]
            elif len(names) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = f"{names[0]} et al."
            year = source.fields.get("year", "n.d.")
            text = " ".join(entry.text.render_as("markdown").split())
            text = _BARE_URL.sub(lambda m: "<" + re.sub(r"\\(.)", r"\1", m.group(1)) + ">",
                                 text.replace("\\\\url ", ""))
            out[entry.key] = (f"{who}, {year}", text)
    return out


# a URL the Markdown backend escaped (\url{...} fields), not already a link target
_BARE_URL = re.compile(r"(?<!\]\()(https?://(?:[^\s()<>\\]|\\.)+?)(?=\\?[.,;]?(?:\s|$))")


def _latex_to_text(text):
    from pybtex.richtext import Text

    return Text.from_latex(text).render_as("text")


# -- parsing -----------------------------------------------------------------
def _markdown_parser(extensions):
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions=set(extensions)), RendererHTML)


def _book_extensions(srcdir):
    """myst_enable_extensions of the book's _config.yml (the parser must match the build)."""
    import yaml

    config = Path(srcdir) / "_config.yml"
    if config.is_file():
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        found = (data.get("parse") or {}).get("myst_enable_extensions")
        if found:
            return found
    return ["amsmath", "colon_fence", "deflist", "dollarmath", "substitution"]


def _split_options(content):
    """Directive content -> (options dict, body). Options: ``:key: value`` lines or a
    ``---`` YAML block at the top."""
    lines = content.splitlines()
    options = {}
    if lines and lines[0].strip() == "---":
        import yaml

        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            options = {str(k): "" if v is None else str(v)
                       for k, v in (yaml.safe_load("\n".join(lines[1:end])) or {}).items()}
            return options, "\n".join(lines[end + 1:]).strip("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^:([\w-]+):\s*(.*)$", lines[i])
        if not m:
            break
        value = m.group(2).strip()
        if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
            import yaml

            value = str(yaml.safe_load(value))   # myst-parser reads options as YAML
        options[m.group(1)] = value
        i += 1
    return options, "\n".join(lines[i:]).strip("\n")


def _heading_anchor(text):
    """The id JupyterLab gives a Markdown heading: its text, spaces as dashes."""
    text = re.sub(r"[`*_]", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return text.strip().replace(" ", "-")


def _role_pattern(name, content):
    parts = [re.escape(p) for p in re.split(r"\s+", content.strip())]
    return re.compile(r"\{" + re.escape(name) + r"\}(`+)\s*" + r"\s+".join(parts) + r"\s*\1")


# -- the converter -----------------------------------------------------------
class NotebookConverter:
    """Convert chapters to plain notebooks; see the module docstring.

    ``base_url``: where the website is (links to it instead of to the other
    notebooks). ``warnings`` collects, per conversion, every construct that had
    no exact conversion (as "docname:line: message").
    """

    def __init__(self, book, base_url=None, extensions=None, drop_solutions=False):
        self.book = book
        self.drop_solutions = drop_solutions
        self.base_url = base_url.rstrip("/") if base_url else None
        self.md = _markdown_parser(extensions or _book_extensions(book.srcdir))
        self.warnings = []

    # public ---------------------------------------------------------------
    def notebook_name(self, docname):
        return docname.split("/")[-1] + ".ipynb"

    def convert(self, docname, source=None):
        """One chapter -> nbformat NotebookNode (v4, no outputs)."""
        self.doc = docname
        self.cited = []
        self.solutions = []        # list of cell lists
        self.level = 1
        self.exercise_index = 0
        self.in_solution = None
        path = Path(source) if source else self.book.srcdir / (docname + ".md")
        self.path = path
        text = path.read_text(encoding="utf-8")
        notebook = jupytext.reads(text, fmt="md:myst")
        cells = []
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                events = self._blocks(cell.source, self._cell_line(text, cell.source))
            elif cell.cell_type == "code":
                events = [("code", self._code_cell(cell))]
            else:
                events = [("cell", cell)]
            for kind, value in events:
                if kind == "solution-start":
                    self.solutions.append([])
                    self.in_solution = True
                elif kind == "solution-end":
                    self.in_solution = None
                    continue
                target = self.solutions[-1] if self.in_solution else cells
                if kind in ("md", "solution-start"):
                    if value.strip():
                        target.append(nbformat.v4.new_markdown_cell(value.strip("\n")))
                else:
                    target.append(value)
        if self.solutions and not self.drop_solutions:
            cells.append(nbformat.v4.new_markdown_cell("## Solutions"))
            for block in self.solutions:
                cells.extend(block)
        if self.cited:
            bib = self.book.bibliography()
            items = [f"- {bib[k][1]}" for k in sorted(self.cited, key=lambda k: bib[k][0])]
            cells.append(nbformat.v4.new_markdown_cell(
                "## Works cited in this notebook\n\n" + "\n".join(items)))
        cells = _merge_markdown(cells)
        out = nbformat.v4.new_notebook(cells=cells)
        out.metadata = {
            "kernelspec": dict(notebook.metadata.get("kernelspec")
                               or {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}),
            "language_info": {"name": "python"},
        }
        for i, cell in enumerate(out.cells):   # stable ids, so rebuilds do not churn
            cell["id"] = f"{docname.split('/')[-1]}-{i}"
        return out

    # cells -----------------------------------------------------------------
    @staticmethod
    def _cell_line(text, source):
        """1-based line of a cell's first line in the source file (for messages)."""
        first = source.strip("\n").split("\n", 1)[0]
        index = text.find(first) if first else -1
        return text.count("\n", 0, index) + 1 if index >= 0 else 0

    def _warn(self, line, message):
        self.warnings.append(f"{self.doc}:{line}: {message}")

    def _code_cell(self, cell):
        metadata = {}
        tags = list(cell.metadata.get("tags", []))
        if tags:
            metadata["tags"] = tags
        if "hide-input" in tags or "remove-input" in tags:
            metadata["jupyter"] = {"source_hidden": True}
        new = nbformat.v4.new_code_cell(cell.source)
        new.metadata = metadata
        return new

    # blocks ----------------------------------------------------------------
    def _blocks(self, text, line0):
        """Top-level blocks of Markdown ``text`` -> (kind, value) events."""
        tokens = self.md.parse(text)
        lines = text.splitlines(keepends=True)
        cursor = 0
        events = []
        current = None      # (start, end) of the current top-level block
        roles = []

        def flush_block():
            nonlocal cursor, roles
            if current is None:
                return
            start, end = current
            chunk = "".join(lines[start:end])
            for role in roles:
                chunk = self._replace_role(chunk, role, line0 + start)
            events.append(("md", "".join(lines[cursor:start]) + chunk))
            cursor = end
            roles = []

        for token in tokens:
            if token.level == 0 and token.map is not None:
                flush_block()
                current = None
                start, end = token.map
                replacement = self._block(token, lines, line0 + start)
                if replacement is None:            # ordinary block: roles inside only
                    current = (start, end)
                    if token.type == "heading_open":
                        self.level = int(token.tag[1])
                    continue
                events.append(("md", "".join(lines[cursor:start])))
                cursor = end
                for event in replacement:
                    events.append(event)
            if token.type == "inline":
                for child in token.children or []:
                    if child.type == "myst_role":
                        roles.append(child)
        flush_block()
        events.append(("md", "".join(lines[cursor:])))
        merged = []
        for kind, value in events:          # neighbouring Markdown: one string
            if kind == "md" and merged and merged[-1][0] == "md":
                merged[-1] = ("md", merged[-1][1] + value)
            else:
                merged.append((kind, value))
        return merged

    def _block(self, token, lines, line):
        """A top-level block that needs replacing -> list of events, else None."""
        if token.type == "myst_target":
            return [("md", "")]
        if token.type in ("myst_line_comment", "myst_block_break", "front_matter"):
            return [("md", "")]
        if token.type == "math_block_label":
            return [("md", self._math(token.content, token.info, line) + "\n")]
        if token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"):
            m = re.match(r"^\{([^}]+)\}\s*(.*)$", token.info.strip())
            name, argument = m.group(1).strip(), m.group(2).strip()
            options, body = _split_options(token.content)
            return self._directive(name, argument, options, body, line)
        return None

    # directives ------------------------------------------------------------
    def _directive(self, name, argument, options, body, line):
        if name == "math":
            return [("md", self._math(body, options.get("label"), line) + "\n")]
        if name in ("admonition",) or name in ADMONITIONS:
            title = argument or ("See also" if name == "seealso" else name.capitalize())
            if name == "admonition" and not argument:
                title = ""
            inner = self._markdown(body, line + 1)
            if "dropdown" in options.get("class", ""):
                return [("md", f"<details>\n<summary>{self._inline(title, line)}</summary>\n\n"
                               f"{inner}\n\n</details>\n")]
            head = f"**{self._inline(title, line)}**\n\n" if title else ""
            return [("md", _blockquote(head + inner) + "\n")]
        if name == "dropdown":
            inner = self._markdown(body, line + 1)
            return [("md", f"<details>\n<summary>{self._inline(argument, line)}</summary>\n\n"
                           f"{inner}\n\n</details>\n")]
        if name in ("exercise", "exercise-start"):
            number = self._exercise_number(options.get("label"), line)
            level = min(self.level + 1, 6)
            head = "#" * level + f" Exercise {number}".rstrip()
            title = f"\n\n**{self._inline(argument, line)}**" if argument else ""
            inner = self._markdown(body, line + 1) if body else ""
            return [("md", f"{head}{title}\n\n{inner}\n")]
        if name == "exercise-end":
            return [("md", "")]
        if name in ("solution", "solution-start"):
            label = argument
            number = self._solution_number(label, line)
            heading = f"### Solution to Exercise {number}".rstrip()
            events = [("solution-start", heading + "\n")]
            link = ("" if self.drop_solutions else
                    "*The solution is in [Solutions](#Solutions) at the end of the notebook.*")
            if name == "solution":
                events.append(("md", self._markdown(body, line + 1) + "\n"))
                events.append(("solution-end", None))
            return [("md", link)] + events
        if name == "solution-end":
            return [("solution-end", None)]
        if name == "literalinclude":
            return self._literalinclude(argument, options, line)
        if name in ("code-block", "code", "sourcecode", "code-cell"):
            language = argument.split()[0] if argument else ""
            if name == "code-cell":
                language = "python"
            return [("md", _fence(body, language))]
        if name == "bibliography":
            bib = self.book.bibliography()
            items = [f"- {ref}" for _k, (_label, ref) in sorted(bib.items(),
                                                             key=lambda kv: kv[1][0])]
            return [("md", "\n".join(items) + "\n")]
        if name in ("glue", "glue:", "glue:any", "glue:md", "glue:text", "glue:math"):
            return [("md", self._glue_value(argument, "", line) + "\n")]
        if name in ("figure", "image"):
            alt = options.get("alt", "")
            caption = self._markdown(body, line + 1) if body else ""
            return [("md", f"![{alt}]({argument})\n\n{caption}\n")]
        if name == "glossary":
            return [("md", self._glossary(body, line))]
        if name in ("toctree", "tableofcontents", "contents"):
            return [("md", "")]
        if name == "raw":
            return [("md", body + "\n")] if "html" in argument else [("md", "")]
        hook = _extension_markdown(self.book.srcdir, name)
        if hook is not None:
            try:
                return [("md", self._markdown(hook(argument, self.book.srcdir), line) + "\n")]
            except ValueError as exc:
                self._warn(line, f"directive {{{name}}}: {exc}")
                return [("md", "")]
        self._warn(line, f"directive {{{name}}} has no conversion: shown as a quote")
        inner = self._markdown(body, line + 1)
        return [("md", _blockquote(f"**{argument or name}**\n\n{inner}") + "\n")]

    def _glossary(self, body, line):
        """Sphinx glossary (terms unindented, definitions indented) -> bold terms,
        each followed by its definition."""
        import textwrap

        entries, terms, definition = [], [], []

        def close():
            if terms:
                text = self._markdown(textwrap.dedent("\n".join(definition)), line)
                entries.append(" / ".join(f"**{self._inline(t, line)}**" for t in terms)
                               + "\n\n" + text)

        for raw in body.splitlines():
            if raw.strip() and not raw[0].isspace():
                if definition:
                    close()
                    terms, definition = [], []
                terms.append(raw.strip())
            else:
                definition.append(raw)
        close()
        return "\n\n".join(entries) + "\n"

    def _markdown(self, text, line):
        """Convert a directive body (nested Markdown) to a string."""
        parts = []
        for kind, value in self._blocks(text, line):
            if kind == "md":
                parts.append(value)
            else:
                self._warn(line, f"{kind} inside another directive: left out")
        return "".join(parts).strip("\n")

    def _inline(self, text, line):
        return self._markdown(text, line) if "{" in text else text

    def _math(self, body, label, line):
        tag = ""
        if label:
            found = self.book.equations.get(label)
            if found:
                tag = f" \\tag{{{found[1]}}}"
            else:
                self._warn(line, f"equation label {label!r} has no number in the build")
        return f"$$\n{body.strip()}{tag}\n$$"

    def _exercise_number(self, label, line):
        numbers = self.book.exercises.get(self.doc, [])
        if label:
            for node_id, number in numbers:
                if node_id == label:
                    self.exercise_index = numbers.index((node_id, number)) + 1
                    return number
        if self.exercise_index < len(numbers):
            number = numbers[self.exercise_index][1]
            self.exercise_index += 1
            return number
        self._warn(line, "exercise without a number in the build")
        return ""

    def _solution_number(self, label, line):
        for node_id, number in self.book.exercises.get(self.doc, []):
            if node_id == label:
                return number
        self._warn(line, f"solution for {label!r}: no such exercise in the build")
        return ""

    def _literalinclude(self, argument, options, line):
        if argument.startswith("/"):   # Sphinx: relative to the source folder
            path = (self.book.srcdir / argument.lstrip("/")).resolve()
        else:
            path = (self.path.parent / argument).resolve()
        module = _module_name(path)
        if module is None:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                self._warn(line, f"literalinclude {argument}: file not found")
                return [("md", "")]
            self._warn(line, f"literalinclude {argument}: not in an importable package, "
                             "inlined as text")
            return [("md", _fence(text, options.get("language", "")))]
        cell = nbformat.v4.new_code_cell(_source_code(module, options))
        cell.metadata = {"tags": ["literalinclude"]}
        return [("code", cell)]

    # roles -----------------------------------------------------------------
    def _replace_role(self, chunk, role, line):
        name, content = role.meta.get("name", ""), role.content
        pattern = _role_pattern(name, content)
        new = self._role(name, content, line)
        replaced, count = pattern.subn(lambda _m: new, chunk, count=1)
        if not count:
            self._warn(line, f"role {{{name}}}`{content}` not found in its block")
        return replaced

    def _role(self, name, content, line):
        if name in CITE_ROLES:
            return self._cite(name, content, line)
        if name in GLUE_ROLES:
            key, _, fmt = content.rpartition(":") if name == "glue:text" else (content, "", "")
            if name == "glue:text" and not key:
                key, fmt = content, ""
            return self._glue_value(key, fmt, line, markdown=(name == "glue:md"))
        if name == "eq":
            text, label = _text_and_target(content)
            found = self.book.equations.get(label)
            if not found:
                self._warn(line, f"{{eq}} {label!r} has no number in the build")
                return f"({label})"
            shown = text or f"({found[1]})"
            if found[0] == self.doc:
                return shown
            return f"[{shown}]({self._href(found[0], 'equation-' + label, '')})"
        if name in ("ref", "numref"):
            return self._ref(name, content, line)
        if name == "doc":
            text, target = _text_and_target(content)
            doc = posixpath.normpath(posixpath.join(posixpath.dirname(self.doc), target)) \
                if not target.startswith("/") else target.lstrip("/")
            title = text or self.book.titles.get(doc, target)
            return f"[{title}]({self._href(doc, '', '')})"
        if name == "math":
            return f"${content}$"
        if name in ("code", "literal", "samp", "file", "command", "kbd", "py:func", "func",
                    "py:class", "class", "py:meth", "meth", "py:mod", "mod", "py:obj", "obj",
                    "attr", "py:attr", "envvar", "program", "option"):
            return f"`{content}`"
        if name in ("sub", "subscript"):
            return f"<sub>{content}</sub>"
        if name in ("sup", "superscript"):
            return f"<sup>{content}</sup>"
        if name in ("abbr", "term", "dfn", "guilabel", "menuselection", "emphasis"):
            text, _target = _text_and_target(content)
            return f"*{text or _target}*"
        if name == "strong":
            return f"**{content}**"
        if name in ("download", "external"):
            text, target = _text_and_target(content)
            return f"[{text or target}]({target})"
        self._warn(line, f"role {{{name}}} has no conversion: shown as text")
        return content

    def _cite(self, name, content, line):
        bib = self.book.bibliography()
        labels = []
        for key in [k.strip() for k in content.split(",") if k.strip()]:
            if key not in bib:
                self._warn(line, f"citation {key!r} not in the bibliography")
                labels.append(key)
                continue
            if key not in self.cited:
                self.cited.append(key)
            labels.append(bib[key][0])
        if name in ("cite:t", "cite:ts", "cite:ct"):   # textual: Cho et al. [2014]
            return "; ".join(f"{who} \\[{year}\\]" for who, _, year in
                             (lab.rpartition(", ") for lab in labels))
        return "\\[" + "; ".join(labels) + "\\]"

    def _glue_value(self, key, fmt, line, markdown=False):
        from myst_nb.core.variables import format_plain_text

        doc = self.doc
        if "::" in key:
            path, key = key.split("::", 1)
            doc = posixpath.normpath(posixpath.join(posixpath.dirname(self.doc), path))
            doc = doc[:-3] if doc.endswith((".md", ".ipynb")) else doc
        data = self.book.glue(doc).get(key)
        if data is None:
            self._warn(line, f"glue key {key!r} not found in the executed {doc}")
            return f"**(missing: {key})**"
        mime = data.get("data", {})
        if markdown and "text/markdown" in mime:
            return mime["text/markdown"].strip()
        if "text/plain" not in mime:
            self._warn(line, f"glue key {key!r} has no text/plain value")
            return f"**(missing: {key})**"
        try:
            return format_plain_text(mime["text/plain"], fmt)
        except (ValueError, TypeError) as exc:
            self._warn(line, f"glue {key!r}: cannot format with {fmt!r}: {exc}")
            return mime["text/plain"]

    def _ref(self, name, content, line):
        text, label = _text_and_target(content)
        exercise = self._exercise_by_label(label)
        if exercise:
            doc, number = exercise
            shown = (text or "Exercise {number}").replace("{number}", number) \
                .replace("%s", number)
            return f"[{shown}]({self._href(doc, label, 'Exercise-' + number)})"
        found = self.book.labels.get(label)
        if not found:
            eq = self.book.equations.get(label)
            if eq:
                shown = text or f"({eq[1]})"
                return f"[{shown}]({self._href(eq[0], 'equation-' + label, '')})"
            self._warn(line, f"{{{name}}} to unknown label {label!r}")
            return text or label
        doc, anchor, title = found
        shown = text or title
        if name == "numref":
            shown = shown.replace("{name}", title)
        is_page = self.book.titles.get(doc) == title and anchor == label and \
            self._is_page_label(doc, label)
        nb_anchor = "" if is_page else _heading_anchor(title)
        return f"[{shown}]({self._href(doc, '' if is_page else anchor, nb_anchor)})"

    def _is_page_label(self, doc, label):
        """A label on the page title (``(gru)=`` before ``# The GRU cell``)."""
        text = (self.book.srcdir / (doc + ".md"))
        try:
            source = text.read_text(encoding="utf-8")
        except OSError:
            return False
        m = re.search(r"^\(" + re.escape(label) + r"\)=\s*\n#\s", source, re.M)
        return m is not None

    def _exercise_by_label(self, label):
        for doc, numbers in self.book.exercises.items():
            for node_id, number in numbers:
                if node_id == label:
                    return doc, number
        return None

    def _href(self, doc, site_anchor, nb_anchor):
        if self.base_url:
            url = f"{self.base_url}/{doc}.html"
            return url + (f"#{site_anchor}" if site_anchor else "")
        target = "" if doc == self.doc else self.notebook_name(doc)
        if nb_anchor:
            return f"{target}#{nb_anchor}"
        return target or "#"


def _extension_markdown(srcdir, name):
    """A book-local directive's own notebook form: ``_ext/<name>.py`` of the book
    may define ``markdown(argument, root) -> str`` (MyST Markdown, converted
    further here), e.g. _ext/selfcheck.py."""
    path = Path(srcdir) / "_ext" / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_book_ext_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "markdown", None)


def _text_and_target(content):
    m = re.match(r"^(.*?)\s*<([^<>]+)>\s*$", content, re.S)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return "", content.strip()


def _module_name(path):
    """An importable module's dotted name for a .py file, if its package imports
    from here (e.g. rnnlib/gru.py -> rnnlib.gru); else None."""
    path = Path(path)
    if path.suffix != ".py":
        return None
    parts = [path.stem] if path.stem != "__init__" else []
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    if len(parts) < 2 and not (path.parent / "__init__.py").is_file():
        return None
    name = ".".join(parts)
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or Path(spec.origin).resolve() != path.resolve():
        return None
    return name


def _attribute_is_module(name):
    """True if ``a.b`` names the module through attributes (not shadowed by an
    ``a.b`` function that the package exports, like rnnlib.unroll)."""
    import importlib
    import types

    parent, _, child = name.rpartition(".")
    if not parent:
        return True
    return isinstance(getattr(importlib.import_module(parent), child, None), types.ModuleType)


def _source_code(module, options):
    """Code that prints what ``literalinclude`` shows, read from the installed
    module with ``inspect.getsource``: ``:pyobject:`` and ``:start-at:``/
    ``:start-after:``/``:end-at:``/``:end-before:``/``:lines:``, dedented."""
    imports = ["import inspect", "import textwrap"]
    if _attribute_is_module(module):
        imports.append(f"\nimport {module}")
        target = module
    else:   # e.g. rnnlib.unroll: the package also exports a function of that name
        imports.insert(0, "import importlib")
        target = f"importlib.import_module({module!r})"
    if options.get("pyobject"):
        target = f"{target}.{options['pyobject']}"
    code = imports + [""]
    start = options.get("start-at") or options.get("start-after")
    end = options.get("end-at") or options.get("end-before")
    if not (start or end or options.get("lines")):
        code.append(f"print(textwrap.dedent(inspect.getsource({target})))")
        return "\n".join(code)
    code.append(f"lines = inspect.getsource({target}).splitlines()")
    if options.get("lines"):
        first, _, last = options["lines"].partition("-")
        code.append(f"lines = lines[{int(first) - 1}:{last.strip()}]   # :lines: "
                    f"{options['lines']}")
    if start:
        skip = " + 1" if "start-after" in options else ""
        code.append(f"start = next(i for i, line in enumerate(lines) if {start!r} in line){skip}")
    else:
        code.append("start = 0")
    if end:
        keep = " + 1" if "end-at" in options else ""
        code.append(f"end = next(i for i in range(start, len(lines)) if {end!r} in lines[i])"
                    f"{keep}")
    else:
        code.append("end = len(lines)")
    code.append('print(textwrap.dedent("\\n".join(lines[start:end])))')
    return "\n".join(code)


def _fence(body, language=""):
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}{language}\n{body.rstrip()}\n{ticks}\n"


def _blockquote(text):
    return "\n".join(("> " + line).rstrip() for line in text.strip("\n").splitlines())


def _merge_markdown(cells):
    """Join neighbouring Markdown cells split only by the conversion."""
    out = []
    for cell in cells:
        if (out and cell.cell_type == "markdown" and out[-1].cell_type == "markdown"
                and not cell.source.lstrip().startswith("#")
                and not out[-1].get("metadata")):
            out[-1].source = out[-1].source.rstrip("\n") + "\n\n" + cell.source
        else:
            out.append(cell)
    return out


# -- checking ------------------------------------------------------------------
_LEFTOVER = re.compile(r"\{[A-Za-z][\w:.+-]*\}`|^\s*(`{3,}|:{3,})\s*\{[\w:.+-]+\}|"
                       r"^\s*\([\w.:-]+\)=\s*$|^\s*:(label|class|tags|name|dedent|pyobject):",
                       re.M)


def myst_leftovers(markdown, extensions=None):
    """MyST syntax left in a Markdown string: role, directive, target, labelled
    math, comment tokens (via myst-parser's parser) and anything that looks like
    a role or a directive line (a regular expression, outside code). Returns a
    list of short descriptions; empty when the text is plain Markdown."""
    md = _markdown_parser(extensions or ["amsmath", "colon_fence", "deflist", "dollarmath"])
    found = []
    for token in md.parse(markdown):
        if token.type in ("myst_target", "math_block_label", "myst_line_comment"):
            found.append(f"{token.type}: {token.content.strip()[:40]}")
        if token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"):
            found.append(f"directive {token.info.strip()[:40]}")
        for child in token.children or []:
            if child.type == "myst_role":
                found.append(f"role {{{child.meta.get('name')}}}`{child.content[:30]}`")
    code_free = re.sub(r"(`+)[^`]*?\1", "", re.sub(r"(?ms)^```.*?^```", "", markdown))
    found += [f"text {m.group(0).strip()[:40]!r}" for m in _LEFTOVER.finditer(code_free)]
    return found


# -- all chapters --------------------------------------------------------------
def write_notebooks(build_dir, out_dir, base_url=None, docnames=None):
    """Convert every notebook document of a build; returns (paths, warnings)."""
    book = BookData.from_build(build_dir)
    converter = NotebookConverter(book, base_url=base_url)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in docnames or book.docnames:
        notebook = converter.convert(doc)
        path = out_dir / converter.notebook_name(doc)
        nbformat.write(notebook, path)
        paths.append(path)
    return paths, converter.warnings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--build", default="_build", help="the build folder (default _build)")
    parser.add_argument("--out", default=None, help="output folder (default BUILD/notebooks)")
    parser.add_argument("--base-url", default=os.environ.get("BOOK_URL") or None,
                        help="link to the website at this URL instead of to the notebooks "
                             "(default: $BOOK_URL, else relative links)")
    args = parser.parse_args(argv)
    out = args.out or str(Path(args.build) / "notebooks")
    paths, warnings = write_notebooks(args.build, out, base_url=args.base_url)
    for path in paths:
        print(path)
    for warning in warnings:
        print("warning:", warning, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
