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
"""

from __future__ import annotations

import doctest
from collections.abc import Iterable
from pathlib import Path

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
            tags = _tags(region.lexemes.get("options") or {})
            region.parsed = region.lexemes["source"]
            if "skip-execution" in tags:
                region.evaluator = self._skip
            elif "raises-exception" in tags:
                region.evaluator = self._must_raise
            else:
                region.evaluator = self.python
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


def docs_parsers() -> list:
    return [
        PythonFenceParser(doctest_optionflags=DOCTEST_FLAGS),
        CodeCellParser(),
        SkipParser(),
    ]


def _close_figures(namespace: dict) -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


def docs_sybil(path: Path) -> Sybil:
    """The Sybil that collects every Python block of the MyST pages under *path*.

    sybil resolves a relative path against the file that constructs the Sybil
    (this one), so callers pass an absolute path.
    """
    return Sybil(
        parsers=docs_parsers(),
        patterns=["*.md"],
        path=str(Path(path).resolve()),
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
