// Wide tables: where a table is wider than its box, show the cue above it ("scroll sideways;
// the names stay") and mark the box so its right edge shows a shadow. Checked again on resize.
(function () {
  function check() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("scrolls", wide);
      var cue = box.previousElementSibling;
      if (cue && cue.classList.contains("scroll-cue")) { cue.hidden = !wide; }
    });
  }
  // The phone jump menu closes once a topic is chosen.
  document.querySelectorAll(".topic-menu a").forEach(function (a) {
    a.addEventListener("click", function () { a.closest("details").open = false; });
  });
  check();
  window.addEventListener("resize", check);
  window.addEventListener("load", check);
})();
