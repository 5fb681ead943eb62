"""Fixtures for the tests that look at the built website (marker ``browser``).

They drive the Debian ``chromium`` (``/usr/bin/chromium``) with the pinned
Python ``playwright`` package; ``playwright install`` is never needed.

Fixtures
--------
``site_dir`` (session)
    :class:`pathlib.Path` of the built site, ``_build/html`` (``BOOK_HTML``
    overrides it). Fails if the site has not been built.
``server_url`` (session)
    ``"http://127.0.0.1:<port>/"``: ``site_dir`` served by a threaded
    ``http.server`` on a free port of this machine, for the whole session.
``browser`` (session)
    A headless Playwright Chromium. If the executable (``CHROMIUM`` overrides
    the path) is missing, the test is skipped on a developer machine and
    *fails* when ``CI`` is set, so CI can never pass without a browser.
``offline_page`` (function)
    An :class:`OfflinePage`, a fresh 1280x800 page in which every request that
    does not go to this machine (or to ``file:``/``data:``/``blob:``) is
    blocked and recorded, and console errors, uncaught page errors and
    local 4xx/5xx responses are collected. Typical use::

        def test_my_chapter(offline_page):
            page = offline_page.goto("chapters/vanishing.html")  # a playwright Page
            ...                                                  # interact, assert
            offline_page.assert_clean()   # nothing blocked, no errors, no 404s

    ``goto`` waits for the load event, for the saved widgets to render, for
    MathJax to finish (on pages with math) and for the web fonts, then until
    no request has been in flight for 300 ms (``settle()``; call it again
    after an interaction that loads something).
``offline_page_factory`` (function)
    ``offline_page_factory(width=390, height=844)`` makes more such pages,
    for example a phone-sized one. All are closed after the test.

Helpers
-------
``toc_pages()`` lists the documents of ``_toc.yml`` in reading order, so a
new chapter is covered by the page-wide tests as soon as it is in the toc.
``BOOK_HTML`` and ``BOOK_TOC`` point the tests at another build, e.g.
``BOOK_HTML=/tmp/b/_build/html BOOK_TOC=/tmp/toc.yml pytest -m browser``.
"""
import functools
import http.server
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"file", "data", "blob", "about"}
TIMEOUT_MS = 30_000  # generous: the machine has 2 cores shared with a build


