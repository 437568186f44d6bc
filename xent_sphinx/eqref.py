"""Name the page of an equation referenced from another page.

Equations are numbered per page (``math_numfig = False``), so "(3)" alone
is ambiguous when it points at another page's equation (3). Before the
references are resolved, this adds the target page's title after every
``{eq}`` reference whose equation lives on another page: "(3) on the page
“Entropy and cross-entropy”". References to one page joined only by "and",
"or" or a comma name it once, after the last: "(1) and (2) on the page
“Entropy and cross-entropy”".
"""

from __future__ import annotations

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform


#: Text that may stand between two references that share the page's name.
JOINERS = frozenset({",", "and", "or", ", and", ", or"})


def _foreign_eq(node: nodes.Node, equations: dict) -> str | None:
    """The page of the equation ``node`` references, if it is an ``{eq}`` reference to another page."""
    if not isinstance(node, pending_xref) or node.get("refdomain") != "math" or node.get("reftype") != "eq":
        return None
    target = equations.get(node.get("reftarget"))
    if target is None or target[0] == node.get("refdoc"):
        return None
    return target[0]


def _next_reference_to(node: nodes.Node, page: str, equations: dict) -> bool:
    """Whether the reference after ``node``, past a joiner only, is to an equation on ``page``."""
    parent = node.parent
    index = parent.index(node) + 1
    between = []
    # MyST keeps a line break as a Text node of its own: " and", "\n".
    while index < len(parent) and isinstance(parent[index], nodes.Text):
        between.append(parent[index].astext())
        index += 1
    return (index < len(parent) and " ".join("".join(between).split()) in JOINERS
            and _foreign_eq(parent[index], equations) == page)


class NamePageOfForeignEquations(SphinxPostTransform):
    # Before sphinx's ReferencesResolver (priority 10) turns the node into a link.
    default_priority = 5

    def run(self, **kwargs) -> None:
        equations = self.env.get_domain("math").data.get("objects", {})
        for node in list(self.document.findall(pending_xref)):
            page = _foreign_eq(node, equations)
            if page is None or _next_reference_to(node, page, equations):
                continue
            title = self.env.titles[page].astext()
            node.parent.insert(
                node.parent.index(node) + 1, nodes.Text(f" on the page \u201c{title}\u201d")
            )


def setup(app):
    app.add_post_transform(NamePageOfForeignEquations)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
