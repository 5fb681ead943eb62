"""The student edition (``make student``): no solutions, no instructor pages, every exercise.

Unit tests (no marker) check the derivation in :mod:`bookkit.editions` on a
table of contents that has a "For instructors" part and on MyST text with both
forms of solution. The ``built`` tests compare the student site
(``_build/student/_build/html``, or ``STUDENT_HTML``) with the full site
(``_build/html``, or ``BOOK_HTML``), both built by ``make test``:

* no element of class ``solution`` and no sentence that only a solution of the
  full site contains appears in any student page, in its search index, or in the
  page sources it offers for download (``_sources/*.md`` and ``*.ipynb``);
* every exercise of the full site is in the student site, with the same id,
  number and title;
* no page of the "For instructors" part is built, and no page links to one.
"""
import copy
import functools
import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, in_ci, toc_pages

from bookkit.editions import INSTRUCTOR_CAPTIONS, strip_solutions, student_config, student_toc

FULL = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
STUDENT = Path(os.environ.get("STUDENT_HTML", ROOT / "_build" / "student" / "_build" / "html"))


# -- the derivation (unit tests) -----------------------------------------------------
def toc_with_instructors():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    toc = dict(toc, parts=[p for p in toc["parts"] if p.get("caption") not in INSTRUCTOR_CAPTIONS])
    toc["parts"].append({"caption": "For instructors",
                         "chapters": [{"file": "instructors/lstm"},
                                      {"file": "instructors/gru", "sections": [
                                          {"file": "instructors/gru_demo"}]}]})
    return toc


