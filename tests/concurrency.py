"""Running the same work in several threads released at the same instant, as several web
workers or staff would: the PostgreSQL race tests use it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from django.db import connection


def run_at_once(
    work: Callable, arguments: Iterable, *, timeout: float = 30, finish_within: float = 600
) -> tuple[list, list]:
    """Call ``work(argument)`` in one thread per argument, all starting together. Returns the
    results and the exceptions raised (each thread closes its own database connection) once
    every thread has finished: a thread still working after ``finish_within`` seconds fails the
    test, rather than leaving it to read a half-done result (on a loaded machine 400 receipts
    issued by eight threads once took longer than the 30 s the joins used to allow)."""
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
    deadline = time.monotonic() + finish_within
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    unfinished = sum(thread.is_alive() for thread in threads)
    if unfinished:
        raise AssertionError(f"{unfinished} thread(s) still working after {finish_within:.0f} s")
    return results, errors
