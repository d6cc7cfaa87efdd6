"""Use cases around the office's notices: `request from-notice`, and notices found in the store.

`request_from_notice` reads a notice file (.pdf, .docx, .odt, .txt, .eml) or a stored message
and returns the `[[request]]` table it implies, as text. `notices_found` lists the office's own
mail carrying a notice no request tracks yet (for the workspace's "new notice found").
The reading itself is pure (parsers.notice, matching.notice); this module only fetches bytes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from config.model import Settings
from ingest.store import Store, extract_message_id
from matching.context import MatchContext
from matching.notice import (
    NOTICE_DOCUMENTS,
    FoundNotice,
    Proposal,
    found_notices,
    propose_from_message,
    propose_request,
)
from outputs.i18n import say
from outputs.request_toml import render_request
from parsers.extract import document_text
from parsers.limits import cache_version
from parsers.message import parse_message
from parsers.notice import read_notice
from parsers.records import ParsedMessage, from_json


class NoticeInputError(Exception):
    """The notice named on the command line cannot be read (exit status 2)."""

    def __init__(self, name: str, why: str):
        super().__init__(f"{name}: {why}")
        self.name = name
        self.why = why

    def text(self, language: str = "vi") -> str:
        return say("notice_unreadable", language, name=self.name,
                   why=say(f"notice_unreadable_{self.why}", language))


def _context(settings: Settings) -> MatchContext:
    return MatchContext(units=settings.units, requests=settings.requests,
                        own_addresses=settings.own_addresses,
                        abbreviations=settings.abbreviations)


def _from_file(settings: Settings, path: Path) -> Proposal:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NoticeInputError(path.name, "unreadable") from exc
    return read_notice_bytes(settings, path.name, data)


def read_notice_bytes(settings: Settings, filename: str, data: bytes) -> Proposal:
    """The proposal for a notice given as a file's name and bytes (an upload in the workspace).

    The type is told by the name's extension: .pdf, .docx, .odt, .txt or .eml.

    Raises:
        NoticeInputError: a type that cannot be read, or no text could be taken from it.
    """
    ext = Path(filename).suffix.lower().lstrip(".")
    limits = settings.limits
    if ext == "eml":
        parsed, _ = parse_message(data, filename, extract_message_id(data), datetime.now(UTC),
                                  limits=limits)
        if parsed.problem:
            raise NoticeInputError(filename, "unreadable")
        proposal = propose_from_message(parsed, _context(settings), settings.timezone)
        if not proposal.reading.request_id.value and not proposal.reading.title.value:
            raise NoticeInputError(filename, "empty")
        return replace(proposal, origin=filename)
    if ext not in NOTICE_DOCUMENTS:
        raise NoticeInputError(filename, "type")
    text, note = document_text(ext, data, limits, limits.max_extract_seconds)
    if not text.strip():
        raise NoticeInputError(filename, "unreadable" if note else "empty")
    return propose_request(read_notice(text), _context(settings), origin=filename)


def _stored(settings: Settings, key: str) -> ParsedMessage:
    from app.caches import parsed_message

    if not settings.data_dir.is_dir():
        raise NoticeInputError(key, "missing")
    store = Store(settings.data_dir)
    try:
        keys = store.message_keys(key)
        if len(keys) != 1:
            raise NoticeInputError(key, "ambiguous" if keys else "missing")
        parsed = parsed_message(store, keys[0], limits=settings.limits)
    finally:
        store.close()
    if parsed is None or parsed.problem:
        raise NoticeInputError(key, "unreadable")
    return parsed


def read_notice_source(settings: Settings, source: str) -> Proposal:
    """The proposal for a notice file, or for a stored message given by its key (or a prefix).

    Raises:
        NoticeInputError: no such file or message, or nothing could be read from it.
    """
    path = Path(source)
    if path.is_file():
        return _from_file(settings, path)
    if path.suffix.lower().lstrip(".") in (*NOTICE_DOCUMENTS, "eml", "doc") or "/" in source:
        raise NoticeInputError(path.name, "missing")
    parsed = _stored(settings, source)
    return propose_from_message(parsed, _context(settings), settings.timezone)


def request_from_notice(settings: Settings, source: str) -> str:
    """`request from-notice FILE_OR_MESSAGE_KEY`: the `[[request]]` table a notice implies, with
    comments in `settings.language`. Raises NoticeInputError (see `read_notice_source`)."""
    return render_request(read_notice_source(settings, source), settings.language)


def notices_found(settings: Settings, store: Store) -> list[FoundNotice]:
    """The office's own stored mail carrying a notice number that no request tracks yet.

    Returns FoundNotice(message_key, subject, proposal) records, oldest first, one per notice
    number; `render_request(found.proposal, settings.language)` gives the table to offer. Only
    messages already parsed by a run are looked at (their cached records), so this costs no
    parsing; the light cache picks the office's messages, whose whole records are then read.
    """
    version = cache_version(settings.limits)
    own = settings.own_addresses
    keys = [key for key, light in store.cached_light_parses(version).items()
            if str(json.loads(light).get("sender", "")).lower() in own]
    parsed = []
    for key in sorted(keys):
        record = store.cached_parse(key, version)
        if record is not None:
            parsed.append(from_json(record))
    return found_notices(parsed, own, settings.units, settings.requests, settings.abbreviations,
                         settings.timezone)
