"""How the matching corpus (tools/make_matching_corpus.py) builds its mail: the units' documents
(.docx, .xlsx, .pdf, scans, photos), the headers each kind of sender's mail system writes, and
`Corpus`, which draws every random choice from one seeded generator and labels each message."""

from __future__ import annotations

import html
import io
import random
import re
import textwrap
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from email.message import EmailMessage, Message
from email.utils import format_datetime
from pathlib import Path

import docx
import mailkit
import openpyxl
from corpus_world import (
    MX,
    OFFICE,
    OFFICE_DOMAIN,
    OFFICE_TO,
    PDT,
    R178,
    ROSTER,
    SEED,
    UNITS,
    Person,
    Req,
    Unit,
    drop_marks_in_one_word,
    misplace_tone,
    nfd,
    person,
    personal_address,
    swap_tone,
)
from docx.enum.text import WD_ALIGN_PARAGRAPH
from mailkit import (
    ICT,
    POLICY,
    at,
    digest,
    html_of,
    images,
    ooxml,
    pdf,
    unaccent,
)
from mailkit.headers import (
    ADDRESS_HEADERS,
    encoded_words,
    set_header,
)
from mailkit.images import PhotoStyle
from mailkit.replies import (
    Sender,
)
from PIL import Image, ImageDraw

# --------------------------------------------------------------------------- attachments


PHOTO = PhotoStyle(crowd=(8, 15), radius=(9, 22), grain=0.04, banner=(12, 10, 40), quality=55)


def make_photo(seed: int, size: tuple[int, int] = (360, 240)) -> bytes:
    """A small JPEG (about 6 KB): a gradient 'hall', a crowd of shapes, a red banner."""
    return images.photo(seed, size, PHOTO)


def make_logo() -> bytes:
    """A small PNG signature logo (well under 10 KB)."""
    return images.logo((96, 32), 4)


FIXED_ZIP_TIME = (2023, 1, 1, 0, 0, 0)
_DOCX_DROP = (
    "word/stylesWithEffects.xml",
    "docProps/thumbnail.jpeg",
    "word/theme/theme1.xml",
    "word/numbering.xml",
    "word/webSettings.xml",
    "customXml/item1.xml",
    "customXml/itemProps1.xml",
    "customXml/_rels/item1.xml.rels",
)
_MIN_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" '
    'w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>'
    '<w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault>'
    '<w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="276" w:lineRule="auto"/></w:pPr>'
    "</w:pPrDefault></w:docDefaults>"
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
    "<w:qFormat/></w:style>"
    '<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/>'
    '<w:basedOn w:val="Normal"/></w:style>'
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:left w:w="108" w:type="dxa"/>'
    '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>'
    '<w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders>'
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders></w:tblPr></w:style></w:styles>"
)


def _rezip(
    data: bytes,
    drop: Sequence[str] = (),
    replace: dict[str, bytes] | None = None,
    when: datetime | None = None,
) -> bytes:
    """Rewrite an OOXML zip with fixed timestamps (zip entries and docProps/core.xml)."""
    core_when = when or datetime(2023, 1, 1, tzinfo=UTC)
    return ooxml.rezip(data, drop, replace, zip_time=FIXED_ZIP_TIME, core_when=core_when)


@dataclass(frozen=True, slots=True)
class DocSpec:
    """A unit's document: the header block, a title, paragraphs, an optional table.

    layout: "table" (the two-column letterhead block Vietnamese offices use), "lines" (the same
    lines as paragraphs), "section" (the unit's name in the Word page header), "none".
    """

    author: str
    when: datetime
    unit_lines: tuple[str, ...]  # e.g. ("ĐOÀN KHỐI DÂN - CHÍNH - ĐẢNG TP", "BCH ĐOÀN SỞ TƯ PHÁP")
    number: str  # "Số: 12-BC/ĐTN" or ""
    place_date: str
    title: tuple[str, ...]
    body: tuple[str, ...]
    table: tuple[tuple[str, ...], ...] = ()
    layout: str = "table"
    signature: tuple[str, ...] = ()


def make_docx(spec: DocSpec) -> bytes:
    document = docx.Document()
    props = document.core_properties
    props.author = spec.author
    props.last_modified_by = spec.author
    props.title = spec.title[0] if spec.title else ""
    props.comments = ""
    props.revision = 3
    left = [*spec.unit_lines, "***"] + ([spec.number] if spec.number else [])
    right = ["ĐOÀN TNCS HỒ CHÍ MINH", "", spec.place_date]
    if spec.layout == "table":
        grid = document.add_table(rows=1, cols=2)
        for cell, lines in zip(grid.rows[0].cells, (left, right), strict=True):
            cell.paragraphs[0].text = ""
            for i, line in enumerate(lines):
                paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.add_run(line).bold = i < len(spec.unit_lines)
    elif spec.layout == "lines":
        for line in [*left, right[0], right[2]]:
            document.add_paragraph().add_run(line).bold = True
    elif spec.layout == "section":
        header = document.sections[0].header
        header.paragraphs[0].text = "  –  ".join(spec.unit_lines)
        if spec.number:
            header.add_paragraph(spec.number)
        document.add_paragraph(spec.place_date)
    ooxml.add_letter(document, spec.title, spec.body, spec.table)
    for i, line in enumerate(spec.signature):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run(line).bold = i < 2
    styles = {"word/styles.xml": _MIN_STYLES.encode()}
    return _rezip(ooxml.saved(document), _DOCX_DROP, styles, spec.when)


