/* Sozialmonitoring: map of many areas (a Kreis, a Land or all of Germany) on a Leaflet canvas.
   Outlines come once from data-shapes (compact shapes, see geodata/shapes.py); colours and
   labels come with the page (#gebiet-data) and, on a change of year or indicator, from
   data-colours — only values travel, the outlines stay. Served by the app (no third party). */
(function () {
  "use strict";

  var SCALE = 1e4;

  /* One stored shape → Leaflet latlngs: polygons of rings of delta-encoded integer pairs. */
  function decode(shape) {
    return shape.map(function (rings) {
      return rings.map(function (flat) {
        var out = new Array(flat.length / 2), x = 0, y = 0;
        for (var i = 0, j = 0; i < flat.length; i += 2, j++) {
          x += flat[i]; y += flat[i + 1];
          out[j] = [y / SCALE, x / SCALE];
        }
        return out;
      });
    });
  }

  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text; // names come from data: never parsed as HTML
    return span;
  }

  function colourOf(data, ags) {
    var a = data.areas[ags];
    return a && a[0] >= 0 ? data.colors[a[0]] : data.none;
  }

  function init() {
    var el = document.getElementById("gebiet-map");
    var dataEl = document.getElementById("gebiet-data");
    if (!el || !dataEl || !window.L) { return; }
    var data = JSON.parse(dataEl.textContent);
    var status = document.getElementById("gebiet-map-status");
    var newWindow = el.getAttribute("data-new-window") === "true";
    var bounds = JSON.parse(el.getAttribute("data-bounds"));
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, scrollWheelZoom: false, minZoom: 4, maxZoom: 13 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(el.getAttribute("data-attribution"));
    map.fitBounds(bounds, { padding: [4, 4] });
    var renderer = L.canvas({ padding: 0.2, tolerance: 0 });
    var layers = {};
    var t0 = performance.now();
    window.SozmonGebiet = { map: map, layers: layers, ready: false, timings: {} };

    fetch(el.getAttribute("data-shapes"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (shapes) {
        var t1 = performance.now();
        var group = L.featureGroup();
        Object.keys(shapes).forEach(function (ags) {
          var layer = L.polygon(decode(shapes[ags]), {
            renderer: renderer, color: "#555", weight: 0.4, opacity: 1,
            fillColor: colourOf(data, ags), fillOpacity: 1
          });
          layer.ags = ags;
          group.addLayer(layer);
          layers[ags] = layer;
        });
        group.on("mouseover", function (e) {
          var a = data.areas[e.layer.ags];
          if (!a) { return; }
          e.layer.bindTooltip(textNode(a[1] + ": " + a[2]), { sticky: true, className: "karte-tooltip" }).openTooltip(e.latlng);
          e.layer.setStyle({ weight: 2, color: "#000" });
        });
        group.on("mouseout", function (e) { e.layer.setStyle({ weight: 0.4, color: "#555" }); });
        group.on("click", function (e) {
          var href = "/gebiet/" + encodeURIComponent(e.layer.ags);
          if (newWindow) { window.open(href, "_blank", "noopener"); } else { window.location.href = href; }
        });
        group.addTo(map);
        map.whenReady(function () {
          requestAnimationFrame(function () {
            window.SozmonGebiet.timings = { fetch: t1 - t0, draw: performance.now() - t1, total: performance.now() - t0 };
            window.SozmonGebiet.ready = true;
            window.SozmonGebiet.drawn = Object.keys(layers).length;
            el.setAttribute("data-drawn", String(Object.keys(layers).length));
          });
        });
      })
      .catch(function () {
        if (status) { status.textContent = el.getAttribute("data-error") || "Die Umrisse konnten nicht geladen werden; die Tabelle enthält alle Werte."; }
      });

    /* Repaint with another year or indicator: only colours and labels travel. */
    function repaint(query, push) {
      var t = performance.now();
      return fetch(el.getAttribute("data-colours") + query, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (body) {
          data = body.data;
          Object.keys(layers).forEach(function (ags) {
            layers[ags].setStyle({ fillColor: colourOf(data, ags) });
          });
          document.getElementById("gebiet-title").innerHTML = body.title;
          var legend = document.getElementById("gebiet-legend");
          if (legend) { legend.innerHTML = body.legend; }
          var table = document.getElementById("gebiet-table");
          if (table) { table.innerHTML = body.table; }
          var yearList = document.getElementById("gebiet-years");
          if (yearList) { yearList.innerHTML = body.years; }  // the years of the new indicator
          if (push) { history.pushState({ q: query }, "", body.url); }
          var preview = document.getElementById("embed-preview");
          if (preview) { preview.setAttribute("href", body.embed_url); }
          return new Promise(function (resolve) {
            requestAnimationFrame(function () {
              window.SozmonGebiet.lastRepaint = performance.now() - t;
              resolve(window.SozmonGebiet.lastRepaint);
            });
          });
        });
    }
    window.SozmonGebiet.repaint = repaint;

    var years = document.getElementById("gebiet-years");
    if (years) {
      years.addEventListener("click", function (e) {
        var a = e.target.closest("a[data-year]");
        if (!a || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
        e.preventDefault();
        repaint(a.getAttribute("href").replace(/^[^?]*/, ""), true).then(null, function () {
          window.location.href = a.href;
        });
      });
    }
    /* The form: a new indicator, classification or colours for the same territory and level
       repaints in place; another territory or level loads its page (other outlines). */
    var form = document.getElementById("gebiet-form");
    if (form) {
      var place = form.elements.gebiet.value + "|" + form.elements.ebene.value;
      form.addEventListener("submit", function (e) {
        if (form.elements.gebiet.value + "|" + form.elements.ebene.value !== place) { return; }
        e.preventDefault();
        var query = "?" + new URLSearchParams(new FormData(form)).toString();
        repaint(query, true).then(null, function () { form.submit(); });
      });
    }
    window.addEventListener("popstate", function () { window.location.reload(); });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
