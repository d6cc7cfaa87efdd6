"""The stages of a run, in order: source → store → parse → match → status → outputs.

`run` is the one function that shows them all; each stage is a function of the stage before.
Placement and status are always recomputed from the store, so a roster change or an `assign`
reaches old mail too.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.model import Settings
from ingest.errors import SourceError, StorageError
from ingest.sources import PollResult, StopCheck, never, poll_source
from ingest.store import Store, StoredMessage
from matching.evidence import evidence_kinds
from matching.placement import NEEDS_PERSON, MatchContext, Override, Placement, place_message
from matching.records import placement_from_json, placement_to_json
from outputs.health import HealthWarning, health_warnings
from outputs.notify import notify_units, outbox_warnings
from outputs.status import PlacedMessage, StatusRow, compute_status
from outputs.tables import LedgerRow, counted_files
from parsers.limits import DEFAULT_LIMITS, Limits, cache_version
from parsers.message import parse_message
from parsers.records import PARSER_VERSION, ParsedMessage, from_json, to_json

log = logging.getLogger("mailtally")

PROGRAM_VERSION = "0.1.0"
PARSE_CHUNK = 100


class LockBusyError(Exception):
    """Another mailtally run holds the data dir."""


@contextmanager
def data_dir_lock(data_dir: Path, *, wait: bool = False) -> Iterator[None]:
    """One writer per data dir: raise LockBusyError at once if another run holds it, or with
    `wait`, wait until it is free."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fh = (data_dir / ".lock").open("a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            if not wait:
                raise LockBusyError(str(data_dir)) from exc
            log.info("event=waiting_for_lock path=%s", data_dir)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a run did; `errors` name each source that could not be read, and why."""

    polls: tuple[PollResult, ...]
    errors: tuple[SourceError, ...]
    messages: int
    placed: int
    needs_person: int
    outputs: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the store says now: every message (light records), placed, and the status table."""

    parsed: list[ParsedMessage]
    placements: list[Placement]
    evidence: dict[str, tuple[str, ...]]
    rows: list[StatusRow]
    now: datetime


# -- stages -----------------------------------------------------------------------------------


def poll_sources(settings: Settings, store: Store, stop: StopCheck = never
                 ) -> tuple[list[PollResult], list[SourceError]]:
    """source → store. A failing source does not stop the others; a store failure stops all."""
    results: list[PollResult] = []
    errors: list[SourceError] = []
    for source in settings.sources:
        if stop():
            break
        try:
            result = poll_source(source, store, stop)
        except SourceError as exc:
            log.error("source=%s event=poll_failed reason=%s", exc.source, exc.reason)
            store.record_poll(source.name, exc.reason)
            errors.append(exc)
            continue
        store.record_poll(source.name)
        log.info("source=%s event=polled seen=%d new=%d", result.source, result.seen, result.new)
        results.append(result)
    return results, errors


AttachmentSaver = Callable[[str, int, str, bytes], str]


def poll_with_parsing(settings: Settings, store: Store, stop: StopCheck
                      ) -> tuple[list[PollResult], list[SourceError]]:
    """source → store, with parsing (and placing) in other processes when many messages arrive
    at once."""
    from parse_pool import ParsePool

    def placing() -> tuple[MatchContext, str]:
        ctx = match_context(settings, store)
        return ctx, placement_basis(settings, ctx)

    pool = ParsePool(store, settings.limits, placing)
    store.on_commit = pool.submit
    try:
        results = poll_sources(settings, store, stop)
    finally:
        store.on_commit = None
        if stop():
            pool.close()
    parsed = pool.collect()
    if parsed:
        log.info("event=parsed_while_fetching messages=%d", parsed)
    return results


def parse_one(store: Store | AttachmentSaver, stored_key: str, raw: bytes, message_id: str,
              received_at: datetime, *, limits: Limits = DEFAULT_LIMITS) -> ParsedMessage:
    """Parse one stored message under `limits` and keep its attachments. Never raises for a bad
    message: a crash becomes reason `unparseable` with a one-line detail (traceback in the log).
    An attachment over `limits.max_attachment_bytes` is not saved apart (its bytes are None)."""
    save = store.save_attachment if isinstance(store, Store) else store
    try:
        parsed, payloads = parse_message(raw, stored_key, message_id, received_at, limits=limits)
        stored = []
        for i, (attachment, data) in enumerate(zip(parsed.attachments, payloads, strict=True)):
            if data is None:
                stored.append(attachment)
                continue
            path = save(stored_key, i, attachment.filename, data)
            stored.append(replace(attachment, stored_path=path))
        return replace(parsed, attachments=tuple(stored))
    except StorageError:
        raise
    except Exception as exc:  # the one boundary per message (STYLE §4)
        log.error("message_key=%s event=parse_crashed error=%s\n%s", stored_key,
                  type(exc).__name__, traceback.format_exc())
        return ParsedMessage(message_key=stored_key, message_id=message_id,
                             received_at=received_at,
                             problem=f"{type(exc).__name__}: {exc}"[:300])


