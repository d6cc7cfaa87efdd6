"""Replies and forwards as Gmail and Outlook write them, in Vietnamese and in English: the
attribution line with the client's own date format, the quoted or forwarded text below it. `to`
is the address the quoted mail went to (the office, or a list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mailkit import ICT


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote a mail: the display name, the address, and the kind of mail system it went
    through (which decides its Received lines and Message-ID)."""

    name: str
    address: str
    route: str = "gov"  # gov | gmail | yahoo | outlook | office

    @property
    def header(self) -> str:
        return f"{self.name} <{self.address}>" if self.name else self.address


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


def quote_gmail_vi(who: Sender, when: datetime, text: str, *, spaced: bool = True) -> str:
    """Gmail's Vietnamese reply quote; without `spaced`, no blank line before the attribution
    nor after it (the demo inbox's replies)."""
    lines = "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())
    gap = "\n" if spaced else ""
    head = f"Vào {gmail_vi_date(when)} {who.name} <{who.address}> đã viết:"
    return f"\n{gap}{head}\n{gap}{lines}\n"


def quote_gmail_en(who: Sender, when: datetime, text: str) -> str:
    lines = "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())
    return f"\n\nOn {gmail_en_date(when)} {who.name} <{who.address}> wrote:\n\n{lines}\n"


def quote_outlook(
    who: Sender, when: datetime, subject: str, text: str, *, vi: bool, to: str
) -> str:
    """Outlook's reply/forward block: a rule, From/Sent/To/Subject, the text unprefixed."""
    if vi:
        head = f"Từ: {who.header}\nĐã gửi: {outlook_vi_date(when)}\nĐến: {to}\nChủ đề: {subject}"
    else:
        head = f"From: {who.header}\nSent: {outlook_en_date(when)}\nTo: {to}\nSubject: {subject}"
    return f"\n\n________________________________\n{head}\n\n{text.strip()}\n"


def forward_gmail_en(who: Sender, when: datetime, subject: str, text: str, *, to: str) -> str:
    return (
        f"\n\n---------- Forwarded message ---------\nFrom: {who.header}\n"
        f"Date: {gmail_en_date(when)}\nSubject: {subject}\nTo: {to}\n\n\n{text.strip()}\n"
    )


def forward_gmail_vi(
    who: Sender,
    when: datetime,
    subject: str,
    text: str,
    *,
    to: str,
    localized: bool = True,
) -> str:
    if localized:
        head = f"Từ: {who.header}\nNgày: {gmail_vi_date(when)}\nTiêu đề: {subject}\nTới: {to}"
    else:
        head = f"Từ: {who.header}\nDate: {gmail_vi_date(when)}\nSubject: {subject}\nTo: {to}"
    return f"\n\n---------- Thư đã chuyển tiếp ---------\n{head}\n\n\n{text.strip()}\n"
