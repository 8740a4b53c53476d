"""GENESIS (Regionalstatistik) exports: small invented files, the malformed corpus, the 24 real files."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from geodata.report import LoadError
from indicators.genesis import (
    MAX_PROBLEMS,
    GenesisError,
    classify_key,
    is_genesis,
    parse_genesis,
)
from tests.conftest import DATA_DIR

DATA = Path(__file__).parent / "data"
GOOD, BAD = DATA / "genesis", DATA / "bad_genesis"
REAL_DIR = DATA_DIR / "regionalstatistik"
REAL = sorted(REAL_DIR.glob("*.csv")) if REAL_DIR.is_dir() else []
needs_real = pytest.mark.skipif(not REAL, reason=f"no Regionalstatistik files in {REAL_DIR}")


def cells_of(table, ags: str) -> list:
    return [c for c in table.cells if c.ags == ags]


# --- small invented files -------------------------------------------------------------------


def test_wide_keys_verbaende_twins_and_berlin():
    t = parse_genesis(GOOD / "wide.csv")
    assert (t.code, t.layout, t.level, t.stichtag) == (
        "12411-01-01-5-B",
        "wide",
        "gemeinde",
        "31.12.",
    )
    assert t.statistic == "Fortschreibung des Bevölkerungsstandes"
    assert t.measure == "Bevölkerungsstand (Anzahl)"
    assert t.periods == ["31.12.2015", "31.12.2014"] and t.years == [2014, 2015]
    assert t.labels == ["Insgesamt", "männlich", "weiblich"]
    assert [c.period for c in t.columns] == ["31.12.2015"] * 3 + ["31.12.2014"] * 3
    assert all(c.unit is None for c in t.columns)  # no unit row in this table
    skipped = {k: reason for k, _, reason in t.skipped}
    # Verbände (8-digit with members, 7-digit) and Berlin's Bezirke are skipped with a reason.
    assert set(skipped) == {"03151401", "03158401", "03158407", "0713101", "11001"}
    assert "Samtgemeinde" in skipped["03151401"] and "Verbandsgemeinde" in skipped["0713101"]
    assert "Berliner Bezirk" in skipped["11001"]
    # Member keys: first 5 + last 3 digits; a name mentioning "Amt" is no Verband.
    assert {c.key for c in cells_of(t, "03151002")} == {"03151401002"}
    assert {c.key for c in cells_of(t, "07131001")} == {"0713101001"}
    assert {c.key for c in cells_of(t, "07131007")} == {"0713100007"}
    for ags in ("01053130", "03355049", "11000000", "03241001"):
        assert len(cells_of(t, ags)) == 6 and {c.level for c in cells_of(t, ags)} == {"gemeinde"}
    # Denkte: in the Samtgemeinde Asse until 2014, Elm-Asse from 2015; '-' where it was not.
    denkte = {(c.period, c.column.label): (c.value, c.key, c.row) for c in cells_of(t, "03158008")}
    assert denkte[("31.12.2015", "Insgesamt")] == (3000.0, "03158407008", 15)
    assert denkte[("31.12.2014", "weiblich")] == (1500.0, "03158401008", 13)
    assert t.twins == {"03158008": ("03158401008", "03158407008")}
    assert len(t.cells) == 10 * 6  # 10 Gemeinden × 2 periods × 3 sexes


def test_wide_special_values_keep_their_meaning():
    t = parse_genesis(GOOD / "wide.csv")
    muc = {(c.period, c.column.label): (c.value, c.flag) for c in cells_of(t, "09162000")}
    assert muc[("31.12.2015", "Insgesamt")] == (None, "x")
    assert muc[("31.12.2015", "männlich")] == (None, "/")
    assert muc[("31.12.2015", "weiblich")] == (None, "...")
    assert muc[("31.12.2014", "männlich")] == (None, ".")  # secret, not missing
    assert muc[("31.12.2014", "weiblich")] == (0.0, "-")
    assert muc[("31.12.2014", "Insgesamt")] == (8000.0, None)
    assert t.integer_table is True
    assert "Datenlizenz Deutschland" in t.footer and '""' not in t.footer
    assert t.stand == "10.10.2017 / 10:08:37"


def test_long_with_sex_column_and_gemeinde_row_in_kreis_table():
    t = parse_genesis(GOOD / "long_sex.csv")
    assert (t.layout, t.level, t.label_columns) == ("long", "kreis", 4)
    assert t.row_labels == ["männlich", "weiblich", "Insgesamt"]
    assert t.labels == ["Pflegebedürftige", "ambulante Pflege", "Pflegegeldempfänger"]
    assert {c.unit for c in t.columns} == {"Anzahl"}
    assert t.years == [2013, 2015] and t.periods == ["31.12.2015", "31.12.2013"]
    region = {(c.period, c.sex, c.column.label): c.value for c in cells_of(t, "03241")}
    assert region[("31.12.2015", "weiblich", "Pflegebedürftige")] == 200.0
    assert region[("31.12.2013", "Insgesamt", "ambulante Pflege")] == 0.0
    assert {c.level for c in cells_of(t, "03241")} == {"kreis"}
    assert {c.level for c in cells_of(t, "03241001")} == {"gemeinde"}
    assert {c.level for c in cells_of(t, "11000")} == {"kreis"}  # Berlin is a Kreis here
    assert t.stichtag is None  # "Stichtag," without a date


def test_long_decimals_units_and_empty_heading_above_total():
    t = parse_genesis(GOOD / "long_decimal.csv")
    assert t.label_columns == 3 and t.row_labels == []
    assert t.labels == [
        "Durchschnittsalter der Bevölkerung",
        "Durchschnittsalter der Bevölkerung / männlich",
        "Durchschnittsalter der Bevölkerung / weiblich",
    ]
    assert {c.unit for c in t.columns} == {"Jahre"}
    assert t.integer_table is False
    values = {(c.ags, c.column.label): (c.value, c.flag) for c in t.cells}
    assert values[("03241001", "Durchschnittsalter der Bevölkerung")] == (42.8, None)
    assert values[("03151002", "Durchschnittsalter der Bevölkerung / männlich")] == (-0.5, None)
    assert values[("03241002", "Durchschnittsalter der Bevölkerung / weiblich")] == (0.0, "-")


def test_period_in_title_line_and_twin_number_beats_secret():
    t = parse_genesis(GOOD / "wide_title_period.csv")
    assert t.periods == ["2016"] and t.years == [2016]
    assert all(c.period == "2016" and c.year == 2016 for c in t.cells)
    assert t.statistic == "Arbeitsmarktstatistik der Bundesagentur für Arbeit"
    husum = {c.column.label: (c.value, c.key) for c in cells_of(t, "03256016")}
    # The row of the Verband it had left holds '.' or '-': the other row's numbers win.
    assert husum["Arbeitslose / und zwar / Ausländer"] == (5.0, "03256404016")
    assert husum["Arbeitslose insgesamt"] == (43.0, "03256404016")


def test_text_argument_and_sniffing():
    text_ = (GOOD / "wide.csv").read_text(encoding="utf-8")
    t = parse_genesis("hochgeladen.csv", text=text_)
    assert t.file == "hochgeladen.csv" and len(t.cells) == 60
    assert is_genesis(GOOD / "wide.csv") and is_genesis(text_)
    assert not is_genesis(DATA / "releases" / "long_utf8_comma.csv")
    assert not is_genesis("ags;indicator;year\n03241001;x;2023\n")
    assert not is_genesis(GOOD / "gibt_es_nicht.csv")


@pytest.mark.parametrize(
    ("key", "name", "level", "expected"),
    [
        ("03241001", "Hannover", "gemeinde", ("gemeinde", "03241001", None)),
        ("03151401002", "Barwedel", "gemeinde", ("gemeinde", "03151002", None)),
        ("0713100007", "Bad Neuenahr-Ahrweiler", "gemeinde", ("gemeinde", "07131007", None)),
        ("01053130", "Wentorf (Amt Sandesneben)", "gemeinde", ("gemeinde", "01053130", None)),
        ("03355049", "Amt Neuhaus", "gemeinde", ("gemeinde", "03355049", None)),
        ("03241", "Region Hannover", "kreis", ("kreis", "03241", None)),
        ("11000", "Berlin", "kreis", ("kreis", "11000", None)),
        ("03241001", "Hannover", "kreis", ("gemeinde", "03241001", None)),
    ],
)
def test_classify_key_areas(key, name, level, expected):
    assert classify_key(key, name, level, frozenset()) == expected


def test_classify_key_skips_and_unknowns():
    members = frozenset({"03151401"})
    assert (
        classify_key("03151401", "Boldecker Land, Samtgemeinde", "gemeinde", members)[0] == "skip"
    )
    # Without the file's member keys the name decides; 'Amt …' names are Gemeinden.
    assert classify_key("03151401", "Boldecker Land, Samtgemeinde", "gemeinde")[0] == "skip"
    assert classify_key("03158401", "Samtgemeinde Asse", "gemeinde")[0] == "skip"
    assert classify_key("16070028", "Amt Wachsenburg", "gemeinde")[0] == "gemeinde"
    assert classify_key("0713101", "Adenau, Verbandsgem.", "gemeinde")[0] == "skip"
    assert classify_key("11004", "Berlin-Charlottenburg", "gemeinde")[0] == "skip"
    assert classify_key("11004", "Berlin-Charlottenburg", "kreis")[0] == "skip"
    for key in (
        "032",
        "0324",
        "032410",
        "032410010",
        "032410010001",
        "DG",
        "03241O01",
        "０３２４１",
    ):
        kind, ags, why = classify_key(key, "x", "gemeinde", frozenset())
        assert kind == "unknown" and ags is None and why
    assert classify_key("03241", "Region Hannover", "gemeinde")[0] == "unknown"
    assert classify_key("0713101", "Adenau, Verbandsgem.", "kreis")[0] == "unknown"


# --- malformed files ------------------------------------------------------------------------


def corpus() -> list[tuple[str, str]]:
    """(file, expected fragment) from the table in bad_genesis/README.md."""
    out = []
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 3 and cells[0].endswith(".csv"):
            out.append((cells[0], cells[2]))
    return out


def test_corpus_is_complete():
    listed = {f for f, _ in corpus()}
    on_disk = {p.name for p in BAD.iterdir() if p.name != "README.md"}
    assert len(listed) >= 20
    assert listed == on_disk, f"not in README: {on_disk - listed}; missing: {listed - on_disk}"


@pytest.mark.parametrize(("name", "fragment"), corpus(), ids=[f for f, _ in corpus()])
def test_malformed_file_is_refused_naming_file_row_column(name, fragment):
    path = BAD / name
    with pytest.raises(GenesisError) as exc:
        parse_genesis(path)
    problems = exc.value.problems
    assert isinstance(exc.value, LoadError)  # the CLI's error path lists it like other loads
    assert all(p.file == str(path) for p in problems)
    hits = [p for p in problems if fragment in str(p)]
    assert hits, "\n".join(map(str, problems))
    assert str(hits[0].to_problem()) == str(hits[0])  # same line in the import report
    if fragment.startswith("Zeile"):
        assert hits[0].row is not None
    if ", Spalte" in fragment:
        assert isinstance(hits[0].column, int) and hits[0].column >= 1
    assert f"{path}, " in str(exc.value) or f"{path}: " in str(exc.value)


def test_every_bad_cell_is_listed_up_to_a_limit(tmp_path):
    good = (GOOD / "long_sex.csv").read_text(encoding="utf-8")
    head, foot = good.split("31.12.2015;03241;", 1)[0], good[good.index("__________") :]
    rows = "".join(f"31.12.2015;{k:05d};Kreis {k};Insgesamt;k.A.;1;2\n" for k in range(1001, 1300))
    f = tmp_path / "viele.csv"
    f.write_text(head + rows + foot, encoding="utf-8")
    with pytest.raises(GenesisError) as exc:
        parse_genesis(f)
    problems = exc.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].row == head.count("\n") + 1 and problems[0].column == 5
    assert problems[-1].message == f"… und {299 - MAX_PROBLEMS} weitere"


# --- the 24 real files ----------------------------------------------------------------------


def independent(path: Path) -> dict:
    """What a plain csv reading finds in an export, without indicators.genesis' rules."""
    raw = path.read_text(encoding="utf-8")
    lines = raw.splitlines()
    cut = lines.index("__________")
    rows = list(csv.reader(io.StringIO("\n".join(lines[:cut])), delimiter=";"))
    width = len(rows[1])
    data = [r for r in rows[1:] if r and r[0] and sum(1 for c in r if c) >= 2]
    is_long = bool(re.fullmatch(r"(\d\d\.\d\d\.)?\d{4}", data[0][0]))
    key_at = 1 if is_long else 0
    keys = {r[key_at] for r in data}
    long11 = {k[:8] for k in keys if len(k) == 11}

    def area(key: str) -> str | None:
        if len(key) == 7 or key in long11 or (len(key) == 5 and key[:2] == "11" and key != "11000"):
            return None
        return key[:5] + key[-3:] if len(key) in (10, 11) else key

    header = [r for r in rows[1:] if r and not r[0]]
    labels = min(next(i for i, c in enumerate(r) if c) for r in header)
    sums: dict[int, float] = defaultdict(float)
    flags: Counter = Counter()
    per_area: dict[str, list[int]] = defaultdict(list)
    decimal = False
    for n, r in enumerate(data):
        ags = area(r[key_at])
        if ags is None:
            continue
        per_area[(ags, r[3] if labels == 4 else None, r[0] if is_long else None)].append(n)
        for i, c in enumerate(r[labels:], start=labels):
            if re.fullmatch(r"-?\d+(,\d+)?", c):
                sums[i] += float(c.replace(",", "."))
                decimal |= "," in c
            else:
                flags[c] += 1
    years = set()
    for r in rows[1:]:
        cells = r[:1] if r and r[0] else r  # data and title lines: first field; header rows: all
        for c in cells:
            if m := re.fullmatch(r"(?:Jahr: )?(?:\d\d\.\d\d\.)?(\d{4})", c):
                years.add(int(m.group(1)))
    stand = next(m.group(1) for line in reversed(lines) if (m := re.match(r"Stand: (.*)", line)))
    return {
        "width": width,
        "data": len(data),
        "long": is_long,
        "labels": labels,
        "sums": sums,
        "flags": flags,
        "twins": {a for (a, _, _), v in per_area.items() if len(v) > 1},
        "groups": len(per_area),
        "decimal": decimal,
        "years": sorted(years),
        "stand": stand,
        "licence": "Datenlizenz Deutschland" in "\n".join(lines[cut:]),
        "skipped": {k for k in keys if area(k) is None},
    }


