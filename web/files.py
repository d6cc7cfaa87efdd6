"""Stored messages and attachments, sent as downloads to a logged-in user.

A file is found by the message's key and the attachment's number in the store's records, never
by a path taken from the address: nothing outside the data dir can be named. Every download is
an attachment with headers that keep a browser from rendering or running it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

RENDERABLE = frozenset({"html", "htm", "shtml", "svg", "svgz", "xml", "xhtml", "xht", "mht",
                        "mhtml", "js", "mjs", "xsl", "xslt"})
_SAFE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg",
               "png": "image/png", "gif": "image/gif", "webp": "image/webp",
               "txt": "text/plain; charset=utf-8", "eml": "message/rfc822",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "doc": "application/msword", "xls": "application/vnd.ms-excel",
               "zip": "application/zip"}
KEY_PATTERN = re.compile(r"^[0-9a-f]{16}$")


def download_headers(filename: str) -> dict[str, str]:
    """Headers for sending a stored file as a download that is never rendered as a page.

    (The one function to swap for outputs/safe_files.py's when that lands.)
    """
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    content_type = ("application/octet-stream" if ext in RENDERABLE
                    else _SAFE_TYPES.get(ext, "application/octet-stream"))
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("._") or "file"
    return {
        "Content-Type": content_type,
        "Content-Disposition": (f"attachment; filename=\"{ascii_name}\"; "
                                f"filename*=UTF-8''{quote(filename, safe='')}"),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "private, no-store",
    }


def inside(data_dir: Path, relative: str) -> Path | None:
    """The stored file `relative` (as the store records it) when it lies inside data_dir."""
    root = data_dir.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None
