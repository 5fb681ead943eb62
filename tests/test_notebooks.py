"""Student notebooks (bookkit/notebooks.py, `make notebooks`, the download button).

Without a build: the converter on a small made-up chapter (every construct the
book uses, numbers checked against the made-up build data), and every role and
directive the chapters use is one the converter knows.

Marker ``built`` (after `make test`'s clean build and `make notebooks`; the
folders are ``_build`` and ``_build/notebooks``, or ``BOOK_BUILD`` and
``NOTEBOOKS_DIR``): for every chapter, no MyST syntax left in a Markdown cell
(the book's own roles and directives listed by grepping the chapters), every
glued value present as the number the site shows, solutions only in the
"Solutions" section at the end, and a clean run with ``jupyter nbconvert
--execute`` from a temporary folder outside the repository with PYTHONPATH
unset (two chapters at a time).

Marker ``browser``: the site's download button serves these notebooks.
"""
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from conftest import toc_pages
from myst_nb.core.variables import format_plain_text

from bookkit.notebooks import (
    KNOWN_DIRECTIVES,
    KNOWN_ROLES,
    BookData,
    NotebookConverter,
    myst_leftovers,
)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
ROLE = re.compile(r"\{([A-Za-z][\w:.+-]*)\}`")
DIRECTIVE = re.compile(r"^\s*(?:`{3,}|:{3,})\s*\{([\w:.+-]+)\}", re.M)
GLUE_ROLE = re.compile(r"\{(glue(?::\w*)?)\}`([^`]+)`")
SOLUTION = re.compile(r"^(`{3,}|:{3,})\{(solution|solution-start)\}[^\n]*\n(.*?)^\1",
                      re.M | re.S)


def book_constructs():
    """{name: "file:line"} of every role and directive in the chapters' text
    (code cells' contents are Python, so they are skipped)."""
    found = {}
    for path in CHAPTERS:
        text = path.read_text(encoding="utf-8")
        prose = re.sub(r"(?ms)^```\{code-cell\}.*?^```", "", text)
        for pattern, kind in ((ROLE, "role"), (DIRECTIVE, "directive")):
            for m in pattern.finditer(prose):
                line = prose.count("\n", 0, m.start()) + 1
                found.setdefault((kind, m.group(1)), f"{path.name}:{line}")
    return found


# -- without a build: a small chapter --------------------------------------------
CHAPTER = '''---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

(ch)=
# A chapter

```{admonition} What you will learn
:class: tip

- one thing {cite}`cho2014`
```

% a comment the reader never sees

(sec-a)=
## A section

The gate is {glue:text}`gate:.2f` and the shape {glue:text}`shape`; see
{eq}`eq-a`, {ref}`the section <sec-a>`, {doc}`other` and {ref}`ex-b`.

```{math}
:label: eq-a
h = \\tanh(a)
```

$$ y = 2 $$ (eq-b)

```{literalinclude} ../rnnlib/gru.py
:pyobject: GRUCell.forward
:dedent: 4
```

```{literalinclude} ../rnnlib/unroll.py
:pyobject: run
```

```{literalinclude} ../rnnlib/bptt.py
:start-at: "def "
:end-at: return
```

```{code-cell} ipython3
:tags: [hide-input]

x = 1
```

## Exercises

```{exercise} Predict
:label: ex-a

What is $h$?
```

```{solution} ex-a
:class: dropdown

The answer is SECRET-ONE.
```

```{exercise}
:label: ex-b

Run it.
```

````{solution-start} ex-b
:class: dropdown
````

The answer is SECRET-TWO:

```{code-cell} ipython3
y = 2 * x
```

````{solution-end}
````

The end.
'''


