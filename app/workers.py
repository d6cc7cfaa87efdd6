"""Parse while fetching: other processes parse and place messages as soon as their raw bytes
are stored.

On a first sync of thousands of messages, fetching and storing keep one core busy and parsing
(base64 decoding, hashing, writing attachments, reading documents, drawing thumbnails) the
other; when the fetch ends first, a second worker takes the backlog. A poll with fewer than
START_AFTER_NEW new messages never starts them (see there). Each record comes back as JSON
with its placement, and both go into their caches, where `parse_stored` and the `Placer` find
them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from ingest.files import write_atomic
from ingest.store import NewMessage, Store, attachment_path, parse_cache_texts
from matching.context import MatchContext
from parsers.limits import Limits, cache_version
from parsers.records import to_json

log = logging.getLogger("mailtally")

# New messages in one poll before parsing processes are worth starting. Measured against a
# 10,000-message store (`once` after N new, best of 2, on 2 cores; parsing in the run's own
# process against the workers): 100 new, 2.10 s against 2.39 s; 300 new, 2.64 s against
# 2.85 s; 600 new, 3.89 s against 3.73 s; 2,000 new, 8.18 s against 6.23 s. Below a few
# hundred, the workers' start (about 0.35 s of CPU each) costs more than the overlap gains.
START_AFTER_NEW = 500
# The same, from the environment (tests use it to run the workers on a small mailbox).
START_AFTER_NEW_ENV = "MAILTALLY_WORKERS_FROM"
WORKERS = 2  # one beside the fetch; the second one helps with what is left when it ends
KEEP_EVERY = 2000  # results kept in the store's caches at a time (one flush to disk each)
TASK_MESSAGES = 16  # messages per task sent to a worker: each task costs the parent a few ms
ORPHAN_CHECK_SECONDS = 1.0

# In a worker: what placing needs, set once when it starts.
_placing: tuple[MatchContext, str] | None = None

# The parse cache's two JSON texts (whole, light), the placement's stamp and JSON text.
WorkerResult = tuple[str, str, str, str]
# A task's results, message by message; the attachment files it wrote; the thumbnails it drew
# (photo's sha256, JPEG).
TaskResult = tuple[list[tuple[str, WorkerResult]], list[str], list[tuple[str, bytes]]]


def _start_worker(parent: int, placing: tuple[MatchContext, str]) -> None:
    """In the worker: keep the placing context, and end at once when the run that started it
    is gone (killed with SIGKILL, say). The worker holds both ends of its task pipe, so it would
    otherwise wait for work forever."""
    import threading
    import time

    global _placing
    _placing = placing

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def drop_cached(fd: int) -> None:
    """Drop a file's clean pages from the page cache (Linux; elsewhere nothing).

    A first sync writes gigabytes that nothing reads again soon: the raw messages once parsed,
    the attachments once flushed. Dropping them keeps the import from evicting what the server
    caches for others, and lets the next files reuse those pages instead of new ones (on this
    VM, measured: 4 to 5 s less kernel time per 10,000-message first sync).
    """
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def drop_cached_files(data_dir: Path, paths: list[str]) -> None:
    """`drop_cached` for files given relative to data_dir (flushed to disk already)."""
    for rel in paths:
        try:
            with (data_dir / rel).open("rb") as fh:
                drop_cached(fh.fileno())
        except OSError:  # gone meanwhile: nothing to drop
            continue


def _parse_in_worker(data_dir: str, messages: list[NewMessage], limits: Limits) -> TaskResult:
    """In the worker, for each message: read the stored bytes, parse, write the attachments
    (flushed later by the parent, before it records them), place, and draw the thumbnails of
    placed mail (the page shows photos of placed mail only). Returns, per message, the record
    as JSON and the placement; the attachment files written; the thumbnails."""
    from app.caches import parse_one, place_for_cache, placement_stamp
    from outputs.html import draw_thumbnail, thumbnails_to_draw

    assert _placing is not None, "the worker was started without its placing context"
    ctx, basis = _placing
    base = Path(data_dir)
    written: list[str] = []
    thumbnails: dict[str, bytes] = {}

    def save(message_key: str, index: int, filename: str, data: bytes) -> str:
        rel = attachment_path(message_key, index, filename)
        target = base / rel
        if not target.exists() or target.stat().st_size != len(data):
            write_atomic(target, data, sync=False)
            written.append(rel)
        return rel

    out = []
    for key, raw_path, message_id, received_at in messages:
        with (base / raw_path).open("rb") as fh:
            raw = fh.read()
            drop_cached(fh.fileno())  # flushed when its lot was committed: clean
        parsed = parse_one(save, key, raw, message_id, received_at, limits=limits)
        del raw
        placed, _, placement = place_for_cache(parsed, ctx)
        if any(p.reason is None for p in placed):
            for photo in thumbnails_to_draw(parsed.attachments):  # never raises
                if photo.sha256 not in thumbnails and photo.stored_path:
                    thumbnails[photo.sha256] = draw_thumbnail(base / photo.stored_path)
        whole, light = parse_cache_texts(to_json(parsed))
        out.append((key, (whole, light, placement_stamp(basis, ctx, parsed),
                          placement)))
    return out, written, list(thumbnails.items())


def start_after_new() -> int:
    value = os.environ.get(START_AFTER_NEW_ENV, "")
    return int(value) if value.isdigit() else START_AFTER_NEW


class ParsePool:
    """Collects the messages each committed batch stored; parses them in other processes once
    there are enough of them. Use `submit` as the store's `on_commit`, then `collect`. Results
    are kept in the store's caches as they come, a few thousand at a time, so that they are
    never all held at once."""

    def __init__(self, store: Store, limits: Limits,
                 placing: Callable[[], tuple[MatchContext, str]]):
        self.store = store
        self.limits = limits
        self.placing = placing  # the context and basis of placements, made when workers start
        self.waiting: list[NewMessage] = []
        self.futures: deque[tuple[list[NewMessage], Future[TaskResult]]] = deque()
        self.ready: list[tuple[str, WorkerResult]] = []
        self.written: list[str] = []  # attachment files of the ready results
        self.thumbnails: list[tuple[str, bytes]] = []  # drawn for the ready results
        self.kept = 0
        self.executor: ProcessPoolExecutor | None = None

    def submit(self, new: list[NewMessage]) -> None:
        self.waiting.extend(new)
        if self.executor is None:
            if len(self.waiting) < start_after_new():
                return
            # spawn, not fork: the parent holds an SQLite connection and a socket.
            workers = max(1, min(WORKERS, os.cpu_count() or 1))
            self.executor = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(os.getpid(), self.placing()))
            log.info("event=parse_process_started workers=%d", workers)
        data_dir = str(self.store.data_dir)
        for start in range(0, len(self.waiting), TASK_MESSAGES):
            task = self.waiting[start:start + TASK_MESSAGES]
            self.futures.append((task, self.executor.submit(
                _parse_in_worker, data_dir, task, self.limits)))
        self.waiting = []
        self._harvest(wait=False)

    def _harvest(self, *, wait: bool) -> None:
        """Take the results that are in (all of them with `wait`), in order; keep them in the
        caches whenever KEEP_EVERY are ready."""
        while self.futures and (wait or self.futures[0][1].done()):
            task, future = self.futures.popleft()
            try:
                results, written, thumbnails = future.result()
                self.ready.extend(results)
                self.written.extend(written)
                self.thumbnails.extend(thumbnails)
            except Exception:  # a lost worker: parse_stored parses these in this process
                log.exception("messages=%d first_key=%s event=parse_process_failed",
                              len(task), task[0][0])
            if len(self.ready) >= KEEP_EVERY:
                self._keep()

    def _keep(self) -> None:
        if not self.ready:
            return
        os.sync()  # the workers' attachment files are on disk before the cache names them
        self.store.cache_worker_results(cache_version(self.limits), [
            (key, whole, light, stamp, placement)
            for key, (whole, light, stamp, placement) in self.ready], self.thumbnails)
        drop_cached_files(self.store.data_dir, self.written)  # clean now: see drop_cached
        self.kept += len(self.ready)
        self.ready, self.written, self.thumbnails = [], [], []

    def collect(self) -> int:
        """Wait for the workers, keep the rest of their results; return how many messages
        they did."""
        if self.executor is None:
            return 0
        try:
            self._harvest(wait=True)
        finally:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None
        self._keep()
        return self.kept

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None
