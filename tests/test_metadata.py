"""datapackage.json (Frictionless) and DCAT-AP.de for harvesting portals."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from sqlalchemy import text

from app.api.metadata import NS
from geodata import attribution

API = "/api/v1"


def local(client, url: str, headers: dict[str, str] | None = None):
    """Fetch an absolute URL of the app through the test client."""
    parts = urlsplit(url)
    return client.get(parts.path + ("?" + parts.query if parts.query else ""), headers=headers)


def test_datapackage_describes_the_complete_download(client, conn):
    pkg = client.get(f"{API}/releases/zensus-2022/datapackage.json").get_json()
    assert pkg["profile"] == "data-package" and pkg["version"] == "zensus-2022"
    assert pkg["name"] == "sozialmonitoring-region-hannover-zensus-2022"
    assert pkg["licenses"][0]["path"] == attribution.LICENCE_URL
    assert pkg["sozmon:synthetic"] is False and "Beispieldaten" not in pkg["title"]
    resources = {r["name"]: r for r in pkg["resources"]}
    assert set(resources) == {"werte", "indikatoren", "gebiete"}

    werte = resources["werte"]
    r = local(client, werte["path"])
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert list(rows[0]) == [f["name"] for f in werte["schema"]["fields"]]
    assert len(rows) == conn.scalar(
        text(
            "SELECT count(*) FROM value v JOIN release r ON r.id = v.release_id"
            " WHERE r.label = 'zensus-2022'"
        )
    )
    keys = {(x["indicator"], x["ags"], x["year"]) for x in rows}
    assert len(keys) == len(rows)  # the declared primary key holds

    kat = resources["indikatoren"]
    r = local(client, kat["path"])
    header = next(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert header == [f["name"] for f in kat["schema"]["fields"]]
    ids = {row[0] for row in csv.reader(io.StringIO(r.get_data(as_text=True)))}
    assert {x["indicator"] for x in rows} <= ids  # the declared foreign key holds

    gebiete = local(client, resources["gebiete"]["path"])
    assert gebiete.get_json(force=True)["type"] == "FeatureCollection"
    assert attribution.BOUNDARIES in resources["gebiete"]["title"]


def test_datapackage_of_synthetic_release_says_so(client):
    pkg = client.get(f"{API}/releases/demo-2024-2/datapackage.json").get_json()
    assert pkg["sozmon:synthetic"] is True
    assert "Beispieldaten" in pkg["title"] and "Beispieldaten" in pkg["description"]


def test_datapackage_of_unknown_release_is_404(client):
    r = client.get(f"{API}/releases/gibt-es-nicht/datapackage.json")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


def q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def test_dcat_catalogue_lists_real_releases_only(client, conn):
    # Every distinct download URL is checked once (the boundaries are the same for every
    # release). The smallest real release's downloads are fetched whole; the others' answer a
    # conditional GET (`If-None-Match: *`: 304 only if the resource exists), which passes the
    # same routing, parameter, release and indicator checks before the body would be built —
    # a whole release as XLSX takes ~20 s (the downloads' bodies: test_downloads, the
    # datapackage test above, the characterisation harness).
    r = client.get(f"{API}/dcat.rdf")
    assert r.mimetype == "application/rdf+xml"
    root = ET.fromstring(r.data)
    catalog = root.find(q("dcat:Catalog"))
    assert catalog is not None and catalog.find(q("dct:title")).text
    datasets = catalog.findall(f"{q('dcat:dataset')}/{q('dcat:Dataset')}")
    real = list(
        conn.scalars(text("SELECT label FROM release WHERE status = 'published' AND NOT synthetic"))
    )
    assert sorted(d.find(q("owl:versionInfo")).text for d in datasets) == sorted(real)
    smallest = conn.scalar(
        text(
            "SELECT r.label FROM release r WHERE r.status = 'published' AND NOT r.synthetic"
            " ORDER BY (SELECT count(*) FROM value v WHERE v.release_id = r.id), r.id LIMIT 1"
        )
    )
    checked: set[str] = set()
    for ds in datasets:
        whole = ds.find(q("owl:versionInfo")).text == smallest
        # DCAT-AP.de: title, description, publisher, contact, theme, political geocoding.
        for tag in (
            "dct:title",
            "dct:description",
            "dct:publisher",
            "dcat:contactPoint",
            "dcat:theme",
            "dcatde:politicalGeocodingURI",
            "dct:spatial",
        ):
            assert ds.find(q(tag)) is not None, tag
        dists = ds.findall(f"{q('dcat:distribution')}/{q('dcat:Distribution')}")
        assert len(dists) >= 5
        for dist in dists:
            lic = dist.find(q("dct:license")).get(q("rdf:resource"))
            assert lic == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
            assert dist.find(q("dcatde:licenseAttributionByText")).text
            url = dist.find(q("dcat:downloadURL")).get(q("rdf:resource"))
            if url in checked:
                continue
            checked.add(url)
            if whole:
                assert local(client, url).status_code == 200, url
            else:
                assert local(client, url, {"If-None-Match": "*"}).status_code == 304, url
    assert smallest in {ds.find(q("owl:versionInfo")).text for ds in datasets}
    assert b"demo-2024-2" not in r.data  # invented numbers are not offered to GovData
