"""How sybil finds and runs the examples in docs/ and in xent_ref's docstrings.

The root ``conftest.py`` builds its Sybils from here, and the proof tests build
the same ones over small fixture pages, so what is proved is what runs.

Three kinds of block in a MyST page are run, in page order, in one namespace
per page (as the notebook runs them):

* ```` ```python ```` fences, ``{code-block} python`` directives and
  ``% invisible-code-block: python`` comments; a body that starts with ``>>>``
  is run as a doctest;
* ``{code-cell}`` directives of MyST-NB pages, whatever the kernel language is
  called (``ipython3``, ``python3``, ``python``).  sybil's stock parser matches
  the language literally, so it would skip ``ipython3`` cells silently; this
  parser takes them all, and honours the cell tags MyST-NB honours:
  ``raises-exception`` (the cell must raise) and ``skip-execution`` (the cell
  is reported as skipped, never silently passed);
* ``% skip: next "reason"`` markers skip the next block, with the reason shown.

The run also checks the alt text of every figure (the rules are in
``tests/_alt_text.py``), as the page runs, so no page runs a second time for
it:

* right after a code cell whose ``mystnb: image: alt:`` option is set, against
  the figures that cell created (the cell fails if they do not match);
* at a ``{glue:figure}`` directive, against the figure glued under its name
  by the cells above it: ``myst_nb.glue`` is wrapped for the page's run (and
  calls through), so what is glued is recorded.

Figures are closed, and the record of glued values dropped, after each page.
"""

from __future__ import annotations

import doctest
import functools
import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml
from sybil import Document, Example, Region, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.abstract import AbstractCodeBlockParser
from sybil.parsers.abstract.codeblock import PythonDocTestOrCodeBlockParser
from sybil.parsers.markdown.lexers import (
    DirectiveInHTMLCommentLexer,
    FencedCodeBlockLexer,
)
from sybil.parsers.myst import SkipParser
from sybil.parsers.myst.lexers import DirectiveInPercentCommentLexer, DirectiveLexer
from sybil.parsers.rest import DocTestParser

from tests import _alt_text

DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

#: Names a MyST-NB code cell may give its (Python) kernel language.
KERNEL_LANGUAGES = frozenset({"ipython3", "ipython", "python3", "python", ""})


class _FenceParser(AbstractCodeBlockParser):
    """Python fences and code-block directives, but not code-cells."""

    def __init__(self, language, evaluator):
        super().__init__(
            [
                FencedCodeBlockLexer(
                    language=r".+", mapping={"language": "arguments", "source": "source"}
                ),
                DirectiveLexer(directive=r"(sourcecode|code-block|code)", arguments=".+"),
                DirectiveInPercentCommentLexer(
                    directive=r"(invisible-)?code(-block)?", arguments=".+"
                ),
                DirectiveInHTMLCommentLexer(
                    directive=r"(invisible-)?code(-block)?", arguments=".+"
                ),
            ],
            language,
            evaluator,
        )


class PythonFenceParser(PythonDocTestOrCodeBlockParser):
    codeblock_parser_class = _FenceParser


def _tags(options: dict) -> list[str]:
    tags = options.get("tags", [])
    if isinstance(tags, str):
        tags = yaml.safe_load(tags) or []
    return list(tags)


class CodeCellParser:
    """Every ``{code-cell}`` of a MyST-NB page, with its tags honoured."""

    def __init__(self) -> None:
        self.lexer = DirectiveLexer(directive="code-cell", arguments=".*")
        self.python = PythonEvaluator()

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            language = region.lexemes["arguments"].strip()
            if language not in KERNEL_LANGUAGES:
                raise ValueError(
                    f"{document.path}: code-cell language {language!r} is not a "
                    f"Python kernel; sybil cannot run it"
                )
            options = region.lexemes.get("options") or {}
            tags = _tags(options)
            region.parsed = region.lexemes["source"]
            if "skip-execution" in tags:
                region.evaluator = self._skip
            elif "raises-exception" in tags:
                region.evaluator = self._must_raise
            else:
                region.evaluator = self.python
            alt = _alt_text.cell_alt(_mystnb_options(options))
            if alt is not None and "skip-execution" not in tags:
                region.evaluator = AltTextCheck(region.evaluator, alt)
            yield region

    @staticmethod
    def _skip(example: Example) -> None:
        import pytest

        pytest.skip("code-cell tagged skip-execution")

    def _must_raise(self, example: Example) -> str | None:
        try:
            self.python(example)
        except Exception:
            return None
        return "code-cell tagged raises-exception did not raise"


