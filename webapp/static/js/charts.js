// Dashboard energy charts, drawn with the vendored Chart.js (static/vendor/chartjs).
// CSP forbids inline scripts: the page names the JSON endpoint in data-energy-source and
// this file fetches it with the session cookie, then draws one chart per unit (kWh, GJ,
// L, ...), a chart of data-quality flags per day and, when a valued grid factor exists,
// the scope 2 emissions per day. The container gets data-rendered="N" (charts drawn).
(function () {
  "use strict";
  var box = document.getElementById("energy-charts");
  if (!box || typeof window.Chart === "undefined") { return; }
  var palette = ["#1f7a5a", "#c98a00", "#3b6ea5", "#b3261e", "#7a4f9a", "#2a9d8f",
                 "#e76f51", "#6c757d", "#264653", "#8ab17d", "#d62828", "#577590"];

  function canvas(title, testid) {
    var figure = document.createElement("figure");
    figure.className = "chart";
    var caption = document.createElement("figcaption");
    caption.textContent = title;
    var c = document.createElement("canvas");
    c.setAttribute("data-testid", testid);
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", title);
    figure.appendChild(caption);
    figure.appendChild(c);
    box.appendChild(figure);
    return c;
  }

  function draw(c, type, labels, datasets, stacked) {
    return new window.Chart(c, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false, responsive: true, aspectRatio: 3,
        interaction: { mode: "index", intersect: false },
        scales: { x: { stacked: !!stacked }, y: { stacked: !!stacked, beginAtZero: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  function render(data) {
    var byUnit = {};
    data.series.forEach(function (s) { (byUnit[s.unit] = byUnit[s.unit] || []).push(s); });
    var n = 0;
    Object.keys(byUnit).sort().forEach(function (unit) {
      var sets = byUnit[unit].map(function (s, i) {
        var color = palette[(n + i) % palette.length];
        return { label: s.quantity + " (" + s.role + ")", data: s.values,
                 borderColor: color, backgroundColor: color,
                 borderDash: s.role === "generation" ? [6, 3] : [], tension: 0.2 };
      });
      n += sets.length;
      draw(canvas(unit, "chart-" + unit), "line", data.days, sets, false);
    });
    var q = data.quality;
    var flags = ["duplicate", "conflict", "rejected", "gap", "reset"];
    draw(canvas(box.getAttribute("data-label-quality") || "quality", "chart-quality"), "bar",
         q.days, flags.map(function (f, i) {
           return { label: f, data: q[f], backgroundColor: palette[(i + 3) % palette.length] };
         }), true);
    if (data.emissions && data.emissions.available) {
      draw(canvas(box.getAttribute("data-label-emissions") || "emissions", "chart-emissions"),
           "bar", data.days, [{ label: "scope2_location_kg",
                                data: data.emissions.scope2_location_kg,
                                backgroundColor: "#6c757d" }], false);
    }
    box.setAttribute("data-rendered", String(box.querySelectorAll("canvas").length));
  }

  fetch(box.getAttribute("data-energy-source"), {
    credentials: "same-origin", headers: { Accept: "application/json" }
  }).then(function (r) {
    if (!r.ok) { throw new Error("HTTP " + r.status); }
    return r.json();
  }).then(render).catch(function (err) {
    var p = document.createElement("p");
    p.className = "error";
    p.textContent = "charts: " + err.message;
    box.appendChild(p);
    box.setAttribute("data-rendered", "error");
  });
})();
