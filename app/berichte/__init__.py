"""Fokusberichte: reports written in Markdown with directives for live numbers, maps and charts.

Belongs here: the report store, directive parsing, rendering to HTML and PDF, the Atom feed.
Must not be here: the numbers themselves (read through `indicators/` like every page).
"""
