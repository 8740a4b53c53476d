"""Findings (indicators.findings) as German or English sentences (Flask-Babel, explicit msgids).

Each sentence words only the claims of its Finding — a significant difference only when the
interval test found one, a trend's direction always with its test's verdict — and names the test
("95 %-Konfidenzintervall nach Wilson", "Cochran-Armitage-Trendtest"). Used by the profile's
summary, the map's text alternative and the Fokusbericht draft.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.render.formatting import fmt_value
from app.render.sentences import number, reason_text
from app.web.i18n import gettext as _
from app.web.i18n import localized
from indicators.benchmarks import Comparator
from indicators.findings import DifferenceClaim, Finding, TrendClaim


def method_name(method: str | None) -> str:
    """The interval's method by name (the test a difference claim rests on)."""
    return {"wilson": "Wilson", "byar": "Byar"}.get(method or "", "–")


def trend_test_name(method: str | None) -> str:
    """The trend test by name."""
    return {
        "cochran-armitage": _("Cochran-Armitage-Trendtest"),
        "poisson-score": _("Poisson-Score-Test auf Trend"),
    }.get(method or "", "–")


def benchmark_phrase(choice: str, name: str) -> str:
    """'der Region' / 'Niedersachsen' / 'Deutschland' as the object of über/unter/von."""
    if choice == "region":
        return _("der Region")
    # Germany by its name in the page's language; the Land by its own name (Niedersachsen).
    return _("Deutschland") if choice == "bund" else name


def bench_name(comp: Comparator) -> str:
    """The benchmark's name on a page: 'Region Hannover', 'Niedersachsen', 'Deutschland'/'Germany'."""
    return _("Deutschland") if comp.choice == "bund" else comp.name


def bench_heading(comp: Comparator) -> str:
    """A benchmark column's heading: 'Vergleich mit der Region' / '… mit Niedersachsen'."""
    if comp.choice == "region":
        return _("Vergleich mit der Region")
    return _("Vergleich mit %(b)s", b=benchmark_phrase(comp.choice, comp.name))


def _source(f: Finding) -> str:
    return _("Quelle: %(s)s", s=f.benchmark_source) if f.benchmark_source else ""


def difference_text(f: Finding, d: DifferenceClaim) -> str:
    """The difference claim of a finding as a clause."""
    bench = benchmark_phrase(f.benchmark_choice, f.benchmark_name)
    dec, unit = f.indicator.decimals, f.indicator.unit
    if d.method is None:
        if d.reason in ("no_region", "no_benchmark"):
            return _(
                "kein Vergleich mit %(b)s: für %(y)s liegt dort kein Wert vor",
                b=bench,
                y=f.year,
            )
        return _("kein Vergleich mit %(b)s möglich (%(r)s)", b=bench, r=reason_text(d.reason))
    args = {
        "b": bench,
        "bv": fmt_value(f.benchmark_value, dec, unit),
        "src": _source(f),
        "m": method_name(d.method),
    }
    if d.direction == "above":
        return _(
            "signifikant über %(b)s (%(bv)s, %(src)s; 95 %%-Konfidenzintervall nach %(m)s)", **args
        )
    if d.direction == "below":
        return _(
            "signifikant unter %(b)s (%(bv)s, %(src)s; 95 %%-Konfidenzintervall nach %(m)s)", **args
        )
    return _(
        "nicht signifikant verschieden von %(b)s (%(bv)s, %(src)s; 95 %%-Konfidenzintervall nach %(m)s)",
        **args,
    )


def trend_text(t: TrendClaim) -> str:
    """The trend claim as a clause; empty when no test could run (nothing is claimed)."""
    if t.direction is None or t.significant is None or t.p is None:
        return ""
    words = {
        "steigend": _("steigend"),
        "fallend": _("fallend"),
        "gleichbleibend": _("gleichbleibend"),
    }
    args = {
        "y": t.first_year,
        "d": words[t.direction],
        "test": trend_test_name(t.method),
        "p": number(t.p, 3),
    }
    if t.significant:
        return _("seit %(y)s %(d)s, signifikant (%(test)s, p = %(p)s)", **args)
    return _("seit %(y)s %(d)s, nicht signifikant (%(test)s, p = %(p)s)", **args)


