"""The daily digest: what changed on one local day, written to output_dir and optionally emailed.

`build_digest` is pure: settings, a snapshot of the store and a day in, a `Digest` out. The
day is judged as of the end of that day (or now, for today), so a digest for a past day says what
the office would have read that evening. `write_digest` and `send_digest` are the edges; the use
case (rebuild, build, write, send) is `app/digest.py`.

Everything taken from a message reaches the HTML through Jinja2's autoescaping; nothing from a
message is ever marked safe.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from config.model import DigestConfig, Request, Settings
from ingest.files import write_atomic
from matching.placement import NEEDS_PERSON, OPEN_AFTER_DEADLINE, Reason
from outputs.errors import DigestSendError
from outputs.i18n import LABELS, REASON_LABELS, STATUS_LABELS, pick
from outputs.mail import deliver
from outputs.snapshot import Snapshot
from outputs.status import OWING, STATUS_ORDER, Status, StatusRow
from outputs.tables import assign_commands, command_for, local_short
from outputs.templating import environment

log = logging.getLogger("mailtally.digest")

SMTP_TIMEOUT_SECONDS = 30
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewReport:
    """A submission (a unit's first message with evidence) received that day."""

    request_id: str
    unit_code: str
    unit_name: str
    status: Status  # as of the end of the day: on_time, late or incomplete
    received_at: datetime
    minutes_late: int
    sender: str
    subject: str


@dataclass(frozen=True, slots=True)
class Overdue:
    """A unit whose deadline (plus grace) passed that day without a complete submission by then.

    `status` is as of the end of the day: missing or incomplete, or late when it completed its
    report later that day."""

    request_id: str
    unit_code: str
    unit_name: str
    closes_at: datetime
    status: Status


@dataclass(frozen=True, slots=True)
class Outstanding:
    """A unit that still owes something for an open request: pending, incomplete, or missing
    after the deadline; with its addresses, for the clerk who chases it."""

    request_id: str
    unit_code: str
    unit_name: str
    status: Status
    deadline: datetime  # the unit's own, after any extension
    missing_evidence: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WaitingMessage:
    """A message that needs a person (reason in NEEDS_PERSON); `new` when it arrived that day."""

    message_key: str
    received_at: datetime
    sender: str
    subject: str
    reason: Reason
    unit_code: str
    candidates: tuple[str, ...]
    new: bool


@dataclass(frozen=True, slots=True)
class RequestCounts:
    """One request's status counts as of the end of the day, and its reports received that day."""

    request_id: str
    title: str
    deadline: datetime
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    pending: int
    excused: int
    incomplete: int = 0


@dataclass(frozen=True, slots=True)
class Digest:
    """What changed on `day` (local), as of `as_of` (end of the day, or now for today)."""

    day: date
    as_of: datetime
    requests: tuple[RequestCounts, ...]
    new_reports: tuple[NewReport, ...]
    overdue: tuple[Overdue, ...]
    outstanding: tuple[Outstanding, ...]
    waiting: tuple[WaitingMessage, ...]


# -- the pure core ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Window:
    """One local day [start, end), seen at `now`."""

    start: datetime
    end: datetime
    now: datetime

    @property
    def as_of(self) -> datetime:
        return min(self.now, self.end)

    def holds(self, t: datetime) -> bool:
        """True when `t` is in the day and already happened."""
        return self.start <= t < self.end and t <= self.now

    def by(self, t: datetime) -> bool:
        """True when `t` happened by the end of the day (and by now)."""
        return t < self.end and t <= self.now


def _window(day: date, tz: ZoneInfo, now: datetime) -> _Window:
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    return _Window(start, datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz), now)


def status_as_of(row: StatusRow, grace: timedelta, w: _Window) -> Status:
    """The row's status at the end of the day: later mail does not count yet."""
    if row.status == Status.EXCUSED:
        return Status.EXCUSED
    if row.complete_at is not None and w.by(row.complete_at):
        return row.status
    if row.received_at is not None and w.by(row.received_at):
        return Status.INCOMPLETE
    return Status.MISSING if row.deadline + grace < w.as_of else Status.PENDING


def _is_open(request: Request, w: _Window) -> bool:
    """Issued, and its deadline not yet passed or not more than 30 days ago."""
    return w.by(request.issued) and w.as_of <= request.deadline + OPEN_AFTER_DEADLINE


def _new_report(row: StatusRow, grace: timedelta, w: _Window) -> NewReport:
    assert row.received_at is not None
    return NewReport(
        row.request_id,
        row.unit_code,
        row.unit_name,
        status_as_of(row, grace, w),
        row.received_at,
        row.minutes_late or 0,
        row.sender,
        row.subject,
    )


