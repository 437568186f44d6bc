"""The site's own Sphinx extensions, one submodule each, with their static files.

conf.py lists ``"xent_sphinx"``, whose :func:`setup` sets up every submodule
in :data:`EXTENSIONS`; a test build may list one submodule alone
(``"xent_sphinx.quiz"``). The package sits at the repository's top level
beside conf.py, and is not part of the ``xent_ref`` wheel (pyproject.toml
names its packages): the library knows nothing of its site.

* ``math``: the HTML math renderer ``xent_svg``: MathJax in Node typesets every formula to SVG at build time.
* ``quiz``: the ``quiz`` directive (``static/xent-quiz.js``).
* ``explore``: the ``exploration`` directive (``templates/exploration-*.html``,
  ``static/xent-explore.js``).
* ``reading_time``: the reading time under every page's title.
* ``eqref``: a reference to another page's equation names that page.
* ``api_links``: every ``xr.name`` in inline code links to its API entry.
* ``loss_table``: the ``loss-table`` directive, the catalogue's table of losses from ``xent_ref.unification.RECORDS`` (its words in ``loss_table.yaml``).
* ``a11y``: fixes to the theme's and docutils' HTML for the accessibility audit.
* ``reproducible``: identical files from two builds, and from an incremental one.

A submodule whose pages need a script or stylesheet keeps it in ``static/``
and calls :func:`add_static_dir` from its own ``setup``, the way
sphinx-copybutton ships its files: the directory joins ``html_static_path``
when the builder starts, so its files are copied to ``_static/`` under their
own names.

Adding an extension: a module ``xent_sphinx/x.py`` with its own ``setup``,
and ``"xent_sphinx.x"`` in :data:`EXTENSIONS` (a test that imports it says
``from xent_sphinx import x``). An asset it adds with ``app.add_js_file`` or
``app.add_css_file`` lives in ``static/``, and its ``setup`` calls
:func:`add_static_dir`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: The submodules that ``"xent_sphinx"`` sets up, in this order.
EXTENSIONS = (
    "xent_sphinx.quiz",
    "xent_sphinx.explore",
    "xent_sphinx.reading_time",
    "xent_sphinx.eqref",
    "xent_sphinx.a11y",
    "xent_sphinx.reproducible",
    "xent_sphinx.api_links",
    "xent_sphinx.loss_table",
    "xent_sphinx.math",
)

#: Scripts and stylesheets of the submodules, copied to the site's ``_static/``.
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _add_static_path(app) -> None:
    if str(STATIC_DIR) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC_DIR))


def add_static_dir(app) -> None:
    """Copy :data:`STATIC_DIR` into the HTML output (once, however many submodules ask)."""
    if not getattr(app, "_xent_sphinx_static", False):
        app._xent_sphinx_static = True
        app.connect("builder-inited", _add_static_path)


def setup(app) -> dict[str, Any]:
    for name in EXTENSIONS:
        app.setup_extension(name)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