@needs_real
def test_all_25_real_files_are_there():
    assert len(REAL) == 25


@needs_real
@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_real_file_matches_an_independent_reading(path):
    t = parse_genesis(path)
    ref = independent(path)
    assert t.code == path.stem
    assert t.level == {"4": "kreis", "5": "gemeinde"}[path.stem.split("-")[3]]
    assert t.layout == ("long" if ref["long"] else "wide")
    assert t.label_columns == ref["labels"]
    assert len(t.columns) == ref["width"] - ref["labels"]
    assert t.data_rows == ref["data"]
    assert t.years == ref["years"]
    assert t.stand == ref["stand"] and ref["licence"] and "Datenlizenz Deutschland" in t.footer
    assert t.integer_table is not ref["decimal"]
    assert {k for k, _, _ in t.skipped} == ref["skipped"]
    # One cell per area, 4th label, period and column; twins folded into one.
    assert len({(c.ags, c.sex, c.period, c.column.index) for c in t.cells}) == len(t.cells)
    assert len(t.cells) == ref["groups"] * len(t.columns)
    assert set(t.twins) == ref["twins"]
    assert all(len(k) > 1 for k in t.twins.values())
    # Every number read: column sums equal the raw sums (a twin row holds '-', '.' or the same).
    got: dict[int, float] = defaultdict(float)
    for c in t.cells:
        assert (c.flag is None) == (c.value is not None) or c.flag == "-"
        assert c.flag != "-" or c.value == 0.0
        if c.flag is None:
            got[c.column.index] += c.value
    for i, total in ref["sums"].items():
        assert got[i] == pytest.approx(total, rel=1e-9), t.columns[i - t.label_columns].label
    # Special values: all kinds kept; without twins every one of them is a cell.
    assert set(Counter(c.flag for c in t.cells)) - {None} <= set(ref["flags"])
    if not t.twins:
        assert Counter(c.flag for c in t.cells if c.flag) == ref["flags"]


