"""Numbers in German (or English) format with the indicator's unit and decimals."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l

# Units written without a space before them ("12,3 %" keeps DIN 5008's space, "‰" too).
WITHHELD = "geheim"


def fmt_value(value: float | None, decimals: int = 1, unit: str = "") -> str:
    """'12,3 %' in German, '12.3 %' in English; '–' for missing values."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    number = format_decimal(round(value, decimals), format=pattern)
    return f"{number} {unit}".strip() if unit and unit not in ("Anzahl", "Personen") else number


def fmt_or_withheld(
    value: float | None, suppressed: bool = False, decimals: int = 1, unit: str = ""
) -> str:
    """Like fmt_value, but "geheim" where small-number protection withheld the value."""
    return WITHHELD if suppressed else fmt_value(value, decimals, unit)


# GENESIS special values that mean "no value", with the reason shown where the value would be.
FLAG_TEXT = {
    "x": _l("nicht sinnvoll (x)"),
    "/": _l("zu unsicher (/)"),
    "...": _l("noch nicht verfügbar (...)"),
}


def fmt_cell(
    value: float | None,
    suppressed: bool = False,
    flag: str | None = None,
    decimals: int = 1,
    unit: str = "",
) -> str:
    """A shown value: "geheim" when withheld, the reason for an official gap, else the number."""
    if suppressed:
        return WITHHELD
    if value is None and flag in FLAG_TEXT:
        return str(FLAG_TEXT[flag])
    return fmt_value(value, decimals, unit)


def download_cell(value: float | None, suppressed: bool = False) -> str:
    """A value for CSV/XLSX downloads: "geheim" if withheld, empty if missing, else the number."""
    if suppressed:
        return WITHHELD
    return "" if value is None else repr(value)


def fmt_number(value: float | None, decimals: int = 0) -> str:
    """A plain number with thousands separators in the current language."""
    return fmt_value(value, decimals, "")


def init_app(app: Flask) -> None:
    """Expose the formatters to templates."""
    app.jinja_env.filters["num"] = fmt_number
    app.jinja_env.globals["fmt_value"] = fmt_value
    app.jinja_env.globals["fmt_or_withheld"] = fmt_or_withheld
    app.jinja_env.globals["fmt_cell"] = fmt_cell
    app.jinja_env.globals["locale_name"] = lambda: str(get_locale())
