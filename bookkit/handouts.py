"""Handouts: one PDF per chapter, printed from the built pages by headless Chromium.

Chromium prints the page as a reader sees it (MathJax typeset, the sliders'
saved state rendered at their first position), with the book's print
stylesheet (``assets/print.css``: no navigation, wrapped code, figures kept
whole, a line under each slider saying the page has an interactive version).

``make pdf`` prints the chapters of the student edition into ``_build/pdf/``:
no solutions (they are removed when that site is built, not hidden), so a
handout has the exercises and nothing to peek at. Printed from the full site
(``make pdf PDF_SITE=_build/html PDF_OUT=_build/pdf/with-solutions``), the
solutions come out open, because the print stylesheet opens every dropdown:
that is the instructor's copy.

Command line::

    python -m bookkit.handouts SITE_DIR OUT_DIR [--toc _toc.yml]
"""
import argparse
import functools
import http.server
import sys
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")

FOOTER = """<div style="font-size:8px; width:100%; padding:0 12mm; color:#555;
  font-family: sans-serif; display:flex; justify-content:space-between">
  <span>{title}</span>
  <span><span class="pageNumber"></span> / <span class="totalPages"></span></span>
</div>"""

def chapters_of(toc):
    """Document names of the numbered parts of a jb-book toc, in order."""
    pages = []

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(str(Path(entry["file"]).with_suffix("")) if
                             Path(entry["file"]).suffix in (".md", ".ipynb") else entry["file"])
            walk(entry.get("sections"))
    for part in toc.get("parts") or []:
        if part.get("numbered"):
            walk(part.get("chapters"))
    if not pages:
        raise ValueError("no numbered part in the table of contents: expected a part with "
                         "`numbered: true` listing the chapters")
    return pages


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def print_pdfs(site_dir, out_dir, pages, chromium=CHROMIUM):
    """Print ``pages`` (document names) of the built site to ``out_dir/<name>.pdf``.

    Returns ``{page: seconds}``. Fails if a page asks for anything off this machine.
    """
    from playwright.sync_api import sync_playwright

    site_dir, out_dir = Path(site_dir), Path(out_dir)
    if not (site_dir / "index.html").is_file():
        raise FileNotFoundError(f"no built site at {site_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    times, blocked = {}, []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            context = browser.new_context(viewport={"width": 1000, "height": 1400})
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(LOCAL)
                          else (blocked.append(route.request.url), route.abort()))
            page = context.new_page()
            for name in pages:
                start = time.monotonic()
                response = page.goto(base + name + ".html", wait_until="load")
                if response is None or response.status >= 400:
                    raise FileNotFoundError(f"{name}.html is not in {site_dir} (status "
                                            f"{response.status if response else None})")
                page.wait_for_function(
                    """() => [...document.querySelectorAll(
                           'script[type="application/vnd.jupyter.widget-view+json"]')]
                         .every(s => s.parentElement.querySelector('.jupyter-widgets'))""")
                page.evaluate("""() => !window.MathJax || !MathJax.startup ? true
                                 : MathJax.startup.promise.then(() => true)""")
                page.evaluate("() => document.fonts.ready.then(() => true)")
                page.emulate_media(media="print")
                title = page.evaluate("() => (document.querySelector('article h1') || "
                                      "{textContent: document.title}).textContent"
                                      ".replace('#', '').trim()")
                target = out_dir / (Path(name).name + ".pdf")
                page.pdf(path=str(target), format="A4", print_background=True,
                         margin={"top": "14mm", "bottom": "16mm", "left": "14mm",
                                 "right": "14mm"},
                         display_header_footer=True, header_template="<span></span>",
                         footer_template=FOOTER.format(title=_escape(title)))
                page.emulate_media(media="screen")
                times[name] = time.monotonic() - start
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    if blocked:
        raise RuntimeError(f"pages asked for things off this machine: {sorted(set(blocked))}")
    return times


def _escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def main(argv=None):
    import yaml

    parser = argparse.ArgumentParser(prog="python -m bookkit.handouts")
    parser.add_argument("site", type=Path, help="a built site, e.g. _build/html")
    parser.add_argument("out", type=Path, help="folder for the PDFs")
    parser.add_argument("--toc", type=Path, default=Path("_toc.yml"))
    args = parser.parse_args(argv)
    toc = yaml.safe_load(args.toc.read_text(encoding="utf-8"))
    times = print_pdfs(args.site, args.out, chapters_of(toc))
    for name, seconds in times.items():
        print(f"{args.out / (Path(name).name + '.pdf')}: {seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
