"""The quizzes: their data, the ``quiz`` directive, and the script that answers back.

* Every ``docs/quizzes/*.yaml`` parses, each question has exactly one correct
  choice and an explanation, question ids are unique across all files, and each
  file is used by exactly one page's ``{quiz}`` directive (found by reading the
  pages, independently of the extension).
* The validator rejects bad questions (two correct choices, none, no
  explanation, ...), and a strict Sphinx build of a small project fails on them.
* The directive renders accessible HTML (fieldset, legend, labelled radios, a
  polite live region, a "Show answer" disclosure, typeset math), editing a quiz
  file rebuilds its page, and in Chromium choosing an answer says at once
  whether it is right, with the explanation.
* Quiz numbers are computed, not typed: every quiz's ``compute`` and ``check``
  blocks run cleanly, every number in its text comes from a ``{{ name }}``
  placeholder (apart from a short list of structural integers, each with its
  reason), and the values that come from a library's behaviour are checked
  against that library here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from xent_sphinx import quiz as xent_quiz

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
QUIZZES = DOCS / "quizzes"
QUIZ_FILES = sorted(QUIZZES.glob("*.yaml"))

# ```{quiz} name``` or :::{quiz} name, at the start of a line.
QUIZ_DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{quiz\}[ \t]+(\S+)", re.MULTILINE)


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def directives() -> dict[str, list[str]]:
    """Quiz name -> the pages whose source has a {quiz} directive for it."""
    uses: dict[str, list[str]] = {}
    for page in sorted(DOCS.rglob("*.md")):
        if "_build" in page.parts:
            continue
        for name in QUIZ_DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            uses.setdefault(name, []).append(page.relative_to(DOCS).as_posix())
    return uses


# --- The data on the site -----------------------------------------------------


def test_there_are_quizzes():
    assert QUIZZES / "final.yaml" in QUIZ_FILES


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.name)
def test_each_question_has_one_correct_choice_and_an_explanation(path):
    data = load(path)
    questions = data["questions"]
    assert questions
    for question in questions:
        corrects = [c for c in question["choices"] if c.get("correct") is True]
        assert len(corrects) == 1, question["id"]
        assert len(question["choices"]) >= 2, question["id"]
        assert isinstance(question["explanation"], str) and question["explanation"].strip()
        assert isinstance(question["prompt"], str) and question["prompt"].strip()
    # The extension's own check agrees.
    assert xent_quiz.load_quiz(path)[1] == []


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.name)
def test_correct_answers_are_not_all_in_one_position(path):
    # A quiz whose answer is always (a) can be passed without reading it.
    questions = load(path)["questions"]
    positions = {
        next(i for i, c in enumerate(q["choices"]) if c.get("correct") is True) for q in questions
    }
    assert len(questions) < 2 or len(positions) > 1, (
        f"{path.name}: every correct answer is choice ({'abcdefgh'[positions.pop()]}); "
        "move some so that guessing one letter does not pass the quiz"
    )


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.name)
def test_each_quiz_renders_and_its_checks_pass(path):
    # What the build does: run compute, run every check, fill every placeholder.
    rendered, problems = xent_quiz.load_quiz(path, render=True)
    assert problems == []
    for question in rendered["questions"]:
        texts = [question["prompt"], question["explanation"]]
        texts += [c["text"] for c in question["choices"]]
        assert not any("{{" in t for t in texts), question["id"]


# --- Quiz numbers are computed, not typed -----------------------------------------

#: A number in quiz text that is not a placeholder: digits not glued to a
#: letter or a backslash (so ``log1p``, ``float64`` and ``\log_2`` are names).
NUMBER = re.compile(r"(?<![A-Za-z\\\d.])\d+(?:\.\d+)?")

#: Integers that may be typed anywhere: 0, 1 and 2 are class indices, the
#: binary labels, the bounds of probabilities, the 2 of squares, halves and
#: log_2. They are structure, not values a reader could check.
STRUCTURAL = frozenset({"0", "1", "2"})

#: Any other typed integer, by (question id, number), with the reason it is
#: not a computed value. A decimal number is never allowed here.
TYPED = {
    ("catalogue-distillation-2", "2015"): "the year of the cited paper (Hinton et al.)",
    ("catalogue-gaussian-nll-1", "4"): "the exponent of sigma^4 in a derivative",
    ("catalogue-poisson-2", "12"): "Stirling's series term 1/(12y); the quiz's check asserts it",
    ("chain-ce-nll-2", "3"): "the label (3) of the third objective in the list",
    ("final-log-likelihood", "10"): "the base of the power 10^k",
    ("reference-accuracy-speed-3", "10"): "the base of the powers 10^k",
}


def typed_numbers(question: dict) -> list[str]:
    """The numbers in a question's text that no placeholder produces."""
    texts = [question["prompt"], question["explanation"]]
    texts += [c["text"] for c in question["choices"]]
    return [
        m.group()
        for text in texts
        for m in NUMBER.finditer(xent_quiz.PLACEHOLDER.sub("", text))
        if m.group() not in STRUCTURAL
    ]


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.name)
def test_no_number_in_a_quiz_is_typed(path):
    typed = [
        (question["id"], number)
        for question in load(path)["questions"]
        for number in typed_numbers(question)
        if (question["id"], number) not in TYPED
    ]
    assert typed == [], (
        f"{path.name}: numbers typed by hand; compute them in the quiz's 'compute' "
        f"block and write {{{{ name }}}} instead: {typed}"
    )


