"""Reading many rows at once without the cyclic garbage collector running meanwhile.

    with collector_paused():
        rows = conn.execute(...).fetchall()

Every 700 new container objects (a row's tuple, a list) trigger a collection, and every
tenth of those a deeper one that walks everything the app holds: reading 161k units or
1.5M area memberships set it off thousands of times, a fifth of opening a big map. What
is read holds no cycles, so nothing is lost by collecting once afterwards, as Python does
by itself at the next threshold.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
