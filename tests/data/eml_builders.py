"""Build realistic Vietnamese test messages as bytes, with the standard library only.

Attachments are real files of the requested size (a .docx that python-docx opens, a .pdf
that pypdf reads, a .jpg that Pillow decodes), padded deterministically, so the program
under test can extract text or make thumbnails from them. Same arguments, same bytes.

    raw = build_message(
        sender="doantn.stc@example.gov.vn",
        sender_name="Đoàn TN Sở Tài chính",
        subject="Báo cáo 178-TB/ĐTN",
        body="Kính gửi Văn phòng Đoàn Khối, ...",
        date=datetime(2023, 8, 11, 10, 41, tzinfo=VN),
        message_id="<bc-178-d01@example.gov.vn>",
        attachments=[docx("Báo cáo.docx", size=30_000), jpg("Ảnh 1.jpg", size=60_000)],
    )
"""

from __future__ import annotations

import io
import random
import unicodedata
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

__all__ = [
    "OFFICE_ADDRESS",
    "Attachment",
    "build_message",
    "docx",
    "docx_bytes",
    "garbage_bytes",
    "jpeg_bytes",
    "jpg",
    "pdf",
    "pdf_bytes",
    "truncated_message",
]

OFFICE_ADDRESS = "doankhoi@example.gov.vn"
OFFICE_NAME = "Văn phòng Đoàn Khối"

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# A 16x12 baseline JPEG made once with Pillow; jpeg_bytes() grows it with COM segments.
_TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb0043000d090a0b0a080d0b0a0b0e0e0d0f1320151312"
    "1213271c1e17202e2931302e292d2c333a4a3e333646372c2d405741464c4e525352323e5a615a50604a5152"
    "4fffdb0043010e0e0e131113261515264f352d354f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f"
    "4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4fffc0001108000c001003012200"
    "021101031101ffc400160001010100000000000000000000000000000405ffc4001810010003010000000000"
    "0000000000000000021351a1ffc4001501010100000000000000000000000000000306ffc400211100010204"
    "0700000000000000000000000104110002031205132131516181ffda000c03010002110311003f00cbb21bc4"
    "e0250aa7aed701a450a1c3a922bb2c92edbf5e0e63ffd9"
)

_DEFAULT_REPORT_TEXT = (
    "BÁO CÁO KẾT QUẢ NGÀY HOẠT ĐỘNG CAO ĐIỂM\n"
    "Thực hiện Thông báo số 178-TB/ĐTN của Ban Thường vụ Đoàn Khối, đơn vị đã tổ chức "
    "các hoạt động tình nguyện hè, sinh hoạt chuyên đề và thăm hỏi thiếu nhi có hoàn cảnh "
    "khó khăn trong kỳ nghỉ hồng. Tổng số đoàn viên tham gia: 45 đồng chí."
)


def _seed(*parts: object) -> int:
    return zlib.crc32("\x1f".join(map(str, parts)).encode("utf-8"))


def _filler(size: int, seed: int) -> bytes:
    """Deterministic printable filler (compresses poorly, like real content)."""
    rng = random.Random(seed)
    alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
    return bytes(rng.choice(alphabet) for _ in range(max(size, 0)))


# -- files ---------------------------------------------------------------------------------


def docx_bytes(text: str = _DEFAULT_REPORT_TEXT, size: int = 0, seed: int = 0) -> bytes:
    """A minimal valid .docx with one paragraph per line of `text`, at least `size` bytes."""
    paragraphs = "".join(
        '<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>'.format(
            line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        )
        for line in text.splitlines()
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="bin" ContentType="application/octet-stream"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>"
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{paragraphs}</w:body></w:document>"
        ),
    }

    def pack(padding: bytes) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name, content in parts.items():
                info = zipfile.ZipInfo(name, date_time=(2023, 8, 10, 9, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, content.encode("utf-8"))
            if padding:
                # An unreferenced part: Word and python-docx ignore it.
                info = zipfile.ZipInfo("customXml/padding.bin", date_time=(2023, 8, 10, 9, 0, 0))
                zf.writestr(info, padding)  # stored, so the size is predictable
        return buf.getvalue()

    data = pack(b"")
    if len(data) < size:
        data = pack(_filler(size - len(data) - 120, seed or _seed("docx", text, size)))
    return data


def pdf_bytes(text: str = _DEFAULT_REPORT_TEXT, size: int = 0, seed: int = 0) -> bytes:
    """A minimal valid one-page .pdf showing `text` (diacritics dropped: Helvetica is Latin-1),
    at least `size` bytes."""
    ascii_lines = [
        unicodedata.normalize("NFKD", line.replace("Đ", "D").replace("đ", "d"))
        .encode("ascii", "ignore")
        .decode("ascii")
        .replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
        for line in text.splitlines()
    ]
    content = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({s}) '" for s in ascii_lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content.encode("ascii")),
    ]

    def assemble(padding: bytes) -> bytes:
        objs = list(objects)
        if padding:  # an unreferenced stream object, listed in the xref like any other
            objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(padding), padding))
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objs, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
        out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objs) + 1,
            xref,
        )
        return bytes(out)

    data = assemble(b"")
    if len(data) < size:
        data = assemble(_filler(size - len(data) - 80, seed or _seed("pdf", text, size)))
    return data


