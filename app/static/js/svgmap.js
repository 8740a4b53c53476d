// Names over the server-drawn SVG maps (disparities, clusters): on small maps neighbouring names
// would overlap, so each name that touches one placed before it moves down just below it.
(function () {
  "use strict";
  function separate(box) {
    var spans = Array.prototype.slice.call(box.querySelectorAll(".svg-map-labels span"));
    spans.forEach(function (s) { s.style.marginTop = "0px"; });
    spans.sort(function (a, b) { return a.getBoundingClientRect().top - b.getBoundingClientRect().top; });
    var placed = [];
    spans.forEach(function (s) {
      var dy = 0;
      for (var pass = 0; pass < 4; pass++) {
        var r = s.getBoundingClientRect(), moved = false;
        placed.forEach(function (p) {
          if (r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top) {
            dy += p.bottom - r.top + 1;
            s.style.marginTop = dy + "px";
            r = s.getBoundingClientRect(); moved = true;
          }
        });
        if (!moved) { break; }
      }
      placed.push(s.getBoundingClientRect());
    });
  }
  function all() { document.querySelectorAll(".svg-map-box").forEach(separate); }
  window.addEventListener("resize", all);
  all();
})();
