"""One writer per data dir: the lock every run, rebuild, digest and backup takes, and its wait.

The policy, the same for every command: a command that finds the data dir held waits for it
(LOCK_WAIT_SECONDS, or $MAILTALLY_LOCK_WAIT_SECONDS), then gives up with LockBusyError, which
the command line says in one sentence (exit 1). The service's own polls do not wait: they try
again on their next turn. The office's decisions need no lock at all (one short SQLite
transaction each).
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.datadir import lock_failed, open_lock

log = logging.getLogger("mailtally")

LOCK_WAIT_SECONDS = 60.0
LOCK_WAIT_ENV = "MAILTALLY_LOCK_WAIT_SECONDS"
RETRY_SECONDS = 0.2


class LockBusyError(Exception):
    """Another mailtally process held the data dir for longer than the caller would wait."""

    def __init__(self, data_dir: Path, waited: float = 0.0):
        super().__init__(str(data_dir))
        self.data_dir = data_dir
        self.waited = waited


def command_wait() -> float:
    """How long a command waits for a busy data dir, in seconds."""
    value = os.environ.get(LOCK_WAIT_ENV, "")
    try:
        return max(0.0, float(value)) if value else LOCK_WAIT_SECONDS
    except ValueError:
        return LOCK_WAIT_SECONDS


@contextmanager
def data_dir_lock(data_dir: Path, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the data dir's lock for the block; wait up to `wait` seconds for another process
    that holds it, then raise LockBusyError."""
    fh = open_lock(data_dir)  # a folder the user may not write: a sentence, not a traceback
    try:
        give_up = time.monotonic() + wait
        logged = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() >= give_up:
                    raise LockBusyError(data_dir, wait) from exc
                if not logged:
                    log.info("event=waiting_for_lock path=%s seconds=%.0f", data_dir, wait)
                    logged = True
                time.sleep(RETRY_SECONDS)
            except OSError as exc:  # a file system without locks, say
                raise lock_failed(data_dir, exc) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()

