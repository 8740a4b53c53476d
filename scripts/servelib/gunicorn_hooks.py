"""gunicorn's configuration module for the served app instances (`-c python:…`, servelib.stack).

One hook: once a worker has built the app (`app:create_app()`: ~280,000 objects tracked by
Python's cyclic garbage collector, nearly all of them modules, functions, classes and
templates that live as long as the process), they are collected once and frozen
(`gc.freeze()`): later collections leave them out. Without it, every full collection walked
all of them — ~200 ms, in about one of every 5–9 first profile requests after a publish
(issue #32, docs/ops/map33.md). Objects made later (the data cache, requests) are collected as
before; nothing frozen is ever freed by the collector, so only what exists at start-up is
frozen, once per worker.
"""

from __future__ import annotations

import gc
from typing import Any


def freeze_start_up() -> int:
    """Collect what start-up left behind, then freeze the rest; the number of frozen objects."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def post_worker_init(worker: Any) -> None:
    """gunicorn calls this in each worker after it has loaded the app, before its first request."""
    freeze_start_up()
