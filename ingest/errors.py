"""Errors of the ingest stage: a source that cannot be read, a store that cannot be written."""

import errno
import sqlite3


class SourceError(Exception):
    """A source could not be polled (exit status 1). The message names the source and why."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StorageError(Exception):
    """The store could not be written: the run stops before touching sync state (exit 1)."""


def storage_reason(exc: BaseException) -> str:
    """What went wrong writing the store or the outputs, for the administrator: a full disk says
    so in Vietnamese too (it is the one they can fix at once), anything else as the system says
    it."""
    text = str(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
    full = ((isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT))
            or (isinstance(exc, sqlite3.OperationalError) and "full" in text))
    return f"ổ đĩa đã đầy ({text})" if full else text