@pytest.fixture
def tiny_book(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "rnnlib").symlink_to(ROOT / "rnnlib")   # literalinclude ../rnnlib/gru.py
    (tmp_path / "chapters" / "ch.md").write_text(CHAPTER, encoding="utf-8")
    (tmp_path / "references.bib").write_text(
        "@inproceedings{cho2014, author = {Cho, Kyunghyun and van Merri{\\\"e}nboer, Bart "
        "and Bengio, Yoshua}, title = {Learning phrase representations}, "
        "booktitle = {EMNLP}, year = {2014}}\n", encoding="utf-8")
    glue = tmp_path / "jupyter_execute" / "chapters"
    glue.mkdir(parents=True)
    (glue / "ch.glue.json").write_text(json.dumps({
        "gate": {"output_type": "display_data", "data": {"text/plain": "0.11920292"}},
        "shape": {"output_type": "display_data", "data": {"text/plain": "(6, 8)"}},
    }), encoding="utf-8")
    return BookData(
        srcdir=tmp_path, docnames=["chapters/ch"],
        titles={"chapters/ch": "A chapter", "chapters/other": "Other page"},
        labels={"ch": ("chapters/ch", "ch", "A chapter"),
                "sec-a": ("chapters/ch", "sec-a", "A section")},
        equations={"eq-a": ("chapters/ch", "3.1"), "eq-b": ("chapters/ch", "3.2")},
        exercises={"chapters/ch": [("ex-a", "3.1"), ("ex-b", "3.2")]},
        glue_folder=tmp_path / "jupyter_execute", bibfiles=[tmp_path / "references.bib"])


def markdown_of(notebook):
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def test_small_chapter_becomes_plain_markdown(tiny_book):
    converter = NotebookConverter(tiny_book)
    nb = converter.convert("chapters/ch")
    assert converter.warnings == []
    text = markdown_of(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert myst_leftovers(cell.source) == [], cell.source
    assert "0.12" in text and "(6, 8)" in text                # glued, formatted as the site
    assert "\\tag{3.1}" in text and "\\tag{3.2}" in text       # equation numbers
    assert "see\n(3.1)," in text                              # {eq}
    assert "\\[Cho et al., 2014\\]" in text                    # {cite}, author-year
    assert "## Works cited in this notebook" in text and "Merriënboer" in text
    assert "> **What you will learn**" in text                # admonition -> blockquote
    assert "comment" not in text
    assert "[the section](#A-section)" in text                # {ref} in the notebook
    assert "[Other page](other.ipynb)" in text                # {doc} -> other notebook
    assert "[Exercise 3.2](#Exercise-3.2)" in text
    assert "### Exercise 3.1\n\n**Predict**" in text            # numbered like the site
    assert "### Exercise 3.2" in text
    # solutions: only in the section at the end, the code cell with them
    sources = [c.source for c in nb.cells]
    start = sources.index("## Solutions")
    for secret in ("SECRET-ONE", "SECRET-TWO"):
        where = [i for i, s in enumerate(sources) if secret in s]
        assert where and min(where) > start, secret
    assert sources.index("y = 2 * x") > start
    assert "The end." in sources[start - 1] or any("The end." in s for s in sources[:start])
    # hide-input cells open collapsed in JupyterLab
    hidden = [c for c in nb.cells if c.source == "x = 1"][0]
    assert hidden.metadata["jupyter"] == {"source_hidden": True}
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_literalinclude_prints_the_installed_source(tiny_book):
    import inspect
    import textwrap

    nb = NotebookConverter(tiny_book).convert("chapters/ch")
    cells = [c for c in nb.cells if "getsource" in c.source]
    assert len(cells) == 3 and all(c.cell_type == "code" for c in cells)
    printed = []
    for cell in cells:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(cell.source, {})
        printed.append(out.getvalue().strip())
    import rnnlib.gru
    forward = textwrap.dedent(inspect.getsource(rnnlib.gru.GRUCell.forward))
    assert printed[0] == forward.strip()
    # rnnlib.unroll is also a function that the package exports: still the module's run
    run = sys.modules["rnnlib.unroll"].run
    assert printed[1] == textwrap.dedent(inspect.getsource(run)).strip()
    # :start-at: / :end-at: -> the lines of the file from the first "def " to "return"
    lines = (ROOT / "rnnlib" / "bptt.py").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "def " in line)
    end = next(i for i in range(start, len(lines)) if "return" in lines[i])
    assert printed[2] == "\n".join(lines[start:end + 1]).strip()


def test_links_go_to_the_website_with_a_base_url(tiny_book):
    nb = NotebookConverter(tiny_book, base_url="https://example.org/book/").convert(
        "chapters/ch")
    text = markdown_of(nb)
    assert "[Other page](https://example.org/book/chapters/other.html)" in text
    assert "(https://example.org/book/chapters/ch.html#sec-a)" in text
    assert "(https://example.org/book/chapters/ch.html#ex-b)" in text


def test_drop_solutions_leaves_them_out(tiny_book):
    nb = NotebookConverter(tiny_book, drop_solutions=True).convert("chapters/ch")
    text = "\n".join(c.source for c in nb.cells)
    assert "SECRET" not in text and "Solutions" not in text and "y = 2 * x" not in text


