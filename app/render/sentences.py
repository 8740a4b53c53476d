"""Generated plain-language sentences and labels for benchmarks, spread and clusters."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal
from markupsafe import Markup

from app.render.formatting import Numbers, fmt_value
from app.web.i18n import gettext as _
from app.web.i18n import lazy_gettext as _l
from indicators.model import Indicator

VERDICT_LABELS = {
    "better": _l("signifikant besser"),
    "similar": _l("ähnlich"),
    "worse": _l("signifikant schlechter"),
    "higher": _l("signifikant höher"),
    "lower": _l("signifikant niedriger"),
    "not_assessable": _l("nicht bewertbar"),
}

REASONS = {
    # benchmarks
    "no_counts": _l("keine Zähler/Nenner-Angaben"),
    "zero_denominator": _l("der Nenner ist 0"),
    "invalid_counts": _l("Zähler und Nenner passen nicht zusammen (negativ oder Zähler > Nenner)"),
    "suppressed": _l("der Wert ist geheimgehalten"),
    "missing": _l("für dieses Jahr liegt kein Wert vor"),
    "no_region": _l("für dieses Jahr liegt kein Regionswert vor"),
    "no_benchmark": _l("für dieses Jahr liegt kein Wert des Vergleichsgebiets vor"),
    "mixed_synthetic": _l(
        "Beispieldaten werden nicht mit echten Werten verglichen (der eine Wert ist synthetisch, der andere amtlich)"
    ),
    # spread and clusters
    "missing_areas": _l("nicht für alle Kommunen liegen Werte vor"),
    "non_positive": _l(
        "Werte von 0 oder darunter: Verhältnis, Variationskoeffizient, Theil und Gini sind nicht sinnvoll"
    ),
    "too_few": _l("zu wenige Werte"),
    "no_weights": _l("keine Gewichte (weder Nenner noch Bevölkerungszahl)"),
    "no_year": _l("für dieses Jahr liegen keine Werte vor"),
    "count": _l("absolute Anzahl: Unterschiede spiegeln vor allem die Größe der Kommunen"),
    "constant": _l("alle Kommunen haben denselben Wert"),
    "island": _l("eine Kommune hat keine Nachbarn"),
    "n/a": _l("nicht berechenbar"),
}

MEASURE_LABELS = {
    "cv_weighted": _l("Variationskoeffizient (bevölkerungsgewichtet)"),
    "cv": _l("Variationskoeffizient (ungewichtet)"),
    "theil": _l("Theil-Index"),
    "gini": _l("Gini-Koeffizient"),
    "ratio": _l("Verhältnis Maximum/Minimum"),
}

# The disparity overview's plain verdict on a change in spread (indicators.spread_change).
SPREAD_VERDICTS = {
    "apart": _l("auseinander"),
    "closer": _l("zusammen"),
    "unclear": _l("kein klarer Unterschied"),
}

CLUSTER_LABELS = {
    "HH": _l("hoch – hoch (hoher Wert, hohe Nachbarwerte)"),
    "LL": _l("niedrig – niedrig (niedriger Wert, niedrige Nachbarwerte)"),
    "HL": _l("hoch – niedrig (hoher Wert, niedrige Nachbarwerte)"),
    "LH": _l("niedrig – hoch (niedriger Wert, hohe Nachbarwerte)"),
    "ns": _l("nicht signifikant"),
}

METHOD_LABELS = {
    "wilson": _l("Wilson-Konfidenzintervall (Anteil)"),
    "byar": _l("Byar-Näherung (Poisson-Zählung)"),
}


def reason_text(code: str | None) -> str:
    """The German (or English) explanation of a reason code."""
    return str(REASONS.get(code or "n/a", REASONS["n/a"]))


def number(value: float, decimals: int = 2) -> str:
    """A plain number in the current language ('0,21')."""
    return format_decimal(round(value, decimals), format="0." + "0" * decimals)


def benchmark_sentence(
    name: str,
    indicator: Indicator,
    value: float | None,
    region_value: float | None,
    bench: dict,
    num: Numbers | None = None,
) -> str:
    """One sentence: how a Kommune's value relates to the Region's, or why it cannot say.
    `num`: the page's numbers in its language, asked for once (a profile has ~50 sentences)."""
    dec, unit = indicator.decimals, indicator.unit
    f = num.value if num is not None else fmt_value
    v, rv = f(value, dec, unit), f(region_value, dec, unit)
    verdict = bench["verdict"]
    if verdict == "not_assessable":
        return _(
            "%(name)s: kein Vergleich mit der Region möglich – %(reason)s.",
            name=name,
            reason=reason_text(bench.get("reason")),
        )
    if bench["direction"] == "within":
        return _(
            "%(name)s liegt mit %(value)s nicht signifikant vom Regionswert von %(region)s entfernt.",
            name=name,
            value=v,
            region=rv,
        )
    if bench["direction"] == "above":
        text = _(
            "%(name)s liegt mit %(value)s signifikant über dem Regionswert von %(region)s.",
            name=name,
            value=v,
            region=rv,
        )
    else:
        text = _(
            "%(name)s liegt mit %(value)s signifikant unter dem Regionswert von %(region)s.",
            name=name,
            value=v,
            region=rv,
        )
    if verdict == "better":
        text += " " + _("Das ist günstiger als in der Region.")
    elif verdict == "worse":
        text += " " + _("Das ist ungünstiger als in der Region.")
    return text


