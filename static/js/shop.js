// Small storefront enhancements; every page works without them.
(function () {
  "use strict";
  // Submit the language form as soon as a language is picked.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A form came back with errors: move the focus to its summary (links lead to the fields).
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  // On narrow screens wide tables scroll inside their box: such a box must be reachable
  // with the keyboard (Tab, then the arrow keys scroll it).
  var scrollers = function () {
    document.querySelectorAll(".panel, .table-wrap").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    });
  };
  scrollers();
  window.addEventListener("resize", scrollers);
})();
