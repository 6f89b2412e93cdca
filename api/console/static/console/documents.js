// The documents page: a PDF takes seconds to render, so from the moment a download is asked for
// the page shows a progress bar, until the answer arrives. The form carries a random ticket;
// the answer sets it in a short-lived cookie, which this script watches for (a download is not
// a page the browser loads, so there is no other sign that it came).
"use strict";

(function () {
  var COOKIE = "ledger_download=";

  function ticketArrived(ticket) {
    return document.cookie.split(";").some(function (part) {
      return part.trim() === COOKIE + ticket;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var progress = document.getElementById("document-progress");
    Array.prototype.forEach.call(document.querySelectorAll("form.document-form"), function (form) {
      form.addEventListener("submit", function () {
        var bytes = new Uint8Array(8);
        window.crypto.getRandomValues(bytes);
        var ticket = Array.prototype.map.call(bytes, function (b) {
          return ("0" + b.toString(16)).slice(-2);
        }).join("");
        form.querySelector('input[name="ticket"]').value = ticket;
        progress.hidden = false;
        form.setAttribute("aria-busy", "true");
        var timer = window.setInterval(function () {
          if (ticketArrived(ticket)) {
            window.clearInterval(timer);
            progress.hidden = true;
            form.removeAttribute("aria-busy");
          }
        }, 400);
      });
    });
  });
})();
