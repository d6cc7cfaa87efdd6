"""Reading a Vietnamese notice: its number, date, title, report deadline, what it asks for and whom.

Pure functions of the notice's text (already taken out of its PDF, docx or mail). Each field comes
back with the words it was read from, or empty with a note saying why: a field the notice does not
state clearly is never guessed. The roster is not known here; `matching.notice` turns the names of
the units addressed into unit codes.

The layout is the usual one of an official document: the number line `Số: 178-TB/ĐTN`, the
place-and-date line `TP. Hồ Chí Minh, ngày 03 tháng 8 năm 2023`, `V/v …` or a title block, an
optional `Kính gửi:` list, the body, then `Nơi nhận:`.

Searching happens on a *shadow* of the text: the same characters, lower-cased and without
diacritics (đ → d), one for one, so that a match's position is also its position in the text as
written, and a notice typed without diacritics reads the same.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Generic, TypeVar

T = TypeVar("T")
Said = tuple[str, str]  # (Vietnamese, English)

END_OF_DAY = time(23, 59, 59)
SOURCE_CHARS = 160


@dataclass(frozen=True, slots=True)
class Field(Generic[T]):
    """One field of a proposed request.

    `value` is None when the notice does not say it or says it unclearly; `note` then says why.
    `source` holds the words of the notice it was read from. A value may carry a note too, when
    the office should check how it was read.
    Example: Field("178-TB/ĐTN", "Số: 178-TB/ĐTN"), Field(None, note=("…", "no deadline found")).
    """

    value: T | None = None
    source: str = ""
    note: Said | None = None


@dataclass(frozen=True, slots=True)
class NoticeReading:
    """What a notice says, field by field.

    `deadline` is naive local time (the office's zone). `audience` is ("*",) for every base unit,
    else the names of the units addressed as written ("Đoàn Sở Tư pháp", ...). `asking` is the
    sentence that asks for the report (where `matching.notice` looks for unit names when there is
    no `Kính gửi:` list).
    """

    request_id: Field[str]
    issued: Field[date]
    title: Field[str]
    deadline: Field[datetime]
    requires: Field[tuple[str, ...]]
    audience: Field[tuple[str, ...]]
    keywords: Field[tuple[str, ...]]
    asking: str = ""
    everyone: Field[tuple[str, ...]] = Field()  # a line addressing every unit, as a fallback


# -- the shadow text -----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _base(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    if ch.isascii():
        return ch.lower()
    decomposed = unicodedata.normalize("NFD", ch)
    first = decomposed[0].lower()
    return first if len(first) == 1 else "?"


def shadow(text: str) -> str:
    """`text` lower-cased, diacritics dropped, one character for each character of `text`."""
    return "".join(_base(ch) for ch in text)


def clean_text(text: str) -> str:
    """NFC, no-break and odd spaces as plain spaces, no CR; lines kept."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\t\u00a0\u2000-\u200b\u202f\u3000]", " ", text)
    return re.sub(r"[ ]{2,}", " ", text)


def _snippet(text: str, limit: int = SOURCE_CHARS) -> str:
    one = " ".join(text.split()).lstrip("-+•*– ")
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"


# -- number, date, title ------------------------------------------------------------------------

_ID = re.compile(
    r"(?:^|[\n ])so\s*:\s*(\d+\s*[a-z]?(?:\s*[-/.]\s*[a-z0-9]+)+)|"
    r"(?:^|\n)\s*so\s+(\d+\s*(?:[-/]\s*[a-z0-9]+)+)")
_ID_BLANK = re.compile(r"(?:^|[\n ])so\s*:\s*[ ._…]*[-/]\s*[a-z]{2,}")
_HEAD_CHARS = 2500  # the number and the date line are in the letterhead


def read_id(text: str, low: str) -> Field[str]:
    head = low[:_HEAD_CHARS]
    for m in _ID.finditer(head):
        group = 1 if m.group(1) else 2
        raw = re.sub(r"\s+", "", text[m.start(group):m.end(group)]).rstrip(".")
        if re.search(r"[^\W\d_]{2,}", raw):
            line = text[m.start():m.end()].strip()
            return Field(raw, line)
    if _ID_BLANK.search(head):
        return Field(note=("số văn bản còn để trống trên văn bản; điền số khi đã có",
                           "the notice's number is left blank; fill it in once it has one"))
    return Field(note=("không thấy dòng “Số: …” trên văn bản",
                       "no “Số: …” line found on the notice"))


