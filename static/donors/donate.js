// The donation page's currency chooser, enhanced: choosing a currency changes the suggested
// amounts in place (without this script, "Show amounts in this currency" reloads the page).
(function () {
  "use strict";
  var data = document.getElementById("donate-offers");
  var select = document.getElementById("id_currency");
  var chosen = document.getElementById("currency-chosen");
  var choices = document.getElementById("amount-choices");
  if (!data || !select || !chosen || !choices) return;
  var offers = {};
  JSON.parse(data.textContent).forEach(function (offer) { offers[offer.code] = offer; });
  document.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; });

  function show(code) {
    var offer = offers[code];
    if (!offer) return;
    chosen.value = code;
    var checked = choices.querySelector("input:checked");
    var keepOther = checked && checked.value === "other";
    var radios = Array.prototype.slice.call(choices.querySelectorAll("label"));
    var other = radios.pop();  // the last choice is always "Other amount"
    radios.forEach(function (label) { label.remove(); });
    offer.amounts.forEach(function (amount, i) {
      var id = "id_amount_" + i;
      var label = document.createElement("label");
      label.htmlFor = id;
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "amount";
      input.value = amount.value;
      input.id = id;
      input.required = true;
      input.checked = !keepOther && i === Math.min(1, offer.amounts.length - 1);
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + amount.label));
      choices.insertBefore(label, other);
    });
    var otherInput = other.querySelector("input");
    if (otherInput) otherInput.id = "id_amount_" + offer.amounts.length;
    other.htmlFor = "id_amount_" + offer.amounts.length;
    document.getElementById("other-amount-label").textContent = offer.other_label;
    document.getElementById("amount-legend").textContent = "Amount in " + offer.name;
    var field = document.getElementById("id_other_amount");
    if (field) field.inputMode = offer.code === "JPY" ? "numeric" : "decimal";
  }

  select.addEventListener("change", function () { show(select.value); });
  // The browser may restore a chosen currency on "back": show its amounts.
  if (select.value !== chosen.value) show(select.value);
})();
