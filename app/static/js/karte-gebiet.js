/* Sozialmonitoring: map of many areas (a Kreis, a Land or all of Germany) on a Leaflet canvas.
   Outlines come once from data-shapes (compact shapes, see geodata/shapes.py); keys, names,
   colours and labels come with the page (#gebiet-data) and, on a change of year or indicator,
   only classes and labels from data-colours, in the same order as the page's keys (one
   character per area for its class) — the outlines stay. A repaint sets every area's fill
   colour and redraws the canvas once. Served by the app (no third party). */
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

  /* The colour of area i: its class character ('.' = no data). */
  function colourAt(data, i) {
    var c = data.k.charAt(i);
    return c === "." || c === "" ? data.none : data.colors[parseInt(c, 36)];
  }

  var OUTLINE = { color: "#555", weight: 0.4 };

  /* Patterns by character of data.hatch: 'n' hatched (diagonal lines), 'p' dotted. */
  var HATCHES = { n: true, p: true };
  var patterns = {};
  function hatchPattern(ctx, kind) {
    if (patterns[kind]) { return patterns[kind]; }
    var c = document.createElement("canvas");
    c.width = c.height = 8;
    var g = c.getContext("2d");
    g.fillStyle = g.strokeStyle = "#333";
    if (kind === "n") {
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(-2, 2); g.lineTo(2, -2);
      g.moveTo(0, 8); g.lineTo(8, 0);
      g.moveTo(6, 10); g.lineTo(10, 6);
      g.stroke();
    } else {
      g.beginPath();
      g.arc(4, 4, 1.4, 0, 2 * Math.PI);
      g.fill();
    }
    patterns[kind] = ctx.createPattern(c, "repeat");
    return patterns[kind];
  }
  function hatchAt(data, i) {
    return data.hatch && i !== undefined ? data.hatch.charAt(i) : "";
  }

  /* Leaflet's canvas fills and strokes every polygon on its own: 11,000 fill() and stroke()
     calls with a change of style each, the bulk of a redraw. This renderer traces the areas of
     one fill colour into paths of CHUNK areas and fills each once, then strokes the outlines
     the same way; an area with a style of its own (the one under the pointer) is drawn last
     by Leaflet's code. Measured in Chromium (scripts/benchlib/germany.py): 50 areas a path
     redraw Germany's Gemeinden in about half of Leaflet's time; one path for all of them
     takes four times as long (Skia rasterises a huge path slowly). Hit-testing is Leaflet's
     (geometry, not pixels), so nothing else changes. */
  var CHUNK = 50;
  var BatchedCanvas = window.L && L.Canvas.extend({
    _draw: function () {
      var clip = this._redrawBounds, ctx = this._ctx, groups = {}, colours = [], own = [];
      var all = [], order, layer, o, i;
      ctx.save();
      if (clip) {
        var size = clip.getSize();
        ctx.beginPath();
        ctx.rect(clip.min.x, clip.min.y, size.x, size.y);
        ctx.clip();
      }
      this._drawing = true;
      for (order = this._drawFirst; order; order = order.next) {
        layer = order.layer;
        if (clip && !(layer._pxBounds && layer._pxBounds.intersects(clip))) { continue; }
        if (!layer._parts || !layer._parts.length) { continue; }
        o = layer.options;
        if (o.weight !== OUTLINE.weight || o.color !== OUTLINE.color) { own.push(layer); continue; }
        if (!groups[o.fillColor]) { groups[o.fillColor] = []; colours.push(o.fillColor); }
        groups[o.fillColor].push(layer);
        all.push(layer);
      }
      /* Paths of CHUNK areas each; paint(…) fills or strokes each path. */
      function inChunks(list, paint) {
        for (var a = 0; a < list.length; a += CHUNK) {
          ctx.beginPath();
          for (var n = a; n < Math.min(list.length, a + CHUNK); n++) {
            var parts = list[n]._parts;
            for (var j = 0; j < parts.length; j++) {
              var ring = parts[j];
              ctx.moveTo(ring[0].x, ring[0].y);
              for (var k = 1; k < ring.length; k++) { ctx.lineTo(ring[k].x, ring[k].y); }
              ctx.closePath();
            }
          }
          paint();
        }
      }
      ctx.globalAlpha = 1;
      for (i = 0; i < colours.length; i++) {
        ctx.fillStyle = colours[i];
        inChunks(groups[colours[i]], function () { ctx.fill("evenodd"); });
      }
      /* Patterns over the fills (the Sozialindex: the dynamics class), so a class never rests
         on colour alone; maps without `hatch` draw none. */
      var hatched = {};
      for (i = 0; i < all.length; i++) {
        var h = all[i].options.hatch;
        if (h && HATCHES[h]) { (hatched[h] = hatched[h] || []).push(all[i]); }
      }
      Object.keys(hatched).forEach(function (h) {
        ctx.fillStyle = hatchPattern(ctx, h);
        inChunks(hatched[h], function () { ctx.fill("evenodd"); });
      });
      ctx.lineWidth = OUTLINE.weight;
      ctx.strokeStyle = OUTLINE.color;
      ctx.lineJoin = "round";
      ctx.lineCap = "round";
      inChunks(all, function () { ctx.stroke(); });
      for (i = 0; i < own.length; i++) { own[i]._updatePath(); }
      this._drawing = false;
      ctx.restore();
    }
  });

  function init() {
    var el = document.getElementById("gebiet-map");
    var dataEl = document.getElementById("gebiet-data");
    if (!el || !dataEl || !window.L) { return; }
    var data = JSON.parse(dataEl.textContent);
    var keys = data.ags, names = data.names, index = {};
    keys.forEach(function (ags, i) { index[ags] = i; });
    var status = document.getElementById("gebiet-map-status");
    var newWindow = el.getAttribute("data-new-window") === "true";
    // Which page an area opens (app.web.urls.area_url): the home region's own profiles, else /gebiet/.
    var pages = JSON.parse(el.getAttribute("data-pages") || '{"home":"","kommune":"/kommune/","gebiet":"/gebiet/"}');
    function pageOf(ags) {
      var home = pages.home && (ags === pages.home || (ags.length === 8 && ags.indexOf(pages.home) === 0));
      return (home ? pages.kommune : pages.gebiet) + encodeURIComponent(ags);
    }
    var bounds = JSON.parse(el.getAttribute("data-bounds"));
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, scrollWheelZoom: false, minZoom: 4, maxZoom: 13 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(el.getAttribute("data-attribution"));
    map.fitBounds(bounds, { padding: [4, 4] });
    if (document.documentElement.classList.contains("embed")) {
      // An embed follows its frame: the territory is fitted again when the frame changes size.
      var refit = null;
      window.addEventListener("resize", function () {
        clearTimeout(refit);
        refit = setTimeout(function () { map.invalidateSize(); map.fitBounds(bounds, { padding: [4, 4] }); }, 150);
      });
    }
    var renderer = new BatchedCanvas({ padding: 0.2, tolerance: 0 });
    var layers = {};
    var ordered = new Array(keys.length);  // layers in the order of the data (null: no outline)
    var t0 = performance.now();
    window.SozmonGebiet = { map: map, layers: layers, renderer: renderer, ready: false, timings: {} };

    fetch(el.getAttribute("data-shapes"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (shapes) {
        var t1 = performance.now();
        var group = L.featureGroup();
        Object.keys(shapes).forEach(function (ags) {
          var i = index[ags];
          var layer = L.polygon(decode(shapes[ags]), {
            renderer: renderer, color: OUTLINE.color, weight: OUTLINE.weight, opacity: 1,
            fillColor: i === undefined ? data.none : colourAt(data, i), fillOpacity: 1,
            hatch: hatchAt(data, i)
          });
          layer.ags = ags;
          layer.i = i;
          if (i !== undefined) { ordered[i] = layer; }
          group.addLayer(layer);
          layers[ags] = layer;
        });
        group.on("mouseover", function (e) {
          var i = e.layer.i;
          if (i === undefined) { return; }
          var tip = textNode(names[i] + ": " + data.labels[i]);
          if (e.layer.getTooltip()) { e.layer.setTooltipContent(tip); } else { e.layer.bindTooltip(tip, { sticky: true, className: "karte-tooltip" }); }
          e.layer.openTooltip(e.latlng);
          e.layer.setStyle({ weight: 2, color: "#000" });
        });
        group.on("mouseout", function (e) { e.layer.setStyle({ weight: OUTLINE.weight, color: OUTLINE.color }); });
        group.on("click", function (e) {
          var href = pageOf(e.layer.ags);
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
          var t1 = performance.now();
          if (body.data.order !== data.order) {  // other areas (new data version): reload
            window.location.href = body.url;
            return new Promise(function () {});
          }
          data = body.data;
          /* Fill colours set directly, then one redraw of the whole canvas: setStyle() on
             11,000 layers would extend the redraw bounds 11,000 times for the same result. */
          for (var i = 0; i < ordered.length; i++) {
            if (ordered[i]) { ordered[i].options.fillColor = colourAt(data, i); }
          }
          if (renderer._map && typeof renderer._redraw === "function") {
            if (renderer._redrawRequest) { L.Util.cancelAnimFrame(renderer._redrawRequest); }
            renderer._redrawBounds = null;  // null: clear and draw the whole canvas
            renderer._redraw();
          } else {
            ordered.forEach(function (layer) { if (layer) { layer.redraw(); } });
          }
          var t2 = performance.now();
          document.getElementById("gebiet-title").innerHTML = body.title;
          var legend = document.getElementById("gebiet-legend");
          if (legend) { legend.innerHTML = body.legend; }
          var table = document.getElementById("gebiet-table");
          if (table) { table.innerHTML = body.table; }
          var info = document.getElementById("gebiet-info");
          if (info) { info.innerHTML = body.info; }  // the new indicator's definition and source
          var code = document.getElementById("embed-code");
          if (code) { code.value = sized(plain(body.embed_code)); }  // the chosen frame size kept
          var yearList = document.getElementById("gebiet-years");
          if (yearList) { yearList.innerHTML = body.years; }  // the years of the new indicator
          if (push) { history.pushState({ q: query }, "", body.url); }
          var preview = document.getElementById("embed-preview");
          if (preview) { preview.setAttribute("href", body.embed_url); }
          return new Promise(function (resolve) {
            requestAnimationFrame(function () {
              var t3 = performance.now();
              window.SozmonGebiet.lastRepaint = t3 - t;
              window.SozmonGebiet.repaintTimings = { fetch: t1 - t, canvas: t2 - t1, dom: t3 - t2 };
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

  /* HTML text (entities) → plain text, without running anything (a textarea parses no markup). */
  function plain(html) {
    var t = document.createElement("textarea");
    t.innerHTML = html;
    return t.value;
  }

  /* The frame's size chosen in the embed code (as on the Kommunen map, templates/maps/_embed_sizes.html). */
  function sized(code) {
    var size = document.getElementById("embed-size");
    if (!size) { return code; }
    var wh = size.value.split("x");
    return code.replace(/ width="[^"]*" height="[^"]*"/, ' width="' + wh[0] + '" height="' + wh[1] + '"');
  }

  function embedSizes() {
    var size = document.getElementById("embed-size");
    if (!size) { return; }
    size.closest(".embed-size").hidden = false;
    size.addEventListener("change", function () {
      var code = document.getElementById("embed-code");
      code.value = sized(code.value);
    });
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("DOMContentLoaded", embedSizes);
})();
