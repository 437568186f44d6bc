"""The alt-text rules: which line styles an alt text names, and which a figure draws.

A reader who cannot see a figure reads its alt text; "the dashed curve" must
then be a dashed curve. The sybil run of the pages (``tests/sybil_config.py``)
applies these rules to every figure with alt text, right after the cell that
draws it; ``tests/site/test_alt_text.py`` tests the rules and proves the check
bites. The rules:

* the line styles are read from the drawn Matplotlib figures themselves
  (every ``Line2D`` and line collection on every axes), so a style set through
  a variable, a loop or a format string counts exactly as drawn;
* each style word of the alt text (solid, dashed, dotted, dash-dot) must be
  drawn in that figure; when the next few words say "vertical" or
  "horizontal", a vertical or horizontal line in that style must be drawn
  (so "a dashed vertical line" next to a dotted one and a dashed curve fails);
* "a dashed curve" (or "the", "one"; "curve" or "line") must pick out one
  element: no axes may hold two curves in that style ("with markers" in the
  same clause picks among the curves drawn with markers, its absence among
  those without).

A custom dash pattern, such as ``(0, (5, 1))``, is drawn as a dashed line and
counts as "dashed".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: Style words, longest first, so that "dash-dotted" is not read as "dotted".
STYLE_WORDS = [
    (re.compile(r"\b(?:dash-dot(?:ted)?|dashdot(?:ted)?|dot-dash(?:ed)?)\b", re.I), "dash-dot"),
    (re.compile(r"\bsolid\b", re.I), "solid"),
    (re.compile(r"\bdashed\b", re.I), "dashed"),
    (re.compile(r"\bdotted\b", re.I), "dotted"),
]

#: A ``{glue:figure}`` directive: its name and its option lines.
GLUE_FIGURE = re.compile(
    r"^(?:`{3,}|:{3,})\{glue:figure\}[ \t]+(\S+)[ \t]*\n((?:[ \t]*:[\w-]+:.*\n)*)", re.MULTILINE
)

#: Matplotlib's names of the line styles it draws, as the alt text says them.
NAMES = {"-": "solid", "solid": "solid", "--": "dashed", "dashed": "dashed",
         ":": "dotted", "dotted": "dotted", "-.": "dash-dot", "dashdot": "dash-dot"}

#: [style, orientation, axes index, has markers]
Element = list


def cell_alt(options: dict) -> str | None:
    """The alt text of a code cell's ``mystnb: image: alt:`` option (parsed YAML), if any."""
    mystnb = options.get("mystnb") or {}
    image = mystnb.get("image") or {} if isinstance(mystnb, dict) else {}
    return image.get("alt") if isinstance(image, dict) else None


def glue_figure_alt(options: str) -> str | None:
    """The ``:alt:`` of a ``{glue:figure}`` directive, from its option lines."""
    for option in options.splitlines():
        key, _, value = option.strip()[1:].partition(":")
        if key == "alt":
            return value.strip()
    return None


def _dash_name(dashes) -> str:
    if not dashes:
        return "solid"
    if len(dashes) >= 4:
        return "dash-dot"
    return "dotted" if dashes[0] <= dashes[1] else "dashed"


def _orientation(x, y) -> str:
    x, y = list(map(float, x)), list(map(float, y))
    if len(set(x)) == 1 and len(set(y)) > 1:
        return "vertical"
    if len(set(y)) == 1 and len(set(x)) > 1:
        return "horizontal"
    return "curve"


def drawn_styles(figures: Iterable[Any]) -> list[Element]:
    """[style, orientation, axes index, has markers] for every line the *figures* draw."""
    from matplotlib.collections import LineCollection

    found = []
    for fig in figures:
        for number, ax in enumerate(fig.axes):
            for line in ax.get_lines():
                if line.get_visible() and line.get_linestyle() not in ("None", "", " ", "none"):
                    x, y = line.get_data(orig=False)
                    marked = line.get_marker() not in (None, "None", "none", "", " ")
                    found.append([NAMES.get(line.get_linestyle(), "dashed"),
                                  _orientation(x, y), number, marked])
            for collection in ax.collections:
                if isinstance(collection, LineCollection) and collection.get_visible():
                    dashes: Any = collection.get_linestyle()
                    for i, segment in enumerate(collection.get_segments()):
                        _, d = dashes[i % len(dashes)]
                        found.append([_dash_name(d),
                                      _orientation(segment[:, 0], segment[:, 1]),
                                      number, False])
    return found


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


def figure_problems(label: str, alt: str, styles: list[Element] | None) -> list[str]:
    """What is wrong with *alt* as the alt text of a figure drawing *styles*.

    *styles* is :func:`drawn_styles` of the figures the cell created (or the
    glued figure), or ``None`` when there is no figure.
    """
    if styles is None:
        return [f"{label}: has alt text but draws no figure"]
    drawn = {style for style, *_ in styles}
    extra = style_words(alt) - drawn
    if extra:
        return [f"{label}: the alt text names {sorted(extra)} but the figure "
                f"draws only {sorted(drawn)}"]
    problems = []
    for style, where, singular, marked in style_mentions(alt):
        if where and [style, where] not in [e[:2] for e in styles]:
            problems.append(
                f"{label}: the alt text names a {style} {where} line, but the "
                f"figure's {where} lines are "
                f"{sorted({s for s, o, *_ in styles if o == where}) or 'none'}"
            )
        if singular:
            # "with markers" picks among the marked curves, a mention
            # without them among the plain ones.
            per_axes = [sum(1 for s, o, a, m in styles
                            if (s, o, a, m) == (style, "curve", n, marked))
                        for n in {a for _, _, a, _ in styles}]
            if max(per_axes, default=0) > 1:
                problems.append(
                    f"{label}: the alt text says 'a {style} curve', but one "
                    f"axes has {max(per_axes)} {style} curves"
                )
    return problems
