"""One reveal.js deck per chapter, cut from the built pages, for teaching.

Nothing is rewritten: a deck is made of elements of the chapter's built page
(``_build/html/chapters/<name>.html``), chosen by ``chapters/slides.toml``:

* ``section``: the id of a heading on the page; the slide's title is that
  heading (with its number, e.g. "6.2. The matrix case ...");
* ``equations``: labels of numbered equations (anywhere on the page), shown as
  typeset there, with their numbers;
* ``figures``: 1-based numbers of the figures (cell output images) inside
  that section;
* ``sliders``: 1-based numbers of the kernel-free sliders (saved ipywidgets)
  inside that section; the deck carries their saved state, and nothing else;
* ``lists``: 1-based numbers of the bullet lists directly in that section
  (for example a summary).

A name that does not resolve (a renamed heading, a removed label) is an error
that says which chapter, slide and name, so a deck can never silently lose a
slide. The decks load reveal.js, MathJax, require.js and the widget renderer
from ``vendor/`` next to them (copied there by ``make slides`` from npm's
packages), so they work offline, and the site's ``book.css`` (the sliders'
contrast and focus ring) with ``widgets-offline.js``, also copied there.

Command line (used by ``make slides``)::

    python -m bookkit.slides SITE_DIR SELECTION.toml OUT_DIR
"""
import argparse
import copy
import html
import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"
KEYS = {"section", "title", "equations", "figures", "sliders", "lists"}

