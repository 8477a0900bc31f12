// Assessment pages: a bulletin page refreshes itself while the bulletin is being generated.
(function () {
  "use strict";
  var status = document.getElementById("bulletin-status");
  if (status && (status.dataset.status === "queued" || status.dataset.status === "running")) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
