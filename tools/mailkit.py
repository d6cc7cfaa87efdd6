"""What the test-data generators share for building mail and documents: the fixed clock of 2023
in Hà Nội's zone, stable pseudo-random names from a key, Vietnamese without diacritics, zip
archives with a fixed timestamp, and the bytes of a message with boundaries derived from its key
(so that every run writes the same bytes).

Used by make_demo_inbox.py and make_matching_corpus.py (run as scripts from this folder).
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage, Message

POLICY = policy.default
ICT = timezone(timedelta(hours=7), "ICT")  # Asia/Ho_Chi_Minh has no DST

Boundary = Callable[[str, int], str]  # (message key, n-th multipart) -> boundary


def at(month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A local (UTC+7) time in 2023."""
    return datetime(2023, month, day, hour, minute, second, tzinfo=ICT)


def digest(*parts: object) -> str:
    """A stable hex digest of `parts` (seeds, boundaries, identifiers)."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def unaccent(text: str) -> str:
    """Vietnamese text without diacritics ("Đoàn Sở" -> "Doan So")."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def make_zip(files: Sequence[tuple[str, bytes]], when: datetime) -> bytes:
    """A zip of already-compressed files (stored), with a fixed timestamp."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files:
            entry = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return out.getvalue()


def _tidy(part: Message, count: list[int], key: str, boundary: Boundary, *,
          is_message: bool) -> None:
    """Fix the boundaries below `part`; drop the MIME-Version the email package puts on parts."""
    if not is_message:
        del part["MIME-Version"]
    if part.get_content_maintype() == "multipart":
        part.set_boundary(boundary(key, count[0]))
        count[0] += 1
    if part.is_multipart():
        nested = part.get_content_type() == "message/rfc822"
        for child in part.get_payload():
            if isinstance(child, Message):
                _tidy(child, count, key, boundary, is_message=nested)


def serialise(key: str, msg: EmailMessage, boundary: Boundary) -> bytes:
    """The message's bytes, every multipart boundary fixed by `boundary` from the file key."""
    _tidy(msg, [0], key, boundary, is_message=True)
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=POLICY).flatten(msg)
    return out.getvalue()