def parse_stored(store: Store, *, limits: Limits = DEFAULT_LIMITS,
                 keep: Callable[[ParsedMessage], ParsedMessage] | None = None,
                 known: Callable[[StoredMessage], bool] | None = None) -> list[ParsedMessage]:
    """store → parse, with the parse cache: a message is parsed again only when the parser
    version or the limits changed, or its receipt time moved (an earlier copy arrived).

    `keep`, when given, sees each full record as it is read and returns what to keep of it, so
    that thousands of full records never have to be held at once. `known`, when given, says for
    a message whether the caller already has all it needs from the full record (its placements,
    from their cache): the light record is then enough and the full one is not read at all.
    """
    keep = keep or (lambda p: p)
    version = cache_version(limits)
    light = store.cached_light_parses(version) if known is not None else {}
    out: list[ParsedMessage] = []
    todo = []
    for stored in store.messages():
        light_json = light.get(stored.message_key)
        if light_json is not None and known is not None:
            record = from_json(json.loads(light_json))
            if record.received_at == stored.received_at and known(stored):
                out.append(record)
                continue
        data = store.cached_parse(stored.message_key, version)
        if data is not None:
            parsed = from_json(data)
            if parsed.received_at == stored.received_at:
                out.append(keep(parsed))
                continue
        todo.append(stored)
    # One transaction (and one flush of attachment files) per chunk, not per message.
    for start in range(0, len(todo), PARSE_CHUNK):
        with store.transaction():
            for stored in todo[start:start + PARSE_CHUNK]:
                raw = store.read_raw(stored)
                parsed = parse_one(store, stored.message_key, raw, stored.message_id,
                                   stored.received_at, limits=limits)
                store.cache_parse(stored.message_key, version, to_json(parsed))
                out.append(keep(parsed))
    if todo:
        log.info("event=parsed messages=%d", len(todo))
    out.sort(key=lambda p: (p.received_at, p.message_key))
    return out


def parsed_message(store: Store, key: str, *, limits: Limits = DEFAULT_LIMITS
                   ) -> ParsedMessage | None:
    """One stored message's record, from the parse cache when it is there."""
    stored = store.message(key)
    if stored is None:
        return None
    data = store.cached_parse(key, cache_version(limits))
    if data is not None:
        return from_json(data)
    return parse_one(store, key, store.read_raw(stored), stored.message_id, stored.received_at,
                     limits=limits)


def match_context(settings: Settings, store: Store) -> MatchContext:
    overrides = {k: Override(u, r, ignore=i) for k, (u, r, i) in store.overrides().items()}
    return MatchContext(
        units=settings.units, requests=settings.requests,
        own_addresses=settings.own_addresses, overrides=overrides, learned=store.learned(),
        abbreviations=settings.abbreviations,
    )


PLACEMENT_VERSION = 3  # bump when matching changes: every cached placement is then redone


def placement_basis(settings: Settings, ctx: MatchContext) -> str:
    """A fingerprint of what every placement depends on besides the message itself."""
    basis = (settings.units, settings.requests, sorted(settings.own_addresses),
             sorted(settings.abbreviations.items()), sorted(ctx.learned.items()),
             cache_version(settings.limits), PLACEMENT_VERSION)
    return hashlib.sha256(repr(basis).encode()).hexdigest()


def placement_stamp(basis: str, ctx: MatchContext, key: str, received_at: datetime) -> str:
    """What one message's cached placement was computed from: the basis, its receipt time and
    the office's override for it."""
    return f"{basis}|{received_at.isoformat()}|{ctx.overrides.get(key)!r}"


