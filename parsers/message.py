"""Parse raw message bytes into a ParsedMessage: sender, subject, own text, forwards, attachments.

The MIME tree is the standard library's (compat32): the fast splitter in `parsers.mime` builds it
for well-formed mail, the email package's feed parser for the rest. The tree is walked here, part
by part, so that a forwarded message/rfc822 original stays apart from the forward (mail-parser,
which we used first, merges them: its issue #23).

Every message is hostile until read: the walk is bounded by `Limits` (bytes, parts, depth,
characters, seconds), a part that cannot be read is skipped with a note instead of failing the
message, and every string that leaves here is one clean NFC line or cleaned text. Parsing is
pure: attachment bytes are returned beside the record, and the caller stores them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.errors import MessageError
from email.header import Header
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

from parsers.attachments import attachment_kinds, extension, zip_names
from parsers.auth import read_authentication_results
from parsers.extract import READABLE, document_text
from parsers.headers import (
    first_address,
    header_address,
    header_date,
    header_text,
    raw_header,
    read_from,
)
from parsers.limits import DEFAULT_LIMITS, Limits
from parsers.mime import BoundedMessage, fast_message_from_bytes, full_message_from_bytes
from parsers.records import Attachment, Original, ParsedMessage
from parsers.text import (
    FORWARD_SUBJECT,
    clean_line,
    clean_text,
    cut_quoted,
    decode_bytes,
    find_links,
    html_to_text,
    split_inline_forward,
)
from parsers.tnef import is_tnef, tnef_files

log = logging.getLogger("mailtally.parse")

FILENAME_CHARS = 255
MESSAGE_ID_CHARS = 998  # RFC 5322's line limit
MAX_REFERENCES = 100
MAX_NOTES = 50
MAX_DEFECTS = 50
HEADER_BLOCK_BYTES = 1024 * 1024  # read of a message whose body is not parsed
EXTRACT_BUDGET_FACTOR = 3  # one message's documents share this many times max_extract_seconds
# ... and at most this share of max_message_seconds, so that a document's own time limit always
# ends before the message's (the rest is for the other parts and for placing).
EXTRACT_MESSAGE_SHARE = 0.8
HTML_FACTOR = 8  # HTML kept before conversion, as a multiple of max_text_chars (markup)

# What reading a broken part can raise from the email package, codecs and our own decoding.
_READ_ERRORS = (LookupError, ValueError, TypeError, AttributeError, IndexError, UnicodeError,
                AssertionError, MessageError, RecursionError)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FIRST_HEADER = re.compile(rb"[!-9;-~]{1,76}:")

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
_REPORT_PARTS = ("message/delivery-status", "message/disposition-notification",
                 "text/rfc822-headers")


@dataclass
class _Budget:
    """What one message may still spend, and what was skipped (shared by its whole tree)."""

    limits: Limits
    extract_seconds: float
    parts: int = 0
    text_chars: int = 0
    html_chars: int = 0
    notes: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes and len(self.notes) < MAX_NOTES:
            self.notes.append(text)

    def defect(self, part: Message) -> None:
        for d in getattr(part, "defects", None) or ():
            name = type(d).__name__
            if name not in self.defects and len(self.defects) < MAX_DEFECTS:
                self.defects.append(name)


@dataclass
class _Walk:
    """What a walk over one MIME tree found (mutable scratch, never leaves this module)."""

    budget: _Budget
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    files: list[tuple[Attachment, bytes | None]] = field(default_factory=list)
    originals: list[Original] = field(default_factory=list)
    report_type: str = ""
    failed: list[str] = field(default_factory=list)  # failed recipients in a delivery report


def _body_text(walk: _Walk) -> str:
    plain = "\n\n".join(t for t in walk.plain if t.strip())
    text = plain if plain.strip() else "\n\n".join(html_to_text(h) for h in walk.html)
    limit = walk.budget.limits.max_text_chars
    if len(text) > limit:
        walk.budget.note(f"body text cut at {limit} characters (max_text_chars)")
        text = text[:limit]
    return text


def _filename(part: Message) -> str:
    """The part's file name (Content-Disposition filename, else Content-Type name), decoded:
    RFC 2231 (with a lying or unknown charset), RFC 2047 (not allowed there, but common)."""
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        source = part
        if isinstance(part.get(header), Header):
            # Raw 8-bit bytes: compat32 would hand get_param U+FFFD; decode them first.
            source = BoundedMessage()
            source[header] = raw_header(part.get(header))
        try:
            value = source.get_param(param, None, header)
        except _READ_ERRORS:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text as latin-1)
            charset, _language, text = value
            try:
                value = decode_bytes(str(text).encode("latin-1", "surrogateescape"), charset)
            except UnicodeEncodeError:
                value = str(text)
        name = header_text(value, FILENAME_CHARS) if value else ""
        if name:
            return name
    return ""


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _read_text(part: Message, walk: _Walk, *, html: bool) -> None:
    budget = walk.budget
    limit = budget.limits.max_text_chars
    used = budget.html_chars if html else budget.text_chars
    room = limit * (HTML_FACTOR if html else 1) - used
    if room <= 0:
        budget.note(f"body text past {limit} characters not read (max_text_chars)")
        return
    data = _payload(part)
    if len(data) > room * 4:  # 4 bytes are the most one character takes
        data = data[: room * 4]
        budget.note(f"body text cut at {limit} characters (max_text_chars)")
    try:
        charset = part.get_content_charset()
    except _READ_ERRORS:
        charset = None
    text = decode_bytes(data, charset)[:room]
    if html:
        budget.html_chars += len(text)
        walk.html.append(text)
    else:
        budget.text_chars += len(text)
        walk.plain.append(text)


def _add_file(part: Message, walk: _Walk, ctype: str, disposition: str, filename: str) -> None:
    data = _payload(part)
    inline = disposition == "inline" or (disposition != "attachment" and not filename)
    if not filename:
        cid = clean_line(raw_header(part.get("Content-ID")), 200).strip("<> ")
        ext = extension("", ctype)
        filename = clean_line(f"{cid or 'part'}{'.' + ext if ext else ''}", FILENAME_CHARS)
    if is_tnef(filename, ctype):
        inner = tnef_files(data, walk.budget.limits.max_parts)
        if inner is not None:
            # Outlook's winmail.dat: the files inside are the message's own (contract).
            for name, content in inner:
                _add_bytes(walk, content, "application/octet-stream",
                           clean_line(name, FILENAME_CHARS) or "winmail-part", inline=False)
            return
        walk.budget.note(f"attachment {filename}: an Outlook TNEF file that could not be read")
    _add_bytes(walk, data, ctype, filename, inline=inline)


def _add_bytes(walk: _Walk, data: bytes, ctype: str, filename: str, *, inline: bool) -> None:
    budget = walk.budget
    limits = budget.limits
    ext = extension(filename, ctype)
    inner_names = zip_names(data) if ext == "zip" else ()
    kinds = attachment_kinds(filename, ctype, len(data), inline=inline, inner_names=inner_names)
    payload: bytes | None = data
    text = note = ""
    if len(data) > limits.max_attachment_bytes:
        payload = None
        note = (f"{len(data)} bytes, over max_attachment_bytes ({limits.max_attachment_bytes}): "
                "not saved apart (it stays in the stored message), text not read")
    elif "report" in kinds and ext in READABLE:
        started = time.monotonic()
        text, note = document_text(ext, data, limits,
                                   min(limits.max_extract_seconds, budget.extract_seconds))
        budget.extract_seconds -= time.monotonic() - started
        if note:
            note = f"text {note}"
    if note:
        budget.note(f"attachment {filename}: {note}")
    walk.files.append((Attachment(
        filename=filename,
        content_type=ctype,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        inline=inline,
        kinds=kinds,
        text=clean_text(text),
        inner_names=inner_names,
        note=note,
    ), payload))


def _visit(part: Message, walk: _Walk, depth: int) -> None:
    budget = walk.budget
    limits = budget.limits
    if budget.parts >= limits.max_parts:
        budget.note(f"only the first {limits.max_parts} MIME parts were read (max_parts)")
        return
    budget.parts += 1
    if depth > limits.max_depth:
        budget.note(f"parts nested deeper than {limits.max_depth} levels were not read "
                    "(max_depth)")
        return
    budget.defect(part)
    try:
        _read_part(part, walk, depth)
    except _READ_ERRORS as exc:
        log.debug("part %d not read", budget.parts, exc_info=True)
        budget.note(f"a MIME part could not be read ({type(exc).__name__})")


def _read_part(part: Message, walk: _Walk, depth: int) -> None:
    ctype = clean_line(part.get_content_type(), 200).lower()
    if ctype == "multipart/report":
        walk.report_type = clean_line(str(part.get_param("report-type", "") or ""), 100).lower()
    if ctype == "message/delivery-status":
        _read_delivery_status(part, walk)
    if ctype in _REPORT_PARTS:
        return
    # get_payload() only where the payload is a list: on a leaf, compat32 would decode it with
    # whatever charset the part declares (unicode_escape included).
    payload = part.get_payload() if part.is_multipart() else None
    if part.get_content_maintype() == "message" and isinstance(payload, list):
        inner = payload[0] if payload else None
        if isinstance(inner, Message):
            _read_original(inner, walk, depth)
        return
    if part.is_multipart():
        if isinstance(payload, list):
            for sub_part in payload:
                if walk.budget.parts >= walk.budget.limits.max_parts:
                    walk.budget.note(f"only the first {walk.budget.limits.max_parts} MIME parts "
                                     "were read (max_parts)")
                    break
                if isinstance(sub_part, Message):
                    _visit(sub_part, walk, depth + 1)
        return
    disposition = clean_line(str(part.get_content_disposition() or ""), 50).lower()
    filename = _filename(part)
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        _read_text(part, walk, html=ctype == "text/html")
        return
    _add_file(part, walk, ctype, disposition, filename)


def _read_original(inner: Message, walk: _Walk, depth: int) -> None:
    """A forwarded message/rfc822: its author, subject and text; its files count as the
    forward's own (contract)."""
    sub = _Walk(walk.budget)
    _visit(inner, sub, depth + 1)
    name, addr = header_address(inner.get("From"))
    walk.originals.append(Original(
        sender=addr, sender_name=name,
        subject=header_text(inner.get("Subject")),
        text=cut_quoted(_body_text(sub)),
        date=header_date(inner.get("Date")),
    ))
    walk.files.extend(sub.files)
    walk.originals.extend(sub.originals)


