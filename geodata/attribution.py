"""Who to name, and under which licence: the one home of every source's attribution text.

Every map, page, image, download, API answer, metadata document, report and feed names its
sources with these texts (`tests/test_shared_facts.py` refuses a second spelling of them
anywhere in the code, the templates, the scripts and the tests). The wording is the one the data
require (`DATA_DIR/README.md`): the boundaries "© GeoBasis-DE / BKG 2021", the Zensus 2022
"Statistische Ämter des Bundes und der Länder, Zensus 2022", the Regionaldatenbank "© Statistische
Ämter des Bundes und der Länder, Deutschland, 2017", INKAR "INKAR, © BBSR Bonn 2024", the
Gemeindeverzeichnis "Statistisches Bundesamt (Destatis)", each under the Datenlizenz Deutschland
– Namensnennung – Version 2.0 (dl-de/by-2-0).

Plain strings, no Flask: `geodata/` is the bottom layer, so the importers of `indicators/` (which
store a source's text with its release) and every floor of `app/` read them from here. Templates
reach them as the Jinja global `attribution` (this module) and the licence's name in the reader's
language as `licence_name()` (both registered by `app.web.attribution`). Copyright notices and
names of institutions are not translated; the licence's name has an official English title.
"""

from __future__ import annotations

# ---------------------------------------------------------------- the licence of every source

LICENCE = "dl-de/by-2-0"
LICENCE_URL = "https://www.govdata.de/dl-de/by-2-0"
LICENCE_NAMES = {
    "de": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
    "en": "Data licence Germany – attribution – version 2.0",
}
LICENCE_NAME = LICENCE_NAMES["de"]
# As the importers store it after a source's name: "…; Datenlizenz Deutschland – … (dl-de/by-2-0)".
LICENCE_FULL = f"{LICENCE_NAME} ({LICENCE})"

# ---------------------------------------------------------------- the sources

# Boundaries: BKG, Verwaltungsgebiete 1:5 000 000 (VG5000), Gebietsstand 01.01.2021.
BOUNDARIES = "© GeoBasis-DE / BKG 2021"
BOUNDARIES_PRODUCT = "Verwaltungsgebiete"

# The statistical offices: Regionaldatenbank Deutschland and Zensus 2022.
STATISTICAL_OFFICES = "Statistische Ämter des Bundes und der Länder"
STATISTICAL_OFFICES_COPYRIGHT = f"© {STATISTICAL_OFFICES}, Deutschland"
REGIONALDATENBANK_COPYRIGHT = f"{STATISTICAL_OFFICES_COPYRIGHT}, 2017"  # the tables' own footer
# As stored with a release and shown beside its values: the notice the data require, then the name.
REGIONALDATENBANK = f"{REGIONALDATENBANK_COPYRIGHT}, Regionaldatenbank Deutschland"
ZENSUS = f"{STATISTICAL_OFFICES}, Zensus 2022"
# What the reports (Fokusberichte) show: values of the Regionaldatenbank and the Zensus.
REPORT_VALUES = f"{STATISTICAL_OFFICES_COPYRIGHT} – Regionaldatenbank Deutschland und Zensus 2022"

# INKAR 2024 of the BBSR.
INKAR_COPYRIGHT = "INKAR, © BBSR Bonn 2024"
INKAR = INKAR_COPYRIGHT  # stored with the release: the notice as the data require it

# Destatis' Gemeindeverzeichnis (GV-ISys); {year} is the extract's Stichtag year.
DESTATIS = "Statistisches Bundesamt (Destatis)"
GEMEINDEVERZEICHNIS = f"© {DESTATIS}, Gemeindeverzeichnis GV-ISys, Gebietsstand 31.12.{{year}}"


def licence_name(lang: str) -> str:
    """The licence's name in a language of the site (German for any other)."""
    return LICENCE_NAMES.get(lang, LICENCE_NAME)
