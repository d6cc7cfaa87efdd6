"""The world of the matching corpus (tools/make_matching_corpus.py): the office, the roster of
about 60 units with their names, short forms and addresses, the five notices (requests) whose open
periods overlap, the people who write, and the ways they write a name (tone placement, NFD,
windows-1258, typos)."""

from __future__ import annotations

import random
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from mailkit import (
    TONES,
    at,
    unaccent,
)

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
