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

  window.SozmonKarte = {
    /* Called by folium's GeoJson for each Kommune: tooltip on hover and focus, click/Enter → profile. */
    feature: function (feature, layer, newWindow) {
      var p = feature.properties;
      layer.bindTooltip(textNode(p.name + ": " + p.label), { sticky: true, className: "karte-tooltip" });
      layer.on("click", function () { go(p.href, newWindow); });
      layer.on("add", function () {
        var el = layer.getElement();
        if (!el) { return; }
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "link");
        el.setAttribute("aria-label", p.aria || (p.name + ": " + p.label));
        el.setAttribute("data-ags", p.ags);
        el.addEventListener("focus", function () {
          layer.setStyle({ weight: 3, color: "#000000" });
          // Moving the path in the DOM during a mouse press would swallow the click: keyboard only.
          if (el.matches(":focus-visible")) { layer.bringToFront(); }
          layer.openTooltip(L.latLng(p.label_lat, p.label_lon));
        });
        el.addEventListener("blur", function () {
          layer.setStyle({ weight: 1, color: "#3a3a3a" });
          layer.closeTooltip();
        });
        el.addEventListener("keydown", function (e) {
          if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(p.href, newWindow); }
        });
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
      var spread = function () { separate(tips); };
      map.on("zoomend", spread);
      spread();
    }
  };

  /* Small Kommunen around Hannover are close together: move overlapping labels apart vertically. */
  function separate(tips) {
    tips.forEach(function (t) { t.options.offset = L.point(0, 0); t.update(); });
    var placed = [];
    tips.slice().sort(function (a, b) { return b.getLatLng().lat - a.getLatLng().lat; }).forEach(function (t) {
      var el = t.getElement();
      if (!el) { return; }
      var dy = 0;
      for (var pass = 0; pass < 4; pass++) {
        var r = el.getBoundingClientRect(), moved = false;
        placed.forEach(function (p) {
          if (r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top) {
            dy += p.bottom - r.top + 1; // north to south: push this one below the placed one
            t.options.offset = L.point(0, dy); t.update();
            r = el.getBoundingClientRect(); moved = true;
          }
        });
        if (!moved) { break; }
      }
      placed.push(el.getBoundingClientRect());
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

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("th button[data-col]").forEach(function (button) {
        button.addEventListener("click", function () {
          sortTable(table, parseInt(button.getAttribute("data-col"), 10), button.getAttribute("data-type"), button);
        });
      });
    });

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
