"""What a clerk types, resolved: unit codes, request ids, message keys and times (pure).

Contract, "Arguments are forgiving": unit codes in any case; a request id without diacritics or
by its number alone when that is unique (`178`, `178-TB/DTN`); dates as ISO 8601 or as written
in Vietnam (`14/08/2023`, `14/08/2023 17:00`, `17g00 14/8/2023`); a date without a time in
`--until` is the end of that day. What cannot be resolved comes back with the closest matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.model import Request, Unit

MAX_SUGGESTIONS = 3
MIN_SUGGESTION_SCORE = 50


@dataclass(frozen=True, slots=True)
class Lookup:
    """The value typed, resolved: `value` when exactly one thing matched, else None with the
    closest matches (`ambiguous` when several matched equally well).

    Example: Lookup(None, ("STC", "STP"), ambiguous=False)
    """

    value: str | None
    closest: tuple[str, ...] = ()
    ambiguous: bool = False


def _fold(text: str) -> str:
    """Lower case, no diacritics (đ as d), letters and digits only: '178-TB/ĐTN' -> '178tbdtn'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "".join(c for c in text.lower() if c.isalnum())


def _closest(query: str, choices: dict[str, str]) -> tuple[str, ...]:
    """The values of the `choices` (folded text -> value) closest to `query`."""
    from rapidfuzz import fuzz, process

    found = process.extract(_fold(query), list(choices), scorer=fuzz.WRatio,
                            limit=MAX_SUGGESTIONS * 3, score_cutoff=MIN_SUGGESTION_SCORE)
    values = dict.fromkeys(choices[text] for text, _, _ in found)
    return tuple(values)[:MAX_SUGGESTIONS]


def find_unit(typed: str, units: Sequence[Unit]) -> Lookup:
    """A unit by its code in any case (or by its exact name or alias, diacritics aside)."""
    key = _fold(typed)
    if not key:
        return Lookup(None)
    by_code = [u.code for u in units if _fold(u.code) == key]
    if len(by_code) == 1:
        return Lookup(by_code[0])
    by_name = list(dict.fromkeys(u.code for u in units
                                 for n in (u.name, *u.aliases) if _fold(n) == key))
    if len(by_name) == 1:
        return Lookup(by_name[0])
    if by_code or by_name:
        return Lookup(None, tuple(by_code or by_name)[:MAX_SUGGESTIONS], ambiguous=True)
    from rapidfuzz import fuzz

    # A mistyped code is judged against codes; a name typed is judged against names.
    scores = {u.code: max(fuzz.ratio(key, _fold(u.code)),
                          0.9 * fuzz.WRatio(key, _fold(u.name))) for u in units}
    ranked = sorted((c for c, v in scores.items() if v >= MIN_SUGGESTION_SCORE),
                    key=lambda c: (-scores[c], c))
    return Lookup(None, tuple(ranked[:MAX_SUGGESTIONS]))


def _number(request_id: str) -> str:
    m = re.match(r"\s*(\d+)", request_id)
    return m.group(1) if m else ""


def find_request(typed: str, requests: Sequence[Request]) -> Lookup:
    """A request by its id with or without diacritics and separators, or by its number alone
    when only one request has that number."""
    key = _fold(typed)
    if not key:
        return Lookup(None)
    exact = [r.id for r in requests if _fold(r.id) == key]
    if len(exact) == 1:
        return Lookup(exact[0])
    if key.isdigit():
        numbered = [r.id for r in requests if _number(r.id).lstrip("0") == key.lstrip("0")]
        if len(numbered) == 1:
            return Lookup(numbered[0])
        if numbered:
            return Lookup(None, tuple(numbered)[:MAX_SUGGESTIONS], ambiguous=True)
    if exact:
        return Lookup(None, tuple(exact)[:MAX_SUGGESTIONS], ambiguous=True)
    near = _closest(typed, {_fold(r.id): r.id for r in requests})
    # Nothing close: the latest requests, so that the clerk sees how ids are written.
    latest = tuple(r.id for r in sorted(requests, key=lambda r: r.issued, reverse=True))
    return Lookup(None, near or latest[:MAX_SUGGESTIONS])


def find_message_key(typed: str, keys: Sequence[str]) -> Lookup:
    """A message by its key or the start of it, in any case."""
    prefix = typed.strip().lower()
    if not prefix:
        return Lookup(None)
    found = [k for k in keys if k.startswith(prefix)]
    if len(found) == 1:
        return Lookup(found[0])
    if found:
        return Lookup(None, tuple(sorted(found))[:MAX_SUGGESTIONS], ambiguous=True)
    from rapidfuzz import fuzz, process

    near = process.extract(prefix, list(keys), scorer=fuzz.ratio, limit=MAX_SUGGESTIONS,
                           score_cutoff=MIN_SUGGESTION_SCORE)
    return Lookup(None, tuple(k for k, _, _ in near))


_DATE = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"
_TIME = r"(\d{1,2})\s*(?::|h|g|giờ|gio)\s*(\d{2})?(?:\s*(?:phút|phut|p))?"
_WORDS = re.compile(r"\b(?:ngày|ngay|lúc|luc|hồi|hoi)\b", re.IGNORECASE)
_DATE_THEN_TIME = re.compile(rf"^{_DATE}(?:[\sT,]+{_TIME})?$", re.IGNORECASE)
_TIME_THEN_DATE = re.compile(rf"^{_TIME}[\s,]+{_DATE}$", re.IGNORECASE)


def parse_when(typed: str, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """A date and time as a clerk types it, in `tz` unless it carries an offset.

    ISO 8601 (`2023-08-14`, `2023-08-14T17:00`, `2023-08-14 17:00+07:00`) or as written in
    Vietnam (`14/08/2023`, `14/8/2023 17:00`, `17g00 14/8/2023`, `17h ngày 14-8-2023`). A date
    without a time is the start of that day, or with `end_of_day` its last second.

    Raises:
        ValueError: not a date this understands.
    """
    text = " ".join(_WORDS.sub(" ", typed).split())
    if not text:
        raise ValueError(typed)
    day: datetime | None = None
    clock: time | None = None
    m = _DATE_THEN_TIME.match(text)
    t = _TIME_THEN_DATE.match(text)
    if m:
        d, mo, y, hh, mm = m.groups()
        day = datetime(int(y), int(mo), int(d))
        clock = time(int(hh), int(mm or 0)) if hh is not None else None
    elif t:
        hh, mm, d, mo, y = t.groups()
        day = datetime(int(y), int(mo), int(d))
        clock = time(int(hh), int(mm or 0))
    else:
        value = datetime.fromisoformat(text)
        if len(text) <= 10:  # a date alone
            day = value
        else:
            return value if value.tzinfo else value.replace(tzinfo=tz)
    if clock is None:
        start = day.replace(tzinfo=tz)
        return start + timedelta(days=1, seconds=-1) if end_of_day else start
    return datetime.combine(day.date(), clock, tzinfo=tz)
