"""Accessibility of the built site: axe-core on every page, light and dark mode.

axe-core (pinned in package.json, read from ``node_modules/axe-core``; it is
not copied into the site) runs in headless Chromium with the network cut off,
on every page listed in ``_toc.yml`` (``toc_pages()``, so a new page is
covered as soon as it is in the toc), once in the theme's light mode and once
in its dark mode, with the WCAG 2.0 and 2.1 level A and AA rules. Any
violation fails the test, except those listed in ``EXCEPTIONS`` below, each
with the reason it cannot be fixed from the book.

The other tests here check what axe cannot judge: that the frame sliders'
pictures have alternative text that follows the slider and says what the
readout says, that every slider and toggle has a name and a value a screen
reader can read, and that the formulas carry assistive MathML.
"""
import json
import os
import re
import time
from html import unescape
from pathlib import Path

import pytest
from conftest import ROOT, toc_pages

pytestmark = pytest.mark.browser

PAGES = toc_pages()
MODES = ["light", "dark"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_JS = Path(os.environ.get("AXE_JS", ROOT / "node_modules" / "axe-core" / "axe.min.js"))

# (rule id, CSS selector fragment the node's target must contain, reason).
# Each entry names exactly what it excuses; everything else fails.
EXCEPTIONS = []

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                              summary: (n.failureSummary || '').slice(0, 300)})),
  }));
}"""


EXPAND_ALL = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('button.toggle-button[aria-expanded="false"], '
                            + 'button.toggle-button:not([aria-expanded])')
      .forEach(b => b.click());
}"""


def axe_source():
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core not found at {AXE_JS}: run `npm ci` (make setup)", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


def open_in_mode(offline_page_factory, doc, mode):
    """The page ``doc`` in the theme's ``mode``, as a reader who chose it gets it."""
    offline = offline_page_factory()
    # pydata-sphinx-theme reads the reader's choice from localStorage "mode"
    # before the page is drawn; setting it first is what the theme button does.
    offline.page.add_init_script(f"localStorage.setItem('mode', '{mode}');")
    page = offline.goto(f"{doc}.html")
    assert page.evaluate("document.documentElement.dataset.theme") == mode
    return offline, page


def excused(rule, target):
    return next((reason for r, fragment, reason in EXCEPTIONS
                 if r == rule and fragment in target), None)


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {node['target']}  {node['html'][:100]}")
            if node["summary"]:
                lines.append("        " + node["summary"].replace("\n", " ")[:200])
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("doc", PAGES)
def test_axe_finds_no_wcag_violations(offline_page_factory, doc, mode):
    source = axe_source()
    offline, page = open_in_mode(offline_page_factory, doc, mode)
    # Pages with widgets load require.js; hide its ``define`` so that axe
    # installs itself as window.axe and not as an AMD module.
    page.add_script_tag(content="window.__define = window.define; window.define = undefined;\n"
                        + source + "\nwindow.define = window.__define;")
    # Open everything a reader can open (hidden code cells, solutions, folded
    # walkthrough lines), so that axe also checks what is collapsed at load.
    page.evaluate(EXPAND_ALL)
    page.wait_for_timeout(800)                  # the theme's re-check is debounced 300 ms
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    if os.environ.get("AXE_REPORT"):             # a folder: one JSON file per page and mode
        out = Path(os.environ["AXE_REPORT"])
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{doc.replace('/', '_')}-{mode}.json").write_text(json.dumps(violations, indent=1))
    left = []
    for v in violations:
        nodes = [n for n in v["nodes"] if not excused(v["id"], n["target"])]
        if nodes:
            left.append({**v, "nodes": nodes})
    assert not left, (f"{doc} ({mode} mode): "
                      f"{sum(len(v['nodes']) for v in left)} axe violations\n"
                      + format_violations(left))
    offline.assert_clean()


