"""What a map or chart shows, as text: the one source of every figure's alternative text.

The same sentence is the `aria-label` of a Fokusbericht's map and chart (Chromium's tagged PDF
carries it as the figure's /Alt), the `<desc>` of every exported SVG, and the description offered
beside a PNG download link. It is built from the values the figure is drawn from, never from
the picture: for a map the indicator, the year, the classes with their counts and the areas with
the highest and the lowest value; for a chart its series with their first and last value.

Everything here is in the request's language (gettext); numbers arrive formatted by the caller
(`Shown.text`), so a figure's description says exactly what its table and tooltips say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from flask_babel import ngettext
from markupsafe import Markup, escape

from app.web.i18n import current_lang
from app.web.i18n import gettext as _

Point = tuple[int, float | None]
MOST_TIED = 3  # names listed when several areas share the highest (or lowest) value


class Description(str):
    """A figure's text alternative: a plain str (aria-label, <desc>, /Alt), and in HTML the
    German names in it (Kommunen, Kreise, Länder: data, not UI) marked `lang="de"` on an
    English page (Jinja calls __html__), as the pages' tables mark them."""

    names: frozenset[str]

    def __new__(cls, text: str, names: Iterable[str] = ()) -> Description:
        self = super().__new__(cls, text)
        if isinstance(names, frozenset):  # e.g. every name of Germany's Gemeinden, kept
            self.names = names - {"", None}
        else:
            self.names = frozenset(n for n in names if n)
        return self

    def __html__(self) -> Markup:
        text = str(self)
        if current_lang() == "de" or not self.names:
            return escape(text)
        # Only the names that occur in the text can match: a map of Germany's Gemeinden names
        # 11,000 areas, and a pattern of all of them took ~1 s per English page to build.
        longest = sorted((n for n in self.names if n in text), key=len, reverse=True)
        if not longest:
            return escape(text)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest)) + r")(?!\w)")
        out, at = Markup(""), 0
        for m in pattern.finditer(text):
            out += escape(text[at : m.start()]) + Markup('<span lang="de">{}</span>').format(m[0])
            at = m.end()
        return out + escape(text[at:])


@dataclass(frozen=True)
class Shown:
    """One area's value as a figure shows it: name, number (None: none), formatted text."""

    name: str
    value: float | None
    text: str


def sentence(text: str) -> str:
    """The text ending with one full stop ("+0,7 Pp." keeps its own), "" stays ""."""
    return text if not text or text.endswith(".") else text + "."


def kommunen(n: int) -> str:
    return ngettext("%(num)d Kommune", "%(num)d Kommunen", n)


def _names(rows: Sequence[Shown]) -> str:
    names = [r.name for r in rows[:MOST_TIED]]
    if len(rows) > MOST_TIED:
        names.append(_("%(n)d weitere", n=len(rows) - MOST_TIED))
    return (
        names[0] if len(names) == 1 else _("%(a)s und %(b)s", a=", ".join(names[:-1]), b=names[-1])
    )


def extremes(shown: Sequence[Shown]) -> str:
    """ "Höchster Wert: A (1,0 %); niedrigster Wert: B (0,2 %)." (ties named together)."""
    valued = [r for r in shown if r.value is not None]
    if not valued:
        return _("Kein Gebiet hat einen Wert.")
    hi = max(r.value for r in valued if r.value is not None)
    lo = min(r.value for r in valued if r.value is not None)
    top = [r for r in valued if r.value == hi]
    bottom = [r for r in valued if r.value == lo]
    if hi == lo:
        return _("Alle mit Wert haben %(v)s.", v=top[0].text)
    return _(
        "Höchster Wert: %(high)s (%(hv)s); niedrigster Wert: %(low)s (%(lv)s).",
        high=_names(top),
        hv=top[0].text,
        low=_names(bottom),
        lv=bottom[0].text,
    )


def classes_text(classes: Sequence[tuple[str, int]], count: Callable[[int], str]) -> str:
    """ "5 Klassen: 1 – 2 % (4 Kommunen); …" (classes without an area left out)."""
    shown = [(label, n) for label, n in classes if n]
    if not shown:
        return ""
    return (
        ngettext("%(num)d Klasse", "%(num)d Klassen", len(shown))
        + ": "
        + "; ".join(f"{label} ({count(n)})" for label, n in shown)
        + "."
    )


def map_text(
    subject: str,
    when: str,
    shown: Sequence[Shown],
    classes: Sequence[tuple[str, int]],
    count: Callable[[int], str] = kommunen,
    extra: str = "",
    names: Iterable[str] = (),
    areas: int | None = None,
) -> Description:
    """A choropleth: what, when, its classes with their counts, the highest and lowest areas.

    subject: the indicator (and unit); when: the year ("" when the subject names it);
    classes: (label, number of areas) as the legend shows them; extra: a sentence after the
    classes (e.g. the Region's value); names: German names in subject or extra (besides the
    areas', which are known); areas: how many areas the map has when `shown` holds only
    those with its highest and lowest value (all the text names of them; `names` then holds
    every area's name).
    """
    parts = [
        _(
            "Karte der %(areas)s: %(subject)s, %(when)s.",
            areas=count(len(shown) if areas is None else areas),
            subject=subject,
            when=when,
        )
        if when
        else _(
            "Karte der %(areas)s: %(subject)s.",
            areas=count(len(shown) if areas is None else areas),
            subject=subject,
        ),
        classes_text(classes, count),
        sentence(extra),
        extremes(shown),
    ]
    text = " ".join(p for p in parts if p)
    if isinstance(names, frozenset):  # a kept set of many names: joined as a set, not a list
        return Description(text, names | {r.name for r in shown})
    return Description(text, [*names, *(r.name for r in shown)])


