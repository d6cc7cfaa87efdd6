"""The outbox table: one mail per slot, `sending` rows of a dead process become `unknown`, stale
reminders are dropped, and the hour's count for max_per_hour."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.outbox import MailState, NewMail, Outbox, Told, retry_delay
from ingest.store import Store

NOW = datetime(2023, 8, 10, 5, 0, tzinfo=UTC)


def mail(unit: str, slot: str = "reminder:x", expires: datetime | None = None) -> NewMail:
    return NewMail("reminder", "178", unit, slot, f"<{unit}{slot}@x.vn>", "", (f"{unit}@x.vn",),
                   "s", b"raw", expires)


def test_one_mail_per_slot_and_what_was_told_kept(tmp_path: Path) -> None:
    outbox = Outbox(Store(tmp_path))
    told = {("178", "A"): Told(("report",), False, "k1")}
    assert outbox.record([mail("A"), mail("B")], told, [], NOW) == 2
    assert outbox.record([mail("A"), mail("A", "reminder:y")], {}, [], NOW) == 1
    assert outbox.told() == told
    assert outbox.reminder_slots() == {("178", "A", "reminder:x"), ("178", "A", "reminder:y"),
                                       ("178", "B", "reminder:x")}
    assert outbox.since(NOW) == NOW
    assert outbox.since(NOW + timedelta(days=1)) == NOW  # recorded once, the first time


def test_sending_rows_of_a_dead_process_become_unknown(tmp_path: Path) -> None:
    store = Store(tmp_path)
    outbox = Outbox(store)
    outbox.record([mail("A"), mail("B")], {}, [], NOW)
    a, b = outbox.pending(NOW)
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    outbox.mark_sending(a.id, NOW)
    store.db.execute("UPDATE outbox SET pid=? WHERE id=?", (int(done.stdout), a.id))
    outbox.mark_sending(b.id, NOW)  # this process: an earlier attempt that never finished
    assert outbox.handed_over_since(NOW - timedelta(hours=1)) == 2
    assert outbox.recover(NOW) == 2
    assert outbox.counts() == {"unknown": 2}
    assert outbox.pending(NOW) == []  # never sent again by itself
    assert [m.state for m in outbox.trouble()] == [MailState.UNKNOWN, MailState.UNKNOWN]


def test_stale_and_no_longer_owed_reminders_are_dropped(tmp_path: Path) -> None:
    outbox = Outbox(Store(tmp_path))
    outbox.record([mail("A", expires=NOW + timedelta(minutes=1)), mail("B"), mail("C")], {},
                  [("178", "C")], NOW)
    assert [m.unit_code for m in outbox.pending(NOW)] == ["A", "B"]
    assert [m.unit_code for m in outbox.pending(NOW + timedelta(minutes=1))] == ["B"]
    assert outbox.counts() == {"dropped": 2, "queued": 1}


def test_a_retry_waits_its_turn(tmp_path: Path) -> None:
    outbox = Outbox(Store(tmp_path))
    outbox.record([mail("A")], {}, [], NOW)
    (a,) = outbox.pending(NOW)
    outbox.mark_sending(a.id, NOW)
    outbox.finish(a.id, MailState.RETRY, NOW, "451", NOW + retry_delay(1))
    assert outbox.pending(NOW + timedelta(minutes=4)) == []
    assert outbox.has_pending(NOW + timedelta(minutes=5))
    assert outbox.handed_over_since(NOW - timedelta(hours=1)) == 0  # a refusal sent nothing
    assert [retry_delay(n) for n in (1, 2, 3, 10)] == [
        timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20), timedelta(hours=2)]
