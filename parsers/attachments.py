"""Attachments: which evidence kind a file gives.

Archives are only listed, never unpacked to decide (contract): a .zip counts for the kinds of the
files named inside it, and nothing in it is decompressed, so a zip bomb or a zip nested in a zip
costs nothing. The text of documents is read by `parsers.extract`, under limits.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import PurePosixPath

from parsers.text import clean_line

DOCUMENT_EXTENSIONS = frozenset({"pdf", "doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "txt"})
# .jfif is what Windows names many JPEGs saved from a browser or Zalo. A video is never `images`.
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "jfif", "png", "gif", "webp", "heic", "heif", "bmp",
                              "tif", "tiff"})
ARCHIVE_EXTENSIONS = frozenset({"zip"})
SMALL_INLINE_BYTES = 10 * 1024  # an inline image under this is a logo or a signature icon
MAX_ZIP_NAMES = 1000  # names kept from one archive's listing

_TYPE_EXTENSIONS = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "text/plain": "txt",
    "image/jpeg": "jpg",
    "image/pjpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "image/bmp": "bmp",
    "image/tiff": "tiff",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
}


def extension(filename: str, content_type: str) -> str:
    """Lower-case extension of a file name, else the one its MIME type implies ('' if neither)."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    if suffix:
        return suffix
    return _TYPE_EXTENSIONS.get(content_type.lower(), "")


def kinds_for_extension(ext: str) -> tuple[str, ...]:
    if ext in DOCUMENT_EXTENSIONS:
        return ("report",)
    if ext in IMAGE_EXTENSIONS:
        return ("images",)
    return ()


def zip_names(data: bytes) -> tuple[str, ...]:
    """The file names listed in a zip archive (nothing is extracted); () if it is not a zip.

    At most MAX_ZIP_NAMES names, each cleaned to one line of at most 255 characters."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, NotImplementedError,
            EOFError, struct.error):
        return ()
    names = (clean_line(i.filename, 255) for i in infos if not i.is_dir())
    return tuple(n for n in names if n)[:MAX_ZIP_NAMES]


def attachment_kinds(filename: str, content_type: str, size: int, *, inline: bool,
                     inner_names: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Evidence kinds one attachment gives, in the order ("report", "images")."""
    ext = extension(filename, content_type)
    if ext in ARCHIVE_EXTENSIONS:
        found: set[str] = set()
        for name in inner_names:
            found.update(kinds_for_extension(extension(name, "")))
        return tuple(k for k in ("report", "images") if k in found)
    kinds = kinds_for_extension(ext)
    if kinds == ("images",) and inline and size < SMALL_INLINE_BYTES:
        return ()
    return kinds
