"""Thin blueprints, one per page family: parse the request, call one query function, render.

Belongs here: routes, the choice links of error pages, template variables. Must not be here:
SQL, statistics, caching rules (`app.cache`), template globals (registered by `app.nav`,
`app.formatting`, `app.sentences`), or imports of other views.
"""
