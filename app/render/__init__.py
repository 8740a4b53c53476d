"""What readers see drawn or written: numbers, maps, charts, images and generated sentences.

Belongs here: number formatting (`formatting`), the folium map (`maps`) and its indicator picker
(`map_picker`), server-rendered SVG charts (`charts`, `rank_charts`, `scatter_chart`), standalone
SVG/PNG images (`image_export`), plain-language sentences (`sentences`), demo mode's provenance
marks (`provenance_marks`). Must not be here: routes, page state or request parsing (`app.pages`),
SQL (`indicators/`, `geodata/`).
"""
