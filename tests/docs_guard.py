"""An independent count of the Python blocks in a MyST page.

sybil finds blocks with its own lexers. This module finds them a second way,
by parsing the page with markdown-it-py (the parser myst-parser is built on),
so that a block sybil's lexers miss, such as a fence in a language they do not
match, shows up as a difference between the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin

from tests.sybil_config import docs_parsers

PYTHON_LANGUAGES = frozenset({"python", "py", "python3", "pycon", "ipython", "ipython3"})
CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode"})
PERCENT_BLOCKS = ("invisible-code-block:", "code-block:", "code:")


@dataclass(frozen=True)
class Block:
    """A Python block: its kind and its 1-based first and last lines."""

    kind: str
    first: int
    last: int


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").use(front_matter_plugin).use(myst_block_plugin)


def python_blocks(text: str, offset: int = 0) -> list[Block]:
    """Every Python block in MyST source *text*, nested directives included."""
    blocks: list[Block] = []
    for token in _parser().parse(text):
        if token.map is None:
            continue
        first, end = token.map[0] + offset + 1, token.map[1] + offset
        if token.type == "fence":
            info = token.info.strip()
            if info.startswith("{"):
                directive, _, argument = info[1:].partition("}")
                argument = argument.strip().split()[0] if argument.strip() else ""
                if directive == "code-cell":
                    blocks.append(Block("code-cell", first, end))
                elif directive in CODE_DIRECTIVES:
                    if argument in PYTHON_LANGUAGES:
                        blocks.append(Block(f"{{{directive}}} {argument}", first, end))
                else:
                    # Directive bodies (tabs, notes, dropdowns) are MyST too.
                    blocks.extend(python_blocks(token.content, offset + token.map[0] + 1))
            elif info.split(maxsplit=1)[0:1] and info.split()[0] in PYTHON_LANGUAGES:
                blocks.append(Block(f"fence {info.split()[0]}", first, end))
        elif token.type == "myst_line_comment":
            head = token.content.strip()
            if head.startswith(PERCENT_BLOCKS):
                language = head.split(":", 1)[1].split()[0:1]
                if language and language[0] in PYTHON_LANGUAGES:
                    blocks.append(Block("% " + head.split(":", 1)[0], first, end))
    return blocks


def collected_lines(path: Path) -> list[int]:
    """The first line of every example sybil collects from the page at *path*."""
    from sybil import Document

    document = Document.parse(str(path), *docs_parsers())
    return [example.line for example in document.examples()]


def uncollected(path: Path) -> list[Block]:
    """The Python blocks of *path* for which sybil collected no example."""
    lines = collected_lines(path)
    blocks = python_blocks(path.read_text(encoding="utf-8"))
    return [b for b in blocks if not any(b.first <= line <= b.last for line in lines)]
