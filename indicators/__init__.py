"""Indicators of the Sozialmonitoring: catalogue, releases, values, their queries and statistics.

Belongs here: SQL on values and releases, imports, the "which value is shown" rule, statistics
(classes, intervals, trends, spread), domain errors (`indicators.errors`) with translatable
messages (`indicators.text`). Must not be here: Flask, Flask-Babel, Jinja, caching, HTTP status
pages or URLs; `app` is never imported (import-linter checks it).
"""
