"""Write the bundled demo inbox (config/demo/inbox/*.eml) that `mailtally demo` reads.

Every message is built here from fixed data: dates, Message-IDs, MIME boundaries, .docx and
.pdf metadata, zip timestamps and the pixels of the photos (from a seeded random generator), so
two runs write byte-identical files. The expected results for this inbox are written by hand in
tests/data/demo_expected.csv and tests/data/demo_expected_reasons.csv: change a message here and
update those labels in the same commit.

Usage: python tools/make_demo_inbox.py [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path

import docx
import mailkit
from docx.enum.text import WD_ALIGN_PARAGRAPH
from mailkit import ICT, POLICY, at, digest, make_zip, unaccent
from PIL import Image, ImageDraw, ImageFont, ImageOps

log = logging.getLogger("make_demo_inbox")

PDT = timezone(timedelta(hours=-7))

OFFICE = "doankhoi@doankhoi.example.vn"
OFFICE_FROM = f"Văn phòng Đoàn Khối <{OFFICE}>"
MX = "mx.doankhoi.example.vn"
NOTICE_178_ID = "<20230803153005.178TB.vp@doankhoi.example.vn>"
NOTICE_185_ID = "<20230814090512.185TB.vp@doankhoi.example.vn>"
NOTICE_178_SUBJECT = (
    "Thông báo số 178-TB/ĐTN về việc tổ chức Ngày hoạt động cao điểm “Chiến sĩ tình nguyện "
    "thực hiện chủ đề năm của Thành phố”"
)

MAX_MESSAGE_BYTES = 100_000
MAX_INBOX_BYTES = 1_500_000

DOCX_MIME = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
MIME_BY_SUFFIX: dict[str, tuple[str, str]] = {
    ".docx": DOCX_MIME,
    ".pdf": ("application", "pdf"),
    ".jpg": ("image", "jpeg"),
    ".zip": ("application", "zip"),
    ".png": ("image", "png"),
}


# --------------------------------------------------------------------------- attachments


def make_photo(seed: int, caption: str, stamp: str) -> bytes:
    """A 640x426 JPEG (about 17-22 KB): a gradient 'hall', a crowd of shapes, a red banner."""
    rng = random.Random(seed)
    size = (640, 426)
    width, height = size
    top = (rng.randrange(90, 230), rng.randrange(90, 230), rng.randrange(90, 230))
    bottom = (rng.randrange(20, 120), rng.randrange(20, 120), rng.randrange(20, 120))
    img = ImageOps.colorize(Image.linear_gradient("L").resize(size), top, bottom)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randrange(14, 22)):
        x, y = rng.randrange(0, width), rng.randrange(height // 3, height)
        r = rng.randrange(16, 40)
        shirt = (rng.randrange(0, 80), rng.randrange(90, 200), rng.randrange(0, 90))
        draw.ellipse((x - r, y - 2 * r, x + r, y), fill=(230, 190, 150))
        draw.rectangle((x - r, y, x + r, y + 3 * r), fill=shirt)
    grain_size = (width // 4, height // 4)
    grain = Image.frombytes("L", grain_size, rng.randbytes(grain_size[0] * grain_size[1]))
    img = Image.blend(img, grain.resize(size, Image.Resampling.BICUBIC).convert("RGB"), 0.03)
    draw = ImageDraw.Draw(img)
    draw.rectangle((24, 20, width - 24, 84), fill=(196, 22, 28))
    draw.text((36, 36), caption, fill=(255, 236, 0), font=ImageFont.load_default(size=20))
    draw.text(
        (width - 190, height - 32), stamp, fill=(255, 150, 0), font=ImageFont.load_default(size=18)
    )
    out = io.BytesIO()
    img.save(out, "JPEG", quality=60, optimize=True)
    return out.getvalue()


def make_logo() -> bytes:
    """A small PNG signature logo (well under 10 KB)."""
    img = Image.new("RGB", (120, 40), (0, 84, 166))
    draw = ImageDraw.Draw(img)
    draw.ellipse((6, 6, 34, 34), fill=(255, 255, 255))
    draw.text((42, 12), "DOAN TN", fill=(255, 255, 255), font=ImageFont.load_default(size=14))
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


_DROPPED_DOCX_PARTS = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg")


def _normalise_docx(data: bytes) -> bytes:
    """Rewrite a .docx with fixed zip timestamps, without two optional parts (size)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in _DROPPED_DOCX_PARTS:
                continue
            blob = src.read(info.filename)
            if info.filename.endswith(".rels") or info.filename == "[Content_Types].xml":
                xml = blob.decode("utf-8")
                for part in _DROPPED_DOCX_PARTS:
                    name = re.escape(part.rsplit("/", 1)[-1])
                    xml = re.sub(rf'<Relationship [^>]*Target="[^"]*{name}"/>', "", xml)
                    xml = re.sub(rf'<Override PartName="/{re.escape(part)}"[^>]*/>', "", xml)
                blob = xml.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, blob, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def make_docx(
    author: str,
    when: datetime,
    header: Sequence[str],
    title: Sequence[str],
    body: Sequence[str],
    table: Sequence[Sequence[str]] = (),
) -> bytes:
    """A small Word document: letterhead lines, a centred title, paragraphs, optional table."""
    document = docx.Document()
    props = document.core_properties
    props.author = author
    props.last_modified_by = author
    props.title = " ".join(title)
    props.comments = ""
    props.revision = 2
    naive_utc = when.astimezone(UTC).replace(tzinfo=None)
    props.created = naive_utc - timedelta(hours=3)
    props.modified = naive_utc
    for line in header:
        document.add_paragraph().add_run(line).bold = True
    for i, line in enumerate(title):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(line).bold = i == 0
    for line in body:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        grid.style = "Table Grid"
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_docx(buffer.getvalue())


def make_pdf(lines: Sequence[str], when: datetime) -> bytes:
    """A one-page PDF 1.4 in Helvetica (text without diacritics) with a fixed /Info date."""

    def escape(text: str) -> str:
        return unaccent(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 11 Tf 56 790 Td 16 TL\n"
    stream += "".join(f"({escape(line)}) '\n" for line in lines) + "ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        f"<< /Producer (mailtally demo) /CreationDate (D:{when:%Y%m%d%H%M%S}+07'00') >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("latin-1")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode("latin-1")
    return bytes(out)


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True, slots=True)
class Hop:
    """One `Received:` line: which host handed the message to which, and when."""

    helo: str
    ip: str
    by: str
    when: datetime
    zone: tzinfo = ICT
    protocol: str = "ESMTPS"
    rcpt: str = ""  # the envelope recipient, when it is not the office


def received_line(hop: Hop, rcpt: str, queue_id: str) -> str:
    stamp = format_datetime(hop.when.astimezone(hop.zone))
    name = "unknown" if hop.helo.startswith("[") else hop.helo
    return (
        f"from {hop.helo} ({name} [{hop.ip}]) by {hop.by} with {hop.protocol} "
        f"id {queue_id} for <{hop.rcpt or rcpt}>; {stamp}"
    )


def into_office(helo: str, ip: str, when: datetime, zone: tzinfo = ICT) -> Hop:
    """The last hop: the office's MX accepting the message (this is the receipt time)."""
    return Hop(helo, ip, MX, when, zone)


def new_mail(
    key: str,
    *,
    sender: str,
    subject: str,
    date: datetime,
    message_id: str,
    hops: Sequence[Hop],
    to: str = OFFICE_FROM,
    cc: str | None = None,
    in_reply_to: str | None = None,
    extra: Sequence[tuple[str, str]] = (),
) -> EmailMessage:
    """Headers of one message; `hops` newest first, as they appear in a mailbox."""
    msg = EmailMessage(policy=POLICY)
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    msg["Return-Path"] = f"<{address}>"
    for index, hop in enumerate(hops):
        msg["Received"] = received_line(hop, OFFICE, digest(key, index)[:11].upper())
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in extra:
        msg[name] = value
    return msg


