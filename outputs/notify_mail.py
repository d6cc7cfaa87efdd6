"""The mails to units, composed (pure): a receipt in reply to a unit's message, a reminder before
the deadline, an overdue notice after it. Plain text plus an HTML alternative readable on a phone,
in `language`.

Everything that comes from a unit's mail (its subject, its file names) is hostile: it reaches the
HTML only through Jinja2's autoescaping, and a header only as one clean line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from config.model import Request, Unit
from outputs.i18n import UNIT_MAIL_WORDS
from outputs.status import StatusRow
from outputs.tables import counted_files
from parsers.records import ParsedMessage
from parsers.text import clean_line

SUBJECT_CHARS = 200
FILE_NAME_CHARS = 120
MAX_REFERENCES = 10
_MSGID = re.compile(r"<[^<>\s@]{1,200}@[^<>\s@]{1,200}>")
_REPLY_PREFIX = re.compile(r"^\s*(re|trả lời|tl|aw|sv|antw)\s*:", re.IGNORECASE)

def _t(key: str, lang: str, **values: object) -> str:
    pair = UNIT_MAIL_WORDS[key]
    return (pair[1] if lang == "en" else pair[0]).format(**values)


@dataclass(frozen=True, slots=True)
class Office:
    """What every mail needs from the settings: who sends, and how to show times."""

    sender: str  # the From, as configured ("Văn phòng Đoàn Khối <doankhoi@…>" or an address)
    language: str
    tz: ZoneInfo

    @property
    def address(self) -> str:
        return (parseaddr(self.sender)[1] or self.sender).lower()

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "mailtally.invalid"


@dataclass(frozen=True, slots=True)
class Counted:
    """What was counted for a (request, unit), by name: files by kind, photo links, and whether
    the report is in a message body."""

    report_files: tuple[str, ...] = ()
    photo_files: tuple[str, ...] = ()
    other_files: tuple[str, ...] = ()
    photo_links: int = 0
    report_in_body: bool = False


@dataclass(frozen=True, slots=True)
class Answering:
    """The unit's message a receipt answers."""

    message_id: str
    references: tuple[str, ...]
    subject: str
    received_at: datetime


def counted_for(messages: Sequence[ParsedMessage], evidence: Sequence[str]) -> Counted:
    """What the unit's placed messages brought, by name (each file once, by content)."""
    from matching.evidence import is_sharing_link

    seen: set[str] = set()
    reports: list[str] = []
    photos: list[str] = []
    others: list[str] = []
    links: set[str] = set()
    for m in messages:
        for a in counted_files(m.attachments):
            if a.sha256 in seen:
                continue
            seen.add(a.sha256)
            name = clean_line(a.filename, FILE_NAME_CHARS) or "?"
            if "report" in a.kinds:
                reports.append(name)
            elif "images" in a.kinds:
                photos.append(name)
            else:
                others.append(name)
        links.update(u for u in m.links if is_sharing_link(u))
    return Counted(tuple(reports), tuple(photos), tuple(others), len(links),
                   report_in_body="report" in evidence and not reports)


def reply_subject(subject: str) -> str:
    """'Re: ' + the unit's subject, unless it already starts with Re:, Trả lời:, TL:, AW:..."""
    subject = clean_line(subject, SUBJECT_CHARS)
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}".rstrip()


def _message_ids(values: Sequence[str]) -> list[str]:
    return [v for v in values if _MSGID.fullmatch(v)]


