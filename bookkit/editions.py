"""The student edition: the same book, without solutions and without the instructor part.

Everything is derived from the book's own ``_config.yml`` and ``_toc.yml`` at
build time, so the two editions cannot drift apart:

* :func:`student_toc` drops the part whose caption is "For instructors";
* :func:`student_config` sets sphinx-exercise's ``hide_solutions``, loads this
  module as a Sphinx extension (see below) and reads executed outputs from a
  jupyter-cache instead of running the chapters again;
* :func:`seed_cache` fills that cache from notebooks a build has just executed
  (``_build/jupyter_execute``), so ``make student`` after ``make test`` or
  ``make book`` executes nothing. jupyter-cache matches a notebook by the hash
  of its code cells, so an executed notebook is only ever reused for exactly
  the code it ran; anything else is executed as usual.

Why an extension on top of ``hide_solutions``: in sphinx-exercise 1.2.1,
``hide_solutions`` makes ``{solution}`` return nothing, but ``{solution-start}``
also returns nothing, so the merge of the gated form never happens and
everything between ``{solution-start}`` and ``{solution-end}`` (text and code
cells) stays on the page, in plain view. :func:`setup` replaces the directive by
a marker and removes the marker, everything after it and the end marker. It
also strips the solutions from the page sources the site offers for download
(``_sources/*.md`` and the ``.ipynb`` made by ``_ext/ipynb_download.py``), and
sets the Sphinx tag ``student``, so a sentence that is only true of the full
book can be written inside ``{only} not student``.

Command line (used by ``make student``)::

    python -m bookkit.editions student OUT_DIR [--executed DIR] [--cache DIR]

writes ``OUT_DIR/_config.yml`` and ``OUT_DIR/_toc.yml`` and seeds the cache.
"""
import argparse
import copy
import os
import sys
from pathlib import Path

from docutils import nodes

INSTRUCTOR_CAPTIONS = ("For instructors",)
TITLE_SUFFIX = " (student edition: no solutions)"


# -- configuration -------------------------------------------------------------
def student_toc(toc, drop_captions=INSTRUCTOR_CAPTIONS):
    """A copy of a jb-book ``toc`` dict without the parts captioned ``drop_captions``."""
    if not isinstance(toc, dict) or "root" not in toc:
        raise ValueError(f"expected a jb-book table of contents (a dict with 'root'), "
                         f"got {type(toc).__name__}")
    toc = copy.deepcopy(toc)
    parts = toc.get("parts")
    if parts is not None:
        if not isinstance(parts, list):
            raise TypeError(f"expected 'parts' to be a list, got {type(parts).__name__}")
        toc["parts"] = [p for p in parts if p.get("caption") not in drop_captions]
    return toc


def student_config(config, root, cache_path):
    """A copy of ``_config.yml``'s dict for the student edition.

    ``root`` is the book's folder (local extension paths are made absolute,
    because Jupyter Book resolves them relative to the config file);
    ``cache_path`` the jupyter-cache to read executed outputs from.
    """
    if not isinstance(config, dict):
        raise TypeError(f"expected the _config.yml mapping, got {type(config).__name__}")
    config = copy.deepcopy(config)
    execute = config.setdefault("execute", {})
    execute["execute_notebooks"] = "cache"
    execute["cache"] = str(Path(cache_path).resolve())
    sphinx = config.setdefault("sphinx", {})
    local = sphinx.get("local_extensions") or {}
    for name, path in local.items():
        local[name] = str((Path(root) / path).resolve())
    extensions = sphinx.setdefault("extra_extensions", [])
    if "bookkit.editions" not in extensions:
        extensions.append("bookkit.editions")
    sphinx_config = sphinx.setdefault("config", {})
    sphinx_config["hide_solutions"] = True
    # Said in the title (sidebar, browser tab), not in the theme's announcement
    # banner: with the banner the sticky sidebar cut off the top of the book title.
    config["title"] = f"{config.get('title', '')}{TITLE_SUFFIX}"
    return config


