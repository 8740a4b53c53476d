"""Screenshots of every page family at phone (390×844) and desktop (1366×900) size for docs/.

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--lang de]
Serves the app (on DATABASE_URL, as scripts/setup left it) on a free loopback port, opens each page
family in Debian's Chromium and saves the first screen as PNG; with pngquant installed the files
are reduced to 256 colours (about a third of the size).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.render.chromium import launch_options  # noqa: E402
from tests.browser.families import DESKTOP, FAMILIES, PHONE  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--lang", default="de", choices=("de", "en"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options())
        for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            context = browser.new_context(viewport=viewport, locale="de-DE")
            page = context.new_page()
            for family, url in FAMILIES.items():
                if args.lang == "en":
                    url += ("&" if "?" in url else "?") + "lang=en"
                page.goto(base + url, wait_until="load")
                page.wait_for_timeout(300)  # the map fits itself after load
                path = out / f"{family}-{size}.png"
                page.screenshot(path=str(path))
                written.append(path)
            context.close()
        browser.close()
    server.shutdown()
    if shutil.which("pngquant"):
        subprocess.run(
            ["pngquant", "--force", "--skip-if-larger", "--ext", ".png", "256", *map(str, written)],
            check=False,
        )
    total = sum(p.stat().st_size for p in written)
    print(f"{len(written)} screenshots in {out}, {total / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
