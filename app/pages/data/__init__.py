"""What pages share beyond one view: a page's state read from its query string (checked
against the data, every fault a 4xx with valid choices), the cached data it shows, its ETag and
template variables. Views (`app.pages.*`) parse the request, call these and render; an image
export draws from the same state as the page it exports; the API reads the same lists.

Belongs here: page state, ETags, template variables and error pages' choice links that a view,
its image or the API use; comparison groups (`groups`), series breaks' texts (`series_breaks`),
the pages' download tables (`profile_tables`). Must not be here: routes and blueprints
(`app.pages.*`), SQL (`indicators/*queries`), or imports of a view (import-linter).
"""
