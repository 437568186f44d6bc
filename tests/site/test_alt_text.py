"""The alt text of every figure names only line styles the figure draws.

A reader who cannot see a figure reads its alt text; "the dashed curve" must
then be a dashed curve. For every figure on every page:

* the figure is tied to its alt text by the cell that draws it: a code cell
  whose ``mystnb: image: alt:`` option is the alt text, and the figures that
  cell creates; or a ``{glue:figure}`` directive's ``:alt:`` option, and the
  figure glued under that name;
* the page's cells all run (hidden ones too, as the build runs them), in a
  fresh interpreter per page, and the line styles are read from the drawn
  Matplotlib figures themselves (every ``Line2D`` and line collection on every
  axes), so a style set through a variable, a loop or a format string counts
  exactly as drawn;
* each style word of the alt text (solid, dashed, dotted, dash-dot) must be
  drawn in that figure; when the next few words say "vertical" or
  "horizontal", a vertical or horizontal line in that style must be drawn
  (so "a dashed vertical line" next to a dotted one and a dashed curve fails);
* "a dashed curve" (or "the", "one"; "curve" or "line") must pick out one
  element: no axes may hold two curves in that style ("with markers" in the
  same clause picks among the curves drawn with markers, its absence among
  those without).

A custom dash pattern, such as ``(0, (5, 1))``, is drawn as a dashed line and
counts as "dashed". ``tests/fixtures/alt_text/`` holds pages that prove the
test bites.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sybil import Document

from tests.sybil_config import CodeCellParser, _tags

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FIXTURES = ROOT / "tests" / "fixtures" / "alt_text"

#: Style words, longest first, so that "dash-dotted" is not read as "dotted".
STYLE_WORDS = [
    (re.compile(r"\b(?:dash-dot(?:ted)?|dashdot(?:ted)?|dot-dash(?:ed)?)\b", re.I), "dash-dot"),
    (re.compile(r"\bsolid\b", re.I), "solid"),
    (re.compile(r"\bdashed\b", re.I), "dashed"),
    (re.compile(r"\bdotted\b", re.I), "dotted"),
]

GLUE_FIGURE = re.compile(
    r"^(?:`{3,}|:{3,})\{glue:figure\}[ \t]+(\S+)[ \t]*\n((?:[ \t]*:[\w-]+:.*\n)*)", re.MULTILINE
)

#: Runs in a fresh interpreter: a stand-in for myst_nb.glue that records what
#: is glued, then every cell in page order; after a cell with alt text, the
#: styles of the figures it created. Reads the cells as JSON on stdin and
#: writes the results as JSON on stdout.
RUNNER = r'''
import json, sys, types

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection

glued = {}
shim = types.ModuleType("myst_nb")
shim.glue = lambda name, value, display=True: glued.__setitem__(name, value)
sys.modules["myst_nb"] = shim

NAMES = {"-": "solid", "solid": "solid", "--": "dashed", "dashed": "dashed",
         ":": "dotted", "dotted": "dotted", "-.": "dash-dot", "dashdot": "dash-dot"}


def dash_name(dashes):
    if not dashes:
        return "solid"
    if len(dashes) >= 4:
        return "dash-dot"
    return "dotted" if dashes[0] <= dashes[1] else "dashed"


def orientation(x, y):
    x, y = list(map(float, x)), list(map(float, y))
    if len(set(x)) == 1 and len(set(y)) > 1:
        return "vertical"
    if len(set(y)) == 1 and len(set(x)) > 1:
        return "horizontal"
    return "curve"


def styles(fig):
    """[style, orientation, axes index, has markers] for every line the figure draws."""
    found = []
    for number, ax in enumerate(fig.axes):
        for line in ax.get_lines():
            if line.get_visible() and line.get_linestyle() not in ("None", "", " ", "none"):
                x, y = line.get_data(orig=False)
                marked = line.get_marker() not in (None, "None", "none", "", " ")
                found.append([NAMES.get(line.get_linestyle(), "dashed"),
                              orientation(x, y), number, marked])
        for collection in ax.collections:
            if isinstance(collection, LineCollection) and collection.get_visible():
                dashes = collection.get_linestyles()
                for i, segment in enumerate(collection.get_segments()):
                    _, d = dashes[i % len(dashes)]
                    found.append([dash_name(d), orientation(segment[:, 0], segment[:, 1]),
                                  number, False])
    return found


cells, results = json.load(sys.stdin), []
namespace = {"__name__": "__main__"}
for cell in cells:
    before = set(plt.get_fignums())
    try:
        exec(compile(cell["source"], cell["label"], "exec"), namespace)
    except Exception as error:
        if not cell["must_raise"]:
            print(json.dumps({"error": f"{cell['label']}: {type(error).__name__}: {error}"}))
            sys.exit(0)
    if cell["alt"] is not None:
        figs = [plt.figure(n) for n in sorted(set(plt.get_fignums()) - before)]
        results.append({"label": cell["label"], "alt": cell["alt"],
                        "styles": [e for f in figs for e in styles(f)] if figs else None})
for name, alt in cells[0]["glue_alts"].items() if cells else []:
    fig = glued.get(name)
    results.append({"label": f"{{glue:figure}} {name}", "alt": alt,
                    "styles": styles(fig) if hasattr(fig, "axes") else None})
print(json.dumps({"figures": results}))
'''


def _alt(options: dict) -> str | None:
    image = (options.get("mystnb") or {}).get("image") or {}
    return image.get("alt")


def page_cells(page: Path) -> list[dict]:
    """Every code cell of *page*, with its alt text if it draws a figure."""
    import yaml

    document = Document.parse(str(page), CodeCellParser())
    glue_alts = {}
    for name, options in GLUE_FIGURE.findall(document.text):
        for option in options.splitlines():
            key, _, value = option.strip()[1:].partition(":")
            if key == "alt":
                glue_alts[name] = value.strip()
    cells = []
    for example in document.examples():
        raw = example.region.lexemes.get("options") or {}
        tags = set(_tags(raw))
        if "skip-execution" in tags:
            continue
        options = {k: yaml.safe_load(v) if isinstance(v, str) and k == "mystnb" else v
                   for k, v in raw.items()}
        cells.append({
            "label": f"{page.name}, code cell at line {example.line}",
            "source": example.region.parsed,
            "must_raise": "raises-exception" in tags,
            "alt": _alt(options),
            "glue_alts": glue_alts,
        })
    return cells


def style_mentions(alt: str) -> list[tuple[str, str | None, bool, bool]]:
    """(style, orientation or None, singular, marked) for each style word in *alt*.

    The orientation is "vertical" or "horizontal" when one of the next four
    words, in the same clause and before another style word, says so. A
    mention is singular when it reads "a/the/one <style> curve/line" with no
    orientation, and marked when its clause speaks of markers.
    """
    mentions = []
    for pattern, name in STYLE_WORDS:
        for match in pattern.finditer(alt):
            # The words that describe this element: up to four, within its
            # clause, and before the next style word.
            clause = re.split(r"[.;,:()]", alt[match.end():], maxsplit=1)[0]
            after = []
            for word in re.findall(r"[\w-]+", clause)[:4]:
                if any(pattern.fullmatch(word) for pattern, _ in STYLE_WORDS):
                    break
                after.append(word)
            before = re.findall(r"[\w-]+", alt[:match.start()])[-1:]
            where = next((w.lower() for w in after if w.lower() in ("vertical", "horizontal")),
                         None)
            singular = (where is None and [w.lower() for w in before] in (["a"], ["the"], ["one"])
                        and after[:1] and after[0].lower() in ("curve", "line"))
            marked = bool(re.search(r"\bmarkers?\b", clause, re.I))
            mentions.append((name, where, bool(singular), marked))
        alt = pattern.sub(lambda m: " " * len(m.group()), alt)
    return mentions


def style_words(alt: str) -> set[str]:
    """The line styles an alt text names."""
    return {name for name, *_ in style_mentions(alt)}


def figures(page: Path) -> dict:
    """Run *page* and return {"figures": [...]} or {"error": ...}."""
    cells = page_cells(page)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-c", RUNNER], input=json.dumps(cells), cwd=page.parent, env=env,
        capture_output=True, text=True, timeout=900,
    )
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def mismatches(page: Path) -> list[str]:
    """Each figure of *page* whose alt text names a style it does not draw."""
    report = figures(page)
    if "error" in report:
        return [f"the page does not run: {report['error']}"]
    problems = []
    for figure in report["figures"]:
        if figure["styles"] is None:
            problems.append(f"{figure['label']}: has alt text but draws no figure")
            continue
        drawn = {style for style, *_ in figure["styles"]}
        extra = style_words(figure["alt"]) - drawn
        if extra:
            problems.append(
                f"{figure['label']}: the alt text names {sorted(extra)} but the figure "
                f"draws only {sorted(drawn)}"
            )
            continue
        for style, where, singular, marked in style_mentions(figure["alt"]):
            if where and [style, where] not in [e[:2] for e in figure["styles"]]:
                problems.append(
                    f"{figure['label']}: the alt text names a {style} {where} line, but the "
                    f"figure's {where} lines are "
                    f"{sorted({s for s, o, *_ in figure['styles'] if o == where}) or 'none'}"
                )
            if singular:
                # "with markers" picks among the marked curves, a mention
                # without them among the plain ones.
                per_axes = [sum(1 for s, o, a, m in figure["styles"]
                                if (s, o, a, m) == (style, "curve", n, marked))
                            for n in {a for _, _, a, _ in figure["styles"]}]
                if max(per_axes, default=0) > 1:
                    problems.append(
                        f"{figure['label']}: the alt text says 'a {style} curve', but one "
                        f"axes has {max(per_axes)} {style} curves"
                    )
    return problems


def _pages_with_figures(docs: Path) -> list[Path]:
    pages = []
    for page in sorted(docs.rglob("*.md")):
        if "_build" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        if re.search(r"^\s+alt:", text, re.MULTILINE) or "{glue:figure}" in text:
            pages.append(page)
    return pages


def test_there_are_figures():
    assert _pages_with_figures(DOCS)


@pytest.mark.parametrize(
    "page", _pages_with_figures(DOCS), ids=lambda p: p.relative_to(DOCS).with_suffix("").as_posix()
)
def test_alt_text_names_only_drawn_line_styles(page):
    problems = mismatches(page)
    assert problems == [], "\n".join(problems)


# --- The test bites ---------------------------------------------------------------


def test_style_words():
    assert style_words("a dashed line and a dash-dotted one") == {"dashed", "dash-dot"}
    assert style_words("Dotted grey line; solid curve") == {"dotted", "solid"}
    assert style_words("a dash-dot curve") == {"dash-dot"}
    assert style_words("two curves") == set()


def test_a_matching_page_passes():
    assert mismatches(FIXTURES / "good.md") == []


def test_a_wrong_style_word_fails():
    (problem,) = mismatches(FIXTURES / "wrong_style.md")
    assert "names ['dashed'] but the figure draws only ['dotted', 'solid']" in problem


def test_a_style_on_the_wrong_element_fails():
    # A dashed curve and a dotted vertical line, described as a dashed vertical line.
    (problem,) = mismatches(FIXTURES / "wrong_element.md")
    assert "names a dashed vertical line, but the figure's vertical lines are ['dotted']" in problem


def test_an_ambiguous_style_fails():
    # Two dashed curves on one axes, one of them described as "a dashed curve".
    (problem,) = mismatches(FIXTURES / "ambiguous.md")
    assert "says 'a dashed curve', but one axes has 2 dashed curves" in problem


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


def test_each_figure_is_held_to_its_own_alt_text():
    # Two figures on one page: the first draws a dashed line, the second does
    # not, and only the second's alt text says "dashed".
    (problem,) = mismatches(FIXTURES / "two_figures.md")
    assert "line 32" in problem and "names ['dashed']" in problem


def test_a_glued_figure_is_held_to_its_directives_alt_text():
    (problem,) = mismatches(FIXTURES / "glued.md")
    assert "{glue:figure} wrong-figure" in problem and "names ['dash-dot']" in problem
