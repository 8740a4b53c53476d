"""The directive syntax of Fokusberichte: `{{name key=value key="a value with spaces"}}`.

Parsing only (no database): the text is split into plain Markdown and directives; every
directive carries either its checked parameters or an error message for its place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indicators.errors import InvalidContent

ID = re.compile(r"[a-z0-9_]{1,60}")
AGS = re.compile(r"DG|[0-9]{2}|[0-9]{5}|[0-9]{8}")
YEAR = re.compile(r"(?:199[0-9]|20[0-9]{2}|2100)")
_PARAM = re.compile(r'\s+([a-z]+)=(?:"([^"\n]*)"|([^\s"]+))')
_NAME = re.compile(r"\s*([a-zäöü]+)")
MAX_LIST = 12
MAX_LENGTH = 500
# Render budget (issue #26): a figure costs ~50 ms to draw, 400 of them ~21 s per render and a
# 12 s PDF. A report may have at most MAX_FIGURES maps, series, comparisons and rankings and
# MAX_DIRECTIVES directives in all; those beyond are errors at their place, never drawn, so a
# preview, a publish and a PDF stay within a few seconds.
MAX_FIGURES = 50
MAX_DIRECTIVES = 300


@dataclass(frozen=True)
class Spec:
    """Parameters of one directive kind; block kinds stand alone in their paragraph."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    block: bool = False


SPECS: dict[str, Spec] = {
    "zahl": Spec(("indikator", "gebiet", "jahr")),
    "veraenderung": Spec(("indikator", "gebiet", "von", "bis"), ("art",)),
    "karte": Spec(("indikator", "jahr"), ("klassen", "titel"), block=True),
    "zeitreihe": Spec(("indikator",), ("gebiete", "von", "bis", "titel"), block=True),
    "vergleich": Spec(("indikatoren", "gebiete", "jahr"), ("titel",), block=True),
    "rangfolge": Spec(("indikator", "jahr"), ("ebene", "land", "anzahl", "titel"), block=True),
    # Kontextnotizen of an area (of one indicator, in a period): a list, not a figure.
    "notizen": Spec(("gebiet",), ("indikator", "von", "bis", "titel"), block=True),
    # Plain-language findings (issue #30): of a Kommune (its profile's "Befunde in Sätzen") or
    # of an indicator's map in a year ("Die Karte in Sätzen"), against a benchmark.
    "befunde": Spec((), ("gebiet", "indikator", "jahr", "vergleich", "titel"), block=True),
    # The Sozialindex table (status × dynamics) of the report's releases and its definition;
    # `gebiet=<Kreis>`: of the Gemeinden of another Kreis (Germany loaded).
    "sozialindex": Spec((), ("gebiet", "titel"), block=True),
}
CHOICES = {
    "klassen": ("quantile", "jenks", "gleich"),
    "art": ("punkte", "prozent"),
    "ebene": ("kommune", "kreis"),
    "vergleich": ("region", "land", "bund"),
}


class DirectiveError(InvalidContent):
    """A directive that cannot be shown; the message is for the editor, at the directive's place.

    Never leaves the report's rendering: split() and the renderer put the message in place of
    the directive (and the editor cannot publish a text with errors).
    """


@dataclass
class Directive:
    """One `{{…}}` in the text: its kind, parameters (checked types) or the error."""

    source: str
    start: int
    end: int
    name: str = ""
    params: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def block(self) -> bool:
        """Whether this kind is a figure or table of its own (not a number in running text)."""
        spec = SPECS.get(self.name)
        return bool(spec and spec.block)


