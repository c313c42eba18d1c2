"""Running the same work in several threads released at the same instant, as several web
workers or staff would: the PostgreSQL race tests use it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from django.db import connection


def run_at_once(work: Callable, arguments: Iterable, *, timeout: float = 30) -> tuple[list, list]:
    """Call ``work(argument)`` in one thread per argument, all starting together. Returns the
    results and the exceptions raised (each thread closes its own database connection)."""
    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments))
    results, errors = [], []

    def run(argument):
        try:
            barrier.wait(timeout)
            results.append(work(argument))
        except Exception as error:  # noqa: BLE001 - handed back to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results, errors
