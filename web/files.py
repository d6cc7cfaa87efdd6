"""Stored messages and attachments, sent as downloads to a logged-in user.

A file is found by the message's key and the attachment's number in the store's records, never
by a path taken from the address: nothing outside the data dir can be named. Every download is
an attachment with the headers of outputs/safe_files.py, which keep a browser from rendering or
running it.
"""

from __future__ import annotations

import re
from pathlib import Path

KEY_PATTERN = re.compile(r"^[0-9a-f]{16}$")


def inside(data_dir: Path, relative: str) -> Path | None:
    """The stored file `relative` (as the store records it) when it lies inside data_dir."""
    root = data_dir.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None