def _is_auto_reply(msg: Message, subject: str) -> bool:
    auto = raw_header(msg.get("Auto-Submitted")).strip().lower()
    if auto and auto != "no":
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond"):
        return True
    precedence = raw_header(msg.get("Precedence")).strip().lower()
    if precedence in ("bulk", "auto_reply", "junk"):
        return True
    return bool(_AUTO_SUBJECT.search(subject))


MAX_FAILED_RECIPIENTS = 20
_RECIPIENT_FIELD = re.compile(r"^(?:final|original)-recipient$", re.IGNORECASE)
# A text bounce (qmail, Postfix, Exim): "<someone@example.vn>:" at the start of a line.
_TEXT_FAILED = re.compile(r"^\s*<([^<>\s@]{1,64}@[^<>\s@]{1,255})>:", re.MULTILINE)


def _add_failed(walk: _Walk, value: str) -> None:
    addr = value.rpartition(";")[2].strip().strip("<>").strip().lower()
    if "@" in addr and addr not in walk.failed and len(walk.failed) < MAX_FAILED_RECIPIENTS:
        walk.failed.append(clean_line(addr, 320))


def _read_delivery_status(part: Message, walk: _Walk) -> None:
    """The recipients a delivery report says failed (RFC 3464: Final-Recipient, else
    Original-Recipient, of each block whose Action is failed)."""
    blocks = part.get_payload() if part.is_multipart() else None
    if not isinstance(blocks, list):
        return
    for block in blocks[:MAX_FAILED_RECIPIENTS + 1]:
        if not isinstance(block, Message):
            continue
        action = raw_header(block.get("Action")).strip().lower()
        if action and action != "failed":
            continue
        found = [raw_header(v) for k, v in block.items() if _RECIPIENT_FIELD.match(k)]
        if found:
            _add_failed(walk, found[0])


