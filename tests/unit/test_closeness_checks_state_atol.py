"""Every closeness check states its absolute tolerance.

``np.isclose(a, b)`` passes whenever ``|a - b| <= atol + rtol * |b|``, and the
default ``atol=1e-8`` makes any check of a value below about 1e-8 pass
whatever the value is: ``np.isclose(0.0, -np.exp(-40), rtol=1e-15)`` is True.
``pytest.approx`` has a default absolute tolerance of 1e-12 for the same
reason. So every call of

* ``np.isclose``, ``np.allclose``, ``np.testing.assert_allclose``,
* ``pytest.approx``, ``math.isclose``

in ``tests/``, ``docs/`` and ``xent_ref/`` must say its absolute tolerance:
``atol=`` (or the 4th positional argument) for NumPy, ``abs=`` (or the 3rd)
for ``pytest.approx``, ``abs_tol=`` for ``math.isclose``. A value is checked
to its real precision only when the reader can see what "close" means.

The scan walks the AST of

* every Python file, including the examples in its docstrings;
* every Python block of every MyST page: code-cells (hidden ones too),
  Python fences and code-block directives, ``% invisible-code-block``
  comments and ``>>>`` examples, found by the same sybil parsers that run them;
* the ``compute`` and ``check`` blocks of every quiz file (``docs/quizzes``),
  which run at build time.

``tests/fixtures/`` holds deliberately bad files and is not scanned; the
fixtures in ``tests/fixtures/tolerance/`` prove that the scan bites.
"""

from __future__ import annotations

import ast
import doctest
from dataclasses import dataclass
from pathlib import Path

import pytest
from sybil import Document

from tests.sybil_config import docs_parsers

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("tests", "docs", "xent_ref")
FIXTURES = ROOT / "tests" / "fixtures"
SKIPPED_PARTS = frozenset({"_build", ".venv", "__pycache__", "node_modules", ".ipynb_checkpoints"})

#: Dotted call name -> (the keywords that state the absolute tolerance, the
#: 0-based position of the absolute tolerance as a positional argument).
NUMPY = (frozenset({"atol"}), 3)
CHECKS: dict[str, tuple[frozenset[str], int | None]] = {
    **{f"{base}isclose": NUMPY for base in ("np.", "numpy.")},
    **{f"{base}allclose": NUMPY for base in ("np.", "numpy.", "")},
    **{
        f"{base}assert_allclose": NUMPY
        for base in ("np.testing.", "numpy.testing.", "testing.", "npt.", "")
    },
    "pytest.approx": (frozenset({"abs"}), 2),
    "approx": (frozenset({"abs"}), 2),
    "math.isclose": (frozenset({"abs_tol"}), None),
    # A bare ``isclose`` may be NumPy's or math's: either spelling counts.
    "isclose": (frozenset({"atol", "abs_tol"}), 3),
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    call: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}(...) leaves its absolute tolerance implicit"


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def implicit_calls(source: str) -> list[tuple[int, str]]:
    """(line, name) of each closeness call in *source* without an explicit absolute tolerance.

    A ``**kwargs`` argument counts as explicit: the scan cannot see inside it.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name not in CHECKS:
            continue
        keywords, position = CHECKS[name]
        named = {k.arg for k in node.keywords}
        if named & keywords or None in named:
            continue
        if position is not None and len(node.args) > position:
            continue
        if any(isinstance(a, ast.Starred) for a in node.args):
            continue
        found.append((node.lineno, name))
    return found


def _doctest_sources(text: str) -> list[tuple[int, str]]:
    """(0-based line within *text*, source) of each ``>>>`` example in *text*."""
    return [(ex.lineno, ex.source) for ex in doctest.DocTestParser().get_examples(text)]


def scan_python(path: Path) -> list[tuple[int, str]]:
    """The implicit calls of a Python file, its docstring examples included."""
    source = path.read_text(encoding="utf-8")
    found = implicit_calls(source)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ">>>" in node.value:
            # The docstring starts on node.lineno; each example's line is
            # relative to it (exact for docstrings without escapes that
            # change the line count, which is every docstring here).
            for offset, example in _doctest_sources(node.value):
                found += [(node.lineno + offset + line - 1, name)
                          for line, name in implicit_calls(example)]
    return found


def _example_source(example) -> str | None:
    parsed = example.parsed
    if isinstance(parsed, doctest.Example):
        return parsed.source
    if isinstance(parsed, str):
        return parsed
    return None  # a skip marker


def scan_markdown(path: Path) -> list[tuple[int, str]]:
    """The implicit calls in every Python block of a MyST page."""
    document = Document.parse(str(path), *docs_parsers())
    found = []
    for example in document.examples():
        source = _example_source(example)
        if source is None:
            continue
        # The source's first line is at or after the block's first line: find
        # it in the page to report exact lines (percent-comment blocks lose
        # their "% " prefix, so fall back to the block's own line).
        first = next((ln for ln in source.splitlines() if ln.strip()), "")
        start = document.text.find(first, example.region.start) if first else -1
        base = document.text.count("\n", 0, start) + 1 if start >= 0 else example.line
        leading = len(source) - len(source.lstrip("\n"))
        found += [(base + line - 1 - leading, name) for line, name in implicit_calls(source)]
    return found


def scan_quiz(path: Path) -> list[tuple[int, str]]:
    """The implicit calls in a quiz file's ``compute`` and ``check`` blocks."""
    import yaml

    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        return []
    blocks = [data.get("compute")]
    blocks += [q.get("check") for q in data.get("questions") or [] if isinstance(q, dict)]
    found = []
    for code in blocks:
        if not isinstance(code, str):
            continue
        # The block's line in the file: where its first line is (block scalars
        # keep lines as they are, only indented).
        first = next((ln.strip() for ln in code.splitlines() if ln.strip()), "")
        start = text.find(first)
        base = text.count("\n", 0, start) + 1 if start >= 0 else 1
        leading = len(code) - len(code.lstrip("\n"))
        found += [(base + line - 1 - leading, name) for line, name in implicit_calls(code)]
    return found


