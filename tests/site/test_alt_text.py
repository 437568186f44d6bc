"""The alt text of every figure names only line styles the figure draws.

The check runs in the sybil run of the pages (``tests/sybil_config.py``),
which already runs every cell of every page, hidden ones too, in page order in
one namespace, as the build runs them: right after a code cell whose
``mystnb: image: alt:`` option is the alt text, against the figures that cell
created; and at a ``{glue:figure}`` directive, against the figure glued under
its name. The rules are in ``tests/_alt_text.py``.

This file tests the rules, shows that every figure of the site is checked in
that run, and proves the check bites: the pages in ``tests/fixtures/alt_text/``
run through the same Sybil (its parsers, evaluators, setup and teardown) as
``docs/``, and each fails for the reason it was written for.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import yaml
from sybil import Document
from sybil.example import SybilFailure

from tests._alt_text import GLUE_FIGURE, style_mentions, style_words
from tests.sybil_config import AltTextCheck, GlueFigureParser, docs_parsers, docs_sybil

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FIXTURES = ROOT / "tests" / "fixtures" / "alt_text"

#: An ``alt:`` option line in a cell's YAML header (``mystnb: image: alt:``).
ALT_OPTION = re.compile(r"^\s+alt:", re.MULTILINE)


def _alt_texts(text: str) -> int:
    """How many alt texts a page gives its figures, counted from its text."""
    glued = [options for _, options in GLUE_FIGURE.findall(text)
             if re.search(r"^\s*:alt:", options, re.MULTILINE)]
    return len(ALT_OPTION.findall(text)) + len(glued)


def _pages_with_figures(docs: Path) -> list[Path]:
    pages = []
    for page in sorted(docs.rglob("*.md")):
        if "_build" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        if ALT_OPTION.search(text) or "{glue:figure}" in text:
            pages.append(page)
    return pages


def sybil_failures(page: Path) -> list[str]:
    """Run *page* through the docs Sybil, as pytest does, and return each failure.

    A cell that raises is a failure too (its exception, as text).
    """
    sybil = docs_sybil(page.parent)
    document = sybil.parse(page)
    failures = []
    setup, teardown = sybil.setup, sybil.teardown
    assert setup is not None and teardown is not None
    setup(document.namespace)
    try:
        for example in document.examples():
            try:
                example.evaluate()
            except SybilFailure as failure:
                failures.append(str(failure.result))
            except Exception as error:
                failures.append(f"line {example.line}: {type(error).__name__}: {error}")
    finally:
        teardown(document.namespace)
    return failures


def test_there_are_figures():
    assert _pages_with_figures(DOCS)


def test_every_figure_is_checked_in_the_snippet_run():
    # Every alt text of every page is held to its figure in the sybil run:
    # as many checks as the page has alt options (counted from the text, not
    # by sybil's lexers), each carrying that alt text.
    for page in _pages_with_figures(DOCS):
        text = page.read_text(encoding="utf-8")
        document = Document.parse(str(page), *docs_parsers())
        checked = [example.region.evaluator.alt for example in document.examples()
                   if isinstance(example.region.evaluator, AltTextCheck)]
        glued = [example.parsed for example in document.examples()
                 if example.region.evaluator == GlueFigureParser.evaluate]
        assert len(checked) + len(glued) == _alt_texts(text), (page, checked, glued)
        assert all(alt and isinstance(alt, str) for alt in checked), page


# --- The rules -------------------------------------------------------------------


def test_style_words():
    assert style_words("a dashed line and a dash-dotted one") == {"dashed", "dash-dot"}
    assert style_words("Dotted grey line; solid curve") == {"dotted", "solid"}
    assert style_words("a dash-dot curve") == {"dash-dot"}
    assert style_words("two curves") == set()


def test_style_mentions():
    assert style_mentions("a dotted grey vertical line at 1") == [
        ("dotted", "vertical", False, False)]
    assert style_mentions("a dashed curve for the defaults") == [("dashed", None, True, False)]
    assert style_mentions("two dashed curves") == [("dashed", None, False, False)]
    # The next sentence's vertical line is not this one's.
    assert style_mentions("a dash-dot line. A dotted vertical line") == [
        ("dash-dot", None, True, False), ("dotted", "vertical", False, False)]
    assert style_mentions("dashed and dotted vertical lines") == [
        ("dashed", None, False, False), ("dotted", "vertical", False, False)]
    assert style_mentions("a solid curve with round markers") == [("solid", None, True, True)]


# --- The check bites, in the snippet run ------------------------------------------


def test_the_fixture_pages_carry_their_checks():
    # What the proofs below run is the wiring the docs get: each fixture's
    # alt texts become checks, parsed from the YAML the cells carry.
    for page in sorted(FIXTURES.glob("*.md")):
        document = Document.parse(str(page), *docs_parsers())
        checks = [e for e in document.examples()
                  if isinstance(e.region.evaluator, AltTextCheck)
                  or e.region.evaluator == GlueFigureParser.evaluate]
        assert len(checks) == _alt_texts(page.read_text(encoding="utf-8")), page
    (cell,) = [e.region.evaluator.alt for e in
               Document.parse(str(FIXTURES / "wrong_style.md"), *docs_parsers()).examples()]
    assert cell == yaml.safe_load("a: A curve, with a dashed vertical line at x = 1.")["a"]


def test_a_matching_page_passes():
    assert sybil_failures(FIXTURES / "good.md") == []


def test_a_wrong_style_word_fails():
    (problem,) = sybil_failures(FIXTURES / "wrong_style.md")
    assert problem.startswith("wrong_style.md, code cell at line 10:")
    assert "names ['dashed'] but the figure draws only ['dotted', 'solid']" in problem


def test_a_style_on_the_wrong_element_fails():
    # A dashed curve and a dotted vertical line, described as a dashed vertical line.
    (problem,) = sybil_failures(FIXTURES / "wrong_element.md")
    assert "names a dashed vertical line, but the figure's vertical lines are ['dotted']" in problem


def test_an_ambiguous_style_fails():
    # Two dashed curves on one axes, one of them described as "a dashed curve".
    (problem,) = sybil_failures(FIXTURES / "ambiguous.md")
    assert "says 'a dashed curve', but one axes has 2 dashed curves" in problem


def test_each_figure_is_held_to_its_own_alt_text():
    # Two figures on one page: the first draws a dashed line, the second does
    # not, and only the second's alt text says "dashed".
    (problem,) = sybil_failures(FIXTURES / "two_figures.md")
    assert "line 32" in problem and "names ['dashed']" in problem


def test_a_glued_figure_is_held_to_its_directives_alt_text():
    (problem,) = sybil_failures(FIXTURES / "glued.md")
    assert "{glue:figure} wrong-figure" in problem and "names ['dash-dot']" in problem


def test_the_snippet_run_leaves_no_figure_and_no_glue_behind():
    import matplotlib.pyplot as plt

    from tests import sybil_config

    myst_nb = importlib.import_module("myst_nb")
    glue = myst_nb.glue
    sybil_failures(FIXTURES / "glued.md")
    assert plt.get_fignums() == []
    assert sybil_config.GLUED == {}
    assert myst_nb.glue is glue
