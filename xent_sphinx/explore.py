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

The markup is written here; ``static/xent-explore.js`` does the
arithmetic (stable formulas, checked against ``xent_ref`` by
``tests/test_explorations.py``) and draws the plots. Nothing is fetched.
"""

from __future__ import annotations

from html import escape
from typing import Any

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

TANGENT_NOTE = (
    '<p class="xent-explore-note">Dots: the current values. Dashed lines: tangents, '
    "whose slope is the gradient.</p>"
)
NOSCRIPT = (
    '<noscript><p class="xent-explore-noscript">This exploration computes its values '
    "in your browser and needs JavaScript.</p></noscript>"
)


def _num(x: float) -> str:
    """A slider attribute: whole numbers without a trailing .0."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _range(prefix: str, name: str, spec: dict[str, float]) -> str:
    return (
        f'<input type="range" id="{prefix}-{name}" data-role="{name}" '
        f'min="{_num(spec["min"])}" max="{_num(spec["max"])}" '
        f'step="{_num(spec["step"])}" value="{_num(spec["value"])}">'
    )


def _plot(prefix: str, title: str, description: str) -> str:
    return (
        f'<svg class="xent-explore-plot" data-role="plot" viewBox="0 0 480 250" '
        f'role="img" aria-labelledby="{prefix}-plot-title {prefix}-plot-desc" '
        f'focusable="false">'
        f'<title id="{prefix}-plot-title">{escape(title)}</title>'
        f'<desc id="{prefix}-plot-desc">{escape(description)}</desc></svg>'
    )


def softmax_html(prefix: str) -> str:
    z0, z1 = SOFTMAX_FIXED_LOGITS
    rows = []
    for k in range(3):
        logit = (
            f'<output data-role="z-{k}">{_num(SOFTMAX_FIXED_LOGITS[k])}</output>'
            if k < 2
            else '<output data-role="z-2"></output>'
        )
        rows.append(
            f'<tr><th scope="row">{k}</th><td class="xent-num">{logit}</td>'
            f'<td><span class="xent-bar-cell"><span class="xent-bar xent-fill-1" '
            f'data-role="pbar-{k}"></span></span>'
            f'<output class="xent-num" data-role="p-{k}"></output></td>'
            f'<td class="xent-num"><output data-role="y-{k}"></output></td>'
            f'<td><span class="xent-bar-cell xent-signed"><span class="xent-bar xent-fill-2" '
            f'data-role="gbar-{k}"></span></span>'
            f'<output class="xent-num" data-role="g-{k}"></output></td></tr>'
        )
    # Each radio sits inside its label, so that the whole label (at least
    # 24 x 24 CSS pixels, see .xent-explore-radio in xent.css) is the hit area.
    radios = "".join(
        f'<label class="xent-explore-radio" for="{prefix}-y{k}">'
        f'<input type="radio" id="{prefix}-y{k}" name="{prefix}-y" value="{k}" data-role="y"'
        f'{" checked" if k == SOFTMAX_TRUE_CLASS else ""}>{k}</label>'
        for k in range(3)
    )
    return (
        f'<div class="xent-explore" id="{prefix}" data-xent-explore="softmax" '
        f'data-fixed-logits="{_num(z0)} {_num(z1)}">'
        '<p class="xent-explore-title">Try it: softmax cross-entropy for three classes</p>'
        f'<p>The logits of classes 0 and 1 stay at z<sub>0</sub> = {_num(z0)} and '
        f"z<sub>1</sub> = {_num(z1)}. Move the slider to change z<sub>2</sub>, and pick "
        "the true class y<sup>*</sup> (0-based, as in code). The loss is "
        "&minus;log softmax(z)<sub>y<sup>*</sup></sub>; its gradient with respect to the "
        "logits is softmax(z) &minus; y, with y the one-hot vector of y<sup>*</sup>.</p>"
        '<div class="xent-explore-controls">'
        f'<label for="{prefix}-z">Logit z<sub>2</sub> of class 2</label>'
        f"{_range(prefix, 'z', SOFTMAX_SLIDER)}"
        f'<output for="{prefix}-z" data-role="z-value"></output>'
        f'<fieldset class="xent-explore-choice"><legend>True class y<sup>*</sup></legend>'
        f"{radios}</fieldset>"
        "</div>"
        f'<div class="xent-explore-scroll" tabindex="0" role="region" aria-labelledby="{prefix}-caption">'
        '<table class="xent-explore-table">'
        f'<caption id="{prefix}-caption">Logits, probabilities, one-hot target and gradient, per class</caption>'
        '<thead><tr><th scope="col">class k</th><th scope="col">logit z<sub>k</sub></th>'
        '<th scope="col">softmax(z)<sub>k</sub></th><th scope="col">y<sub>k</sub></th>'
        '<th scope="col">gradient<br>softmax(z)<sub>k</sub> &minus; y<sub>k</sub></th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="xent-explore-result" data-role="summary" aria-live="polite"></p>'
        + _plot(
            prefix,
            "Loss against the logit of class 2",
            "The curve is the loss of the true class as z2 varies; the dot is the "
            "current value and the short line through it has the gradient "
            "softmax(z)2 - y2 as its slope.",
        )
        + TANGENT_NOTE
        + NOSCRIPT
        + "</div>"
    )


