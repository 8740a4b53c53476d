"""Demo mode's per-value provenance marks: every shown value says "amtlich" or "Beispieldaten".

Outside demo mode no synthetic value can be shown (view shown_value), so nothing is marked and
pages stay as they were; in demo mode every value, table row, chart point and download row
carries its kind, in words (not colour only), instead of one banner for the whole page.
"""

from __future__ import annotations

from flask import Flask, current_app, has_app_context

from app.web.i18n import gettext as _


def demo() -> bool:
    """Whether the app runs in demo mode (synthetic Beispieldaten may be shown)."""
    return has_app_context() and bool(current_app.config.get("DEMO"))


def mark_text(synthetic: bool | None) -> str:
    """The word for a value's kind in demo mode ("" outside it or where no value is shown)."""
    if synthetic is None or not demo():
        return ""
    return _("Beispieldaten") if synthetic else _("amtlich")


def line_kind(synthetic: bool | None) -> dict:
    """A chart line's kind for charts.line_chart (demo mode only: its points say it, and
    Beispieldaten are drawn hollow); {} elsewhere, so the chart stays as it was."""
    kind = mark_text(synthetic)
    return {"synthetic": bool(synthetic), "mark": kind} if kind else {}


def init_app(app: Flask) -> None:
    """`demo`, `demo_mode()` and `mark_text()` for every template (macros see only globals)."""
    app.jinja_env.globals.update(mark_text=mark_text, demo_mode=demo)

    @app.context_processor
    def inject_demo() -> dict:
        return {"demo": demo()}
