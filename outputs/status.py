"""Status rules: on time, late, incomplete, pending, missing or excused for one unit and one
request.

Pure: the placed messages, the office's decisions (excuse, extension, acceptance), the bounces of
the notice and `now` are parameters. Contract, "Rules": what counts, status, a notice that never
arrived, evidence, complete_at.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from config.model import EVIDENCE_KINDS, Request, Unit
from matching.records import Placement, Reason
from parsers.records import ParsedMessage


class Status(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    INCOMPLETE = "incomplete"
    PENDING = "pending"
    MISSING = "missing"
    EXCUSED = "excused"


# The order the office reads them in: counts, tables, the scorecard.
STATUS_ORDER = (Status.ON_TIME, Status.LATE, Status.INCOMPLETE, Status.MISSING, Status.PENDING,
                Status.EXCUSED)
# Statuses of a unit that still owes something (the digest's and the page's chase list).
OWING = (Status.INCOMPLETE, Status.MISSING, Status.PENDING)


@dataclass(frozen=True, slots=True)
class PlacedMessage:
    """What the status rules need of one message placed under a (unit, request)."""

    message_key: str
    received_at: datetime
    evidence: tuple[str, ...]
    attachment_hashes: tuple[str, ...]
    sender: str
    subject: str
    match: str


@dataclass(frozen=True, slots=True)
class Bounce:
    """A delivery failure whose failed recipient is one of a unit's addresses."""

    message_key: str
    received_at: datetime
    address: str


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One row of report.csv, before formatting.

    Besides the contract's columns it keeps what the `notes` column is written from: the
    office's decisions and their reasons, the notice's bounces, and how many placed messages
    carried no evidence.
    """

    request_id: str
    unit_code: str
    unit_name: str
    status: Status
    received_at: datetime | None
    minutes_late: int | None
    evidence: tuple[str, ...]
    missing_evidence: tuple[str, ...]
    complete_at: datetime | None
    messages: int
    attachments: int
    sender: str
    subject: str
    match: str
    deadline: datetime  # the unit's own, after any extension
    submission_key: str = ""
    excuse_reason: str = ""
    excused: bool = False
    extended: bool = False
    extension_reason: str = ""
    accepted: bool = False
    accept_reason: str = ""
    bounces: tuple[Bounce, ...] = ()
    without_evidence: int = 0  # placed messages that carry no evidence (questions, requests)


def minutes_late(received_at: datetime, deadline: datetime) -> int:
    """Whole minutes after the deadline, rounded up: 11:00:30 against 11:00 is 1.

    0 when not after the deadline."""
    seconds = (received_at - deadline).total_seconds()
    return max(0, math.ceil(seconds / 60))


def _complete_at(request: Request, ordered: list[PlacedMessage]) -> datetime | None:
    """The receipt time at which every required kind was present; with nothing required, the
    first placed message's."""
    if not request.requires:
        return ordered[0].received_at if ordered else None
    have: set[str] = set()
    for m in ordered:
        have.update(m.evidence)
        if m.evidence and all(k in have for k in request.requires):
            return m.received_at
    return None


def compute_status(
    request: Request,
    unit: Unit,
    placed: list[PlacedMessage],
    now: datetime,
    *,
    excuse: str | None = None,
    extended_until: datetime | None = None,
    accepted: str | None = None,
    extension_reason: str = "",
    bounces: Sequence[Bounce] = (),
) -> StatusRow:
    """The status of one unit for one request.

    Args:
        placed: the unit's messages placed under this request, in any order.
        now: the instant the report is about (a unit without evidence is pending until the
            deadline plus grace).
        excuse: the office's reason when it excused the unit, else None.
        extended_until: the unit's own deadline when the office extended it.
        accepted: the office's reason when it accepted what the unit sent as complete (may be
            ""), else None. What was sent is then complete at its latest evidence's receipt
            time (a submission already complete stays complete when it was).
        extension_reason: the reason the office gave for the extension.
        bounces: the notice's delivery failures to this unit's addresses.

    The submission starts with the first message that carries evidence; the status is judged on
    `complete_at`: on time or late once complete, incomplete while a required kind is missing.
    """
    deadline = extended_until or request.deadline
    closes_at = deadline + timedelta(minutes=request.grace_minutes)
    ordered = sorted(placed, key=lambda m: (m.received_at, m.message_key))
    with_evidence = [m for m in ordered if m.evidence]
    submission = with_evidence[0] if with_evidence else (
        ordered[0] if ordered and not request.requires else None)

    have = {k for m in ordered for k in m.evidence}
    evidence = tuple(k for k in EVIDENCE_KINDS if k in have)
    missing = tuple(k for k in request.requires if k not in have)
    complete_at = _complete_at(request, ordered)
    if accepted is not None and complete_at is None:
        sent = with_evidence or ordered
        complete_at = sent[-1].received_at if sent else None
    if complete_at is not None or excuse is not None:
        missing = ()  # nothing more is asked of the unit
    hashes = {h for m in ordered for h in m.attachment_hashes}

    late: int | None = None
    if excuse is not None:
        status = Status.EXCUSED
    elif complete_at is not None:
        status = Status.ON_TIME if complete_at <= closes_at else Status.LATE
        late = minutes_late(complete_at, deadline) if status == Status.LATE else 0
    elif submission is not None:
        status = Status.INCOMPLETE
    else:
        status = Status.PENDING if now <= closes_at else Status.MISSING
    return StatusRow(
        request_id=request.id,
        unit_code=unit.code,
        unit_name=unit.name,
        status=status,
        received_at=submission.received_at if submission else None,
        minutes_late=late,
        evidence=evidence,
        missing_evidence=missing,
        complete_at=complete_at,
        messages=len(ordered),
        attachments=len(hashes),
        sender=submission.sender if submission else "",
        subject=submission.subject if submission else "",
        match=submission.match if submission else "",
        deadline=deadline,
        submission_key=submission.message_key if submission else "",
        excuse_reason=excuse or "",
        excused=excuse is not None,
        extended=extended_until is not None,
        extension_reason=extension_reason,
        accepted=accepted is not None,
        accept_reason=accepted or "",
        bounces=tuple(sorted(bounces, key=lambda b: (b.received_at, b.message_key))),
        without_evidence=sum(1 for m in ordered if not m.evidence),
    )


def bounces_for(request: Request, unit_bounces: Sequence[Bounce],
                open_after_deadline: timedelta) -> tuple[Bounce, ...]:
    """The bounces of a unit that concern `request`: those that arrived while it was open
    (issued, and not more than `open_after_deadline` past its deadline), when the office was
    sending its notice and reminders."""
    return tuple(b for b in unit_bounces
                 if request.issued <= b.received_at <= request.deadline + open_after_deadline)


def unit_bounces(placements: Sequence[Placement], parsed: dict[str, ParsedMessage]
                 ) -> dict[str, list[Bounce]]:
    """unit code -> the bounces whose failed recipient is one of that unit's addresses (placement
    keeps the unit on a message set aside with reason `bounce`)."""
    out: dict[str, list[Bounce]] = {}
    for pl in placements:
        if pl.reason != Reason.BOUNCE or not pl.unit_code:
            continue
        p = parsed[pl.message_key]
        address = p.failed_recipients[0] if p.failed_recipients else ""
        out.setdefault(pl.unit_code, []).append(Bounce(p.message_key, p.received_at, address))
    return out