_ISSUED = (
    re.compile(r",\s*ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})"),
    re.compile(r",\s*ngay\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"),
)


def read_issued(text: str, low: str) -> Field[date]:
    head = low[:_HEAD_CHARS]
    for pattern in _ISSUED:
        for m in pattern.finditer(head):
            try:
                day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                continue
            line_start = text.rfind("\n", 0, m.start()) + 1
            line = text[line_start:m.end()]
            # "Số: 178-TB/ĐTN   TP. Hồ Chí Minh, ngày …": the two columns of the letterhead on
            # one line, as a PDF gives them; the place starts after the number.
            number = _ID.search(low[line_start:m.start()])
            if number:
                line = text[line_start + number.end():m.end()]
            return Field(day, _snippet(line))
    return Field(note=("không thấy dòng địa danh, ngày tháng năm ban hành",
                       "no place-and-date line found"))


_VV = re.compile(r"(?:^|\n)[ *]*(?:v/v|v\.v|ve viec)\b\s*:?\s*")
_TITLE_STOP = re.compile(
    r"^\s*(?:kinh gui|can cu|thuc hien|nham|de |[-_*=.]{3,}|so\s*:|noi nhan|ban thuong vu)")
_DOC_TYPES = ("thong bao", "ke hoach", "giay moi", "cong van", "huong dan", "chuong trinh",
              "quyet dinh", "to trinh", "thong bao nhac")


def _lines_from(text: str, low: str, start: int, limit: int = 4) -> str:
    """Up to `limit` lines from `start`, stopping at a blank line or where the body begins."""
    out: list[str] = []
    pos = start
    while pos < len(text) and len(out) < limit:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line, line_low = text[pos:end].strip(), low[pos:end]
        if not line or (out and _TITLE_STOP.match(line_low)):
            break
        if line_low.strip() in _DOC_TYPES and out:
            break
        out.append(line)
        pos = end + 1
    return " ".join(" ".join(out).split())


def _sentence_case(text: str) -> str:
    text = text.strip().strip(".;:,-–").strip()
    return text[:1].upper() + text[1:]


def read_title(text: str, low: str) -> Field[str]:
    m = _VV.search(low[: _HEAD_CHARS + 1000])
    if m:
        title = _lines_from(text, low, m.end())
        if title:
            return Field(_sentence_case(title), _snippet("V/v " + title, 80))
    # A title block: "KẾ HOẠCH" alone on its line, the subject on the lines below it.
    for m in re.finditer(r"(?:^|\n)[ *]*(" + "|".join(_DOC_TYPES) + r")[ *]*\n",
                         low[: _HEAD_CHARS + 1000]):
        if not text[m.start(1):m.end(1)].isupper():
            continue
        subject = _lines_from(text, low, m.end())
        if subject:
            return Field(_sentence_case(subject),
                         _snippet(f"{text[m.start(1):m.end(1)]} {subject}", 80))
    return Field(note=("không thấy dòng “V/v …” hay tiêu đề văn bản",
                       "no “V/v …” line or title block found"))


# -- keywords -----------------------------------------------------------------------------------

_LEAD_WORDS = (
    "ve viec", "to chuc", "trien khai", "thuc hien", "huong ung", "tham gia", "dang ky",
    "bao cao", "ket qua", "tong ket", "so ket", "nhac", "nhac nho", "gui", "nop", "moi", "du",
    "tham du", "cu", "ke hoach", "thong bao", "cong van", "giay moi", "huong dan", "cac", "dot",
    "viec", "ve", "cong tac", "xay dung", "ra soat", "ngay",
)
# Words that join the parts of a long title: "hỗ trợ người dân | thực hiện | dịch vụ công".
_JOINS = re.compile(
    r"\s(?:thuc hien|su dung|cua|cho|ve|trong|tai|nham|de|voi|va|chao mung|huong ung|gan voi|"
    r"tham gia)\s")
