"""The app's one in-process cache: on `app.extensions`, emptied whenever the data version changes.

Everything the app keeps in memory between requests (cached pages, rendered maps, query
results, API bodies) lives here, in named regions with their own size limits. The data
version (a fingerprint of releases, catalogue and areas, see `indicators.api_queries`) is read at
most every `DATA_VERSION_TTL` seconds; when it changes, every region is emptied at once, so a
publish, a rollback or a new catalogue never meets a stale copy and there is one invalidation rule.

Not here, because they are code rather than data and can never go stale: folium's compiled Jinja
templates (`app.render.maps`) and babel's parsed number patterns (`app.render.formatting`), and
the results of pure functions kept by their whole input (`InputMemo`: the map's folium
skeleton, its split boundaries, the indicator picker's options, the similar Kommunen computed
from their values' rows): a new data version with the same boundaries, catalogue and values
finds them built, a changed input is another key.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context

EXTENSION = "sozmon_cache"
BUILD_WAIT = 10.0  # seconds a thread waits for another's build of the same item, then builds
# Items per region: rendered pages and maps are tens of KB, the Germany-wide bodies a few MB.
SIZES = {
    "pages": 512,  # whole public pages (app.web.http_cache.page_cache)
    "maps": 256,  # rendered folium maps
    "data": 512,  # query results of the map pages
    "home": 2,  # every indicator's layered values of the home region (indicators.map_queries)
    "breaks": 2,  # every indicator's series breaks (indicators.breaks)
    "notes": 2,  # every public Kontextnotiz, indexed (app.pages.data.notes)
    "domain": 256,  # disparities, spatial weights, LISA
    "shapes": 16,  # outlines of many areas, compressed
    "gebiet": 512,  # indicators and years with values per territory and level
    "areas": 32,  # keys, names and order of a territory's areas
    "berichte": 64,  # rendered Fokusberichte
    "api_state": 4,  # the API's releases per data version
    "mapdata": 128,  # /api/v1/mapdata bodies
    "geojson": 8,  # /api/v1/areas bodies
    "xlsx": 6,  # whole releases as XLSX
    # per data version: topics, indicators, sources, breaks (indicators.queries.memoised)
    "catalogue": 64,
}


class _Lru:
    """One region: a least-recently-used mapping with a size limit (callers hold the lock)."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()

    def get(self, key: object) -> object | None:
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        return None

    def put(self, key: object, item: object) -> None:
        self.items[key] = item
        while len(self.items) > self.size:
            self.items.popitem(last=False)


class DataCache:
    """The cache of one app; regions are emptied together when the data version changes."""

    def __init__(self, sizes: dict[str, int] | None = None):
        self._regions = {name: _Lru(n) for name, n in (sizes or SIZES).items()}
        self._lock = threading.Lock()
        self._building: dict[tuple, threading.Lock] = {}  # (region, key) → lock while built
        self.version: str | None = None
        self._seen_at = 0.0

    def init_app(self, app: Flask) -> None:
        """Attach to the app (one cache per app: tests run many apps in one process)."""
        app.extensions[EXTENSION] = self

    def data_version(self, read: Callable[[], str], ttl: float) -> str:
        """The data version, read again only when older than ttl seconds; a new one empties all."""
        now = time.monotonic()
        with self._lock:
            if self.version is not None and now - self._seen_at < ttl:
                return self.version
        version = read()
        with self._lock:
            if version != self.version:
                for region in self._regions.values():
                    region.items.clear()
                self.version = version
            self._seen_at = now
        return version

    def get(self, region: str, key: object) -> object | None:
        """The item kept under key in region, or None."""
        with self._lock:
            return self._regions[region].get(key)

    def put(self, region: str, key: object, item: object, version: str | None = None) -> None:
        """Keep an item; one built from an older data version (given) is not kept."""
        with self._lock:
            if version is None or version == self.version:
                self._regions[region].put(key, item)

    def building(self, region: str, key: object) -> threading.Lock:
        """The lock that one builder of (region, key) holds; the request's other threads wait.

        After a publish, every thread of a busy worker misses the same items at once (topics,
        geometry, the home values: up to a second with all of Germany loaded); without this
        they all build them together, each slower for sharing the cores.
        """
        with self._lock:
            return self._building.setdefault((region, key), threading.Lock())

    def built(self, region: str, key: object) -> None:
        """Forget the lock of (region, key) once its item is kept (or building failed)."""
        with self._lock:
            self._building.pop((region, key), None)

    def clear(self) -> None:
        """Forget everything (the data version is read again on the next request)."""
        with self._lock:
            for region in self._regions.values():
                region.items.clear()
            self.version = None

    def clear_region(self, region: str) -> None:
        """Forget one region (benchmarks measure cold renders with the query results kept)."""
        with self._lock:
            self._regions[region].items.clear()

    def items(self, region: str) -> list[tuple[object, object]]:
        """The (key, item) pairs of a region, oldest first (for tests and benchmarks)."""
        with self._lock:
            return list(self._regions[region].items.items())


