"""compute_status(accepted=...): the office's `accept` makes what the unit sent complete at its
latest evidence's receipt time (contract, "Rules"); a complete submission is not moved."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from config.model import Request, Unit
from outputs.status import PlacedMessage, compute_status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = datetime(2023, 8, 11, 11, 0, tzinfo=VN)
UNIT = Unit("SYT", "Đoàn Sở Y tế")
REQUEST = Request(id="178-TB/ĐTN", title="t", issued=datetime(2023, 8, 3, tzinfo=VN),
                  deadline=DEADLINE, grace_minutes=0, requires=("report", "images"))
NOW = DEADLINE + timedelta(days=3)


def msg(at: datetime, *evidence: str) -> PlacedMessage:
    return PlacedMessage(at.isoformat(), at, tuple(evidence), (), "syt@x.vn", "s", "address")


def test_accept_completes_at_the_latest_evidence() -> None:
    photos = msg(DEADLINE - timedelta(hours=2), "images")
    more = msg(DEADLINE + timedelta(hours=1), "images")
    question = msg(DEADLINE + timedelta(hours=5))  # no evidence: not what completes it
    row = compute_status(REQUEST, UNIT, [photos, more, question], NOW)
    assert row.complete_at is None and row.missing_evidence == ("report",)
    accepted = compute_status(REQUEST, UNIT, [photos, more, question], NOW, accepted="")
    assert accepted.complete_at == more.received_at
    # What the office accepted is complete: the row no longer lists what was missing (issue 17).
    assert accepted.missing_evidence == ()


def test_accept_changes_nothing_when_already_complete_or_nothing_was_sent() -> None:
    whole = msg(DEADLINE - timedelta(hours=1), "report", "images")
    later = msg(DEADLINE + timedelta(hours=1), "images")
    row = compute_status(REQUEST, UNIT, [whole, later], NOW, accepted="đủ")
    assert row.complete_at == whole.received_at
    assert compute_status(REQUEST, UNIT, [], NOW, accepted="").complete_at is None
