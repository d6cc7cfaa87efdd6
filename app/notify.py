"""Mail to units, the use case: decide what is due (outputs/notify_rules.py), compose it
(outputs/notify_mail.py), record it in the outbox (ingest/outbox.py), then send it over SMTP, or
with `send = false` write it to output_dir/outbox/ as an .eml file.

`notify_units` is the run's step (before the outputs); `outbox_warnings` and `outbox_counts` are
what `check`, report.html and the workspace show; `remind` (app/remind.py) builds on
`context_for` and `reminder_mail`.

At most once: each mail is committed as `sending` before its first byte goes to the server, and
marked `sent` after. Killed in between, it is found by the next run and marked `unknown`, never
sent again by itself.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP, compat32
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from config.model import NotifyConfig, Request, Settings, Unit
from ingest.datadir import prepare_dir
from ingest.decisions import in_effect
from ingest.files import write_atomic
from ingest.outbox import (
    MAX_ATTEMPTS,
    SINCE_KEY,
    MailState,
    NewMail,
    Outbox,
    OutboxMail,
    Told,
    retry_delay,
)
from ingest.store import Store, safe_filename
from outputs.errors import MailSendError
from outputs.health import HealthWarning
from outputs.notify_rules import (
    RECEIPT,
    ReplyFacts,
    UnitMessage,
    next_reminder_at,
    owes,
    receipt_allowed,
    receipts_due,
    reminders_due,
    unit_addresses,
)
from outputs.snapshot import Snapshot
from outputs.status import StatusRow
from parsers.headers import header_address, header_text, raw_header
from parsers.records import ParsedMessage

if TYPE_CHECKING:
    from outputs.notify_mail import Counted, Office

log = logging.getLogger("mailtally.notify")

STATE_KEY = "notify_state"  # meta: the outputs key and the time of the last look at the units
HOUR = timedelta(hours=1)
# Tests only: kill this process right after a mail is recorded as `sending` (or after it was
# handed to the server), to prove that it is then never sent twice.
KILL_ENV = "MAILTALLY_TEST_KILL"


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one pass over the outbox did."""

    sent: int = 0
    written: int = 0
    retry: int = 0
    failed: int = 0
    unknown: int = 0
    held: int = 0  # left queued by max_per_hour or a server that is down


def office_of(settings: Settings, cfg: NotifyConfig) -> Office:
    from outputs.notify_mail import Office

    return Office(sender=cfg.sender, language=settings.language, tz=settings.timezone)


# -- deciding and recording -------------------------------------------------------------------


def reply_facts(store: Store, parsed: ParsedMessage) -> ReplyFacts:
    """The headers of a stored message that say whether it may be answered (read from its raw
    bytes: only the few messages a receipt would answer are read)."""
    stored = store.message(parsed.message_key)
    if stored is None:
        return ReplyFacts(sender=parsed.sender, auto_reply=True)  # unknown: do not answer
    head = BytesHeaderParser(policy=compat32).parsebytes(store.read_raw(stored))
    return_path = head.get("Return-Path")
    return ReplyFacts(
        sender=header_address(head.get("From"))[1] or parsed.sender,
        auto_submitted=header_text(head.get("Auto-Submitted"), 100),
        precedence=header_text(head.get("Precedence"), 100),
        list_id=header_text(head.get("List-Id"), 300),
        list_unsubscribe=header_text(head.get("List-Unsubscribe"), 300),
        return_path=None if return_path is None else raw_header(return_path)[:400],
        auto_reply=parsed.auto_reply,
        bounce=parsed.bounce,
    )


@dataclass(frozen=True, slots=True)
class NotifyContext:
    settings: Settings
    cfg: NotifyConfig
    office: Office
    requests: dict[str, Request]
    units: dict[str, Unit]
    learned: dict[str, str]
    parsed: dict[tuple[str, str], list[ParsedMessage]]
    messages: dict[tuple[str, str], list[UnitMessage]]

    def counted(self, row: StatusRow) -> Counted:
        from outputs.notify_mail import counted_for

        return counted_for(self.parsed.get((row.request_id, row.unit_code), []), row.evidence)

    def recipients(self, row: StatusRow) -> tuple[str, ...]:
        unit = self.units.get(row.unit_code)
        return unit_addresses(unit, self.learned) if unit is not None else ()


