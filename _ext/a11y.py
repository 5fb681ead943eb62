"""Accessibility fixes for HTML that the book's tools emit (issue 13).

Each one removes a WCAG 2.1 A/AA violation that axe-core found on the built
pages and that the book's own files cannot avoid:

* docutils writes bibliography entries as ``role="doc-biblioentry"`` inside a
  ``role="list"``; that DPUB-ARIA role is deprecated (axe:
  aria-deprecated-role) and leaves the list without list items (axe:
  aria-required-children). They become ``role="listitem"``.
* myst-nb names the summary of every hidden code cell "Toggle hidden
  content" while it shows "Show code cell source" (axe:
  label-content-name-mismatch); without the aria-label the summary is named by
  the text it shows.
* pydata-sphinx-theme's theme switcher and search field buttons have the same
  mismatch; ``a11y_templates/`` overrides those two components (copies of the
  theme's 0.17.1 templates, with the names fixed).

* The theme makes wide code blocks focusable (so the keyboard can scroll
  them) only if they are visible when it looks; ``assets/a11y.js``, added to
  every page here, makes it look again when a hidden cell or solution opens.

tests/test_a11y.py runs axe on every page and fails if any of these comes back.
"""
from pathlib import Path

BODY_FIXES = [
    (' role="doc-biblioentry"', ' role="listitem"'),
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
]


def add_templates(app, config):
    path = str(Path(__file__).with_name("a11y_templates"))
    if path not in config.templates_path:
        config.templates_path.insert(0, path)


def fix_body(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body:
        return
    for old, new in BODY_FIXES:
        body = body.replace(old, new)
    context["body"] = body


def setup(app):
    app.connect("config-inited", add_templates)
    app.connect("html-page-context", fix_body)
    app.add_js_file("a11y.js")          # assets/a11y.js (assets/ is html_static_path)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
