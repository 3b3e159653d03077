// Checkout progressive enhancement: the page works fully without it.
(function () {
  "use strict";
  var same = document.getElementById("id_ship_to_billing");
  var panel = document.getElementById("shipping-address");
  if (same && panel) {
    var sync = function () { panel.hidden = same.checked; };
    same.addEventListener("change", sync);
    sync();
  }
  var business = document.getElementById("id_is_business");
  var businessFields = document.getElementById("business-fields");
  if (business && businessFields) {
    var syncBusiness = function () { businessFields.hidden = !business.checked; };
    business.addEventListener("change", syncBusiness);
    syncBusiness();
  }
  // Another shipping method changes the total. The server computed everything for the
  // preselected method (orders.services.quote_order); this repeats its arithmetic for the
  // others: gift card, then credit pay what they can, the rest is due, and methods limited
  // by the open amount are offered while the amount due fits the customer's headroom.
  var summary = document.getElementById("summary");
  var shippingEl = document.getElementById("summary-shipping");
  var totalEl = document.getElementById("summary-total");
  if (!summary || !shippingEl || !totalEl) return;
  // The same format as the server's money filter (CLDR data on both sides): "1.234,56 €".
  var fmt = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    style: "currency", currency: summary.getAttribute("data-currency") || "EUR"
  });
  var cents = function (name) {
    return Math.round(parseFloat(summary.getAttribute(name) || "0") * 100);
  };
  var show = function (id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = fmt.format(value / 100);
  };
  var methods = document.getElementById("payment-methods");
  var headroom = methods && methods.getAttribute("data-limit-headroom");
  var room = headroom ? Math.round(parseFloat(headroom) * 100) : null;
  document.querySelectorAll('input[name="shipping_method"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      var price = radio.closest("label").querySelector("[data-shipping-cost]");
      if (!price) return;
      var cost = Math.round(parseFloat(price.getAttribute("data-shipping-cost")) * 100);
      if (summary.hasAttribute("data-free-shipping")) cost = 0;
      var total = Math.max(0, cents("data-goods") - cents("data-goods-discount") + cost);
      var card = Math.min(cents("data-giftcard-available"), total);
      var credit = Math.min(cents("data-credit-available"), total - card);
      var due = total - card - credit;
      show("summary-shipping", cost);
      show("summary-total", total);
      show("summary-giftcard", card);
      show("summary-credit", credit);
      show("summary-due", due);
      if (!methods) return;
      methods.querySelectorAll("input[data-limited]").forEach(function (input) {
        var fits = due <= 0 || room === null || due <= room;
        input.disabled = !fits;
        if (!fits) input.checked = false;
        var note = input.closest("label").querySelector(".limit-note");
        if (note) note.hidden = fits;
        input.closest("label").classList.toggle("unavailable", !fits);
      });
    });
  });
})();
// A shipping method limited to some countries (data-countries) is offered only for a
// delivery to one of them; the placement refuses the others all the same
// (orders.services.checkout.check_delivery).
(function () {
  "use strict";
  if (!document.querySelector("label.choice[data-countries]")) return;
  var same = document.getElementById("id_ship_to_billing");
  var billing = document.getElementById("id_billing_country");
  var shipping = document.getElementById("id_shipping_country");
  var destination = function () {
    if (same && !same.checked && shipping) return shipping.value;
    return billing ? billing.value : "";
  };
  var sync = function () {
    var country = destination();
    var radios = Array.prototype.slice.call(
      document.querySelectorAll('input[name="shipping_method"]')
    );
    var lost = false;
    radios.forEach(function (radio) {
      var label = radio.closest("label");
      var list = label.getAttribute("data-countries");
      var serves = !list || list.split(" ").indexOf(country) !== -1;
      label.hidden = !serves;
      label.style.display = serves ? "" : "none";
      radio.disabled = !serves;
      if (!serves && radio.checked) {
        radio.checked = false;
        lost = true;
      }
    });
    var offered = radios.filter(function (radio) { return !radio.disabled; });
    var none = document.getElementById("no-delivery");
    if (none) none.hidden = offered.length > 0;
    // (none chosen any more, e.g. back from a country no method delivers to: the first)
    if (!radios.some(function (radio) { return radio.checked; })) lost = true;
    if (lost) {
      var next = offered[0];
      if (next) {
        next.checked = true;
        next.dispatchEvent(new Event("change"));
      }
    }
  };
  [same, billing, shipping].forEach(function (el) {
    if (el) el.addEventListener("change", sync);
  });
  sync();
})();