def test_the_typed_number_list_has_no_stale_entry():
    used = {
        (question["id"], number)
        for path in QUIZ_FILES
        for question in load(path)["questions"]
        for number in typed_numbers(question)
    }
    assert sorted(set(TYPED) - used) == []
    assert all("." not in number for _, number in TYPED)


def test_the_number_scan_bites():
    bad = question(
        prompt="What is $-\\log 0.2$? About 1.609.",
        choices=[{"text": "$e^{-800}$", "correct": True}, {"text": "`log1p` of 3"}],
        explanation="From {{ value:.3f }}; $\\log_2$ of 8.",
    )
    assert typed_numbers(bad) == ["0.2", "1.609", "8", "800", "3"]
    assert typed_numbers(question(prompt="Is {{ x }} > 1?")) == []


def _namespace(name: str) -> dict:
    namespace: dict = {}
    exec(load(QUIZZES / f"{name}.yaml")["compute"], namespace)
    return namespace


def test_gaussian_nll_gradient_in_the_quiz_is_torchs():
    # The quiz computes the gradient of the clamped Gaussian NLL from its
    # formula; PyTorch's autograd through gaussian_nll_loss is the oracle.
    torch = pytest.importorskip("torch")
    ns = _namespace("catalogue-gaussian-nll")
    var = torch.tensor([ns["var"]], dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.gaussian_nll_loss(
        torch.tensor([ns["r"]], dtype=torch.float64),
        torch.zeros(1, dtype=torch.float64),
        var,
        eps=ns["eps"],
    )
    loss.backward()
    assert var.grad.item() == pytest.approx(ns["grad"], rel=1e-12, abs=0)
    assert var.grad.item() < 0  # a gradient step raises the variance


def test_poisson_stirling_gap_in_the_quiz_is_torchs():
    # torch's full=True loss minus the exact NLL (SciPy's Poisson logpmf) is
    # minus the gap the quiz quotes.
    torch = pytest.importorskip("torch")
    from scipy.stats import poisson

    ns = _namespace("catalogue-poisson")
    y, rate = ns["y_worst"], 1.5
    full = torch.nn.functional.poisson_nll_loss(
        torch.tensor([rate], dtype=torch.float64), torch.tensor([float(y)], dtype=torch.float64),
        log_input=False, full=True, eps=0.0,
    ).item()
    exact = -poisson.logpmf(y, rate)
    assert exact - full == pytest.approx(ns["gap_worst"], rel=1e-9, abs=0)


def test_focal_minimiser_in_the_quiz_matches_xent_ref():
    # The quiz minimises its own closed form; xr's focal loss at the same
    # prediction, averaged over the label, gives the same risk.
    import numpy as np

    import xent_ref as xr

    ns = _namespace("catalogue-focal")
    q, p_true, gamma = ns["q_star"], ns["eta"], ns["gamma"]
    z = np.log(q / (1 - q))
    losses = [
        xr.sigmoid_focal_loss(np.array([z]), np.array([label]), alpha=-1, gamma=gamma)[0]
        for label in (1.0, 0.0)
    ]
    risk = p_true * losses[0] + (1 - p_true) * losses[1]
    assert risk == pytest.approx(ns["risk"](q), rel=1e-9, abs=0)


#: A quiz value that a page also shows: (quiz, its compute name, page, the
#: page's glue key, absolute tolerance, why that tolerance). The quiz computes
#: it on its own; this ties it to the page's number.
SHARED_VALUES = [
    ("losses-softmax", "loss_true", "losses/softmax-cross-entropy", "losses-softmax-loss-true",
     1e-15, "the same -log q[2]"),
    ("catalogue-poisson", "gap_worst", "catalogue/poisson", "catalogue-poisson-gap-2",
     1e-15, "the same Stirling gap at y = 2"),
    ("catalogue-focal", "q_star", "catalogue/focal", "catalogue-focal-p-star-g2",
     1e-3, "the quiz shows 2 decimals; the page minimises by its own method"),
]

BUILDDIR = Path(os.environ.get("XENT_BUILDDIR", ROOT / "_build"))


def glued_values() -> dict:
    """Every value the built pages glued, by name, from the execution cache.

    The executed notebooks MyST-NB saves drop the hidden cells that glue, so
    the values are read from the cache's executed notebooks, the newest last.
    """
    import json

    notebooks = sorted(BUILDDIR.glob(".jupyter_cache/*/executed/*/base.ipynb"),
                       key=lambda path: path.stat().st_mtime)
    if not notebooks:
        pytest.skip(f"the site is not built (no executed notebooks under {BUILDDIR})")
    values = {}
    for path in notebooks:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                record = output.get("metadata", {}).get("scrapbook", {})
                if "name" in record:
                    values[record["name"]] = output["data"].get(
                        record.get("mime_prefix", "") + "text/plain")
    return values


@pytest.mark.parametrize(
    ("quiz", "name", "page", "key", "tolerance", "why"), SHARED_VALUES,
    ids=[f"{q}:{n}" for q, n, *_ in SHARED_VALUES],
)
def test_a_quiz_number_the_page_also_shows_is_the_pages(quiz, name, page, key, tolerance, why):
    glued = glued_values()
    assert key in glued, f"{page} no longer glues {key!r}; update SHARED_VALUES"
    page_value = float(glued[key].strip("'\""))
    assert _namespace(quiz)[name] == pytest.approx(page_value, rel=0, abs=tolerance), why


def test_question_ids_are_unique_across_all_quiz_files():
    ids = Counter(q["id"] for path in QUIZ_FILES for q in load(path)["questions"])
    assert [qid for qid, n in ids.items() if n > 1] == []


def test_each_quiz_file_is_used_by_exactly_one_page():
    uses = directives()
    for path in QUIZ_FILES:
        assert len(uses.get(path.stem, [])) == 1, (path.name, uses.get(path.stem))


def test_each_quiz_directive_has_its_file():
    assert sorted(set(directives()) - {p.stem for p in QUIZ_FILES}) == []


def test_final_quiz_covers_the_whole_chain():
    assert directives()["final"] == ["quiz.md"]
    questions = load(QUIZZES / "final.yaml")["questions"]
    assert len(questions) >= 8

    def correct(q):
        (choice,) = [c for c in q["choices"] if c.get("correct") is True]
        return re.sub(r"\s|\\,", "", choice["text"])

    # The relation the issue requires, in the correct choice of some question.
    assert any(r"H(P,Q)=H(P)+D_{\mathrm{KL}}(P\|Q)" in correct(q) for q in questions)
    topics = " ".join(q["prompt"] + q["explanation"] for q in questions).lower()
    for word in ("likelihood", "cross-entropy", "kl", "empirical", "one-hot", "logit",
                 "sigma", "bernoulli", "focal", "hinge"):
        assert word in topics, word


# --- The validator ------------------------------------------------------------


def question(**changes):
    base = {
        "id": "t-1",
        "prompt": "Which?",
        "choices": [{"text": "right", "correct": True}, {"text": "wrong"}],
        "explanation": "Because.",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_a_valid_question_passes():
    assert xent_quiz.validate_quiz({"questions": [question()]}) == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (question(choices=[{"text": "a", "correct": True}, {"text": "b", "correct": True}]),
         "exactly one choice must have 'correct: true', found 2"),
        (question(choices=[{"text": "a"}, {"text": "b"}]),
         "exactly one choice must have 'correct: true', found 0"),
        (question(explanation=None), "'explanation' must be a non-empty string"),
        (question(explanation="  "), "'explanation' must be a non-empty string"),
        (question(prompt=None), "'prompt' must be a non-empty string"),
        (question(choices=[{"text": "a", "correct": True}]), "'choices' must be a list of 2"),
        (question(choices=[{"text": "a", "correct": "yes"}, {"text": "b"}]),
         "'correct' must be true or false"),
        (question(choices=[{"text": "a", "corect": True}, {"text": "b"}]), "unknown key 'corect'"),
        (question(choices=[{"text": "a", "correct": True}, {"text": "a"}]), "same text"),
        (question(id="has space"), "'id' must be a string"),
        (question(hint="x"), "unknown key 'hint'"),
    ],
    ids=["two-correct", "none-correct", "no-explanation", "blank-explanation", "no-prompt",
         "one-choice", "correct-not-bool", "misspelt-key", "repeated-choice", "bad-id",
         "unknown-key"],
)
def test_the_validator_rejects(bad, message):
    problems = xent_quiz.validate_quiz({"questions": [bad]}, source="q.yaml")
    assert any(message in p for p in problems), problems
    assert all(p.startswith("q.yaml: ") for p in problems)