def context_for(settings: Settings, cfg: NotifyConfig, store: Store, snap: Snapshot
                ) -> NotifyContext:
    """What composing mails for `snap` needs: the units' messages by (request, unit), the
    roster and the learned addresses."""
    by_key = {p.message_key: p for p in snap.parsed}
    parsed: dict[tuple[str, str], list[ParsedMessage]] = defaultdict(list)
    messages: dict[tuple[str, str], list[UnitMessage]] = defaultdict(list)
    for pl in snap.placements:
        if pl.reason is not None or pl.unit_code is None or pl.request_id is None:
            continue
        p = by_key[pl.message_key]
        pair = (pl.request_id, pl.unit_code)
        parsed[pair].append(p)
        messages[pair].append(UnitMessage(p.message_key, p.received_at,
                                          snap.evidence.get(p.message_key, ())))
    return NotifyContext(settings, cfg, office_of(settings, cfg),
                         {r.id: r for r in settings.requests},
                         {u.code: u for u in settings.units},
                         in_effect(store.decisions()).learned, dict(parsed), dict(messages))


def _new_mail(kind: str, row: StatusRow, slot: str, recipients: tuple[str, ...],
              msg: EmailMessage, expires_at: datetime | None = None) -> NewMail:
    return NewMail(
        kind=kind, request_id=row.request_id, unit_code=row.unit_code, slot=slot,
        message_id=str(msg["Message-ID"]).strip(),
        in_reply_to=str(msg.get("In-Reply-To") or "").strip(),
        recipients=recipients, subject=str(msg["Subject"]),
        raw=msg.as_bytes(policy=SMTP), expires_at=expires_at)


def _receipts(ctx: NotifyContext, store: Store, rows: Sequence[StatusRow], since: datetime,
              now: datetime, outbox: Outbox) -> tuple[list[NewMail], dict[tuple[str, str], Told]]:
    from outputs.notify_mail import Answering, compose_receipt

    due, changed = receipts_due(rows, outbox.told(), ctx.messages)
    mails: list[NewMail] = []
    if not ctx.cfg.receipts:
        return mails, changed  # still remembered: turning receipts on answers no old mail
    by_key = {p.message_key: p for ps in ctx.parsed.values() for p in ps}
    old = 0
    for d in due:
        parsed = by_key[d.message_key]
        if parsed.received_at < since:  # checked first: a first sync reads no raw message
            old += 1
            continue
        why = receipt_allowed(parsed.received_at, reply_facts(store, parsed), since,
                              ctx.settings.own_addresses)
        to = ctx.recipients(d.row)
        if why is None and not to:
            why = "no_address"
        if why is not None:
            log.info("event=receipt_skipped request=%s unit=%s message_key=%s reason=%s",
                     d.row.request_id, d.row.unit_code, d.message_key, why)
            continue
        msg = compose_receipt(
            ctx.office, ctx.requests[d.row.request_id], ctx.units[d.row.unit_code], d.row, to,
            ctx.counted(d.row),
            Answering(parsed.message_id, parsed.references, parsed.subject, parsed.received_at),
            now)
        mails.append(_new_mail(RECEIPT, d.row, d.slot, to, msg))
    if old:
        log.info("event=receipts_skipped reason=before_notify rows=%d since=%s", old,
                 since.isoformat())
    return mails, changed


def reminder_mail(ctx: NotifyContext, kind: str, row: StatusRow, slot: str, now: datetime,
                  expires_at: datetime | None) -> NewMail | None:
    """The reminder or overdue notice for `row`, composed; None when the unit has no address."""
    from outputs.notify_mail import compose_reminder

    to = ctx.recipients(row)
    if not to:
        log.info("event=reminder_skipped request=%s unit=%s reason=no_address",
                 row.request_id, row.unit_code)
        return None
    msg = compose_reminder(ctx.office, kind, ctx.requests[row.request_id],
                           ctx.units[row.unit_code], row, to, ctx.counted(row), now)
    return _new_mail(kind, row, slot, to, msg, expires_at)