def duration(delta: timedelta, lang: str) -> str:
    """'2 ngày 3 giờ', '45 phút' (or '2 d 3 h'): at most two units, rounded down, never 0."""
    minutes = max(int(abs(delta).total_seconds() // 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    shown = [f"{n} {_t(unit, lang)}" for n, unit in parts if n][:2]
    return " ".join(shown)


def _local(dt: datetime, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def _kinds(kinds: Sequence[str], lang: str) -> str:
    return ", ".join(_t(k, lang) for k in kinds)


def _deadline_line(row: StatusRow, request: Request, now: datetime, office: Office) -> str:
    lang = office.language
    close = row.deadline + timedelta(minutes=request.grace_minutes)
    shown = _local(row.deadline, office.tz)
    if now <= close:
        return _t("deadline_left", lang, deadline=shown, left=duration(row.deadline - now, lang)
                  if now < row.deadline else duration(close - now, lang))
    return _t("deadline_passed", lang, deadline=shown, left=duration(now - row.deadline, lang))


def _complete_line(row: StatusRow, request: Request, office: Office) -> str:
    lang = office.language
    done = row.complete_at or row.received_at or row.deadline
    close = row.deadline + timedelta(minutes=request.grace_minutes)
    key = "complete_on_time" if done <= close else "complete_late"
    return _t(key, lang, deadline=_local(row.deadline, office.tz), at=_local(done, office.tz),
              late=duration(done - row.deadline, lang))


def _counted_items(c: Counted, lang: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if c.report_files:
        items.append({"label": _t("report_files", lang), "values": list(c.report_files)})
    if c.report_in_body:
        items.append({"label": _t("report_in_body", lang), "values": [_t("yes", lang)]})
    if c.photo_files:
        items.append({"label": _t("photo_files", lang), "values": list(c.photo_files)})
    if c.photo_links:
        items.append({"label": _t("photo_links", lang),
                      "values": [_t("links", lang, n=c.photo_links)]})
    if c.other_files:
        items.append({"label": _t("other_files", lang), "values": list(c.other_files)})
    return items


def _plain(view: dict[str, Any]) -> str:
    lines = [view["greeting"], "", view["intro"], ""]
    if view["items"]:
        lines.append(view["counted"])
        lines += [f"- {i['label']}: {', '.join(i['values'])}" for i in view["items"]]
        lines.append("")
    lines += [p for p in view["paragraphs"]]
    lines += ["", "--", view["footer"]]
    return "\n".join(lines) + "\n"


def _message(office: Office, recipients: Sequence[str], subject: str, view: dict[str, Any],
             now: datetime, auto: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = office.sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = clean_line(subject, SUBJECT_CHARS + 10)
    msg["Date"] = format_datetime(now.astimezone(office.tz))
    msg["Message-ID"] = make_msgid(domain=office.domain)  # short: a folded one upsets some
    msg["Auto-Submitted"] = auto  # RFC 3834: never answered by a well-behaved responder
    msg["X-Auto-Response-Suppress"] = "All"  # Exchange/Outlook: no out-of-office replies to it
    msg.set_content(_plain(view))
    from outputs.templating import environment  # only when a mail is composed

    msg.add_alternative(environment().get_template("notify.html.j2").render(**view),
                        subtype="html")
    return msg


def _view(office: Office, title: str, unit: Unit, intro: str, items: list[dict[str, Any]],
          paragraphs: list[str]) -> dict[str, Any]:
    lang = office.language
    return {"lang": lang, "title": title, "greeting": _t("greeting", lang, unit=unit.name),
            "intro": intro, "counted": _t("counted", lang), "items": items,
            "paragraphs": paragraphs,
            "footer": _t("footer", lang, address=office.address)}  # fmt: skip


def compose_receipt(office: Office, request: Request, unit: Unit, row: StatusRow,
                    recipients: Sequence[str], counted: Counted, answering: Answering,
                    now: datetime) -> EmailMessage:
    """The receipt, in reply to `answering`: which notice, what was counted (by name), what is
    still missing, the deadline and the time left."""
    lang = office.language
    intro = _t("receipt_intro", lang, at=_local(answering.received_at, office.tz),
               rid=request.id, title=request.title)
    paragraphs: list[str] = []
    if row.missing_evidence and row.complete_at is None:
        paragraphs.append(_t("missing", lang, kinds=_kinds(row.missing_evidence, lang)))
        paragraphs.append(_deadline_line(row, request, now, office))
        paragraphs.append(_t("send_missing", lang, address=office.address, rid=request.id))
    else:
        paragraphs.append(_t("complete", lang))
        paragraphs.append(_complete_line(row, request, office))
    view = _view(office, _t("receipt_title", lang), unit, intro,
                 _counted_items(counted, lang), paragraphs)
    msg = _message(office, recipients, reply_subject(answering.subject or request.id), view,
                   now, "auto-replied")
    parent = _message_ids([answering.message_id])
    if parent:
        refs = [*_message_ids(answering.references), *parent][-MAX_REFERENCES:]
        msg["In-Reply-To"] = parent[0]
        msg["References"] = " ".join(dict.fromkeys(refs))
    return msg


def compose_reminder(office: Office, kind: str, request: Request, unit: Unit, row: StatusRow,
                     recipients: Sequence[str], counted: Counted, now: datetime
                     ) -> EmailMessage:
    """A reminder (`kind` "reminder") or overdue notice ("overdue"): what is owed, by when, and
    the address to send it to."""
    lang = office.language
    deadline = _local(row.deadline, office.tz)
    missing = row.missing_evidence or request.requires
    have = [k for k in row.evidence if k not in missing]
    owed = (_t("owed_some", lang, have=_kinds(have, lang), kinds=_kinds(missing, lang)) if have
            else _t("owed_none", lang, kinds=_kinds(missing, lang) or _t("report", lang)))
    paragraphs = [owed, _deadline_line(row, request, now, office),
                  _t("send_to", lang, address=office.address, rid=request.id)]
    title = _t("overdue_title" if kind == "overdue" else "reminder_title", lang)
    view = _view(office, title, unit, _t("reminder_intro", lang, rid=request.id,
                                         title=request.title),
                 _counted_items(counted, lang), paragraphs)
    subject = _t("subject_overdue" if kind == "overdue" else "subject_reminder", lang,
                 rid=request.id, deadline=deadline)
    return _message(office, recipients, subject, view, now, "auto-generated")
