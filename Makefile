# xent: the site and its tests.  `make html` and `make test` are all a fresh
# machine with Python 3.11 and make needs.

PYTHON   ?= python3.11
VENV     := .venv
BIN      := $(VENV)/bin
BUILDDIR ?= _build
SPHINXOPTS ?=
export XENT_BUILDDIR := $(abspath $(BUILDDIR))

# Pinned, reproducible builds: every timestamp Sphinx or matplotlib writes.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1700000000)
export PYTHONHASHSEED := 0

# Doctrees go beside the site, not into it: _build/html is what gets published.
SPHINXBUILD := $(BIN)/sphinx-build -c . -W --keep-going -n -b html -d $(BUILDDIR)/doctrees docs $(BUILDDIR)/html $(SPHINXOPTS)

.PHONY: help html pdf test test-fast typecheck chromium serve clean distclean bench reproducible lock

help:
	@echo "make html          build the site strictly into $(BUILDDIR)/html"
	@echo "make pdf           the whole site as one PDF, $(BUILDDIR)/pdf/xent.pdf (a later make html links it)"
	@echo "make test          find (or, as root, install) Chromium, build the PDF and the site, type-check, run every test"
	@echo "make test-fast     package tests, docstring examples and doc snippets: no browser, no build"
	@echo "make typecheck     mypy over the package and its tests"
	@echo "make serve         live-reloading server on http://127.0.0.1:8000"
	@echo "make bench         speed, memory and accuracy benchmark"
	@echo "make reproducible  two clean builds, and an incremental one, must be byte-identical"
	@echo "make lock          rewrite requirements/*.txt, the hash-checked locks, from pyproject.toml"
	@echo "make clean         remove build output (keeps .venv)"
	@echo "make distclean     remove build output and .venv"

# The virtualenv is created once. Every package, pip and setuptools included,
# comes from a lock with the sha256 of each file (requirements/*.txt, written
# from pyproject.toml by `make lock`); the project itself is installed in
# place, without dependencies or an isolated build. A stamp file records the
# last install: each lock is reinstalled only when it or pyproject.toml changes.
# The locks pin torch's CPU build, which PyPI does not carry: unless its wheel
# lies in $PIP_FIND_LINKS, pip also looks in PyTorch's CPU index.
ifeq ($(wildcard $(addsuffix /torch-*+cpu-*.whl,$(PIP_FIND_LINKS))),)
export PIP_EXTRA_INDEX_URL ?= https://download.pytorch.org/whl/cpu
endif

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-docs: requirements/docs.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/docs.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.stamp-test: requirements/test.txt $(VENV)/.stamp-docs
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/test.txt
	@touch $@

# Rewrites both locks from pyproject.toml, keeping every pin it still allows:
# LOCK_ARGS=--upgrade takes the newest allowed releases, LOCK_ARGS="-P NAME" one package's.
lock: $(VENV)/.stamp-docs
	$(BIN)/python tools/lock.py $(LOCK_ARGS)

# The math is typeset at build time by MathJax in Node (xent_sphinx/math.py).
# With no node on the PATH, root on Debian or Ubuntu gets the distribution's.
define need-node
	@command -v node >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs >/dev/null; } \
	|| { echo "error: node (Node.js 18 or later) not found; install it (Debian: apt-get install nodejs)" >&2; exit 1; }
endef

html: $(VENV)/.stamp-docs
	$(need-node)
	$(SPHINXBUILD)

# The whole site as one PDF: every page in one HTML file (singlehtml; its math
# is already SVG), printed by Chromium with the print stylesheet and an outline
# of the headings. An HTML build after it ships the PDF and links it from
# every page (conf.py); without one, no page links a PDF. Printing takes most
# of the time, so it runs only when a file of the singlehtml build differs
# from those the last PDF was printed from (their digest is kept beside it).
# Left out: the copy of the PDF that conf.py puts in every HTML build, and
# .buildinfo, Sphinx's hash of the configuration, which that copy changes;
# Chromium reads neither.
PDF_DIGEST = find $(BUILDDIR)/singlehtml -type f ! -name xent.pdf ! -name .buildinfo -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum

pdf: $(VENV)/.stamp-docs
	$(need-node)
	$(BIN)/sphinx-build -c . -W --keep-going -n -b singlehtml -d $(BUILDDIR)/doctrees-singlehtml docs $(BUILDDIR)/singlehtml $(SPHINXOPTS)
	@mkdir -p $(BUILDDIR)/pdf
	@if [ -f $(BUILDDIR)/pdf/xent.pdf ] && [ "$$($(PDF_DIGEST))" = "$$(cat $(BUILDDIR)/pdf/.printed-from 2>/dev/null)" ]; then \
	  echo "$(BUILDDIR)/pdf/xent.pdf is up to date"; \
	else \
	  rm -f $(BUILDDIR)/pdf/.printed-from && \
	  "$$($(BIN)/python tools/chromium.py ensure)" --headless --no-sandbox --disable-gpu \
	    --no-pdf-header-footer --generate-pdf-document-outline --virtual-time-budget=10000 \
	    --print-to-pdf=$(abspath $(BUILDDIR))/pdf/xent.pdf file://$(abspath $(BUILDDIR))/singlehtml/index.html && \
	  $(PDF_DIGEST) > $(BUILDDIR)/pdf/.printed-from; \
	fi

# pytest exits 5 when it collected no test at all: say so, then fail.
define pytest
	@$(BIN)/python -m pytest $(1); status=$$?; \
	if [ $$status -eq 5 ]; then echo "error: pytest collected no tests (exit 5)" >&2; fi; \
	exit $$status
endef

# The browser first: with none found (and none installable) the run stops
# here, before the build, with one line saying how to get one.
chromium: $(VENV)/.stamp-test
	@$(BIN)/python tools/chromium.py ensure >/dev/null

# One pytest-xdist worker per core; conftest.py keeps each test file in one
# worker, except the browser suite, spread test by test.
XDIST := -n auto

test: $(VENV)/.stamp-test chromium pdf html typecheck
	$(call pytest,$(XDIST) $(PYTEST_ARGS))

# The package's tests (tests/unit), its docstring examples (xent_ref) and the
# pages' snippets (docs): no browser and no Sphinx build. A new test file in
# tests/unit is picked up by pytest's own discovery. The site's tests
# (tests/site) run in `make test`. The pages come first: each runs whole in
# one worker and they are the longest units, so the workers end together.
FAST_TESTS := docs tests/unit xent_ref

test-fast: $(VENV)/.stamp-test
	$(call pytest,$(XDIST) -m "not browser and not build" $(FAST_TESTS) $(PYTEST_ARGS))

# The package and its tests ([tool.mypy] in pyproject.toml).
typecheck: $(VENV)/.stamp-test
	$(BIN)/python -m mypy

# The site's extensions and their scripts live outside docs/: watch them too.
serve: $(VENV)/.stamp-docs
	$(need-node)
	$(BIN)/sphinx-autobuild --host 127.0.0.1 --port 8000 --watch xent_sphinx -c . -n -d $(BUILDDIR)/doctrees docs $(BUILDDIR)/html

bench: $(VENV)/.stamp-test
	$(BIN)/python benchmarks/bench.py

# A clean build, an edit to one page and an incremental build, against a clean
# build of the edited tree. The two clean builds run side by side: the kernels
# talk over IPC (conf.py), so they cannot race for a TCP port.
reproducible: $(VENV)/.stamp-docs
	$(need-node)
	$(BIN)/python tools/check_reproducible.py

clean:
	rm -rf $(BUILDDIR)

distclean: clean
	rm -rf $(VENV)
