"""Numbers in the office's files: read what is clear, refuse what would have to be guessed."""

from __future__ import annotations

import pytest

from indicators.tables import NumberError, parse_number


@pytest.mark.parametrize(
    ("raw", "decimal", "expected"),
    [
        ("1234", ",", 1234.0),
        ("1234,5", ",", 1234.5),
        ("1.234,5", ",", 1234.5),  # German thousands dot with a decimal part: clear
        ("-3,5", ",", -3.5),
        ("0,125", ",", 0.125),  # 0 thousand 125 is no way to write 125
        ("6,0080", ",", 6.008),
        ("12,5", ",", 12.5),
        ("1234.567", ",", 1234.567),
        (" 42 ", ",", 42.0),
        ("1.234", ".", 1.234),  # ','-file: the decimal point is the file's convention
        ("1.234", None, 1.234),  # XLSX number cell read as text
        ("12.5", ".", 12.5),
    ],
)
def test_clear_numbers_are_read(raw, decimal, expected):
    assert parse_number(raw, decimal) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "decimal"),
    [
        ("1,234", ","),
        ("-1,234", ","),
        ("999,000", ","),
        ("1,234", "."),
        ("1,234", None),
        ("1.234", ","),  # ';'-file: German thousands or a decimal point?
        ("12.345", ","),
    ],
)
def test_ambiguous_thousands_are_refused(raw, decimal):
    with pytest.raises(NumberError, match="mehrdeutige Zahl"):
        parse_number(raw, decimal)


@pytest.mark.parametrize("raw", ["12\u00a05", "1\u202f234", "1 234", "5\u00a0730,5", "12\u20095"])
def test_spaces_inside_numbers_are_refused(raw):
    with pytest.raises(NumberError, match="Leerzeichen in Zahl"):
        parse_number(raw, ",")


@pytest.mark.parametrize("raw", ["1_000", "nan", "inf", "k.A.", "", "1.234.567", "1,234,567"])
def test_non_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        parse_number(raw, ",")
