"""The built website, in headless Chromium, with the network cut off.

Every page of ``_toc.yml`` must load with no request leaving the machine and
no console error, typeset all its math with the local MathJax, and offer the
chapter as a ``.ipynb`` that the server actually has. The intro's slider
must render from its saved widget state and work without a kernel.
"""
import json
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import is_notebook, toc_pages

pytestmark = pytest.mark.browser

PAGES = toc_pages()

# Text nodes inside these elements are code or already-typeset math, not prose.
VISIBLE_RAW_TEX = """() => {
  const skip = new Set(['PRE', 'CODE', 'SCRIPT', 'STYLE', 'TEXTAREA', 'MJX-CONTAINER']);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let el = node.parentElement, inside = false;
    for (; el; el = el.parentElement) { if (skip.has(el.tagName)) { inside = true; break; } }
    if (inside) continue;
    for (const mark of ['$$', '\\\\(', '\\\\)', '\\\\[', '\\\\]', '\\\\begin{']) {
      if (node.textContent.includes(mark)) found.push(node.textContent.trim().slice(0, 80));
    }
  }
  return found;
}"""


def html_path(doc):
    return f"{doc}.html"


def test_toc_lists_intro_first_and_references_last():
    assert PAGES[0] == "chapters/intro"
    assert PAGES[-1] == "chapters/references"


def test_every_toc_page_was_built(site_dir):
    missing = [doc for doc in PAGES if not (site_dir / html_path(doc)).is_file()]
    assert not missing, f"in _toc.yml but not built: {missing}"


@pytest.mark.parametrize("doc", PAGES)
def test_page_loads_offline_without_errors(offline_page, doc):
    offline_page.goto(html_path(doc))
    offline_page.assert_clean()


@pytest.mark.parametrize("doc", PAGES)
def test_math_is_typeset(offline_page, doc):
    page = offline_page.goto(html_path(doc))
    n_math = page.locator(".math").count()
    if n_math == 0:
        pytest.skip(f"{doc} has no math")
    untypeset = page.evaluate(
        "() => [...document.querySelectorAll('.math')]"
        ".filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80))")
    assert not untypeset, f"{doc}: math not typeset: {untypeset}"
    n_typeset = page.locator("mjx-container").count()
    assert n_typeset >= n_math, f"{doc}: {n_math} formulas but {n_typeset} typeset"
    assert page.locator("mjx-merror").count() == 0, f"{doc}: MathJax reported a TeX error"
    raw = page.evaluate(VISIBLE_RAW_TEX)
    assert not raw, f"{doc}: raw TeX delimiters left in the text: {raw}"
    # MathJax's CHTML web fonts were loaded, from the site's own copy
    fonts = page.evaluate(
        "() => performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('MathJax_') && n.includes('.woff'))")
    assert fonts, f"{doc}: MathJax loaded no web font"
    assert all("/_static/vendor/mathjax/output/chtml/fonts/" in f for f in fonts), fonts
    offline_page.assert_clean()


@pytest.mark.parametrize("doc", PAGES)
def test_download_button_offers_the_notebook(offline_page, doc):
    if not is_notebook(doc):
        pytest.skip(f"{doc} is a plain Markdown page (no kernelspec): no .ipynb")
    page = offline_page.goto(html_path(doc), wait_for_math=False)
    link = page.locator('.dropdown-download-buttons a[href$=".ipynb"]')
    assert link.count() == 1, f"{doc}: no .ipynb entry in the download menu"
    url = urljoin(page.url, link.get_attribute("href"))
    response = page.request.get(url)
    assert response.status == 200, f"{url}: HTTP {response.status}"
    notebook = json.loads(response.text())
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert notebook["cells"], f"{url} has no cells"
    # the button opens the menu, and the entry is then visible and labelled
    page.locator(".dropdown-download-buttons > button").click()
    assert link.is_visible()
    assert ".ipynb" in link.inner_text()
    offline_page.assert_clean()


def test_index_redirects_to_intro(offline_page, server_url):
    page = offline_page.page
    page.goto(server_url + "index.html")
    page.wait_for_url("**/chapters/intro.html")
    page.wait_for_load_state("load")
    offline_page.settle()
    offline_page.assert_clean()


def test_intro_slider_renders_and_moves_without_a_kernel(offline_page):
    """The Stack of precomputed panels follows the slider through jslink, in the browser."""
    page = offline_page.goto("chapters/intro.html")
    assert page.locator(".widget-slider").count() == 1, "the intro's IntSlider was not rendered"
    handle = page.locator(".widget-slider .noUi-handle")
    last = int(float(handle.get_attribute("aria-valuemax")))
    assert last > 2, f"expected a slider over several time steps, max is {last}"

    def shown_step():
        visible = [f.get_attribute("data-step")
                   for f in page.locator(".intro-frame").all() if f.is_visible()]
        assert len(visible) == 1, f"exactly one panel should be visible, got {visible}"
        return int(visible[0])

    def wait_for_step(step):
        page.wait_for_function(
            """step => [...document.querySelectorAll('.intro-frame')]
                 .some(f => f.dataset.step === String(step) && f.offsetParent !== null)""",
            arg=step)

    assert shown_step() == 0
    handle.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    wait_for_step(3)
    assert shown_step() == 3
    assert page.locator(".widget-slider .widget-readout").inner_text().strip() == "3"
    page.keyboard.press("End")
    wait_for_step(last)
    assert shown_step() == last
    offline_page.assert_clean()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def _parse(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("doc", PAGES)
def test_internal_links_resolve(site_dir, doc):
    """Links between pages and to anchors point at files and ids that exist."""
    page_path = site_dir / html_path(doc)
    broken = []
    for href in _parse(page_path).hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
            continue  # external links are checked by nobody here (no network)
        target = (page_path.parent / parts.path).resolve() if parts.path else page_path
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(href)
        elif parts.fragment and target.suffix == ".html":
            if parts.fragment not in _parse(target).ids:
                broken.append(href)
    assert not broken, f"{doc}: broken links {broken}"
