// Every cockpit chart has a text twin: a table one click away (and always in print), with the map's
// regions as buttons so the map is drilled by keyboard; ECharts' own aria description is on, and the
// map detail is read out when it changes. Works beside dashboards.js through window.KaifangCockpit
// and the #cockpit[data-ready] flag it sets after each load; it never redraws a chart itself.
(function () {
  "use strict";
  var holder = document.getElementById("cockpit");
  if (!holder) { return; }
  var _ = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (fmt, args) { return fmt.replace(/%s/g, function () { return args.shift(); }); };
  var root = holder.dataset.root;
  var detail = document.getElementById("map-detail");
  if (detail) { detail.setAttribute("role", "status"); detail.setAttribute("aria-live", "polite"); }
  var twins = {};
  // A region's button opens that unit's cockpit (a new page): where focus goes after it loads is
  // carried across in the session, so a keyboard user lands back in the map's table.
  var FOCUS_KEY = "kf-focus-after-load";
  var focusAfterLoad = null;
  try { focusAfterLoad = window.sessionStorage.getItem(FOCUS_KEY); window.sessionStorage.removeItem(FOCUS_KEY); } catch (e) { focusAfterLoad = null; }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function show(value) { return value === null || value === undefined || value === "" ? "—" : value; }

  // A toggle button in the card's head and an (initially closed) twin box after the chart.
  function twinFor(id) {
    if (twins[id]) { return twins[id]; }
    var chart = document.getElementById(id);
    if (!chart) { return null; }
    var card = chart.closest(".card");
    var box = el("div", { id: id + "-table", "class": "chart-twin twin-closed" });
    chart.parentNode.insertBefore(box, chart.nextSibling);
    var button = el("button", { type: "button", "class": "linkish chart-twin-toggle", "aria-expanded": "false", "aria-controls": box.id }, _("以表格查看"));
    button.addEventListener("click", function () {
      var open = box.classList.toggle("twin-closed") === false;
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? _("收起表格") : _("以表格查看");
    });
    var head = card && card.querySelector(".card-head");
    if (head) { head.appendChild(button); } else { box.parentNode.insertBefore(button, box); }
    twins[id] = { box: box, button: button };
    return twins[id];
  }

  function fillTable(twin, caption, headers, rows) {
    twin.box.textContent = "";
    var table = el("table", { "class": "table compact" });
    var cap = el("caption", { tabindex: "-1" }, caption);
    table.appendChild(cap);
    var thead = el("thead"), tr = el("tr");
    headers.forEach(function (h, i) { tr.appendChild(el("th", { scope: "col", "class": i > 0 && h.num ? "num" : "" }, h.text)); });
    thead.appendChild(tr); table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (cells) {
      var row = el("tr");
      cells.forEach(function (cell, i) {
        var td = el(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : { "class": headers[i].num ? "num" : "" });
        if (cell && cell.nodeType) { td.appendChild(cell); } else { td.textContent = show(cell); }
        row.appendChild(td);
      });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    twin.box.appendChild(table);
    return cap;
  }

  function mapTwin(data, cockpit) {
    var twin = twinFor("map");
    if (!twin) { return null; }
    var drillable = data.unit && data.unit.code === root;
    var rows = data.regions.map(function (r) {
      var name = r.name;
      var drill = drillable && r.drill;
      var button = el("button", { type: "button", "class": "linkish region-button", "data-code": r.code },
        drill ? interpolate(_("下钻到%s"), [name]) : interpolate(_("查看%s"), [name]));
      button.addEventListener("click", function () {
        focusAfterLoad = "map";
        try { window.sessionStorage.setItem(FOCUS_KEY, "map"); } catch (e) { /* focus simply stays put */ }
        cockpit.select(r.code);
      });
      var state = r.status === "missing" ? _("未报") : (r.status === "partial" ? (r.coverage || _("不完整")) : "");
      return [name, r.label, state, button];
    });
    var caption = interpolate(_("%s · %s（表格）"), [data.unit.name, data.metric_label]);
    return fillTable(twin, caption, [{ text: _("地区") }, { text: data.metric_label }, { text: _("口径") }, { text: _("操作") }], rows);
  }

  function rankingTwin(data) {
    var twin = twinFor("ranking");
    if (!twin) { return; }
    var rows = data.ranking.map(function (r) {
      return [r.name, r.rank ? r.rank : "—", r.value === null ? (r.text || _("未报")) : r.value, r.status === "partial" ? r.coverage : (r.text || "")];
    });
    fillTable(twin, interpolate(_("排名 · %s（表格）"), [data.metric_label]),
      [{ text: _("单位") }, { text: _("名次"), num: true }, { text: data.value_name || data.metric_label, num: true }, { text: _("说明") }], rows);
  }

  function trendTwin(data) {
    var twin = twinFor("trend");
    var t = data.trend || {};
    if (!twin) { return; }
    var labels = t.labels || [_("本年"), _("上年")];
    var rows = (t.months || []).map(function (m, i) { return [m, show((t.this_year || [])[i]), show((t.last_year || [])[i])]; });
    fillTable(twin, (t.indicator ? t.indicator + " · " : "") + _("与上年对比（表格）"),
      [{ text: _("月份") }, { text: labels[0], num: true }, { text: labels[1], num: true }], rows);
  }

  // ECharts' aria module describes each chart in words (its container gets an aria-label).
  // The description is written from the same data as the tables, with names rather than codes.
  function describeCharts(cockpit, data) {
    var names = { ranking: document.getElementById("ranking-title"), trend: document.getElementById("trend-title"), map: document.getElementById("map-title") };
    var t = data.trend || {};
    var lists = {
      map: (data.regions || []).map(function (r) { return r.name + " " + r.label; }),
      ranking: (data.ranking || []).map(function (r) { return (r.rank ? r.rank + ". " : "") + r.name + " " + (r.value === null ? (r.text || _("未报")) : r.value); }),
      trend: (t.months || []).map(function (m, i) { return m + " " + show((t.this_year || [])[i]) + " / " + show((t.last_year || [])[i]); })
    };
    Object.keys(cockpit.charts || {}).forEach(function (key) {
      var chart = cockpit.charts[key];
      if (!chart) { return; }
      var title = names[key] ? names[key].textContent.trim() : "";
      var extra = key === "trend" && t.labels ? "（" + t.labels.join(" / ") + "）" : "";
      chart.setOption({ aria: { enabled: true, label: { description: title + extra + "：" + (lists[key] || []).join("；") + "。" } } });
      chart.getDom().setAttribute("role", "img");
    });
  }

  function refresh() {
    var cockpit = window.KaifangCockpit;
    if (!cockpit || !cockpit.state || !cockpit.state.data) { return; }
    var data = cockpit.state.data;
    var caption = null;
    if (data.regions) { caption = mapTwin(data, cockpit); }
    if (data.ranking) { rankingTwin(data); }
    trendTwin(data);
    describeCharts(cockpit, data);
    if (focusAfterLoad === "map" && caption) {
      focusAfterLoad = null;
      twins.map.box.classList.remove("twin-closed");
      twins.map.button.setAttribute("aria-expanded", "true");
      twins.map.button.textContent = _("收起表格");
      caption.focus();
    }
  }

  new MutationObserver(refresh).observe(holder, { attributes: true, attributeFilter: ["data-ready"] });
  if (holder.dataset.ready) { refresh(); }
})();
