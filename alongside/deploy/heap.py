"""The garbage collector, set for a long-running web process.

Python's full collection walks every tracked object, and a Django process carries some
200,000 of them from its start (modules, URL patterns, compiled templates). Measured on
the draft review at 5,000 participants, such a collection landing in a request added
100–550 ms to it (benchmarks/README.md). Once the application has loaded, those objects
live as long as the process, so they are moved out of the collector's sight
(``gc.freeze``), and the youngest generation is collected after 20,000 allocations
instead of 700: a page that builds a few thousand objects no longer triggers several
collections on its own.
"""

from __future__ import annotations

import gc

YOUNGEST_THRESHOLD = 20_000


def settle_heap() -> None:
    """Call once the application is loaded (gunicorn: ``post_worker_init``)."""
    gc.collect()
    gc.freeze()
    _gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, gen1, gen2)
