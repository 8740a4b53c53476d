"""The OpenAPI 3.1 document of the open-data API; the API validates query strings against it."""

from __future__ import annotations

import copy
from functools import cache

from geodata import attribution
from indicators.catalogue import INTEGER_COLUMNS, export_fields
from indicators.models import POLARITIES
from indicators.units import UNITS

VERSION = "1.0.0"
LICENCE = {
    "id": attribution.LICENCE,
    "name": attribution.LICENCE_NAME,
    "url": attribution.LICENCE_URL,
}

# Patterns are anchored: JSON Schema's "pattern" searches, and the server must refuse exactly
# what the document refuses. List lengths are bounded in the pattern itself.
ID = "[a-z0-9_]{1,60}"
YEAR = "(?:199[0-9]|20[0-9]{2}|2100)"
# Any area's key: a Gemeinde (8 digits), a Kreis (5), a Land (2) or the Bund (`DG`,
# geodata.levels.BUND_AGS).
AGS = "(?:DG|[0-9]{2}(?:[0-9]{3}(?:[0-9]{3})?)?)"
RELEASE_REF = "^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$"
RELEASE_ID = "[1-9][0-9]{0,8}"  # a release's numeric id, as the pages take it (fits integer)
MAX_INDICATORS, MAX_YEARS, MAX_AGS = 120, 50, 50
# /values as JSON or GeoJSON is paged: an unfiltered answer was ~100 MB with all of Germany.
PAGE_DEFAULT, PAGE_MAX = 1_000, 50_000
VALUE_FORMATS = ["json", "csv", "csv-de", "xlsx", "geojson"]
TABLE_FORMATS = ["json", "csv", "csv-de"]


def _q(
    name: str, description: str, schema: dict, example: str | None = None, required: bool = False
) -> dict:
    p = {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }
    if example is not None:
        p["example"] = example
    return p


def _path(name: str, description: str, pattern: str, example: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": pattern},
        "example": example,
    }


