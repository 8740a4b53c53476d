"""The comparison's charts load per topic (issue #27 item 10): the page holds every topic's
table and, per topic, a link to its charts; the charts come as an HTML fragment from
/vergleich/<A>/<B>/diagramme/<topic> (or inline with ?thema=<topic>, the no-JS way)."""

from __future__ import annotations

import re

from sqlalchemy import text

HANNOVER, GARBSEN = "03241001", "03241005"
PAGE = f"/vergleich/{HANNOVER}/{GARBSEN}"


def _topics(page: str) -> dict[str, list[str]]:
    """Each topic's id and the indicators of its table rows, in the page's order."""
    out = {}
    for block in page.split('<details class="topic-block compare-topic"')[1:]:
        tid = re.match(r'\s*id="topic-([^"]+)"', block).group(1)
        out[tid] = re.findall(r'<tr id="row-[^"]+" data-indicator="([^"]+)"', block)
    return out


def _charts(html: str) -> list[str]:
    return re.findall(r'<figure class="compare-chart" id="chart-([^"]+)"', html)


def test_page_has_every_table_but_no_chart_and_a_way_to_each_topics_charts(client, conn):
    page = client.get(PAGE).get_data(as_text=True)
    topics = _topics(page)
    n = conn.scalar(text("SELECT count(*) FROM indicator"))
    assert sum(len(rows) for rows in topics.values()) == n  # every indicator's row is there
    assert _charts(page) == [] and '<svg class="chart"' not in page
    for tid in topics:
        assert f'data-src="{PAGE}/diagramme/{tid}"' in page
        assert f'href="{PAGE}?thema={tid}#charts-{tid}"' in page  # without JavaScript
    assert 'id="chart-status"' in page and 'role="status"' in page


def test_fragment_has_its_topics_charts_and_nothing_else(client, conn):
    topics = _topics(client.get(PAGE).get_data(as_text=True))
    seen = []
    for tid, rows in topics.items():
        r = client.get(f"{PAGE}/diagramme/{tid}")
        assert r.status_code == 200 and r.mimetype == "text/html"
        frag = r.get_data(as_text=True)
        assert "<html" not in frag and "<body" not in frag and "<script" not in frag
        assert _charts(frag) == rows  # one chart per row of the topic's table, in its order
        assert frag.count('<svg class="chart"') == len(rows)
        assert frag.count('<details class="chart-data">') == len(rows)
        seen += rows
    assert len(seen) == len(set(seen)) == conn.scalar(text("SELECT count(*) FROM indicator"))


def test_fragment_carries_the_pages_parameters(client):
    topics = list(_topics(client.get(PAGE).get_data(as_text=True)))
    en = client.get(f"{PAGE}/diagramme/{topics[0]}?lang=en").get_data(as_text=True)
    assert "Data as a table" in en and "Daten als Tabelle" not in en
    page = client.get(f"{PAGE}?vergleich_mit=land").get_data(as_text=True)
    assert f'data-src="{PAGE}/diagramme/{topics[0]}?vergleich_mit=land"' in page
    assert client.get(f"{PAGE}/diagramme/{topics[0]}?vergleich_mit=land").status_code == 200
    assert client.get(f"{PAGE}/diagramme/{topics[0]}?vergleich_mit=kreis").status_code == 400
    # a release the page cannot show, the fragment cannot either
    assert client.get(f"{PAGE}?release=999").status_code == 404
    assert client.get(f"{PAGE}/diagramme/{topics[0]}?release=999").status_code == 404


def test_unknown_topic_is_a_404_naming_the_topics(client):
    topics = list(_topics(client.get(PAGE).get_data(as_text=True)))
    for url in (f"{PAGE}/diagramme/gibtsnicht", f"{PAGE}?thema=gibtsnicht"):
        r = client.get(url)
        assert r.status_code == 404, url
        body = r.get_data(as_text=True)
        assert "gibtsnicht" in body
        assert all(f"{PAGE}?thema={t}" in body for t in topics)
    assert client.get(f"/vergleich/99999999/{GARBSEN}/diagramme/{topics[0]}").status_code == 404


def test_topic_page_without_javascript_shows_that_topics_charts_open(client):
    topics = _topics(client.get(PAGE).get_data(as_text=True))
    tid, rows = list(topics.items())[1]
    page = client.get(f"{PAGE}?thema={tid}").get_data(as_text=True)
    assert _charts(page) == rows
    opened = re.findall(
        r'<details class="topic-block compare-topic" id="topic-([^"]+)" open>', page
    )
    assert opened == [tid]
    assert f'<details class="topic-charts" id="charts-{tid}" open>' in page
    assert page.count('<details class="topic-charts" id="charts-') == len(topics)
    # its rows link to the charts on the page; another topic's rows to that topic's page
    assert f'href="#chart-{rows[0]}"' in page
    other, other_rows = list(topics.items())[0]
    assert f'href="{PAGE}?thema={other}#chart-{other_rows[0]}"' in page
