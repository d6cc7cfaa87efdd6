"""`check`: is the configuration valid, can every source be read, how is the store doing.

Returns a `CheckReport` record; the command line says it in the office's words.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.clock import current_time
from app.notify import outbox_counts
from app.publish import warnings_now
from app.runner import snapshot
from config.model import Settings
from ingest.backup import last_backup
from ingest.errors import SourceError
from ingest.store import Store
from outputs.health import HealthWarning
from outputs.i18n import say

log = logging.getLogger("mailtally")


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """One source tried: `reason` is None when it can be read, else why not."""

    name: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class PollCheck:
    """A source's polls as the store remembers them."""

    name: str
    last_ok: datetime | None
    failures: int
    last_error: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    units: int
    requests: int
    sources: tuple[SourceCheck, ...]
    data_dir: Path
    messages: int
    unparseable: int
    needs_person: int  # unparseable included
    polls: tuple[PollCheck, ...]
    warnings: tuple[HealthWarning, ...]
    last_backup: dict[str, Any] | None  # {"at": ISO, "messages": n, "dest": path}, or None
    outbox: dict[str, int] | None = None  # mails to units by state, in MailState's order

    @property
    def failed(self) -> bool:
        return any(s.reason is not None for s in self.sources)


def try_source(settings: Settings, index: int) -> str | None:
    """None when the source can be read, else the reason it cannot (in `language`, with the
    fix where the mistake is a usual one)."""
    from ingest.connect import connect_imap, folders_missing, read_password

    source = settings.sources[index]
    if source.kind != "imap":
        if source.path is not None and source.path.exists():
            return None
        return say("source_path_missing", settings.language, path=source.path)
    try:
        client = connect_imap(source, read_password(source))
    except SourceError as exc:
        return exc.text(settings.language)
    try:
        missing = [f for f in source.folders if not client.folder_exists(f)]
        if missing:
            return folders_missing(source, client, missing).text(settings.language)
    finally:
        try:
            client.logout()
        except Exception:  # already gone; nothing to learn from it
            log.debug("logout failed", exc_info=True)
    return None


def check(settings: Settings) -> CheckReport:
    """Try every source and read the store's health (no lock: it only reads, and fills the
    placement cache as any run would).

    Raises:
        StorageError: the store cannot be opened.
    """
    sources = tuple(SourceCheck(s.name, try_source(settings, i))
                    for i, s in enumerate(settings.sources))
    store = Store(settings.data_dir)
    try:
        now = current_time()
        snap = snapshot(settings, store, now)
        reasons = Counter(pl.reason.value for pl in snap.placements if pl.reason is not None)
        needs = reasons["ambiguous_unit"] + reasons["no_unit"] + reasons["no_request"]
        polls = tuple(
            PollCheck(name, datetime.fromisoformat(info["last_ok"]) if info["last_ok"] else None,
                      int(info["failures"]), str(info["last_error"] or ""))
            for name, info in sorted(store.polls().items()))
        return CheckReport(
            units=len(settings.units), requests=len(settings.requests), sources=sources,
            data_dir=settings.data_dir, messages=len(snap.parsed),
            unparseable=reasons["unparseable"], needs_person=needs + reasons["unparseable"],
            polls=polls, warnings=tuple(warnings_now(settings, store, now)),
            last_backup=last_backup(store), outbox=outbox_counts(settings, store))
    finally:
        store.close()
