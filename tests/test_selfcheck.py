"""Self-check questions (_ext/selfcheck.py, chapters/selfcheck/*.yml).

Source checks: every question file is valid, every ``{selfcheck}`` hook in a
chapter names a question that exists, and the notebook form is plain Markdown.
Browser checks, on the built site with the network cut off: for every question
on every page, a wrong answer and the right answer each show their own
feedback (taken from the YAML, not from the page), the keyboard alone works,
and the feedback region is announced (``role="status"``).
"""
import importlib.util
import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import toc_pages

# The book's sources: this repository, or the book of BOOK_TOC (set with BOOK_HTML to
# test another build, see conftest.py).
ROOT = Path(os.environ.get("BOOK_TOC") or Path(__file__).resolve().parents[1] / "_toc.yml").parent
EXT = Path(__file__).resolve().parents[1] / "_ext" / "selfcheck.py"
SOURCES = ROOT / "chapters" / "selfcheck"
HOOK = re.compile(r"^```\{selfcheck\}\s+(\S+)\s*$", re.M)


def _extension():
    spec = importlib.util.spec_from_file_location("selfcheck_ext", EXT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hooks():
    """(docname, question ref) for every hook in the chapters of _toc.yml, in order."""
    found = []
    for doc in toc_pages():
        path = ROOT / f"{doc}.md"
        if path.is_file():
            found += [(doc, ref) for ref in HOOK.findall(path.read_text(encoding="utf-8"))]
    return found


HOOKS = hooks()
PAGES = sorted({doc for doc, _ in HOOKS})


def question(ref):
    file, qid = ref.split("/")
    return yaml.safe_load((SOURCES / f"{file}.yml").read_text(encoding="utf-8"))[qid]


# -- sources --------------------------------------------------------------------
def test_every_question_file_loads_and_is_well_formed():
    ext = _extension()
    files = sorted(SOURCES.glob("*.yml"))
    assert files, "no question files"
    for path in files:
        for qid in yaml.safe_load(path.read_text(encoding="utf-8")):
            ext.load(f"{path.stem}/{qid}", ROOT)  # raises ValueError if malformed


def test_every_hook_names_an_existing_question_once():
    ext = _extension()
    assert HOOKS, "no {selfcheck} hook in any chapter"
    refs = [ref for _, ref in HOOKS]
    assert len(refs) == len(set(refs)), "a question is placed twice"
    for doc, ref in HOOKS:
        assert ref.split("/")[0] == Path(doc).name, f"{doc} uses another chapter's {ref}"
        ext.load(ref, ROOT)


def test_every_question_is_placed_in_its_chapter():
    placed = {ref for _, ref in HOOKS}
    unplaced = [f"{path.stem}/{qid}" for path in sorted(SOURCES.glob("*.yml"))
                for qid in yaml.safe_load(path.read_text(encoding="utf-8"))
                if f"{path.stem}/{qid}" not in placed]
    assert not unplaced, f"questions no chapter shows: {unplaced}"


def test_bad_reference_is_a_clear_error():
    ext = _extension()
    with pytest.raises(ValueError, match="expected '<file>/<question id>'"):
        ext.load("lstm", ROOT)
    with pytest.raises(ValueError, match="has no question 'nope'"):
        ext.load("lstm/nope", ROOT)


def test_notebook_form_is_plain_markdown_with_answers_collapsed():
    ext = _extension()
    md = ext.markdown("rnn_cell/kernel-shape", ROOT)
    assert "```{" not in md
    assert md.index("<details>") < md.index("**Correct.**")
    assert md.count("- (") == len(question("rnn_cell/kernel-shape")["choices"])


# -- the built pages ----------------------------------------------------------------
def _first_sentence(markdown_text):
    """The start of a feedback text as it reads on the page (no markup)."""
    text = re.sub(r"\{[a-z:]+\}`[^`]*`", " ", markdown_text)
    text = re.sub(r"\$[^$]*\$|`[^`]*`", " ", text)
    words = re.findall(r"[A-Za-z]{2,}", text)
    return words[:4]


def _check(page, box, index):
    """Choose ``index`` by clicking its label, press Check, return the feedback."""
    box.locator(".sc-choice label").nth(index).click()
    box.locator("button.sc-check").click()
    shown = box.locator(".sc-fb:not([hidden])")
    shown.wait_for(state="visible")
    assert shown.count() == 1
    return shown


@pytest.mark.browser
@pytest.mark.parametrize("doc", PAGES)
def test_wrong_then_right_answer_shows_its_feedback(offline_page, doc):
    page = offline_page.goto(f"{doc}.html")
    refs = [ref for d, ref in HOOKS if d == doc]
    assert page.locator(".selfcheck.sc-js").count() == len(refs)
    for ref in refs:
        q = question(ref)
        box = page.locator(f'.selfcheck[data-selfcheck="{ref}"]')
        box.scroll_into_view_if_needed()
        feedback = box.locator(".sc-feedback")
        assert feedback.get_attribute("role") == "status"
        assert feedback.get_attribute("aria-live") == "polite"
        right = next(i for i, c in enumerate(q["choices"]) if c.get("correct"))
        wrong = next(i for i, c in enumerate(q["choices"]) if not c.get("correct"))
        for index, verdict in ((wrong, "Not quite."), (right, "Correct.")):
            shown = _check(page, box, index)
            text = shown.inner_text()
            assert text.startswith(verdict), f"{ref} choice {index}: {text!r}"
            for word in _first_sentence(q["choices"][index]["feedback"]):
                assert word in text, f"{ref} choice {index}: {word!r} not in {text!r}"
            assert box.get_attribute("data-result") == ("right" if index == right else "wrong")
        # choosing another answer hides the old feedback until Check is pressed again
        box.locator(".sc-choice label").nth(wrong).click()
        assert box.locator(".sc-fb:not([hidden])").count() == 0
    offline_page.assert_clean()


@pytest.mark.browser
def test_keyboard_only(offline_page):
    doc = PAGES[0]
    ref = next(r for d, r in HOOKS if d == doc)
    q = question(ref)
    page = offline_page.goto(f"{doc}.html")
    box = page.locator(f'.selfcheck[data-selfcheck="{ref}"]')
    # Check with nothing chosen: a prompt, not an error
    box.locator("button.sc-check").focus()
    page.keyboard.press("Enter")
    box.locator(".sc-prompt:not([hidden])").wait_for(state="visible")
    # Tab from the element before the group lands on the first radio; arrows choose
    box.locator('input[type="radio"]').first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    checked = box.locator('input[type="radio"]:checked')
    assert checked.get_attribute("value") == "1"
    page.keyboard.press("Enter")  # Enter on a choice checks it
    shown = box.locator(".sc-fb:not([hidden])")
    shown.wait_for(state="visible")
    assert shown.get_attribute("data-choice") == "1"
    verdict = "Correct." if q["choices"][1].get("correct") else "Not quite."
    assert shown.inner_text().startswith(verdict)
    # Tab reaches the Check button (after any focusable formulas in the choices,
    # which MathJax's accessibility explorer puts in the tab order); Space presses it
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('sc-check')"):
            break
    else:
        raise AssertionError("Tab never reached the Check button")
    page.keyboard.press("Space")
    shown.wait_for(state="visible")
    offline_page.assert_clean()


@pytest.mark.browser
def test_accessible_names(offline_page):
    doc = PAGES[0]
    page = offline_page.goto(f"{doc}.html")
    box = page.locator(".selfcheck").first
    group = box.get_by_role("radiogroup")
    assert "Check your understanding" in group.evaluate(
        "g => g.getAttribute('aria-labelledby').split(' ')"
        ".map(id => document.getElementById(id).textContent).join(' ')")
    for radio in box.get_by_role("radio").all():
        label = radio.evaluate("r => r.labels[0] && r.labels[0].textContent.trim()")
        assert label, "a radio without a label"
    assert box.get_by_role("button", name="Check").count() == 1


@pytest.mark.browser
def test_without_javascript_the_answers_are_collapsed(browser, server_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server_url + f"{PAGES[0]}.html")
        box = page.locator(".selfcheck").first
        assert box.locator("details.sc-answers").count() == 1
        assert not box.locator(".sc-fb").first.is_visible()
        box.locator("details.sc-answers > summary").click()
        assert box.locator(".sc-fb").first.is_visible()
    finally:
        context.close()
