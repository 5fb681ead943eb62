/* Self-check questions (see _ext/selfcheck.py), answered in the browser.

   The page holds, for each question, a radio group, a "Check" button and the
   feedback for every choice inside a collapsed <details> box (what a reader
   without JavaScript gets). This script replaces the box by a live region
   (role="status", so screen readers announce it) that shows the feedback of
   the checked choice only. Enter on a choice checks it too. Nothing is loaded. */
(function () {
  "use strict";

  function setup(root) {
    var details = root.querySelector("details.sc-answers");
    var feedback = root.querySelector(".sc-feedback");
    var button = root.querySelector("button.sc-check");
    var radios = Array.prototype.slice.call(root.querySelectorAll("input[type=radio]"));
    if (!details || !feedback || !button || !radios.length) return;

    var items = Array.prototype.slice.call(feedback.querySelectorAll(".sc-fb"));
    var prompt = document.createElement("p");
    prompt.className = "sc-prompt";
    prompt.textContent = "Choose an answer first.";
    feedback.appendChild(prompt);
    items.concat([prompt]).forEach(function (el) { el.hidden = true; });
    feedback.setAttribute("role", "status");
    feedback.setAttribute("aria-live", "polite");
    details.replaceWith(feedback);
    root.classList.add("sc-js");

    function clear() {
      items.concat([prompt]).forEach(function (el) { el.hidden = true; });
      delete root.dataset.result;
    }

    function check() {
      var chosen = radios.filter(function (r) { return r.checked; })[0];
      clear();
      // Reveal on the next frame, so that checking the same answer twice is
      // announced again by screen readers (the region's content changes).
      window.setTimeout(function () {
        if (!chosen) { prompt.hidden = false; return; }
        var item = items.filter(function (el) { return el.dataset.choice === chosen.value; })[0];
        if (!item) return;
        item.hidden = false;
        root.dataset.result = item.dataset.correct === "true" ? "right" : "wrong";
      }, 30);
    }

    button.addEventListener("click", check);
    radios.forEach(function (r) {
      r.addEventListener("change", clear);
      r.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); check(); }
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".selfcheck"), setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
