"""The public pages: thin blueprints, one per page family (parse the request, call one page-data
function, render), their shared page data (`app.pages.data`) and the navigation (`app.pages.nav`).

Belongs here: routes, the choice links of error pages, template variables. Must not be here:
SQL, statistics, caching rules (`app.web.cache`), drawing (`app.render`), the API (`app.api`),
the editors' pages (`app.editors`), or imports of other views (import-linter): what several
views share (a page's state, ETag, template variables, error pages) lives in `app.pages.data`.
A family too big for one module is a package whose modules share its blueprint
(`app.pages.export`).
"""
