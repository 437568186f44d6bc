"""The ``quiz`` directive: multiple-choice questions that answer back.

In a MyST page::

    ```{quiz} chain-kl
    ```

reads ``docs/quizzes/chain-kl.yaml``::

    questions:
      - id: chain-kl-1
        prompt: "How are $H(P,Q)$, $H(P)$ and $D_{KL}(P \\| Q)$ related?"
        choices:
          - text: "$H(P,Q) = H(P) + D_{KL}(P \\| Q)$"
            correct: true
          - text: "$H(P,Q) = H(P) - D_{KL}(P \\| Q)$"
        explanation: "Why the right answer is right."

Every text field is MyST markup, so ``$...$`` becomes real math. The file is
checked when the page is built: a question needs an ``id`` that no other quiz
file uses, a prompt, at least two choices, exactly one ``correct: true`` and an
explanation. Each problem is a Sphinx warning, which fails the strict build.

Numbers are computed, not typed. A quiz file may carry a ``compute:`` block of
Python (imports from numpy, scipy, ``xent_ref`` and the standard ``math``,
``fractions`` and ``warnings`` only), run once per build; any text field then says
``{{ name }}`` or ``{{ name:.3f }}`` (a name the block defines, and an optional
format spec), and the rendered page shows the value. A question may carry a
``check:`` block of asserts, run after ``compute`` with ``answer`` bound to the
0-based index of the choice marked correct, so that code, not the author,
decides which choice is right::

    compute: |
      import numpy as np
      q = np.array([0.1, 0.7, 0.2])
      losses = -np.log(q)
    questions:
      - id: demo-1
        prompt: "$q = ({{ q0 }}, ...)$ ..."
        choices: ...
        check: |
          assert answer == 2

Each question renders as a ``<fieldset>`` whose ``<legend>`` is the prompt,
one labelled radio button per choice, an ``aria-live`` feedback region that
``xent-quiz.js`` fills when a choice is picked, and a ``<details>`` element
"Show answer" that holds the answer and the explanation, so a reader without
JavaScript can still reveal them. ``static/xent-quiz.js`` is loaded on the
pages that have a quiz; the styles are in the site's ``docs/_static/xent.css``.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path
from string import ascii_lowercase
from typing import Any

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from xent_sphinx import add_static_dir

logger = logging.getLogger(__name__)

#: Question ids become HTML ids and radio-group names, hence this alphabet.
ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
QUIZ_NAME_PATTERN = ID_PATTERN
QUIZ_KEYS = frozenset({"questions", "compute"})
QUESTION_KEYS = frozenset({"id", "prompt", "choices", "explanation", "check"})
CHOICE_KEYS = frozenset({"text", "correct"})
MAX_CHOICES = len(ascii_lowercase)
#: ``{{ name }}`` or ``{{ name:format-spec }}`` in a text field.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::([^{}]*?))?\s*\}\}")
#: The only modules a ``compute`` or ``check`` block may import: what a
#: reader has, and nothing that reaches outside the build.
ALLOWED_IMPORTS = frozenset({"numpy", "scipy", "xent_ref", "math", "fractions", "warnings"})


# --- The data: loading and checking ------------------------------------------


def _nonempty_string(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def validate_quiz(data: Any, *, source: str = "quiz") -> list[str]:
    """The problems of one quiz file's parsed YAML; an empty list if it is valid.

    Unknown keys are problems too, so a misspelt ``corect: true`` is caught
    instead of silently making a question with no right answer.
    """
    if not isinstance(data, dict):
        return [f"{source}: the file must be a mapping with a 'questions' list"]
    problems = [f"{source}: unknown key {key!r}" for key in sorted(set(data) - QUIZ_KEYS, key=str)]
    if "compute" in data:
        problems += _code_problems(data["compute"], f"{source}: 'compute'")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        return [*problems, f"{source}: 'questions' must be a non-empty list"]
    seen: set[str] = set()
    for number, question in enumerate(questions, start=1):
        where = f"{source}: question {number}"
        if not isinstance(question, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        qid = question.get("id")
        if isinstance(qid, str) and ID_PATTERN.match(qid):
            where = f"{source}: question {qid!r}"
            if qid in seen:
                problems.append(f"{where}: the id is used twice in this file")
            seen.add(qid)
        else:
            problems.append(
                f"{where}: 'id' must be a string of letters, digits, '-' or '_' "
                f"starting with a letter, got {qid!r}"
            )
        problems += [
            f"{where}: unknown key {key!r}"
            for key in sorted(set(question) - QUESTION_KEYS, key=str)
        ]
        if not _nonempty_string(question.get("prompt")):
            problems.append(f"{where}: 'prompt' must be a non-empty string")
        if not _nonempty_string(question.get("explanation")):
            problems.append(f"{where}: 'explanation' must be a non-empty string")
        if "check" in question:
            problems += _code_problems(question["check"], f"{where}: 'check'")
        choices = question.get("choices")
        if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
            problems.append(f"{where}: 'choices' must be a list of 2 to {MAX_CHOICES} choices")
            continue
        n_correct = 0
        texts: set[str] = set()
        for letter, choice in zip(ascii_lowercase, choices):
            cwhere = f"{where}: choice ({letter})"
            if not isinstance(choice, dict):
                problems.append(f"{cwhere}: must be a mapping with 'text'")
                continue
            problems += [
                f"{cwhere}: unknown key {key!r}" for key in sorted(set(choice) - CHOICE_KEYS, key=str)
            ]
            text = choice.get("text")
            if not _nonempty_string(text):
                problems.append(f"{cwhere}: 'text' must be a non-empty string")
            elif text.strip() in texts:
                problems.append(f"{cwhere}: the same text as an earlier choice")
            else:
                texts.add(text.strip())
            correct = choice.get("correct", False)
            if not isinstance(correct, bool):
                problems.append(f"{cwhere}: 'correct' must be true or false, got {correct!r}")
            elif correct:
                n_correct += 1
        if n_correct != 1:
            problems.append(
                f"{where}: exactly one choice must have 'correct: true', found {n_correct}"
            )
    return problems


def _code_problems(code: Any, where: str) -> list[str]:
    """Problems of a ``compute`` or ``check`` block: not Python, or a stray import."""
    if not _nonempty_string(code):
        return [f"{where} must be a non-empty string of Python"]
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        return [f"{where} is not valid Python: {error.msg} (line {error.lineno})"]
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            continue
        for module in modules:
            if module.split(".")[0] not in ALLOWED_IMPORTS:
                problems.append(
                    f"{where} imports {module!r}; only "
                    f"{', '.join(sorted(ALLOWED_IMPORTS))} may be imported"
                )
    return problems


def _fill(text: str, namespace: dict, where: str, problems: list[str]) -> str:
    def value(match: re.Match) -> str:
        name, spec = match.group(1), (match.group(2) or "").strip()
        if name not in namespace:
            problems.append(f"{where}: {{{{ {name} }}}} is not defined by 'compute'")
            return match.group(0)
        try:
            return format(namespace[name], spec)
        except (TypeError, ValueError) as error:
            problems.append(f"{where}: cannot format {name} with {spec!r}: {error}")
            return match.group(0)

    if "{{" in PLACEHOLDER.sub("", text):
        problems.append(f"{where}: '{{{{' that is not a placeholder {{{{ name:format }}}}")
    return PLACEHOLDER.sub(value, text)


def render_quiz(data: dict, *, source: str = "quiz") -> tuple[dict, list[str]]:
    """Run a valid quiz's ``compute`` and ``check`` blocks and fill in its placeholders.

    Returns the quiz with every ``{{ name:spec }}`` replaced by the formatted
    value, and the problems: a block that raises, a check that fails, a
    placeholder whose name ``compute`` does not define.
    """
    problems: list[str] = []
    namespace: dict[str, Any] = {}
    if "compute" in data:
        try:
            exec(compile(data["compute"], f"{source}:compute", "exec"), namespace)
        except Exception as error:  # any failure of the block is the quiz's problem
            return data, [f"{source}: 'compute' raised {type(error).__name__}: {error}"]
    rendered = copy.deepcopy(data)
    for question in rendered["questions"]:
        where = f"{source}: question {question['id']!r}"
        if "check" in question:
            answer = next(i for i, c in enumerate(question["choices"]) if c.get("correct"))
            scope = {**namespace, "answer": answer}
            try:
                exec(compile(question["check"], f"{where}:check", "exec"), scope)
            except AssertionError as error:
                problems.append(f"{where}: 'check' failed: {error or 'an assert is false'}")
            except Exception as error:
                problems.append(f"{where}: 'check' raised {type(error).__name__}: {error}")
        question["prompt"] = _fill(question["prompt"], namespace, f"{where}: prompt", problems)
        for letter, choice in zip(ascii_lowercase, question["choices"]):
            choice["text"] = _fill(choice["text"], namespace, f"{where}: choice ({letter})",
                                   problems)
        question["explanation"] = _fill(
            question["explanation"], namespace, f"{where}: explanation", problems
        )
    if not problems:
        # Two placeholders may format to the same text: check the result again.
        problems = validate_quiz(rendered, source=source)
    return rendered, problems


def load_quiz(path: Path, *, render: bool = False) -> tuple[Any, list[str]]:
    """Parse the quiz file at *path*: its data and its problems.

    With *render*, also run its ``compute`` and ``check`` blocks and return the
    data with the placeholders filled in.
    """
    source = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return None, [f"{source}: cannot be read as YAML: {error}"]
    problems = validate_quiz(data, source=source)
    if render and not problems:
        return render_quiz(data, source=source)
    return data, problems


def duplicate_ids(quizzes: dict[str, Any]) -> list[str]:
    """Problems for question ids that appear in more than one quiz file.

    *quizzes* maps a quiz file's name to its parsed data.
    """
    owners: dict[str, list[str]] = {}
    for name in sorted(quizzes):
        data = quizzes[name]
        questions = data.get("questions") if isinstance(data, dict) else None
        for question in questions if isinstance(questions, list) else []:
            if isinstance(question, dict) and isinstance(question.get("id"), str):
                owners.setdefault(question["id"], []).append(name)
    return [
        f"question id {qid!r} is used in more than one quiz file: {', '.join(names)}"
        for qid, names in sorted(owners.items())
        if len(set(names)) > 1
    ]


def quiz_dir(app) -> Path:
    return Path(app.srcdir) / app.config.xent_quiz_dir


# --- Doctree nodes -----------------------------------------------------------


class quiz(nodes.General, nodes.Element):
    """A whole quiz: ``<div class="xent-quiz">``."""


class quiz_question(nodes.General, nodes.Element):
    """One question: ``<fieldset>``."""


class quiz_prompt(nodes.Part, nodes.TextElement):
    """The question's prompt, inline markup only: ``<legend>``."""


