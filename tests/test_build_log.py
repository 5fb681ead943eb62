"""Every chapter executes in under 30 seconds: read from the clean build's log.

``make test`` re-executes every chapter (execute_notebooks: force) and tees the
build output to ``_build/clean-build.log``; myst-nb prints one line per chapter,
``<path>.md: Executed notebook in 12.90 seconds``. Readers wait for these
notebooks (in JupyterLab, and the build waits for all of them), so the budget is
a test, not a wish.
"""
import os
import re
from pathlib import Path

import pytest
from conftest import ROOT, is_notebook, toc_pages

pytestmark = pytest.mark.built

BUDGET_SECONDS = 30.0
LOG = ROOT / "_build" / "clean-build.log"
LINE = re.compile(r"(\S+)\.(?:md|ipynb): Executed notebook in ([0-9.]+) seconds")


def execution_times(text):
    """{document name: seconds} from myst-nb's 'Executed notebook in' lines."""
    times = {}
    for path, seconds in LINE.findall(text):
        doc = str(Path(path).relative_to(ROOT)) if Path(path).is_absolute() else path
        times[doc] = float(seconds)
    return times


def test_parser_reads_myst_nb_lines():
    text = f"{ROOT}/chapters/lstm.md: Executed notebook in 12.91 seconds [mystnb]\n"
    assert execution_times(text) == {"chapters/lstm": 12.91}


def test_every_chapter_executes_within_budget():
    if not LOG.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{LOG} is missing: run `make test`, which writes it")
        pytest.skip(f"{LOG} is missing: run `make test`, which writes it")
    times = execution_times(LOG.read_text(encoding="utf-8", errors="replace"))
    pages = [p for p in toc_pages() if is_notebook(p)]   # plain pages are not executed
    missing = [p for p in pages if p not in times]
    assert not missing, f"no execution time in {LOG} for {missing}"
    slow = {p: t for p, t in times.items() if t > BUDGET_SECONDS}
    assert not slow, f"chapters over the {BUDGET_SECONDS:.0f} s budget: {slow}"