_PREPOSITIONS = ("tai ", "cho ", "cua ", "voi ", "trong ", "ve ", "o ", "den ", "tu ")
_TAIL = re.compile(r"(?:\s+(?:nam|lan thu|dot|thang|quy)\s+[\w/.-]+)+$|\s+\d{4}$")
_SPLIT = re.compile(r"[“”\"«»,;:()]|\s[-–]\s")
KEYWORD_MAX_WORDS = 8
MAX_KEYWORDS = 3


def _trimmed(piece: str) -> str:
    words = piece.lower().split()
    changed = True
    while words and changed:
        changed = False
        for lead in sorted(_LEAD_WORDS, key=len, reverse=True):
            n = len(lead.split())
            if shadow(" ".join(words[:n])) == lead:
                words, changed = words[n:], True
                break
    phrase = " ".join(words)
    tail = _TAIL.search(shadow(phrase))
    if tail:
        phrase = phrase[: tail.start()]
    return phrase.strip(" .-–")


def read_keywords(title: Field[str]) -> Field[tuple[str, ...]]:
    """Short phrases of the title that replies will repeat ("ngày hoạt động cao điểm").

    The title is cut at quotes and commas; leading verbs ("tổ chức", "báo cáo") and a trailing
    year are dropped; a long piece is cut again where words join its parts ("của", "thực
    hiện"). Pieces of two to eight words are kept (three or more for a part of a long one),
    those in quotes first, three at most.
    """
    if not title.value:
        return Field(note=("không có tiêu đề để lấy từ khóa", "no title to take keywords from"))
    quoted = {m.group(1).strip() for m in re.finditer(r"[“\"«]([^“”\"«»]+)[”\"»]", title.value)}
    whole: list[tuple[bool, str]] = []
    parts: list[str] = []
    for piece in _SPLIT.split(title.value):
        phrase = _trimmed(piece)
        n = len(phrase.split())
        if shadow(phrase).startswith(_PREPOSITIONS):
            continue
        if 2 <= n <= KEYWORD_MAX_WORDS:
            whole.append((piece.strip() in quoted, phrase))
        elif n > KEYWORD_MAX_WORDS:
            low = shadow(phrase)
            start = 0
            for m in [*_JOINS.finditer(low), None]:
                end = m.start() if m else len(phrase)
                part = _trimmed(phrase[start:end])
                if 3 <= len(part.split()) <= KEYWORD_MAX_WORDS - 2:
                    parts.append(part)
                start = m.end() if m else len(phrase)
    ordered = [p for q, p in whole if q] + [p for q, p in whole if not q] + parts
    found = list(dict.fromkeys(ordered))
    if not found:
        return Field(note=("tiêu đề không có cụm từ ngắn nào dùng được làm từ khóa",
                           "the title has no short phrase to use as a keyword"))
    return Field(tuple(found[:MAX_KEYWORDS]), title.value)


# -- dates and times ----------------------------------------------------------------------------

_WEEKDAY = (r"(?:thu\s*(?:hai|ba|tu|nam|sau|bay|[2-7])|chu\s*nhat)")
_WEEKDAY_NUMBER = {"hai": 0, "2": 0, "ba": 1, "3": 1, "tu": 2, "4": 2, "nam": 3, "5": 3,
                   "sau": 4, "6": 4, "bay": 5, "7": 5}
_DATE_WORDS = re.compile(
    r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s*(?:,\s*)?nam\s+(\d{4}))?(?!\d)")
_DATE_NUMBERS = re.compile(
    r"(ngay\s*)?(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})(?:\s*\3\s*(\d{4}|\d{2}))?(?![\d/])")
_TIME = re.compile(
    r"(?<![\d/.])(\d{1,2})\s*(?:g|h|gio|:)\s*(\d{2})?(?:\s*(?:phut|p)(?![a-z]))?(?![a-z\d])"
    r"(?:\s+(sang|trua|chieu|toi))?")
_TIME_BEFORE_GAP = re.compile(
    rf"^[\s,()]*(?:(?:ngay\s+)?{_WEEKDAY}[\s,()]*)?(?:ngay\s*)?$")
