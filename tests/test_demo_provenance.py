"""Real first (issue 25): in demo mode every shown value says "amtlich" or "Beispieldaten";
on a default install no value anywhere is synthetic."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import text

from app.cli.reports import EXAMPLE
from tests.test_api_paging import walk_values

MARKS = ("amtlich", "Beispieldaten")
REAL = "SELECT indicator_id FROM real_indicator ORDER BY 1"
# A synthetic indicator: in the catalogue, with demo values, without any real value.
SYNTHETIC = (
    "SELECT DISTINCT v.indicator_id FROM value v JOIN release r ON r.id = v.release_id"
    " WHERE r.synthetic AND v.indicator_id NOT IN (SELECT indicator_id FROM real_indicator)"
    " ORDER BY 1 LIMIT 1"
)
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Node:
    """An element of the parsed page: tag, attributes, children (elements and text)."""

    def __init__(self, tag: str, attrs: dict, parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None):
        for c in self.children:
            if isinstance(c, Node):
                if tag is None or c.tag == tag:
                    yield c
                yield from c.iter(tag)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Tree(HTMLParser):
    """A forgiving HTML tree (the standard library's parser, void elements closed)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def has_mark(node: Node) -> bool:
    """Whether an element carries a provenance mark in words (badge, text or tooltip)."""
    return any(m in node.text() for m in MARKS) or any(
        m in (node.attrs.get("data-herkunft") or "") for m in MARKS
    )


def _is_value(cell: Node) -> bool:
    t = cell.text().strip()
    # An AGS (5 or 8 digits, no separators) is a key, not a value.
    return bool(re.search(r"\d", t)) and not re.fullmatch(r"\d{5}(\d{3})?", t)


def unmarked_rows(html: str) -> list[str]:
    """Rows of data tables that show a value but say nowhere whether it is amtlich."""
    bad = []
    for table in Tree(html).root.iter("table"):
        for tr in table.iter("tr"):
            if tr.parent is not None and tr.parent.tag == "thead":
                continue
            cells = [c for c in tr.iter("td") if "num" in c.classes() or c.parent is tr]
            if any(_is_value(c) for c in cells) and not has_mark(tr):
                bad.append(" ".join(tr.text().split())[:120])
    return bad


def unmarked_points(html: str) -> list[str]:
    """Chart points and bars whose tooltip gives a value without its kind."""
    tree = Tree(html)
    bad = []
    for circle in tree.root.iter("circle"):
        for title in circle.iter("title"):
            if re.search(r"\d", title.text()) and not has_mark(title):
                bad.append(title.text())
    for g in tree.root.iter("g"):
        if "rank-row" in g.classes() and g.attrs.get("data-value") and not has_mark(g):
            bad.append(g.attrs.get("data-ags", ""))
    for svg in tree.root.iter("svg"):
        if "sparkline" in svg.classes() and not has_mark_in_label(svg):
            bad.append(svg.attrs.get("aria-label", ""))
    return bad


def has_mark_in_label(svg: Node) -> bool:
    return any(m in (svg.attrs.get("aria-label") or "") for m in MARKS)


def unmarked_areas(html: str) -> list[str]:
    """Map areas (folium's data) whose accessible name gives a value without its kind."""
    arias = re.findall(r'"aria": "((?:[^"\\]|\\.)*)"', html)
    return [a for a in arias if re.search(r"\d", a) and not any(m in a for m in MARKS)]


@pytest.fixture(scope="module")
def kinds(app) -> dict[str, str]:
    with app.extensions["sozmon_engine"].connect() as c:
        real = [r[0] for r in c.execute(text(REAL))]
        synthetic = c.scalar(text(SYNTHETIC))
    assert real and synthetic
    return {"real": "alo_anteil" if "alo_anteil" in real else real[0], "synthetic": synthetic}


def pages(kinds: dict[str, str]) -> list[str]:
    """Every page family (and embed) of the app, for a real and a synthetic indicator."""
    r, s = kinds["real"], kinds["synthetic"]
    return [
        "/",
        f"/karte?indikator={r}",
        f"/karte?indikator={s}",
        "/karte?gebiet=03&ebene=kreis",
        f"/karte/jahre?indikator={s}",
        "/kommune/03241001",
        "/vergleich/03241001/03241002",
        f"/zeitreihe?indikator={r}",
        f"/zeitreihe?indikator={s}&kommunen=03241001,03241002",
        f"/rangfolge?indikator={r}",
        f"/rangfolge?indikator={s}",
        f"/streuung?x={r}&y={s}",
        "/disparitaeten",
        f"/disparitaeten/{s}",
        "/gebiet/03",
        "/kennzahlen",
        f"/berichte/{EXAMPLE['slug']}",
        f"/embed/karte?indikator={s}",
        f"/embed/karte?indikator={r}",
        f"/embed/rangfolge?indikator={s}",
        f"/embed/streuung?x={r}&y={s}",
    ]


def test_every_value_on_every_page_says_its_kind_in_demo_mode(client, kinds):
    problems = {}
    for url in pages(kinds):
        resp = client.get(url)
        assert resp.status_code == 200, url
        html = resp.get_data(as_text=True)
        # The note explains the marks; it is no claim about the page's values. An embed (small,
        # inside another site) carries it only where it shows Beispieldaten.
        assert "synthetic-banner" not in html, url
        if not url.startswith("/embed/") or "Beispieldaten" in html:
            assert 'class="demo-note' in html, url
        bad = unmarked_rows(html) + unmarked_points(html) + unmarked_areas(html)
        if bad:
            problems[url] = bad[:5]
    assert not problems, problems


def test_a_synthetic_map_is_drawn_dotted_and_says_so(client, kinds):
    html = client.get(f"/karte?indikator={kinds['synthetic']}").get_data(as_text=True)
    assert '"synthetic": true' in html and "syntheticDash" in html
    assert "gepunkteter Umriss: Beispieldaten" in html
    real = client.get(f"/karte?indikator={kinds['real']}").get_data(as_text=True)
    assert '"synthetic": true' not in real and '"synthetic": false' in real


def test_parts_of_a_synthetic_map_mark_each_area(client, kinds):
    d = client.get(f"/karte/teile?indikator={kinds['synthetic']}").get_json()
    shown = [a for a in d["areas"].values() if not a["no_data"]]
    assert shown and all(a["synthetic"] and "Beispieldaten" in a["aria"] for a in shown)


def _csv_rows(resp) -> list[dict]:
    body = resp.get_data(as_text=True).lstrip("\ufeff")
    lines = body.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(("Thema", "Jahr")))
    return list(csv.DictReader(io.StringIO("\n".join(lines[start:]))))