def failed_recipients(msg: Message, walk: _Walk, body: str) -> tuple[str, ...]:
    """Who a bounce could not reach: its delivery report, else X-Failed-Recipients, else the
    addresses a text bounce names at the start of a line."""
    if not walk.failed:
        for value in (raw_header(msg.get("X-Failed-Recipients")) or "").split(","):
            _add_failed(walk, value)
    if not walk.failed:
        for addr in _TEXT_FAILED.findall(body[:20_000]):
            _add_failed(walk, addr)
    return tuple(walk.failed)


def _is_bounce(msg: Message, walk: _Walk, sender: str, subject: str) -> bool:
    if walk.report_type in ("delivery-status", "disposition-notification"):
        return True
    if msg.get("X-Failed-Recipients"):
        return True
    null_sender = raw_header(msg.get("Return-Path")).strip() == "<>"
    return bool(_DAEMON.match(sender)) or (bool(_BOUNCE_SUBJECT.search(subject)) and null_sender)


def _headers_only(raw: bytes) -> Message:
    head = raw[:HEADER_BLOCK_BYTES]
    m = _HEADER_END.search(head)
    return BytesHeaderParser(_class=BoundedMessage, policy=compat32).parsebytes(
        head[: m.start()] if m else head)


def read_header_fields(raw: bytes, record: ParsedMessage) -> ParsedMessage:
    """`record` with what the header block of `raw` says filled in: the Message-ID (when the
    record has none), sender, subject and date. For a message that could not be read as a
    whole: its row still shows what could be read."""
    msg = _headers_only(_header_start(raw))
    sender = read_from(msg.get_all("From") or [])
    message_id = record.message_id or clean_line(raw_header(msg.get("Message-ID")),
                                                 MESSAGE_ID_CHARS)
    return replace(record, message_id=message_id, sender=sender.address,
                   sender_name=sender.name, subject=header_text(msg.get("Subject")),
                   date=header_date(msg.get("Date")))


