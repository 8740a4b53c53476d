"""Citable frozen views of the disparities (issue #31 part 3): the overview /disparitaeten, one
indicator's page /disparitaeten/<id> and its cluster map accept `stand=<ids>`.

On the real test database: the live pages cite themselves pinned (`stand` in the permalink and
every data link); a pinned page computes every number from exactly those releases
(`shown_value_in(ids)`) and equals the live page, which reads the figures kept at publish, as
long as nothing new is published; after `sozmon load-release` changes a Kommune's values the
pinned pages, their downloads and images are byte-identical, say that newer data exist and link
to the live page, which shows the new numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from pybtex.database import parse_string

from tests.conftest import invoke

HANNOVER, OTHER = "03241001", "03241011"
INDICATOR = "armutsgefaehrdung_quote"
OVERVIEW = "/disparitaeten?von=2016&bis=2024"
DETAIL = f"/disparitaeten/{INDICATOR}?jahr=2024"
CLUSTER = f"/disparitaeten/{INDICATOR}/cluster?jahr=2024"


def ok_html(r) -> str:
    assert r.status_code == 200, (r.status_code, r.get_data(as_text=True)[:400])
    return r.get_data(as_text=True)


def permalink_of(html: str) -> str:
    found = re.search(r'class="cite-link" type="text" readonly value="([^"]+)"', html)
    assert found
    return found.group(1).replace("&amp;", "&")


def site_path(url: str) -> str:
    """The site-relative part of an absolute URL."""
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


def _links(html: str, pattern: str) -> list[str]:
    return [
        x.replace("&amp;", "&") for x in re.findall(r'href="([^"]*' + pattern + r'[^"]*)"', html)
    ]


def first_link(html: str, pattern: str) -> str:
    found = _links(html, pattern)
    assert found, pattern
    return found[0]


def main_part(html: str) -> str:
    """The page's content without the pinned view's own note (the one part that may change);
    the chart's ids are numbered per process (app.render.charts)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r'<p class="pinned-note" role="note">.*?</p>\n', "", main, flags=re.S)
    return re.sub(r"\b(chart-t|sc|sm)\d+", r"\1", main)


def _part(html: str, start: str, end: str = "</table>") -> str:
    """One table (or other part) of a page, from `start` to `end`."""
    assert start in html, start
    return html.split(start, 1)[1].split(end, 1)[0]


def unpinned(html: str) -> str:
    """A page part without its links' pin (`stand=` in hrefs)."""
    return re.sub(r"(&amp;|\?)stand=[0-9.]+", "", html)


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def stand_of(url: str) -> str:
    found = re.search(r"[?&]stand=([0-9.]+)", url)
    assert found, url
    return found.group(1)


# The parts of each page whose numbers a pinned page must compute exactly as the live page
# reads them from the tables kept at publish (before anything new is published).
PARTS = {
    OVERVIEW: ('<table class="ranking">', '<ul class="not-assessable">'),
    DETAIL: ('<table class="data benchmarks">', '<table class="data spreads">', "<svg class"),
    CLUSTER: ('<p class="moran"', "<svg class"),
}


