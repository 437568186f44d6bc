"""Sphinx configuration for the xent site.

Sphinx reads this file from the repository root and the pages from ``docs/``:
``sphinx-build -c . docs _build/html``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
BUILDDIR = Path(os.environ.get("XENT_BUILDDIR", ROOT / "_build"))
# Sphinx does not put the configuration directory on sys.path. The repository
# root holds the site's own extensions (the xent_sphinx package) and the
# xent_ref that the API reference documents (not an installed copy).
sys.path.insert(0, str(ROOT))

project = "xent"
author = "The xent authors"
copyright = "2026, The xent authors"
html_title = "xent: every loss is a cross-entropy"

extensions = [
    "myst_nb",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx_togglebutton",
    "sphinxcontrib.bibtex",
    "sphinx_sitemap",
    "sphinxext.opengraph",
    "notfound.extension",
    # The site's own extensions, with their scripts (xent_sphinx/__init__.py
    # lists them): math typeset to SVG at build time by MathJax in Node (no
    # script on pages), quizzes, explorations, reading time, equation
    # references across pages, links to the API reference, the table of
    # losses, accessibility fixes to the theme's HTML and reproducible builds.
    "xent_sphinx",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

# --- Strictness -----------------------------------------------------------
# `make html` passes -W --keep-going; nitpicky turns every unresolved
# cross-reference into a warning, hence an error.
nitpicky = True
numfig = True
# Equations are numbered per page: (1), (2), ... restart on every page, as in
# a paper. Sphinx's default math_numfig = True takes equation numbers from the
# numfig counters, which are per section number; no toctree here is
# :numbered:, so every page has the same (empty) section number and one
# counter ran across the whole site. With it off, the math domain numbers
# each page's equations on their own.
math_numfig = False
math_eqref_format = "({number})"
html_math_renderer = "xent_svg"

# --- MyST and MyST-NB -----------------------------------------------------
myst_enable_extensions = [
    "amsmath",
    "colon_fence",
    "deflist",
    "dollarmath",
    "fieldlist",
    "substitution",
]
myst_dmath_double_inline = True
myst_heading_anchors = 3


def inputs_digest(*sources: Path) -> str:
    """Hash of what executed pages read besides their own cells.

    jupyter-cache keys an executed notebook on its cells' code only. Keying the
    cache *location* on these inputs as well means that any change to them
    re-executes every page, so no page shows output computed by old code or
    from old data. A source is a package directory (its ``*.py`` files) or a
    single data file.
    """
    digest = hashlib.sha256()
    for source in sources:
        files = sorted(source.rglob("*.py")) if source.is_dir() else [source]
        for path in files:
            digest.update(path.relative_to(source.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# The pages call xent_ref, and the accuracy-and-speed page renders the
# committed benchmark results.
EXECUTION_INPUTS = (
    ROOT / "xent_ref",
    ROOT / "benchmarks" / "results.json",
    ROOT / "benchmarks" / "summary.py",
    ROOT / "docs" / "reference" / "xent-golden-vectors-v1.json",
)

nb_execution_mode = "cache"
nb_execution_cache_path = str(BUILDDIR / ".jupyter_cache" / inputs_digest(*EXECUTION_INPUTS))
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
nb_execution_allow_errors = False
nb_merge_streams = True
# Figures: fixed metadata so that two builds give byte-identical images.
nb_render_image_options = {"align": "center"}

# --- Bibliography ---------------------------------------------------------
bibtex_bibfiles = ["docs/references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# --- HTML -----------------------------------------------------------------
html_theme = "sphinx_book_theme"
# Where the site is published, for the sitemap, canonical links, Open Graph
# and the 404 page. The Pages workflow passes its URL in XENT_BASEURL; Read the
# Docs sets READTHEDOCS_CANONICAL_URL. Only these absolute URLs depend on it.
html_baseurl = (
    os.environ.get("XENT_BASEURL")
    or os.environ.get("READTHEDOCS_CANONICAL_URL")
    or "https://xent.example.org/"
).rstrip("/") + "/"
# The site's own styles, print styles, icons and math script; the scripts of
# the quiz and exploration extensions ship in xent_sphinx/static.
html_static_path = ["docs/_static"]
# A site-local icon: otherwise browsers ask for /favicon.ico at the host root.
html_favicon = "docs/_static/favicon.svg"
html_css_files = ["xent.css"]
html_last_updated_fmt = None
html_copy_source = True
html_show_sourcelink = True
html_context = {
    # pydata-sphinx-theme logs "Got invalid theme mode" on every page unless
    # the default mode is one of light/dark/auto.
    "default_mode": "light",
}
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
}
sitemap_url_scheme = "{link}"
# No dates: the sitemap depends only on the sources (reproducible builds).
sitemap_show_lastmod = False
sitemap_excludes = ["search.html", "genindex.html", "404.html"]
ogp_site_url = html_baseurl
ogp_site_name = "xent"
ogp_enable_meta_description = True
# The preview image is a card drawn at build time into _images/ (no external
# image URL); its og:image URL is absolute on html_baseurl, as Open Graph needs.
ogp_social_cards = {"enable": True}
# The 404 page is served for a missing URL at any depth, so its links must be
# root-relative: they start with the path of html_baseurl ("/" on a custom
# domain, "/<repo>/" on a GitHub Pages project site, "/en/latest/" on RTD).

notfound_urls_prefix = urlsplit(html_baseurl).path

# --- Copy button ----------------------------------------------------------
# Strip ">>> ", "... " and "$ " prompts and copy only prompted lines when a
# block has prompts, so a copied doctest runs as pasted and outputs are never
# copied.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_remove_prompts = True
copybutton_exclude = ".linenos, .gp, .go"
copybutton_selector = "div.highlight pre"


INSTALL_CELL = (
    "This notebook calls `xent_ref`, the NumPy reference implementation that the site "
    "teaches with (`import xent_ref as xr`). Install it, with NumPy, before running the "
    "cells: `pip install .` in a clone of the site's sources (the package is `xent-ref`; "
    "it is not on PyPI). Some cells also use SciPy, Matplotlib or PyTorch. "
    "The outputs below are those of the published build."
)


def executed_notebook(path: Path) -> dict:
    """The page's notebook with its outputs.

    MyST-NB writes ``jupyter_execute/<page>.ipynb`` without outputs when they
    come from its cache, so they are merged back from the same cache here.
    """
    import nbformat
    from jupyter_cache import get_cache

    notebook = nbformat.read(path, as_version=4)
    try:
        _, notebook = get_cache(nb_execution_cache_path).merge_match_into_notebook(notebook)
    except KeyError:
        pass  # not in the cache: the file holds the outputs of a fresh run
    return json.loads(nbformat.writes(notebook))


def download_notebook(notebook: dict) -> dict:
    """The executed page as a reader gets it: an install note first, outputs kept,
    and no ``remove-cell`` cells (they hold the page's checks and import myst_nb)."""
    cells = [cell for cell in notebook.get("cells", [])
             if "remove-cell" not in cell.get("metadata", {}).get("tags", [])]
    note = {"cell_type": "markdown", "metadata": {}, "source": INSTALL_CELL}
    return {**notebook, "cells": [note, *cells]}


def _offer_ipynb_download(app, pagename, templatename, context, doctree):
    """Let the theme's download menu offer the executed notebook as .ipynb.

    sphinx-book-theme lists ``ipynb_source`` in its download menu; MyST-NB
    writes each executed page to ``jupyter_execute/``. Copy it beside the
    page's source so the link resolves on any static host.
    """
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(download_notebook(executed_notebook(executed))), encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def _execute_over_ipc() -> None:
    """Run the pages' Jupyter kernels over the IPC transport, not TCP.

    Over TCP, ipykernel 7.x logs "Kernel is running over TCP without
    encryption" for every kernel it starts, so once per executed page
    (https://github.com/ipython/ipykernel/pull/1515 added the warning; its
    advice is the IPC transport or CurveZMQ keys). Over IPC the kernel and the
    build talk through Unix sockets in Jupyter's private runtime directory:
    nothing listens on a port, so there is nothing to warn about, and two
    builds side by side cannot race for the same free port.

    The transport is a setting of jupyter_client's KernelManager, which
    nbclient's NotebookClient creates with its own traitlets config.
    MyST-NB 1.4's cache executor (``myst_nb.core.execute.cache``) calls
    jupyter-cache's ``single_nb_execution``, which passes extra keywords on to
    the NotebookClient, but MyST-NB passes none and has no setting for them.
    No upstream issue asks for one; the nearest upstream change,
    https://github.com/executablebooks/MyST-NB/pull/721 (a Parser that hands
    its own kernel manager to execution), is not in the pinned 1.4.0. So the
    function that module calls is wrapped to pass the config.

    The sockets' path prefix (``KernelManager.ip`` for IPC) must be absolute:
    its default is relative, and the kernel runs in the page's directory
    while the build runs in the repository's, so they would not meet.
    """
    import functools

    from jupyter_core.paths import jupyter_runtime_dir
    from myst_nb.core.execute import cache
    from traitlets.config import Config

    if isinstance(cache.single_nb_execution, functools.partial):
        return
    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    # jupyter_client numbers the sockets after the prefix, skipping numbers in use.
    prefix = runtime / f"xent-build-{os.getpid()}"
    config = Config({"KernelManager": {"transport": "ipc", "ip": str(prefix)}})
    cache.single_nb_execution = functools.partial(cache.single_nb_execution, config=config)


def setup(app):
    # Run before sphinx-book-theme builds its header buttons (priority 500).
    app.connect("html-page-context", _offer_ipynb_download, priority=400)
    _execute_over_ipc()


# --- API reference ---------------------------------------------------------
# docs/reference/api renders xent_ref's numpydoc docstrings; xent_sphinx's
# api_links makes every ``xr.name`` literal on a page a link to its entry.
# autodoc imports the xent_ref next to this file (ROOT is on sys.path above).
from numpydoc.xref import DEFAULT_LINKS as _NUMPYDOC_LINKS  # noqa: E402

extensions += [
    "sphinx.ext.autodoc",
    "numpydoc",
]
# The public names are those in each module's __all__; private helpers and
# undocumented attributes stay out.
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_member_order = "bysource"
# Types are stated in the docstrings' Parameters and Returns; signatures with
# annotations would add references to NumPy types that cannot resolve offline.
autodoc_typehints = "none"
# Defaults as written in the source (``records=RECORDS``), not their repr.
autodoc_preserve_defaults = True
autodoc_class_signature = "mixed"
# Methods are documented in full below each class; no summary tables.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Parameter types become references for the package's own names only; every
# other word (array_like, ndarray, float, optional, ...) stays plain text, since
# other projects' inventories are not available offline.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
# numpydoc links its built-in aliases (array_like, int, ndarray, ...) to the
# Python and NumPy inventories; mapping each to itself keeps it plain text.
numpydoc_xref_aliases = {name: name for name in _NUMPYDOC_LINKS} | {
    name: f"xent_ref.distributions.{name}"
    for name in (
        "Bernoulli",
        "Beta",
        "Categorical",
        "Gamma",
        "GaussianMixture",
        "Laplace",
        "NegativeBinomial",
        "Normal",
        "Poisson",
        "StudentT",
        "VonMises",
    )
} | {
    name: f"xent_ref.unification.{name}"
    for name in ("LikelihoodCheck", "Record", "Support")
}
# numpydoc checks the docstrings in tests/site/test_api_reference.py, not here.
numpydoc_validation_checks: set[str] = set()
# No Python module index page: the API index lists the three modules, and the
# sitemap lists pages only.
html_domain_indices = False


# --- Readers and devices ---------------------------------------------------
# Dark mode, keyboard, phones, print, no JavaScript, page weight, search,
# metadata and downloads. Everything a reader's device sees that is not a
# page's content is configured in this block.
import base64  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402

from docutils import nodes as _nodes  # noqa: E402
from sphinx import addnodes as _addnodes  # noqa: E402
from sphinx.errors import ConfigError  # noqa: E402
from sphinx.transforms import SphinxTransform  # noqa: E402

# Where the sources live, for the "repository" and "edit this page" buttons
# (one place: set XENT_REPOSITORY_URL, e.g. https://github.com/<owner>/xent).
REPOSITORY_URL = os.environ.get("XENT_REPOSITORY_URL", "").rstrip("/")
REPOSITORY_BRANCH = os.environ.get("XENT_REPOSITORY_BRANCH", "main")
# The Pages workflow sets XENT_PUBLISH=1: a published build needs its real URL.
PUBLISHING = os.environ.get("XENT_PUBLISH", "") == "1"
if PUBLISHING and not (os.environ.get("XENT_BASEURL") or os.environ.get("READTHEDOCS_CANONICAL_URL")):
    raise ConfigError(
        "XENT_BASEURL: a published build (XENT_PUBLISH=1) needs the site's URL; "
        "the canonical links, Open Graph images and sitemap would point to a placeholder")


def repository_theme_options(url: str, branch: str) -> dict:
    """The theme options that show the source repository and "edit this page"."""
    if not url:
        return {"use_repository_button": False, "use_edit_page_button": False}
    return {
        "repository_url": url,
        "repository_branch": branch,
        "path_to_docs": "docs",
        "use_repository_button": True,
        "use_edit_page_button": True,
    }


html_theme_options.update(repository_theme_options(REPOSITORY_URL, REPOSITORY_BRANCH))
LICENSE_NOTE = "Text and code released under the MIT License."
CITE_NOTE = (f"How to cite: The xent authors, <em>xent: every loss is a cross-entropy</em>, "
             f"2026, {html_baseurl} (see CITATION.cff in the sources).")
html_theme_options["extra_footer"] = f"<p>{LICENSE_NOTE}</p><p>{CITE_NOTE}</p>"

# The whole site as one PDF (`make pdf` prints the singlehtml build with
# Chromium). The HTML build ships and links it only when it exists, so the
# link is never dead.
PDF = BUILDDIR / "pdf" / "xent.pdf"
html_extra_path = [str(PDF)] if PDF.is_file() else []


def _link_pdf(app, pagename, templatename, context, doctree):
    """A footer link to the site's PDF, on every page, when the build ships one."""
    if app.builder.name == "html" and PDF.is_file():
        href = context["pathto"](PDF.name, 1)
        context["theme_extra_footer"] = (
            context.get("theme_extra_footer", "")
            + f'<p><a href="{href}" download>The whole site as one PDF</a></p>')

# Runs in <head> before the page is drawn: with no mode chosen by the reader,
# follow the system's colour scheme (the theme would store "light" as a
# choice); and mark <html> so that styles can tell whether scripts run.
EARLY_SCRIPT = (
    "(function(d){var m=null;try{m=localStorage.getItem('mode')}catch(e){}"
    "if(!m||m==='auto'){d.dataset.mode='auto';d.dataset.theme="
    "matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}"
    "d.classList.add('xent-js')})(document.documentElement);"
)

# Search: the words a reader types, indexed on the page that teaches them.
xent_search_terms = {
    "losses/softmax-cross-entropy": ["logsumexp", "log-sum-exp", "softmax"],
    "chain/kl-divergence": ["Kullback-Leibler", "KL divergence"],
    "catalogue/label-smoothing": ["label smoothing"],
    "catalogue/focal": ["focal loss"],
    "catalogue/scoring-calibration": ["Brier", "Brier score"],
}


class SearchTerms(SphinxTransform):
    """Main index entries for ``xent_search_terms``, before domains collect the index."""

    default_priority = 840

    def apply(self, **kwargs) -> None:
        terms = self.config.xent_search_terms.get(self.env.docname)
        section = next(iter(self.document.findall(_nodes.section)), None)
        if not terms or section is None:
            return
        title = next(iter(section.findall(_nodes.title)))
        entries = [("single", term, section["ids"][0], "main", None) for term in terms]
        title.parent.insert(title.parent.index(title) + 1,
                            _addnodes.index(entries=entries, inline=False))


def _last_updated(app, pagename, templatename, context, doctree):
    """The date of the last commit that touched the page's source (reproducible)."""
    if doctree is None:
        return
    source = Path(app.env.doc2path(pagename))
    try:
        date = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", str(source)], cwd=ROOT,
            capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        date = ""
    context["last_updated"] = date or None


def prune_static(outdir: Path) -> None:
    """Delete what no page loads from the built site."""
    static = outdir / "_static"
    for path in sorted(static.rglob("*.map")):
        path.unlink()
    # Replaced on every page by xent-icons.css (icons_as_fonts).
    (static / "scripts" / "fontawesome.js").unlink(missing_ok=True)


_FONTAWESOME_JS = re.compile(r'<script defer src="([^"]*)_static/scripts/fontawesome\.js[^"]*"></script>')


def icons_as_fonts(html: str) -> str:
    """The theme's fontawesome.js replaced by xent-icons.css (the same icons as fonts).

    pydata-sphinx-theme 0.20 loads all of Font Awesome's JavaScript (1.4 MB)
    on every page to draw a few icons whose web fonts it also ships:
    https://github.com/pydata/pydata-sphinx-theme/issues/2379 (open; the fix
    proposed there uses CSS and the web fonts, as xent-icons.css does).
    """
    return _FONTAWESOME_JS.sub(r'<link rel="stylesheet" href="\1_static/xent-icons.css" />', html)


_BLOCKING = re.compile(r'<script( [^>]*)?>(.*?)</script>', re.S)


def defer_scripts(html: str) -> str:
    """Every external script in <head> deferred, in its order.

    A deferred script runs after parsing, before DOMContentLoaded, in document
    order. Inline scripts don't block on the network and stay where they are
    (they set options that the deferred scripts read), except those that use
    DOCUMENTATION_OPTIONS, which a deferred script defines: each becomes a
    deferred data: URL that keeps its place after it. The theme and Sphinx
    write blocking scripts in <head>; upstream, for the theme's largest one:
    https://github.com/pydata/pydata-sphinx-theme/issues/2115 (open).
    """
    head_end = html.find("</head>")
    if head_end < 0:
        return html

    def fix(match: re.Match) -> str:
        attrs, body = match.group(1) or "", match.group(2)
        if re.search(r'\b(defer|async|data-cfasync|data-xent-early)\b|type="(?!text/javascript)', attrs):
            return match.group(0)
        if " src=" in attrs:
            return f"<script defer{attrs}></script>"
        if "DOCUMENTATION_OPTIONS" not in body:
            return match.group(0)  # settings the deferred scripts read: run now
        encoded = base64.b64encode(body.encode()).decode()
        return f'<script defer{attrs} src="data:text/javascript;base64,{encoded}"></script>'

    return _BLOCKING.sub(fix, html[:head_end]) + html[head_end:]


def _finish(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    prune_static(outdir)
    for path in sorted(outdir.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        fixed = defer_scripts(icons_as_fonts(text))
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")
    sitemap = "" if not html_baseurl else f"Sitemap: {html_baseurl}sitemap.xml\n"
    (outdir / "robots.txt").write_text("User-agent: *\nAllow: /\n" + sitemap, encoding="utf-8")


def _readers_setup(app):
    app.add_css_file("xent-print.css", media="print")
    app.add_js_file(None, body=EARLY_SCRIPT, priority=1, **{"data-xent-early": "true"})
    # A change of the terms re-reads the pages (the transform runs on reading).
    app.add_config_value("xent_search_terms", {}, "env", types=frozenset({dict}))
    app.add_transform(SearchTerms)
    app.connect("html-page-context", _last_updated)
    app.connect("html-page-context", _link_pdf)
    app.connect("build-finished", _finish)


_site_setup = setup


def setup(app):  # noqa: F811 - the site's setup, then this block's
    _site_setup(app)
    _readers_setup(app)
# --- end of Readers and devices ---------------------------------------------
