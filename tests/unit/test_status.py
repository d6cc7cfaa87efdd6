"""Status rules: on time / late at the second, minutes rounded up, evidence and complete_at."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.model import Request, Unit
from outputs.status import PlacedMessage, Status, compute_status, minutes_late

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = datetime(2023, 8, 11, 11, 0, tzinfo=VN)
UNIT = Unit("STP", "Đoàn Sở Tư pháp")


def request(grace: int = 0, requires: tuple[str, ...] = ("report", "images")) -> Request:
    return Request(id="178-TB/ĐTN", title="t", issued=datetime(2023, 8, 3, tzinfo=VN),
                   deadline=DEADLINE, grace_minutes=grace, requires=requires)


def msg(at: datetime, *evidence: str, key: str = "", sender: str = "a@x.vn") -> PlacedMessage:
    return PlacedMessage(key or at.isoformat(), at, tuple(evidence), (), sender, "s", "address")


@pytest.mark.parametrize(
    ("delta", "expected"),
    [(timedelta(0), 0), (timedelta(seconds=1), 1), (timedelta(seconds=30), 1),
     (timedelta(seconds=60), 1), (timedelta(seconds=61), 2),
     (timedelta(hours=21, minutes=47), 1307), (timedelta(seconds=-5), 0)],
)
def test_minutes_late_rounds_up(delta: timedelta, expected: int) -> None:
    assert minutes_late(DEADLINE + delta, DEADLINE) == expected


def test_on_time_at_the_deadline_second_and_late_one_second_after() -> None:
    now = DEADLINE + timedelta(days=1)
    at = compute_status(request(), UNIT, [msg(DEADLINE, "report", "images")], now)
    assert (at.status, at.minutes_late) == (Status.ON_TIME, 0)
    after = compute_status(request(), UNIT, [msg(DEADLINE + timedelta(seconds=1), "report")], now)
    assert (after.status, after.minutes_late) == (Status.LATE, 1)


def test_grace_keeps_on_time_but_lateness_counts_from_the_deadline() -> None:
    now = DEADLINE + timedelta(days=1)
    inside = compute_status(request(grace=5), UNIT,
                            [msg(DEADLINE + timedelta(minutes=5), "report")], now)
    assert inside.status == Status.ON_TIME
    outside = compute_status(request(grace=5), UNIT,
                             [msg(DEADLINE + timedelta(minutes=5, seconds=1), "report")], now)
    assert (outside.status, outside.minutes_late) == (Status.LATE, 6)


def test_pending_before_the_deadline_missing_after() -> None:
    assert compute_status(request(), UNIT, [], DEADLINE).status == Status.PENDING
    missing = compute_status(request(), UNIT, [], DEADLINE + timedelta(seconds=1))
    assert missing.status == Status.MISSING
    assert missing.minutes_late is None and missing.received_at is None
    assert missing.missing_evidence == ("report", "images")


def test_message_without_evidence_submits_nothing_but_is_counted() -> None:
    question = msg(DEADLINE - timedelta(hours=2))
    row = compute_status(request(), UNIT, [question], DEADLINE + timedelta(hours=1))
    assert row.status == Status.MISSING
    assert row.messages == 1


def test_first_message_with_evidence_is_the_submission_and_later_mail_never_makes_it_late() -> None:
    first = msg(DEADLINE - timedelta(hours=1), "report", key="k1", sender="first@x.vn")
    late_photos = msg(DEADLINE + timedelta(hours=3), "images", key="k2", sender="second@x.vn")
    row = compute_status(request(), UNIT, [late_photos, first], DEADLINE + timedelta(days=2))
    assert row.status == Status.ON_TIME
    assert row.received_at == first.received_at
    assert row.sender == "first@x.vn"
    assert row.evidence == ("report", "images")
    assert row.missing_evidence == ()
    assert row.complete_at == late_photos.received_at
    assert row.messages == 2


def test_complete_at_empty_until_every_required_kind_is_present() -> None:
    row = compute_status(request(), UNIT, [msg(DEADLINE - timedelta(hours=1), "images")],
                         DEADLINE + timedelta(days=1))
    assert row.complete_at is None
    assert row.evidence == ("images",)
    assert row.missing_evidence == ("report",)
    only_report = compute_status(request(requires=("report",)), UNIT,
                                 [msg(DEADLINE - timedelta(hours=1), "report")], DEADLINE)
    assert only_report.complete_at == DEADLINE - timedelta(hours=1)


def test_extension_moves_the_units_deadline() -> None:
    until = DEADLINE + timedelta(days=1)
    row = compute_status(request(), UNIT, [msg(DEADLINE + timedelta(hours=5), "report")],
                         DEADLINE + timedelta(days=2), extended_until=until)
    assert row.status == Status.ON_TIME
    assert row.deadline == until
    late = compute_status(request(), UNIT, [msg(until + timedelta(minutes=2), "report")],
                          DEADLINE + timedelta(days=2), extended_until=until)
    assert (late.status, late.minutes_late) == (Status.LATE, 2)


def test_excused_wins_over_missing() -> None:
    row = compute_status(request(), UNIT, [], DEADLINE + timedelta(days=1), excuse="nghỉ lễ")
    assert row.status == Status.EXCUSED
    assert row.excuse_reason == "nghỉ lễ"


def test_instants_not_wall_clock_times_are_compared() -> None:
    utc_arrival = datetime(2023, 8, 11, 3, 59, 59, tzinfo=ZoneInfo("UTC"))  # 10:59:59 +07
    row = compute_status(request(), UNIT, [msg(utc_arrival, "report", "images")], DEADLINE)
    assert row.status == Status.ON_TIME