def place_for_cache(parsed: ParsedMessage, ctx: MatchContext
                    ) -> tuple[list[Placement], tuple[str, ...], str]:
    """Place one message (pure): its placements, its evidence kinds, and both as the JSON the
    placement cache keeps."""
    placed = list(place_message(parsed, ctx))
    kinds = evidence_kinds(parsed)
    record = json.dumps({"p": [placement_to_json(p) for p in placed], "e": list(kinds)})
    return placed, kinds, record


class Placer:
    """parse → match, with the placement cache: a message is placed again only when what its
    placement depends on changed (roster, requests, learned addresses, its override, its parse).
    """

    def __init__(self, settings: Settings, store: Store, ctx: MatchContext):
        self.ctx = ctx
        self.cache = store.cached_placements()
        self.basis = placement_basis(settings, ctx)
        self.fresh: list[tuple[str, str, str]] = []

    def cached(self, key: str, received_at: datetime
               ) -> tuple[list[Placement], tuple[str, ...]] | None:
        """The cached placements and evidence of a message, if still valid."""
        hit = self.cache.get(key)
        if hit is None or hit[0] != placement_stamp(self.basis, self.ctx, key, received_at):
            return None
        data = json.loads(hit[1])
        return [placement_from_json(d) for d in data["p"]], tuple(data["e"])

    def place(self, parsed: ParsedMessage) -> tuple[list[Placement], tuple[str, ...]]:
        """Every message gets at least one Placement (placed, or with a reason), and its
        evidence kinds."""
        key = parsed.message_key
        hit = self.cached(key, parsed.received_at)
        if hit is not None:
            return hit
        placed, kinds, record = place_for_cache(parsed, self.ctx)
        self.fresh.append(
            (key, placement_stamp(self.basis, self.ctx, key, parsed.received_at), record))
        return placed, kinds


def lighten(parsed: ParsedMessage) -> ParsedMessage:
    """The record without the long texts that only placement reads (memory, for 20,000 mails)."""
    forwarded = parsed.forwarded
    return replace(
        parsed, own_text="",
        attachments=tuple(replace(a, text="") if a.text else a for a in parsed.attachments),
        forwarded=replace(forwarded, text="") if forwarded is not None else None)


def status_all(settings: Settings, store: Store, parsed: list[ParsedMessage],
               placements: list[Placement], evidence: dict[str, tuple[str, ...]],
               now: datetime) -> list[StatusRow]:
    """match → status: one row per (request, expected unit)."""
    by_key = {p.message_key: p for p in parsed}
    placed: dict[tuple[str, str], list[PlacedMessage]] = defaultdict(list)
    for pl in placements:
        if pl.reason is not None or pl.unit_code is None or pl.request_id is None:
            continue
        p = by_key[pl.message_key]
        placed[(pl.request_id, pl.unit_code)].append(PlacedMessage(
            message_key=p.message_key, received_at=p.received_at, evidence=evidence[p.message_key],
            attachment_hashes=tuple(a.sha256 for a in counted_files(p.attachments)),
            sender=p.author, subject=p.subject, match=pl.match.value if pl.match else "",
        ))
    excuses = store.excuses()
    extensions = store.extensions()
    rows = []
    for request in settings.requests:
        for unit in settings.units:
            if not request.expects(unit):
                continue
            ext = extensions.get((unit.code, request.id))
            rows.append(compute_status(
                request, unit, placed.get((request.id, unit.code), []), now,
                excuse=excuses.get((unit.code, request.id)),
                extended_until=ext[0] if ext else None,
            ))
    return rows