def _other_senders(msg: Message, sender: str) -> tuple[tuple[str, str], ...]:
    """(header, address) of Sender, Reply-To and Return-Path where they name another address
    than From: a reply, or a bounce, would go elsewhere (the office sees it)."""
    out = []
    for name in ("Sender", "Reply-To", "Return-Path"):
        address = first_address(msg.get_all(name) or ())
        if address and address != sender:
            out.append((name, address))
    return tuple(out)


def _header_start(raw: bytes) -> bytes:
    """`raw` from its first header: a byte-order mark (files saved by Windows tools) and blank
    lines before the headers would otherwise turn every header into body text. Only for
    parsing: the stored bytes are never changed."""
    start = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    stripped = start.lstrip(b"\r\n")
    if len(stripped) != len(start) and _FIRST_HEADER.match(stripped):
        return stripped
    return start


def _read_tree(raw: bytes, budget: _Budget) -> tuple[Message, bool]:
    """The MIME tree of `raw`, and whether its body may be walked (False: headers only)."""
    limits = budget.limits
    if len(raw) > limits.max_message_bytes:
        budget.note(f"message of {len(raw)} bytes, over max_message_bytes "
                    f"({limits.max_message_bytes}): only its headers were read")
        return _headers_only(raw), False
    try:
        msg = fast_message_from_bytes(raw, max_parts=limits.max_parts,
                                      max_depth=limits.max_depth)
        return (msg if msg is not None else full_message_from_bytes(
            raw, max_depth=limits.max_depth)), True
    except RecursionError:
        # The email package recurses once per multipart level and gives up near 1,000.
        budget.note("MIME structure nested too deeply to read: only the headers were read")
        return _headers_only(raw), False


def _duplicates(msg: Message, budget: _Budget) -> None:
    for name in ("From", "Sender", "Subject", "Date", "Message-ID"):
        count = len(msg.get_all(name) or ())
        if count > 1:
            budget.note(f"{count} {name} headers: the first was used")