@pytest.mark.parametrize(
    "url",
    [
        "/kommune/03241001?format=csv",
        "/vergleich/03241001/03241002?format=csv",
        "/zeitreihe?indikator={real}&format=csv",
        "/zeitreihe?indikator={synthetic}&format=csv",
    ],
)
def test_every_download_row_says_its_kind(client, kinds, url):
    rows = _csv_rows(client.get(url.format(**kinds)))
    assert rows
    for row in rows:
        assert row["Herkunft"] in ("amtlich", "Beispieldaten – synthetisch"), row
    kinds_seen = {row["Herkunft"] for row in rows}
    if "synthetic" in url or "kommune" in url:
        assert "Beispieldaten – synthetisch" in kinds_seen


def test_xlsx_download_has_the_herkunft_column(client):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(client.get("/kommune/03241001?format=xlsx").data))
    rows = list(wb.active.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Thema")
    col = rows[head].index("Herkunft")
    assert all(r[col] in ("amtlich", "Beispieldaten – synthetisch") for r in rows[head + 1 :])


@pytest.mark.parametrize("fmt", ["json", "csv", "geojson"])
def test_every_api_row_says_whether_it_is_synthetic(client, kinds, fmt):
    ind = f"{kinds['real']},{kinds['synthetic']}"
    resp = client.get(f"/api/v1/values?indikator={ind}&format={fmt}")
    assert resp.status_code == 200
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
        flags = [r["synthetic"] for r in rows]
        assert set(flags) == {"true", "false"}
        by = {(r["indicator"], r["synthetic"]) for r in rows}
    else:
        body = resp.get_json()
        data = body["data"] if fmt == "json" else [f["properties"] for f in body["features"]]
        assert all(isinstance(r["synthetic"], bool) for r in data)
        by = {(r["indicator"], str(r["synthetic"]).lower()) for r in data}
    # One kind per indicator: the real one never gets a synthetic row, and vice versa.
    assert by == {(kinds["real"], "false"), (kinds["synthetic"], "true")}


@pytest.mark.parametrize("period", [(2012, 2016), (2015, 2022), (2019, 2024)])
def test_changes_of_real_indicators_use_real_years_only(app, client, period):
    """A real indicator's change in the profile (and its download) spans two real values; a
    synthetic one's two synthetic values: never one of each."""
    y0, y1 = period
    with app.extensions["sozmon_engine"].connect() as c:
        years = {
            (i, y, syn)
            for i, y, syn in c.execute(
                text(
                    "SELECT DISTINCT v.indicator_id, v.year, r.synthetic FROM value v"
                    " JOIN release r ON r.id = v.release_id"
                    " WHERE v.ags = '03241001' AND v.value IS NOT NULL AND r.status = 'published'"
                )
            )
        }
        real = {r[0] for r in c.execute(text(REAL))}
    rows = _csv_rows(client.get(f"/kommune/03241001?von={y0}&bis={y1}&format=csv"))
    col = f"Veränderung {y0}–{y1} (Punkte)"
    # a series break in the period: its note instead of a change (no number to check)
    changes = [r for r in rows if r[col] and not r[col].startswith("Zeitreihenbruch")]
    assert changes
    for r in changes:
        ind = r["Kennzahl-ID"]
        synthetic = ind not in real
        assert r["Herkunft"] == ("Beispieldaten – synthetisch" if synthetic else "amtlich"), r
        # Both ends of the change are values of the row's own kind.
        assert (ind, y0, synthetic) in years and (ind, y1, synthetic) in years, r


def test_default_install_shows_no_synthetic_value(real_app):
    client = real_app.test_client()
    with real_app.extensions["sozmon_engine"].connect() as c:
        inds = [r[0] for r in c.execute(text("SELECT id FROM indicator ORDER BY 1"))]
        real = [r[0] for r in c.execute(text(REAL))]
    rows = []
    for k in range(0, len(inds), 10):  # every indicator, ten per request
        url = f"/api/v1/values?indikator={','.join(inds[k : k + 10])}"
        r = client.get(url)
        assert r.status_code in (200, 404), r.get_data(as_text=True)[:300]
        if r.status_code == 200:
            assert r.get_json()["synthetic"] is False
            rows += walk_values(client, url)  # JSON comes in pages
    assert rows and not [r for r in rows if r["synthetic"] is not False]
    releases = client.get("/api/v1/releases").get_json()
    assert releases["data"] and not [r for r in releases["data"] if r["synthetic"]]
    kinds = {"real": "alo_anteil" if "alo_anteil" in real else real[0], "synthetic": real[0]}
    for url in pages(kinds):
        resp = client.get(url)
        assert resp.status_code in (200, 404), url
        html = resp.get_data(as_text=True)
        assert "Beispieldaten" not in html.split("</main>")[0].split('id="main"')[-1], url
        assert "demo-note" not in html, url
