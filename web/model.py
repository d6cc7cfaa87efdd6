"""What the workspace's pages show, built from the store through the application's snapshot.

One `Workspace` per web process holds the configuration (read again when settings.toml,
units.csv or requests.toml change on disk, so a hand edit is picked up) and the last snapshot
(computed again when the store's data version, the configuration or a passed deadline says it
is stale). Every page is then a few list comprehensions over records already in memory.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.caches import DecodedRows
from app.clock import current_time
from app.publish import outputs_key
from app.runner import snapshot, snapshot_after
from config import ConfigError, load_config
from config.model import Request, Settings, Unit
from ingest.decisions import Decision, InEffect, in_effect
from ingest.store import Store
from matching.fold import Folder
from matching.notice import FoundNotice, found_notices
from matching.placement import NEEDS_PERSON, Placement
from outputs.snapshot import Snapshot
from outputs.status import StatusRow
from outputs.tables import counted_files
from parsers.limits import cache_version
from parsers.records import Attachment, ParsedMessage, from_json

log = logging.getLogger("mailtally.web")

OWES = frozenset({"missing", "pending", "incomplete"})  # statuses that still owe something


@dataclass(frozen=True, slots=True)
class View:
    """One consistent picture of the store: the snapshot and indexes over it."""

    settings: Settings
    snap: Snapshot
    parsed: dict[str, ParsedMessage]
    rows_by_request: dict[str, list[StatusRow]]
    rows_by_unit: dict[str, list[StatusRow]]
    placed_keys: dict[tuple[str, str], list[str]]  # (request_id, unit_code) -> message keys
    needs: list[Placement]  # one per message that needs a person, in order of receipt
    units: dict[str, Unit]
    requests: dict[str, Request]
    folded_units: list[tuple[Unit, tuple[str, ...]]] = field(default_factory=list)

    def counts(self, request_id: str) -> Counter[str]:
        return Counter(r.status.value for r in self.rows_by_request.get(request_id, []))

    def messages_of(self, request_id: str, unit_code: str) -> list[ParsedMessage]:
        return [self.parsed[k] for k in self.placed_keys.get((request_id, unit_code), [])]

    def unit_keys(self, unit_code: str) -> list[str]:
        """Every message placed for the unit, under any request, in order of receipt."""
        keys = {k for (_, code), ks in self.placed_keys.items() if code == unit_code for k in ks}
        return sorted(keys, key=lambda k: (self.parsed[k].received_at, k))


def build_view(settings: Settings, snap: Snapshot, old: View | None = None) -> View:
    """Index a snapshot for the pages. With `old` (the view before a decision), the indexes of
    what the snapshot shares with it are taken as they are: the records, and the placements
    when no message was placed again."""
    same_mail = old is not None and snap.parsed is old.snap.parsed
    parsed = old.parsed if old is not None and same_mail else \
        {p.message_key: p for p in snap.parsed}
    by_request: dict[str, list[StatusRow]] = defaultdict(list)
    by_unit: dict[str, list[StatusRow]] = defaultdict(list)
    for row in snap.rows:
        by_request[row.request_id].append(row)
        by_unit[row.unit_code].append(row)
    for rows in by_request.values():
        rows.sort(key=lambda r: r.unit_code)
    if old is not None and snap.placements is old.snap.placements:
        placed, needs = old.placed_keys, old.needs
    else:
        placed, needs = index_placements(snap.placements)
    if old is not None and settings == old.settings:
        folded = old.folded_units
    else:
        fold = Folder(settings.abbreviations)
        folded = [(u, tuple(fold(t) for t in (u.code, u.name, *u.aliases)))
                  for u in settings.units]
    return View(settings, snap, parsed, dict(by_request), dict(by_unit), placed, needs,
                {u.code: u for u in settings.units}, {r.id: r for r in settings.requests},
                folded)


def index_placements(placements: Sequence[Placement]
                     ) -> tuple[dict[tuple[str, str], list[str]], list[Placement]]:
    """(request, unit) -> the keys of the messages placed there, and the placements that need a
    person (one per message), both in order of receipt."""
    placed: dict[tuple[str, str], list[str]] = defaultdict(list)
    needs: list[Placement] = []
    seen: set[str] = set()
    for pl in placements:
        if pl.reason is None and pl.request_id and pl.unit_code:
            placed[(pl.request_id, pl.unit_code)].append(pl.message_key)
        elif pl.reason in NEEDS_PERSON and pl.message_key not in seen:
            seen.add(pl.message_key)
            needs.append(pl)
    return dict(placed), needs


def settle_memory() -> None:
    """After a whole view is built: collect what the last one left, then set every object
    alive now aside from the cycle collector (gc.freeze). The view holds some 175,000 objects
    for 20,000 messages; a full collection walks them all (about 80 ms), and one would
    otherwise fall on some page now and then. Objects set aside are still freed when no longer
    referenced (the records hold no cycles); the next whole view sets them back first."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def search_units(view: View, query: str, limit: int = 20) -> list[Unit]:
    """Units whose code, name or an alias holds `query`, compared as the matcher compares
    names (no diacritics, case or spacing; abbreviations spelled out). A code typed whole
    comes first, then names that start with the query, then the rest, in roster order."""
    folded = Folder(view.settings.abbreviations)(query)
    if not folded:
        return []
    ranked: list[tuple[int, int, Unit]] = []
    for n, (unit, texts) in enumerate(view.folded_units):
        if unit.code.lower() == query.strip().lower():
            ranked.append((0, n, unit))
        elif any(t.startswith(folded) for t in texts):
            ranked.append((1, n, unit))
        elif any(folded in t for t in texts):
            ranked.append((2, n, unit))
    return [u for _, _, u in sorted(ranked, key=lambda x: (x[0], x[1]))[:limit]]


