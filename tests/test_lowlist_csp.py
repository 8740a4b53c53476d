"""CSP style-src 'self': no page carries a <style> element or a style attribute."""

from __future__ import annotations

import re
from pathlib import Path

from app.web.security import at, position_css
from tests.browser.families import FAMILIES

SITE_CSS = Path(__file__).resolve().parents[1] / "app" / "static" / "css" / "site.css"


def test_no_page_needs_inline_styles(client):
    for family, url in FAMILIES.items():
        r = client.get(url)
        csp = r.headers["Content-Security-Policy"]
        style_src = re.search(r"style-src ([^;]*)", csp).group(1)
        assert style_src.strip() == "'self'", (family, csp)
        html = r.get_data(as_text=True)
        assert "<style" not in html, (family, html[html.find("<style") :][:200])
        attrs = re.findall(r"<[a-zA-Z][^>]*\sstyle=\"[^\"]*\"", html)
        assert attrs == [], (family, attrs[:3])


def test_label_classes_match_the_stylesheet():
    css = SITE_CSS.read_text()
    assert all(rule + "}" in css for rule in position_css().split("}") if rule)
    assert at(22.5, 63.61) == "lx-45 ly-127"
    assert at(-3, 140) == "lx-0 ly-200"  # clamped to the box
