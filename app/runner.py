"""The run, its stages in order: source → store → parse → match → status → outputs.

`run` is the one function that shows them all; each stage is a function of the stage before.
Placement and status are always recomputed from the store, so a roster change or a decision
reaches old mail too.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.caches import DecodedRows, Placer, lighten, match_context, parse_stored, placement_basis
from app.clock import current_time
from app.lock import LockBusyError, data_dir_lock
from app.publish import OUTPUT_NAMES, outputs_key, write_outputs
from config.model import Settings
from ingest.decisions import InEffect, in_effect
from ingest.errors import SourceError
from ingest.outbox import SINCE_KEY as NOTIFY_SINCE
from ingest.sources import PollResult, StopCheck, never, poll_source
from ingest.store import NewMessage, Store, defuse_stored_files
from matching.placement import NEEDS_PERSON, OPEN_AFTER_DEADLINE, MatchContext, Placement
from outputs.snapshot import Snapshot
from outputs.status import PlacedMessage, StatusRow, bounces_for, compute_status, unit_bounces
from outputs.tables import counted_files
from parsers.records import ParsedMessage

if TYPE_CHECKING:
    from app.notify import NotifyStep
    from app.workers import ParsePool

log = logging.getLogger("mailtally")


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a run did; `errors` name each source that could not be read, and why."""

    polls: tuple[PollResult, ...]
    errors: tuple[SourceError, ...]
    messages: int
    placed: int
    needs_person: int
    outputs: tuple[Path, ...]


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
        failed_before = store.record_poll(source.name)
        if failed_before:
            log.info("source=%s event=recovered failures=%d", source.name, failed_before)
        log.info("source=%s event=polled seen=%d new=%d", result.source, result.seen, result.new)
        results.append(result)
    return results, errors


def poll_with_parsing(settings: Settings, store: Store, stop: StopCheck
                      ) -> tuple[list[PollResult], list[SourceError]]:
    """source → store, with parsing (and placing) in other processes when many messages arrive
    at once. The workers' module (multiprocessing and all) is loaded only once a poll stores a
    new message: a poll with nothing new does not pay for it."""
    pools: list[ParsePool] = []

    def placing() -> tuple[MatchContext, str]:
        ctx = match_context(settings, in_effect(store.decisions()))
        return ctx, placement_basis(settings, ctx)

    def submit(new: list[NewMessage]) -> None:
        if not pools:
            from app.workers import ParsePool

            pools.append(ParsePool(store, settings.limits, placing))
        pools[0].submit(new)

    store.on_commit = submit
    try:
        results = poll_sources(settings, store, stop)
    finally:
        store.on_commit = None
        if stop() and pools:
            pools[0].close()
    if not pools:
        return results
    pool = pools[0]
    parsed = pool.collect()
    if parsed:
        log.info("event=parsed_while_fetching messages=%d", parsed)
    return results


def status_all(settings: Settings, effect: InEffect, parsed: list[ParsedMessage],
               placements: list[Placement], evidence: dict[str, tuple[str, ...]],
               now: datetime) -> list[StatusRow]:
    """match → status: one row per (request, expected unit), with the office's excuses,
    extensions and acceptances, and the bounces of the notice from each unit's address."""
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
    bounced = unit_bounces(placements, by_key)
    rows = []
    for request in settings.requests:
        for unit in settings.units:
            if not request.expects(unit):
                continue
            pair = (unit.code, request.id)
            rows.append(compute_status(
                request, unit, placed.get((request.id, unit.code), []), now,
                excuse=effect.excuses.get(pair),
                extended_until=effect.extensions.get(pair),
                accepted=effect.accepted.get(pair),
                extension_reason=effect.extension_reasons.get(pair, ""),
                bounces=bounces_for(request, bounced.get(unit.code, ()), OPEN_AFTER_DEADLINE),
            ))
    return rows


