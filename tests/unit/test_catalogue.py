"""The unification table and the catalogue pages.

* The relations and the verdicts of ``xr.unification.RECORDS`` are tested in
  tests/unit/test_unification.py against the record oracles of
  tests/_record_oracles.py; here, ``check`` is shown to reject a wrong
  relation, and the likelihood check's verdict to match ``is_nll``.
* The table on the site is generated from the records by the ``loss-table``
  directive (xent_sphinx/loss_table.py): one row per record, in order,
  with the words of xent_sphinx/loss_table.yaml; a record without words,
  words without a record, or a verdict that contradicts ``is_nll`` stop the
  build. The page has no hand-typed table, and (when the site is built) its
  HTML names every record and renders the relations as math.
* Every catalogue page has its label and a two-question quiz.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from docutils import nodes
from scipy import stats

import xent_ref as xr
from tests._record_oracles import ORACLES
from xent_ref.unification import RECORDS, check, likelihood_check

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "docs" / "catalogue"
QUIZZES = ROOT / "docs" / "quizzes"
from xent_sphinx import loss_table as xent_loss_table

BY_NAME = {rec.name: rec for rec in RECORDS}
NOT_NLL = {rec.name for rec in RECORDS if not rec.is_nll}


# ---------------------------------------------------------------------------
# The records: a wrong relation is caught, the verdict matches is_nll
# ---------------------------------------------------------------------------


def test_records_oracles_and_table_words_name_the_same_losses():
    assert set(BY_NAME) == set(ORACLES) == set(xent_loss_table.load_texts())


@pytest.mark.parametrize(("change", "why"), [
    ({"a": lambda *_, sigma, **__: sigma**2}, "a = sigma^2 instead of 2 sigma^2"),
    ({"b": lambda *_, sigma, **__: -(sigma**2) * np.log(2.0 * np.pi)}, "b without the sigma in the log"),
])
def test_check_rejects_a_wrong_relation(change, why):
    # The MSE row with a wrong a or b, at sigma = 1.5 where both mistakes
    # change the right-hand side. SciPy's Normal confirms that the wrong
    # relation does not hold, then check must raise on the wrong record.
    rec = dataclasses.replace(BY_NAME["mse_loss"], hyper={"sigma": 1.5})
    wrong = dataclasses.replace(rec, **change)
    pred, y = ORACLES["mse_loss"].inputs(np.random.default_rng(0), 10)
    loss = float(xr.mse_loss(pred, y))
    nll = float(np.mean(-stats.norm.logpdf(y, pred, 1.5)))
    a, b = wrong.coefficients(pred, y)
    assert abs(loss - (a * nll + b)) > 1e-3 * abs(loss), why
    assert check(rec, pred, y)
    with pytest.raises(AssertionError, match=r"^mse_loss: .* differs from the loss"):
        check(wrong, pred, y)


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r.name)
def test_likelihood_verdict_matches_is_nll(rec):
    verdict = likelihood_check(rec)
    assert verdict.passed == rec.is_nll
    assert verdict.verdict.startswith("passes" if rec.is_nll else "fails")


# ---------------------------------------------------------------------------
# The table on the site comes from the records
# ---------------------------------------------------------------------------


def test_loss_table_has_one_row_per_record_in_order():
    rows = xent_loss_table.rows()
    assert [row.name for row in rows] == [rec.name for rec in RECORDS]
    texts = xent_loss_table.load_texts()
    for row, rec in zip(rows, RECORDS):
        assert row.is_nll == rec.is_nll
        # The verdict column is the likelihood check's, run now.
        assert row.likelihood.startswith(likelihood_check(rec).verdict)
        if rec.is_nll:
            assert (row.distribution, row.relation) == (texts[rec.name]["distribution"], texts[rec.name]["relation"])
        else:
            assert row.likelihood.endswith("fails at a = 0.01, 0.1, 10 and 100 too")
            assert row.distribution == row.parameter_map == "—"
    status = {row.name: row.relation for row in rows if not row.is_nll}
    assert status == {"sigmoid_focal_loss": "not an NLL", "hinge_loss": "not an NLL",
                      "brier_score": "proper, not an NLL"}


def test_loss_table_numbers_in_the_words_are_the_records():
    rows = {row.name: row for row in xent_loss_table.rows()}
    assert rows["mse_loss"].parameter_map.endswith("(fixed; σ = 1 here)")
    assert rows["unification.gamma_nll"].parameter_map.endswith("(fixed; k = 2.5 here)")
    changed = dataclasses.replace(BY_NAME["mse_loss"], hyper={"sigma": 0.5})
    (row,) = xent_loss_table.rows([changed], {"mse_loss": xent_loss_table.load_texts()["mse_loss"]})
    assert row.parameter_map.endswith("(fixed; σ = 0.5 here)")
    assert row.likelihood.startswith("passes at a = 0.5: ")  # a = 2 sigma^2


def test_loss_table_refuses_a_record_without_words_and_words_without_a_record():
    texts = xent_loss_table.load_texts()
    with pytest.raises(xent_loss_table.LossTableError, match=r"records without text: \['brier_score'\]"):
        xent_loss_table.rows(RECORDS, {k: v for k, v in texts.items() if k != "brier_score"})
    with pytest.raises(xent_loss_table.LossTableError, match=r"text without a record: \['l2_loss'\]"):
        xent_loss_table.rows(RECORDS, {**texts, "l2_loss": texts["mse_loss"]})
    with pytest.raises(xent_loss_table.LossTableError, match="^loss table: hinge_loss: its text must"):
        xent_loss_table.rows(RECORDS, {**texts, "hinge_loss": texts["mse_loss"]})


def test_loss_table_refuses_a_verdict_that_contradicts_the_record():
    # Twice the Gaussian NLL is not an NLL at a = 1; a record that says it is stops the build.
    rec = BY_NAME["gaussian_nll_loss"]
    doubled = dataclasses.replace(rec, loss=lambda *a, **k: 2 * xr.gaussian_nll_loss(*a, **k))
    texts = {rec.name: xent_loss_table.load_texts()[rec.name]}
    with pytest.raises(xent_loss_table.LossTableError, match="is_nll is True but the likelihood check says 'fails"):
        xent_loss_table.rows([doubled], texts)


def test_loss_table_node_has_a_header_and_math_relations():
    rows = xent_loss_table.rows()
    table = xent_loss_table.table_node(rows)
    assert len(list(table.findall(nodes.row))) == 1 + len(RECORDS)
    assert [m.astext() for m in table.findall(nodes.math)] == [r.relation for r in rows if r.is_nll]
    header = [e.astext() for e in next(iter(table.findall(nodes.thead))).findall(nodes.entry)]
    assert header == list(xent_loss_table.HEADER)


def _build_a_page_with_the_table(tmp_path: Path, texts: dict) -> str:
    """Build one page holding the directive, with ``texts`` as the words; return its HTML."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir(parents=True)
    data = tmp_path / "words.yaml"
    data.write_text(yaml.safe_dump(texts, allow_unicode=True), encoding="utf-8")
    (src / "conf.py").write_text(
        # The build runs in this process: the extension module is the one
        # imported here, and its words file is pointed at ``data``.
        "import xent_sphinx.loss_table\n"
        f"xent_sphinx.loss_table.DATA = __import__('pathlib').Path({str(data)!r})\n"
        "extensions = ['xent_sphinx.loss_table']\n",
        encoding="utf-8",
    )
    (src / "index.rst").write_text("Losses\n======\n\n.. loss-table::\n", encoding="utf-8")
    out = tmp_path / "html"
    app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
                 status=None, warning=None, freshenv=True)
    app.build()
    return (out / "index.html").read_text(encoding="utf-8")


