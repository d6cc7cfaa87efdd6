"""`mailtally backup DEST`: a consistent copy of the data dir that is itself a data dir.

The copy is made under the data dir's lock, waiting for a run that holds it, so that no message
is half stored meanwhile. Files are copied first and the database last, through SQLite's online
backup, so that every file the copied database names is in the copy. Raw messages and
attachments never change once written, so a later backup copies only the files it has not got
yet: backing up every night costs what arrived that day.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.datadir import prepare_dir
from ingest.errors import StorageError, storage_reason, unwritable
from ingest.files import atomic_path
from ingest.store import Store

log = logging.getLogger("mailtally")

DATABASE = "mailtally.db"
LAST_BACKUP = "last_backup"  # the store's meta key
FOLDERS = ("raw", "files")  # what the store keeps as files (see Store)


@dataclass(frozen=True, slots=True)
class BackupResult:
    messages: int  # in the copied database
    copied: int  # files copied this time
    copied_bytes: int
    kept: int  # files the destination already had


def _copy_new_files(data_dir: Path, dest: Path) -> tuple[int, int, int]:
    copied = copied_bytes = kept = 0
    for folder in FOLDERS:
        for root, _, names in os.walk(data_dir / folder):
            for name in names:
                if name.startswith("."):  # a temporary file of a run that was killed
                    continue
                source = Path(root) / name
                target = dest / source.relative_to(data_dir)
                size = source.stat().st_size
                if target.exists() and target.stat().st_size == size:
                    kept += 1
                    continue
                with atomic_path(target, sync=False) as tmp:  # flushed once, at the end
                    shutil.copyfile(source, tmp)
                copied += 1
                copied_bytes += size
    return copied, copied_bytes, kept


def _copy_database(data_dir: Path, dest: Path) -> int:
    """SQLite's online backup into DEST/mailtally.db (under a temporary name until it is
    whole); return how many messages it holds."""
    def drop_stale() -> None:  # of an older copy: they must not be applied to this one
        for stale in ("-wal", "-shm"):
            (dest / f"{DATABASE}{stale}").unlink(missing_ok=True)

    with atomic_path(dest / DATABASE, sync=False, before_rename=drop_stale) as tmp:
        tmp.unlink(missing_ok=True)  # left by a backup that was killed
        source = sqlite3.connect(data_dir / DATABASE)
        try:
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
                messages = int(target.execute("SELECT count(*) FROM messages").fetchone()[0])
            finally:
                target.close()
        finally:
            source.close()
    return messages


def backup(data_dir: Path, dest: Path) -> BackupResult:
    """Copy the data dir into `dest` (created if needed). The caller holds the data dir's lock.

    Raises:
        StorageError: `dest` could not be written, or the store could not be read.
    """
    if not (data_dir / DATABASE).is_file():
        raise StorageError(f"{data_dir / DATABASE}: không có dữ liệu để sao lưu (nothing stored)")
    if dest.resolve() == data_dir.resolve() or dest.resolve().is_relative_to(data_dir.resolve()):
        raise StorageError(f"{dest}: nơi sao lưu phải nằm ngoài thư mục dữ liệu "
                           "(the backup must be outside the data dir)")
    prepare_dir(dest)
    try:
        copied, copied_bytes, kept = _copy_new_files(data_dir, dest)
        messages = _copy_database(data_dir, dest)
        os.sync()
    except OSError as exc:
        raise unwritable(Path(exc.filename) if exc.filename else dest, exc, dest) from exc
    except sqlite3.Error as exc:
        raise StorageError(f"{dest}: {storage_reason(exc)}") from exc
    log.info("event=backup_done dest=%s messages=%d copied=%d bytes=%d kept=%d", dest, messages,
             copied, copied_bytes, kept)
    _remember(data_dir, dest, messages)
    return BackupResult(messages, copied, copied_bytes, kept)


def _remember(data_dir: Path, dest: Path, messages: int) -> None:
    """Note the backup in the store, for `check` (the copy itself does not hold this note)."""
    store = Store(data_dir)
    try:
        store.set_meta(LAST_BACKUP, json.dumps({
            "at": datetime.now(UTC).isoformat(timespec="seconds"), "dest": str(dest),
            "messages": messages}))
    finally:
        store.close()


def last_backup(store: Store) -> dict[str, Any] | None:
    """When, where to and how many messages the last backup copied (None: never)."""
    text = store.get_meta(LAST_BACKUP)
    return json.loads(text) if text else None
