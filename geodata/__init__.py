"""Areas of the Sozialmonitoring: boundaries, levels, simplification and geometric queries.

Belongs here: reading and checking geodata (geopandas/shapely), loading it into PostGIS, area
search and queries that return GeoJSON/SVG made by PostGIS; the root of the domain errors
(`geodata.errors`, the bottom layer: indicators/ builds on it); every source's attribution and
licence text (`geodata.attribution`, for the same reason). Must not be here: indicator values
(`indicators/`), anything of the web (`app/`); neither is imported (import-linter checks it).
"""
