// The teacher's session page: keep the count of finished questionnaires up to date.
(function () {
  "use strict";
  var el = document.querySelector("[data-count-url]");
  if (!el) { return; }
  var bar = document.querySelector(".count-bar");
  function refresh() {
    fetch(el.getAttribute("data-count-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var line = el.getAttribute("data-template").replace("{n}", data.finished).replace("{size}", data.size);
        if (el.textContent !== line) { el.textContent = line; }
        if (bar) { bar.value = data.finished; bar.setAttribute("aria-label", line); }
      })
      .catch(function () { /* try again at the next tick */ });
  }
  setInterval(refresh, 5000);
})();
