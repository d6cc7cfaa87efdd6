"""Header values as clean text: 8-bit bytes, RFC 2047 encoded-words, addresses and dates.

Headers are written by strangers and by broken clients. Everything here accepts any input, takes
linear time, and returns one line of NFC text without control characters.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header, decode_header
from email.utils import getaddresses, parsedate_to_datetime

from parsers.auth import strip_comments
from parsers.text import clean_line, decode_bytes

HEADER_RAW_CHARS = 16_384  # of one header value looked at; a 1 MB header line is cut here
SUBJECT_CHARS = 1000
NAME_CHARS = 300
ADDRESS_CHARS = 320  # RFC 5321: 64 + 1 + 255

_SURROGATE = re.compile(r"[\udc80-\udcff]")
# One encoded-word (RFC 2047 §2). The text of a Q or B word never holds "?", so `[^?]*` stops at
# the first "?" and the search stays linear. Spaces inside are tolerated (broken encoders).
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,75})\?([QqBb])\?([^?]*)\?=")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
_ADDRESS = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8}")
_EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def raw_header(value: object) -> str:
    """A header value as text, 8-bit bytes decoded (UTF-8, else windows-1258, else latin-1) but
    encoded-words left as they are; at most HEADER_RAW_CHARS characters."""
    if value is None:
        return ""
    if isinstance(value, Header):
        # compat32 hands back a Header for a value with raw 8-bit bytes; its chunks hold them.
        parts = []
        for chunk, _charset in decode_header(value):
            parts.append(decode_bytes(chunk) if isinstance(chunk, bytes) else chunk)
        text = "".join(parts)
    else:
        text = str(value)
        if _SURROGATE.search(text):
            text = decode_bytes(text.encode("utf-8", "surrogateescape"))
    return text[:HEADER_RAW_CHARS]


def _word_bytes(encoding: str, text: str) -> bytes | None:
    """The bytes of one encoded-word's text; None when they cannot be had."""
    data = text.encode("ascii", "replace")
    if encoding in "Qq":
        return _QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data.replace(b"_", b" "))
    data = _NOT_BASE64.sub(b"", data)
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
    try:
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except binascii.Error:
        return None


def decode_encoded_words(text: str) -> str:
    """`text` with its RFC 2047 encoded-words decoded.

    Whitespace between two encoded-words is dropped (RFC 2047 §6.2), and adjacent words in one
    charset are decoded together, since some clients split a UTF-8 character between two words.
    An undecodable word stays as written; an unknown charset falls back as `decode_bytes` does.
    """
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    pos = 0

    def flush() -> None:
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset))
            pending.clear()

    for m in _ENCODED_WORD.finditer(text):
        between = text[pos:m.start()]
        charset = m.group(1).split("*", 1)[0]  # RFC 2231 §5: charset*language
        data = _word_bytes(m.group(2), m.group(3))
        if data is None:
            flush()
            out.append(between + m.group(0))
        else:
            if between and not (pending and between.isspace()):
                flush()
                out.append(between)
            elif pending and charset.lower() != pending_charset.lower():
                flush()
            pending.append(data)
            pending_charset = charset
        pos = m.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


def header_text(value: object, max_chars: int = SUBJECT_CHARS) -> str:
    """A header such as Subject as one clean line of text, at most `max_chars` characters."""
    return clean_line(decode_encoded_words(raw_header(value)), max_chars)


@dataclass(frozen=True, slots=True)
class FromField:
    """What a From-like header holds: the first mailbox's display name and address, how many
    mailboxes it names, and the other addresses written in it (in a display name or a comment,
    where a reader sees them but no reply goes).

    Example: FromField("doan@stp.vn", "attacker@evil.example", 1, ("doan@stp.vn",))
    """

    name: str = ""
    address: str = ""
    mailboxes: int = 0
    written: tuple[str, ...] = ()


_ANGLE = re.compile(r"<\s*([^<>\s]{1,320}@[^<>\s]{1,255})\s*>")


