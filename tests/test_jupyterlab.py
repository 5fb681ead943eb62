"""A chapter opened in JupyterLab the way the README says (marker ``browser``).

README, "Reading the notebooks in JupyterLab": ``make lab`` starts JupyterLab
with the settings in ``.jupyter/lab/settings/overrides.json`` (``.md`` files
open as notebooks through jupytext; jupyterlab-myst renders the Markdown), and a
double-click on a chapter opens it as a notebook with its kernel started.

This test starts ``jupyter lab`` itself on 127.0.0.1 (a free port, a random
token, no browser, temporary Jupyter config/runtime/data folders, so nothing of
the developer's own Jupyter set-up counts) with those settings, opens
``rnn_cell.md`` by its URL (what a double-click does: the default viewer),
checks that no dialog (e.g. "Select Kernel") comes up and that the kernel is
Python 3, runs all cells from the Run menu, and checks that every code cell ran
and none shows an error. It works on a copy of ``chapters/`` in a temporary
folder, with autosave off, so the working tree is never written; the
screenshots go to ``$SCREENSHOTS`` (default: a temporary folder).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import missing

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / ".jupyter" / "lab" / "settings" / "overrides.json"
CHAPTER = os.environ.get("JUPYTERLAB_CHAPTER", "rnn_cell.md")   # fast: ~10 s of execution
TIMEOUT_S = 150


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """(base URL, token, root folder) of a JupyterLab started for this test."""
    if shutil.which("jupyter", path=str(Path(sys.executable).parent)) is None:
        missing("jupyter is not installed next to this Python")
    root = tmp_path / "book"
    shutil.copytree(ROOT / "chapters", root / "chapters")
    settings = json.loads(SETTINGS.read_text(encoding="utf-8"))
    # test-only additions: never write the copy back; render every cell (no
    # windowing) so that the whole notebook can be read from the page
    settings.setdefault("@jupyterlab/docmanager-extension:plugin", {})["autosave"] = False
    settings["@jupyterlab/notebook-extension:tracker"] = {"windowingMode": "none"}
    (tmp_path / "settings").mkdir()
    (tmp_path / "settings" / "overrides.json").write_text(json.dumps(settings))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH")}
    env.update(JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"),
               TF_CPP_MIN_LOG_LEVEL="3", OPENBLAS_NUM_THREADS="1")
    port, token = _free_port(), os.urandom(16).hex()
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
               "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}",
               f"--LabApp.app_settings_dir={tmp_path / 'settings'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("JupyterLab did not start:\n"
                                         + (tmp_path / "jupyterlab.log").read_text()) from None
                time.sleep(0.3)
        yield base, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.browser
def test_chapter_opens_and_runs_in_jupyterlab(jupyterlab, browser):
    base, token, root = jupyterlab
    shots = Path(os.environ.get("SCREENSHOTS") or tempfile.mkdtemp(prefix="jupyterlab-shots-"))
    shots.mkdir(parents=True, exist_ok=True)
    before = (root / "chapters" / CHAPTER).read_bytes()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        start = time.monotonic()
        page.goto(f"{base}/lab/tree/chapters/{CHAPTER}?token={token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        # the kernel starts by itself: the status bar says Python 3 and Idle
        page.wait_for_function(
            "() => /Python 3.*Idle/.test(document.querySelector('.jp-StatusBar-Widget')"
            "?.parentElement?.innerText || '')", timeout=60_000)
        page.wait_for_timeout(1000)
        assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").inner_text()
        page.screenshot(path=str(shots / "jupyterlab-opened.png"))

        page.locator(".jp-Notebook").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                     has_text="Run All Cells").first.click()
        n_code = page.locator(".jp-Notebook .jp-CodeCell").count()
        assert n_code >= 2
        # until every code cell has an execution count, or a traceback stopped the run
        # (JupyterLab renders an error as application/vnd.jupyter.stderr, like warnings:
        # the traceback text tells them apart)
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                const running = prompts.some(p => p.textContent.includes('*'));
                const done = prompts.length > 0
                    && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
                const failed = [...document.querySelectorAll('.jp-OutputArea-output')]
                    .some(o => o.innerText.includes('Traceback (most recent call last)'));
                return !running && (done || failed);
            }""", timeout=TIMEOUT_S * 1000)
        elapsed = time.monotonic() - start
        page.wait_for_timeout(500)
        texts = [t for t in page.locator(".jp-OutputArea-output").all_inner_texts()
                 if "Traceback (most recent call last)" in t]
        page.screenshot(path=str(shots / "jupyterlab-ran.png"))
        exercises = page.locator(".jp-MarkdownCell h2", has_text="Exercises")
        if exercises.count():
            exercises.last.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "jupyterlab-exercises.png"))
        assert not texts, f"error outputs in {CHAPTER}: {[t[:300] for t in texts]}"
        assert page.locator(".jp-Dialog").count() == 0
        assert elapsed < TIMEOUT_S
    finally:
        context.close()
    assert (root / "chapters" / CHAPTER).read_bytes() == before, "the chapter was written"