PARAMS = {
    "thema": _q(
        "thema",
        "Nur Fokusberichte zu diesem Thema (Themen-Kennung, siehe `/topics`).",
        {"type": "string", "pattern": f"^{ID}$"},
        "mindestsicherung",
    ),
    "release": _q(
        "release",
        "Release (Datenstand) per Kennung oder Bezeichnung, z. B. `zensus-2022`. Ohne Angabe:"
        " je Indikator das neueste veröffentlichte Release, das ihn enthält. Entwürfe und"
        " unbekannte Releases ergeben 404; zurückgezogene bleiben mit ausdrücklicher Angabe lesbar.",
        {"type": "string", "pattern": RELEASE_REF},
        "zensus-2022",
    ),
    "indikator": _q(
        "indikator",
        f"Indikator-Kennungen, durch Komma getrennt (höchstens {MAX_INDICATORS}).",
        {"type": "string", "pattern": f"^{ID}(?:,{ID}){{0,{MAX_INDICATORS - 1}}}$"},
        "bev_zensus22",
    ),
    "jahr": _q(
        "jahr",
        f"Jahre 1990–2100, durch Komma getrennt (höchstens {MAX_YEARS}).",
        {"type": "string", "pattern": f"^{YEAR}(?:,{YEAR}){{0,{MAX_YEARS - 1}}}$"},
        "2022",
    ),
    "ags": _q(
        "ags",
        "Gebietsschlüssel, durch Komma getrennt (höchstens"
        f" {MAX_AGS}): jede Gemeinde (AGS, 8 Stellen), jeder Kreis (5 Stellen, auch die Region),"
        " jedes Land (2 Stellen, z. B. `03` Niedersachsen) und Deutschland (`DG`).",
        {"type": "string", "pattern": f"^{AGS}(?:,{AGS}){{0,{MAX_AGS - 1}}}$"},
        "03241001,03241,03,DG",
    ),
    "kommune_ags": _q(
        "ags",
        f"Amtliche Gemeindeschlüssel der Kommunen (8 Stellen), durch Komma getrennt (höchstens"
        f" {MAX_AGS}); andere Gebiete ergeben 404.",
        {"type": "string", "pattern": f"^{AGS}(?:,{AGS}){{0,{MAX_AGS - 1}}}$"},
        "03241001,03241011",
    ),
    "sozialindex_gebiet": _q(
        "gebiet",
        "Die Gemeinden dieses Kreises statt der Kommunen der Region (fünfstelliger"
        " Kreisschlüssel; braucht die geladenen Gemeinden Deutschlands: `sozmon load-germany`).",
        {"type": "string", "pattern": "^[0-9]{5}$"},
        "03241",
    ),
    "sozialindex_stand": _q(
        "stand",
        "Ein zitierter Stand (Issue #31): die Nummern der Datenstände (`/releases`), durch"
        " Punkte getrennt, wie im dauerhaften Link der Seite /sozialindex (dort aufsteigend;"
        " hier in jeder Reihenfolge, Wiederholungen zählen einmal). Der Index"
        " wird aus den Werten genau dieser Datenstände und mit der Definition berechnet, die in"
        " ihnen galt; ein späterer Datenstand ändert nichts. Ungültig: 400; ein unbekannter"
        " oder unveröffentlichter Datenstand: 404.",
        {"type": "string", "pattern": r"^[1-9][0-9]{0,8}(\.[1-9][0-9]{0,8}){0,39}$"},
        "1.2.3",
    ),
    "alert_ags": _q(
        "ags",
        "Nur die Meldungen einer Kommune oder der Region (Gebietsschlüssel, 8 oder 5 Stellen).",
        {"type": "string", "pattern": f"^{AGS}$"},
        "03241001",
    ),
    "alert_indikator": _q(
        "indikator",
        "Nur die Meldungen eines Indikators (eine Kennung).",
        {"type": "string", "pattern": f"^{ID}$"},
        "sgb2_quote",
    ),
    "alert_offset": _q(
        "offset",
        "Paging: so viele Meldungen der Liste überspringen (Vorgabe 0).",
        {"type": "string", "pattern": "^[0-9]{1,9}$"},
        "500",
    ),
    "alert_limit": _q(
        "limit",
        "Paging: höchstens so viele Meldungen (1 bis 500, Vorgabe 500); `next` der Antwort ist"
        " die URL der nächsten Seite (null auf der letzten).",
        {"type": "string", "pattern": "^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$"},
        "100",
    ),
    "value_format": _q(
        "format",
        "Ausgabeformat: `json` (Vorgabe), `csv` (RFC 4180, Komma, Punkt als Dezimalzeichen,"
        " UTF-8), `csv-de` (für deutsches Excel: Semikolon, Dezimalkomma, UTF-8 mit BOM),"
        " `xlsx` oder `geojson` (Werte an den Gebietsgeometrien). `format=geojson` verlangt"
        " `indikator` (ohne ihn 400: je Wert eine Geometrie wird sonst sehr groß). JSON und"
        " GeoJSON sind seitenweise (`limit`, `offset`); CSV und XLSX sind immer die ganze"
        " Auswahl (Massen-Download, so verlinkt im DCAT-Katalog und im Data Package).",
        {"type": "string", "enum": VALUE_FORMATS},
        "json",
    ),
    "limit": _q(
        "limit",
        f"Nur JSON und GeoJSON: höchstens so viele Zeilen je Seite, 1–{PAGE_MAX}"
        f" (Vorgabe: {PAGE_DEFAULT}). Die nächste Seite steht in `next` (und im Kopf"
        ' `Link: <…>; rel="next"`). Für CSV und XLSX ohne Wirkung.',
        {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": PAGE_DEFAULT},
        "1000",
    ),
    "offset": _q(
        "offset",
        "Nur JSON und GeoJSON: so viele Zeilen der Auswahl überspringen (Vorgabe: 0). Die"
        " Reihenfolge ist fest (Indikator, Jahr, Region vor den übrigen Gebieten, AGS), die"
        " Seiten überlappen sich also nicht. Für CSV und XLSX ohne Wirkung.",
        {"type": "integer", "minimum": 0, "default": 0},
        "0",
    ),
    "table_format": _q(
        "format",
        "Ausgabeformat: `json` (Vorgabe), `csv` oder `csv-de`.",
        {"type": "string", "enum": TABLE_FORMATS},
    ),
    "geometry": _q(
        "geometry",
        "`simplified` (Vorgabe: vereinfachte, lückenlose Web-Geometrie) oder `full` (gespeicherte"
        " Geometrie, nach WGS84 transformiert).",
        {"type": "string", "enum": ["simplified", "full"]},
    ),
    "ebene": _q(
        "ebene",
        "Nur Gebiete dieser Ebene (Vorgabe: die Kommunen und die Region): `kommune` und `region` sind die Kommunen und"
        " der Kreis dieses Sozialmonitorings (Einstellung `SOZMON_REGION`), `gemeinde`, `kreis`,"
        " `land` und `bund` (Schlüssel `DG`) die übrigen.",
        {"type": "string", "enum": ["kommune", "region", "gemeinde", "kreis", "land", "bund"]},
    ),
    "land": _q(
        "land",
        "Nur Gebiete eines Bundeslandes: die ersten zwei Stellen des AGS (z. B. `03`"
        " Niedersachsen).",
        {"type": "string", "pattern": "^[0-9]{2}$"},
        "03",
    ),
    "vergleich_mit": _q(
        "vergleich_mit",
        "Womit jede Kommune verglichen wird: `region` (Vorgabe: der Kreis dieses"
        " Sozialmonitorings), `land` (sein Bundesland, die ersten zwei Stellen des Kreisschlüssels)"
        " oder `bund` (Deutschland, `DG`). Land und Bund mit ihren geladenen amtlichen Werten; ohne"
        " Wert im Jahr: `not_assessable` mit Grund `no_benchmark`.",
        {"type": "string", "enum": ["region", "land", "bund"]},
        "land",
    ),
    "map_indikator": _q(
        "indikator",
        "Eine Indikator-Kennung (Pflicht).",
        {"type": "string", "pattern": f"^{ID}$"},
        "bev_zensus22",
        required=True,
    ),
    "map_jahr": _q(
        "jahr",
        "Ein Jahr 1990–2100 (Pflicht).",
        {"type": "string", "pattern": f"^{YEAR}$"},
        "2022",
        required=True,
    ),
    "von": _q(
        "von",
        "Erstes Jahr der Veränderung (Pflicht; vor `bis`).",
        {"type": "string", "pattern": f"^{YEAR}$"},
        "2010",
        required=True,
    ),
    "bis": _q(
        "bis",
        "Letztes Jahr der Veränderung (Pflicht; nach `von`).",
        {"type": "string", "pattern": f"^{YEAR}$"},
        "2015",
        required=True,
    ),
    "k": _q(
        "k",
        "Anzahl der ähnlichsten Kommunen je Kommune, 1–20 (Vorgabe: 5).",
        {"type": "string", "enum": [str(n) for n in range(1, 21)]},
        "5",
    ),
    "map_ebene": _q(
        "ebene",
        "Ebene der Gebiete (Vorgabe: `kommune`).",
        {"type": "string", "enum": ["kommune", "gemeinde", "kreis"]},
    ),
    "scatter_x": _q(
        "x",
        "Indikator-Kennung der x-Achse (Pflicht).",
        {"type": "string", "pattern": f"^{ID}$"},
        "alo_anteil",
        required=True,
    ),
    "scatter_y": _q(
        "y",
        "Indikator-Kennung der y-Achse (Pflicht, nicht gleich `x`).",
        {"type": "string", "pattern": f"^{ID}$"},
        "sgb2_quote",
        required=True,
    ),
    "scatter_jahr": _q(
        "jahr",
        "Ein Jahr, in dem beide Indikatoren Werte haben (Vorgabe: das neueste gemeinsame Jahr"
        " mit amtlichen Werten für mindestens die Hälfte der Kommunen, sonst das neueste"
        " gemeinsame Jahr).",
        {"type": "string", "pattern": f"^{YEAR}$"},
        "2024",
    ),
    "scatter_release": _q(
        "release",
        "Release (Datenstand) per Kennung (Zahl, siehe `/releases`), wie `/streuung?release=`:"
        " x, y und die Einwohnerzahl kommen dann nur aus diesem Release (die Einwohnerzahl aus"
        " dem neuesten Datenstand, wo es für das Jahr keine enthält). Veröffentlichte und"
        " zurückgezogene Releases sind lesbar, Entwürfe nur für angemeldete Redakteurinnen und"
        " Redakteure (nie von Caches gehalten). Ohne Angabe: die neuesten Werte. Unbekannte oder"
        " nicht lesbare Releases ergeben 404 mit einem Link `newest` auf dieselbe Abfrage ohne"
        " `release`, ein ungültiger Wert 400.",
        {"type": "string", "pattern": f"^{RELEASE_ID}$"},
        "1",
    ),
}

NULLABLE_NUMBER = {"type": ["number", "null"]}
LICENCE_SCHEMA = {
    "type": "object",
    "required": ["id", "name", "url"],
    "additionalProperties": False,
    "properties": {k: {"type": "string"} for k in ("id", "name", "url")},
}
ENVELOPE = {
    "licence": {"$ref": "#/components/schemas/Licence"},
    "attribution": {"type": "array", "items": {"type": "string"}},
    "synthetic": {"type": "boolean", "description": "true, wenn Beispieldaten enthalten sind."},
    "hinweis": {"type": "string", "description": "Hinweis auf Beispieldaten, falls synthetisch."},
    "count": {"type": "integer", "minimum": 0},
}


_PAGE_URL = {
    "type": ["string", "null"],
    "format": "uri",
    "description": "Die Nachbarseite mit allen übrigen Parametern; null am Rand.",
}
# Paging members of /values as JSON and GeoJSON (`count` is the rows of this page).
PAGING = {
    "count_total": {
        "type": "integer",
        "minimum": 0,
        "description": "Zeilen der ganzen Auswahl über alle Seiten.",
    },
    "limit": {"type": "integer", "minimum": 1},
    "offset": {"type": "integer", "minimum": 0},
    "next": _PAGE_URL,
    "prev": _PAGE_URL,
}


LINKS = {
    "type": "object",
    "additionalProperties": {"type": "string", "format": "uri"},
    "description": "Je Gebiet der Antwort (AGS) seine Seite auf dieser Website: das"
    " Sozialstrukturprofil einer Kommune der Region und der Region selbst, sonst das Profil"
    " der Gemeinde, des Kreises, Landes oder Deutschlands (eine Regel für alle Verweise).",
}


def _envelope(item_ref: str) -> dict:
    return {
        "type": "object",
        "required": ["licence", "attribution", "synthetic", "count", "data"],
        "additionalProperties": False,
        "properties": {
            **ENVELOPE,
            "links": LINKS,
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{item_ref}"}},
        },
    }


def _paged(schema: dict) -> dict:
    """An envelope with the paging members of a list read in pages (offset, limit)."""
    extra = {
        "total": {"type": "integer", "minimum": 0},
        "offset": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 1},
        "next": {"type": ["string", "null"], "format": "uri"},
    }
    return {
        **schema,
        "required": [*schema["required"], *extra],
        "properties": {**schema["properties"], **extra},
    }