def test_loss_table_directive_builds_the_table_and_stops_a_build_on_missing_words(tmp_path):
    texts = xent_loss_table.load_texts()
    words = xent_loss_table.DATA
    try:
        html = _build_a_page_with_the_table(tmp_path / "ok", texts)
        assert html.count("<tr") == 1 + len(RECORDS)
        assert "proper, not an NLL" in html
        del texts["hinge_loss"]
        with pytest.raises(xent_loss_table.LossTableError, match=r"records without text: \['hinge_loss'\]"):
            _build_a_page_with_the_table(tmp_path / "missing", texts)
    finally:
        xent_loss_table.DATA = words


def test_table_page_renders_the_records_and_types_no_rows():
    text = (CATALOGUE / "table.md").read_text(encoding="utf-8")
    # No hand-typed Markdown table anywhere on the page.
    assert not [line for line in text.splitlines() if line.lstrip().startswith("|")]
    assert text.count("```{loss-table}\n```") == 1
    assert "to_markdown" not in text


def _built_table() -> Path:
    build = Path(os.environ.get("XENT_BUILDDIR", ROOT / "_build"))
    return build / "html" / "catalogue" / "table.html"


@pytest.mark.skipif(not _built_table().is_file(), reason="site not built (make html builds it)")
def test_built_table_names_every_record():
    html = _built_table().read_text(encoding="utf-8")
    table = html[html.index("<table"): html.index("</table>")]
    assert table.count("<tr") == len(RECORDS) + 1  # the header and one row per record
    for rec in RECORDS:
        assert rec.name in table, rec.name
    assert table.count("passes at a =") == len(RECORDS) - len(NOT_NLL)
    assert table.count("fails at a = 1: Z ranges") == len(NOT_NLL)
    assert table.count("proper, not an NLL") == 1
    assert table.count('<span class="math') == len(RECORDS) - len(NOT_NLL)
    assert "{math}" not in table


