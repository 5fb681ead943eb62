"""The handouts (``make pdf``): one PDF per chapter, printed from the student edition.

``built`` tests read ``_build/pdf`` (or ``PDF_DIR``) with poppler's ``pdfinfo``
and ``pdftotext`` and compare it with the student site it was printed from
(``_build/student/_build/html``, or ``STUDENT_HTML``):

* every chapter of the numbered part has a PDF;
* its page count is plausible for the amount of text on the page (between
  one page per 5000 and one per 1000 characters of the article's text);
* it contains the chapter's title and every section heading, in order;
* it has no solution, and a chapter with sliders says it has an interactive version.

A ``browser`` test checks that the "interactive figure" line of the print
stylesheet appears only in print, not on screen.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, in_ci

from bookkit.handouts import chapters_of

PDFS = Path(os.environ.get("PDF_DIR", ROOT / "_build" / "pdf"))
STUDENT = Path(os.environ.get("STUDENT_HTML", ROOT / "_build" / "student" / "_build" / "html"))
TOC = ROOT / "_toc.yml"
CHARS_PER_PAGE = (1000, 5000)


def _need(condition, message):
    if not condition:
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def _poppler(tool, *args):
    _need(shutil.which(tool), f"{tool} is missing (apt-get install -y poppler-utils)")
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def _norm(text):
    text = text.replace("\u00ad", "").replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def _chapters():
    return chapters_of(yaml.safe_load(TOC.read_text(encoding="utf-8")))


def test_chapters_of_reads_the_numbered_part():
    toc = {"root": "intro", "parts": [
        {"caption": "Chapters", "numbered": True,
         "chapters": [{"file": "chapters/a.md"}, {"file": "chapters/b",
                                                  "sections": [{"file": "chapters/b1"}]}]},
        {"caption": "For instructors", "chapters": [{"file": "instructors/a"}]}]}
    assert chapters_of(toc) == ["chapters/a", "chapters/b", "chapters/b1"]
    with pytest.raises(ValueError, match="numbered: true"):
        chapters_of({"root": "intro", "chapters": [{"file": "a"}]})


@pytest.fixture(scope="module")
def printed():
    _need((PDFS).is_dir() and any(PDFS.glob("*.pdf")),
          f"no PDFs in {PDFS}: run `make pdf` (make test does)")
    _need((STUDENT / "index.html").is_file(), f"no student site at {STUDENT}")
    return PDFS


@pytest.mark.built
@pytest.mark.parametrize("chapter", _chapters())
def test_handout_exists_with_plausible_pages_and_every_heading(printed, chapter):
    import bs4

    pdf = printed / (Path(chapter).name + ".pdf")
    assert pdf.is_file(), f"{pdf} is missing"
    pages = int(re.search(r"^Pages:\s+(\d+)", _poppler("pdfinfo", str(pdf)), re.M).group(1))
    soup = bs4.BeautifulSoup((STUDENT / (chapter + ".html")).read_text(encoding="utf-8"),
                             "html.parser")
    article = soup.select_one("article.bd-article")
    chars = len(_norm(article.get_text(" ")))
    low, high = chars / CHARS_PER_PAGE[1], chars / CHARS_PER_PAGE[0]
    assert max(1, low) <= pages <= high, \
        f"{pdf.name}: {pages} pages for {chars} characters (expected {low:.0f} to {high:.0f})"

    text = _norm(_poppler("pdftotext", "-layout", str(pdf), "-"))
    flat = _norm(_poppler("pdftotext", str(pdf), "-"))
    headings = []
    for h in article.select("h1, h2, h3"):
        if h.select(".math") or h.find_parent(class_=["exercise", "admonition"]):
            continue                                  # typeset math reads differently as text
        for link in h.select("a.headerlink"):
            link.decompose()
        headings.append(_norm(h.get_text(" ")))
    assert len(headings) >= 5, headings
    position = 0
    for heading in headings:
        heading_words = re.sub(r"^[\d.]+\s*", "", heading)   # the printed title has no number
        found = flat.find(heading_words, position)
        if found < 0:
            found = text.find(heading_words, position)
        assert found >= 0, f"{pdf.name}: heading {heading!r} not found (in order)"
        position = found
    assert "Solution to" not in flat, f"{pdf.name} has a solution"
    if soup.find("script", type="application/vnd.jupyter.widget-view+json"):
        assert "Interactive figure" in flat, f"{pdf.name} does not say it has sliders"


@pytest.mark.browser
def test_interactive_figure_line_is_for_paper_only(offline_page):
    page = offline_page.goto("chapters/vanishing.html")
    line = """() => getComputedStyle(document.querySelector(
        '.cell_output:has(> script[type="application/vnd.jupyter.widget-view+json"])'),
        '::before').content"""
    assert page.evaluate(line) in ("none", "normal", "")
    page.emulate_media(media="print")
    assert "Interactive figure" in page.evaluate(line)
    assert page.evaluate("() => getComputedStyle(document.querySelector("
                         "'.bd-sidebar-primary')).display") == "none"
    offline_page.assert_clean()
