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
  var shippingEl = document.getElementById("summary-shipping");
  var totalEl = document.getElementById("summary-total");
  if (!shippingEl || !totalEl) return;
  var fmt = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    minimumFractionDigits: 2, maximumFractionDigits: 2
  });
  var goods = parseFloat(totalEl.getAttribute("data-goods"));
  document.querySelectorAll('input[name="shipping_method"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      var price = radio.closest("label").querySelector("[data-shipping-cost]");
      if (!price) return;
      var cost = parseFloat(price.getAttribute("data-shipping-cost"));
      shippingEl.textContent = fmt.format(cost);
      totalEl.textContent = fmt.format(goods + cost);
    });
  });
})();
