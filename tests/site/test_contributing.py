"""CONTRIBUTING.md names what enforces each step, and those checks exist.

Every step of its checklists (a ``- `` item under a ``## `` heading that starts
with "Adding") ends with ``(enforced by ...)`` naming one or more tests as
``path::test_name``, or with ``(the build: ...)``. Each named test must be a
function of that module. The rest of this file holds the checks the
checklists needed and no other test made: the changelog names every loss,
every page of the parts opens with where it sits, carries its label and its
quiz, namespaces its glue keys, and every figure has alt text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests._loss_cases import public_losses

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PARTS = ("chain", "losses", "catalogue")
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _steps(text: str) -> list[str]:
    """The checklist steps: list items (joined over their lines) under an "Adding" heading."""
    steps: list[str] = []
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        if not section.startswith("Adding"):
            continue
        for item in re.findall(r"^(?:\d+\.|-) (.*?)(?=^\d+\. |^- |^\S|\Z)", section, re.M | re.S):
            steps.append(" ".join(item.split()))
    return steps


STEPS = _steps((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"))


def _defines(path: str, name: str) -> bool:
    # read, not imported: a module's fixtures and imports need not load here
    source = (ROOT / path).read_text(encoding="utf-8")
    return re.search(rf"^def {re.escape(name)}\(", source, re.M) is not None


def test_the_checklists_have_steps():
    assert len(STEPS) >= 10


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s[:40])
def test_every_step_says_what_enforces_it(step):
    assert re.search(r"\((enforced by .*|the build: .*)\)\.?$", step), step
    if "enforced by" in step:
        assert TEST_REF.search(step), f"names no test as `path::name`: {step}"


@pytest.mark.parametrize(
    ("path", "name"),
    sorted({m for s in STEPS for m in TEST_REF.findall(s)}),
    ids=lambda v: v,
)
def test_every_named_test_exists(path, name):
    assert (ROOT / path).is_file(), path
    assert _defines(path, name), f"{path} has no test {name}"


def test_the_step_parser_bites(tmp_path):
    text = "## Adding a thing\n\n1. Do this (enforced by `tests/x.py::test_y`).\n" \
           "2. Do that,\n   over two lines.\n\n## Running\n\n- not a step\n"
    steps = _steps(text)
    assert steps == ["Do this (enforced by `tests/x.py::test_y`).", "Do that, over two lines."]
    with pytest.raises(AssertionError):
        test_every_step_says_what_enforces_it(steps[1])
    assert not _defines("tests/site/test_contributing.py", "test_that_does_not_exist")


# ---------------------------------------------------------------------------
# Checks the checklists needed
# ---------------------------------------------------------------------------


def test_every_loss_is_in_the_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    missing = [n for n in public_losses() if not re.search(rf"`{re.escape(n)}\b", text)]
    assert missing == []


def _part_pages() -> list[Path]:
    return sorted(p for part in PARTS for p in (DOCS / part).glob("*.md") if p.name != "index.md")


def _label(text: str) -> str | None:
    match = re.search(r"^\(([a-z0-9-]+)\)=$", text, re.M)
    return match.group(1) if match else None


@pytest.mark.parametrize("page", _part_pages(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_a_page_has_its_label_where_it_sits_and_its_quiz(page):
    text = page.read_text(encoding="utf-8")
    label = _label(text)
    section = page.parent.name
    assert label and label.startswith(f"{section}-"), f"no ({section}-...)= label"
    # the opening paragraph, right under the title, says where the page sits
    after_title = text.split(f"({label})=", 1)[1].lstrip().split("\n", 1)[1].lstrip()
    assert after_title.startswith("*Where this sits"), after_title[:80]
    # the page ends with its own quiz, whose file is named after the label
    assert text.rstrip().endswith(f"```{{quiz}} {label}\n```")
    assert (DOCS / "quizzes" / f"{label}.yaml").is_file()


def _labelled_pages() -> list:
    pages = []
    for page in sorted(DOCS.rglob("*.md")):
        if "_build" in page.parts or not _label(page.read_text(encoding="utf-8")):
            continue
        pages.append(pytest.param(page, id=page.relative_to(DOCS).as_posix()))
    return pages


@pytest.mark.parametrize("page", _labelled_pages())
def test_glue_keys_start_with_the_page_label(page):
    text = page.read_text(encoding="utf-8")
    label = _label(text)
    keys = re.findall(r'glue\(\s*"([^"]+)"', text)
    assert [k for k in keys if not k.startswith(f"{label}-")] == []


_CELL = re.compile(r"```\{code-cell\} ipython3\n(.*?)```", re.S)


@pytest.mark.parametrize(
    "page", sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts),
    ids=lambda p: p.relative_to(DOCS).as_posix(),
)
def test_every_figure_has_alt_text(page):
    text = page.read_text(encoding="utf-8")
    for body in _CELL.findall(text):
        header, _, code = body.partition("\n---\n") if body.startswith("---\n") else ("", "", body)
        if re.search(r"\bplt\.(subplots|figure)\(", code):
            assert re.search(r"^\s+alt: \S", header, re.M), code[:120]
    for directive in re.findall(r"```\{(?:glue:figure|figure|image)\}.*?```", text, re.S):
        assert ":alt:" in directive, directive[:120]