@needs_real
def test_real_denkte_twin_rows_are_combined():
    path = REAL_DIR / "12411-01-01-5-B.csv"
    t = parse_genesis(path)
    rows = {r[0]: r for r in csv.reader(path.open(encoding="utf-8"), delimiter=";") if r}
    a, b = rows["03158401008"], rows["03158407008"]
    assert t.twins["03158008"] == ("03158401008", "03158407008")
    cells = sorted(cells_of(t, "03158008"), key=lambda c: c.column.index)
    assert len(cells) == len(a) - 2
    for c in cells:
        x, y = a[c.column.index], b[c.column.index]
        assert "-" in (x, y)  # each year the Gemeinde was in exactly one of the two Verbände
        want = y if x == "-" else x
        assert c.value == (0.0 if want == "-" else float(want))
        assert c.key == (b[0] if x == "-" and y != "-" else a[0])


@needs_real
def test_real_key_rules_barwedel_wentorf_berlin():
    path = REAL_DIR / "12411-01-01-5-B.csv"
    t = parse_genesis(path)
    keys = [r[0] for r in csv.reader(path.open(encoding="utf-8"), delimiter=";") if r]
    skipped = {k: reason for k, _, reason in t.skipped}
    assert {c.key for c in cells_of(t, "03151002")} == {"03151401002"}  # Barwedel
    assert "Samtgemeinde" in skipped["03151401"]
    assert {c.level for c in cells_of(t, "01053130")} == {"gemeinde"}  # Wentorf (Amt Sandesneben)
    bezirke = {k for k in keys if len(k) == 5 and k.startswith("11")}
    assert bezirke and all("Berliner Bezirk" in skipped[k] for k in bezirke)
    assert cells_of(t, "11000000")
    assert not any(len(k) == 7 for k in {c.ags for c in t.cells})
    assert {len(c.ags) for c in t.cells} == {8}