def make_xlsx(
    rows: Sequence[Sequence[object]],
    when: datetime,
    *,
    sheet: str = "Danh sach",
    shared_strings: bool = True,
) -> bytes:
    """A one-sheet workbook. With `shared_strings` the text is stored as Excel and Google Sheets
    store it (xl/sharedStrings.xml); without, as openpyxl writes it (inline strings)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    book.properties.creator = "Microsoft Excel"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if not shared_strings:
        return _rezip(data, (), None, when)
    src = zipfile.ZipFile(io.BytesIO(data))
    name = "/".join(("xl", "worksheets", "sheet1.xml"))  # (a literal trips a path check)
    xml = src.read(name).decode("utf-8")
    strings: list[str] = []

    def to_shared(m: re.Match[str]) -> str:
        value = html.unescape(m.group(2))
        if value not in strings:
            strings.append(value)
        return f'<c r="{m.group(1)}" t="s"><v>{strings.index(value)}</v></c>'

    xml = re.sub(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', to_shared, xml)
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(
            f'<si><t xml:space="preserve">{html.escape(s, quote=False)}</t></si>' for s in strings
        )
        + "</sst>"
    )
    types = (
        src.read("[Content_Types].xml")
        .decode("utf-8")
        .replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    )
    rels = (
        src.read("xl/_rels/workbook.xml.rels")
        .decode("utf-8")
        .replace(
            "</Relationships>",
            '<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
    )
    staged = io.BytesIO()
    with zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == name:
                blob = xml.encode("utf-8")
            elif info.filename == "[Content_Types].xml":
                blob = types.encode("utf-8")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                blob = rels.encode("utf-8")
            dst.writestr(info.filename, blob)
        dst.writestr("xl/sharedStrings.xml", shared.encode("utf-8"))
    return _rezip(staged.getvalue(), (), None, when)


def make_pdf(lines: Sequence[str], when: datetime, producer: str = "Microsoft® Word 2016") -> bytes:
    """A one-page text PDF. Vietnamese letters are mapped to codes 128-255 of a simple font with
    a /ToUnicode map, so that the text can be extracted as it was written."""
    chars = sorted(
        {c for line in lines for c in unicodedata.normalize("NFC", line) if ord(c) > 126}
    )
    if len(chars) > 128:
        raise ValueError("too many distinct non-ASCII characters for one simple font")
    code = {c: 128 + i for i, c in enumerate(chars)}

    def encode(text: str) -> str:
        out = []
        for c in unicodedata.normalize("NFC", text):
            if c in code:
                out.append(f"\\{code[c]:03o}")
            elif c in "\\()":
                out.append("\\" + c)
            else:
                out.append(c)
        return "".join(out)

    stream = (
        "BT /F1 11 Tf 56 790 Td 15 TL\n" + "".join(f"({encode(line)}) '\n" for line in lines) + "ET"
    )
    bfchar = "".join(f"<{code[c]:02X}> <{ord(c):04X}>\n" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        "1 beginbfrange <20> <7E> <0020> endbfrange\n"
        + (f"{len(chars)} beginbfchar\n{bfchar}endbfchar\n" if chars else "")
        + "endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    differences = " ".join(f"/uni{ord(c):04X}" for c in chars)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding << /Type /Encoding "
        f"/BaseEncoding /WinAnsiEncoding /Differences [128 {differences}] >> /ToUnicode 6 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream",
        f"<< /Producer ({unaccent(producer).encode('ascii', 'replace').decode()}) "
        f"/CreationDate (D:{when:%Y%m%d%H%M%S}+07'00') >>",
    ]
    encoded = [body.encode("latin-1") for body in objects]
    return pdf.pdf_file(pdf.numbered(encoded), info=len(encoded))


def make_scan_pdf(seed: int, when: datetime) -> bytes:
    """A 'scanned' signed page: one JPEG drawn on one page, no text layer (as scanners write)."""
    rng = random.Random(seed)
    img = Image.new("L", (420, 594), 246)
    draw = ImageDraw.Draw(img)
    for y in range(60, 540, 14):
        draw.line((40, y, rng.randrange(250, 380), y), fill=rng.randrange(60, 110), width=2)
    draw.ellipse((250, 470, 340, 560), outline=170, width=4)
    jpeg = io.BytesIO()
    img.save(jpeg, "JPEG", quality=40)
    picture = jpeg.getvalue()
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 420 /Height 594 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length "
        + str(len(picture)).encode()
        + b" >>\nstream\n"
        + picture
        + b"\nendstream",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        (
            f"<< /Producer (Canon iR-ADV C5535) /CreationDate (D:{when:%Y%m%d%H%M%S}+07'00') >>"
        ).encode(),
    ]
    return pdf.pdf_file(pdf.numbered(objects), info=len(objects))


# --------------------------------------------------------------------------- mail assembly


def route_of(address: str) -> str:
    domain = address.rsplit("@", 1)[-1]
    if domain == "gmail.com":
        return "gmail"
    if domain.startswith("yahoo"):
        return "yahoo"
    if domain == "outlook.com":
        return "outlook"
    if domain == OFFICE_DOMAIN:
        return "office"
    return "gov"


def sender(name: str, address: str) -> Sender:
    return Sender(name, address, route_of(address))


def ip4(key: str, net: str) -> str:
    """An address in the /24 `net` ("203.0.113"), derived from the message key."""
    return f"{net}.{int(digest(key, 'ip')[:4], 16) % 200 + 20}"


def received_headers(
    key: str, route: str, address: str, received: datetime, zone: tzinfo
) -> list[str]:
    """`Received:` lines, newest first: the office's MX accepting the message (its receipt
    time) and the hop before it, as each kind of sender's mail system writes them."""
    qid = digest(key, "qid")[:12].upper()
    domain = address.rsplit("@", 1)[-1]
    mx_stamp = format_datetime(received.astimezone(zone))
    earlier = received - timedelta(seconds=int(digest(key, "lag")[:2], 16) % 25 + 2)
    if route == "office":
        return [
            f"from [10.10.1.25] (unknown [10.10.1.25]) by {MX} (Postfix) with ESMTPSA id "
            f"{qid} for <{OFFICE}>; {mx_stamp}"
        ]
    if route == "gmail":
        host = f"mail-{digest(key, 'h')[:3]}-f{int(digest(key, 'n')[:2], 16) % 90 + 10}"
        return [
            f"from {host}.google.example ({host}.google.example [{ip4(key, '198.51.100')}]) "
            f"by {MX} (Postfix) with ESMTPS id {qid} for <{OFFICE}>; {mx_stamp}",
            f"by 2002:a05:6a10:{digest(key, 'g')[:4]}:b0:{digest(key, 'g2')[:3]} with SMTP id "
            f"{digest(key, 'sid')[:10]}; {format_datetime(earlier.astimezone(PDT))}",
        ]
    if route in ("yahoo", "outlook"):
        relay = "sonic.mail.yahoo.example" if route == "yahoo" else "outbound.outlook.example"
        return [
            f"from {relay} ({relay} [{ip4(key, '192.0.2')}]) by {MX} (Postfix) with ESMTPS id "
            f"{qid} for <{OFFICE}>; {mx_stamp}",
            f"from [{ip4(key, '10.64.3')}] by {relay} with HTTP; "
            f"{format_datetime(earlier.astimezone(UTC))}",
        ]
    return [
        f"from mail.{domain} (mail.{domain} [{ip4(key, '203.0.113')}]) by {MX} (Postfix) with "
        f"ESMTPS id {qid} for <{OFFICE}>; {mx_stamp}",
        f"from [{ip4(key, '10.20.0')}] (unknown [{ip4(key, '10.20.0')}]) by mail.{domain} with "
        f"ESMTPSA id {digest(key, 'q2')[:10]}; {format_datetime(earlier)}",
    ]


