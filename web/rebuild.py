"""Rebuilding report.html (and the other outputs) after a change made in the workspace.

A change is saved at once; the rebuild happens on a thread of its own, only when the data
dir's lock is free, so a person never waits for a run (and the web process never holds the run
lock while a person waits). When a run holds the lock, the rebuild is tried again a little
later; a `once` that starts meanwhile sees the change anyway (the store's data version moved).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from app.runner import rebuild_if_free
from config.model import Settings
from ingest.errors import StorageError

log = logging.getLogger("mailtally.web")

RETRY_SECONDS = 5.0


class Rebuilder:
    """One daemon thread that rebuilds the outputs each time `request()` is called (requests
    that come while it works are folded into one more rebuild)."""

    def __init__(self, settings: Callable[[], Settings], retry_seconds: float = RETRY_SECONDS):
        self._settings = settings
        self._retry = retry_seconds
        self._wanted = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.done = 0  # rebuilds finished (for tests and the log)

    def request(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="mailtally-rebuild",
                                            daemon=True)
            self._thread.start()
        self._wanted.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wanted.set()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            self._wanted.wait()
            if self._stopped.is_set():
                return
            self._wanted.clear()
            try:
                if rebuild_if_free(self._settings()):
                    self.done += 1
                else:
                    log.info("event=rebuild_later reason=run_in_progress")
                    if not self._stopped.wait(self._retry):
                        self._wanted.set()
            except StorageError as exc:
                log.error("event=rebuild_failed reason=%s", exc)
            except Exception:  # a failed rebuild must not end the thread: the next change retries
                log.exception("event=rebuild_failed")
