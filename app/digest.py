"""The digest use case: rebuild the outputs, build the day's digest, write it, send it.

The rendering is `outputs/digest.py`; this module only orders the steps and holds the lock.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

from app.lock import data_dir_lock
from app.publish import write_outputs
from app.runner import snapshot
from config.model import Settings
from ingest.store import Store
from outputs.digest import Digest, build_digest, send_digest, write_digest

log = logging.getLogger("mailtally.digest")


def refresh_and_build(settings: Settings, day: date, now: datetime) -> Digest:
    """Rebuild the outputs from the store (report.csv is attached to the mail), then the
    digest. The caller holds the data dir's lock.

    Raises:
        StorageError: the store or an output could not be written.
    """
    store = Store(settings.data_dir)
    try:
        snap = snapshot(settings, store, now)
        write_outputs(settings, store, snap)
    finally:
        store.close()
    return build_digest(settings, snap, day)


def write_day(settings: Settings, day: date, now: datetime, *,
              wait: float = 0.0) -> tuple[Digest, Path]:
    """The digest of `day` (local), with the outputs rebuilt, written to output_dir under the
    data dir's lock; returns it and the file's path.

    Raises:
        LockBusyError: another process held the data dir for longer than `wait` seconds.
        StorageError: the store or an output could not be written.
    """
    with data_dir_lock(settings.data_dir, wait=wait):
        digest = refresh_and_build(settings, day, now)
        return digest, write_digest(settings, digest)


def send(settings: Settings, digest: Digest, *, now: datetime) -> tuple[str, ...]:
    """Email the digest as `[digest]` says; return the recipients.

    Raises:
        DigestSendError: no `[digest]` section, or the mail could not be sent.
    """
    send_digest(settings, digest, now=now)
    assert settings.digest is not None  # send_digest refused otherwise
    log.info("event=digest_sent day=%s recipients=%d", digest.day, len(settings.digest.to))
    return settings.digest.to