def _mystnb_options(options: dict) -> dict:
    # A cell's YAML header reaches us with its nested ``mystnb`` mapping as text.
    return {k: yaml.safe_load(v) if isinstance(v, str) and k == "mystnb" else v
            for k, v in options.items()}


def _label(example: Example) -> str:
    return f"{Path(example.path).name}, code cell at line {example.line}"


class AltTextCheck:
    """Run a code cell, then hold the figures it created to the cell's alt text."""

    def __init__(self, evaluator: Callable[[Example], str | None], alt: str) -> None:
        self.evaluator = evaluator
        self.alt = alt

    def __call__(self, example: Example) -> str | None:
        import matplotlib.pyplot as plt

        before = set(plt.get_fignums())
        failure = self.evaluator(example)
        if failure:
            return failure
        figures = [plt.figure(n) for n in sorted(set(plt.get_fignums()) - before)]
        problems = _alt_text.figure_problems(
            _label(example), self.alt, _alt_text.drawn_styles(figures) if figures else None)
        return "\n".join(problems) or None


#: Values the page's cells glued, by name: filled by the wrapped
#: ``myst_nb.glue`` while a page runs, emptied after it.
GLUED: dict[str, object] = {}


class GlueFigureParser:
    """Every ``{glue:figure}`` directive with alt text, checked against the glued figure."""

    def __call__(self, document: Document) -> Iterable[Region]:
        for match in _alt_text.GLUE_FIGURE.finditer(document.text):
            name, options = match.groups()
            alt = _alt_text.glue_figure_alt(options)
            if alt is not None:
                yield Region(match.start(), match.end(), (name, alt), self.evaluate)

    @staticmethod
    def evaluate(example: Example) -> str | None:
        name, alt = example.parsed
        label = f"{{glue:figure}} {name}"
        if name not in GLUED:
            return f"{label}: no cell above the directive glues a value under that name"
        figure = GLUED[name]
        styles = _alt_text.drawn_styles([figure]) if hasattr(figure, "axes") else None
        return "\n".join(_alt_text.figure_problems(label, alt, styles)) or None


def docs_parsers() -> list:
    return [
        PythonFenceParser(doctest_optionflags=DOCTEST_FLAGS),
        CodeCellParser(),
        GlueFigureParser(),
        SkipParser(),
    ]


def _record_glue(namespace: dict) -> None:
    myst_nb: Any = importlib.import_module("myst_nb")

    GLUED.clear()
    glue = getattr(myst_nb.glue, "__wrapped_glue__", myst_nb.glue)

    @functools.wraps(glue)
    def recording_glue(name, variable, *args, **kwargs):
        GLUED[name] = variable
        return glue(name, variable, *args, **kwargs)

    recording_glue.__wrapped_glue__ = glue  # type: ignore[attr-defined]
    myst_nb.glue = recording_glue


def _close_figures(namespace: dict) -> None:
    import matplotlib.pyplot as plt

    myst_nb: Any = importlib.import_module("myst_nb")
    plt.close("all")
    GLUED.clear()
    myst_nb.glue = getattr(myst_nb.glue, "__wrapped_glue__", myst_nb.glue)


def docs_sybil(path: Path) -> Sybil:
    """The Sybil that collects every Python block of the MyST pages under *path*.

    sybil resolves a relative path against the file that constructs the Sybil
    (this one), so callers pass an absolute path.
    """
    return Sybil(
        parsers=docs_parsers(),
        patterns=["*.md"],
        path=str(Path(path).resolve()),
        setup=_record_glue,
        teardown=_close_figures,
        name="docs",
    )


def package_sybil(path: Path) -> Sybil:
    """The Sybil that runs every docstring example of the package."""
    return Sybil(
        parsers=[DocTestParser(optionflags=DOCTEST_FLAGS)],
        patterns=["*.py"],
        path=str(Path(path).resolve()),
        name="package",
    )
