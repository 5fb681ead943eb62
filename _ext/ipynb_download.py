"""Offer every chapter as a student ``.ipynb`` in the page's download menu.

sphinx-book-theme puts a ``.ipynb`` entry in the download menu of a Markdown
notebook page only when a launch button (Binder, JupyterHub, Colab, thebe) is
configured, and every one of those needs the URL of a public GitHub
repository. This extension does it for every notebook page regardless.

The notebook is the one ``make notebooks`` writes (``bookkit.notebooks``): no
MyST syntax left, glued values as the numbers of this build, exercises as
numbered headings, solutions at the end, equation numbers and citations as on
the site, no outputs. It is written to ``_sources/<page>.ipynb`` and the theme
is told where it is. Links to other pages go to the website when
``html_baseurl`` (or ``BOOK_URL`` in the environment) is set, else to the
other notebooks by relative path. With sphinx-exercise's ``hide_solutions``
(the student edition) the notebooks leave the solutions out too.
"""
import os
from pathlib import Path

import nbformat
from sphinx.util import logging

from bookkit.notebooks import BookData, NotebookConverter

logger = logging.getLogger(__name__)


def _converter(app):
    # One per build: the environment is complete once pages are written.
    if getattr(app, "_student_notebooks", None) is None:
        base_url = os.environ.get("BOOK_URL") or app.config.html_baseurl or None
        drop = bool(getattr(app.config, "hide_solutions", False))  # sphinx-exercise's switch
        app._student_notebooks = NotebookConverter(BookData.from_sphinx(app), base_url=base_url,
                                                   drop_solutions=drop)
    return app._student_notebooks


def add_ipynb_source(app, pagename, templatename, context, doctree):
    if doctree is None or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return  # not a notebook page (search, genindex, ...)
    converter = _converter(app)
    converter.warnings.clear()
    notebook = converter.convert(pagename, source=app.env.doc2path(pagename))
    for warning in converter.warnings:   # the notebook tests fail on what is left
        logger.info(f"student notebook: {warning}")
    target = Path(app.outdir, "_sources", pagename + ".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = pagename + ".ipynb"


def setup(app):
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", add_ipynb_source, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
