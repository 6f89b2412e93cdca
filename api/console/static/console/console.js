// The console's one script of its own (besides the proof checker): every htmx request that
// changes something carries the page's CSRF token as the X-CSRFToken header, which flask-wtf's
// CSRFProtect accepts like the csrf_token field of a form. A listener rather than hx-headers on
// <body>: it does not depend on attribute inheritance, which htmx 4 no longer does by default.
"use strict";

document.addEventListener("htmx:configRequest", function (event) {
  var verb = String(event.detail.verb || "get").toLowerCase();
  if (verb === "get") {
    return;
  }
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});

// After a partial update, move keyboard focus to the alert when a request failed, so a screen
// reader and a keyboard user both learn of it.
document.addEventListener("htmx:responseError", function () {
  var alert = document.getElementById("console-alert");
  if (alert) {
    alert.setAttribute("tabindex", "-1");
    alert.focus();
  }
});
