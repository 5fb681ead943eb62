"""Chinese text in an English book: language tags and site search.

The glossary (chapters/glossary.md) gives every term in English and in
简体中文. Two things make that Chinese work on the site:

- **Language of parts.** Every run of Chinese characters in the text is wrapped
  in ``<span lang="zh-Hans">`` (docutils writes a ``language-*`` class as a
  ``lang`` attribute), so screen readers switch voice and browsers choose
  Simplified Chinese glyphs (WCAG 2.1 SC 3.1.2). Code, math and raw HTML are
  left alone.
- **Search.** Sphinx's English index splits text at non-word characters, so a
  Chinese term standing on its own (梯度消失, 遗忘门) is indexed as one word,
  and its search page also finds any query of three or more characters inside
  a longer Chinese word (partial matches). Two-character words (梯度, 状态)
  would be found only where they stand alone; this adds every two-character
  piece of a longer Chinese word to the index as well, the usual bigram
  indexing of CJK text. English words are indexed exactly as before.
"""
import re

from docutils import nodes
from sphinx.search.en import SearchEnglish
from sphinx.transforms import SphinxTransform

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CHINESE = re.compile(f"[{HAN}][{HAN}\u3000-\u303f\uff00-\uffef]*")
HAN_RUN = re.compile(f"[{HAN}]+")
LANG_CLASS = "language-zh-Hans"
SKIP = (nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.raw,
        nodes.comment, nodes.target)


class TagChinese(SphinxTransform):
    """Wrap runs of Chinese characters in an inline node with lang="zh-Hans"."""

    default_priority = 900

    def apply(self, **kwargs):
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if parent is None or not CHINESE.search(text):
                continue
            if LANG_CLASS in parent.get("classes", []):
                continue
            if any(isinstance(a, SKIP) for a in _ancestors(text)):
                continue
            pieces, last = [], 0
            for match in CHINESE.finditer(text):
                if match.start() > last:
                    pieces.append(nodes.Text(text[last:match.start()]))
                pieces.append(nodes.inline(match.group(), match.group(), classes=[LANG_CLASS]))
                last = match.end()
            if last < len(text):
                pieces.append(nodes.Text(text[last:]))
            parent.replace(text, pieces)


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


class SearchEnglishChinese(SearchEnglish):
    """Sphinx's English search, plus the two-character pieces of Chinese words."""

    def split(self, input):
        words = super().split(input)
        pieces = []
        for word in words:
            for run in HAN_RUN.findall(word):
                if len(run) > 2:
                    pieces += [run[i:i + 2] for i in range(len(run) - 1)]
        return words + pieces


def setup(app):
    app.add_transform(TagChinese)
    app.add_search_language(SearchEnglishChinese)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
