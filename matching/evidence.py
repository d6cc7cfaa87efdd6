"""Evidence: which of the kinds `report` and `images` one message carries (contract, "Evidence")."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsers.records import ParsedMessage
from parsers.text import squeeze

REPORT_TEXT_CHARS = 300  # whitespace runs count as one

# Photo and file sharing services whose links count as photos.
SHARING_HOSTS = (
    "drive.google.com", "photos.google.com", "photos.app.goo.gl", "onedrive.live.com",
    "1drv.ms", "sharepoint.com", "dropbox.com", "db.tt",
    "icloud.com", "fshare.vn", "mega.nz", "mediafire.com", "wetransfer.com", "we.tl",
    "box.com", "flickr.com", "flic.kr", "imgur.com", "terabox.com", "drive.proton.me",
    # Zalo: photo and file links (its media servers); zalo.me itself is judged by its path.
    "photo.zalo.me", "zdn.vn", "zadn.vn",
)
ZALO_HOSTS = ("zalo.me", "zaloapp.com")
# zalo.me links that are not photos: a person's or page's chat (zalo.me/0903123456,
# zalo.me/tendoan), a group invitation (zalo.me/g/...), an official account (zalo.me/s/...).
_ZALO_NOT_PHOTOS = re.compile(r"^/*(?:[^/]+|g/.*|s/.*)/*$")


def _zalo_photos(path: str) -> bool:
    """A Zalo album or photo shared as a link (zalo.me/album/..., zalo.me/l/..., photo links);
    a bare chat link or a group invitation is not one."""
    return bool(path.strip("/")) and not _ZALO_NOT_PHOTOS.match(path)


def is_sharing_link(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if any(host == h or host.endswith("." + h) for h in SHARING_HOSTS):
        return True
    return any(host == h or host.endswith("." + h) for h in ZALO_HOSTS) and _zalo_photos(
        parts.path)


def own_words(parsed: ParsedMessage) -> str:
    """The author's text: the sender's own, plus a forwarded original's."""
    parts = [parsed.own_text]
    if parsed.forwarded is not None:
        parts.append(parsed.forwarded.text)
    return "\n".join(p for p in parts if p)


def evidence_kinds(parsed: ParsedMessage) -> tuple[str, ...]:
    """Evidence kinds present in one message, in the contract's order ("report", "images")."""
    found: set[str] = set()
    for attachment in parsed.attachments:
        found.update(attachment.kinds)
    if len(squeeze(own_words(parsed))) >= REPORT_TEXT_CHARS:
        found.add("report")
    if any(is_sharing_link(u) for u in parsed.links):
        found.add("images")
    return tuple(k for k in ("report", "images") if k in found)