@needs_real
def test_real_kreis_tables_keep_their_gemeinde_rows():
    for path in REAL:
        if "-4-B" not in path.stem:
            continue
        t = parse_genesis(path)
        keys = {r[1] for r in csv.reader(path.open(encoding="utf-8"), delimiter=";") if len(r) > 2}
        gemeinden = {k for k in keys if len(k) == 8 and k.isdigit()}
        assert gemeinden and {c.ags for c in t.cells if c.level == "gemeinde"} == gemeinden
        assert {len(c.ags) for c in t.cells if c.level == "kreis"} == {5}


# Honest totals (issue 25): own rows first, sums only where no row exists, 'u' never '.'.
# Two small files shaped like 13211-01-03-5-B (Gemeinden) and 13211-02-05-4-B (Kreise); every
# value invented.
TOTALS_FOOTER = (
    '__________\n"© Statistische Ämter des Bundes und der Länder, 2017."\nStand: 10.10.2017\n'
)
GEM_TABLE = (
    "GENESIS-Tabelle: 13211-01-03-5-B\n"
    "Arbeitslose nach ausgewählten Personengruppen;;\n"
    "regionale Ebenen;;\n"
    "Arbeitsmarktstatistik der Bundesagentur für Arbeit;;\n"
    "Jahr: 2016;;\n"
    ";;Arbeitslose insgesamt\n"
    ";;Anzahl\n"
    "03241001;Hannover, Landeshauptstadt;100\n"
    "03241005;Garbsen;.\n"
    "03241006;Gehrden;20\n"
    "03251001;Bassum;7\n"
    "03251002;Diepholz;x\n"
    "03159001;Adelebsen;-\n" + TOTALS_FOOTER
)
KREIS_TABLE = (
    "GENESIS-Tabelle: 13211-02-05-4-B\n"
    "Arbeitslose sowie Arbeitslosenquoten;;;;\n"
    "regionale Ebenen;;;;\n"
    "Arbeitsmarktstatistik der Bundesagentur für Arbeit;;;;\n"
    ";;;Arbeitslose;Arbeitslosenquote\n"
    ";;;Anzahl;Prozent\n"
    "2016;03241;Region Hannover, Landkreis;130;8,3\n"
    "2016;03241001;Hannover, Landeshauptstadt;100;.\n"
    "2016;03159;Göttingen, Landkreis;-;-\n"
    "2015;03241;Region Hannover, Landkreis;140;8,7\n" + TOTALS_FOOTER
)


