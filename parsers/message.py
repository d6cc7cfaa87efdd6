"""Parse raw message bytes into a ParsedMessage: sender, subject, own text, forwards, attachments.

mail-parser reads the bytes and decodes the top-level headers. It merges a forwarded
message/rfc822's text and files into the outer message (its issue #23), so the MIME tree is walked
here with the standard library (`parsed.message`, a compat32 `Message`) to keep the forward's
original apart. Parsing is pure: attachment bytes are returned beside the record, and the caller
stores them.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from parsers.attachments import attachment_kinds, attachment_text, extension, zip_names
from parsers.records import Attachment, Original, ParsedMessage
from parsers.text import cut_quoted, find_links, html_to_text, nfc, split_inline_forward

log = logging.getLogger("mailtally.parse")

MAX_DEPTH = 20
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:trả lời tự động|tra loi tu dong|auto(?:matic)?[ -]?reply|autoreply|out of (?:the )?"
    r"office|vắng mặt|không có mặt tại văn phòng|abwesenheit|réponse automatique)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery status notification|delivery failure|mail delivery failed"
    r"|returned mail|failure notice|không gửi được|không thể gửi|read[: ]|đã đọc:)",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)


def decode_header_text(value: object) -> str:
    """An RFC 2047 header as text. Adjacent encoded-words join without a space (RFC 2047 §6.2),
    which Python's header *parser* gets wrong for display names (it writes "Thành ph ố")."""
    if value is None:
        return ""
    text = str(value)
    try:
        decoded = str(make_header(decode_header(text)))
    except (LookupError, UnicodeError, ValueError, AssertionError):
        decoded = text
    return nfc(" ".join(decoded.split()))


