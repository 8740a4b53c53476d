// Area pickers (input[data-area-picker], templates/_area_picker.html): a combo box with list
// autocomplete (WAI-ARIA 1.2 pattern). Typing asks the site itself (/suche/gebiet.json, never a
// third party) for up to ten areas; arrow keys move through them, Enter or a click takes one
// ("Name (key)", which the server reads back), Escape closes the list. The field stays a plain
// text box the server resolves, so the form works without this script too.
(function () {
  "use strict";
  var status = document.querySelector(".area-picker-status");

  function announce(text) {
    if (status) { status.textContent = text; }
  }

  function detail(hit) {
    var parts = [hit.kind];
    if (hit.kreis && hit.kreis !== hit.name) { parts.push(hit.kreis); }
    if (hit.land && hit.land !== hit.name) { parts.push(hit.land); }
    parts.push(hit.ags);
    return parts.join(", ");
  }

  function setup(input, n) {
    var url = input.getAttribute("data-area-picker");
    var list = document.createElement("ul");
    var hits = [];
    var active = -1;
    var timer = null;
    var asked = "";
    list.id = input.id + "-liste";
    list.className = "area-picker-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent : "");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.removeAttribute("list"); // the browser's own list of Kommunen would cover ours
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(i) {
      var items = list.querySelectorAll("[role=option]");
      active = i;
      items.forEach(function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(i) {
      var hit = hits[i];
      if (!hit) { return; }
      input.value = hit.label;
      close();
      announce(hit.label);
      input.dispatchEvent(new CustomEvent("area-picked", { bubbles: true, detail: hit }));
    }

    function show(found) {
      hits = found;
      list.textContent = "";
      found.forEach(function (hit, k) {
        var li = document.createElement("li");
        var small = document.createElement("span");
        li.id = input.id + "-opt-" + k;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = hit.name + " ";
        small.className = "area-picker-detail";
        small.textContent = "(" + detail(hit) + ")";
        li.appendChild(small);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(k); });
        list.appendChild(li);
      });
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
        announce(found.length === 1 ? input.getAttribute("data-count-one")
          : input.getAttribute("data-count").replace("{n}", String(found.length)));
      } else {
        close();
        announce(input.getAttribute("data-none"));
      }
    }

    function ask() {
      var q = input.value.trim();
      if (q.length < 2) { hits = []; close(); return; }
      if (q === asked) { show(hits); return; }
      asked = q;
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { q: q, hits: [] }; })
        .then(function (body) { if (q === input.value.trim()) { show(body.hits || []); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (!open) { ask(); return; }
        highlight(Math.min(active + 1, hits.length - 1));
      } else if (e.key === "ArrowUp") {
        if (open) { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      } else if (e.key === "Enter") {
        if (open && active >= 0) { e.preventDefault(); choose(active); }
      } else if (e.key === "Escape") {
        if (open) { e.preventDefault(); close(); }
      } else if (e.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.querySelectorAll("input[data-area-picker]").forEach(setup);
})();
