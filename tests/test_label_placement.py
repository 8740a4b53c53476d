"""Names on the exported maps never overlap (issue #29): placement, leader lines, the SVGs."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import ImageFont

from app.render.image_export import FONT_FILES
from app.render.label_placement import HALO, Box, label_box, place_labels

SVG_NS = "{http://www.w3.org/2000/svg}"
FONT = ImageFont.truetype(str(FONT_FILES[0]), 1000)  # DejaVu Sans, the font cairosvg draws with


def ink_box(text: str, x: float, y: float, size: float) -> Box:
    """What a `text-anchor="middle"` name covers, from the font's glyph outlines, halo included."""
    scale = size / 1000
    left, top, right, bottom = FONT.getbbox(text, anchor="ls")
    start = x - FONT.getlength(text) * scale / 2
    return Box(
        start + left * scale - HALO,
        y + top * scale - HALO,
        start + right * scale + HALO,
        y + bottom * scale + HALO,
    )


def test_crowded_names_are_spread_apart_with_leader_lines():
    # Five names on one point and three close by: the worst case the Region's middle can be.
    points = [
        (f"k{i}", name, 200.0, 150.0)
        for i, name in enumerate(["Ronnenberg", "Hemmingen", "Gehrden", "Seelze", "Laatzen"])
    ]
    points += [
        ("a", "Barsinghausen", 205.0, 152.0),
        ("b", "Wennigsen (Deister)", 195.0, 149.0),
        ("c", "Pattensen", 210.0, 160.0),
    ]
    placed = place_labels(points, 400, 300)
    assert [p.key for p in placed] == [p[0] for p in points]  # in the order given
    for a, b in itertools.combinations(placed, 2):
        assert not a.box.overlaps(b.box), (a.text, b.text)
    for p in placed:
        assert 0 <= p.box.left and p.box.right <= 400 and 0 <= p.box.top and p.box.bottom <= 300
        if p.box.contains(*p.anchor):
            assert p.leader is None, p.text
        else:  # moved off its point: a leader from the point to the box's edge
            assert p.leader is not None, p.text
            ax, ay, ex, ey = p.leader
            assert (ax, ay) == p.anchor
            assert p.box.nearest(ax, ay) == pytest.approx((ex, ey))
    # Only one name can sit on the shared point; the others got leaders.
    assert sum(1 for p in placed if p.leader) >= 4


def test_a_name_alone_stays_on_its_point():
    [p] = place_labels([("x", "Uetze", 100.0, 80.0)], 300, 200)
    assert p.leader is None and p.box == label_box("Uetze", 100.0, 80.0, 11)


def test_the_estimated_box_holds_the_glyphs():
    for name in ("Burgwedel", "Isernhagen", "Neustadt a. Rbge.", "Springe", "Gehrden *", "Wülfel"):
        est = label_box(name, 50, 50, 11)
        ink = ink_box(name, 50, 50 + (0.80 - 0.24) / 2 * 11, 11)
        assert est.left <= ink.left + 0.5 and ink.right <= est.right + 0.5, name
        assert est.top <= ink.top + 0.01 and ink.bottom <= est.bottom + 0.01, name


def _labels(svg: bytes) -> tuple[list[tuple[str, Box, ET.Element]], float, float]:
    """Every placed name of a map export: key, ink box; and the map's size."""
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "map-label"]
    nested = [s for s in root.iter(f"{SVG_NS}svg") if s.get("viewBox") and s is not root]
    width, height = float(nested[0].get("width")), float(nested[0].get("height"))
    out = []
    for g in groups:
        text = g.findall(f"{SVG_NS}text")[-1]  # the dark one (the first is its halo)
        assert text.get("text-anchor") == "middle"
        box = ink_box(
            text.text, float(text.get("x")), float(text.get("y")), float(text.get("font-size"))
        )
        out.append((g.get("data-ags"), box, g))
    return out, width, height


@pytest.mark.parametrize(
    "url",
    [
        "/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020",
        "/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020&lang=en",
        "/karte.svg?indikator=armutsgefaehrdung_quote&von=2016&bis=2024",
        "/karte.svg?indikator=sgb2_quote&jahr=2015&lang=en",
        "/disparitaeten/armutsgefaehrdung_quote/cluster.svg?jahr=2024",
    ],
)
def test_no_two_names_overlap_in_the_exported_map(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.data[:300]
    labels, width, height = _labels(r.data)
    assert len(labels) == 21 and len({k for k, _b, _g in labels}) == 21
    for (ka, a, _ga), (kb, b, _gb) in itertools.combinations(labels, 2):
        assert not a.overlaps(b), (ka, kb, a, b)
    for key, box, g in labels:
        assert 0 <= box.left and box.right <= width and 0 <= box.top and box.bottom <= height, key
        lines = g.findall(f"{SVG_NS}line")
        if lines:  # a leader: from the area's point (a dot) to the name
            x1, y1, x2, y2 = (float(lines[-1].get(a)) for a in ("x1", "y1", "x2", "y2"))
            dot = g.find(f"{SVG_NS}circle")
            assert (float(dot.get("cx")), float(dot.get("cy"))) == (x1, y1)
            assert math.hypot(x2 - x1, y2 - y1) > 2, key
            assert box.left - 3 <= x2 <= box.right + 3 and box.top - 3 <= y2 <= box.bottom + 3, key
    names = re.findall(r'class="map-label" data-ags="(\d+)"', r.data.decode())
    assert sorted(names) == sorted(k for k, _b, _g in labels)


def test_the_names_that_overlapped_before_are_apart(client):
    """Ronnenberg/Hemmingen and Barsinghausen/Gehrden overlapped in the PNG (issue #29)."""
    labels, _w, _h = _labels(
        client.get("/karte.svg?indikator=armutsgefaehrdung_quote&jahr=2020").data
    )
    by_name = {g.findall(f"{SVG_NS}text")[-1].text: box for _k, box, g in labels}
    for a, b in (("Ronnenberg", "Hemmingen"), ("Barsinghausen", "Gehrden")):
        assert not by_name[a].overlaps(by_name[b]), (a, b)