def plain(html_text):
    """The text of an HTML fragment, as a screen reader reads it."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html_text))).strip()


# -- the frame sliders: alt text, names, values -----------------------------------
def widget_pages(site_dir):
    """The toc pages whose HTML holds a frame slider (bookkit.widgets.frame_slider)."""
    return [doc for doc in PAGES
            if "rnnlib-frame-slider" in (site_dir / f"{doc}.html").read_text(encoding="utf-8")]


# The visible picture, readout and controls of every frame slider on the page.
READ_SLIDERS = """() => [...document.querySelectorAll('.rnnlib-frame-slider')].map(root => {
  const visible = el => el.offsetParent !== null;
  const imgs = [...root.querySelectorAll('img.widget-image')].filter(visible);
  const readouts = [...root.querySelectorAll('.widget-html-content')].filter(visible);
  const sliders = [...root.querySelectorAll(':scope > .widget-slider')].map(el => {
    const handle = el.querySelector('.noUi-handle');
    const by = handle.getAttribute('aria-labelledby');
    return {label: el.querySelector('.widget-label').textContent.trim(),
            readout: el.querySelector('.widget-readout').textContent.trim(),
            name: by && document.getElementById(by) ? document.getElementById(by).textContent.trim()
                                                     : handle.getAttribute('aria-label'),
            valuetext: handle.getAttribute('aria-valuetext'), role: handle.getAttribute('role'),
            tabindex: handle.getAttribute('tabindex')};
  });
  const toggles = [...root.querySelectorAll(':scope > .widget-toggle-buttons')].map(el => {
    const group = el.querySelector('[role="group"]');
    const by = group && group.getAttribute('aria-labelledby');
    return {label: el.querySelector('.widget-label').textContent.trim(),
            name: by && document.getElementById(by) ? document.getElementById(by).textContent.trim()
                                                     : null,
            pressed: [...el.querySelectorAll('button')].map(b => b.getAttribute('aria-pressed')),
            active: [...el.querySelectorAll('button')]
                .map(b => b.classList.contains('mod-active'))};
  });
  const live = root.querySelector('.rnnlib-readout');
  return {n_images: imgs.length, alt: imgs.length ? imgs[0].getAttribute('alt') : null,
          title: imgs.length ? imgs[0].getAttribute('title') : null,
          readout: readouts.length === 1 ? readouts[0].textContent : null,
          live: live && live.getAttribute('aria-live'), sliders, toggles};
})"""


def check_slider_state(state, where):
    assert state["n_images"] == 1, f"{where}: {state['n_images']} visible frames"
    assert state["alt"], f"{where}: the visible frame has no alt text"
    assert state["title"] is None, f"{where}: the tooltip was not moved to alt"
    readout = plain(state["readout"])
    assert readout and readout in state["alt"].replace("_", ""), (
        f"{where}: alt text does not say what the readout says:\n"
        f"  alt:     {state['alt']}\n  readout: {readout}")
    assert state["live"] == "polite", f"{where}: the readout is not a live region"
    for s in state["sliders"]:
        assert s["role"] == "slider" and s["tabindex"] == "0", s
        assert s["name"] == s["label"] and s["name"], f"{where}: slider name {s}"
        assert s["valuetext"] == s["readout"], f"{where}: value text {s}"
    for t in state["toggles"]:
        assert t["name"] == t["label"] and t["name"], f"{where}: toggle group name {t}"
        assert t["pressed"] == ["true" if a else "false" for a in t["active"]], t


def settled(page, i, timeout_ms=5000):
    """Slider ``i``'s state once its visible frame's alt text agrees with its readout."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        state = page.evaluate(READ_SLIDERS)[i]
        readout = plain(state["readout"] or "")
        if (state["n_images"] == 1 and state["alt"] and readout
                and readout in state["alt"].replace("_", "")) or time.monotonic() > deadline:
            return state
        page.wait_for_timeout(50)


