/* Values explorer: the unit's months this year against last year with the path to its target, and
   its child units' completion against time progress. ECharts is served by the app (no CDN); the
   data is the page's own JSON block (#trend-data). No inline scripts: loaded with `defer`. */
(function () {
  "use strict";
  var LIGHTS = { green: "#2e7d32", yellow: "#f9a825", red: "#c62828", grey: "#9e9e9e" };

  function fmt(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    return Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + (unit ? " " + unit : "");
  }

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function drawTrend(data) {
    var el = document.getElementById("trend-chart");
    if (!el) { return; }
    var chart = window.echarts.init(el);
    var d = el.dataset;
    var series = [
      { name: d.thisYear, type: "bar", data: data.this_year, itemStyle: { color: "#1565c0" }, barMaxWidth: 26 },
      { name: d.lastYear, type: "bar", data: data.last_year, itemStyle: { color: "#b0bec5" }, barMaxWidth: 26 }
    ];
    if (!data.is_stock) {
      series.push({ name: d.ytd, type: "line", yAxisIndex: 1, data: data.ytd, symbolSize: 6, itemStyle: { color: "#e65100" } });
    }
    if (data.target_path.length) {
      series.push({ name: d.target, type: "line", yAxisIndex: data.is_stock ? 0 : 1, data: data.target_path,
        symbol: "none", lineStyle: { type: "dashed", color: "#6a1b9a" }, itemStyle: { color: "#6a1b9a" } });
    }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", formatter: function (ps) {
        // Every figure's tooltip says where it comes from (source department · how it was reported).
        var lines = [esc(ps[0].axisValueLabel)].concat(ps.map(function (p) {
          return p.marker + esc(p.seriesName) + " " + esc(fmt(p.value, data.unit));
        }));
        if (data.provenance) { lines.push(esc(data.provenance)); }
        return lines.join("<br>");
      } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 30, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", name: data.unit, nameTextStyle: { align: "left" } },
        { type: "value", show: !data.is_stock, name: d.ytd, nameTextStyle: { align: "right" }, splitLine: { show: false } }
      ],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "1";
  }

  function drawChildren(data) {
    var el = document.getElementById("children-chart");
    if (!el || !data.children.length) { return; }
    // Units with no figure (未报) are listed at the bottom, never dropped; a partial sum (n/m 已报)
    // is drawn hatched with its coverage beside the value, so it is not read from colour alone.
    var missing = data.children.filter(function (c) { return c.status === "missing"; });
    var rows = missing.concat(data.children.filter(function (c) { return c.completion !== null && c.status !== "missing"; })
      .sort(function (a, b) { return a.completion - b.completion; }));
    el.style.height = Math.max(200, 22 * rows.length + 60) + "px";
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) {
        var source = p.data.provenance ? "<br>" + esc(p.data.provenance) : "";
        if (p.data.status === "missing") { return esc(p.name + el.dataset.sep + el.dataset.missing) + source; }
        return esc(p.name + el.dataset.sep + p.value + "%" + (p.data.status === "partial" ? " (" + el.dataset.partial + " " + p.data.coverage + ")" : "")) + source;
      } },
      grid: { left: 8, right: 40, top: 26, bottom: 4, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
      series: [{
        name: el.dataset.series, type: "bar", barMaxWidth: 16,
        data: rows.map(function (r) {
          if (r.status === "missing") {
            return { value: 0, status: r.status, provenance: r.provenance, itemStyle: { color: LIGHTS.grey } };
          }
          var style = { color: LIGHTS[r.light] || LIGHTS.grey };
          if (r.status === "partial") {
            style.decal = { symbol: "rect", symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [3, 3], rotation: -Math.PI / 4, color: "rgba(255,255,255,.75)" };
          }
          return { value: r.completion, status: r.status, coverage: r.coverage, provenance: r.provenance, itemStyle: style };
        }),
        label: { show: true, position: "right", formatter: function (p) {
          if (p.data.status === "missing") { return el.dataset.missing; }
          return p.value + "%" + (p.data.status === "partial" ? " (" + el.dataset.partial + " " + p.data.coverage + ")" : "");
        } },
        markLine: data.time_progress === null ? undefined : {
          symbol: "none", lineStyle: { type: "dashed", color: "#333" },
          label: { formatter: el.dataset.progress + " {c}%" }, data: [{ xAxis: data.time_progress }]
        }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "1";
  }

  function start() {
    var block = document.getElementById("trend-data");
    if (!block || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    drawTrend(data);
    drawChildren(data);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
