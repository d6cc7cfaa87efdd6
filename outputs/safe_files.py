"""How stored files (attachments, raw messages) may be handed to a browser without running them.

A stranger's attachment may be an HTML page, an SVG or a script. Opened in the origin that
serves report.html or the office's workspace, its script could read every stored message. So
whatever serves stored files sends them as downloads that a browser neither renders nor sniffs,
under a policy that would sandbox them even if it did; the store keeps such files under a name
a plain web server serves as text (`ingest.store.attachment_path`). Pure: no I/O.
"""

from __future__ import annotations

import mimetypes
import unicodedata
from urllib.parse import quote

# What a browser may be told a stored file is: types it shows as inert media or text.
# Anything else, and every type a browser would run, goes out as application/octet-stream.
INERT_TYPES = frozenset({
    "application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp",
    "image/tiff", "image/heic", "image/heif", "text/plain", "text/csv", "application/zip",
    "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet", "application/rtf",
    "video/mp4", "video/quicktime", "audio/mpeg",
})
SANDBOX_POLICY = "sandbox; default-src 'none'; form-action 'none'; frame-ancestors 'none'"


def _ascii_fallback(name: str) -> str:
    """The name in plain ASCII for the old `filename=` parameter (no quotes or controls)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in plain).strip("._")
    return plain or "file"


def content_type_for(filename: str) -> str:
    """The Content-Type to send for a stored file: its own type when it is inert, else
    application/octet-stream (a .html, an .svg, an .xml, a file stored as `x.html.txt` all are
    octet-stream: the name tells what it was)."""
    name = filename.lower()
    stem = name[:-4] if name.endswith(".txt") else name
    guessed, _ = mimetypes.guess_type(stem, strict=False)
    if name.endswith(".txt") and stem != name and guessed != "text/plain":
        return "application/octet-stream"
    if guessed in INERT_TYPES:
        return guessed if not guessed.startswith("text/") else f"{guessed}; charset=utf-8"
    return "application/octet-stream"


def download_headers(filename: str) -> list[tuple[str, str]]:
    """The HTTP headers any server of a stored file must send with it: a download (never shown
    in the page's origin), no type sniffing, a sandboxing Content-Security-Policy, and the
    type from `content_type_for`.

    Example: download_headers("báo cáo.html.txt") ->
        [("Content-Type", "application/octet-stream"),
         ("Content-Disposition", "attachment; filename=\\"bao_cao.html.txt\\"; "
                                 "filename*=UTF-8''b%C3%A1o%20c%C3%A1o.html.txt"),
         ("X-Content-Type-Options", "nosniff"),
         ("Content-Security-Policy", SANDBOX_POLICY), ...]
    """
    name = "".join(ch for ch in filename if unicodedata.category(ch)[0] != "C") or "file"
    disposition = (f'attachment; filename="{_ascii_fallback(name)}"; '
                   f"filename*=UTF-8''{quote(name, safe='')}")
    return [
        ("Content-Type", content_type_for(name)),
        ("Content-Disposition", disposition),
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", SANDBOX_POLICY),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "private, no-store"),
    ]
