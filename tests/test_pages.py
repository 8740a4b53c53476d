"""Start page, error pages and headers through the Flask test client."""

from geodata import attribution


def test_start_page_lists_every_indicator(client, conn):
    from sqlalchemy import text

    html = client.get("/").get_data(as_text=True)
    names = list(conn.scalars(text("SELECT name_de FROM indicator")))
    assert len(names) >= 96
    for name in names:
        assert name.replace("&", "&amp;") in html or name in html
    assert "Beispieldaten" in html
    assert attribution.BOUNDARIES in html


def test_unknown_page_is_a_german_404(client):
    r = client.get("/gibt-es-nicht")
    assert r.status_code == 404
    assert "Fehler 404" in r.get_data(as_text=True)
    assert "nicht gefunden" in r.get_data(as_text=True)


def test_pages_refuse_framing(client):
    r = client.get("/")
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"


def test_english_is_available(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Population structure" in html
