"""Numbers in German (or English) format with the indicator's unit and decimals."""

from __future__ import annotations

import functools
import re

from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol
from flask import Flask
from markupsafe import Markup, escape

from app.web.i18n import current_lang
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l

# Downloads keep the German marker (a stable value for scripts); pages show withheld().
WITHHELD = "geheim"
# The catalogue's German unit names as shown on pages (symbols such as % stay as they are).
UNIT_LABELS = {
    "Personen": _l("Personen"),
    "Anzahl": _l("Anzahl"),
    "Jahre": _l("Jahre"),
    "je 10.000": _l("je 10.000"),
    "je 100.000": _l("je 100.000"),
    "je Person": _l("je Person"),
    "je 100": _l("je 100"),
    "je km²": _l("je km²"),
}


# Kinds of area in the boundary data.
KIND_LABELS = {
    "Stadt": _l("Stadt"),
    "Gemeinde": _l("Gemeinde"),
    "Region": _l("Region"),
    "Kreis": _l("Kreis"),
    "Land": _l("Land"),
    "Bund": _l("Bund"),
}


def kind_label(kind: str) -> str:
    """The kind of an area in the page's language ('Stadt' → 'town')."""
    return str(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def unit_label(unit: str) -> str:
    """A unit in the page's language ('Personen' → 'persons')."""
    return _unit_label(current_lang(), unit) if unit in UNIT_LABELS else unit


@functools.lru_cache(maxsize=64)
def _unit_label(lang: str, unit: str) -> str:
    """unit_label translated once per language (a profile formats ~600 values with a unit;
    the catalogue's texts do not change while the process runs)."""
    return str(UNIT_LABELS[unit])


def withheld() -> str:
    """The word for a value withheld by small-number protection, in the page's language."""
    return _("geheim")


@functools.lru_cache(maxsize=16)
def _symbols(locale: str) -> dict[int, str]:
    """Python's number punctuation → the locale's (babel's CLDR symbols), read once per locale."""
    return str.maketrans(
        {
            ",": get_group_symbol(locale),
            ".": get_decimal_symbol(locale),
            "-": get_minus_sign_symbol(locale),
        }
    )


def fmt_value(value: float | None, decimals: int = 1, unit: str = "") -> str:
    """'12,3 %' in German, '12.3 %' in English; '–' for missing values."""
    return _fmt_value(value, decimals, unit, current_lang())


def _fmt_value(value: float | None, decimals: int, unit: str, lang: str) -> str:
    """fmt_value in the language `lang`."""
    if value is None:
        return "–"
    # The same digits as babel's "#,##0.0…" pattern, ~50× faster (a map page formats ~70
    # numbers, a Germany map 11,000): Python groups and rounds, the locale gives the symbols.
    number = f"{round(value, decimals):,.{max(decimals, 0)}f}".translate(_symbols(lang))
    if not unit or unit in ("Anzahl", "Personen"):
        return number
    return f"{number} {_unit_label(lang, unit) if unit in UNIT_LABELS else unit}".strip()


def fmt_or_withheld(
    value: float | None, suppressed: bool = False, decimals: int = 1, unit: str = ""
) -> str:
    """Like fmt_value, but "geheim" where small-number protection withheld the value."""
    return withheld() if suppressed else fmt_value(value, decimals, unit)


# GENESIS special values that mean "no value", with the reason shown where the value would be.
FLAG_TEXT = {
    "x": _l("nicht sinnvoll (x)"),
    "/": _l("zu unsicher (/)"),
    "...": _l("noch nicht verfügbar (...)"),
    # A total summed over parts of which one is withheld: not secret, incomplete (0009).
    "u": _l("unvollständig"),
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
        return withheld()
    return _flag_or_value(value, flag, decimals, unit, current_lang())


def _flag_or_value(
    value: float | None, flag: str | None, decimals: int, unit: str, lang: str
) -> str:
    """fmt_cell's shown text for a value not withheld: an official gap's reason, else the number."""
    if value is None and flag in FLAG_TEXT:
        return str(FLAG_TEXT[flag])
    return _fmt_value(value, decimals, unit, lang)


def download_cell(value: float | None, suppressed: bool = False) -> str:
    """A value for CSV/XLSX downloads: "geheim" if withheld, empty if missing, else the number."""
    if suppressed:
        return WITHHELD
    return "" if value is None else repr(value)


def fmt_number(value: float | None, decimals: int = 0) -> str:
    """A plain number with thousands separators in the current language."""
    return fmt_value(value, decimals, "")


def fmt_signed(value: float | None, decimals: int = 1, unit: str = "", points: bool = True) -> str:
    """A difference with its sign: '+1,2 Pp.' (a difference of % values is in points), '±0'."""
    if value is None:
        return "–"
    return _signed(value, decimals, _("Pp.") if unit == "%" and points else unit, current_lang())


def _signed(value: float, decimals: int, unit: str, lang: str) -> str:
    """fmt_signed of a value, its unit already the shown one."""
    if round(value, decimals) == 0:
        return "±" + _fmt_value(0, decimals, unit, lang)
    return ("+" if value > 0 else "") + _fmt_value(value, decimals, unit, lang)


class Numbers:
    """fmt_value, fmt_or_withheld, fmt_cell and fmt_signed in the request's language, asked
    for once: a profile formats ~650 numbers, and each of those functions asked Flask's
    context for the language (and fmt_signed and withheld for their words) every time."""

    def __init__(self) -> None:
        self.lang = current_lang()
        self.withheld = withheld()
        self.points = _("Pp.")

    def unit(self, unit: str) -> str:
        """unit_label."""
        return _unit_label(self.lang, unit) if unit in UNIT_LABELS else unit

    def value(self, value: float | None, decimals: int = 1, unit: str = "") -> str:
        """fmt_value."""
        return _fmt_value(value, decimals, unit, self.lang)

    def or_withheld(
        self, value: float | None, suppressed: bool = False, decimals: int = 1, unit: str = ""
    ) -> str:
        """fmt_or_withheld."""
        return self.withheld if suppressed else _fmt_value(value, decimals, unit, self.lang)

    def cell(
        self,
        value: float | None,
        suppressed: bool = False,
        flag: str | None = None,
        decimals: int = 1,
        unit: str = "",
    ) -> str:
        """fmt_cell."""
        if suppressed:
            return self.withheld
        return _flag_or_value(value, flag, decimals, unit, self.lang)

    def signed(
        self, value: float | None, decimals: int = 1, unit: str = "", points: bool = True
    ) -> str:
        """fmt_signed."""
        if value is None:
            return "–"
        return _signed(value, decimals, self.points if unit == "%" and points else unit, self.lang)


def code_spans(text: str) -> Markup:
    """The document's `backtick` spans as <code> (everything else escaped)."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def init_app(app: Flask) -> None:
    """Expose the formatters to templates."""
    app.jinja_env.filters["num"] = fmt_number
    app.jinja_env.filters["code_spans"] = code_spans
    app.jinja_env.globals["fmt_value"] = fmt_value
    app.jinja_env.globals["fmt_signed"] = fmt_signed
    app.jinja_env.globals["fmt_or_withheld"] = fmt_or_withheld
    app.jinja_env.globals["fmt_cell"] = fmt_cell
    app.jinja_env.globals["unit_label"] = unit_label
    app.jinja_env.globals["kind_label"] = kind_label
    app.jinja_env.globals["withheld"] = withheld
    app.jinja_env.globals["locale_name"] = current_lang
