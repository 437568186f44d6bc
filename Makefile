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

.PHONY: help html test test-fast chromium serve clean distclean bench reproducible lock

help:
	@echo "make html          build the site strictly into $(BUILDDIR)/html"
	@echo "make test          find (or, as root, install) Chromium, build the site, run every test"
	@echo "make test-fast     type check, package tests, docstring examples and doc snippets: no browser, no build"
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

html: $(VENV)/.stamp-docs
	$(SPHINXBUILD)

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

test: $(VENV)/.stamp-test chromium html
	$(call pytest,$(XDIST) $(PYTEST_ARGS))

# Everything that needs neither a browser nor a Sphinx build. New test files
# are picked up by pytest's own discovery (testpaths in pyproject.toml).
test-fast: $(VENV)/.stamp-test
	$(BIN)/python -m mypy
	$(call pytest,$(XDIST) -m "not browser and not build" $(PYTEST_ARGS))

# The site's extensions and their scripts live outside docs/: watch them too.
serve: $(VENV)/.stamp-docs
	$(BIN)/sphinx-autobuild --host 127.0.0.1 --port 8000 --watch xent_sphinx -c . -n -d $(BUILDDIR)/doctrees docs $(BUILDDIR)/html

bench: $(VENV)/.stamp-test
	$(BIN)/python benchmarks/bench.py

# A clean build, an edit to one page and an incremental build, against a clean
# build of the edited tree. The two clean builds run side by side: the kernels
# talk over IPC (conf.py), so they cannot race for a TCP port.
reproducible: $(VENV)/.stamp-docs
	$(BIN)/python tools/check_reproducible.py

clean:
	rm -rf $(BUILDDIR)

distclean: clean
	rm -rf $(VENV)
