"""Regenerate the small GENESIS test files: valid ones (genesis/) and the malformed corpus.

Run from the project root: .venv/bin/python tests/data/make_genesis_files.py
The files copy the structure of real Regionalstatistik exports (header block, header rows,
keys, footer) with INVENTED values: they are test input, never data to show.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
GOOD, BAD = HERE / "genesis", HERE / "bad_genesis"
FOOTER = """__________
"zu ""gesamter Tabelle"":
Testdatei: Struktur wie die Regionalstatistik, alle Werte erfunden."
"© Statistische Ämter des Bundes und der Länder, Deutschland, 2017.
Dieses Werk ist lizensiert unter der Datenlizenz Deutschland
- Namensnennung - Version 2.0."
Stand: 10.10.2017 / 10:08:37
"""

# Wide, like 12411-01-01-5-B: two periods × sex; Verbände with members, twin rows, Berlin.
WIDE = (
    """GENESIS-Tabelle: 12411-01-01-5-B
Bevölkerungsstand: Bevölkerung nach Geschlecht;;;;;;;
- Stichtag 31.12. -;;;;;;;
regionale Ebenen;;;;;;;
Fortschreibung des Bevölkerungsstandes;;;;;;;
Bevölkerungsstand (Anzahl);;;;;;;
;;31.12.2015;31.12.2015;31.12.2015;31.12.2014;31.12.2014;31.12.2014
;;Insgesamt;männlich;weiblich;Insgesamt;männlich;weiblich
01053130;Wentorf (Amt Sandesneben);500;250;250;490;240;250
03151401;Boldecker Land, Samtgemeinde;1000;500;500;990;490;500
03151401002;Barwedel;1000;500;500;990;490;500
03158401;Samtgemeinde Asse;-;-;-;2900;1400;1500
03158401008;Denkte;-;-;-;2900;1400;1500
03158407;Samtgemeinde Elm-Asse;3000;1450;1550;-;-;-
03158407008;Denkte;3000;1450;1550;-;-;-
0713101;Adenau, Verbandsgem.;700;350;350;710;360;350
0713101001;Adenau, Stadt;700;350;350;710;360;350
0713100007;Bad Neuenahr-Ahrweiler, verbandsfr. Gemeinde;2000;1000;1000;1990;990;1000
03241001;Hannover, Landeshauptstadt;5000;2400;2600;4990;2390;2600
03355049;Amt Neuhaus;400;200;200;410;200;210
11000000;Berlin, Stadt;9000;4400;4600;8900;4350;4550
11001;Berlin-Mitte;.;.;.;900;440;460
16077056;Saara;-;-;-;300;150;150
09162000;München, Landeshauptstadt;x;/;...;8000;.;-
"""
    + FOOTER
)

# Long with a sex column, like 22411-02-02-4-B: Kreis keys plus one 8-digit Gemeinde row.
LONG = (
    """GENESIS-Tabelle: 22411-02-02-4-B
Statistik über die Empfänger von Pflegeleistungen,;;;;;;
Pflegebedürftige nach Leistungsart und Geschlecht, Stichtag,;;;;;;
regionale Ebenen - ab 2009 -;;;;;;
Pflegestatistik (Pflegeeinricht./Pflegebedürftige);;;;;;
;;;;Pflegebedürftige;ambulante Pflege;Pflegegeldempfänger
;;;;Anzahl;Anzahl;Anzahl
31.12.2015;03241;Region Hannover, Landkreis;männlich;100;30;50
31.12.2015;03241;Region Hannover, Landkreis;weiblich;200;60;90
31.12.2015;03241;Region Hannover, Landkreis;Insgesamt;300;90;140
31.12.2015;03241001;Hannover, Landeshauptstadt;Insgesamt;150;45;.
31.12.2013;03241;Region Hannover, Landkreis;Insgesamt;280;-;130
31.12.2013;11000;Berlin;Insgesamt;900;300;400
"""
    + FOOTER
)

# Long with decimals, like 12411-07-01-5-B: empty header cell above the total column.
DECIMAL = (
    """GENESIS-Tabelle: 12411-07-01-5-B
Durchschnittsalter der Bevölkerung;;;;;
- Stichtag 31.12. - regionale Ebenen;;;;;
Fortschreibung des Bevölkerungsstandes;;;;;
;;;Durchschnittsalter der Bevölkerung;Durchschnittsalter der Bevölkerung;Durchschnittsalter der Bevölkerung
;;;;männlich;weiblich
;;;Jahre;Jahre;Jahre
31.12.2015;03241001;Hannover, Landeshauptstadt;42,8;41,4;44,3
31.12.2015;03241002;Barsinghausen, Stadt;45,1;43,0;-
31.12.2015;03151401;Boldecker Land, Samtgemeinde;44,0;43,0;45,0
31.12.2015;03151401002;Barwedel;43,5;-0,5;.
"""
    + FOOTER
)

# Wide with the period in a title line, like 13211-01-03-5-B ("Jahr: 2016").
TITLE_PERIOD = (
    """GENESIS-Tabelle: 13211-01-03-5-B
