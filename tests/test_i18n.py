"""The English catalogue covers every German UI string in the code and templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_every_ui_string_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--omit-header",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        in_code = _ids(read_po(fh))
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        # a plural's string is a tuple, truthy even when every form is empty
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string) and not m.fuzzy
    }
    missing = sorted(in_code - translated)
    assert not missing, f"untranslated (run pybabel extract/update and translate): {missing[:10]}"
    assert len(in_code) > 300


def test_template_gettext_keeps_jinjas_newstyle_rules(app):
    """The one-call _() escapes its variables where the template escapes, formats %% and
    translates per request (as Jinja's three-call newstyle gettext did)."""
    html = app.jinja_env.from_string(
        "{{ _('Jahr') }}|{{ _('95-%%-Intervall') }}|{{ _('Karte des Jahres %(y)s', y=v) }}"
    )
    # Flask escapes templates without a file name (select_jinja_autoescape(None) is True).
    with app.test_request_context("/?lang=en"):
        assert html.render(v="<b>") == "Year|95% interval|map of the year &lt;b&gt;"
    with app.test_request_context("/"):
        assert html.render(v="<b>") == "Jahr|95-%-Intervall|Karte des Jahres &lt;b&gt;"