def bce_html(prefix: str) -> str:
    rows = "".join(
        f'<tr><th scope="row">y = {y}</th>'
        f'<td class="xent-num"><output data-role="loss-{y}"></output></td>'
        f'<td class="xent-num"><output data-role="g-{y}"></output></td></tr>'
        for y in (1, 0)
    )
    return (
        f'<div class="xent-explore" id="{prefix}" data-xent-explore="bce">'
        '<p class="xent-explore-title">Try it: binary cross-entropy</p>'
        "<p>Move the slider to change the logit z. The predicted probability of y = 1 "
        "is q = sigmoid(z). The loss is &minus;log q when y = 1 and &minus;log(1 &minus; q) "
        "when y = 0, and its gradient with respect to z is sigmoid(z) &minus; y. "
        "1 &minus; q = sigmoid(&minus;z) is computed on its own, and a probability "
        "within 0.001 of 1 is shown as 1 &minus; (a small number), so that no digit is "
        "lost to rounding.</p>"
        '<div class="xent-explore-controls">'
        f'<label for="{prefix}-z">Logit z</label>'
        f"{_range(prefix, 'z', BCE_SLIDER)}"
        f'<output for="{prefix}-z" data-role="z-value"></output>'
        '<span class="xent-explore-p">q = sigmoid(z) = <output data-role="q"></output></span>'
        '<span class="xent-explore-p">1 &minus; q = sigmoid(&minus;z) = '
        '<output data-role="q-complement"></output></span>'
        "</div>"
        f'<div class="xent-explore-scroll" tabindex="0" role="region" aria-labelledby="{prefix}-caption">'
        '<table class="xent-explore-table">'
        f'<caption id="{prefix}-caption">Loss (nats) and gradient for each label</caption>'
        '<thead><tr><th scope="col">label</th><th scope="col">loss</th>'
        '<th scope="col">gradient sigmoid(z) &minus; y</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        '<p class="xent-explore-result" data-role="summary" aria-live="polite"></p>'
        + _plot(
            prefix,
            "Binary cross-entropy against the logit",
            "Two curves: the loss for y = 1 (solid), which falls as z grows, and for "
            "y = 0 (dashed), which rises. Dots mark the current z; the short lines "
            "through them have the gradients as slopes.",
        )
        + TANGENT_NOTE
        + NOSCRIPT
        + "</div>"
    )


