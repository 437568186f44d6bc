"""Sphinx configuration for the xent site.

Sphinx reads this file from the repository root and the pages from ``docs/``:
``sphinx-build -c . docs _build/html``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
BUILDDIR = Path(os.environ.get("XENT_BUILDDIR", ROOT / "_build"))
# The site's own extensions (quiz, explorations, reading time) live in docs/_ext.
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

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
    # MathJax 3, copied into _static/mathjax from a pinned PyPI package: math
    # renders with no network (the extension sets mathjax_path).
    "sphinx-mathjax-offline",
    "xent_quiz",
    "xent_explore",
    "xent_reading_time",
    # Equations are numbered per page: a reference to another page names it.
    "xent_eqref",
    # Build-time fixes to the theme's HTML for the accessibility audit.
    "xent_a11y",
    # Deterministic notebook downloads and stream output (make reproducible).
    "xent_reproducible",
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
    shutil.copyfile(executed, target)
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
    the NotebookClient, but MyST-NB passes none and has no setting for them
    (no upstream issue asks for one yet). So the function that module calls
    is wrapped to pass the config.

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
# docs/reference/api renders xent_ref's numpydoc docstrings; xent_api_links
# makes every ``xr.name`` literal on a page a link to its entry. The pages
# import the xent_ref next to this file (the build runs with it on sys.path).
sys.path.insert(0, str(ROOT))
from numpydoc.xref import DEFAULT_LINKS as _NUMPYDOC_LINKS  # noqa: E402

extensions += [
    "sphinx.ext.autodoc",
    "numpydoc",
    "xent_api_links",
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
    for name in ("LikelihoodCheck", "Record", "Row", "Support")
}
# numpydoc checks the docstrings in tests/test_api_reference.py, not here.
numpydoc_validation_checks: set[str] = set()
# No Python module index page: the API index lists the three modules, and the
# sitemap lists pages only.
html_domain_indices = False
