"""Limits on what parsing one message may cost: bytes, parts, nesting, text and time.

Anyone can mail the office, so a message is treated as hostile input. Each limit bounds one
resource; a message over a limit is still stored whole, parsed as far as the limit allows, and
the record's `notes` say what was skipped. The `[limits]` table of settings.toml sets them.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass

from parsers.records import PARSER_VERSION

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """What one message may cost to parse. The defaults suit an office inbox: a 25 MB Gmail
    attachment (about 34 MB once base64-encoded) passes, a zip or PDF bomb does not.

    Example: Limits(max_attachment_bytes=256 * 1024, max_extract_seconds=2)
    """

    max_message_bytes: int = 64 * MIB  # over it: only the headers are read
    max_attachment_bytes: int = 32 * MIB  # over it: not saved apart, its text not read
    max_parts: int = 1000  # MIME parts walked, containers included
    max_depth: int = 20  # multipart and message/rfc822 nesting
    max_text_chars: int = 100_000  # body text kept, and text read from each attachment
    max_extract_seconds: float = 10.0  # reading the text of one attachment (PDF, docx, ...)
    max_inflate_bytes: int = 16 * MIB  # bytes decompressed from one archive, document or PDF
    max_message_seconds: float = 10.0  # parsing and placing one message, documents included


DEFAULT_LIMITS = Limits()

# Help for each key of [limits], in the order of the record (README and `check` use it).
LIMIT_HELP: dict[str, str] = {
    "max_message_bytes": "a bigger message is stored, but only its headers are read",
    "max_attachment_bytes": "a bigger attachment is counted by its type, not saved apart, "
                            "its text not read",
    "max_parts": "MIME parts read per message (containers included); the rest are skipped",
    "max_depth": "nesting of multipart and forwarded messages read; deeper parts are skipped",
    "max_text_chars": "characters kept of the body, and of the text of each attachment",
    "max_extract_seconds": "time to read the text of one attachment (PDF, docx, xlsx, odt)",
    "max_inflate_bytes": "bytes decompressed from one zip, office document or PDF stream",
    "max_message_seconds": "time to parse and place one message, its documents included; "
                           "past it the message is listed as unparseable",
}
# Upper bounds that keep a typo from disabling a defence (a depth beyond this would hit
# Python's recursion limit, which the email package itself reaches near 1,000 levels).
LIMIT_MAXIMUM: dict[str, float] = {
    "max_message_bytes": 2048 * MIB,
    "max_attachment_bytes": 2048 * MIB,
    "max_parts": 100_000,
    "max_depth": 200,
    "max_text_chars": 10_000_000,
    "max_extract_seconds": 600.0,
    "max_inflate_bytes": 2048 * MIB,
    "max_message_seconds": 3600.0,
}


def cache_version(limits: Limits) -> int:
    """The parse-cache version for messages parsed under `limits`.

    PARSER_VERSION itself under the default limits; other limits give another number, so that
    raising a limit that was set too low makes the next run read the stored messages again.
    """
    if limits == DEFAULT_LIMITS:
        return PARSER_VERSION
    fingerprint = zlib.crc32(repr(sorted(asdict(limits).items())).encode())
    return PARSER_VERSION * 10**10 + fingerprint
