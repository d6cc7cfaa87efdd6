"""Folding: the form in which names, ids and keywords are compared.

Diacritics, case, punctuation and spacing are dropped (đ → d), and the abbreviations units
really write are spelled out, so that "Đoàn Sở KH&ĐT", "doan so ke hoach va dau tu" and
"ĐOÀN SỞ KẾ HOẠCH VÀ ĐẦU TƯ" fold to the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# Folded short form -> folded long form. The office extends it with [abbreviations] in
# settings.toml. Keys are matched as whole words.
DEFAULT_ABBREVIATIONS: dict[str, str] = {
    "dtn": "doan thanh nien",
    "doan tn": "doan thanh nien",
    "tncs": "thanh nien cong san",
    "cd": "chi doan",
    "lcd": "lien chi doan",
    "bhxh": "bao hiem xa hoi",
    "kh & dt": "ke hoach va dau tu",
    "kh va dt": "ke hoach va dau tu",
    "khdt": "ke hoach va dau tu",
    "kh & cn": "khoa hoc va cong nghe",
    "kh va cn": "khoa hoc va cong nghe",
    "khcn": "khoa hoc va cong nghe",
    "gd & dt": "giao duc va dao tao",
    "gd va dt": "giao duc va dao tao",
    "gddt": "giao duc va dao tao",
    "tn & mt": "tai nguyen va moi truong",
    "tnmt": "tai nguyen va moi truong",
    "ld tb & xh": "lao dong thuong binh va xa hoi",
    "ldtbxh": "lao dong thuong binh va xa hoi",
    "vh & tt": "van hoa va the thao",
    "tt & tt": "thong tin va truyen thong",
    "tttt": "thong tin va truyen thong",
    "nn & ptnt": "nong nghiep va phat trien nong thon",
    "gtvt": "giao thong van tai",
    "ptnt": "phat trien nong thon",
    "qh kt": "quy hoach kien truc",
    "qhkt": "quy hoach kien truc",
    "attp": "an toan thuc pham",
    "bql": "ban quan ly",
    "pcc": "phong cong chung",
    "tgpl": "tro giup phap ly",
    "vksnd": "vien kiem sat nhan dan",
    "ksnd": "kiem sat nhan dan",
    "tand": "toa an nhan dan",
    "ubmttq": "uy ban mat tran to quoc",
    "mttq": "mat tran to quoc",
    "ldld": "lien doan lao dong",
    "lhpn": "lien hiep phu nu",
    "ccb": "cuu chien binh",
    "thads": "thi hanh an dan su",
    "kbnn": "kho bac nha nuoc",
    "kcx": "khu che xuat",
    "kcn": "khu cong nghiep",
    "ubkt": "uy ban kiem tra",
    "dbqh": "dai bieu quoc hoi",
    "kh & kt": "khoa hoc va ky thuat",
    "ds khhgd": "dan so ke hoach hoa gia dinh",
    "vhtt": "van hoa va the thao",
    "xd": "xay dung",
    "phong cc": "phong cong chung",
    "dkdd": "dang ky dat dai",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "vp": "van phong",
    "tphcm": "thanh pho ho chi minh",
    "tp hcm": "thanh pho ho chi minh",
    "hcm": "ho chi minh",
    "so tp": "so tu phap",
    "tp": "thanh pho",
    "q": "quan",
    "p": "phuong",
}

_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^a-z0-9&]+")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces; '&' kept as a word of its own."""
    text = unicodedata.normalize("NFD", text)
    text = text.replace("đ", "d").replace("Đ", "D").replace("\u0110", "D")
    text = _COMBINING.sub("", text).lower()
    text = text.replace("&", " & ")
    return " ".join(_NON_WORD.sub(" ", text).split())


class Folder:
    """Folds text and spells out abbreviations, with one compiled pattern for the whole table."""

    def __init__(self, extra: Mapping[str, str] | None = None):
        table = dict(DEFAULT_ABBREVIATIONS)
        for short, long in (extra or {}).items():
            table[fold(short)] = fold(long)
        self.table = {k: v for k, v in table.items() if k}
        keys = sorted(self.table, key=len, reverse=True)
        self.pattern = re.compile(
            r"(?<![a-z0-9&])(" + "|".join(re.escape(k) for k in keys) + r")(?![a-z0-9&])")

    def __call__(self, text: str) -> str:
        folded = fold(text)
        if not folded:
            return ""
        expanded = self.pattern.sub(lambda m: self.table[m.group(1)], folded)
        return expanded.replace(" & ", " va ").replace("&", " ").strip()
