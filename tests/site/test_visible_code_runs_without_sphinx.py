"""A page's visible code runs in a reader's Python, as it stands.

A reader copies a page's visible code cells, top to bottom, into their own
Python: numpy, scipy, matplotlib, torch, jax, optax, scikit-learn, IPython and
``xent_ref`` installed, but no Sphinx and no MyST-NB. Each page's visible cells
run here in that environment:

* one fresh interpreter per page, the cells in page order in one namespace,
  as a notebook runs them;
* importing ``myst_nb``, ``sphinx`` or ``docutils`` (or any submodule) raises
  ``ModuleNotFoundError``, through a blocker first on ``sys.meta_path``;
* ``xent_ref`` is the one a reader installs: a wheel built from the checkout
  once per test session and unpacked by pip into a folder of its own, the
  only thing on the import path besides the environment's packages (the
  checkout's editable install is never reached: that folder comes first on
  ``sys.path``, and the runner refuses to start if ``xent_ref`` is imported
  from anywhere else);
* the working directory is an empty temporary one, so a cell cannot lean on
  the repository's files either;
* ``MPLBACKEND=Agg``.

What counts as visible, by the cell tags MyST-NB honours:

* a cell tagged ``remove-cell`` or ``remove-input`` shows the reader no code,
  so it is not run;
* ``hide-input``, ``hide-cell`` and ``hide-output`` cells are one click away,
  and a reader copies them too, so they are run;
* a ``raises-exception`` cell must raise (the page shows the error), and the
  run goes on; a ``skip-execution`` cell is not run at build time either.

Every downloaded notebook (``_sources/<page>.ipynb`` in the built site) is run
the same way, all of its code cells, since a reader who downloads it runs
them all. Those tests skip, saying why, when the site has not been built.

A notebook whose code cells are exactly the page's visible cells (the same
sources in the same order, up to the final newline the notebook writer drops,
the same raises-exception cells) and whose run gets the same files runs the
very program the page's test ran: that one run, kept for the test session
(this file runs whole in one xdist worker), answers both tests, and the
notebook's test says so. Any difference means two runs.
``test_downloads_that_differ_from_their_page`` lists the notebooks that
differ from their page and why, so the shared run cannot hide a difference.

``XENT_READER_DOCS`` (a folder of pages) and ``XENT_READER_NOTEBOOKS`` (a
folder of notebooks) point the tests at other files; the proof tests below run
this module over the fixtures in ``tests/fixtures/reader_env/`` in a separate
pytest process and check that it fails there.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from sybil import Document

from tests._wheel import build_wheel, install_wheel
from tests.sybil_config import CodeCellParser, _tags

ROOT = Path(__file__).resolve().parents[2]
BUILDDIR = Path(os.environ.get("XENT_BUILDDIR", ROOT / "_build"))
DOCS = Path(os.environ.get("XENT_READER_DOCS", ROOT / "docs"))
NOTEBOOKS = Path(os.environ.get("XENT_READER_NOTEBOOKS", BUILDDIR / "html" / "_sources"))
FIXTURES = ROOT / "tests" / "fixtures" / "reader_env"

BLOCKED = ("myst_nb", "sphinx", "docutils")
HIDDEN_TAGS = frozenset({"remove-cell", "remove-input"})

#: Runs in the fresh interpreter: block the build tools, then run the cells
#: read from stdin as JSON [{"label", "source", "must_raise"}, ...].
RUNNER = f"""
import importlib.abc, json, sys, traceback

BLOCKED = {BLOCKED!r}

