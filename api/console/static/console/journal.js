// The journal page: check the proof shown on the page in this browser (proof.js), at once and
// on demand with the key typed, and check a tampered copy (one leaf-hash digit changed) to show
// what a failure looks like. The sentences come from the page (data-ok, data-bad, data-cannot),
// in its language; the technical reason proof.js gives is added after them.
"use strict";

(function () {
  function show(target, verdict) {
    var sentence = !verdict.checked ? target.dataset.cannot
      : verdict.ok ? target.dataset.ok : target.dataset.bad;
    target.textContent = sentence + " (" + verdict.reason + ")";
    target.classList.remove("verdict-ok", "verdict-bad");
    target.classList.add(verdict.ok ? "verdict-ok" : "verdict-bad");
    target.dataset.result = verdict.ok ? "ok" : (verdict.checked ? "failed" : "unchecked");
  }

  function tampered(proof) {
    var copy = JSON.parse(JSON.stringify(proof));
    var first = copy.leaf_hash.charAt(0) === "0" ? "1" : "0";
    copy.leaf_hash = first + copy.leaf_hash.slice(1);
    return copy;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("proof-data");
    if (!data || !window.claimsLedgerProof) {
      return;
    }
    var proof = JSON.parse(data.textContent);
    var key = document.getElementById("trusted-key");
    var verdict = document.getElementById("proof-verdict");
    var tamperVerdict = document.getElementById("tamper-verdict");

    function check() {
      return window.claimsLedgerProof.checkProof(proof, key.value.trim())
        .then(function (found) { show(verdict, found); });
    }

    document.getElementById("check-proof").addEventListener("click", check);
    document.getElementById("check-tampered").addEventListener("click", function () {
      window.claimsLedgerProof.checkProof(tampered(proof), key.value.trim())
        .then(function (found) { show(tamperVerdict, found); });
    });
    check();
  });
})();
