"""Image export: maps (/karte.svg|png: one year, a change von/bis, a territory; /karte/jahre.svg|png:
the small multiples), the time series (/zeitreihe.svg|png) and the disparities' maps and chart
(/disparitaeten/<indicator>/vergleich.svg|png, …/streuung.svg|png, …/cluster.svg|png) and the
profile's spine charts (/kommune/<ags>/einordnung.svg|png).

Same query string as the page, same validation (a bad indicator or year gets the page's 4xx),
same colours and classes: the map's state and rows come from the map page's own code path
(`state_from_request` + `page_context`/`change_context`/`multiples_context` in `app.pages.data`),
the charts' lines from `time_series` + `style_lines` and `disparities.spread_lines`.

One blueprint (endpoints export.*, defined in `blueprint`), its routes in a module per kind of
image; what they share is in `app.pages.data.image_parts`.
"""

from app.pages.export import (  # noqa: F401  (each registers its routes on bp)
    chart_images,  # /zeitreihe.svg|png
    disparity_images,  # /disparitaeten/<indicator>/vergleich|streuung|cluster.svg|png
    map_images,  # /karte.svg|png, /karte/jahre.svg|png
    profile_images,  # /kommune/<ags>/einordnung.svg|png
)
from app.pages.export.blueprint import bp

__all__ = ["bp"]