class NoBuildTools(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(
                f"No module named {{name!r}} (a reader has no Sphinx and no MyST-NB)",
                name=name,
            )
        return None

sys.meta_path.insert(0, NoBuildTools())
import xent_ref
if not xent_ref.__file__.startswith(sys.argv[1]):
    sys.exit(f"xent_ref came from {{xent_ref.__file__}}, not from the installed wheel in {{sys.argv[1]}}")
del xent_ref
cells = json.load(sys.stdin)
namespace = {{"__name__": "__main__"}}
for cell in cells:
    try:
        exec(compile(cell["source"], cell["label"], "exec"), namespace)
    except BaseException:
        if cell["must_raise"]:
            continue
        print(f"FAILED in {{cell['label']}}:", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
    else:
        if cell["must_raise"]:
            print(f"FAILED: {{cell['label']}} is tagged raises-exception but did not raise",
                  file=sys.stderr)
            sys.exit(1)
print(f"ran {{len(cells)}} cells")
"""


def visible_cells(page: Path) -> list[dict]:
    """The code cells a reader sees on *page*, in page order, ready for the runner."""
    document = Document.parse(str(page), CodeCellParser())
    cells = []
    for example in document.examples():
        tags = set(_tags(example.region.lexemes.get("options") or {}))
        if tags & HIDDEN_TAGS or "skip-execution" in tags:
            continue
        cells.append({
            "label": f"{page.name}, code cell at line {example.line}",
            "source": example.region.parsed,
            "must_raise": "raises-exception" in tags,
        })
    return cells


def notebook_cells(notebook: Path) -> list[dict]:
    """Every code cell of a downloaded notebook, ready for the runner."""
    data = json.loads(notebook.read_text(encoding="utf-8"))
    cells = []
    for number, cell in enumerate(data["cells"], start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"]
        source = "".join(source) if isinstance(source, list) else source
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "skip-execution" in tags:
            continue
        cells.append({
            "label": f"{notebook.name}, cell {number}",
            "source": source,
            "must_raise": "raises-exception" in tags,
        })
    return cells


#: ``{download}`label <path>``` in a page: a file the page tells its reader to
#: download, so a reader has it in their working directory.
DOWNLOAD = re.compile(r"\{download\}`[^`<]*<([^>`]+)>`")


def page_downloads(page: Path) -> list[Path]:
    """The files *page* offers for download, as paths in the checkout."""
    if not page.is_file():
        return []
    text = page.read_text(encoding="utf-8")
    return [(page.parent / target).resolve() for target in DOWNLOAD.findall(text)]


_WHEEL_SITE: list[Path] = []


def installed_wheel(workdir: Path) -> Path:
    """A folder holding ``xent_ref`` installed from a wheel built from the checkout.

    Built once per process (:mod:`tests._wheel`), so every page runs against
    the same installed copy.
    """
    if not _WHEEL_SITE:
        _WHEEL_SITE.append(install_wheel(build_wheel(workdir), workdir / "xent-ref-wheel"))
    return _WHEEL_SITE[0]


@pytest.fixture(scope="session")
def reader_site(tmp_path_factory) -> Path:
    return installed_wheel(tmp_path_factory.mktemp("reader"))


def run_as_reader(cells: list[dict], workdir: Path, site: Path,
                  downloads: Sequence[Path] = ()) -> subprocess.CompletedProcess:
    """Run *cells* in a fresh interpreter that has xent_ref but no build tools.

    *site* holds the installed ``xent_ref`` (:func:`installed_wheel`). The
    working directory holds only the *downloads* (the files the page links
    for download), as a reader who followed the page's links has them.
    """
    run = workdir / "run"
    run.mkdir(parents=True, exist_ok=True)
    for path in downloads:
        shutil.copyfile(path, run / path.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST"))}
    env.update(PYTHONPATH=str(site), MPLBACKEND="Agg", PYTHONHASHSEED="0")
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(site)],
        input=json.dumps(cells),
        cwd=run,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


#: Each run in the reader's environment, by :func:`run_key`: the result, and
#: what it was run for.
_RUNS: dict[str, tuple[subprocess.CompletedProcess, str]] = {}


def _program(cells: list[dict]) -> list[tuple[str, bool]]:
    # What runs: each cell's source and whether it must raise. A final
    # newline changes nothing compile() does, and the notebook writer drops it.
    return [(cell["source"].rstrip("\n"), cell["must_raise"]) for cell in cells]


def run_key(cells: list[dict], downloads: Sequence[Path]) -> str:
    """A hash of what a run in the reader's environment does: its program and its files."""
    digest = hashlib.sha256(json.dumps(_program(cells)).encode())
    for path in sorted(downloads, key=lambda p: p.name):
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def run_once(cells: list[dict], workdir: Path, site: Path, downloads: Sequence[Path],
             what: str) -> tuple[subprocess.CompletedProcess, str]:
    """:func:`run_as_reader`, or the result of an earlier run of the same program and files.

    Returns the result and what it was first run for (*what*, if it runs now).
    """
    key = run_key(cells, downloads)
    if key not in _RUNS:
        _RUNS[key] = (run_as_reader(cells, workdir, site, downloads), what)
    return _RUNS[key]


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)


def _executable_pages() -> list[Path]:
    # A page without code cells is not a notebook and has nothing to copy here.
    return [p for p in _pages() if "{code-cell}" in p.read_text(encoding="utf-8")]


def _failure(result: subprocess.CompletedProcess) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return "\n".join(lines[-25:])


def test_there_are_pages_with_code():
    assert _executable_pages(), f"no page with code cells under {DOCS}"


@pytest.mark.parametrize(
    "page", _executable_pages(), ids=lambda p: p.relative_to(DOCS).with_suffix("").as_posix()
)
def test_visible_code_runs_in_a_readers_python(page, tmp_path, reader_site):
    cells = visible_cells(page)
    result, _ = run_once(cells, tmp_path, reader_site, page_downloads(page),
                         f"the visible cells of {page.name}")
    ran = result.returncode == 0
    assert ran, (
        f"{page.relative_to(DOCS)}: its visible code fails without Sphinx/MyST-NB:\n"
        + _failure(result)
    )


def _notebooks() -> list[str]:
    """The relative paths of the notebooks the built site offers for download.

    One per executable page, whether or not the site is built, so that a
    missing download is reported (or skipped, with the reason) per page.
    """
    if "XENT_READER_NOTEBOOKS" in os.environ:
        return sorted(p.relative_to(NOTEBOOKS).as_posix() for p in NOTEBOOKS.rglob("*.ipynb"))
    return [p.relative_to(DOCS).with_suffix(".ipynb").as_posix() for p in _executable_pages()]


@pytest.mark.parametrize("notebook", _notebooks())
def test_downloaded_notebook_runs_in_a_readers_python(notebook, tmp_path, reader_site):
    if not (NOTEBOOKS.parent / "index.html").is_file():
        pytest.skip(f"the site is not built ({NOTEBOOKS.parent} has no index.html); "
                    "build it to test the notebook downloads")
    path = NOTEBOOKS / notebook
    assert path.is_file(), f"the built site offers no download {path}"
    page = (DOCS / notebook).with_suffix(".md")
    result, first = run_once(notebook_cells(path), tmp_path, reader_site, page_downloads(page),
                             f"the code cells of {path.name}")
    if first != f"the code cells of {path.name}":
        print(f"{notebook}: the same program and files as {first}: one run answers both")
    ran = result.returncode == 0
    assert ran, (
        f"{notebook}: the downloaded notebook fails without Sphinx/MyST-NB (run for {first}):\n"
        + _failure(result)
    )


def how_it_differs(page: Path, notebook: Path) -> str | None:
    """Why the run of *notebook* is not the run of *page*'s visible cells, or None if it is."""
    if not page.is_file():
        return f"{page.name} is not a page"
    if not notebook.is_file():
        return f"the site offers no download {notebook.name}"
    ours, theirs = _program(visible_cells(page)), _program(notebook_cells(notebook))
    for number, (mine, other) in enumerate(zip(ours, theirs), start=1):
        if mine[0] != other[0]:
            return f"code cell {number} of the notebook is not the page's visible cell {number}"
        if mine[1] != other[1]:
            return f"code cell {number} must raise in one and not in the other"
    if len(ours) != len(theirs):
        return (f"the notebook runs {len(theirs)} code cells, the page shows {len(ours)}")
    return None


#: The downloaded notebooks of the site whose code is not their page's
#: visible code, with the reason (:func:`how_it_differs`). Each is run on its
#: own, as any notebook that differs is; this list only makes them visible.
DIFFERENT_FROM_THEIR_PAGE: dict[str, str] = {}


def test_downloads_that_differ_from_their_page():
    if not (NOTEBOOKS.parent / "index.html").is_file():
        pytest.skip(f"the site is not built ({NOTEBOOKS.parent} has no index.html); "
                    "build it to compare the notebook downloads with their pages")
    different = {}
    for notebook in _notebooks():
        why = how_it_differs((DOCS / notebook).with_suffix(".md"), NOTEBOOKS / notebook)
        if why:
            different[notebook] = why
    assert different == DIFFERENT_FROM_THEIR_PAGE


# --- The test bites ---------------------------------------------------------------


def test_visible_cells_follow_the_tags():
    cells = visible_cells(FIXTURES / "pages" / "good.md")
    sources = [c["source"] for c in cells]
    assert not any("myst_nb" in s for s in sources)  # the remove-cell glue cell
    assert any("hidden until expanded" in s for s in sources)  # hide-input is visible
    assert not any("output only" in s for s in sources)  # remove-input is not
    assert [c["must_raise"] for c in cells].count(True) == 1


def test_the_reader_runs_the_installed_wheel(tmp_path, reader_site):
    cells = [{"label": "where", "must_raise": False,
              "source": "import importlib.metadata, xent_ref\n"
                        "print(xent_ref.__file__, importlib.metadata.version('xent-ref'))"}]
    result = run_as_reader(cells, tmp_path / "wheel", reader_site)
    assert result.returncode == 0, _failure(result)
    where, version = result.stdout.splitlines()[0].split()
    assert Path(where).is_relative_to(reader_site) and not Path(where).is_relative_to(ROOT)
    assert version == importlib.metadata.version("xent-ref")
    # A folder without the wheel: xent_ref would come from the checkout's
    # editable install, and the runner refuses to run.
    empty = tmp_path / "empty-site"
    empty.mkdir()
    refused = run_as_reader(cells, tmp_path / "checkout", empty)
    assert refused.returncode != 0
    assert "not from the installed wheel" in refused.stderr


def _run_module(tmp_path, **env) -> subprocess.CompletedProcess:
    """This module in a separate pytest process, pointed at fixture files."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA",
         # not this test itself, which would run the module again, and again
         str(Path(__file__)), "-k", "readers_python and not the_reader_test_bites"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    site = tmp_path_factory.mktemp("reader-site")
    # A built site: index.html beside _sources/ with the notebook fixtures.
    (site / "index.html").write_text("<html></html>", encoding="utf-8")
    sources = site / "_sources"
    sources.mkdir()
    for notebook in (FIXTURES / "notebooks").glob("*.ipynb"):
        (sources / notebook.name).write_bytes(notebook.read_bytes())
    return _run_module(
        tmp_path_factory.mktemp("reader"),
        XENT_READER_DOCS=str(FIXTURES / "pages"),
        XENT_READER_NOTEBOOKS=str(sources),
    )


@pytest.mark.parametrize(
    ("test", "outcome", "message"),
    [
        ("test_visible_code_runs_in_a_readers_python[good]", "PASSED", None),
        ("test_visible_code_runs_in_a_readers_python[imports_myst_nb]", "FAILED",
         "No module named 'myst_nb' (a reader has no Sphinx and no MyST-NB)"),
        ("test_visible_code_runs_in_a_readers_python[hidden_name]", "FAILED",
         "NameError: name 'hidden_value' is not defined"),
        ("test_visible_code_runs_in_a_readers_python[raises_nothing]", "FAILED",
         "is tagged raises-exception but did not raise"),
        ("test_downloaded_notebook_runs_in_a_readers_python[good.ipynb]", "PASSED", None),
        # The page runs; its download keeps the glue cell, so it is run on
        # its own, and fails.
        ("test_visible_code_runs_in_a_readers_python[glue]", "PASSED", None),
        ("test_downloaded_notebook_runs_in_a_readers_python[glue.ipynb]", "FAILED",
         "No module named 'myst_nb'"),
        # The download is the page's visible code: one run answers both.
        ("test_visible_code_runs_in_a_readers_python[same]", "PASSED", None),
        ("test_downloaded_notebook_runs_in_a_readers_python[same.ipynb]", "PASSED",
         "same.ipynb: the same program and files as the visible cells of same.md: "
         "one run answers both"),
    ],
    ids=["control-page", "imports-myst_nb", "hidden-only-name", "raises-nothing",
         "control-notebook", "page-beside-a-glue-notebook", "notebook-glue",
         "same-page", "same-notebook-one-run"],
)
def test_the_reader_test_bites(fixture_run, test, outcome, message):
    out = fixture_run.stdout
    assert f"{outcome} {Path(__file__).relative_to(ROOT).as_posix()}::{test}" in out, out[-3000:]
    if message:
        assert message in out, out[-3000:]


def test_only_the_same_program_shares_a_run(tmp_path):
    pages, notebooks = FIXTURES / "pages", FIXTURES / "notebooks"
    assert how_it_differs(pages / "same.md", notebooks / "same.ipynb") is None
    assert run_key(visible_cells(pages / "same.md"), ()) == run_key(
        notebook_cells(notebooks / "same.ipynb"), ())
    assert how_it_differs(pages / "glue.md", notebooks / "glue.ipynb") == (
        "the notebook runs 2 code cells, the page shows 1")
    assert how_it_differs(pages / "good.md", notebooks / "good.ipynb") == (
        "code cell 1 of the notebook is not the page's visible cell 1")
    # Everything a run does changes its key: a source, a raises flag, the
    # order, a download's name or its bytes.
    cells = visible_cells(pages / "same.md")
    flipped = [dict(cells[0]), {**cells[1], "must_raise": False}]
    edited = [{**cells[0], "source": cells[0]["source"] + "h += 0\n"}, cells[1]]
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, name, text in ((one, "data.json", "[1]"), (two, "data.json", "[2]"),
                               (one, "other.json", "[1]")):
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    keys = {run_key(cells, ()), run_key(flipped, ()), run_key(edited, ()),
            run_key(cells[::-1], ()), run_key(cells, [one / "data.json"]),
            run_key(cells, [two / "data.json"]), run_key(cells, [one / "other.json"])}
    assert len(keys) == 7
    assert how_it_differs(pages / "same.md", notebooks / "missing.ipynb") == (
        "the site offers no download missing.ipynb")
