"""Which mails units are owed now: receipts and reminders (pure; contract, "Mail to units").

Data in, decisions out: the status rows, what each unit was last told, the unit's messages, the
[notify] settings, when [notify] was switched on (`since`) and `now` are parameters.

- A **receipt** goes when a unit's row changed because of its own message: evidence arrived that
  the unit had not been told about (the first, or the missing kind that completes it). It
  answers that message, which must be one a machine may answer (`may_answer`).
- A **reminder** goes at each offset before the deadline to a unit that still owes something;
  an **overdue** notice at each offset after the deadline (plus grace). Only the latest one that
  fell due is sent, once: a run after a long pause does not send the backlog.
- Nothing for mail that arrived, or for a reminder that fell due, before `since`; nothing to an
  excused unit or one that is complete; only to the unit's roster and learned addresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from config.model import NotifyConfig, Request, Unit
from ingest.outbox import Told
from outputs.status import Status, StatusRow

RECEIPT = "receipt"
REMINDER = "reminder"
OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class UnitMessage:
    """One message placed for a (request, unit): what the receipt rules need of it."""

    message_key: str
    received_at: datetime
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReplyFacts:
    """The headers that say whether a machine may answer a message (RFC 3834 §2)."""

    sender: str = ""  # the From address, lower-case
    auto_submitted: str = ""
    precedence: str = ""
    list_id: str = ""
    list_unsubscribe: str = ""
    return_path: str | None = None  # None: no Return-Path header at all
    auto_reply: bool = False  # the parser's verdict (X-Autoreply, "Trả lời tự động", ...)
    bounce: bool = False


@dataclass(frozen=True, slots=True)
class ReceiptDue:
    """A receipt to send: answering `message_key`, about `row`."""

    row: StatusRow
    message_key: str
    slot: str


@dataclass(frozen=True, slots=True)
class ReminderDue:
    """A reminder (before the deadline) or an overdue notice (after it), due at `due_at`."""

    kind: str  # reminder | overdue
    row: StatusRow
    due_at: datetime
    slot: str
    expires_at: datetime | None  # a reminder is useless once the deadline has passed


def owes(row: StatusRow) -> bool:
    """Still owes something: not excused and not complete (pending, missing or incomplete)."""
    return row.status != Status.EXCUSED and row.complete_at is None


def closes_at(row: StatusRow, request: Request) -> datetime:
    """The unit's own deadline plus the request's grace."""
    return row.deadline + timedelta(minutes=request.grace_minutes)


def unit_addresses(unit: Unit, learned: Mapping[str, str]) -> tuple[str, ...]:
    """The unit's roster addresses, then those the office's `assign` taught; never anyone else."""
    found = [a.lower() for a in unit.emails]
    found += sorted(a.lower() for a, code in learned.items() if code == unit.code)
    return tuple(dict.fromkeys(a for a in found if "@" in a))


_NOT_ANSWERED_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply")


def may_answer(facts: ReplyFacts, own_addresses: Iterable[str]) -> str | None:
    """None when an automatic answer to this message is allowed, else the reason it is not:
    an auto-reply or auto-generated mail, a bounce, a list or bulk mail, an empty Return-Path,
    a daemon's or the office's own address."""
    if facts.auto_submitted and facts.auto_submitted.strip().lower() != "no":
        return "auto_submitted"
    if facts.auto_reply:
        return "auto_reply"
    if facts.bounce:
        return "bounce"
    if facts.precedence.strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return "precedence"
    if facts.list_id.strip() or facts.list_unsubscribe.strip():
        return "mailing_list"
    if facts.return_path is not None and parseaddr(facts.return_path)[1] == "" \
            and "<>" in facts.return_path.replace(" ", ""):
        return "null_return_path"
    local = facts.sender.rpartition("@")[0].lower()
    if local in _NOT_ANSWERED_SENDERS:
        return "daemon"
    if facts.sender.lower() in {a.lower() for a in own_addresses}:
        return "own_address"
    return None


def _latest_evidence(row: StatusRow, messages: Sequence[UnitMessage]) -> str:
    """The message that made the row what it is: the one that completed it, else the newest
    with evidence."""
    with_evidence = sorted((m for m in messages if m.evidence),
                           key=lambda m: (m.received_at, m.message_key))
    if row.complete_at is not None:
        done = [m for m in with_evidence if m.received_at <= row.complete_at]
        if done:
            return done[-1].message_key
    return with_evidence[-1].message_key if with_evidence else ""


def receipts_due(
    rows: Sequence[StatusRow],
    told: Mapping[tuple[str, str], Told],
    messages: Mapping[tuple[str, str], Sequence[UnitMessage]],
) -> tuple[list[ReceiptDue], dict[tuple[str, str], Told]]:
    """Rows whose evidence grew since the unit was last told, because of a message of its own.

    Returns (receipts that may be due, the new `told` for every row that changed). Whether each
    receipt may really go (its message arrived after `since`, may be answered) is for
    `receipt_allowed`.
    """
    due: list[ReceiptDue] = []
    changed: dict[tuple[str, str], Told] = {}
    for row in rows:
        pair = (row.request_id, row.unit_code)
        before = told.get(pair, Told())
        key = _latest_evidence(row, messages.get(pair, ()))
        now_told = Told(row.evidence, row.complete_at is not None, key)
        if now_told == before:
            continue
        changed[pair] = now_told
        grew = set(row.evidence) > set(before.evidence) or (
            now_told.complete and not before.complete)
        if grew and key and key != before.last_key and row.status != Status.EXCUSED:
            state = "complete" if now_told.complete else "+".join(row.evidence)
            due.append(ReceiptDue(row, key, f"{RECEIPT}:{key}:{state}"))
    return due, changed


def receipt_allowed(received_at: datetime, facts: ReplyFacts, since: datetime,
                    own_addresses: Iterable[str]) -> str | None:
    """None when a receipt may answer this message, else why not (`before_notify`, or
    `may_answer`'s reason)."""
    if received_at < since:
        return "before_notify"
    return may_answer(facts, own_addresses)


def _slot(kind: str, at: datetime) -> str:
    return f"{kind}:{at.astimezone(UTC).isoformat(timespec='seconds')}"


def reminders_due(
    rows: Sequence[StatusRow],
    requests: Mapping[str, Request],
    cfg: NotifyConfig,
    since: datetime,
    now: datetime,
    recorded: set[tuple[str, str, str]],
) -> list[ReminderDue]:
    """For each unit that still owes something, the latest reminder or overdue notice that fell
    due in [since, now], unless it (or a later one) is in `recorded` (request_id, unit_code,
    slot). A reminder falls due only while the deadline (plus grace) has not passed."""
    out: list[ReminderDue] = []
    for row in rows:
        request = requests.get(row.request_id)
        if request is None or not owes(row):
            continue
        close = closes_at(row, request)
        instants = [(row.deadline - off, REMINDER) for off in cfg.reminders]
        instants += [(close + off, OVERDUE) for off in cfg.overdue]
        fell_due = [(at, kind) for at, kind in instants
                    if since <= at <= now and (kind == OVERDUE or now < close)]
        if not fell_due:
            continue
        at, kind = max(fell_due)
        done = [datetime.fromisoformat(s.split(":", 1)[1]) for r, u, s in recorded
                if r == row.request_id and u == row.unit_code
                and s.startswith((REMINDER + ":", OVERDUE + ":"))]
        if any(d >= at for d in done):
            continue
        out.append(ReminderDue(kind, row, at, _slot(kind, at),
                               close if kind == REMINDER else None))
    return out


def next_reminder_at(
    requests: Iterable[Request],
    extensions: Iterable[tuple[str, datetime]],
    cfg: NotifyConfig,
    after: datetime,
) -> datetime | None:
    """The first instant after `after` at which a reminder or overdue notice could fall due,
    for any request or extended deadline (request_id, until): the cheap test that tells a run
    with nothing new whether it has to look at the units at all."""
    grace = {}
    deadlines: list[tuple[datetime, int]] = []
    for r in requests:
        grace[r.id] = r.grace_minutes
        deadlines.append((r.deadline, r.grace_minutes))
    deadlines += [(until, grace.get(rid, 0)) for rid, until in extensions]
    instants = [d - off for d, _ in deadlines for off in cfg.reminders]
    instants += [d + timedelta(minutes=g) + off for d, g in deadlines for off in cfg.overdue]
    later = [t for t in instants if t > after]
    return min(later) if later else None
