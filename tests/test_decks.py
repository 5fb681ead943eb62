"""The slide decks (``make slides``): offline, math typeset, keys advance, sliders move.

Browser tests (marker ``browser``) open every deck of ``_build/slides`` (or
``SLIDES_DIR``) in headless Chromium with every non-local request blocked
(conftest's offline pages), and check that

* nothing is blocked, nothing logs an error and nothing is missing (404);
* every equation is typeset by the vendored MathJax;
* ArrowRight moves to the next slide;
* each slider of a deck still changes its figure (keyboard on the handle, and a
  click on the track), and those keys move the slider, not the deck.

Unit tests (no marker) check how ``bookkit.slides`` resolves a selection on a
small page, and that a name that does not resolve is an error naming it.
"""
import functools
import http.server
import os
import threading
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, in_ci

from bookkit.slides import SlideError, build_deck

DECKS = Path(os.environ.get("SLIDES_DIR", ROOT / "_build" / "slides"))
SELECTION = tomllib.loads((ROOT / "chapters" / "slides.toml").read_text(encoding="utf-8"))


# -- unit tests --------------------------------------------------------------------------
PAGE = """<html><body><article>
<section id="ch"><h1>2. Chapter<a class="headerlink" href="#ch">#</a></h1>
<section id="idea"><h2>2.1. The idea<a class="headerlink" href="#idea">#</a></h2>
<div class="math notranslate nohighlight" id="equation-eq-a"><span class="eqno">(2.1)<a
 class="headerlink" href="#equation-eq-a">#</a></span>\\[a = b\\]</div>
<div class="cell"><div class="cell_output"><img src="../_images/fig.png"
 alt="../_images/fig.png"></div></div>
<ul><li>first <a href="other.html">point</a></li></ul>
</section></section></article></body></html>"""


@pytest.fixture
def page(tmp_path):
    (tmp_path / "site" / "chapters").mkdir(parents=True)
    (tmp_path / "site" / "_images").mkdir()
    (tmp_path / "site" / "_images" / "fig.png").write_bytes(b"\x89PNG fake")
    path = tmp_path / "site" / "chapters" / "ch.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_build_deck_takes_elements_from_the_page(page, tmp_path):
    out = tmp_path / "decks"
    out.mkdir()
    deck = build_deck(page, [{"section": "idea", "equations": ["eq-a"], "figures": [1],
                              "lists": [1]}], "ch", out, "Book")
    text = deck["path"].read_text(encoding="utf-8")
    assert deck["slides"] == 2 and deck["equations"] == 1 and deck["figures"] == 1
    assert "<h2>2.1. The idea</h2>" in text and "(2.1)" in text and "\\[a = b\\]" in text
    assert 'src="images/fig.png"' in (text) and (out / "images" / "fig.png").is_file()
    assert "first point" in text and "other.html" not in text      # links unwrapped
    assert "headerlink" not in text
    assert "embed-amd.js" not in text                                # no sliders: no widget code


@pytest.mark.parametrize("spec, message", [
    ({"section": "nope"}, "slide 1: no section with id 'nope'"),
    ({"section": "idea", "equations": ["eq-b"]}, "no equation labelled 'eq-b'"),
    ({"section": "idea", "figures": [2]}, "figure 2 does not exist"),
    ({"section": "idea", "sliders": [1]}, "slider 1 does not exist"),
    ({"section": "idea", "picture": [1]}, "expected keys"),
])
def test_a_selection_that_does_not_resolve_is_an_error(page, tmp_path, spec, message):
    with pytest.raises(SlideError, match=message.replace("(", r"\(")):
        build_deck(page, [spec], "ch", tmp_path)


def test_every_chapter_in_the_selection_is_in_the_toc():
    from conftest import toc_pages
    pages = {Path(p).name for p in toc_pages(ROOT / "_toc.yml")}
    assert set(SELECTION) <= pages, set(SELECTION) - pages


