// Draws the charts of a statistics page with ECharts (served locally), from the JSON the page
// carries (json_script "stats-charts": [{id, labels, series: [{name, data}], stacked}]).
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("stats-charts");
    if (!source || typeof echarts === "undefined") return;
    var charts = JSON.parse(source.textContent);
    var drawn = [];
    charts.forEach(function (chart) {
      var element = document.getElementById(chart.id);
      if (!element) return;
      var instance = echarts.init(element, null, { renderer: "svg" });
      if (chart.kind === "pie") {
        instance.setOption({
          animation: false,
          tooltip: { trigger: "item" },
          legend: { show: true },
          series: [{
            type: "pie",
            radius: "65%",
            label: { formatter: "{b}: {c} ({d}%)" },
            data: chart.labels.map(function (label, index) {
              return { name: label, value: chart.series[0].data[index] };
            }),
          }],
        });
        element.dataset.drawn = "1";
        drawn.push(instance);
        return;
      }
      instance.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { show: chart.series.length > 1 },
        grid: { left: 50, right: 20, top: chart.series.length > 1 ? 40 : 20, bottom: 40 },
        xAxis: { type: "category", data: chart.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: chart.series.map(function (serie) {
          return {
            name: serie.name,
            type: "bar",
            stack: chart.stacked ? "total" : undefined,
            data: serie.data,
          };
        }),
      });
      element.dataset.drawn = "1";
      drawn.push(instance);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (instance) { instance.resize(); });
    });
    window.addEventListener("beforeprint", function () {
      drawn.forEach(function (instance) { instance.resize(); });
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
