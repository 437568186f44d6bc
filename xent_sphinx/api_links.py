"""Link every ``xr.name`` written as inline code to its API reference entry.

The pages import the package as ``import xent_ref as xr`` and name its
functions in inline code: ``xr.softmax_cross_entropy``,
``xr.grad.mse_loss_grad``, ``xr.softmax_cross_entropy(logits, labels)`` or
``xr.distributions.Poisson(...).nll``. This transform wraps each such literal
in a Python cross-reference to ``xent_ref.<dotted name>``, keeping its code
look. The call parentheses are dropped to find the name, so
``xr.distributions.Poisson(...).nll`` links to
``xent_ref.distributions.Poisson.nll``.

The docstrings' See Also sections name objects of other packages
(``scipy.stats.t``, ``sklearn.metrics.hinge_loss``). With no network there is
no inventory to link them to, so they are shown as plain code; where the
package is installed, the name must exist in it, or the build warns.

The references are made with ``refwarn`` set, so a name that has no entry in
the API reference is a "reference target not found" warning whether or not
the build is nitpicky; the strict build turns it into an error. An inline
literal that starts with ``xr.`` but is not a name or a call of one (say
``xr.mse_loss(a, b) + 1``) is a warning too: it should be written so that it
can be linked, or not start with ``xr.``.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The alias the pages use for the package, and the package it stands for.
ALIAS = "xr"
PACKAGE = "xent_ref"

_NAME = r"[A-Za-z_]\w*"
# One pair of call parentheses, which may hold one level of parentheses: the
# pages write ``(...)``, ``(logits, labels)`` or ``(counts / counts.sum())``.
_CALL = r"\((?:[^()]|\([^()]*\))*\)"
#: ``xr.a.b``, each name optionally followed by one call.
LINKABLE = re.compile(rf"{ALIAS}(?:\.{_NAME}(?:{_CALL})?)+")
_CALLS = re.compile(_CALL)


def target_of(text: str) -> str | None:
    """The API object an ``xr.`` literal names, or None if it names none.

    >>> target_of("xr.grad.mse_loss_grad")
    'xent_ref.grad.mse_loss_grad'
    >>> target_of("xr.distributions.Poisson(...).nll")
    'xent_ref.distributions.Poisson.nll'
    >>> target_of("xr.mse_loss(a, b) + 1") is None
    True
    """
    if not LINKABLE.fullmatch(text):
        return None
    return PACKAGE + _CALLS.sub("", text)[len(ALIAS) :]


class ApiLinks(SphinxTransform):
    """Wrap ``xr.`` inline literals in references to their API entries."""

    # After MyST has built the doctree, before references are resolved.
    default_priority = 400

    def apply(self, **kwargs: Any) -> None:
        for literal in list(self.document.findall(nodes.literal)):
            text = literal.astext()
            if not text.startswith(ALIAS + "."):
                continue
            # Already a link (an explicit role or a Markdown link around it).
            if isinstance(literal.parent, (nodes.reference, addnodes.pending_xref)):
                continue
            target = target_of(text)
            if target is None:
                logger.warning(
                    "inline code %r starts with %r but is not a name of %s "
                    "(or a call of one), so it cannot link to the API reference",
                    text,
                    ALIAS + ".",
                    PACKAGE,
                    location=literal,
                    type="xent",
                    subtype="api-links",
                )
                continue
            xref = addnodes.pending_xref(
                "",
                refdomain="py",
                reftype="obj",
                reftarget=target,
                refexplicit=True,
                refwarn=True,
                refdoc=self.env.docname,
            )
            literal.replace_self(xref)
            xref += literal


#: Packages whose names the docstrings cite as plain text.
EXTERNAL = frozenset({"numpy", "scipy", "sklearn", "torch"})


def exists(name: str) -> bool:
    """Whether the dotted ``name`` is an attribute path in an importable module."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj = importlib.import_module(module_name)
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def external_as_text(app, env, node, contnode):
    """Resolve a Python reference to another package as its plain code text."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    package = target.split(".", 1)[0]
    if package not in EXTERNAL:
        return None
    if importlib.util.find_spec(package) is not None and not exists(target):
        return None
    return contnode


def setup(app) -> dict[str, Any]:
    app.add_transform(ApiLinks)
    app.connect("missing-reference", external_as_text)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
