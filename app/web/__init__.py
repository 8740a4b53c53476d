"""Web infrastructure every page and the API stand on: settings, database, the one cache, HTTP.

Belongs here: configuration (`config`), engine and connection (`db`), the in-process cache
(`cache`), HTTP caching and the front server's headers (`http_cache`, `precompressed`, `front`),
security headers (`security`), static assets (`assets`), URLs (`urls`), languages (`i18n`),
query-parameter parsing (`args`), error pages and problem documents (`errors`, `problems`), the
table writer (`downloads`), the home region's name (`home`), the sources' attribution for templates
(`attribution`; the texts live in `geodata.attribution`). Must not be here: pages, the API,
drawing (`app.render`), SQL and statistics (`indicators/`, `geodata/`).
"""
