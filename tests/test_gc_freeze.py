"""The served workers freeze what start-up made (scripts/servelib/gunicorn_hooks.py, map33).

A worker's ~280,000 start-up objects (modules, functions, templates) are out of the cyclic
garbage collector's way after gunicorn's post_worker_init hook: a full collection no longer
walks them (~200 ms before, in about one of every 5–9 first profile requests). The stack passes
the hooks' module to every instance; test_serving checks the running instances' command line.
"""

from __future__ import annotations

import gc
import sys

from scripts.servelib import gunicorn_hooks
from scripts.servelib.stack import GUNICORN_CONFIG


def test_the_hook_freezes_what_exists_after_start_up():
    before = gc.get_freeze_count()
    try:
        gunicorn_hooks.post_worker_init(worker=None)
        frozen = gc.get_freeze_count()
        assert frozen > max(before, 1000)  # this process's modules, functions, classes …
        # … while objects made afterwards are collected as before (none of them frozen).
        cycle: list = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()  # the test process goes on as before


def test_gunicorn_loads_the_hook_from_the_stacks_configuration(monkeypatch):
    from gunicorn.app.wsgiapp import WSGIApplication

    monkeypatch.setattr(sys, "argv", ["gunicorn", "-c", GUNICORN_CONFIG, "app:create_app()"])
    cfg = WSGIApplication().cfg
    assert cfg.post_worker_init is gunicorn_hooks.post_worker_init