def _overdue(row: StatusRow, grace: timedelta, w: _Window) -> Overdue | None:
    closes_at = row.deadline + grace
    if row.status == Status.EXCUSED or not w.holds(closes_at) or closes_at >= w.as_of:
        return None
    if row.complete_at is not None and row.complete_at <= closes_at:
        return None
    return Overdue(
        row.request_id, row.unit_code, row.unit_name, closes_at, status_as_of(row, grace, w)
    )


def _outstanding(rows: list[StatusRow], grace: timedelta, w: _Window,
                 emails: dict[str, tuple[str, ...]]) -> list[Outstanding]:
    out = []
    for r in rows:
        status = status_as_of(r, grace, w)
        if status in OWING:
            out.append(Outstanding(r.request_id, r.unit_code, r.unit_name, status, r.deadline,
                                   r.missing_evidence, emails.get(r.unit_code, ())))
    return out


def _counts(request: Request, rows: list[StatusRow], received: int, w: _Window) -> RequestCounts:
    grace = timedelta(minutes=request.grace_minutes)
    n = {s: 0 for s in Status}
    for row in rows:
        n[status_as_of(row, grace, w)] += 1
    return RequestCounts(
        request.id,
        request.title,
        request.deadline,
        len(rows),
        received,
        n[Status.ON_TIME],
        n[Status.LATE],
        n[Status.MISSING],
        n[Status.PENDING],
        n[Status.EXCUSED],
        n[Status.INCOMPLETE],
    )


def _waiting(snap: Snapshot, w: _Window) -> tuple[WaitingMessage, ...]:
    """Messages waiting for a person: those of the day, and older ones of the last 30 days."""
    by_key = {p.message_key: p for p in snap.parsed}
    out: dict[str, WaitingMessage] = {}
    for pl in snap.placements:
        p = by_key.get(pl.message_key)
        if pl.reason not in NEEDS_PERSON or p is None or pl.message_key in out:
            continue
        if not w.by(p.received_at) or p.received_at < w.start - OPEN_AFTER_DEADLINE:
            continue
        out[pl.message_key] = WaitingMessage(
            p.message_key,
            p.received_at,
            p.author,
            p.subject,
            Reason(pl.reason),
            pl.unit_code or "",
            pl.candidates,
            w.holds(p.received_at),
        )
    return tuple(sorted(out.values(), key=lambda m: (m.received_at, m.message_key)))


def build_digest(settings: Settings, snap: Snapshot, day: date) -> Digest:
    """What changed on `day` in settings.timezone, from a snapshot taken at `snap.now`.

    Lists the submissions received that day, the units whose deadline plus grace passed that
    day without a complete submission, the units still owing something for each open request
    (issued, deadline not more than 30 days ago), and the messages that need a person.
    """
    w = _window(day, settings.timezone, snap.now)
    emails = {u.code: u.emails for u in settings.units}
    new: list[NewReport] = []
    overdue: list[Overdue] = []
    outstanding: list[Outstanding] = []
    counts: list[RequestCounts] = []
    for request in settings.requests:
        rows = sorted(
            (r for r in snap.rows if r.request_id == request.id), key=lambda r: r.unit_code
        )
        grace = timedelta(minutes=request.grace_minutes)
        received = [
            _new_report(r, grace, w)
            for r in rows
            if r.status != Status.EXCUSED and r.received_at is not None
            and w.holds(r.received_at)
        ]
        late = [o for o in (_overdue(r, grace, w) for r in rows) if o is not None]
        is_open = _is_open(request, w)
        if is_open:
            outstanding += _outstanding(rows, grace, w, emails)
        if is_open or received or late:
            counts.append(_counts(request, rows, len(received), w))
        new += received
        overdue += late
    new.sort(key=lambda n: (n.received_at, n.unit_code))
    return Digest(
        day,
        w.as_of,
        tuple(counts),
        tuple(new),
        tuple(overdue),
        tuple(outstanding),
        _waiting(snap, w),
    )


# -- rendering --------------------------------------------------------------------------------


def text(key: str, language: str, **values: object) -> str:
    """The label `key` in `language`, filled with `values`."""
    return pick(LABELS, key, language).format(**values)


def digest_subject(day: date, language: str) -> str:
    """'Tóm tắt tình hình nộp báo cáo ngày 11/08/2023' (or 'Report digest for 2023-08-11')."""
    shown = day.strftime("%d/%m/%Y") if language == "vi" else day.isoformat()
    return f"{pick(LABELS, 'subject_digest', language)} {shown}"


