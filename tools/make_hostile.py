"""Write tests/hostile/: one hostile or broken message per attack, a roster, and the table of what
each shows and what mailtally must do with it.

Everything is built here from fixed data (dates, Message-IDs, boundaries, zip timestamps, a
seeded random generator), so two runs write identical files on one machine (zlib's output may
differ between zlib builds; the committed files are the reference). Big inputs are made of
repeated bytes at generation time and kept under 2 MB per file: tests/test_hostile.py sets the
limits low enough that they still go over them.

Writes, in tests/hostile/ (or --out DIR):
    *.eml           the messages, named for what they show
    units.csv       the roster the messages pretend to come from
    requests.toml   one notice, 178-TB/ĐTN, whose deadline the placed messages meet
    expected.tsv    file; expected reason in messages.csv ("" = placed, "*" = any), unit_code
                    and match ("*" = any); a piece of text the parse notes must hold ("" = none)
    README.md       the same as a table for people

Usage: python tools/make_hostile.py [--out DIR]
"""

from __future__ import annotations

import argparse
import base64
import io
import random
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "hostile"

OFFICE = "doankhoi@example.gov.vn"
DATE = "Fri, 11 Aug 2023 09:30:00 +0700"
RECEIVED = ("Received: from mail.example.net (mail.example.net [192.0.2.25])\r\n"
            "\tby mx.example.gov.vn with ESMTPS; Fri, 11 Aug 2023 09:30:05 +0700\r\n")
REQUEST = "178-TB/ĐTN"
ZIP_TIME = (2023, 8, 11, 9, 0, 0)

# code, name, address: the units the messages claim to come from.
UNITS = [
    ("STC", "Đoàn Thanh niên Sở Tài chính", "doantn.stc@example.gov.vn"),
    ("SKHDT", "Đoàn Thanh niên Sở Kế hoạch và Đầu tư", "dtn.skhdt@example.gov.vn"),
    ("BHXH", "Chi đoàn Bảo hiểm xã hội tỉnh", "chidoan.bhxh@example.gov.vn"),
    ("SYT", "Đoàn Thanh niên Sở Y tế", "doantn.syt@example.gov.vn"),
    ("STP", "Đoàn Thanh niên Sở Tư pháp", "doantn.stp@example.gov.vn"),
    ("SXD", "Đoàn Thanh niên Sở Xây dựng", "doantn.sxd@example.gov.vn"),
    ("SNV", "Đoàn Thanh niên Sở Nội vụ", "doantn.snv@example.gov.vn"),
    ("SGDDT", "Đoàn Thanh niên Sở Giáo dục và Đào tạo", "doantn.sgddt@example.gov.vn"),
    ("SCT", "Đoàn Thanh niên Sở Công Thương", "doantn.sct@example.gov.vn"),
    ("STTTT", "Đoàn Thanh niên Sở Thông tin và Truyền thông", "doantn.stttt@example.gov.vn"),
    ("SVHTT", "Đoàn Thanh niên Sở Văn hóa và Thể thao", "doantn.svhtt@example.gov.vn"),
]
ADDR = {code: addr for code, _, addr in UNITS}

UNITS_CSV = "code,name,emails,aliases\r\n" + "".join(
    f"{code},{name},{addr},\r\n" for code, name, addr in UNITS)
REQUESTS_TOML = f"""\
# The one notice the hostile messages answer (tests/test_hostile.py).
[[request]]
id = "{REQUEST}"
title = "Báo cáo kết quả Ngày hoạt động cao điểm"
issued = 2023-08-03T00:00:00
deadline = 2023-08-11T11:00:00
units = ["*"]
requires = ["report"]
keywords = ["hoạt động cao điểm"]
"""


# -- building blocks --------------------------------------------------------------------------


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def head(name: str, sender: str = "someone@example.net", subject: str | None = None,
         extra: str = "") -> bytes:
    """A plain header block (CRLF, no blank line after it)."""
    subject = subject if subject is not None else f"Bao cao {name}"
    text = (f"{RECEIVED}From: {sender}\r\nTo: {OFFICE}\r\nSubject: {subject}\r\nDate: {DATE}\r\n"
            f"Message-ID: <{name}@hostile.example>\r\nMIME-Version: 1.0\r\n")
    return text.encode("utf-8") + (crlf(extra) if extra else b"")


def simple(name: str, body: str = "Kính gửi Văn phòng.", **kw: str) -> bytes:
    return head(name, **kw) + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + crlf(body)


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """`text` in windows-1258 as Windows writes it: a letter cp1258 lacks becomes its base letter
    (with any horn, breve or circumflex) and a combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
            out += (base + "".join(p for p in parts if p in _TONES)).encode("cp1258")
    return bytes(out)


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def part(ctype: str, data: bytes, *, filename: str | None = None, raw_name: str | None = None,
         encoding: str = "base64", disposition: str = "attachment", extra: str = "") -> bytes:
    """One MIME part. `raw_name` is written as is (for names no encoder would produce)."""
    lines = [f"Content-Type: {ctype}"]
    if raw_name is not None:
        lines.append(f"Content-Disposition: {disposition}; {raw_name}")
    elif filename is not None:
        lines.append(f'Content-Disposition: {disposition}; filename="{filename}"')
    lines.append(f"Content-Transfer-Encoding: {encoding}")
    if extra:
        lines.append(extra)
    body = b64(data) if encoding == "base64" else data
    return "\r\n".join(lines).encode("utf-8") + b"\r\n\r\n" + body


def multipart(name: str, parts: list[bytes], *, boundary: str = "hostile-boundary",
              subtype: str = "mixed", **kw: str) -> bytes:
    ctype = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'
    out = head(name, **kw) + ctype.encode()
    for p in parts:
        out += f"--{boundary}\r\n".encode() + p + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def with_text(name: str, files: list[bytes], text: str = "Kính gửi Văn phòng, đơn vị gửi báo cáo.",
              **kw: str) -> bytes:
    return multipart(name, [part("text/plain; charset=utf-8", crlf(text), encoding="8bit",
                                 disposition="inline"), *files], **kw)


def from_unit(code: str) -> dict[str, str]:
    """Header keywords for a message from a roster address that names the notice."""
    return {"sender": ADDR[code], "subject": f"Báo cáo {REQUEST}"}


def zip_bytes(members: list[tuple[str, bytes]], *, level: int = 9) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for member, data in members:
            zf.writestr(zipfile.ZipInfo(member, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def zip_declaring(size: int) -> bytes:
    """A small valid zip whose headers claim its one member is `size` bytes."""
    data = bytearray(zip_bytes([("report.docx", b"x" * 1000)]))
    # Patch the uncompressed size in the local header (offset 22) and the central directory.
    struct.pack_into("<I", data, 22, size)
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, size)
    return bytes(data)


def docx(document_xml: bytes) -> bytes:
    return zip_bytes([
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.'
                                b'openxmlformats.org/package/2006/content-types"/>'),
        ("word/document.xml", document_xml),
    ])


def xlsx(shared_strings: bytes) -> bytes:
    return zip_bytes([
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
        ("xl/sharedStrings.xml", shared_strings),
        ("xl/workbook.xml", b"<workbook/>"),
    ])


def xlsx_inline(text: str) -> bytes:
    """An .xlsx without sharedStrings.xml: its one cell an inline string."""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
             f'<c r="A1" t="inlineStr"><is><t>{text}</t></is></c><c r="B1"><v>42</v></c>'
             '</row></sheetData></worksheet>')
    return zip_bytes([("[Content_Types].xml", b"<Types/>"),
                      ("xl/workbook.xml", b"<workbook/>"),
                      ("xl/worksheets/sheet1.xml", sheet.encode())])


def pdf(objects: dict[int, bytes], *, size: int | None = None) -> bytes:
    """A PDF with a correct xref table for `objects` (object 1 is the catalog)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for n in sorted(objects):
        offsets[n] = out.tell()
        out.write(b"%d 0 obj\n" % n + objects[n] + b"\nendobj\n")
    xref = out.tell()
    count = max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
    for i in range(1, count):
        out.write(b"%010d 00000 n \n" % offsets.get(i, 0))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (size or count, xref))
    return out.getvalue()