def files(toc):
    found = []

    def walk(entries):
        for entry in entries or []:
            found.append(entry.get("file"))
            walk(entry.get("sections"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return found


def test_student_toc_drops_the_instructor_part_and_keeps_the_rest():
    toc = toc_with_instructors()
    student = student_toc(toc)
    assert [p["caption"] for p in student["parts"]] == [
        p["caption"] for p in toc["parts"] if p["caption"] != "For instructors"]
    assert not [f for f in files(student) if f.startswith("instructors/")]
    assert files(student) == [f for f in files(toc) if not f.startswith("instructors/")]
    assert student["root"] == toc["root"]
    assert any(p["caption"] == "For instructors" for p in toc["parts"])  # not modified


def test_student_toc_rejects_what_is_not_a_book_toc():
    with pytest.raises(ValueError, match="jb-book"):
        student_toc(["chapters/intro"])
    with pytest.raises(TypeError, match="'parts' to be a list"):
        student_toc({"root": "intro", "parts": "Chapters"})


def test_student_config_hides_solutions_and_reads_the_cache(tmp_path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    student = student_config(config, ROOT, tmp_path / "cache")
    assert student["sphinx"]["config"]["hide_solutions"] is True
    assert "bookkit.editions" in student["sphinx"]["extra_extensions"]
    assert student["execute"]["execute_notebooks"] == "cache"
    assert student["execute"]["cache"] == str((tmp_path / "cache").resolve())
    for path in student["sphinx"]["local_extensions"].values():
        assert Path(path).is_absolute() and Path(path).is_dir()
    # everything else is the book's own configuration
    assert student["sphinx"]["config"]["mathjax_path"] == config["sphinx"]["config"]["mathjax_path"]
    assert "hide_solutions" not in config["sphinx"]["config"]          # a copy
    assert student["title"].startswith(config["title"]) and "student" in student["title"]


MYST = """---
jupytext:
  text_representation: {format_name: myst}
---
# Title

```{exercise} Count
:label: ex-a

How many?
```

```{solution} ex-a
:class: dropdown

SECRET-ONE is the answer.
```

````{exercise} Run it
:label: ex-b

```python
print(1)
```
````

````{solution-start} ex-b
:class: dropdown
````

SECRET-TWO explains it.

```{code-cell} ipython3
print("SECRET-THREE")
```

````{solution-end}
````

After the exercises.
"""


def test_strip_solutions_removes_both_forms_and_keeps_the_exercises():
    out = strip_solutions(MYST)
    assert "SECRET" not in out and "{solution" not in out
    for kept in ("{exercise} Count", "How many?", "{exercise} Run it", "print(1)",
                 "After the exercises.", "jupytext:"):
        assert kept in out


def test_strip_solutions_refuses_unbalanced_gates():
    with pytest.raises(ValueError, match="no {solution-end}"):
        strip_solutions("````{solution-start} ex\n````\n\ntext\n")
    with pytest.raises(ValueError, match="without a start"):
        strip_solutions("````{solution-end}\n````\n")
    with pytest.raises(ValueError, match="left after stripping"):
        strip_solutions(":::::{note}\n```{solution} ex\nhidden\n```\n:::::\n")


# -- the built sites ------------------------------------------------------------------
def _need(path):
    if not (path / "index.html").is_file():
        message = f"no built site at {path}: run `make test` (or `make book` and `make student`)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


@functools.lru_cache(maxsize=None)
def _html(path):
    """The page without its saved widget state (megabytes of JSON, slow to parse)."""
    return re.sub(r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>',
                  "", path.read_text(encoding="utf-8"), flags=re.S)


@functools.lru_cache(maxsize=None)
def _parsed(path):
    import bs4
    return bs4.BeautifulSoup(_html(path), "html.parser")


def _soup(path):
    return copy.copy(_parsed(path))


def _text(node):
    return re.sub(r"\s+", " ", node.get_text(" ")).strip()


def _pages(site):
    return sorted(p.relative_to(site) for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith("_"))


@pytest.fixture(scope="module")
def sites():
    return _need(FULL), _need(STUDENT)


def _instructor_docs():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    instructors = {"parts": [p for p in toc.get("parts") or []
                             if p.get("caption") in INSTRUCTOR_CAPTIONS]}
    return [str(Path(f).with_suffix("")) for f in files(instructors)]


@pytest.mark.built
def test_no_solution_in_the_student_site(sites):
    full, student = sites
    checked = 0
    for page in _pages(full):
        if not (student / page).is_file():
            continue
        full_soup = _soup(full / page)
        solutions = full_soup.select("div.solution")
        student_soup = _soup(student / page)
        assert not student_soup.select(".solution, #solution-content"), page
        if not solutions:
            continue
        texts = [_text(s) for s in solutions]
        for s in solutions:
            s.decompose()
        rest = _text(full_soup)
        student_text = _text(student_soup)
        download = student / "_sources" / page.with_suffix(".ipynb")
        if download.is_file():                     # the notebook in the download menu
            import nbformat
            cells = nbformat.read(download, as_version=4).cells
            student_text += " " + re.sub(r"\s+", " ", " ".join(
                c.source for c in cells if c.cell_type == "markdown"))
        for text in texts:
            # sentences of the solution that the rest of the full page does not have
            own = [s for s in re.split(r"(?<=[.!?:])\s+", text)
                   if len(s) >= 30 and s not in rest]
            assert own, f"{page}: a solution with no sentence of its own: {text[:80]!r}"
            shown = [s for s in own if s in student_text]
            assert not shown, f"{page}: solution text in the student edition: {shown}"
            checked += 1
    assert checked >= 10, f"only {checked} solutions found in the full site {full}"


@pytest.mark.built
def test_no_solution_in_downloads_or_search(sites):
    _, student = sites
    sources = [p for p in (student / "_sources").rglob("*") if p.is_file()]
    assert any(p.suffix == ".ipynb" for p in sources), "no .ipynb downloads in the student site"
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert "{solution" not in text, f"{path.relative_to(student)} still has a solution"
    index = (student / "searchindex.js").read_text(encoding="utf-8")
    assert "Solution to" not in index


def _student_docs():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [d for d in toc_pages(ROOT / "_toc.yml") if d not in _instructor_docs()] \
        if student_toc(toc) else []


@pytest.mark.built
def test_every_exercise_is_in_the_student_site(sites):
    full, student = sites
    total = 0
    for doc in _student_docs():
        page = doc + ".html"
        assert (student / page).is_file(), f"{page} is missing from the student edition"
        exercises = [(d.get("id"), _text(d.select_one(".admonition-title")))
                     for d in _soup(full / page).select("div.exercise")]
        assert [(d.get("id"), _text(d.select_one(".admonition-title")))
                for d in _soup(student / page).select("div.exercise")] == exercises, page
        total += len(exercises)
    assert total >= 20, f"only {total} exercises in {full}"


@pytest.mark.built
def test_no_instructor_page_in_the_student_site(sites):
    _, student = sites
    instructor_pages = {d + ".html" for d in _instructor_docs()}
    present = sorted(p for p in instructor_pages if (student / p).exists())
    assert not present, f"instructor pages in the student edition: {present}"
    for doc in _student_docs():
        page = doc + ".html"
        links = {a.get("href", "").split("#")[0] for a in _soup(student / page).select("a")}
        bad = {h for h in links if h and not h.startswith(("http:", "https:", "mailto:"))
               and os.path.normpath(Path(page).parent / h) in instructor_pages}
        assert not bad, f"{page} links to instructor pages: {bad}"


def test_extension_removes_both_forms_of_solution_in_a_small_sphinx_build(tmp_path):
    """The student extension on a two-exercise MyST page, built by Sphinx itself."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "extensions = ['myst_parser', 'sphinx_exercise', 'bookkit.editions']\n"
        "myst_enable_extensions = ['colon_fence']\nhide_solutions = True\n", encoding="utf-8")
    (src / "index.md").write_text(MYST.split("---\n", 2)[2].replace(
        "```{code-cell} ipython3", "```python") + """
```{only} not student
FULL-BOOK-ONLY sentence.
```
""", encoding="utf-8")
    app = Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"),
                 "html", status=None, warning=None, freshenv=True)
    app.build()
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "How many?" in page and "After the exercises." in page
    assert page.count('class="exercise') == 2
    for secret in ("SECRET-ONE", "SECRET-TWO", "SECRET-THREE", "FULL-BOOK-ONLY"):
        assert secret not in page
    source = (tmp_path / "out" / "_sources" / "index.md.txt").read_text(encoding="utf-8")
    assert "SECRET" not in source and "{exercise} Count" in source
