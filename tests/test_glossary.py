"""The bilingual glossary (chapters/glossary.md) on the built site.

Searching the site's own search page for a Chinese term finds the glossary,
English search still finds the chapters, every link in the glossary resolves,
and the Chinese text is marked ``lang="zh-Hans"`` (_ext/chinese.py).
"""
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = "chapters/glossary.html"
HAN = re.compile("[\u4e00-\u9fff]")


def search(offline_page, query):
    """Run the site's search page for ``query``; the result pages' paths."""
    page = offline_page.goto("search.html?q=" + quote(query), wait_for_math=False,
                             wait_for_widgets=False)
    # searchtools.js writes the summary line when it has finished
    page.wait_for_selector("#search-results p.search-summary")
    hrefs = page.eval_on_selector_all("#search-results ul.search li > a",
                                      "links => links.map(a => a.getAttribute('href'))")
    offline_page.assert_clean()
    return [urlsplit(h).path.lstrip("./") for h in hrefs]


@pytest.mark.browser
@pytest.mark.parametrize("query", ["梯度消失", "遗忘门", "梯度", "重置门"])
def test_chinese_search_finds_the_glossary(offline_page, query):
    assert GLOSSARY in search(offline_page, query), query


@pytest.mark.browser
@pytest.mark.parametrize("query, page", [("vanishing", "chapters/vanishing.html"),
                                         ("forget_bias", "chapters/lstm.html"),
                                         ("truncated", "chapters/bptt.html")])
def test_english_search_still_finds_the_chapters(offline_page, query, page):
    assert page in search(offline_page, query), query


def _search_index(site_dir):
    text = (site_dir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


@pytest.mark.browser
def test_search_index_has_the_chinese_terms(site_dir):
    index = _search_index(site_dir)
    glossary = index["docnames"].index("chapters/glossary")
    for term in ("梯度消失", "梯度爆炸", "遗忘门", "输入门", "输出门", "更新门", "重置门",
                 "隐藏状态", "细胞状态", "梯度裁剪", "雅可比矩阵"):
        docs = index["terms"].get(term)
        docs = [docs] if isinstance(docs, int) else docs or []
        assert glossary in docs, f"{term} is not indexed for the glossary"


class _Page(HTMLParser):
    """Links, ids, glossary terms and lang attributes of one built page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.ids, self.terms, self.zh_text = [], set(), 0, []
        self._stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "dt" and (attrs.get("id") or "").startswith("term-"):
            self.terms += 1
        if tag not in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            self._stack.append(attrs.get("lang"))

    def handle_endtag(self, tag):
        if tag not in ("br", "img", "input", "meta", "link", "hr", "wbr") and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if HAN.search(data):
            self.zh_text.append((data.strip(), "zh-Hans" in self._stack))


def _parse(path):
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.browser
def test_every_glossary_link_resolves(site_dir):
    page_path = site_dir / GLOSSARY
    glossary = _parse(page_path)
    chapter_links = [h for h in glossary.hrefs if re.match(r"(\./)?\w+\.html", h)
                     and not h.startswith(("glossary", "./glossary"))]
    assert len(chapter_links) >= 45, f"only {len(chapter_links)} links to the chapters"
    broken = []
    for href in glossary.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        target = (page_path.parent / parts.path).resolve() if parts.path else page_path
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(href)
        elif parts.fragment and target.suffix == ".html" and parts.fragment not in _parse(
                target).ids:
            broken.append(href)
    assert not broken, f"broken glossary links: {broken}"


@pytest.mark.browser
def test_glossary_terms_and_language_tags(site_dir):
    glossary = _parse(site_dir / GLOSSARY)
    assert glossary.terms >= 100, f"{glossary.terms} glossary terms (English and Chinese)"
    untagged = [text for text, tagged in glossary.zh_text if not tagged]
    assert not untagged, f"Chinese text without lang=zh-Hans: {untagged[:5]}"


def test_every_glossary_entry_has_a_chinese_name_and_a_link():
    """Source check: each entry's term lines include Chinese; each definition links."""
    text = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\{glossary\}\n(.*?)```", text, flags=re.S)
    assert blocks, "no glossary directive in chapters/glossary.md"
    entries = 0
    for block in blocks:
        for entry in re.split(r"\n\s*\n", block.strip()):
            lines = entry.splitlines()
            terms = [ln for ln in lines if ln and not ln.startswith(" ")]
            definition = " ".join(ln.strip() for ln in lines if ln.startswith(" "))
            assert any(HAN.search(t) for t in terms), f"no Chinese name: {terms}"
            assert any(not HAN.search(t) for t in terms), f"no English name: {terms}"
            assert "{ref}`" in definition, f"no link to a section: {terms}"
            entries += 1
    assert entries >= 45, entries