_TIME_AFTER_GAP = re.compile(rf"^[\s,()]*(?:{_WEEKDAY}[\s,()]*)?(?:vao\s+)?(?:luc\s+)?(?:vao\s+)?$")
_WEEKDAY_NEAR = re.compile(rf"({_WEEKDAY})")


@dataclass(frozen=True, slots=True)
class _Mention:
    """A date written in the notice, with its time when one is written next to it."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    at: time | None
    weekday: int | None  # 0 = Monday, as written next to the date


def _weekday_of(words: str) -> int | None:
    m = _WEEKDAY_NEAR.search(words)
    if not m:
        return None
    word = m.group(1).replace(" ", "")
    if word.startswith("chu"):
        return 6
    return _WEEKDAY_NUMBER.get(word[3:])


def _time_of(m: re.Match[str]) -> time | None:
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3) in ("chieu", "toi") and hour < 12:
        hour += 12
    if hour == 24 and minute == 0:
        return END_OF_DAY
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _mentions(low: str) -> list[_Mention]:
    spans: list[tuple[int, int, int, int, int | None]] = []
    for m in _DATE_WORDS.finditer(low):
        year = int(m.group(3)) if m.group(3) else None
        spans.append((m.start(), m.end(), int(m.group(1)), int(m.group(2)), year))
    word_starts = [span[0] for span in spans]  # spans holds only the worded dates so far
    for m in _DATE_NUMBERS.finditer(low):
        said_day, sep, year_text = m.group(1), m.group(3), m.group(5)
        if not (said_day or year_text or sep == "/"):
            continue  # "2.2" is a heading, not the 2nd of February
        year = int(year_text) if year_text else None
        if year is not None and year < 100:
            year += 2000
        inside = bisect_right(word_starts, m.start()) - 1
        if inside >= 0 and m.start() < spans[inside][1]:
            continue  # the "11" of "ngày 11 tháng 8" already read
        spans.append((m.start(), m.end(), int(m.group(2)), int(m.group(4)), year))
    times = list(_TIME.finditer(low))
    time_starts = [t.start() for t in times]
    out: list[_Mention] = []
    for start, end, day, month, year in sorted(spans):
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        at: time | None = None
        first, last = start, end
        # Only the times written within 40 characters of the date can belong to it.
        nearby = times[bisect_left(time_starts, start - 60):bisect_right(time_starts, end + 25)]
        for t in nearby:
            if t.end() <= start and start - t.end() <= 40 and _TIME_BEFORE_GAP.match(
                    low[t.end():start]):
                at, first = _time_of(t), t.start()
            elif t.start() >= end and t.start() - end <= 25 and _TIME_AFTER_GAP.match(
                    low[end:t.start()]) and at is None:
                at, last = _time_of(t), t.end()
                break
        weekday = _weekday_of(low[max(first - 30, 0):min(last + 20, len(low))])
        out.append(_Mention(first, last, day, month, year, at, weekday))
    return out


def _resolve(mention: _Mention, issued: date | None) -> datetime | None:
    """The mention as a local date-time: a missing year is the notice's own (or the next one
    when that date would come before the notice), checked against the weekday when written."""
    at = mention.at or END_OF_DAY
    if mention.year is not None:
        try:
            return datetime.combine(date(mention.year, mention.month, mention.day), at)
        except ValueError:
            return None
    if issued is None:
        return None
    for year in (issued.year, issued.year + 1):
        try:
            day = date(year, mention.month, mention.day)
        except ValueError:
            continue
        if day < issued - timedelta(days=31) and year == issued.year:
            continue
        if mention.weekday is not None and day.weekday() != mention.weekday:
            continue
        return datetime.combine(day, at)
    return None


# -- the sentence that asks for the report -------------------------------------------------------

# Where a sentence or an item ends, found on the text as written (a full stop counts before a
# capital letter only: "ngày 11/8/2023 (thứ Sáu). Các cơ sở…", not "TP.HCM" or "2.2.1").
_BOUNDARY = re.compile(
    r"[.!?]\s+(?=[A-ZĐÀ-Ỹ])|;|\n\s*[-+•*–]\s|\n\s*\d+(?:\.\d+)*\.?\s|\n\s*\n|[-_*=]{3,}|"
    r"\.\s*\n")
_SUBMIT = re.compile(r"\b(?:bao cao|gui|nop|dang ky|cap nhat|hinh anh|danh sach)\b")
_SEND = re.compile(r"\b(?:gui|nop|ve van phong|qua (?:dia chi )?email|qua thu dien tu)\b")
_DEADLINE_WORD = re.compile(
    r"\b(?:truoc|cham nhat|han chot|han cuoi|thoi han|han nop|han gui|den het|khong qua|"
    r"trong ngay|hoan thanh)\b")
_ACTIVITY = re.compile(
    r"\b(?:thoi gian(?:\s+to chuc)?\s*:|dia diem|luc|khai mac|dien ra|to chuc vao|co mat|"
    r"tap trung|hop|tu ngay|den ngay)\s*$")
_REFERENCE = re.compile(r"(?:so\s*:?\s*)?\d+\s*[-/]\s*[a-z]+[\w/.-]*\s*(?:ngay\s*)?$")
_BEFORE_DAY = re.compile(r"\btruoc\s+(?:ngay\s*)?$")
_EVERY_UNIT = re.compile(
    r"\b(?:(?:cac|toan the|tat ca|tat ca cac|bch cac|ban chap hanh cac)\s+"
    r"(?:co so doan|doan co so|chi doan co so|don vi truc thuoc|co so)|"
    r"co so doan truc thuoc|co so doan)\b")
_ASK_CHARS = 400


@dataclass(frozen=True, slots=True)
class _Candidate:
    when: datetime
    clause: tuple[int, int]
    report: bool  # the clause names a report ("báo cáo")
    strong: bool  # a deadline word ("trước", "chậm nhất", "hạn") or a send word with it
    mention: _Mention


def _clause_start(text: str, start: int, floor: int) -> int:
    begin = max(floor, start - _ASK_CHARS)
    last = begin
    for m in _BOUNDARY.finditer(text, begin, start):
        last = m.end()
    return last


def _clause_end(text: str, end: int) -> int:
    m = _BOUNDARY.search(text, end, min(len(text), end + 200))
    return m.start() if m else min(len(text), end + 200)


def _candidates(text: str, low: str, issued: date | None
                ) -> tuple[list[_Candidate], list[_Mention]]:
    """Report deadlines, and the dates that could not be resolved to one day."""
    found: list[_Candidate] = []
    unclear: list[_Mention] = []
    previous_end = 0
    for mention in _mentions(low):
        start = _clause_start(text, mention.start, previous_end)
        previous_end = mention.end
        before = low[start:mention.start]
        after = low[mention.end:_clause_end(text, mention.end)]
        near = before[-60:]
        if _ACTIVITY.search(near) or _REFERENCE.search(near):
            continue
        if not (_SUBMIT.search(before) or _SUBMIT.search(after[:80])):
            continue
        strong = bool(_DEADLINE_WORD.search(before) or _DEADLINE_WORD.search(after[:40]))
        if not strong and not _SEND.search(before):
            continue
        when = _resolve(mention, issued)
        if when is None:
            unclear.append(mention)
            continue
        clause = (start, min(len(low), mention.end + len(after)))
        found.append(_Candidate(when, clause, "bao cao" in low[clause[0]:clause[1]], strong,
                                mention))
    return found, unclear


def _fmt(when: datetime) -> str:
    return when.strftime("%H:%M %d/%m/%Y")


def read_deadline(text: str, low: str, issued: date | None
                  ) -> tuple[Field[datetime], tuple[int, int] | None]:
    """The report deadline and the span of the sentence that asks for the report."""
    found, unclear = _candidates(text, low, issued)
    if not found and unclear:
        said = _snippet(text[unclear[0].start:unclear[0].end])
        return Field(note=(f"hạn “{said}” không ghi năm và không biết ngày ban hành",
                           f"the deadline “{said}” has no year and the notice has no date")), None
    pool = [c for c in found if c.strong] or found
    pool = [c for c in pool if c.report] or pool
    if not pool:
        return Field(note=("văn bản không ghi hạn gửi báo cáo",
                           "the notice gives no deadline for the report")), None
    times = sorted({c.when for c in pool})
    if len(times) > 1:
        listed = ", ".join(_fmt(t) for t in times)
        return Field(note=(f"văn bản ghi nhiều hạn ({listed}); chọn một",
                           f"the notice gives several deadlines ({listed}); pick one")), None
    chosen = pool[0]
    said = _snippet(text[chosen.clause[0]:chosen.mention.end], len(text))
    source = said if len(said) <= SOURCE_CHARS else "…" + said[-(SOURCE_CHARS - 1):].lstrip()
    note: Said | None = None
    if chosen.mention.at is None:
        before = low[max(0, chosen.mention.start - 12):chosen.mention.start]
        if _BEFORE_DAY.search(before):
            note = ("“trước ngày …” không ghi giờ: hiểu là hết ngày đó; sửa nếu cần",
                    "“trước ngày …” (before the day) gives no time: read as the end of that "
                    "day; change it if meant otherwise")
        else:
            note = ("không ghi giờ: hết ngày đó", "no time given: the end of that day")
    return Field(chosen.when, source, note), chosen.clause


# -- what is asked and from whom ---------------------------------------------------------------

_REPORT_WORDS = re.compile(
    r"\b(?:bao cao|danh sach|bang tong hop|bang dang ky|phieu dang ky|bieu mau|theo mau|"
    r"phu luc|ke hoach|van ban|tham luan)\b")
_IMAGE_WORDS = re.compile(r"\b(?:hinh anh|anh chup|anh hoat dong|video|clip)\b")


def read_requires(text: str, low: str, clause: tuple[int, int] | None
                  ) -> Field[tuple[str, ...]]:
    if clause is None:
        return Field(note=("không thấy câu yêu cầu gửi báo cáo",
                           "no sentence asking for a report found"))
    asked = low[clause[0]:clause[1]]
    kinds = tuple(k for k, words in (("report", _REPORT_WORDS), ("images", _IMAGE_WORDS))
                  if words.search(asked))
    if not kinds:
        return Field(note=("câu yêu cầu không nói rõ gửi gì",
                           "the asking sentence does not say what to send"))
    return Field(kinds, _snippet(text[clause[0]:clause[1]]))


_ADDRESSED = re.compile(r"(?:^|\n)\s*kinh gui\s*:?")
_BODY_OPENERS = re.compile(
    r"^\s*(?:can cu|thuc hien|nham|de |ban thuong vu|ban chap hanh|van phong|theo|"
    r"nhu cau|trong|hien nay|ngay|[ivx]+\.|\d+\.)")
_ITEM_SPLIT = re.compile(r";|\n|,(?!\s*(?:ke hoach|dau tu))")


def addressees(text: str, low: str) -> tuple[list[str], str]:
    """The names after `Kính gửi:`, one per item, and the block they were read from."""
    m = _ADDRESSED.search(low)
    if not m:
        return [], ""
    start = m.end()
    lines_low = low[start:].split("\n")
    taken = 0
    length = 0
    for n, line in enumerate(lines_low):
        stripped = line.strip()
        if n > 0 and (not stripped or (_BODY_OPENERS.match(line)
                                       and not stripped.startswith(("-", "+", "•")))):
            break
        taken = n + 1
        length += len(line) + 1
        if taken >= 40:
            break
    block = text[start:start + length]
    items = []
    for piece in _ITEM_SPLIT.split(block):
        name = piece.strip().lstrip("-+•*– ").strip().rstrip(".").strip()
        if name:
            items.append(name)
    return items, block


def every_unit(text: str) -> bool:
    """True when `text` addresses every base unit ("các cơ sở Đoàn", "cơ sở Đoàn trực thuộc")."""
    return _EVERY_UNIT.search(shadow(text)) is not None


_HEADING_CHARS = 250  # "2. Cơ sở Đoàn trực thuộc:" above the asking line of a plan


def read_audience(text: str, low: str, clause: tuple[int, int] | None
                  ) -> Field[tuple[str, ...]]:
    """Whom the notice asks: the `Kính gửi:` names, ("*",) for every base unit, or () when the
    units are to be found by name in the asking sentence (`matching.notice` does that, and
    falls back to `everyone_line`)."""
    items, block = addressees(text, low)
    if items:
        return Field(tuple(items), "Kính gửi: " + _snippet(block))
    if clause is not None:
        if _EVERY_UNIT.search(low, clause[0], clause[1]):
            return Field(("*",), _snippet(text[clause[0]:clause[1]]))
        above = max(0, clause[0] - _HEADING_CHARS)
        heading = list(_EVERY_UNIT.finditer(low, above, clause[0]))
        m = heading[-1] if heading else None
        if m is not None and "\n" in low[m.end():clause[0]]:
            line_start = low.rfind("\n", 0, m.start()) + 1
            return Field(("*",), _snippet(text[line_start:clause[1]]))
        return Field(())
    return Field(note=("không thấy câu yêu cầu báo cáo nên không rõ đơn vị nào phải báo cáo",
                       "no sentence asks for a report, so no unit is known to owe one"))


def everyone_line(text: str) -> Field[tuple[str, ...]]:
    """("*",) from the first line of the notice that addresses every base unit, with a note."""
    text = clean_text(text)
    low = shadow(text)
    m = _EVERY_UNIT.search(low)
    if not m:
        return Field(note=("không thấy gửi cho đơn vị nào", "no addressed units found"))
    line_start = low.rfind("\n", 0, m.start()) + 1
    line_end = low.find("\n", m.end())
    return Field(("*",), _snippet(text[line_start:line_end if line_end >= 0 else None]),
                 ("câu yêu cầu báo cáo không nêu đơn vị; lấy theo dòng này",
                  "the asking sentence names no unit; taken from this line"))


# -- a notice written in the mail itself -----------------------------------------------------------

_SUBJECT_ID = re.compile(r"(?<![\w/-])(\d+\s*[-/]\s*[a-z]{2,}(?:\s*[-/.]\s*[a-z0-9]+)*)")
_SUBJECT_TITLE = re.compile(r"\b(?:v/v|ve viec)\b\s*:?\s*")
_SUBJECT_PREFIX = re.compile(r"^(?:\s*(?:re|fw|fwd|tl|tr|chuyen tiep)\s*:\s*)+")


def read_subject(subject: str) -> tuple[Field[str], Field[str]]:
    """(id, title) from a mail's subject ("Thông báo số 185-TB/ĐTN về việc đăng ký …"), for a
    notice written in the mail itself, whose text has no number line and no title block."""
    subject = clean_text(" ".join(subject.split()))
    low = shadow(subject)
    said = f"Subject: {_snippet(subject, 100)}"
    m = _SUBJECT_ID.search(low)
    request_id: Field[str] = Field(re.sub(r"\s+", "", subject[m.start(1):m.end(1)]), said) if m \
        else Field(note=("tiêu đề thư không ghi số văn bản",
                         "the mail's subject gives no notice number"))
    t = _SUBJECT_TITLE.search(low)
    if t:
        title = subject[t.end():]
    else:
        prefix = _SUBJECT_PREFIX.match(low)
        title = subject[prefix.end() if prefix else 0:]
    title = _sentence_case(title)
    return request_id, (Field(title, said) if title else Field(
        note=("thư không có tiêu đề", "the mail has no subject")))


# -- the whole notice ---------------------------------------------------------------------------


def read_notice(text: str, sent_on: date | None = None) -> NoticeReading:
    """Read every field of a notice from its text (as extracted from its PDF, docx or mail).

    `sent_on`, the day the mail carrying the notice was written, stands in for the notice's date
    when the notice gives none (a notice written in the mail itself), with a note saying so.
    """
    text = clean_text(text)
    low = shadow(text)
    request_id = read_id(text, low)
    issued = read_issued(text, low)
    if issued.value is None and sent_on is not None:
        issued = Field(sent_on, "", ("văn bản không ghi ngày ban hành; lấy ngày gửi thư",
                                     "the notice gives no date; the day the mail was sent"))
    title = read_title(text, low)
    deadline, clause = read_deadline(text, low, issued.value)
    return NoticeReading(
        request_id=request_id,
        issued=issued,
        title=title,
        deadline=deadline,
        requires=read_requires(text, low, clause),
        audience=read_audience(text, low, clause),
        keywords=read_keywords(title),
        asking=text[clause[0]:clause[1]] if clause else "",
        everyone=everyone_line(text),
    )