def local_path(target: str | None) -> str | None:
    """`target` when it is a path of this site ('/unit/STC'), else None: never another host,
    however written ('//evil.example', '/\\evil.example', 'https://…', control characters)."""
    if not target or not target.startswith("/") or len(target) > 2000:
        return None
    if target[1:2] in ("/", "\\") or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def photos_and_files(attachments: Sequence[Attachment]) -> tuple[list[tuple[int, Attachment]],
                                                                   list[tuple[int, Attachment]]]:
    """(photos, other files) of one message, each with its number in the message (what the
    download address names), small inline logos left out."""
    counted = {id(a) for a in counted_files(attachments)}
    photos: list[tuple[int, Attachment]] = []
    files: list[tuple[int, Attachment]] = []
    for n, a in enumerate(attachments):
        if id(a) not in counted:
            continue
        (photos if "images" in a.kinds else files).append((n, a))
    return photos, files


class Workspace:
    """The web process's state: the configuration as last read, and the current view."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._stamps = self._file_stamps(settings)
        self._view: View | None = None
        self._view_key = ""
        self._view_version = -1  # the store's data version the view was computed at
        self._view_events = 0  # its decisions and undos then
        self._effect = InEffect()  # the decisions in effect in the view
        self._found: list[FoundNotice] = []
        self._found_key = ""  # the view's key the found notices were looked for in
        self._finding = ""  # the view's key they are being looked for in now
        self._lock = threading.Lock()
        self._local = threading.local()
        self._decoded = DecodedRows()  # cache rows decoded once, reused by the next view
        self.config_problem = ""  # why the last reading of an edited file failed, if it did

    @staticmethod
    def _file_stamps(settings: Settings) -> tuple[tuple[int, int], ...]:
        stamps = []
        for path in (settings.config_path, settings.units_path, settings.requests_path):
            try:
                st = Path(path).stat() if path else None
            except OSError:
                st = None
            stamps.append((st.st_mtime_ns, st.st_size) if st else (0, 0))
        return tuple(stamps)

    def begin_request(self) -> None:
        """A page starts: its first look at the configuration checks the files on disk, the
        rest of it (a date filter asks for every row) take that answer."""
        self._local.checked = False
        self._local.in_request = True

    def end_request(self) -> None:
        self._local.in_request = False

    @property
    def settings(self) -> Settings:
        """The configuration, read again when one of its files changed on disk (checked once
        a page, and on every call outside one)."""
        if getattr(self._local, "checked", False) and getattr(self._local, "in_request", False):
            return self._settings
        self._local.checked = True
        stamps = self._file_stamps(self._settings)
        if stamps != self._stamps:
            with self._lock:
                if stamps != self._stamps:
                    self._stamps = stamps
                    try:
                        self._settings = load_config(self._settings.config_path)
                        self.config_problem = ""
                        log.info("event=config_reloaded")
                    except ConfigError as exc:
                        self.config_problem = exc.render(self._settings.language)
                        log.warning("event=config_reload_failed problems=%d",
                                    len(exc.problems))
        return self._settings

    def reload(self) -> Settings:
        """Read the configuration again now (after the workspace wrote one of its files)."""
        with self._lock:
            self._stamps = (-1,)  # type: ignore[assignment]  # forces the next read
        self._local.checked = False
        return self.settings

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The store, through this thread's own connection, opened once: opening one runs the
        schema's statements, which would wait behind a run's write; reading on an open one
        never does (WAL)."""
        data_dir = self.settings.data_dir
        store: Store | None = getattr(self._local, "store", None)
        if store is None or store.data_dir != data_dir:
            if store is not None:
                store.close()
            store = self._local.store = Store(data_dir)
        yield store

    def view(self, now: datetime | None = None) -> View:
        """The current view, computed again only when something it shows has changed: after
        the office's decisions alone (same configuration, same stored mail), only what they
        touch is computed again (`app.runner.snapshot_after`); otherwise the whole of it."""
        settings = self.settings
        now = now or current_time()
        with self.store() as store:
            key = outputs_key(settings, store, now)
            with self._lock:
                if self._view is not None and key == self._view_key:
                    return self._view
                version, decisions = self._read_decisions(store)
                effect = in_effect(decisions)
                events = len(decisions) + sum(1 for d in decisions if d.undone)
                old = self._view
                snap = None
                # Each stored message, moved receipt time, decision and undo bumps the data
                # version once: when the decisions account for every bump, no mail changed.
                if old is not None and old.settings == settings and \
                        version - self._view_version == events - self._view_events:
                    snap = snapshot_after(settings, store, old.snap, self._effect, effect, now,
                                          old.parsed)
                whole = snap is None
                if snap is None:
                    snap = snapshot(settings, store, now, self._decoded, effect)
                self._view = build_view(settings, snap, None if whole else old)
                if whole:
                    settle_memory()
                self._view_key = key
                self._view_version, self._view_events, self._effect = version, events, effect
                return self._view

    @staticmethod
    def _read_decisions(store: Store) -> tuple[int, list[Decision]]:
        """The store's data version and its decisions, read in one transaction (so that they
        agree even while a run or another request writes)."""
        return store.decisions_as_of()

    def found_notices(self) -> list[FoundNotice]:
        """The office's own stored mail carrying a notice no request tracks yet, as last found.

        Finding them reads every such mail's notice (about 3 s for the benchmark's 1,000 mails
        of the office's own), so it is done on a thread of its own whenever the view changed,
        and the page shows what was found last: a suggestion may appear a few seconds late,
        a person never waits for it.
        """
        view = self.view()
        key = self._view_key
        with self._lock:
            if self._found_key != key and self._finding != key:
                self._finding = key
                threading.Thread(target=self._find, args=(view, key), name="mailtally-notices",
                                 daemon=True).start()
        return self._found

    def _find(self, view: View, key: str) -> None:
        """What app.notices.notices_found finds, picking the office's mail from the view's
        records (already read) instead of reading every message's record again."""
        settings = view.settings
        own = settings.own_addresses
        keys = sorted(k for k, p in view.parsed.items() if p.sender.lower() in own)
        version = cache_version(settings.limits)
        try:
            store = Store(settings.data_dir)
            try:
                records = [store.cached_parse(k, version) for k in keys]
            finally:
                store.close()
            found = found_notices([from_json(r) for r in records if r is not None], own,
                                  settings.units, settings.requests, settings.abbreviations,
                                  settings.timezone)
        except Exception:  # a suggestion that fails must not take the workspace down
            log.exception("event=notices_found_failed")
            found = []
        with self._lock:
            self._found, self._found_key = found, key
            if self._finding == key:
                self._finding = ""

    def data_version(self) -> int:
        with self.store() as store:
            return store.data_version()
