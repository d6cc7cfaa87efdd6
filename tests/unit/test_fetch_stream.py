"""ingest.sources._fetched: batches come back in order with their responses, fetched ahead in a
thread; an error of the connection reaches the caller; closing early stops the thread."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from ingest.sources import _fetched


class FakeClient:
    """Answers FETCH with the UIDs it was asked for; fails on `fail_at` (a stand-in for
    imapclient in a unit test; the integration tests use a real Dovecot)."""

    def __init__(self, fail_at: int | None = None, delay: float = 0.0):
        self.fail_at = fail_at
        self.delay = delay
        self.asked: list[list[int]] = []
        self.threads: set[str] = set()

    def fetch(self, uids: list[int], items: list[str]) -> dict[int, Any]:
        self.threads.add(threading.current_thread().name)
        self.asked.append(uids)
        time.sleep(self.delay)
        if self.fail_at is not None and self.fail_at in uids:
            raise ConnectionResetError("server went away")
        return {u: {b"BODY[]": b"m%d" % u, b"INTERNALDATE": None} for u in uids}


def test_batches_come_back_in_order_fetched_by_another_thread() -> None:
    client = FakeClient()
    batches = [[1, 2], [3], [4, 5, 6]]
    got = list(_fetched(client, iter(batches)))
    assert [b for b, _ in got] == batches
    assert [sorted(r) for _, r in got] == batches
    assert client.threads == {"imap-fetch"}


def test_an_error_of_the_connection_reaches_the_caller_after_what_came_before() -> None:
    client = FakeClient(fail_at=3)
    stream = _fetched(client, iter([[1, 2], [3], [4]]))
    batch, _ = next(stream)
    assert batch == [1, 2]
    with pytest.raises(ConnectionResetError):
        next(stream)
    assert [4] not in client.asked  # nothing is fetched after the error


def test_closing_early_stops_the_thread_before_the_caller_uses_the_connection() -> None:
    client = FakeClient(delay=0.01)
    stream = _fetched(client, iter([[u] for u in range(100)]))
    next(stream)
    before = threading.active_count()
    stream.close()
    assert threading.active_count() == before - 1  # joined: the connection is free again
    assert len(client.asked) <= 4  # the one being stored, one waiting, one in flight
