"""The indicator catalogue's columns: the one list every reader and writer of it takes.

The catalogue file (`indicators/data/catalogue.csv`, an editor's upload beside a release) has
these columns in this order (further columns, such as the demo generator's `demo_*`, are
allowed and ignored); the loader checks them, the `indicator` table stores them (`topic` as
`topic_id`), the API's catalogue (`/api/v1/indicators`, JSON and CSV), its OpenAPI schema and the
datapackage describe them with the topic's names and the values' release after them.
`tests/test_shared_facts.py` refuses a second spelling of the list.
"""

from __future__ import annotations

CATALOGUE_COLUMNS = (
    "id",
    "topic",
    "name_de",
    "name_en",
    "unit",
    "decimals",
    "polarity",
    "first_year",
    "definition_de",
    "definition_en",
    "source",
    "numerator_de",
    "denominator_de",
)
INTEGER_COLUMNS = ("decimals", "first_year")
REQUIRED_TEXT_COLUMNS = ("name_de", "unit", "definition_de", "source")  # must not be empty
# Read with the catalogue (queries.get_indicator and friends), not columns of its file.
TOPIC_NAMES = ("topic_de", "topic_en")
# What the API adds to each indicator: the release its values come from, and their years.
SHOWN_FIELDS = ("release", "synthetic", "years")


def table_column(column: str) -> str:
    """The `indicator` table's column of a catalogue column (`topic` is the key `topic_id`)."""
    return "topic_id" if column == "topic" else column


def sql_columns(alias: str = "i") -> str:
    """The catalogue's columns of the `indicator` table for a SELECT list ("i.id, i.topic_id, …")."""
    return ", ".join(f"{alias}.{table_column(c)}" for c in CATALOGUE_COLUMNS)


def export_fields() -> tuple[str, ...]:
    """The API's indicator fields in order: the catalogue's columns with the topic's names after
    `topic`, then where the shown values come from."""
    out: list[str] = []
    for c in CATALOGUE_COLUMNS:
        out.append(c)
        if c == "topic":
            out += TOPIC_NAMES
    return (*out, *SHOWN_FIELDS)