def plan(settings: Settings, cfg: NotifyConfig, store: Store, outbox: Outbox, snap: Snapshot,
         since: datetime, now: datetime) -> int:
    """Decide what units are owed now, compose it and record it (queued) with what they were
    told, in one transaction. Returns how many mails were queued."""
    ctx = context_for(settings, cfg, store, snap)
    mails, told = _receipts(ctx, store, snap.rows, since, now, outbox)
    for d in reminders_due(snap.rows, ctx.requests, cfg, since, now, outbox.reminder_slots()):
        mail = reminder_mail(ctx, d.kind, d.row, d.slot, now, d.expires_at)
        if mail is not None:
            mails.append(mail)
    done = [(r.request_id, r.unit_code) for r in snap.rows if not owes(r)]
    queued = outbox.record(mails, told, done, now)
    if queued:
        log.info("event=notify_queued mails=%d", queued)
    return queued


# -- sending ----------------------------------------------------------------------------------


def _test_kill(point: str) -> None:
    if os.environ.get(KILL_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def eml_name(mail: OutboxMail, tz: ZoneInfo) -> str:
    """`00001-20230825-090000-receipt-178-TB-ĐTN-BHXH.eml`: in the order they were recorded."""
    stamp = mail.created_at.astimezone(tz).strftime("%Y%m%d-%H%M%S")
    request = safe_filename(mail.request_id.replace("/", "-"))
    return safe_filename(f"{mail.id:05d}-{stamp}-{mail.kind}-{request}-{mail.unit_code}.eml")


def deliver(settings: Settings, outbox: Outbox, now: datetime) -> Delivery:
    """Send (or write) what the outbox holds for now: queued mails, and retries whose time has
    come, oldest first, at most `max_per_hour` handed to the server in any hour."""
    cfg = settings.notify
    if cfg is None:
        return Delivery()
    pending = outbox.pending(now)
    if not pending:
        return Delivery()
    counts: dict[str, int] = defaultdict(int)
    if not cfg.send:
        folder = settings.output_dir / "outbox"
        prepare_dir(settings.output_dir)  # one that may not be written: the path and the fix
        prepare_dir(folder)
        for mail in pending:
            write_atomic(folder / eml_name(mail, settings.timezone), mail.raw)
            outbox.finish(mail.id, MailState.WRITTEN, now)
            counts["written"] += 1
        log.info("event=notify_written mails=%d folder=outbox", counts["written"])
        return Delivery(written=counts["written"])
    from outputs.mail import send_mail  # only when there is mail: smtplib is not cheap

    assert settings.smtp is not None  # the loader refuses send = true without [smtp]
    budget = cfg.max_per_hour - outbox.handed_over_since(now - HOUR)
    for n, mail in enumerate(pending):
        if budget <= 0:
            counts["held"] += len(pending) - n
            log.warning("event=notify_rate_limited held=%d max_per_hour=%d",
                        len(pending) - n, cfg.max_per_hour)
            break
        outbox.mark_sending(mail.id, now)
        _test_kill("notify_after_record")
        budget -= 1
        try:
            send_mail(settings.smtp, mail.raw, list(mail.recipients))
        except MailSendError as exc:
            state, retry_at = _outcome(exc, mail.attempts + 1, now)
            detail = f"{exc.server}: {exc.kind}: {exc.detail}"[:500]
            outbox.finish(mail.id, state, now, detail, retry_at)
            counts[state.value] += 1
            log.warning("event=notify_send_failed id=%d kind=%s unit=%s state=%s reason=%s",
                        mail.id, mail.kind, mail.unit_code, state.value, detail)
            if exc.temporary and not exc.maybe_sent:
                counts["held"] += len(pending) - n - 1  # the server is down: try them later
                break
            continue
        _test_kill("notify_after_send")
        outbox.finish(mail.id, MailState.SENT, now)
        counts["sent"] += 1
        log.info("event=notify_sent id=%d kind=%s request=%s unit=%s recipients=%d",
                 mail.id, mail.kind, mail.request_id, mail.unit_code, len(mail.recipients))
    return Delivery(sent=counts["sent"], retry=counts["retry"], failed=counts["failed"],
                    unknown=counts["unknown"], held=counts["held"])


def _outcome(exc: MailSendError, attempts: int, now: datetime
             ) -> tuple[MailState, datetime | None]:
    if exc.maybe_sent:
        return MailState.UNKNOWN, None
    if exc.temporary and attempts < MAX_ATTEMPTS:
        return MailState.RETRY, now + retry_delay(attempts)
    return MailState.FAILED, None


# -- the run's step ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NotifyStep:
    """What the run's step did: the snapshot it built (for the outputs to reuse), and whether
    some mail did not go (or may not have), which the outputs must then show."""

    snapshot: Snapshot | None = None
    delivery: Delivery | None = None
    trouble: bool = False


def notify_units(settings: Settings, store: Store, now: datetime, key: str,
                 snapshot: Callable[[], Snapshot]) -> NotifyStep:
    """The run's step, before the outputs: with `[notify]`, look at the units when something
    changed (`key`, the outputs' fingerprint, differs from the last look) or a reminder fell due
    since the last look, record what is owed, then send what the outbox holds. `snapshot` is
    called only when the units must be looked at, so a run with nothing new stays cheap."""
    cfg = settings.notify
    if cfg is None:
        if store.get_meta(SINCE_KEY) is not None:  # switched off: switching on again starts anew
            store.forget_meta(SINCE_KEY, STATE_KEY)
            log.info("event=notify_switched_off")
        return NotifyStep()
    outbox = Outbox(store)
    since = cfg.since or outbox.since(now)
    lost = outbox.recover(now)
    if lost:
        log.warning("event=notify_unknown mails=%d reason=a_run_stopped_while_sending", lost)
    last = json.loads(store.get_meta(STATE_KEY) or "{}")
    looked_at = datetime.fromisoformat(last["at"]) if last.get("at") else None
    look = last.get("key") != key or looked_at is None
    if not look and looked_at is not None:
        extensions = in_effect(store.decisions()).extensions
        extended = [(rid, until) for (_, rid), until in extensions.items()]
        due = next_reminder_at(settings.requests, extended, cfg, looked_at)
        look = due is not None and due <= now
    snap = None
    if look:
        snap = snapshot()
        plan(settings, cfg, store, outbox, snap, since, now)
        store.set_meta(STATE_KEY, json.dumps({"key": key, "at": now.astimezone(UTC).isoformat()}))
    d = deliver(settings, outbox, now)
    return NotifyStep(snap, d, trouble=bool(lost or d.retry or d.failed or d.unknown))


# -- what the office sees ---------------------------------------------------------------------

TROUBLE = (MailState.RETRY, MailState.FAILED, MailState.UNKNOWN)


def outbox_warnings(settings: Settings, store: Store) -> list[HealthWarning]:
    """One warning per kind of trouble in the outbox (retry, failed, unknown), with how many,
    which units and the latest reason: for `check`, report.html and the workspace."""
    if settings.notify is None:
        return []
    by_state: dict[MailState, list[OutboxMail]] = defaultdict(list)
    for mail in Outbox(store).trouble():
        by_state[mail.state].append(mail)
    out = []
    for state in TROUBLE:
        mails = by_state.get(state)
        if mails:
            units = ", ".join(sorted({m.unit_code for m in mails})[:10])
            out.append(HealthWarning(f"outbox_{state.value}", {
                "n": len(mails), "error": mails[0].error, "units": units}))
    return out


def outbox_counts(settings: Settings, store: Store) -> dict[str, int] | None:
    """How many mails to units are in each state (None without [notify])."""
    if settings.notify is None:
        return None
    counts = Outbox(store).counts()
    return {s.value: counts[s.value] for s in MailState if s.value in counts}
