"""Python's cyclic garbage collector paused while a large file is read and imported.

An import builds a few objects per cell and keeps them until it is done: the collector, which
runs each time enough new objects accumulate, walked all of them again and again (1.8 s of a
100,000-row gift import, about a sixth of it). The engine's objects form no reference cycles it
would need to free; it runs again as soon as the import returns.
"""

from __future__ import annotations

import functools
import gc


def gc_paused(function):
    @functools.wraps(function)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused
