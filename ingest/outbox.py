"""The outbox: every mail to a unit, recorded in the store before it leaves, so that exactly what
was sent is known and nothing is sent twice, also across a crash.

A mail's life (`state`):

    queued ──> sending ──> sent           (or `written`: send = false, an .eml file instead)
                  │  ├──> retry ──> sending ...   the server said "not now" (4xx, no connection)
                  │  ├──> failed              the server said no (5xx), or too many retries
                  │  └──> unknown             the connection broke after the hand-over
                  └─────> unknown             the process died while the row said `sending`
    queued ──> dropped                        no longer true (the unit reported) or too late

A `sending` row is committed before the first byte goes to the server. A run that finds one left
by a process that is gone cannot know whether the server got it: it marks it `unknown` ("not sure
it was sent") for the office to see, and never sends it again by itself.

`notify_told` keeps, per (request, unit), what the unit was last told about (the evidence then,
and the message that brought it), so that a receipt goes out only when that changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ingest.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,          -- receipt | reminder | overdue
    request_id      TEXT NOT NULL,
    unit_code       TEXT NOT NULL,
    slot            TEXT NOT NULL,          -- what it is for: one mail per (request, unit, slot)
    message_id      TEXT NOT NULL,          -- our own Message-ID, with its angle brackets
    in_reply_to     TEXT NOT NULL DEFAULT '',
    recipients      TEXT NOT NULL,          -- joined by semicolons
    subject         TEXT NOT NULL,
    raw             BLOB NOT NULL,          -- the exact bytes that are sent (or written)
    state           TEXT NOT NULL,
    pid             INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,          -- ISO 8601, UTC, as every time here
    attempted_at    TEXT,
    next_attempt_at TEXT,
    expires_at      TEXT,                   -- a reminder is worthless after the deadline
    done_at         TEXT,
    error           TEXT NOT NULL DEFAULT '',
    UNIQUE (request_id, unit_code, slot)
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state);
CREATE TABLE IF NOT EXISTS notify_told (
    request_id TEXT NOT NULL,
    unit_code  TEXT NOT NULL,
    evidence   TEXT NOT NULL,               -- kinds present then, joined by semicolons
    complete   INTEGER NOT NULL,
    last_key   TEXT NOT NULL,               -- the newest message with evidence then
    PRIMARY KEY (request_id, unit_code)
);
"""

SINCE_KEY = "notify_since"
RETRY_FIRST = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=2)
MAX_ATTEMPTS = 12  # about a day of retries at RETRY_MAX


class MailState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    WRITTEN = "written"
    RETRY = "retry"
    FAILED = "failed"
    UNKNOWN = "unknown"
    DROPPED = "dropped"