class quiz_choice(nodes.Part, nodes.TextElement):
    """A labelled radio button; its children are the label's inline markup."""


class quiz_feedback(nodes.General, nodes.Element):
    """The empty live region the script writes its verdict into."""


class quiz_answer(nodes.General, nodes.Element):
    """``<details>`` with the answer and the explanation, for readers without JS."""


class quiz_explanation(nodes.General, nodes.Element):
    """The explanation's block markup."""


# --- The directive -------------------------------------------------------------


class QuizDirective(SphinxDirective):
    """```{quiz} <name>``` renders docs/quizzes/<name>.yaml."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if not QUIZ_NAME_PATTERN.match(name):
            logger.warning(
                f"quiz: {name!r} is not a quiz name (letters, digits, '-', '_')",
                location=(self.env.docname, self.lineno),
                type="xent",
                subtype="quiz",
            )
            return []
        path = quiz_dir(self.env.app) / f"{name}.yaml"
        # Editing the quiz file rebuilds the page.
        self.env.note_dependency(str(path))
        usage = _usage(self.env)
        usage.setdefault(name, set()).add(self.env.docname)
        if not path.is_file():
            logger.warning(
                f"quiz: no quiz file {path} for {{quiz}} {name}",
                location=(self.env.docname, self.lineno),
                type="xent",
                subtype="quiz",
            )
            return []
        data, problems = load_quiz(path, render=True)
        for problem in problems:
            logger.warning(
                f"quiz: {problem}",
                location=(self.env.docname, self.lineno),
                type="xent",
                subtype="quiz",
            )
        if problems:
            return []
        root = quiz(name=name, classes=["xent-quiz"])
        self.set_source_info(root)
        for number, question in enumerate(data["questions"], start=1):
            root += self._question(number, question)
        return [root]

    def _inline(self, text: str) -> list[nodes.Node]:
        """MyST inline markup (math, code, emphasis, roles) as docutils nodes."""
        parsed, messages = self.state.inline_text(text.strip(), self.lineno)
        return [*parsed, *messages]

    def _question(self, number: int, question: dict) -> quiz_question:
        qid = question["id"]
        node = quiz_question(qid=qid, number=number, classes=["xent-quiz-question"],
                             ids=[_question_html_id(qid)])
        node += quiz_prompt("", "", *self._inline(question["prompt"]), number=number,
                            classes=["xent-quiz-prompt"])
        correct_letter = ""
        correct_label: list[nodes.Node] = []
        for letter, choice in zip(ascii_lowercase, question["choices"]):
            label = self._inline(choice["text"])
            is_correct = bool(choice.get("correct", False))
            node += quiz_choice(
                "", "", *label, qid=qid, letter=letter, correct=is_correct,
                classes=["xent-quiz-choice"],
            )
            if is_correct:
                correct_letter, correct_label = letter, label
        node += quiz_feedback(classes=["xent-quiz-feedback"])
        answer = quiz_answer(letter=correct_letter, classes=["xent-quiz-answer"])
        line = nodes.paragraph(classes=["xent-quiz-answer-line"])
        line += nodes.strong("", "Answer: ")
        line += nodes.Text(f"({correct_letter}) ")
        line += [copy.deepcopy(child) for child in correct_label]
        answer += line
        explanation = quiz_explanation(classes=["xent-quiz-explanation"])
        self.state.nested_parse(
            StringList(question["explanation"].strip().splitlines(), source=""),
            self.content_offset,
            explanation,
        )
        answer += explanation
        node += answer
        return node


# --- HTML ----------------------------------------------------------------------
# Each visitor writes its element with the translator's ``starttag``, which
# takes the node's classes and ids and escapes every attribute value. The
# node's children (the prompt's and the choices' inline markup, the answer
# and the explanation) are written between the start and end tags.


def _question_html_id(qid: str) -> str:
    return f"xent-quiz-{qid}"


def _tag(self, tagname: str, **attributes: str) -> str:
    """A start tag with no node behind it (the choice's input and label)."""
    return self.starttag(nodes.Element(), tagname, suffix="", **attributes)


def visit_quiz_html(self, node: quiz) -> None:
    self.body.append(self.starttag(node, "div", **{"data-xent-quiz": node["name"]}))


def depart_quiz_html(self, node: quiz) -> None:
    self.body.append("</div>\n")


def visit_question_html(self, node: quiz_question) -> None:
    self.body.append(self.starttag(node, "fieldset"))


def depart_question_html(self, node: quiz_question) -> None:
    self.body.append("</fieldset>\n")


def visit_prompt_html(self, node: quiz_prompt) -> None:
    self.body.append(self.starttag(node, "legend", suffix=""))
    self.body.append(f'<span class="xent-quiz-number">Question {node["number"]}.</span> ')


def depart_prompt_html(self, node: quiz_prompt) -> None:
    self.body.append("</legend>\n")


def visit_choice_html(self, node: quiz_choice) -> None:
    group = _question_html_id(node["qid"])
    input_id = f"{group}-{node['letter']}"
    self.body.append(self.starttag(node, "div", suffix=""))
    self.body.append(_tag(self, "input", type="radio", ids=[input_id], name=group,
                          value=node["letter"],
                          **{"data-correct": "true" if node["correct"] else "false"}))
    self.body.append(_tag(self, "label", **{"for": input_id}))
    self.body.append(f'<span class="xent-quiz-letter">({node["letter"]})</span> ')


def depart_choice_html(self, node: quiz_choice) -> None:
    self.body.append("</label></div>\n")


def visit_feedback_html(self, node: quiz_feedback) -> None:
    self.body.append(self.starttag(node, "div", suffix="", **{"aria-live": "polite",
                                                               "aria-atomic": "true"}))


def depart_feedback_html(self, node: quiz_feedback) -> None:
    self.body.append("</div>\n")


def visit_answer_html(self, node: quiz_answer) -> None:
    self.body.append(self.starttag(node, "details", suffix="",
                                   **{"data-answer": node["letter"]}))
    self.body.append("<summary>Show answer</summary>\n")


def depart_answer_html(self, node: quiz_answer) -> None:
    self.body.append("</details>\n")


def visit_explanation_html(self, node: quiz_explanation) -> None:
    self.body.append(self.starttag(node, "div"))


def depart_explanation_html(self, node: quiz_explanation) -> None:
    self.body.append("</div>\n")


def _visit_plain(self, node: nodes.Node) -> None:
    """Other builders (text, LaTeX, ...) render the children as they are."""


def _skip(self, node: nodes.Node) -> None:
    raise nodes.SkipNode


# --- Whole-site checks -------------------------------------------------------


def _usage(env) -> dict[str, set[str]]:
    """Quiz name -> the documents whose {quiz} directive uses it."""
    if not hasattr(env, "xent_quiz_usage"):
        env.xent_quiz_usage = {}
    return env.xent_quiz_usage


def check_quiz_files(app) -> None:
    """Every quiz file parses and no question id is in two files (runs every build)."""
    directory = quiz_dir(app)
    quizzes = {}
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        data, problems = load_quiz(path)
        if problems:
            # Reported with the page that uses the file, or as unused below.
            continue
        quizzes[path.stem] = data
    for problem in duplicate_ids(quizzes):
        logger.warning(f"quiz: {problem}", type="xent", subtype="quiz")


def purge_doc(app, env, docname: str) -> None:
    for pages in _usage(env).values():
        pages.discard(docname)


def merge_info(app, env, docnames, other) -> None:
    usage = _usage(env)
    for name, pages in _usage(other).items():
        usage.setdefault(name, set()).update(pages & set(docnames))


def check_usage(app, env) -> None:
    """Each quiz file is used by exactly one page."""
    usage = _usage(env)
    directory = quiz_dir(app)
    names = sorted(p.stem for p in directory.glob("*.yaml")) if directory.is_dir() else []
    for name in names:
        pages = sorted(usage.get(name, ()))
        if not pages:
            logger.warning(
                f"quiz: {directory / (name + '.yaml')} is not used by any page "
                f"(add ```{{quiz}} {name}``` to its page)",
                type="xent",
                subtype="quiz",
            )
        elif len(pages) > 1:
            logger.warning(
                f"quiz: {name} is used by more than one page: {', '.join(pages)}",
                type="xent",
                subtype="quiz",
            )


def add_assets(app, pagename, templatename, context, doctree) -> None:
    """The quiz script, on the pages that have a quiz (the styles are in xent.css)."""
    if doctree is not None and next(iter(doctree.findall(quiz)), None) is not None:
        app.add_js_file("xent-quiz.js", loading_method="defer")


def setup(app) -> dict[str, Any]:
    add_static_dir(app)
    app.add_config_value("xent_quiz_dir", "quizzes", "env", types=[str])
    plain = (_visit_plain, _visit_plain)
    skipped = (_skip, None)
    others = {name: plain for name in ("latex", "text", "man", "texinfo")}
    app.add_node(quiz, html=(visit_quiz_html, depart_quiz_html), **others)
    app.add_node(quiz_question, html=(visit_question_html, depart_question_html), **others)
    app.add_node(quiz_prompt, html=(visit_prompt_html, depart_prompt_html), **others)
    app.add_node(quiz_choice, html=(visit_choice_html, depart_choice_html), **others)
    app.add_node(
        quiz_feedback,
        html=(visit_feedback_html, depart_feedback_html),
        **{name: skipped for name in others},
    )
    app.add_node(quiz_answer, html=(visit_answer_html, depart_answer_html), **others)
    app.add_node(
        quiz_explanation, html=(visit_explanation_html, depart_explanation_html), **others
    )
    app.add_directive("quiz", QuizDirective)
    app.connect("builder-inited", check_quiz_files)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("env-check-consistency", check_usage)
    app.connect("html-page-context", add_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
