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
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from app.caches import (
    DecodedRows,
    Placer,
    lighten,
    match_context,
    parse_stored,
    place_for_cache,
    placement_basis,
    placement_stamp,
)
from app.clock import current_time
from app.lock import LockBusyError, data_dir_lock
from app.publish import OUTPUT_NAMES, outputs_key, write_outputs
from config.model import Request, Settings, Unit
from ingest.decisions import InEffect, in_effect
from ingest.errors import SourceError
from ingest.outbox import SINCE_KEY as NOTIFY_SINCE
from ingest.sources import PollResult, StopCheck, never, poll_source
from ingest.store import NewMessage, Store, defuse_stored_files
from matching.placement import NEEDS_PERSON, OPEN_AFTER_DEADLINE, MatchContext, Placement
from matching.records import Reason
from outputs.snapshot import Snapshot
from outputs.status import (
    Bounce,
    PlacedMessage,
    StatusRow,
    bounces_for,
    compute_status,
    unit_bounces,
)
from outputs.tables import counted_files
from parsers.limits import cache_version
from parsers.records import ParsedMessage, from_json

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


def _placed_message(p: ParsedMessage, pl: Placement, evidence: tuple[str, ...]
                    ) -> PlacedMessage:
    return PlacedMessage(
        message_key=p.message_key, received_at=p.received_at, evidence=evidence,
        attachment_hashes=tuple(a.sha256 for a in counted_files(p.attachments)),
        sender=p.author, subject=p.subject, match=pl.match.value if pl.match else "")


def _counted(pl: Placement) -> bool:
    """Whether a placement counts for its (request, unit)'s status."""
    return pl.reason is None and pl.unit_code is not None and pl.request_id is not None


def _status_row(request: Request, unit: Unit, placed: list[PlacedMessage], effect: InEffect,
                bounced: dict[str, list[Bounce]], now: datetime) -> StatusRow:
    pair = (unit.code, request.id)
    return compute_status(
        request, unit, placed, now,
        excuse=effect.excuses.get(pair),
        extended_until=effect.extensions.get(pair),
        accepted=effect.accepted.get(pair),
        extension_reason=effect.extension_reasons.get(pair, ""),
        bounces=bounces_for(request, bounced.get(unit.code, ()), OPEN_AFTER_DEADLINE),
    )


def status_all(settings: Settings, effect: InEffect, parsed: list[ParsedMessage],
               placements: list[Placement], evidence: dict[str, tuple[str, ...]],
               now: datetime) -> list[StatusRow]:
    """match → status: one row per (request, expected unit), with the office's excuses,
    extensions and acceptances, and the bounces of the notice from each unit's address."""
    by_key = {p.message_key: p for p in parsed}
    placed: dict[tuple[str, str], list[PlacedMessage]] = defaultdict(list)
    for pl in placements:
        if _counted(pl):
            assert pl.request_id is not None and pl.unit_code is not None
            placed[(pl.request_id, pl.unit_code)].append(
                _placed_message(by_key[pl.message_key], pl, evidence[pl.message_key]))
    bounced = unit_bounces(placements, by_key)
    return [_status_row(request, unit, placed.get((request.id, unit.code), []), effect, bounced,
                        now)
            for request in settings.requests for unit in settings.units
            if request.expects(unit)]


def touched_by(old: InEffect, new: InEffect) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """What changed between two sets of decisions in effect: the messages whose override
    changed, the learned addresses that changed, and the (request, unit) pairs whose excuse,
    extension or acceptance changed."""
    keys = {k for k in old.messages.keys() | new.messages.keys()
            if old.messages.get(k) != new.messages.get(k)}
    addresses = {a for a in old.learned.keys() | new.learned.keys()
                 if old.learned.get(a) != new.learned.get(a)}
    pairs: set[tuple[str, str]] = set()
    for before, after in ((old.excuses, new.excuses), (old.extensions, new.extensions),
                          (old.accepted, new.accepted),
                          (old.extension_reasons, new.extension_reasons)):
        pairs.update((rid, code) for code, rid in before.keys() | after.keys()
                     if before.get((code, rid)) != after.get((code, rid)))
    return keys, addresses, pairs


