// The unit picker (kaifang.orgs.forms.UnitPicker / UnitMultiPicker). The server renders a native
// <select> grouped by city and a JSON block with every unit's label, city, pinyin initials and code,
// the unit groups and the interface texts (translated on the server). This script hides the select
// and offers a type-ahead over it; the select stays the form's value, so submitting is unchanged.
// Keyboard: ↓/↑ move, Enter or Space ticks, Esc closes, Backspace in an empty box removes the last.
(function () {
  "use strict";
  var counter = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function matches(entry, query) {
    if (!query) { return true; }
    var q = query.toLowerCase().replace(/\s+/g, "");
    if (entry.label.indexOf(query.trim()) >= 0 || entry.group.indexOf(query.trim()) >= 0) { return true; }
    if (entry.code.toLowerCase().indexOf(q) === 0) { return true; }
    return (entry.initials || "").split(" ").some(function (v) { return v && v.indexOf(q) === 0; });
  }

  function enhance(root) {
    var select = root.querySelector("select.unit-picker-native");
    var dataNode = document.getElementById(root.dataset.units);
    if (!select || !dataNode || root.dataset.ready) { return; }
    root.dataset.ready = "1";
    var data = JSON.parse(dataNode.textContent);
    var texts = data.texts, multiple = select.multiple, id = "up" + (++counter);
    var optionOf = {};
    Array.prototype.forEach.call(select.options, function (o) { optionOf[o.value] = o; });
    var entryOf = {};
    data.entries.forEach(function (e) { entryOf[e.value] = e; });

    var chips = el("ul", "up-chips");
    chips.setAttribute("aria-live", "polite");
    var input = el("input", "up-search");
    input.type = "search";
    input.placeholder = texts.search;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("enterkeyhint", "done");
    var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;
    var labelledBy = root.closest("label") || label;
    if (select.getAttribute("aria-label")) { input.setAttribute("aria-label", select.getAttribute("aria-label")); }
    else if (labelledBy) { input.setAttribute("aria-label", labelledBy.textContent.trim().split("\n")[0]); }
    var status = el("span", "up-status");
    status.setAttribute("aria-live", "polite");
    var panel = el("div", "up-panel");
    panel.hidden = true;
    var list = el("div", "up-list");
    list.id = id + "-list";
    list.setAttribute("role", "listbox");
    if (multiple) { list.setAttribute("aria-multiselectable", "true"); }
    var groupBar = null;
    if (multiple && data.groups.length) {
      groupBar = el("div", "up-groups");
      groupBar.appendChild(el("span", "up-groups-label", texts.groups + "："));
      data.groups.forEach(function (g) {
        var b = el("button", "up-group", g.name + "（" + g.values.length + "）");
        b.type = "button";
        b.addEventListener("click", function () { g.values.forEach(function (v) { set(v, true); }); sync(); input.focus(); });
        groupBar.appendChild(b);
      });
    }
    if (groupBar) { panel.appendChild(groupBar); }
    panel.appendChild(list);
    var box = el("div", "up-box");
    box.appendChild(chips);
    box.appendChild(input);
    root.appendChild(box);
    root.appendChild(status);
    root.appendChild(panel);
    root.classList.add("enhanced");

    var visible = [], active = -1;

    function set(value, on) {
      var option = optionOf[value];
      if (!option) { return; }
      if (!multiple && on) { Array.prototype.forEach.call(select.options, function (o) { o.selected = false; }); }
      option.selected = on;
    }

    function chosen() {
      return Array.prototype.filter.call(select.options, function (o) { return o.selected && o.value; });
    }

    function sync() {
      chips.textContent = "";
      chosen().forEach(function (o) {
        var entry = entryOf[o.value];
        var li = el("li", "up-chip");
        li.appendChild(el("span", "", entry ? entry.label : o.textContent));
        var x = el("button", "up-remove", "×");
        x.type = "button";
        x.setAttribute("aria-label", texts.remove + " " + (entry ? entry.label : o.textContent));
        x.addEventListener("click", function () { set(o.value, false); sync(); input.focus(); });
        li.appendChild(x);
        chips.appendChild(li);
      });
      if (!chosen().length && !multiple) { chips.appendChild(el("li", "up-empty", texts.empty)); }
      select.dispatchEvent(new Event("change", { bubbles: true }));
      render();
    }

    function render() {
      var query = input.value;
      list.textContent = "";
      visible = [];
      var groups = {}, order = [];
      data.entries.forEach(function (e) {
        if (!matches(e, query)) { return; }
        if (!groups[e.group]) { groups[e.group] = []; order.push(e.group); }
        groups[e.group].push(e);
      });
      order.forEach(function (name, gi) {
        var section = el("div", "up-section");
        section.setAttribute("role", "group");
        var head = el("div", "up-head");
        var title = el("span", "up-city", name);
        title.id = id + "-g" + gi;
        section.setAttribute("aria-labelledby", title.id);
        head.appendChild(title);
        if (multiple && groups[name].length > 1) {
          var all = el("button", "up-all", texts.city);
          all.type = "button";
          all.tabIndex = -1;
          all.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
          all.addEventListener("click", function () { groups[name].forEach(function (e) { set(e.value, true); }); sync(); input.focus(); });
          head.appendChild(all);
        }
        section.appendChild(head);
        groups[name].forEach(function (e) {
          var option = el("div", "up-option");
          option.id = id + "-o" + visible.length;
          option.setAttribute("role", "option");
          var on = optionOf[e.value] && optionOf[e.value].selected;
          option.setAttribute("aria-selected", on ? "true" : "false");
          if (multiple) { option.appendChild(el("span", "up-tick" + (on ? " on" : ""), on ? "☑" : "☐")); }
          option.appendChild(el("span", "up-label", e.label));
          option.appendChild(el("span", "up-code", e.code));
          option.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
          option.addEventListener("click", function () { choose(e); });
          section.appendChild(option);
          visible.push({ entry: e, node: option });
        });
        list.appendChild(section);
      });
      if (!visible.length) { list.appendChild(el("div", "up-none", texts.none)); }
      status.textContent = query ? visible.length + " " + texts.results : "";
      if (active >= visible.length) { active = visible.length - 1; }
      highlight();
    }

    function highlight() {
      visible.forEach(function (v, i) { v.node.classList.toggle("active", i === active); });
      if (active >= 0 && visible[active]) {
        input.setAttribute("aria-activedescendant", visible[active].node.id);
        visible[active].node.scrollIntoView({ block: "nearest" });
      } else { input.removeAttribute("aria-activedescendant"); }
    }

    // By keyboard the box empties for the next name; a tap keeps the search to tick several matches.
    function choose(entry, byKeyboard) {
      var option = optionOf[entry.value];
      set(entry.value, multiple ? !option.selected : true);
      if (!multiple) { input.value = ""; close(); }
      else if (byKeyboard) { input.value = ""; active = -1; }
      sync();
      if (multiple) { input.focus(); }
    }

    function open() { panel.hidden = false; input.setAttribute("aria-expanded", "true"); render(); }
    function close() { panel.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; highlight(); }

    input.addEventListener("focus", open);
    input.addEventListener("input", function () { active = visible.length ? 0 : -1; open(); active = visible.length ? 0 : -1; highlight(); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); if (panel.hidden) { open(); } active = Math.min(active + 1, visible.length - 1); highlight(); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); active = Math.max(active - 1, 0); highlight(); }
      else if ((ev.key === "Enter" || (ev.key === " " && active >= 0 && !input.value)) && !panel.hidden && visible[active]) { ev.preventDefault(); choose(visible[active].entry, true); }
      else if (ev.key === "Enter" && !panel.hidden) { ev.preventDefault(); }
      else if (ev.key === "Escape") { if (!panel.hidden) { ev.preventDefault(); close(); } }
      else if (ev.key === "Backspace" && !input.value) { var last = chosen().pop(); if (last) { set(last.value, false); sync(); } }
    });
    root.addEventListener("focusout", function (ev) { if (!root.contains(ev.relatedTarget)) { close(); } });
    sync();
  }

  function start() { document.querySelectorAll(".unit-picker").forEach(enhance); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
