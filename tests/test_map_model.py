"""The map's domain model (indicators.map_model) and the one ranking rule of every page."""

from __future__ import annotations

from indicators.map_model import map_model
from indicators.queries import get_indicator
from indicators.ranking import rank_values


def test_rank_values_by_polarity_ties_and_few():
    assert rank_values([3.0, 1.0, 2.0], "higher_worse") == [3, 1, 2]
    assert rank_values([3.0, 1.0, 2.0], "higher_better") == [1, 3, 2]
    assert rank_values([3.0, 1.0, 2.0], "neutral") == [1, 3, 2]
    assert rank_values([2.0, 1.0, 2.0, None], "higher_better") == [1, 3, 1, None]
    # A rank among a few is no rank: fewer than half of the peers, or only one value.
    assert rank_values([1.0, None, None, None, None], "neutral") == [None] * 5
    assert rank_values([1.0, 2.0], "neutral", n_peers=5) == [None, None]


def test_model_ranks_colours_and_fixed_classes(app, conn):
    ind = get_indicator(conn, "armutsgefaehrdung_quote")
    m = map_model(conn, ind, 2024, None, "quantile", "sequenziell")
    assert len(m.rows) == 21 and m.synthetic and not m.fixed_classes
    ranked = m.ranked_rows()
    assert ranked[0].rank == 1
    # higher is worse: rank 1 has the lowest value, and lies in the lightest class
    assert ranked[0].value == min(r.value for r in m.rows if r.value is not None)
    assert ranked[0].class_index == 0 and ranked[0].color == m.classes[0].color
    assert sum(c.count for c in m.classes) + m.no_data_count == 21
    fixed = map_model(conn, ind, 2024, None, "quantile", "sequenziell", fixed_classes=True)
    # fixed breaks span every year's values: at least as wide as this year's
    assert fixed.fixed_classes
    assert fixed.classes[0].lower <= m.classes[0].lower
    assert fixed.classes[-1].upper >= m.classes[-1].upper
    assert fixed.classes != m.classes


def test_model_diverging_falls_back_for_counts_and_verdicts(app, conn):
    ind = get_indicator(conn, "alo_anzahl")
    m = map_model(conn, ind, 2016, None, "jenks", "divergierend")
    assert m.scheme == "sequenziell" and m.center is None
    rate = get_indicator(conn, "armutsgefaehrdung_quote")
    v = map_model(conn, rate, 2024, None, "quantile", "vergleich")
    assert v.scheme == "vergleich" and {c.verdict for c in v.verdicts} >= {"better", "worse"}
    assert all(r.verdict is not None for r in v.rows)
