"""Numbers in German (or English) format with the indicator's unit and decimals."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal, get_locale

# Units written without a space before them ("12,3 %" keeps DIN 5008's space, "‰" too).
WITHHELD = "geheim"


def fmt_value(value: float | None, decimals: int = 1, unit: str = "") -> str:
    """'12,3 %' in German, '12.3 %' in English; '–' for missing values."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    number = format_decimal(round(value, decimals), format=pattern)
    return f"{number} {unit}".strip() if unit and unit not in ("Anzahl", "Personen") else number


def fmt_number(value: float | None, decimals: int = 0) -> str:
    """A plain number with thousands separators in the current language."""
    return fmt_value(value, decimals, "")


def init_app(app: Flask) -> None:
    """Expose the formatters to templates."""
    app.jinja_env.filters["num"] = fmt_number
    app.jinja_env.globals["fmt_value"] = fmt_value
    app.jinja_env.globals["locale_name"] = lambda: str(get_locale())
