// Traceability explorer: run a check in place and show its answer next to the button.
(function () {
  "use strict";
  var tree = document.querySelector("[data-testid=trace-tree]");
  if (!tree) { return; }
  var csrf = tree.getAttribute("data-csrf");
  tree.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-check]");
    if (!button) { return; }
    var out = button.parentNode.querySelector("output.check-result");
    button.disabled = true;
    out.className = "check-result running";
    out.textContent = "…";
    fetch(button.getAttribute("data-check"), {
      method: "POST", credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": csrf}
    }).then(function (resp) {
      return resp.json().then(function (body) { return {http: resp.status, body: body}; });
    }).then(function (answer) {
      var b = answer.body;
      var status = b.status && typeof b.status === "string" ? b.status : "error";
      out.className = "check-result check-" + status;
      out.setAttribute("data-status", status);
      out.textContent = (status === "error" ? "" : status.toUpperCase() + ": ") +
        (b.reason || b.detail || ("HTTP " + answer.http));
    }).catch(function (err) {
      out.className = "check-result check-error";
      out.textContent = String(err);
    }).then(function () { button.disabled = false; });
  });
})();
