"""What units are owed (pure): receipts when a row changes because of the unit's message,
the latest reminder or overdue notice that fell due, never an answer to a machine."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.loader import parse_offset
from config.model import NotifyConfig, Request, Unit
from ingest.outbox import Told
from outputs.notify_rules import (
    OVERDUE,
    REMINDER,
    ReplyFacts,
    UnitMessage,
    may_answer,
    next_reminder_at,
    receipt_allowed,
    receipts_due,
    reminders_due,
    unit_addresses,
)
from outputs.status import PlacedMessage, Status, StatusRow, compute_status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = datetime(2023, 8, 11, 11, 0, tzinfo=VN)
REQUEST = Request(id="178-TB/ĐTN", title="t", issued=datetime(2023, 8, 3, tzinfo=VN),
                  deadline=DEADLINE, grace_minutes=30)
UNIT = Unit("STP", "Đoàn Sở Tư pháp", emails=("doan@stp.vn",))
CFG = NotifyConfig(reminders=(timedelta(hours=48), timedelta(hours=2)),
                   overdue=(timedelta(hours=2), timedelta(days=1)))
SINCE = datetime(2023, 8, 1, tzinfo=VN)
OWN = ("doankhoi@example.gov.vn",)


Sent = Sequence[tuple[str, datetime, tuple[str, ...]]]


def row(messages: Sent, now: datetime,
        excuse: str | None = None) -> StatusRow:
    placed = [PlacedMessage(k, at, ev, (), "a@x.vn", "s", "address") for k, at, ev in messages]
    return compute_status(REQUEST, UNIT, placed, now, excuse=excuse)


def unit_messages(messages: Sent) -> dict[tuple[str, str], list[UnitMessage]]:
    return {(REQUEST.id, UNIT.code): [UnitMessage(k, at, ev) for k, at, ev in messages]}


def test_offsets_parse_as_written_in_settings() -> None:
    assert parse_offset("48h") == timedelta(hours=48)
    assert parse_offset("30m") == timedelta(minutes=30)
    assert parse_offset("1d") == timedelta(days=1)
    assert parse_offset("1h30m") == timedelta(minutes=90)
    for bad in ("", "h", "0h", "2 hours", "-2h", "2x"):
        assert parse_offset(bad) is None, bad


def test_first_evidence_then_completion_give_one_receipt_each() -> None:
    t1 = DEADLINE - timedelta(hours=5)
    t2 = DEADLINE - timedelta(hours=1)
    first = [("m1", t1, ("report",))]
    r1 = row(first, t1)
    due, told = receipts_due([r1], {}, unit_messages(first))
    assert [d.message_key for d in due] == ["m1"]
    # The same state again: nothing more.
    again, changed = receipts_due([r1], told, unit_messages(first))
    assert again == [] and changed == {}
    both = [*first, ("m2", t2, ("images",))]
    r2 = row(both, t2)
    due2, told2 = receipts_due([r2], told, unit_messages(both))
    assert [d.message_key for d in due2] == ["m2"]
    assert due2[0].slot.endswith(":complete")
    assert told2[(REQUEST.id, UNIT.code)] == Told(("report", "images"), True, "m2")


def test_a_message_without_new_evidence_brings_no_receipt() -> None:
    t1 = DEADLINE - timedelta(hours=5)
    first = [("m1", t1, ("report", "images"))]
    _, told = receipts_due([row(first, t1)], {}, unit_messages(first))
    # A later question, or an out-of-office reply that got placed: no evidence, no receipt.
    more = [*first, ("m2", t1 + timedelta(hours=1), ())]
    due, _ = receipts_due([row(more, t1)], told, unit_messages(more))
    assert due == []


def test_an_excused_unit_gets_no_receipt() -> None:
    t1 = DEADLINE - timedelta(hours=5)
    first = [("m1", t1, ("report",))]
    due, _ = receipts_due([row(first, t1, excuse="x")], {}, unit_messages(first))
    assert due == []


def test_mail_from_before_notify_was_switched_on_is_never_answered() -> None:
    facts = ReplyFacts(sender="doan@stp.vn")
    assert receipt_allowed(SINCE - timedelta(seconds=1), facts, SINCE, OWN) == "before_notify"
    assert receipt_allowed(SINCE, facts, SINCE, OWN) is None


@pytest.mark.parametrize(("facts", "reason"), [
    (ReplyFacts(sender="a@x.vn", auto_submitted="auto-replied"), "auto_submitted"),
    (ReplyFacts(sender="a@x.vn", auto_submitted="auto-generated"), "auto_submitted"),
    (ReplyFacts(sender="a@x.vn", auto_reply=True), "auto_reply"),
    (ReplyFacts(sender="a@x.vn", bounce=True), "bounce"),
    (ReplyFacts(sender="a@x.vn", precedence="bulk"), "precedence"),
    (ReplyFacts(sender="a@x.vn", precedence="List"), "precedence"),
    (ReplyFacts(sender="a@x.vn", precedence="junk"), "precedence"),
    (ReplyFacts(sender="a@x.vn", list_id="<tin.doan.vn>"), "mailing_list"),
    (ReplyFacts(sender="a@x.vn", list_unsubscribe="<mailto:u@x.vn>"), "mailing_list"),
    (ReplyFacts(sender="a@x.vn", return_path="<>"), "null_return_path"),
    (ReplyFacts(sender="MAILER-DAEMON@mx.x.vn"), "daemon"),
    (ReplyFacts(sender="postmaster@x.vn"), "daemon"),
    (ReplyFacts(sender="doankhoi@example.gov.vn"), "own_address"),
])
def test_machines_lists_and_the_office_are_never_answered(facts: ReplyFacts, reason: str) -> None:
    assert may_answer(facts, OWN) == reason


def test_a_person_is_answered() -> None:
    assert may_answer(ReplyFacts(sender="a@x.vn", auto_submitted="no",
                                 return_path="<a@x.vn>"), OWN) is None


def test_only_the_roster_and_learned_addresses() -> None:
    learned = {"bithu@gmail.com": "STP", "other@gmail.com": "SXD"}
    assert unit_addresses(UNIT, learned) == ("doan@stp.vn", "bithu@gmail.com")


def _due(rows: list[StatusRow], now: datetime, recorded: set[tuple[str, str, str]] | None = None,
         since: datetime = SINCE) -> list[tuple[str, datetime]]:
    found = reminders_due(rows, {REQUEST.id: REQUEST}, CFG, since, now, recorded or set())
    return [(d.kind, d.due_at) for d in found]


def test_pending_units_get_the_latest_reminder_that_fell_due() -> None:
    now = DEADLINE - timedelta(hours=1)  # both 48h and 2h have passed: only 2h is sent
    pending = row([], now)
    assert _due([pending], now) == [(REMINDER, DEADLINE - timedelta(hours=2))]
    assert _due([pending], DEADLINE - timedelta(hours=49)) == []


def test_a_reminder_once_recorded_is_not_due_again() -> None:
    now = DEADLINE - timedelta(hours=1)
    found = reminders_due([row([], now)], {REQUEST.id: REQUEST}, CFG, SINCE, now, set())
    recorded = {(REQUEST.id, UNIT.code, found[0].slot)}
    assert _due([row([], now)], now, recorded) == []
    # An earlier one recorded does not stop a later one.
    early = reminders_due([row([], DEADLINE - timedelta(hours=47))], {REQUEST.id: REQUEST}, CFG,
                          SINCE, DEADLINE - timedelta(hours=47), set())
    assert _due([row([], now)], now, {(REQUEST.id, UNIT.code, early[0].slot)}) == [
        (REMINDER, DEADLINE - timedelta(hours=2))]


def test_overdue_after_deadline_plus_grace_and_reminders_stop_at_it() -> None:
    close = DEADLINE + timedelta(minutes=30)
    now = close + timedelta(hours=3)
    missing = row([], now)
    assert missing.status == Status.MISSING
    assert _due([missing], now) == [(OVERDUE, close + timedelta(hours=2))]
    # Between the deadline and the first overdue offset: the 2h reminder is stale, not sent.
    assert _due([row([], close + timedelta(minutes=5))], close + timedelta(minutes=5)) == []


def test_incomplete_units_are_reminded_complete_and_excused_ones_are_not() -> None:
    now = DEADLINE - timedelta(hours=1)
    early = DEADLINE - timedelta(hours=30)
    incomplete = row([("m1", early, ("report",))], now)
    complete = row([("m2", early, ("report", "images"))], now)
    excused = row([], now, excuse="x")
    assert _due([incomplete], now) == [(REMINDER, DEADLINE - timedelta(hours=2))]
    assert _due([complete, excused], now) == []


def test_nothing_that_fell_due_before_notify_was_switched_on() -> None:
    now = DEADLINE + timedelta(days=400)  # last year's notice, seen by a first sync today
    assert _due([row([], now)], now, since=now) == []


def test_next_reminder_instant_for_the_cheap_check() -> None:
    after = DEADLINE - timedelta(hours=3)
    assert next_reminder_at([REQUEST], [], CFG, after) == DEADLINE - timedelta(hours=2)
    later = DEADLINE + timedelta(days=2)
    assert next_reminder_at([REQUEST], [], CFG, later) is None
    extended = DEADLINE + timedelta(days=5)
    assert next_reminder_at([REQUEST], [(REQUEST.id, extended)], CFG, later) == (
        extended - timedelta(hours=48))
