// Charts of the statistics page: ECharts (vendored under static/vendor/echarts) reading the JSON that the
// page carries in a json_script block. No inline script, so the page works under a strict CSP. The table of
// numbers beside each chart stays the reference; without ECharts the tables alone are shown.
(function () {
  "use strict";
  function optionFor(chart) {
    var base = { tooltip: { trigger: chart.type === "pie" ? "item" : "axis" }, grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      legend: { type: "scroll", top: 0 }, textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" } };
    if (chart.type === "pie") {
      base.series = [{ type: "pie", radius: ["35%", "65%"], top: 24, name: chart.series[0].name,
        data: chart.categories.map(function (name, i) { return { name: name, value: chart.series[0].data[i] }; }) }];
      return base;
    }
    var horizontal = chart.type !== "line";
    var category = { type: "category", data: chart.categories, axisLabel: { interval: 0, width: 140, overflow: "truncate" } };
    base.xAxis = horizontal ? { type: "value", minInterval: 1 } : category;
    base.yAxis = horizontal ? Object.assign({ inverse: true }, category) : { type: "value", minInterval: 1 };
    base.series = chart.series.map(function (s) {
      return { type: horizontal ? "bar" : "line", name: s.name, data: s.data, stack: chart.type === "stacked" ? "total" : undefined };
    });
    return base;
  }
  function start() {
    var source = document.getElementById("statistics-charts");
    if (!source || typeof window.echarts === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    charts.forEach(function (chart) {
      var node = document.querySelector('[data-chart="' + chart.key + '"]');
      if (!node) { return; }
      var rows = chart.type === "pie" || chart.type === "line" ? 10 : chart.categories.length;
      node.style.height = Math.max(220, Math.min(900, 60 + rows * 24)) + "px";
      var instance = window.echarts.init(node, null, { renderer: "svg" });
      instance.setOption(optionFor(chart));
      node.setAttribute("data-rendered", "true");
      window.addEventListener("resize", function () { instance.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