def snapshot(settings: Settings, store: Store, now: datetime,
             decoded: DecodedRows | None = None) -> Snapshot:
    """store → parse → match → status, without polling or writing outputs.

    Each message is placed (or its placement taken from the cache) as it is read, and only a
    light copy of its record is kept. A long-lived caller passes `decoded` to keep the cache
    rows it decoded for its next snapshot.
    """
    effect = in_effect(store.decisions())  # read once: a decision made meanwhile waits a run
    placer = Placer(settings, store, match_context(settings, effect), decoded)
    placements: list[Placement] = []
    evidence: dict[str, tuple[str, ...]] = {}

    def place_and_lighten(parsed: ParsedMessage) -> ParsedMessage:
        placed, evidence[parsed.message_key] = placer.place(parsed)
        placements.extend(placed)
        return lighten(parsed)

    def known(light: ParsedMessage) -> bool:
        hit = placer.cached(light)
        if hit is None:
            return False
        placements.extend(hit[0])
        evidence[light.message_key] = hit[1]
        return True

    parsed = parse_stored(store, limits=settings.limits, keep=place_and_lighten, known=known,
                          decoded=decoded)
    if placer.fresh:
        store.cache_placements(placer.fresh)
        log.info("event=placed messages=%d", len(placer.fresh))
    order = {p.message_key: (p.received_at, p.message_key) for p in parsed}
    placements.sort(key=lambda pl: (*order[pl.message_key], pl.request_id or ""))
    rows = status_all(settings, effect, parsed, placements, evidence, now)
    return Snapshot(parsed, placements, evidence, rows, now)


def drop_thumbnail_files(data_dir: Path) -> None:
    """Earlier versions kept thumbnails as files in `thumbs/`; they are in the database now
    and drawn again when needed. The folder was mailtally's own cache: removed once."""
    old = data_dir / "thumbs"
    if old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
        log.info("event=old_thumbnail_folder_removed path=thumbs")


def notify_step(settings: Settings, store: Store, now: datetime, key: str) -> NotifyStep | None:
    """Mail to units (app.notify), the run's step before the outputs; None where `[notify]` is
    not set and never was. Loaded only where it is (or was: the step then forgets its state), so
    that a run with nothing new does not import what it does not use (about 6 ms)."""
    if settings.notify is None and store.get_meta(NOTIFY_SINCE) is None:
        return None
    from app.notify import notify_units

    return notify_units(settings, store, now, key, lambda: snapshot(settings, store, now))


def run(settings: Settings, *, poll: bool = True, now: datetime | None = None,
        stop: StopCheck = never, force: bool = False, wait: float = 0.0) -> RunResult:
    """One run: poll (unless `poll` is False), then rebuild every output from the store.

    `stop` is asked between messages; when it says True, polling ends there and the outputs
    are rebuilt from what was stored. Outputs are rebuilt only when something they depend on
    changed (see `outputs_key`), or when `force` is set.

    Raises:
        LockBusyError: another process held the data dir for longer than `wait` seconds.
        StorageError: the store could not be written.
    """
    now = now or current_time()
    with data_dir_lock(settings.data_dir, wait=wait):
        drop_thumbnail_files(settings.data_dir)
        store = Store(settings.data_dir)
        try:
            defuse_stored_files(store)
            polls, errors = poll_with_parsing(settings, store, stop) if poll else ([], [])
            key = outputs_key(settings, store, now)
            mailed = notify_step(settings, store, now, key)
            # Mail that did not go is a warning on the page, at once.
            if mailed is not None and mailed.trouble:
                key, force = outputs_key(settings, store, now), True
            outputs = tuple(settings.output_dir / n for n in OUTPUT_NAMES)
            last = json.loads(store.get_meta("outputs") or "{}")
            if not force and last.get("key") == key and all(p.exists() for p in outputs):
                log.info("event=outputs_current messages=%d", last["messages"])
                return RunResult(tuple(polls), tuple(errors), last["messages"], last["placed"],
                                 last["needs_person"], outputs)
            snap = (mailed.snapshot if mailed else None) or snapshot(settings, store, now)
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


def rebuild_if_free(settings: Settings) -> bool:
    """Rebuild the outputs from the store now, unless a run holds the data dir (it, or the
    next one, shows what changed); True when rebuilt. Called after an office decision."""
    try:
        run(settings, poll=False)
    except LockBusyError:
        return False
    return True
