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
