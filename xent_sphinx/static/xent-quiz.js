/*
 * xent quizzes: picking a choice (a click, or Space or Enter on the focused
 * option) says at once whether it is right and shows the explanation. Arrow
 * keys move between the options without picking one. The page works without
 * this script: each question's "Show answer" <details> element holds the
 * answer and the explanation.
 * No network, no storage.
 */
(function () {
  "use strict";

  function choiceOf(input) {
    return input.closest(".xent-quiz-choice");
  }

  function respond(question, input) {
    var inputs = question.querySelectorAll('input[type="radio"]');
    var feedback = question.querySelector(".xent-quiz-feedback");
    var answer = question.querySelector(".xent-quiz-answer");
    var explanation = answer ? answer.querySelector(".xent-quiz-explanation") : null;
    var right = input.dataset.correct === "true";
    var letter = answer ? answer.dataset.answer : "";

    inputs.forEach(function (other) {
      var choice = choiceOf(other);
      choice.classList.remove("xent-quiz-chosen-right", "xent-quiz-chosen-wrong");
    });
    choiceOf(input).classList.add(right ? "xent-quiz-chosen-right" : "xent-quiz-chosen-wrong");
    question.classList.toggle("xent-quiz-answered-right", right);
    question.classList.toggle("xent-quiz-answered-wrong", !right);

    var verdict = document.createElement("p");
    verdict.className = "xent-quiz-verdict " + (right ? "xent-quiz-right" : "xent-quiz-wrong");
    var mark = document.createElement("span");
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = right ? "\u2713 " : "\u2717 ";
    var words = document.createElement("strong");
    words.textContent = right ? "Correct." : "Not quite.";
    verdict.append(mark, words);
    if (!right && letter) {
      verdict.append(" The answer is (" + letter + ").");
    }

    var parts = [verdict];
    if (explanation) {
      var copy = explanation.cloneNode(true);
      // The copy must not repeat ids of the original.
      copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
      parts.push(copy);
    }
    feedback.replaceChildren.apply(feedback, parts);
    // The feedback now holds everything "Show answer" would reveal.
    if (answer) {
      answer.open = false;
      answer.hidden = true;
    }
  }

  // Keyboard: an arrow key only moves focus between the options (a browser
  // would also pick the option, and so answer); Space or Enter answers.
  var STEPS = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

  function onKey(question, inputs, input, event) {
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.key in STEPS) {
      event.preventDefault();
      var next = (inputs.indexOf(input) + STEPS[event.key] + inputs.length) % inputs.length;
      inputs[next].focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!input.checked) {
        input.checked = true;
      }
      respond(question, input);
    }
  }

  function setUp(question) {
    var inputs = Array.prototype.slice.call(question.querySelectorAll('input[type="radio"]'));
    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.checked) {
          respond(question, input);
        }
      });
      input.addEventListener("keydown", function (event) {
        onKey(question, inputs, input, event);
      });
    });
  }

  function init() {
    document.querySelectorAll(".xent-quiz-question").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