def message_id_for(key: str, route: str, address: str) -> str:
    h = digest(key, "mid")
    domain = address.rsplit("@", 1)[-1]
    if route == "gmail":
        return f"<CA{h[:6].upper()}+{h[6:30]}@mail.gmail.com>"
    if route == "outlook":
        return f"<SG2PR06MB{h[:4].upper()}{h[4:24].upper()}@SG2PR06MB{h[24:28].upper()}.example>"
    if route == "yahoo":
        return f"<{int(h[:12], 16)}.{int(h[12:20], 16)}@mail.yahoo.example>"
    if route == "office":
        return f"<{h[:16]}.vp@{OFFICE_DOMAIN}>"
    style = int(h[40:42], 16) % 3
    if style == 0:
        return f"<{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}@{domain}>"
    if style == 1:
        return f"<000{h[:3]}01d9{h[3:7]}${h[7:15]}${h[15:23]}$@{domain}>"
    return f"<{h[:16]}@{domain}>"


def new_mail(
    key: str,
    who: Sender,
    subject: str | None,
    received: datetime,
    *,
    date: datetime | None = None,
    to: str = OFFICE_TO,
    cc: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    extra: Sequence[tuple[str, str]] = (),
    zone: tzinfo = ICT,
    message_id: str | None = "",
    mailer: str | None = None,
) -> EmailMessage:
    """The headers of one message. `message_id` "" makes one up; None leaves it out."""
    msg = EmailMessage(policy=POLICY)
    msg["Return-Path"] = f"<{who.address}>"
    for line in received_headers(key, who.route, who.address, received, zone):
        msg["Received"] = line
    lag = int(digest(key, "date")[:2], 16) % 50 + 8
    sent = date or received - timedelta(seconds=lag)
    set_header(msg, "From", who.header, key)
    set_header(msg, "To", to, key)
    if cc:
        set_header(msg, "Cc", cc, key)
    if subject is not None:
        set_header(msg, "Subject", subject, key)
    msg["Date"] = format_datetime(sent if who.route != "gmail" else sent.astimezone(ICT))
    if message_id is not None:
        msg["Message-ID"] = message_id or message_id_for(key, who.route, who.address)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    refs = list(references) or ([in_reply_to] if in_reply_to else [])
    if refs:
        msg["References"] = " ".join(refs)
    if mailer:
        msg["X-Mailer"] = mailer
    for name, value in extra:
        if name in ADDRESS_HEADERS:
            set_header(msg, name, value, key)
        else:
            msg[name] = value
    return msg