def scan(roots: list[Path], *, relative_to: Path = ROOT) -> list[Finding]:
    """Every implicit closeness call under *roots* (files or directories)."""
    findings = []
    files = []
    for root in roots:
        files += [root] if root.is_file() else sorted(root.rglob("*"))
    for path in files:
        if SKIPPED_PARTS & set(path.parts) or not path.is_file():
            continue
        if path.suffix == ".py":
            found = scan_python(path)
        elif path.suffix == ".md":
            found = scan_markdown(path)
        elif path.suffix == ".yaml" and path.parent.name == "quizzes":
            found = scan_quiz(path)
        else:
            continue
        shown = path.relative_to(relative_to).as_posix() if path.is_relative_to(relative_to) else str(path)
        findings += [Finding(shown, line, name) for line, name in sorted(found)]
    return findings


def _site_files() -> list[Path]:
    files = []
    for name in SCANNED:
        for path in sorted((ROOT / name).rglob("*")):
            if path.suffix in (".py", ".md", ".yaml") and not path.is_relative_to(FIXTURES):
                files.append(path)
    return files


def test_every_closeness_check_states_its_absolute_tolerance():
    findings = scan(_site_files())
    assert findings == [], "\n" + "\n".join(map(str, findings))


# --- The scan bites -------------------------------------------------------------

TOLERANCE_FIXTURES = FIXTURES / "tolerance"


def _lines_marked(path: Path, mark: str = "# implicit") -> list[int]:
    return [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if mark in line]


@pytest.mark.parametrize("name", ["bad_module.py", "bad_page.md", "quizzes/bad_quiz.yaml"])
def test_the_scan_finds_every_implicit_call_of_a_fixture(name):
    # Each line of the fixture that leaves the tolerance implicit is marked
    # "# implicit"; the explicit calls around them must not be reported.
    path = TOLERANCE_FIXTURES / name
    expected = _lines_marked(path)
    assert expected, "the fixture marks no line"
    assert [f.line for f in scan([path])] == expected


def test_the_scan_passes_a_fixture_that_states_every_tolerance():
    assert scan([TOLERANCE_FIXTURES / "good_module.py"]) == []


def test_the_scan_names_the_file_line_and_call():
    (first, *_) = scan([TOLERANCE_FIXTURES / "bad_module.py"])
    assert str(first).startswith("tests/fixtures/tolerance/bad_module.py:")
    assert "leaves its absolute tolerance implicit" in str(first)


def test_the_scan_reaches_every_kind_of_block():
    # The page fixture has one implicit call in each kind of block sybil runs.
    kinds = {
        "code-cell", "hidden code-cell", "python fence", "invisible-code-block", "doctest",
    }
    page = (TOLERANCE_FIXTURES / "bad_page.md").read_text("utf-8").splitlines()
    marked = {page[n - 1].split("# implicit:")[1].strip() for n in _lines_marked(
        TOLERANCE_FIXTURES / "bad_page.md")}
    assert marked == kinds