@pytest.mark.parametrize("data", [None, [], {"questions": []}, {"questions": "x"}, {"q": []}])
def test_the_validator_rejects_a_malformed_file(data):
    assert xent_quiz.validate_quiz(data) != []


def test_the_validator_rejects_an_id_used_twice_in_one_file():
    problems = xent_quiz.validate_quiz({"questions": [question(), question()]})
    assert any("used twice" in p for p in problems)


COMPUTED = {
    "compute": "import numpy as np\nthird = 1 / 3\nlosses = -np.log([0.2, 0.7])\nbest, other = losses\n",
    "questions": [
        {
            "id": "computed-1",
            "prompt": "Which is $-\\log$ of the true class's probability?",
            "choices": [{"text": "{{ best:.3f }}", "correct": True}, {"text": "{{ other:.3f }}"}],
            "explanation": "A third is {{ third:.4f }}.",
            "check": "assert answer == int(np.argmax(losses))\n",
        }
    ],
}


def test_render_fills_every_placeholder_with_its_formatted_value():
    rendered, problems = xent_quiz.render_quiz(COMPUTED)
    assert problems == []
    (q,) = rendered["questions"]
    assert [c["text"] for c in q["choices"]] == ["1.609", "0.357"]
    assert q["explanation"] == "A third is 0.3333."
    # The input is left as it was.
    assert COMPUTED["questions"][0]["explanation"] == "A third is {{ third:.4f }}."


