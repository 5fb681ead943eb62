// Loaded on pages with widgets, just before the widget renderer (embed-amd.js).
// Two fixes so that saved widgets render with no network and no console errors.
(function () {
  "use strict";

  // 1. The renderer loads its icon fonts from the folder it believes it lives
  //    in, which it derives from its AMD module name,
  //    "@jupyter-widgets/html-manager/dist/embed-amd", resolved by require.js
  //    relative to the page. Map that name to the copy served by the site,
  //    _static/vendor/html-manager/ (this file is in _static/).
  var here = document.currentScript.src;
  window.require.config({
    paths: {"@jupyter-widgets/html-manager/dist": new URL("vendor/html-manager", here).href},
  });

  // 2. ipywidgets typesets widget labels with the MathJax 2 call
  //    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]). The book loads
  //    MathJax 3, which has no Hub: translate the call to MathJax 3. MathJax is
  //    a deferred script, so its global exists by DOMContentLoaded, before the
  //    widgets render (on load).
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub || typeof mj.typesetPromise !== "function") {
      return;
    }
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset") {
            var element = job[2];
            mj.startup.promise = mj.startup.promise
              .then(function () { return mj.typesetPromise(element ? [element] : undefined); })
              .catch(function (error) { console.warn("MathJax typeset failed", error); });
          }
        });
      },
    };
  });
})();
