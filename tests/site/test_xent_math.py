"""xent_sphinx/math.py: TeX to SVG at build time, in one Node process."""

from __future__ import annotations

import pytest
from docutils import nodes

from xent_sphinx import math as xent_math


@pytest.fixture
def typesetter(tmp_path):
    typesetter = xent_math.Typesetter(tmp_path / "cache")
    yield typesetter
    typesetter.close()


def test_svg_with_mathml_in_the_text_colour(typesetter):
    out = typesetter.render([(r"\operatorname{KL}(p \lVert q)", False), (r"\boldsymbol{x} \in \mathbb{R}", True)])
    inline, display = out["I" + r"\operatorname{KL}(p \lVert q)"], out["D" + r"\boldsymbol{x} \in \mathbb{R}"]
    assert inline.startswith('<mjx-container class="MathJax" jax="SVG"') and "<svg" in inline
    assert 'display="true"' in display and 'display="true"' not in inline
    # MathML for screen readers; the drawing is hidden from them and paints in currentColor.
    assert "<mjx-assistive-mml" in inline and "<mi>KL</mi>" in inline and "‖" in inline
    assert '<mi mathvariant="bold-italic">x</mi>' in display and "<mi mathvariant=\"double-struck\">R</mi>" in display
    assert 'aria-hidden="true"' in display and 'fill="currentColor"' in display
    assert "mjx-assistive-mml" in typesetter.stylesheet()


def test_tex_errors_are_reported_not_drawn(typesetter):
    out = typesetter.render([(r"\frac{1}{", False), (r"\nosuchmacro x", False)])
    assert isinstance(out[r"I\frac{1}{"], ValueError) and "brace" in str(out[r"I\frac{1}{"])
    assert isinstance(out[r"I\nosuchmacro x"], ValueError) and "nosuchmacro" in str(out[r"I\nosuchmacro x"])


def test_the_cache_serves_a_second_build_without_node(tmp_path):
    first = xent_math.Typesetter(tmp_path)
    svg = first.render([("x^2", False)])["Ix^2"]
    first.close()
    second = xent_math.Typesetter(tmp_path)
    assert second.render([("x^2", False)])["Ix^2"] == svg
    assert second.stylesheet() == first.css
    assert second.process is None, "a cached formula started Node"


def test_display_tex_wraps_as_sphinx_does():
    def block(text, nowrap=False):
        node = nodes.math_block(text, text)
        node["nowrap"] = nowrap
        return node

    assert xent_math.display_tex(block("a = b")) == "a = b"
    assert xent_math.display_tex(block(r"a \\ b")) == r"\begin{split}a \\ b\end{split}"
    assert xent_math.display_tex(block("a\n\nb")) == r"\begin{align}\begin{aligned}a\\b\end{aligned}\end{align}"
    assert xent_math.display_tex(block(r"\begin{align}a\end{align}", nowrap=True)) == r"\begin{align}a\end{align}"