def _obj(props: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required or list(props),
        "properties": props,
    }


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
BREAKS = {
    "type": "array",
    "items": {"$ref": "#/components/schemas/Break"},
    "description": "Zeitreihenbrüche des Indikators, älteste zuerst: ab `year` sind die Werte"
    " nicht mit früheren vergleichbar; Veränderungen und Trends überschreiten keinen Bruch.",
}
BREAKS_BY_INDICATOR = {
    "type": "object",
    "additionalProperties": BREAKS,
    "description": "Je Indikator der Antwort mit Zeitreihenbrüchen seine Brüche (Indikatoren"
    " ohne Bruch fehlen).",
}
NSTR, NINT = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
# An indicator's fields (indicators.catalogue.export_fields) that are more than a string or integer.
INDICATOR_SCHEMAS = {
    "unit": {"type": "string", "enum": list(UNITS)},
    "polarity": {"type": "string", "enum": list(POLARITIES)},
    "release": {**NSTR, "description": "Release, aus dem die Werte stammen (null: keine)."},
    "synthetic": {"type": ["boolean", "null"]},
    "years": {"type": "array", "items": INT},
}
GEOMETRY = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {"type": {"enum": ["Polygon", "MultiPolygon"]}, "coordinates": {"type": "array"}},
}

NNUM = {"type": ["number", "null"]}
SCHEMAS = {
    "Licence": LICENCE_SCHEMA,
    "Benchmark": _obj(
        {
            "indicator": STR,
            "year": INT,
            "release": STR,
            "ags": STR,
            "name": STR,
            "value": NNUM,
            "suppressed": BOOL,
            "region_value": NNUM,
            "vergleich_mit": {"type": "string", "enum": ["region", "land", "bund"]},
            "benchmark_ags": STR,
            "benchmark_name": STR,
            "benchmark_value": NNUM,
            "benchmark_source": NSTR,
            "benchmark_synthetic": {"type": ["boolean", "null"]},
            "lower": NNUM,
            "upper": NNUM,
            "method": {"type": ["string", "null"], "enum": ["wilson", "byar", None]},
            "verdict": {
                "type": "string",
                "enum": ["better", "similar", "worse", "higher", "lower", "not_assessable"],
            },
            "direction": {"type": ["string", "null"], "enum": ["above", "below", "within", None]},
            "reason": NSTR,
            "sentence": STR,
        }
    ),
    "Change": _obj(
        {
            "ags": STR,
            "name": STR,
            "value_von": NULLABLE_NUMBER,
            "value_bis": NULLABLE_NUMBER,
            "change": NULLABLE_NUMBER,
            "rank": NINT,
            "synthetic": {"type": ["boolean", "null"]},
        }
    ),
    "Trend": _obj(
        {
            "indicator": STR,
            "ags": STR,
            "unit": STR,
            "method": {
                "type": ["string", "null"],
                "enum": ["cochran-armitage", "poisson-score", None],
            },
            "direction": {
                "type": ["string", "null"],
                "enum": ["steigend", "fallend", "gleichbleibend", None],
            },
            "significant": {"type": ["boolean", "null"]},
            "chi2": NNUM,
            "p": NNUM,
            "years": {"type": "array", "items": INT},
            "reason": {
                "type": ["string", "null"],
                "enum": ["unit", "no_counts", "too_few", "invalid_counts", None],
            },
            "synthetic": BOOL,
        }
    ),
    "Interval": _obj(
        {
            "indicator": STR,
            "year": INT,
            "ags": STR,
            "name": STR,
            "level": {
                "type": "string",
                "enum": ["kommune", "region", "gemeinde", "kreis", "land", "bund"],
            },
            "value": NNUM,
            "suppressed": BOOL,
            "synthetic": {"type": ["boolean", "null"]},
            "release": NSTR,
            "lower": NNUM,
            "upper": NNUM,
            "method": {"type": ["string", "null"], "enum": ["wilson", "byar", None]},
            "reason": {
                "type": ["string", "null"],
                "enum": [
                    "no_counts",
                    "zero_denominator",
                    "invalid_counts",
                    "suppressed",
                    "missing",
                    None,
                ],
            },
        }
    ),
    "Neighbour": _obj(
        {
            "ags": STR,
            "name": STR,
            "rank": INT,
            "neighbour_ags": STR,
            "neighbour_name": STR,
            "distance": {"type": "number", "minimum": 0},
        }
    ),
    "ScatterPoint": _obj(
        {
            "ags": STR,
            "name": STR,
            "level": {
                "type": "string",
                "enum": ["kommune", "region", "gemeinde", "kreis", "land", "bund"],
            },
            "x": NNUM,
            "y": NNUM,
            "x_suppressed": BOOL,
            "y_suppressed": BOOL,
            "x_synthetic": {"type": ["boolean", "null"]},
            "y_synthetic": {"type": ["boolean", "null"]},
            "x_release": NSTR,
            "y_release": NSTR,
            "population": NNUM,
            "population_year": NINT,
            "population_indicator": NSTR,
            "population_synthetic": {"type": ["boolean", "null"]},
            "population_release": {
                **NSTR,
                "description": "Release der Einwohnerzahl (mit `release`: dieses, sonst das"
                " neueste, wenn es für das Jahr keine enthält).",
            },
        }
    ),
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {"type": STR, "title": STR, "status": INT, "detail": STR, "instance": STR},
    },
    "Topic": _obj(
        {"id": STR, "name_de": STR, "name_en": STR, "indicators": {"type": "array", "items": STR}}
    ),
    "Break": _obj(
        {
            "year": {**INT, "description": "Ab diesem Jahr nicht mit früheren vergleichbar."},
            "reason_de": STR,
            "reason_en": STR,
        }
    ),
    "Indicator": _obj(
        {
            **{
                n: INDICATOR_SCHEMAS.get(n, INT if n in INTEGER_COLUMNS else STR)
                for n in export_fields()
            },
            "breaks": BREAKS,
        }
    ),
    "Report": _obj(
        {
            "slug": STR,
            "title": STR,
            "summary": STR,
            "topic": STR,
            "topic_de": STR,
            "version": INT,
            "published_at": STR,
            "first_published_at": STR,
            "release_ids": {"type": "array", "items": INT},
            "url": STR,
            "pdf": STR,
            "markdown": STR,
        }
    ),
    "Release": _obj(
        {
            "id": INT,
            "label": STR,
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "note": STR,
            "synthetic": BOOL,
            "first_year": NINT,
            "last_year": NINT,
            "n_indicators": INT,
            "n_values": INT,
            "datapackage": STR,
        }
    ),
    "Value": _obj(
        {
            "release": STR,
            "synthetic": BOOL,
            "indicator": STR,
            "ags": STR,
            "name": STR,
            "year": INT,
            "value": NULLABLE_NUMBER,
            "numerator": NULLABLE_NUMBER,
            "denominator": NULLABLE_NUMBER,
            "suppressed": {
                "type": "boolean",
                "description": "true: Wert geheim gehalten (kleine Fallzahl oder amtliche"
                " Geheimhaltung '.'); value, numerator und denominator sind dann null.",
            },
            "flag": {
                "type": ["string", "null"],
                "enum": [".", "x", "/", "...", "u", None],
                "description": "Zeichen der amtlichen Statistik (GENESIS) statt eines Werts:"
                " '.' geheim, 'x' Aussage nicht sinnvoll, '/' zu unsicher, '...' fällt später an;"
                " 'u' unvollständig: eine Summe über Teilgebiete, von denen eines geheim oder"
                " unbekannt ist (welche, sagt missing_parts), kein eigener Wert der Quelle.",
            },
            "missing_parts": {
                "type": ["string", "null"],
                "description": "Nur bei flag 'u': die Teilgebiete ohne Wert, mit AGS und Name"
                " (z. B. '03241005 Garbsen, 03241012 Neustadt a. Rbge.').",
            },
            "unit": STR,
            "notes": {
                "type": "array",
                "description": "Kontextnotizen zu diesem Wert: Wissen der Redaktion vor Ort"
                " (z. B. eine neue Einrichtung, eine Gebietsänderung), als reiner Text. In"
                " CSV und XLSX eine Zelle: 'Zeitraum Kategorie: Text (Quelle)', mehrere mit ' | '.",
                "items": {"$ref": "#/components/schemas/Note"},
            },
        }
    ),
    "Note": _obj(
        {
            "id": INT,
            "release": STR,
            "ags": STR,
            "indicator": {"type": ["string", "null"]},
            "topic": {
                "type": ["string", "null"],
                "description": "Gilt die Notiz für ein ganzes Themenfeld, dessen Kennung"
                " (indicator ist dann null).",
            },
            "year_from": INT,
            "year_to": INT,
            "category": {
                "type": "string",
                "enum": [
                    "einrichtung",
                    "gebietsaenderung",
                    "definitionsaenderung",
                    "datenqualitaet",
                    "ereignis",
                ],
            },
            "text_de": {"type": "string", "maxLength": 500},
            "text_en": {"type": "string", "maxLength": 500, "description": "'' wenn keiner."},
            "source_url": {
                "type": "string",
                "description": "Quelle der Notiz: eine http(s)-Adresse oder ''.",
            },
        }
    ),
    "AreaProperties": _obj(
        {"ags": STR, "name": STR, "kind": STR, "level": STR, "area_km2": {"type": "number"}}
    ),
    "AreaFeature": {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "id": STR,
            "geometry": GEOMETRY,
            "properties": {"$ref": "#/components/schemas/AreaProperties"},
            "licence": {"$ref": "#/components/schemas/Licence"},
            "attribution": {"type": "array", "items": STR},
            "links": LINKS,
            "notes": {
                "type": "array",
                "description": "Nur /areas/{ags}: alle veröffentlichten Kontextnotizen des"
                " Gebiets (zu jeder Kennzahl und jedem Jahr), älteste zuerst.",
                "items": {"$ref": "#/components/schemas/Note"},
            },
        },
    },
    "AreaCollection": {
        "type": "object",
        "required": ["type", "features", "licence", "attribution"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/AreaFeature"}},
            **{k: ENVELOPE[k] for k in ("licence", "attribution", "synthetic", "count")},
        },
    },
    "ValueCollection": {
        "type": "object",
        "required": ["type", "features", "licence", "attribution", "synthetic"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "geometry", "properties"],
                    "properties": {
                        "type": {"const": "Feature"},
                        "geometry": GEOMETRY,
                        "properties": {"$ref": "#/components/schemas/Value"},
                    },
                },
            },
            **ENVELOPE,
            **PAGING,
        },
    },
}


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