def _address(value: object) -> tuple[str, str]:
    """(display name, lower-case address) of a From-like header."""
    if value is None:
        return "", ""
    raw = str(value)
    pairs = getaddresses([raw])
    name, addr = pairs[0] if pairs else ("", "")
    if not addr or "@" not in addr:
        m = re.search(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", raw)
        addr = m.group(0) if m else ""
    return decode_header_text(name), addr.strip().lower()


def _date(value: object) -> datetime | None:
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(" ".join(str(value).split()))
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _decode_payload(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    for enc in (charset, "utf-8", "cp1258"):
        try:
            return nfc(payload.decode(enc))
        except (LookupError, UnicodeDecodeError):
            continue
    return nfc(payload.decode("latin-1"))


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except (TypeError, ValueError, LookupError):
        name = None
    return decode_header_text(name) if name else ""


@dataclass
class _Walk:
    """What a walk over one MIME tree found (mutable scratch, never leaves this module)."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    files: list[tuple[Attachment, bytes]] = field(default_factory=list)
    originals: list[Original] = field(default_factory=list)
    report_type: str = ""


def _body_text(walk: _Walk) -> str:
    plain = "\n\n".join(t for t in walk.plain if t.strip())
    if plain.strip():
        return plain
    return "\n\n".join(html_to_text(h) for h in walk.html)


def _visit(part: Message, walk: _Walk, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise RecursionError(f"MIME nesting deeper than {MAX_DEPTH}")
    ctype = part.get_content_type()
    if ctype == "multipart/report":
        walk.report_type = str(part.get_param("report-type", "") or "").lower()
    if ctype == "message/rfc822" or (part.is_multipart() and part.get_content_maintype()
                                     == "message"):
        inner_list = part.get_payload()
        inner = inner_list[0] if isinstance(inner_list, list) and inner_list else None
        if isinstance(inner, Message):
            sub = _Walk()
            _visit(inner, sub, depth + 1)
            name, addr = _address(inner.get("From"))
            walk.originals.append(Original(
                sender=addr, sender_name=name,
                subject=decode_header_text(inner.get("Subject")),
                text=cut_quoted(_body_text(sub)),
                date=_date(inner.get("Date")),
            ))
            walk.files.extend(sub.files)  # a forward's files count as its own (contract)
            walk.originals.extend(sub.originals)
        return
    if part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub_part in payload:
                if isinstance(sub_part, Message):
                    _visit(sub_part, walk, depth + 1)
        return
    disposition = (part.get_content_disposition() or "").lower()
    filename = _filename(part)
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        (walk.plain if ctype == "text/plain" else walk.html).append(_decode_payload(part))
        return
    if ctype in ("message/delivery-status", "message/disposition-notification",
                 "text/rfc822-headers"):
        return
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = b""
    inline = disposition == "inline" or (disposition != "attachment" and not filename)
    if not filename:
        cid = str(part.get("Content-ID", "") or "").strip("<> ")
        ext = extension("", ctype)
        filename = f"{cid or 'part'}{'.' + ext if ext else ''}"
    inner_names = zip_names(data) if extension(filename, ctype) == "zip" else ()
    kinds = attachment_kinds(filename, ctype, len(data), inline=inline, inner_names=inner_names)
    text = attachment_text(filename, ctype, data) if "report" in kinds else ""
    walk.files.append((Attachment(
        filename=filename,
        content_type=ctype,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        inline=inline,
        kinds=kinds,
        text=nfc(text),
        inner_names=inner_names,
    ), data))


def _is_auto_reply(msg: Message, subject: str) -> bool:
    auto = str(msg.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond"):
        return True
    precedence = str(msg.get("Precedence", "") or "").strip().lower()
    if precedence in ("bulk", "auto_reply", "junk"):
        return True
    return bool(_AUTO_SUBJECT.search(subject))


def _is_bounce(msg: Message, walk: _Walk, sender: str, subject: str) -> bool:
    if walk.report_type in ("delivery-status", "disposition-notification"):
        return True
    if msg.get("X-Failed-Recipients"):
        return True
    return bool(_DAEMON.match(sender)) or (
        bool(_BOUNCE_SUBJECT.search(subject)) and str(msg.get("Return-Path", "")).strip() == "<>")


def _top_message(raw: bytes) -> tuple[Message, list[str]]:
    """The stdlib message tree of `raw`, via mail-parser, and mail-parser's defect names."""
    import mailparser

    try:
        mp: Any = mailparser.parse_from_bytes(raw)
        return mp.message, [str(d) for d in (mp.defects_categories or [])]
    except Exception as exc:  # mail-parser gave up; the stdlib parser is more lenient
        log.debug("mail-parser failed (%s); falling back to the email package", exc)
        from email import message_from_bytes
        return message_from_bytes(raw), [f"mailparser: {type(exc).__name__}"]


def parse_message(raw: bytes, message_key: str, message_id: str,
                  received_at: datetime) -> tuple[ParsedMessage, list[bytes]]:
    """Read one message.

    Returns the record and, aligned with `record.attachments`, each attachment's bytes.
    Never raises for bad input: a message nothing can be read from comes back with `problem`
    set (reason `unparseable`).
    """
    base = ParsedMessage(message_key=message_key, message_id=message_id, received_at=received_at)
    if not raw.strip():
        return replace(base, problem="empty message"), []
    try:
        msg, defects = _top_message(raw)
        name, sender = _address(msg.get("From"))
        if not sender:
            name, sender = _address(msg.get("Sender") or msg.get("Reply-To"))
        subject = decode_header_text(msg.get("Subject"))
        walk = _Walk()
        _visit(msg, walk, 0)
    except (RecursionError, LookupError, ValueError, TypeError, AttributeError,
            IndexError, UnicodeError) as exc:
        return replace(base, problem=f"{type(exc).__name__}: {exc}"[:300]), []
    body = _body_text(walk)
    own, inline_original = split_inline_forward(body)
    own = cut_quoted(own)
    original = walk.originals[0] if walk.originals else inline_original
    links = find_links(own) + (find_links(original.text) if original else [])
    if not sender and not subject and not walk.files:
        # Without a sender, a subject or a file there is nothing a clerk could place it by.
        return replace(base, problem="no sender, subject or attachment could be read",
                       defects=tuple(defects)), []
    references = tuple(str(msg.get("References", "") or "").split())
    record = replace(
        base,
        sender=sender,
        sender_name=name,
        subject=subject,
        date=_date(msg.get("Date")),
        own_text=own,
        links=tuple(dict.fromkeys(links)),
        attachments=tuple(a for a, _ in walk.files),
        forwarded=original,
        in_reply_to=str(msg.get("In-Reply-To", "") or "").strip(),
        references=references,
        auto_reply=_is_auto_reply(msg, subject),
        bounce=_is_bounce(msg, walk, sender, subject),
        defects=tuple(defects),
    )
    return record, [data for _, data in walk.files]