def in_ci():
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def missing(what):
    """Skip on a developer machine, fail in CI: CI must never pass without it."""
    if in_ci():
        pytest.fail(f"{what} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(what)


# -- the table of contents ----------------------------------------------------
def toc_pages(toc_path=None):
    """Document names in ``_toc.yml`` order, e.g. ``["chapters/intro", ...]``.

    Reads the jb-book format: ``root`` then ``chapters`` (or ``parts`` with
    ``chapters``), each entry with a ``file`` and optional nested ``sections``.
    ``toc_path`` defaults to ``BOOK_TOC`` or else the repository's ``_toc.yml``
    (set ``BOOK_TOC`` together with ``BOOK_HTML`` to test another build).
    """
    toc_path = Path(toc_path or os.environ.get("BOOK_TOC") or ROOT / "_toc.yml")
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts") or []:
        walk(part.get("chapters"))
    return [str(Path(p).with_suffix("")) if Path(p).suffix in (".md", ".ipynb") else p
            for p in pages]


def is_notebook(doc):
    """True if the toc document ``doc`` is a notebook: an ``.ipynb``, or a ``.md``
    whose front matter has a ``kernelspec`` (a MyST notebook, executed and offered
    as ``.ipynb``). Plain Markdown pages, such as the instructors' guide, are not."""
    path = ROOT / f"{doc}.md"
    if not path.is_file():
        return (ROOT / f"{doc}.ipynb").is_file()
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front_matter = text[3:].split("\n---", 1)[0]
    return "\nkernelspec:" in front_matter


# -- the site and its server --------------------------------------------------
@pytest.fixture(scope="session")
def site_dir():
    path = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
    if not (path / "index.html").is_file():
        pytest.fail(f"no built site at {path}: run `make book` (or `make test`) first",
                    pytrace=False)
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        pass


@pytest.fixture(scope="session")
def server_url(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- the browser ----------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        missing(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package is not installed (requirements.txt)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class OfflinePage:
    """A Playwright page that may only talk to this machine.

    Attributes:
        page: the playwright ``Page``.
        base_url: the site root, ``server_url``.
        blocked: URLs of requests that tried to leave the machine (aborted).
        console_errors: text of console messages of type ``error``.
        page_errors: uncaught JavaScript exceptions.
        bad_responses: ``"404 http://..."`` for local responses with status >= 400.
        pending: URLs of requests in flight right now.
    """

    page: object
    base_url: str
    blocked: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    bad_responses: list = field(default_factory=list)
    pending: set = field(default_factory=set)

    def goto(self, path, wait_for_math=True, wait_for_widgets=True):
        """Open ``path`` (relative to the site root) and wait until it has settled.

        Waits for the load event, the widgets and MathJax (both optional), the
        web fonts, and then until no request has been in flight for a moment.
        Returns the playwright ``Page``.
        """
        self.page.goto(self.base_url + path.lstrip("/"), wait_until="load")
        if wait_for_widgets:
            # embed-amd.js replaces each widget-view script with rendered widgets
            self.page.wait_for_function(
                """() => [...document.querySelectorAll(
                       'script[type="application/vnd.jupyter.widget-view+json"]')]
                     .every(s => s.parentElement.querySelector('.jupyter-widgets'))""")
        if wait_for_math:
            self.wait_for_math()
        self.page.evaluate("() => document.fonts.ready.then(() => true)")
        self.settle()
        return self.page

    def settle(self, quiet_ms=300, timeout_ms=TIMEOUT_MS):
        """Wait until no request has been in flight for ``quiet_ms``.

        (Playwright's "networkidle" does the same, but when it times out it
        does not say which request was still pending; this does.)
        """
        deadline = time.monotonic() + timeout_ms / 1000
        quiet_since = None
        while time.monotonic() < deadline:
            if self.pending:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_ms / 1000:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{self.page.url}: requests still pending after "
                             f"{timeout_ms} ms: {sorted(self.pending)}")

    def wait_for_math(self):
        """Wait for MathJax to finish, if the page has math (Sphinx's ``.math``)."""
        if self.page.locator(".math").count() == 0:
            return
        self.page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        self.page.evaluate("() => MathJax.startup.promise.then(() => true)")

    def problems(self):
        """Everything that went wrong so far, as a dict of non-empty lists."""
        found = {"blocked non-local requests": self.blocked,
                 "console errors": self.console_errors,
                 "page errors": self.page_errors,
                 "local responses >= 400": self.bad_responses}
        return {key: value for key, value in found.items() if value}

    def assert_clean(self):
        """No request left the machine, no console/page errors, no local 404s."""
        problems = self.problems()
        assert not problems, f"{self.page.url}: {problems}"


def _is_local(url):
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS


@pytest.fixture
def offline_page_factory(browser, server_url):
    contexts = []

    def make(width=1280, height=800):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        offline = OfflinePage(page=page, base_url=server_url)

        def route(route):
            if _is_local(route.request.url):
                route.continue_()
            else:
                offline.blocked.append(route.request.url)
                route.abort("blockedbyclient")

        context.route("**/*", route)

        def on_console(message):
            if message.type == "error":
                where = message.location.get("url", "")
                offline.console_errors.append(f"{message.text} @ {where}")

        def on_response(response):
            if response.status >= 400:
                offline.bad_responses.append(f"{response.status} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: offline.page_errors.append(str(error)))
        page.on("response", on_response)
        page.on("request", lambda request: offline.pending.add(request.url))
        page.on("requestfinished", lambda request: offline.pending.discard(request.url))
        page.on("requestfailed", lambda request: offline.pending.discard(request.url))
        return offline

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def offline_page(offline_page_factory):
    return offline_page_factory()
