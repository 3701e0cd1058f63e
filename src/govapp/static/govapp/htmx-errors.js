// htmx swaps only 2xx answers by default. Our views answer a refused form with 400 (or 413/422/429)
// and a fragment that names the problem: show it in place. Any other failure (403, 500, no network)
// gets the page's own sentence in the live region, so a click never ends in silence.
(function () {
  "use strict";
  var SWAP = { 400: true, 413: true, 422: true, 429: true };

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (SWAP[status]) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function announce(text) {
    var region = document.getElementById("htmx-status");
    if (region && text) {
      region.textContent = text;
      region.className = "msg msg-error";
      region.hidden = false;
    }
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!SWAP[status]) {
      announce(document.body.getAttribute("data-htmx-failed").replace("{status}", String(status)));
    }
  });
  document.addEventListener("htmx:sendError", function () {
    announce(document.body.getAttribute("data-htmx-offline"));
  });
})();