def _mailboxes(raw: str) -> list[tuple[str, str]]:
    """(name, address) pairs of one header value; an address only where one really is."""
    try:
        pairs = [(n, a) for n, a in getaddresses([raw]) if a and "@" in a]
    except (ValueError, TypeError, IndexError, RecursionError):
        # Deeply nested comments make the email package recurse until it gives up: look for
        # the address outside comments and quoted strings, as a reader would.
        pairs = []
        bare = strip_comments(raw, quotes=True)
        if "<" in bare:
            pairs = [("", m.group(1)) for m in _ANGLE.finditer(bare)]
        if not pairs:
            pairs = [("", m.group(0)) for m in _ADDRESS.finditer(bare)]
    if len(pairs) > 1:
        # "roster@unit.vn <attacker@evil>" unquoted: the angle address is the mailbox a reply
        # goes to; what stands before it only looks like one.
        angled = {m.group(1).lower() for m in _ANGLE.finditer(raw)}
        pairs.sort(key=lambda p: p[1].lower() not in angled)
    return pairs


def read_from(values: Sequence[object], *, written: bool = True) -> FromField:
    """The From field of a message (every From header counted: two headers, two mailboxes);
    with `written`, the other addresses written in it too."""
    mailboxes: list[tuple[str, str]] = []
    raws = [raw_header(v) for v in values[:5]]
    for raw in raws:
        if raw.strip():
            mailboxes += _mailboxes(raw)
    if not mailboxes:
        return FromField(written=_written(raws, "") if written else ())
    name, addr = mailboxes[0]
    address = clean_line(addr, ADDRESS_CHARS).replace(" ", "").lower()
    # Two From headers are two claims, even when one of them names no address.
    count = max(len(mailboxes), len(values))
    return FromField(clean_line(decode_encoded_words(name), NAME_CHARS) if name else "",
                     address, count, _written(raws, address) if written else ())


def _written(raws: list[str], own: str) -> tuple[str, ...]:
    """Addresses written anywhere in the values (decoded too) but the sender's own."""
    found: dict[str, None] = {}
    for raw in raws:
        # Most From fields hold one "@" and no encoded-word: nothing else to find there.
        texts = [raw] if raw.count("@") > (1 if own else 0) else []
        if "=?" in raw:
            texts.append(decode_encoded_words(raw))
        for text in texts:
            for m in _ADDRESS.finditer(text):
                addr = m.group(0).lower()
                if addr != own and len(found) < 20:
                    found[addr] = None
    return tuple(found)


def first_address(values: Sequence[object]) -> str:
    """The (lower-case) address of a Sender-like header, cheaply: the first angle address, else
    the first address outside comments and quoted strings; '' when there is none."""
    raw = raw_header(values[0]) if values else ""
    if "@" not in raw:
        return ""
    if "(" in raw or '"' in raw:
        raw = strip_comments(raw, quotes=True)
    m = _ANGLE.search(raw) if "<" in raw else None
    found = m.group(1) if m else (a.group(0) if (a := _ADDRESS.search(raw)) else "")
    return clean_line(found, ADDRESS_CHARS).replace(" ", "").lower()


def header_address(value: object) -> tuple[str, str]:
    """(display name, lower-case address) of a From-like header; ('', '') when there is none.

    The address is taken before encoded-words are decoded, so that a name cannot smuggle in an
    address of its own ("=?utf-8?q?a=40b.vn?=" stays a name), and never from a display name:
    `"doan@stp.vn" <>` has no address."""
    if value is None:
        return "", ""
    field = read_from([value], written=False)
    return field.name, field.address


def header_date(value: object) -> datetime | None:
    """An aware datetime from a Date-like header; None when it does not parse or is absurd
    (before 1980 or after 2199: a forged year 1 or 9999 would overflow time zone arithmetic)."""
    text = " ".join(raw_header(value)[:300].split())
    if not text:
        return None
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        if not _EARLIEST <= dt <= _LATEST:
            return None
    except OverflowError:
        return None
    return dt
