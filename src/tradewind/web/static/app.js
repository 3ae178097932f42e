// Tradewind dashboard behaviour: the form token on every HTMX request, and the charts (Chart.js) drawn from the
// JSON each page embeds next to its canvas. No build step: this file is served as it is.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) { event.detail.headers["X-CSRF-Token"] = token; }
  });

  var palette = ["#0f5b78", "#e07a1f", "#2e9d57", "#b42318", "#7a5af8", "#5f6b7a", "#c4a000", "#1479a0"];

  function lineChart(canvas, spec) {
    var datasets = spec.series.map(function (serie, index) {
      var colour = serie.color || palette[index % palette.length];
      return {
        label: serie.label,
        data: serie.values,
        borderColor: colour,
        backgroundColor: serie.fill ? colour + "33" : colour,
        borderDash: serie.dashed ? [6, 4] : [],
        fill: !!serie.fill,
        stepped: serie.stepped || false,
        pointRadius: serie.points ? 4 : 0,
        pointHoverRadius: 4,
        borderWidth: serie.width || 2,
        spanGaps: false,
        type: serie.type || "line",
        showLine: serie.showLine !== false
      };
    });
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: spec.legend !== false, position: "bottom" },
          title: { display: !!spec.title, text: spec.title }
        },
        scales: {
          x: { ticks: spec.legend === false ? { maxTicksLimit: 4, maxRotation: 0 } : { maxTicksLimit: 12 } },
          // A fixed top (small multiples share one scale), or Chart.js's own.
          y: { beginAtZero: true, max: spec.y_max, title: { display: !!spec.y_label, text: spec.y_label } }
        }
      }
    });
  }

  function drawCharts(root) {
    if (!window.Chart) { return; }
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn === "1") { return; }
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      var chart = lineChart(canvas, spec);
      canvas.dataset.drawn = "1";
      canvas.chart = chart;
    });
  }

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) { field.form.submit(); }
  });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });

})();