def maps_text(
    subject: str,
    years: Sequence[tuple[int, Sequence[Shown]]],
    classes: Sequence[str],
) -> Description:
    """Small multiples: one map per year with shared classes; each year's highest and lowest."""
    parts = [
        ngettext(
            "%(num)d Karte der Kommunen, eine je Jahr: %(subject)s, %(years)s.",
            "%(num)d Karten der Kommunen, eine je Jahr: %(subject)s, %(years)s.",
            len(years),
            subject=subject,
            years=", ".join(str(y) for y, _s in years),
        ),
        _("Klassen über alle gezeigten Jahre") + ": " + "; ".join(classes) + ".",
    ]
    parts += [f"{y}: {extremes(shown)}" for y, shown in years]
    return Description(" ".join(parts), (r.name for _y, shown in years for r in shown))


def _end(points: Sequence[Point], fmt: Callable[[float], str]) -> str:
    valued = [(y, v) for y, v in points if v is not None]
    if not valued:
        return _("keine Werte")
    (y0, v0), (y1, v1) = valued[0], valued[-1]
    if y0 == y1:
        return f"{fmt(v0)} ({y0})"
    return _("von %(a)s (%(ya)s) bis %(b)s (%(yb)s)", a=fmt(v0), ya=y0, b=fmt(v1), yb=y1)


def lines_text(
    subject: str,
    years: Sequence[int],
    lines: Sequence[tuple[str, Sequence[Point]]],
    fmt: Callable[[float], str],
    breaks: Sequence[int] = (),
    names: Iterable[str] = (),
) -> Description:
    """A line chart: what, which years, each series with its first and last value, breaks;
    names: the German names among the lines' (areas; not the translated Region or measures)."""
    span = (
        f"{years[0]}–{years[-1]}"
        if years and years[0] != years[-1]
        else str(years[0] if years else "")
    )
    parts = [
        _("Liniendiagramm: %(subject)s, %(span)s.", subject=subject, span=span),
        ngettext("%(num)d Linie", "%(num)d Linien", len(lines))
        + ": "
        + "; ".join(f"{name} {_end(points, fmt)}" for name, points in lines)
        + ".",
    ]
    parts += [
        _("Zeitreihenbruch %(y)s: Werte davor und danach sind nicht vergleichbar.", y=b)
        for b in breaks
    ]
    return Description(" ".join(parts), names)


def ranking_text(
    subject: str, when: str, shown: Sequence[Shown], order: str, extra: str = ""
) -> Description:
    """A bar chart of areas in an order (its label): what, when, how many, highest, lowest."""
    parts = [
        _(
            "Balkendiagramm der %(areas)s (%(order)s): %(subject)s, %(when)s.",
            areas=kommunen(len(shown)),
            order=order,
            subject=subject,
            when=when,
        ),
        extremes(shown),
        sentence(extra),
    ]
    return Description(" ".join(p for p in parts if p), (r.name for r in shown))


def scatter_text(
    x: str, y: str, when: str, xs: Sequence[Shown], ys: Sequence[Shown], extra: str = ""
) -> Description:
    """A scatter plot: both axes, the year, how many points, each axis' highest and lowest."""
    both = {r.name for r in xs if r.value is not None} & {r.name for r in ys if r.value is not None}
    parts = [
        _(
            "Streudiagramm, ein Punkt je Kommune (%(n)d): %(y)s (senkrecht) nach %(x)s (waagerecht), %(when)s.",
            n=len(both),
            y=y,
            x=x,
            when=when,
        ),
        sentence(extra),
        f"{x}: {extremes(xs)}",
        f"{y}: {extremes(ys)}",
    ]
    return Description(" ".join(p for p in parts if p), (r.name for r in [*xs, *ys]))


def spine_text(area: str, when: str, verdicts: Sequence[tuple[str, Sequence[str]]]) -> Description:
    """The profile's spines: per verdict (its label) the indicators that got it."""
    n = sum(len(names) for _v, names in verdicts)
    parts = [
        ngettext(
            "Einordnung von %(area)s unter den Kommunen der Region für %(num)d Kennzahl, %(when)s.",
            "Einordnung von %(area)s unter den Kommunen der Region für %(num)d Kennzahlen, %(when)s.",
            n,
            area=area,
            when=when,
        )
    ]
    parts += [f"{label} ({len(names)}): {', '.join(names)}." for label, names in verdicts if names]
    return Description(" ".join(parts), [area])