def write_outputs(settings: Settings, store: Store, snap: Snapshot) -> tuple[Path, ...]:
    """status → outputs: report.csv, messages.csv, report.xlsx, report.html."""
    from outputs.html import PageInputs, write_report_html
    from outputs.summary import summary_rows
    from outputs.tables import message_rows, report_rows
    from outputs.writers import write_messages_csv, write_report_csv, write_xlsx

    tz = settings.timezone
    out = settings.output_dir
    out.mkdir(parents=True, exist_ok=True)
    now, rows, placements = snap.now, snap.rows, snap.placements
    by_key = {p.message_key: p for p in snap.parsed}
    ledger = [LedgerRow(by_key[pl.message_key], pl, snap.evidence[pl.message_key])
              for pl in placements]
    report = report_rows(rows, tz)
    summary_columns, summary = summary_rows(settings.requests, rows, settings.language)

    def tables() -> None:
        write_report_csv(out / "report.csv", report)
        write_messages_csv(out / "messages.csv", message_rows(ledger, tz))
        write_xlsx(out / "report.xlsx", report, summary, summary_columns)

    thumbnails = Thumbnails(store)
    placed_keys: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pl in placements:
        if pl.reason is None and pl.request_id and pl.unit_code:
            placed_keys[(pl.request_id, pl.unit_code)].append(pl.message_key)
    page = PageInputs(
        language=settings.language, tz=tz, requests=settings.requests, rows=rows,
        ledger=ledger, parsed=by_key, placed_keys=dict(placed_keys),
        data_dir=settings.data_dir, output_dir=out, generated_at=now, polls=store.polls(),
        warnings=[w.text(settings.language) for w in warnings_now(settings, store, now)],
        roster={u.code: u.emails for u in settings.units}, thumbnail=thumbnails,
    )
    wait = beside(tables, "report.csv, messages.csv, report.xlsx")
    try:
        write_report_html(out / "report.html", page, before_rename=wait)
    finally:
        wait()  # already done unless the page failed: the copy is never left behind
    if thumbnails.fresh:
        with store.transaction():
            store.keep_thumbnails(list(thumbnails.fresh.items()))
    return tuple(out / n for n in OUTPUT_NAMES)


class Thumbnails:
    """The page's thumbnails: those kept in the store, and any missing one drawn now (and kept
    by the caller, from `fresh`). Usually the parsing processes drew them all already."""

    def __init__(self, store: Store):
        self.store = store
        self.fresh: dict[str, bytes] = {}

    def __call__(self, stored_path: str, sha256: str) -> bytes:
        from outputs.html import draw_thumbnail

        kept = self.fresh.get(sha256)
        if kept is None:
            kept = self.store.thumbnails([sha256]).get(sha256)
        if kept is None:
            kept = self.fresh[sha256] = draw_thumbnail(self.store.data_dir / stored_path)
        return kept


def beside(work: Callable[[], None], what: str) -> Callable[[], None]:
    """Start `work` in a forked copy of this process, so that it runs on the other core while
    this one goes on; return the function that waits for it and raises StorageError if it
    failed (with the copy's own reason when it was a StorageError, such as a full disk; else
    naming `what`). The tables and the page take about as long as each other.

    Only where a fork is safe: with no other thread running (a lock another thread held would
    stay locked in the copy). Otherwise `work` runs here and now.
    """
    if not hasattr(os, "fork") or threading.active_count() > 1:
        work()
        return lambda: None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: do the work, never return into the caller's stack
        status = 1
        try:
            os.close(read_end)
            work()
            status = 0
        except StorageError as exc:  # said in one line, and told to the run
            log.error("event=outputs_failed files=%s reason=%s", what.replace(" ", ""), exc)
            os.write(write_end, str(exc).encode()[:4000])
        except BaseException:
            log.exception("event=outputs_failed files=%s", what.replace(" ", ""))
        finally:
            os._exit(status)
    os.close(write_end)
    outcome: list[tuple[int, str]] = []

    def wait() -> None:  # may be called again: the copy is waited for once
        if not outcome:
            with os.fdopen(read_end, "rb") as told:
                reason = told.read().decode(errors="replace")
            code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            outcome.append((code, reason))
        code, reason = outcome[0]
        if code != 0:
            raise StorageError(reason or f"không ghi được {what} (could not write; see the log)")

    return wait


# -- the run ------------------------------------------------------------------------------------


def snapshot(settings: Settings, store: Store, now: datetime) -> Snapshot:
    """store → parse → match → status, without polling or writing outputs.

    Each message is placed (or its placement taken from the cache) as it is read, and only a
    light copy of its record is kept.
    """
    placer = Placer(settings, store, match_context(settings, store))
    placements: list[Placement] = []
    evidence: dict[str, tuple[str, ...]] = {}

    def place_and_lighten(parsed: ParsedMessage) -> ParsedMessage:
        placed, evidence[parsed.message_key] = placer.place(parsed)
        placements.extend(placed)
        return lighten(parsed)

    def known(stored: StoredMessage) -> bool:
        hit = placer.cached(stored.message_key, stored.received_at)
        if hit is None:
            return False
        placements.extend(hit[0])
        evidence[stored.message_key] = hit[1]
        return True

    parsed = parse_stored(store, limits=settings.limits, keep=place_and_lighten, known=known)
    if placer.fresh:
        store.cache_placements(placer.fresh)
        log.info("event=placed messages=%d", len(placer.fresh))
    order = {p.message_key: (p.received_at, p.message_key) for p in parsed}
    placements.sort(key=lambda pl: (*order[pl.message_key], pl.request_id or ""))
    rows = status_all(settings, store, parsed, placements, evidence, now)
    return Snapshot(parsed, placements, evidence, rows, now)


