// The cockpit (驾驶舱): choropleth map, ranking bars and the year-on-year trend. Clicking a region
// opens that region's own cockpit (every panel — cards, 督办事项, warnings, ranking, trend — follows
// it; the breadcrumb above leads back).
// Data comes from the JSON endpoint named in #cockpit's data attributes; map outlines are our own
// static GeoJSON files (no CDN). No inline scripts: this file is loaded with `defer`.
(function () {
  "use strict";
  var holder = document.getElementById("cockpit");
  if (!holder || typeof echarts === "undefined") { return; }
  var mapUrls = JSON.parse(document.getElementById("map-urls").textContent || "{}");
  var messagesEl = document.getElementById("cockpit-messages");
  var MSG = JSON.parse((messagesEl && messagesEl.textContent) || "{}");
  // A partial figure (n/m 已报) is hatched and a unit with no figure (未报) is grey with the word on
  // it: the map never says "incomplete" by colour alone, and never leaves a region white.
  var HATCH = { symbol: "rect", symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4, color: "rgba(40,40,40,.45)" };
  var MISSING_COLOR = "#c4cbd3";
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

  function escapeHtml(value) {
    return String(value).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function regionItem(r) {
    var item = { name: r.code, value: r.value, cname: r.name, short: r.name.replace(/(市|区|县)$/, ""), label: r.label,
      url: r.score_url, drill: r.drill, status: r.status, coverage: r.coverage };
    if (r.status === "missing" || (r.value === null && r.status !== "outside")) {
      item.value = null; item.status = "missing";
      item.itemStyle = { areaColor: MISSING_COLOR, decal: { symbol: "circle", symbolSize: 0.4, dashArrayX: [[6, 6]], dashArrayY: [6, 6], color: "rgba(80,90,100,.35)" } };
    } else if (r.status === "partial") {
      item.itemStyle = { decal: HATCH, borderType: "dashed", borderColor: "#5c4700", borderWidth: 1.5 };
    }
    return item;
  }

  function regionText(d) {
    if (d.status === "missing") { return d.short + "\n" + MSG.missing; }
    if (d.status === "partial") { return d.short + "\n" + (d.coverage || MSG.partial).split(" ")[0]; }
    return d.short;
  }

  function drawMap(data) {
    if (!charts.map) { return; }
    var values = data.regions.map(function (r) { return r.value; }).filter(function (v) { return v !== null; });
    var low = values.length ? Math.min.apply(null, values) : 0;
    var high = values.length ? Math.max.apply(null, values) : 1;
    var marked = data.regions.some(function (r) { return r.status === "partial" || r.status === "missing" || r.value === null; });
    charts.map.setOption({
      aria: { enabled: true, decal: { show: false } },
      tooltip: { trigger: "item", formatter: function (p) { return p.data ? escapeHtml(p.data.cname) + "<br>" + escapeHtml(p.data.label) : escapeHtml(p.name); } },
      visualMap: { min: Math.floor(low), max: Math.ceil(high === low ? low + 1 : high), left: 8, bottom: 8, calculable: true,
        text: [MSG.high, MSG.low], inRange: { color: ["#fdecea", "#f28b82", "#b3261e"] }, itemHeight: 90 },
      graphic: marked ? [{ type: "text", right: 8, bottom: 8, style: { text: MSG.legend_partial + "\n" + MSG.legend_missing, fill: "#4a5560", fontSize: 11, lineHeight: 16, align: "right" } }] : [],
      series: [{ type: "map", map: data.map, nameProperty: "code", roam: false, selectedMode: "single",
        itemStyle: { areaColor: MISSING_COLOR },
        label: { show: true, fontSize: 10, formatter: function (p) { return p.data ? regionText(p.data) : ""; } },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#ffd54f" } },
        data: data.regions.map(regionItem) }]
    }, true);
  }

  function drawRanking(data) {
    if (!charts.ranking) { return; }
    // Ranked units first; units with no figure follow, unranked, labelled 未报 (never dropped).
    var rows = data.ranking.slice().reverse();
    charts.ranking.setOption({
      grid: { left: 84, right: 92, top: 8, bottom: 34 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) {
        var d = ps[0].data; return escapeHtml(ps[0].name) + (MSG.sep || "：") + (d.none ? "" : d.value + " ") + escapeHtml(d.text || "");
      } },
      xAxis: { type: "value", name: data.value_name, nameLocation: "middle", nameGap: 20 },
      yAxis: { type: "category", data: rows.map(function (r) { return (r.rank ? r.rank + ". " : "— ") + r.name; }), axisLabel: { fontSize: 10, interval: 0 } },
      series: [{ type: "bar", itemStyle: { color: "#b3261e" },
        data: rows.map(function (r) {
          var item = { value: r.value, text: r.text, coverage: r.coverage, status: r.status, none: r.value === null, code: r.code };
          if (item.none) { item.value = 0; item.itemStyle = { color: MISSING_COLOR }; }
          else if (r.status === "partial") { item.itemStyle = { color: "#b3261e", decal: HATCH }; }
          return item;
        }),
        label: { show: true, position: "right", fontSize: 10, formatter: function (p) {
          if (p.data.none) { return p.data.text; }
          return p.value + (p.data.status === "partial" ? (MSG.open || "（") + p.data.coverage + (MSG.close || "）") : "");
        } } }]
    }, true);
  }

  function drawTrend(data) {
    var t = data.trend || {};
    var title = data.unit.name + " · " + MSG.trend;
    text("trend-title", t.indicator ? title + " · " + t.indicator : title);
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
    var name = document.createElement("strong"); name.textContent = region.cname + (MSG.sep || "："); box.appendChild(name);
    box.appendChild(document.createTextNode(region.label + " "));
    if (region.url) {
      var link = document.createElement("a"); link.href = region.url; link.id = "map-detail-link";
      link.textContent = region.score ? MSG.score_detail : MSG.data; box.appendChild(link);
      box.appendChild(document.createTextNode(" · "));
    }
    var page = document.createElement("a"); page.href = unitPage(region.name);
    page.textContent = MSG.unit_page; box.appendChild(page);
  }

  function load(code) {
    return fetchJson(dataUrl(code)).then(function (data) {
      state.data = data; state.code = code; state.metric = data.metric;
      fillMetrics(data);
      text("map-title", data.unit.name + " · " + data.metric_label);
      text("ranking-title", MSG.ranking + " · " + data.metric_label);
      drawRanking(data); drawTrend(data);
      return ensureMap(data.map).then(function (ok) { if (ok) { drawMap(data); } holder.dataset.ready = code; });
    });
  }

  function unitPage(code) {
    return holder.dataset.unitPage.replace("UNITCODE", encodeURIComponent(code)) + "?period=" + encodeURIComponent(state.period);
  }

  // Drill down: the region's own cockpit, where every panel is about it.
  function select(code) {
    var region = (state.data ? state.data.regions : []).filter(function (r) { return r.code === code; })[0];
    if (!region) { return Promise.resolve(); }
    showDetail({ cname: region.name, label: region.label, url: region.score_url, name: region.code, score: state.metric === "score" });
    window.location.assign(unitPage(code));
    return Promise.resolve();
  }

  if (charts.map) {
    charts.map.on("click", function (p) { if (p.data) { select(p.data.name); } });
  }
  if (charts.ranking) {
    charts.ranking.on("click", function (p) { if (p.data && p.data.code) { select(p.data.code); } });
  }
  var metric = document.getElementById("metric-select");
  if (metric) { metric.addEventListener("change", function () { state.metric = metric.value; load(state.code); }); }
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { if (charts[k]) { charts[k].resize(); } }); });
  window.KaifangCockpit = { charts: charts, select: select, load: load, state: state };
  load(root).catch(function (err) { text("map-detail", MSG.failed + err.message); });
})();