def test_unknown_constructs_are_reported(tiny_book):
    path = tiny_book.srcdir / "chapters" / "ch.md"
    path.write_text(CHAPTER + "\n```{mystery} x\nbody\n```\n\n{nope}`y` and "
                    "{glue:text}`missing`\n", encoding="utf-8")
    converter = NotebookConverter(tiny_book)
    converter.convert("chapters/ch")
    joined = "\n".join(converter.warnings)
    assert "directive {mystery}" in joined and "role {nope}" in joined
    assert "'missing' not found" in joined


def test_every_construct_the_book_uses_is_converted():
    """A role or directive the converter does not know fails here, with its place."""
    local = {p.stem for p in (ROOT / "_ext").glob("*.py") if "def markdown(" in p.read_text()}
    unknown = {f"{kind} {name} ({where})" for (kind, name), where in book_constructs().items()
               if name not in (KNOWN_ROLES if kind == "role" else KNOWN_DIRECTIVES | local)}
    assert not unknown, f"no notebook conversion for: {sorted(unknown)}"
    assert book_constructs(), "found no roles or directives at all: the grep is broken"


# -- the built notebooks -------------------------------------------------------------
def build_dir():
    if os.environ.get("BOOK_BUILD"):
        return Path(os.environ["BOOK_BUILD"])
    if os.environ.get("BOOK_HTML"):
        return Path(os.environ["BOOK_HTML"]).parent
    return ROOT / "_build"


def notebooks_dir():
    return Path(os.environ.get("NOTEBOOKS_DIR") or build_dir() / "notebooks")


# the pages of _toc.yml that are notebooks (every chapter has a kernelspec)
CHAPTER_DOCS = [Path(doc).name for doc in toc_pages()
                if "kernelspec:" in (ROOT / f"{doc}.md").read_text(encoding="utf-8")[:600]]


def load_notebook(name):
    path = notebooks_dir() / f"{name}.ipynb"
    if not path.is_file():
        pytest.fail(f"no {path}: run `make notebooks` (or `make test`) first", pytrace=False)
    return nbformat.read(path, as_version=4)


@pytest.mark.built
@pytest.mark.parametrize("name", CHAPTER_DOCS)
def test_no_myst_syntax_left(name):
    names = sorted({n for _kind, n in book_constructs()})
    assert "cite" in names and "exercise" in names   # the list is real
    nb = load_notebook(name)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        assert myst_leftovers(cell.source) == [], f"{name}: {cell.source[:300]}"
        for n in names:
            assert f"{{{n}}}`" not in cell.source, f"{name}: role {n} left"
            assert not re.search(r"^\s*(`{3,}|:{3,})\s*\{" + re.escape(n) + r"\}",
                                 cell.source, re.M), f"{name}: directive {n} left"
        assert not re.search(r"^\s*:(label|class|tags|dedent|pyobject):", cell.source, re.M)


def expected_glue(name):
    """(source text, formatted value) for every glue role of the chapter."""
    text = (ROOT / "chapters" / f"{name}.md").read_text(encoding="utf-8")
    path = build_dir() / "jupyter_execute" / "chapters" / f"{name}.glue.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    out = []
    for m in GLUE_ROLE.finditer(text):
        role, content = m.groups()
        key, fmt = (content.rsplit(":", 1) + [""])[:2] if role == "glue:text" else (content, "")
        if key not in data:
            out.append((m.group(0), None))
            continue
        mime = data[key]["data"]
        if role == "glue:md" and "text/markdown" in mime:
            out.append((m.group(0), mime["text/markdown"].strip()))
        else:
            out.append((m.group(0), format_plain_text(mime["text/plain"], fmt)))
    return out


@pytest.mark.built
@pytest.mark.parametrize("name", CHAPTER_DOCS)
def test_every_glued_value_is_the_number(name):
    text = markdown_of(load_notebook(name))
    glued = expected_glue(name)
    missing = [role for role, value in glued if value is None]
    assert not missing, f"{name}: glue keys not in the executed build: {missing}"
    absent = [(role, value) for role, value in glued if value not in text]
    assert not absent, f"{name}: glued values not in the notebook: {absent}"
    assert "{glue" not in text and "(missing:" not in text, name


