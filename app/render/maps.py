"""Build the choropleth with folium from plain data (GeoJSON text, colours, labels); no DB."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

import branca.element
import folium
import folium.features
import jinja2
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from app.web.cache import InputMemo


class _Literal:
    """A "template" whose text has no Jinja syntax: it renders to its own text."""

    def __init__(self, text: str):
        # Jinja drops one trailing newline of a template (keep_trailing_newline is off).
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *_args, **_kwargs) -> str:
        return self.text


COMPILED_MAX = 256  # distinct template texts kept compiled per process


def _compiled_once(cls: type) -> object:
    """A drop-in for a Jinja Template class that compiles each source text only once."""
    compiled: OrderedDict[str, jinja2.Template] = OrderedDict()
    lock = threading.Lock()

    def template(source: str) -> jinja2.Template | _Literal:
        if not any(mark in source for mark in ("{{", "{%", "{#")):
            return _Literal(source)
        with lock:
            hit = compiled.get(source)
            if hit is not None:
                compiled.move_to_end(source)
                return hit
        hit = cls(source)
        with lock:
            compiled[source] = hit
            while len(compiled) > COMPILED_MAX:
                compiled.popitem(last=False)
        return hit

    template.compiled = compiled  # type: ignore[attr-defined]  # (tests: bounded, no leak)
    return template


# branca and folium compile the same few template texts again for every element they create
# (about 8 per map, ~1 ms each, the largest part of a render). A compiled Jinja template holds no
# state, so each text is compiled once per process. branca also wraps the *rendered* output of
# every element in a new Template (MacroElement.render → Element(text)): that text differs with
# each map state (the styler's cases), so it is not compiled at all but kept as it is — it has no
# Jinja syntax — and the compiled texts are bounded (they were kept without limit: one per map).
branca.element.Template = _compiled_once(jinja2.Template)
folium.features.Template = _compiled_once(folium.features.Template)

# Style of the Kommune outlines; fill is opaque so the drawn colour equals the legend's colour.
OUTLINE = {"color": "#3a3a3a", "weight": 1, "opacity": 1, "fillOpacity": 1}
NO_DATA_DASH = "4 3"
# Areas whose value is Beispieldaten (demo mode): dotted, unlike the dashed "no data" outline.
SYNTHETIC_DASH = "1 4"
# A comparison group (?gruppe=): its Kommunen outlined, the others' colours dimmed (still legible).
GROUP_OUTLINE = {"color": "#000000", "weight": 3.5}
DIMMED_OPACITY = 0.35


@dataclass(frozen=True)
class MapParts:
    """A rendered map split for a page: <head> links and styles, the map <div>, the script."""

    header: str
    html: str
    script: str


class LocalMap(folium.Map):
    """folium.Map whose assets come from the app itself, not from CDNs.

    folium's own header also sets a viewport that forbids zooming (an accessibility fault)
    and styles html/body for a full-window map; this template keeps nothing of it: the map's
    box is styled in karte.css (`.folium-map.karte-leaflet`), so no <style> element is needed
    (CSP style-src 'self', app/web/security.py).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}{% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="folium-map karte-leaflet" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }},
                 ...{{ this.options|tojavascript }}}
            );
            {%- if this.zoom_control_position %}
            L.control.zoom({position: {{ this.zoom_control|tojson }}}).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, js: list[tuple[str, str]], css: list[tuple[str, str]], **kwargs):
        super().__init__(**kwargs)
        # Instance lists: folium's add_js_link would otherwise mutate the shared class default.
        self.default_js = list(js)
        self.default_css = list(css)


class KommuneLabels(MacroElement):
    """The Kommunen's names drawn at points inside them, so the map reads without tiles."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            SozmonKarte.labels({{ this._parent.get_name() }}, {{ this.labels|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, labels: list[dict]):
        super().__init__()
        self._name = "KommuneLabels"
        self.labels = labels


def short_name(name: str) -> str:
    """A shorter map label: the official abbreviation or without the parenthesised addition."""
    # 21 names in a small map: the long ones would cover their neighbours.
    return name.replace(" am Rübenberge", " a. Rbge.").split(" (")[0]


# How an area is drawn from its properties (colour, no_data, synthetic, group), in the browser: karte.js
# SozmonKarte.style with this spec. The map's script then depends on the state only through its
# data, so it is rendered once per page kind and data version (map_skeleton) and filled per state.
STYLE_SPEC = {
    "outline": OUTLINE,
    "noDataDash": NO_DATA_DASH,
    "syntheticDash": SYNTHETIC_DASH,
    "group": GROUP_OUTLINE,
    "dimmedOpacity": DIMMED_OPACITY,
}
_STYLE_JS = JsCode(
    "function (f) { return SozmonKarte.style(f.properties, "
    + json.dumps(STYLE_SPEC, sort_keys=True)
    + "); }"
)
# Where the skeleton's script takes the state's data (a JSON string nobody's data contains).
_DATA_MARK = json.dumps("@@sozmon-map-data@@")


def _highlight(_feature: dict) -> dict:
    return {"weight": 3, "color": "#000000"}


@dataclass(frozen=True)
class MapShape:
    """One Kommune of the map: key, stored properties and its geometry as JSON text."""

    ags: str
    properties: dict
    geometry_json: str


# Results by their whole input (app.web.cache.InputMemo): the boundaries and the skeleton do not
# change with a publish of values, so a new data version finds them split and rendered.
_SHAPES = InputMemo(4)
_SKELETONS = InputMemo(16)


def map_shapes(geojson: str) -> tuple[MapShape, ...]:
    """Split the boundaries' FeatureCollection once (per boundary text), geometry kept as text."""

    def split() -> tuple[MapShape, ...]:
        return tuple(
            MapShape(f["id"], f["properties"], json.dumps(f["geometry"], separators=(",", ":")))
            for f in json.loads(geojson)["features"]
        )

    return _SHAPES.get_or_build(geojson, split)  # type: ignore[return-value]


