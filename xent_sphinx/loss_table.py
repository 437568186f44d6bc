"""The table of losses: a ``loss-table`` directive built from ``xent_ref.unification``.

``xent_ref.unification.RECORDS`` holds, per loss, numbers and functions only.
The words of the table (the distribution's name, the parameter map, the
relation in LaTeX, why a loss is not an NLL) live in ``loss_table.yaml``
next to this module, keyed by record name. When a page is read, the
directive

- fails the build if a record has no text, or text has no record;
- runs ``likelihood_check`` on every record, and fails the build if its
  verdict disagrees with the record's ``is_nll``; a record that is not an NLL
  is checked at its own scale and at each of :data:`OTHER_SCALES` as well;
- builds the table from docutils nodes, relations as math nodes, so that the
  site's math rendering applies.

Usage in a page::

    ```{loss-table}
    ```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

import xent_ref.unification as unification

#: The words of the table, keyed by record name.
DATA = Path(__file__).with_name("loss_table.yaml")
#: Scales, besides the record's own a = 1, at which a record that is not an NLL must fail too.
OTHER_SCALES = (0.01, 0.1, 10.0, 100.0)
HEADER = ("Loss", "Is it a likelihood?", "Distribution", "Parameter map", "Relation")
NLL_KEYS = frozenset({"distribution", "parameter_map", "relation"})
NOT_NLL_KEYS = frozenset({"status", "reason"})
#: The cell of a column that does not apply to a loss that is not an NLL.
NONE = "—"


class LossTableError(ExtensionError):
    """The records and the words of the table disagree."""


@dataclass(frozen=True)
class Row:
    """One row of the table, as plain strings (``relation`` is LaTeX for an NLL)."""

    name: str
    is_nll: bool
    distribution: str
    parameter_map: str
    relation: str
    reason: str
    likelihood: str


def load_texts(path: Path | None = None) -> dict[str, dict[str, str]]:
    """The words of the table from ``path`` (default :data:`DATA`), keyed by record name."""
    path = DATA if path is None else path
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(texts, dict):
        raise LossTableError(f"{path}: expected a mapping from record name to its text")
    return texts


def _likelihood(record: unification.Record) -> str:
    """The verdict of likelihood_check, which must agree with ``record.is_nll``."""
    own = unification.likelihood_check(record)
    if own.passed != record.is_nll:
        raise LossTableError(
            f"loss table: {record.name}: is_nll is {record.is_nll} but the likelihood check says "
            f"{own.verdict!r}"
        )
    if record.is_nll:
        return own.verdict
    passing = [a for a in OTHER_SCALES if unification.likelihood_check(record, scale=a).passed]
    if passing:
        raise LossTableError(f"loss table: {record.name} is not an NLL but passes at a = {passing}")
    scales = ", ".join(f"{a:g}" for a in OTHER_SCALES[:-1]) + f" and {OTHER_SCALES[-1]:g}"
    return f"{own.verdict}; fails at a = {scales} too"


def rows(
    records: Sequence[unification.Record] = unification.RECORDS,
    texts: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Row]:
    """One :class:`Row` per record, in order; raises :class:`LossTableError` on any mismatch."""
    texts = load_texts() if texts is None else texts
    names = [rec.name for rec in records]
    missing = [name for name in names if name not in texts]
    orphans = [name for name in texts if name not in names]
    if missing or orphans:
        raise LossTableError(
            f"loss table: records without text: {missing}; text without a record: {orphans} "
            f"(the text lives in {DATA})"
        )
    table = []
    for rec in records:
        text = texts[rec.name]
        keys = NLL_KEYS if rec.is_nll else NOT_NLL_KEYS
        if not isinstance(text, Mapping) or set(text) != keys or not all(
                isinstance(text[k], str) and text[k] for k in keys):
            raise LossTableError(
                f"loss table: {rec.name}: its text must have exactly the non-empty strings "
                f"{sorted(keys)}, got {text!r}"
            )
        likelihood = _likelihood(rec)
        if rec.is_nll:
            try:
                pmap = text["parameter_map"].format(**rec.constants)
            except (KeyError, IndexError, ValueError) as exc:
                raise LossTableError(f"loss table: {rec.name}: parameter_map: {exc!r}") from exc
            table.append(Row(rec.name, True, text["distribution"], pmap, text["relation"], "", likelihood))
        else:
            table.append(Row(rec.name, False, NONE, NONE, text["status"], text["reason"], likelihood))
    return table


def _entry(*children: nodes.Node) -> nodes.entry:
    return nodes.entry("", nodes.paragraph("", "", *children))


def _cells(row: Row) -> list[nodes.entry]:
    if row.is_nll:
        pmap: nodes.Node = nodes.literal(row.parameter_map, row.parameter_map)
        relation: tuple[nodes.Node, ...] = (nodes.math(row.relation, row.relation),)
    else:
        pmap = nodes.Text(row.parameter_map)
        relation = (nodes.strong(row.relation, row.relation), nodes.Text(f": {row.reason}"))
    # The verdict comes second, so that it is in view on a narrow screen.
    return [
        _entry(nodes.literal(row.name, row.name)),
        _entry(nodes.Text(row.likelihood)),
        _entry(nodes.Text(row.distribution)),
        _entry(pmap),
        _entry(*relation),
    ]


def table_node(table_rows: Sequence[Row]) -> nodes.table:
    """The docutils table: a header row and one row per :class:`Row`."""
    table = nodes.table(classes=["xent-loss-table"])
    group = nodes.tgroup(cols=len(HEADER))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in HEADER)
    head = nodes.thead()
    head += nodes.row("", *(_entry(nodes.Text(title)) for title in HEADER))
    body = nodes.tbody()
    body.extend(nodes.row("", *_cells(row)) for row in table_rows)
    group += head
    group += body
    return table


class LossTable(SphinxDirective):
    """``loss-table``: the table of losses, generated from the records when the page is read."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        # Read again when the words or the records change.
        self.env.note_dependency(str(DATA))
        self.env.note_dependency(unification.__file__)
        try:
            table_rows = rows()
        except LossTableError as exc:
            raise LossTableError(f"{self.get_location()}: {exc}") from None
        return [table_node(table_rows)]


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("loss-table", LossTable)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
