"""The web workers' garbage-collector settings (alongside/deploy/heap.py)."""

from __future__ import annotations

import gc

from alongside.deploy.heap import YOUNGEST_THRESHOLD, settle_heap


def test_settling_freezes_the_loaded_objects_and_raises_the_youngest_threshold() -> None:
    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 10_000  # Django and the app, out of full passes
        assert gc.get_threshold() == (YOUNGEST_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