def _with(compute=None, **changes):
    data = {**COMPUTED, "questions": [{**COMPUTED["questions"][0], **changes}]}
    if compute is not None:
        data["compute"] = compute
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with(compute="x = 1 / 0\n"), "'compute' raised ZeroDivisionError"),
        (_with(check="assert answer == 1, 'the other loss is larger'\n"),
         "'check' failed: the other loss is larger"),
        (_with(check="assert answer == undefined\n"), "'check' raised NameError"),
        (_with(explanation="{{ nowhere }}"), "{{ nowhere }} is not defined by 'compute'"),
        (_with(explanation="{{ third:.3q }}"), "cannot format third with '.3q'"),
        (_with(explanation="{{ 1 + third }}"), "'{{' that is not a placeholder"),
        (_with(choices=[{"text": "{{ best:.1f }}", "correct": True}, {"text": "{{ best:.2g }}"}]),
         "the same text as an earlier choice"),
    ],
    ids=["compute-raises", "check-fails", "check-raises", "unknown-name", "bad-format",
         "not-a-placeholder", "same-text-after-rendering"],
)
def test_render_reports(data, message):
    problems = xent_quiz.render_quiz(data, source="q.yaml")[1]
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("import torch\n", "imports 'torch'"),
        ("from os import path\n", "imports 'os'"),
        ("x = (\n", "is not valid Python"),
        ("", "must be a non-empty string of Python"),
    ],
    ids=["torch", "os", "syntax", "empty"],
)
def test_the_validator_rejects_a_code_block(code, message):
    assert any(message in p for p in xent_quiz.validate_quiz(_with(compute=code)))
    assert any(message in p for p in xent_quiz.validate_quiz(_with(check=code)))