def kl_html(prefix: str) -> str:
    rows = []
    # Outcomes are numbered from 0, like classes everywhere on the site.
    for i, (wp, wq) in enumerate(zip(KL_WEIGHTS_P, KL_WEIGHTS_Q, strict=True)):
        cells = []
        for dist, weight, fill in (("p", wp, 1), ("q", wq, 2)):
            spec = {"min": 0, "max": KL_WEIGHT_MAX, "step": 1, "value": weight}
            name = f"w{dist}-{i}"
            cells.append(
                f'<td><label class="xent-sr-only" for="{prefix}-{name}">'
                f"Weight of outcome {i} in {dist.upper()}</label>"
                f"{_range(prefix, name, spec)}"
                f'<output class="xent-num" for="{prefix}-{name}" '
                f'data-role="{name}-value"></output></td>'
                f'<td><span class="xent-bar-cell"><span class="xent-bar xent-fill-{fill}" '
                f'data-role="{dist}bar-{i}"></span></span>'
                f'<output class="xent-num" data-role="{dist}-{i}"></output></td>'
            )
        rows.append(f'<tr><th scope="row">{i}</th>{"".join(cells)}</tr>')
    results = "".join(
        f'<div><dt>{label}</dt><dd><output data-role="{role}"></output></dd></div>'
        for label, role in (
            ("H(P)", "h-p"),
            ("D<sub>KL</sub>(P &#8214; Q)", "kl-pq"),
            ("H(P) + D<sub>KL</sub>(P &#8214; Q)", "h-p-plus-kl"),
            ("H(P, Q)", "h-pq"),
            ("D<sub>KL</sub>(Q &#8214; P)", "kl-qp"),
        )
    )
    return (
        f'<div class="xent-explore" id="{prefix}" data-xent-explore="kl">'
        '<p class="xent-explore-title">Try it: entropy, cross-entropy and KL divergence</p>'
        "<p>Each slider sets a <em>weight</em> from 0 to "
        f"{KL_WEIGHT_MAX}, not a probability. The widget renormalises: it divides the "
        "weights of P by their sum, and those of Q by theirs, so that P and Q each add "
        "up to 1. The columns P(x) and Q(x) show the renormalised probabilities that "
        "every value below is computed from.</p>"
        '<div class="xent-explore-controls">'
        f'<label for="{prefix}-unit">Units</label>'
        f'<select id="{prefix}-unit" data-role="unit">'
        '<option value="nats" selected>nats (natural log)</option>'
        '<option value="bits">bits (log base 2)</option></select>'
        "</div>"
        f'<div class="xent-explore-scroll" tabindex="0" role="region" aria-labelledby="{prefix}-caption">'
        '<table class="xent-explore-table">'
        f'<caption id="{prefix}-caption">Weights and renormalised probabilities of P and Q</caption>'
        '<thead><tr><th scope="col">x</th><th scope="col">weight in P</th>'
        '<th scope="col">P(x)</th><th scope="col">weight in Q</th>'
        '<th scope="col">Q(x)</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="xent-explore-warning" data-role="warning" aria-live="polite"></p>'
        f'<dl class="xent-explore-results">{results}</dl>'
        '<p class="xent-explore-result" data-role="summary" aria-live="polite"></p>'
        + NOSCRIPT
        + "</div>"
    )


RENDERERS = {"softmax": softmax_html, "bce": bce_html, "kl": kl_html}


def exploration_html(kind: str, prefix: str | None = None) -> str:
    """The widget's HTML; ``xent-explore.js`` brings it to life."""
    if kind not in RENDERERS:
        raise ValueError(f"kind: unknown exploration {kind!r}; expected one of {', '.join(KINDS)}")
    return RENDERERS[kind](prefix or f"xent-explore-{kind}")


class exploration(nodes.General, nodes.Element):
    """A widget; its HTML is written by :func:`exploration_html`."""


class ExplorationDirective(SphinxDirective):
    """```{exploration} softmax|bce|kl```."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        kind = self.arguments[0]
        if kind not in RENDERERS:
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