def _totals(with_kreis_table: bool) -> dict[tuple[str, int], dict]:
    from indicators.genesis_import import (
        KreisRow,
        MappingLine,
        Term,
        build_sums,
        compute,
        use_kreis_rows,
    )

    gem = parse_genesis("gem.csv", GEM_TABLE)
    tables = {gem.code: gem}
    if with_kreis_table:
        kreis = parse_genesis("kreis.csv", KREIS_TABLE)
        tables[kreis.code] = kreis
    sums: dict = {}
    for t in tables.values():
        sums.update(build_sums(t, None))
    pair = KreisRow(
        Term(gem.code, "Arbeitslose insgesamt"), Term("13211-02-05-4-B", "Arbeitslose"), None, 2
    )
    use_kreis_rows(sums, [pair], tables)
    line = MappingLine(
        "alo_anzahl", "count", [Term(gem.code, "Arbeitslose insgesamt")], [], [], 1, 0, None, 2
    )
    return {(r["ags"], r["year"]): r for r in compute(line, sums)}


def test_sum_with_a_withheld_part_is_incomplete_and_names_it():
    rows = _totals(with_kreis_table=False)
    region = rows[("03241", 2016)]
    assert region["flag"] == "u" and region["value"] is None and not region["suppressed"]
    assert region["parts"] == "03241005 Garbsen"
    land = rows[("03", 2016)]
    assert land["flag"] == "u" and land["parts"] == "03241005 Garbsen"
    assert rows[("DG", 2016)]["flag"] == "u"
    # The Gemeinde's own '.' stays geheim: the source withholds it.
    assert rows[("03241005", 2016)]["flag"] == "." and rows[("03241005", 2016)]["suppressed"]
    # An 'x' part (not applicable) adds nothing: Diepholz' sum is complete.
    assert rows[("03251", 2016)]["value"] == 7 and rows[("03251", 2016)]["flag"] is None
    # A Kreis whose every part is a row of '-' only did not exist: no value, not 0.
    assert ("03159", 2016) not in rows
    assert rows[("03159001", 2016)]["value"] == 0  # a Gemeinde's own '-' is its zero
    assert all(r["flag"] != "." for (ags, _), r in rows.items() if len(ags) != 8)


def test_kreis_row_beats_the_sum_of_gemeinden():
    rows = _totals(with_kreis_table=True)
    region = rows[("03241", 2016)]
    assert (region["value"], region["flag"], region["parts"]) == (130, None, "")
    # Land and Bund: sums of the Kreis rows, complete; years of the Kreis table only too.
    assert rows[("03", 2016)]["value"] == 130 and rows[("DG", 2016)]["flag"] is None
    assert rows[("03241", 2015)]["value"] == 140 and rows[("03", 2015)]["value"] == 140
    # Göttingen's Kreis row of '-' only is no row: its Gemeinden's sum (all '-') is none either.
    assert ("03159", 2016) not in rows
    # The Kreis table's Gemeinde row fills only what the Gemeinde table lacks.
    assert rows[("03241001", 2016)]["value"] == 100
