"""The sliders of the vanishing-gradient chapter, on the built site, with no kernel.

Every slider there is an ``bookkit.widgets.frame_slider``: a SelectionSlider
(plus ToggleButtons or a second slider for precomputed sets) jslinked to
Stacks of images and of readouts. For each one, in headless Chromium with the
network cut off, we move every control with the keyboard (Home, End, arrows
on the focused handle) and with the mouse (a drag of the handle, a click on
the track, a click on a toggle button), and check after each move that

* the picture changed (its bytes differ from before), and
* it is the right picture: the bytes shown are exactly the frame that the
  page's saved widget state holds for the controls' current positions, and
  the readout names the values the controls show.

Run against ``_build/html`` (``make test``) or another build via ``BOOK_HTML``.
"""
import json
import re
import time
from html import unescape

import pytest

pytestmark = pytest.mark.browser

PAGE = "chapters/vanishing.html"
PAGE_BUDGET = 3_000_000      # bytes: the html plus the images it loads

# What the readout must say for each control, by the control's description.
READOUT_FORMAT = {
    "weight w": "w = {}",
    "pre-activation |a|": "|a| = {}",
    "weight scale σ_max": "scale = {}",
    "activation": "({},",
    "sequence length T": "T = {}",
    "threshold c": "threshold c = {}",
    "forget bias": "forget bias = {}",
}

STATE_SCRIPT = re.compile(
    r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S)

# The controls, readout and picture of one frame slider, read from the DOM.
READ_JS = """async (root) => {
  const controls = [...root.children].filter(
      el => el.matches('.widget-slider, .widget-toggle-buttons')).map(el => {
    const label = el.querySelector('.widget-label').textContent.trim();
    if (el.matches('.widget-slider')) {
      return {kind: 'slider', label,
              value: el.querySelector('.widget-readout').textContent.trim()};
    }
    const buttons = [...el.querySelectorAll('button')];
    const active = buttons.findIndex(b => b.classList.contains('mod-active'));
    return {kind: 'toggle', label, index: active,
            value: active >= 0 ? buttons[active].textContent.trim() : null};
  });
  const imgs = [...root.querySelectorAll('img.widget-image')].filter(i => i.offsetParent !== null);
  const texts = [...root.querySelectorAll('.widget-html-content')]
      .filter(t => t.offsetParent !== null).map(t => t.textContent);
  let b64 = null;
  if (imgs.length === 1 && imgs[0].src) {
    const buf = new Uint8Array(await (await fetch(imgs[0].src)).arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
    }
    b64 = btoa(s);
  }
  return {controls, n_images: imgs.length, src: imgs.length ? imgs[0].src : null,
          alt: imgs.length ? imgs[0].getAttribute('alt') : null,
          image: b64, readouts: texts};
}"""


# -- the saved widget state -----------------------------------------------------
def ref(model):
    return model.removeprefix("IPY_MODEL_")


class SavedSliders:
    """The frame sliders of the page as its saved widget state describes them."""

    def __init__(self, html):
        match = STATE_SCRIPT.search(html)
        assert match, f"{PAGE} has no saved widget state"
        self.models = json.loads(unescape(match.group(1)) if "&quot;" in match.group(1)
                                 else match.group(1))["state"]
        self.boxes = [mid for mid, m in self.models.items()
                      if m["model_name"] == "VBoxModel"
                      and "rnnlib-frame-slider" in m["state"].get("_dom_classes", [])]

    def controls(self, box):
        """Models of the selectors and the slider, in the box's order."""
        children = [ref(c) for c in self.models[box]["state"]["children"]]
        return children[:-2]                           # then the readout and image stacks

    def frame(self, box, indices):
        """base64 of the image shown for these control indices (outermost first)."""
        node = ref(self.models[box]["state"]["children"][-1])
        for i in indices:
            node = ref(self.models[node]["state"]["children"][i])
        image = self.models[node]
        assert image["model_name"] == "ImageModel", image["model_name"]
        (buffer,) = image["buffers"]
        assert buffer["path"] == ["value"] and buffer["encoding"] == "base64"
        return buffer["data"]

    def labels(self, control):
        state = self.models[control]["state"]
        return state["_options_labels"]


@pytest.fixture(scope="module")
def saved(site_dir):
    return SavedSliders((site_dir / PAGE).read_text(encoding="utf-8"))


# -- helpers ---------------------------------------------------------------------
def root_of(page, box):
    """The rendered .rnnlib-frame-slider of the VBox model ``box``."""
    return page.evaluate_handle(
        """(id) => {
          const s = [...document.querySelectorAll(
              'script[type="application/vnd.jupyter.widget-view+json"]')]
              .find(s => JSON.parse(s.textContent).model_id === id);
          return s && s.parentElement.querySelector('.rnnlib-frame-slider');
        }""", box)


def expected(saved, box, shown):
    """The frame for the positions the controls show, and the readout texts."""
    indices, texts = [], []
    for model, control in zip(saved.controls(box), shown["controls"], strict=True):
        labels = saved.labels(model)
        assert control["value"] in labels, (control, labels)
        indices.append(labels.index(control["value"]))
        texts.append(READOUT_FORMAT[control["label"]].format(control["value"]))
    return indices, saved.frame(box, indices), texts


