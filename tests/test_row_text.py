"""The profile's and comparison's row makers (app/render/row_text.py, app/pages/data/profile_rows.py, compare_rows.py) print what the
templates printed: the same escaping, translations, URLs and numbers (issue #32, proft35).

The pages themselves are compared byte for byte with the template version in
docs/ops/proft35.md; these pin the pieces without a database.
"""

from __future__ import annotations

import itertools

import pytest
from markupsafe import Markup, escape

from app import create_app
from app.render import formatting
from app.render.formatting import Numbers
from app.render.row_text import SLOT, esc, template_text, url_maker
from app.web.i18n import gettext
from app.web.urls import url_for


@pytest.fixture(scope="module")
def app():
    return create_app({"SECRET_KEY": "rows", "TESTING": True})


@pytest.mark.parametrize("lang", ["de", "en"])
def test_numbers_are_the_formatters_bound_to_one_language(app, lang):
    values = [None, 0, 0.04, -0.04, 0.5, 12.345, -1234.5678, 98765.4321]
    units = ["", "%", "Personen", "Anzahl", "je 10.000", "je km²", "Jahre", "€"]
    with app.test_request_context(f"/?lang={lang}"):
        n = Numbers()
        for v, d, u in itertools.product(values, [0, 1, 2], units):
            assert n.value(v, d, u) == formatting.fmt_value(v, d, u)
            assert n.signed(v, d, u) == formatting.fmt_signed(v, d, u)
            assert n.signed(v, d, u, points=False) == formatting.fmt_signed(v, d, u, points=False)
            for hidden in (False, True):
                assert n.or_withheld(v, hidden, d, u) == formatting.fmt_or_withheld(v, hidden, d, u)
                for flag in (None, "x", "/", "...", "u", "?"):
                    assert n.cell(v, hidden, flag, d, u) == formatting.fmt_cell(
                        v, hidden, flag, d, u
                    )
        for u in units:
            assert n.unit(u) == formatting.unit_label(u)


def test_esc_is_markupsafe_escape_as_text():
    for v in ["a<b>&'\"c", "Ärzte je 10.000", "", 2023, None, 1.5, Markup("<b>x</b>")]:
        assert esc(v) == str(escape(v))
        assert type(esc(v)) is str


def test_template_text_is_the_templates_gettext(app):
    """`_()` in a template: the translation as markup, its variables escaped, %% is %."""
    source = (
        '{% autoescape true %}{{ _("%(rank)s von %(of)s", rank=r, of=o) }}|'
        '{{ _("Rangfolge öffnen") }}{% endautoescape %}'
    )
    for lang in ("de", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            shown = app.jinja_env.from_string(source).render(r="<3>", o=21)
            made = (
                template_text(gettext("%(rank)s von %(of)s"), rank="<3>", of=21)
                + "|"
                + template_text(gettext("Rangfolge öffnen"))
            )
            assert made == shown
            assert "&lt;3&gt;" in made


def test_url_maker_builds_what_url_for_builds(app):
    with app.test_request_context("/"):
        ranking = url_maker("rangfolge.index", indikator=SLOT, jahr=SLOT)
        series = url_maker("zeitreihe.zeitreihe", indikator=SLOT, kommunen="03241001", release=4)
        for ind, year in [("bev_insgesamt", 2023), ("a.b-c~d", 1999)]:
            assert ranking(indikator=ind, jahr=year) == url_for(
                "rangfolge.index", indikator=ind, jahr=year
            )
            assert series(indikator=ind) == url_for(
                "zeitreihe.zeitreihe", indikator=ind, kommunen="03241001", release=4
            )
        # What quoting would change, and None (left out), go through url_for itself.
        for ind in ("ä ö/&x", None):
            assert ranking(indikator=ind, jahr=2020) == url_for(
                "rangfolge.index", indikator=ind, jahr=2020
            )
        assert "%" in ranking(indikator="ä ö", jahr=2020)
        assert "indikator" not in ranking(indikator=None, jahr=2020)


def test_language_is_bound_per_app_context_not_carried_over(app):
    """The request's language and translations are kept in a context variable (prof36py),
    emptied on every app context's push and pop: consecutive requests in one thread, an inner
    app context and in_language each see their own language."""
    from app.web.i18n import current_lang, in_language

    for lang, word in [("en", "withheld"), ("de", "geheim"), ("en", "withheld")]:
        with app.test_request_context(f"/?lang={lang}"):
            assert (current_lang(), gettext("geheim")) == (lang, word)
            with in_language("de" if lang == "en" else "en"):
                assert current_lang() != lang
                assert gettext("geheim") != word
            assert (current_lang(), gettext("geheim")) == (lang, word)  # restored
            other = create_app({"SECRET_KEY": "other", "TESTING": True})
            with other.test_request_context("/?lang=de" if lang == "en" else "/?lang=en"):
                assert current_lang() != lang
            assert (current_lang(), gettext("geheim")) == (lang, word)  # the outer again


@pytest.mark.parametrize("lang", ["de", "en"])
def test_benchmark_sentence_with_the_pages_numbers_is_the_same(app, lang):
    from types import SimpleNamespace

    from app.render.sentences import benchmark_sentence_for

    ind = SimpleNamespace(decimals=1, unit="%")  # all a sentence reads of its indicator
    benches = [
        None,
        {"verdict": "not_assessable", "reason": "missing"},
        {"verdict": "same", "direction": "within"},
        {"verdict": "better", "direction": "above"},
        {"verdict": "worse", "direction": "below"},
    ]
    with app.test_request_context(f"/?lang={lang}"):
        n = Numbers()
        for bench, (v, rv) in itertools.product(benches, [(12.34, 10.0), (None, 3.0), (0.0, None)]):
            assert benchmark_sentence_for("A&B", ind, v, rv, bench, n) == benchmark_sentence_for(
                "A&B", ind, v, rv, bench
            )