CACHE_HEADERS = {
    name: {"description": text, "schema": {"type": "string"}}
    for name, text in (
        ("ETag", "Aus den beteiligten Releases und den Parametern; für If-None-Match."),
        ("Last-Modified", "Veröffentlichungszeitpunkt des neuesten beteiligten Releases."),
        ("Cache-Control", "public; Proxies und CDNs dürfen die Antwort halten."),
    )
}


def _ok(description: str, content: dict) -> dict:
    return {"description": description, "headers": CACHE_HEADERS, "content": content}


def _json(ref: str, media: str = "application/json") -> dict:
    return {media: {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


CSV = {"text/csv": {"schema": {"type": "string"}}}
XLSX = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    }
}


def _op(
    op_id: str,
    summary: str,
    description: str,
    params: list[str],
    ok: dict,
    path: list[dict] | None = None,
    release: bool = True,
) -> dict:
    responses = {
        "200": ok,
        "304": {"description": "Nicht geändert (If-None-Match passt zum ETag)."},
        "400": _problem("Unbekannter Parameter oder ungültiger Wert."),
        "404": _problem("Unbekannte Kennung, unbekanntes oder unveröffentlichtes Release."),
    }
    return {
        "operationId": op_id,
        "summary": summary,
        "description": description,
        "parameters": (path or []) + [PARAMS[p] for p in params],
        "responses": responses,
    }


