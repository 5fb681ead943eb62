// Loaded on pages with widgets, just before the widget renderer (embed-amd.js).
// Two fixes so that saved widgets render with no network and no console errors,
// and a third so that a screen reader can use them (issue 13).
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

  // 3. Accessibility of the rendered widgets. ipywidgets 8 draws a slider as a
  //    noUiSlider handle (role="slider", keyboard: arrows, Home, End) with no
  //    accessible name and an aria-valuetext that is the option's index, an
  //    Image with no alt trait, and toggle buttons that do not say which one
  //    is on. Watch the widgets as they render and change, and give
  //    - every slider handle a name (aria-labelledby its description label) and
  //      a value text, the readout the slider shows ("1.25", not "3");
  //    - every frame image its alt text: bookkit.widgets.frame_slider stores it
  //      as the Image's tooltip, which the renderer writes to title; move it to
  //      alt (a live notebook keeps the title, also an accessible name);
  //    - every toggle button aria-pressed, and each group of them a name;
  //    - the readout under a frame slider a polite live region, so the new
  //      numbers are read out after the slider moves.
  //    All of it is synchronous (a MutationObserver callback), so the names
  //    are right as soon as a frame is swapped; the swap itself is unchanged.
  var nextId = 0;

  function labelOf(el) {
    var label = el.querySelector(":scope > .widget-label");
    if (!label || label.style.display === "none" || !label.textContent.trim()) {
      return null;
    }
    if (!label.id) {
      nextId += 1;
      label.id = "rnnlib-widget-label-" + nextId;
    }
    return label;
  }

  function fixSlider(el) {
    var handle = el.querySelector(".noUi-handle[role='slider']");
    if (!handle) {
      return;
    }
    var label = labelOf(el);
    if (label && handle.getAttribute("aria-labelledby") !== label.id) {
      handle.setAttribute("aria-labelledby", label.id);
    }
    var readout = el.querySelector(":scope > .widget-readout");
    var text = readout && readout.style.display !== "none" ? readout.textContent.trim() : "";
    if (text && handle.getAttribute("aria-valuetext") !== text) {
      handle.setAttribute("aria-valuetext", text);
    }
    if (!readout) {
      return;
    }
    if (el.closest(".rnnlib-frame-slider")) {
      // A SelectionSlider's readout is contentEditable, but typing in it only
      // garbles the text (nothing reads it back): no tab stop, and hidden from
      // screen readers, which hear the same text as the handle's value.
      if (readout.getAttribute("contenteditable") !== "false") {
        readout.setAttribute("contenteditable", "false");
      }
      if (readout.getAttribute("aria-hidden") !== "true") {
        readout.setAttribute("aria-hidden", "true");
      }
    } else if (label && readout.isContentEditable &&
               readout.getAttribute("aria-labelledby") !== label.id) {
      // IntSlider, FloatSlider: typing a number there sets the value; name it.
      readout.setAttribute("aria-labelledby", label.id);
    }
  }

  function fixToggles(el) {
    var group = el.querySelector(":scope > .widget-toggle-button-group, :scope > div:not(.widget-label)");
    var label = labelOf(el);
    if (group && label && group.getAttribute("aria-labelledby") !== label.id) {
      group.setAttribute("role", "group");
      group.setAttribute("aria-labelledby", label.id);
    }
    el.querySelectorAll("button").forEach(function (button) {
      var pressed = button.classList.contains("mod-active") ? "true" : "false";
      if (button.getAttribute("aria-pressed") !== pressed) {
        button.setAttribute("aria-pressed", pressed);
      }
    });
  }

  function fixImage(img) {
    var title = img.getAttribute("title");
    if (title) {
      img.setAttribute("alt", title);
      img.removeAttribute("title");
    }
  }

  function fix(node, deep) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    if (!el) {
      return;
    }
    var slider = el.closest(".widget-slider, .widget-hslider");
    if (slider) {
      fixSlider(slider);
    }
    var toggles = el.closest(".widget-toggle-buttons");
    if (toggles) {
      fixToggles(toggles);
    }
    if (el.matches("img.widget-image")) {
      fixImage(el);
    }
    if (el.matches(".rnnlib-readout") && !el.hasAttribute("aria-live")) {
      el.setAttribute("aria-live", "polite");
    }
    if (!deep) {
      return;
    }
    // a whole widget tree added at once
    el.querySelectorAll(".widget-slider, .widget-hslider").forEach(fixSlider);
    el.querySelectorAll(".widget-toggle-buttons").forEach(fixToggles);
    el.querySelectorAll("img.widget-image[title]").forEach(fixImage);
    el.querySelectorAll(".rnnlib-readout:not([aria-live])").forEach(function (r) {
      r.setAttribute("aria-live", "polite");
    });
  }

  new MutationObserver(function (mutations) {
    mutations.forEach(function (m) {
      if (m.type === "childList") {
        m.addedNodes.forEach(function (n) { if (n.nodeType === 1) { fix(n, true); } });
      }
      fix(m.target, false);
    });
  }).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["title", "class", "aria-valuetext", "style", "contenteditable"],
  });
})();
