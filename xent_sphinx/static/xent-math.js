/*
 * A display equation wider than the column scrolls sideways inside its box
 * (div.math, see xent.css). Only such a box becomes keyboard-focusable, as a
 * named region, so that a keyboard can scroll it; equations themselves are
 * not Tab stops. Checked again whenever the box changes size.
 */
(function () {
  "use strict";

  // An equation's SVG is sized in ex, which rounds to whole pixels: a box a
  // pixel or two too narrow for its equation is clipped rather than made a
  // scroller.
  var ROUNDING_PX = 2;

  function mark(box) {
    box.style.overflowX = "";
    var excess = box.scrollWidth - box.clientWidth;
    if (excess > 0 && excess <= ROUNDING_PX) {
      box.style.overflowX = "hidden";
    }
    if (excess > ROUNDING_PX) {
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

  // A box changes size when the web fonts load (ex changes) and when the
  // window is resized (narrower or wider): mark it again each time.
  function init() {
    if (!window.ResizeObserver) {
      return;
    }
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { mark(entry.target); });
    });
    document.querySelectorAll("div.math").forEach(function (box) { observer.observe(box); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