def current_cache() -> DataCache:
    """The cache of the app handling this request."""
    return current_app.extensions[EXTENSION]


class Region:
    """A name for one region of the current app's cache; it holds nothing itself."""

    def __init__(self, name: str):
        if name not in SIZES:
            raise KeyError(f"unknown cache region {name!r}; known: {sorted(SIZES)}")
        self.name = name

    def get(self, key: object) -> object | None:
        """The item under key, or None."""
        return current_cache().get(self.name, key)

    def put(self, key: object, item: object) -> None:
        """Keep an item under key (until the data version changes or it is the oldest)."""
        current_cache().put(self.name, key, item)

    def get_or_build(self, key: object, build: Callable[[], object]) -> object:
        """The item under key, or build it once and keep it if the data did not change meanwhile."""
        version = data_version_now()
        cache = current_cache()
        hit = cache.get(self.name, key)
        if hit is not None:
            return hit
        lock = cache.building(self.name, key)
        # One thread builds; the others wait, then take what it kept. Not longer than
        # BUILD_WAIT: a builder stuck on an unanswering database must not queue every visitor.
        waited = lock.acquire(timeout=BUILD_WAIT)
        try:
            hit = cache.get(self.name, key)
            if hit is None:
                try:
                    hit = build()
                    cache.put(self.name, key, hit, version)
                finally:
                    cache.built(self.name, key)
        finally:
            if waited:
                lock.release()
        return hit


class InputMemo:
    """A bounded memo of a pure function's results, keyed by its whole input (not by the data
    version: an unchanged input, e.g. the same boundaries after a publish of values, gives the
    same result, so nothing kept here can be stale). Per process, thread-safe; a result is
    built outside the lock (two threads may build the same one once each)."""

    def __init__(self, size: int):
        self._lru = _Lru(size)
        self._lock = threading.Lock()

    def get_or_build(self, key: object, build: Callable[[], object]) -> object:
        with self._lock:
            hit = self._lru.get(key)
        if hit is not None:
            return hit
        made = build()
        with self._lock:
            self._lru.put(key, made)
        return made

    def __len__(self) -> int:
        with self._lock:
            return len(self._lru.items)


_CATALOGUE = Region("catalogue")


class VersionMemo:
    """The memo of the request connection (indicators.queries.Memo): reads that are the same
    for every visitor of a data version (catalogue, sources, series breaks), kept in the region
    "catalogue" under the current data version, so a publish, rollback, withdrawal or catalogue
    change (each bumps data_epoch) empties it with everything else. One app has one demo mode,
    and each app its own cache: demo and real reads never meet."""

    def get_or_build(self, key: str, build: Callable[[], object]) -> object:
        return _CATALOGUE.get_or_build((key, data_version_now()), build)

    def peek(self, key: str) -> object | None:
        return _CATALOGUE.get((key, data_version_now()))


def data_version_now() -> str:
    """The data version, re-read from the database at most every DATA_VERSION_TTL seconds.

    A cached page then costs no database round trip at all; a publish or rollback shows up on
    cached pages within that many seconds (default 2 s).
    """
    # Once per request (a first map asks ~70 times, ~10 µs each through Flask's proxies): the
    # request's first answer is its version. Not with a time to live of 0 (tests): there every
    # call reads the database, as it always did.
    try:  # one lookup through Flask's proxy, not two (`in g`, then `g.…`): ~120 calls a map
        return g.sozmon_version
    except AttributeError:
        pass
    from app.web.db import get_conn
    from app.web.front import from_front
    from indicators.api_queries import data_version

    def read() -> str:
        return data_version(get_conn())

    if not from_front():
        ttl = float(current_app.config.get("DATA_VERSION_TTL", 2.0))
        version = current_cache().data_version(read, ttl)
        if ttl > 0 and has_request_context():
            g.sozmon_version = version
        return version
    # nginx asks only when its copy is due: it gets the current version (see app/web/front.py),
    # read once per request — a render asks ~15 times, each a database round trip otherwise.
    if "sozmon_front_version" not in g:
        g.sozmon_front_version = current_cache().data_version(read, 0.0)
    return g.sozmon_front_version


VERSION_MEMO = VersionMemo()
