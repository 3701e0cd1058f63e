// Behaviour of the pages, kept out of the templates: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  // A form marked data-swap-bad-request shows the server's 400 answer (the form with its errors)
  // in place, instead of htmx's default of ignoring error responses.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var form = source && source.closest ? source.closest("[data-swap-bad-request]") : null;
    if (form && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A table that stacks on a phone: each cell without a label of its own takes its column's heading.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.stack-on-phone").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (!cell.hasAttribute("data-label") && headings[i]) { cell.setAttribute("data-label", headings[i]); }
        });
      });
    });
  });

  // Complaint form, progressive enhancement: unticking "anonymous" opens the contact fields
  // (they work without JavaScript too).
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("id_anonymous");
    var fields = document.getElementById("contact-fields");
    if (box && fields) {
      box.addEventListener("change", function () { fields.open = !box.checked; });
    }
  });
})();