Arbeitslose nach ausgewählten Personengruppen;;;;
- Jahresdurchschnitt -;;;;
regionale Ebenen;;;;
Arbeitsmarktstatistik der Bundesagentur für Arbeit;;;;
Jahr: 2016;;;;
;;Arbeitslose insgesamt;Arbeitslose;Arbeitslose
;;;und zwar;und zwar
;;;Ausländer;langzeitarbeitslos
;;Anzahl;Anzahl;Anzahl
03241001;Hannover, Landeshauptstadt;20000;6000;8000
03256404016;Husum;43;5;2
03256410016;Husum;-;.;-
"""
    + FOOTER
)


def sub(text: str, old: str, new: str) -> str:
    """text with old replaced once; old must occur (a changed template fails loudly)."""
    assert old in text, old
    return text.replace(old, new, 1)


BAD_FILES = {
    "changed_code_line.csv": sub(WIDE, "GENESIS-Tabelle: ", "GENESIS Tabelle "),
    "unknown_table_level.csv": sub(WIDE, "12411-01-01-5-B", "12411-01-01-7-B"),
    "no_regionale_ebenen.csv": sub(WIDE, "regionale Ebenen;", "Gemeinden;"),
    "header_row_width.csv": sub(
        WIDE,
        ";;Insgesamt;männlich;weiblich;Insgesamt;männlich;weiblich",
        ";;Insgesamt;männlich;weiblich;Insgesamt;männlich",
    ),
    "duplicate_column_path.csv": sub(
        WIDE,
        ";;Insgesamt;männlich;weiblich;Insgesamt;männlich",
        ";;Insgesamt;männlich;männlich;Insgesamt;männlich",
    ),
    "empty_column_heading.csv": sub(DECIMAL, ";;;;männlich;weiblich", ";;;;männlich;")
    .replace(";;;Jahre;Jahre;Jahre", ";;;Jahre;Jahre;")
    .replace("Bevölkerung;Durchschnittsalter der Bevölkerung\n", "Bevölkerung;\n"),
    "missing_footer.csv": WIDE[: WIDE.index("__________")],
    "unreadable_period_header.csv": sub(
        WIDE,
        ";;31.12.2015;31.12.2015;31.12.2015;31.12.2014",
        ";;31.12.2015;31.12.2015;31.13.2015;31.12.2014",
    ),
    "unreadable_period_long.csv": sub(LONG, "31.12.2013;11000", "31.12.201;11000"),
    "unreadable_period_title.csv": sub(TITLE_PERIOD, "Jahr: 2016", "Jahr: 20.16"),
    "no_period.csv": sub(TITLE_PERIOD, "Jahr: 2016;;;;\n", ""),
    "unknown_level_key.csv": sub(WIDE, "03241001;Hannover", "032410;Hannover"),
    "letters_in_key.csv": sub(LONG, "31.12.2013;11000", "31.12.2013;DG"),
    "kreis_key_in_gemeinde_table.csv": sub(
        WIDE, "03241001;Hannover, Landeshauptstadt", "03241;Region Hannover"
    ),
    "gemeinde_key_10_digits_in_kreis_table.csv": sub(
        LONG, "03241001;Hannover", "0324100001;Hannover"
    ),
    "samtgemeinde_without_members.csv": sub(
        WIDE, "03151401002;Barwedel;1000;500;500;990;490;500\n", ""
    ),
    "thousands_separator.csv": sub(WIDE, "9000;4400;4600", "9.000;4400;4600"),
    "decimal_point.csv": sub(DECIMAL, "42,8;", "42.8;"),
    "nbsp_in_number.csv": sub(WIDE, ";5000;2400;", ";5\u00a0000;2400;"),
    "bad_cell_text.csv": sub(LONG, "280;-;130", "280;k.A.;130"),
    "empty_cell.csv": sub(WIDE, "500;250;250;490", "500;;250;490"),
    "data_row_width.csv": sub(LONG, "900;300;400", "900;300"),
    "conflicting_twins.csv": sub(
        WIDE, "03158401008;Denkte;-;-;-;2900", "03158401008;Denkte;3100;-;-;2900"
    ),
    "text_row_after_header.csv": sub(
        WIDE, "11000000;Berlin", "Hinweis: Berlin siehe unten;;;;;;;\n11000000;Berlin"
    ),
}


def main() -> None:
    GOOD.mkdir(exist_ok=True)
    BAD.mkdir(exist_ok=True)
    for name, text in {
        "wide.csv": WIDE,
        "long_sex.csv": LONG,
        "long_decimal.csv": DECIMAL,
        "wide_title_period.csv": TITLE_PERIOD,
    }.items():
        (GOOD / name).write_text(text, encoding="utf-8")
    for name, text in BAD_FILES.items():
        (BAD / name).write_text(text, encoding="utf-8")
    # Neither UTF-8 nor Windows-1252: byte 0x81 in a name.
    (BAD / "undefined_byte.csv").write_bytes(WIDE.encode("utf-8").replace(b"Saara", b"Sa\x81ra"))


if __name__ == "__main__":
    main()