def jpeg_bytes(size: int = 0, seed: int = 0) -> bytes:
    """A valid 16x12 JPEG grown to at least `size` bytes with comment (COM) segments."""
    body = _TINY_JPEG[2:]
    missing = max(size - len(_TINY_JPEG), 0)
    filler = _filler(missing, seed or _seed("jpeg", size))
    segments = bytearray()
    while filler or not segments:
        chunk, filler = filler[:65533], filler[65533:]
        segments += b"\xff\xfe" + (len(chunk) + 2).to_bytes(2, "big") + chunk
    return b"\xff\xd8" + bytes(segments) + body


# -- attachments ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    """One file to attach. `inline` with a `content_id` makes it an inline image."""

    filename: str
    content: bytes
    maintype: str
    subtype: str
    inline: bool = False
    content_id: str | None = None


def docx(filename: str, text: str = _DEFAULT_REPORT_TEXT, size: int = 20_000) -> Attachment:
    """A .docx attachment; different filenames or texts give different bytes."""
    data = docx_bytes(text, size, seed=_seed("docx", filename, text, size))
    return Attachment(filename, data, "application", DOCX_TYPE.split("/", 1)[1])


def pdf(filename: str, text: str = _DEFAULT_REPORT_TEXT, size: int = 20_000) -> Attachment:
    """A .pdf attachment; different filenames or texts give different bytes."""
    data = pdf_bytes(text, size, seed=_seed("pdf", filename, text, size))
    return Attachment(filename, data, "application", "pdf")


def jpg(
    filename: str, size: int = 60_000, inline: bool = False, content_id: str | None = None
) -> Attachment:
    """A .jpg photo; `inline=True` (with a Content-ID) makes it an inline image, as a
    signature logo would be."""
    data = jpeg_bytes(size, seed=_seed("jpg", filename, size))
    if inline and content_id is None:
        content_id = f"<img-{_seed(filename):08x}@example.gov.vn>"
    return Attachment(filename, data, "image", "jpeg", inline, content_id)


# -- messages ------------------------------------------------------------------------------


def build_message(
    *,
    sender: str,
    subject: str,
    body: str,
    date: datetime,
    sender_name: str = "",
    message_id: str | None = None,
    to: Sequence[str] = (OFFICE_ADDRESS,),
    attachments: Sequence[Attachment] = (),
    html: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
    body_cte: str = "quoted-printable",
) -> bytes:
    """An RFC 5322 message as bytes with CRLF line ends, as a mail client would send it.

    `date` (aware) goes into the Date header only: the receipt time of an IMAP message is
    its INTERNALDATE, chosen at APPEND. Without `message_id` the message has no Message-ID.
    Non-ASCII names and subjects are RFC 2047-encoded, filenames RFC 2231-encoded. The body
    is quoted-printable UTF-8 (as Gmail sends it) unless `body_cte` says otherwise ("8bit",
    "base64"). MIME boundaries derive from the arguments, so equal arguments give equal bytes.
    """
    if date.tzinfo is None:
        raise ValueError("date must be aware")
    msg = EmailMessage(policy=policy.default)
    msg["From"] = formataddr((sender_name, sender)) if sender_name else sender
    msg["To"] = ", ".join(formataddr((OFFICE_NAME, a)) if a == OFFICE_ADDRESS else a for a in to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    if message_id is not None:
        msg["Message-ID"] = message_id
    msg["MIME-Version"] = "1.0"
    msg["User-Agent"] = "Mozilla Thunderbird"
    for name, value in (extra_headers or {}).items():
        msg[name] = value
    msg.set_content(body, charset="utf-8", cte=body_cte)
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8", cte=body_cte)
    for att in attachments:
        msg.add_attachment(
            att.content,
            maintype=att.maintype,
            subtype=att.subtype,
            filename=att.filename,
            disposition="inline" if att.inline else "attachment",
            cid=att.content_id,
        )
    seed = _seed(sender, subject, body, date.isoformat(), message_id)
    for number, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"----=_Part_{seed:08x}_{number}")
    return msg.as_bytes(policy=policy.SMTP)


def truncated_message(raw: bytes, keep: float = 0.6) -> bytes:
    """`raw` cut off after `keep` of its bytes, in the middle of a MIME part: the closing
    boundary and the end of the base64 are gone, as after a broken transfer."""
    cut = max(int(len(raw) * keep), 1)
    return raw[:cut] + b"\r\nAAA=\xff\xfe\x80 \x1b$B\r\n"


def garbage_bytes(size: int = 4_000, seed: int = 1) -> bytes:
    """Bytes that are not a message at all: no headers, random binary. Dovecot 2.3 accepts
    them in APPEND but serves NUL as 0x80 and bare CR or LF as CRLF."""
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size))


# The small roster the IMAP integration tests share: code -> (name, address).
UNITS = {
    "D01": ("Đoàn Thanh niên Sở Tài chính", "doantn.stc@example.gov.vn"),
    "D02": ("Đoàn Thanh niên Sở Kế hoạch và Đầu tư", "dtn.skhdt@example.gov.vn"),
    "D03": ("Chi đoàn Bảo hiểm xã hội tỉnh", "chidoan.bhxh@example.gov.vn"),
    "D04": ("Đoàn Thanh niên Sở Y tế", "doantn.syt@example.gov.vn"),
}
UNITS_CSV = "code,name,emails,aliases\n" + "".join(
    f"{code},{name},{address},\n" for code, (name, address) in UNITS.items()
)


def utc(hour: int, minute: int, second: int = 0) -> datetime:
    """2023-08-11 at this UTC time (the deadline day; 04:00 UTC is 11:00 in Hà Nội)."""
    return datetime(2023, 8, 11, hour, minute, second, tzinfo=UTC)
