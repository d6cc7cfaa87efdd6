"""The folders a run writes (the data dir, the output dir) and the data dir's lock file: created
when missing and checked before anything is written, so that a folder the service user cannot
write is reported as one sentence naming the path and the fix (a StorageError), never as a
traceback from deep inside SQLite or the writers.

The checks are a few `access()` calls: a poll with nothing new must stay cheap.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import IO

from ingest.errors import StorageError, unwritable

LOCK_NAME = ".lock"
# What the store writes in the data dir; any of them left to another user (a first run as root)
# stops SQLite or the raw files half way.
STORE_ENTRIES = ("mailtally.db", "mailtally.db-wal", "mailtally.db-shm", "raw", "files")


def _denied(path: Path) -> OSError:
    """The error `access()` would have given: a read-only file system, or no permission."""
    try:
        read_only = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    code = errno.EROFS if read_only else errno.EACCES
    return OSError(code, os.strerror(code), str(path))


def prepare_dir(path: Path, fix_dir: Path | None = None) -> None:
    """Create `path` (and its parents) if needed and make sure this process may write in it.

    Raises:
        StorageError: naming the path, why and the fix.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable(path, exc, fix_dir, creating=True) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise unwritable(path, _denied(path), fix_dir)


def check_store(data_dir: Path) -> None:
    """Make sure the data dir and what the store keeps in it can be written by this process.

    Raises:
        StorageError: the first entry that cannot be written, with the fix (the data dir's
        owner).
    """
    prepare_dir(data_dir)
    for name in STORE_ENTRIES:
        entry = data_dir / name
        if entry.exists() and not os.access(entry, os.W_OK):
            raise unwritable(entry, _denied(entry), data_dir)


def open_lock(data_dir: Path) -> IO[str]:
    """Open (creating it) the data dir's lock file, to be locked with flock by the caller.

    Raises:
        StorageError: the data dir or the lock file cannot be written.
    """
    check_store(data_dir)
    path = data_dir / LOCK_NAME
    try:
        return path.open("a+")
    except OSError as exc:
        raise unwritable(path, exc, data_dir) from exc


def lock_failed(data_dir: Path, exc: OSError) -> StorageError:
    """flock itself failed (not because another run holds the lock): say so with the path."""
    return unwritable(data_dir / LOCK_NAME, exc, data_dir)
