"""Write the labelled corpus for the message matcher (tests/corpus/).

The corpus is an office inbox of the kind the Văn phòng Đoàn Khối Dân - Chính - Đảng receives over
a summer: about 60 units answering five notices whose open periods overlap, written the way people
write mail (member Gmail, forwards, quoted notices, typos, abbreviations, no diacritics, old and
new tone-mark placement, NFD text, windows-1258, files whose name or content is the only place the
unit is named), plus the mail that is not a report (the office's own, bounces, read receipts,
auto-replies, newsletters) and a few messages a careful clerk could not place either.

Each message is labelled by hand-written rules here with the truth a careful clerk would give (the
unit, the requests it answers, or the contract's reason for setting it aside), never with what the
matcher happens to do. `bench/matching.py` compares the matcher with these labels.

Everything is derived from fixed data and one seeded random generator (names, numbers, times, the
pixels of the photos, .docx/.xlsx metadata, zip timestamps, MIME boundaries), so two runs write
byte-identical files.

Usage: python tools/make_matching_corpus.py [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import base64
import csv
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
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.message import EmailMessage, Message
from email.utils import format_datetime
from pathlib import Path

import docx
import mailkit
import openpyxl
from docx.enum.text import WD_ALIGN_PARAGRAPH
from mailkit import ICT, POLICY, at, digest, make_zip, unaccent
from PIL import Image, ImageDraw, ImageOps

SEED = 20230803
PDT = timezone(timedelta(hours=-7))
MAX_MESSAGE_BYTES = 60_000
MAX_CORPUS_BYTES = 6_000_000

OFFICE_DOMAIN = "doankhoi.example.gov.vn"
OFFICE = f"doankhoi@{OFFICE_DOMAIN}"
OFFICE2 = f"vanphong@{OFFICE_DOMAIN}"
OFFICE_FROM = f"Văn phòng Đoàn Khối <{OFFICE}>"
OFFICE_TO = OFFICE_FROM
MX = f"mx.{OFFICE_DOMAIN}"
UNITS_LIST = f"Các cơ sở Đoàn trực thuộc <cosodoan@{OFFICE_DOMAIN}>"


# --------------------------------------------------------------------------- text forms

TONES = "\u0300\u0301\u0303\u0309\u0323"


def swap_tone(text: str) -> str:
    """Move the tone mark of open oa/oe/uy syllables to the other vowel: hóa <-> hoá,
    Ủy <-> Uỷ, Tòa <-> Toà (the old and the new placement; both are in daily use)."""
    d = unicodedata.normalize("NFD", text)
    end = r"(?![^\W\d_]|[\u0300-\u036f])"
    first = re.compile(rf"(?<![qQ])([oOuU])([{TONES}])([aAeEyY]){end}")
    second = re.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{TONES}]){end}")
    d = (first if first.search(d) else second).sub(r"\1\3\2", d)
    return unicodedata.normalize("NFC", d)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def drop_marks_in_one_word(text: str, rng: random.Random) -> str:
    """A typo: one word written without its diacritics ("Sở Tư phap")."""
    words = text.split(" ")
    marked = [i for i, w in enumerate(words) if unaccent(w) != w and w[:1].islower()]
    if not marked:
        marked = [i for i, w in enumerate(words) if unaccent(w) != w]
    if not marked:
        return text
    i = rng.choice(marked)
    words[i] = unaccent(words[i])
    return " ".join(words)


def misplace_tone(text: str) -> str:
    """A typo: the tone of a closed oa/uy syllable put on the first vowel ("Kế họach")."""
    d = unicodedata.normalize("NFD", text)
    d2 = re.sub(rf"([oOuU])([aAeEyY])([{TONES}])", r"\1\3\2", d, count=1)
    return unicodedata.normalize("NFC", d2)


def to_cp1258_form(text: str) -> str:
    """The decomposed form windows-1258 can encode: base letters with their vowel marks
    precomposed (â, ê, ô, ơ, ư, ă), tone marks as separate combining characters."""
    out: list[str] = []
    for cluster in re.findall(r".[\u0300-\u036f]*", unicodedata.normalize("NFD", text), re.S):
        base = "".join(c for c in cluster if c not in TONES)
        tones = "".join(c for c in cluster if c in TONES)
        out.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(out)


def wrap(text: str, width: int = 72) -> str:
    """Hard-wrapped paragraphs, as older clients send plain text (names may be split)."""
    blocks = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if len(lines) > 1 and all(len(ln) < width for ln in lines):
            blocks.append(block)
        else:
            blocks.append(textwrap.fill(" ".join(lines), width))
    return "\n\n".join(blocks)


def dedent(block: str) -> str:
    lines = [line.strip() for line in block.strip("\n").splitlines()]
    out = "\n".join(lines).strip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", out)


def para(block: str) -> str:
    return " ".join(line.strip() for line in block.strip().splitlines())


# --------------------------------------------------------------------------- the roster


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    kind: str  # "doan" (đoàn cơ sở) | "chidoan" (chi đoàn cơ sở)
    core: str  # the body's name without "Đoàn"/"Chi đoàn": "Sở Tư pháp"
    domain: str
    forms: tuple[str, ...]  # other ways its staff write the core name
    aliases: tuple[str, ...]  # what the office put in units.csv
    group: str
    emails: tuple[str, ...]

    @property
    def prefix(self) -> str:
        return "Đoàn" if self.kind == "doan" else "Chi đoàn"

    @property
    def name(self) -> str:
        return f"{self.prefix} {self.core}"

    @property
    def email(self) -> str:
        return self.emails[0]


def _unit(
    code: str,
    kind: str,
    core: str,
    domain: str,
    forms: Sequence[str],
    aliases: Sequence[str],
    group: str,
    emails: Sequence[str] = (),
) -> Unit:
    box = "doanthanhnien" if kind == "doan" else "chidoan"
    return Unit(
        code,
        kind,
        core,
        domain,
        tuple(forms),
        tuple(aliases),
        group,
        tuple(emails) or (f"{box}@{domain}",),
    )


GOV = "example.gov.vn"
ORG = "example.org.vn"
ROSTER: tuple[Unit, ...] = (
    _unit(
        "STP",
        "doan",
        "Sở Tư pháp",
        f"stp.{GOV}",
        ["Sở Tư Pháp", "Sở TP", "STP"],
        ["Sở Tư pháp", "Đoàn TN Sở Tư pháp", "STP", "Sở TP"],
        "so-nganh",
    ),
    _unit(
        "SXD",
        "doan",
        "Sở Xây dựng",
        f"sxd.{GOV}",
        ["Sở Xây Dựng", "Sở XD", "SXD"],
        ["Sở Xây dựng", "Đoàn TN Sở Xây dựng"],
        "so-nganh",
    ),
    _unit(
        "TTSXD",
        "chidoan",
        "Thanh tra Sở Xây dựng",
        f"sxd.{GOV}",
        ["Thanh tra Sở XD", "Thanh tra SXD"],
        ["Thanh tra Sở Xây dựng", "CĐ Thanh tra Sở Xây dựng"],
        "so-nganh",
        [f"chidoan.thanhtra@sxd.{GOV}"],
    ),
    _unit(
        "SKHDT",
        "doan",
        "Sở Kế hoạch và Đầu tư",
        f"skhdt.{GOV}",
        ["Sở KH&ĐT", "Sở KHĐT", "Sở KH và ĐT", "Sở Kế hoạch & Đầu tư"],
        ["Sở Kế hoạch và Đầu tư", "Sở KH&ĐT", "Sở KHĐT"],
        "so-nganh",
        [f"doanthanhnien@skhdt.{GOV}", "doantn.skhdt@gmail.com"],
    ),
    _unit(
        "SKHCN",
        "doan",
        "Sở Khoa học và Công nghệ",
        f"skhcn.{GOV}",
        ["Sở KH&CN", "Sở KHCN", "Sở Khoa học & Công nghệ"],
        ["Sở Khoa học và Công nghệ", "Sở KH&CN"],
        "so-nganh",
    ),
    _unit(
        "SNV", "doan", "Sở Nội vụ", f"snv.{GOV}", ["Sở Nội Vụ", "SNV"], ["Sở Nội vụ"], "so-nganh"
    ),
    _unit(
        "STC",
        "doan",
        "Sở Tài chính",
        f"stc.{GOV}",
        ["Sở Tài Chính", "STC"],
        ["Sở Tài chính"],
        "khoi-kinh-te",
    ),
    _unit(
        "SCT",
        "doan",
        "Sở Công Thương",
        f"sct.{GOV}",
        ["Sở Công thương"],
        ["Sở Công Thương"],
        "khoi-kinh-te",
    ),
    _unit(
        "SGDDT",
        "doan",
        "Sở Giáo dục và Đào tạo",
        f"sgddt.{GOV}",
        ["Sở GD&ĐT", "Sở GDĐT", "Sở Giáo dục & Đào tạo"],
        ["Sở Giáo dục và Đào tạo", "Sở GD&ĐT"],
        "so-nganh",
    ),
    _unit(
        "SYT",
        "doan",
        "Sở Y tế",
        f"syt.{GOV}",
        ["Sở Y Tế", "SYT"],
        ["Sở Y tế"],
        "so-nganh",
        [f"doanthanhnien@syt.{GOV}", "bchdoan.syt@gmail.com"],
    ),
    _unit(
        "STNMT",
        "doan",
        "Sở Tài nguyên và Môi trường",
        f"stnmt.{GOV}",
        ["Sở TN&MT", "Sở TNMT", "Sở Tài nguyên & Môi trường"],
        ["Sở Tài nguyên và Môi trường", "Sở TN&MT"],
        "so-nganh",
    ),
    _unit(
        "SLDTBXH",
        "doan",
        "Sở Lao động - Thương binh và Xã hội",
        f"sldtbxh.{GOV}",
        ["Sở LĐ-TB&XH", "Sở LĐTBXH", "Sở Lao động Thương binh và Xã hội"],
        ["Sở Lao động - Thương binh và Xã hội", "Sở LĐ-TB&XH", "Sở LĐTBXH"],
        "so-nganh",
    ),
    _unit(
        "SVHTT",
        "doan",
        "Sở Văn hóa và Thể thao",
        f"svhtt.{GOV}",
        ["Sở Văn hoá và Thể thao", "Sở VH&TT", "Sở VHTT"],
        ["Sở Văn hóa và Thể thao", "Sở VH&TT"],
        "so-nganh",
    ),
    _unit(
        "STTTT",
        "doan",
        "Sở Thông tin và Truyền thông",
        f"stttt.{GOV}",
        ["Sở TT&TT", "Sở TTTT"],
        ["Sở Thông tin và Truyền thông", "Sở TT&TT"],
        "so-nganh",
    ),
    _unit(
        "SGTVT",
        "doan",
        "Sở Giao thông vận tải",
        f"sgtvt.{GOV}",
        ["Sở GTVT", "Sở Giao thông Vận tải"],
        ["Sở Giao thông vận tải", "Sở GTVT"],
        "so-nganh",
    ),
    _unit(
        "TTSGTVT",
        "chidoan",
        "Thanh tra Sở Giao thông vận tải",
        f"sgtvt.{GOV}",
        ["Thanh tra Sở GTVT"],
        ["Thanh tra Sở Giao thông vận tải", "Thanh tra Sở GTVT"],
        "so-nganh",
        [f"chidoan.thanhtra@sgtvt.{GOV}"],
    ),
    _unit(
        "SNNPTNT",
        "doan",
        "Sở Nông nghiệp và Phát triển nông thôn",
        f"snnptnt.{GOV}",
        ["Sở NN&PTNT", "Sở NNPTNT", "Sở Nông nghiệp & PTNT"],
        ["Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT"],
        "so-nganh",
    ),
    _unit("SDL", "chidoan", "Sở Du lịch", f"sdl.{GOV}", ["Sở Du Lịch"], ["Sở Du lịch"], "so-nganh"),
    _unit(
        "SQHKT",
        "chidoan",
        "Sở Quy hoạch - Kiến trúc",
        f"sqhkt.{GOV}",
        ["Sở QH-KT", "Sở Quy hoạch Kiến trúc", "Sở QHKT"],
        ["Sở Quy hoạch - Kiến trúc", "Sở QH-KT"],
        "so-nganh",
    ),
    _unit(
        "SNGV",
        "chidoan",
        "Sở Ngoại vụ",
        f"sngv.{GOV}",
        ["Sở Ngoại Vụ"],
        ["Sở Ngoại vụ"],
        "so-nganh",
    ),
    _unit(
        "TTTP",
        "doan",
        "Thanh tra Thành phố",
        f"thanhtra.{GOV}",
        ["Thanh tra TP", "Thanh tra TP.HCM"],
        ["Thanh tra Thành phố", "Thanh tra TP"],
        "khoi-noi-chinh",
    ),
    _unit(
        "BDT",
        "chidoan",
        "Ban Dân tộc Thành phố",
        f"bdt.{GOV}",
        ["Ban Dân tộc TP"],
        ["Ban Dân tộc TP"],
        "so-nganh",
    ),
    _unit(
        "CUCTHUE",
        "doan",
        "Cục Thuế Thành phố",
        f"cucthue.{GOV}",
        ["Cục Thuế TP", "Cục Thuế TP.HCM"],
        ["Cục Thuế TP", "Cục Thuế Thành phố", "Đoàn Cục Thuế"],
        "khoi-kinh-te",
        [f"doanthanhnien@cucthue.{GOV}", f"vanphongdoan@cucthue.{GOV}"],
    ),
    _unit(
        "CCTQ3",
        "chidoan",
        "Chi cục Thuế Quận 3",
        f"cucthue.{GOV}",
        ["Chi cục Thuế Q.3", "Chi cục Thuế Q3", "CCT Quận 3"],
        ["Chi cục Thuế Quận 3"],
        "khoi-kinh-te",
        [f"chidoan.q3@cucthue.{GOV}"],
    ),
    _unit(
        "CCTQ7",
        "chidoan",
        "Chi cục Thuế Quận 7",
        f"cucthue.{GOV}",
        ["Chi cục Thuế Q.7", "Chi cục Thuế Q7"],
        ["Chi cục Thuế Quận 7"],
        "khoi-kinh-te",
        [f"chidoan.q7@cucthue.{GOV}"],
    ),
    _unit(
        "CUCHQ",
        "doan",
        "Cục Hải quan Thành phố",
        f"haiquan.{GOV}",
        ["Cục Hải quan TP", "Hải quan TP.HCM", "Cục HQ TP"],
        ["Cục Hải quan TP", "Hải quan Thành phố"],
        "khoi-kinh-te",
    ),
    _unit(
        "KBNN",
        "doan",
        "Kho bạc Nhà nước Thành phố",
        f"kbnn.{GOV}",
        ["KBNN TP", "Kho bạc Nhà nước TP", "Kho bạc NN TP.HCM"],
        ["Kho bạc Nhà nước TP", "KBNN TP"],
        "khoi-kinh-te",
    ),
    _unit(
        "BHXH",
        "doan",
        "Bảo hiểm Xã hội Thành phố",
        f"bhxh.{GOV}",
        ["BHXH TP", "BHXH Thành phố", "Bảo hiểm xã hội TP.HCM"],
        ["BHXH TP", "Bảo hiểm xã hội Thành phố"],
        "khoi-kinh-te",
    ),
    _unit(
        "CUCTK",
        "chidoan",
        "Cục Thống kê Thành phố",
        f"cuctk.{GOV}",
        ["Cục Thống kê TP", "Cục Thống Kê TP"],
        ["Cục Thống kê TP"],
        "khoi-kinh-te",
    ),
    _unit(
        "CTHADS",
        "doan",
        "Cục Thi hành án dân sự Thành phố",
        f"thads.{GOV}",
        ["Cục THADS TP", "Cục Thi hành án dân sự TP"],
        ["Cục Thi hành án dân sự TP", "Cục THADS TP"],
        "khoi-noi-chinh",
    ),
    _unit(
        "QPTNO",
        "chidoan",
        "Quỹ Phát triển nhà ở Thành phố",
        "qptno.example.vn",
        ["Quỹ PTNƠ", "Quỹ Phát triển nhà ở", "Quỹ PT nhà ở"],
        ["Quỹ Phát triển nhà ở", "Quỹ PTNƠ"],
        "khoi-kinh-te",
    ),
    _unit(
        "HFIC",
        "doan",
        "Quỹ Đầu tư phát triển Thành phố",
        "hfic.example.vn",
        ["HFIC", "Quỹ Đầu tư phát triển TP", "Quỹ ĐTPT TP"],
        ["Quỹ Đầu tư phát triển TP", "HFIC"],
        "khoi-kinh-te",
    ),
    _unit(
        "VPUB",
        "doan",
        "Văn phòng Ủy ban nhân dân Thành phố",
        f"vpub.{GOV}",
        ["Văn phòng UBND TP", "VP UBND TP", "Văn phòng Uỷ ban nhân dân TP"],
        ["Văn phòng UBND TP", "Văn phòng UBND Thành phố"],
        "khoi-van-phong",
    ),
    _unit(
        "VPHDND",
        "chidoan",
        "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân Thành phố",
        f"vphdnd.{GOV}",
        ["Văn phòng Đoàn ĐBQH và HĐND TP", "VP Đoàn ĐBQH và HĐND TP"],
        ["Văn phòng Đoàn ĐBQH và HĐND TP", "Văn phòng HĐND TP"],
        "khoi-van-phong",
    ),
    _unit(
        "VPTU",
        "doan",
        "Văn phòng Thành ủy",
        f"vptu.{ORG}",
        ["VP Thành ủy", "Văn phòng Thành uỷ"],
        ["Văn phòng Thành ủy"],
        "khoi-dang",
    ),
    _unit(
        "BTCTU",
        "chidoan",
        "Ban Tổ chức Thành ủy",
        f"btctu.{ORG}",
        ["Ban Tổ chức Thành uỷ", "BTC Thành ủy"],
        ["Ban Tổ chức Thành ủy"],
        "khoi-dang",
    ),
    _unit(
        "BTGTU",
        "chidoan",
        "Ban Tuyên giáo Thành ủy",
        f"btgtu.{ORG}",
        ["Ban Tuyên giáo Thành uỷ", "BTG Thành ủy"],
        ["Ban Tuyên giáo Thành ủy"],
        "khoi-dang",
    ),
    _unit(
        "BDVTU",
        "chidoan",
        "Ban Dân vận Thành ủy",
        f"bdvtu.{ORG}",
        ["Ban Dân vận Thành uỷ", "BDV Thành ủy"],
        ["Ban Dân vận Thành ủy"],
        "khoi-dang",
    ),
    _unit(
        "UBKTTU",
        "chidoan",
        "Ủy ban Kiểm tra Thành ủy",
        f"ubkttu.{ORG}",
        ["Uỷ ban Kiểm tra Thành uỷ", "UBKT Thành ủy"],
        ["Ủy ban Kiểm tra Thành ủy", "UBKT Thành ủy"],
        "khoi-dang",
    ),
    _unit(
        "BNCTU",
        "chidoan",
        "Ban Nội chính Thành ủy",
        f"bnctu.{ORG}",
        ["Ban Nội chính Thành uỷ"],
        ["Ban Nội chính Thành ủy"],
        "khoi-dang",
    ),
    _unit(
        "TCBTP",
        "chidoan",
        "Trường Cán bộ Thành phố",
        "truongcanbo.example.edu.vn",
        ["Trường Cán bộ TP"],
        ["Trường Cán bộ TP"],
        "khoi-dang",
    ),
    _unit(
        "BQLATTP",
        "chidoan",
        "Ban Quản lý An toàn thực phẩm Thành phố",
        f"attp.{GOV}",
        ["Ban Quản lý ATTP", "BQL An toàn thực phẩm", "BQL ATTP TP"],
        ["Ban Quản lý An toàn thực phẩm", "Ban Quản lý ATTP"],
        "so-nganh",
    ),
    _unit(
        "HEPZA",
        "doan",
        "Ban Quản lý các Khu chế xuất và công nghiệp Thành phố",
        f"hepza.{GOV}",
        ["Ban Quản lý các KCX-KCN", "HEPZA", "BQL các KCX và CN TP"],
        ["HEPZA", "Ban Quản lý các KCX-KCN"],
        "khoi-kinh-te",
    ),
    _unit(
        "SHTP",
        "doan",
        "Ban Quản lý Khu Công nghệ cao",
        f"shtp.{GOV}",
        ["Khu Công nghệ cao", "SHTP", "BQL Khu CNC"],
        ["Khu Công nghệ cao", "SHTP", "BQL Khu Công nghệ cao"],
        "khoi-kinh-te",
    ),
    _unit(
        "MAUR",
        "chidoan",
        "Ban Quản lý Đường sắt đô thị",
        f"maur.{GOV}",
        ["Ban Quản lý ĐSĐT", "MAUR", "BQL Đường sắt đô thị"],
        ["Ban Quản lý Đường sắt đô thị", "MAUR"],
        "so-nganh",
    ),
    _unit(
        "MTTQ",
        "chidoan",
        "Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố",
        f"mttq.{ORG}",
        ["Ủy ban MTTQ Việt Nam TP", "UBMTTQ TP", "Uỷ ban MTTQ VN TP"],
        ["Ủy ban MTTQ Việt Nam TP", "UBMTTQ TP"],
        "khoi-doan-the",
    ),
    _unit(
        "LDLD",
        "doan",
        "Liên đoàn Lao động Thành phố",
        f"ldld.{ORG}",
        ["LĐLĐ TP", "Liên đoàn Lao động TP"],
        ["Liên đoàn Lao động TP", "LĐLĐ TP"],
        "khoi-doan-the",
    ),
    _unit(
        "HLHPN",
        "chidoan",
        "Hội Liên hiệp Phụ nữ Thành phố",
        f"hoiphunu.{ORG}",
        ["Hội LHPN TP", "Hội Liên hiệp Phụ nữ TP"],
        ["Hội LHPN TP", "Hội Liên hiệp Phụ nữ TP"],
        "khoi-doan-the",
    ),
    _unit(
        "HND",
        "chidoan",
        "Hội Nông dân Thành phố",
        f"hoinongdan.{ORG}",
        ["Hội Nông dân TP", "Hội ND TP"],
        ["Hội Nông dân TP"],
        "khoi-doan-the",
    ),
    _unit(
        "HCCB",
        "chidoan",
        "Hội Cựu chiến binh Thành phố",
        f"hccb.{ORG}",
        ["Hội CCB TP", "Hội Cựu chiến binh TP"],
        ["Hội CCB TP", "Hội Cựu chiến binh TP"],
        "khoi-doan-the",
    ),
    _unit(
        "LHH",
        "chidoan",
        "Liên hiệp các Hội Khoa học và Kỹ thuật Thành phố",
        f"lhh.{ORG}",
        ["Liên hiệp các Hội KH&KT TP", "Liên hiệp Hội KH&KT"],
        ["Liên hiệp các Hội KH&KT TP", "Liên hiệp các Hội Khoa học và Kỹ thuật TP"],
        "khoi-doan-the",
    ),
    _unit(
        "TAND",
        "doan",
        "Tòa án nhân dân Thành phố",
        f"toaan.{GOV}",
        ["TAND TP", "Toà án nhân dân TP", "Tòa án ND TP"],
        ["Tòa án nhân dân TP", "TAND TP"],
        "khoi-noi-chinh",
    ),
    _unit(
        "VKSND",
        "doan",
        "Viện Kiểm sát nhân dân Thành phố",
        f"vks.{GOV}",
        ["VKSND TP", "Viện KSND TP", "Viện Kiểm sát ND TP"],
        ["Viện KSND TP", "VKSND TP"],
        "khoi-noi-chinh",
    ),
    _unit(
        "PCC1",
        "chidoan",
        "Phòng Công chứng số 1",
        "pcc1.example.vn",
        ["Phòng Công chứng số 1", "Phòng CC số 1"],
        ["Phòng Công chứng số 1"],
        "so-nganh",
    ),
    _unit(
        "PCC2",
        "chidoan",
        "Phòng Công chứng số 2",
        "pcc2.example.vn",
        ["Phòng Công chứng số 2", "Phòng CC số 2"],
        ["Phòng Công chứng số 2"],
        "so-nganh",
    ),
    _unit(
        "TTTGPL",
        "chidoan",
        "Trung tâm Trợ giúp pháp lý Nhà nước Thành phố",
        f"tgpl.{GOV}",
        ["Trung tâm TGPL", "TT Trợ giúp pháp lý"],
        ["Trung tâm Trợ giúp pháp lý Nhà nước TP", "Trung tâm TGPL"],
        "so-nganh",
    ),
    _unit(
        "CCDS",
        "chidoan",
        "Chi cục Dân số - Kế hoạch hóa gia đình Thành phố",
        f"ccds.{GOV}",
        ["Chi cục DS-KHHGĐ", "Chi cục Dân số - KHHGĐ", "Chi cục Dân số"],
        ["Chi cục Dân số - Kế hoạch hóa gia đình", "Chi cục DS-KHHGĐ"],
        "so-nganh",
    ),
    _unit(
        "TTDVVL",
        "chidoan",
        "Trung tâm Dịch vụ việc làm Thành phố",
        f"vieclam.{GOV}",
        ["TT Dịch vụ việc làm", "Trung tâm DVVL TP"],
        ["Trung tâm Dịch vụ việc làm TP"],
        "so-nganh",
    ),
    _unit(
        "VPDKDD",
        "chidoan",
        "Văn phòng Đăng ký đất đai Thành phố",
        f"vpdkdd.{GOV}",
        ["VP Đăng ký đất đai", "Văn phòng ĐKĐĐ TP"],
        ["Văn phòng Đăng ký đất đai TP"],
        "so-nganh",
    ),
    _unit(
        "BTCD",
        "chidoan",
        "Ban Tiếp công dân Thành phố",
        f"tiepcongdan.{GOV}",
        ["Ban Tiếp công dân TP"],
        ["Ban Tiếp công dân TP"],
        "khoi-van-phong",
    ),
)
UNITS = {u.code: u for u in ROSTER}


# --------------------------------------------------------------------------- the requests


@dataclass(frozen=True, slots=True)
class Req:
    id: str
    number: str
    kind: str  # TB | KH | CV
    title: str
    issued: datetime
    deadline: datetime
    grace: int
    units: tuple[str, ...]
    requires: tuple[str, ...]
    keywords: tuple[str, ...]
    notice_id: str
    notice_subject: str
    cues: tuple[str, ...]  # how units name what they answer (some are the keywords, some not)
    upto: datetime  # deadline + 30 days: still open for the "one open request" rule

    @property
    def long_kind(self) -> str:
        return {"TB": "thông báo", "KH": "kế hoạch", "CV": "công văn"}[self.kind]

    def id_forms(self) -> tuple[str, ...]:
        n, k, lk = self.number, self.kind, self.long_kind
        return (
            f"{n}-{k}/ĐTN",
            f"{n}/{k}-ĐTN",
            f"{n}/{k}-DTN",
            f"{k} {n}",
            f"{k} số {n}",
            f"{lk} số {n}",
            f"{lk.capitalize()} {n}",
            f"{n}-{k}/DTN",
            f"{lk.capitalize()} số {n}-{k}/ĐTN",
            f"số {n}/{k}-ĐTN",
        )

    def expects(self, unit: Unit) -> bool:
        return any(s == "*" or s == unit.code or s == f"group:{unit.group}" for s in self.units)


def _req(
    number: str,
    kind: str,
    title: str,
    issued: datetime,
    deadline: datetime,
    grace: int,
    units: Sequence[str],
    requires: Sequence[str],
    keywords: Sequence[str],
    notice_subject: str,
    cues: Sequence[str],
) -> Req:
    stamp = issued.strftime("%Y%m%d%H%M%S")
    return Req(
        f"{number}-{kind}/ĐTN",
        number,
        kind,
        title,
        issued,
        deadline,
        grace,
        tuple(units),
        tuple(requires),
        tuple(keywords),
        f"<{stamp}.{number}{kind}.vp@{OFFICE_DOMAIN}>",
        notice_subject,
        tuple(cues),
        deadline + timedelta(days=30),
    )


R160 = _req(
    "160",
    "KH",
    "Đăng ký tham gia Ngày hội hiến máu tình nguyện “Giọt hồng Đoàn Khối” năm 2023",
    at(7, 10, 8, 0),
    at(7, 21, 17, 0),
    0,
    ["*"],
    ["report"],
    ["hiến máu", "giọt hồng"],
    "Kế hoạch tổ chức Ngày hội hiến máu tình nguyện “Giọt hồng Đoàn Khối” năm 2023",
    [
        "đăng ký hiến máu tình nguyện",
        "danh sách đăng ký Ngày hội Giọt hồng Đoàn Khối",
        "DS đăng ký hiến máu",
        "danh sách đoàn viên hiến máu ngày 30/7",
    ],
)
R171 = _req(
    "171",
    "CV",
    "Báo cáo sơ kết công tác Đoàn và phong trào thanh niên 6 tháng đầu năm 2023",
    at(7, 17, 8, 0),
    at(7, 28, 17, 0),
    0,
    ["*"],
    ["report"],
    ["sơ kết", "6 tháng đầu năm"],
    "Công văn số 171-CV/ĐTN v/v báo cáo sơ kết công tác Đoàn 6 tháng đầu năm 2023",
    [
        "báo cáo sơ kết công tác Đoàn 6 tháng đầu năm 2023",
        "báo cáo sơ kết 6 tháng",
        "báo cáo 6 tháng",
        "báo cáo công tác Đoàn 6 tháng đầu năm",
    ],
)
R178 = _req(
    "178",
    "TB",
    "Báo cáo kết quả Ngày hoạt động cao điểm “Chiến sĩ tình nguyện thực hiện chủ đề năm của "
    "Thành phố”",
    at(8, 3, 0, 0),
    at(8, 11, 11, 0),
    0,
    ["*"],
    ["report", "images"],
    ["hoạt động cao điểm", "kỳ nghỉ hồng", "dịch vụ công trực tuyến"],
    "Thông báo số 178-TB/ĐTN về việc tổ chức Ngày hoạt động cao điểm “Chiến sĩ tình nguyện "
    "thực hiện chủ đề năm của Thành phố”",
    [
        "kết quả Ngày hoạt động cao điểm",
        "báo cáo Ngày hoạt động cao điểm 11/8",
        "báo cáo ngày cao điểm 11/8",
        "kết quả hỗ trợ người dân thực hiện dịch vụ công trực tuyến",
        "báo cáo hoạt động Kỳ Nghỉ Hồng ngày 11/8",
    ],
)
R185 = _req(
    "185",
    "TB",
    "Đăng ký danh sách chiến sĩ tình nguyện tham gia Ngày Chủ nhật xanh tháng 8/2023",
    at(8, 14, 9, 0),
    at(8, 21, 17, 0),
    30,
    ["group:khoi-kinh-te", "group:khoi-noi-chinh"],
    ["report"],
    ["chủ nhật xanh"],
    "V/v đăng ký chiến sĩ tình nguyện tham gia Ngày Chủ nhật xanh tháng 8/2023 (TB 185)",
    [
        "đăng ký danh sách tham gia Ngày Chủ nhật xanh tháng 8",
        "danh sách CSTN Chủ nhật xanh",
        "đăng ký CN xanh 27/8",
        "danh sách chiến sĩ tình nguyện Chủ nhật xanh",
    ],
)
R192 = _req(
    "192",
    "KH",
    "Đăng ký đội thi Hội thi tìm hiểu 78 năm Cách mạng Tháng Tám và Quốc khánh 2/9",
    at(8, 16, 8, 0),
    at(8, 25, 17, 0),
    0,
    ["*"],
    ["report"],
    ["cách mạng tháng tám", "đội thi"],
    "Kế hoạch tổ chức Hội thi tìm hiểu 78 năm Cách mạng Tháng Tám và Quốc khánh 2/9",
    [
        "đăng ký đội thi tìm hiểu 78 năm Cách mạng Tháng Tám",
        "danh sách đội thi Hội thi tìm hiểu",
        "đăng ký dự thi tìm hiểu CMT8 và Quốc khánh 2/9",
        "đăng ký đội thi",
    ],
)
REQUESTS = (R160, R171, R178, R185, R192)


# --------------------------------------------------------------------------- people

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trương",
    "Đinh",
    "Lâm",
    "Châu",
    "Mai",
    "Tô",
    "La",
)
MIDDLE_M = ("Văn", "Minh", "Quốc", "Hoàng", "Gia", "Hữu", "Đức", "Thanh", "Anh", "Tấn", "Công")
MIDDLE_F = ("Thị", "Ngọc", "Thanh", "Thu", "Thùy", "Kim", "Phương", "Hoài", "Bảo", "Mỹ", "Diệu")
GIVEN_M = (
    "An",
    "Bảo",
    "Bình",
    "Dũng",
    "Duy",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khang",
    "Khoa",
    "Long",
    "Minh",
    "Nam",
    "Phát",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trí",
    "Tuấn",
    "Vinh",
    "Toàn",
    "Khôi",
    "Lộc",
)
GIVEN_F = (
    "Anh",
    "Châu",
    "Chi",
    "Giang",
    "Hà",
    "Hạnh",
    "Hòa",
    "Lan",
    "Linh",
    "Mai",
    "My",
    "Ngân",
    "Nhung",
    "Phương",
    "Quyên",
    "Thảo",
    "Thư",
    "Trang",
    "Trinh",
    "Uyên",
    "Vy",
    "Yến",
    "Thủy",
    "Hằng",
    "Loan",
)


@dataclass(frozen=True, slots=True)
class Person:
    family: str
    middle: str
    given: str

    @property
    def full(self) -> str:
        return f"{self.family} {self.middle} {self.given}"


def person(rng: random.Random) -> Person:
    if rng.random() < 0.5:
        return Person(rng.choice(FAMILY), rng.choice(MIDDLE_M), rng.choice(GIVEN_M))
    return Person(rng.choice(FAMILY), rng.choice(MIDDLE_F), rng.choice(GIVEN_F))


def personal_address(p: Person, rng: random.Random) -> str:
    fam, mid, giv = (unaccent(x).lower() for x in (p.family, p.middle, p.given))
    year = rng.randrange(1990, 2002)
    local = rng.choice(
        [
            f"{giv}{fam}{year % 100:02d}",
            f"{fam}{mid}{giv}.{year}",
            f"{giv}.{fam[0]}{mid[0]}{year}",
            f"{fam}{mid[0]}{giv}",
            f"{giv}{mid}{fam}",
            f"{mid}{giv}.{fam}{rng.randrange(1, 99)}",
        ]
    )
    domain = rng.choices(["gmail.com", "yahoo.com.vn", "outlook.com"], [8, 1, 1])[0]
    return f"{local}@{domain}"


# --------------------------------------------------------------------------- attachments


def make_photo(seed: int, size: tuple[int, int] = (360, 240)) -> bytes:
    """A small JPEG (about 6 KB): a gradient 'hall', a crowd of shapes, a red banner."""
    rng = random.Random(seed)
    width, height = size
    top = (rng.randrange(90, 230), rng.randrange(90, 230), rng.randrange(90, 230))
    bottom = (rng.randrange(20, 120), rng.randrange(20, 120), rng.randrange(20, 120))
    img = ImageOps.colorize(Image.linear_gradient("L").resize(size), top, bottom)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randrange(8, 15)):
        x, y = rng.randrange(0, width), rng.randrange(height // 3, height)
        r = rng.randrange(9, 22)
        shirt = (rng.randrange(0, 80), rng.randrange(90, 200), rng.randrange(0, 90))
        draw.ellipse((x - r, y - 2 * r, x + r, y), fill=(230, 190, 150))
        draw.rectangle((x - r, y, x + r, y + 3 * r), fill=shirt)
    grain_size = (width // 4, height // 4)
    grain = Image.frombytes("L", grain_size, rng.randbytes(grain_size[0] * grain_size[1]))
    img = Image.blend(img, grain.resize(size).convert("RGB"), 0.04)
    draw = ImageDraw.Draw(img)
    draw.rectangle((12, 10, width - 12, 40), fill=(196, 22, 28))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=55, optimize=True)
    return out.getvalue()


def make_logo() -> bytes:
    """A small PNG signature logo (well under 10 KB)."""
    img = Image.new("RGB", (96, 32), (0, 84, 166))
    ImageDraw.Draw(img).ellipse((4, 4, 28, 28), fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


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
    """Rewrite an OOXML zip: without `drop` (and their relationships), parts replaced, fixed
    timestamps (zip entries and docProps/core.xml), so that the bytes are reproducible."""
    replace = replace or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = (
        (when or datetime(2023, 1, 1, tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            blob = replace.get(info.filename, src.read(info.filename))
            if info.filename.endswith(".rels") or info.filename == "[Content_Types].xml":
                xml = blob.decode("utf-8")
                for part in drop:
                    leaf = re.escape(part.rsplit("/", 1)[-1])
                    xml = re.sub(rf'<Relationship [^>]*Target="[^"]*{leaf}"\s*/>', "", xml)
                    xml = re.sub(rf'<Override PartName="/{re.escape(part)}"[^>]*/>', "", xml)
                blob = xml.encode("utf-8")
            if info.filename == "docProps/core.xml":
                xml = blob.decode("utf-8")
                xml = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\2", xml
                )
                blob = xml.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, blob, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


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
    for i, line in enumerate(spec.title):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(line).bold = i == 0
    for line in spec.body:
        document.add_paragraph(line)
    if spec.table:
        grid = document.add_table(rows=len(spec.table), cols=len(spec.table[0]))
        grid.style = "Table Grid"
        for row, values in zip(grid.rows, spec.table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    for i, line in enumerate(spec.signature):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run(line).bold = i < 2
    buffer = io.BytesIO()
    document.save(buffer)
    return _rezip(
        buffer.getvalue(), _DOCX_DROP, {"word/styles.xml": _MIN_STYLES.encode()}, spec.when
    )


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
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("latin-1")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode("latin-1")
    return bytes(out)


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
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


MIME_BY_SUFFIX: dict[str, tuple[str, str]] = {
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pdf": ("application", "pdf"),
    ".jpg": ("image", "jpeg"),
    ".jpeg": ("image", "jpeg"),
    ".png": ("image", "png"),
    ".zip": ("application", "zip"),
    ".txt": ("text", "plain"),
}


# --------------------------------------------------------------------------- mail assembly


@dataclass(frozen=True, slots=True)
class Sender:
    name: str
    address: str
    route: str = "gov"  # gov | gmail | yahoo | outlook | office

    @property
    def header(self) -> str:
        return f"{self.name} <{self.address}>" if self.name else self.address


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


def _ip(key: str, net: str) -> str:
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
            f"from {host}.google.example ({host}.google.example [{_ip(key, '198.51.100')}]) "
            f"by {MX} (Postfix) with ESMTPS id {qid} for <{OFFICE}>; {mx_stamp}",
            f"by 2002:a05:6a10:{digest(key, 'g')[:4]}:b0:{digest(key, 'g2')[:3]} with SMTP id "
            f"{digest(key, 'sid')[:10]}; {format_datetime(earlier.astimezone(PDT))}",
        ]
    if route in ("yahoo", "outlook"):
        relay = "sonic.mail.yahoo.example" if route == "yahoo" else "outbound.outlook.example"
        return [
            f"from {relay} ({relay} [{_ip(key, '192.0.2')}]) by {MX} (Postfix) with ESMTPS id "
            f"{qid} for <{OFFICE}>; {mx_stamp}",
            f"from [{_ip(key, '10.64.3')}] by {relay} with HTTP; "
            f"{format_datetime(earlier.astimezone(UTC))}",
        ]
    return [
        f"from mail.{domain} (mail.{domain} [{_ip(key, '203.0.113')}]) by {MX} (Postfix) with "
        f"ESMTPS id {qid} for <{OFFICE}>; {mx_stamp}",
        f"from [{_ip(key, '10.20.0')}] (unknown [{_ip(key, '10.20.0')}]) by mail.{domain} with "
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


ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To", "Sender")
_SPECIALS = set('()<>@,;:\\".[]|')


def encoded_words(text: str, key: str, charset: str = "utf-8", limit: int = 62) -> list[str]:
    """RFC 2047 encoded-words for `text`, as mail clients write them: whole characters per word,
    spaces kept inside the words, each word at most `limit` characters. (Python's own header
    folder drops the space between two words when it switches from B to Q encoding.)"""
    codec = "cp1258" if charset == "windows-1258" else charset
    q_style = int(digest(key, "q-style")[:2], 16) % 3 == 0

    def enc(chunk: str) -> str:
        data = chunk.encode(codec)
        if not q_style:
            return f"=?{charset.upper()}?B?{base64.b64encode(data).decode()}?="
        body = "".join(
            chr(b)
            if (chr(b).isalnum() and b < 128) or chr(b) in "!*+-/"
            else "_"
            if b == 32
            else f"={b:02X}"
            for b in data
        )
        return f"=?{charset.upper()}?Q?{body}?="

    words: list[str] = []
    chunk = ""
    for ch in text:
        if chunk and len(enc(chunk + ch)) > limit:
            words.append(enc(chunk))
            chunk = ch
        else:
            chunk += ch
    if chunk:
        words.append(enc(chunk))
    return words


def fold_ascii(text: str, room: int = 70) -> str:
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > room:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n ".join(lines)


def raw_text_header(text: str, key: str, charset: str = "utf-8") -> str:
    """An unstructured header value (Subject), encoded and folded."""
    if text.isascii():
        return fold_ascii(text)
    return "\n ".join(encoded_words(text, key, charset))


def raw_address(value: str, key: str, charset: str = "utf-8") -> str:
    """'Name <addr>' (or a bare address) for an address header, the name encoded if needed."""
    if "<" not in value:
        return value
    name, _, rest = value.rpartition("<")
    name = name.strip().strip('"')
    addr = "<" + rest
    if not name:
        return addr
    if name.isascii():
        if _SPECIALS & set(name):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} {addr}" if len(name) + len(addr) < 68 else f"{name}\n {addr}"
    return "\n ".join(encoded_words(name, key, charset)) + f"\n {addr}"


def set_header(msg: Message, name: str, value: str, key: str) -> None:
    """Store a header exactly as encoded here (no re-folding by the email package)."""
    raw = raw_address(value, key) if name in ADDRESS_HEADERS else raw_text_header(value, key)
    msg.set_raw(name, raw)


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
    maintype, subtype = MIME_BY_SUFFIX[Path(filename).suffix.lower()]
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
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


def html_of(text: str, *, nbsp_names: Sequence[str] = ()) -> str:
    """A simple HTML body for `text` (one <div> per line, as Gmail and Outlook write it)."""
    out = []
    for block in text.strip().split("\n\n"):
        lines = [html.escape(line, quote=False) for line in block.splitlines()]
        out.append("<div>" + "<br>\n".join(lines) + "</div>")
    body = "\n<div><br></div>\n".join(out)
    for name in nbsp_names:
        escaped = html.escape(name, quote=False)
        body = body.replace(escaped, escaped.replace(" ", "&nbsp;"))
    return f'<div dir="ltr">\n{body}\n</div>\n'


def _boundary(key: str, n: int) -> str:
    return f"000000000000{digest(key, 'boundary', n)[:16]}"


def serialise(key: str, msg: EmailMessage) -> bytes:
    return mailkit.serialise(key, msg, _boundary)


# --------------------------------------------------------------------------- quoting, forwarding

WEEKDAY_VI = ("Th 2", "Th 3", "Th 4", "Th 5", "Th 6", "Th 7", "CN")
WEEKDAY_VI_LONG = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def gmail_vi_date(when: datetime) -> str:
    w = when.astimezone(ICT)
    return f"{WEEKDAY_VI[w.weekday()]}, {w.day} thg {w.month}, {w.year} vào lúc {w:%H:%M}"


def gmail_en_date(when: datetime) -> str:
    w = when.astimezone(ICT)
    hour = w.hour % 12 or 12
    return f"{w:%a}, {w:%b} {w.day}, {w.year} at {hour}:{w:%M} {'AM' if w.hour < 12 else 'PM'}"


def outlook_en_date(when: datetime) -> str:
    w = when.astimezone(ICT)
    hour = w.hour % 12 or 12
    return f"{w:%A}, {w:%B} {w.day}, {w.year} {hour}:{w:%M} {'AM' if w.hour < 12 else 'PM'}"


def outlook_vi_date(when: datetime) -> str:
    w = when.astimezone(ICT)
    return f"{WEEKDAY_VI_LONG[w.weekday()]}, {w.day} tháng {w.month}, {w.year} {w:%H:%M}"


def quote_gmail_vi(who: Sender, when: datetime, text: str) -> str:
    lines = "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())
    return f"\n\nVào {gmail_vi_date(when)} {who.name} <{who.address}> đã viết:\n\n{lines}\n"


def quote_gmail_en(who: Sender, when: datetime, text: str) -> str:
    lines = "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())
    return f"\n\nOn {gmail_en_date(when)} {who.name} <{who.address}> wrote:\n\n{lines}\n"


def quote_outlook(
    who: Sender, when: datetime, subject: str, text: str, *, vi: bool, to: str = OFFICE_TO
) -> str:
    """Outlook's reply/forward block: a rule, From/Sent/To/Subject, the text unprefixed."""
    if vi:
        head = f"Từ: {who.header}\nĐã gửi: {outlook_vi_date(when)}\nĐến: {to}\nChủ đề: {subject}"
    else:
        head = f"From: {who.header}\nSent: {outlook_en_date(when)}\nTo: {to}\nSubject: {subject}"
    return f"\n\n________________________________\n{head}\n\n{text.strip()}\n"


