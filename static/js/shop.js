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
})();
