"""Status rules: on time / late judged on complete_at at the second, minutes rounded up,
incomplete, accept, excuse, extension, bounces and the notes column."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.model import Request, Unit
from matching.records import Reason
from outputs.status import (
    Bounce,
    PlacedMessage,
    Status,
    bounces_for,
    compute_status,
    minutes_late,
)
from outputs.tables import assign_commands, local_short, office_command, report_rows, row_notes

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
    after = compute_status(request(), UNIT,
                           [msg(DEADLINE + timedelta(seconds=1), "report", "images")], now)
    assert (after.status, after.minutes_late) == (Status.LATE, 1)


def test_grace_keeps_on_time_but_lateness_counts_from_the_deadline() -> None:
    now = DEADLINE + timedelta(days=1)
    inside = compute_status(request(grace=5, requires=("report",)), UNIT,
                            [msg(DEADLINE + timedelta(minutes=5), "report")], now)
    assert inside.status == Status.ON_TIME
    outside = compute_status(request(grace=5, requires=("report",)), UNIT,
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


def test_status_is_judged_on_complete_at_not_on_the_first_evidence() -> None:
    first = msg(DEADLINE - timedelta(hours=1), "report", key="k1", sender="first@x.vn")
    late_photos = msg(DEADLINE + timedelta(hours=3), "images", key="k2", sender="second@x.vn")
    row = compute_status(request(), UNIT, [late_photos, first], DEADLINE + timedelta(days=2))
    assert row.status == Status.LATE
    assert row.minutes_late == 180
    assert row.received_at == first.received_at  # the submission starts with the first evidence
    assert row.sender == "first@x.vn"
    assert row.evidence == ("report", "images")
    assert row.missing_evidence == ()
    assert row.complete_at == late_photos.received_at
    assert row.messages == 2


def test_incomplete_before_and_after_the_deadline_with_no_minutes_late() -> None:
    photos = [msg(DEADLINE - timedelta(hours=1), "images")]
    before = compute_status(request(), UNIT, photos, DEADLINE - timedelta(minutes=5))
    after = compute_status(request(), UNIT, photos, DEADLINE + timedelta(days=3))
    for row in (before, after):
        assert row.status == Status.INCOMPLETE
        assert row.minutes_late is None and row.complete_at is None
        assert row.missing_evidence == ("report",)


def test_once_complete_a_later_message_changes_nothing() -> None:
    done = msg(DEADLINE - timedelta(hours=1), "report", "images", key="k1")
    again = msg(DEADLINE + timedelta(days=1), "report", key="k2", sender="later@x.vn")
    row = compute_status(request(), UNIT, [done, again], DEADLINE + timedelta(days=2))
    assert (row.status, row.minutes_late, row.complete_at) == (Status.ON_TIME, 0,
                                                                done.received_at)
    assert row.sender == "a@x.vn"


def test_accept_completes_at_the_latest_evidence() -> None:
    early = msg(DEADLINE - timedelta(hours=2), "images", key="k1")
    later = msg(DEADLINE + timedelta(minutes=30), "images", key="k2")
    question = msg(DEADLINE + timedelta(hours=5), key="k3")
    now = DEADLINE + timedelta(days=1)
    row = compute_status(request(), UNIT, [early, later, question], now, accepted="ảnh đủ rõ")
    assert row.status == Status.LATE
    assert row.complete_at == later.received_at
    assert row.minutes_late == 30
    assert row.missing_evidence == ()
    assert (row.accepted, row.accept_reason) == (True, "ảnh đủ rõ")
    on_time = compute_status(request(), UNIT, [early], now, accepted="")
    assert (on_time.status, on_time.accepted) == (Status.ON_TIME, True)
    not_accepted = compute_status(request(), UNIT, [early, later], now)
    assert (not_accepted.status, not_accepted.accepted) == (Status.INCOMPLETE, False)


def test_accept_does_not_move_a_submission_already_complete() -> None:
    done = msg(DEADLINE - timedelta(hours=1), "report", "images", key="k1")
    extra = msg(DEADLINE + timedelta(hours=1), "images", key="k2")
    row = compute_status(request(), UNIT, [done, extra], DEADLINE + timedelta(days=1),
                         accepted="")
    assert (row.status, row.complete_at) == (Status.ON_TIME, done.received_at)


def test_accept_of_nothing_sent_leaves_the_unit_missing() -> None:
    row = compute_status(request(), UNIT, [], DEADLINE + timedelta(days=1), accepted="")
    assert row.status == Status.MISSING


def test_nothing_required_the_first_placed_message_completes() -> None:
    note = msg(DEADLINE + timedelta(minutes=2))
    row = compute_status(request(requires=()), UNIT, [note], DEADLINE + timedelta(days=1))
    assert (row.status, row.minutes_late, row.complete_at) == (Status.LATE, 2, note.received_at)


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
    row = compute_status(request(), UNIT, [msg(DEADLINE + timedelta(hours=5), "report", "images")],
                         DEADLINE + timedelta(days=2), extended_until=until,
                         extension_reason="mất điện")
    assert row.status == Status.ON_TIME
    assert row.deadline == until
    assert (row.extended, row.extension_reason) == (True, "mất điện")
    late = compute_status(request(), UNIT,
                          [msg(until + timedelta(minutes=2), "report", "images")],
                          DEADLINE + timedelta(days=2), extended_until=until)
    assert (late.status, late.minutes_late) == (Status.LATE, 2)


def test_excused_wins_over_missing() -> None:
    row = compute_status(request(), UNIT, [], DEADLINE + timedelta(days=1), excuse="nghỉ lễ")
    assert row.status == Status.EXCUSED
    assert row.excuse_reason == "nghỉ lễ"
    assert row.missing_evidence == ()  # nothing is asked of an excused unit


def test_instants_not_wall_clock_times_are_compared() -> None:
    utc_arrival = datetime(2023, 8, 11, 3, 59, 59, tzinfo=ZoneInfo("UTC"))  # 10:59:59 +07
    row = compute_status(request(), UNIT, [msg(utc_arrival, "report", "images")], DEADLINE)
    assert row.status == Status.ON_TIME


def test_bounces_concern_the_requests_open_when_they_arrived() -> None:
    req = request()
    inside = Bounce("b1", datetime(2023, 8, 3, 15, 30, tzinfo=VN), "doan@stnmt.vn")
    before = Bounce("b0", datetime(2023, 8, 1, tzinfo=VN), "doan@stnmt.vn")
    long_after = Bounce("b2", DEADLINE + timedelta(days=31), "doan@stnmt.vn")
    assert bounces_for(req, [before, inside, long_after], timedelta(days=30)) == (inside,)


def test_notes_say_decisions_bounces_and_messages_without_evidence() -> None:
    bounce = Bounce("b1", datetime(2023, 8, 3, 15, 30, tzinfo=VN), "doan@stnmt.vn")
    question = msg(DEADLINE - timedelta(hours=3), key="q")
    row = compute_status(request(), UNIT, [question], DEADLINE + timedelta(days=2),
                         extended_until=DEADLINE + timedelta(days=1),
                         extension_reason="xin thêm giờ", bounces=[bounce])
    vi = row_notes(row, "vi", lambda t: local_short(t, VN))
    assert vi == [
        "Được gia hạn đến 12/08/2023 11:00: xin thêm giờ",
        "Thông báo không đến được doan@stnmt.vn (thư báo lỗi lúc 03/08/2023 15:30)",
        "1 thư không kèm báo cáo hay hình ảnh (hỏi, xin gia hạn…)",
    ]
    excused = compute_status(request(), UNIT, [], DEADLINE, excuse="nghỉ lễ")
    assert row_notes(excused, "en", str) == ["Excused: nghỉ lễ"]
    accepted = compute_status(request(), UNIT, [msg(DEADLINE, "images")], DEADLINE,
                              accepted="")
    assert row_notes(accepted, "vi", str) == ["Văn phòng chấp nhận phần đã gửi là đủ"]
    cells = report_rows([row], VN, "vi")[0]
    assert cells[-1] == "; ".join([
        "Được gia hạn đến 2023-08-12T11:00:00+07:00: xin thêm giờ",
        "Thông báo không đến được doan@stnmt.vn (thư báo lỗi lúc 2023-08-03T15:30:00+07:00)",
        "1 thư không kèm báo cáo hay hình ảnh (hỏi, xin gia hạn…)"])


def test_printed_commands_name_the_config_unless_it_is_the_default(tmp_path: Path) -> None:
    default = tmp_path / "config" / "settings.toml"
    assert office_command(default, default) == "mailtally"
    other = tmp_path / "thư mục" / "settings.toml"
    command = office_command(other, default)
    assert command == f"mailtally --config '{other.resolve().as_posix()}'"
    assert assign_commands("abc", Reason.NO_UNIT, None, (), command) == [
        f"{command} assign abc MÃ_ĐƠN_VỊ", f"{command} assign abc --ignore"]
