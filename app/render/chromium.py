"""Debian's Chromium as every part of the project starts it: the reports' PDFs
(`app.berichte.pdf`), the browser tests (`tests/browser`), the benchmarks
(`scripts/benchlib`) and the transfer measurement (`scripts/measure_transfer.py`).

Plain constants, no Flask and no Playwright import (the callers launch it). The app's setting
`CHROMIUM_PATH` (environment) overrides the executable for the PDFs.
"""

from __future__ import annotations

EXECUTABLE = "/usr/bin/chromium"
# Without a sandbox (containers and root do not allow one); no GPU; and without these, Chromium
# phones home at start (updates, sync, QUIC probes) — this machine's network refuses that anyway.
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def launch_options(executable: str | None = None, headless: bool = True) -> dict:
    """Keyword arguments of Playwright's `chromium.launch`."""
    return {"executable_path": executable or EXECUTABLE, "headless": headless, "args": list(ARGS)}
