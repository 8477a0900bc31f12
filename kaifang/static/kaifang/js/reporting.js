// Reporting pages: checks, 同比 and 完成率 as you type on the entry form, and the progress bar of an
// import. No inline scripts: everything hangs off data attributes. Strings go through Django's
// JavaScript catalogue (window.gettext) when the page loads it.
(function () {
  "use strict";

  var NUMBER = /^-?\d+(\.\d+)?$/;
  var t = window.gettext || function (s) { return s; };
  function fmt(template, values) {
    return window.interpolate ? window.interpolate(t(template), values, true)
      : template.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }

  function percent(ratio, signed) {
    var text = (Math.round(ratio * 1000) / 10).toFixed(1) + "%";
    return signed && ratio >= 0 ? "+" + text : text;
  }

  // 同比 = (typed − same month last year) / |last year|; 完成率 = year to date / annual target.
  function updateLive(input) {
    var code = input.dataset.code;
    var text = input.value.replace(/[,，\s]/g, "");
    var value = NUMBER.test(text) ? parseFloat(text) : null;
    var yoy = document.getElementById("yoy-" + code);
    if (yoy) {
      var base = yoy.dataset.lastYear === "" ? null : parseFloat(yoy.dataset.lastYear);
      yoy.textContent = value === null || base === null || base === 0 ? t("不可比") : percent((value - base) / Math.abs(base), true);
      yoy.classList.add("updated");
    }
    var done = document.getElementById("done-" + code);
    if (done && done.dataset.target !== "") {
      var target = parseFloat(done.dataset.target);
      var ytdBase = done.dataset.ytdBase === "" ? null : parseFloat(done.dataset.ytdBase);
      done.textContent = value === null || ytdBase === null || target === 0 ? t("不可比") : percent((ytdBase + value) / target, false);
      done.classList.add("updated");
    }
  }

  function localProblem(input) {
    var text = input.value.replace(/[,，\s]/g, "");
    if (text === "") { return ""; }
    var name = input.dataset.name;
    if (!NUMBER.test(text)) { return fmt("%(name)s：“%(text)s”不是数字。", { name: name, text: input.value.slice(0, 20) }); }
    var decimals = parseInt(input.dataset.decimals || "4", 10);
    var fraction = text.split(".")[1] || "";
    if (fraction.replace(/0+$/, "").length > decimals) { return fmt("%(name)s：最多保留 %(n)s 位小数。", { name: name, n: decimals }); }
    if (input.dataset.min !== "" && parseFloat(text) < parseFloat(input.dataset.min)) { return fmt("%(name)s：不能为负数。", { name: name }); }
    return "";
  }

  function paragraph(cls, text) {
    var p = document.createElement("p");
    p.className = "finding " + cls;
    p.textContent = text;
    return p;
  }

  function render(form, findings, locals) {
    var byCode = {};
    findings.forEach(function (f) { (byCode[f.indicator] = byCode[f.indicator] || []).push(f); });
    var errors = 0, pending = 0;
    form.querySelectorAll("tbody.indicator").forEach(function (body) {
      var code = body.dataset.code;
      var box = document.getElementById("f-" + code);
      var row = document.getElementById("x-" + code);
      if (!box || !row) { return; }
      box.querySelectorAll(".finding:not(.conflict)").forEach(function (p) { p.remove(); });
      var list = byCode[code] || [];
      var hasError = false, hasWarning = false;
      if (locals[code]) { box.appendChild(paragraph("error", t("错误：") + locals[code])); hasError = true; }
      list.forEach(function (f) {
        if (locals[code] && (f.rule === "type" || f.rule === "decimals" || f.rule === "range")) { return; }
        var cls = f.severity + (f.explained ? " explained" : "");
        var lead = f.severity === "error" ? t("错误：") : (f.explained ? t("提醒（已说明）：") : t("提醒："));
        box.appendChild(paragraph(cls, lead + f.message));
        if (f.severity === "error") { hasError = true; } else if (!f.explained) { hasWarning = true; }
        if (f.severity === "warning" && !f.explained) { pending += 1; }
      });
      if (hasError) { errors += 1; }
      body.classList.toggle("has-error", hasError);
      body.classList.toggle("has-warning", hasWarning);
      var textarea = row.querySelector("textarea");
      var keep = list.length > 0 || hasError || box.querySelector(".conflict") || (textarea && textarea.value.trim() !== "");
      row.hidden = !keep;
    });
    var summary = document.getElementById("check-summary");
    if (summary) {
      summary.textContent = errors || pending
        ? fmt("有 %(errors)s 项错误须改正，%(pending)s 项提醒须填写说明。", { errors: errors, pending: pending })
        : t("校验通过，可以提交。");
    }
  }

  function setupEntry(form) {
    var timer = null, sequence = 0;
    function locals() {
      var out = {};
      form.querySelectorAll("input.figure").forEach(function (input) {
        var problem = localProblem(input);
        input.classList.toggle("invalid", problem !== "");
        if (problem) { out[input.dataset.code] = problem; }
      });
      return out;
    }
    function check() {
      var mine = ++sequence;
      var data = new FormData();
      form.querySelectorAll("input.figure, textarea[name^=c_], input[name^=ver_], input[name=csrfmiddlewaretoken]").forEach(function (el) {
        data.append(el.name, el.value);
      });
      var local = locals();
      fetch(form.dataset.checkUrl, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.json() : { findings: [] }; })
        .then(function (json) { if (mine === sequence) { render(form, json.findings || [], local); } })
        .catch(function () { render(form, [], local); });
    }
    function schedule() { window.clearTimeout(timer); timer = window.setTimeout(check, 350); }
    form.addEventListener("input", function (event) {
      if (event.target.matches("input.figure")) {
        updateLive(event.target);
        render(form, [], locals());
        schedule();
      } else if (event.target.matches("textarea")) {
        schedule();
      }
    });
    form.addEventListener("change", function (event) { if (event.target.matches("input.figure, textarea")) { check(); } });
  }

  function setupProgress(box) {
    var bar = box.querySelector("progress"), label = box.querySelector(".progress-text");
    function poll() {
      fetch(box.dataset.progressUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (json) {
          bar.value = json.progress; label.textContent = json.progress + "%";
          if (["pending", "checking", "applying"].indexOf(json.status) === -1) { window.location.reload(); }
          else { window.setTimeout(poll, 800); }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    window.setTimeout(poll, 500);
  }

  // The approval queue: tick all awaiting approval / all not in, a live count of ticked units.
  function setupQueue(form) {
    var ticks = form.querySelectorAll("input.unit-tick");
    var count = document.getElementById("tick-count");
    function recount() {
      var n = form.querySelectorAll("input.unit-tick:checked").length;
      if (count) { count.textContent = fmt("已选 %(n)s 个单位", { n: n }); }
    }
    form.querySelectorAll("input[data-tick]").forEach(function (all) {
      all.addEventListener("change", function () {
        ticks.forEach(function (tick) {
          var match = all.dataset.tick === "urge" ? tick.dataset.urge === "1" : tick.dataset.status === all.dataset.tick;
          if (match) { tick.checked = all.checked; }
        });
        recount();
      });
    });
    form.addEventListener("change", function (event) { if (event.target.matches("input.unit-tick")) { recount(); } });
    recount();
    var errors = document.getElementById("queue-errors");
    if (errors) { errors.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var queue = document.getElementById("queue-form");
    if (queue) { setupQueue(queue); }
    var form = document.getElementById("entry-form");
    if (form && form.querySelector("input.figure")) { setupEntry(form); }
    var box = document.getElementById("import-progress");
    if (box) { setupProgress(box); }
  });
})();