def test_duplicate_ids_across_files_are_reported():
    quizzes = {"a": {"questions": [question(id="x-1")]}, "b": {"questions": [question(id="x-1")]}}
    assert xent_quiz.duplicate_ids(quizzes) == [
        "question id 'x-1' is used in more than one quiz file: a, b"
    ]
    assert xent_quiz.duplicate_ids({"a": quizzes["a"]}) == []


# --- The directive in a small strict build ----------------------------------

CONF = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
extensions = ["myst_parser", "xent_sphinx.quiz"]
myst_enable_extensions = ["dollarmath"]
mathjax_path = "mathjax-is-not-loaded-here.js"
"""

GOOD = {
    "questions": [
        {
            "id": "demo-1",
            "prompt": "What is $e^{\\ln 2}$?",
            "choices": [
                {"text": "$1$"},
                {"text": "$2$", "correct": True},
                {"text": "`ln(2)`"},
            ],
            "explanation": "The exponential undoes the logarithm: $e^{\\ln x} = x$.",
        },
        {
            "id": "demo-2",
            "prompt": "Is $0 \\log 0$ taken as 0?",
            "choices": [{"text": "Yes", "correct": True}, {"text": "No"}],
            "explanation": "By continuity: $x \\log x \\to 0$ as $x \\to 0^+$.\n\nA second paragraph.",
        },
    ]
}


def make_project(tmp_path: Path, quizzes: dict, pages: dict[str, str]) -> Path:
    src = tmp_path / "src"
    (src / "quizzes").mkdir(parents=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    for name, data in quizzes.items():
        (src / "quizzes" / f"{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    toctree = "\n".join(p for p in pages if p != "index")
    (src / "index.md").write_text(
        f"# Home\n\n```{{toctree}}\n{toctree}\n```\n" + pages.get("index", ""), encoding="utf-8"
    )
    for name, body in pages.items():
        if name != "index":
            (src / f"{name}.md").write_text(body, encoding="utf-8")
    return src


def build(src: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
         str(src), str(src.parent / "html")],
        capture_output=True,
        text=True,
        timeout=300,
    )


PAGE = "# Demo\n\n```{quiz} demo\n```\n"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A strictly built project with quiz pages: (source dir, demo.html text)."""
    src = make_project(
        tmp_path_factory.mktemp("quiz"),
        {"demo": GOOD, "computed": COMPUTED},
        {"demo": PAGE, "computed": _page("Computed", "computed")},
    )
    result = build(src)
    assert result.returncode == 0, result.stderr
    return src, (src.parent / "html" / "demo.html").read_text(encoding="utf-8")


