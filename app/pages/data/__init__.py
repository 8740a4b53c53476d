"""What pages share beyond one view: a page's state read from its query string (checked
against the data, every fault a 4xx with valid choices), the cached data it shows, its ETag and
template variables. Views (`app.pages`) parse the request, call these and render; an image export
draws from the same state as the page it exports.

Belongs here: page state, ETags, template variables and error pages' choice links that more than
one view (or a page and its image) use. Must not be here: routes and blueprints (`app.pages`),
SQL (`indicators/*queries`), or imports of `app.pages` (import-linter).
"""
