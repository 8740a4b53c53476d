"""One URL per page family, and the in-page checks shared by the responsive/English tests."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[2] / "translations" / "en" / "LC_MESSAGES" / "messages.po"

LEHRTE, GARBSEN = "03241011", "03241005"
FAMILIES = {
    "start": "/",
    "suche": "/suche?q=quote",
    "karte": "/karte?indikator=bev_geburtenrate&jahr=2015",
    # demo mode: a wholly synthetic indicator, every value marked
    "karte-beispiel": "/karte?indikator=sgb2_15_64_quote&jahr=2024",
    "embed": "/embed/karte?indikator=bev_geburtenrate&jahr=2015",
    "karte-gruppe": f"/karte?indikator=bev_geburtenrate&jahr=2015&gruppe={LEHRTE}",
    "karte-aenderung": "/karte?indikator=bev_geburtenrate&von=2011&bis=2015",
    "karte-jahre": "/karte/jahre?indikator=bev_geburtenrate",
    "kommunen": "/kommunen",
    "profil": f"/kommune/{LEHRTE}",
    "vergleich": f"/vergleich/{LEHRTE}/{GARBSEN}",
    # one topic's charts on the page (the way without JavaScript; the same fragment the page
    # fetches when a topic's charts are opened: tests/browser/test_compare_charts.py)
    "vergleich-diagramme": f"/vergleich/{LEHRTE}/{GARBSEN}?thema=bevoelkerung",
    "zeitreihe": f"/zeitreihe?indikator=bev_insgesamt&kommunen={LEHRTE},{GARBSEN}",
    "disparitaeten": "/disparitaeten",
    "sozialindex": "/sozialindex",
    # the benchmark switch (issue #30): the profile and the map against the Land, Germany
    "profil-land": f"/kommune/{GARBSEN}?vergleich_mit=land",
    "karte-bund": "/karte?indikator=svb_quote&jahr=2015&farben=vergleich&vergleich_mit=bund",
    "disparitaet": "/disparitaeten/bev_geburtenrate?jahr=2015",
    "cluster": "/disparitaeten/bev_geburtenrate/cluster",
    "daten": "/daten",
    "barrierefreiheit": "/barrierefreiheit",
    "fehler": "/kommune/99999999",
    "redaktion": "/redaktion/anmelden",
    "berichte": "/berichte",
    "bericht": "/berichte/bevoelkerung-und-mindestsicherung-2010-2015",
    "streuung": f"/streuung?x=svb_quote&y=bev_anteil_65plus&jahr=2015&auswahl={LEHRTE},{GARBSEN}",
    "streuung-embed": f"/embed/streuung?x=svb_quote&y=bev_anteil_65plus&auswahl={LEHRTE}",
    "rangfolge": "/rangfolge?indikator=bev_geburtenrate&jahr=2015",
    "rangfolge-embed": "/embed/rangfolge?indikator=bev_geburtenrate&jahr=2015",
    "karte-gebiet": "/karte?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus",
    "karte-gebiet-embed": "/embed/karte?gebiet=03&ebene=kreis&indikator=bev_anteil_65plus",
    "gebiet-profil": "/gebiet/03254",
    "suche-gebiet": "/suche/gebiet?q=Hildesheim",
    "kennzahlen": "/kennzahlen",
    "was-ist-neu": "/was-ist-neu",
    "was-ist-neu-kommune": f"/was-ist-neu?kommune={GARBSEN}",
    "karte-gemeinden-fehlen": "/karte?gebiet=03&ebene=gemeinde&indikator=bev_anteil_65plus",
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Widest element sticking out of the page, for a readable failure message.
OVERFLOW_JS = """() => {
  const w = document.documentElement.clientWidth;
  let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= w + 1) continue;
    let p = el.parentElement, clipped = false;
    while (p && p !== document.body) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
      p = p.parentElement;
    }
    if (!clipped && (!worst || r.right > worst.right))
      worst = {tag: el.tagName, cls: el.className && el.className.baseVal === undefined ? el.className : '',
               id: el.id, right: Math.round(r.right)};
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, worst};
}"""

# Visible text nodes with the language that applies to them (nearest [lang]).
TEXTS_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const t = n.textContent.trim();
    const el = n.parentElement;
    if (!t || !el || el.closest('script, style, [hidden], [aria-hidden="true"]')) continue;
    const lang = el.closest('[lang]').getAttribute('lang');
    out.push([lang, t]);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    const lang = el.closest('[lang]').getAttribute('lang');
    for (const a of ['aria-label', 'title', 'placeholder', 'alt'])
      if (el.getAttribute(a)) out.push([lang, el.getAttribute(a)]);
  }
  out.push([document.documentElement.lang, document.title]);
  return out;
}"""


def german_ui_strings(names: set[str] = frozenset()) -> list[str]:
    """German msgids whose English translation differs: on an English page they are a fault.

    Strings identical in both languages ("Gini-Koeffizient"), fragments under four letters and
    place names (`names`, e.g. the area "Region Hannover" from the data) are left out.
    """
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    out = set()
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for mid in ids:
            if mid in strings:
                continue
            # The fixed part of a message with placeholders (the longest literal piece).
            for piece in mid.replace("%%", "%").split("%("):
                piece = piece.split(")s", 1)[-1].split(")d", 1)[-1].strip(" .,:;–-()")
                if len(piece) >= 4 and piece not in names and not any(piece in s for s in strings):
                    out.add(piece)
    return sorted(out)