def attach(msg: EmailMessage, filename: str, data: bytes) -> None:
    """Attach a file. A non-ASCII name is written as Gmail and Outlook write it (an RFC 2047
    word inside the quotes) for two files in three, else as RFC 2231 (filename*=utf-8'')."""
    mailkit.attach(msg, filename, data)
    maintype, subtype = mailkit.mime_type(filename)
    if filename.isascii() or int(digest(filename, "2231")[:2], 16) % 3 == 0:
        return
    parts = msg.get_payload()
    assert isinstance(parts, list)
    part = parts[-1]
    assert isinstance(part, Message)
    words = "\n ".join(encoded_words(filename, filename, limit=60))
    del part["Content-Type"]
    del part["Content-Disposition"]
    part.set_raw("Content-Type", f'{maintype}/{subtype};\n name="{words}"')
    part.set_raw("Content-Disposition", f'attachment;\n filename="{words}"')
    cte = part["Content-Transfer-Encoding"]
    del part["Content-Transfer-Encoding"]
    part["Content-Transfer-Encoding"] = str(cte)


BOUNDARY = mailkit.boundaries(12, 16)


def serialise(key: str, msg: EmailMessage) -> bytes:
    return mailkit.serialise(key, msg, BOUNDARY)


# --------------------------------------------------------------------------- documents


def letterhead(u: Unit | None) -> tuple[str, ...]:
    top = "ĐOÀN KHỐI DÂN - CHÍNH - ĐẢNG TP"
    if u is None:
        return (top, "BCH ĐOÀN ..............................")
    return (top, f"BCH {u.name.upper()}")


def doc_number(u: Unit | None, rng: random.Random, kind: str = "BC") -> str:
    suffix = "CĐ" if u is not None and u.kind == "chidoan" else "ĐTN"
    if u is None:
        return f"Số:      -{kind}/ĐTN"
    return f"Số: {rng.randrange(3, 60):02d}-{kind}/{suffix}"


def place_date(when: datetime) -> str:
    return f"TP. Hồ Chí Minh, ngày {when.day:02d} tháng {when.month} năm {when.year}"


def signature_lines(u: Unit | None, author: str) -> tuple[str, ...]:
    who = f"TM. BAN CHẤP HÀNH {u.name.upper()}" if u is not None else "TM. BAN CHẤP HÀNH"
    return (who, "BÍ THƯ", "", author)


def members_table(
    rng: random.Random, n: int, columns: Sequence[str]
) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = [("STT", *columns)]
    for i in range(1, n + 1):
        p = person(rng)
        values: list[str] = []
        for col in columns:
            if col == "Họ và tên":
                values.append(p.full)
            elif col == "Năm sinh":
                values.append(str(rng.randrange(1988, 2002)))
            elif col == "Nhóm máu":
                values.append(rng.choice(["O", "A", "B", "AB", "O", "O"]))
            elif col == "Điện thoại":
                values.append(
                    f"09{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}"
                )
            elif col == "Chức vụ":
                values.append(
                    rng.choice(
                        ["Đoàn viên", "Đoàn viên", "Ủy viên BCH", "Phó Bí thư", "Chuyên viên"]
                    )
                )
            elif col == "Vai trò":
                values.append("Đội trưởng" if i == 1 else "Thành viên")
            else:
                values.append("")
        rows.append((str(i), *values))
    return tuple(rows)


def reference_line(req: Req, *, with_id: bool) -> str:
    issued = f"{req.issued.day:02d}/{req.issued.month}/{req.issued.year}"
    kind = req.long_kind.capitalize()
    if with_id:
        return (
            f"Thực hiện {kind} số {req.id} ngày {issued} của Ban Thường vụ Đoàn Khối "
            "Dân - Chính - Đảng Thành phố"
        )
    return (
        f"Thực hiện chỉ đạo của Ban Thường vụ Đoàn Khối Dân - Chính - Đảng Thành phố ngày {issued}"
    )


@dataclass(frozen=True, slots=True)
class Content:
    """What a document answering one notice says: its number, title, paragraphs and table."""

    number: str
    title: tuple[str, ...]
    body: tuple[str, ...]
    table: tuple[tuple[str, ...], ...]


