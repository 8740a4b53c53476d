"""Thin blueprints, one per page family: parse the request, call one query function, render.

Belongs here: routes, the choice links of error pages, template variables. Must not be here:
SQL, statistics, caching rules (`app.cache`), template globals (registered by `app.nav`,
`app.formatting`, `app.sentences`), or imports of other views (import-linter): what several views
share (a page's state, ETag, template variables, error pages) lives in `app.pagedata`. A family
too big for one module is a package whose modules share its blueprint (`app.views.export`).
"""