DECK_CSS = """
.reveal { font-size: 30px; }
.reveal h1 { font-size: 1.8em; }
.reveal h2 { font-size: 1.25em; margin-bottom: 0.4em; }
.reveal h1, .reveal h2 { text-transform: none; }
.reveal .slides section { text-align: left; }
.reveal .slides section.title-slide { text-align: center; }
.reveal .math { position: relative; margin: 0.35em 0; font-size: 1.05em; }
.reveal .math .eqno { position: absolute; right: 0; top: 50%; transform: translateY(-50%);
                      font-size: 0.8em; color: #555; }
.reveal img.deck-figure { display: block; margin: 0.3em auto; max-height: 420px;
                          max-width: 100%; object-fit: contain; }
/* a slide with nothing but a figure: the figure fills the slide */
.reveal section.figure-only img.deck-figure { height: 640px; max-height: 640px; width: auto; }
.reveal .deck-slider { font-size: 22px; margin: 0 auto; --jp-widgets-font-size: 20px;
                      --jp-widgets-inline-height: 34px; }
.reveal .deck-slider .widget-slider, .reveal .deck-slider .widget-toggle-buttons { width: 900px; }
.reveal .deck-slider img.widget-image { margin: 0; max-width: none; max-height: none; }
/* the frames are drawn for the page's column: larger for a projector (the box keeps
   its layout size, so the controls above do not move) */
.reveal .deck-slider .rnnlib-frame-slider > .widget-container:last-child {
  transform: scale(1.3); transform-origin: top left; }
.reveal .deck-slider .widget-container, .reveal .deck-slider .rnnlib-frame-slider {
  overflow: visible !important; }
.reveal .deck-slider .widget-label { min-width: 14ex; width: auto; }
.reveal ul { font-size: 0.85em; }
.reveal .deck-source { font-size: 0.55em; color: #555; }
.reveal .deck-source a { color: #2a76dd; }
"""

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} (slides)</title>
<link rel="stylesheet" href="vendor/reveal.js/reset.css">
<link rel="stylesheet" href="vendor/reveal.js/reveal.css">
<link rel="stylesheet" href="vendor/reveal.js/theme/white.css">
<link rel="stylesheet" href="book.css">
<link rel="stylesheet" href="deck.css">
<!-- reveal.js first: it is a UMD module, and after require.js it would not set window.Reveal -->
<script src="vendor/reveal.js/reveal.js"></script>
<script>
window.MathJax = {{options: {{processHtmlClass: "tex2jax_process|mathjax_process|math"}}}};
</script>
<script defer src="vendor/mathjax/tex-chtml.js"></script>
{widget_scripts}
</head>
<body>
<div class="reveal"><div class="slides">
{slides}
</div></div>
{widget_state}
<script>
Reveal.initialize({{
  hash: true, slideNumber: "c/t", transition: "none", center: false,
  width: 1280, height: 800, margin: 0.04,
  // keys pressed on a slider move the slider, not the deck
  keyboardCondition: (event) => !(event.target && event.target.closest &&
                                   event.target.closest(".jupyter-widgets")),
}});
</script>
</body>
</html>
"""

WIDGET_SCRIPTS = """<script src="vendor/require.js"></script>
<script src="widgets-offline.js"></script>
<script src="vendor/html-manager/embed-amd.js"></script>"""


class SlideError(ValueError):
    """A selection in the slides file that the built page does not have."""


def _soup(text):
    import bs4
    return bs4.BeautifulSoup(text, "html.parser")


def _heading_text(heading):
    heading = copy.copy(heading)
    for link in heading.select("a.headerlink"):
        link.decompose()
    return heading.get_text(" ", strip=True)


def _own(section, elements):
    """Elements whose nearest enclosing <section> is ``section``."""
    return [e for e in elements if e.find_parent("section") is section]


def _pick(items, numbers, what, where):
    picked = []
    for n in numbers:
        if not isinstance(n, int) or not 1 <= n <= len(items):
            raise SlideError(f"{where}: {what} {n!r} does not exist (the section has "
                             f"{len(items)} {what}s)")
        picked.append(items[n - 1])
    return picked


def _model_closure(models, roots):
    """The models the views ``roots`` need: what they refer to, transitively, and the
    models that refer to those (``jslink``'s LinkModel names the slider and the Stack,
    but nothing names the link)."""
    refs = {mid: set(re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(m["state"])))
            for mid, m in models.items()}
    keep, todo = set(), [r for r in roots if r in models]
    while todo:
        model_id = todo.pop()
        if model_id in keep:
            continue
        keep.add(model_id)
        todo.extend(r for r in refs[model_id] if r in models)
        todo.extend(m for m, r in refs.items()
                    if model_id in r and m not in keep and models[m]["model_name"] in
                    ("LinkModel", "DirectionalLinkModel"))
    return keep


def build_deck(page_path, slides, chapter, out_dir, book_title="", page_link=None):
    """Write ``out_dir/<chapter>.html`` from the built page and the chapter's slide list.

    Returns a dict with the deck's path, title and counts.
    """
    page_path = Path(page_path)
    if not page_path.is_file():
        raise SlideError(f"{chapter}: no built page {page_path} (build the book first)")
    if not isinstance(slides, list) or not slides:
        raise SlideError(f"{chapter}: expected a list of slides, got {slides!r}")
    soup = _soup(page_path.read_text(encoding="utf-8"))
    article = soup.select_one("article") or soup
    h1 = article.find("h1")
    title = _heading_text(h1) if h1 else chapter
    images_dir = Path(out_dir) / "images"
    out, view_ids, counts = [], [], {"equations": 0, "figures": 0, "sliders": 0}

    link = f'<p class="deck-source">From the book: <a href="{html.escape(page_link)}">' \
           f'{html.escape(title)}</a></p>' if page_link else ""
    out.append(f'<section class="title-slide"><h1>{html.escape(title)}</h1>'
               f'<p>{html.escape(book_title)}</p>{link}</section>')
    for number, spec in enumerate(slides, 1):
        where = f"{chapter}, slide {number}"
        unknown = set(spec) - KEYS
        if unknown or "section" not in spec:
            raise SlideError(f"{where}: expected keys {sorted(KEYS)} with 'section', "
                             f"got {sorted(spec)}")
        section = article.find("section", id=spec["section"])
        if section is None:
            raise SlideError(f"{where}: no section with id {spec['section']!r} on {page_path.name}")
        heading = section.find(["h1", "h2", "h3", "h4"])
        slide_title = spec.get("title") or (_heading_text(heading) if heading else "")
        parts = [f"<h2>{html.escape(slide_title)}</h2>"]
        for label in spec.get("equations", []):
            math = article.find(id=f"equation-{label}")
            if math is None:
                raise SlideError(f"{where}: no equation labelled {label!r} on {page_path.name}")
            math = copy.copy(math)
            for a in math.select("a.headerlink"):
                a.decompose()
            parts.append(str(math))
            counts["equations"] += 1
        if spec.get("lists"):
            lists = _own(section, section.find_all(["ul", "ol"]))
            lists = [x for x in lists if x.find_parent(["ul", "ol"]) is None
                     and x.find_parent(class_=["exercise", "solution", "cell"]) is None]
            for item in _pick(lists, spec["lists"], "list", where):
                item = copy.copy(item)
                for a in item.select("a[href]"):    # links into the book: keep the text only
                    a.unwrap()
                parts.append(str(item))
        if spec.get("figures"):
            images = _own(section, section.select("div.cell_output img"))
            for img in _pick(images, spec["figures"], "figure", where):
                source = (page_path.parent / img["src"]).resolve()
                images_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, images_dir / source.name)
                alt = html.escape(img.get("alt", ""))
                if alt.startswith("../_images"):
                    alt = f"Figure from {html.escape(slide_title)}"
                parts.append(f'<img class="deck-figure" src="images/{source.name}" alt="{alt}">')
                counts["figures"] += 1
        if spec.get("sliders"):
            views = _own(section, section.find_all("script", type=VIEW))
            for view in _pick(views, spec["sliders"], "slider", where):
                model_id = json.loads(view.string)["model_id"]
                view_ids.append(model_id)
                parts.append(f'<div class="deck-slider">{view}</div>')
                counts["sliders"] += 1
        only_figure = spec.get("figures") and not any(
            spec.get(k) for k in ("equations", "sliders", "lists"))
        opening = '<section class="figure-only">' if only_figure else "<section>"
        out.append(opening + "\n".join(parts) + "</section>")

    widget_state = ""
    if view_ids:
        state_script = soup.find("script", type=STATE)
        if state_script is None:
            raise SlideError(f"{chapter}: sliders selected but {page_path.name} has no saved "
                             f"widget state")
        text = state_script.string
        state = json.loads(html.unescape(text) if "&quot;" in text else text)
        keep = _model_closure(state["state"], view_ids)
        missing = [m for m in view_ids if m not in keep]
        if missing:
            raise SlideError(f"{chapter}: widget models {missing} are not in the saved state")
        state["state"] = {k: v for k, v in state["state"].items() if k in keep}
        widget_state = (f'<script type="{STATE}">'
                        + json.dumps(state).replace("</", "<\\/") + "</script>")

    deck = TEMPLATE.format(title=html.escape(title), slides="\n".join(out),
                           widget_scripts=WIDGET_SCRIPTS if view_ids else "",
                           widget_state=widget_state)
    path = Path(out_dir) / f"{chapter}.html"
    path.write_text(deck, encoding="utf-8")
    return {"path": path, "title": title, "slides": len(out), **counts}


def build_decks(site_dir, selection, out_dir, book_title=""):
    """Every deck of the selection file; also ``deck.css`` and an ``index.html``."""
    site_dir, out_dir = Path(site_dir), Path(out_dir)
    chosen = tomllib.loads(Path(selection).read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "deck.css").write_text(DECK_CSS.lstrip(), encoding="utf-8")
    decks = []
    for chapter, slides in chosen.items():
        page = site_dir / "chapters" / f"{chapter}.html"
        link = Path("..", site_dir.name, "chapters", f"{chapter}.html").as_posix() \
            if site_dir.parent.resolve() == out_dir.parent.resolve() else None
        try:
            decks.append(build_deck(page, slides, chapter, out_dir, book_title, link))
        except SlideError as error:
            raise SlideError(f"{error} -- update {selection} to the chapter as it is now "
                             f"(section ids are the anchors in the page's URLs)") from None
    items = "\n".join(f'<li><a href="{d["path"].name}">{html.escape(d["title"])}</a> '
                      f'({d["slides"]} slides)</li>' for d in decks)
    (out_dir / "index.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Slides: '
        f'{html.escape(book_title)}</title></head><body><h1>Slides</h1>'
        f'<p>{html.escape(book_title)}. Arrow keys or space move through a deck; '
        f'Esc shows all its slides; F is full screen.</p><ul>{items}</ul></body></html>\n',
        encoding="utf-8")
    return decks


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bookkit.slides")
    parser.add_argument("site", type=Path, help="the built site, e.g. _build/html")
    parser.add_argument("selection", type=Path, help="chapters/slides.toml")
    parser.add_argument("out", type=Path, help="where the decks go, e.g. _build/slides")
    parser.add_argument("--title", default="", help="the book's title, for the title slides")
    args = parser.parse_args(argv)
    title = args.title
    if not title and Path("_config.yml").is_file():
        import yaml
        title = yaml.safe_load(Path("_config.yml").read_text(encoding="utf-8")).get("title", "")
    for deck in build_decks(args.site, args.selection, args.out, title):
        print(f"{deck['path']}: {deck['slides']} slides, {deck['equations']} equations, "
              f"{deck['figures']} figures, {deck['sliders']} sliders")


if __name__ == "__main__":
    sys.exit(main())