# ---------------------------------------------------------------------------
# Page conventions
# ---------------------------------------------------------------------------

PAGES = sorted(p for p in CATALOGUE.glob("*.md") if p.name != "index.md")


def test_index_lists_every_page_in_order():
    text = (CATALOGUE / "index.md").read_text(encoding="utf-8")
    toc = re.search(r"```\{toctree\}\n(?::.*\n)*\n(.*?)```", text, re.S).group(1).split()
    assert sorted(toc) == sorted(p.stem for p in PAGES)
    assert toc[0] == "table" and toc[-4:] == ["focal", "hinge", "scoring-calibration", "pitfalls"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_has_label_and_a_quiz_of_two_or_more_questions(page):
    import yaml

    text = page.read_text(encoding="utf-8")
    label = re.search(r"^\((catalogue-[a-z-]+)\)=$", text, re.M).group(1)
    assert text.rstrip().endswith(f"```{{quiz}} {label}\n```")
    quiz = yaml.safe_load((QUIZZES / f"{label}.yaml").read_text(encoding="utf-8"))
    assert len(quiz["questions"]) >= 2
    for q in quiz["questions"]:
        assert q["id"].startswith(label)
        assert sum(bool(c.get("correct")) for c in q["choices"]) == 1
    # Every glue key, equation label and figure name is namespaced by the page label.
    for key in re.findall(r'glue\("([^"]+)"', text) + re.findall(r"^\$\$ \(([^)]+)\)$", text, re.M) + re.findall(
            r"^    name: (\S+)$", text, re.M):
        assert key.startswith(label), key


# ---------------------------------------------------------------------------
# Visible code stands alone, and the alt text names the styles drawn
# ---------------------------------------------------------------------------

_CELL = re.compile(r"```\{code-cell\} ipython3\n(.*?)```", re.S)


def _cells(page: Path):
    """(is_removed, code) for every code cell of a MyST-NB page."""
    for body in _CELL.findall(page.read_text(encoding="utf-8")):
        header = body.split("\n---\n", 1)[0] if body.startswith("---\n") else body.split("\n", 1)[0]
        yield "remove-cell" in header, body


@pytest.mark.parametrize("page", PAGES + [ROOT / "docs" / "in-code.md"], ids=lambda p: p.name)
def test_visible_cells_never_glue(page):
    # A reader runs the visible cells without MyST-NB: glue lives in removed cells.
    for removed, code in _cells(page):
        if not removed:
            assert "myst_nb" not in code and "glue(" not in code, code[:200]


def test_the_fixture_for_visible_cells_bites(tmp_path):
    page = tmp_path / "fixture.md"
    page.write_text("```{code-cell} ipython3\nfrom myst_nb import glue\n```\n"
                    "```{code-cell} ipython3\n:tags: [remove-cell]\n\nfrom myst_nb import glue\n```\n",
                    encoding="utf-8")
    assert [removed for removed, code in _cells(page) if "myst_nb" in code] == [False, True]


def test_focal_alt_text_names_each_curve_style_once():
    # Each curve has its own style, and the alt text names exactly those styles.
    text = (CATALOGUE / "focal.md").read_text(encoding="utf-8")
    alt = re.search(r"alt: (.*?)\n---", text, re.S).group(1)
    alt = " ".join(alt.split())
    styles = re.findall(r'\((?:-1|0\.25), [0-9.]+, "([-.:]+)", "(o?)"', text)
    assert len(styles) == len(set(styles)) == 5
    for word in ("solid gamma 0", "gamma 1 (dashed)", "gamma 2 (dash-dot)", "gamma 5 (dotted)",
                 "solid curve with round markers"):
        assert word in alt, word
    assert "dashed curve for the torchvision" not in alt