def parse_message(raw: bytes, message_key: str, message_id: str, received_at: datetime, *,
                  limits: Limits = DEFAULT_LIMITS) -> tuple[ParsedMessage, list[bytes | None]]:
    """Read one message under `limits`.

    Returns the record and, aligned with `record.attachments`, each attachment's bytes (None for
    one over `limits.max_attachment_bytes`: it is not to be saved apart).
    Never raises for bad input: a message nothing can be read from comes back with `problem`
    set (reason `unparseable`); what a limit or a broken part left out is in `notes`.
    """
    base = ParsedMessage(message_key=message_key,
                         message_id=clean_line(message_id, MESSAGE_ID_CHARS),
                         received_at=received_at)
    if not raw or raw.isspace():  # not raw.strip(): that copies a 25 MB message to learn no
        return replace(base, problem="empty message"), []
    budget = _Budget(limits, min(limits.max_extract_seconds * EXTRACT_BUDGET_FACTOR,
                                 limits.max_message_seconds * EXTRACT_MESSAGE_SHARE))
    walk = _Walk(budget)
    try:
        msg, walkable = _read_tree(_header_start(raw), budget)
        _duplicates(msg, budget)
        from_field = read_from(msg.get_all("From") or [])
        name, sender = from_field.name, from_field.address
        if not sender:
            name, sender = header_address(msg.get("Sender") or msg.get("Reply-To"))
        if not message_id:  # the store found none (bare-CR line ends): the parser may have
            base = replace(base, message_id=clean_line(raw_header(msg.get("Message-ID")),
                                                       MESSAGE_ID_CHARS))
        subject = header_text(msg.get("Subject"))
        if walkable:
            _visit(msg, walk, 0)
        else:
            budget.defect(msg)
        body = _body_text(walk)
        references = tuple(clean_line(r, MESSAGE_ID_CHARS)
                           for r in raw_header(msg.get("References")).split()[:MAX_REFERENCES])
        in_reply_to = clean_line(raw_header(msg.get("In-Reply-To")), MESSAGE_ID_CHARS)
        date = header_date(msg.get("Date"))
        auto_reply = _is_auto_reply(msg, subject)
        bounce = _is_bounce(msg, walk, sender, subject)
        auth_results = read_authentication_results(
            [raw_header(v) for v in msg.get_all("Authentication-Results") or []])
        other_senders = _other_senders(msg, sender)
        failed = failed_recipients(msg, walk, body) if bounce else ()
    except _READ_ERRORS as exc:
        log.debug("message %s not read", message_key, exc_info=True)
        problem = replace(base, problem=clean_line(f"{type(exc).__name__}: {exc}", 300),
                          notes=tuple(budget.notes), defects=tuple(budget.defects))
        try:
            return read_header_fields(raw, problem), []
        except _READ_ERRORS:
            return problem, []
    own, inline_original = split_inline_forward(
        body, forwarded=bool(FORWARD_SUBJECT.match(subject)))
    own = cut_quoted(own)
    original = walk.originals[0] if walk.originals else inline_original
    links = find_links(own) + (find_links(original.text) if original else [])
    notes, defects = tuple(budget.notes), tuple(budget.defects)
    if not sender and not subject and not walk.files:
        # Without a sender, a subject or a file there is nothing a clerk could place it by.
        return replace(base, problem="no sender, subject or attachment could be read",
                       date=date, notes=notes, defects=defects), []
    for header, _ in other_senders:
        log.info("message_key=%s event=sender_differs header=%s", message_key, header)
    record = replace(
        base,
        sender=sender,
        sender_name=name,
        subject=subject,
        date=date,
        own_text=own,
        links=tuple(dict.fromkeys(links)),
        attachments=tuple(a for a, _ in walk.files),
        forwarded=original,
        in_reply_to=in_reply_to,
        references=references,
        auto_reply=auto_reply,
        bounce=bounce,
        from_mailboxes=from_field.mailboxes,
        written_addresses=from_field.written,
        auth_results=auth_results,
        other_senders=other_senders,
        failed_recipients=failed,
        defects=defects,
        notes=notes,
    )
    return record, [data for _, data in walk.files]