def seed_cache(executed_dir, cache_path):
    """Add every executed notebook under ``executed_dir`` to the jupyter-cache.

    Returns the number of notebooks added (those already cached are skipped).
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    executed_dir = Path(executed_dir)
    if not executed_dir.is_dir():
        return 0
    cache = get_cache(str(cache_path))
    added = 0
    for path in sorted(executed_dir.rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        if code:                          # (a page with no code is cached too: no kernel)
            _restore_glue(notebook, code[-1], path.with_name(path.stem + ".glue.json"))
        try:
            cache.match_cache_notebook(notebook)
            continue                      # already there
        except KeyError:
            pass
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(path)),
                                    check_validity=False, overwrite=True)
        added += 1
    return added


def _restore_glue(notebook, cell, glue_path):
    """Put the hidden glue outputs that myst-nb moved to ``*.glue.json`` back in ``cell``.

    myst-nb writes the executed notebook without the outputs of ``glue(...,
    display=False)`` (it keeps them in ``<name>.glue.json``, keys without the
    ``application/papermill.record/`` prefix). A build reading the notebook
    from the cache needs them as outputs again; where they sit does not
    matter (they are not displayed), and displayed glue is still in place.
    """
    import json

    import nbformat

    if not glue_path.is_file():
        return
    present = {o.get("metadata", {}).get("scrapbook", {}).get("name")
               for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])}
    for name, output in json.loads(glue_path.read_text(encoding="utf-8")).items():
        prefix = output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
        if name in present or not prefix:
            continue
        output = dict(output, data={prefix + k: v for k, v in output["data"].items()})
        cell.outputs.append(nbformat.from_dict(output))


# -- removing solutions from MyST text --------------------------------------------
def _directive_name(token):
    info = token.info.strip()
    if info.startswith("{") and "}" in info:
        return info[1:info.index("}")]
    return None


def strip_solutions(text):
    """MyST Markdown ``text`` without its ``{solution}`` blocks and gated solutions.

    A gated solution is removed from its ``{solution-start}`` fence through its
    ``{solution-end}`` fence, with every cell in between. Raises ValueError if a
    solution is left over (for example nested inside another directive).
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.colon_fence import colon_fence_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    parser = MarkdownIt("commonmark").use(front_matter_plugin).use(colon_fence_plugin)
    lines = text.splitlines(keepends=True)
    drop, start = [], None
    for token in parser.parse(text):
        if token.level != 0 or token.map is None:
            continue
        name = _directive_name(token) if token.type in ("fence", "colon_fence") else None
        if name == "solution" and start is None:
            drop.append((token.map[0], token.map[1]))
        elif name == "solution-start":
            start = token.map[0]
        elif name == "solution-end":
            if start is None:
                raise ValueError(f"{{solution-end}} on line {token.map[0] + 1} without a start")
            drop.append((start, token.map[1]))
            start = None
    if start is not None:
        raise ValueError(f"{{solution-start}} on line {start + 1} has no {{solution-end}}")
    for first, end in reversed(drop):
        del lines[first:end]
    out = "".join(lines)
    if "{solution" in out:
        raise ValueError("a {solution} directive is left after stripping (nested in another "
                         "block?); the student edition would show it")
    return out


# -- the Sphinx extension (loaded only by the student edition's config) -------------
class removed_solution(nodes.Element):
    """Where a gated solution starts in the student edition; removed with what follows."""


def setup(app):
    from sphinx.transforms import SphinxTransform
    from sphinx_exercise.directive import SolutionStartDirective
    from sphinx_exercise.nodes import solution_end_node

    class HiddenSolutionStart(SolutionStartDirective):
        def run(self):
            super().run()                  # registers the start for the structure check
            return [removed_solution()] if self.env.app.config.hide_solutions else []

    class RemoveGatedSolutions(SphinxTransform):
        default_priority = 9               # before sphinx-exercise's merge (10)

        def apply(self):
            for marker in list(self.document.findall(removed_solution)):
                parent = marker.parent
                index = parent.index(marker)
                end = next((i for i in range(index, len(parent.children))
                            if isinstance(parent.children[i], solution_end_node)), None)
                if end is None:
                    raise ValueError(f"{self.env.docname}: a {{solution-start}} without "
                                     f"{{solution-end}} at the same level")
                del parent.children[index:end + 1]

    def strip_sources(app, exception):
        if exception is not None or app.builder.format != "html":
            return
        import jupytext

        for path in Path(app.outdir, "_sources").rglob("*"):
            if path.suffix not in (".md", ".txt") or ".md" not in path.name:
                continue
            text = path.read_text(encoding="utf-8")
            stripped = strip_solutions(text)
            path.write_text(stripped, encoding="utf-8")
            notebook_path = path.with_name(path.name.split(".md")[0] + ".ipynb")
            # The download made by _ext/ipynb_download.py (bookkit.notebooks) already
            # leaves solutions out under hide_solutions; a plain jupytext copy of the
            # MyST source would still have them: convert the stripped source instead.
            if notebook_path.exists() and "{solution" in notebook_path.read_text("utf-8"):
                notebook = jupytext.reads(stripped, fmt="md:myst")
                notebook.metadata.pop("jupytext", None)
                jupytext.write(notebook, notebook_path, fmt="ipynb")

    # Text that is only true of the full book ("open the solution below") can be
    # written as ```{only} not student``` ... ```; the student edition sets the tag.
    app.tags.add("student")
    app.add_directive("solution-start", HiddenSolutionStart, override=True)
    app.add_transform(RemoveGatedSolutions)
    app.connect("build-finished", strip_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# -- command line ----------------------------------------------------------------------
def main(argv=None):
    import yaml

    parser = argparse.ArgumentParser(prog="python -m bookkit.editions")
    parser.add_argument("edition", choices=["student"])
    parser.add_argument("out", type=Path, help="folder for the derived _config.yml, _toc.yml")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the book's folder")
    parser.add_argument("--executed", type=Path, default=Path("_build/jupyter_execute"),
                        help="executed notebooks of a previous build, to seed the cache")
    parser.add_argument("--cache", type=Path, default=Path("_build/.jupyter_cache"))
    args = parser.parse_args(argv)
    root = args.root.resolve()
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    args.out.mkdir(parents=True, exist_ok=True)
    cache = args.cache if args.cache.is_absolute() else root / args.cache
    executed = args.executed if args.executed.is_absolute() else root / args.executed
    with open(args.out / "_config.yml", "w", encoding="utf-8") as f:
        yaml.safe_dump(student_config(config, root, cache), f, sort_keys=False,
                       allow_unicode=True)
    with open(args.out / "_toc.yml", "w", encoding="utf-8") as f:
        yaml.safe_dump(student_toc(toc), f, sort_keys=False, allow_unicode=True)
    added = seed_cache(executed, cache)
    print(f"student edition: config and toc in {args.out}; {added} executed notebook(s) "
          f"from {os.path.relpath(executed)} added to {os.path.relpath(cache)}")


if __name__ == "__main__":
    sys.exit(main())