class _Serialised(dict):
    """GeoJSON for folium's style computation (no geometry) that is written out as `text`."""

    def __init__(self, light: dict, text: str):
        super().__init__(light)
        self.text = text


def _dumps(obj: object, **kwargs) -> str:
    return obj.text if isinstance(obj, _Serialised) else json.dumps(obj, **kwargs)


# folium writes the layer's data with Jinja's tojson (json.dumps, then HTML-safe escapes).
# Parsing and re-serialising the same boundaries on every render was half of a cold map
# render (~3 ms each way); the geometry stays JSON text and only the properties are written.
folium.GeoJson._template.environment.policies["json.dumps_function"] = _dumps


def _layer_data(shapes: tuple[MapShape, ...], areas: dict[str, dict]) -> _Serialised:
    light, parts = [], []
    for s in shapes:
        props = dict(s.properties, **areas.get(s.ags, {"color": "#ffffff"}))
        light.append({"type": "Feature", "id": s.ags, "properties": props})
        parts.append(
            f'{{"type": "Feature", "id": {json.dumps(s.ags)}, "geometry": {s.geometry_json},'
            f' "properties": {json.dumps(props, sort_keys=True)}}}'
        )
    return _Serialised(
        {"type": "FeatureCollection", "features": light},
        '{"type": "FeatureCollection", "features": [' + ", ".join(parts) + "]}",
    )


def map_skeleton(
    labels: list[dict],
    bounds: list[list[float]] | None,
    js: list[tuple[str, str]],
    css: list[tuple[str, str]],
    attribution: str,
    tile_url: str = "",
    tile_attribution: str = "",
    new_window: bool = False,
) -> MapParts:
    """The folium map without its areas' data (a mark in its place): one per page kind.

    Kept by its whole input (labels, bounds, assets, attribution, tiles, window): a new data
    version with the same boundaries renders nothing. A new folium.Map per build on purpose: a
    map object that is rendered twice grows.
    """
    key = json.dumps([labels, bounds, js, css, attribution, tile_url, tile_attribution, new_window])
    return _SKELETONS.get_or_build(  # type: ignore[return-value]
        key,
        lambda: _build_skeleton(
            labels, bounds, js, css, attribution, tile_url, tile_attribution, new_window
        ),
    )


def _build_skeleton(
    labels: list[dict],
    bounds: list[list[float]] | None,
    js: list[tuple[str, str]],
    css: list[tuple[str, str]],
    attribution: str,
    tile_url: str,
    tile_attribution: str,
    new_window: bool,
) -> MapParts:
    """map_skeleton's render."""
    # One stand-in feature lets folium find the features' id for its (constant) highlighter.
    stand_in = {"type": "Feature", "id": "0", "properties": {}}
    data = _Serialised({"type": "FeatureCollection", "features": [stand_in]}, _DATA_MARK)
    south_west, north_east = bounds or [[52.1, 9.3], [52.7, 10.3]]
    center = [(south_west[0] + north_east[0]) / 2, (south_west[1] + north_east[1]) / 2]
    m = LocalMap(
        js=js,
        css=css,
        location=center,
        zoom_start=9,
        tiles=None,
        min_zoom=7,
        max_zoom=14,
        zoomSnap=0.25,
        # The page scrolls; the wheel must not zoom the map by surprise (buttons and keys do).
        scrollWheelZoom=False,
        # Leaflet's own keyboard handler makes the container a second tab stop that only pans;
        # karte.js makes the map one tab stop with arrow keys between Kommunen and +/- to zoom.
        keyboard=False,
    )
    # Fixed element ids instead of random ones: every instance renders the same bytes, so one
    # ETag stands for one body across instances and caches (one map per page).
    m._id = "sozmon"
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution or tile_url).add_to(m)
    layer = folium.GeoJson(
        data,
        name="kommunen",
        highlight_function=_highlight,
        on_each_feature=JsCode(
            f"function (f, l) {{ SozmonKarte.feature(f, l, {json.dumps(new_window)}); }}"
        ),
        attribution=attribution,
        control=False,
        style=_STYLE_JS,
    )
    layer._id = "kommunen"
    layer.add_to(m)
    KommuneLabels(labels).add_to(m)
    m.fit_bounds([south_west, north_east], padding=(8, 8))
    root = m.get_root()
    root.render()
    # The page declares its own charset; the Figure's duplicate <meta> is left out.
    root.header._children.pop("meta_http", None)
    script = root.script.render()
    if script.count(_DATA_MARK) != 1:  # a folium upgrade that writes the data differently
        raise RuntimeError("map skeleton: the data mark is not in the script exactly once")
    return MapParts(header=root.header.render(), html=root.html.render(), script=script)


def fill_map(skeleton: MapParts, shapes: tuple[MapShape, ...], areas: dict[str, dict]) -> MapParts:
    """The skeleton with the areas' data: boundaries plus colour, label, link per Kommune."""
    text = _layer_data(shapes, areas).text
    # What Jinja's tojson does to the data folium writes (HTML-safe inside <script>).
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    script = skeleton.script.replace(_DATA_MARK, text, 1)
    return MapParts(header=skeleton.header, html=skeleton.html, script=script)
