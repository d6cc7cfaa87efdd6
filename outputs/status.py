"""Status rules: on time, late, pending, missing or excused for one unit and one request.

Pure: the placed messages, the office's excuses and extensions, and `now` are parameters.
Contract, "Rules": submission, on time / late, evidence, complete_at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from config.model import EVIDENCE_KINDS, Request, Unit


class Status(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    PENDING = "pending"
    MISSING = "missing"
    EXCUSED = "excused"


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
class StatusRow:
    """One row of report.csv, before formatting."""

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


def minutes_late(received_at: datetime, deadline: datetime) -> int:
    """Whole minutes after the deadline, rounded up: 11:00:30 against 11:00 is 1.

    0 when not after the deadline."""
    seconds = (received_at - deadline).total_seconds()
    return max(0, math.ceil(seconds / 60))


def compute_status(
    request: Request,
    unit: Unit,
    placed: list[PlacedMessage],
    now: datetime,
    *,
    excuse: str | None = None,
    extended_until: datetime | None = None,
    accepted: str | None = None,
) -> StatusRow:
    """The status of one unit for one request.

    Args:
        placed: the unit's messages placed under this request, in any order.
        now: the instant the report is about (a missing unit is pending until the deadline).
        excuse: the office's reason when it excused the unit, else None.
        extended_until: the unit's own deadline when the office extended it.
        accepted: the office's reason when it accepted what the unit sent as complete ("" for
            none given), else None. What the unit sent is then complete at its latest
            evidence's receipt time, unless it was complete before.
    """
    deadline = extended_until or request.deadline
    closes_at = deadline + timedelta(minutes=request.grace_minutes)
    ordered = sorted(placed, key=lambda m: (m.received_at, m.message_key))
    submission = next((m for m in ordered if m.evidence), None)

    have: set[str] = set()
    complete_at: datetime | None = None
    for m in ordered:
        have.update(m.evidence)
        if complete_at is None and m.evidence and all(k in have for k in request.requires):
            complete_at = m.received_at
    if complete_at is None and accepted is not None:
        complete_at = max((m.received_at for m in ordered if m.evidence), default=None)
    evidence = tuple(k for k in EVIDENCE_KINDS if k in have)
    missing = tuple(k for k in request.requires if k not in have)
    hashes = {h for m in ordered for h in m.attachment_hashes}

    if excuse is not None:
        status = Status.EXCUSED
    elif submission is None:
        status = Status.PENDING if now <= closes_at else Status.MISSING
    elif submission.received_at <= closes_at:
        status = Status.ON_TIME
    else:
        status = Status.LATE
    late: int | None = None
    if submission is not None:
        late = minutes_late(submission.received_at, deadline) if status == Status.LATE else 0
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
    )
