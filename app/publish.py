"""Publishing: status → outputs (report.csv, messages.csv, scorecard.csv, report.xlsx,
report.html), and the fingerprint that says whether the outputs on disk are already right.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from app.caches import PLACEMENT_VERSION
from app.clock import program_version
from config.model import Settings
from ingest.datadir import prepare_dir
from ingest.decisions import in_effect
from ingest.errors import StorageError
from ingest.store import Store
from outputs.health import HealthWarning, health_warnings
from outputs.snapshot import Snapshot
from outputs.tables import LedgerRow
from parsers.records import PARSER_VERSION

log = logging.getLogger("mailtally")

OUTPUT_NAMES = ("report.csv", "messages.csv", "scorecard.csv", "report.xlsx", "report.html")


def write_outputs(settings: Settings, store: Store, snap: Snapshot) -> tuple[Path, ...]:
    """status → outputs: report.csv, messages.csv, scorecard.csv, report.xlsx, report.html."""
    from outputs.html import PageInputs, write_report_html
    from outputs.tables import command_for
    from outputs.writers import TableInputs, write_tables

    tz = settings.timezone
    out = settings.output_dir
    prepare_dir(out)  # created if needed; one that may not be written: the path and the fix
    now, rows, placements = snap.now, snap.rows, snap.placements
    by_key = {p.message_key: p for p in snap.parsed}
    ledger = [LedgerRow(by_key[pl.message_key], pl, snap.evidence[pl.message_key])
              for pl in placements]
    command = command_for(settings.config_path)

    def tables() -> None:
        write_tables(out, TableInputs(settings.language, tz, settings.requests, settings.units,
                                      rows, ledger, command))

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
        command=command,
    )
    wait = beside(tables, "report.csv, messages.csv, scorecard.csv, report.xlsx")
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


def warnings_now(settings: Settings, store: Store, now: datetime) -> list[HealthWarning]:
    warnings = health_warnings(settings.sources, settings.requests, store.polls(),
                               store.latest_received(), settings.schedule.poll_minutes, now)
    if settings.notify is not None:  # mail to units: its module only where it is set
        from app.notify import outbox_warnings

        warnings += outbox_warnings(settings, store)
    return warnings


PROGRAM_META = "program"  # the store's meta key: {"stamp": ..., "version": ...}


def known_version(store: Store) -> str:
    """The program's version (`app.clock.program_version`), remembered in the store with the
    modification time of this file: reading the package's metadata costs about 5 ms, a tenth of
    a run's own work when nothing is new, and an installation rewrites this file."""
    stamp = str(Path(__file__).stat().st_mtime_ns)
    known = json.loads(store.get_meta(PROGRAM_META) or "{}")
    if known.get("stamp") == stamp:
        return str(known["version"])
    version = program_version()
    store.set_meta(PROGRAM_META, json.dumps({"stamp": stamp, "version": version}))
    return version


def outputs_key(settings: Settings, store: Store, now: datetime) -> str:
    """A fingerprint of everything the outputs depend on: the configuration, the stored messages
    and the office's decisions (via the store's data version), the program version, and which
    deadlines have passed. Equal keys mean the outputs on disk are already right."""
    deadlines = [r.closes_at for r in settings.requests]
    grace = {r.id: r.grace_minutes for r in settings.requests}
    deadlines += [until + timedelta(minutes=grace.get(rid, 0))
                  for (_, rid), until in in_effect(store.decisions()).extensions.items()]
    passed = sum(1 for d in deadlines if d < now)
    warnings = ",".join(w.code for w in warnings_now(settings, store, now))
    # A source's health as the page shows it (failures in a row): `check` reads the same count.
    health = ",".join(f"{name}:{info['failures']}" for name, info in sorted(store.polls().items()))
    text = "|".join((repr(settings), str(store.data_version()), str(PARSER_VERSION),
                     str(PLACEMENT_VERSION), known_version(store), str(passed), warnings,
                     health))
    return hashlib.sha256(text.encode()).hexdigest()
