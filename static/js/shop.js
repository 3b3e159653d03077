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
  // A form sent once only (data-submit-once: the checkout): after the first submit its
  // buttons are disabled until the next page arrives, so a double click sends one request.
  // (The server places one order per checkout page anyway: its one-time token.)
  var buttons = function (form) {
    return form.querySelectorAll("button:not([type=button]), input[type=submit]");
  };
  var release = function (form) {
    form.removeAttribute("data-submitted");
    form.removeAttribute("aria-busy");
    buttons(form).forEach(function (button) { button.disabled = false; });
  };
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-submitted")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-submitted", "");
      form.setAttribute("aria-busy", "true");
      // After the browser has taken the form's data (a disabled button sends nothing).
      window.setTimeout(function () {
        buttons(form).forEach(function (button) { button.disabled = true; });
      }, 0);
      // A stopped or lost request must not leave the page without its button: after a
      // while it may be sent again (a second order from the same page is refused anyway).
      window.setTimeout(function () { release(form); }, 20000);
    });
  });
  // The checkout's saved addresses (orders/checkout_address_book.html): "Use" fills the
  // chosen address in at once. Without this the button shows the page again with it filled
  // in (orders.views._fill_saved_address); whatever this cannot fill, the server answers.
  var book = document.getElementById("address-book-data");
  var saved = book ? JSON.parse(book.textContent) : {};
  document.querySelectorAll("[data-address-pick]").forEach(function (picker) {
    var prefix = picker.getAttribute("data-address-pick");
    var select = picker.querySelector("select");
    var button = picker.querySelector("button[name=use_address]");
    var status = picker.querySelector("[role=status]");
    var form = picker.closest("form");
    if (!select || !button || !status || !form) return;
    var set = function (name, value) {
      var field = form.elements[name];
      if (!field || field.value === value) return;
      if (field.type === "checkbox") {
        if (field.checked === value) return;
        field.checked = value;
      } else {
        field.value = value;
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
      field.dispatchEvent(new Event("change", { bubbles: true }));
    };
    var say = function (text, isError) {
      status.textContent = text;
      status.classList.toggle("error", isError);
      status.classList.toggle("muted", !isError);
      if (isError) select.setAttribute("aria-invalid", "true");
      else select.removeAttribute("aria-invalid");
    };
    button.addEventListener("click", function (event) {
      if (!select.value) {
        event.preventDefault();
        say(picker.getAttribute("data-choose") || "", true);
        select.focus();
        return;
      }
      var address = saved[select.value];
      if (!address || !address[prefix]) return;
      event.preventDefault();
      Object.keys(address[prefix]).forEach(function (name) { set(name, address[prefix][name]); });
      if (prefix === "shipping") set("ship_to_billing", false);
      var phone = form.elements.phone;
      if (prefix === "billing" && phone && !phone.value.trim()) set("phone", address.phone);
      if (prefix === "billing" && address.billing.billing_company) set("is_business", true);
      say(status.getAttribute("data-filled") || "", false);
    });
  });
  // Back on the page from the browser's cache (the back button): it may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitted]").forEach(release);
  });
})();
