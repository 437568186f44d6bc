"""The ``exploration`` directive: small live widgets, computed in the browser.

In a MyST page::

    ```{exploration} softmax
    ```

``softmax``: a slider for one logit of a three-class example, showing the
softmax, the loss of the true class y* and its gradient softmax(z) - y.
``bce``: a slider for a logit, showing q = sigmoid(z) and 1 - q, the binary
cross-entropy for y = 1 and y = 0 and its gradient sigmoid(z) - y.
``kl``: weights for P and Q over four outcomes numbered 0 to 3, renormalised
on screen, showing H(P), H(P, Q) and the KL divergence both ways.

The markup is in ``templates/exploration-<kind>.html``; ``static/xent-explore.js``
does the arithmetic (stable formulas, checked against ``xent_ref`` by
``tests/site/test_explorations.py``) and draws the plots. Nothing is fetched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from xent_sphinx import add_static_dir

logger = logging.getLogger(__name__)

#: The softmax example: the logits of classes 0 and 1 stay fixed.
SOFTMAX_FIXED_LOGITS = (1.0, 2.0)
#: The slider for the logit of class 2, and the true class shown first.
SOFTMAX_SLIDER = {"min": -4.0, "max": 6.0, "step": 0.1, "value": 0.0}
SOFTMAX_TRUE_CLASS = 2
#: The BCE example: a slider for the logit z.
BCE_SLIDER = {"min": -8.0, "max": 8.0, "step": 0.1, "value": 1.0}
#: The KL example: starting weights of P and Q over four outcomes.
KL_WEIGHTS_P = (8, 4, 2, 1)
KL_WEIGHTS_Q = (3, 3, 3, 3)
KL_WEIGHT_MAX = 10

KINDS = ("softmax", "bce", "kl")

#: The widgets' markup: one Jinja template per kind, and the parts they share.
TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)
#: A line break in a template, with the indentation around it, is layout:
#: next to a tag it is dropped, between two words it is one space.
_BREAK_AT_TAG = re.compile(r"(?<=>)\s*\n\s*|\s*\n\s*(?=<)")
_BREAK_IN_TEXT = re.compile(r"\s*\n\s*")


def _num(x: float) -> str:
    """A slider attribute: whole numbers without a trailing .0."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


_ENV.filters["num"] = _num

#: The template variables of each kind, besides ``prefix``.
CONTEXT: dict[str, dict[str, Any]] = {
    "softmax": {"logits": SOFTMAX_FIXED_LOGITS, "slider": SOFTMAX_SLIDER,
                "true_class": SOFTMAX_TRUE_CLASS},
    "bce": {"slider": BCE_SLIDER},
    "kl": {"weights_p": KL_WEIGHTS_P, "weights_q": KL_WEIGHTS_Q, "weight_max": KL_WEIGHT_MAX},
}


def exploration_html(kind: str, prefix: str | None = None) -> str:
    """The widget's HTML, on one line; ``xent-explore.js`` brings it to life.

    *prefix* starts every id in the widget (``xent-explore-<kind>`` unless given).
    """
    if kind not in KINDS:
        raise ValueError(f"kind: unknown exploration {kind!r}; expected one of {', '.join(KINDS)}")
    html = _ENV.get_template(f"exploration-{kind}.html").render(
        prefix=prefix or f"xent-explore-{kind}", **CONTEXT[kind])
    return _BREAK_IN_TEXT.sub(" ", _BREAK_AT_TAG.sub("", html.strip()))


class exploration(nodes.General, nodes.Element):
    """A widget; its HTML is written by :func:`exploration_html`."""


class ExplorationDirective(SphinxDirective):
    """```{exploration} softmax|bce|kl```."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        kind = self.arguments[0]
        if kind not in KINDS:
            logger.warning(
                f"exploration: unknown kind {kind!r}; expected one of {', '.join(KINDS)}",
                location=(self.env.docname, self.lineno),
                type="xent",
                subtype="exploration",
            )
            return []
        counts = self.env.temp_data.setdefault("xent_exploration_counts", {})
        counts[kind] = counts.get(kind, 0) + 1
        prefix = f"xent-explore-{kind}" + (f"-{counts[kind]}" if counts[kind] > 1 else "")
        node = exploration(kind=kind, prefix=prefix)
        self.set_source_info(node)
        return [node]


def visit_exploration_html(self, node: exploration) -> None:
    self.body.append(exploration_html(node["kind"], node["prefix"]))
    raise nodes.SkipNode


def _skip(self, node: nodes.Node) -> None:
    raise nodes.SkipNode


def add_assets(app, pagename, templatename, context, doctree) -> None:
    """The widget script, on the pages that have a widget (styles are in xent.css)."""
    if doctree is not None and next(iter(doctree.findall(exploration)), None) is not None:
        app.add_js_file("xent-explore.js", loading_method="defer")


def setup(app) -> dict[str, Any]:
    add_static_dir(app)
    others = {name: (_skip, None) for name in ("latex", "text", "man", "texinfo")}
    app.add_node(exploration, html=(visit_exploration_html, None), **others)
    app.add_directive("exploration", ExplorationDirective)
    app.connect("html-page-context", add_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
