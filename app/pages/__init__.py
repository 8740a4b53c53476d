"""Thin blueprints, one per page family: parse the request, call one query function, render.

Belongs here: routes, the choice links of error pages, template variables. Must not be here:
SQL, statistics, caching rules (`app.web.cache`), template globals (registered by `app.pages.nav`,
`app.render.formatting`, `app.render.sentences`), or imports of other views (import-linter): what several views
share (a page's state, ETag, template variables, error pages) lives in `app.pages.data`. A family
too big for one module is a package whose modules share its blueprint (`app.pages.export`).
"""
