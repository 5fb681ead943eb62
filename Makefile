# Build, serve and test the book.
#
#   make book    set up (.venv, npm packages) once, execute the chapters (cached), build _build/html
#   make serve   serve _build/html on http://localhost:$(PORT)
#   make test    ruff, unit tests, a clean build that fails on any cell error or warning,
#                then the browser tests (headless Chromium at /usr/bin/chromium)
#
# Setup steps leave stamp files behind, so a second run skips them.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HTML := _build/html

# TensorFlow logs C++ noise on stderr at import; the chapters import it.
export TF_CPP_MIN_LOG_LEVEL := 3
# numpy's BLAS threads make the book's small matrix products slower, not faster,
# on 2 cores (measured: an LSTM unroll 7 ms with one thread, 96-540 ms with two
# when the machine is busy).
export OPENBLAS_NUM_THREADS := 1
# pip's own "new version available" check would need the network.
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# -- setup ------------------------------------------------------------------
VENV_STAMP := $(VENV)/.stamp-installed
NPM_STAMP := node_modules/.stamp-installed
VENDOR_STAMP := assets/vendor/.stamp-copied

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Everything pinned in requirements.txt, then rnnlib itself in editable mode
# (so `import rnnlib` works from any folder, without sys.path tricks).
$(VENV_STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The exact versions in package-lock.json; --ignore-scripts: we only copy files.
$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Copy only what the pages load. Not into a folder named _static: Jupyter Book
# would add a <script> tag to every page for each .js file in it.
#  - MathJax 3: tex-chtml.js plus what it loads on demand (fonts in
#    output/chtml/fonts/woff-v2, TeX extensions, menu, accessibility);
#  - require.js and the widget renderer (embed-amd.js and the font files it
#    references next to itself).
# axe-core (accessibility checks) is not copied: no page loads it; the browser
# tests (tests/test_a11y.py) inject node_modules/axe-core/axe.min.js themselves.
MJ := node_modules/mathjax/es5
HM := node_modules/@jupyter-widgets/html-manager/dist
$(VENDOR_STAMP): $(NPM_STAMP) Makefile
	rm -rf assets/vendor
	mkdir -p assets/vendor/mathjax assets/vendor/html-manager
	cp -R $(MJ)/tex-chtml.js $(MJ)/input $(MJ)/output $(MJ)/a11y $(MJ)/sre $(MJ)/ui \
	    $(MJ)/adaptors assets/vendor/mathjax/
	cp node_modules/requirejs/require.js assets/vendor/require.js
	cp $(HM)/embed-amd.js $(HM)/*.woff2 $(HM)/*.woff $(HM)/*.ttf $(HM)/*.eot $(HM)/*.svg \
	    assets/vendor/html-manager/
	touch $@

.PHONY: setup
setup: $(VENV_STAMP) $(VENDOR_STAMP)

# -- the book ---------------------------------------------------------------
.PHONY: book
book: setup
	$(BIN)/jupyter-book build .
	@echo
	@echo "Book built. Open file://$(CURDIR)/$(HTML)/index.html"
	@echo "or run 'make serve' and open http://localhost:$(PORT)/"

.PHONY: serve
serve:
	@test -f $(HTML)/index.html || { echo "No $(HTML)/index.html yet: run 'make book' first."; exit 1; }
	@echo "Serving $(HTML) on http://localhost:$(PORT)/ (Ctrl-C stops)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

# -- tests ------------------------------------------------------------------
# The clean build re-executes every chapter (execute_notebooks: force, in a
# config derived from _config.yml so the two cannot drift apart) and re-reads
# every page (--all), so a failing cell or any Sphinx warning fails `make test`.
# Jupyter Book resolves local_extensions relative to the config file, so the
# derived config (in _build/) gets absolute paths for them.
FORCE_CONFIG := _build/_config.force.yml
# The clean build's log; tests/test_build_log.py reads each chapter's execution time from it.
BUILD_LOG := _build/clean-build.log
define FORCE_CONFIG_PY
import os, sys, yaml
config = yaml.safe_load(open("_config.yml", encoding="utf-8"))
config["execute"]["execute_notebooks"] = "force"
local = config.get("sphinx", {}).get("local_extensions") or {}
for name, path in local.items():
    local[name] = os.path.abspath(path)
yaml.safe_dump(config, sys.stdout, sort_keys=False)
endef
export FORCE_CONFIG_PY

.PHONY: test
test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not browser and not built" -q || test $$? -eq 5   # 5: none collected
	mkdir -p _build
	$(BIN)/python -c "$$FORCE_CONFIG_PY" > $(FORCE_CONFIG)
	$(BIN)/jupyter-book build . --config $(FORCE_CONFIG) --all -W --keep-going \
	    | tee $(BUILD_LOG)
	$(BIN)/python -m bookkit.notebooks --build _build --out $(NOTEBOOKS)   # student notebooks
	$(MAKE) --no-print-directory student slides pdf   # reuse this build's executed chapters
	$(BIN)/pytest -m "built or browser" -q

# -- teaching editions: student site, slides, handouts (issue 11) ------------
# make student: the same book into _build/student/_build/html without solutions
# and without the "For instructors" part. Its _config.yml and _toc.yml are
# derived from the book's by bookkit/editions.py; it executes nothing that a
# previous build (make book / make test) has already executed: their executed
# notebooks (_build/jupyter_execute) seed its jupyter-cache, matched by code hash.
STUDENT := _build/student
EXECUTED ?= _build/jupyter_execute
.PHONY: student
student: setup
	$(BIN)/python -m bookkit.editions student $(STUDENT) \
	    --executed $(EXECUTED) --cache $(STUDENT)/.jupyter_cache
	$(BIN)/jupyter-book build . --config $(STUDENT)/_config.yml --toc $(STUDENT)/_toc.yml \
	    --path-output $(STUDENT) --all -W --keep-going
	@echo "Student edition: file://$(abspath $(STUDENT))/_build/html/index.html"

# -- student notebooks (issue 12) -------------------------------------------------
# make notebooks: one plain .ipynb per chapter into _build/notebooks, from the
# chapter sources and the executed build (bookkit/notebooks.py): no MyST syntax,
# glued values as numbers, exercises numbered, solutions at the end, equation
# numbers and author-year citations as on the site. Cross-references link to the
# other notebooks; BOOK_URL=https://... links them to the website instead.
# The site's download button serves the same notebooks (_ext/ipynb_download.py).
NOTEBOOKS := _build/notebooks
.PHONY: notebooks
notebooks: book
	$(BIN)/python -m bookkit.notebooks --build _build --out $(NOTEBOOKS)
	@echo "Notebooks: $(CURDIR)/$(NOTEBOOKS)/"

# make lab: JupyterLab in this folder with .jupyter/lab/settings/overrides.json
# (a double-click opens a chapter's .md as a notebook, through jupytext, with the
# kernel of its front matter started; jupyterlab-myst renders the Markdown).
# Only this JupyterLab reads that file (your own ~/.jupyter settings still apply on top).
.PHONY: lab
lab: setup
	$(BIN)/jupyter lab --LabApp.app_settings_dir=$(CURDIR)/.jupyter/lab/settings \
	    $$([ "$$(id -u)" = 0 ] && echo --allow-root || true)

# make slides: one reveal.js deck per chapter in _build/slides, cut from the built
# pages (_build/html; built first if missing) by bookkit/slides.py as
# chapters/slides.toml selects. reveal.js (npm, package-lock.json) is copied next
# to the decks with MathJax, require.js and the widget renderer: they work offline.
SLIDES := _build/slides
REVEAL := node_modules/reveal.js/dist
.PHONY: slides
slides: setup
	@test -f $(HTML)/index.html || $(MAKE) --no-print-directory book
	rm -rf $(SLIDES)
	mkdir -p $(SLIDES)/vendor/reveal.js/theme
	cp $(REVEAL)/reveal.js $(REVEAL)/reveal.css $(REVEAL)/reset.css $(SLIDES)/vendor/reveal.js/
	cp $(REVEAL)/theme/white.css $(SLIDES)/vendor/reveal.js/theme/
	cp -R assets/vendor/mathjax assets/vendor/require.js assets/vendor/html-manager $(SLIDES)/vendor/
	cp assets/widgets-offline.js assets/book.css $(SLIDES)/
	$(BIN)/python -m bookkit.slides $(HTML) chapters/slides.toml $(SLIDES)
	@echo "Slides: file://$(abspath $(SLIDES))/index.html"

# make pdf: one PDF handout per chapter in _build/pdf, printed by headless Chromium
# (bookkit/handouts.py) from the student edition (built first if missing), with
# the print stylesheet assets/print.css: exercises without solutions. The
# instructor's copy, solutions printed open, from the full site:
#   make pdf PDF_SITE=_build/html PDF_TOC=_toc.yml PDF_OUT=_build/pdf/with-solutions
PDF_SITE ?= $(STUDENT)/_build/html
PDF_TOC ?= $(STUDENT)/_toc.yml
PDF_OUT ?= _build/pdf
.PHONY: pdf
pdf: setup
	@test -f $(PDF_SITE)/index.html || $(MAKE) --no-print-directory student
	rm -f $(PDF_OUT)/*.pdf
	$(BIN)/python -m bookkit.handouts $(PDF_SITE) $(PDF_OUT) --toc $(PDF_TOC)

.PHONY: clean
clean:
	rm -rf _build

# Also forget the setup stamps (not the .venv itself, which is slow to rebuild).
.PHONY: distclean
distclean: clean
	rm -rf node_modules assets/vendor $(VENV_STAMP)
