/* Sozialmonitoring map page: keyboard-usable Kommunen, name labels, sortable table, embed code.
   Served by the app itself (no third-party scripts). Leaflet is loaded before this file. */
(function () {
  "use strict";

  function go(href, newWindow) {
    if (!href) { return; }
    if (newWindow) { window.open(href, "_blank", "noopener"); } else { window.location.href = href; }
  }

  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text; // names come from data: never parsed as HTML
    return span;
  }

  var current = { map: null, group: null, areas: [] }; // the map on this page, for recolouring

  var styleSpec = null; // app/maps.py STYLE_SPEC, given with the first area drawn

  window.SozmonKarte = {
    /* How an area is drawn from its properties (colour, no data, Beispieldaten, comparison group). */
    style: function (p, spec) {
      styleSpec = spec || styleSpec;
      var s = Object.assign({}, styleSpec.outline, { fillColor: p.color || "#ffffff" });
      // Always set: a repaint must also remove an earlier dash (setStyle keeps what it is not given).
      s.dashArray = p.no_data ? styleSpec.noDataDash : p.synthetic ? styleSpec.syntheticDash : null;
      if (p.group) { Object.assign(s, styleSpec.group); }
      else if (p.group === false) { s.fillOpacity = styleSpec.dimmedOpacity; }
      return s;
    },

    /* Called by folium's GeoJson for each Kommune: tooltip on hover, click → profile.
       The keyboard is handled for the whole map at once (see keyboard() below). */
    feature: function (feature, layer, newWindow) {
      var p = feature.properties;
      layer.bindTooltip(textNode(p.name + ": " + p.label), { sticky: true, className: "karte-tooltip" });
      layer.on("click", function () { go(p.href, newWindow); });
      layer.on("add", function () {
        var el = layer.getElement();
        if (!el) { return; }
        // Not a tab stop of its own: the map is one tab stop, arrow keys move between Kommunen.
        el.setAttribute("tabindex", "-1");
        el.setAttribute("role", p.href ? "link" : "img");
        el.setAttribute("aria-label", p.aria || (p.name + ": " + p.label));
        el.setAttribute("data-ags", p.ags);
        if (p.group) { el.classList.add("karte-gruppe"); } // a member of the comparison group
        el._sozmon = { layer: layer, props: p, newWindow: newWindow };
      });
    },

    /* Permanent name labels at a point inside each Kommune (PostGIS ST_PointOnSurface). */
    labels: function (map, labels) {
      var tips = labels.map(function (l) {
        var tip = L.tooltip({ permanent: true, direction: "center", className: "kommune-label",
                              interactive: false, opacity: 1 })
          .setLatLng([l.lat, l.lon]).setContent(textNode(l.short || l.name)).addTo(map);
        // The areas carry the names for screen readers; the drawn labels would repeat them.
        var el = tip.getElement();
        if (el) { el.setAttribute("aria-hidden", "true"); el.removeAttribute("role"); }
        return tip;
      });
      // A Kommune's size (its bounds in degrees², the same order at every zoom) orders them.
      var sizes = {};
      map.eachLayer(function (l) {
        if (!(l instanceof L.GeoJSON)) { return; }
        l.eachLayer(function (f) {
          var b = f.getBounds();
          sizes[f.feature.id] = (b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest());
        });
      });
      tips.forEach(function (t, i) { t._sozmonSize = sizes[labels[i].ags] || 0; });
      // Placed after the map has settled: during a zoom animation the names' boxes are scaled
      // (a placement then measured them wrong and left two overlapping, seen in CI at 1200 px);
      // the animation's zoomend places them again. One placement per frame, however many events.
      var pending = 0;
      var spread = function () {
        if (pending) { cancelAnimationFrame(pending); }
        pending = requestAnimationFrame(function () {
          pending = 0;
          if (!map._animatingZoom) { separate(map, tips); }
        });
      };
      map.on("zoomend moveend resize", spread);
      spread();
      setup(map);
    },

    /* New colours and labels per Kommune (AGS → {color, label, aria, no_data}), e.g. another year. */
    recolour: function (areas) {
      if (!current.group) { return; }
      // resetStyle (after a hover) asks the layer's style function: it must give the new colours.
      current.group.options.style = function (f) {
        // A comparison group keeps its outline; the other Kommunen stay dimmed.
        return SozmonKarte.style(areas[f.id] || {});
      };
      current.group.resetStyle();
      current.areas.forEach(function (el) {
        var s = el._sozmon, a = areas[s.props.ags];
        if (!a) { return; }
        s.props.label = a.label; s.props.aria = a.aria; s.props.color = a.color;
        el.setAttribute("aria-label", a.aria);
        s.layer.setTooltipContent(textNode(s.props.name + ": " + a.label));
      });
    }
  };

  /* Everything about the map as a whole: one tab stop, refit on resize, touch, attribution. */
  function setup(map) {
    var container = map.getContainer();
    var areas = Array.prototype.slice.call(container.querySelectorAll("path[data-ags]"))
      .filter(function (el) { return el._sozmon; });
    if (!areas.length) { return; }
    // Show the year slider before the map first fits the Region: revealing it later would
    // shrink a small embed's map after the fit.
    document.querySelectorAll(".karte-zeit").forEach(function (b) { b.hidden = false; });
    current.map = map; current.areas = areas;
    map.eachLayer(function (l) { if (l instanceof L.GeoJSON && !current.group) { current.group = l; } });
    // The comparison group's thick outlines above their neighbours' thin ones.
    areas.forEach(function (el) { if (el._sozmon.props.group) { el._sozmon.layer.bringToFront(); } });
    var lang = document.documentElement.lang || "de";
    areas.sort(function (a, b) { return a._sozmon.props.name.localeCompare(b._sozmon.props.name, lang); });
    var bounds = L.latLngBounds([]);
    areas.forEach(function (el) { bounds.extend(el._sozmon.layer.getBounds()); });
    var hint = container.closest("[data-karte-hint]");
    var hintId = hint ? hint.getAttribute("data-karte-hint") : null;
    areas.forEach(function (el, i) {
      el.setAttribute("tabindex", i === 0 ? "0" : "-1");
      if (hintId) { el.setAttribute("aria-describedby", hintId); }
    });

    // The focused Kommune gets a white-and-black outline drawn in a pane above all areas:
    // moving the focused path itself (bringToFront) would drop the keyboard focus.
    map.createPane("sozmonFocus").style.zIndex = 450;
    var ring = null;
    function center(el) {
      var p = el._sozmon.props;
      return map.latLngToContainerPoint(L.latLng(p.label_lat, p.label_lon));
    }
    function activate(el) {
      areas.forEach(function (a) { a.setAttribute("tabindex", a === el ? "0" : "-1"); });
      el.focus();
    }
    areas.forEach(function (el) {
      var s = el._sozmon;
      el.addEventListener("focus", function () {
        if (ring) { map.removeLayer(ring); }
        var f = s.layer.feature;
        ring = L.layerGroup([
          L.geoJSON(f, { pane: "sozmonFocus", interactive: false, style: { fill: false, color: "#ffffff", weight: 7 } }),
          L.geoJSON(f, { pane: "sozmonFocus", interactive: false, style: { fill: false, color: "#000000", weight: 3 } })
        ]).addTo(map);
        s.layer.openTooltip(L.latLng(s.props.label_lat, s.props.label_lon));
      });
      el.addEventListener("blur", function () {
        if (ring) { map.removeLayer(ring); ring = null; }
        s.layer.closeTooltip();
      });
    });

    /* Arrow keys: the nearest Kommune in that direction; Home/End: first/last by name;
       a letter: the next Kommune whose name starts with it; Enter/Space: the profile; +/-: zoom. */
    var dirs = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
    container.addEventListener("keydown", function (e) {
      var el = e.target;
      if (!el._sozmon || e.altKey || e.ctrlKey || e.metaKey) { return; }
      var i = areas.indexOf(el), next = null;
      if (dirs[e.key]) {
        var d = dirs[e.key], from = center(el), best = Infinity;
        areas.forEach(function (a) {
          if (a === el) { return; }
          var c = center(a), dx = c.x - from.x, dy = c.y - from.y;
          var along = dx * d[0] + dy * d[1], across = Math.abs(dx * d[1] - dy * d[0]);
          if (along <= 0) { return; }
          var score = along + 2 * across; // prefer Kommunen straight ahead
          if (score < best) { best = score; next = a; }
        });
      } else if (e.key === "Home") { next = areas[0]; }
      else if (e.key === "End") { next = areas[areas.length - 1]; }
      else if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(el._sozmon.props.href, el._sozmon.newWindow); return; }
      else if (e.key === "+" || e.key === "=") { e.preventDefault(); map.zoomIn(); return; }
      else if (e.key === "-") { e.preventDefault(); map.zoomOut(); return; }
      else if (e.key.length === 1 && /\S/.test(e.key)) {
        var k = e.key.toLocaleLowerCase(lang);
        for (var j = 1; j <= areas.length && !next; j++) {
          var a = areas[(i + j) % areas.length];
          if (a._sozmon.props.name.toLocaleLowerCase(lang).indexOf(k) === 0) { next = a; }
        }
      } else { return; }
      e.preventDefault();
      if (next) { activate(next); }
    });

    // Zoom buttons stay for the mouse; for the keyboard, + and - on the map do the same.
    container.querySelectorAll(".leaflet-control-zoom a").forEach(function (a) { a.setAttribute("tabindex", "-1"); });
    // In a frame of another site, the attribution links open a new window, never inside the frame.
    if (window.self !== window.top) {
      container.querySelectorAll(".leaflet-control-attribution a").forEach(function (a) {
        a.setAttribute("target", "_blank"); a.setAttribute("rel", "noopener");
      });
    }
    // Phones: one finger scrolls the page, two fingers move and zoom the map.
    if (window.matchMedia && window.matchMedia("(pointer: coarse)").matches) {
      map.dragging.disable();
      container.classList.add("karte-two-finger");
    }
    // The whole Region stays visible when the frame or window changes size.
    // The attribution bar covers the map's bottom edge: keep the Region above it.
    function fit() {
      var bar = container.querySelector(".leaflet-control-attribution");
      var below = bar ? bar.offsetHeight + 4 : 8;
      map.fitBounds(bounds, { paddingTopLeft: [8, 8], paddingBottomRight: [8, below] });
    }
    map.on("resize", fit);
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize({ pan: false }); }).observe(container);
    }
    // folium fits the bounds after this script part (without the attribution bar): fit again.
    setTimeout(fit, 0);
  }

  /* Names that fit (issue #29): each at its point or moved a little (up to about its own
     height, half its width) to where it overlaps no name placed before, no map control and
     stays inside the map box; a name that fits nowhere is hidden (its area keeps the name in
     its tooltip and for screen readers). The largest Kommunen first: they have room. */
  var OFFSETS = (function () {
    var out = [];
    [0, -0.6, 0.6, -1.1, 1.1, -1.6, 1.6].forEach(function (fy) {
      [0, -0.25, 0.25, -0.5, 0.5].forEach(function (fx) { out.push([fx, fy]); });
    });
    return out.sort(function (a, b) { return Math.hypot(a[0] * 3, a[1]) - Math.hypot(b[0] * 3, b[1]); });
  })();

  function separate(map, tips) {
    var container = map.getContainer();
    var box = container.getBoundingClientRect();
    var placed = [];
    container.querySelectorAll(".leaflet-control-attribution, .leaflet-control-zoom").forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (r.width && r.height) { placed.push(r); }
    });
    tips.forEach(function (t) {
      t.options.offset = L.point(0, 0); t.update();
      var el = t.getElement();
      if (el) { el.classList.remove("kommune-label-hidden"); }
    });
    tips.slice().sort(function (a, b) { return b._sozmonSize - a._sozmonSize; }).forEach(function (t) {
      var el = t.getElement();
      if (!el) { return; }
      var r = el.getBoundingClientRect(), found = null;
      for (var i = 0; i < OFFSETS.length && !found; i++) {
        var dx = Math.round(OFFSETS[i][0] * r.width), dy = Math.round(OFFSETS[i][1] * r.height);
        var c = { left: r.left + dx, right: r.right + dx, top: r.top + dy, bottom: r.bottom + dy };
        if (c.left < box.left + 1 || c.right > box.right - 1 || c.top < box.top + 1 || c.bottom > box.bottom - 1) { continue; }
        var free = placed.every(function (p) {
          return c.right + 1 <= p.left || p.right + 1 <= c.left || c.bottom + 1 <= p.top || p.bottom + 1 <= c.top;
        });
        if (free) { found = { dx: dx, dy: dy, rect: c }; }
      }
      if (found) {
        if (found.dx || found.dy) { t.options.offset = L.point(found.dx, found.dy); t.update(); }
        placed.push(found.rect);
      } else {
        el.classList.add("kommune-label-hidden");
      }
    });
  }

  /* Sortable table: buttons in the headers, aria-sort on the sorted column. */
  function sortTable(table, col, type, button) {
    var th = button.closest("th");
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
      if (type === "number") {
        // Missing values ("keine Daten") always go last.
        if (x === "" && y === "") { return 0; }
        if (x === "") { return 1; }
        if (y === "") { return -1; }
        return asc ? parseFloat(x) - parseFloat(y) : parseFloat(y) - parseFloat(x);
      }
      return asc ? x.localeCompare(y, document.documentElement.lang) : y.localeCompare(x, document.documentElement.lang);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  }

  function sortable(root) {
    root.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("th button[data-col]").forEach(function (button) {
        button.addEventListener("click", function () {
          sortTable(table, parseInt(button.getAttribute("data-col"), 10), button.getAttribute("data-type"), button);
        });
      });
    });
  }

  /* The embed code with the frame size chosen in #embed-size ("600x400", "100%x560"). */
  function sized(code) {
    var size = document.getElementById("embed-size");
    if (!size) { return code; }
    var wh = size.value.split("x");
    return code.replace(/ width="[^"]*" height="[^"]*"/, ' width="' + wh[0] + '" height="' + wh[1] + '"');
  }

  /* HTML text (entities) → plain text, without running anything (a textarea parses no markup). */
  function plain(html) {
    var t = document.createElement("textarea");
    t.innerHTML = html;
    return t.value;
  }

  /* Year slider with play/pause: the parts of the page that follow the year come from
     /karte/teile (colours, legend, table, sources) and replace the old ones; the URL keeps the
     year (replaceState), so permalink and embed code are right. Without JavaScript the year
     links do the same by loading the page. */
  function zeit(box) {
    var years = box.getAttribute("data-years").split(",").map(Number);
    var input = box.querySelector("input[type=range]"), out = box.querySelector("output");
    var play = box.querySelector(".karte-zeit-play"), status = box.querySelector("[role=status]");
    var embed = document.documentElement.classList.contains("embed");
    var links = document.querySelectorAll(".karte-years a");
    box.hidden = false;
    // One keyboard path to a year (issue #29: 37 Tab stops before the map): with the slider
    // shown, the year links (the way without JavaScript) are hidden.
    document.querySelectorAll("nav.karte-years").forEach(function (nav) { nav.hidden = true; });
    // WCAG 2.2.2: playing is pausable; with reduced motion at most one step per 2 seconds.
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var delay = reduced ? 2000 : 1200;
    box.setAttribute("data-delay", String(delay));
    var timer = null, playing = false, latest = null, debounce = null;

    function query(year) {
      var q = new URLSearchParams(window.location.search);
      q.set("jahr", String(year));
      return q;
    }
    function apply(d) {
      document.title = plain(d.title);
      document.querySelectorAll("[data-part=year]").forEach(function (el) { el.textContent = String(d.jahr); });
      Object.keys(d.parts).forEach(function (k) {
        var el = document.querySelector('[data-part="' + k + '"]');
        if (el) { el.innerHTML = d.parts[k]; sortable(el); }
      });
      var region = document.querySelector(".karte-map[role=region]");
      if (region) { region.setAttribute("aria-label", region.getAttribute("aria-label").replace(/\d{4}$/, String(d.jahr))); }
      var code = document.getElementById("embed-code");
      if (code && d.embed_code) { code.value = sized(plain(d.embed_code)); }
      var preview = document.querySelector(".karte-embed a[href]");
      if (preview && d.embed_url) { preview.setAttribute("href", d.embed_url); }
      var form = document.getElementById("karte-form");
      if (form) { form.setAttribute("data-year", String(d.jahr)); }
      links.forEach(function (a) {  // the (hidden) year links mark the shown year: a reload keeps it
        if (a.textContent.trim() === String(d.jahr)) { a.setAttribute("aria-current", "page"); }
        else { a.removeAttribute("aria-current"); }
      });
      SozmonKarte.recolour(d.areas);
      status.textContent = String(d.jahr);
    }
    function show(year) {
      var i = years.indexOf(year);
      input.value = String(i);
      input.setAttribute("aria-valuetext", String(year));
      out.textContent = String(year);
      var q = query(year), token = {};
      latest = token;
      if (embed) { q.set("einbettung", "1"); }
      return fetch(box.getAttribute("data-parts-url") + "?" + q.toString(), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (d) {
          if (latest !== token) { return; } // a later choice won
          apply(d);
          window.history.replaceState(null, "", window.location.pathname + "?" + query(year).toString());
        });
    }
    function stop() {
      playing = false;
      if (timer) { clearTimeout(timer); timer = null; }
      play.textContent = box.getAttribute("data-play");
    }
    function next() {
      timer = null;
      if (!playing) { return; }
      var i = parseInt(input.value, 10);
      if (i >= years.length - 1) { stop(); return; }
      show(years[i + 1]).then(function () { if (playing) { timer = setTimeout(next, delay); } }, stop);
    }
    play.addEventListener("click", function () {
      if (playing) { stop(); return; }
      playing = true;
      play.textContent = box.getAttribute("data-pause");
      if (parseInt(input.value, 10) >= years.length - 1) {  // from the start again
        show(years[0]).then(function () { if (playing) { timer = setTimeout(next, delay); } }, stop);
      } else { next(); }
    });
    input.addEventListener("input", function () {
      stop();
      var year = years[parseInt(input.value, 10)];
      out.textContent = String(year);
      input.setAttribute("aria-valuetext", String(year));
      if (debounce) { clearTimeout(debounce); }
      debounce = setTimeout(function () { show(year); }, 120);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    sortable(document);
    document.querySelectorAll(".karte-zeit").forEach(zeit);

    /* Phones show the years in one scrolling row: bring the shown year into view. */
    var current = document.querySelector(".karte-years a[aria-current]");
    if (current) {
      var row = current.closest("ul"), r = row.getBoundingClientRect(), c = current.getBoundingClientRect();
      if (c.right > r.right) { row.scrollLeft += c.right - r.right + 4; }
    }

    /* Indicator picker: keep the shown year if the new indicator has it, else the server's latest. */
    var form = document.getElementById("karte-form");
    if (form) {
      form.addEventListener("submit", function () {
        var year = parseInt(form.getAttribute("data-year"), 10);
        var opt = form.elements.indikator.selectedOptions[0];
        var first = parseInt(opt.getAttribute("data-first"), 10), last = parseInt(opt.getAttribute("data-last"), 10);
        if (year >= first && year <= last && !form.elements.jahr) {
          var input = document.createElement("input");
          input.type = "hidden"; input.name = "jahr"; input.value = String(year);
          form.appendChild(input);
        }
      });
    }

    /* Embed code: the chosen frame size written into it. */
    var size = document.getElementById("embed-size");
    if (size) {
      size.closest(".embed-size").hidden = false;
      size.addEventListener("change", function () {
        var code = document.getElementById("embed-code");
        code.value = sized(code.value);
      });
    }

    /* Embed code: copy to the clipboard, with a fallback of selecting the text. */
    var copy = document.getElementById("embed-copy");
    if (copy) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var code = document.getElementById("embed-code");
        var status = document.getElementById("embed-status");
        code.select();
        var done = function () { status.textContent = copy.getAttribute("data-done"); };
        if (navigator.clipboard) {
          navigator.clipboard.writeText(code.value).then(done, function () { document.execCommand("copy"); done(); });
        } else { document.execCommand("copy"); done(); }
      });
    }
  });
})();
