"""An estimated reading time under the title of every page.

The estimate is ``ceil((prose words + code_weight * code words) / wpm)``
minutes, at least 1, with ``wpm = 200`` and ``code_weight = 0.5``: code is
skimmed faster than it is read word by word. Words are counted in the page's
doctree as it is read (code cells, their outputs and the quiz included; HTML
comments and hidden system messages not), so the count depends only on the
source and is the same on every build.

The HTML shows ``<span class="xent-reading-time">`` with a clock icon and "6 min read" just
after the page's ``<h1>``; the doctree is not changed, so the search index and
the other builders never see the line.
"""

from __future__ import annotations

import math
import re
from typing import Any

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

WORD = re.compile(r"\S+")
#: Text under these nodes is not read by anyone.
SKIPPED = (nodes.comment, nodes.system_message, nodes.raw, nodes.substitution_definition)
#: Text under these nodes is code.
CODE = (nodes.literal_block, nodes.doctest_block)
H1_END = re.compile(r"</h1>")


def count_words(doctree: nodes.Node) -> tuple[int, int]:
    """The number of prose words and of code words in *doctree*."""
    prose = code = 0
    for text in doctree.findall(nodes.Text):
        kind = "prose"
        parent = text.parent
        while parent is not None:
            if isinstance(parent, SKIPPED):
                kind = None
                break
            if isinstance(parent, CODE):
                kind = "code"
            parent = parent.parent
        if kind is None:
            continue
        words = len(WORD.findall(text.astext()))
        if kind == "code":
            code += words
        else:
            prose += words
    return prose, code


def minutes(prose: int, code: int, *, wpm: float = 200, code_weight: float = 0.5) -> int:
    """Estimated minutes to read: rounded up, and at least 1."""
    return max(1, math.ceil((prose + code_weight * code) / wpm))


def label(n: int) -> str:
    return (
        '<p class="xent-reading-time-line"><span class="xent-reading-time">'
        # The theme's bundled Font Awesome draws the clock, so no system emoji
        # font is needed and nothing is fetched.
        f'<i class="fa-regular fa-clock" aria-hidden="true"></i> {n} min read</span></p>'
    )


def _store(env) -> dict[str, int]:
    if not hasattr(env, "xent_reading_time"):
        env.xent_reading_time = {}
    return env.xent_reading_time


def record(app, doctree: nodes.document) -> None:
    docname = app.env.docname
    if docname in app.config.xent_reading_time_exclude:
        return
    prose, code = count_words(doctree)
    _store(app.env)[docname] = minutes(
        prose,
        code,
        wpm=app.config.xent_reading_time_wpm,
        code_weight=app.config.xent_reading_time_code_weight,
    )


def purge_doc(app, env, docname: str) -> None:
    _store(env).pop(docname, None)


def merge_info(app, env, docnames, other) -> None:
    store = _store(env)
    for docname, n in _store(other).items():
        if docname in docnames:
            store[docname] = n


def insert(app, pagename, templatename, context, doctree) -> None:
    """Put the reading time right after the page's title."""
    n = _store(app.env).get(pagename)
    body = context.get("body")
    if n is None or not isinstance(body, str):
        return
    context["body"], count = H1_END.subn(lambda m: m.group(0) + label(n), body, count=1)
    if count == 0:
        logger.warning(
            f"reading time: page {pagename} has no <h1> to put its reading time under",
            location=pagename,
            type="xent",
            subtype="reading_time",
        )


def setup(app) -> dict[str, Any]:
    app.add_config_value("xent_reading_time_wpm", 200, "env", types=[int, float])
    app.add_config_value("xent_reading_time_code_weight", 0.5, "env", types=[int, float])
    # Pages that are not reading matter (the 404 page).
    app.add_config_value("xent_reading_time_exclude", ["404"], "env", types=[list])
    app.connect("doctree-read", record)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("html-page-context", insert)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
