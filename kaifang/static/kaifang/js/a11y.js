// Accessibility for every page (GB/T 37668 / WCAG 2.1 AA, 适老化): the "大字" switch, error summaries
// a screen reader announces and that lead to the fields, explanations reachable by keyboard,
// scrollable tables reachable by keyboard. Strings come from Django's JavaScript catalogue.
(function () {
  "use strict";
  var _ = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (fmt, args) { return fmt.replace(/%s/g, function () { return args.shift(); }); };

  // One polite live region for the page: short messages read once, whatever is revealed or hidden.
  var announcer = document.createElement("div");
  announcer.id = "a11y-announcer";
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  document.body.appendChild(announcer);
  var announceTimer = null;
  function announce(message) {
    window.clearTimeout(announceTimer);
    announcer.textContent = "";
    announceTimer = window.setTimeout(function () { announcer.textContent = message; }, 60);
  }

  // 大字: flip in place (a typed form survives) and remember it in the same cookie the server reads.
  var sizeForm = document.getElementById("textsize-form");
  if (sizeForm) {
    sizeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      event.stopPropagation(); // not a real submission: the shell's double-submit guard stays out of it
      var button = sizeForm.querySelector("button");
      var large = !document.documentElement.classList.contains("large-text");
      document.documentElement.classList.toggle("large-text", large);
      document.cookie = "kaifang_text=" + (large ? "large" : "normal") + "; path=/; max-age=" + (large ? 31536000 : 0) + "; SameSite=Lax";
      button.setAttribute("aria-pressed", large ? "true" : "false");
      button.value = large ? "normal" : "large";
      window.dispatchEvent(new Event("resize")); // charts redraw at the new size
      announce(large ? _("已切换为大字") : _("已恢复标准字号"));
    });
  }

  function labelOf(field) {
    var text = "";
    if (field.id) {
      var label = document.querySelector("label[for='" + field.id + "']");
      if (label) { text = label.textContent; }
    }
    if (!text && field.closest("label")) { text = field.closest("label").textContent; }
    if (!text) { text = field.getAttribute("aria-label") || field.dataset.name || field.name || ""; }
    return text.replace(/\s+/g, " ").trim();
  }

  function problemOf(field) {
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/);
    for (var i = 0; i < ids.length; i += 1) {
      var box = ids[i] && document.getElementById(ids[i]);
      if (box) {
        var bad = box.querySelector(".finding.error") || (box.classList.contains("errorlist") ? box : null);
        if (bad) { return bad.textContent.replace(/\s+/g, " ").trim(); }
      }
    }
    var list = field.parentElement && field.parentElement.querySelector(".errorlist");
    return list ? list.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // The reporting form: a figure is invalid when it or its block says so (local or server check).
  function markFigures(form) {
    form.querySelectorAll("input.figure").forEach(function (input) {
      var body = input.closest("tbody");
      var bad = input.classList.contains("invalid") || (body && (body.classList.contains("has-error") || !!body.querySelector(".finding.error")));
      if (bad) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    });
  }

  // After the server refused a form: the summary is an alert, takes the focus and links to each field.
  function errorSummary() {
    var main = document.getElementById("main");
    if (!main) { return; }
    var summary = main.querySelector("[data-error-summary], .errors, .msg-error");
    var fields = Array.prototype.slice.call(main.querySelectorAll("[aria-invalid=true]"));
    if (!summary && (!fields.length || document.getElementById("entry-form"))) { return; } // a draft's own findings are no refusal
    if (!summary) {
      summary = document.createElement("div");
      summary.className = "errors";
      var form = fields[0].form || fields[0].closest("form");
      (form || main).insertBefore(summary, (form || main).firstChild);
    }
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    summary.classList.add("error-summary");
    if (fields.length) {
      var heading = document.createElement("p");
      heading.className = "error-summary-head";
      heading.textContent = interpolate(_("有 %s 处需要修改："), [fields.length]);
      var list = document.createElement("ul");
      list.className = "error-links";
      fields.forEach(function (field) {
        if (!field.id) { return; }
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#" + field.id;
        var problem = problemOf(field).replace(/^[^：:]{1,6}[：:]\s*(?=\S)/, function (head) { return /错误|Error/.test(head) ? "" : head; });
        var label = labelOf(field);
        a.textContent = problem && problem.indexOf(label) === 0 ? problem : label + (problem ? "：" + problem : "");
        a.addEventListener("click", function (event) { event.preventDefault(); field.focus(); });
        li.appendChild(a);
        list.appendChild(li);
      });
      summary.appendChild(heading);
      summary.appendChild(list);
    }
    window.setTimeout(function () { summary.focus(); }, 0);
  }

  function setupEntry(form) {
    markFigures(form);
    var summary = document.getElementById("check-summary");
    if (summary) { summary.setAttribute("aria-live", "polite"); summary.setAttribute("aria-atomic", "true"); }
    // The live check rewrites findings inside rows it reveals in the same update; a region revealed
    // with its content is not read, so each new finding is read from the page's one live region.
    // It is read once the text has settled (not "14." half-typed on the way to "14.91").
    var said = {}, settle = null;
    function speakFocusedRow() {
      var active = document.activeElement;
      var body = active && active.closest && active.closest("tbody.indicator");
      if (!body) { return; }
      var box = document.getElementById("f-" + body.dataset.code);
      var text = box ? box.textContent.replace(/\s+/g, " ").trim() : "";
      if (text && said[body.dataset.code] !== text) { announce(text); }
      said[body.dataset.code] = text;
    }
    var observer = new MutationObserver(function () {
      markFigures(form);
      window.clearTimeout(settle);
      settle = window.setTimeout(speakFocusedRow, 900);
    });
    observer.observe(form, { subtree: true, childList: true, attributes: true, attributeFilter: ["class", "hidden"] });
  }

  // An explanation kept in a title attribute (light rules, formulas, coverage) stays there for the
  // mouse and for screen readers (it is the element's description); the keyboard reaches it too, and
  // on focus it is shown as text.
  function focusableTips() {
    document.querySelectorAll("main [title]").forEach(function (node) {
      var tip = node.getAttribute("title");
      if (!tip || node.closest(".chart")) { return; }
      node.dataset.tip = tip;
      node.classList.add("has-tip");
      if (!node.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
        node.classList.add("tip-static");
        node.setAttribute("tabindex", "0");
      }
    });
  }

  // A coloured dot never speaks by colour alone: a dot with no words beside it gets its word.
  function dotWords() {
    var words = { red: _("红灯"), yellow: _("黄灯"), green: _("绿灯"), grey: _("灰灯") };
    document.querySelectorAll("main .light").forEach(function (dot) {
      var match = /\blight-(red|yellow|green|grey)\b/.exec(dot.className);
      if (!match || dot.dataset.worded) { return; }
      var box = dot.parentElement;
      if (dot.getAttribute("aria-hidden") === "true" && box && box.classList.contains("lightbox") && box.textContent.trim()) { return; }
      dot.dataset.worded = "1";
      dot.setAttribute("aria-hidden", "true");
      var word = el("span", "light-word", words[match[1]]);
      dot.parentNode.insertBefore(word, dot.nextSibling);
    });
  }

  function el(tag, cls, text) { var node = document.createElement(tag); node.className = cls; node.textContent = text; return node; }

  // A table wider than its box scrolls inside it: the box takes the focus so arrow keys scroll it.
  function scrollableRegions() {
    document.querySelectorAll("main .table-scroll, main .card > table.table").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        if (box.tagName !== "TABLE") {
          box.setAttribute("role", "region");
          var heading = box.closest("section, .card");
          heading = heading && heading.querySelector("h2, h3");
          box.setAttribute("aria-label", heading ? heading.textContent.trim() : _("表格"));
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("entry-form");
    if (form) { setupEntry(form); }
    dotWords();
    focusableTips();
    errorSummary();
    scrollableRegions();
    window.addEventListener("resize", scrollableRegions);
  });
  window.KaifangA11y = { announce: announce };
})();