def attach(msg: EmailMessage, filename: str, data: bytes) -> None:
    maintype, subtype = MIME_BY_SUFFIX[Path(filename).suffix.lower()]
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)


def html_of(text: str) -> str:
    paragraphs = []
    for block in text.strip().split("\n\n"):
        escaped = block.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        paragraphs.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    return '<div dir="ltr">\n' + "\n".join(paragraphs) + "\n</div>\n"


def _boundary(key: str, n: int) -> str:
    return f"00000000{digest(key, 'boundary', n)[:20]}"


def serialise(key: str, msg: EmailMessage) -> bytes:
    """Fix every multipart boundary (derived from the file key), then write the bytes."""
    return _exact_subject(mailkit.serialise(key, msg, _boundary), str(msg["Subject"]))


_SUBJECT_BLOCK = re.compile(rb"^Subject:.*\n(?:[ \t].*\n)*", re.MULTILINE)


def _exact_subject(data: bytes, subject: str) -> bytes:
    """The email package folds some long subjects badly: Vietnamese ones into encoded words
    that lose the space between them ("số 178" read back as "số178"), a plain one onto a
    continuation line of its own. No mail client does either. Such a Subject is written again
    with `email.header.Header`, which folds at spaces and keeps every one."""
    head = data.split(b"\n\n", 1)[0] + b"\n\n"
    if BytesParser(policy=POLICY).parsebytes(head, headersonly=True)["Subject"] == subject:
        return data
    charset = "us-ascii" if subject.isascii() else "utf-8"  # plain words stay plain
    folded = Header(subject, charset, header_name="Subject").encode(linesep="\n")
    fixed = _SUBJECT_BLOCK.sub(lambda _: f"Subject: {folded}\n".encode(), data, count=1)
    head = fixed.split(b"\n\n", 1)[0] + b"\n\n"
    assert BytesParser(policy=POLICY).parsebytes(head, headersonly=True)["Subject"] == subject
    return fixed


def text(block: str) -> str:
    """A body from an indented triple-quoted block: dedented, one trailing newline."""
    lines = [line.strip() for line in block.strip("\n").splitlines()]
    return "\n".join(lines).strip() + "\n"


def join(block: str) -> str:
    """One paragraph from a wrapped triple-quoted block."""
    return " ".join(line.strip() for line in block.strip().splitlines())


# --------------------------------------------------------------------------- fixed content

GMAIL_HOP_IP = "198.51.100.41"

NOTICE_BODY = [
    join("""
        Thực hiện Kế hoạch số 63-KH/TĐTN-BCNLĐ ngày 31/5/2023 của Ban Thường vụ Thành Đoàn về
        việc tổ chức Chiến dịch tình nguyện Kỳ Nghỉ Hồng lần thứ 22 - năm 2023, Ban Thường vụ
        Đoàn Khối Dân - Chính - Đảng Thành phố phối hợp với Quận Đoàn 3 tổ chức Ngày hoạt động
        cao điểm “Chiến sĩ tình nguyện thực hiện chủ đề năm của Thành phố, tham gia hỗ trợ người
        dân thực hiện dịch vụ công trực tuyến, giải quyết thủ tục hành chính và xây dựng văn minh
        đô thị”, thông báo về việc tổ chức các hoạt động hưởng ứng, cụ thể như sau:"""),
    "1. Thời gian: 08g00 ngày 11/8/2023 (thứ Sáu).",
    "2. Nội dung:",
    join("""
        2.1. Lễ phát động Ngày hoạt động cao điểm tại Quận 3: Hội trường B, Ủy ban nhân dân -
        Quận uỷ Quận 3 (Số 99 - 99A Trần Quốc Thảo, Phường 7, Quận 3)."""),
    join("""
        + Tổ chức tuyên truyền xây dựng văn hóa công vụ trong cán bộ, công chức, viên chức trên
        địa bàn Quận 3 (Phân công Đoàn Sở Nội vụ phụ trách liên hệ báo cáo viên)."""),
    join("""
        + Tổ chức tuyên truyền “Đổi mới sáng tạo trong khu vực công” (Phân công Đoàn Sở Khoa học
        và Công nghệ phụ trách liên hệ báo cáo viên)."""),
    join("""
        + Tổ chức giới thiệu “Chương trình vay vốn tạo lập nhà ở cho người có thu nhập thấp”
        cho cán bộ, công chức tại Ủy ban nhân dân Quận 3 (Phân công Chi đoàn Quỹ phát triển nhà
        ở phụ trách)."""),
    join("""
        + Thăm, tặng quà các chiến sĩ tình nguyện Kỳ Nghỉ Hồng tại các Bộ phận Tiếp nhận và Trả
        kết quả thủ tục hành chính tại Sở Xây dựng và Ủy ban nhân dân Quận 3."""),
    join("""
        2.2. Hoạt động cấp cơ sở: tổ chức các hoạt động hưởng ứng Ngày hoạt động cao điểm
        (Phân công Đoàn Cục Thuế Thành phố, Đoàn Bảo hiểm Xã hội Thành phố, Đoàn Sở Kế hoạch và
        Đầu tư Thành phố, Đoàn Sở Tư pháp thực hiện điểm); tăng cường hướng dẫn người dân về các
        dịch vụ công trực tuyến một phần và toàn trình tại đơn vị."""),
    "3. Tổ chức thực hiện:",
    join("""
        - Các cơ sở Đoàn sau khi tổ chức các hoạt động, báo cáo kết quả thực hiện và hình ảnh về
        Văn phòng Đoàn Khối trước 11g00 ngày 11/8/2023 (Thứ Sáu) thông qua địa chỉ email
        doankhoi@doankhoi.example.vn. Ban Thường vụ Đoàn Khối phân công Đ/c Nguyễn Trường Giang
        - Phó Bí thư Đoàn Khối phụ trách theo dõi."""),
    "Ban Thường vụ Đoàn Khối đề nghị cơ sở Đoàn triển khai thực hiện nội dung thông báo.",
    "PHÓ BÍ THƯ",
    "Nguyễn Trường Giang",
]

NOTICE_COVER = text("""
    Kính gửi các cơ sở Đoàn trực thuộc,

    Văn phòng Đoàn Khối gửi đến các đồng chí Thông báo số 178-TB/ĐTN ngày 03/8/2023 về việc tổ
    chức Ngày hoạt động cao điểm “Chiến sĩ tình nguyện thực hiện chủ đề năm của Thành phố, tham gia
    hỗ trợ người dân thực hiện dịch vụ công trực tuyến, giải quyết thủ tục hành chính và xây dựng
    văn minh đô thị” (file đính kèm).

    Đề nghị các cơ sở Đoàn báo cáo kết quả thực hiện kèm hình ảnh về Văn phòng Đoàn Khối qua địa
    chỉ email này trước 11g00 ngày 11/8/2023 (thứ Sáu).

    Trân trọng,
    Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
    """)


def quoted(cover: str, when: str) -> str:
    """The notice as quoted at the bottom of a reply (Gmail style)."""
    lines = [f"> {line}".rstrip() for line in cover.strip().splitlines()]
    return f"\nVào {when} Văn phòng Đoàn Khối <{OFFICE}> đã viết:\n" + "\n".join(lines) + "\n"


