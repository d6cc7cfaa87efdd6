"""A fast MIME splitter for well-formed mail: the same compat32 tree the email package builds.

Python's feed parser reads a message line by line: about 30 MB/s, so a 20 MB photo costs more
than fetching it. Here multipart bodies are cut at their boundaries with `bytes.find`, on offsets
into the one buffer of the message (no body is copied), and only header blocks go through the
email package. A leaf keeps where its body lies; its payload is made only when asked for, and a
base64 body that is clean (the alphabet, line breaks, padding at the end) is decoded straight
from the message's buffer by pybase64 (SIMD: about 4x binascii here, with no copy of the text
first). Anything else takes the email package's own decoding, so the bytes are the same either
way. Anything this splitter is not sure about (no boundary, a boundary that never appears, deep
nesting) returns None, and the caller uses the full parser instead.
"""

from __future__ import annotations

import re
from email import utils as email_utils
from email.feedparser import (  # type: ignore[attr-defined]
    BufferedSubFile,
    FeedParser,
    NeedMoreData,
)
from email.message import Message, _parseparam  # type: ignore[attr-defined]
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any

import pybase64

MAX_DEPTH = 200  # the deepest `max_depth` may be (LIMIT_MAXIMUM): far from the recursion limit
_HEADER_END = re.compile(rb"\r?\n\r?\n")
# Of a header's parameters (Content-Type, Content-Disposition) only this much is read: the email
# package's parameter splitter copies the rest of the value once per `;` (quadratic: a
# Content-Disposition of millions of `;` took 70 s).
PARAM_HEADER_CHARS = 16_384
MAX_PARAMS = 100


class _NotSureError(Exception):
    """The splitter cannot vouch for its result; use the full parser."""


class _Count:
    """Parts built so far, against how many may be (max_parts, plus one that shows the walk
    there were more); and how deep parts are built (max_depth)."""

    def __init__(self, most: int, max_depth: int):
        self.built = 0
        self.most = most
        self.max_depth = max_depth

    def room(self) -> bool:
        return self.built < self.most


class BoundedMessage(Message):
    """A compat32 message whose header parameters are read from a bounded piece of the header
    (PARAM_HEADER_CHARS, MAX_PARAMS parameters): linear whatever the header holds."""

    def _get_params_preserve(self, failobj: Any, header: str) -> Any:
        missing = object()
        value = self.get(header, missing)
        if value is missing:
            return failobj
        text = str(value)[:PARAM_HEADER_CHARS]
        at = -1
        for _ in range(MAX_PARAMS):
            at = text.find(";", at + 1)
            if at < 0:
                break
        else:
            text = text[:at]
        params = []
        for piece in _parseparam(text):
            name, eq, val = piece.partition("=")
            params.append((name.strip(), val.strip()) if eq else (piece.strip(), ""))
        return email_utils.decode_params(params)


class LazyLeaf(BoundedMessage):
    """A compat32 message whose leaf payload is read from the raw buffer when first asked for."""

    _span: tuple[bytes, int, int] | None = None
    _payload: Any  # Message's own attribute, set in its __init__

    def get_payload(self, i: Any = None, decode: bool = False) -> Any:  # noqa: FBT001, FBT002 (the email package's signature)
        span = self._span
        if span is not None:
            if decode and i is None and self._payload is None:
                data = _clean_base64(span, str(self.get("content-transfer-encoding", "")).lower())
                if data is not None:
                    return data
            self._materialise()
        return super().get_payload(i, decode)  # type: ignore[call-overload]

    def set_payload(self, payload: Any, charset: Any = None) -> None:
        self._span = None
        super().set_payload(payload, charset)

    def _materialise(self) -> None:
        raw, start, end = self._span  # type: ignore[misc]
        # As the email package keeps a payload read from bytes: ASCII with surrogate escapes,
        # so that get_payload(decode=True) gives back exactly these bytes (decoded per the CTE).
        self.set_payload(raw[start:end].decode("ascii", "surrogateescape"))


_HEADER_PARSER = BytesHeaderParser(_class=LazyLeaf, policy=compat32)


def _clean_base64(span: tuple[bytes, int, int], cte: str) -> bytes | None:
    """The decoded bytes of a base64 body whose padding, if any, is at its end; None for any
    other body (the email package then decodes it, with its own repairs).

    Characters outside the alphabet (line breaks, stray spaces) are skipped, as the email
    package's lenient decoding skips them; `tests/unit/test_mime.py` checks the two agree on
    damaged bodies. No pass over the text is made besides the decoding itself.
    """
    if cte != "base64":
        return None
    raw, start, end = span
    pad_at = raw.find(b"=", start, end)
    padding = 0
    if pad_at >= 0:
        tail = raw[pad_at:end]
        if len(tail) > 8 or tail.strip(b"=\r\n"):
            return None
        padding = tail.count(b"=")
        if padding > 2:
            return None
    try:
        data = pybase64.b64decode(memoryview(raw)[start:end])
    except ValueError:  # binascii.Error: the email package knows what to make of it
        return None
    return data if (len(data) + padding) % 3 == 0 else None


def _split_head(raw: bytes, start: int, end: int) -> tuple[bytes, int]:
    """The header block (with a final line break) and where the body starts."""
    if raw.startswith(b"\r\n", start, end):
        return b"", start + 2
    if raw.startswith(b"\n", start, end):
        return b"", start + 1
    m = _HEADER_END.search(raw, start, end)
    if m is None:
        return raw[start:end], end
    return raw[start: m.start()] + b"\n", m.end()


_LINE_REST = re.compile(rb"[ \t]*(?:\r?\n|$)")


