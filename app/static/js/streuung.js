// Linked brushing on the scatter page and its embed (/streuung, /embed/streuung).
// Every element of a Kommune carries data-ags: its dot (in both drawings), its map shape, its
// map label, its table row and its check box. Pointing at or focusing one highlights all of
// them (class is-hot); clicking, Enter or Space toggles the Kommune's selection (is-selected),
// which is kept in the URL (?auswahl=…) so that the address is a permalink. Without this
// script the page still works: the check boxes are a GET form.
(function () {
  "use strict";
  var root = document.querySelector("[data-streuung]");
  if (!root) { return; }
  var selected = (root.getAttribute("data-auswahl") || "").split(",").filter(Boolean);
  var status = document.getElementById("auswahl-status");

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function byAgs(ags) { return document.querySelectorAll('[data-ags="' + ags + '"]'); }
  function visible(el) { return el.getClientRects().length > 0; }

  // --- highlighting -------------------------------------------------------------------
  function outline(svg) {
    var o = svg.querySelector(".map-hot-outline");
    if (!o) {
      o = document.createElementNS("http://www.w3.org/2000/svg", "path");
      o.setAttribute("class", "map-hot-outline");
      o.setAttribute("aria-hidden", "true");
      svg.appendChild(o);
    }
    return o;
  }
  function setHot(ags, on, focus) {
    each(byAgs(ags), function (el) { el.classList.toggle("is-hot", on); });
    // The map shape's outline is drawn again on top, or its neighbours would cover it.
    each(document.querySelectorAll(".streuung-map-svg"), function (svg) {
      var o = outline(svg), shape = svg.querySelector('path[data-ags="' + ags + '"]');
      if (on && shape) {
        o.setAttribute("d", shape.getAttribute("d"));
        o.classList.toggle("is-focus", !!focus);
        o.setAttribute("data-for", ags);
      } else if (!on && o.getAttribute("data-for") === ags) {
        o.removeAttribute("d");
        o.removeAttribute("data-for");
      }
    });
  }

  // --- selection and the URL ----------------------------------------------------------
  function names() {
    var out = [];
    each(document.querySelectorAll('.auswahl-list input[name="auswahl"]'), function (box) {
      if (selected.indexOf(box.value) >= 0) { out.push(box.parentNode.textContent.trim()); }
    });
    return out;
  }
  function withAuswahl(href, value) {
    var url = new URL(href, window.location.href);
    if (value) { url.searchParams.set("auswahl", value); } else { url.searchParams.delete("auswahl"); }
    url.searchParams.delete("gruppe");
    return url;
  }
  function sync(announce) {
    selected.sort();
    var value = selected.join(",");
    each(document.querySelectorAll("[data-ags]"), function (el) {
      var on = selected.indexOf(el.getAttribute("data-ags")) >= 0;
      el.classList.toggle("is-selected", on);
      if (el.getAttribute("role") === "checkbox") { el.setAttribute("aria-checked", on ? "true" : "false"); }
    });
    each(document.querySelectorAll('.auswahl-list input[name="auswahl"]'), function (box) {
      box.checked = selected.indexOf(box.value) >= 0;
    });
    root.classList.toggle("has-auswahl", selected.length > 0);
    var here = withAuswahl(window.location.href, value);
    history.replaceState(null, "", here.pathname + here.search + here.hash);
    each(document.querySelectorAll("[data-auswahl-href]"), function (a) {
      var u = withAuswahl(a.getAttribute("href"), value);
      a.setAttribute("href", u.pathname + u.search);
    });
    each(document.querySelectorAll("[data-auswahl-value]"), function (input) {
      input.value = withAuswahl(input.value, value).href;
    });
    each(document.querySelectorAll("[data-auswahl-embed]"), function (area) {
      area.value = area.value.replace(/src="([^"]*)"/, function (_m, src) {
        return 'src="' + withAuswahl(src.replace(/&amp;/g, "&"), value).href.replace(/&/g, "&amp;") + '"';
      });
    });
    var form = document.getElementById("streuung-form");
    if (form) {
      var field = form.querySelector("[data-auswahl-field]");
      if (!field && value) {
        field = document.createElement("input");
        field.type = "hidden"; field.name = "auswahl"; field.setAttribute("data-auswahl-field", "");
        form.appendChild(field);
      }
      if (field) { field.value = value; field.disabled = !value; }
    }
    if (status && announce) {
      status.textContent = selected.length
        ? status.getAttribute("data-prefix") + " " + names().join(", ")
        : status.getAttribute("data-none");
    }
  }
  function toggle(ags) {
    var i = selected.indexOf(ags);
    if (i >= 0) { selected.splice(i, 1); } else { selected.push(ags); }
    sync(true);
  }

  // --- dots and map shapes as focusable check boxes -------------------------------------
  function centre(el) {
    var r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  }
  // The map: the nearest shape in the arrow's direction (sideways distance counts double).
  function nearest(items, from, key) {
    var a = centre(from), best = null, bestScore = Infinity;
    items.forEach(function (el) {
      if (el === from || !visible(el)) { return; }
      var b = centre(el), dx = b.x - a.x, dy = b.y - a.y;
      var along = { ArrowRight: dx, ArrowLeft: -dx, ArrowDown: dy, ArrowUp: -dy }[key];
      var across = key === "ArrowRight" || key === "ArrowLeft" ? Math.abs(dy) : Math.abs(dx);
      if (along <= 0.5) { return; }
      var score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = el; }
    });
    return best;
  }
  // The chart: left/right go along x, up/down along y (points on one spot stay reachable).
  function stepped(items, from, key) {
    var axis = key === "ArrowLeft" || key === "ArrowRight" ? "cx" : "cy";
    var sorted = items.slice().sort(function (p, q) {
      var d = parseFloat(p.getAttribute(axis)) - parseFloat(q.getAttribute(axis));
      return d || (p.getAttribute("data-ags") < q.getAttribute("data-ags") ? -1 : 1);
    });
    if (axis === "cy") { sorted.reverse(); }  // up = a higher value = a smaller cy
    var i = sorted.indexOf(from) + (key === "ArrowRight" || key === "ArrowUp" ? 1 : -1);
    return sorted[i] || null;
  }
  function enhance(svg, selector, move) {
    var items = Array.prototype.slice.call(svg.querySelectorAll(selector));
    if (!items.length) { return; }
    svg.setAttribute("role", "group");  // its parts are now interactive: no longer one picture
    items.forEach(function (el, i) {
      var title = el.querySelector("title");
      el.setAttribute("role", "checkbox");
      el.setAttribute("aria-label", title ? title.textContent : el.getAttribute("data-ags"));
      el.setAttribute("aria-describedby", "streuung-keys");
      el.setAttribute("tabindex", i === 0 ? "0" : "-1");
      var ags = el.getAttribute("data-ags");
      el.addEventListener("focus", function () {
        items.forEach(function (o) { o.setAttribute("tabindex", "-1"); });
        el.setAttribute("tabindex", "0");  // roving: Tab leaves and comes back here
        setHot(ags, true, true);
      });
      el.addEventListener("blur", function () { setHot(ags, false); });
      el.addEventListener("mouseenter", function () { setHot(ags, true); });
      el.addEventListener("mouseleave", function () { if (document.activeElement !== el) { setHot(ags, false); } });
      el.addEventListener("click", function () { el.focus(); toggle(ags); });
      el.addEventListener("keydown", function (e) {
        var next = null;
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(ags); return; }
        if (e.key === "Home") { next = items[0]; }
        else if (e.key === "End") { next = items[items.length - 1]; }
        else if (/^Arrow/.test(e.key)) { next = move(items, el, e.key); }
        else { return; }
        e.preventDefault();
        if (next) { next.focus(); }
      });
    });
  }
  each(document.querySelectorAll("svg.scatter"), function (svg) {
    enhance(svg, ".dot[data-ags]", stepped);
  });
  each(document.querySelectorAll("svg.streuung-map-svg"), function (svg) {
    enhance(svg, "path[data-ags]", nearest);
  });

  // --- the check-box list and the table: live selection and highlighting ----------------
  each(document.querySelectorAll('.auswahl-list input[name="auswahl"]'), function (box) {
    box.addEventListener("change", function () {
      var i = selected.indexOf(box.value);
      if (box.checked && i < 0) { selected.push(box.value); }
      if (!box.checked && i >= 0) { selected.splice(i, 1); }
      sync(true);
    });
    box.addEventListener("focus", function () { setHot(box.value, true, true); });
    box.addEventListener("blur", function () { setHot(box.value, false); });
  });
  each(document.querySelectorAll(".auswahl-list label[data-ags], .streuung-table tr[data-ags]"), function (el) {
    var ags = el.getAttribute("data-ags");
    el.addEventListener("mouseenter", function () { setHot(ags, true); });
    el.addEventListener("mouseleave", function () { setHot(ags, false); });
  });
  each(document.querySelectorAll("[data-clear-auswahl]"), function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); selected = []; sync(true); });
  });

  // --- the pickers: offer only the years both indicators have ---------------------------
  var form = document.getElementById("streuung-form");
  if (form && form.getAttribute("data-years")) {
    var years = JSON.parse(form.getAttribute("data-years"));
    var x = form.querySelector("#x"), y = form.querySelector("#y"), jahr = form.querySelector("#jahr");
    var note = form.querySelector(".form-status");
    var update = function () {
      var a = years[x.value] || [], b = years[y.value] || [];
      var common = a.filter(function (v) { return b.indexOf(v) >= 0; }).reverse();
      var keep = jahr.value;
      jahr.textContent = "";
      common.forEach(function (v) {
        var o = document.createElement("option");
        o.value = String(v); o.textContent = String(v);
        if (String(v) === keep) { o.selected = true; }
        jahr.appendChild(o);
      });
      var problem = x.value === y.value ? form.getAttribute("data-same")
        : common.length ? "" : form.getAttribute("data-no-years");
      note.textContent = problem;
      x.setAttribute("aria-invalid", problem ? "true" : "false");
      y.setAttribute("aria-invalid", problem ? "true" : "false");
    };
    x.addEventListener("change", update);
    y.addEventListener("change", update);
  }
  sync(false);
})();
