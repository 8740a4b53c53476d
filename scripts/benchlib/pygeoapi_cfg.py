"""pygeoapi (OGC API Features) configured on the same PostGIS table, for the API comparison."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import make_url

from geodata import attribution
from scripts.benchlib.servers import ROOT, Server, free_port, wait_ready

BENCH_VENV = ROOT / ".bench-venv"  # separate venv: pygeoapi pins its own dependencies
CONFIG = """
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [de-DE]
  limits: {{default_items: 100, max_items: 1000}}
  map: {{url: 'http://127.0.0.1/none/{{z}}/{{x}}/{{y}}.png', attribution: none}}
logging: {{level: ERROR}}
metadata:
  identification: {{title: Bench, description: Bench, keywords: [bench], keywords_type: theme,
                   terms_of_service: none, url: http://127.0.0.1}}
  license: {{name: {licence}, url: '{licence_url}'}}
  provider: {{name: Bench, url: http://127.0.0.1}}
  contact: {{name: Bench, position: none, address: none, city: none, stateorprovince: none,
            postalcode: none, country: none, phone: none, fax: none, email: none, url: none,
            hours: none, instructions: none, role: pointOfContact}}
resources:
  areas:
    type: collection
    title: Gebiete
    description: area table of the Sozialmonitoring
    keywords: [area]
    extents: {{spatial: {{bbox: [5.8, 47.2, 15.1, 55.1], crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'}}}}
    providers:
      - type: feature
        name: PostgreSQL
        data: {{host: '{host}', port: {dbport}, dbname: {db}, user: {user}, search_path: [public]}}
        id_field: ags
        table: area
        geom_field: geom_web
        properties: [ags, name, kind, level, area_km2]
"""


def ensure_venv() -> Path:
    """Create .bench-venv with pygeoapi, psycopg2 and gunicorn (once)."""
    py = BENCH_VENV / "bin" / "python"
    if not (BENCH_VENV / "bin" / "pygeoapi").exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run(
            [
                str(py),
                "-m",
                "pip",
                "install",
                "-q",
                "pygeoapi>=0.20,<0.23",
                "psycopg2-binary>=2.9",
                "geoalchemy2>=0.15",
                "gunicorn>=22",
            ],
            check=True,
        )
    return BENCH_VENV / "bin"


def start(database_url: str, workers: int, workdir: Path) -> Server:
    """pygeoapi under gunicorn with the same worker count as the app."""
    bin_ = ensure_venv()
    url = make_url(database_url)
    host = url.query.get("host") or url.host or "127.0.0.1"
    port = free_port()
    cfg = workdir / "pygeoapi.yml"
    cfg.write_text(
        CONFIG.format(
            port=port,
            host=host,
            dbport=url.port or url.query.get("port", 5432),
            db=url.database,
            user=url.username or "postgres",
            licence=attribution.LICENCE,
            licence_url=attribution.LICENCE_URL,
        )
    )
    oapi = workdir / "pygeoapi-openapi.yml"
    env = {"PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(oapi)}
    subprocess.run(
        [str(bin_ / "pygeoapi"), "openapi", "generate", str(cfg), "--output-file", str(oapi)],
        check=True,
        env={**__import__("os").environ, **env},
        capture_output=True,
    )
    cmd = [
        str(bin_ / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--log-level",
        "warning",
        "pygeoapi.flask_app:APP",
    ]
    server = Server(cmd, port, env, cwd=workdir)
    wait_ready(server.base + "/collections/areas/items?f=json&limit=1", timeout=90)
    return server