def test_the_disparities_cite_themselves_pinned_in_every_export(client):
    html = ok_html(client.get(OVERVIEW))
    permalink = permalink_of(html)
    stand = stand_of(permalink)
    assert "von=2016" in permalink and "bis=2024" in permalink and "mass=cv_weighted" in permalink
    assert "Zitierter Datenstand" not in html
    csv_url = first_link(html, "format=csv")
    assert f"stand={stand}" in csv_url
    rows = _csv(client.get(csv_url).data)
    header = [r[0] for r in rows[: rows.index([])]]
    assert any(h.startswith("Zitieren: ") and permalink in h for h in header)
    assert any(h.startswith("Cite: ") and permalink in h for h in header)
    meta = client.get(first_link(html, "format=json")).get_json()["metadata"]
    assert permalink in meta["citation"]["de"] and permalink in meta["citation"]["en"]
    (entry,) = parse_string(
        client.get(first_link(html, "format=bib")).data.decode(), "bibtex"
    ).entries.values()
    assert entry.fields["url"] == permalink
    assert json.loads(client.get(first_link(html, "format=csl-json")).data)[0]["URL"] == permalink

    # The pinned overview: its period form and its detail links keep the pin.
    pinned = ok_html(client.get(site_path(permalink)))
    assert "Zitierter Datenstand" in pinned and "Das sind auch die aktuellen Daten" in pinned
    assert f'<input type="hidden" name="stand" value="{stand}">' in pinned
    details = _links(pinned, "/disparitaeten/")
    assert details and all(f"stand={stand}" in d for d in details)
    assert permalink_of(pinned) == permalink

    # One indicator: the benchmarks' and the spreads' data links, the images, the year form,
    # the cluster map and the way back keep the pin.
    html = ok_html(client.get(DETAIL))
    permalink = permalink_of(html)
    stand = stand_of(permalink)
    assert f"/disparitaeten/{INDICATOR}?jahr=2024" in permalink
    for pattern in ("format=csv", "tabelle=streuung", "vergleich.svg", "streuung.svg"):
        link = first_link(html, pattern)
        assert f"stand={stand}" in link or pattern.endswith(".svg"), link
    pinned = ok_html(client.get(site_path(permalink)))
    assert "Zitierter Datenstand" in pinned
    for pattern in ("tabelle=streuung", "vergleich.svg", "streuung.svg", "/cluster"):
        assert all(f"stand={stand}" in x for x in _links(pinned, pattern)), pattern
    # its way back leads to the live overview (this pin holds one indicator's releases) …
    back = re.search(r'<a href="([^"]*)" id="back-overview"', pinned).group(1)
    assert "stand=" not in back
    # … but a detail page opened from a pinned overview leads back to it
    overview = permalink_of(ok_html(client.get(OVERVIEW)))
    from_overview = first_link(
        ok_html(client.get(site_path(overview))), f"/disparitaeten/{INDICATOR}"
    )
    page = ok_html(client.get(from_overview))
    back = re.search(r'<a href="([^"]*)" id="back-overview"', page).group(1)
    assert f"stand={stand_of(overview)}" in back and "von=2016" in back
    assert f'<input type="hidden" name="stand" value="{stand}">' in pinned
    r = client.get(first_link(pinned, "tabelle=streuung"))
    assert "immutable" in r.headers["Cache-Control"]  # a pinned download cannot change
    assert "immutable" not in client.get(DETAIL + "&format=csv").headers.get("Cache-Control", "")
    spreads = _csv(r.data)
    assert any(r and r[0].startswith("Zitieren: ") and permalink in r[0] for r in spreads)
    image = client.get(first_link(pinned, "vergleich.svg"))
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert f"stand={stand}" in image.get_data(as_text=True)  # its licence links the pinned page
    for pattern in ("vergleich.svg", "streuung.svg"):  # both carry the page's citation line
        svg = client.get(first_link(pinned, pattern)).get_data(as_text=True)
        assert "abgerufen am" in svg and permalink.replace("&", "&amp;") in svg, pattern
    cluster = ok_html(client.get(first_link(pinned, "/cluster")))
    assert "Zitierter Datenstand" in cluster
    assert all(f"stand={stand}" in x for x in _links(cluster, "cluster.svg"))
    assert client.get(first_link(cluster, "cluster.svg")).status_code == 200


def test_a_pinned_page_computes_what_the_live_page_reads_from_the_kept_figures(client):
    """Nothing new published: the pinned pages' numbers (computed from `shown_value_in(ids)`)
    are the live pages' (read from the tables kept at publish) — every row, value, interval,
    verdict, spread and map colour."""
    for url, parts in PARTS.items():
        live = ok_html(client.get(url))
        pinned = ok_html(client.get(site_path(permalink_of(live)) if url != CLUSTER else url))
        if url == CLUSTER:  # the cluster map has no citation box: the detail's pin
            stand = stand_of(permalink_of(ok_html(client.get(DETAIL))))
            pinned = ok_html(client.get(f"{url}&stand={stand}"))
        assert "Zitierter Datenstand" in pinned
        for start in parts:
            assert unpinned(_part(pinned, start)) == _part(live, start), (url, start)
    # Its downloads' rows too (the citation lines in their header differ: the pinned URL).
    for url in (OVERVIEW, DETAIL, DETAIL + "&tabelle=streuung"):
        live = ok_html(client.get(OVERVIEW if url == OVERVIEW else DETAIL))
        stand = stand_of(permalink_of(live))
        bodies = []
        for u in (url, f"{url}&stand={stand}"):
            rows = _csv(client.get(f"{u}&format=csv").data)
            bodies.append(rows[rows.index([]) :])
        assert bodies[0] == bodies[1], url
    # Another period and measure of the pinned overview (through its form) equal the live.
    stand = stand_of(permalink_of(ok_html(client.get(OVERVIEW))))
    for query in ("von=2016&bis=2024&mass=gini", "von=2020&bis=2024&mass=cv"):
        live = ok_html(client.get(f"/disparitaeten?{query}"))
        pinned = ok_html(client.get(f"/disparitaeten?{query}&stand={stand}"))
        assert unpinned(_part(pinned, PARTS[OVERVIEW][0])) == _part(live, PARTS[OVERVIEW][0])
        assert unpinned(_part(pinned, PARTS[OVERVIEW][1], "</ul>")) == _part(
            live, PARTS[OVERVIEW][1], "</ul>"
        )