@pytest.mark.built
@pytest.mark.parametrize("name", CHAPTER_DOCS)
def test_solutions_are_not_under_the_questions(name):
    source = (ROOT / "chapters" / f"{name}.md").read_text(encoding="utf-8")
    nb = load_notebook(name)
    cells = [c.source for c in nb.cells]
    n_solutions = len(re.findall(r"^(`{3,}|:{3,})\{(solution|solution-start)\}", source, re.M))
    headings = [i for i, s in enumerate(cells) if s.startswith("### Solution to Exercise")]
    assert len(headings) == n_solutions, f"{name}: {n_solutions} solutions, {len(headings)} moved"
    if not n_solutions:
        return
    start = cells.index("## Solutions")
    assert min(headings) > start
    # the first sentence of each solution appears only after the Solutions heading
    gated = re.findall(r"^(`{3,})\{solution-start\}[^\n]*\n(?::[^\n]*\n)*\1\n\n*([^\n]+)",
                       source, re.M)
    plain = [m.group(3) for m in SOLUTION.finditer(source)]
    firsts = [line for _, line in gated] + [
        next((ln for ln in body.splitlines() if ln.strip() and not ln.startswith(":")), "")
        for body in plain]
    for first in firsts:
        probe = first.strip()[:40]
        if not probe or "{" in probe or "`" in probe or "$" in probe:
            continue   # converted text differs from the source; the count above still holds
        where = [i for i, s in enumerate(cells) if probe in s]
        assert where and min(where) > start, f"{name}: solution text {probe!r} in plain view"


def _execute(name, workdir):
    """Run one notebook with nbconvert in workdir (outside the repository)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH")}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", OPENBLAS_NUM_THREADS="1")
    source = notebooks_dir() / f"{name}.ipynb"
    target = Path(workdir) / f"{name}.ipynb"
    target.write_bytes(source.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--inplace", "--ExecutePreprocessor.timeout=300", target.name],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=900)
    return result, target


@pytest.fixture(scope="module")
def executed():
    """Every chapter notebook run once, two at a time, each in its own temp folder."""
    for name in CHAPTER_DOCS:
        load_notebook(name)   # fail early and clearly if not generated
    # pages without code (references, glossary) need no kernel: checked as "ran" below
    runnable = [name for name in CHAPTER_DOCS
                if any(c.cell_type == "code" for c in load_notebook(name).cells)]
    with tempfile.TemporaryDirectory(prefix="student-notebooks-") as tmp:
        folders = {name: Path(tmp, name) for name in runnable}
        for folder in folders.values():
            folder.mkdir()
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {name: pool.submit(_execute, name, folders[name]) for name in runnable}
            results = {}
            for name, future in futures.items():
                result, target = future.result()
                notebook = nbformat.read(target, as_version=4) if target.is_file() else None
                results[name] = (result, notebook)
        yield results


@pytest.mark.built
@pytest.mark.parametrize("name", CHAPTER_DOCS)
def test_runs_top_to_bottom_from_another_folder(executed, name):
    if name not in executed:
        assert not any(c.cell_type == "code" for c in load_notebook(name).cells)
        return
    result, notebook = executed[name]
    assert result.returncode == 0, f"{name}: nbconvert failed:\n{result.stderr[-3000:]}"
    errors = [(cell.source[:80], out.get("ename"), out.get("evalue"))
              for cell in notebook.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors, f"{name}: error outputs {errors}"
    ran = [c for c in notebook.cells if c.cell_type == "code"
           and "skip-execution" not in c.metadata.get("tags", [])]
    assert all(c.get("execution_count") for c in ran), f"{name}: not every cell ran"


# -- the website's download button ---------------------------------------------------
@pytest.mark.browser
def test_download_button_serves_the_student_notebook(offline_page):
    page = offline_page.goto("chapters/gru.html", wait_for_math=False)
    link = page.locator('.dropdown-download-buttons a[href$=".ipynb"]')
    assert link.count() == 1
    response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + link.get_attribute("href"))
    assert response.status == 200
    notebook = nbformat.reads(response.text(), as_version=4)
    text = markdown_of(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            assert myst_leftovers(cell.source) == [], cell.source[:300]
    assert "{glue" not in text and "{cite}" not in text and ":label:" not in text
    glued = [value for _, value in expected_glue("gru") if value]
    assert glued and all(value in text for value in glued)
    assert re.search(r"\\tag\{3\.1\}", text), "equation numbers as on the site"
    assert "### Exercise 3.1" in text and "## Solutions" in text
    offline_page.assert_clean()
