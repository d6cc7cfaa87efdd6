"""The one atomic writer: a file appears whole under its name, or not at all.

Used for the store's raw messages and attachments and for every output (tables, page, digest).
The data is written under a temporary name in the same folder, flushed, and renamed; a crash
leaves the old file or the new one, never half of one. An OSError (a full disk, say) becomes a
StorageError naming the file and the fix, and the temporary file is removed.

The temporary name is always the same for one file (`.NAME.tmp`): one writer per data dir (its
lock) means no two processes write one file at once, and a temporary file that a killed run
left behind is taken over, and so removed, by the next write of that file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.errors import unwritable


@contextmanager
def atomic_path(path: Path, *, sync: bool = True,
                before_rename: Callable[[], None] | None = None) -> Iterator[Path]:
    """The temporary name to write `path` under; when the block ends, the file is flushed to
    disk (with `sync`) and renamed, after `before_rename` if given.

    With sync=False the caller promises to flush to disk (`os.sync`) before it records the file
    anywhere: one flush per batch instead of two fsyncs per file.

    Raises:
        StorageError: the file could not be written (the temporary file is gone).
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        if sync:
            with tmp.open("rb") as fh:
                os.fsync(fh.fileno())
        if before_rename is not None:
            before_rename()
        tmp.replace(path)
        if sync:
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise unwritable(path, exc) from exc  # the path, why, and the fix
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write `data` to `path` through `atomic_path`."""
    with atomic_path(path, sync=sync) as tmp:
        tmp.write_bytes(data)
