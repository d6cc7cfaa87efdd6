"""ingest.sources: `_fetched` gives batches back in order with their responses, fetched ahead in
a thread, hands an error of the connection to the caller and stops its thread when closed;
`_sync_folder` commits a long sync in lots and keeps what it stored when the connection goes.
A stand-in IMAP client is used here; tests/integration/ runs the same code against Dovecot."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from config.model import SourceConfig
from ingest import sources
from ingest.sources import _fetched, never
from ingest.store import Store


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


class FakeMailbox(FakeClient):
    """A folder of `n` small messages, UIDs 1..n, as _sync_folder sees it."""

    def __init__(self, n: int, fail_at: int | None = None):
        super().__init__(fail_at=fail_at)
        self.n = n

    def select_folder(self, folder: str, readonly: bool) -> dict[bytes, int]:
        return {b"UIDVALIDITY": 7, b"UIDNEXT": self.n + 1}

    def search(self, criteria: list[str]) -> list[int]:
        return list(range(1, self.n + 1))

    def fetch(self, uids: list[int], items: list[str]) -> dict[int, Any]:
        if items == ["RFC822.SIZE"]:
            return {u: {b"RFC822.SIZE": 100} for u in uids}
        self.threads.add(threading.current_thread().name)
        if self.fail_at is not None and self.fail_at in uids:
            raise ConnectionResetError("server went away")
        when = datetime(2023, 8, 11, 3, 0, tzinfo=UTC)
        return {u: {b"INTERNALDATE": when,
                    b"BODY[]": b"Message-ID: <%d@x.vn>\r\nFrom: a@x.vn\r\nSubject: s\r\n\r\n"
                               b"body %d\r\n" % (u, u)} for u in uids}


def _sync(tmp_path: Path, client: FakeMailbox, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[Store, list[int]]:
    monkeypatch.setattr(sources, "FETCH_BATCH", 2)
    monkeypatch.setattr(sources, "COMMIT_MESSAGES", 3)
    store = Store(tmp_path / "data")
    commits: list[int] = []
    store.on_commit = lambda new: commits.append(len(new))
    cfg = SourceConfig(name="imap:test", kind="imap")
    with pytest.raises(ConnectionResetError) if client.fail_at else contextlib.nullcontext():
        sources._sync_folder(client, cfg, store, "INBOX", never)
    return store, commits


def test_a_big_sync_commits_in_lots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, commits = _sync(tmp_path, FakeMailbox(7), monkeypatch)
    assert commits == [4, 3]  # batches of 2; a lot ends once it holds 3 or more
    assert store.sync_state("imap:test", "INBOX") == (7, 7)
    assert len(store.messages()) == 7


def test_a_lost_connection_keeps_what_was_stored(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store, commits = _sync(tmp_path, FakeMailbox(9, fail_at=7), monkeypatch)
    assert commits == [4, 2]  # the second lot is kept up to the batch before the failure
    assert store.sync_state("imap:test", "INBOX") == (7, 6)
    assert len(store.messages()) == 6