def blood_donors_list(u: Unit | None, rng: random.Random, ref: str, who: str) -> Content:
    """160: the list of members who give blood."""
    n = rng.randrange(6, 24)
    return Content(
        doc_number(u, rng, "DS"),
        (
            "DANH SÁCH",
            "Đoàn viên, thanh niên đăng ký tham gia Ngày hội hiến máu tình nguyện "
            "“Giọt hồng Đoàn Khối” năm 2023",
        ),
        (
            f"{ref}, {who} đăng ký danh sách {n} đoàn viên, thanh niên tham gia hiến máu tình "
            "nguyện ngày 30/7/2023 như sau:",
        ),
        members_table(rng, n, ("Họ và tên", "Năm sinh", "Nhóm máu", "Điện thoại")),
    )


def half_year_report(u: Unit | None, rng: random.Random, ref: str, who: str) -> Content:
    """171: the half-year report."""
    members = rng.randrange(25, 400)
    extras = []
    if rng.random() < 0.5:
        extras.append(
            "- Tổ chức cho đoàn viên tham gia Ngày hội hiến máu của đơn vị và của Đoàn Khối."
        )
    if rng.random() < 0.5:
        extras.append(
            "- Xây dựng kế hoạch tham gia Chiến dịch tình nguyện Kỳ Nghỉ Hồng lần "
            "thứ 22 - năm 2023."
        )
    return Content(
        doc_number(u, rng),
        (
            "BÁO CÁO",
            "Sơ kết công tác Đoàn và phong trào thanh niên 6 tháng đầu năm 2023, "
            "phương hướng nhiệm vụ 6 tháng cuối năm 2023",
        ),
        (
            f"{ref}, {who} báo cáo sơ kết công tác Đoàn và phong trào thanh niên 6 tháng "
            "đầu năm 2023 như sau:",
            "I. TÌNH HÌNH CHUNG",
            f"Tổng số đoàn viên: {members}; số chi đoàn trực thuộc: {rng.randrange(2, 15)}.",
            "II. KẾT QUẢ THỰC HIỆN",
            "1. Công tác giáo dục chính trị, tư tưởng: tổ chức "
            f"{rng.randrange(2, 9)} buổi sinh hoạt chủ điểm, học tập Nghị quyết.",
            "2. Phong trào “3 trách nhiệm”: "
            f"{rng.randrange(3, 30)} sáng kiến, giải pháp cải cách hành chính được ghi nhận.",
            f"3. Công tác phát triển đảng viên: giới thiệu {rng.randrange(1, 8)} đoàn viên ưu "
            "tú cho cấp ủy xem xét kết nạp.",
            "III. PHƯƠNG HƯỚNG 6 THÁNG CUỐI NĂM",
            *extras,
            "- Tiếp tục thực hiện các chỉ tiêu năm 2023 theo chương trình công tác.",
        ),
        (),
    )


def peak_day_report(u: Unit | None, rng: random.Random, ref: str, who: str) -> Content:
    """178: the report on the peak day."""
    return Content(
        doc_number(u, rng),
        (
            "BÁO CÁO",
            "Kết quả tổ chức Ngày hoạt động cao điểm “Chiến sĩ tình nguyện thực "
            "hiện chủ đề năm của Thành phố”",
        ),
        (
            f"{ref}, {who} báo cáo kết quả tổ chức Ngày hoạt động cao điểm ngày 11/8/2023 như sau:",
            f"1. Số đoàn viên, thanh niên tham gia: {rng.randrange(12, 70)} đồng chí.",
            "2. Hướng dẫn người dân, doanh nghiệp thực hiện dịch vụ công trực tuyến: "
            f"{rng.randrange(30, 260)} lượt; hỗ trợ xử lý {rng.randrange(5, 60)} hồ sơ tồn "
            "đọng tại bộ phận một cửa.",
            f"3. Thực hiện {rng.randrange(2, 9)} sản phẩm tuyên truyền trực quan về cải cách "
            "hành chính và phong trào “3 trách nhiệm”.",
            "Đánh giá chung: hoạt động được cấp ủy quan tâm, đoàn viên tham gia nhiệt tình, "
            "mặc áo Thanh niên Việt Nam và đeo huy hiệu Đoàn theo hướng dẫn.",
        ),
        (),
    )


def volunteers_list(u: Unit | None, rng: random.Random, ref: str, who: str) -> Content:
    """185: the list of volunteers for the green Sunday."""
    n = rng.randrange(4, 12)
    return Content(
        doc_number(u, rng, "DS"),
        ("DANH SÁCH ĐĂNG KÝ", "Chiến sĩ tình nguyện tham gia Ngày Chủ nhật xanh tháng 8/2023"),
        (
            f"{ref}, {who} đăng ký {n} chiến sĩ tình nguyện tham gia Ngày Chủ nhật xanh "
            "ngày 27/8/2023:",
        ),
        members_table(rng, n, ("Họ và tên", "Chức vụ", "Điện thoại")),
    )


