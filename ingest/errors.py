"""Errors of the ingest stage: a source that cannot be read, a store that cannot be written."""

import errno
import sqlite3
from pathlib import Path

from config.access import write_problem


class SourceError(Exception):
    """A source could not be polled (exit status 1). The message names the source and why.

    `reason` holds both languages ("vi (en)") for the log; `text(language)` gives the one the
    office reads, when the raiser said it apart (`en`).
    """

    def __init__(self, source: str, reason: str, *, vi: str | None = None,
                 en: str | None = None):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.vi = vi
        self.en = en

    def text(self, language: str) -> str:
        """The reason in `language` alone, where it is known apart, else both."""
        one = self.en if language == "en" else self.vi
        return one or self.reason


def source_error(source: str, vi: str, en: str) -> SourceError:
    """A SourceError said apart in both languages (the log gets "vi (en)")."""
    return SourceError(source, f"{vi} ({en})", vi=vi, en=en)


class StorageError(Exception):
    """The store or an output could not be written: the run stops before touching sync state
    (exit 1). `str()` is the Vietnamese reason; `text("en")` the English one when it was given."""

    def __init__(self, reason: str, *, en: str | None = None):
        super().__init__(reason)
        self.en = en

    def text(self, language: str) -> str:
        return self.en if language == "en" and self.en else str(self)


def unwritable(path: Path, exc: BaseException, fix_dir: Path | None = None, *,
               creating: bool = False) -> StorageError:
    """The StorageError for `path` that could not be created or written: it names the path,
    what went wrong and the fix (see config/access.py)."""
    vi, en = write_problem(path, exc, fix_dir, creating=creating)
    return StorageError(vi, en=en)


def storage_reason(exc: BaseException) -> str:
    """What went wrong writing the store or the outputs, for the administrator: a full disk says
    so in Vietnamese too (it is the one they can fix at once), anything else as the system says
    it."""
    text = str(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
    full = ((isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT))
            or (isinstance(exc, sqlite3.OperationalError) and "full" in text))
    return f"ổ đĩa đã đầy ({text})" if full else text