def pdf_stream(data: bytes) -> bytes:
    packed = zlib.compress(data, 9)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + (
        b"\nendstream")


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_one_page(content: bytes) -> bytes:
    return pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> >> >>",
        4: pdf_stream(content),
        5: FONT,
    })


def pdf_page_tree(fanout: int, depth: int, ops: int) -> bytes:
    """fanout**depth pages, all one page object reached through a tree of repeated kids."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    n = 2
    for level in range(depth):
        kids = b" ".join([b"%d 0 R" % (n + 1)] * fanout)
        parent = b"" if level == 0 else b" /Parent %d 0 R" % (n - 1)
        objects[n] = b"<< /Type /Pages /Kids [%s] /Count %d%s >>" % (
            kids, fanout ** (depth - level), parent)
        n += 1
    objects[n] = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                  b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (n - 1, n + 1, n + 2))
    objects[n + 1] = pdf_stream(b"0 0 m 9 9 l S " * ops)  # lines, no text: nothing fills the cap
    objects[n + 2] = FONT
    return pdf(objects)


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG that declares a huge image (a decompression bomb for an image library)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def tnef() -> bytes:
    """The start of a TNEF (winmail.dat) stream: signature, key, a version attribute."""
    attr = struct.pack("<BII", 1, 0x00089006, 4) + struct.pack("<I", 0x00010000)
    return struct.pack("<IH", 0x223E9F78, 0x0001) + attr + struct.pack("<H", 0x1234) + (
        b"\x00" * 64)


# -- the messages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    shows: str
    expected: str  # for people
    build: Callable[[], bytes]
    reason: str = "*"  # in messages.csv; "" = placed
    unit: str = "*"
    match: str = "*"  # how the unit was found (address, name, ...)
    note: str = ""  # text the parse notes must contain


PDF_REPORT = pdf_one_page(b"BT /F1 12 Tf 72 720 Td (Bao cao ket qua) Tj ET")
RNG = random.Random(6)


def _random_bytes(n: int) -> bytes:
    return bytes(RNG.randrange(256) for _ in range(n))


def _nested_rfc822(levels: int) -> bytes:
    inner = crlf("From: deep@example.net\nSubject: level 0\n\nđáy\n")
    for i in range(1, levels + 1):
        inner = crlf(f"From: level{i}@example.net\nSubject: level {i}\n"
                     "Content-Type: message/rfc822\n\n") + inner
    return head("nested_rfc822_100_levels", sender=ADDR["SGDDT"],
                subject=f"Chuyển tiếp {REQUEST}") + b"Content-Type: message/rfc822\r\n\r\n" + inner


def _nested_multipart(levels: int) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\nhi\r\n"
    for i in range(levels):
        b = f"b{i}".encode()
        body = (b'Content-Type: multipart/mixed; boundary="' + b + b'"\r\n\r\n--' + b + b"\r\n"
                + body + b"\r\n--" + b + b"--\r\n")
    return head("nested_multipart_1000_levels") + body


def _many_parts(count: int) -> bytes:
    parts = [b"Content-Type: text/plain\r\n\r\n%d" % i for i in range(count)]
    return multipart("multipart_10000_parts", parts, sender=ADDR["SCT"],
                     subject=f"Báo cáo {REQUEST}")


def _long_rfc2231_name(pieces: int) -> str:
    return "; ".join(f'filename*{i}="bao-cao-{i:04d}-"' for i in range(pieces)) + (
        f'; filename*{pieces}=".pdf"')


def _huge_encoded_subject(words: int) -> str:
    word = "=?utf-8?B?" + base64.b64encode("Báo cáo ".encode()).decode() + "?="
    return "\r\n ".join([word] * words)


def cases() -> list[Case]:
    c: list[Case] = []

    def add(name: str, shows: str, expected: str, build: Callable[[], bytes], **kw: str) -> None:
        c.append(Case(name, shows, expected, build, **kw))

    # ---- attachment names
    def names(name: str, file_names: list[str], unit: str) -> Callable[[], bytes]:
        return lambda: with_text(name, [
            part("application/pdf", PDF_REPORT, raw_name=n) for n in file_names], **from_unit(unit))

    add("attachment_name_path_traversal",
        "attachment names `../../../../etc/passwd.pdf` and `..\\..\\windows\\system32\\evil.pdf`",
        "placed; files saved under safe names inside the data dir",
        names("attachment_name_path_traversal", [
            'filename="../../../../etc/passwd.pdf"',
            'filename="..\\\\..\\\\windows\\\\system32\\\\evil.pdf"'], "STC"), reason="",
        unit="STC")
    add("attachment_name_absolute_posix", "attachment named `/etc/cron.d/evil.pdf`",
        "placed; saved as `evil.pdf` in the message's folder",
        names("attachment_name_absolute_posix", ['filename="/etc/cron.d/evil.pdf"'], "SKHDT"),
        reason="", unit="SKHDT")
    add("attachment_name_windows_drive", "attachment named `C:\\Windows\\System32\\hosts.pdf`",
        "saved as `hosts.pdf`",
        names("attachment_name_windows_drive",
              ['filename="C:\\\\Windows\\\\System32\\\\hosts.pdf"'], "BHXH"), reason="",
        unit="BHXH")
    add("attachment_name_unc_path", "attachment named `\\\\server\\share\\payload.pdf` (UNC)",
        "saved as `payload.pdf`",
        names("attachment_name_unc_path", ['filename="\\\\\\\\server\\\\share\\\\payload.pdf"'],
              "SYT"), reason="", unit="SYT")
    add("attachment_name_nul_and_controls",
        "RFC 2231 name holding NUL, ESC (a terminal colour code), CR and LF",
        "control characters removed from the name, file saved",
        names("attachment_name_nul_and_controls",
              ["filename*=utf-8''bao%00cao%1B%5B31m%0D%0Aevil.pdf"], "STP"), reason="",
        unit="STP")
    add("attachment_name_windows_reserved",
        "attachments named CON, NUL, COM1.txt, LPT9.pdf, `con .pdf`, AUX.tar.gz, COM¹.pdf",
        "saved with an index prefix, never as a bare device name",
        names("attachment_name_windows_reserved", [
            f'filename="{n}"' for n in ("CON", "NUL", "COM1.txt", "LPT9.pdf", "con .pdf",
                                        "AUX.tar.gz", "COM¹.pdf")], "SXD"), reason="",
        unit="SXD")
    add("attachment_name_over_255_bytes", "a 300-letter Vietnamese name (about 900 bytes)",
        "saved under a name of at most 255 bytes, extension kept",
        names("attachment_name_over_255_bytes",
              ["filename*=utf-8''" + "%E1%BB%87" * 300 + ".pdf"], "SNV"), reason="", unit="SNV")
    add("attachment_names_differ_by_case", "`BaoCao.pdf`, `baocao.PDF`, `BAOCAO.pdf`",
        "three distinct files saved (index prefix), none overwritten",
        names("attachment_names_differ_by_case",
              ['filename="BaoCao.pdf"', 'filename="baocao.PDF"', 'filename="BAOCAO.pdf"'],
              "SGDDT"), reason="", unit="SGDDT")
    add("attachment_names_differ_by_unicode_form", "`Báo cáo.pdf` in NFC and in NFD",
        "two files saved; names NFC-normalised",
        names("attachment_names_differ_by_unicode_form", [
            "filename*=utf-8''" + "".join(f"%{b:02X}" for b in unicodedata.normalize(
                form, "Báo cáo.pdf").encode()) for form in ("NFC", "NFD")], "SCT"), reason="",
        unit="SCT")
    add("attachment_names_duplicate", "three different files all named `report.pdf`",
        "three files saved, counted as three distinct attachments",
        lambda: with_text("attachment_names_duplicate", [
            part("application/pdf", PDF_REPORT + bytes([i]), filename="report.pdf")
            for i in range(3)], **from_unit("STTTT")), reason="", unit="STTTT")
    add("attachment_name_dots_only", "attachments named `.`, `..`, `...` and a space",
        "saved under a fallback name",
        names("attachment_name_dots_only",
              ['filename="."', 'filename=".."', 'filename="..."', 'filename=" "'], "STC"),
        reason="", unit="STC")
    add("attachment_name_bidi_override",
        "`bao cao\\u202efdp.exe` (shows as `bao caoexe.pdf`)",
        "the override is removed: the name reads `bao caofdp.exe`, no report evidence from it",
        names("attachment_name_bidi_override",
              ["filename*=utf-8''bao%20cao%E2%80%AEfdp.exe"], "SKHDT"))
    add("attachment_name_rfc2231_huge_continuation",
        "a file name in 2,000 RFC 2231 continuations",
        "name cut to 255 characters, saved under at most 255 bytes",
        names("attachment_name_rfc2231_huge_continuation", [_long_rfc2231_name(2000)], "BHXH"))
    add("attachment_name_formula_injection",
        "attachments named `=HYPERLINK(...).pdf`, `+cmd.docx`, `@SUM(1).xlsx`",
        "names never reach a CSV cell unprefixed",
        names("attachment_name_formula_injection", [
            'filename="=HYPERLINK(\\"http://evil.example\\",\\"x\\").pdf"',
            'filename="+cmd.docx"', 'filename="@SUM(1).xlsx"'], "SYT"))
    add("inline_image_content_id_path", "an inline image whose Content-ID is `<../../evil>`",
        "saved under a safe name",
        lambda: with_text("inline_image_content_id_path", [
            part("image/png", png_header(10, 10), disposition="inline",
                 extra="Content-ID: <../../../evil>")]))

    # ---- archives and documents
    zeros = b"\0" * (64 * 1024 * 1024)
    add("zip_bomb_inflating", "a 65 kB zip whose member inflates to 64 MiB",
        "listed, never inflated; counts as a report (the member is a .docx)",
        lambda: with_text("zip_bomb_inflating", [part("application/zip", zip_bytes([
            ("bao-cao.docx", zeros)]), filename="bao-cao.zip")], **from_unit("STP")), reason="",
        unit="STP")
    add("zip_bomb_declared_huge", "a small zip whose headers declare a 4 GB member",
        "listed, never inflated",
        lambda: with_text("zip_bomb_declared_huge", [
            part("application/zip", zip_declaring(0xFFFFFFF0), filename="hinh-anh.zip")]))
    add("zip_nested", "a zip in a zip in a zip (the inner one a bomb)",
        "only the outer listing is read",
        lambda: with_text("zip_nested", [part("application/zip", zip_bytes([(
            "level1.zip", zip_bytes([("level2.zip", zip_bytes([
                ("bomb.txt", zeros[: 16 * 1024 * 1024])]))]))]), filename="nested.zip")]))
    add("zip_member_path_traversal", "a zip whose members are `../../evil.sh`, `/etc/passwd`",
        "names only listed (cleaned), nothing extracted",
        lambda: with_text("zip_member_path_traversal", [part("application/zip", zip_bytes([
            ("../../evil.sh", b"rm -rf /"), ("/etc/passwd", b"root"), ("C:\\boot.ini", b"x")]),
            filename="files.zip")]))
    add("zip_corrupt", "a .zip that is not one", "no names listed, no crash",
        lambda: with_text("zip_corrupt", [part("application/zip", b"PK\x03\x04" + _random_bytes(
            3000), filename="broken.zip")]))
    add("docx_bomb", "a .docx whose document.xml inflates to 64 MiB",
        "text not read (max_inflate_bytes), still a report",
        lambda: with_text("docx_bomb", [part(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx(b"<w:document>" + b" " * (64 * 1024 * 1024) + b"</w:document>"),
            filename="bao-cao.docx")], **from_unit("SXD")), reason="", unit="SXD",
        note="max_inflate_bytes")
    add("docx_lying_sizes", "a .docx whose zip headers understate its size",
        "read up to the budget or refused; no crash",
        lambda: with_text("docx_lying_sizes", [part("application/octet-stream", bytes(
            _patch_sizes(docx(b"<w:p>" + "Đoàn Thanh niên Sở Nội vụ ".encode() * 5000 + b"</w:p>"),
                         100)), filename="bao-cao.docx")]))
    add("xlsx_bomb_shared_strings", "an .xlsx whose sharedStrings.xml inflates to 64 MiB",
        "text not read (max_inflate_bytes)",
        lambda: with_text("xlsx_bomb_shared_strings", [part(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx(b"<sst>" + b"<si><t>x</t></si>" * (4 * 1024 * 1024) + b"</sst>"),
            filename="danh-sach.xlsx")]), note="max_inflate_bytes")
    add("xlsx_formula_strings", "an .xlsx whose strings are `=cmd|' /C calc'!A0` formulas",
        "text read as text; never reaches a CSV cell",
        lambda: with_text("xlsx_formula_strings", [part(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx(b"<sst><si><t>=cmd|' /C calc'!A0</t></si><si><t>@SUM(1+1)</t></si></sst>"),
            filename="bang.xlsx")], **from_unit("SGDDT")))
    add("pdf_page_tree_loop", "a 1 kB PDF with 59,049 pages (one page reached by 9^5 paths)",
        "text extraction stopped by max_extract_seconds; still a report",
        lambda: with_text("pdf_page_tree_loop", [part("application/pdf", pdf_page_tree(
            9, 5, 4000), filename="bao-cao.pdf")], **from_unit("SCT")), reason="", unit="SCT",
        note="max_extract_seconds")
    add("pdf_content_stream_cpu", "a 20 kB PDF with 300,000 text operators on one page",
        "stopped by pypdf's own budget or by max_extract_seconds",
        lambda: with_text("pdf_content_stream_cpu", [part("application/pdf", pdf_one_page(
            b"BT /F1 12 Tf " + b"1 0 0 1 0 0 Tm [(a) 1 (b)] TJ " * 300_000 + b"ET"),
            filename="bao-cao.pdf")]), note="text not read")
    add("pdf_huge_xref", "a PDF whose xref table declares 50,000,000 entries",
        "refused by pypdf at once; no memory spent",
        lambda: with_text("pdf_huge_xref", [part("application/pdf", pdf_one_page(b"").replace(
            b"xref\n0 6\n", b"xref\n0 50000000\n").replace(b"/Size 6", b"/Size 50000000"),
            filename="bao-cao.pdf")]))
    add("pdf_flate_bomb", "a PDF whose content stream inflates to 100 MB",
        "inflation stopped at max_inflate_bytes",
        lambda: with_text("pdf_flate_bomb", [part("application/pdf", pdf_one_page(
            b"BT (A) Tj ET\n" + b" " * 100_000_000), filename="bao-cao.pdf")]),
        note="text not read")
    add("pdf_truncated", "a PDF cut in half", "no text, still a report; no crash",
        lambda: with_text("pdf_truncated", [part("application/pdf", PDF_REPORT[: len(PDF_REPORT)
                                                                                // 2],
                                                  filename="bao-cao.pdf")]))
    add("pdf_not_a_pdf", "`bao-cao.pdf` that is an HTML page with a script",
        "not read as a PDF; its script never reaches the page",
        lambda: with_text("pdf_not_a_pdf", [part("application/pdf", b"<html><script>alert(1)"
                                                 b"</script></html>", filename="bao-cao.pdf")]))
    add("image_png_decompression_bomb",
        "a 100-byte PNG declaring 30,000 x 30,000 pixels, from a roster address",
        "placed; no thumbnail drawn (Pillow's bomb check), no memory spent",
        lambda: with_text("image_png_decompression_bomb", [
            part("image/png", png_header(30000, 30000), filename="anh.png"),
            part("application/pdf", PDF_REPORT, filename="bao-cao.pdf")], **from_unit("STTTT")),
        reason="", unit="STTTT")
    add("image_not_an_image", "`anh.jpg` holding random bytes, from a roster address",
        "placed; no thumbnail, no crash",
        lambda: with_text("image_not_an_image", [
            part("image/jpeg", _random_bytes(20_000), filename="anh.jpg"),
            part("application/pdf", PDF_REPORT, filename="bao-cao.pdf")], **from_unit("STC")),
        reason="", unit="STC")
    add("tnef_winmail_dat", "an Outlook TNEF `winmail.dat` attachment",
        "kept as an unknown file (no evidence)",
        lambda: with_text("tnef_winmail_dat", [part("application/ms-tnef", tnef(),
                                                    filename="winmail.dat")]))
    add("huge_attachment_over_limit",
        "a 600 kB attachment (repeated bytes), over the test's max_attachment_bytes",
        "placed; counted as a report; not saved apart, note says so",
        lambda: with_text("huge_attachment_over_limit", [part(
            "application/pdf", b"%PDF-1.4\n" + b"0" * 600_000, filename="bao-cao.pdf")],
            **from_unit("SKHDT")), reason="", unit="SKHDT", note="max_attachment_bytes")
    add("message_over_size_limit", "a 1.15 MB message, over the test's max_message_bytes",
        "stored; only headers read; placed by address and id, no evidence",
        lambda: with_text("message_over_size_limit", [part(
            "application/pdf", b"%PDF-1.4\n" + b"1" * 850_000, filename="bao-cao.pdf")],
            **from_unit("BHXH")), note="max_message_bytes")

    # ---- broken structure
    full = with_text("truncated_mid_base64", [part("application/pdf", PDF_REPORT * 20,
                                                   filename="bao-cao.pdf")])
    add("truncated_mid_base64", "a message cut in the middle of a base64 attachment",
        "what arrived is read; no crash", lambda: full[: len(full) * 2 // 3])
    add("truncated_in_headers", "a message cut inside its header block",
        "the headers that arrived are read",
        lambda: head("truncated_in_headers")[:-30])
    add("missing_all_headers", "a body without any header", "unparseable",
        lambda: b"Just some text, no headers at all.\r\nSecond line.\r\n", reason="unparseable")
    add("missing_from_and_subject", "only Date and Message-ID, and a body",
        "unparseable (nothing to place it by)",
        lambda: crlf(f"Date: {DATE}\nMessage-ID: <missing_from_and_subject@hostile.example>\n\n"
                     "Kính gửi.\n"), reason="unparseable")
    add("only_headers_no_body", "headers with no blank line and no body", "read; no crash",
        lambda: head("only_headers_no_body"))
    add("duplicate_from_subject_message_id",
        "two From, two Subject and two Message-ID headers (a roster address second)",
        "the first of each is used; a note says so",
        lambda: crlf(f"{RECEIVED}From: stranger@example.net\nFrom: {ADDR['STC']}\n"
                     f"Subject: first\nSubject: Báo cáo {REQUEST}\nDate: {DATE}\n"
                     "Message-ID: <dup1@hostile.example>\nMessage-ID: <dup2@hostile.example>\n\n"
                     "Báo cáo.\n"), note="2 From headers")
    add("duplicate_content_type", "two Content-Type headers that disagree", "read; no crash",
        lambda: head("duplicate_content_type") + crlf(
            "Content-Type: text/plain\nContent-Type: multipart/mixed; boundary=x\n\nbody\n"))
    add("boundary_never_appears", "multipart whose declared boundary is not in the body",
        "the body is read as text; no crash",
        lambda: head("boundary_never_appears") + crlf(
            'Content-Type: multipart/mixed; boundary="declared"\n\n--other\n'
            "Content-Type: text/plain\n\nhello\n--other--\n"))
    add("boundary_parameter_missing", "multipart/mixed without a boundary parameter",
        "read; no crash", lambda: head("boundary_parameter_missing") + crlf(
            "Content-Type: multipart/mixed\n\n--x\nContent-Type: text/plain\n\nhi\n--x--\n"))
    add("boundary_not_closed", "multipart whose closing delimiter never comes",
        "the parts are read", lambda: with_text("boundary_not_closed", [part(
            "application/pdf", PDF_REPORT, filename="a.pdf")])[:-30])
    add("boundary_empty", 'multipart with `boundary=""`', "read; no crash",
        lambda: head("boundary_empty") + crlf(
            'Content-Type: multipart/mixed; boundary=""\n\n--\nContent-Type: text/plain\n\nhi\n'
            "----\n"))
    add("boundary_very_long", "a 5,000-character boundary", "read; no crash",
        lambda: multipart("boundary_very_long", [b"Content-Type: text/plain\r\n\r\nhi"],
                          boundary="b" * 5000))
    add("boundary_prefix_of_another", "a boundary that is a prefix of the inner one",
        "read; no crash", lambda: multipart("boundary_prefix_of_another", [
            b'Content-Type: multipart/alternative; boundary="bb-inner"\r\n\r\n--bb-inner\r\n'
            b"Content-Type: text/plain\r\n\r\ninner\r\n--bb-inner--"], boundary="bb"))
    add("nested_rfc822_100_levels", "a message/rfc822 nested 100 levels deep",
        "read down to max_depth, the rest skipped with a note", lambda: _nested_rfc822(100),
        note="max_depth")
    add("nested_multipart_1000_levels", "multipart nested 1,000 levels (the email package "
        "recurses per level)", "read down to max_depth by mailtally's own splitter, which "
        "builds nothing deeper (the email package, quadratic in the nesting, is not used); "
        "a note says so", lambda: _nested_multipart(1000), note="max_depth")
    add("multipart_10000_parts", "one multipart with 10,000 parts",
        "the first max_parts are read, a note says so", lambda: _many_parts(10_000),
        note="max_parts")
    add("empty_message", "a file of 0 bytes", "unparseable (empty message)", lambda: b"",
        reason="unparseable")
    add("whitespace_only_message", "a file of blank lines", "unparseable",
        lambda: b"\r\n\r\n   \r\n\t\r\n", reason="unparseable")
    add("random_binary_garbage", "4 kB of random bytes", "unparseable or read as a body; no crash",
        lambda: _random_bytes(4096))
    add("bom_before_headers", "a UTF-8 byte-order mark before the first header (a file saved "
        "by a Windows tool), from a roster address", "the mark is skipped: placed by address",
        lambda: b"\xef\xbb\xbf" + simple("bom_before_headers", **from_unit("STP")), reason="",
        unit="STP", match="address")
    add("blank_lines_before_headers", "two blank lines before the headers, from a roster address",
        "the blank lines are skipped: placed by address",
        lambda: b"\r\n\r\n" + simple("blank_lines_before_headers", **from_unit("SYT")),
        reason="", unit="SYT", match="address")
    add("cr_only_line_endings", "lines ended by a bare CR (old Mac)", "read; no crash",
        lambda: simple("cr_only_line_endings", body="line one\nline two\n").replace(
            b"\r\n", b"\r"))
    add("mixed_line_endings", "LF, CRLF and CR mixed", "read; no crash",
        lambda: simple("mixed_line_endings").replace(b"\r\nTo:", b"\nTo:").replace(
            b"\r\nDate:", b"\rDate:"))
    add("content_type_garbage", "`Content-Type: ;;;;/////` with 1,000 parameters",
        "treated as text/plain", lambda: head("content_type_garbage") + crlf(
            "Content-Type: ;;;;/////; " + "; ".join(f"p{i}=v" for i in range(1000)) + "\n\nx\n"))
    add("content_transfer_encoding_unknown", "`Content-Transfer-Encoding: x-gzip64`",
        "the payload is kept as it came", lambda: with_text("content_transfer_encoding_unknown", [
            part("application/pdf", PDF_REPORT, filename="a.pdf", encoding="x-gzip64")]))
    add("uuencoded_attachment", "a uuencoded attachment (CTE x-uuencode)", "decoded; no crash",
        lambda: with_text("uuencoded_attachment", [part(
            "application/pdf", b"begin 644 a.pdf\r\n" + b"".join(
                _uu_line(PDF_REPORT[i:i + 45]) for i in range(0, len(PDF_REPORT), 45))
            + b"`\r\nend\r\n", filename="a.pdf", encoding="x-uuencode")]))
    add("message_partial", "a message/partial fragment", "kept; no crash",
        lambda: head("message_partial") + crlf(
            'Content-Type: message/partial; id="abc@x"; number=2; total=3\n\nfragment\n'))
    add("delivery_status_without_original", "a multipart/report DSN with only a status part",
        "bounce", lambda: multipart("delivery_status_without_original", [
            b"Content-Type: text/plain\r\n\r\nDelivery failed.",
            b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n"
            b"Final-Recipient: rfc822; a@b\r\nAction: failed\r\nStatus: 5.1.1"],
            subtype='report; report-type="delivery-status"', sender="MAILER-DAEMON@example.net",
            subject="Undelivered Mail"), reason="bounce")

    # ---- encodings
    add("bad_base64", "base64 with invalid characters and wrong padding, in text and file",
        "decoded leniently; no crash", lambda: with_text("bad_base64", [
            b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf"
            b"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!JVBERi0x@@@Lj***Q=\r\n==="],
            text="ok"))
    add("bad_quoted_printable", "quoted-printable with `=ZZ`, a lone `=` and broken soft breaks",
        "decoded leniently", lambda: head("bad_quoted_printable") + crlf(
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable"
            "\n\nB=C3=A1o c=C3=A1o =ZZ lone = end=\n=E1=BB=\n=91 =\n"))
    add("unknown_charset", "`charset=x-klingon` in the body and in an encoded-word",
        "decoded as UTF-8, else windows-1258, else latin-1",
        lambda: head("unknown_charset", subject="=?x-klingon?Q?B=C3=A1o_c=C3=A1o?=") + (
            b"Content-Type: text/plain; charset=x-klingon\r\n\r\n" + "Báo cáo".encode()))
    add("charset_not_a_charset", "`charset=unicode_escape` and `charset=rot13`",
        "refused as charsets (no escape processing); decoded leniently",
        lambda: head("charset_not_a_charset", subject="=?unicode_escape?Q?=5Cud800?=") + (
            b"Content-Type: text/plain; charset=unicode_escape\r\n\r\n\\ud800 \\x00 text"))
    add("lying_charset_utf8_is_windows1258",
        "says UTF-8, is windows-1258 Vietnamese naming the unit",
        "decoded as windows-1258; placed by the unit's name",
        lambda: head("lying_charset_utf8_is_windows1258", sender="bithu@gmail.example",
                     subject=f"Báo cáo {REQUEST}") + (
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + cp1258("Đoàn Thanh niên Sở Giáo dục và Đào tạo gửi báo cáo.")),
        reason="", unit="SGDDT")
    add("lying_charset_latin1_is_utf8", "says ISO-8859-1, is UTF-8 naming the unit",
        "decoded as UTF-8; placed by the unit's name",
        lambda: head("lying_charset_latin1_is_utf8", sender="bithu2@gmail.example",
                     subject=f"Báo cáo {REQUEST}") + (
            b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit"
            b"\r\n\r\n" + "Đoàn Thanh niên Sở Công Thương gửi báo cáo.".encode()),
        reason="", unit="SCT")
    add("rfc2047_broken_encoded_words",
        "encoded-words cut off, with a bad encoding letter, and one UTF-8 letter split in two",
        "what decodes is decoded, the rest kept as written",
        lambda: simple("rfc2047_broken_encoded_words",
                       subject="=?utf-8?B?broken =?utf-8?X?abc?= =?utf-8?Q?Th=E1=BB?= "
                               "=?utf-8?Q?=91?= =?utf-8?B?@@@@?="))
    add("rfc2047_huge_subject", "a Subject of 5,000 folded encoded-words (about 190 kB)",
        "decoded and cut to 1,000 characters", lambda: simple(
            "rfc2047_huge_subject", subject=_huge_encoded_subject(5000)))
    add("rfc2231_charset_in_filename", "`filename*=x-unknown'vi'%E1%BB%87.pdf`",
        "decoded leniently", lambda: with_text("rfc2231_charset_in_filename", [part(
            "application/pdf", PDF_REPORT, raw_name="filename*=x-unknown'vi'%E1%BB%87.pdf")]))
    add("header_line_1mb", "a Subject line of 1,000,000 characters, unfolded",
        "cut to 1,000 characters; linear time", lambda: simple(
            "header_line_1mb", subject="A" * 1_000_000))
    add("header_8bit_utf8", "raw UTF-8 bytes in From and Subject (no encoded-words)",
        "decoded as UTF-8", lambda: head(
            "header_8bit_utf8", sender="Nguyễn Văn Ánh <anh@gmail.example>",
            subject="Báo cáo Đoàn Thanh niên Sở Tư pháp") + b"Content-Type: text/plain\r\n\r\nx",
        reason="", unit="STP")
    add("header_8bit_windows1258", "raw windows-1258 bytes in the Subject",
        "decoded as windows-1258", lambda: head(
            "header_8bit_windows1258").replace(b"Subject: Bao cao header_8bit_windows1258",
                                                cp1258("Subject: Báo cáo Sở Xây dựng"))
        + b"Content-Type: text/plain\r\n\r\nx")
    add("nul_bytes", "NUL bytes in a header and in the body", "removed; no crash",
        lambda: head("nul_bytes", subject="Bao\x00cao") + b"Content-Type: text/plain\r\n\r\n"
        b"body\x00with\x00nuls\r\n")
    add("date_header_absurd", "Date in year 99999, and a Received date in year 9999",
        "dates ignored; the message is still listed", lambda: crlf(
            "Received: from x by y; Fri, 31 Dec 9999 23:59:59 -1200\n"
            "From: a@example.net\nSubject: absurd date\nDate: Mon, 1 Jan 99999 00:00:00 +9999\n"
            "Message-ID: <date_header_absurd@hostile.example>\n\nx\n"))
    add("very_long_body_line", "a 500,000-character body line",
        "cut to max_text_chars", lambda: simple("very_long_body_line", body="chữ" * 170_000))
    add("many_recipients", "a To header with 10,000 addresses", "read; no crash",
        lambda: simple("many_recipients", extra="Cc: " + ", ".join(
            f"u{i}@example.net" for i in range(10_000)) + "\n"))

    # ---- the browser and Excel
    add("html_script_and_handlers", "`<script>`, `onerror`, `onload` in the HTML body, a "
        "`<script>` Subject and file name, from the one unit that sends nothing else",
        "placed as that unit's submission; shown escaped in report.html, no script runs",
        lambda: multipart("html_script_and_handlers", [
            part("text/html; charset=utf-8", crlf(
                '<p>Báo cáo</p><script>alert("x")</script><img src=x onerror="alert(1)">'
                '<svg onload="alert(2)"></svg>'), encoding="8bit", disposition="inline"),
            part("application/pdf", PDF_REPORT, filename="<script>alert(3)</script>.pdf")],
            sender=ADDR["SVHTT"], subject=f'<script>alert("{REQUEST}")</script>'),
        reason="", unit="SVHTT")
    add("html_javascript_links", "`<a href=\"javascript:...\">` and a file named "
        "`javascript:alert(1).pdf`", "no javascript: link in report.html",
        lambda: multipart("html_javascript_links", [
            part("text/html; charset=utf-8", crlf(
                '<a href="javascript:alert(document.cookie)">xem ảnh</a>'), encoding="8bit",
                disposition="inline"),
            part("application/pdf", PDF_REPORT, filename="javascript:alert(1).pdf")],
            **from_unit("SXD")), reason="", unit="SXD")
    add("html_data_links", "`<a href=\"data:text/html;base64,...\">` in the body, markup with "
        "`onerror` and a javascript: link in the Subject, from a stranger",
        "no_unit: listed for a person, the subject escaped; no data: link in report.html",
        lambda: multipart("html_data_links", [part("text/html; charset=utf-8", crlf(
            '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">ảnh</a>'),
            encoding="8bit", disposition="inline")],
            subject='<img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a>'),
        reason="no_unit")
    formulas = [
        ("formula_subject_hyperlink", "STC", '=HYPERLINK("http://evil.example","Bấm")'),
        ("formula_subject_plus", "SKHDT", "+cmd|' /C calc'!A0"),
        ("formula_subject_minus", "BHXH", "-2+3+cmd|' /C calc'!A0"),
        ("formula_subject_at", "SYT", "@SUM(1+1)*cmd|' /C calc'!A0"),
        ("formula_subject_tab", "STP", "\t=1+1"),
        ("formula_subject_cr", "SNV", "\r=1+1"),
        ("formula_subject_fullwidth", "SGDDT", "＝1+1"),
    ]
    for name, code, subject in formulas:
        outcome = ("placed; the subject is prefixed with `'` in report.csv, messages.csv and the "
                   "xlsx")
        if subject.startswith("\r"):
            outcome = ("placed; the bare CR ends the Subject line (the email package reads it as "
                       "a line break), so no formula survives")
        elif subject.startswith("\t"):
            outcome = ("placed; the leading tab is dropped with the rest of the whitespace, and "
                       "the `=` gets its `'`")
        add(name, f"Subject `{subject!r}` from a roster address, with the notice's id in the body",
            outcome, _formula(name, code, subject), reason="", unit=code)
    add("formula_sender_and_message_id", "From `=1+1@evil.example`, Message-ID `=2+2@x`, name "
        "`=cmd|' /C calc'!A0`", "every such cell prefixed with `'`",
        lambda: crlf(f"{RECEIVED}From: \"=cmd|' /C calc'!A0\" <=1+1@evil.example>\n"
                     "Subject: @SUM(9)\nMessage-ID: =2+2@x\n"
                     f"Date: {DATE}\n\nx\n"))

    # ---- spoofing
    add("spoofed_from_roster_address", "From a roster address, sent through a stranger's "
        "server (Return-Path, Received and Reply-To elsewhere)",
        "placed as that unit: mailtally trusts From, as the office's mail server let it in "
        "(see docs/security.md)", lambda: with_text("spoofed_from_roster_address", [part(
            "application/pdf", PDF_REPORT, filename="bao-cao.pdf")],
            extra="Return-Path: <attacker@evil.example>\nReply-To: attacker@evil.example\n",
            **from_unit("SCT")), reason="", unit="SCT", match="address")
    add("spoofed_display_name", "From `\"doantn.stc@example.gov.vn\" <attacker@evil.example>`",
        "the address is the attacker's: a roster address hides in the display name, so no "
        "address counts and the display name is not read as a name either; no_unit, flagged",
        lambda: simple("spoofed_display_name",
                       sender=f'"{ADDR["STC"]}" <attacker@evil.example>',
                       subject=f"Báo cáo {REQUEST}"), reason="no_unit", match="")
    add("spoofed_encoded_word_address", "From whose encoded display name decodes to a roster "
        "address", "the address is taken before decoding: never matched by address; the "
        "decoded roster address is a hidden address (no_unit, flagged)",
        lambda: simple("spoofed_encoded_word_address",
                       sender="=?utf-8?Q?doantn=2Estc=40example=2Egov=2Evn?= "
                              "<attacker@evil.example>", subject=f"Báo cáo {REQUEST}"),
        reason="no_unit", match="")
    add("forwarded_original_claims_roster", "a stranger forwards a message/rfc822 whose From is "
        "a roster address", "placed as that unit (the contract judges a forward by its "
        "original; see docs/security.md)", lambda: head(
            "forwarded_original_claims_roster", sender="stranger@gmail.example",
            subject="Fwd: bao cao") + crlf(
            'Content-Type: multipart/mixed; boundary="f"\n\n--f\nContent-Type: text/plain\n\n'
            f"Chuyển tiếp.\n--f\nContent-Type: message/rfc822\n\nFrom: {ADDR['STTTT']}\n"
            f"Subject: Báo cáo {REQUEST}\nDate: {DATE}\nContent-Type: text/plain; charset=utf-8"
            "\n\nGửi báo cáo.\n--f--\n"))

    # ---- round 2 (issue 16): spoofing, runs that must not stop, files a browser would run
    spoof_body = "Kính gửi Văn phòng, đơn vị gửi báo cáo."
    add("spoofed_two_mailboxes", "From with two mailboxes, a roster address first",
        "no address counts (From must hold exactly one mailbox): no_unit, flagged",
        lambda: simple("spoofed_two_mailboxes", body=spoof_body,
                       sender=f"{ADDR['SYT']}, attacker@evil.example",
                       subject=f"Báo cáo {REQUEST}"), reason="no_unit", match="")
    add("spoofed_unquoted_display_address", "From `doantn.syt@… <attacker@evil.example>` "
        "(a roster address as an unquoted display name)",
        "the angle address is the sender; the roster address does not count: no_unit, flagged",
        lambda: simple("spoofed_unquoted_display_address", body=spoof_body,
                       sender=f"{ADDR['SYT']} <attacker@evil.example>",
                       subject=f"Báo cáo {REQUEST}"), reason="no_unit", match="")
    add("spoofed_empty_angle_address", "From `\"doantn.syt@…\" <>`: a roster address as the "
        "display name of an empty address", "no sender address at all: not placed by address",
        lambda: simple("spoofed_empty_angle_address", body=spoof_body,
                       sender=f'"{ADDR["SYT"]}" <>', subject=f"Báo cáo {REQUEST}"),
        reason="no_unit", match="")
    add("spoofed_auth_results_in_comment", "a roster From whose office Authentication-Results "
        "says spf=fail dmarc=fail, with `(dmarc=pass)` in a comment",
        "the comment is not read: the server failed it, no_unit, flagged",
        lambda: simple("spoofed_auth_results_in_comment", body=spoof_body,
                       extra="Authentication-Results: mx.example.gov.vn; spf=fail "
                             "(dmarc=pass dkim=pass) smtp.mailfrom=evil.example; "
                             "dmarc=fail header.from=example.gov.vn\n",
                       **from_unit("SYT")), reason="no_unit", match="")
    add("spoofed_auth_results_below", "a roster From; the office's server (topmost header) "
        "fails it, a header below (added by the sender) says pass",
        "only the topmost header counts: no_unit, flagged",
        lambda: simple("spoofed_auth_results_below", body=spoof_body,
                       extra="Authentication-Results: mx.example.gov.vn; spf=fail "
                             "smtp.mailfrom=evil.example; dkim=none\n"
                             "Authentication-Results: mx.example.gov.vn; spf=pass; dkim=pass; "
                             "dmarc=pass\n", **from_unit("SYT")), reason="no_unit", match="")
    add("spoofed_dkim_other_domain", "a roster From, SPF failing, DKIM passing for "
        "`evil.example` (not aligned with the From domain)",
        "a pass for another domain is no pass: no_unit, flagged",
        lambda: simple("spoofed_dkim_other_domain", body=spoof_body,
                       extra="Authentication-Results: mx.example.gov.vn; spf=fail "
                             "smtp.mailfrom=evil.example; dkim=pass header.d=evil.example\n",
                       **from_unit("SYT")), reason="no_unit", match="")
    add("spoofed_forward_in_failed_message", "a stranger failing SPF, DKIM and DMARC types a "
        "`Forwarded message / From: <roster address>` block",
        "the forward does not speak for the roster address: no_unit",
        lambda: simple("spoofed_forward_in_failed_message", sender="stranger@evil.example",
                       subject="Fwd: báo cáo", body=(
                           "---------- Forwarded message ---------\n"
                           f"From: <{ADDR['SYT']}>\nSubject: Báo cáo {REQUEST}\n\n"
                           "Gửi báo cáo.\n"),
                       extra="Authentication-Results: mx.example.gov.vn; spf=fail "
                             "smtp.mailfrom=evil.example; dkim=fail header.d=evil.example; "
                             "dmarc=fail header.from=evil.example\n"),
        reason="no_unit", match="")
    add("spoofed_forward_in_invisible_html", "a stranger's HTML mail whose `display:none` "
        "block is a `Forwarded message / From: <roster address>`",
        "text a reader never sees is not read: no forward, no_unit",
        lambda: head("spoofed_forward_in_invisible_html", sender="stranger@evil.example",
                     subject="Fwd: báo cáo") + crlf(
            "Content-Type: text/html; charset=utf-8\n\n<p>Gửi Văn phòng.</p>"
            '<div style="display:none">---------- Forwarded message ---------<br>'
            f"From: &lt;{ADDR['SYT']}&gt;<br>Subject: Báo cáo {REQUEST}<br><br>Báo cáo</div>\n"),
        reason="no_unit", match="")
    add("from_nested_comments", "a From of 5,000 nested comments before a stranger's address",
        "the sender is still known (plain address search); no_unit, not unparseable",
        lambda: simple("from_nested_comments", sender="(" * 5000 + ")" * 5000
                       + " someone@example.net"), reason="no_unit")
    add("date_header_twenty_digit_year", "Received and Date headers with a year of twenty "
        "digits and an offset of fourteen digits",
        "the dates are passed over (the file's time is used); the run goes on",
        lambda: crlf("Received: from x by y; Fri, 31 Dec 99999999999999999999 23:59:59 "
                     "+99999999999999\nFrom: a@example.net\nSubject: absurd year\n"
                     "Date: Mon, 1 Jan 99999999999999999999 00:00:00 +99999999999999\n"
                     "Message-ID: <date_header_twenty_digit_year@hostile.example>\n\nx\n"))
    add("image_postscript_named_jpg", "`anh.jpg` that is PostScript (Ghostscript would run it), "
        "from a roster address",
        "placed; the image library opens only photo formats: no thumbnail, nothing started",
        lambda: with_text("image_postscript_named_jpg", [
            part("application/pdf", PDF_REPORT, filename="bao-cao.pdf"),
            part("image/jpeg", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n"
                               b"(pwned) print showpage\n", filename="anh.jpg")],
            **from_unit("STP")), reason="", unit="STP")
    add("attachment_html_and_svg", "an `.html` page and an `.svg` image with scripts, from a "
        "roster address",
        "placed; stored as `.html.txt` and `.svg.txt`, never linked as a page or an image",
        lambda: with_text("attachment_html_and_svg", [
            part("application/pdf", PDF_REPORT, filename="bao-cao.pdf"),
            part("text/html", b"<script>alert(document.cookie)</script>",
                 filename="trang.html"),
            part("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" '
                                  b'onload="alert(1)"/>', filename="logo.svg")],
            **from_unit("SNV")), reason="", unit="SNV")
    def invisible_formula(name: str, mark: str) -> Callable[[], bytes]:
        return lambda: simple(f"formula_subject_after_{name}", body=f"Báo cáo {REQUEST}",
                              sender=ADDR["SCT"], subject=f"{mark}=1+1")

    for name, mark in (("zero_width_space", "\u200b"), ("bom", "\ufeff"),
                       ("soft_hyphen", "\u00ad")):
        add(f"formula_subject_after_{name}", f"Subject `{mark!a}=1+1` (an invisible character "
            "before the formula) from a roster address",
            "placed; the check looks past the invisible character: prefixed with `'`",
            invisible_formula(name, mark), reason="", unit="SCT")
    add("cr_only_with_message_id", "bare-CR line ends (old Mac mail) with a Message-ID",
        "read; its Message-ID is kept", lambda: simple("cr_only_with_message_id").replace(
            b"\r\n", b"\r"))
    add("xlsx_inline_strings", "an .xlsx whose cells are inline strings naming a unit (as "
        "exporters other than Excel write them), from a stranger",
        "the inline strings are read: placed by the unit's name",
        lambda: with_text("xlsx_inline_strings", [part(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx_inline("Đoàn Thanh niên Sở Xây dựng"), filename="bang.xlsx")],
            sender="someone@gmail.example", subject=f"Báo cáo {REQUEST}",
            text="Kính gửi Văn phòng."), reason="", unit="SXD", match="name")
    return c


def _formula(name: str, code: str, subject: str) -> Callable[[], bytes]:
    def build() -> bytes:
        raw = with_text(name, [part("application/pdf", PDF_REPORT, filename="bao-cao.pdf")],
                        text=f"Báo cáo theo {REQUEST}.", sender=ADDR[code],
                        subject="SUBJECT-PLACEHOLDER")
        return raw.replace(b"SUBJECT-PLACEHOLDER", subject.encode())
    return build


def _uu_line(data: bytes) -> bytes:
    import binascii

    return binascii.b2a_uu(data).replace(b"\n", b"\r\n")


def _patch_sizes(data: bytes, size: int) -> bytearray:
    """A zip whose declared uncompressed sizes are all `size` (smaller than the truth)."""
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = out.find(sig)
        while i >= 0:
            struct.pack_into("<I", out, i + offset, size)
            i = out.find(sig, i + 4)
    return out


def readme(all_cases: list[Case]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    rows = "\n".join(
        f"| `{c.name}.eml` | {cell(c.shows)} | {cell(c.expected)} |" for c in all_cases)
    return f"""# Hostile and broken messages

