"""`backup DEST`: a copy of the data dir that is itself a data dir (see ingest/backup.py), made
under the data dir's lock, so that no run writes meanwhile."""

from __future__ import annotations

from pathlib import Path

from app.lock import data_dir_lock
from config.model import Settings
from ingest.backup import BackupResult
from ingest.backup import backup as copy_data_dir


def backup(settings: Settings, dest: Path, *, wait: float = 0.0) -> BackupResult:
    """Copy the data dir into `dest`, only what `dest` lacks.

    Raises:
        LockBusyError: another process held the data dir for longer than `wait` seconds.
        StorageError: the copy could not be made (the reason says which side).
    """
    with data_dir_lock(settings.data_dir, wait=wait):
        return copy_data_dir(settings.data_dir, dest)