def test_pinned_disparities_keep_every_number_after_a_new_release(fresh_app, tmp_path):
    client = fresh_app.test_client()
    captured = {}
    exports = {
        OVERVIEW: ("format=csv", "format=csv-de", "format=json", "format=bib"),
        DETAIL: (
            "format=csv",
            "format=json",
            "format=csl-json",
            "tabelle=streuung",
            "vergleich.svg",
            "streuung.svg",
        ),
    }
    for url, patterns in exports.items():
        live_before = ok_html(client.get(url))
        path = site_path(permalink_of(live_before))
        html = ok_html(client.get(path))
        assert "Das sind auch die aktuellen Daten" in html
        files = {}
        for link in (_links(html, p)[0] for p in patterns):
            r = client.get(link)
            assert r.status_code == 200, link
            files[link] = r.data
        assert len(files) == len(patterns) and all("stand=" in x for x in files), files
        captured[url] = (live_before, path, html, files)
    cluster_path = first_link(captured[DETAIL][2], "/cluster")
    cluster_before = ok_html(client.get(cluster_path))

    # A new release: two Kommunen's values of the indicator in the period's last year.
    korrektur = tmp_path / "korrektur.csv"
    korrektur.write_text(
        "ags,indicator,year,value\n"
        f"{HANNOVER},{INDICATOR},2024,3.0\n"
        f"{OTHER},{INDICATOR},2024,44.4\n"
    )
    result = invoke(fresh_app, "load-release", str(korrektur), "--label", "korrektur-2026")
    assert result.exit_code == 0, result.output

    for url, (live_before, path, html, files) in captured.items():
        live = ok_html(client.get(url))
        assert live != live_before, url
        # the live numbers changed: the table kept at publish was refreshed
        start = PARTS[url][0]
        assert _part(live, start) != _part(live_before, start), url
        page_after = ok_html(client.get(path))
        name = re.sub(r"\W+", "_", url)
        (tmp_path / f"{name}.before.html").write_text(main_part(html), encoding="utf-8")
        (tmp_path / f"{name}.after.html").write_text(main_part(page_after), encoding="utf-8")
        assert main_part(page_after) == main_part(html), url  # every number byte-identical
        for link, body in files.items():
            again = client.get(link).data
            if ".svg" in link:  # the chart's ids are numbered per process
                again, body = (re.sub(rb"\b(chart-t|sc|sm)\d+", rb"\1", x) for x in (again, body))
            assert again == body, link
        current = re.search(r'<strong>Es gibt neuere Daten.</strong> <a href="([^"]+)"', page_after)
        assert current and "stand=" not in current.group(1), url
        target = current.group(1).replace("&amp;", "&")
        assert main_part(ok_html(client.get(target))) == main_part(live)
        assert permalink_of(live) != permalink_of(live_before)  # the new release is in the pin
    # The new values: Hannover's 3,0 on the live detail page only.
    detail_live = ok_html(client.get(DETAIL))
    assert ">3,0 %<" in detail_live or ">3,0<" in detail_live
    benchmarks = _part(captured[DETAIL][2], '<table class="data benchmarks">')
    assert ">3,0 %<" not in benchmarks and ">3,0<" not in benchmarks
    cluster_after = ok_html(client.get(cluster_path))
    assert main_part(cluster_after) == main_part(cluster_before)
    assert "Es gibt neuere Daten" in cluster_after


@pytest.mark.parametrize(
    ("stand", "status", "words"),
    [("abc", 400, "stand"), ("2.1", 400, "aufsteigend"), ("99999", 404, "99999")],
)
def test_hostile_or_unknown_pins_of_the_disparities_are_refused(client, stand, status, words):
    for url in (
        OVERVIEW,
        OVERVIEW + "&format=csv",
        DETAIL,
        DETAIL + "&format=json",
        DETAIL + "&tabelle=streuung&format=csv",
        f"/disparitaeten/{INDICATOR}/vergleich.svg?jahr=2024",
        f"/disparitaeten/{INDICATOR}/streuung.png?jahr=2024",
        CLUSTER,
        f"/disparitaeten/{INDICATOR}/cluster.svg?jahr=2024",
    ):
        r = client.get(f"{url}&stand={stand}")
        assert r.status_code == status, url
        assert words in r.get_data(as_text=True), url