Written by `tools/make_hostile.py` (do not edit by hand: change the generator and run it again).
`tests/test_hostile.py` runs every one of them through the real pipeline with low limits where
a file must stay small to go over them (`max_message_bytes` 1,100,000, `max_attachment_bytes`
256 KiB, `max_parts` 200, `max_depth` 10, `max_extract_seconds` 2, `max_inflate_bytes` 4 MiB)
and the default `max_text_chars` and `max_message_seconds` (every stage is linear: nothing is
hidden by a lowered text limit; shapes too big for a file are in `bench/hostile.py`),
from the roster in `units.csv` and the notice in `requests.toml`, and checks what
`expected.tsv` says of each: the reason in messages.csv, the unit, and what the parse notes say.
It also checks, for all of them: exit status 0, a row per message, attachment files inside the
data dir under safe unique names, no crash in the log, no CSV cell that a spreadsheet would run,
no script or javascript:/data: link from a message in report.html, and a bounded run time.

{len(all_cases)} messages. See docs/security.md for the threat model.

| file | what it shows | expected outcome |
| --- | --- | --- |
{rows}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    all_cases = cases()
    names = [c.name for c in all_cases]
    assert len(names) == len(set(names)), "duplicate case names"
    for old in out.glob("*.eml"):
        if old.stem not in names:
            old.unlink()
    for case in all_cases:
        raw = case.build()
        assert len(raw) < 2_000_000, (case.name, len(raw))
        (out / f"{case.name}.eml").write_bytes(raw)
    (out / "units.csv").write_bytes(UNITS_CSV.encode("utf-8"))
    (out / "requests.toml").write_text(REQUESTS_TOML, encoding="utf-8")
    (out / "expected.tsv").write_text("file\treason\tunit\tmatch\tnote\n" + "".join(
        f"{c.name}.eml\t{c.reason}\t{c.unit}\t{c.match}\t{c.note}\n" for c in all_cases),
        encoding="utf-8")
    (out / "README.md").write_text(readme(all_cases), encoding="utf-8")
    print(f"wrote {len(all_cases)} messages to {out.name}/")


if __name__ == "__main__":
    main()
