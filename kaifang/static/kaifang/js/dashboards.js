// The cockpit (驾驶舱): choropleth map with drill-down, ranking bars and the year-on-year trend.
// Data comes from the JSON endpoint named in #cockpit's data attributes; map outlines are our own
// static GeoJSON files (no CDN). No inline scripts: this file is loaded with `defer`.
(function () {
  "use strict";
  var holder = document.getElementById("cockpit");
  if (!holder || typeof echarts === "undefined") { return; }
  var mapUrls = JSON.parse(document.getElementById("map-urls").textContent || "{}");
  var root = holder.dataset.root;
  var state = { code: root, metric: "score", period: holder.dataset.period, data: null };
  var mapEl = document.getElementById("map");
  var charts = {
    map: mapEl ? echarts.init(mapEl) : null,
    ranking: document.getElementById("ranking") ? echarts.init(document.getElementById("ranking")) : null,
    trend: echarts.init(document.getElementById("trend"))
  };
  var registered = {};

  function dataUrl(code) {
    var base = holder.dataset.url.replace(encodeURIComponent(root) + ".json", encodeURIComponent(code) + ".json");
    return base + "?period=" + encodeURIComponent(state.period) + "&metric=" + encodeURIComponent(state.metric);
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function ensureMap(code) {
    if (registered[code]) { return Promise.resolve(true); }
    if (!mapUrls[code]) { return Promise.resolve(false); }
    return fetchJson(mapUrls[code]).then(function (geo) { echarts.registerMap(code, geo); registered[code] = true; return true; });
  }

  function text(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } }

  function fillMetrics(data) {
    var select = document.getElementById("metric-select");
    if (!select) { return; }
    select.textContent = "";
    data.metrics.forEach(function (m) {
      var option = document.createElement("option");
      option.value = m.code; option.textContent = m.name; option.selected = m.code === data.metric;
      select.appendChild(option);
    });
  }

  function drawMap(data) {
    if (!charts.map) { return; }
    var values = data.regions.map(function (r) { return r.value; }).filter(function (v) { return v !== null; });
    var low = values.length ? Math.min.apply(null, values) : 0;
    var high = values.length ? Math.max.apply(null, values) : 1;
    charts.map.setOption({
      tooltip: { trigger: "item", formatter: function (p) { return p.data ? p.data.cname + "<br>" + p.data.label : p.name; } },
      visualMap: { min: Math.floor(low), max: Math.ceil(high === low ? low + 1 : high), left: 8, bottom: 8, calculable: true,
        text: ["高", "低"], inRange: { color: ["#fdecea", "#f28b82", "#b3261e"] }, itemHeight: 90 },
      series: [{ type: "map", map: data.map, nameProperty: "code", roam: false, selectedMode: "single",
        label: { show: true, fontSize: 10, formatter: function (p) { return p.data ? p.data.short : ""; } },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffd54f" } },
        data: data.regions.map(function (r) {
          return { name: r.code, value: r.value, cname: r.name, short: r.name.replace(/(市|区|县)$/, ""), label: r.label, url: r.score_url, drill: r.drill };
        }) }]
    }, true);
  }

  function drawRanking(data) {
    if (!charts.ranking) { return; }
    var rows = data.ranking.slice().reverse();
    charts.ranking.setOption({
      grid: { left: 70, right: 40, top: 8, bottom: 20 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", name: data.value_name, nameGap: 4 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { fontSize: 11 } },
      series: [{ type: "bar", data: rows.map(function (r) { return r.value; }), itemStyle: { color: "#b3261e" },
        label: { show: true, position: "right", fontSize: 10 } }]
    }, true);
  }

  function drawTrend(data) {
    var t = data.trend || {};
    text("trend-title", t.indicator ? "与上年对比 · " + t.indicator : "与上年对比");
    charts.trend.setOption({
      grid: { left: 50, right: 16, top: 30, bottom: 24 },
      tooltip: { trigger: "axis" },
      legend: { data: t.labels || [], top: 0 },
      xAxis: { type: "category", data: t.months || [] },
      yAxis: { type: "value" },
      series: [
        { name: (t.labels || [])[0], type: "line", data: t.this_year || [], itemStyle: { color: "#b3261e" } },
        { name: (t.labels || [])[1], type: "line", data: t.last_year || [], lineStyle: { type: "dashed" }, itemStyle: { color: "#8a96a3" } }
      ]
    }, true);
  }

  function showDetail(region) {
    var box = document.getElementById("map-detail");
    if (!box || !region) { return; }
    box.textContent = "";
    var name = document.createElement("strong"); name.textContent = region.cname + "："; box.appendChild(name);
    box.appendChild(document.createTextNode(region.label + " "));
    if (region.url) {
      var link = document.createElement("a"); link.href = region.url; link.id = "map-detail-link";
      link.textContent = region.score ? "得分明细" : "数据"; box.appendChild(link);
      box.appendChild(document.createTextNode(" · "));
    }
    var page = document.createElement("a"); page.href = holder.dataset.unitPage.replace("UNITCODE", region.name);
    page.textContent = "单位驾驶舱"; box.appendChild(page);
  }

  function load(code) {
    return fetchJson(dataUrl(code)).then(function (data) {
      state.data = data; state.code = code; state.metric = data.metric;
      fillMetrics(data);
      text("map-title", data.unit.name + " · " + data.metric_label);
      text("ranking-title", "排名 · " + data.metric_label);
      var back = document.getElementById("map-back");
      if (back) { back.hidden = code === root; }
      drawRanking(data); drawTrend(data);
      return ensureMap(data.map).then(function (ok) { if (ok) { drawMap(data); } holder.dataset.ready = code; });
    });
  }

  function select(code) {
    var region = (state.data ? state.data.regions : []).filter(function (r) { return r.code === code; })[0];
    if (!region) { return Promise.resolve(); }
    var shown = { cname: region.name, label: region.label, url: region.score_url, name: region.code, score: state.metric === "score" };
    if (region.drill && state.code === root && mapUrls[code]) {
      return load(code).then(function () { showDetail(shown); });
    }
    showDetail(shown);
    return Promise.resolve();
  }

  if (charts.map) {
    charts.map.on("click", function (p) { if (p.data) { select(p.data.name); } });
  }
  var metric = document.getElementById("metric-select");
  if (metric) { metric.addEventListener("change", function () { state.metric = metric.value; load(state.code); }); }
  var back = document.getElementById("map-back");
  if (back) { back.addEventListener("click", function () { load(root); }); }
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { if (charts[k]) { charts[k].resize(); } }); });
  window.KaifangCockpit = { charts: charts, select: select, load: load, state: state };
  load(root).catch(function (err) { text("map-detail", "数据加载失败：" + err.message); });
})();
