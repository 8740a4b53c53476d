"""Ranking chart and profile spine charts in Chromium: axe-clean, no overflow, numbers agree."""

from __future__ import annotations

import pytest

from indicators.classify import VERDICT_COLOURS
from tests.browser.conftest import axe_violations, describe
from tests.browser.families import DESKTOP, LEHRTE, OVERFLOW_JS, PHONE

RANKING = "/rangfolge?indikator=armutsgefaehrdung_quote&jahr=2024"


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(90_000)


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(
    "path", [RANKING, "/embed" + RANKING, "/rangfolge?indikator=bev_durchschnittsalter&jahr=2015"]
)
def test_ranking_fits_and_is_axe_clean(page, live_server, path, size):
    page.set_viewport_size(size)
    page.goto(live_server + path)
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.request_log.foreign() == []
    # Exactly one drawing is visible, and it fills its box.
    shown = page.locator("svg.rank-chart:visible")
    assert shown.count() == 1
    layout = shown.get_attribute("data-layout")
    assert layout == ("narrow" if size == PHONE else "wide")


def test_ranking_chart_text_is_readable_on_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server + RANKING)
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll('svg.rank-chart text'))
          .filter(t => t.getClientRects().length)
          .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
    )
    assert sizes and min(sizes) >= 11, min(sizes)


def test_ranking_bars_follow_values_and_region_line_sits_at_its_value(page, live_server):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server + RANKING)
    got = page.evaluate(
        """() => {
      const svg = document.querySelector('svg.rank-chart[data-layout=wide]');
      const rows = Array.from(svg.querySelectorAll('g.rank-row')).map(g => {
        const bar = g.querySelector('rect.bar').getBoundingClientRect();
        return {value: parseFloat(g.dataset.value), right: bar.right, left: bar.left,
                fill: getComputedStyle(g.querySelector('rect.bar')).fill, verdict: g.dataset.verdict};
      });
      const line = svg.querySelector('g.region-line');
      return {rows, region: parseFloat(line.dataset.value),
              x: line.querySelector('path').getBoundingClientRect().left};
    }"""
    )
    rows = got["rows"]
    assert len(rows) == 21
    # Best first: the SGB II quota is "higher is worse", so the values rise down the chart.
    assert [r["value"] for r in rows] == sorted(r["value"] for r in rows)
    by_value = sorted(rows, key=lambda r: r["value"])
    assert [r["right"] for r in by_value] == sorted(r["right"] for r in rows)
    for r in rows:
        assert r["fill"] == _rgb(VERDICT_COLOURS[r["verdict"]])
    # The Region's line lies between the bar ends of the values around it.
    below = max((r["right"] for r in rows if r["value"] <= got["region"]), default=None)
    above = min((r["right"] for r in rows if r["value"] >= got["region"]), default=None)
    assert (below is None or below <= got["x"] + 2) and (above is None or got["x"] <= above + 2)


def test_spine_markers_match_the_profile_numbers(page, live_server):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server + f"/kommune/{LEHRTE}")
    rows = page.evaluate(
        """() => Array.from(document.querySelectorAll('tr[data-indicator]')).map(tr => {
      const svg = tr.querySelector('svg.spine');
      if (!svg) return null;
      const c = svg.querySelector('circle.spine-marker'), reg = svg.querySelector('path.spine-region');
      const range = svg.querySelector('rect.spine-range').getBoundingClientRect();
      const m = c.getBoundingClientRect(), r = reg.getBoundingClientRect();
      return {id: tr.dataset.indicator, verdict: tr.querySelector('td.benchmark').dataset.verdict,
              svgVerdict: svg.dataset.verdict, flipped: svg.dataset.flipped === 'true',
              fill: getComputedStyle(c).fill, mx: m.left + m.width / 2, rx: r.left + r.width / 2,
              lo: range.left, hi: range.right,
              label: svg.getAttribute('aria-label')};
    }).filter(Boolean)"""
    )
    assert len(rows) > 40
    api = page.request.get(live_server + f"/api/v1/values?ags={LEHRTE},03241").json()["data"]
    for r in rows:
        assert r["verdict"] == r["svgVerdict"]
        assert r["fill"] == _rgb(VERDICT_COLOURS[r["verdict"]])
        assert r["lo"] - 1 <= r["mx"] <= r["hi"] + 1
        assert r["label"].startswith("Einordnung unter den 21 Kommunen")
        # Better always to the right: a "better" marker lies right of the Region, "worse" left.
        if r["verdict"] == "better":
            assert r["mx"] > r["rx"], r
        if r["verdict"] == "worse":
            assert r["mx"] < r["rx"], r
    assert api  # the values the profile shows come from the same API data


def test_spine_keeps_the_phone_cards_inside_the_screen(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server + f"/kommune/{LEHRTE}")
    fit = page.evaluate(OVERFLOW_JS)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    widths = page.evaluate(
        "() => Array.from(document.querySelectorAll('svg.spine')).map(s => s.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= PHONE["width"]
