"""Attachments: which evidence kind a file gives, and a bounded amount of its text.

Archives are only listed, never unpacked to decide (contract): a .zip counts for the kinds of the
files named inside it. Office files (.docx, .odt, .xlsx) are zips of XML; their text is read
with a cap on the bytes inflated, so a zip bomb costs nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

DOCUMENT_EXTENSIONS = frozenset({"pdf", "doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "txt"})
IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "bmp", "tif",
                              "tiff"})
ARCHIVE_EXTENSIONS = frozenset({"zip"})
SMALL_INLINE_BYTES = 10 * 1024  # an inline image under this is a logo or a signature icon
MAX_TEXT_CHARS = 20_000
MAX_INFLATE_BYTES = 8 * 1024 * 1024

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
_XML_TAG = re.compile(r"<[^>]+>")
_XML_BREAK = re.compile(r"</(?:w:p|text:p|text:h|si|row)>")


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
    """The file names listed in a zip archive (nothing is extracted); () if it is not a zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return tuple(i.filename for i in zf.infolist() if not i.is_dir())[:1000]
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
        return ()


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


def _zip_xml_text(data: bytes, members: tuple[str, ...]) -> str:
    out: list[str] = []
    budget = MAX_INFLATE_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            for member in members:
                candidates = sorted(n for n in names if re.fullmatch(member, n))
                for name in candidates:
                    info = zf.getinfo(name)
                    if info.file_size > budget:
                        continue
                    budget -= info.file_size
                    with zf.open(info) as fh:
                        xml = fh.read(info.file_size + 1)[: info.file_size].decode(
                            "utf-8", "replace")
                    out.append(_XML_TAG.sub(" ", _XML_BREAK.sub("\n", xml)))
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError,
            EOFError):
        return ""
    text = "\n".join(out)
    return re.sub(r"[ \t]+", " ", text)[:MAX_TEXT_CHARS]


def attachment_text(filename: str, content_type: str, data: bytes) -> str:
    """Up to MAX_TEXT_CHARS of the text in a document ('' where the type is not read)."""
    ext = extension(filename, content_type)
    if ext == "txt":
        for enc in ("utf-8", "cp1258"):
            try:
                return data[: MAX_TEXT_CHARS * 4].decode(enc)[:MAX_TEXT_CHARS]
            except UnicodeDecodeError:
                continue
        return data[:MAX_TEXT_CHARS].decode("latin-1")
    if ext == "docx":
        return _zip_xml_text(data, (r"word/document\.xml", r"word/header\d*\.xml"))
    if ext in ("odt", "ods"):
        return _zip_xml_text(data, (r"content\.xml",))
    if ext == "xlsx":
        return _zip_xml_text(data, (r"xl/sharedStrings\.xml",))
    return ""
