// 打印 buttons ([data-print]) open the browser's print dialog; the print stylesheet decides what
// prints. Before printing, the cockpit's charts are redrawn at the size they will print at.
(function () {
  "use strict";
  function resizeCharts() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".chart").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
  });
  window.addEventListener("afterprint", resizeCharts);
})();