# Counted against max_per_hour: each of these went (or may have gone) to the server.
HANDED_OVER = (MailState.SENDING, MailState.SENT, MailState.UNKNOWN)
# What the office should see: the mail did not go, or may not have.
TROUBLE = (MailState.RETRY, MailState.FAILED, MailState.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Told:
    """What a unit was last told about one request: the evidence then, and its newest message."""

    evidence: tuple[str, ...] = ()
    complete: bool = False
    last_key: str = ""


@dataclass(frozen=True, slots=True)
class NewMail:
    """A composed mail to record. `slot` makes it unique per (request, unit)."""

    kind: str
    request_id: str
    unit_code: str
    slot: str
    message_id: str
    in_reply_to: str
    recipients: tuple[str, ...]
    subject: str
    raw: bytes
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxMail:
    """A row of the outbox."""

    id: int
    kind: str
    request_id: str
    unit_code: str
    slot: str
    message_id: str
    recipients: tuple[str, ...]
    subject: str
    raw: bytes
    state: MailState
    attempts: int
    created_at: datetime
    attempted_at: datetime | None
    error: str


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():  # our own row found here is from an earlier attempt
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def retry_delay(attempts: int) -> timedelta:
    """5 minutes after the first failure, doubling, at most 2 hours."""
    delay: timedelta = RETRY_FIRST * (2 ** max(attempts - 1, 0))
    return min(delay, RETRY_MAX)


_COLUMNS = ("id, kind, request_id, unit_code, slot, message_id, recipients, subject, raw, "
            "state, attempts, created_at, attempted_at, error")


def _row(r: Sequence[object]) -> OutboxMail:
    created = _dt(str(r[11]))
    assert created is not None
    return OutboxMail(
        id=int(str(r[0])), kind=str(r[1]), request_id=str(r[2]), unit_code=str(r[3]),
        slot=str(r[4]), message_id=str(r[5]),
        recipients=tuple(a for a in str(r[6]).split(";") if a), subject=str(r[7]),
        raw=bytes(r[8]) if isinstance(r[8], bytes | bytearray | memoryview) else b"",
        state=MailState(str(r[9])), attempts=int(str(r[10])), created_at=created,
        attempted_at=_dt(str(r[12])) if r[12] else None, error=str(r[13]))


class Outbox:
    """The outbox tables of a store. Every method that changes a row commits before it returns,
    so that what the table says is what happened, whatever happens next."""

    def __init__(self, store: Store):
        self.store = store
        self.db = store.db
        for statement in SCHEMA.split(";"):  # not executescript: it would commit
            if statement.strip():
                self.db.execute(statement)

    # -- when [notify] was switched on ------------------------------------------------------------

    def since(self, now: datetime) -> datetime:
        """When this store first saw `[notify]`; recorded as `now` the first time it is asked."""
        value = self.store.get_meta(SINCE_KEY)
        if value is None:
            value = _iso(now)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (SINCE_KEY, value))
        return datetime.fromisoformat(value)

    # -- what units were told ---------------------------------------------------------------------

    def told(self) -> dict[tuple[str, str], Told]:
        rows = self.db.execute(
            "SELECT request_id, unit_code, evidence, complete, last_key FROM notify_told")
        return {(r, u): Told(tuple(k for k in e.split(";") if k), bool(c), key)
                for r, u, e, c, key in rows}

    def reminder_slots(self) -> set[tuple[str, str, str]]:
        """(request_id, unit_code, slot) of every reminder and overdue notice ever recorded."""
        rows = self.db.execute(
            "SELECT request_id, unit_code, slot FROM outbox WHERE kind IN ('reminder','overdue')")
        return {(r, u, s) for r, u, s in rows}

    def record(self, mails: Iterable[NewMail], told: dict[tuple[str, str], Told],
               drop: Iterable[tuple[str, str]], now: datetime) -> int:
        """In one transaction: queue `mails` (one already there for its slot is left as it is),
        keep `told`, and drop the queued reminders of the (request, unit) pairs in `drop`.
        Returns how many mails were queued."""
        queued = 0
        with self.store.transaction():
            for m in mails:
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO outbox (kind, request_id, unit_code, slot, message_id,"
                    " in_reply_to, recipients, subject, raw, state, created_at, expires_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (m.kind, m.request_id, m.unit_code, m.slot, m.message_id, m.in_reply_to,
                     ";".join(m.recipients), m.subject, m.raw, MailState.QUEUED.value,
                     _iso(now), _iso(m.expires_at) if m.expires_at else None))
                queued += cur.rowcount
            self.db.executemany(
                "INSERT OR REPLACE INTO notify_told VALUES (?,?,?,?,?)",
                [(r, u, ";".join(t.evidence), int(t.complete), t.last_key)
                 for (r, u), t in told.items()])
            self.db.executemany(
                "UPDATE outbox SET state='dropped', done_at=?, error='no longer owed' "
                "WHERE request_id=? AND unit_code=? AND state='queued' "
                "AND kind IN ('reminder','overdue')",
                [(_iso(now), r, u) for r, u in drop])
        return queued

    # -- sending ----------------------------------------------------------------------------------

    def recover(self, now: datetime) -> int:
        """Mark `sending` rows whose process is gone as `unknown`; return how many."""
        rows = self.db.execute("SELECT id, pid FROM outbox WHERE state='sending'").fetchall()
        dead = [i for i, pid in rows if not _alive(int(pid))]
        if dead:
            with self.store.transaction():
                self.db.executemany(
                    "UPDATE outbox SET state='unknown', done_at=?, error=? WHERE id=?",
                    [(_iso(now), "the run stopped while sending it", i) for i in dead])
        return len(dead)

    def pending(self, now: datetime) -> list[OutboxMail]:
        """Mails to send or write now, oldest first: queued, and retries whose time has come.
        A queued or retried mail past its `expires_at` is dropped instead."""
        stamp = _iso(now)
        with self.store.transaction():
            self.db.execute(
                "UPDATE outbox SET state='dropped', done_at=?, error='too late to be useful' "
                "WHERE state IN ('queued','retry') AND expires_at IS NOT NULL AND expires_at<=?",
                (stamp, stamp))
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE state='queued' "
            "OR (state='retry' AND next_attempt_at<=?) ORDER BY id", (stamp,)).fetchall()
        return [_row(r) for r in rows]

    def has_pending(self, now: datetime) -> bool:
        """Whether `pending` would find anything (a cheap check for runs with nothing new)."""
        row = self.db.execute(
            "SELECT 1 FROM outbox WHERE state='queued' OR (state='retry' AND next_attempt_at<=?)"
            " LIMIT 1", (_iso(now),)).fetchone()
        return row is not None

    def handed_over_since(self, start: datetime) -> int:
        """How many mails went (or may have gone) to the server from `start` on."""
        row = self.db.execute(
            "SELECT count(*) FROM outbox WHERE state IN ('sending','sent','unknown') "
            "AND attempted_at>=?", (_iso(start),)).fetchone()
        return int(row[0])

    def mark_sending(self, mail_id: int, now: datetime) -> None:
        """Committed before the mail goes out: from here on it is never sent again by itself."""
        with self.store.transaction():
            self.db.execute(
                "UPDATE outbox SET state='sending', pid=?, attempts=attempts+1, attempted_at=? "
                "WHERE id=?", (os.getpid(), _iso(now), mail_id))

    def finish(self, mail_id: int, state: MailState, now: datetime, error: str = "",
               retry_at: datetime | None = None) -> None:
        """Record how an attempt ended: sent, written, retry (at `retry_at`), failed, unknown."""
        with self.store.transaction():
            self.db.execute(
                "UPDATE outbox SET state=?, done_at=?, error=?, next_attempt_at=? WHERE id=?",
                (state.value, None if state == MailState.RETRY else _iso(now), error,
                 _iso(retry_at) if retry_at else None, mail_id))

    # -- for the office ---------------------------------------------------------------------------

    def trouble(self) -> list[OutboxMail]:
        """Mails that did not go, or may not have: retry, failed, unknown; newest first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE state IN ('retry','failed','unknown') "
            "ORDER BY id DESC").fetchall()
        return [_row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many mails are in each state."""
        return {str(s): int(n) for s, n in
                self.db.execute("SELECT state, count(*) FROM outbox GROUP BY state")}

    def mail(self, mail_id: int) -> OutboxMail | None:
        """One mail by its number (the workspace's download of its .eml)."""
        row = self.db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id=?",
                              (mail_id,)).fetchone()
        return _row(row) if row else None

    def by_message_id(self, message_id: str) -> OutboxMail | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE message_id=?",
                              (message_id,)).fetchone()
        return _row(row) if row else None
