// The comparison's charts load when the reader opens them: under each topic's table, a closed
// `details.topic-charts` ("Diagramme zum Thema …") holds a `.chart-slot` with the URL of the
// topic's charts (an HTML fragment of this site, data-src) and, for readers without
// JavaScript, a link to the page with that topic's charts (?thema=). Opening it (click, Enter
// or Space on its summary) fetches the fragment once and puts it in the slot; the slot is
// aria-busy meanwhile and #chart-status (role=status) says what happened. Focus stays where it
// was (on the summary). A row's link to its chart loads the topic's charts, then goes there.
(function () {
  var status = document.getElementById("chart-status");

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function topicName(details) {
    var topic = details.closest("details.compare-topic");
    var h = topic && topic.querySelector("summary h2");
    var count = h && h.querySelector(".count");
    var text = h ? h.textContent : "";
    return (count ? text.replace(count.textContent, "") : text).trim();
  }

  // Load a topic's charts (once); returns a promise that resolves when they are in the page.
  function load(details) {
    var slot = details.querySelector(".chart-slot[data-src]");
    if (!slot) { return Promise.resolve(); }
    if (slot.loading) { return slot.loading; }
    slot.setAttribute("aria-busy", "true");
    if (status) { say(status.dataset.loading); }
    slot.loading = fetch(slot.dataset.src, { credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) { throw new Error(String(resp.status)); }
        return resp.text();
      })
      .then(function (html) {
        slot.innerHTML = html;
        slot.removeAttribute("data-src");
        slot.setAttribute("aria-busy", "false");
        if (status) { say(status.dataset.loaded.replace("{t}", topicName(details))); }
      })
      .catch(function () {
        // The no-JS link to the topic's charts stays in the slot: the reader can follow it.
        slot.loading = null;
        slot.setAttribute("aria-busy", "false");
        if (status) { say(status.dataset.failed); }
      });
    return slot.loading;
  }

  document.querySelectorAll("details.topic-charts").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (details.open) { load(details); }
    });
    if (details.open) { load(details); }
  });

  // A row's link to its chart (or the page opened at #chart-…): load the topic, then go there.
  function goToChart(id) {
    var row = document.querySelector('a[data-chart="' + CSS.escape(id) + '"]');
    var topic = row && row.closest("details.compare-topic");
    var details = topic && topic.querySelector("details.topic-charts");
    if (!details) { return; }
    topic.open = true;
    details.open = true;
    load(details).then(function () {
      var fig = document.getElementById(id);
      if (fig) {
        fig.setAttribute("tabindex", "-1");
        fig.scrollIntoView();
        fig.focus({ preventScroll: true });
        if (location.hash !== "#" + id) { history.replaceState(null, "", "#" + id); }
      }
    });
  }

  document.querySelectorAll("a[data-chart]").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      goToChart(a.dataset.chart);
    });
  });
  function fromHash() {
    var hash;
    try { hash = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    if (hash.indexOf("chart-") === 0 && !document.getElementById(hash)) { goToChart(hash); }
  }
  fromHash();
  window.addEventListener("hashchange", fromHash);
})();
