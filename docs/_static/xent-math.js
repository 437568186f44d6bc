/*
 * A display equation wider than the column scrolls sideways inside its box
 * (div.math, see xent.css). Only such a box becomes keyboard-focusable, as a
 * named region, so that a keyboard can scroll it; equations themselves are
 * not Tab stops. Checked again when the page is resized.
 */
(function () {
  "use strict";

  function mark(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      var number = box.querySelector(".eqno");
      var name = number ? "Equation " + number.textContent.replace(/[^()0-9.]/g, "") : "Equation";
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name + ", scrolls sideways");
    } else if (box.hasAttribute("tabindex")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  function markAll() {
    document.querySelectorAll("div.math").forEach(mark);
  }

  function init() {
    var startup = window.MathJax && window.MathJax.startup;
    if (!startup || !startup.promise) {
      return;
    }
    startup.promise.then(function () {
      markAll();
      var pending = null;
      window.addEventListener("resize", function () {
        window.clearTimeout(pending);
        pending = window.setTimeout(markAll, 150);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