def report_docx(unit: str, number: str, author: str, when: datetime, facts: Sequence[str]) -> bytes:
    """A unit's report on notice 178, as a .docx."""
    return make_docx(
        author,
        when,
        header=["ĐOÀN KHỐI DÂN - CHÍNH - ĐẢNG TP", f"BCH {unit.upper()}", f"Số: {number}"],
        title=[
            "BÁO CÁO",
            "Kết quả tổ chức Ngày hoạt động cao điểm “Chiến sĩ tình nguyện thực hiện chủ đề "
            "năm của Thành phố”",
        ],
        body=[
            join(f"""
                Thực hiện Thông báo số 178-TB/ĐTN ngày 03/8/2023 của Ban Thường vụ Đoàn Khối
                Dân - Chính - Đảng Thành phố, Ban Chấp hành {unit} báo cáo kết quả tổ chức Ngày
                hoạt động cao điểm ngày 11/8/2023 như sau:"""),
            *facts,
            join("""
                Đánh giá chung: hoạt động được cấp ủy quan tâm, đoàn viên tham gia nhiệt tình,
                mặc áo Thanh niên Việt Nam và đeo huy hiệu Đoàn theo đúng hướng dẫn."""),
            f"TM. BAN CHẤP HÀNH {unit.upper()}",
            "BÍ THƯ",
            author,
        ],
    )


def facts(rng: random.Random) -> list[str]:
    """Three result lines with plausible numbers."""
    members = rng.randrange(18, 65)
    files = rng.randrange(40, 260)
    posts = rng.randrange(2, 9)
    return [
        f"1. Số đoàn viên, thanh niên tham gia: {members} đồng chí.",
        join(f"""
            2. Hướng dẫn người dân thực hiện dịch vụ công trực tuyến: {files} lượt; hỗ trợ xử lý
            hồ sơ tồn đọng, giải quyết thủ tục hành chính tại bộ phận một cửa."""),
        join(f"""
            3. Thực hiện {posts} sản phẩm tuyên truyền trực quan về quy trình tiếp nhận và giải
            quyết thủ tục hành chính, phong trào “3 trách nhiệm” và cải cách hành chính."""),
    ]


# --------------------------------------------------------------------------- the inbox