def _ends_delimiter(raw: bytes, at: int, end: int) -> bool:
    """Whether a delimiter line may end at `at`: only blanks, then the line's end (RFC 2046
    §5.1.1, as the email package reads it). "--b1" does not start "--b10"."""
    return _LINE_REST.match(raw, at, min(end, at + 200)) is not None if at < end else True


def _parts(raw: bytes, start: int, end: int, boundary: bytes) -> list[tuple[int, int]]:
    """Where the parts between `--boundary` lines lie; the preamble and epilogue are dropped."""
    delimiter = b"--" + boundary
    positions = []
    at = start
    while True:
        i = raw.find(delimiter, at, end)
        if i < 0:
            break
        at_line_start = i == start or raw[i - 1] == 0x0A
        after = i + len(delimiter)
        closing = raw.startswith(b"--", after, end)
        if at_line_start and _ends_delimiter(raw, after + 2 if closing else after, end):
            positions.append((i, closing))
        at = i + len(delimiter)
    if not positions:
        raise _NotSureError("boundary not found")
    closings = [i for i, (_, closing) in enumerate(positions) if closing]
    if closings and closings[0] != len(positions) - 1:
        raise _NotSureError("delimiters after the closing one")
    parts = []
    for (pos, closing), nxt in zip(positions, [*positions[1:], None], strict=True):
        if closing:
            break
        line_end = raw.find(b"\n", pos, end)
        if line_end < 0:
            break
        part_start = line_end + 1
        part_end = nxt[0] if nxt is not None else end
        # The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
        if nxt is not None:
            if raw.endswith(b"\r\n", part_start, part_end):
                part_end -= 2
            elif raw.endswith(b"\n", part_start, part_end):
                part_end -= 1
        parts.append((part_start, part_end))
    if not parts:
        raise _NotSureError("no parts")
    return parts


def _build(raw: bytes, start: int, end: int, depth: int, count: _Count) -> Message:
    if depth > count.max_depth:
        # The walk reads nothing this deep (it notes max_depth): an empty part stands for it,
        # and nothing below is split (the email package's parser checks every line against
        # every open boundary: quadratic in the nesting).
        count.built += 1
        return BoundedMessage()
    if depth > MAX_DEPTH:
        raise _NotSureError("too deep")
    count.built += 1
    head, body_start = _split_head(raw, start, end)
    if b"\r" in head.replace(b"\r\n", b""):
        raise _NotSureError("bare CR line ends")
    msg = _HEADER_PARSER.parsebytes(head)
    if msg.defects:
        raise _NotSureError("header defects")
    ctype = msg.get_content_type()
    if msg.get_content_maintype() == "multipart":
        boundary = msg.get_boundary()
        if not boundary:
            raise _NotSureError("multipart without boundary")
        delimiter = boundary.encode("ascii", "surrogateescape")
        children: list[Any] = []
        for s, e in _parts(raw, body_start, end, delimiter):
            if not count.room():  # parts past max_parts are never built
                break
            children.append(_build(raw, s, e, depth + 1, count))
        msg.set_payload(children)
        return msg
    if ctype == "message/rfc822":
        cte = str(msg.get("Content-Transfer-Encoding", "")).strip().lower()
        if cte in ("base64", "quoted-printable"):
            raise _NotSureError("encoded message/rfc822")
        inner: list[Any] = [_build(raw, body_start, end, depth + 1, count)]
        msg.set_payload(inner)
        return msg
    assert isinstance(msg, LazyLeaf)
    msg._payload = None  # the header parser left '' here; the body is read when asked for
    msg._span = (raw, body_start, end)
    return msg


def fast_message_from_bytes(raw: bytes, *, max_parts: int = 1_000_000,
                            max_depth: int = MAX_DEPTH) -> Message | None:
    """The compat32 tree of a well-formed message, or None when the full parser should read it.

    At most `max_parts` + 1 parts are built (containers included, in the order the walk reads
    them): the walk reads `max_parts` and, seeing one more, notes that the rest was skipped.
    Parts nested deeper than `max_depth` are empty (the walk notes max_depth there)."""
    try:
        return _build(raw, 0, len(raw), 0, _Count(max_parts + 1, max_depth))
    except (_NotSureError, RecursionError, LookupError, ValueError, UnicodeError):
        return None


class _InnermostBoundaries(BufferedSubFile):  # type: ignore[misc]
    """The email package's line buffer, checking each line against the innermost `open`
    boundaries only. The package checks every open boundary (RFC 2046 lets an outer one end
    inner parts), which costs lines x nesting: quadratic for mail nested hundreds deep. Parts
    that deep are never read (max_depth), so an outer boundary written that deep does not
    need to be seen."""

    def __init__(self, open_boundaries: int):
        super().__init__()
        self._open = open_boundaries

    def readline(self) -> Any:
        if not self._lines:
            return "" if self._closed else NeedMoreData
        line = self._lines.popleft()
        for ateof in reversed(self._eofstack[-self._open:]):
            if ateof(line):
                self._lines.appendleft(line)
                return ""
        return line


def full_message_from_bytes(raw: bytes, *, max_depth: int = MAX_DEPTH) -> Message:
    """The email package's compat32 tree of any message (what `message_from_bytes` builds),
    with bounded parameters (BoundedMessage) and boundaries checked in linear time."""
    parser = FeedParser(BoundedMessage, policy=compat32)
    parser._input = _InnermostBoundaries(max_depth + 2)  # type: ignore[attr-defined]
    parser.feed(raw.decode("ascii", "surrogateescape"))
    result: Message = parser.close()
    return result
