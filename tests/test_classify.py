"""Class breaks, palettes and legend labels (pure functions, no database)."""

import pytest

from indicators import classify

VALUES = [3.1, 4.0, 4.2, 5.5, 6.0, 7.3, 8.8, 9.0, 10.5, 12.0, 15.2, None, 18.0]


@pytest.mark.parametrize("method", list(classify.CLASSIFICATIONS))
def test_every_value_gets_a_class_and_missing_ones_none(method):
    c = classify.classify(VALUES, method)
    assert len(c.bounds) == len(c.colors) == len(c.counts) == 5
    assert c.assignment[11] is None
    assert sum(c.counts) == 12
    for v, k in zip(VALUES, c.assignment, strict=True):
        if v is not None:
            lo, hi = c.bounds[k]
            assert lo <= v <= hi
    # Classes are ordered and touch each other.
    for (_, hi), (lo, _) in zip(c.bounds, c.bounds[1:], strict=False):
        assert hi == lo


def test_methods_give_different_breaks():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50.0]
    q = classify.classify(values, "quantile").bounds
    j = classify.classify(values, "jenks").bounds
    e = classify.classify(values, "gleich").bounds
    assert e[0][1] == pytest.approx(1 + 49 / 5)  # equal intervals of (max-min)/5
    assert j[-1] == (10.0, 50.0)  # natural breaks isolate the outlier
    assert q != j != e


def test_polarity_darker_means_worse():
    worse = classify.classify(VALUES, "quantile", polarity="higher_worse")
    better = classify.classify(VALUES, "quantile", polarity="higher_better")
    highest = VALUES.index(18.0)
    # Highest value is worst for higher_worse → darkest red; best for higher_better → lightest.
    assert worse.color_of(highest) == "#bd0026"
    assert better.color_of(highest) == "#ffffb2"
    assert better.color_of(0) == "#bd0026"
    neutral = classify.classify(VALUES, "quantile", polarity="neutral")
    assert neutral.colors == classify.SEQUENTIAL["Blues"][5]


def test_diverging_splits_at_the_region_value():
    c = classify.classify(VALUES, "quantile", "divergierend", "higher_worse", center=8.0)
    assert c.center == 8.0
    uppers = [hi for _, hi in c.bounds]
    assert 8.0 in uppers  # the Region's value is a class bound
    below = [k for v, k in zip(VALUES, c.assignment, strict=True) if v is not None and v < 8]
    above = [k for v, k in zip(VALUES, c.assignment, strict=True) if v is not None and v >= 8]
    assert max(below) < min(above)
    # higher_worse: above the Region is red, below is blue.
    assert c.color_of(VALUES.index(18.0)) == "#b2182b"
    assert c.color_of(0) == "#2166ac"


def test_few_distinct_values_and_no_data():
    c = classify.classify([5.0, 5.0, 5.0, None], "quantile")
    assert len(c.bounds) == 1 and c.counts == [3]
    assert c.assignment[3] is None
    empty = classify.classify([None, None], "jenks")
    assert empty.bounds == [] and empty.assignment == [None, None]
    assert empty.color_of(0) == classify.NO_DATA_COLOR


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        classify.classify([1.0], "kmeans")
    with pytest.raises(ValueError):
        classify.classify([1.0], "quantile", "regenbogen")


def test_legend_labels_and_no_data_class():
    c = classify.classify([1.25, 2.5, 3.75, None], "gleich", k=3)

    def fmt(v, with_unit):
        return f"{v:.1f}".replace(".", ",") + (" %" if with_unit else "")

    rows = classify.legend_entries(c, fmt, "keine Daten")
    assert [r["label"] for r in rows[:-1]] == ["1,2 – 2,1 %", "2,1 – 2,9 %", "2,9 – 3,8 %"]
    assert rows[-1] == {"color": classify.NO_DATA_COLOR, "label": "keine Daten", "count": 1}
    assert [r["count"] for r in rows[:-1]] == [1, 1, 1]


def test_defaults_per_indicator():
    assert classify.default_classification("Personen") == "jenks"
    assert classify.default_classification("%") == "quantile"
    assert classify.diverging_meaningful("%", 12.0)
    assert not classify.diverging_meaningful("Anzahl", 1000.0)
    assert not classify.diverging_meaningful("%", None)


def test_palettes_are_colorbrewer_and_distinct():
    for scheme in classify.SEQUENTIAL.values():
        for k, colors in scheme.items():
            assert len(colors) == len(set(colors)) == k
    for colors in classify.DIVERGING.values():
        assert len(set(colors)) == 6
        assert classify.NO_DATA_COLOR not in colors


def test_diverging_jenks_makes_no_sliver_class():
    # Two nearly equal lowest values would be a class "24.660 – 24.662" of their own.
    values = [24660, 24662, 25500, 26100, 26760, 27000, 27400, 27833, 28691, 30000, 32230, 33395]
    result = classify.classify(values, "jenks", "divergierend", "higher_better", 27500)
    span = max(values) - min(values)
    assert all(hi - lo >= classify.MIN_CLASS_SHARE * span for lo, hi in result.bounds)
    assert sum(result.counts) == len(values)
    assert len(result.colors) == len(result.bounds)
