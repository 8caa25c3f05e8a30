// Staff pages: draw every <canvas class="chart" data-chart='{"labels": [...], "values": [...]}'>
// with Chart.js (vendored). No inline scripts: the page's data travels in data- attributes.
(function () {
  "use strict";
  // Long labels on two or more lines, so that they fit at phone width.
  function wrap(label, width) {
    var lines = [];
    var line = "";
    label.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var horizontal = canvas.getAttribute("data-kind") === "bar-horizontal";
    var narrow = window.innerWidth < 720;
    var lang = document.documentElement.lang === "id" ? "id-ID" : "en-US";
    var money = canvas.getAttribute("data-money") === "1";
    var counts = { beginAtZero: true, ticks: { precision: 0 } };
    if (money) {
      // Rupiah in millions on the axis: "Rp 7,4 jt" / "Rp 7.4 M" would crowd a phone.
      counts.ticks.callback = function (value) {
        return "Rp " + (value / 1e6).toLocaleString(lang, { maximumFractionDigits: 1 }) +
          (lang === "id-ID" ? " jt" : " M");
      };
    }
    var names = { ticks: { autoSkip: false, maxRotation: 0 } };
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels.map(function (label) { return wrap(label, narrow ? 14 : 22); }),
        datasets: [{ data: spec.values, backgroundColor: "#0b5fa5", borderRadius: 3, maxBarThickness: 48 }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        locale: lang,
        plugins: { legend: { display: false } },
        scales: horizontal ? { x: counts, y: names } : { x: names, y: counts }
      }
    });
  }
  function drawAll() {
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas.chart").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
