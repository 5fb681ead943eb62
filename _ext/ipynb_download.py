"""Offer every chapter as a ``.ipynb`` in the page's download menu.

sphinx-book-theme puts a ``.ipynb`` entry in the download menu of a Markdown
notebook page only when a launch button (Binder, JupyterHub, Colab, thebe) is
configured, and every one of those needs the URL of a public GitHub
repository. This extension does it for every notebook page regardless: it
converts the chapter's MyST source with jupytext into
``_sources/<page>.ipynb``, a notebook with no outputs that opens in Jupyter
with the book's kernel, and tells the theme where it is.
"""
from pathlib import Path

import jupytext


def add_ipynb_source(app, pagename, templatename, context, doctree):
    if doctree is None or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return  # not a notebook page (search, genindex, ...)
    notebook = jupytext.read(app.env.doc2path(pagename))
    notebook.metadata.pop("jupytext", None)  # a plain notebook, not paired to the .md
    target = Path(app.outdir, "_sources", pagename + ".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target, fmt="ipynb")
    context["ipynb_source"] = pagename + ".ipynb"


def setup(app):
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", add_ipynb_source, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