def finding_sentence(f: Finding) -> str:
    """'Garbsen: Kinderarmut 18,1 % (2022), signifikant über der Region (…); seit 2018 …'."""

    head = _(
        "%(name)s: %(ind)s %(v)s (%(y)s)",
        name=f.name,
        ind=localized(f.indicator, "name"),
        v=fmt_value(f.value, f.indicator.decimals, f.indicator.unit),
        y=f.year,
    )
    if f.synthetic:  # demo mode: a sentence on Beispieldaten says so
        head += " (" + _("Beispieldaten") + ")"
    clauses = [
        c
        for c in (
            difference_text(f, f.difference) if f.difference else "",
            trend_text(f.trend) if f.trend else "",
        )
        if c
    ]
    if not clauses:
        return head + "."
    return head + ", " + "; ".join(clauses) + "."


def summary_sentences(findings: Sequence[Finding]) -> list[str]:
    """The notable findings (a significant difference or trend) as sentences, in order."""
    return [finding_sentence(f) for f in findings if f.notable]


def map_summary(findings: Sequence[Finding], comp: Comparator, reference) -> list[str]:
    """A map's text alternative: the Kommunen grouped by what the interval test found against
    the benchmark (significantly above, below, not significantly different, not assessable)."""
    if not findings:
        return [_("Für dieses Jahr hat keine Kommune einen Wert.")]
    f0 = findings[0]
    bench = benchmark_phrase(comp.choice, comp.name)
    if f0.difference is None:  # absolute counts: their differences mirror the size
        return [_("Absolute Anzahlen werden nicht mit %(b)s verglichen.", b=bench)]
    ref = f0.benchmark_value
    if ref is None:
        return [
            _(
                "Kein Vergleich mit %(b)s: für %(y)s liegt dort kein Wert vor.",
                b=bench,
                y=f0.year,
            )
        ]
    groups: dict[str, list[str]] = {
        "above": [],
        "below": [],
        "within": [],
        "mixed": [],
        "n/a": [],
    }
    for f in findings:
        d = f.difference
        key = d.direction if d is not None and d.method is not None and d.direction else "n/a"
        if d is not None and d.reason == "mixed_synthetic":
            key = "mixed"
        groups[key].append(f.name)
    out = [
        _(
            "Vergleich mit %(b)s (%(bv)s, %(src)s); Test: liegt das 95 %%-Konfidenzintervall des Werts (Wilson bzw. Byar) ganz über oder unter diesem Wert?",
            b=bench,
            bv=fmt_value(ref, f0.indicator.decimals, f0.indicator.unit),
            src=_source(f0),
        )
    ]
    labels = {
        "above": _("Signifikant über %(b)s: %(names)s."),
        "below": _("Signifikant unter %(b)s: %(names)s."),
        "within": _("Nicht signifikant verschieden von %(b)s: %(names)s."),
        "mixed": _(
            "Nicht bewertbar (Beispieldaten werden nicht mit echten Werten verglichen): %(names)s."
        ),
        "n/a": _("Nicht bewertbar (ohne Zähler und Nenner oder geheim): %(names)s."),
    }
    for key in ("above", "below", "within", "mixed", "n/a"):
        if groups[key]:
            out.append(labels[key] % {"b": bench, "names": ", ".join(groups[key])})
    return out


def draft_markdown(findings: Sequence[Finding], name: str, comp: Comparator) -> str:
    """A Fokusbericht's starting draft (Markdown): the notable findings as a list, each sentence
    with its test, and a note that the sentences are text (they do not follow new data)."""
    lines = [f"## {bench_heading(comp)}: {name}", ""]
    notable = summary_sentences(findings)
    if notable:
        lines += [f"- {s}" for s in notable]
    else:
        lines.append(
            _(
                "Keine Kennzahl unterscheidet sich signifikant vom Vergleichswert oder hat einen signifikanten Trend."
            )
        )
    lines += [
        "",
        "*"
        + _(
            "Entwurf aus den Befunden des Sozialmonitorings: jeder Satz nennt seinen Test. Die Sätze sind Text und folgen neuen Daten nicht – vor dem Veröffentlichen prüfen."
        )
        + "*",
        "",
    ]
    return "\n".join(lines)
