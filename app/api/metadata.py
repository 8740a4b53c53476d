"""Metadata for harvesters: Frictionless datapackage.json and a DCAT-AP.de catalogue (RDF/XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from app.api.openapi import LICENCE
from app.web.home import home
from geodata.attribution import BOUNDARIES
from indicators.catalogue import INTEGER_COLUMNS, export_fields

TOPICS = (
    "Bevölkerung, Mindestsicherung, Einkommen, Arbeit, Pflege, Kinder und Jugendliche,"
    " Gesundheit, Migration, Wohnen."
)
SYNTHETIC = (
    " ACHTUNG: Beispieldaten – die Werte dieses Releases sind synthetisch erzeugt und keine"
    " amtlichen Zahlen."
)

# Column schema of the values CSV (Frictionless Table Schema types).
VALUE_FIELDS = [
    ("release", "string", "Release (Datenstand)"),
    ("synthetic", "boolean", "true: Beispieldaten, keine amtlichen Werte"),
    ("indicator", "string", "Indikator-Kennung (siehe Ressource indikatoren)"),
    (
        "ags",
        "string",
        "Gebietsschlüssel: AGS (Gemeinde 8, Kreis und Region 5, Land 2 Stellen; Bund: DG)",
    ),
    ("name", "string", "Name des Gebiets"),
    ("year", "integer", "Jahr"),
    ("value", "number", "Wert (leer, wenn geheim gehalten)"),
    ("numerator", "number", "Zähler (leer, wenn nicht vorhanden oder geheim gehalten)"),
    ("denominator", "number", "Nenner (leer, wenn nicht vorhanden oder geheim gehalten)"),
    (
        "suppressed",
        "boolean",
        "true: kleine Fallzahl oder amtlich geheim ('.'), Werte geheim gehalten",
    ),
    (
        "flag",
        "string",
        "Zeichen der amtlichen Statistik statt eines Werts: '.', 'x', '/', '...';"
        " 'u' unvollständige Summe (ein Teil geheim)",
    ),
    (
        "missing_parts",
        "string",
        "bei 'u': die geheim gehaltenen Teile der Summe (Schlüssel und Name)",
    ),
    ("unit", "string", "Einheit"),
    (
        "notes",
        "string",
        "Kontextnotizen der Redaktion zu diesem Wert: 'Zeitraum Kategorie: Text (Quelle)',"
        " mehrere mit ' | ' getrennt; leer, wenn es keine gibt",
    ),
]
INDICATOR_FIELDS = [
    (n, "integer" if n in INTEGER_COLUMNS else "boolean" if n == "synthetic" else "string")
    for n in export_fields()
]


def _title() -> str:
    return home().site_name


def _description() -> str:
    """What the catalogue holds, named after the home region (SOZMON_REGION)."""
    region = home()
    if region.is_default:
        return (
            "Kennzahlen der Sozialberichterstattung für die 21 Kommunen der Region Hannover und"
            " die Region insgesamt: " + TOPICS
        )
    return (
        f"Kennzahlen der Sozialberichterstattung für die Städte und Gemeinden des Gebiets"
        f" {region.name} und das Gebiet insgesamt: " + TOPICS
    )


def _geocoding() -> str:
    return "http://dcat-ap.de/def/politicalGeocoding/districtKey/" + home().ags


def _licence() -> dict:
    return {"name": "dl-de-by-2.0", "path": LICENCE["url"], "title": LICENCE["name"]}


def datapackage(release: dict, urls: dict[str, str]) -> dict:
    """The Frictionless Data Package of one release: values CSV, catalogue CSV, areas GeoJSON."""
    synthetic = bool(release["synthetic"])
    label = release["label"]
    sources = [{"title": BOUNDARIES, "path": LICENCE["url"]}]
    if not synthetic and release["note"]:
        sources.insert(0, {"title": release["note"]})
    csv_dialect = {"delimiter": ",", "lineTerminator": "\r\n", "header": True}
    return {
        "profile": "data-package",
        "name": f"sozialmonitoring-{home().slug}-{label}".lower().replace(".", "-"),
        "title": f"{_title()} – Release {label}" + (" (Beispieldaten)" if synthetic else ""),
        "description": _description() + (SYNTHETIC if synthetic else ""),
        "version": label,
        "created": _iso(release["published_at"]),
        "homepage": urls["docs"],
        "keywords": ["Sozialmonitoring", home().name, "Sozialbericht", "Kommunen"],
        "licenses": [_licence()],
        "sources": sources,
        "sozmon:synthetic": synthetic,
        "resources": [
            {
                "name": "werte",
                "path": urls["values_csv"],
                "profile": "tabular-data-resource",
                "title": "Werte in Langform",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": {
                    "fields": [
                        {"name": n, "type": t, "description": d} for n, t, d in VALUE_FIELDS
                    ],
                    "primaryKey": ["indicator", "ags", "year"],
                    "missingValues": [""],
                    "foreignKeys": [
                        {
                            "fields": "indicator",
                            "reference": {"resource": "indikatoren", "fields": "id"},
                        }
                    ],
                },
            },
            {
                "name": "indikatoren",
                "path": urls["indicators_csv"],
                "profile": "tabular-data-resource",
                "title": "Indikatoren-Katalog (Definitionen, Einheiten, Quellen)",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": {
                    "fields": [{"name": n, "type": t} for n, t in INDICATOR_FIELDS],
                    "primaryKey": ["id"],
                    "missingValues": [""],
                },
            },
            {
                "name": "gebiete",
                "path": urls["areas"],
                "profile": "data-resource",
                "title": f"Gebietsgrenzen (GeoJSON, WGS84), {BOUNDARIES}",
                "format": "geojson",
                "mediatype": "application/geo+json",
                "encoding": "utf-8",
                "licenses": [_licence()],
            },
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority/"
DCATDE_LICENCE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict"
FORMATS = (  # (url key, title, EU file type, IANA media type)
    ("values_csv", "Werte (CSV)", "CSV", "text/csv"),
    (
        "values_xlsx",
        "Werte (XLSX)",
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("values_json", "Werte (JSON, seitenweise)", "JSON", "application/json"),
    ("indicators_csv", "Indikatoren-Katalog (CSV)", "CSV", "text/csv"),
    ("areas", "Gebietsgrenzen (GeoJSON)", "GEOJSON", "application/geo+json"),
    ("datapackage", "Frictionless Data Package (datapackage.json)", "JSON", "application/json"),
)


def _q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def _el(
    parent: ET.Element,
    tag: str,
    text: str | None = None,
    resource: str | None = None,
    lang: str | None = None,
    datatype: str | None = None,
) -> ET.Element:
    e = ET.SubElement(parent, _q(tag))
    if text is not None:
        e.text = text
    if resource is not None:
        e.set(_q("rdf:resource"), resource)
    if lang:
        e.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    if datatype:
        e.set(_q("rdf:datatype"), NS["xsd"] + datatype)
    return e


def _publisher(parent: ET.Element, tag: str, homepage: str) -> None:
    agent = ET.SubElement(_el(parent, tag), _q("foaf:Agent"))
    _el(agent, "foaf:name", _title())
    _el(agent, "foaf:homepage", resource=homepage)


def dcat_catalog(releases: list[dict], urls: dict[str, dict[str, str]], about: str) -> bytes:
    """RDF/XML DCAT-AP.de catalogue: one dataset per release, one distribution per download."""
    for prefix, uri in NS.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(_q("rdf:RDF"))
    cat = ET.SubElement(root, _q("dcat:Catalog"), {_q("rdf:about"): about})
    _el(cat, "dct:title", _title(), lang="de")
    _el(cat, "dct:description", _description(), lang="de")
    _el(cat, "dct:language", resource=EU + "language/DEU")
    docs = next(iter(urls.values()))["docs"] if urls else about
    _el(cat, "foaf:homepage", resource=docs)
    _publisher(cat, "dct:publisher", docs)
    _el(cat, "dct:license", resource=DCATDE_LICENCE)
    for rel in releases:
        u = urls[rel["label"]]
        ds = ET.SubElement(
            _el(cat, "dcat:dataset"),
            _q("dcat:Dataset"),
            {_q("rdf:about"): u["datapackage"] + "#dataset"},
        )
        _el(ds, "dct:identifier", u["datapackage"])
        _el(ds, "dct:title", f"{_title()} – Kennzahlen, Release {rel['label']}", lang="de")
        _el(
            ds,
            "dct:description",
            _description() + (f" {rel['note']}" if rel["note"] else ""),
            lang="de",
        )
        _el(ds, "owl:versionInfo", rel["label"])
        if rel["published_at"]:
            _el(ds, "dct:issued", rel["published_at"].isoformat(), datatype="dateTime")
        _el(ds, "dcat:theme", resource=EU + "data-theme/SOCI")
        _el(ds, "dcat:theme", resource=EU + "data-theme/REGI")
        for kw in ("Sozialmonitoring", home().name, "Sozialbericht"):
            _el(ds, "dcat:keyword", kw, lang="de")
        _publisher(ds, "dct:publisher", docs)
        contact = ET.SubElement(_el(ds, "dcat:contactPoint"), _q("vcard:Organization"))
        _el(contact, "vcard:fn", _title())
        _el(contact, "vcard:hasURL", resource=docs)
        _el(ds, "dcat:landingPage", resource=docs)
        _el(ds, "dct:spatial", resource=_geocoding())
        _el(ds, "dcatde:politicalGeocodingURI", resource=_geocoding())
        _el(ds, "dcatde:politicalGeocodingLevelURI", resource=GEOCODING_LEVEL)
        if rel.get("first_year"):
            period = ET.SubElement(_el(ds, "dct:temporal"), _q("dct:PeriodOfTime"))
            _el(period, "dcat:startDate", f"{rel['first_year']}-01-01", datatype="date")
            _el(period, "dcat:endDate", f"{rel['last_year']}-12-31", datatype="date")
        attribution = "; ".join(filter(None, [_title(), rel["note"], BOUNDARIES]))
        for key, title, filetype, media in FORMATS:
            dist = ET.SubElement(
                _el(ds, "dcat:distribution"), _q("dcat:Distribution"), {_q("rdf:about"): u[key]}
            )
            _el(dist, "dct:title", title, lang="de")
            _el(dist, "dcat:accessURL", resource=u[key])
            _el(dist, "dcat:downloadURL", resource=u[key])
            _el(dist, "dct:format", resource=EU + "file-type/" + filetype)
            _el(
                dist,
                "dcat:mediaType",
                resource="https://www.iana.org/assignments/media-types/" + media,
            )
            _el(dist, "dct:license", resource=DCATDE_LICENCE)
            _el(dist, "dcatde:licenseAttributionByText", attribution, lang="de")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
