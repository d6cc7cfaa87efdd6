"""Parse while fetching: a second process parses messages as soon as their raw bytes are stored.

On a first sync of thousands of messages, fetching and storing keep one core busy and parsing
(base64 decoding, hashing, writing attachments, reading documents) the other. A poll with a few
new messages never starts the process: it costs about 0.3 s to start, more than parsing them.
The records come back as JSON and go into the parse cache, where `parse_stored` finds them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.store import NewMessage, Store, attachment_path, write_atomic
from parsers.limits import Limits, cache_version
from parsers.records import ParsedMessage, to_json

log = logging.getLogger("mailtally")

START_AFTER_NEW = 50  # new messages in one poll before a parsing process is worth starting
ORPHAN_CHECK_SECONDS = 1.0


def _exit_with_parent(parent: int) -> None:
    """In the worker: end at once when the run that started it is gone (killed with SIGKILL, say).
    The worker holds both ends of its task pipe, so it would otherwise wait for work forever."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _parse_in_worker(data_dir: str, key: str, raw_path: str, message_id: str,
                     received_at: datetime, limits: Limits) -> dict[str, Any]:
    """In the worker: read the stored bytes, parse, write the attachments (flushed later by the
    parent, before it records them), and return the record as JSON."""
    from pipeline import parse_one

    base = Path(data_dir)

    def save(message_key: str, index: int, filename: str, data: bytes) -> str:
        rel = attachment_path(message_key, index, filename)
        target = base / rel
        if not target.exists() or target.stat().st_size != len(data):
            write_atomic(target, data, sync=False)
        return rel

    raw = (base / raw_path).read_bytes()
    parsed = parse_one(save, key, raw, message_id, received_at, limits=limits)
    _draw_thumbnails(base, parsed)
    return to_json(parsed)


def _draw_thumbnails(data_dir: Path, parsed: ParsedMessage) -> None:
    """Draw the photos' thumbnails now, while the other core fetches, instead of when the page is
    written (they are cached by content: about 3 ms each, 20 s of a 10,000-message first sync)."""
    from outputs.html import THUMBS_PER_UNIT, can_draw, thumbnail_uri

    photos = [a for a in parsed.attachments if "images" in a.kinds and a.stored_path
              and can_draw(a.filename)]
    for attachment in photos[:THUMBS_PER_UNIT]:
        thumbnail_uri(data_dir, attachment.stored_path, attachment.sha256)


class ParsePool:
    """Collects the messages each committed batch stored; parses them in a second process once
    there are enough of them. Use `submit` as the store's `on_commit`, then `collect`."""

    def __init__(self, data_dir: Path, limits: Limits):
        self.data_dir = data_dir
        self.limits = limits
        self.waiting: list[NewMessage] = []
        self.futures: list[tuple[str, Future[dict[str, Any]]]] = []
        self.executor: ProcessPoolExecutor | None = None

    def submit(self, new: list[NewMessage]) -> None:
        self.waiting.extend(new)
        if self.executor is None:
            if len(self.waiting) < START_AFTER_NEW:
                return
            # spawn, not fork: the parent holds an SQLite connection and a socket.
            self.executor = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent, initargs=(os.getpid(),))
            log.info("event=parse_process_started")
        for key, raw_path, message_id, received_at in self.waiting:
            self.futures.append((key, self.executor.submit(
                _parse_in_worker, str(self.data_dir), key, raw_path, message_id, received_at,
                self.limits)))
        self.waiting = []

    def collect(self, store: Store) -> int:
        """Wait for the process, keep its records in the parse cache; return how many."""
        if self.executor is None:
            return 0
        version = cache_version(self.limits)
        done: list[tuple[str, dict[str, Any]]] = []
        try:
            for key, future in self.futures:
                try:
                    done.append((key, future.result()))
                except Exception:  # a lost worker: parse_stored parses these in this process
                    log.exception("message_key=%s event=parse_process_failed", key)
        finally:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None
        os.sync()  # the worker's attachment files are on disk before the cache names them
        with store.transaction():
            for key, record in done:
                store.cache_parse(key, version, record)
        return len(done)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None