# -- the built decks ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def decks_url():
    if not (DECKS / "index.html").is_file():
        message = f"no decks at {DECKS}: run `make slides` (make test does)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(DECKS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def deck(offline_page_factory, decks_url):
    def open_deck(chapter):
        offline = offline_page_factory()
        offline.base_url = decks_url
        page = offline.goto(f"{chapter}.html", wait_for_widgets=True)
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        return offline, page
    return open_deck


def _slide_index(page):
    return page.evaluate("() => Reveal.getIndices().h")


@pytest.mark.browser
@pytest.mark.parametrize("chapter", list(SELECTION))
def test_deck_opens_offline_with_math_typeset_and_arrow_keys(deck, chapter):
    offline, page = deck(chapter)
    n_slides = page.evaluate("() => Reveal.getTotalSlides()")
    assert n_slides == len(SELECTION[chapter]) + 1            # a title slide, then the selection
    untypeset = page.evaluate("""() => [...document.querySelectorAll('div.math')]
        .filter(m => !m.querySelector('mjx-container')).map(m => m.id)""")
    assert not untypeset, f"equations not typeset: {untypeset}"
    n_math = page.locator("div.math mjx-container").count()
    assert n_math == sum(len(s.get("equations", [])) for s in SELECTION[chapter])
    assert _slide_index(page) == 0
    page.locator("body").click(position={"x": 5, "y": 400})
    for i in range(1, min(n_slides, 4)):
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => Reveal.getIndices().h === {i}")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => Reveal.getIndices().h === {min(n_slides, 4) - 2}")
    offline.assert_clean()


SLIDER_DECKS = [c for c, slides in SELECTION.items() if any(s.get("sliders") for s in slides)]

# What a slider shows: the visible picture and text of its deck-slider box.
READ = """(root) => {
  const shown = el => el.offsetParent !== null;
  const imgs = [...root.querySelectorAll('img.widget-image')].filter(shown);
  const texts = [...root.querySelectorAll('.widget-html-content')].filter(shown)
      .map(t => t.textContent);
  return {picture: imgs.map(i => i.src).join('|') + '|' + texts.join('|'), n_images: imgs.length};
}"""
CHANGED = """([root, before]) => {
  const shown = el => el.offsetParent !== null;
  const imgs = [...root.querySelectorAll('img.widget-image')].filter(shown);
  const texts = [...root.querySelectorAll('.widget-html-content')].filter(shown)
      .map(t => t.textContent);
  return imgs.map(i => i.src).join('|') + '|' + texts.join('|') !== before;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("chapter", SLIDER_DECKS)
def test_each_slider_in_a_deck_changes_its_figure(deck, chapter):
    offline, page = deck(chapter)
    slides_with = [i + 1 for i, s in enumerate(SELECTION[chapter]) if s.get("sliders")]
    expected = sum(len(s["sliders"]) for s in SELECTION[chapter] if s.get("sliders"))
    rendered = page.locator(".deck-slider .widget-slider").count()
    assert page.locator(".deck-slider").count() == expected
    assert rendered >= expected, f"{rendered} slider controls rendered, {expected} selected"
    for slide in slides_with:
        page.evaluate(f"() => Reveal.slide({slide})")
        page.wait_for_function(f"() => Reveal.getIndices().h === {slide}")
        root = page.locator(f".slides > section:nth-child({slide + 1}) .deck-slider")
        root_handle = root.element_handle()
        before = page.evaluate(READ, root_handle)
        assert before["n_images"] <= 1, f"slide {slide}: {before['n_images']} pictures visible"
        slider = root.locator(".widget-slider").last       # the main slider of a frame slider
        slider.locator(".noUi-handle").focus()
        for key in ("End", "Home", "ArrowRight"):
            page.keyboard.press(key)
            page.wait_for_function(CHANGED, arg=[root_handle, before["picture"]])
            assert _slide_index(page) == slide, f"{key} on a slider moved the deck"
            before = page.evaluate(READ, root_handle)
        # the mouse: a click near the end of the track
        track = slider.locator(".noUi-base").bounding_box()
        page.mouse.click(track["x"] + 0.97 * track["width"], track["y"] + track["height"] / 2)
        page.wait_for_function(CHANGED, arg=[root_handle, before["picture"]])
        assert _slide_index(page) == slide
    offline.assert_clean()