def _shown_as_of(digest: Digest, tz: ZoneInfo) -> datetime:
    # The end of a past day is the next midnight; 23:59:59 reads as "that day" to a person.
    if digest.as_of.astimezone(tz).date() > digest.day:
        return digest.as_of - timedelta(seconds=1)
    return digest.as_of


def _counts_view(r: RequestCounts, tz: ZoneInfo) -> dict[str, Any]:
    counts = {"on_time": r.on_time, "late": r.late, "incomplete": r.incomplete,
              "missing": r.missing, "pending": r.pending, "excused": r.excused}  # fmt: skip
    return {"id": r.request_id, "title": r.title, "deadline": local_short(r.deadline, tz),
            "expected": r.expected, "received": r.received, "counts": counts}  # fmt: skip


def _new_view(n: NewReport, lang: str, tz: ZoneInfo) -> dict[str, str]:
    late_by = (
        text("digest_late_by", lang, minutes=n.minutes_late) if n.status == Status.LATE else ""
    )
    return {"request_id": n.request_id, "code": n.unit_code, "name": n.unit_name,
            "status": n.status.value, "status_label": pick(STATUS_LABELS, n.status.value, lang),
            "late_by": late_by, "received_at": local_short(n.received_at, tz),
            "sender": n.sender, "subject": n.subject}  # fmt: skip


def _overdue_view(o: Overdue, lang: str, tz: ZoneInfo) -> dict[str, str]:
    return {"request_id": o.request_id, "code": o.unit_code, "name": o.unit_name,
            "closes_at": local_short(o.closes_at, tz), "status": o.status.value,
            "status_label": pick(STATUS_LABELS, o.status.value, lang)}  # fmt: skip


def _outstanding_view(digest: Digest, lang: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The units still to report, grouped by request: [{"id", "title", "units": [...]}]."""
    titles = {r.request_id: r.title for r in digest.requests}
    groups: dict[str, list[dict[str, Any]]] = {}
    for o in digest.outstanding:
        groups.setdefault(o.request_id, []).append({
            "code": o.unit_code, "name": o.unit_name, "status": o.status.value,
            "status_label": pick(STATUS_LABELS, o.status.value, lang),
            "missing": ", ".join(pick(LABELS, k, lang) for k in o.missing_evidence)
            if o.status == Status.INCOMPLETE else "",
            "emails": list(o.emails),
            "deadline": local_short(o.deadline, tz)})  # fmt: skip
    return [{"id": rid, "title": titles.get(rid, ""), "units": units}
            for rid, units in groups.items()]  # fmt: skip


def _waiting_view(m: WaitingMessage, lang: str, tz: ZoneInfo, command: str) -> dict[str, Any]:
    fixes = assign_commands(m.message_key, m.reason, m.unit_code or None, m.candidates, command)
    return {"key": m.message_key, "received_at": local_short(m.received_at, tz),
            "sender": m.sender, "subject": m.subject, "reason": m.reason.value,
            "reason_label": pick(REASON_LABELS, m.reason.value, lang),
            "candidates": ", ".join(m.candidates), "fixes": fixes, "new": m.new}  # fmt: skip


def workspace_url(settings: Settings) -> str:
    """Where people reach the office's workspace (`[web] base_url`), "" when not said."""
    return settings.web.base_url.rstrip("/") if settings.web is not None else ""


def digest_view(digest: Digest, language: str, tz: ZoneInfo,
                command: str = "mailtally", workspace: str = "") -> dict[str, Any]:
    """The templates' context: plain strings and numbers, times in `tz`, labels in `language`;
    with `workspace` (its base URL), links to each request's page and to each message's fix."""
    lang = language
    links = {r.request_id: f"{workspace}/notice/{quote(r.request_id, safe='/')}"
             for r in digest.requests} if workspace else {}
    return {
        "workspace": workspace,
        "links": links,
        "needs_link": f"{workspace}/needs?key=" if workspace else "",
        "lang": lang,
        "title": digest_subject(digest.day, lang),
        "L": {k: pick(LABELS, k, lang) for k in LABELS},
        "status_labels": {k: pick(STATUS_LABELS, k, lang) for k in STATUS_LABELS},
        "as_of": local_short(_shown_as_of(digest, tz), tz),
        "statuses": [s.value for s in STATUS_ORDER],
        "requests": [_counts_view(r, tz) for r in digest.requests],
        "new_reports": [_new_view(n, lang, tz) for n in digest.new_reports],
        "overdue": [_overdue_view(o, lang, tz) for o in digest.overdue],
        "outstanding": _outstanding_view(digest, lang, tz),
        "needs": [_waiting_view(m, lang, tz, command) for m in digest.waiting],
    }


def render_digest(digest: Digest, language: str, tz: ZoneInfo,
                  command: str = "mailtally", workspace: str = "") -> tuple[str, str]:
    """The digest as (HTML page, plain text)."""
    view = digest_view(digest, language, tz, command, workspace)
    env = environment()
    return (
        env.get_template("digest.html.j2").render(**view),
        env.get_template("digest.txt.j2").render(**view),
    )


# -- the edges: file and mail -----------------------------------------------------------------


def write_digest(settings: Settings, digest: Digest) -> Path:
    """Write `output_dir/digest-YYYY-MM-DD.html` atomically; return its path.

    Raises:
        StorageError: the file could not be written.
    """
    html, _ = render_digest(digest, settings.language, settings.timezone,
                            command_for(settings.config_path), workspace_url(settings))
    path = settings.output_dir / f"digest-{digest.day.isoformat()}.html"
    write_atomic(path, html.encode("utf-8"))
    log.info(
        "event=digest_written day=%s new=%d overdue=%d outstanding=%d waiting=%d",
        digest.day,
        len(digest.new_reports),
        len(digest.overdue),
        len(digest.outstanding),
        len(digest.waiting),
    )
    return path


def digest_message(
    settings: Settings, cfg: DigestConfig, digest: Digest, now: datetime
) -> EmailMessage:
    """The email: HTML and plain-text alternatives, plus output_dir/report.xlsx when present
    (a Vietnamese Excel may not split a comma CSV into columns)."""
    html, plain = render_digest(digest, settings.language, settings.timezone,
                                command_for(settings.config_path), workspace_url(settings))
    domain = parseaddr(cfg.sender)[1].rpartition("@")[2] or "mailtally.invalid"
    msg = EmailMessage()
    msg["Subject"] = digest_subject(digest.day, settings.language)
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.to)
    msg["Date"] = format_datetime(now.astimezone(settings.timezone))
    msg["Message-ID"] = make_msgid("digest", domain=domain)
    # Marks it as machine-made: if it lands in a polled inbox it is never taken for a report.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(plain)
    msg.add_alternative(html, subtype="html")
    report = settings.output_dir / "report.xlsx"
    if report.is_file():
        msg.add_attachment(
            report.read_bytes(),
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename="report.xlsx",
        )
    return msg