def forward_gmail_en(
    who: Sender, when: datetime, subject: str, text: str, to: str = OFFICE_TO
) -> str:
    return (
        f"\n\n---------- Forwarded message ---------\nFrom: {who.header}\n"
        f"Date: {gmail_en_date(when)}\nSubject: {subject}\nTo: {to}\n\n\n{text.strip()}\n"
    )


def forward_gmail_vi(
    who: Sender,
    when: datetime,
    subject: str,
    text: str,
    to: str = OFFICE_TO,
    *,
    localized: bool = True,
) -> str:
    if localized:
        head = f"Từ: {who.header}\nNgày: {gmail_vi_date(when)}\nTiêu đề: {subject}\nTới: {to}"
    else:
        head = f"Từ: {who.header}\nDate: {gmail_vi_date(when)}\nSubject: {subject}\nTo: {to}"
    return f"\n\n---------- Thư đã chuyển tiếp ---------\n{head}\n\n\n{text.strip()}\n"


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
    if req is R160:
        n = rng.randrange(6, 24)
        return DocSpec(
            author,
            when,
            unit_lines,
            doc_number(u, rng, "DS"),
            place_date(when),
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
            layout,
            sig,
        )
    if req is R171:
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
        return DocSpec(
            author,
            when,
            unit_lines,
            doc_number(u, rng),
            place_date(when),
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
            layout,
            sig,
        )
    if req is R178:
        return DocSpec(
            author,
            when,
            unit_lines,
            doc_number(u, rng),
            place_date(when),
            (
                "BÁO CÁO",
                "Kết quả tổ chức Ngày hoạt động cao điểm “Chiến sĩ tình nguyện thực "
                "hiện chủ đề năm của Thành phố”",
            ),
            (
                f"{ref}, {who} báo cáo kết quả tổ chức Ngày hoạt động cao điểm ngày 11/8/2023 "
                "như sau:",
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
            layout,
            sig,
        )
    if req is R185:
        n = rng.randrange(4, 12)
        return DocSpec(
            author,
            when,
            unit_lines,
            doc_number(u, rng, "DS"),
            place_date(when),
            ("DANH SÁCH ĐĂNG KÝ", "Chiến sĩ tình nguyện tham gia Ngày Chủ nhật xanh tháng 8/2023"),
            (
                f"{ref}, {who} đăng ký {n} chiến sĩ tình nguyện tham gia Ngày Chủ nhật xanh "
                "ngày 27/8/2023:",
            ),
            members_table(rng, n, ("Họ và tên", "Chức vụ", "Điện thoại")),
            layout,
            sig,
        )
    return DocSpec(
        author,
        when,
        unit_lines,
        doc_number(u, rng, "ĐK"),
        place_date(when),
        ("PHIẾU ĐĂNG KÝ ĐỘI THI", "Hội thi tìm hiểu 78 năm Cách mạng Tháng Tám và Quốc khánh 2/9"),
        (f"{ref}, {who} đăng ký đội thi gồm các đồng chí sau:",),
        members_table(rng, 4, ("Họ và tên", "Vai trò", "Điện thoại")),
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


# --------------------------------------------------------------------------- the notices

NOTICE_TEXT = {
    "160": dedent("""
        Kính gửi các cơ sở Đoàn trực thuộc,

        Thực hiện chương trình công tác năm 2023, Ban Thường vụ Đoàn Khối Dân - Chính - Đảng
        Thành phố ban hành Kế hoạch tổ chức Ngày hội hiến máu tình nguyện “Giọt hồng Đoàn Khối”
        năm 2023, diễn ra từ 07g30 ngày 30/7/2023 tại Nhà Văn hóa Thanh niên (file đính kèm).

        Đề nghị các cơ sở Đoàn vận động đoàn viên, thanh niên tham gia và đăng ký danh sách (họ
        tên, năm sinh, nhóm máu, số điện thoại) về Văn phòng Đoàn Khối trước 17g00 ngày
        21/7/2023.

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
    "171": dedent("""
        Kính gửi các cơ sở Đoàn trực thuộc,

        Văn phòng Đoàn Khối gửi Công văn số 171-CV/ĐTN ngày 17/7/2023 của Ban Thường vụ Đoàn
        Khối về việc báo cáo sơ kết công tác Đoàn và phong trào thanh niên 6 tháng đầu năm 2023
        kèm đề cương báo cáo.

        Đề nghị các cơ sở Đoàn gửi báo cáo về Văn phòng Đoàn Khối trước 17g00 ngày 28/7/2023.

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
    "178": dedent("""
        Kính gửi các cơ sở Đoàn trực thuộc,

        Văn phòng Đoàn Khối gửi đến các đồng chí Thông báo số 178-TB/ĐTN ngày 03/8/2023 về việc
        tổ chức Ngày hoạt động cao điểm “Chiến sĩ tình nguyện thực hiện chủ đề năm của Thành
        phố, tham gia hỗ trợ người dân thực hiện dịch vụ công trực tuyến, giải quyết thủ tục
        hành chính và xây dựng văn minh đô thị” (file đính kèm). Một số nội dung chính:

        - Lễ phát động: 08g00 ngày 11/8/2023 tại Hội trường B, Ủy ban nhân dân - Quận ủy Quận 3
        (99 Trần Quốc Thảo, Phường 7, Quận 3).
        - Phân công Đoàn Sở Nội vụ tuyên truyền văn hóa công vụ; Đoàn Sở Khoa học và Công nghệ
        tuyên truyền “Đổi mới sáng tạo trong khu vực công”; Chi đoàn Quỹ Phát triển nhà ở giới
        thiệu chương trình vay vốn nhà ở; thăm chiến sĩ tình nguyện tại Sở Xây dựng.
        - Thực hiện điểm cấp cơ sở: Đoàn Cục Thuế Thành phố, Đoàn Bảo hiểm Xã hội Thành phố,
        Đoàn Sở Kế hoạch và Đầu tư Thành phố, Đoàn Sở Tư pháp.

        Đề nghị các cơ sở Đoàn báo cáo kết quả thực hiện kèm hình ảnh về Văn phòng Đoàn Khối
        qua địa chỉ email này trước 11g00 ngày 11/8/2023 (thứ Sáu).

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
    "185": dedent("""
        Kính gửi các cơ sở Đoàn khối Kinh tế và khối Nội chính,

        Thực hiện Thông báo số 185-TB/ĐTN ngày 14/8/2023, Văn phòng Đoàn Khối đề nghị các cơ
        sở Đoàn đăng ký danh sách chiến sĩ tình nguyện tham gia Ngày Chủ nhật xanh tháng 8/2023
        (sáng 27/8/2023, ra quân làm sạch kênh Nhiêu Lộc - Thị Nghè), gồm họ tên, chức vụ, số
        điện thoại, gửi về Văn phòng trước 17g00 ngày 21/8/2023 (thứ Hai).

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
    "192": dedent("""
        Kính gửi các cơ sở Đoàn trực thuộc,

        Chào mừng 78 năm Cách mạng Tháng Tám và Quốc khánh 2/9, Ban Thường vụ Đoàn Khối tổ chức
        Hội thi tìm hiểu lịch sử (Kế hoạch số 192-KH/ĐTN ngày 16/8/2023). Mỗi cơ sở Đoàn đăng ký
        01 đội thi gồm 04 thành viên (01 đội trưởng), gửi phiếu đăng ký về Văn phòng Đoàn Khối
        trước 17g00 ngày 25/8/2023.

        Trân trọng,
        Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố
        """),
}
OFFICE_SENDER = Sender("Văn phòng Đoàn Khối", OFFICE, "office")
NOTICE_SENT = {
    "160": at(7, 10, 8, 35, 12),
    "171": at(7, 17, 9, 12, 40),
    "178": at(8, 3, 15, 30, 5),
    "185": at(8, 14, 9, 5, 12),
    "192": at(8, 16, 8, 40, 2),
}


def notice_document(req: Req) -> tuple[str, bytes]:
    spec = DocSpec(
        "Nguyễn Trường Giang",
        req.issued,
        ("THÀNH ĐOÀN TP. HỒ CHÍ MINH", "BCH ĐOÀN KHỐI DÂN - CHÍNH - ĐẢNG TP"),
        f"Số: {req.id}",
        place_date(req.issued),
        ({"TB": "THÔNG BÁO", "KH": "KẾ HOẠCH", "CV": "CÔNG VĂN"}[req.kind], req.title),
        tuple(p for p in NOTICE_TEXT[req.number].split("\n\n")[1:-1]),
        (),
        "table",
        ("TM. BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "", "Nguyễn Trường Giang"),
    )
    return f"{req.id.replace('/', '-')} {req.title[:40].rstrip()}.pdf", make_pdf(
        pdf_lines(spec), req.issued
    )


def own_mail(c: Corpus) -> None:
    for req in REQUESTS:
        when = NOTICE_SENT[req.number]
        msg = c.mail(
            f"own-{req.number}",
            OFFICE_SENDER,
            req.notice_subject,
            when,
            NOTICE_TEXT[req.number],
            files=[notice_document(req)],
            to=UNITS_LIST,
            message_id=req.notice_id,
            mailer="Zimbra 8.8.15_GA_4177 (ZimbraWebClient)",
        )
        c.add(
            f"own-copy-of-notice-{req.number}",
            msg,
            when,
            reason="own_address",
            case="own_address",
            note=f"the office's own copy of notice {req.id}",
        )

    when = at(8, 10, 16, 20, 31)
    body = dedent("""
        Kính gửi các cơ sở Đoàn,

        Văn phòng Đoàn Khối nhắc các cơ sở Đoàn gửi báo cáo kết quả Ngày hoạt động cao điểm kèm
        hình ảnh (Thông báo 178-TB/ĐTN) trước 11g00 ngày mai 11/8/2023. Đến 16g00 hôm nay Văn
        phòng chưa nhận được báo cáo của: Chi đoàn Sở Du lịch, Chi đoàn Ban Dân tộc Thành phố,
        Đoàn Sở Giao thông vận tải, Chi đoàn Hội Nông dân Thành phố, Đoàn Cục Hải quan Thành phố.

        Trân trọng,
        Văn phòng Đoàn Khối
        """)
    msg = c.mail(
        "own-reminder-178",
        Sender("Văn phòng Đoàn Khối", OFFICE2, "office"),
        "Nhắc: báo cáo Ngày hoạt động cao điểm trước 11g00 ngày 11/8",
        when,
        body,
        to=UNITS_LIST,
        references=[R178.notice_id],
    )
    c.add(
        "own-reminder-names-five-units",
        msg,
        when,
        reason="own_address",
        case="own_address",
        note="the office's reminder naming the units still missing",
    )

    vpub = UNITS["VPUB"]
    asked = at(8, 10, 14, 12, 9)
    question = (
        dedent("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Văn phòng UBND Thành phố xin gia hạn nộp báo cáo Ngày hoạt động cao điểm đến hết
        ngày 14/8/2023 do đơn vị đang phục vụ hội nghị.

        Trân trọng,
        """)
        + c.secretary(vpub).full
    )
    when = at(8, 10, 15, 5, 44)
    body = dedent("""
        Chào đồng chí,

        Văn phòng Đoàn Khối đồng ý gia hạn cho đơn vị đến 17g00 ngày 14/8/2023.

        Trân trọng,
        Văn phòng Đoàn Khối
        """) + quote_gmail_vi(sender("Đoàn Văn phòng UBND TP", vpub.email), asked, question)
    msg = c.mail(
        "own-reply-vpub",
        OFFICE_SENDER,
        "Re: Xin gia hạn nộp báo cáo Ngày hoạt động cao điểm",
        when,
        body,
        to=f"Đoàn Văn phòng UBND TP <{vpub.email}>",
        in_reply_to=f"<3f9b1d0a6c2e4875@{vpub.domain}>",
    )
    c.add(
        "own-reply-to-a-unit-quoting-it",
        msg,
        when,
        reason="own_address",
        case="own_address",
        note="the office answers VPUB; the quote names the unit",
    )

    sdl = UNITS["SDL"]
    orig_when = at(8, 11, 10, 31, 2)
    orig_sender = sender("Chi đoàn Sở Du lịch", sdl.email)
    orig_subject = "Báo cáo Ngày hoạt động cao điểm - Chi đoàn Sở Du lịch"
    orig_text = dedent("""
        Kính gửi Văn phòng Đoàn Khối,
        Chi đoàn Sở Du lịch gửi báo cáo kết quả Ngày hoạt động cao điểm và hình ảnh.
        Trân trọng.
        """)
    when = at(8, 11, 14, 10, 9)
    body = (
        "Chuyển hộp thư chung: Chi đoàn Sở Du lịch gửi nhầm vào hộp thư cá nhân của mình.\n"
        + forward_gmail_en(
            orig_sender,
            orig_when,
            orig_subject,
            orig_text,
            to=f"Giang Nguyễn <giang.doankhoi@{OFFICE_DOMAIN}>",
        )
    )
    files = c.evidence(R178, sdl, orig_when, fmt="docx", photos=1)
    msg = c.mail(
        "own-forward-sdl",
        Sender("Văn phòng Đoàn Khối", OFFICE2, "office"),
        f"Fwd: {orig_subject}",
        when,
        body,
        files=files,
        to=OFFICE_TO,
    )
    c.add(
        "own-forward-of-a-unit-report",
        msg,
        when,
        reason="own_address",
        case="own_address",
        note="the office forwards SDL's report to its own box: own mail comes first",
    )


# --------------------------------------------------------------------------- not reports


def report_part(boundary: str, body: str) -> str:
    return f"--{boundary}\n{body.strip()}\n\n"


def bounces(c: Corpus) -> None:
    def dsn(
        key: str,
        *,
        frm: str,
        subject: str,
        when: datetime,
        human: str,
        status: str,
        recipient: str,
        original_headers: str,
        extra: str = "",
        report_type: str = "delivery-status",
        machine: str = "",
    ) -> bytes:
        b = f"000000000000{digest(key, 'b')[:16]}"
        ctype = (
            "message/delivery-status"
            if report_type == "delivery-status"
            else "message/disposition-notification"
        )
        machine = machine or (
            f"Reporting-MTA: dns; {frm.rsplit('@', 1)[-1].rstrip('>')}\n\n"
            f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: {status}\n"
            f"Diagnostic-Code: smtp; {status} {human.splitlines()[-1][:60]}"
        )
        head = (
            f"Return-Path: <>\n"
            f"Received: from mail.relay.example (mail.relay.example [{_ip(key, '203.0.113')}]) "
            f"by {MX} (Postfix) with ESMTPS id {digest(key, 'q')[:11].upper()} for <{OFFICE}>; "
            f"{format_datetime(when)}\n"
            f"From: {frm}\nTo: {OFFICE}\nSubject: {subject}\n"
            f"Date: {format_datetime(when - timedelta(seconds=3))}\n"
            f"Message-ID: <{digest(key, 'id')[:20]}@{frm.rsplit('@', 1)[-1].rstrip('>')}>\n"
            f"{extra}MIME-Version: 1.0\n"
            f'Content-Type: multipart/report; report-type={report_type};\n boundary="{b}"\n\n'
            "This is a MIME-encapsulated message.\n\n"
        )
        parts = (
            report_part(
                b,
                "Content-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: 8bit\n\n" + human,
            )
            + report_part(b, f"Content-Type: {ctype}\n\n{machine}")
            + report_part(b, f"Content-Type: text/rfc822-headers\n\n{original_headers}")
            + f"--{b}--\n"
        )
        return (head + parts).encode("utf-8")

    def notice_headers(req: Req, to: str) -> str:
        return (
            f"From: {raw_address(OFFICE_FROM, req.id)}\n"
            f"To: {to}\nSubject: {raw_text_header(req.notice_subject, req.id)}\n"
            f"Date: {format_datetime(NOTICE_SENT[req.number])}\n"
            f"Message-ID: {req.notice_id}\n"
        )

    when = at(7, 10, 8, 35, 50)
    raw = dsn(
        "bounce-postfix",
        frm=f"Mail Delivery System <MAILER-DAEMON@{MX}>",
        subject="Undelivered Mail Returned to Sender",
        when=when,
        human=(
            "This is the mail system at host mx.doankhoi.example.gov.vn.\n\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients.\n\n"
            "<doanthanhnien@stnmt.example.gov.vn>: host mail.stnmt.example.gov.vn said:"
            "\n    552 5.2.2 Mailbox full"
        ),
        status="5.2.2",
        recipient="doanthanhnien@stnmt.example.gov.vn",
        original_headers=notice_headers(R160, "doanthanhnien@stnmt.example.gov.vn"),
        extra="Auto-Submitted: auto-replied\n",
    )
    c.add(
        "bounce-postfix-notice-160-mailbox-full",
        raw,
        when,
        reason="bounce",
        unit="STNMT",  # its roster address failed: the bounce carries its code (contract)
        case="bounce",
        note="Postfix DSN: notice 160 not delivered to STNMT (its roster address: the bounce "
        "carries its code)",
    )

    when = at(8, 16, 8, 41, 30)
    raw = dsn(
        "bounce-exchange",
        frm=f"Microsoft Outlook <postmaster@toaan.{GOV}>",
        subject=f"Undeliverable: {R192.notice_subject}",
        when=when,
        human=(
            "Delivery has failed to these recipients or groups:\n\n"
            f"doanthanhnien@toaan.{GOV}\n"
            "The recipient's mailbox is full and can't accept messages now."
        ),
        status="5.2.2",
        recipient=f"doanthanhnien@toaan.{GOV}",
        original_headers=notice_headers(R192, f"doanthanhnien@toaan.{GOV}"),
    )
    c.add(
        "bounce-exchange-ndr-notice-192-tand",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="Exchange NDR from TAND's server",
    )

    when = at(8, 10, 15, 7, 2)
    raw = dsn(
        "bounce-gmail",
        frm="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        subject="Delivery Status Notification (Failure)",
        when=when,
        human=(
            "** Không gửi được thư đến nguyenvana.stp@gmai.com **\n\n"
            "Không tìm thấy tên miền gmai.com.\nThe response was:\n"
            "DNS Error: DNS type 'mx' lookup of gmai.com responded with code NXDOMAIN"
        ),
        status="5.1.2",
        recipient="nguyenvana.stp@gmai.com",
        original_headers=(
            f"From: {OFFICE}\nTo: nguyenvana.stp@gmai.com\n"
            "Subject: Re: Doan So Tu phap hoi ve bao cao\n"
        ),
    )
    c.add(
        "bounce-gmail-dsn-mistyped-member-address",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="Gmail DSN; the quoted headers name Sở Tư pháp",
    )

    when = at(8, 3, 15, 32, 40)
    body = (
        f"Hi. This is the qmail-send program at mail.sngv.{GOV}.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<doan.sngv@sngv.{GOV}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        f"From: {OFFICE}\nSubject: {unaccent(R178.notice_subject)}\n\n"
        + unaccent(NOTICE_TEXT["178"])
    )
    raw = (
        (
            f"Return-Path: <>\nReceived: from mail.sngv.{GOV} (mail.sngv.{GOV} "
            f"[{_ip('q', '203.0.113')}]) by {MX} (Postfix) with ESMTP id 4RGX2B1QZ for <{OFFICE}>; "
            f"{format_datetime(when)}\nFrom: MAILER-DAEMON@mail.sngv.{GOV}\nTo: {OFFICE}\n"
            f"Subject: failure notice\nDate: {format_datetime(when - timedelta(seconds=4))}\n"
            f"Message-ID: <20230803083236.qmail.4411@mail.sngv.{GOV}>\n\n{body}"
        )
        .replace("“", '"')
        .replace("”", '"')
        .encode("ascii", "replace")
    )
    c.add(
        "bounce-qmail-failure-notice-quotes-notice-178",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="qmail plain-text bounce quoting the notice (unit names inside)",
    )

    snv = UNITS["SNV"]
    when = at(8, 4, 8, 2, 17)
    raw = dsn(
        "mdn-snv",
        frm=f"Doan Thanh nien So Noi vu <{snv.email}>",
        subject=f"Đã đọc: {R178.notice_subject}",
        when=when,
        human=(
            "Thư của bạn\n\nĐến: doanthanhnien@snv.example.gov.vn\n"
            f"Chủ đề: {R178.notice_subject}\n\nđã được đọc vào 04/08/2023 08:02."
        ),
        status="",
        recipient=snv.email,
        report_type="disposition-notification",
        original_headers=notice_headers(R178, snv.email),
        machine=(
            f"Reporting-UA: mail.snv.{GOV}; Microsoft Outlook 16.0\n"
            f"Final-Recipient: rfc822;{snv.email}\n"
            f"Original-Message-ID: {R178.notice_id}\n"
            "Disposition: manual-action/MDN-sent-manually; displayed"
        ),
    )
    c.add(
        "read-receipt-snv-notice-178",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="read receipt (MDN) from SNV's roster address",
    )

    vks = UNITS["VKSND"]
    when = at(7, 18, 7, 55, 40)
    raw = dsn(
        "mdn-vks",
        frm=f"Doan TN VKSND TP <{vks.email}>",
        subject=f"Read: {R171.notice_subject}",
        when=when,
        human=(
            f"Your message\n\n  To: {vks.email}\n  Subject: {R171.notice_subject}\n\n"
            "was read on 18/07/2023 07:55."
        ),
        status="",
        recipient=vks.email,
        report_type="disposition-notification",
        original_headers=notice_headers(R171, vks.email),
        machine=(
            f"Reporting-UA: vks.{GOV}; Microsoft Exchange Server\n"
            f"Final-Recipient: rfc822;{vks.email}\n"
            f"Original-Message-ID: {R171.notice_id}\n"
            "Disposition: automatic-action/MDN-sent-automatically; displayed"
        ),
    )
    c.add(
        "read-receipt-vksnd-notice-171",
        raw,
        when,
        reason="bounce",
        case="bounce",
        note="Outlook read receipt from VKSND's roster address, names notice 171",
    )


def auto_replies(c: Corpus) -> None:
    def auto(
        key: str,
        u_email: str,
        display: str,
        subject: str,
        when: datetime,
        body: str,
        headers: Sequence[tuple[str, str]],
        note: str,
        *,
        reply_to: Req | None = None,
        html_body: bool = False,
    ) -> None:
        msg = c.mail(
            key,
            sender(display, u_email),
            subject,
            when,
            body,
            extra=headers,
            in_reply_to=reply_to.notice_id if reply_to else None,
            html_body=html_body,
        )
        c.add(key, msg, when, reason="auto_reply", case="auto_reply", note=note)

    stc = UNITS["STC"]
    auto(
        "auto-reply-stc-header-auto-submitted",
        stc.email,
        "Đoàn Sở Tài chính",
        f"Trả lời tự động: {R178.notice_subject}",
        at(8, 3, 15, 31, 9),
        dedent("""
             Cảm ơn quý đơn vị đã gửi thư. Đồng chí phụ trách hộp thư Đoàn Thanh niên Sở Tài chính
             đang nghỉ phép từ ngày 01/8 đến hết ngày 18/8/2023. Thư sẽ được xử lý khi đồng chí trở
             lại làm việc.
             """),
        [("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")],
        "Auto-Submitted: auto-replied, from STC's roster address",
        reply_to=R178,
    )

    bhxh = UNITS["BHXH"]
    auto(
        "auto-reply-bhxh-outlook-automatic-reply",
        bhxh.email,
        "Doan TN BHXH TP",
        f"Automatic reply: {R171.notice_subject}",
        at(7, 17, 9, 13, 2),
        "Tôi đang đi công tác đến 24/7/2023. Việc gấp xin liên hệ đ/c Hà, 0909 000 301.\n",
        [
            ("Auto-Submitted", "auto-generated"),
            ("X-Auto-Response-Suppress", "All"),
            ("X-MS-Exchange-Inbox-Rules-Loop", bhxh.email),
        ],
        "Outlook 'Automatic reply' from BHXH's roster address",
        reply_to=R171,
    )

    hepza = UNITS["HEPZA"]
    auto(
        "auto-reply-hepza-subject-only",
        hepza.email,
        "Đoàn TN HEPZA",
        f"Trả lời tự động: {R185.notice_subject}",
        at(8, 14, 9, 5, 58),
        dedent("""
             Xin chào, hộp thư Đoàn Thanh niên Ban Quản lý các KCX-KCN đã nhận được thư của quý
             đơn vị. Chúng tôi sẽ phản hồi trong thời gian sớm nhất.
             """),
        [("X-Auto-Response-Suppress", "All")],
        "Vietnamese Outlook auto-reply, recognisable by its subject only",
        reply_to=R185,
    )

    ldld = UNITS["LDLD"]
    auto(
        "auto-reply-ldld-x-autoreply",
        ldld.email,
        "Đoàn LĐLĐ TP",
        f"Out of Office: {R192.notice_subject}",
        at(8, 16, 8, 41, 1),
        "I am out of the office until 21/8/2023. / Tôi vắng mặt đến ngày 21/8/2023.\n",
        [("X-Autoreply", "yes"), ("Precedence", "auto_reply")],
        "Zimbra out-of-office (X-Autoreply) from LĐLĐ",
        reply_to=R192,
    )

    p, addr = c.member()
    auto(
        "auto-reply-gmail-vacation-member",
        addr,
        p.full,
        f"Re: {R160.notice_subject}",
        at(7, 10, 8, 36, 40),
        dedent(f"""
             Em đang nghỉ phép đến hết ngày 16/7. Việc liên quan đến Chi đoàn Sở Du lịch xin anh
             chị liên hệ đồng chí {c.secretary(UNITS["SDL"]).full} ạ.

             {p.full}
             """),
        [("Auto-Submitted", "auto-replied")],
        "Gmail vacation responder; the text names SDL",
        reply_to=R160,
    )

    cuchq = UNITS["CUCHQ"]
    auto(
        "auto-reply-cuchq-precedence",
        cuchq.email,
        "Đoàn Cục Hải quan TP",
        f"Phản hồi tự động: {R178.notice_subject}",
        at(8, 3, 15, 32, 30),
        "Hộp thư Đoàn Cục Hải quan Thành phố đã nhận được thư. Xin cảm ơn.\n",
        [("Precedence", "auto_reply")],
        "Precedence: auto_reply from CUCHQ's roster address",
        reply_to=R178,
    )

    tand = UNITS["TAND"]
    auto(
        "auto-reply-tand-body-only",
        tand.email,
        "Doan TN TAND TP",
        f"Re: {R178.notice_subject}",
        at(8, 3, 15, 33, 51),
        dedent("""
             Đây là thư trả lời tự động. Hộp thư Đoàn Thanh niên Tòa án nhân dân Thành phố đã nhận
             được thư của quý đơn vị và sẽ chuyển đến bộ phận phụ trách.

             Trả lời tự động - vui lòng không phản hồi thư này.
             """),
        [],
        "auto-reply with no header mark: 'Trả lời tự động' only in the text",
        reply_to=R178,
    )

    when = at(8, 7, 6, 0, 41)
    news = dedent("""
        BẢN TIN THÀNH ĐOÀN - SỐ 31/2023

        - Hơn 3.000 chiến sĩ tình nguyện ra quân Chiến dịch Kỳ Nghỉ Hồng lần thứ 22.
        - Đoàn Sở Y tế và Đoàn Sở Giáo dục và Đào tạo ra mắt mô hình “Cán bộ trẻ hỗ trợ dịch vụ
        công trực tuyến”.
        - Hội thi tìm hiểu lịch sử chào mừng Quốc khánh 2/9 mở đăng ký.

        Bạn nhận thư này vì đã đăng ký nhận bản tin. Hủy đăng ký: https://bantin.example.org/u/7f2c
        """)
    msg = c.mail(
        "newsletter-bulk",
        sender("Bản tin Thành Đoàn", "bantin@thanhdoan.example.org"),
        "Bản tin Thành Đoàn số 31/2023",
        when,
        news,
        html_body=True,
        extra=[("Precedence", "bulk"), ("List-Unsubscribe", "<https://bantin.example.org/u/7f2c>")],
    )
    c.add(
        "newsletter-precedence-bulk-names-units",
        msg,
        when,
        reason="auto_reply",
        case="auto_reply",
        note="newsletter with Precedence: bulk (contract: auto_reply); names SYT and SGDDT",
    )


def no_unit(c: Corpus) -> None:
    when = at(7, 24, 7, 1, 12)
    news = dedent("""
        TIN TỨC CẢI CÁCH HÀNH CHÍNH - TUẦN 30

        - Thành phố đẩy mạnh dịch vụ công trực tuyến toàn trình.
        - Hướng dẫn mới về số hóa hồ sơ, kết quả giải quyết thủ tục hành chính.

        Xem chi tiết: https://tintuc.example.org/cchc/tuan-30
        """)
    msg = c.mail(
        "newsletter-no-precedence",
        sender("Tin tức CCHC", "tin@tintuc.example.org"),
        "Tin tức cải cách hành chính tuần 30",
        when,
        news,
        html_body=True,
    )
    c.add(
        "newsletter-without-bulk-header",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="newsletter without Precedence; uses request 178 words but no unit",
    )

    when = at(8, 8, 10, 14, 3)
    ad = dedent("""
        Kính gửi Quý cơ quan, đơn vị,

        Công ty chúng tôi chuyên in ấn băng rôn, phướn, áo Thanh niên Việt Nam, cờ Đoàn cho các
        hoạt động tình nguyện hè với giá ưu đãi. Giao hàng trong 24 giờ tại TP.HCM.

        Hotline: 0909 000 888
        """)
    msg = c.mail(
        "spam-printing",
        sender("In ấn Ánh Dương", "sales@inanhduong.example.com"),
        "Báo giá in băng rôn, áo Thanh niên cho Chiến dịch tình nguyện hè",
        when,
        ad,
    )
    c.add(
        "advertisement-from-a-printer",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="a vendor's advertisement",
    )

    p, addr = c.member()
    when = at(8, 11, 9, 41, 27)
    files = c.evidence(
        R178, None, when, fmt="docx", name="Bao cao.docx", photos=2, name_in_body=False
    )
    msg = c.mail(
        "no-unit-anywhere",
        sender(p.full, addr),
        "Gửi báo cáo ạ",
        when,
        "Dạ em gửi báo cáo với hình ảnh ạ.\n\nĐược gửi từ iPhone của tôi\n",
        files=files,
    )
    c.add(
        "gmail-report-template-never-names-its-unit",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="member Gmail, report template with the unit left blank",
    )

    p, addr = c.member()
    when = at(8, 15, 21, 3, 40)
    msg = c.mail(
        "citizen-question",
        sender(p.full, addr),
        "Hỏi về đăng ký tham gia Ngày Chủ nhật xanh",
        when,
        dedent(f"""
                     Chào anh chị,

                     Em là sinh viên năm 3, em thấy thông tin Ngày Chủ nhật xanh trên trang của
                     Thành Đoàn. Cho em hỏi sinh viên có đăng ký tham gia được không ạ?

                     Em cảm ơn.
                     {p.full}
                     """),
    )
    c.add(
        "student-asks-to-volunteer",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="a student's question, not from a unit",
    )

    when = at(8, 7, 16, 48, 5)
    body = dedent("""
        Kính gửi Văn phòng Đoàn Khối,

        Quận Đoàn 3 gửi kịch bản chi tiết Lễ phát động Ngày hoạt động cao điểm sáng 11/8/2023 tại
        Hội trường B, UBND - Quận ủy Quận 3 (99 Trần Quốc Thảo, P.7, Q.3), trong đó có phần thăm,
        tặng quà chiến sĩ tình nguyện tại Bộ phận một cửa Sở Xây dựng. Đề nghị Văn phòng góp ý
        trước ngày 09/8.

        Trân trọng,
        Ban Thường vụ Quận Đoàn 3
        """)
    files = [
        (
            "Kich ban Le phat dong 11.8.docx",
            make_docx(
                DocSpec(
                    "Quận Đoàn 3",
                    when,
                    ("THÀNH ĐOÀN TP. HỒ CHÍ MINH", "BCH QUẬN ĐOÀN 3"),
                    "",
                    place_date(when),
                    ("KỊCH BẢN", "Lễ phát động Ngày hoạt động cao điểm"),
                    (
                        "07g30: Đón tiếp đại biểu.",
                        "08g00: Văn nghệ chào mừng; tuyên bố lý do.",
                        "09g30: Thăm, tặng quà chiến sĩ tình nguyện tại Sở Xây dựng.",
                    ),
                    (),
                )
            ),
        )
    ]
    msg = c.mail(
        "partner-quan-doan-3",
        sender("Quận Đoàn 3", "quandoan3@q3.example.gov.vn"),
        "Kịch bản Lễ phát động Ngày hoạt động cao điểm 11/8",
        when,
        body,
        files=files,
    )
    c.add(
        "partner-quan-doan-3-names-so-xay-dung-as-venue",
        msg,
        when,
        reason="no_unit",
        case="no_unit",
        note="Quận Đoàn 3 (not in the roster); Sở Xây dựng is only a venue",
    )


def ambiguous(c: Corpus) -> None:
    p, addr = c.member()
    when = at(8, 11, 10, 47, 40)
    msg = c.mail(
        "amb-stc-sct",
        sender(p.full, addr),
        "Doan So Tai chinh va Doan So Cong Thuong gui hinh anh hoat dong cao diem",
        when,
        "Kinh gui Van phong Doan Khoi,\nHai don vi phoi hop to chuc tai Quan 3, em gui "
        f"hinh anh chung a.\n{unaccent(p.full)}\n",
        files=c.photos(2, when),
        cte="8bit",
    )
    c.add(
        "ambiguous-joint-photos-two-sở",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("SCT", "STC"),
        case="ambiguous_unit",
        note="joint photos of STC and SCT from a Gmail",
    )

    p, addr = c.member()
    when = at(8, 11, 9, 58, 11)
    files = c.evidence(
        R178, None, when, fmt="docx", name="BC chung PCC.docx", photos=1, name_in_body=False
    )
    msg = c.mail(
        "amb-pcc",
        sender(p.full, addr),
        "Báo cáo chung Chi đoàn Phòng Công chứng số 1 và số 2 - ngày cao điểm",
        when,
        dedent("""
                     Kính gửi Văn phòng,

                     Hai chi đoàn Phòng Công chứng số 1 và số 2 cùng tổ chức hỗ trợ người dân tại
                     trụ sở, em gửi báo cáo chung của hai chi đoàn ạ.
                     """),
        files=files,
    )
    c.add(
        "ambiguous-joint-report-pcc1-pcc2",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("PCC1", "PCC2"),
        case="ambiguous_unit",
        note="one report for two notary offices ('số 1 và số 2')",
    )

    p, addr = c.member()
    when = at(8, 22, 16, 2, 38)
    files = c.evidence(
        R192, None, when, fmt="docx", name="Phieu DK doi thi.docx", name_in_body=False
    )
    msg = c.mail(
        "amb-thanh-tra-so",
        sender(p.full, addr),
        "Chi đoàn Thanh tra Sở gửi phiếu đăng ký đội thi",
        when,
        "Dạ em gửi phiếu đăng ký đội thi của Chi đoàn Thanh tra Sở ạ.\n",
        files=files,
    )
    c.add(
        "ambiguous-thanh-tra-so-which-so",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("TTSGTVT", "TTSXD"),
        case="ambiguous_unit",
        note="'Chi đoàn Thanh tra Sở' without saying which Sở",
    )

    p, addr = c.member()
    when = at(8, 18, 15, 12, 6)
    files = c.evidence(R185, None, when, fmt="xlsx", name="DS CN xanh.xlsx", unit_row=False)
    msg = c.mail(
        "amb-chi-cuc-thue",
        sender(p.full, addr),
        "Chi đoàn Chi cục Thuế gửi danh sách Chủ nhật xanh",
        when,
        "Em gửi danh sách đăng ký Ngày Chủ nhật xanh của Chi đoàn Chi cục Thuế ạ.\n",
        files=files,
    )
    c.add(
        "ambiguous-chi-cuc-thue-which-district",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("CCTQ3", "CCTQ7"),
        case="ambiguous_unit",
        note="'Chi cục Thuế' without the district",
    )

    p, addr = c.member()
    orig_p, orig_addr = c.member()
    orig_when = at(8, 11, 10, 2, 5)
    orig_text = dedent("""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Sở Nội vụ và Đoàn Sở Khoa học và Công nghệ phối hợp tổ chức tuyên truyền văn hóa
        công vụ và “Đổi mới sáng tạo trong khu vực công” tại Quận 3, gửi báo cáo liên tịch và
        hình ảnh.
        """)
    inner = c.mail(
        "amb-liên-tịch-inner",
        sender(orig_p.full, orig_addr),
        "Báo cáo liên tịch ngày cao điểm",
        orig_when,
        orig_text,
        files=c.photos(1, orig_when),
    )
    when = at(8, 11, 10, 40, 19)
    msg = new_mail(
        "amb-lien-tich", sender(p.full, addr), "Fwd: Báo cáo liên tịch ngày cao điểm", when
    )
    msg.set_content("Em chuyển tiếp giúp ạ.\n")
    msg.add_attachment(inner)
    c.add(
        "ambiguous-forwarded-joint-report-snv-skhcn",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("SKHCN", "SNV"),
        case="ambiguous_unit",
        note="forward (rfc822) of a joint report by two Sở, both equally its authors",
    )

    p, addr = c.member()
    when = at(8, 19, 9, 22, 50)
    rows: list[list[object]] = [
        ["DANH SÁCH ĐĂNG KÝ THAM GIA NGÀY CHỦ NHẬT XANH THÁNG 8/2023"],
        [],
        ["STT", "Họ và tên", "Đơn vị", "Điện thoại"],
    ]
    for i in range(1, 9):
        q = person(c.rng)
        unit = "Kho bạc Nhà nước TP" if i <= 4 else "Cục Thống kê TP"
        rows.append(
            [i, q.full, unit, f"0909 {c.rng.randrange(100, 999)} {c.rng.randrange(100, 999)}"]
        )
    msg = c.mail(
        "amb-kbnn-cuctk",
        sender(p.full, addr),
        "Danh sách đăng ký chung CN xanh",
        when,
        "Em gửi danh sách đăng ký chung ạ.\n",
        files=[("DS dang ky chung.xlsx", make_xlsx(rows, when))],
    )
    c.add(
        "ambiguous-one-list-for-two-units-xlsx",
        msg,
        when,
        reason="ambiguous_unit",
        candidates=("CUCTK", "KBNN"),
        case="ambiguous_unit",
        note="one .xlsx list for KBNN and CUCTK members, from a Gmail",
    )


def no_request(c: Corpus) -> None:
    syt = UNITS["SYT"]
    when = at(7, 5, 9, 15, 2)
    msg = c.mail(
        "norq-syt",
        c.roster_sender(syt, display="Đoàn Sở Y tế"),
        "Cập nhật thông tin Ban Chấp hành Đoàn Sở Y tế",
        when,
        dedent(f"""
                     Kính gửi Văn phòng Đoàn Khối,

                     Đoàn Sở Y tế xin cập nhật thông tin liên hệ: đồng chí
                     {c.secretary(syt).full} được phân công làm Bí thư Đoàn từ ngày 01/7/2023,
                     số điện thoại 0909 000 245.

                     Trân trọng.
                     """),
    )
    c.add(
        "no-request-contact-update-before-any-notice",
        msg,
        when,
        unit="SYT",
        reason="no_request",
        case="no_request",
        note="contact update before any notice",
    )

    vpub = UNITS["VPUB"]
    when = at(8, 22, 10, 31, 44)
    msg = c.mail(
        "norq-vpub",
        c.roster_sender(vpub),
        "Mượn âm thanh, loa kéo",
        when,
        dedent("""
                     Kính gửi Văn phòng Đoàn Khối,

                     Đoàn Văn phòng UBND Thành phố xin mượn 01 bộ loa kéo và 02 micro không dây
                     để tổ chức sinh hoạt chi đoàn ngày 25/8/2023. Đơn vị sẽ cử người nhận và
                     hoàn trả trong ngày.

                     Trân trọng.
                     """),
    )
    c.add(
        "no-request-borrowing-equipment",
        msg,
        when,
        unit="VPUB",
        reason="no_request",
        case="no_request",
        note="asks to borrow equipment; several notices open",
    )

    hlhpn = UNITS["HLHPN"]
    when = at(9, 28, 14, 0, 9)
    msg = c.mail(
        "norq-hlhpn",
        c.roster_sender(hlhpn),
        "Thư mời dự Đại hội Chi đoàn",
        when,
        dedent("""
                     Kính gửi Ban Thường vụ Đoàn Khối,

                     Chi đoàn Hội Liên hiệp Phụ nữ Thành phố trân trọng kính mời đại diện Ban
                     Thường vụ Đoàn Khối dự Đại hội Chi đoàn nhiệm kỳ 2023 - 2024, lúc 14g00 ngày
                     05/10/2023 tại Hội trường Hội LHPN TP.

                     Trân trọng.
                     """),
    )
    c.add(
        "no-request-invitation-after-all-closed",
        msg,
        when,
        unit="HLHPN",
        reason="no_request",
        case="no_request",
        note="an invitation; every notice closed",
    )

    stnmt = UNITS["STNMT"]
    when = at(8, 30, 9, 5, 17)
    msg = c.mail(
        "norq-stnmt",
        c.roster_sender(stnmt),
        "Xin mẫu báo cáo công tác tháng",
        when,
        "Dạ Văn phòng cho Đoàn Sở Tài nguyên và Môi trường xin mẫu báo cáo công tác "
        "tháng mới áp dụng từ tháng 9 ạ. Em cảm ơn.\n",
    )
    c.add(
        "no-request-asks-for-a-template",
        msg,
        when,
        unit="STNMT",
        reason="no_request",
        case="no_request",
        note="asks for a template; two notices open for it",
    )

    sgtvt = UNITS["SGTVT"]
    when = at(8, 8, 14, 44, 30)
    roster = make_docx(
        DocSpec(
            c.secretary(sgtvt).full,
            when,
            letterhead(sgtvt),
            "Số: 21-TB/ĐTN",
            place_date(when),
            ("THÔNG BÁO", "Kết quả kiện toàn Ban Chấp hành Đoàn Sở nhiệm kỳ 2022 - 2027"),
            ("Ban Chấp hành Đoàn Sở Giao thông vận tải thông báo kết quả kiện toàn như sau:",),
            members_table(c.rng, 5, ("Họ và tên", "Chức vụ", "Điện thoại")),
        )
    )
    msg = c.mail(
        "norq-sgtvt",
        c.roster_sender(sgtvt),
        "Thông báo kiện toàn BCH Đoàn Sở GTVT",
        when,
        "Kính gửi Văn phòng Đoàn Khối,\nĐoàn Sở GTVT gửi thông báo kết quả kiện "
        "toàn BCH (file đính kèm).\nTrân trọng.\n",
        files=[("TB kien toan BCH Doan So GTVT.docx", roster)],
    )
    c.add(
        "no-request-own-notice-of-new-committee",
        msg,
        when,
        unit="SGTVT",
        reason="no_request",
        case="no_request",
        note="the unit's own notice '21-TB/ĐTN' (not a request of the office)",
    )


# --------------------------------------------------------------------------- placeable mail

SUBJECTS = (
    "{U} báo cáo {C}",
    "Báo cáo {C} - {U}",
    "[{U}] Gửi báo cáo theo {ID}",
    "V/v {C} ({ID}) - {U}",
    "{UU} - {CU}",
    "{ID} - {U}",
    "Gửi {C} - {U}",
    "{U}: {C}",
)


def subject_from(c: Corpus, template: str, unit_text: str, req: Req) -> str:
    cue = c.cue(req, how="phrase")
    ident = c.cue(req, how="id")
    subject = template.format(U=unit_text, C=cue, ID=ident, UU=unit_text.upper(), CU=cue.upper())
    return re.sub(r"(?i)\b(báo cáo) báo cáo\b", r"\1", subject)


def cap(text: str) -> str:
    """First letter upper-case, the rest untouched ("TB số 185" stays as it is)."""
    return text[:1].upper() + text[1:]


def report_text(
    c: Corpus,
    req: Req,
    unit_text: str,
    *,
    cue: str | None = None,
    ident: str | None = None,
    photos: bool = False,
) -> str:
    """The one or two sentences a unit writes above its signature."""
    what = cue or c.cue(req, how="phrase")
    ref = f" theo {ident}" if ident else ""
    also = " và hình ảnh hoạt động" if photos else ""
    template = c.rng.choice(
        [
            "{U} gửi {W}{R}{A} (file đính kèm).",
            "{U} xin gửi {W}{R}{A}. Đơn vị gửi kèm file, nhờ Văn phòng kiểm tra giúp.",
            "Thực hiện chỉ đạo của Ban Thường vụ Đoàn Khối, {U} gửi {W}{R}{A} (đính kèm).",
            "{U} kính gửi Văn phòng {W}{R}{A}.",
        ]
    )
    return template.format(U=unit_text, W=what, R=ref, A=also)


def roster_plain(c: Corpus, n: int = 30) -> None:
    styles = ("name", "prefix-form", "form", "upper", "ascii", "name", "core", "form")
    for i in range(n):
        req = REQUESTS[(i + 2) % 5]
        u = c.pick(req=req)
        when = c.when(req)
        style = styles[i % len(styles)]
        utext = c.unit_text(u, style)
        subject = subject_from(c, SUBJECTS[i % len(SUBJECTS)], utext, req)
        files = c.evidence(req, u, when)
        body_unit = u.name if c.rng.random() < 0.6 else c.unit_text(u, "prefix-form")
        ident = c.cue(req, how="id") if c.rng.random() < 0.4 else None
        text = report_text(c, req, body_unit, ident=ident, photos=req is R178)
        body = c.signed(f"{c.greeting()}\n\n{text}", c.secretary(u).full, f"Bí thư {u.name}")
        late = " late" if when > req.deadline else ""
        msg = c.mail(
            f"roster-{i}",
            c.roster_sender(u),
            subject,
            when,
            body,
            files=files,
            zone=c.zone(),
            mailer=c.rng.choice(MAILERS),
            html_body=i % 3 == 0,
        )
        c.add(
            f"roster-address-{u.code.lower()}-{req.number}{late.replace(' ', '-')}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="roster_address",
            note=f"from the roster address, subject names the unit ({style}){late}",
        )


def generic_subject(c: Corpus) -> None:
    specs = [
        # (request, subject, where the request is named)
        (R178, "Gửi Văn phòng Đoàn Khối", "body-phrase"),
        (R171, "V/v gửi báo cáo", "body-id"),
        (R160, "Báo cáo", "file-text"),
        (R185, None, "body-phrase"),
        (R192, "Gui file", "file-name"),
        (R178, "Fw: báo cáo", "body-id"),
        (R171, "Gửi VP", "file-text"),
        (R185, "Kính gửi VP Đoàn Khối", "file-name"),
        (R192, "Báo cáo", "body-phrase"),
        (R178, "", "file-name"),
        (R160, "Gửi anh chị file", "body-id"),
        (R171, "Báo cáo đơn vị", "body-phrase"),
    ]
    for i, (req, subject, where) in enumerate(specs):
        u = c.pick(req=req)
        when = c.when(req)
        if where == "file-name":
            name = {
                "178": "Bao cao ngay cao diem 11-8.docx",
                "185": "DS Chu nhat xanh.xlsx",
                "192": "Phieu dang ky doi thi Hoi thi tim hieu.docx",
            }[req.number]
            files = c.evidence(
                req,
                u,
                when,
                name=name,
                with_id=False,
                fmt="xlsx" if name.endswith("xlsx") else "docx",
            )
        elif where == "file-text":
            files = c.evidence(req, u, when, name=c.rng.choice(NEUTRAL_FILES), fmt="docx")
        else:
            files = c.evidence(
                req, u, when, name=c.rng.choice(NEUTRAL_FILES), fmt="docx", with_id=False
            )
        if where == "body-phrase":
            text = report_text(c, req, "Đơn vị", photos=req is R178)
        elif where == "body-id":
            text = f"Đơn vị gửi báo cáo theo {c.cue(req, how='id')} (file đính kèm)."
        else:
            text = "Đơn vị gửi file đính kèm, nhờ anh chị kiểm tra giúp."
        body = c.signed(f"{c.greeting()}\n\n{text}", c.secretary(u).full)
        who = c.roster_sender(u, display=c.rng.choice(["", c.secretary(u).full]))
        msg = c.mail(f"generic-{i}", who, subject, when, body, files=files, zone=c.zone())
        c.add(
            f"roster-generic-subject-{u.code.lower()}-request-in-{where}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="generic_subject",
            note=f"roster address, subject {subject!r}, request named in {where}",
        )


def thread_replies(c: Corpus) -> None:
    specs = [
        # (request, sender kind, quote style, where the unit is named)
        (R178, "roster", "gmail-vi", "address"),
        (R178, "roster", "outlook-vi", "address"),
        (R178, "roster", "gmail-en", "address"),
        (R171, "roster", "outlook-en", "address"),
        (R160, "roster", "gmail-vi", "address"),
        (R192, "roster", "gmail-vi", "address"),
        (R178, "gmail", "gmail-vi", "docx-header"),
        (R178, "gmail", "outlook-vi", "signature"),
        (R185, "gmail", "gmail-vi", "xlsx-title"),
        (R171, "gmail", "gmail-en", "docx-header"),
        (R178, "roster", "edited-subject", "address"),
        (R192, "roster", "edited-subject", "address"),
        (R178, "roster", "tl-references-only", "address"),
        (R171, "roster", "tl-references-only", "address"),
        (R178, "gmail", "gmail-vi", "signature"),
        (R185, "roster", "outlook-en", "address"),
    ]
    for i, (req, kind, style, where) in enumerate(specs):
        u = c.pick(req=req)
        when = c.when(req)
        notice = NOTICE_TEXT[req.number]
        sent = NOTICE_SENT[req.number]
        if style == "gmail-vi" or style == "edited-subject":
            quote = quote_gmail_vi(OFFICE_SENDER, sent, notice)
        elif style == "gmail-en":
            quote = quote_gmail_en(OFFICE_SENDER, sent, notice)
        elif style in ("outlook-vi", "tl-references-only"):
            quote = quote_outlook(
                OFFICE_SENDER, sent, req.notice_subject, notice, vi=True, to=UNITS_LIST
            )
        else:
            quote = quote_outlook(
                OFFICE_SENDER, sent, req.notice_subject, notice, vi=False, to=UNITS_LIST
            )
        if kind == "roster":
            who = c.roster_sender(u)
            own = c.rng.choice(
                [
                    "Đơn vị gửi báo cáo ạ.",
                    "Dạ, gửi Văn phòng file của đơn vị.",
                    "Kính gửi Văn phòng file đính kèm.",
                    "Đơn vị xin gửi ạ.",
                ]
            )
            files = c.evidence(req, u, when)
            body = c.signed(own, c.secretary(u).full)
        else:
            p, addr = c.member()
            who = sender(p.full, addr)
            if where == "docx-header":
                files = c.evidence(
                    req, u, when, fmt="docx", name=c.rng.choice(NEUTRAL_FILES), name_in_body=False
                )
                body = f"Dạ em gửi báo cáo ạ.\n\n{p.given}\n"
            elif where == "xlsx-title":
                files = c.evidence(req, u, when, fmt="xlsx", name="DS dang ky.xlsx")
                body = f"Em gửi danh sách ạ.\n{p.full}\n"
            else:
                files = c.evidence(
                    req,
                    None,
                    when,
                    fmt="docx",
                    name=c.rng.choice(NEUTRAL_FILES),
                    name_in_body=False,
                )
                body = f"Dạ em gửi báo cáo ạ.\n\n{p.full}\n{c.unit_text(u, 'prefix-form')}\n"
        if style == "edited-subject":
            subject = c.rng.choice(["Báo cáo ạ", "Gửi báo cáo", "file đính kèm"])
        elif style == "tl-references-only":
            subject = f"TL: {req.notice_subject}"
        elif style.startswith("outlook"):
            subject = f"RE: {req.notice_subject}"
        else:
            subject = f"Re: {req.notice_subject}"
        only_refs = style == "tl-references-only"
        msg = c.mail(
            f"thread-{i}",
            who,
            subject,
            when,
            body + quote,
            files=files,
            zone=c.zone(),
            in_reply_to=None if only_refs else req.notice_id,
            references=[req.notice_id] if only_refs else [],
        )
        c.add(
            f"reply-in-thread-{req.number}-{style}-{kind}-{u.code.lower()}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="reply_in_thread",
            note=f"reply to notice {req.number} quoting it ({style}); unit by {where}",
        )


def gmail_subject(c: Corpus) -> None:
    styles = (
        "ascii",
        "form",
        "prefix-form",
        "upper",
        "typo-marks",
        "typo-tone",
        "old-tone",
        "nfd",
        "spacing",
        "lower-ascii",
        "ascii",
        "prefix-form",
        "form",
    )
    old_tone_units = (
        "SVHTT",
        "VPUB",
        "UBKTTU",
        "TAND",
        "MTTQ",
        "VPTU",
        "BTCTU",
        "CCDS",
        "BDVTU",
        "BTGTU",
    )
    for i in range(26):
        style = styles[i % len(styles)]
        req = REQUESTS[i % 5]
        if style == "old-tone":
            u = c.pick(where=old_tone_units, req=req)
        elif style == "typo-tone":
            u = c.pick(where=("SKHDT", "CCDS", "SVHTT", "TAND", "VPUB"), req=req)
        else:
            u = c.pick(req=req)
        when = c.when(req)
        utext = c.unit_text(u, style)
        ascii_only = style in ("ascii", "lower-ascii")
        cue = c.cue(req)
        template = c.rng.choice(
            ["{U} gửi {C}", "{U} - {C}", "{C} ({U})", "Gửi {C} - {U}", "{C} - {U}"]
        )
        subject = template.format(U=utext, C=cue)
        subject = subject[:1].upper() + subject[1:]
        if ascii_only:
            subject = unaccent(subject)
        if style == "upper":
            subject = subject.upper()
        p, addr = c.member()
        neutral = c.rng.random() < 0.6
        files = c.evidence(
            req,
            None if neutral else u,
            when,
            name=c.rng.choice(NEUTRAL_FILES) if req.number in ("171", "178", "192") else None,
            name_in_body=not neutral,
            unit_row=not neutral,
        )
        text = (
            "Da em gui file dinh kem a."
            if ascii_only
            else c.rng.choice(
                [
                    "Dạ em gửi file đính kèm ạ.",
                    "Em gửi anh chị ạ.",
                    "Dạ em gửi báo cáo, anh chị kiểm tra giúp em nhé.",
                ]
            )
        )
        body = c.signed(
            f"{c.greeting(ascii_only=ascii_only)}\n\n{text}",
            unaccent(p.full) if ascii_only else p.full,
            ascii_only=ascii_only,
        )
        msg = c.mail(
            f"gsubj-{i}",
            sender(p.full if i % 4 else "", addr),
            subject,
            when,
            body,
            files=files,
            zone=c.zone(),
            cte="8bit" if ascii_only else "quoted-printable",
        )
        c.add(
            f"gmail-name-in-subject-{style}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="name_in_subject",
            note=f"member Gmail; unit only in the subject, written {style}"
            + ("" if neutral else " (and in its own document)"),
        )


def gmail_body(c: Corpus) -> None:
    kinds = (
        "sentence",
        "signature",
        "wrapped",
        "html-nbsp",
        "sentence",
        "signature",
        "wrapped",
        "ascii",
        "sentence",
        "html-nbsp",
        "signature",
        "abbrev",
        "wrapped",
        "sentence",
    )
    for i, kind in enumerate(kinds):
        req = REQUESTS[(i + 1) % 5]
        u = c.pick(req=req)
        when = c.when(req)
        p, addr = c.member()
        subject = c.rng.choice(
            [f"Gửi {c.cue(req)}", cap(c.cue(req)), f"V/v {c.cue(req, how='phrase')}"]
        )
        files = c.evidence(
            req,
            None,
            when,
            name=c.rng.choice(NEUTRAL_FILES) if req.number in ("171", "178", "192") else None,
            name_in_body=False,
            unit_row=False,
        )
        if kind == "signature":
            text = "Dạ em gửi file đính kèm ạ."
            body = f"{c.greeting()}\n\n{text}\n\nTrân trọng,\n--\n{p.full}\nỦy viên BCH {u.name}\n"
        elif kind == "ascii":
            subject = unaccent(subject)
            text = report_text(c, req, unaccent(u.name), cue=unaccent(c.cue(req, how="phrase")))
            body = f"{c.greeting(ascii_only=True)}\n\n{unaccent(text)}\n\n{unaccent(p.full)}\n"
        elif kind == "abbrev":
            text = report_text(c, req, c.unit_text(u, "prefix-form"), photos=req is R178)
            body = c.signed(f"{c.greeting()}\n\n{text}", p.full)
        else:
            intro = (
                f"Em là {p.full}, phụ trách công tác văn phòng của {u.name}. "
                if c.rng.random() < 0.5
                else ""
            )
            text = intro + report_text(c, req, u.name, photos=req is R178)
            body = c.signed(f"{c.greeting()}\n\n{text}", p.full)
            if kind == "wrapped":
                body = wrap(body, c.rng.choice([60, 66, 72]))
        html_body: str | bool = False
        if kind == "html-nbsp":
            html_body = html_of(body, nbsp_names=[u.name])
        msg = c.mail(
            f"gbody-{i}",
            sender(p.full, addr),
            subject,
            when,
            body,
            files=files,
            html_body=html_body,
            zone=c.zone(),
        )
        c.add(
            f"gmail-name-in-body-{kind}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="name_in_body",
            note=f"member Gmail; unit only in the body ({kind})",
        )


def gmail_display(c: Corpus) -> None:
    for i in range(9):
        req = REQUESTS[(i + 3) % 5]
        u = c.pick(req=req)
        when = c.when(req)
        p, addr = c.member()
        display = c.rng.choice(
            [
                f"{c.unit_text(u, 'prefix-form')}",
                f"{p.given} - BCH {u.name}",
                unaccent(f"{c.rng.choice(PREFIXES[u.kind])} {u.core}"),
                f"{u.name} ({p.full})",
                f"{p.full} | {c.unit_text(u, 'form')}",
            ]
        )
        subject = c.rng.choice([f"Gửi {c.cue(req)}", cap(c.cue(req))])
        files = c.evidence(
            req,
            None,
            when,
            name=c.rng.choice(NEUTRAL_FILES) if req.number in ("171", "178", "192") else None,
            name_in_body=False,
            unit_row=False,
        )
        body = c.signed(f"{c.greeting()}\n\nDạ em gửi file ạ.", p.given)
        msg = c.mail(
            f"gdisp-{i}", sender(display, addr), subject, when, body, files=files, zone=c.zone()
        )
        c.add(
            f"gmail-name-in-display-name-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="name_in_display_name",
            note=f"member Gmail; unit only in the display name {display!r}",
        )


def gmail_filename(c: Corpus) -> None:
    for i in range(9):
        req = REQUESTS[i % 5]
        u = c.pick(req=req)
        when = c.when(req)
        p, addr = c.member()
        token = c.rng.choice(
            [
                u.name,
                unaccent(u.name),
                c.unit_text(u, "prefix-form"),
                unaccent(c.unit_text(u, "form")),
                u.core,
            ]
        )
        doc = {
            "160": "DS hien mau",
            "171": "BC so ket 6 thang",
            "178": "BC ngay cao diem",
            "185": "DS Chu nhat xanh",
            "192": "Phieu DK doi thi",
        }[req.number]
        fmt = "xlsx" if req.number in ("160", "185") else c.rng.choice(["docx", "docx", "pdf"])
        name = c.rng.choice([f"{doc} - {token}.{fmt}", f"{token}_{doc}.{fmt}"])
        if i == 4:
            name = nfd(name)
        if i == 7 and u.forms:
            name = f"{u.forms[-1]}_{req.number}.{fmt}"
            token = u.forms[-1]
        files = c.evidence(req, None, when, fmt=fmt, name=name, name_in_body=False, unit_row=False)
        if req is R178 and i % 2 == 0:
            photos = make_zip(c.photos(2, when), when)
            files = [*files[:1], (f"Hinh anh - {unaccent(token)}.zip", photos)]
        subject = c.rng.choice(["Gửi báo cáo", "Gửi file", "Báo cáo", "Gửi VP Đoàn Khối"])
        body = c.signed(f"{c.greeting()}\n\nEm gửi file đính kèm ạ.", p.full)
        msg = c.mail(
            f"gfile-{i}", sender(p.full, addr), subject, when, body, files=files, zone=c.zone()
        )
        c.add(
            f"gmail-name-in-file-name-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="name_in_filename",
            note=f"member Gmail; unit only in the attachment's name ({token!r})"
            + (", NFD" if i == 4 else ""),
        )


def attachment_text(c: Corpus) -> None:
    specs = [
        ("docx", "table", R178),
        ("docx", "table", R171),
        ("docx", "table", R192),
        ("docx", "table", R178),
        ("docx", "table", R171),
        ("docx", "section", R178),
        ("docx", "section", R171),
        ("docx", "lines", R192),
        ("docx", "lines", R178),
        ("pdf", "", R171),
        ("pdf", "", R178),
        ("pdf", "", R192),
        ("pdf", "", R160),
        ("xlsx", "", R160),
        ("xlsx", "", R185),
        ("xlsx-inline", "", R185),
    ]
    for i, (fmt, layout, req) in enumerate(specs):
        u = c.pick(req=req)
        when = c.when(req)
        p, addr = c.member()
        name = (
            c.rng.choice(NEUTRAL_FILES)
            if fmt == "docx"
            else {
                "pdf": c.rng.choice(["Bao cao.pdf", "BC.pdf", "scan_ban_ky.pdf", "Document1.pdf"]),
                "xlsx": "Danh sach.xlsx",
                "xlsx-inline": "export_danhsach.xlsx",
            }[fmt]
        )
        spec_layout = layout or "table"
        if fmt == "xlsx-inline":
            made = when - timedelta(minutes=40)
            spec = document_for(req, u, c.rng, made)
            files = [(name, make_xlsx(xlsx_rows(spec), made, shared_strings=False))]
        else:
            files = c.evidence(
                req,
                u,
                when,
                fmt=fmt,
                name=name,
                layout=spec_layout,
                name_in_body=i % 3 == 0,
                photos=1 if req is R178 else 0,
            )
        subject = c.rng.choice(
            ["Báo cáo", "Gửi VP", f"Gửi {c.cue(req)}", "Gửi file ạ", cap(c.cue(req))]
        )
        body = c.signed(f"{c.greeting()}\n\nDạ em gửi file đính kèm ạ.", p.full)
        msg = c.mail(
            f"gatt-{i}", sender(p.full, addr), subject, when, body, files=files, zone=c.zone()
        )
        where = {
            "table": "the letterhead table",
            "section": "the Word page header",
            "lines": "letterhead lines",
        }.get(layout, "its text")
        c.add(
            f"gmail-name-only-inside-{fmt}-{layout or 'text'}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case=f"name_in_{fmt.split('-')[0]}",
            note=f"member Gmail; unit only inside the {fmt} ({where}, 'Số: ..' line)",
        )


@dataclass(frozen=True, slots=True)
class Original:
    """A unit's message as first written, before someone forwards it."""

    who: Sender
    subject: str
    text: str
    when: datetime
    files: list[tuple[str, bytes]]


def original_from(c: Corpus, u: Unit, req: Req, when: datetime, *, by: str) -> Original:
    """by: "roster" (the unit's own address), "gmail-subject" (a member's Gmail, the unit named
    in the subject), "gmail-body" (named in the body's signature)."""
    sent = c.moment(
        max(when - timedelta(hours=30), req.issued + timedelta(hours=2)),
        when - timedelta(minutes=12),
    )
    files = c.evidence(
        req,
        u if by == "roster" else None,
        sent,
        name_in_body=by == "roster",
        unit_row=by == "roster",
        name=None
        if by == "roster"
        else c.rng.choice(NEUTRAL_FILES)
        if req.number in ("171", "178", "192")
        else None,
    )
    cue = c.cue(req, how="phrase")
    if by == "roster":
        who = c.roster_sender(u)
        subject = f"{cue[:1].upper()}{cue[1:]} - {c.unit_text(u, 'name')}"
        text = c.signed(
            f"{c.greeting()}\n\n{report_text(c, req, u.name, cue=cue)}", c.secretary(u).full
        )
    else:
        p, addr = c.member()
        who = sender(p.full, addr)
        if by == "gmail-subject":
            subject = f"{c.unit_text(u, 'prefix-form')} gửi {cue}"
            text = c.signed(f"{c.greeting()}\n\nEm gửi file đính kèm ạ.", p.full)
        else:
            subject = cue[:1].upper() + cue[1:]
            text = (
                f"{c.greeting()}\n\nEm gửi file đính kèm ạ.\n\nTrân trọng,\n{p.full}\n"
                f"Phó Bí thư {u.name}\n"
            )
    return Original(who, subject, text, sent, files)


def forwards(c: Corpus) -> None:
    # --- forwarded as an attachment (message/rfc822)
    rfc = [
        (R178, "roster", "member"),
        (R171, "roster", "member"),
        (R185, "roster", "member"),
        (R160, "gmail-subject", "member"),
        (R192, "gmail-body", "member"),
        (R178, "roster", "office-staff-gmail"),
        (R171, "roster", "staff-work-address"),
        (R178, "roster", "same-unit"),
    ]
    for i, (req, by, forwarder) in enumerate(rfc):
        u = c.pick(req=req)
        when = c.when(req)
        orig = original_from(c, u, req, when, by=by)
        inner = c.mail(
            f"rfc-inner-{i}",
            orig.who,
            orig.subject,
            orig.when,
            orig.text,
            files=orig.files,
            to="Văn phòng Đoàn Khối <doankhoi@tphcm.example.vn>",
        )
        if forwarder == "member":
            p, addr = c.member()
            who = sender(p.full, addr)
            text = c.rng.choice(
                [
                    "Em chuyển tiếp thư của đơn vị ạ.",
                    "Dạ thư này đơn vị gửi nhầm địa chỉ cũ, em gửi lại ạ.",
                    "Fwd giúp ạ.",
                ]
            )
        elif forwarder == "office-staff-gmail":
            who = sender("Giang Nguyễn", "giang.doankhoi@gmail.com")
            text = "Chuyển vào hộp thư chung (đơn vị gửi vào mail cá nhân của mình)."
        elif forwarder == "staff-work-address":
            p = person(c.rng)
            who = sender(
                p.full, f"{unaccent(p.given).lower()}.{unaccent(p.family).lower()}@{u.domain}"
            )
            text = "Em gửi lại thư đã gửi tuần trước (đính kèm) ạ."
        else:
            who = c.roster_sender(u)
            text = (
                "Đơn vị gửi lại thư đã gửi sáng nay vào địa chỉ cũ của Đoàn Khối "
                "(thư gốc đính kèm)."
            )
        msg = new_mail(f"rfc-{i}", who, f"Fwd: {orig.subject}", when, zone=c.zone())
        msg.set_content(c.signed(text, who.name or "Em"))
        msg.add_attachment(inner)
        c.add(
            f"forward-rfc822-{forwarder}-original-{by}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="forward_rfc822",
            note=f"forwarded as attachment by {forwarder}; the original is from {by}",
        )

    # --- inline forwards: Gmail English, Gmail Vietnamese, Outlook English and Vietnamese
    inline = [
        ("gmail-en", R178, "roster"),
        ("gmail-en", R171, "roster"),
        ("gmail-en", R160, "roster"),
        ("gmail-en", R192, "gmail-subject"),
        ("gmail-en", R185, "gmail-subject"),
        ("gmail-en", R178, "gmail-body"),
        ("gmail-vi", R178, "roster"),
        ("gmail-vi", R192, "roster"),
        ("gmail-vi", R171, "roster"),
        ("gmail-vi", R160, "gmail-subject"),
        ("gmail-vi-unlocalized", R178, "gmail-subject"),
        ("gmail-vi", R185, "gmail-body"),
        ("outlook-en", R178, "roster"),
        ("outlook-en", R171, "gmail-subject"),
        ("outlook-en", R192, "roster"),
        ("outlook-vi", R178, "roster"),
        ("outlook-vi", R185, "roster"),
        ("outlook-vi", R160, "gmail-body"),
    ]
    for i, (style, req, by) in enumerate(inline):
        u = c.pick(req=req)
        when = c.when(req)
        orig = original_from(c, u, req, when, by=by)
        if style.startswith("outlook") and c.rng.random() < 0.5:
            p = person(c.rng)
            who = sender(
                p.full, f"{unaccent(p.given).lower()}{unaccent(p.family[0]).lower()}@{u.domain}"
            )
        else:
            p, addr = c.member()
            who = sender(p.full, addr)
        if style == "gmail-en":
            block = forward_gmail_en(orig.who, orig.when, orig.subject, orig.text)
            subject = f"Fwd: {orig.subject}"
        elif style.startswith("gmail-vi"):
            block = forward_gmail_vi(
                orig.who, orig.when, orig.subject, orig.text, localized=style == "gmail-vi"
            )
            subject = f"Fwd: {orig.subject}"
        else:
            block = quote_outlook(
                orig.who, orig.when, orig.subject, orig.text, vi=style == "outlook-vi"
            )
            subject = f"{'CT' if style == 'outlook-vi' else 'FW'}: {orig.subject}"
        own = c.rng.choice(
            [
                "Em chuyển tiếp báo cáo của đơn vị ạ.",
                "Dạ, thư đơn vị gửi vào địa chỉ cũ, em chuyển lại ạ.",
                "Chuyển tiếp để Văn phòng tổng hợp.",
                "",
            ]
        )
        msg = c.mail(
            f"inline-{i}",
            who,
            subject,
            when,
            f"{own}\n{block}",
            files=orig.files,
            zone=c.zone(),
            html_body=style.startswith("outlook") and i % 2 == 0,
        )
        c.add(
            f"forward-inline-{style}-original-{by}-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="forward_outlook"
            if style.startswith("outlook")
            else f"forward_inline_{style[:8].replace('-', '_')}",
            note=f"inline forward ({style}); the original is from {by}",
        )

    # --- forwarded by another unit's roster address: judged by the original
    trio = [
        ("SXD", "TTSXD", R178, "outlook-vi"),
        ("STP", "PCC1", R171, "rfc822"),
        ("SGTVT", "TTSGTVT", R192, "gmail-vi"),
    ]
    for parent_code, child_code, req, style in trio:
        parent, child = UNITS[parent_code], UNITS[child_code]
        when = c.when(req)
        by = "gmail-subject" if child_code == "TTSGTVT" else "roster"
        orig = original_from(c, child, req, when, by=by)
        who = c.roster_sender(parent, display=parent.name)
        own = (
            f"{parent.name} chuyển tiếp báo cáo của {child.name} (chi đoàn trực thuộc) "
            "để Văn phòng tổng hợp."
        )
        if style == "rfc822":
            inner = c.mail(
                f"other-inner-{child_code}",
                orig.who,
                orig.subject,
                orig.when,
                orig.text,
                files=orig.files,
            )
            msg = new_mail(f"other-{child_code}", who, f"Fwd: {orig.subject}", when)
            msg.set_content(c.signed(own, c.secretary(parent).full))
            msg.add_attachment(inner)
        else:
            block = (
                quote_outlook(orig.who, orig.when, orig.subject, orig.text, vi=True)
                if style == "outlook-vi"
                else forward_gmail_vi(orig.who, orig.when, orig.subject, orig.text)
            )
            msg = c.mail(
                f"other-{child_code}",
                who,
                f"Fwd: {orig.subject}",
                when,
                c.signed(own, c.secretary(parent).full) + block,
                files=orig.files,
            )
        c.add(
            f"forward-by-parent-unit-{parent_code.lower()}-of-{child_code.lower()}-{req.number}",
            msg,
            when,
            unit=child_code,
            requests=[req],
            case="forward_by_other_unit",
            note=f"{parent_code}'s roster address forwards {child_code}'s original ({style})",
        )

    # --- a forward of a forward: the innermost original decides
    u = c.pick(req=R178)
    when = c.on_time(R178)
    orig = original_from(c, u, R178, when, by="roster")
    p1, a1 = c.member()
    mid_when = orig.when + timedelta(minutes=25)
    middle = "Em chuyển chị Lan báo cáo của đơn vị ạ.\n" + forward_gmail_en(
        orig.who, orig.when, orig.subject, orig.text
    )
    p2, a2 = c.member()
    body = "Gửi Văn phòng thư chuyển tiếp bên dưới.\n" + forward_gmail_en(
        sender(p1.full, a1), mid_when, f"Fwd: {orig.subject}", middle, to=f"{p2.full} <{a2}>"
    )
    msg = c.mail(
        "fwdfwd", sender(p2.full, a2), f"Fwd: Fwd: {orig.subject}", when, body, files=orig.files
    )
    c.add(
        f"forward-of-a-forward-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="forward_of_forward",
        note="two Gmail forwards nested; the innermost original is the unit's roster mail",
    )

    # --- a unit forwards the notice back with a question (placed, no evidence)
    u = c.pick(req=R178)
    when = at(8, 7, 10, 12, 40)
    block = forward_gmail_vi(
        OFFICE_SENDER, NOTICE_SENT["178"], R178.notice_subject, NOTICE_TEXT["178"], to=u.email
    )
    msg = c.mail(
        "fwd-notice-question",
        c.roster_sender(u),
        f"Fwd: {R178.notice_subject}",
        when,
        c.signed(
            "Dạ Văn phòng cho đơn vị hỏi: đơn vị tổ chức hoạt động tại trụ sở "
            "riêng thì báo cáo theo mẫu nào ạ?",
            c.secretary(u).full,
        )
        + block,
    )
    c.add(
        f"unit-forwards-the-notice-back-with-a-question-{u.code.lower()}",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="forward_of_notice",
        note="the unit (roster address) forwards notice 178 with a question; "
        "the original is the office's",
    )


def several_notices(c: Corpus) -> None:
    # late answers to an older notice, while newer ones are open
    late_specs = [
        (R160, at(7, 24, 8, 0), at(8, 4, 17, 0), "phrase"),
        (R160, at(8, 3, 9, 0), at(8, 14, 17, 0), "file"),
        (R171, at(8, 1, 8, 0), at(8, 10, 17, 0), "phrase"),
        (R171, at(8, 7, 8, 0), at(8, 18, 17, 0), "id"),
        (R171, at(8, 14, 8, 0), at(8, 21, 17, 0), "paraphrase"),
        (R171, at(8, 4, 8, 0), at(8, 11, 17, 0), "file"),
        (R178, at(8, 14, 8, 0), at(8, 22, 17, 0), "phrase"),
        (R178, at(8, 16, 8, 0), at(8, 25, 17, 0), "id"),
    ]
    for i, (req, start, end, how) in enumerate(late_specs):
        u = c.pick(req=req)
        when = c.moment(start, end)
        if how == "id":
            subject = f"Gửi muộn báo cáo theo {c.cue(req, how='id')}"
        elif how == "paraphrase":
            subject = "Báo cáo 6 tháng (gửi trễ)"
        elif how == "file":
            subject = "Gửi bổ sung"
        else:
            subject = f"(Gửi trễ) {c.cue(req, how='phrase')}"
        files = c.evidence(req, u, when, with_id=how != "paraphrase")
        text = "Đơn vị xin lỗi vì gửi trễ hạn." + (
            " " + report_text(c, req, u.name) if how != "file" else ""
        )
        if i % 2 == 0:
            who = c.roster_sender(u)
            signer = c.secretary(u).full
        else:
            p, addr = c.member()
            who = sender(f"{p.full} - {c.unit_text(u, 'prefix-form')}", addr)
            signer = p.full
        body = c.signed(f"{c.greeting()}\n\n{text}", signer)
        msg = c.mail(f"late-{i}", who, subject, when, body, files=files, zone=c.zone())
        c.add(
            f"late-answer-to-older-notice-{req.number}-{how}-{u.code.lower()}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="old_notice",
            note=f"late answer to notice {req.number} ({how}) while newer notices are open",
        )

    # one message answering two notices
    pairs = [
        (R171, R178, at(8, 10, 15, 22, 4)),
        (R185, R192, at(8, 19, 10, 3, 51)),
        (R160, R171, at(7, 21, 16, 40, 27)),
    ]
    for i, (a, b, when) in enumerate(pairs):
        u = c.pick(req=a) if a is R185 else c.pick(req=b)
        ida, idb = c.cue(a, how="id"), c.cue(b, how="id")
        subject = f"{u.name} gửi báo cáo theo {ida} và {idb}"
        files = c.evidence(a, u, when, photos=0) + c.evidence(b, u, when)
        body = c.signed(
            f"{c.greeting()}\n\n{u.name} gửi cùng lúc hai nội dung: "
            f"{c.cue(a, how='phrase')} ({ida}) và {c.cue(b, how='phrase')} ({idb}).",
            c.secretary(u).full,
        )
        msg = c.mail(f"two-{i}", c.roster_sender(u), subject, when, body, files=files)
        c.add(
            f"two-requests-in-one-mail-{a.number}-{b.number}-{u.code.lower()}",
            msg,
            when,
            unit=u.code,
            requests=[a, b],
            case="two_requests",
            note=f"answers {a.id} and {b.id} at once (both ids named)",
        )

    # an old thread reused for a new notice: the id written in the message wins
    for i, (req, when) in enumerate([(R192, at(8, 21, 9, 40, 12)), (R185, at(8, 17, 14, 2, 9))]):
        u = c.pick(req=req)
        ident = c.cue(req, how="id")
        files = c.evidence(req, u, when)
        quote = quote_gmail_vi(OFFICE_SENDER, NOTICE_SENT["160"], NOTICE_TEXT["160"])
        body = (
            c.signed(
                f"{c.greeting()}\n\n{report_text(c, req, u.name, ident=ident)}", c.secretary(u).full
            )
            + quote
        )
        msg = c.mail(
            f"oldthread-{i}",
            c.roster_sender(u),
            f"Re: {R160.notice_subject}",
            when,
            body,
            files=files,
            in_reply_to=R160.notice_id,
        )
        c.add(
            f"old-thread-160-reused-for-{req.number}-{u.code.lower()}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="old_thread_new_id",
            note=f"reply in notice 160's thread, but writes {ident!r}: answers {req.id}",
        )

    # a unit outside the notice's groups answers it anyway (named by id)
    syt = UNITS["SYT"]
    when = at(8, 18, 11, 5, 33)
    files = c.evidence(R185, syt, when, fmt="xlsx")
    msg = c.mail(
        "outside-group",
        c.roster_sender(syt, display="Đoàn Sở Y tế"),
        "Đoàn Sở Y tế đăng ký tham gia Ngày Chủ nhật xanh (TB 185)",
        when,
        c.signed(
            "Kính gửi Văn phòng,\n\nTuy không thuộc khối được phân công, Đoàn Sở Y "
            "tế xin đăng ký 06 chiến sĩ tình nguyện tham gia theo TB 185.",
            c.secretary(syt).full,
        ),
        files=files,
    )
    c.add(
        "unit-outside-the-notice-groups-answers-185",
        msg,
        when,
        unit="SYT",
        requests=[R185],
        case="old_notice",
        note="SYT is not expected by 185 but names it: placed under 185",
    )

    # only one notice open for the unit: the only candidate
    ktu = c.pick(req=R160)
    when = at(7, 12, 10, 22, 8)
    msg = c.mail(
        "only-open-1",
        c.roster_sender(ktu),
        "Gửi Văn phòng file đính kèm",
        when,
        c.signed(f"{c.greeting()}\n\nĐơn vị gửi file đính kèm.", c.secretary(ktu).full),
        files=[c.document(R160, ktu, when, fmt="xlsx", name="DS.xlsx")],
    )
    c.add(
        f"only-one-notice-open-160-{ktu.code.lower()}",
        msg,
        when,
        unit=ktu.code,
        requests=[R160],
        case="only_open_request",
        note="nothing but the file says what it answers; 160 is the only open notice",
    )
    late_unit = c.pick(where=[u.code for u in ROSTER if not R185.expects(u)])
    when = at(9, 15, 9, 31, 2)
    msg = c.mail(
        "only-open-2",
        c.roster_sender(late_unit),
        "Xin gửi muộn",
        when,
        c.signed(
            f"{c.greeting()}\n\nĐơn vị xin gửi muộn phiếu đăng ký, mong Văn phòng thông cảm.",
            c.secretary(late_unit).full,
        ),
        files=[c.document(R192, late_unit, when, name="Phieu DK.docx")],
    )
    c.add(
        f"only-one-notice-open-192-very-late-{late_unit.code.lower()}",
        msg,
        when,
        unit=late_unit.code,
        requests=[R192],
        case="only_open_request",
        note="very late answer to 192, the only notice still open for the unit",
    )


def followups(c: Corpus) -> None:
    # a report first, the photos in a second mail of the unit's own thread
    u = c.pick(req=R178)
    first_when = at(8, 11, 8, 31, 2)
    first_id = message_id_for("split-a1", "gov", u.email)
    subject = f"Báo cáo Ngày hoạt động cao điểm - {u.name}"
    msg = c.mail(
        "split-a1",
        c.roster_sender(u),
        subject,
        first_when,
        c.signed(
            f"{c.greeting()}\n\n{u.name} gửi báo cáo; hình ảnh sẽ gửi bổ sung.", c.secretary(u).full
        ),
        files=c.evidence(R178, u, first_when, photos=0),
        message_id=first_id,
    )
    c.add(
        f"split-1-report-only-{u.code.lower()}-178",
        msg,
        first_when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="first of two: the report alone",
    )
    when = at(8, 11, 11, 40, 0)
    msg = c.mail(
        "split-a2",
        c.roster_sender(u),
        f"RE: {subject}",
        when,
        "Gửi bổ sung hình ảnh. Xin lỗi Văn phòng vì gửi trễ.\n"
        + quote_outlook(c.roster_sender(u), first_when, subject, "(thư trước)", vi=True),
        files=c.photos(2, when),
        in_reply_to=first_id,
    )
    c.add(
        f"split-2-photos-after-deadline-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="second of two: photos, in its own thread",
    )

    u = c.pick(req=R178)
    p, addr = c.member()
    first_when = at(8, 10, 17, 2, 40)
    first_id = message_id_for("split-b1", "gmail", addr)
    first_text = f"Dạ em gửi báo cáo ngày cao điểm của {u.name} ạ, hình ảnh em gửi sau.\n{p.full}\n"
    msg = c.mail(
        "split-b1",
        sender(p.full, addr),
        "Bao cao ngay cao diem",
        first_when,
        first_text,
        files=c.evidence(R178, u, first_when, photos=0, name=c.rng.choice(NEUTRAL_FILES)),
        message_id=first_id,
    )
    c.add(
        f"split-gmail-1-report-{u.code.lower()}-178",
        msg,
        first_when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="member Gmail, unit named in the body",
    )
    when = at(8, 11, 9, 3, 12)
    msg = c.mail(
        "split-b2",
        sender(p.full, addr),
        "Re: Bao cao ngay cao diem",
        when,
        "Em gửi bổ sung hình ảnh ạ.\n"
        + quote_gmail_vi(sender(p.full, addr), first_when, first_text),
        files=c.photos(3, when),
        in_reply_to=first_id,
    )
    c.add(
        f"split-gmail-2-photos-unit-only-in-quote-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="same Gmail, photos; the unit is named only in the quoted first mail",
    )

    for i, req in enumerate((R178, R171)):
        u = c.pick(req=req)
        when = c.late(req, 2)
        ident = c.cue(req, how="id")
        msg = c.mail(
            f"scan-{i}",
            c.roster_sender(u),
            f"Gửi bản scan có chữ ký - BC {ident}",
            when,
            c.signed("Gửi Văn phòng bản scan báo cáo đã ký để lưu hồ sơ.", c.secretary(u).full),
            files=[c.document(req, u, when, fmt="scan", name="scan0001.pdf")],
        )
        c.add(
            f"signed-scan-follow-up-{u.code.lower()}-{req.number}",
            msg,
            when,
            unit=u.code,
            requests=[req],
            case="followup",
            note="the signed scan (image-only PDF) afterwards",
        )

    u = c.pick(req=R185)
    when = at(8, 21, 16, 12, 30)
    msg = c.mail(
        "correct-185",
        c.roster_sender(u),
        "Gửi lại danh sách CN xanh (bản cập nhật, thay thế file trước)",
        when,
        c.signed(
            f"{c.greeting()}\n\nĐơn vị gửi lại danh sách đã cập nhật, đề nghị "
            "Văn phòng dùng file này thay cho file trước.",
            c.secretary(u).full,
        ),
        files=c.evidence(R185, u, when, fmt="xlsx", name="DS CN xanh (cap nhat).xlsx"),
    )
    c.add(
        f"corrected-list-{u.code.lower()}-185",
        msg,
        when,
        unit=u.code,
        requests=[R185],
        case="followup",
        note="a corrected list replacing an earlier one",
    )

    u = c.pick(req=R160)
    p, addr = c.member()
    when = at(7, 20, 10, 45, 3)
    msg = c.mail(
        "correct-160",
        sender(p.full, addr),
        f"Cập nhật DS hiến máu - {c.unit_text(u, 'prefix-form')} bổ sung 2 đoàn viên",
        when,
        c.signed("Dạ em gửi danh sách cập nhật ạ.", p.full),
        files=c.evidence(R160, None, when, fmt="xlsx", unit_row=False),
    )
    c.add(
        f"updated-list-gmail-{u.code.lower()}-160",
        msg,
        when,
        unit=u.code,
        requests=[R160],
        case="followup",
        note="member Gmail, updated list, unit in the subject",
    )

    u = c.pick(req=R178)
    when = at(8, 9, 9, 12, 55)
    msg = c.mail(
        "question-178",
        c.roster_sender(u),
        "Hỏi về hình ảnh báo cáo ngày hoạt động cao điểm",
        when,
        c.signed(
            "Dạ cho em hỏi hình ảnh báo cáo Ngày hoạt động cao điểm gửi bằng link "
            "Google Drive được không ạ?",
            c.secretary(u).full,
        ),
    )
    c.add(
        f"question-about-178-no-evidence-{u.code.lower()}",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="followup",
        note="a question about 178 (placed, no evidence)",
    )

    u = c.pick(req=R171)
    p, addr = c.member()
    when = at(7, 27, 15, 40, 20)
    msg = c.mail(
        "extension-171",
        sender(p.full, addr),
        "Xin gia hạn nộp báo cáo sơ kết",
        when,
        c.signed(
            f"{c.greeting()}\n\nEm là {p.full}, {u.name}. Đơn vị xin gia hạn nộp "
            "báo cáo sơ kết 6 tháng đến ngày 02/8 do đồng chí Bí thư đi học.",
            p.full,
        ),
    )
    c.add(
        f"asks-for-more-time-gmail-{u.code.lower()}-171",
        msg,
        when,
        unit=u.code,
        requests=[R171],
        case="followup",
        note="asks for more time (placed, no evidence)",
    )


def nested_names(c: Corpus) -> None:
    specs = [
        ("TTSXD", R178, "subject", "CĐ Thanh tra Sở Xây dựng gửi báo cáo ngày cao điểm", ""),
        (
            "SXD",
            R178,
            "subject",
            "Báo cáo tổng hợp ngày cao điểm - Đoàn Sở Xây dựng",
            "Đoàn Sở Xây dựng gửi báo cáo tổng hợp của các chi đoàn trực thuộc (Chi đoàn Văn phòng "
            "Sở, Chi đoàn Thanh tra Sở, Chi đoàn Ban Quản lý dự án).",
        ),
        ("TTSGTVT", R192, "subject", "Chi doan Thanh tra So GTVT - DS dang ky doi thi", ""),
        (
            "SGTVT",
            R171,
            "display",
            "Gửi báo cáo sơ kết 6 tháng",
            "Đoàn Sở gửi báo cáo sơ kết 6 tháng, tổng hợp từ các chi đoàn trực thuộc, kể cả "
            "Chi đoàn Thanh tra Sở GTVT.",
        ),
        ("CCTQ3", R185, "subject", "Chi đoàn Chi cục Thuế Q.3 gửi DS Chủ nhật xanh", ""),
        ("CCTQ7", R160, "subject", "CĐ Chi cục Thuế Quận 7 - DS hiến máu", ""),
        (
            "CUCTHUE",
            R171,
            "subject",
            "Đoàn Cục Thuế TP gửi báo cáo sơ kết 6 tháng",
            "Báo cáo tổng hợp cả khối văn phòng Cục và các chi đoàn Chi cục Thuế quận, huyện.",
        ),
        ("PCC2", R178, "subject", "Chi đoàn Phòng Công chứng số 2 báo cáo ngày cao điểm", ""),
        ("SHTP", R178, "subject", "Đoàn Khu Công nghệ cao báo cáo ngày hoạt động cao điểm", ""),
        ("TTTP", R192, "subject", "Đoàn Thanh tra Thành phố đăng ký đội thi", ""),
    ]
    for code, req, where, subject, extra in specs:
        u = UNITS[code]
        when = c.when(req)
        p, addr = c.member()
        display = p.full
        if where == "display":
            display = "Doan TN So Giao thong van tai"
        files = c.evidence(
            req,
            None,
            when,
            name=c.rng.choice(NEUTRAL_FILES) if req.number in ("171", "178", "192") else None,
            name_in_body=False,
            unit_row=False,
        )
        text = extra or "Dạ em gửi file đính kèm ạ."
        msg = c.mail(
            f"nested-{code}",
            sender(display, addr),
            subject,
            when,
            c.signed(f"{c.greeting()}\n\n{text}", p.full),
            files=files,
            zone=c.zone(),
        )
        c.add(
            f"nested-name-{code.lower()}-{req.number}",
            msg,
            when,
            unit=code,
            requests=[req],
            case="nested_name",
            note=f"{u.name}: a name inside or around another unit's",
        )


def cp1258_message(
    key: str,
    *,
    frm: str,
    to: str,
    subject: str,
    body: str,
    when: datetime,
    route: str,
    address: str,
    mailer: str,
) -> bytes:
    """A message written by an old Vietnamese Outlook: windows-1258 text, tone marks combined."""
    subj = raw_text_header(to_cp1258_form(subject), key, "windows-1258")
    body_bytes = to_cp1258_form(body).encode("cp1258")
    qp = "".join(
        chr(b) if 32 <= b < 127 and b != 61 else ("\n" if b == 10 else f"={b:02X}")
        for b in body_bytes
    )
    lines = []
    for line in qp.split("\n"):
        while len(line) > 74:
            cut = 73 if line[72] != "=" and line[71] != "=" else 70
            lines.append(line[:cut] + "=")
            line = line[cut:]
        lines.append(line)
    head = "".join(f"Received: {r}\n" for r in received_headers(key, route, address, when, ICT))

    def encoded(value: str) -> str:
        return raw_address(to_cp1258_form(value), key, "windows-1258")

    return (
        f"Return-Path: <{address}>\n{head}From: {encoded(frm)}\nTo: {encoded(to)}\n"
        f"Subject: {subj}\n"
        f"Date: {format_datetime(when - timedelta(seconds=21))}\n"
        f"Message-ID: {message_id_for(key, route, address)}\nMIME-Version: 1.0\n"
        f'X-Mailer: {mailer}\nContent-Type: text/plain; charset="windows-1258"\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n" + "\n".join(lines) + "\n"
    ).encode("ascii")


def encodings(c: Corpus) -> None:
    u = UNITS["CTHADS"]
    when = at(7, 27, 16, 20, 5)
    body = dedent(f"""
        Kính gửi Văn phòng Đoàn Khối,

        Đoàn Cục Thi hành án dân sự Thành phố báo cáo sơ kết công tác Đoàn và phong trào thanh
        niên 6 tháng đầu năm 2023 như sau: tổ chức 04 buổi sinh hoạt chủ điểm; 12 sáng kiến cải
        cách hành chính được ghi nhận; giới thiệu 02 đoàn viên ưu tú cho Chi bộ xem xét kết nạp
        Đảng; tham gia đầy đủ các hoạt động do Đoàn Khối tổ chức.

        Phương hướng 6 tháng cuối năm: tiếp tục thực hiện phong trào “3 trách nhiệm”, tổ chức
        Hội thi tìm hiểu pháp luật về thi hành án cho đoàn viên.

        Trân trọng,
        {c.secretary(u).full}
        Bí thư Đoàn Cục THADS TP
        """)
    raw = cp1258_message(
        "cp1258-a",
        frm=f"Doan TN Cuc THADS <{u.email}>",
        to=OFFICE_TO,
        subject="Báo cáo sơ kết 6 tháng đầu năm 2023",
        body=body,
        when=when,
        route="gov",
        address=u.email,
        mailer="Microsoft Office Outlook 12.0",
    )
    c.add(
        "windows-1258-roster-report-in-body-cthads-171",
        raw,
        when,
        unit="CTHADS",
        requests=[R171],
        case="charset",
        note="windows-1258 (tone marks as combining characters), report in the body",
    )

    u = UNITS["BTCD"]
    p, addr = c.member()
    addr = addr.split("@")[0] + "@yahoo.com.vn"
    when = at(8, 23, 10, 2, 44)
    body = dedent(f"""
        Kính gửi Văn phòng Đoàn Khối,

        Chi đoàn Ban Tiếp công dân Thành phố đăng ký đội thi Hội thi tìm hiểu 78 năm Cách mạng
        Tháng Tám và Quốc khánh 2/9 gồm: {person(c.rng).full} (đội trưởng),
        {person(c.rng).full}, {person(c.rng).full}, {person(c.rng).full}.

        Trân trọng,
        {p.full}
        """)
    raw = cp1258_message(
        "cp1258-b",
        frm=f"{p.full} <{addr}>",
        to=OFFICE,
        subject="Đăng ký đội thi",
        body=body,
        when=when,
        route="yahoo",
        address=addr,
        mailer="YahooMailWebService/0.8.111",
    )
    c.add(
        "windows-1258-yahoo-member-btcd-192",
        raw,
        when,
        unit="BTCD",
        requests=[R192],
        case="charset",
        note="windows-1258 from Yahoo; unit named in the body",
    )

    u = c.pick(req=R178)
    p, addr = c.member()
    when = c.on_time(R178)
    files = [
        (nfd(f"Báo cáo ngày cao điểm - {u.name}.docx"), c.document(R178, u, when)[1]),
        *c.photos(1, when),
    ]
    msg = c.mail(
        "nfd-a",
        sender(nfd(p.full), addr),
        nfd(f"{u.name} gửi báo cáo ngày cao điểm"),
        when,
        nfd(c.signed(f"{c.greeting()}\n\n{report_text(c, R178, u.name)}", p.full)),
        files=files,
        mailer="Apple Mail (2.3731.600.7)",
    )
    c.add(
        f"nfd-mac-mail-subject-body-file-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="charset",
        note="Apple Mail: everything in NFD",
    )

    u = UNITS["SLDTBXH"]
    p, addr = c.member()
    when = at(7, 19, 11, 30, 8)
    msg = c.mail(
        "nfd-b",
        sender(p.full, addr),
        nfd(f"{u.name} - DS đăng ký hiến máu"),
        when,
        c.signed("Em gửi danh sách ạ.", p.full),
        files=c.evidence(R160, None, when, fmt="xlsx", unit_row=False),
    )
    c.add(
        "nfd-subject-only-sldtbxh-160",
        msg,
        when,
        unit="SLDTBXH",
        requests=[R160],
        case="charset",
        note="NFD subject is the only place the unit is named",
    )

    u = c.pick(req=R171)
    p = person(c.rng)
    addr = f"{unaccent(p.given).lower()}.{unaccent(p.family).lower()}@{u.domain}"
    when = c.on_time(R171)
    markup = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<style>p.MsoNormal{margin:0cm;font-family:"Times New Roman"}</style></head><body>'
        '<div class="WordSection1"><p class="MsoNormal">Kính gửi Văn phòng Đoàn Khối,</p>'
        '<p class="MsoNormal">Gửi Văn phòng báo cáo sơ kết 6 tháng đầu năm 2023 (file đính '
        'kèm).</p><p class="MsoNormal">Trân trọng.</p>'
        '<table border="0"><tr><td><p class="MsoNormal"><b>'
        + html.escape(p.full)
        + '</b></p><p class="MsoNormal">'
        + html.escape(f"Phó Bí thư {u.name}").replace(" ", "&nbsp;")
        + "</p></td></tr></table></div></body></html>"
    )
    msg = new_mail(
        "html-only-a",
        sender(p.full, addr),
        "Báo cáo sơ kết 6 tháng",
        when,
        mailer="Microsoft Outlook 16.0",
    )
    msg.set_content(markup, subtype="html", cte="quoted-printable")
    for name, data in c.evidence(
        R171, None, when, fmt="docx", name="BC 6T.docx", name_in_body=False
    ):
        attach(msg, name, data)
    c.add(
        f"outlook-html-only-nbsp-signature-{u.code.lower()}-171",
        msg,
        when,
        unit=u.code,
        requests=[R171],
        case="charset",
        note="Outlook HTML only; unit in the signature table with &nbsp;",
    )

    u = c.pick(req=R185)
    p, addr = c.member()
    when = c.on_time(R185)
    markup = (
        f'<div dir="ltr"><div>Dạ em gửi danh sách đăng ký Ngày Chủ nhật xanh ạ.</div>'
        f"<div><br></div><div>--</div><div><b>{html.escape(p.full)}</b></div>"
        f"<div><i>{html.escape(c.unit_text(u, 'prefix-form'))}</i></div></div>"
    )
    msg = new_mail("html-only-b", sender(p.full, addr), "DS CN xanh", when)
    msg.set_content(markup, subtype="html", cte="quoted-printable")
    for name, data in c.evidence(R185, None, when, fmt="xlsx", unit_row=False):
        attach(msg, name, data)
    c.add(
        f"gmail-html-only-signature-{u.code.lower()}-185",
        msg,
        when,
        unit=u.code,
        requests=[R185],
        case="charset",
        note="Gmail HTML only; unit in the signature",
    )

    u = c.pick(req=R171)
    when = at(7, 28, 8, 44, 0)
    msg = new_mail(
        "no-message-id",
        sender("", u.email),
        "Scanned document",
        when,
        message_id=None,
        mailer="Canon iR-ADV C5535",
    )
    msg.set_content("Scanned from a Canon multifunction printer.\n")
    attach(
        msg, "BC so ket 6 thang_scan.pdf", c.document(R171, u, when, fmt="scan", name="x.pdf")[1]
    )
    c.add(
        f"scanner-mail-without-message-id-{u.code.lower()}-171",
        msg,
        when,
        unit=u.code,
        requests=[R171],
        case="charset",
        note="scan-to-email from the unit's box, no Message-ID; request only in the file name",
    )

    u = c.pick(req=R192)
    when = c.on_time(R192)
    msg = c.mail(
        "base64",
        c.roster_sender(u),
        f"{u.name} đăng ký đội thi Hội thi tìm hiểu",
        when,
        c.signed(f"{c.greeting()}\n\n{report_text(c, R192, u.name)}", c.secretary(u).full),
        files=c.evidence(R192, u, when),
        cte="base64",
    )
    c.add(
        f"base64-body-{u.code.lower()}-192",
        msg,
        when,
        unit=u.code,
        requests=[R192],
        case="charset",
        note="base64 text part",
    )


def partners(c: Corpus) -> None:
    specs = [
        (
            "STP",
            R178,
            "Đoàn Sở Tư pháp phối hợp với Chi đoàn Phòng Công chứng số 1 tổ chức tư vấn "
            "pháp luật miễn phí và hướng dẫn dịch vụ công trực tuyến cho người dân.",
        ),
        (
            "SYT",
            R178,
            "Đoàn Sở Y tế phối hợp Chi đoàn Chi cục Dân số - KHHGĐ hướng dẫn người dân "
            "đăng ký khám bệnh trực tuyến.",
        ),
        (
            "SLDTBXH",
            R171,
            "Trong 6 tháng, Đoàn Sở LĐ-TB&XH cùng Chi đoàn Trung tâm Dịch vụ việc "
            "làm tổ chức 02 phiên giao dịch việc làm cho thanh niên.",
        ),
        (
            "BHXH",
            R178,
            "Đoàn BHXH TP phối hợp Chi đoàn Quỹ PTNƠ tư vấn chính sách BHXH, BHYT và "
            "vay vốn nhà ở tại Quận 3.",
        ),
        (
            "HND",
            R192,
            "Chi đoàn Hội Nông dân TP đăng ký 01 đội thi; đội thi phối hợp với Đoàn Sở "
            "Nông nghiệp và PTNT sẽ đăng ký riêng.",
        ),
        (
            "SVHTT",
            R192,
            "Đoàn Sở Văn hóa và Thể thao đăng ký 01 đội thi. Đội của Chi đoàn Sở Du "
            "lịch sẽ do đơn vị bạn đăng ký riêng.",
        ),
    ]
    for code, req, text in specs:
        u = UNITS[code]
        when = c.when(req)
        p, addr = c.member()
        subject = f"{cap(c.cue(req, how='phrase'))} - {c.unit_text(u, 'prefix-form')}"
        files = c.evidence(
            req, None, when, name=c.rng.choice(NEUTRAL_FILES), name_in_body=False, unit_row=False
        )
        msg = c.mail(
            f"partner-{code}",
            sender(p.full, addr),
            subject,
            when,
            c.signed(f"{c.greeting()}\n\n{text}", p.full, f"Ủy viên BCH {u.name}"),
            files=files,
        )
        c.add(
            f"names-a-partner-unit-too-{code.lower()}-{req.number}",
            msg,
            when,
            unit=code,
            requests=[req],
            case="partner_mention",
            note="the author unit is clear; another unit is named as its partner",
        )


def roster_gmail(c: Corpus) -> None:
    skhdt, syt = UNITS["SKHDT"], UNITS["SYT"]
    when = c.on_time(R178)
    msg = c.mail(
        "rgmail-1",
        sender("Doan TN", skhdt.emails[1]),
        "Gửi báo cáo ngày 11/8",
        when,
        "Dạ em gửi báo cáo và hình ảnh ạ.\n",
        files=c.evidence(R178, None, when, name="BC.docx", name_in_body=False),
    )
    c.add(
        "roster-gmail-address-only-skhdt-178",
        msg,
        when,
        unit="SKHDT",
        requests=[R178],
        case="roster_gmail",
        note="a Gmail address listed in the roster; no name anywhere",
    )
    when = c.on_time(R192)
    msg = c.mail(
        "rgmail-2",
        sender("", syt.emails[1]),
        "Phiếu đăng ký",
        when,
        "Gửi phiếu đăng ký đội thi.\n",
        files=c.evidence(R192, None, when, name="Phieu.docx", name_in_body=False),
    )
    c.add(
        "roster-gmail-address-only-syt-192",
        msg,
        when,
        unit="SYT",
        requests=[R192],
        case="roster_gmail",
        note="the roster's Gmail for SYT; no name anywhere",
    )
    when = c.on_time(R171)
    msg = c.mail(
        "rgmail-3",
        sender("Doan TN", skhdt.emails[1]),
        f"Re: {R171.notice_subject}",
        when,
        "Dạ em gửi ạ.\n" + quote_gmail_vi(OFFICE_SENDER, NOTICE_SENT["171"], NOTICE_TEXT["171"]),
        files=c.evidence(R171, None, when, name="BC.docx", name_in_body=False),
        in_reply_to=R171.notice_id,
    )
    c.add(
        "roster-gmail-reply-in-thread-skhdt-171",
        msg,
        when,
        unit="SKHDT",
        requests=[R171],
        case="roster_gmail",
        note="roster Gmail, reply in the thread of 171",
    )


def misc(c: Corpus) -> None:
    u = c.pick(req=R178)
    p, addr = c.member()
    when = c.on_time(R178)
    body = dedent(f"""
        Kính gửi Văn phòng Đoàn Khối Dân - Chính - Đảng Thành phố,

        {u.name} báo cáo nhanh kết quả Ngày hoạt động cao điểm ngày 11/8/2023:

        1. Bố trí {c.rng.randrange(10, 30)} đoàn viên trực tại Bộ phận Tiếp nhận và Trả kết quả từ
        7g30 đến 11g00, hướng dẫn {c.rng.randrange(40, 120)} lượt người dân thực hiện dịch vụ công
        trực tuyến.

        2. Tổ chức tuyên truyền về phong trào “3 trách nhiệm” và cải cách hành chính cho
        {c.rng.randrange(20, 60)} cán bộ, công chức trẻ.

        3. Thực hiện 02 pa-nô tuyên truyền trực quan đặt tại sảnh tiếp dân.

        Hình ảnh hoạt động: https://drive.google.com/drive/folders/{digest(u.code)[:33]}?usp=sharing

        Trân trọng,
        {p.full}
        """)
    msg = c.mail(
        "misc-drive",
        sender(p.full, addr),
        "Báo cáo nhanh ngày cao điểm",
        when,
        body,
        html_body=True,
    )
    c.add(
        f"report-in-body-with-drive-link-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="misc",
        note="member Gmail, report in the body, Drive link",
    )

    u = c.pick(req=R178)
    when = c.on_time(R178)
    files = [
        c.document(R178, u, when),
        (f"Hinh anh hoat dong {when:%d-%m}.zip", make_zip(c.photos(3, when), when)),
    ]
    msg = c.mail(
        "misc-zip",
        c.roster_sender(u),
        f"Báo cáo ngày cao điểm - {u.name}",
        when,
        c.signed(f"{c.greeting()}\n\nGửi báo cáo và file nén hình ảnh.", c.secretary(u).full),
        files=files,
    )
    c.add(
        f"zip-of-photos-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="misc",
        note="roster address, photos in a .zip",
    )

    u = UNITS["STTTT"]
    p, addr = c.member()
    when = c.on_time(R171)
    msg = c.mail(
        "misc-caps",
        sender(unaccent(p.full).upper(), addr),
        "BAO CAO SO KET 6 THANG - DOAN SO THONG TIN VA TRUYEN THONG",
        when,
        "GUI VP BAO CAO SO KET.\n",
        files=c.evidence(R171, None, when, name="BC.docx", name_in_body=False),
    )
    c.add(
        "all-caps-ascii-subject-stttt-171",
        msg,
        when,
        unit="STTTT",
        requests=[R171],
        case="misc",
        note="subject in capitals without diacritics",
    )

    u = c.pick(req=R178)
    p, addr = c.member()
    when = c.on_time(R178)
    msg = c.mail(
        "misc-iphone",
        sender(p.full, addr),
        f"{c.unit_text(u, 'prefix-form')} - BC ngày cao điểm",
        when,
        "Dạ em gửi ạ\n\nĐược gửi từ iPhone của tôi\n",
        files=c.photos(3, when),
        mailer="iPhone Mail (20F66)",
    )
    c.add(
        f"iphone-photos-only-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="misc",
        note="iPhone, photos only, unit and request in the subject",
    )

    u = c.pick(req=R171)
    when = c.on_time(R171)
    sig = dedent(f"""
        --
        {c.secretary(u).full}
        Bí thư {u.name}
        Địa chỉ: 141 Pasteur, P.6, Q.3, TP.HCM | ĐT: (028) 3829 0000

        Thư điện tử này có thể chứa thông tin mật. Nếu nhận nhầm, xin vui lòng xóa và báo cho
        người gửi.
        """)
    msg = c.mail(
        "misc-sig",
        c.roster_sender(u),
        "Báo cáo sơ kết 6 tháng đầu năm",
        when,
        f"{c.greeting()}\n\nĐơn vị gửi báo cáo (đính kèm).\n\n{sig}",
        files=c.evidence(R171, u, when),
    )
    c.add(
        f"long-signature-with-street-address-{u.code.lower()}-171",
        msg,
        when,
        unit=u.code,
        requests=[R171],
        case="misc",
        note="signature with P.6, Q.3 street address",
    )

    u = c.pick(req=R185)
    other = c.pick(req=R185)
    when = c.on_time(R185)
    msg = c.mail(
        "misc-cc",
        c.roster_sender(u),
        f"DS Chủ nhật xanh - {u.name}",
        when,
        c.signed(f"{c.greeting()}\n\n{report_text(c, R185, u.name)}", c.secretary(u).full),
        files=c.evidence(R185, u, when),
        cc=f"{other.name} <{other.email}>",
    )
    c.add(
        f"cc-to-another-unit-{u.code.lower()}-185",
        msg,
        when,
        unit=u.code,
        requests=[R185],
        case="misc",
        note=f"from {u.code}'s roster address, Cc {other.code}'s",
    )

    u = c.pick(req=R192)
    p, addr = c.member()
    when = c.on_time(R192)
    msg = c.mail(
        "misc-replyto",
        sender(p.full, addr),
        f"{c.unit_text(u, 'prefix-form')} đăng ký đội thi",
        when,
        c.signed("Em gửi phiếu đăng ký ạ.", p.full),
        files=c.evidence(R192, None, when, name="Phieu dang ky.docx", name_in_body=False),
        extra=[("Reply-To", f"{u.name} <{u.email}>")],
    )
    c.add(
        f"reply-to-is-the-roster-address-{u.code.lower()}-192",
        msg,
        when,
        unit=u.code,
        requests=[R192],
        case="misc",
        note="member Gmail with Reply-To the unit's address",
    )

    u = c.pick(req=R178)
    p, addr = c.member()
    when = c.on_time(R178)
    msg = c.mail(
        "misc-sender",
        sender(u.name, u.email),
        f"Báo cáo {c.cue(R178, how='id')}",
        when,
        c.signed("Gửi báo cáo và hình ảnh.", p.full),
        files=c.evidence(R178, u, when),
        extra=[("Sender", f"{p.full} <{addr}>")],
    )
    c.add(
        f"sent-on-behalf-{u.code.lower()}-178",
        msg,
        when,
        unit=u.code,
        requests=[R178],
        case="misc",
        note="From the roster address, Sender a member's Gmail",
    )

    u = UNITS["BDT"]
    p, addr = c.member()
    when = c.on_time(R178)
    msg = c.mail(
        "misc-link",
        sender(p.full, addr),
        "Link hình ảnh ngày cao điểm - CĐ Ban Dân tộc",
        when,
        f"Dạ em gửi link hình ảnh ạ: https://photos.app.goo.gl/{digest('bdt')[:17]}\n",
    )
    c.add(
        "photos-link-only-bdt-178",
        msg,
        when,
        unit="BDT",
        requests=[R178],
        case="misc",
        note="only a Google Photos link; 'CĐ Ban Dân tộc' in the subject",
    )

    u = UNITS["STNMT"]
    p, addr = c.member()
    when = c.on_time(R192)
    msg = c.mail(
        "misc-tnmt",
        sender(f"{p.given} (Đoàn TNMT)", addr),
        "Đăng ký đội thi",
        when,
        c.signed("Em gửi phiếu đăng ký ạ.", p.full),
        files=c.evidence(R192, None, when, name="Phieu.docx", name_in_body=False),
    )
    c.add(
        "display-name-short-form-stnmt-192",
        msg,
        when,
        unit="STNMT",
        requests=[R192],
        case="misc",
        note="'Đoàn TNMT' (Sở omitted) in the display name",
    )

    u = UNITS["SNNPTNT"]
    p, addr = c.member()
    when = c.on_time(R171)
    msg = c.mail(
        "misc-refwd",
        sender(p.full, addr),
        "Re: Fwd: [Đoàn Sở NN&PTNT] BC 6 tháng",
        when,
        c.signed("Dạ em gửi lại bản đúng ạ.", p.full),
        files=c.evidence(R171, None, when, name="BC 6 thang (ban dung).docx", name_in_body=False),
    )
    c.add(
        "bracketed-unit-in-re-fwd-subject-snnptnt-171",
        msg,
        when,
        unit="SNNPTNT",
        requests=[R171],
        case="misc",
        note="unit in brackets inside 'Re: Fwd:'",
    )

    u = UNITS["TCBTP"]
    p, addr = c.member()
    when = c.on_time(R160)
    msg = c.mail(
        "misc-addrsig",
        sender(p.full, addr),
        "DS đăng ký hiến máu",
        when,
        f"Dạ em gửi danh sách ạ.\n\n{p.full}\nBCH Chi đoàn Trường Cán bộ Thành phố\n"
        "32 Nguyễn Thị Minh Khai, Q.1\n",
        files=c.evidence(R160, None, when, fmt="xlsx", unit_row=False),
    )
    c.add(
        "signature-with-unit-and-street-tcbtp-160",
        msg,
        when,
        unit="TCBTP",
        requests=[R160],
        case="misc",
        note="unit in the signature above a street address",
    )


# --------------------------------------------------------------------------- writing


def build() -> list[Entry]:
    c = Corpus()
    for scenario in (
        own_mail,
        bounces,
        auto_replies,
        no_unit,
        ambiguous,
        no_request,
        roster_plain,
        generic_subject,
        thread_replies,
        gmail_subject,
        gmail_body,
        gmail_display,
        gmail_filename,
        attachment_text,
        forwards,
        several_notices,
        followups,
        nested_names,
        encodings,
        partners,
        roster_gmail,
        misc,
    ):
        scenario(c)
    return c.entries


def slugify(text: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", unaccent(text).lower())).strip("-")


def file_names(entries: Sequence[Entry]) -> list[str]:
    """NNN_what-it-shows.eml, numbered in the order the office received them."""
    names = []
    seen: set[str] = set()
    ordered = sorted(range(len(entries)), key=lambda i: (entries[i].received, i))
    out = [""] * len(entries)
    for n, i in enumerate(ordered, start=1):
        slug = slugify(entries[i].slug)[:80].strip("-")
        base = slug
        k = 2
        while slug in seen:
            slug = f"{base}-{k}"
            k += 1
        seen.add(slug)
        out[i] = f"{n:03d}_{slug}.eml"
    names.extend(out)
    return names


def units_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "emails", "aliases", "group"])
    for u in ROSTER:
        writer.writerow([u.code, u.name, ";".join(u.emails), ";".join(u.aliases), u.group])
    return out.getvalue()


def toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(toml_str(v) for v in values) + "]"


def requests_toml() -> str:
    lines = [
        "# The notices of the matching corpus (written by tools/make_matching_corpus.py).",
        "# Times without an offset are in settings.toml's timezone (Asia/Ho_Chi_Minh).",
        "# Their open periods overlap: 160 and 171 are still open (30 days after the deadline)",
        "# when 178, 185 and 192 come out.",
    ]
    for r in REQUESTS:
        lines += [
            "",
            "[[request]]",
            f"id = {toml_str(r.id)}",
            f"title = {toml_str(r.title)}",
            f"issued = {r.issued.replace(tzinfo=None).isoformat()}",
            f"deadline = {r.deadline.replace(tzinfo=None).isoformat()}",
            f"grace_minutes = {r.grace}",
            f"units = {toml_list(r.units)}",
            f"requires = {toml_list(r.requires)}",
            f"keywords = {toml_list(r.keywords)}",
            f"notice_message_id = {toml_str(r.notice_id)}",
        ]
    return "\n".join(lines) + "\n"


SETTINGS_TOML = f"""\
# The matching corpus: an office inbox with labelled messages (tests/corpus/labels.csv).
# Written by tools/make_matching_corpus.py; read by bench/matching.py and
# tests/test_matching_corpus.py. Paths are relative to this file.
timezone = "Asia/Ho_Chi_Minh"
language = "vi"
office_addresses = ["{OFFICE}", "{OFFICE2}"]
units_file = "units.csv"
requests_file = "requests.toml"
data_dir = "data"
output_dir = "out"

[[source]]
kind = "eml_dir"
path = "messages"
"""


def labels_csv(entries: Sequence[Entry], names: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "unit_code", "request_ids", "reason", "candidates", "note"])
    rows = sorted(zip(names, entries, strict=True), key=lambda pair: pair[0])
    for name, e in rows:
        writer.writerow(
            [
                name,
                e.unit,
                ";".join(sorted(e.requests)),
                e.reason,
                ";".join(sorted(e.candidates)),
                f"{e.case}: {e.note}",
            ]
        )
    return out.getvalue()


def readme(entries: Sequence[Entry]) -> str:
    cases = Counter(e.case for e in entries)
    reasons = Counter(e.reason for e in entries if e.reason)
    placeable = sum(1 for e in entries if not e.reason)
    rows = "\n".join(f"| {case} | {n} |" for case, n in sorted(cases.items()))
    aside = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
    return f"""\
# Matching corpus

An office inbox for testing the message matcher: {len(entries)} messages from about 60 units
answering five notices whose open periods overlap, plus mail that is not a report. Every file
here is written by `tools/make_matching_corpus.py` (seeded, byte-for-byte reproducible); change
the generator and run it again rather than editing files by hand:

    python tools/make_matching_corpus.py          # rewrite tests/corpus/
    python tools/make_matching_corpus.py --check  # exit 1 if the files differ from the generator's
    python bench/matching.py                      # precision / recall of the matcher, every error

- `settings.toml`, `units.csv`, `requests.toml`: a configuration in the contract's format
  (`[[source]] kind = "eml_dir"`, `path = "messages"`).
- `messages/NNN_what-it-shows.eml`: numbered in the order the office received them (the newest
  `Received:` header is the receipt time).
- `labels.csv`: `file,unit_code,request_ids,reason,candidates,note`, the truth a careful clerk
  would give, following the contract's rules (not what the matcher does). `unit_code` and
  `request_ids` (`;`-joined) are empty when no unit or request applies; `reason` is empty for a
  message the clerk would place, else the contract's reason for setting it aside (`candidates`
  lists the units of an `ambiguous_unit` message). `note` starts with the case type.

{placeable} of {len(entries)} messages ({100 * placeable / len(entries):.1f}%) are placeable; set
aside: {aside}.

| case | messages |
| --- | --- |
{rows}
"""


def corpus_files(entries: Sequence[Entry]) -> dict[str, bytes]:
    names = file_names(entries)
    files = {
        "README.md": readme(entries).encode("utf-8"),
        "units.csv": units_csv().encode("utf-8"),
        "requests.toml": requests_toml().encode("utf-8"),
        "settings.toml": SETTINGS_TOML.encode("utf-8"),
        "labels.csv": labels_csv(entries, names).encode("utf-8"),
    }
    for name, e in zip(names, entries, strict=True):
        files[f"messages/{name}"] = e.data
    return files


def check_limits(files: dict[str, bytes]) -> list[str]:
    problems = []
    messages = {k: v for k, v in files.items() if k.startswith("messages/")}
    for name, data in messages.items():
        if len(data) >= MAX_MESSAGE_BYTES:
            problems.append(f"{name}: {len(data)} bytes (limit {MAX_MESSAGE_BYTES})")
    total = sum(len(v) for v in files.values())
    if total >= MAX_CORPUS_BYTES:
        problems.append(f"corpus: {total} bytes (limit {MAX_CORPUS_BYTES})")
    return problems


def summary(entries: Sequence[Entry]) -> str:
    cases = Counter(e.case for e in entries)
    reasons = Counter(e.reason or "placed" for e in entries)
    units = Counter(e.unit for e in entries if e.unit)
    requests = Counter(r for e in entries for r in e.requests)
    placeable = reasons["placed"]
    lines = [
        f"{len(entries)} messages, {placeable} placeable "
        f"({100 * placeable / len(entries):.1f}%), {len(units)} units named"
    ]
    lines.append("by case: " + ", ".join(f"{k} {v}" for k, v in sorted(cases.items())))
    lines.append("by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    lines.append("by request: " + ", ".join(f"{k} {v}" for k, v in sorted(requests.items())))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "tests" / "corpus",
        help="corpus folder (default: tests/corpus)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the files on disk differ"
    )
    args = parser.parse_args(argv)
    entries = build()
    files = corpus_files(entries)
    problems = check_limits(files)
    if problems:
        print("\n".join(problems))
        return 1
    out: Path = args.out
    if args.check:
        stale = sorted(
            str(p.relative_to(out))
            for p in out.glob("messages/*.eml")
            if str(p.relative_to(out)) not in files
        )
        differ = sorted(
            k for k, v in files.items() if not (out / k).is_file() or (out / k).read_bytes() != v
        )
        for name in stale + differ:
            print(f"differs: {name}")
        return 1 if stale or differ else 0
    (out / "messages").mkdir(parents=True, exist_ok=True)
    for old in (out / "messages").glob("*.eml"):
        if f"messages/{old.name}" not in files:
            old.unlink()
    for name, data in files.items():
        (out / name).write_bytes(data)
    print(summary(entries))
    print(f"wrote {len(files)} files, {sum(len(v) for v in files.values())} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
