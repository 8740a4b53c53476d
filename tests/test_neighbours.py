"""Nearest neighbours on standardised variables against hand-computed values."""

import math

import numpy as np
import pytest

from indicators.neighbours import nearest, standardise


def test_standardise_by_hand():
    # x = 1, 2, 3: mean 2, population sd √(2/3) → z = ∓1.2247, 0; the constant column is 0.
    z = standardise({"a": [1, 5], "b": [2, 5], "c": [3, 5]})
    assert z["a"] == pytest.approx([-1.224745, 0])
    assert z["b"] == pytest.approx([0, 0])


def test_log_then_standardise():
    # log10 spacing: 1, 10, 100 become equally spaced after the log.
    z = standardise({"a": [1], "b": [10], "c": [100]}, log=[True])
    assert z["b"][0] == pytest.approx(0)
    assert z["a"][0] == pytest.approx(-z["c"][0])
    with pytest.raises(ValueError):
        standardise({"a": [0], "b": [1]}, log=[True])


def test_nearest_on_a_line_and_units_do_not_matter():
    # Two variables, the second in a unit 1000 times larger: after standardising both count alike.
    rows = {"a": [0, 0], "b": [1, 1000], "c": [3, 3000], "d": [10, 10000]}
    nn = nearest(standardise(rows), 2)
    assert [b for b, _ in nn["a"]] == ["b", "c"]
    assert [b for b, _ in nn["d"]] == ["c", "b"]
    # Distance a–b by hand: sd of (0, 1, 3, 10) = √(61/4) = √15.25 (mean 3.5); each z differs by 1/√15.25.
    assert nn["a"][0][1] == pytest.approx(math.sqrt(2) / math.sqrt(15.25))


def test_nearest_excludes_self_and_breaks_ties_by_key():
    z = {"x": np.array([0.0]), "b": np.array([1.0]), "a": np.array([-1.0])}
    assert [b for b, _ in nearest(z, 2)["x"]] == ["a", "b"]