def snapshot_after(settings: Settings, store: Store, old: Snapshot, old_effect: InEffect,
                   effect: InEffect, now: datetime,
                   by_key: dict[str, ParsedMessage] | None = None) -> Snapshot | None:
    """The snapshot `snapshot(settings, store, now)` gives, computed from `old` (taken under the
    same settings and the same stored mail, with the decisions `old_effect`) by redoing only
    what the decisions that changed touch: the placements of the messages they concern (an
    override, or a learned address of their sender), and the status rows of the (request,
    unit) pairs those placements or the decisions touch. `by_key` is `old.parsed` by message
    key, when the caller has it. None when a message's parse is not in the cache (the caller
    then takes a whole snapshot)."""
    keys, addresses, pairs = touched_by(old_effect, effect)
    if addresses:
        for p in old.parsed:  # as app.caches.placement_stamp reads a message's addresses
            if p.sender in addresses or (p.forwarded is not None and
                                         p.forwarded.sender in addresses) or \
                    (p.written_addresses and not addresses.isdisjoint(p.written_addresses)):
                keys.add(p.message_key)
    placements, evidence = old.placements, old.evidence
    units_bounced: set[str] = set()
    if keys:
        fresh = _place_again(settings, store, keys, effect, evidence)
        if fresh is None:
            return None
        evidence = {**evidence, **{k: kinds for k, (_, kinds) in fresh.items()}}
        placements = []
        for pl in old.placements:
            again = fresh.get(pl.message_key)
            if again is None:
                placements.append(pl)
                continue
            for touched in (pl, *again[0]):
                if _counted(touched):
                    assert touched.request_id is not None and touched.unit_code is not None
                    pairs.add((touched.request_id, touched.unit_code))
                if touched.reason == Reason.BOUNCE and touched.unit_code:
                    units_bounced.add(touched.unit_code)
            placements.extend(again[0])  # where the message's first old placement was
            again[0].clear()
    pairs |= _deadlines_passed(settings, old, old_effect, now)
    if units_bounced:
        pairs.update((row.request_id, row.unit_code) for row in old.rows
                     if row.unit_code in units_bounced)
    if not pairs:
        return Snapshot(old.parsed, placements, evidence, old.rows, now)
    if by_key is None:
        by_key = {p.message_key: p for p in old.parsed}
    touched_units = {code for _, code in pairs}
    placed: dict[tuple[str, str], list[PlacedMessage]] = defaultdict(list)
    bounces: list[Placement] = []
    for pl in placements:
        if pl.unit_code not in touched_units:
            continue
        if _counted(pl):
            assert pl.request_id is not None and pl.unit_code is not None
            pair = (pl.request_id, pl.unit_code)
            if pair in pairs:
                placed[pair].append(_placed_message(by_key[pl.message_key], pl,
                                                    evidence[pl.message_key]))
        elif pl.reason == Reason.BOUNCE:
            bounces.append(pl)
    bounced = unit_bounces(bounces, by_key)  # the touched units' (the others keep their rows)
    requests = {r.id: r for r in settings.requests}
    units = {u.code: u for u in settings.units}
    new_rows = [_status_row(requests[row.request_id], units[row.unit_code],
                            placed.get((row.request_id, row.unit_code), []), effect, bounced, now)
                if (row.request_id, row.unit_code) in pairs else row
                for row in old.rows]
    return Snapshot(old.parsed, placements, evidence, new_rows, now)


def _place_again(settings: Settings, store: Store, keys: set[str], effect: InEffect,
                 evidence: dict[str, tuple[str, ...]]
                 ) -> dict[str, tuple[list[Placement], tuple[str, ...]]] | None:
    """Place these stored messages again under `effect` (from their full records in the parse
    cache, None when one is not there), and keep the placements in the placement cache."""
    ctx = match_context(settings, effect)
    basis = placement_basis(settings, ctx)
    version = cache_version(settings.limits)
    fresh: dict[str, tuple[list[Placement], tuple[str, ...]]] = {}
    rows: list[tuple[str, str, str]] = []
    for key in sorted(keys):
        if key not in evidence:
            continue  # a decision about a message not stored (yet)
        data = store.cached_parse(key, version)
        if data is None:
            return None
        full = from_json(data)
        found, kinds, record = place_for_cache(full, ctx)
        fresh[key] = (sorted(found, key=lambda pl: pl.request_id or ""), kinds)
        rows.append((key, placement_stamp(basis, ctx, full), record))
    if rows:
        store.cache_placements(rows)
        log.info("event=placed messages=%d", len(rows))
    return fresh


def _deadlines_passed(settings: Settings, old: Snapshot, old_effect: InEffect, now: datetime
                      ) -> set[tuple[str, str]]:
    """The (request, unit) pairs whose own deadline (with its grace) lies between the old
    snapshot's instant and `now`: pending there may be missing now, or back. (A pair whose
    extension changed is touched by that decision anyway.)"""
    low, high = min(old.now, now), max(old.now, now)
    grace = {r.id: timedelta(minutes=r.grace_minutes) for r in settings.requests}
    closes = [r.closes_at for r in settings.requests]
    closes += [until + grace.get(rid, timedelta()) for (_, rid), until
               in old_effect.extensions.items()]
    if not any(low <= c < high for c in closes):
        return set()
    return {(row.request_id, row.unit_code) for row in old.rows
            if (old.now <= row.deadline + grace[row.request_id]) !=
            (now <= row.deadline + grace[row.request_id])}


def snapshot(settings: Settings, store: Store, now: datetime,
             decoded: DecodedRows | None = None, effect: InEffect | None = None) -> Snapshot:
    """store → parse → match → status, without polling or writing outputs.

    Each message is placed (or its placement taken from the cache) as it is read, and only a
    light copy of its record is kept. A long-lived caller passes `decoded` to keep the cache
    rows it decoded for its next snapshot, and may pass the decisions in `effect` it read.
    """
    if effect is None:  # read once: a decision made meanwhile waits a run
        effect = in_effect(store.decisions())
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
