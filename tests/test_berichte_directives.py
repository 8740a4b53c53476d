"""The directive syntax of Fokusberichte: parsing and its error messages (no database)."""

from __future__ import annotations

import pytest

from app.berichte.directives import Directive, split


def only(text: str) -> Directive:
    ds = [p for p in split(text) if isinstance(p, Directive)]
    assert len(ds) == 1, ds
    return ds[0]


def test_plain_text_is_kept_and_directives_are_cut_out_with_their_place():
    text = "Vorher {{zahl indikator=bev_insgesamt gebiet=03241 jahr=2015}} nachher."
    pieces = split(text)
    assert pieces[0] == "Vorher " and pieces[-1] == " nachher."
    d = pieces[1]
    assert d.error is None and d.name == "zahl" and not d.block
    assert d.params == {"indikator": "bev_insgesamt", "gebiet": "03241", "jahr": 2015}
    assert text[d.start : d.end] == d.source


def test_every_kind_with_lists_quotes_and_choices():
    k = only('{{karte indikator=bev_dichte jahr=2015 klassen=jenks titel="Dichte 2015"}}')
    assert k.error is None and k.block and k.params["titel"] == "Dichte 2015"
    z = only("{{zeitreihe indikator=bev_insgesamt gebiete=03241,03241001 von=2010 bis=2015}}")
    assert z.params["gebiete"] == ["03241", "03241001"] and z.params["von"] == 2010
    v = only("{{vergleich indikatoren=sgb2_quote,hlu_quote gebiete=03241001,03,DG jahr=2015}}")
    assert v.params["indikatoren"] == ["sgb2_quote", "hlu_quote"]
    assert v.params["gebiete"] == ["03241001", "03", "DG"]
    r = only("{{rangfolge indikator=sgb2_quote jahr=2015 ebene=kreis land=03 anzahl=10}}")
    assert r.params == {
        "indikator": "sgb2_quote",
        "jahr": 2015,
        "ebene": "kreis",
        "land": "03",
        "anzahl": 10,
    }
    c = only("{{veraenderung indikator=x gebiet=03241 von=2010 bis=2015 art=prozent}}")
    assert c.error is None and c.params["art"] == "prozent"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{zahl indikator=bev_insgesamt gebiet=03241 jahr=2015", "nicht mit }} geschlossen"),
        ("{{zahl indikator=a {{zahl}}", "nicht mit }} geschlossen"),
        ("{{tabelle indikator=a}}", "Unbekannte Direktive 'tabelle'"),
        ("{{}}", "fehlt der Name"),
        ("{{zahl indikator=bev_insgesamt gebiet=03241}}", "braucht noch: jahr"),
        ("{{zahl indikator=bev_insgesamt gebiet=03241 jahr=zwanzig}}", "kein Jahr"),
        ("{{zahl indikator=bev_insgesamt gebiet=03241 jahr=1850}}", "kein Jahr"),
        ("{{zahl indikator=Bev-Insgesamt gebiet=03241 jahr=2015}}", "keine Indikator-Kennung"),
        ("{{zahl indikator=a gebiet=3241 jahr=2015}}", "Gebietsschlüssel"),
        ("{{zahl indikator=a gebiet=03241,03 jahr=2015}}", "ein Gebietsschlüssel"),
        ("{{zahl indikator=a gebiet=03241 jahr=2015 farbe=rot}}", "kennt den Parameter 'farbe'"),
        ("{{zahl indikator=a indikator=b gebiet=03241 jahr=2015}}", "doppelt"),
        ("{{karte indikator=a jahr=2015 klassen=bunt}}", "möglich sind quantile, jenks, gleich"),
        ('{{karte indikator=a jahr=2015 titel="offen}}', "Nicht lesbar"),
        ("{{veraenderung indikator=a gebiet=03241 von=2015 bis=2010}}", "von muss vor bis"),
        ("{{rangfolge indikator=a jahr=2015 anzahl=0}}", "1 bis 500"),
    ],
)
def test_broken_directives_get_a_clear_message(text, message):
    d = only(text)
    assert d.error is not None and message in d.error, d.error


def test_an_unclosed_directive_does_not_swallow_the_next_paragraph():
    pieces = split(
        "Text {{zahl indikator=a\n\nNeuer Absatz {{zahl indikator=a gebiet=03 jahr=2015}}"
    )
    ds = [p for p in pieces if isinstance(p, Directive)]
    assert ds[0].error and "geschlossen" in ds[0].error
    assert ds[1].error is None
    assert "Neuer Absatz " in "".join(p for p in pieces if isinstance(p, str))
