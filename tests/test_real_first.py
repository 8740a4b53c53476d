"""Real first (issue 25): a series is real or synthetic, never both; the default install is real.

The fixtures `app`/`client` run in demo mode (synthetic values for indicators without real
data); `real_app` is a default install: load-all without SOZMON_DEMO, no demo release at all.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text


@pytest.fixture(scope="module")
def real_client(real_app):
    return real_app.test_client()


def _scalar(app, sql: str, **params):
    with app.extensions["sozmon_engine"].connect() as c:
        return c.scalar(text(sql), params)


def test_default_install_has_no_synthetic_release_and_shows_no_synthetic_value(real_app):
    assert _scalar(real_app, "SELECT count(*) FROM release WHERE synthetic") == 0
    assert _scalar(real_app, "SELECT count(*) FROM shown_value WHERE synthetic") == 0
    assert _scalar(real_app, "SELECT count(*) FROM shown_value") > 1000


def test_a_synthetic_release_in_the_database_stays_hidden_without_demo_mode(app, real_app):
    # The demo-mode database holds the demo release; a connection without demo mode sees
    # none of its values, and cannot name it.
    from app.web.db import make_engine

    eng = make_engine(app.config["DATABASE_URL"], demo=False)
    with eng.connect() as c:
        assert c.scalar(text("SELECT count(*) FROM release WHERE synthetic")) == 1
        assert c.scalar(text("SELECT count(*) FROM shown_value WHERE synthetic")) == 0
        assert (
            c.scalar(
                text(
                    "SELECT count(*) FROM shown_value_in(ARRAY(SELECT id FROM release))"
                    " WHERE synthetic"
                )
            )
            == 0
        )
    eng.dispose()
    with app.extensions["sozmon_engine"].connect() as c:  # demo mode: they are there
        assert c.scalar(text("SELECT count(*) FROM shown_value WHERE synthetic")) > 1000


def test_synthetic_values_never_join_a_real_series(conn):
    # Per indicator: either every shown value is real or every one is synthetic.
    mixed = conn.execute(
        text(
            "SELECT indicator_id FROM shown_value GROUP BY indicator_id"
            " HAVING bool_or(synthetic) AND bool_or(NOT synthetic)"
        )
    ).all()
    assert mixed == []
    # bev_insgesamt is real (GENESIS 2008–2015): the demo's 2016–2024 continuation is gone.
    rows = conn.execute(
        text(
            "SELECT DISTINCT year, synthetic FROM shown_value WHERE indicator_id = 'bev_insgesamt'"
        )
    ).all()
    assert rows and not any(r.synthetic for r in rows)
    assert max(r.year for r in rows) < 2024


def test_withdrawing_the_real_release_lets_the_synthetic_series_show_again(fresh_app):
    # The rule follows the published real releases, not a fixed list of indicators.
    from indicators.releases import rollback

    count = (
        "SELECT count(*) FILTER (WHERE synthetic), count(*) FILTER (WHERE NOT synthetic)"
        " FROM shown_value WHERE indicator_id = 'alo_anteil'"
    )
    with fresh_app.extensions["sozmon_engine"].begin() as c:
        synthetic, real = c.execute(text(count)).one()
        assert synthetic == 0 and real > 0
        rollback(c, "regionalstatistik-2017", force=True)
        synthetic, real = c.execute(text(count)).one()
        assert synthetic > 0 and real == 0


def test_a_synthetic_release_cannot_be_named_on_a_default_install(real_app, app):
    with app.extensions["sozmon_engine"].connect() as c:
        demo_id = c.scalar(text("SELECT id FROM release WHERE synthetic"))
    client = real_app.test_client()
    # No such release on the default install's database either way; the API refuses it.
    r = client.get(f"/api/v1/values?indikator=bev_insgesamt&release={demo_id}")
    assert r.status_code in (400, 404)


def test_first_visit_opens_on_a_real_indicator_in_its_newest_real_year(real_client, real_app):
    html = real_client.get("/karte").get_data(as_text=True)
    assert "Beispieldaten" not in html
    with real_app.app_context():
        from app.pages.data.map_state import default_indicator, home_values

        with real_app.test_request_context("/karte"):
            ind = default_indicator()
            rows = home_values().rows[ind]
    assert rows and not any(r.synthetic for r in rows)
    newest = max(r.year for r in rows if r.value is not None)
    assert f"{newest}" in html
    start = real_client.get("/").get_data(as_text=True)
    assert "Beispieldaten" not in start


def test_catalogue_page_lists_indicators_without_data_as_noch_keine_daten(real_client):
    r = real_client.get("/kennzahlen")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "noch keine Daten" in html
    assert 'id="k-bev_insgesamt"' in html and "amtlich" in html
    assert "Beispieldaten" not in html
    en = real_client.get("/kennzahlen?lang=en").get_data(as_text=True)
    assert "no data yet" in en


def test_map_of_an_indicator_without_data_says_noch_keine_daten(real_client, real_app):
    no_data = _scalar(
        real_app,
        "SELECT id FROM indicator WHERE id NOT IN (SELECT indicator_id FROM shown_value)"
        " ORDER BY id LIMIT 1",
    )
    r = real_client.get(f"/karte?indikator={no_data}&lang=de")
    assert r.status_code == 404
    html = r.get_data(as_text=True)
    assert "noch keine Daten" in html and f"/kennzahlen#k-{no_data}" in html


def test_kreis_map_offers_only_years_with_values(client):
    # In demo mode the Region's synthetic continuation 2016–2024 used to add years to a map
    # of all Kreise that has real values in 2015 only.
    html = client.get("/karte?gebiet=DG&ebene=kreis&indikator=bev_anteil_65plus").get_data(
        as_text=True
    )
    assert "jahr=2015" in html
    for y in range(2016, 2025):
        assert f"jahr={y}" not in html


def test_gemeinde_map_without_germany_says_which_areas_are_missing(client):
    r = client.get("/karte?gebiet=03&ebene=gemeinde&indikator=bev_anteil_65plus")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="gemeinden-missing"' in html and "sozmon load-germany" in html
    region = client.get("/karte?gebiet=03241&ebene=gemeinde&indikator=bev_anteil_65plus")
    assert 'id="gemeinden-missing"' not in region.get_data(as_text=True)


def test_coverage_counts_real_indicator_years(real_app):
    from indicators.coverage import real_coverage, year_spans

    with real_app.extensions["sozmon_engine"].connect() as c:
        cov = real_coverage(c, 2012, 2021)
    assert cov.possible == cov.n_indicators * 10
    # GENESIS: population 2012–2015 for every Kommune; the Kreis tables only for Hannover.
    assert cov.complete["bev_insgesamt"][:4] == [2012, 2013, 2014, 2015]
    assert 0 < cov.n_complete <= cov.n_any <= cov.possible
    assert year_spans([2012, 2013, 2014, 2015, 2017]) == "2012–2015, 2017"
    out = real_app.test_cli_runner().invoke(args=["coverage"])
    assert out.exit_code == 0 and f"{cov.n_complete} von {cov.possible}" in out.output
