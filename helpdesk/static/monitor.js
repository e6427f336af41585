// Refresh the monitor's body in place: the filters and the scroll position stay.
(function () {
  "use strict";
  var body = document.getElementById("monitor-body");
  if (!body) { return; }
  var url = body.getAttribute("data-refresh-url");
  var seconds = parseInt(body.getAttribute("data-refresh-seconds"), 10) || 60;
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { body.innerHTML = html; } })
      .catch(function () { /* keep the last figures; try again next time */ });
  }
  window.setInterval(refresh, seconds * 1000);
})();
