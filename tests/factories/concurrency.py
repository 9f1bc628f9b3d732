"""Running writers at the same moment, each thread with its own database connection (the real
race needs PostgreSQL: SQLite serializes writes by its file lock)."""

import threading

from django.db import connections

__all__ = ["run_in_threads"]


def run_in_threads(*targets):
    """Start every target at the same moment; each thread closes its own connection. Any
    exception in a thread (a deadlock, a 500's cause) fails the caller."""
    barrier = threading.Barrier(len(targets))
    failures = []

    def wrap(target):
        try:
            barrier.wait(timeout=10)
            target()
        except BaseException as error:  # reported to the test, not lost in the thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
