"""parse_message never raises, whatever the bytes: generated malformed MIME (random headers,
boundaries, encodings, charsets, nesting, truncations, flipped bytes, line endings) always gives a
record whose strings are safe to store and show. Plus the text helpers on adversarial input, in
linear time."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.headers import decode_encoded_words, header_address, header_text
from parsers.limits import Limits
from parsers.message import parse_message
from parsers.records import ParsedMessage, from_json, to_json
from parsers.text import clean_line, cut_quoted, decode_bytes, html_to_text, split_inline_forward

AT = datetime(2023, 8, 11, 10, 0, tzinfo=UTC)
LIMITS = Limits(max_parts=60, max_depth=6, max_text_chars=5_000, max_extract_seconds=0.5,
                max_attachment_bytes=20_000, max_message_bytes=200_000,
                max_inflate_bytes=100_000)
FUZZ = settings(max_examples=500, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_BAD = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

HEADER_NAMES = ["From", "To", "Subject", "Date", "Message-ID", "Content-Type",
                "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version", "Reply-To",
                "Sender", "References", "In-Reply-To", "Auto-Submitted", "Content-ID", "X-Junk"]
CHARSETS = ["utf-8", "windows-1258", "iso-8859-1", "viscii", "x-unknown", "unicode_escape",
            "utf-16", "", "us-ascii", "koi8-r", "utf-7", "rot13", '"utf-8"']
CTYPES = ["text/plain", "text/html", "application/pdf", "application/zip", "image/jpeg",
          "application/octet-stream", "message/rfc822", "multipart/mixed", "text/rfc822-headers",
          "message/delivery-status", "multipart/report", "///", ""]
ENCODINGS = ["base64", "quoted-printable", "7bit", "8bit", "binary", "x-uuencode", "x-bogus", ""]
FILENAMES = ["a.pdf", "../../x.docx", "CON", "=?utf-8?q?B=C3=A1o?=.pdf", "x.zip", "\x00.jpg",
             "b" * 300 + ".xlsx", "C:\\x\\y.pdf", "", "anh.png"]

texts = st.text(st.characters(codec="utf-8"), max_size=40)
tokens = st.one_of(
    texts,
    st.sampled_from(["=?utf-8?B?QsOhbyBjw6Fv?=", "=?x-unknown?Q?a=E1?=", "=?utf-8?Q?=E1=BB?=",
                     "=?utf-8?B?####", "<a@b>", "\"x\" <y@z.vn>", "@", "=HYPERLINK(1)",
                     "; boundary=\"b\"", "; charset=", "filename*=utf-8''%E1%BB%87.pdf",
                     "Đoàn Sở Tư pháp", "\r\n\t", "\udcff"]),
)


@st.composite
def header_line(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(HEADER_NAMES) | texts.map(lambda t: t[:10]))
    value = "".join(draw(st.lists(tokens, max_size=4)))
    if name == "Content-Type" and draw(st.booleans()):
        value = (f"{draw(st.sampled_from(CTYPES))}; charset={draw(st.sampled_from(CHARSETS))}"
                 f'; boundary="{draw(st.sampled_from(["b", "", "b" * 80, "x y", "--"]))}"')
    if name == "Content-Disposition" and draw(st.booleans()):
        value = f'attachment; filename="{draw(st.sampled_from(FILENAMES))}"'
    if name == "Content-Transfer-Encoding":
        value = draw(st.sampled_from(ENCODINGS))
    return f"{name}: {value}"


@st.composite
def body(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["text", "bytes", "base64ish", "qp", "html", "zip", "pdf"]))
    if kind == "text":
        return draw(texts).encode("utf-8", "surrogatepass")
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "base64ish":
        return draw(st.text("ABCDEFGHabcdefgh0123456789+/=\n!@", max_size=120)).encode()
    if kind == "qp":
        return draw(st.text("=ABCDEF0123456789 \nxyz", max_size=120)).encode()
    if kind == "html":
        return draw(st.text("<>/=\"' abpdivscriptlq!-&;#", max_size=200)).encode()
    if kind == "zip":
        return b"PK\x03\x04" + draw(st.binary(max_size=120))
    return b"%PDF-1.4\n" + draw(st.binary(max_size=120))


@st.composite
def mime(draw: st.DrawFn, depth: int = 0) -> bytes:
    headers = draw(st.lists(header_line(), max_size=6))
    if depth < 4 and draw(st.integers(0, 3)) == 0:
        boundary = draw(st.sampled_from(["b", "bb", "b b", "", "x" * 70, "=_x"]))
        children = draw(st.lists(mime(depth + 1), max_size=4))
        close = draw(st.booleans())
        head = "\n".join([*headers, f'Content-Type: multipart/mixed; boundary="{boundary}"'])
        out = head.encode("utf-8", "surrogatepass") + b"\n\n"
        for child in children:
            out += b"--" + boundary.encode() + b"\n" + child + b"\n"
        return out + (b"--" + boundary.encode() + b"--\n" if close else b"")
    if depth < 6 and draw(st.integers(0, 6)) == 0:
        head = "\n".join([*headers, "Content-Type: message/rfc822"])
        return head.encode("utf-8", "surrogatepass") + b"\n\n" + draw(mime(depth + 1))
    return "\n".join(headers).encode("utf-8", "surrogatepass") + b"\n\n" + draw(body())


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    raw = draw(mime())
    if draw(st.integers(0, 3)):  # mostly with the headers a placeable message has
        sender = draw(st.sampled_from(["a@b.vn", "Đoàn <x@y.vn>", "=?utf-8?Q?=C3=81?= <z@w>", ""]))
        raw = f"From: {sender}\nSubject: {draw(tokens)}\n".encode("utf-8", "surrogatepass") + raw
    newline = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    raw = raw.replace(b"\n", newline)
    if draw(st.booleans()) and raw:
        raw = raw[: draw(st.integers(0, len(raw)))]
    for _ in range(draw(st.integers(0, 3))):
        if raw:
            i = draw(st.integers(0, len(raw) - 1))
            raw = raw[:i] + bytes([draw(st.integers(0, 255))]) + raw[i + 1:]
    return raw


def check_record(parsed: ParsedMessage, payloads: list[bytes | None]) -> None:
    assert isinstance(parsed, ParsedMessage)
    assert len(payloads) == len(parsed.attachments)
    one_line = [parsed.sender, parsed.sender_name, parsed.subject, parsed.message_id,
                parsed.in_reply_to, *parsed.references, *parsed.notes]
    for a in parsed.attachments:
        one_line += [a.filename, a.content_type, *a.inner_names]
    if parsed.forwarded is not None:
        one_line += [parsed.forwarded.sender, parsed.forwarded.sender_name,
                     parsed.forwarded.subject]
    for value in one_line:
        assert not _BAD.search(value) and "\n" not in value and "\t" not in value, repr(value)
    for value in [parsed.own_text, *(a.text for a in parsed.attachments)]:
        assert not _BAD.search(value), repr(value[:200])
    assert len(parsed.subject) <= 1000 and len(parsed.own_text) <= LIMITS.max_text_chars
    if not parsed.problem:
        assert parsed.sender or parsed.subject or parsed.attachments
    # Storable: the parse cache keeps it as UTF-8 JSON, and reads it back equal.
    text = json.dumps(to_json(parsed), ensure_ascii=False)
    text.encode("utf-8")
    assert from_json(json.loads(text)) == parsed


@FUZZ
@given(messages())
def test_generated_malformed_mime_never_raises(raw: bytes) -> None:
    parsed, payloads = parse_message(raw, "k", "<m@x>", AT, limits=LIMITS)
    check_record(parsed, payloads)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    parsed, payloads = parse_message(raw, "k", "\x00<m@x>\x1b", AT, limits=LIMITS)
    check_record(parsed, payloads)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=300), st.sampled_from(CHARSETS))
def test_header_and_byte_decoding_never_raise(text: str, charset: str) -> None:
    for value in (header_text(text), header_address(text)[0], header_address(text)[1],
                  clean_line(text), decode_bytes(text.encode("utf-8", "surrogatepass"), charset)):
        assert not _BAD.search(value.replace("\n", "").replace("\t", ""))
    decode_encoded_words(text)


def test_lying_and_unknown_charsets_decode_to_the_words_meant() -> None:
    words = "Đoàn Thanh niên Sở Tư pháp"
    assert decode_bytes(words.encode(), "iso-8859-1") == words  # says latin-1, is UTF-8
    assert decode_bytes(words.encode(), "x-klingon") == words
    assert decode_bytes("Báo cáo".encode("cp1258"), "utf-8") == "Báo cáo"  # says UTF-8, isn't
    assert decode_bytes(b"\x80\xe1", "VISCII") == "Ạá"
    assert decode_bytes(b"\\ud800", "unicode_escape") == "\\ud800"  # not a charset: refused
    assert header_text("=?utf-8?Q?Th=E1=BB?= =?utf-8?Q?=91?=") == "Thố"  # a letter split in two
    assert header_text("=?utf-8?Q?Th=C3=A0nh_ph?= =?utf-8?Q?=E1=BB=91?=") == "Thành phố"
    assert header_address("=?utf-8?Q?a=40b.vn?= <x@y.vn>") == ("a@b.vn", "x@y.vn")


def test_text_helpers_take_linear_time_on_adversarial_input() -> None:
    started = time.monotonic()
    html_to_text("<a" * 200_000)  # html.parser: minutes
    html_to_text("<div>" * 30_000 + "</span>" * 30_000)
    html_to_text("<![CDATA[" * 50_000 + "<!--" * 50_000)
    cut_quoted("x <a\n" * 20_000)
    split_inline_forward("---------- Forwarded message ---------\nFrom: " + "a" * 100_000)
    header_address("<" + "a" * 100_000)
    header_text("=?a?q?" * 20_000)
    assert time.monotonic() - started < 5
