// Staff pages: draw every <canvas class="chart" data-chart="{labels, values}"> with Chart.js.
(function () {
  "use strict";
  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var horizontal = canvas.getAttribute("data-kind") === "bar-horizontal";
    var lang = document.documentElement.lang === "id" ? "id-ID" : "en-US";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: [{ data: spec.values, backgroundColor: "#0b5fa5", borderRadius: 3 }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        locale: lang,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { autoSkip: false } } }
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