class Elements(HTMLParser):
    """Every start tag, as (tag, attributes), and the text inside <legend>s."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.legends: list[str] = []
        self._in_legend = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "legend":
            self._in_legend += 1
            self.legends.append("")
        elif self._in_legend and tag == "span" and "math" in dict(attrs).get("class", ""):
            self.legends[-1] += "<math>"

    def handle_endtag(self, tag):
        if tag == "legend":
            self._in_legend -= 1

    def handle_data(self, data):
        if self._in_legend:
            self.legends[-1] += data

    def all(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def test_the_directive_renders_accessible_html(demo):
    src, html = demo
    page = Elements(html)
    assert len(page.all("fieldset")) == 2
    assert len(page.legends) == 2
    assert page.legends[0].startswith("Question 1.") and "<math>" in page.legends[0]
    radios = page.all("input", type="radio")
    assert len(radios) == 5
    labels = {a["for"] for a in page.all("label")}
    assert all(r["id"] in labels for r in radios)
    assert {r["name"] for r in radios} == {"xent-quiz-demo-1", "xent-quiz-demo-2"}
    assert [r["data-correct"] for r in radios] == ["false", "true", "false", "true", "false"]
    feedback = [a for t, a in page.tags if "xent-quiz-feedback" in a.get("class", "")]
    assert len(feedback) == 2 and all(a["aria-live"] == "polite" for a in feedback)
    assert len(page.all("details")) == 2 and html.count("<summary>Show answer</summary>") == 2
    # The answer and a two-paragraph explanation are inside the disclosure.
    second = html[html.index('id="xent-quiz-demo-2"') :]
    details = second[second.index("<details") : second.index("</details>")]
    assert "Answer: </strong>(a) Yes" in details and "A second paragraph." in details
    # Math in every field is a real math node, for MathJax to typeset.
    assert html.count('class="math notranslate nohighlight"') >= 6
    assert r"\(e^{\ln x} = x\)" in html
    assert '<code class="docutils literal notranslate"><span class="pre">ln(2)</span></code>' in html
    # The extension ships its script: the project names no static path.
    assert 'src="_static/xent-quiz.js' in html
    assert (src.parent / "html" / "_static" / "xent-quiz.js").is_file()


def test_the_build_fills_in_computed_numbers(demo):
    src, _ = demo
    html = (src.parent / "html" / "computed.html").read_text(encoding="utf-8")
    assert "1.609</label>" in html and "0.357</label>" in html
    assert "A third is 0.3333." in html and "{{" not in html


def test_editing_a_quiz_file_rebuilds_its_page(demo):
    src, _ = demo
    path = src / "quizzes" / "demo.yaml"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original.replace("A second paragraph.", "An edited paragraph."), "utf-8")
        result = build(src)
        assert result.returncode == 0, result.stderr
        assert "An edited paragraph." in (src.parent / "html" / "demo.html").read_text("utf-8")
    finally:
        path.write_text(original, encoding="utf-8")
        build(src)


BAD_QUESTION = {
    "id": "bad-1",
    "prompt": "Which?",
    "choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}],
    "explanation": "Because.",
}


def _page(title: str, quiz: str | None = None) -> str:
    return f"# {title}\n" + (f"\n```{{quiz}} {quiz}\n```\n" if quiz else "")


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory):
    """One strict build of a project with every kind of quiz problem at once."""
    quizzes = {
        "two-correct": {"questions": [BAD_QUESTION]},
        "none-correct": {
            "questions": [{**BAD_QUESTION, "id": "bad-2",
                           "choices": [{"text": "a"}, {"text": "b"}]}]
        },
        "no-explanation": {
            "questions": [{k: v for k, v in {**BAD_QUESTION, "id": "bad-3"}.items()
                           if k != "explanation"}]
        },
        "failing-check": _with(check="assert answer == 1, 'code says (b)'\n"),
        "demo": GOOD,
        "copy": GOOD,  # the same question ids as demo
        "unused": {"questions": [{**GOOD["questions"][1], "id": "unused-1"}]},
    }
    pages = {
        "two-correct": _page("Two correct", "two-correct"),
        "none-correct": _page("None correct", "none-correct"),
        "no-explanation": _page("No explanation", "no-explanation"),
        "failing-check": _page("Failing check", "failing-check"),
        "demo": PAGE,
        "copy": _page("Copy", "copy"),
        "again": _page("Again", "demo"),  # a second page for the demo quiz
        "missing": _page("Missing", "nowhere"),
    }
    return build(make_project(tmp_path_factory.mktemp("broken"), quizzes, pages))


@pytest.mark.parametrize(
    "message",
    [
        "two-correct.yaml: question 'bad-1': exactly one choice must have 'correct: true', found 2",
        "none-correct.yaml: question 'bad-2': exactly one choice must have 'correct: true', found 0",
        "no-explanation.yaml: question 'bad-3': 'explanation' must be a non-empty string",
        "question id 'demo-1' is used in more than one quiz file: copy, demo",
        "quiz: demo is used by more than one page: again, demo",
        "unused.yaml is not used by any page",
        "no quiz file",
        "failing-check.yaml: question 'computed-1': 'check' failed: code says (b)",
    ],
    ids=["two-correct", "none-correct", "no-explanation", "id-in-two-files", "two-pages",
         "unused-file", "missing-file", "failing-check"],
)
def test_a_strict_build_fails_on(broken_build, message):
    assert broken_build.returncode != 0
    assert message in broken_build.stderr, broken_build.stderr


def test_a_strict_build_of_valid_quizzes_passes(demo):
    # The fixture asserts a clean strict build; this names the claim.
    src, html = demo
    assert "xent-quiz" in html


# --- The script, in Chromium --------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    from tests.site.test_explorations import BrowserThread
    from tools.chromium import find_chromium

    if find_chromium()[0] is None:
        pytest.skip("the quiz script is tested in Chromium: python tools/chromium.py ensure")
    thread = BrowserThread()
    yield thread.run
    thread.close()


def test_choosing_an_answer_says_at_once_whether_it_is_right(demo, chromium):
    src, _ = demo
    url = (src.parent / "html" / "demo.html").as_uri()

    def check(browser):
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # Only the built files themselves; the missing MathJax is not fetched anywhere.
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   and "mathjax" not in r.request.url else r.abort())
        page.goto(url)
        q1 = page.locator("#xent-quiz-demo-1")
        feedback = q1.locator(".xent-quiz-feedback")
        assert feedback.text_content() == ""
        assert q1.locator("details.xent-quiz-answer").is_visible()

        q1.locator("label", has_text="(a)").click()  # wrong
        text = feedback.text_content()
        assert "Not quite." in text and "The answer is (b)." in text
        assert "The exponential undoes the logarithm" in text
        assert "xent-quiz-chosen-wrong" in q1.locator(".xent-quiz-choice").nth(0).get_attribute("class")
        assert not q1.locator("details.xent-quiz-answer").is_visible()

        q1.locator("label", has_text="(b)").click()  # right
        text = feedback.text_content()
        assert "Correct." in text and "Not quite" not in text
        assert "The exponential undoes the logarithm" in text
        assert "xent-quiz-chosen-right" in q1.locator(".xent-quiz-choice").nth(1).get_attribute("class")

        # Keyboard only: an arrow key moves to the next option without
        # answering, so the options can be read first; Space answers.
        page.focus("#xent-quiz-demo-2-a")
        page.keyboard.press("ArrowDown")
        q2 = page.locator("#xent-quiz-demo-2")
        assert q2.locator(".xent-quiz-feedback").text_content() == ""
        page.keyboard.press("Space")
        assert "Not quite. The answer is (a)." in q2.locator(".xent-quiz-feedback").text_content()
        assert "A second paragraph." in q2.locator(".xent-quiz-feedback").text_content()
        page.close()
        assert errors == []

    chromium(check)


def test_without_the_script_show_answer_reveals_the_answer(demo, chromium):
    src, _ = demo
    url = (src.parent / "html" / "demo.html").as_uri()

    def check(browser):
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        page.goto(url)
        answer = page.locator("#xent-quiz-demo-1 details.xent-quiz-answer")
        assert not answer.locator(".xent-quiz-explanation").is_visible()
        answer.locator("summary").click()
        assert answer.locator(".xent-quiz-explanation").is_visible()
        assert "Answer: (b)" in answer.text_content()
        context.close()

    chromium(check)