def _check_value(key: str, raw: str) -> object:
    """The typed value of one parameter, or DirectiveError naming what is allowed."""
    if key in ("jahr", "von", "bis"):
        if not YEAR.fullmatch(raw):
            raise DirectiveError(f"{key}={raw!r} ist kein Jahr (1990–2100).")
        return int(raw)
    if key in ("indikator",):
        if not ID.fullmatch(raw):
            raise DirectiveError(f"{key}={raw!r} ist keine Indikator-Kennung (a–z, 0–9, _).")
        return raw
    if key == "indikatoren":
        items = [x.strip() for x in raw.split(",") if x.strip()]
        bad = [x for x in items if not ID.fullmatch(x)]
        if bad or not items or len(items) > MAX_LIST:
            raise DirectiveError(
                f"indikatoren: 1 bis {MAX_LIST} Kennungen durch Komma getrennt"
                + (f"; ungültig: {', '.join(bad)}" if bad else "")
                + "."
            )
        return items
    if key in ("gebiet", "gebiete"):
        items = [x.strip() for x in raw.split(",") if x.strip()]
        bad = [x for x in items if not AGS.fullmatch(x)]
        if bad or not items or len(items) > MAX_LIST or (key == "gebiet" and len(items) != 1):
            what = (
                "ein Gebietsschlüssel" if key == "gebiet" else f"1 bis {MAX_LIST} Gebietsschlüssel"
            )
            raise DirectiveError(
                f"{key}={raw!r}: erwartet {what} (AGS mit 8 oder 5 Stellen, Land mit 2, DG für"
                " Deutschland)."
            )
        return items[0] if key == "gebiet" else items
    if key == "land":
        if not re.fullmatch(r"[0-9]{2}", raw):
            raise DirectiveError(f"land={raw!r}: erwartet einen zweistelligen Länderschlüssel.")
        return raw
    if key == "anzahl":
        if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= 500:
            raise DirectiveError(f"anzahl={raw!r}: erwartet eine Zahl von 1 bis 500.")
        return int(raw)
    if key in CHOICES:
        if raw not in CHOICES[key]:
            raise DirectiveError(f"{key}={raw!r}: möglich sind {', '.join(CHOICES[key])}.")
        return raw
    return raw  # titel: plain text, escaped when shown


def parse_one(inner: str) -> tuple[str, dict]:
    """Name and checked parameters of the text between `{{` and `}}`."""
    m = _NAME.match(inner)
    if not m:
        raise DirectiveError("Nach {{ fehlt der Name der Direktive (z. B. zahl, karte).")
    name = m.group(1)
    if name not in SPECS:
        raise DirectiveError(f"Unbekannte Direktive {name!r}; möglich sind {', '.join(SPECS)}.")
    spec, params, pos = SPECS[name], {}, m.end()
    while pos < len(inner):
        pm = _PARAM.match(inner, pos)
        if not pm:
            rest = inner[pos:].strip()
            if not rest:
                break
            raise DirectiveError(
                f"Nicht lesbar: {rest[:40]!r}. Parameter schreibt man als name=wert oder"
                ' name="Wert mit Leerzeichen".'
            )
        key, raw = pm.group(1), pm.group(2) if pm.group(2) is not None else pm.group(3)
        if key not in spec.required + spec.optional:
            raise DirectiveError(
                f"{name} kennt den Parameter {key!r} nicht; möglich: "
                f"{', '.join(spec.required + spec.optional)}."
            )
        if key in params:
            raise DirectiveError(f"Parameter {key!r} ist doppelt angegeben.")
        params[key] = _check_value(key, raw)
        pos = pm.end()
    missing = [k for k in spec.required if k not in params]
    if missing:
        raise DirectiveError(f"{name} braucht noch: {', '.join(missing)}.")
    if name == "befunde" and ("gebiet" in params) == ("indikator" in params):
        raise DirectiveError(
            "befunde braucht entweder gebiet (die Befunde einer Kommune) oder indikator und jahr"
            " (die Karte in Sätzen)."
        )
    if name == "befunde" and ("indikator" in params) != ("jahr" in params):
        raise DirectiveError("befunde mit indikator braucht auch jahr (und umgekehrt).")
    if "von" in params and "bis" in params and params["von"] >= params["bis"]:
        raise DirectiveError("von muss vor bis liegen.")
    return name, params


def split(text: str) -> list[str | Directive]:
    """The text as plain pieces and directives, in order; broken syntax becomes an error piece."""
    out: list[str | Directive] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            out.append(text[pos:])
            return out
        out.append(text[pos:start])
        close = text.find("}}", start + 2)
        reopen = text.find("{{", start + 2)
        newline = text.find("\n\n", start + 2)
        if close < 0 or (0 <= reopen < close) or (0 <= newline < close):
            # Unclosed: the error covers the rest of the line, the text after it stays.
            eol = text.find("\n", start)
            end = len(text) if eol < 0 else eol
            out.append(
                Directive(
                    text[start:end], start, end, error="Die Direktive ist nicht mit }} geschlossen."
                )
            )
            pos = end
            continue
        end = close + 2
        d = Directive(text[start:end], start, end)
        inner = text[start + 2 : close]
        if len(inner) > MAX_LENGTH:
            d.error = f"Die Direktive ist länger als {MAX_LENGTH} Zeichen."
        else:
            try:
                d.name, d.params = parse_one(inner)
            except DirectiveError as err:
                d.error = str(err)
        out.append(d)
        pos = end


def over_budget(pieces: list[str | Directive]) -> tuple[int, int]:
    """(figures, directives) of a split text, to compare with MAX_FIGURES and MAX_DIRECTIVES."""
    found = [p for p in pieces if isinstance(p, Directive)]
    return sum(1 for d in found if d.block), len(found)