def settle(page, root, saved, box, timeout=10.0):
    """Wait until the picture matches the controls; return the DOM reading."""
    deadline = time.monotonic() + timeout
    while True:
        shown = page.evaluate(READ_JS, root)
        if shown["n_images"] == 1 and shown["image"]:
            _, frame, _ = expected(saved, box, shown)
            if shown["image"] == frame or time.monotonic() > deadline:
                return shown
        elif time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(50)


def check(page, root, saved, box, before, *, must_change=True):
    shown = settle(page, root, saved, box)
    assert shown["n_images"] == 1, f"expected one visible picture, got {shown['n_images']}"
    indices, frame, texts = expected(saved, box, shown)
    assert shown["image"] == frame, f"the picture is not frame {indices}"
    assert len(shown["readouts"]) == 1, shown["readouts"]
    for text in texts:
        assert text in shown["readouts"][0], (text, shown["readouts"][0])
    # the picture's alt text says what the readout says (issue 13)
    readout = " ".join(shown["readouts"][0].split())
    assert shown["alt"] and readout in shown["alt"].replace("_", ""), (shown["alt"], readout)
    if must_change:
        assert shown["image"] != before["image"], f"the picture did not change ({indices})"
        assert shown["src"] != before["src"]
    return shown


def slider_parts(root, i):
    slider = root.query_selector_all(":scope > .widget-slider")[i]
    return slider.query_selector(".noUi-handle"), slider.query_selector(".noUi-base")


# -- the tests ---------------------------------------------------------------------
def test_page_has_the_four_frame_sliders(saved):
    assert len(saved.boxes) == 4
    for box in saved.boxes:
        for control in saved.controls(box):
            description = saved.models[control]["state"]["description"]
            assert description in READOUT_FORMAT, f"no readout rule for {description!r}"


def test_page_size_within_budget(site_dir):
    html_path = site_dir / PAGE
    html = html_path.read_text(encoding="utf-8")
    images = set(re.findall(r'<img[^>]+src="([^"]+)"', html))
    local = [html_path.parent / src for src in images if not src.startswith("data:")]
    total = html_path.stat().st_size + sum(p.stat().st_size for p in local)
    assert all(p.is_file() for p in local)
    assert total < PAGE_BUDGET, f"{PAGE} with its images is {total / 1e6:.2f} MB"


@pytest.mark.parametrize("which", range(4))
def test_every_control_moves_the_picture_offline(offline_page, saved, which):
    page = offline_page.goto(PAGE)
    box = saved.boxes[which]
    root = root_of(page, box)
    assert root.evaluate("el => el !== null"), f"slider {which} was not rendered"
    root.scroll_into_view_if_needed()
    shown = check(page, root, saved, box, None, must_change=False)
    n_sliders = sum(c["kind"] == "slider" for c in shown["controls"])

    for i in range(n_sliders):                       # the main slider is the last one
        handle, base = slider_parts(root, i)
        position = [c for c in shown["controls"] if c["kind"] == "slider"][i]
        labels = saved.labels(saved.controls(box)[[j for j, c in enumerate(shown["controls"])
                                                    if c["kind"] == "slider"][i]])
        # keyboard: Home, End, then the arrows
        handle.focus()
        if position["value"] != labels[0]:
            page.keyboard.press("Home")
            shown = check(page, root, saved, box, shown)
        assert shown["controls"][-n_sliders + i]["value"] == labels[0]
        page.keyboard.press("ArrowRight")
        shown = check(page, root, saved, box, shown)
        assert shown["controls"][-n_sliders + i]["value"] == labels[1]
        page.keyboard.press("End")
        shown = check(page, root, saved, box, shown)
        assert shown["controls"][-n_sliders + i]["value"] == labels[-1]
        page.keyboard.press("ArrowLeft")
        shown = check(page, root, saved, box, shown)
        assert shown["controls"][-n_sliders + i]["value"] == labels[-2]
        # mouse: click the track near its start, then drag the handle to the middle
        track = base.bounding_box()
        page.mouse.click(track["x"] + 0.02 * track["width"], track["y"] + track["height"] / 2)
        shown = check(page, root, saved, box, shown)
        assert shown["controls"][-n_sliders + i]["value"] == labels[0]
        page.wait_for_timeout(600)                   # the handle slides there (CSS transition)
        grip = handle.bounding_box()
        page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
        page.mouse.down()
        page.mouse.move(track["x"] + 0.5 * track["width"], track["y"] + track["height"] / 2,
                        steps=8)
        page.mouse.up()
        shown = check(page, root, saved, box, shown)
        middle = shown["controls"][-n_sliders + i]["value"]
        assert middle not in (labels[0], labels[-1]), f"the drag left the slider at {middle}"

    toggles = [t for t, c in enumerate(shown["controls"]) if c["kind"] == "toggle"]
    for n, t in enumerate(toggles):
        buttons = root.query_selector_all(":scope > .widget-toggle-buttons")[n]
        buttons = buttons.query_selector_all("button")
        for b in range(len(buttons)):
            if b == shown["controls"][t]["index"]:
                continue
            buttons[b].click()
            shown = check(page, root, saved, box, shown)
            assert shown["controls"][t]["index"] == b
    offline_page.assert_clean()
