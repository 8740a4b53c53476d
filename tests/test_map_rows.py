"""The map table's rows written in Python (app/render/map_rows.py, map35) give the markup the
template's loop gave: the old loop body rendered here beside them, row by row."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template_string

from app.render.map_rows import row_end, row_start

# templates/maps/_table.html's loop before map35 (the group cell inlined from its include,
# with the newline its comment line left), without the notes (they stay in the template).
OLD_ROW = """{% from "_herkunft.html" import row_mark %}{% for r in rows %}
    <tr{% if r.group %} class="in-gruppe"{% endif %}>
      <td class="num" data-sort="{{ r.rank if r.rank is not none else '' }}">{{ r.rank if r.rank is not none else '–' }}</td>
      <td data-sort="{{ r.name }}">{% if r.href %}<a href="{{ r.href }}">{{ r.name }}</a>{% else %}{{ r.name }}{% endif %}</td>
      <td class="num" data-sort="{{ r.value if r.value is not none else '' }}"><span class="swatch" data-color="{{ r.color }}" aria-hidden="true">{{ fill(r.color) }}</span> {{ r.label }}{{ row_mark(r.synthetic, mixed) }}{% if r.sentence %}<span class="bench-sentence">{{ r.sentence }}</span>{% endif %}</td>
      {% if has_intervals %}<td class="num">{{ r.interval or _("nicht bewertbar") }}</td>{% endif %}
      {% if group %}
<td class="num" data-sort="{{ r.group_rank if r.group_rank is not none else '' }}">{% if r.group %}{% if r.group_rank is not none %}{{ _("%(rank)s von %(of)s", rank=r.group_rank, of=group.members|length) }}{% else %}–{% endif %}<span class="visually-hidden"> ({{ _("Vergleichsgruppe") }})</span>{% else %}–{% endif %}</td>{% endif %}
    </tr>
    {% endfor %}"""

NEW_ROW = (
    """{% for r in rows %}{{ start(r, mixed) }}{{ end(r, has_intervals, group) }}{% endfor %}"""
)


def _row(**kw):
    row = dict(
        rank=1,
        name='Hannover <&> "Stadt"',
        href="/kommune/03241001?a=1&b=2",
        value=10.419739816559964,
        color="#08519c",
        label="10,4 ‰ – über dem Wert der Region",
        synthetic=None,
        group=None,
        group_rank=None,
        interval="10,1 – 10,7 ‰",
        notes=[],
    )
    return dict(row, **kw)


ROWS = [
    _row(),
    _row(rank=None, href=None, value=None, interval=None, label="keine Daten"),
    _row(synthetic=True, sentence="Höher als <Region>.", group=True, group_rank=2),
    _row(synthetic=False, group=False, group_rank=None),
    _row(group=True, group_rank=None, name="Wedemark"),
]
GROUP = SimpleNamespace(members=frozenset({"a", "b", "c"}))


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("mixed", [False, True])
@pytest.mark.parametrize("has_intervals", [False, True])
@pytest.mark.parametrize("group", [None, GROUP])
def test_the_rows_are_the_templates_markup(app, lang, mixed, has_intervals, group):
    with app.test_request_context(f"/?lang={lang}"):
        args = dict(rows=ROWS, mixed=mixed, has_intervals=has_intervals, group=group)
        old = render_template_string(OLD_ROW, **args)
        new = render_template_string(NEW_ROW, start=row_start, end=row_end, **args)
    assert new == old
    assert "&lt;&amp;&gt;" in new  # the name escaped
    assert new.count("<tr") == len(ROWS) and "bench-sentence" in new