def contest_team_form(u: Unit | None, rng: random.Random, ref: str, who: str) -> Content:
    """192: the contest team's registration form."""
    return Content(
        doc_number(u, rng, "ĐK"),
        ("PHIẾU ĐĂNG KÝ ĐỘI THI", "Hội thi tìm hiểu 78 năm Cách mạng Tháng Tám và Quốc khánh 2/9"),
        (f"{ref}, {who} đăng ký đội thi gồm các đồng chí sau:",),
        members_table(rng, 4, ("Họ và tên", "Vai trò", "Điện thoại")),
    )


CONTENT_BY_REQUEST = {
    "160": blood_donors_list,
    "171": half_year_report,
    "178": peak_day_report,
    "185": volunteers_list,
    "192": contest_team_form,
}


def document_for(
    req: Req,
    u: Unit | None,
    rng: random.Random,
    when: datetime,
    *,
    layout: str = "table",
    with_id: bool = True,
    name_in_body: bool = True,
    author: str | None = None,
) -> DocSpec:
    """A unit's document answering `req`, as units write them (title, letterhead, content)."""
    author = author or person(rng).full
    who = u.name if (u is not None and name_in_body) else "Ban Chấp hành"
    ref = reference_line(req, with_id=with_id)
    unit_lines = letterhead(u)
    sig = signature_lines(u if name_in_body else None, author)
    content = CONTENT_BY_REQUEST[req.number](u, rng, ref, who)
    return DocSpec(
        author,
        when,
        unit_lines,
        content.number,
        place_date(when),
        content.title,
        content.body,
        content.table,
        layout,
        sig,
    )


def pdf_lines(spec: DocSpec) -> list[str]:
    lines = [*spec.unit_lines, spec.number, spec.place_date, "", *spec.title, ""]
    for line in spec.body:
        lines.extend(textwrap.wrap(line, 88) or [""])
    for row in spec.table[:12]:
        lines.append("   ".join(row))
    lines.extend(["", *spec.signature])
    return lines


def xlsx_rows(spec: DocSpec, *, with_unit: bool = True) -> list[list[object]]:
    rows: list[list[object]] = []
    if with_unit:
        rows.append([f"ĐƠN VỊ: {spec.unit_lines[-1].removeprefix('BCH ')}"])
    rows.append([" ".join(spec.title).upper()])
    rows.append([])
    for row in spec.table:
        rows.append([int(v) if v.isdigit() and len(v) < 3 else v for v in row])
    rows.append([])
    rows.append([f"Người lập: {spec.author}"])
    return rows


# --------------------------------------------------------------------------- the corpus

PREFIXES = {
    "doan": (
        "Đoàn",
        "Đoàn TN",
        "ĐTN",
        "Đoàn Thanh niên",
        "Đoàn TNCS HCM",
        "Đoàn TNCS Hồ Chí Minh",
        "BCH Đoàn",
    ),
    "chidoan": ("Chi đoàn", "CĐ", "Chi Đoàn", "BCH Chi đoàn", "Chi đoàn TN"),
}
GREETINGS = (
    "Kính gửi Văn phòng Đoàn Khối,",
    "Kính gửi: Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố.",
    "Dạ em chào anh chị Văn phòng,",
    "Kính gửi anh chị Văn phòng Đoàn Khối,",
    "Chào Văn phòng ạ,",
    "Kính gửi VP Đoàn Khối,",
)
GREETINGS_ASCII = (
    "Kinh gui Van phong Doan Khoi,",
    "Da em chao anh chi Van phong,",
    "Kinh gui VP Doan Khoi,",
)
CLOSINGS = (
    "Trân trọng.",
    "Trân trọng cảm ơn!",
    "Em cảm ơn ạ.",
    "Trân trọng,",
    "Thân chào,",
    "Kính chúc anh chị sức khỏe.",
)
CLOSINGS_ASCII = ("Tran trong.", "Em cam on a.", "Tran trong cam on!")
GENERIC_FILES = {
    "160": ("DS dang ky hien mau.xlsx", "Danh sách hiến máu.xlsx", "DS hien mau 2023.xlsx"),
    "171": ("Bao cao so ket 6 thang.docx", "BC 6 tháng 2023.docx", "BC so ket 6T.docx"),
    "178": ("Bao cao ngay cao diem.docx", "BC_NgayCaoDiem_11.8.docx", "Báo cáo kết quả.docx"),
    "185": ("DS CN xanh.xlsx", "Danh sach CSTN thang 8.docx", "DS dang ky.xlsx"),
    "192": ("Phieu dang ky doi thi.docx", "DK doi thi.xlsx", "Đăng ký đội thi.docx"),
}
NEUTRAL_FILES = ("Bao cao.docx", "BC.docx", "Document1.docx", "file gui VP.docx", "Báo cáo.docx")
MAILERS = (
    None,
    None,
    "Microsoft Outlook 16.0",
    "Zimbra 8.8.15_GA_4177 (ZimbraWebClient)",
    "Microsoft Outlook 15.0",
    None,
)


@dataclass(slots=True)
class Entry:
    slug: str
    data: bytes
    received: datetime
    unit: str
    requests: tuple[str, ...]
    reason: str
    candidates: tuple[str, ...]
    case: str
    note: str