def drop_thumbnail_files(data_dir: Path) -> None:
    """Earlier versions kept thumbnails as files in `thumbs/`; they are in the database now
    and drawn again when needed. The folder was mailtally's own cache: removed once."""
    old = data_dir / "thumbs"
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
        log.info("event=old_thumbnail_folder_removed path=thumbs")


def current_time() -> datetime:
    """Now, or the instant in $MAILTALLY_NOW (ISO 8601) for reproducible reports and tests."""
    frozen = os.environ.get("MAILTALLY_NOW")
    if frozen:
        value = datetime.fromisoformat(frozen)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


OUTPUT_NAMES = ("report.csv", "messages.csv", "report.xlsx", "report.html")


def warnings_now(settings: Settings, store: Store, now: datetime) -> list[HealthWarning]:
    return health_warnings(settings.sources, settings.requests, store.polls(),
                           store.latest_received(), settings.schedule.poll_minutes,
                           now) + outbox_warnings(settings, store)


def outputs_key(settings: Settings, store: Store, now: datetime) -> str:
    """A fingerprint of everything the outputs depend on: the configuration, the stored messages
    and the office's decisions (via the store's data version), the program version, and which
    deadlines have passed. Equal keys mean the outputs on disk are already right."""
    deadlines = [r.closes_at for r in settings.requests]
    grace = {r.id: r.grace_minutes for r in settings.requests}
    deadlines += [until + timedelta(minutes=grace.get(rid, 0))
                  for (_, rid), (until, _) in store.extensions().items()]
    passed = sum(1 for d in deadlines if d < now)
    warnings = ",".join(w.code for w in warnings_now(settings, store, now))
    text = "|".join((repr(settings), str(store.data_version()), str(PARSER_VERSION),
                     str(PLACEMENT_VERSION), PROGRAM_VERSION, str(passed), warnings))
    return hashlib.sha256(text.encode()).hexdigest()


def run(settings: Settings, *, poll: bool = True, now: datetime | None = None,
        stop: StopCheck = never, force: bool = False) -> RunResult:
    """One run: poll (unless `poll` is False), then rebuild every output from the store.

    `stop` is asked between messages; when it says True, polling ends there and the outputs
    are rebuilt from what was stored. Outputs are rebuilt only when something they depend on
    changed (see `outputs_key`), or when `force` is set.

    Raises:
        LockBusyError: another run holds the data dir.
        StorageError: the store could not be written.
    """
    now = now or current_time()
    with data_dir_lock(settings.data_dir):
        drop_thumbnail_files(settings.data_dir)
        store = Store(settings.data_dir)
        try:
            polls, errors = poll_with_parsing(settings, store, stop) if poll else ([], [])
            key = outputs_key(settings, store, now)
            mailed = notify_units(settings, store, now, key, lambda: snapshot(settings, store, now))
            if mailed.trouble:  # mail that did not go is a warning on the page, at once
                key = outputs_key(settings, store, now)
            outputs = tuple(settings.output_dir / n for n in OUTPUT_NAMES)
            last = json.loads(store.get_meta("outputs") or "{}")
            if not force and last.get("key") == key and all(p.exists() for p in outputs):
                log.info("event=outputs_current messages=%d", last["messages"])
                return RunResult(tuple(polls), tuple(errors), last["messages"], last["placed"],
                                 last["needs_person"], outputs)
            snap = mailed.snapshot or snapshot(settings, store, now)
            outputs = write_outputs(settings, store, snap)
            counts = {
                "messages": len(snap.parsed),
                "placed": len({pl.message_key for pl in snap.placements if pl.reason is None}),
                "needs_person": len({pl.message_key for pl in snap.placements
                                     if pl.reason in NEEDS_PERSON}),
            }
            store.set_meta("outputs", json.dumps({"key": key, **counts}))
        finally:
            store.close()
    log.info("event=run_done messages=%d placed=%d needs_person=%d source_errors=%d",
             counts["messages"], counts["placed"], counts["needs_person"], len(errors))
    return RunResult(tuple(polls), tuple(errors), counts["messages"], counts["placed"],
                     counts["needs_person"], outputs)