ATTRIBUTION_TEXT = (
    "Jede Antwort nennt Lizenz und Quellen: JSON-Antworten in den Feldern `licence`,"
    " `attribution` und `synthetic` (bei Beispieldaten zusätzlich `hinweis`), CSV- und"
    " XLSX-Downloads in den Spalten `release` und `synthetic` sowie in den HTTP-Kopfzeilen"
    ' `Link: <…>; rel="license"` und `X-Attribution` (XLSX zusätzlich im Blatt `Hinweise`).'
)


@cache
def _document() -> dict:
    release_path = _path(
        "release", "Release-Kennung oder -Bezeichnung.", RELEASE_REF, "zensus-2022"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sozialmonitoring – Offene Daten",  # document() names the home region
            "version": VERSION,
            "description": (
                "Alle Kennzahlen des Sozialmonitorings als Daten: Themen, Indikatoren mit"
                " Definitionen, Gebiete als GeoJSON, Werte in Langform als JSON, CSV, XLSX oder"
                " GeoJSON. Ohne `release` liefert die API je Indikator das neueste veröffentlichte"
                " Release, das ihn enthält; Entwürfe sind nie öffentlich sichtbar (nur"
                " angemeldeten Redakteuren bei `/streuung?release=`, ungecacht). Geheim gehaltene Werte"
                " (kleine Fallzahlen) stehen als `null` mit `suppressed: true` in der Antwort. "
                + ATTRIBUTION_TEXT
                + " Unbekannte Parameter und ungültige Werte ergeben 400, unbekannte Kennungen"
                " 404, jeweils als Problem-Dokument nach RFC 9457."
            ),
            "license": {"name": LICENCE["name"], "url": LICENCE["url"]},
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/topics": {
                "get": _op(
                    "listTopics",
                    "Themen",
                    "Die Themen mit den Kennungen ihrer Indikatoren (mit"
                    " `release`: nur die darin enthaltenen).",
                    ["release"],
                    _ok("Themen", _json("TopicList")),
                )
            },
            "/indicators": {
                "get": _op(
                    "listIndicators",
                    "Indikatoren-Katalog",
                    "Definitionen, Einheiten, Quellen,"
                    " Polarität und verfügbare Jahre je Indikator.",
                    ["release", "table_format"],
                    _ok("Katalog", {**_json("IndicatorList"), **CSV}),
                )
            },
            "/indicators/{id}": {
                "get": _op(
                    "getIndicator",
                    "Ein Indikator",
                    "Definition und verfügbare Jahre.",
                    ["release"],
                    _ok("Indikator", _json("IndicatorList")),
                    [_path("id", "Indikator-Kennung.", f"^{ID}$", "bev_zensus22")],
                )
            },
            "/areas": {
                "get": _op(
                    "listAreas",
                    "Gebiete (GeoJSON)",
                    f"FeatureCollection der Gebiete in WGS84; {attribution.BOUNDARIES}.",
                    ["release", "geometry", "ebene", "land"],
                    _ok("Gebiete", _json("AreaCollection", "application/geo+json")),
                )
            },
            "/areas/{ags}": {
                "get": _op(
                    "getArea",
                    "Ein Gebiet (GeoJSON)",
                    "Ein Feature mit Geometrie.",
                    ["release", "geometry"],
                    _ok("Gebiet", _json("AreaFeature", "application/geo+json")),
                    [
                        _path(
                            "ags",
                            "Gebietsschlüssel: Gemeinde (8 Stellen), Kreis (5), Land (2) oder"
                            " `DG` (Deutschland).",
                            f"^{AGS}$",
                            "03241001",
                        )
                    ],
                )
            },
            "/values": {
                "get": _op(
                    "listValues",
                    "Werte in Langform",
                    "Eine Zeile je Indikator, Gebiet und Jahr."
                    " Ohne `release` je Indikator das neueste veröffentlichte Release, das ihn"
                    " enthält. Ohne Filter: alle Werte. JSON und GeoJSON kommen seitenweise"
                    f" (`limit`, Vorgabe {PAGE_DEFAULT}, höchstens {PAGE_MAX}; `offset`):"
                    " `count` Zeilen dieser Seite, `count_total` der ganzen Auswahl, `next` und"
                    " `prev` die URLs der Nachbarseiten mit allen übrigen Parametern (null am"
                    ' Rand), ebenso im Kopf `Link` (rel="next"/"prev"). CSV, CSV für Excel und'
                    " XLSX sind immer die ganze Auswahl in einer Datei (Massen-Download)."
                    " `format=geojson` ohne `indikator` ergibt 400 (Problem-Dokument).",
                    ["indikator", "jahr", "ags", "release", "value_format", "limit", "offset"],
                    _ok(
                        "Werte",
                        {
                            **_json("ValueList"),
                            **CSV,
                            **XLSX,
                            **_json("ValueCollection", "application/geo+json"),
                        },
                    ),
                )
            },
            "/mapdata": {
                "get": _op(
                    "getMapData",
                    "Kartendaten: Werte je Gebiet",
                    "Die Werte eines Indikators und Jahres je Gebiet als kompaktes Objekt"
                    " (AGS → Wert) mit Klassengrenzen (Quantile, 5 Klassen) – für Karten mit"
                    " vielen Gebieten; die Geometrien kommen einmal aus `/areas` (ETag) und"
                    " werden im Browser verbunden.",
                    ["map_indikator", "map_jahr", "map_ebene", "land", "release"],
                    _ok("Kartendaten", _json("MapData")),
                )
            },
            "/benchmarks": {
                "get": _op(
                    "listBenchmarks",
                    "Vergleich mit der Region, dem Land oder Deutschland",
                    "Je Kommune Wert, 95-%-Konfidenzintervall (Wilson für Anteile in %, Byar für"
                    " Raten je 1.000/10.000/100.000) und Urteil gegenüber dem Wert des"
                    " Vergleichsgebiets (`vergleich_mit`, Vorgabe die Region; dessen Wert und"
                    " Quelle in `benchmark_value`/`benchmark_source`): `better`/`worse` (nach"
                    " Polarität), `higher`/`lower` (neutrale Kennzahlen), `similar` oder"
                    " `not_assessable` mit Grund (`reason`; `mixed_synthetic`: Beispieldaten werden"
                    " nie mit amtlichen Werten verglichen), dazu ein Satz.",
                    ["map_indikator", "map_jahr", "vergleich_mit", "release"],
                    _ok("Urteile", _json("BenchmarkList")),
                )
            },
            "/intervals": {
                "get": _op(
                    "listIntervals",
                    "95-%-Intervalle je Gebiet",
                    "Je Kommune und für die Region Wert und 95-%-Konfidenzintervall (`lower`,"
                    " `upper`) in der Einheit des Indikators: Wilson für Anteile (%), Byar für"
                    " Raten je 1.000/10.000/100.000, berechnet aus den gespeicherten Zählern und"
                    " Nennern. Ohne Zähler und Nenner, bei anderen Einheiten, geheim gehaltenen"
                    " oder fehlenden Werten gibt es kein Intervall (`lower`/`upper` null, Grund in"
                    " `reason`) – es wird nichts erfunden. Mit `ags` stattdessen die genannten"
                    " Gebiete jeder Ebene (Gemeinde, Kreis, Land, `DG`), in dieser Reihenfolge.",
                    ["map_indikator", "map_jahr", "ags", "release"],
                    _ok("Intervalle", _json("IntervalList")),
                )
            },
            "/trends": {
                "get": _op(
                    "listTrends",
                    "Trend der letzten fünf Jahre",
                    "Je Indikator und Gebiet Richtung (`steigend`/`fallend`/`gleichbleibend`,"
                    " das Vorzeichen der Steigung) und Signifikanz (p < 0,05) über die letzten"
                    " fünf Jahre mit Werten: Chi-Quadrat-Trendtest für Anteile (Cochran–Armitage,"
                    " Einheit %), Score-Test der Steigung einer Poisson-Regression mit dem Nenner"
                    " als Exposition für Raten (‰, je 10.000, je 100.000). Ohne Zähler und Nenner,"
                    " bei anderen Einheiten oder weniger als drei Jahren: nicht bewertbar"
                    " (`direction` null, Grund in `reason`). Amtliche und Beispielwerte werden"
                    " nie gemischt; es zählen nur die Jahre seit dem neuesten Zeitreihenbruch"
                    " des Indikators (`breaks`). Ohne `ags`: die Region und ihre Kommunen; mit"
                    " `ags` jedes Gebiet (Gemeinde, Kreis, Land, `DG`).",
                    ["indikator", "ags", "release"],
                    _ok("Trends", _json("TrendList")),
                )
            },
            "/change": {
                "get": _op(
                    "listChanges",
                    "Veränderung zwischen zwei Jahren",
                    "Je Kommune und für die Region die Werte in `von` und `bis` und die"
                    " Veränderung: bei Anteilen, Raten und anderen Einheiten als Differenz in der"
                    " Einheit (`kind` = `points`, bei % in Prozentpunkten), bei Anzahlen in"
                    " Prozent des Ausgangswerts (`kind` = `percent`). `rank` 1 = günstigste"
                    " Entwicklung nach Polarität (neutral: stärkste Zunahme). Fehlt ein Wert oder"
                    " ist er geheim, ist `change` null. Liegt zwischen `von` und `bis` ein"
                    " Zeitreihenbruch, sind alle `change` und `rank` null und `series_break`"
                    " nennt ihn mit Grund. Jahre ohne Werte ergeben 404 mit dem"
                    " verfügbaren Zeitraum, `von` ≥ `bis` 400. Mit `ags` stattdessen die"
                    " genannten Gebiete jeder Ebene (Gemeinde, Kreis, Land, `DG`) in dieser"
                    " Reihenfolge; `rank` haben dann nur die Kommunen (ihr Rang unter allen"
                    " Kommunen), und die Jahre sind die der genannten Gebiete.",
                    ["map_indikator", "von", "bis", "ags", "release"],
                    _ok("Veränderungen", _json("ChangeList")),
                )
            },
            "/alerts": {
                "get": _op(
                    "listAlerts",
                    "Was ist neu? Meldungen der Veröffentlichungen",
                    "Was jede Veröffentlichung eines Release für die Kommunen und die Region"
                    " deutlich verändert hat (dieselbe Liste wie die Seite /was-ist-neu und ihre"
                    " Atom-Feeds), neueste zuerst: `kind` = `intervall` (ein neu"
                    " gezeigter Wert liegt außerhalb des 95-%-Intervalls – Wilson für Anteile,"
                    " Byar für Raten – des zuvor gezeigten Werts von `ref_year`: `lower`,"
                    " `upper`; nie über einen Zeitreihenbruch), `trend` (der Trend der letzten"
                    " fünf Jahre `ref_year`–`year` wird signifikant, p < 0,05: `new_label`"
                    " steigend/fallend, `p`), `status`/`dynamik` (Klasse des Sozialindex von"
                    " `old_label` zu `new_label`), `neu` (ein Indikator hat erstmals amtliche"
                    " Werte). Nur amtliche Werte; ein zurückgezogenes Release verliert seine"
                    " Meldungen. `text_de`, `text_en`: der Satz der Seite auf Deutsch und Englisch."
                    " Seitenweise: `offset`, `limit` (höchstens 500), `total` (alle Meldungen des"
                    " Filters), `next` (URL der nächsten Seite oder null).",
                    ["alert_ags", "alert_indikator", "alert_offset", "alert_limit"],
                    _ok("Meldungen", _json("AlertList")),
                    release=False,
                )
            },
            "/sozialindex": {
                "get": _op(
                    "getSozialindex",
                    "Sozialindex: Status und Dynamik der Kommunen",
                    "Je Kommune Status- und Dynamikklasse nach dem Verfahren Berlins und Hamburgs"
                    " (Definition in `definition`, Methode auf der Seite /sozialindex#methode):"
                    " je Index-Indikator der z-Wert über die Kommunen (Standardabweichung mit"
                    " Nenner n, ausgerichtet mit `direction`: positiv heißt mehr Bedarf), ihr"
                    " Mittel als Statusindex (`status_index`), noch einmal standardisiert"
                    " (`status_score`) und nach den Schwellen in Klassen geteilt; ebenso für die"
                    " Veränderungen zwischen `dynamics_from` und `dynamics_to`. Nur amtliche"
                    " Werte; fehlt ein Wert, ist die Klasse null und `missing` nennt ihn."
                    " `class_without`: die Statusklasse ohne je einen Index-Indikator."
                    " `status_z_interval`: das 95-%-Intervall des z-Werts aus Zähler und Nenner"
                    " (null ohne veröffentlichte Zählungen), `z_significant`: schließt es 0 aus;"
                    " `class_not_significant`: eine Klasse außer mittel ruht auf einem nicht"
                    " signifikanten z-Wert. `dynamics_z_interval`, `dynamics_z_significant`,"
                    " `dynamics_not_significant`: dasselbe für die Dynamik-z-Werte, das"
                    " Intervall der Veränderung aus den Zählungen beider Jahre (null: in einem"
                    " Jahr keine Zählungen, nicht prüfbar). `definition.release`: der veröffentlichte Release"
                    " der Definition (null: die mitgelieferte). `gebiet`: der Kreis, dessen"
                    " Gemeinden gezeigt sind (null: die Kommunen der Region).",
                    ["sozialindex_gebiet", "sozialindex_stand"],
                    _ok("Sozialindex", _json("Sozialindex")),
                )
            },
            "/neighbours": {
                "get": _op(
                    "listNeighbours",
                    "Ähnliche Kommunen",
                    "Je Kommune die `k` ähnlichsten Kommunen (nächste Nachbarn): euklidischer"
                    " Abstand der über die Kommunen standardisierten (z-transformierten)"
                    " Strukturmerkmale in `variables` – Einwohnerdichte (logarithmiert), Anteil"
                    " unter 18 und ab 65 Jahren, Anteil der Einfamilienhäuser, Beschäftigtenquote –"
                    " je Merkmal das neueste Jahr mit amtlichen Werten für alle Kommunen.",
                    ["kommune_ags", "k"],
                    _ok("Ähnliche Kommunen", _json("NeighbourList")),
                )
            },
            "/streuung": {
                "get": _op(
                    "getScatter",
                    "Streudiagramm zweier Indikatoren",
                    "Je Kommune (und für die Region) die Werte zweier Indikatoren in einem Jahr"
                    " mit Einwohnerzahl (Fläche der Punkte; Bevölkerungsfortschreibung des Jahres"
                    " oder des nächsten Jahres, sonst Zensus 2022) und Herkunft je Wert, dazu die"
                    " Gerade der kleinsten Quadrate y = intercept + slope · x über die Kommunen"
                    " mit beiden Werten (ungewichtet; die Region zählt nicht mit) mit Pearsons r,"
                    " R² und dem zweiseitigen p-Wert der Steigung (t-Test, n − 2 Freiheitsgrade);"
                    " `regression` ist null bei weniger als drei Punkten oder x ohne Streuung."
                    " `x` = `y` ergibt 400, ein Jahr ohne gemeinsame Werte 404 mit den möglichen"
                    " Jahren in `allowed`. Mit `release` die Werte eines benannten Releases"
                    " (`release` in der Antwort nennt es, sonst null).",
                    ["scatter_x", "scatter_y", "scatter_jahr", "scatter_release"],
                    _ok("Streudiagramm", _json("Scatter")),
                    release=False,
                )
            },
            "/releases": {
                "get": _op(
                    "listReleases",
                    "Releases",
                    "Veröffentlichte Releases (Datenstände), neueste"
                    " zuerst, mit Link auf das datapackage.json.",
                    ["release"],
                    _ok("Releases", _json("ReleaseList")),
                )
            },
            "/releases/{release}/datapackage.json": {
                "get": _op(
                    "getDatapackage",
                    "Frictionless Data Package",
                    "Beschreibung des vollständigen Downloads eines Releases (Werte, Katalog,"
                    " Gebiete) als datapackage.json.",
                    [],
                    _ok(
                        "Data Package",
                        {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["name", "resources", "licenses"],
                                }
                            }
                        },
                    ),
                    [release_path],
                )
            },
            "/berichte": {
                "get": _op(
                    "listReports",
                    "Fokusberichte",
                    "Die veröffentlichten Fokusberichte (je Bericht die neueste Version), neueste"
                    " zuerst, mit Text (Markdown mit Direktiven), den Releases, auf deren"
                    " Datenstand die Version festgeschrieben ist, und Links auf Seite und PDF.",
                    ["thema"],
                    _ok("Berichte", _json("ReportList")),
                )
            },
            "/berichte/{slug}": {
                "get": _op(
                    "getReport",
                    "Ein Fokusbericht",
                    "Die neueste Version eines Berichts.",
                    [],
                    _ok("Bericht", _json("ReportList")),
                    [
                        _path(
                            "slug",
                            "Adresse des Berichts.",
                            "^[a-z0-9]+(?:-[a-z0-9]+)*$",
                            "bevoelkerung-und-mindestsicherung-2010-2015",
                        )
                    ],
                )
            },
            "/dcat.rdf": {
                "get": _op(
                    "getDcat",
                    "DCAT-AP.de-Katalog",
                    "Metadaten aller veröffentlichten, nicht"
                    " synthetischen Releases für Open-Data-Portale (GovData) als RDF/XML.",
                    [],
                    _ok("Katalog", {"application/rdf+xml": {"schema": {"type": "string"}}}),
                    release=False,
                )
            },
            "/": {
                "get": _op(
                    "apiIndex",
                    "Einstieg",
                    "Links auf alle Endpunkte und die Dokumentation.",
                    [],
                    _ok(
                        "Links",
                        {
                            "application/json": {
                                "schema": {"type": "object", "required": ["licence", "links"]}
                            }
                        },
                    ),
                    release=False,
                )
            },
            "/openapi.json": {
                "get": _op(
                    "getOpenapi",
                    "Dieses Dokument",
                    "Die OpenAPI-Beschreibung der API.",
                    [],
                    _ok("OpenAPI", {"application/json": {"schema": {"type": "object"}}}),
                    release=False,
                )
            },
        },
        "components": {
            "schemas": {
                **SCHEMAS,
                "TopicList": _envelope("Topic"),
                "BenchmarkList": _envelope("Benchmark"),
                "TrendList": {
                    **_envelope("Trend"),
                    "properties": {
                        **_envelope("Trend")["properties"],
                        "breaks": BREAKS_BY_INDICATOR,
                    },
                },
                "Scatter": {
                    **_envelope("ScatterPoint"),
                    "required": [
                        *_envelope("ScatterPoint")["required"],
                        "x",
                        "y",
                        "year",
                        "years",
                        "release",
                        "regression",
                    ],
                    "properties": {
                        **_envelope("ScatterPoint")["properties"],
                        "x": _obj(
                            {
                                "id": STR,
                                "name_de": STR,
                                "name_en": STR,
                                "unit": STR,
                                "decimals": INT,
                            }
                        ),
                        "y": _obj(
                            {
                                "id": STR,
                                "name_de": STR,
                                "name_en": STR,
                                "unit": STR,
                                "decimals": INT,
                            }
                        ),
                        "year": INT,
                        "years": {"type": "array", "items": INT},
                        "release": {
                            **NSTR,
                            "description": "Bezeichnung des mit `release` benannten Releases,"
                            " sonst null.",
                        },
                        "regression": {
                            "oneOf": [
                                {"type": "null"},
                                _obj(
                                    {
                                        "slope": {"type": "number"},
                                        "intercept": {"type": "number"},
                                        "n": INT,
                                        "r": NNUM,
                                        "r2": NNUM,
                                        "p": NNUM,
                                    }
                                ),
                            ]
                        },
                    },
                },
                "ChangeList": {
                    **_envelope("Change"),
                    "required": [
                        *_envelope("Change")["required"],
                        "indicator",
                        "unit",
                        "von",
                        "bis",
                        "kind",
                        "change_unit",
                        "series_break",
                        "breaks",
                    ],
                    "properties": {
                        **_envelope("Change")["properties"],
                        "indicator": STR,
                        "unit": STR,
                        "von": INT,
                        "bis": INT,
                        "kind": {"type": "string", "enum": ["points", "percent"]},
                        "change_unit": STR,
                        "series_break": {
                            "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Break"}],
                            "description": "Der Zeitreihenbruch zwischen `von` und `bis`: dann"
                            " ist jede `change` und jeder `rank` null (nicht vergleichbar).",
                        },
                        "breaks": BREAKS,
                    },
                },
                "Sozialindex": {
                    **_envelope("SozialindexArea"),
                    "required": [
                        *_envelope("SozialindexArea")["required"],
                        "definition",
                        "indicators",
                    ],
                    "properties": {
                        **_envelope("SozialindexArea")["properties"],
                        "gebiet": NSTR,
                        "definition": _obj(
                            {
                                "key": STR,
                                "release": NSTR,
                                "name_de": STR,
                                "name_en": STR,
                                "status_year": INT,
                                "dynamics_from": INT,
                                "dynamics_to": INT,
                                "indicators": {
                                    "type": "array",
                                    "items": _obj({"id": STR, "direction": {"enum": [1, -1]}}),
                                },
                                "status_thresholds": _obj(
                                    {
                                        "sehr_niedrig": {"type": "number"},
                                        "niedrig": {"type": "number"},
                                        "hoch": {"type": "number"},
                                    }
                                ),
                                "dynamics_thresholds": _obj(
                                    {"negativ": {"type": "number"}, "positiv": {"type": "number"}}
                                ),
                                "min_cases": INT,
                                "min_base": INT,
                                "status_classes": {"type": "array", "items": STR},
                                "dynamics_classes": {"type": "array", "items": STR},
                                "crossed_by_series_break": {"type": "array", "items": STR},
                            }
                        ),
                        "indicators": {
                            "type": "array",
                            "items": _obj(
                                {
                                    "id": STR,
                                    "direction": INT,
                                    "status_mean": NNUM,
                                    "status_sd": NNUM,
                                    "change_mean": NNUM,
                                    "change_sd": NNUM,
                                    "counts_published": BOOL,
                                }
                            ),
                        },
                    },
                },
                "AlertList": _paged(_envelope("Alert")),
                "Alert": _obj(
                    {
                        "id": INT,
                        "kind": {"enum": ["intervall", "trend", "status", "dynamik", "neu"]},
                        "published_at": {"type": "string", "format": "date-time"},
                        "release_label": STR,
                        "ags": STR,
                        "area_name": STR,
                        "area_url": STR,
                        "indicator_id": NSTR,
                        "indicator_de": NSTR,
                        "indicator_en": NSTR,
                        "unit": NSTR,
                        "decimals": NINT,
                        "year": NINT,
                        "ref_year": NINT,
                        "old_value": NNUM,
                        "new_value": NNUM,
                        "lower": NNUM,
                        "upper": NNUM,
                        "old_label": NSTR,
                        "new_label": NSTR,
                        "p": NNUM,
                        "text_de": STR,
                        "text_en": STR,
                    }
                ),
                "SozialindexArea": _obj(
                    {
                        "ags": STR,
                        "name": STR,
                        "status_z": {"type": "object", "additionalProperties": NNUM},
                        "dynamics_z": {"type": "object", "additionalProperties": NNUM},
                        "status_index": NNUM,
                        "status_score": NNUM,
                        "status_class": {
                            "enum": ["hoch", "mittel", "niedrig", "sehr_niedrig", None]
                        },
                        "dynamics_index": NNUM,
                        "dynamics_score": NNUM,
                        "dynamics_class": {"enum": ["positiv", "stabil", "negativ", None]},
                        "group": NSTR,
                        "attention": BOOL,
                        "class_without": {"type": "object", "additionalProperties": NSTR},
                        "class_unstable": BOOL,
                        "status_z_interval": {
                            "type": "object",
                            "additionalProperties": {
                                "oneOf": [
                                    {"type": "null"},
                                    {
                                        "type": "array",
                                        "items": {"type": "number"},
                                        "minItems": 2,
                                        "maxItems": 2,
                                    },
                                ]
                            },
                        },
                        "z_significant": {
                            "type": "object",
                            "additionalProperties": {"type": ["boolean", "null"]},
                        },
                        "class_not_significant": BOOL,
                        "dynamics_z_interval": {
                            "type": "object",
                            "additionalProperties": {
                                "oneOf": [
                                    {"type": "null"},
                                    {
                                        "type": "array",
                                        "items": {"type": "number"},
                                        "minItems": 2,
                                        "maxItems": 2,
                                    },
                                ]
                            },
                        },
                        "dynamics_z_significant": {
                            "type": "object",
                            "additionalProperties": {"type": ["boolean", "null"]},
                        },
                        "dynamics_not_significant": BOOL,
                        "few_cases": {"type": "array", "items": STR},
                        "missing": {
                            "type": "array",
                            "items": _obj({"indicator": STR, "year": INT, "suppressed": BOOL}),
                        },
                    }
                ),
                "IntervalList": _envelope("Interval"),
                "NeighbourList": {
                    **_envelope("Neighbour"),
                    "required": [*_envelope("Neighbour")["required"], "k", "variables"],
                    "properties": {
                        **_envelope("Neighbour")["properties"],
                        "k": INT,
                        "variables": {
                            "type": "array",
                            "items": _obj({"id": STR, "year": INT, "release": STR, "log": BOOL}),
                        },
                    },
                },
                "MapData": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "licence",
                        "attribution",
                        "synthetic",
                        "count",
                        "indicator",
                        "unit",
                        "year",
                        "release",
                        "ebene",
                        "breaks",
                        "data",
                    ],
                    "properties": {
                        **ENVELOPE,
                        "indicator": STR,
                        "unit": STR,
                        "year": INT,
                        "release": NSTR,
                        "ebene": STR,
                        "land": NSTR,
                        "breaks": {"type": "array", "items": {"type": "number"}},
                        "data": {"type": "object", "additionalProperties": NULLABLE_NUMBER},
                    },
                },
                "IndicatorList": _envelope("Indicator"),
                "ReleaseList": _envelope("Release"),
                "ReportList": _envelope("Report"),
                "ValueList": {
                    **_envelope("Value"),
                    "required": [*_envelope("Value")["required"], *PAGING],
                    "properties": {
                        **_envelope("Value")["properties"],
                        "releases": {"type": "array", "items": STR},
                        "breaks": BREAKS_BY_INDICATOR,
                        **PAGING,
                    },
                },
            },
        },
    }


def document() -> dict:
    """A copy of the OpenAPI document (callers may add to it), titled after the home region."""
    from app.web.home import publisher

    doc = copy.deepcopy(_document())
    doc["info"]["title"] = f"{publisher()} – Offene Daten"
    return doc


def operation(path: str) -> dict:
    """The GET operation of a path as written in the document (shared, do not modify)."""
    return _document()["paths"][path]["get"]


def query_parameters(path: str) -> dict[str, dict]:
    """Name → schema of the query parameters an operation accepts."""
    return {p["name"]: p["schema"] for p in operation(path)["parameters"] if p["in"] == "query"}
