// On every page (added by _ext/a11y.py). Accessibility fixes that need the
// browser (issue 13); the ones that do not are made at build time in _ext/a11y.py.
(function () {
  "use strict";

  // Code blocks wider than the column scroll sideways. The theme makes such a
  // block focusable (tabindex=0) so that it can be scrolled with the keyboard,
  // but only for blocks visible when it checks: at load, on resize and when
  // nodes are added. A hidden code cell or a solution opened later keeps
  // tabindex=-1 (axe: scrollable-region-focusable). Opening one is neither, so
  // ask the theme to check again, as it does on a resize.
  function recheck() {
    window.dispatchEvent(new Event("resize"));
  }
  document.addEventListener("toggle", recheck, true);       // <details> opened or closed
  document.addEventListener("click", function (event) {     // sphinx-togglebutton
    if (event.target.closest && event.target.closest(".toggle-button, .toggle")) {
      window.setTimeout(recheck, 0);
    }
  }, true);
})();