def spread_sentence(name: str, start: int, end: int, a: float, b: float, measure: str) -> str:
    """One sentence: did the Kommunen drift apart or closer between two years?"""
    label = MEASURE_LABELS[measure]
    if b > a:
        return _(
            "%(name)s: Die Kommunen sind von %(start)s bis %(end)s auseinandergedriftet (%(label)s %(a)s → %(b)s).",
            name=name,
            start=start,
            end=end,
            label=label,
            a=number(a),
            b=number(b),
        )
    if b < a:
        return _(
            "%(name)s: Die Kommunen haben sich von %(start)s bis %(end)s angenähert (%(label)s %(a)s → %(b)s).",
            name=name,
            start=start,
            end=end,
            label=label,
            a=number(a),
            b=number(b),
        )
    return _(
        "%(name)s: Die Streuung ist von %(start)s bis %(end)s gleich geblieben (%(label)s %(a)s).",
        name=name,
        start=start,
        end=end,
        label=label,
        a=number(a),
    )


def moran_sentence(result: dict) -> str:
    """One sentence on global Moran's I and its permutation p-value."""
    i, p = result["I"], result["p_sim"]
    args = {"i": number(i), "p": number(p, 3), "n": result["permutations"]}
    if p > 0.05:
        return _(
            "Moran's I = %(i)s (p = %(p)s, %(n)s Permutationen): kein signifikantes räumliches Muster.",
            **args,
        )
    if i > 0:
        return _(
            "Moran's I = %(i)s (p = %(p)s, %(n)s Permutationen): ähnliche Werte liegen signifikant häufig nebeneinander.",
            **args,
        )
    return _(
        "Moran's I = %(i)s (p = %(p)s, %(n)s Permutationen): benachbarte Kommunen unterscheiden sich signifikant häufig.",
        **args,
    )


def cluster_sentence(name: str, cluster: str, p: float) -> str:
    """One sentence on a Kommune's LISA class."""
    if cluster == "ns":
        return _(
            "%(name)s: kein signifikantes lokales Muster (p = %(p)s).", name=name, p=number(p, 3)
        )
    return _(
        "%(name)s: %(label)s (p = %(p)s).", name=name, label=CLUSTER_LABELS[cluster], p=number(p, 3)
    )


_ARROWS = {"steigend": "↗", "fallend": "↘", "gleichbleibend": "→"}


# Texts of trend_label, translated when shown (str() of the lazy text in the request's language).
_TREND_REASONS = {
    "unit": _l("kein Anteil und keine Rate"),
    "no_counts": _l("ohne Zähler und Nenner"),
    "too_few": _l("weniger als drei Jahre"),
    "invalid_counts": _l("Zähler passen nicht zum Test"),
}
_KEINE_WERTE = _l("keine Werte")
_TREND_WORDS = {
    "steigend": _l("steigend"),
    "fallend": _l("fallend"),
    "gleichbleibend": _l("gleichbleibend"),
}


def trend_label(trend: dict | None) -> Markup:
    """'↗ steigend, signifikant' or 'nicht bewertbar (Grund)' for a profile cell."""
    # Only the texts the cell shows are translated (a profile calls this once per row, 104
    # times; translating every reason and word each time was ~4 of 6 calls of _() wasted).
    if not trend or not trend.get("direction"):
        why = str(_TREND_REASONS.get((trend or {}).get("reason"), _KEINE_WERTE))
        return Markup('{} <span class="trend-why">({})</span>').format(_("nicht bewertbar"), why)
    sig = _("signifikant") if trend["significant"] else _("nicht signifikant")
    return Markup(
        '<span aria-hidden="true">{}</span> {}, <span class="trend-sig">{}</span>'
    ).format(_ARROWS[trend["direction"]], str(_TREND_WORDS[trend["direction"]]), sig)


def trend_key(trend: dict | None) -> tuple:
    """All that trend_label reads of a trend: equal keys give equal labels (a page of ~100
    rows shows a handful of different trend labels and can make each once)."""
    if not trend or not trend.get("direction"):
        return (None, (trend or {}).get("reason"))
    return (trend["direction"], bool(trend["significant"]))


def verdict_label(bench: dict | None) -> str:
    """'signifikant besser' …; for templates of other pages (profile, map)."""
    return str(VERDICT_LABELS[(bench or {}).get("verdict", "not_assessable")])


def benchmark_sentence_for(
    name: str, indicator: Indicator, value, region_value, bench: dict | None, num=None
) -> str:
    """The plain-language sentence of a benchmark, for templates of other pages."""
    bench = bench or {"verdict": "not_assessable", "reason": "missing"}
    return benchmark_sentence(name, indicator, value, region_value, bench, num)


def init_app(app: Flask) -> None:
    """The sentences and labels that every page's templates use."""
    app.jinja_env.globals.update(
        trend_label=trend_label,
        verdict_label=verdict_label,
        benchmark_sentence=benchmark_sentence_for,
    )
