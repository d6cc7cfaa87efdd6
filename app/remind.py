"""`remind REQUEST_ID [--send]`: the reminder each unit that still owes a request something
would get now, and, with `--send`, sending them at once (CONTRACT.md, "Mail to units").

Nothing here prints: the command line (and the workspace) say the `RemindResult`.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

from app.lock import data_dir_lock
from app.notify import Delivery, context_for, deliver, reminder_mail
from app.runner import snapshot
from config.model import Settings
from ingest.outbox import NewMail, Outbox
from ingest.store import Store
from outputs.notify_rules import OVERDUE, REMINDER, closes_at, owes
from outputs.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class Preview:
    """The reminder one unit would get (no `recipients`: the unit has no address to send to)."""

    unit_code: str
    unit_name: str
    status: str
    recipients: tuple[str, ...]
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class RemindResult:
    request_id: str
    previews: tuple[Preview, ...]
    delivery: Delivery | None  # None when nothing was sent (no --send)


def remind(settings: Settings, store: Store, snap: Snapshot, request_id: str, *, send: bool,
           now: datetime) -> RemindResult:
    """The reminders for `request_id` as of `snap`; with `send`, record them and send them
    (or write them, with `send = false`) within `max_per_hour`. The caller holds the lock."""
    cfg = settings.notify
    assert cfg is not None
    ctx = context_for(settings, cfg, store, snap)
    request = ctx.requests[request_id]
    previews: list[Preview] = []
    mails: list[NewMail] = []
    # One slot per minute: a second `--send` (or a second click in the workspace) within the
    # same minute records nothing new, so it sends nothing twice.
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    slot = f"manual:{minute.isoformat(timespec='minutes')}"
    for row in snap.rows:
        if row.request_id != request_id or not owes(row):
            continue
        kind = REMINDER if now < closes_at(row, request) else OVERDUE
        mail = reminder_mail(ctx, kind, row, slot, now, None)
        if mail is None:
            previews.append(Preview(row.unit_code, row.unit_name, row.status.value, (), "", ""))
            continue
        full = email.message_from_bytes(mail.raw, policy=email.policy.default)
        assert isinstance(full, EmailMessage)
        body = full.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        previews.append(Preview(row.unit_code, row.unit_name, row.status.value, mail.recipients,
                                str(full["Subject"]), str(text)))
        mails.append(mail)
    if not send:
        return RemindResult(request_id, tuple(previews), None)
    outbox = Outbox(store)
    outbox.recover(now)
    outbox.record(mails, {}, [], now)
    return RemindResult(request_id, tuple(previews), deliver(settings, outbox, now))


def run_remind(settings: Settings, request_id: str, *, send: bool, now: datetime,
               wait: float) -> RemindResult:
    """Take the data dir (waiting up to `wait` seconds for a run that holds it), look at the
    units as of `now`, and return (and with `send`, send) the reminders. `request_id` is
    resolved as the office types it (`178`, without diacritics...).

    Raises:
        UnknownError: no request has that id (with the closest ones).
        LockBusyError: the data dir stayed busy.
        StorageError: the store could not be read or written.
    """
    from app.decisions import _request_id  # the same forgiving reading as excuse, extend...

    request_id = _request_id(settings, request_id)
    with data_dir_lock(settings.data_dir, wait=wait):
        store = Store(settings.data_dir)
        try:
            return remind(settings, store, snapshot(settings, store, now), request_id,
                          send=send, now=now)
        finally:
            store.close()
