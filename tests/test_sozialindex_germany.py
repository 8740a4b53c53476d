"""The Sozialindex for the Gemeinden of any Kreis with Germany loaded (issue #30): real values
only, recomputed independently, significance from the published counts."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from indicators.social_index import IndexIndicator, load_definition
from indicators.social_index_queries import social_index
from tests.test_api_paging import walk_values
from tests.test_sozialindex import recompute

HILDESHEIM = "03254"


def test_the_index_of_another_kreis_matches_a_recomputation(germany_client):
    body = germany_client.get(f"/api/v1/sozialindex?gebiet={HILDESHEIM}").get_json()
    assert body["gebiet"] == HILDESHEIM and body["synthetic"] is False
    ags = [r["ags"] for r in body["data"]]
    assert len(ags) > 10 and all(a.startswith(HILDESHEIM) and len(a) == 8 for a in ags)
    d = body["definition"]
    ids = ",".join(i["id"] for i in d["indicators"])
    years = ",".join(
        str(y) for y in sorted({d["status_year"], d["dynamics_from"], d["dynamics_to"]})
    )
    url = f"/api/v1/values?indikator={ids}&jahr={years}&ags={','.join(ags)}"
    real = [v for v in walk_values(germany_client, url) if not v["synthetic"]]
    expected = recompute(real, ags, d)
    for row in body["data"]:
        e = expected[row["ags"]]
        assert row["status_class"] == e["status_class"], row["name"]
        assert row["dynamics_class"] == e["dynamics_class"], row["name"]
        if e["status_class"] is None:  # no value: no class, and the gap is named
            assert row["missing"]
    page = germany_client.get(f"/sozialindex?gebiet={HILDESHEIM}").get_data(as_text=True)
    assert f'data-kreis="{HILDESHEIM}"' in page
    assert page.count('<tr data-ags="') == len(ags)
    # the home Kreis is the default view; an unknown Kreis is refused
    assert germany_client.get("/api/v1/sozialindex?gebiet=03241").get_json()["gebiet"] is None
    assert germany_client.get("/api/v1/sozialindex?gebiet=99999").status_code == 404
    assert germany_client.get("/sozialindex?gebiet=99999").status_code == 404
    assert germany_client.get("/api/v1/sozialindex?gebiet=3254").status_code == 400


def test_a_kreis_index_on_real_counts_checks_significance(germany_app):
    """Share of people 65 and over, 2015 (GENESIS 12411-02-03-5-B, with numerators and
    denominators): every Gemeinde with a value has a status class; z intervals from the counts;
    no dynamics (one year loaded), and the gap says so."""
    d = replace(
        load_definition(),
        indicators=(IndexIndicator("bev_anteil_65plus", 1),),
        status_year=2015,
        dynamics_from=2014,
        dynamics_to=2015,
    )
    with germany_app.extensions["sozmon_engine"].connect() as conn:
        idx = social_index(conn, d, kreis=HILDESHEIM)
    classed = [a for a in idx.areas if a.status_class is not None]
    assert len(classed) > 10
    for a in idx.areas:  # a Gemeinde without a 2015 value (merged, unpopulated) says so
        if a.status_class is None:
            assert ("bev_anteil_65plus", 2015) in [(g.indicator, g.year) for g in a.status_gaps]
    assert all(a.dynamics_class is None for a in idx.areas)
    assert all(
        ("bev_anteil_65plus", 2014) in [(g.indicator, g.year) for g in a.dynamics_gaps]
        for a in idx.areas
    )
    # the intervals come from the counts: independent Wilson interval, standardised
    s = idx.indicators[0].status
    assert s is not None and idx.indicators[0].counts_published
    for a in classed:
        iv = a.status_z_interval["bev_anteil_65plus"]
        assert iv is not None
        x = a.status_values["bev_anteil_65plus"]
        assert iv[0] <= (x - s.mean) / s.sd <= iv[1]
        assert a.z_significant["bev_anteil_65plus"] == (iv[0] > 0 or iv[1] < 0)
        if a.class_not_significant:
            assert a.status_class != "mittel" and not a.z_significant["bev_anteil_65plus"]
    xs = np.array([a.status_values["bev_anteil_65plus"] for a in classed])
    assert s.mean == pytest.approx(xs.mean()) and s.sd == pytest.approx(xs.std(ddof=0))
