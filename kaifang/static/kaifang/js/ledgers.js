/* 双招双引 statistics: the map of the 14 cities coloured by signed amount (ECharts, served locally). */
(function () {
  "use strict";
  function drawMap() {
    var el = document.getElementById("city-map");
    var dataEl = document.getElementById("city-data");
    if (!el || !dataEl || typeof window.echarts === "undefined") { return; }
    var rows = JSON.parse(dataEl.textContent);
    fetch(el.dataset.geo, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        window.echarts.registerMap("liaoning", geo);
        var byCode = {};
        rows.forEach(function (r) { byCode[r.code] = Number(r.amount_yi); });
        var data = geo.features.map(function (f) {
          return { name: f.properties.name, value: byCode[String(f.properties.code)] || 0 };
        });
        var max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
        var chart = window.echarts.init(el);
        chart.setOption({
          tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + (p.value || 0).toFixed(2) + " 亿元"; } },
          visualMap: { min: 0, max: max, left: 0, bottom: 0, text: ["高", "低"], calculable: true,
                       inRange: { color: ["#fdf1ee", "#f2a38f", "#b3261e"] } },
          series: [{ type: "map", map: "liaoning", name: el.dataset.title, roam: false, data: data,
                     label: { show: true, fontSize: 10 }, emphasis: { label: { show: true } } }]
        });
        window.addEventListener("resize", function () { chart.resize(); });
        el.dataset.ready = "1";
      });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawMap); } else { drawMap(); }
})();