def send_digest(settings: Settings, digest: Digest, *, now: datetime) -> None:
    """Email the digest as configured in `[digest]`.

    Raises:
        DigestSendError: no `[digest]` section, or the mail could not be sent.
    """
    if settings.digest is None:
        raise DigestSendError("-", "smtp_error", "no [digest] section in the configuration")
    deliver(settings.digest, digest_message(settings, settings.digest, digest, now))


# -- the command ------------------------------------------------------------------------------


DIGEST_NOON = 12  # a digest made before this hour tells about the day before


def default_digest_day(now: datetime, tz: ZoneInfo) -> date:
    """The day a digest is about when none is named, for `digest` (cron) and `serve` alike: made
    before noon in the office's zone, yesterday (a morning digest reports the whole day before);
    from noon on, today."""
    local = now.astimezone(tz)
    return local.date() - timedelta(days=1) if local.hour < DIGEST_NOON else local.date()


# `--date` words, as the office or a crontab writes them.
_DAY_WORDS = {"yesterday": -1, "hôm qua": -1, "hom qua": -1, "today": 0, "hôm nay": 0,
              "hom nay": 0}


def parse_day(value: str | None, now: datetime, tz: ZoneInfo) -> date | None:
    """The `--date` value as a date: YYYY-MM-DD, `yesterday` or `today` (in `tz`); without one,
    `default_digest_day`. None when it is none of these."""
    if value is None:
        return default_digest_day(now, tz)
    word = _DAY_WORDS.get(" ".join(value.strip().lower().split()))
    if word is not None:
        return now.astimezone(tz).date() + timedelta(days=word)
    if not _DATE_RE.fullmatch(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


__all__ = [
    "Digest",
    "DigestSendError",
    "NewReport",
    "Outstanding",
    "Overdue",
    "RequestCounts",
    "WaitingMessage",
    "build_digest",
    "digest_message",
    "render_digest",
    "send_digest",
    "write_digest",
]