def test_frame_alt_text_follows_the_slider(offline_page, site_dir):
    """Move every frame slider with the keyboard: the visible frame's alt text
    changes with it and says what the readout says; names and values follow."""
    pages = widget_pages(site_dir)
    assert pages, "no page has a frame slider"
    for doc in pages:
        page = offline_page.goto(f"{doc}.html")
        for i in range(len(page.evaluate(READ_SLIDERS))):
            where = f"{doc} frame slider {i}"
            state = settled(page, i)
            check_slider_state(state, where)
            root = page.locator(".rnnlib-frame-slider").nth(i)
            root.scroll_into_view_if_needed()
            root.locator(":scope > .widget-slider .noUi-handle").last.focus()
            alts = {}
            for key in ("Home", "ArrowRight", "End"):
                page.keyboard.press(key)
                page.wait_for_timeout(50)
                state = settled(page, i)
                check_slider_state(state, f"{where} after {key}")
                alts[state["sliders"][-1]["readout"]] = state["alt"]
            assert len(set(alts.values())) == len(alts) >= 2, (
                f"{where}: the alt text did not change with the slider: {alts}")
            toggles = root.locator(":scope > .widget-toggle-buttons button[aria-pressed='false']")
            if toggles.count():
                before = state["alt"]
                toggles.first.focus()
                page.keyboard.press("Enter")             # a toggle, by keyboard too
                page.wait_for_timeout(50)
                state = settled(page, i)
                check_slider_state(state, f"{where} after a toggle")
                assert state["alt"] != before, f"{where}: alt text unchanged by a toggle"
    offline_page.assert_clean()


@pytest.mark.parametrize("doc", PAGES)
def test_every_slider_has_a_name_and_a_value_text(offline_page, doc):
    """Every ARIA slider on the page (frame sliders and any other ipywidgets slider)."""
    page = offline_page.goto(f"{doc}.html")
    handles = page.locator("[role='slider']")
    for i in range(handles.count()):
        handle = handles.nth(i)
        snapshot = handle.aria_snapshot()        # e.g. '- slider "weight scale σ_max": "1"'
        assert re.match(r'- slider "[^"]+"', snapshot), f"{doc}: unnamed slider: {snapshot}"
        valuetext = handle.get_attribute("aria-valuetext")
        readout = handle.locator(
            "xpath=ancestor::*[contains(@class,'widget-slider')][1]/*[contains(@class,"
            "'widget-readout')]")
        if readout.count():
            assert valuetext == readout.inner_text().strip(), (doc, valuetext)
    offline_page.assert_clean()


# -- static figures ---------------------------------------------------------------
GENERIC_ALT = re.compile(r"^(plot|figure|image|graph|chart|png|svg|output)\.?$"
                         r"|_images/|^\.\.?/|\.(png|svg|jpe?g|gif|webp)$", re.I)


@pytest.mark.parametrize("doc", PAGES)
def test_static_figures_have_a_real_alt_text(site_dir, doc):
    """Every <img> that the page's HTML holds (cell outputs, diagrams) has alt text that
    says something: not a file name (Sphinx's default when a cell sets none), not "plot".

    A code cell sets it with ``:mystnb: {image: {alt: "..."}}``.
    """
    html_text = (site_dir / f"{doc}.html").read_text(encoding="utf-8")
    bad = []
    for tag in re.findall(r"<img\b[^>]*>", html_text):
        alt = re.search(r'\balt="([^"]*)"', tag)
        text = unescape(alt.group(1)).strip() if alt else ""
        if len(text) < 20 or GENERIC_ALT.search(text):
            bad.append(tag[:160])
    assert not bad, f"{doc}: images without a real alt text:\n  " + "\n  ".join(bad)


# -- math ------------------------------------------------------------------------
@pytest.mark.parametrize("doc", PAGES)
def test_math_is_read_as_mathml(offline_page, doc):
    """MathJax's assistive MathML is on: each typeset formula has a hidden <math> copy
    that screen readers read, and its visual rendering is hidden from them."""
    page = offline_page.goto(f"{doc}.html")
    found = page.evaluate("""() => [...document.querySelectorAll('mjx-container')].map(c => ({
        mathml: !!c.querySelector('mjx-assistive-mml > math'),
        hidden: c.querySelector('mjx-math') &&
                c.querySelector('mjx-math').getAttribute('aria-hidden') === 'true'}))""")
    if page.locator(".math").count() == 0:
        pytest.skip(f"{doc} has no math")
    assert found, f"{doc}: math on the page but nothing typeset"
    missing = [i for i, f in enumerate(found) if not (f["mathml"] and f["hidden"])]
    assert not missing, f"{doc}: {len(missing)} of {len(found)} formulas without assistive MathML"