def build_inbox() -> dict[str, bytes]:
    """Every demo message, file name -> bytes, in file-name order."""
    rng = random.Random(20230811)
    files: dict[str, bytes] = {}

    def photo(caption: str, stamp: str) -> bytes:
        return make_photo(rng.randrange(1 << 30), caption, stamp)

    def add(name: str, msg: EmailMessage) -> None:
        files[name] = serialise(name, msg)

    # 00 - the office's own copy of notice 178 (Bcc to itself): own_address.
    key = "00_doankhoi_notice178_own_copy.eml"
    msg = new_mail(
        key,
        sender=OFFICE_FROM,
        subject=NOTICE_178_SUBJECT,
        date=at(8, 3, 15, 30, 5),
        message_id=NOTICE_178_ID,
        to="Các cơ sở Đoàn trực thuộc <cosodoan@doankhoi.example.vn>",
        hops=[Hop("localhost", "127.0.0.1", MX, at(8, 3, 15, 30, 12), protocol="ESMTPSA")],
    )
    msg.set_content(NOTICE_COVER, cte="quoted-printable")
    attach(
        msg,
        "178-TB-ĐTN Ngày hoạt động cao điểm.docx",
        make_docx(
            "Nguyễn Trường Giang",
            at(8, 3, 14, 50),
            header=[
                "THÀNH ĐOÀN TP. HỒ CHÍ MINH",
                "BCH ĐOÀN KHỐI DÂN - CHÍNH - ĐẢNG TP",
                "Số: 178-TB/ĐTN",
                "TP. Hồ Chí Minh, ngày 03 tháng 8 năm 2023",
            ],
            title=[
                "THÔNG BÁO",
                "V/v tổ chức Ngày hoạt động cao điểm “Chiến sĩ tình nguyện thực hiện chủ đề năm "
                "của Thành phố, tham gia hỗ trợ người dân thực hiện dịch vụ công trực tuyến, giải "
                "quyết thủ tục hành chính và xây dựng văn minh đô thị”",
            ],
            body=NOTICE_BODY,
        ),
    )
    add(key, msg)

    # 01 - Cục Thuế: on time, .docx + two photos, from its first roster address.
    key = "01_cucthue_ontime_docx_photos.eml"
    unit = "Đoàn Cục Thuế Thành phố"
    msg = new_mail(
        key,
        sender="Đoàn Thanh niên Cục Thuế TP <doanthanhnien@cucthue.example.gov.vn>",
        subject="Báo cáo kết quả Ngày hoạt động cao điểm - Đoàn Cục Thuế Thành phố",
        date=at(8, 11, 9, 12, 31),
        message_id="<a41c9e02d7f3.1691719951@cucthue.example.gov.vn>",
        hops=[into_office("mail.cucthue.example.gov.vn", "203.0.113.10", at(8, 11, 9, 12, 40))],
    )
    msg.set_content(
        text("""
        Kính gửi: Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố,

        Đoàn Cục Thuế Thành phố gửi báo cáo kết quả tổ chức Ngày hoạt động cao điểm theo Thông báo
        số 178-TB/ĐTN và một số hình ảnh hoạt động (file đính kèm).

        Trân trọng,
        Phạm Quốc Huy
        Bí thư Đoàn Cục Thuế Thành phố
        """),
        cte="quoted-printable",
    )
    attach(
        msg,
        "Báo cáo kết quả Ngày hoạt động cao điểm - Đoàn Cục Thuế.docx",
        report_docx(unit, "27-BC/ĐTN", "Phạm Quốc Huy", at(8, 11, 8, 55), facts(rng)),
    )
    attach(
        msg,
        "IMG_20230811_083512.jpg",
        photo("DOAN CUC THUE TP - NGAY HOAT DONG CAO DIEM", "11/08/2023 08:35"),
    )
    attach(
        msg,
        "IMG_20230811_084020.jpg",
        photo("HO TRO NGUOI DAN KE KHAI THUE DIEN TU", "11/08/2023 08:40"),
    )
    add(key, msg)

    # 02 - Sở KH&ĐT: on time, reply in the notice's thread from its second roster address;
    # the office's MX stamps Received in UTC (16:05:12 local).
    key = "02_skhdt_ontime_reply_in_thread_utc_received.eml"
    unit = "Đoàn Sở Kế hoạch và Đầu tư"
    msg = new_mail(
        key,
        sender="Bí thư Đoàn Sở KH&ĐT <bithu.doan@skhdt.example.gov.vn>",
        subject=f"Re: {NOTICE_178_SUBJECT}",
        date=at(8, 10, 16, 4, 58),
        message_id="<CAF7d2kq9Vx1.skhdt.20230810@mail.skhdt.example.gov.vn>",
        in_reply_to=NOTICE_178_ID,
        hops=[into_office("mail.skhdt.example.gov.vn", "203.0.113.21", at(8, 10, 16, 5, 12), UTC)],
    )
    msg.set_content(
        text("""
        Dạ kính gửi Văn phòng Đoàn Khối,

        Đoàn Sở Kế hoạch và Đầu tư đã tổ chức Ngày hoạt động cao điểm sớm vào chiều 10/8 tại Bộ
        phận một cửa của Sở. Đơn vị xin gửi báo cáo và hình ảnh đính kèm.

        Trân trọng,
        Lê Minh Tâm - Bí thư Đoàn Sở Kế hoạch và Đầu tư
        """)
        + quoted(NOTICE_COVER, "Th 5, 3 thg 8, 2023 vào lúc 15:30"),
        cte="quoted-printable",
    )
    attach(
        msg,
        "BC Ngay hoat dong cao diem - Doan So KHDT.docx",
        report_docx(unit, "15-BC/ĐTN", "Lê Minh Tâm", at(8, 10, 15, 40), facts(rng)),
    )
    attach(
        msg,
        "z4595123881234_a1b2.jpg",
        photo("DOAN SO KH&DT - HUONG DAN DICH VU CONG", "10/08/2023 14:20"),
    )
    attach(msg, "z4595123887788_c3d4.jpg", photo("DOAN SO KH&DT - MOT CUA", "10/08/2023 14:45"))
    add(key, msg)

    # 03/04 - BHXH: the report first (on time), the photos in a second mail after the deadline.
    key = "03_bhxh_split_1_report_only.eml"
    unit = "Đoàn Bảo hiểm Xã hội Thành phố"
    bhxh_first_id = "<00c101d9cbf1$5e2a7b10$1a7f7130$@bhxh.example.gov.vn>"
    msg = new_mail(
        key,
        sender="Doan TN BHXH TP <doanthanhnien@bhxh.example.gov.vn>",
        subject="BHXH TP báo cáo kết quả thực hiện Thông báo 178-TB/ĐTN",
        date=at(8, 11, 8, 30, 20),
        message_id=bhxh_first_id,
        hops=[into_office("mail.bhxh.example.gov.vn", "203.0.113.30", at(8, 11, 8, 30, 44))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Bảo hiểm Xã hội Thành phố gửi báo cáo kết quả Ngày hoạt động cao điểm (file đính
        kèm). Hình ảnh hoạt động đơn vị sẽ gửi bổ sung trong buổi sáng.

        Trân trọng.
        """),
        cte="base64",
    )
    attach(
        msg,
        "BaoCao_NgayCaoDiem_BHXH.docx",
        report_docx(unit, "09-BC/ĐTN", "Võ Thị Thanh Hà", at(8, 11, 8, 10), facts(rng)),
    )
    add(key, msg)

    key = "04_bhxh_split_2_photos_after_deadline.eml"
    msg = new_mail(
        key,
        sender="Doan TN BHXH TP <doanthanhnien@bhxh.example.gov.vn>",
        subject="RE: BHXH TP báo cáo kết quả thực hiện Thông báo 178-TB/ĐTN",
        date=at(8, 11, 11, 39, 41),
        message_id="<00d201d9cc0a$77b3c2e0$66f48aa0$@bhxh.example.gov.vn>",
        in_reply_to=bhxh_first_id,
        hops=[into_office("mail.bhxh.example.gov.vn", "203.0.113.30", at(8, 11, 11, 40, 0))],
    )
    msg.set_content(
        text("""
        Đoàn BHXH TP gửi bổ sung hình ảnh Ngày hoạt động cao điểm. Xin lỗi Văn phòng vì gửi trễ.
        """),
        cte="base64",
    )
    attach(msg, "DSC_0412.jpg", photo("DOAN BHXH TP - TU VAN BHXH, BHYT", "11/08/2023 09:05"))
    attach(msg, "DSC_0419.jpg", photo("DOAN BHXH TP - VNEID", "11/08/2023 09:30"))
    add(key, msg)

    # 05 - Sở Tư pháp: a member's Gmail (not in the roster), unit named in a subject without
    # diacritics: matched by name, on time.
    key = "05_stp_member_gmail_no_diacritics.eml"
    msg = new_mail(
        key,
        sender="Nguyen Van A <nguyenvana.stp@gmail.com>",
        subject="Doan So Tu phap bao cao ket qua ngay hoat dong cao diem",
        date=at(8, 11, 10, 20, 3),
        message_id="<CAJq7n0Zb1c2d3e4f5g6h7STP@mail.gmail.example.com>",
        hops=[
            into_office("mail-sor-f41.google.example", GMAIL_HOP_IP, at(8, 11, 10, 20, 18)),
            Hop(
                "mail.gmail.example.com",
                "192.0.2.41",
                "smtp.gmail.example.com",
                at(8, 11, 10, 20, 4),
                PDT,
                "SMTPSA",
            ),
        ],
    )
    msg.set_content(
        text("""
        Kinh gui Van phong Doan Khoi,

        Em la Nguyen Van A, uy vien BCH Doan So Tu phap. Do hop thu cua Doan dang bi loi nen em
        gui bao cao ket qua ngay hoat dong cao diem 11/8 va hinh anh bang email ca nhan a.

        Tran trong,
        Nguyen Van A
        """),
        cte="8bit",
    )
    attach(
        msg,
        "Bao cao Doan So Tu phap - ngay hoat dong cao diem.docx",
        report_docx("Đoàn Sở Tư pháp", "11-BC/ĐTN", "Nguyễn Văn A", at(8, 11, 10, 5), facts(rng)),
    )
    attach(msg, "IMG_4921.jpg", photo("DOAN SO TU PHAP - TU VAN PHAP LUAT", "11/08/2023 08:50"))
    add(key, msg)

    # 06 - Sở Nội vụ: sent 10:59:58 but received 04:00:30 UTC = 11:00:30 local: 1 minute late.
    key = "06_snv_late_1_minute_utc_received.eml"
    unit = "Đoàn Sở Nội vụ"
    msg = new_mail(
        key,
        sender="Doan Thanh nien So Noi vu <doanthanhnien@snv.example.gov.vn>",
        subject="Bao cao 178/TB-DTN - Doan So Noi vu",
        date=at(8, 11, 10, 59, 58),
        message_id="<20230811105958.6F1E2A@snv.example.gov.vn>",
        hops=[
            into_office("mail.snv.example.gov.vn", "203.0.113.45", at(8, 11, 11, 0, 30), UTC),
            Hop(
                "[10.8.1.15]",
                "10.8.1.15",
                "mail.snv.example.gov.vn",
                at(8, 11, 10, 59, 59),
                UTC,
                "ESMTPSA",
            ),
        ],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,
        Đoàn Sở Nội vụ gửi báo cáo và hình ảnh tuyên truyền văn hóa công vụ tại Quận 3.
        Trân trọng.
        """),
        cte="quoted-printable",
    )
    attach(
        msg,
        "Bao cao Doan So Noi vu.docx",
        report_docx(unit, "08-BC/ĐTN", "Đặng Thu Trang", at(8, 11, 10, 40), facts(rng)),
    )
    attach(
        msg,
        "tuyen-truyen-van-hoa-cong-vu.jpg",
        photo("DOAN SO NOI VU - VAN HOA CONG VU", "11/08/2023 08:20"),
    )
    add(key, msg)

    # 07 - Sở Xây dựng: the next morning (1308 minutes late); photos in a .zip.
    key = "07_sxd_late_next_day_docx_zip.eml"
    unit = "Đoàn Sở Xây dựng"
    msg = new_mail(
        key,
        sender="Đoàn Sở Xây dựng <doanthanhnien@sxd.example.gov.vn>",
        subject="V/v báo cáo kết quả Ngày hoạt động cao điểm (gửi trễ)",
        date=at(8, 12, 8, 46, 50),
        message_id="<5b2f0c1e-8d7a-4e61-9a3c-2f1d0e9b7c55@sxd.example.gov.vn>",
        hops=[into_office("mail.sxd.example.gov.vn", "203.0.113.52", at(8, 12, 8, 47, 15))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Sở Xây dựng xin lỗi vì gửi báo cáo trễ hạn do đồng chí phụ trách đi công tác.
        Đơn vị gửi báo cáo kết quả và file nén hình ảnh hoạt động thăm, tặng quà chiến sĩ tình
        nguyện Kỳ Nghỉ Hồng tại Bộ phận Tiếp nhận và Trả kết quả.

        Trân trọng,
        Huỳnh Gia Bảo
        """),
        cte="quoted-printable",
    )
    attach(
        msg,
        "Bao cao ket qua - Doan So Xay dung.docx",
        report_docx(unit, "14-BC/ĐTN", "Huỳnh Gia Bảo", at(8, 12, 8, 30), facts(rng)),
    )
    attach(
        msg,
        "Hinh anh hoat dong 11-8.zip",
        make_zip(
            [
                (
                    "Hinh anh/tham-chien-si-01.jpg",
                    photo("DOAN SO XAY DUNG - THAM CHIEN SI TINH NGUYEN", "11/08/2023 09:40"),
                ),
                (
                    "Hinh anh/tham-chien-si-02.jpg",
                    photo("DOAN SO XAY DUNG - BO PHAN MOT CUA", "11/08/2023 09:55"),
                ),
            ],
            at(8, 12, 8, 40),
        ),
    )
    add(key, msg)

    # 08 - Sở KH&CN: Date says 10:55 (before the deadline) but the office received it at
    # 11:20:00: 20 minutes late by receipt time. Report .docx, photos as a OneDrive link.
    key = "08_skhcn_date_1055_received_1120_onedrive.eml"
    unit = "Đoàn Sở Khoa học và Công nghệ"
    msg = new_mail(
        key,
        sender="Đoàn TN Sở KH&CN <doanthanhnien@skhcn.example.gov.vn>",
        subject="Báo cáo Ngày hoạt động cao điểm - Đoàn Sở Khoa học và Công nghệ",
        date=at(8, 11, 10, 55, 2),
        message_id="<9d3e7f21c0b4a6e8@skhcn.example.gov.vn>",
        hops=[
            into_office("relay.skhcn.example.gov.vn", "203.0.113.60", at(8, 11, 11, 20, 0)),
            Hop(
                "[10.20.0.7]",
                "10.20.0.7",
                "relay.skhcn.example.gov.vn",
                at(8, 11, 10, 55, 40),
                ICT,
                "ESMTPSA",
            ),
        ],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Sở Khoa học và Công nghệ gửi báo cáo kết quả tuyên truyền “Đổi mới sáng tạo trong khu
        vực công” (file đính kèm). Hình ảnh hoạt động đơn vị để trên OneDrive:
        https://onedrive.live.com/redir?resid=5C1E2A7B9D3F4E60%21118&authkey=%21AHk3pQ7vR2sXyZ0

        Trân trọng,
        Trương Hoài Nam
        """),
        cte="quoted-printable",
    )
    attach(
        msg,
        "BC_DoiMoiSangTao_SKHCN.docx",
        report_docx(unit, "06-BC/ĐTN", "Trương Hoài Nam", at(8, 11, 10, 30), facts(rng)),
    )
    add(key, msg)

    # 09 - Quỹ Phát triển nhà ở: the original went to the old address at 10:40; the secretary
    # forwards it (as an attachment) from her Gmail at 11:06:45: late by 7 minutes, judged by
    # the original's roster address.
    key = "09_qptno_forward_from_gmail_rfc822_late.eml"
    unit = "Chi đoàn Quỹ Phát triển nhà ở"
    inner_subject = "Báo cáo Ngày hoạt động cao điểm - Chi đoàn Quỹ Phát triển nhà ở"
    inner = new_mail(
        key + "/original",
        sender=f"{unit} <chidoan@qptno.example.vn>",
        subject=inner_subject,
        date=at(8, 11, 10, 40, 5),
        to="Văn phòng Đoàn Khối <doankhoi@tphcm.example.gov.vn>",
        cc="Trần Thị Bích <tranthibich.1995@gmail.com>",
        message_id="<20230811104005.31A7@qptno.example.vn>",
        hops=[
            Hop(
                "mail.qptno.example.vn",
                "203.0.113.71",
                "mx.gmail.example.com",
                at(8, 11, 10, 40, 20),
                PDT,
                rcpt="tranthibich.1995@gmail.com",
            )
        ],
    )
    inner.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,

        Chi đoàn Quỹ Phát triển nhà ở gửi báo cáo kết quả giới thiệu “Chương trình vay vốn tạo
        lập nhà ở cho người có thu nhập thấp” tại Ủy ban nhân dân Quận 3 và hình ảnh hoạt động.

        Trân trọng,
        BCH Chi đoàn Quỹ Phát triển nhà ở
        """),
        cte="quoted-printable",
    )
    attach(
        inner,
        "Bao cao Chi doan Quy PTNO 11-8-2023.docx",
        report_docx(unit, "04-BC/CĐ", "Trần Thị Bích", at(8, 11, 10, 20), facts(rng)),
    )
    attach(
        inner,
        "gioi-thieu-vay-von-nha-o.jpg",
        photo("CHI DOAN QUY PHAT TRIEN NHA O - VAY VON NHA O", "11/08/2023 09:10"),
    )
    msg = new_mail(
        key,
        sender="Trần Thị Bích <tranthibich.1995@gmail.com>",
        subject=f"Fwd: {inner_subject}",
        date=at(8, 11, 11, 6, 31),
        message_id="<CAM2xQp8Vn3kL0fwdQPTNO@mail.gmail.example.com>",
        hops=[
            into_office("mail-sor-f69.google.example", GMAIL_HOP_IP, at(8, 11, 11, 6, 45)),
            Hop(
                "mail.gmail.example.com",
                "192.0.2.69",
                "smtp.gmail.example.com",
                at(8, 11, 11, 6, 32),
                PDT,
                "SMTPSA",
            ),
        ],
    )
    msg.set_content(
        text("""
        Dạ em chào Văn phòng Đoàn Khối,

        Sáng nay Chi đoàn đã gửi báo cáo nhưng gửi nhầm vào địa chỉ email cũ của Đoàn Khối, em
        xin chuyển tiếp lại thư gốc (đính kèm) ạ.

        Em Bích - Bí thư Chi đoàn
        """),
        cte="quoted-printable",
    )
    msg.add_attachment(inner, filename=f"{inner_subject}.eml")
    add(key, msg)

    # 10 - Sở Y tế: photos only, no report: on time, missing_evidence "report".
    key = "10_syt_photos_only_no_report.eml"
    msg = new_mail(
        key,
        sender="Đoàn Sở Y tế <doanthanhnien@syt.example.gov.vn>",
        subject="Hình ảnh Ngày hoạt động cao điểm - Đoàn Sở Y tế",
        date=at(8, 11, 9, 50, 10),
        message_id="<e07a3c5d9b1f42c8@syt.example.gov.vn>",
        hops=[into_office("mail.syt.example.gov.vn", "203.0.113.80", at(8, 11, 9, 50, 33))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,
        Đoàn Sở Y tế gửi hình ảnh hoạt động sáng 11/8.
        Trân trọng.
        """),
        cte="quoted-printable",
    )
    attach(
        msg, "20230811_091502.jpg", photo("DOAN SO Y TE - HUONG DAN KHAM BENH", "11/08/2023 09:15")
    )
    attach(msg, "20230811_092233.jpg", photo("DOAN SO Y TE - HO SO TRUC TUYEN", "11/08/2023 09:22"))
    add(key, msg)

    # 11 - Sở GD&ĐT: the report written in the body (well over 300 characters of its own text,
    # the quoted notice below it) and a Google Drive link for the photos; HTML + plain text.
    key = "11_sgddt_report_in_body_drive_link.eml"
    own = text("""
        Kính gửi Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố,

        Đoàn Sở Giáo dục và Đào tạo báo cáo nhanh kết quả tổ chức Ngày hoạt động cao điểm ngày
        11/8/2023 như sau:

        1. Đơn vị bố trí 24 đoàn viên, thanh niên trực tại Bộ phận Tiếp nhận và Trả kết quả của
        Sở từ 7g30 đến 11g00, hướng dẫn 86 lượt phụ huynh và giáo viên thực hiện dịch vụ công
        trực tuyến (cấp bản sao văn bằng, chứng chỉ; công nhận văn bằng; chuyển trường).

        2. Tổ chức 01 buổi tuyên truyền về phong trào “3 trách nhiệm” và cải cách hành chính cho
        42 cán bộ, công chức trẻ; đăng tải 03 bài viết trên trang thông tin điện tử của Sở.

        3. Thực hiện 02 pa-nô tuyên truyền trực quan về quy trình giải quyết thủ tục hành chính
        đặt tại sảnh tiếp dân.

        Hình ảnh hoạt động đơn vị gửi qua Google Drive:
        https://drive.google.com/drive/folders/1qZ8vKx3TgR7mWbN2pLd5HsYcE0aFjU4o?usp=sharing

        Trân trọng,
        Ngô Thảo Vy
        Phó Bí thư Đoàn Sở Giáo dục và Đào tạo
        """)
    quote = quoted(NOTICE_COVER, "Th 5, 3 thg 8, 2023 vào lúc 15:30")
    msg = new_mail(
        key,
        sender="Doan Thanh nien So GD&DT <DoanThanhNien@sgddt.example.gov.vn>",
        subject=f"Re: {NOTICE_178_SUBJECT}",
        date=at(8, 11, 10, 5, 9),
        message_id="<CAGd81mT4sR0pq2sgddtBODY@mail.sgddt.example.gov.vn>",
        in_reply_to=NOTICE_178_ID,
        hops=[into_office("mail.sgddt.example.gov.vn", "203.0.113.91", at(8, 11, 10, 5, 27))],
    )
    msg.set_content(own + quote, cte="quoted-printable")
    quote_html = quote.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    msg.add_alternative(
        html_of(own)
        + '<div class="gmail_quote"><blockquote class="gmail_quote">'
        + quote_html.replace("\n", "<br>\n")
        + "</blockquote></div>\n",
        subtype="html",
        cte="quoted-printable",
    )
    add(key, msg)

    # 12 - Sở Tài chính: an auto-reply to the notice (the unit never reports).
    key = "12_stc_auto_reply.eml"
    msg = new_mail(
        key,
        sender="Đoàn Sở Tài chính <doanthanhnien@stc.example.gov.vn>",
        subject=f"Trả lời tự động: {NOTICE_178_SUBJECT}",
        date=at(8, 3, 15, 31, 2),
        message_id="<autoreply.20230803153102.7c1d@stc.example.gov.vn>",
        in_reply_to=NOTICE_178_ID,
        extra=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")],
        hops=[into_office("mail.stc.example.gov.vn", "203.0.113.101", at(8, 3, 15, 31, 9))],
    )
    msg.set_content(
        text("""
        Trả lời tự động: Cảm ơn quý đơn vị đã gửi thư. Đồng chí phụ trách hộp thư Đoàn Thanh
        niên đang nghỉ phép từ ngày 01/8 đến hết ngày 18/8/2023. Thư của quý đơn vị sẽ được xử
        lý khi đồng chí trở lại làm việc.
        """),
        cte="quoted-printable",
    )
    add(key, msg)

    # 13 - a bounce: the notice could not be delivered to Sở TN&MT (mailbox full).
    key = "13_bounce_stnmt_mailbox_full.eml"
    files[key] = bounce_message(key)

    # 14 - Văn phòng UBND: asks for more time, no evidence (the small inline logo is not a
    # photo); the unit never sends the report.
    key = "14_vpub_question_extension_inline_logo.eml"
    ask = text("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Văn phòng UBND Thành phố xin gia hạn nộp báo cáo Ngày hoạt động cao điểm theo
        Thông báo 178-TB/ĐTN đến hết ngày 14/8/2023 do đơn vị đang phục vụ hội nghị.

        Trân trọng,
        Nguyễn Minh Khoa
        """)
    msg = new_mail(
        key,
        sender="Đoàn Văn phòng UBND TP <doanthanhnien@vpub.example.gov.vn>",
        subject="Xin gia hạn nộp báo cáo Ngày hoạt động cao điểm",
        date=at(8, 10, 14, 11, 50),
        message_id="<3f9b1d0a6c2e4875@vpub.example.gov.vn>",
        hops=[into_office("mail.vpub.example.gov.vn", "203.0.113.110", at(8, 10, 14, 12, 9))],
    )
    msg.set_content(ask, cte="quoted-printable")
    msg.add_alternative(
        html_of(ask) + '<p><img src="cid:logo-doan-vpub@vpub.example.gov.vn" '
        'alt="Đoàn TN" width="120" height="40"></p>\n',
        subtype="html",
        cte="quoted-printable",
    )
    html_part = list(msg.iter_parts())[1]
    html_part.add_related(
        make_logo(),
        maintype="image",
        subtype="png",
        disposition="inline",
        cid="<logo-doan-vpub@vpub.example.gov.vn>",
        filename="image001.png",
    )
    add(key, msg)

    # 15 - a newsletter nobody can place: unknown sender, no unit name.
    key = "15_newsletter_unknown_sender.eml"
    news = text("""
        BẢN TIN THANH NIÊN - TUẦN 32/2023

        - Khai mạc Liên hoan tuyên truyền ca khúc cách mạng dành cho thanh niên công nhân.
        - Ra mắt chuyên mục “Góc nhìn người trẻ” về chuyển đổi số trong đời sống.
        - Mở đăng ký giải chạy “Vì sức khỏe cộng đồng” ngày 27/8/2023.

        Bạn nhận được thư này vì đã đăng ký nhận bản tin. Hủy đăng ký:
        https://news.example.org/unsubscribe?u=7f2c
        """)
    msg = new_mail(
        key,
        sender="Bản tin Thanh niên <bantin@news.example.org>",
        subject="Bản tin Thanh niên tuần 32/2023",
        date=at(8, 9, 6, 0, 0),
        to="doankhoi@doankhoi.example.vn",
        message_id="<nl-2023-32.7f2c@news.example.org>",
        extra=[("List-Unsubscribe", "<https://news.example.org/unsubscribe?u=7f2c>")],
        hops=[into_office("out-17.news.example.org", "198.51.100.17", at(8, 9, 6, 0, 41))],
    )
    msg.set_content(news, cte="quoted-printable")
    msg.add_alternative(html_of(news), subtype="html", cte="quoted-printable")
    add(key, msg)

    # 16 - a Gmail naming two units equally (Sở Tài chính and Sở Công Thương): ambiguous.
    key = "16_ambiguous_two_units_gmail.eml"
    msg = new_mail(
        key,
        sender="Le Hoang Anh <lehoanganh.tn@gmail.com>",
        subject="Doan So Tai chinh va Doan So Cong Thuong gui hinh anh hoat dong cao diem",
        date=at(8, 11, 10, 47, 40),
        message_id="<CAB9kRt5Wq0Lm2AMBIG16@mail.gmail.example.com>",
        hops=[into_office("mail-sor-f73.google.example", GMAIL_HOP_IP, at(8, 11, 10, 48, 0))],
    )
    msg.set_content(
        text("""
        Kinh gui Van phong Doan Khoi,
        Hai don vi phoi hop to chuc hoat dong tai Quan 3, em gui hinh anh chung a.
        Le Hoang Anh
        """),
        cte="8bit",
    )
    attach(msg, "hoat-dong-chung.jpg", photo("HOAT DONG CHUNG - QUAN 3", "11/08/2023 10:05"))
    add(key, msg)

    # 17 - Sở Y tế, two weeks before any notice: placed by address, but no request.
    key = "17_syt_before_notice_no_request.eml"
    msg = new_mail(
        key,
        sender="Đoàn Sở Y tế <doanthanhnien@syt.example.gov.vn>",
        subject="Cập nhật thông tin Ban Chấp hành Đoàn Sở Y tế",
        date=at(7, 25, 9, 14, 30),
        message_id="<b5c7e9a1d3f04268@syt.example.gov.vn>",
        hops=[into_office("mail.syt.example.gov.vn", "203.0.113.80", at(7, 25, 9, 15, 2))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Sở Y tế xin cập nhật thông tin liên hệ: đồng chí Lý Thanh Tùng được phân công làm Phó
        Bí thư Đoàn từ ngày 20/7/2023, số điện thoại 0909 000 245.

        Trân trọng.
        """),
        cte="quoted-printable",
    )
    add(key, msg)

    # 18 - the office's own copy of notice 185: own_address.
    key = "18_doankhoi_notice185_own_copy.eml"
    msg = new_mail(
        key,
        sender=OFFICE_FROM,
        subject="Thông báo số 185-TB/ĐTN về việc đăng ký danh sách chiến sĩ tình "
        "nguyện tham gia Ngày Chủ nhật xanh tháng 8/2023",
        date=at(8, 14, 9, 5, 12),
        message_id=NOTICE_185_ID,
        to="Khối Tài chính <khoitaichinh@doankhoi.example.vn>",
        hops=[Hop("localhost", "127.0.0.1", MX, at(8, 14, 9, 5, 20), protocol="ESMTPSA")],
    )
    msg.set_content(
        text("""
        Kính gửi các cơ sở Đoàn khối Tài chính,

        Văn phòng Đoàn Khối đề nghị các cơ sở Đoàn đăng ký danh sách chiến sĩ tình nguyện
        tham gia Ngày Chủ nhật xanh tháng 8/2023 (họ tên, chức vụ, số điện thoại) và gửi về Văn
        phòng Đoàn Khối trước 17g00 ngày 21/8/2023 (thứ Hai).

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
        cte="quoted-printable",
    )
    add(key, msg)

    # 19 - Cục Thuế, notice 185: on time, a .pdf, from its second roster address ("TB 185").
    key = "19_cucthue_185_ontime_pdf.eml"
    msg = new_mail(
        key,
        sender="Văn phòng Đoàn Cục Thuế <vanphongdoan@cucthue.example.gov.vn>",
        subject="V/v đăng ký danh sách chiến sĩ tình nguyện theo TB 185",
        date=at(8, 18, 14, 21, 55),
        message_id="<c2d4f6a8e0b14357@cucthue.example.gov.vn>",
        hops=[into_office("mail.cucthue.example.gov.vn", "203.0.113.10", at(8, 18, 14, 22, 10))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,
        Đoàn Cục Thuế Thành phố gửi danh sách đăng ký (file PDF đính kèm).
        Trân trọng.
        """),
        cte="quoted-printable",
    )
    attach(
        msg,
        "DS dang ky CSTN - Doan Cuc Thue.pdf",
        make_pdf(
            [
                "DOAN CUC THUE THANH PHO",
                "DANH SACH DANG KY CHIEN SI TINH NGUYEN - NGAY CHU NHAT XANH THANG 8/2023",
                "(Theo Thong bao so 185-TB/DTN ngay 14/8/2023 cua Doan Khoi)",
                "",
                "1. Pham Quoc Huy - Bi thu Doan - 0909 000 101",
                "2. Tran Ngoc Lan - Uy vien BCH - 0909 000 102",
                "3. Do Minh Khang - Doan vien - 0909 000 103",
                "4. Bui Thi Hong Nhung - Doan vien - 0909 000 104",
            ],
            at(8, 18, 14, 15),
        ),
    )
    add(key, msg)

    # 20 - BHXH, notice 185: 17:42:10 against 17:00 (+30 minutes grace): 43 minutes late.
    key = "20_bhxh_185_late_docx.eml"
    msg = new_mail(
        key,
        sender="Doan TN BHXH TP <doanthanhnien@bhxh.example.gov.vn>",
        subject="Dang ky danh sach chien si tinh nguyen (185-TB/DTN) - BHXH TP",
        date=at(8, 21, 17, 41, 50),
        message_id="<01a301d9d42c$0b8e1f60$22aa5e20$@bhxh.example.gov.vn>",
        hops=[into_office("mail.bhxh.example.gov.vn", "203.0.113.30", at(8, 21, 17, 42, 10))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,
        Đoàn BHXH TP gửi danh sách đăng ký (file đính kèm).
        Trân trọng.
        """),
        cte="base64",
    )
    attach(
        msg,
        "Danh sách đăng ký CSTN - BHXH TP.docx",
        make_docx(
            "Võ Thị Thanh Hà",
            at(8, 21, 17, 30),
            header=["BCH ĐOÀN BẢO HIỂM XÃ HỘI THÀNH PHỐ"],
            title=[
                "DANH SÁCH ĐĂNG KÝ CHIẾN SĨ TÌNH NGUYỆN",
                "Ngày Chủ nhật xanh tháng 8/2023 (theo Thông báo số 185-TB/ĐTN)",
            ],
            body=[],
            table=[
                ["STT", "Họ và tên", "Chức vụ", "Điện thoại"],
                ["1", "Võ Thị Thanh Hà", "Bí thư Đoàn", "0909 000 301"],
                ["2", "Lâm Quốc Việt", "Đoàn viên", "0909 000 302"],
                ["3", "Châu Ngọc Mai", "Đoàn viên", "0909 000 303"],
            ],
        ),
    )
    add(key, msg)

    # 21 - Quỹ PTNƠ, notice 185: a registration written in the body (over 300 characters),
    # received 17:18:40 on 21/8: inside the 30 minutes' grace, so on time.
    key = "21_qptno_185_ontime_in_grace_body.eml"
    msg = new_mail(
        key,
        sender="Chi đoàn Quỹ Phát triển nhà ở <chidoan@qptno.example.vn>",
        subject="Re: Thông báo số 185-TB/ĐTN về việc đăng ký danh sách chiến sĩ tình "
        "nguyện tham gia Ngày Chủ nhật xanh tháng 8/2023",
        date=at(8, 21, 17, 18, 22),
        message_id="<20230821171822.44C9@qptno.example.vn>",
        in_reply_to=NOTICE_185_ID,
        hops=[into_office("mail.qptno.example.vn", "203.0.113.71", at(8, 21, 17, 18, 40))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,

        Thực hiện thông báo số 185 của Ban Thường vụ Đoàn Khối, Chi đoàn Quỹ Phát triển nhà ở
        đăng ký danh sách chiến sĩ tình nguyện tham gia Ngày Chủ nhật xanh tháng 8/2023 gồm các
        đồng chí sau:

        1. Trần Thị Bích - Bí thư Chi đoàn - điện thoại 0909 000 401
        2. Phan Văn Đức - Phó Bí thư Chi đoàn - điện thoại 0909 000 402
        3. Đoàn Thị Kim Ngân - đoàn viên, Phòng Tín dụng - điện thoại 0909 000 403
        4. Lê Hữu Phước - đoàn viên, Phòng Hành chính - điện thoại 0909 000 404

        Chi đoàn phân công đồng chí Phan Văn Đức làm nhóm trưởng, liên hệ với Văn phòng Đoàn Khối
        để nhận phân công địa bàn và dụng cụ.

        Trân trọng,
        Trần Thị Bích
        """),
        cte="8bit",
    )
    add(key, msg)

    # 22 - Sở Tư pháp again, now from its roster address, the next day: more photos. The unit
    # stays on time, matched by name (the submission is the Gmail of 05).
    key = "22_stp_extra_photos_roster_address.eml"
    msg = new_mail(
        key,
        sender="Đoàn TN Sở Tư pháp <doanthanhnien@stp.example.gov.vn>",
        subject="Bổ sung hình ảnh Ngày hoạt động cao điểm - Đoàn Sở Tư pháp",
        date=at(8, 12, 9, 29, 40),
        message_id="<7a1c3e5b9d2f4680@stp.example.gov.vn>",
        hops=[into_office("mail.stp.example.gov.vn", "203.0.113.120", at(8, 12, 9, 30, 1))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,
        Hộp thư của Đoàn đã hoạt động lại, Đoàn Sở Tư pháp gửi bổ sung hình ảnh ngày 11/8.
        Trân trọng.
        """),
        cte="quoted-printable",
    )
    attach(
        msg,
        "STP_tu-van-phap-luat_02.jpg",
        photo("DOAN SO TU PHAP - TRO GIUP PHAP LY", "11/08/2023 09:35"),
    )
    attach(
        msg,
        "STP_tu-van-phap-luat_03.jpg",
        photo("DOAN SO TU PHAP - LY LICH TU PHAP", "11/08/2023 10:10"),
    )
    add(key, msg)

    # 23 - Cục Thuế again in the afternoon: the signed PDF. A later message never makes an
    # on-time unit late.
    key = "23_cucthue_signed_pdf_afternoon.eml"
    msg = new_mail(
        key,
        sender="Đoàn Thanh niên Cục Thuế TP <doanthanhnien@cucthue.example.gov.vn>",
        subject="Gửi bản báo cáo có chữ ký - Ngày hoạt động cao điểm",
        date=at(8, 11, 16, 9, 44),
        message_id="<b83d0f2a61c9.1691744984@cucthue.example.gov.vn>",
        hops=[into_office("mail.cucthue.example.gov.vn", "203.0.113.10", at(8, 11, 16, 10, 0))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,
        Đoàn Cục Thuế gửi bản scan báo cáo đã ký để Văn phòng lưu hồ sơ.
        Trân trọng.
        """),
        cte="quoted-printable",
    )
    attach(
        msg,
        "BC 27-BC-DTN (ban ky).pdf",
        make_pdf(
            [
                "DOAN KHOI DAN - CHINH - DANG TP",
                "BCH DOAN CUC THUE THANH PHO          So: 27-BC/DTN",
                "",
                "BAO CAO",
                "Ket qua to chuc Ngay hoat dong cao diem ngay 11/8/2023",
                "(Ban da ky - kem theo email bao cao luc 09g12 ngay 11/8/2023)",
                "",
                "TM. BAN CHAP HANH - BI THU",
                "Pham Quoc Huy",
            ],
            at(8, 11, 15, 55),
        ),
    )
    add(key, msg)

    # 24 - Sở Công Thương: the report on time, no photos: they were posted in the office's
    # Zalo group, which mailtally cannot see. Incomplete until the office accepts it (the
    # `demo` command records that acceptance, config/sample.py).
    key = "24_sct_report_only_photos_in_zalo_group.eml"
    unit = "Đoàn Sở Công Thương"
    msg = new_mail(
        key,
        sender="Đoàn Sở Công Thương <doanthanhnien@sct.example.gov.vn>",
        subject="Báo cáo Ngày hoạt động cao điểm (TB 178) - Đoàn Sở Công Thương",
        date=at(8, 11, 10, 38, 2),
        message_id="<5c2e8f1a7b3d4e60@sct.example.gov.vn>",
        hops=[into_office("mail.sct.example.gov.vn", "203.0.113.95", at(8, 11, 10, 38, 19))],
    )
    msg.set_content(
        text("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Sở Công Thương gửi báo cáo kết quả Ngày hoạt động cao điểm (file đính kèm). Hình
        ảnh hoạt động đơn vị đã gửi trong nhóm Zalo của Đoàn Khối sáng nay.

        Trân trọng,
        Lê Thị Thu Hà
        """),
        cte="quoted-printable",
    )
    attach(
        msg,
        "BC Ngay hoat dong cao diem - Doan So Cong Thuong.docx",
        report_docx(unit, "15-BC/ĐTN", "Lê Thị Thu Hà", at(8, 11, 10, 20), facts(rng)),
    )
    add(key, msg)

    return dict(sorted(files.items()))


def bounce_message(key: str) -> bytes:
    """A Postfix-style delivery status notification (multipart/report), written out by hand."""
    boundary = f"00000000{digest(key, 'boundary', 0)[:20]}"
    encoded_name = Header("Văn phòng Đoàn Khối", "utf-8").encode()
    encoded_subject = Header(NOTICE_178_SUBJECT, "utf-8").encode(linesep="\n")
    body = f"""\
Return-Path: <>
Received: from localhost (localhost [127.0.0.1]) by {MX} with ESMTP id 4RMt3C0Q1Az9
 for <{OFFICE}>; Thu, 03 Aug 2023 15:30:48 +0700
From: Mail Delivery System <MAILER-DAEMON@{MX}>
To: {OFFICE}
Subject: Undelivered Mail Returned to Sender
Date: Thu, 03 Aug 2023 15:30:47 +0700
Message-ID: <20230803083047.4RMt3C0Q1Az9@{MX}>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="{boundary}"

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host {MX}.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<doanthanhnien@stnmt.example.gov.vn>: host mail.stnmt.example.gov.vn[203.0.113.130]
    said: 552 5.2.2 Mailbox full (in reply to RCPT TO command)

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; {MX}
X-Postfix-Queue-ID: 4RMt2Z5kQ7z1
X-Postfix-Sender: rfc822; {OFFICE}
Arrival-Date: Thu, 03 Aug 2023 15:30:12 +0700 (ICT)

Final-Recipient: rfc822; doanthanhnien@stnmt.example.gov.vn
Original-Recipient: rfc822;doanthanhnien@stnmt.example.gov.vn
Action: failed
Status: 5.2.2
Remote-MTA: dns; mail.stnmt.example.gov.vn
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Received: from localhost (localhost [127.0.0.1]) by {MX} with ESMTPSA id 4RMt2Z5kQ7z1;
 Thu, 03 Aug 2023 15:30:12 +0700
From: {encoded_name} <{OFFICE}>
Subject: {encoded_subject}
Date: Thu, 03 Aug 2023 15:30:05 +0700
Message-ID: {NOTICE_178_ID}

--{boundary}--
"""
    return body.encode("ascii")


def check(files: dict[str, bytes]) -> None:
    """Refuse to write an inbox that breaks the size limits."""
    for name, data in files.items():
        if len(data) >= MAX_MESSAGE_BYTES:
            raise SystemExit(f"{name}: {len(data)} bytes, limit {MAX_MESSAGE_BYTES}")
    total = sum(len(data) for data in files.values())
    if total >= MAX_INBOX_BYTES:
        raise SystemExit(f"inbox: {total} bytes, limit {MAX_INBOX_BYTES}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default_out = Path(__file__).resolve().parent.parent / "config" / "demo" / "inbox"
    parser.add_argument(
        "--out",
        type=Path,
        default=default_out,
        help="folder to write the .eml files to (default: config/demo/inbox)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    files = build_inbox()
    check(files)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for stale in sorted(out.glob("[0-9][0-9]_*.eml")):
        if stale.name not in files:
            stale.unlink()
            log.info("removed %s", stale.name)
    for name, data in files.items():
        (out / name).write_bytes(data)
    log.info(
        "wrote %d messages, %d bytes, to %s", len(files), sum(len(d) for d in files.values()), out
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