@dataclass
class Corpus:
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    entries: list[Entry] = field(default_factory=list)
    used: Counter[str] = field(default_factory=Counter)
    secretaries: dict[str, Person] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for u in ROSTER:
            self.secretaries[u.code] = person(random.Random(f"{SEED}:{u.code}"))

    # ---- bookkeeping

    def add(
        self,
        slug: str,
        data: EmailMessage | bytes,
        received: datetime,
        *,
        case: str,
        note: str,
        unit: str = "",
        requests: Sequence[Req] = (),
        reason: str = "",
        candidates: Sequence[str] = (),
    ) -> None:
        raw = data if isinstance(data, bytes) else serialise(slug, data)
        if unit and reason != "bounce":  # a bounce's unit is the one it failed to reach
            self.used[unit] += 1
        self.entries.append(
            Entry(
                slug,
                raw,
                received,
                unit,
                tuple(r.id for r in requests),
                reason,
                tuple(candidates),
                case,
                note,
            )
        )

    def pick(self, *, where: Sequence[str] | None = None, req: Req | None = None) -> Unit:
        """The least used unit (ties broken at random) among `where`, expected by `req`."""
        pool = [UNITS[c] for c in where] if where else list(ROSTER)
        if req is not None:
            pool = [u for u in pool if req.expects(u)] or pool
        low = min(self.used[u.code] for u in pool)
        return self.rng.choice([u for u in pool if self.used[u.code] == low])

    # ---- words

    def secretary(self, u: Unit) -> Person:
        return self.secretaries[u.code]

    def member(self) -> tuple[Person, str]:
        p = person(self.rng)
        return p, personal_address(p, self.rng)

    def unit_text(self, u: Unit, style: str) -> str:
        """The unit's name as one of its members would write it."""
        rng = self.rng
        form = rng.choice(u.forms) if u.forms else u.core
        pre = rng.choice(PREFIXES[u.kind])
        if style == "name":
            return u.name
        if style == "core":
            return u.core
        if style == "form":
            return form
        if style == "prefix-form":
            return f"{pre} {form}"
        if style == "ascii":
            return unaccent(rng.choice([u.name, f"{pre} {form}", f"{u.prefix} {u.core}"]))
        if style == "lower-ascii":
            return unaccent(u.name).lower()
        if style == "upper":
            return rng.choice([u.name, f"{pre} {form}"]).upper()
        if style == "old-tone":
            swapped = swap_tone(u.name)
            return swapped if swapped != u.name else swap_tone(f"{pre} {form}")
        if style == "nfd":
            return nfd(u.name)
        if style == "typo-marks":
            return drop_marks_in_one_word(rng.choice([u.name, f"{pre} {u.core}"]), rng)
        if style == "typo-tone":
            t = misplace_tone(u.name)
            return t if t != u.name else drop_marks_in_one_word(u.name, rng)
        if style == "spacing":
            words = f"{pre} {u.core}".split(" ")
            if rng.random() < 0.4:
                return f"{pre} - {u.core}"
            i = rng.randrange(1, len(words))
            return " ".join(words[:i]) + rng.choice(["  ", "   "]) + " ".join(words[i:])
        raise ValueError(style)

    def cue(self, req: Req, *, how: str = "any") -> str:
        """How a unit names what it answers: an id variant or a phrase."""
        if how == "id" or (how == "any" and self.rng.random() < 0.45):
            return self.rng.choice(req.id_forms())
        return self.rng.choice(req.cues)

    def greeting(self, *, ascii_only: bool = False) -> str:
        return self.rng.choice(GREETINGS_ASCII if ascii_only else GREETINGS)

    def closing(self, *, ascii_only: bool = False) -> str:
        return self.rng.choice(CLOSINGS_ASCII if ascii_only else CLOSINGS)

    # ---- times

    def moment(self, start: datetime, end: datetime) -> datetime:
        """A time in [start, end], mostly in office hours."""
        span = (end - start).total_seconds()
        t = start
        for _ in range(60):
            t = start + timedelta(seconds=int(self.rng.uniform(0, span)))
            if 7 <= t.hour < 18 and t.weekday() < 6:
                return t
            if self.rng.random() < 0.08 and t.hour >= 6:
                return t
        return t

    def on_time(self, req: Req) -> datetime:
        start = max(req.issued + timedelta(hours=20), req.deadline - timedelta(days=6))
        if req is R178:
            start = at(8, 8, 7, 30)
        return self.moment(start, req.deadline - timedelta(minutes=3))

    def late(self, req: Req, days: float = 5) -> datetime:
        return self.moment(
            req.deadline + timedelta(minutes=10), req.deadline + timedelta(days=days)
        )

    def when(self, req: Req) -> datetime:
        return self.late(req, 3) if self.rng.random() < 0.15 else self.on_time(req)

    def zone(self) -> tzinfo:
        return UTC if self.rng.random() < 0.15 else ICT

    # ---- files

    def photos(self, n: int, when: datetime) -> list[tuple[str, bytes]]:
        out = []
        for i in range(n):
            seed = self.rng.randrange(1 << 30)
            stamp = when - timedelta(hours=self.rng.randrange(1, 30), minutes=i * 7)
            name = self.rng.choice(
                [
                    f"IMG_{stamp:%Y%m%d_%H%M%S}.jpg",
                    f"z{4590000000000 + seed % 9999999999}_{digest(seed)[:32]}.jpg",
                    f"DSC_{seed % 9000 + 1000:04d}.jpg",
                    f"{stamp:%Y%m%d_%H%M%S}.jpg",
                    f"hinh-anh-{i + 1}.jpg",
                ]
            )
            out.append((name, make_photo(seed)))
        return out

    def document(
        self,
        req: Req,
        u: Unit | None,
        when: datetime,
        *,
        fmt: str = "docx",
        name: str | None = None,
        layout: str = "table",
        with_id: bool = True,
        name_in_body: bool = True,
        unit_row: bool = True,
    ) -> tuple[str, bytes]:
        """One document answering `req`: docx, xlsx, pdf (text) or scan (image-only pdf)."""
        made = when - timedelta(minutes=self.rng.randrange(8, 300))
        author = self.secretary(u).full if u is not None else person(self.rng).full
        spec = document_for(
            req,
            u,
            self.rng,
            made,
            layout=layout,
            with_id=with_id,
            name_in_body=name_in_body,
            author=author,
        )
        if name is None:
            pool = [n for n in GENERIC_FILES[req.number] if n.endswith("." + fmt)]
            name = self.rng.choice(pool or [f"Bao cao {req.number}.{fmt}"])
        if fmt == "docx":
            return name, make_docx(spec)
        if fmt == "xlsx":
            if not spec.table:
                spec = DocSpec(
                    spec.author,
                    spec.when,
                    spec.unit_lines,
                    spec.number,
                    spec.place_date,
                    spec.title,
                    spec.body,
                    members_table(self.rng, 5, ("Họ và tên", "Chức vụ")),
                )
            return name, make_xlsx(xlsx_rows(spec, with_unit=unit_row), made)
        if fmt == "pdf":
            return name, make_pdf(pdf_lines(spec), made)
        if fmt == "scan":
            return name, make_scan_pdf(self.rng.randrange(1 << 30), made)
        raise ValueError(fmt)

    def evidence(
        self,
        req: Req,
        u: Unit | None,
        when: datetime,
        *,
        fmt: str | None = None,
        name: str | None = None,
        layout: str = "table",
        with_id: bool = True,
        name_in_body: bool = True,
        photos: int | None = None,
        unit_row: bool = True,
    ) -> list[tuple[str, bytes]]:
        """The files a unit sends for `req`: a document and, for 178, photos. A given file name's
        extension decides the format (and a given format the extension)."""
        if name is not None:
            ext = Path(name).suffix.lower().lstrip(".")
            if fmt is None and ext in ("docx", "xlsx", "pdf"):
                fmt = ext
            elif fmt in ("docx", "xlsx", "pdf") and ext != fmt:
                name = f"{name.rsplit('.', 1)[0]}.{fmt}"
        if fmt is None:
            fmt = {"160": "xlsx", "185": "xlsx"}.get(req.number, "docx")
            if self.rng.random() < 0.3:
                fmt = self.rng.choice(
                    ["docx", "pdf", "xlsx"]
                    if req.number in ("160", "185", "192")
                    else ["docx", "pdf"]
                )
        files = [
            self.document(
                req,
                u,
                when,
                fmt=fmt,
                name=name,
                layout=layout,
                with_id=with_id,
                name_in_body=name_in_body,
                unit_row=unit_row,
            )
        ]
        if photos is None:
            photos = self.rng.randrange(1, 4) if req is R178 else 0
        return files + self.photos(photos, when)

    # ---- messages

    def mail(
        self,
        key: str,
        who: Sender,
        subject: str | None,
        received: datetime,
        body: str,
        *,
        files: Sequence[tuple[str, bytes]] = (),
        html_body: str | bool = False,
        cte: str = "quoted-printable",
        **headers: object,
    ) -> EmailMessage:
        msg = new_mail(key, who, subject, received, **headers)  # type: ignore[arg-type]
        msg.set_content(body, cte=cte)
        if html_body:
            markup = html_body if isinstance(html_body, str) else html_of(body)
            msg.add_alternative(markup, subtype="html", cte=cte)
        for name, data in files:
            attach(msg, name, data)
        return msg

    def roster_sender(
        self, u: Unit, *, display: str | None = None, address: str | None = None
    ) -> Sender:
        if display is None:
            display = self.rng.choice(
                [
                    u.name,
                    f"{self.rng.choice(PREFIXES[u.kind])} {u.core}",
                    f"BCH {u.name}",
                    unaccent(u.name),
                    self.secretary(u).full,
                    "",
                ]
            )
        return sender(display, address or u.email)

    def signed(self, text: str, who: str, role: str = "", *, ascii_only: bool = False) -> str:
        closing = self.closing(ascii_only=ascii_only)
        tail = f"{who}\n{role}" if role else who
        return f"{text.rstrip()}\n\n{closing}\n{tail}\n"
