// Reporting pages: checks as you type on the entry form, and the progress bar of an import.
// No inline scripts: everything hangs off data attributes.
(function () {
  "use strict";

  var NUMBER = /^-?\d+(\.\d+)?$/;

  function localProblem(input) {
    var text = input.value.replace(/[,，\s]/g, "");
    if (text === "") { return ""; }
    var name = input.dataset.name;
    if (!NUMBER.test(text)) { return name + "：“" + input.value.slice(0, 20) + "”不是数字。"; }
    var decimals = parseInt(input.dataset.decimals || "4", 10);
    var fraction = text.split(".")[1] || "";
    if (fraction.replace(/0+$/, "").length > decimals) { return name + "：最多保留 " + decimals + " 位小数。"; }
    if (input.dataset.min !== "" && parseFloat(text) < parseFloat(input.dataset.min)) { return name + "：不能为负数。"; }
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
      if (locals[code]) { box.appendChild(paragraph("error", "错误：" + locals[code])); hasError = true; }
      list.forEach(function (f) {
        if (locals[code] && (f.rule === "type" || f.rule === "decimals" || f.rule === "range")) { return; }
        var cls = f.severity + (f.explained ? " explained" : "");
        box.appendChild(paragraph(cls, (f.severity === "error" ? "错误：" : "提醒：") + f.message));
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
        ? "有 " + errors + " 项错误须改正，" + pending + " 项提醒须填写说明。"
        : "校验通过，可以提交。";
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

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("entry-form");
    if (form && form.querySelector("input.figure")) { setupEntry(form); }
    var box = document.getElementById("import-progress");
    if (box) { setupProgress(box); }
  });
})();
