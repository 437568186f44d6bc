"""Name the page of an equation referenced from another page.

Equations are numbered per page (``math_numfig = False``), so "(3)" alone
is ambiguous when it points at another page's equation (3). Before the
references are resolved, this adds the target page's title after every
``{eq}`` reference whose equation lives on another page: "(3) on the page
“Entropy and cross-entropy”".
"""

from __future__ import annotations

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform


class NamePageOfForeignEquations(SphinxPostTransform):
    # Before sphinx's ReferencesResolver (priority 10) turns the node into a link.
    default_priority = 5

    def run(self, **kwargs) -> None:
        equations = self.env.get_domain("math").data.get("objects", {})
        for node in list(self.document.findall(pending_xref)):
            if node.get("refdomain") != "math" or node.get("reftype") != "eq":
                continue
            target = equations.get(node.get("reftarget"))
            if target is None or target[0] == node.get("refdoc"):
                continue
            title = self.env.titles[target[0]].astext()
            node.parent.insert(
                node.parent.index(node) + 1, nodes.Text(f" on the page \u201c{title}\u201d")
            )


def setup(app):
    app.add_post_transform(NamePageOfForeignEquations)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
