// Meetings: the main venue's rotating sign-in code. Polls a JSON endpoint; no inline scripts.
(function () {
  "use strict";
  var screen = document.getElementById("code-screen");
  if (!screen) { return; }
  var codeEl = document.getElementById("checkin-code");
  var remainingEl = document.getElementById("code-remaining");
  var checkedEl = document.getElementById("code-checked");
  var expectedEl = document.getElementById("code-expected");
  var remaining = remainingEl ? parseInt(remainingEl.textContent, 10) || 30 : 30;

  function refresh() {
    fetch(screen.dataset.url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (codeEl && data.code) { codeEl.textContent = data.code; }
        remaining = data.expires_in;
        if (remainingEl) { remainingEl.textContent = remaining; }
        if (checkedEl) { checkedEl.textContent = data.checked_in; }
        if (expectedEl) { expectedEl.textContent = data.expected; }
      })
      .catch(function () { /* keep showing the last code; the next poll retries */ });
  }

  refresh();
  window.setInterval(function () {
    remaining -= 1;
    if (remainingEl && remaining >= 0) { remainingEl.textContent = remaining; }
    if (remaining <= 0) { refresh(); }
  }, 1000);
  window.setInterval(refresh, 10000);
})();
