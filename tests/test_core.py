"""The served-data core: one cache, one argument parser, one domain error type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.web.cache import DataCache
from indicators.errors import DomainError, NotFound
from indicators.text import _  # noqa: PLC2701 (the gettext marker, not a private name)

ROOT = Path(__file__).resolve().parents[1]


def test_a_new_data_version_empties_every_region_at_once():
    cache = DataCache({"pages": 4, "maps": 2})
    assert cache.data_version(lambda: "v1", ttl=0) == "v1"
    cache.put("pages", "a", 1, "v1")
    cache.put("maps", "m", 2, "v1")
    assert cache.data_version(lambda: "v1", ttl=0) == "v1"  # unchanged: kept
    assert cache.get("pages", "a") == 1 and cache.get("maps", "m") == 2
    cache.data_version(lambda: "v2", ttl=0)
    assert cache.items("pages") == [] and cache.items("maps") == []


def test_an_item_built_from_an_older_version_is_not_kept():
    cache = DataCache({"data": 4})
    cache.data_version(lambda: "v1", ttl=0)
    cache.data_version(lambda: "v2", ttl=0)  # a publish while the item was being built
    cache.put("data", "k", "built from v1", "v1")
    assert cache.get("data", "k") is None


def test_regions_are_bounded_least_recently_used_first():
    cache = DataCache({"maps": 2})
    cache.data_version(lambda: "v", ttl=0)
    for key in "abc":
        cache.put("maps", key, key.upper())
    assert [k for k, _v in cache.items("maps")] == ["b", "c"]


def test_the_version_is_read_again_only_after_the_ttl():
    cache = DataCache({"pages": 1})
    reads = []
    cache.data_version(lambda: reads.append(1) or "v", ttl=3600)
    cache.data_version(lambda: reads.append(1) or "w", ttl=3600)
    assert len(reads) == 1 and cache.version == "v"


def test_one_thread_builds_a_missing_item_the_others_wait(app):
    """Threads that miss the same item at once (after a publish) build it once, not each."""
    import threading
    import time

    from app.web.cache import Region

    calls, results = [], []

    def build() -> str:
        calls.append(1)
        time.sleep(0.2)  # long enough for every thread to arrive while it is built
        return "built"

    def visitor() -> None:
        with app.test_request_context("/"):
            results.append(Region("data").get_or_build(("single-flight", id(calls)), build))

    threads = [threading.Thread(target=visitor) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["built"] * 8 and len(calls) == 1
    assert app.extensions["sozmon_cache"]._building == {}  # no lock left behind


def test_a_failed_build_leaves_no_lock_and_the_next_visitor_builds(app):
    from app.web.cache import Region

    def fail() -> str:
        raise RuntimeError("database gone")

    with app.test_request_context("/"):
        with pytest.raises(RuntimeError):
            Region("data").get_or_build("failing-build", fail)
        assert Region("data").get_or_build("failing-build", lambda: "ok") == "ok"
    assert app.extensions["sozmon_cache"]._building == {}


def test_no_module_level_cache_outside_the_one_cache():
    # Memoised code and resources (compiled templates, parsed number patterns, the OpenAPI
    # document built from code, font metrics) may stay where they are made; data may not.
    allowed = {
        "app/web/cache.py",
        "app/render/maps.py",
        "app/render/formatting.py",
        "app/api/openapi.py",
        "app/render/image_export.py",
    }
    pattern = re.compile(
        r"^(\w+\s*(:[^=]*)?=\s*(OrderedDict\(|BodyCache\(|\{\}\s*#.*cache)|@(functools\.)?(lru_)?cache)",
        re.M,
    )
    offenders = [
        str(p.relative_to(ROOT))
        for package in ("app", "indicators", "geodata")
        for p in (ROOT / package).rglob("*.py")
        if str(p.relative_to(ROOT)) not in allowed and pattern.search(p.read_text("utf-8"))
    ]
    assert offenders == []


def test_domain_errors_carry_status_field_message_and_valid_values():
    err = NotFound("jahr", _("Für %(y)s gibt es keine Werte.", y=2030), [2015, 2016])
    assert err.status == 404 and err.field == "jahr" and err.valid == [2015, 2016]
    assert str(err) == "Für 2030 gibt es keine Werte."  # German outside a request (CLI, logs)
    with pytest.raises(TypeError):  # the class decides the status, never the instance
        DomainError("x", "kaputt", status=409)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/karte?indikator=sgb2_quote&release=%C2%B2", "release"),  # '²': isdigit() but no int
        ("/karte?indikator=sgb2_quote&jahr=%C2%B2%C2%B2%C2%B2%C2%B2", "jahr"),
        ("/kommune/03241001?von=%C2%B2", "von"),
        ("/kommune/03241001?release=99999999999999", "release"),
        ("/vergleich/03241001/03241002?release=-1", "release"),
        ("/zeitreihe?indikator=sgb2_quote&release=%C2%B3", "release"),
        ("/disparitaeten?von=%D9%A3%D9%A3", "von"),
        ("/karte?gebiet=03&ebene=gemeinde&indikator=bev_insgesamt&release=%C2%B2", "release"),
    ],
)
def test_every_page_parses_numbers_alike_and_names_the_parameter(client, url, parameter):
    r = client.get(url)
    assert r.status_code == 400, (url, r.status_code)
    assert f"„{parameter}“" in r.get_data(as_text=True) or "Datenstand" in r.get_data(as_text=True)


def test_a_domain_error_is_a_page_or_a_problem_document_in_the_request_language(client):
    page = client.get("/disparitaeten?mass=unbekannt&lang=en")
    assert page.status_code == 400 and "Unknown" in page.get_data(as_text=True)
    assert "mass=cv" in page.get_data(as_text=True)  # links to the measures that exist
    german = client.get("/disparitaeten/gibt_es_nicht?lang=de")
    assert german.status_code == 404 and "gibt es nicht" in german.get_data(as_text=True)


def test_a_stuck_builder_holds_others_up_only_for_the_build_wait(app, monkeypatch):
    """A visitor waits BUILD_WAIT for another thread's build, then builds for itself."""
    import threading
    import time

    from app.web import cache as cache_module
    from app.web.cache import Region

    monkeypatch.setattr(cache_module, "BUILD_WAIT", 0.2)
    release = threading.Event()

    def stuck() -> str:
        release.wait(5)  # a database that does not answer
        return "late"

    def first() -> None:
        with app.test_request_context("/"):
            Region("data").get_or_build("stuck-build", stuck)

    t = threading.Thread(target=first)
    t.start()
    time.sleep(0.05)
    started = time.monotonic()
    with app.test_request_context("/"):
        assert Region("data").get_or_build("stuck-build", lambda: "own") == "own"
    assert time.monotonic() - started < 2
    release.set()
    t.join()
