"""The parse and placement caches: a message is parsed again only when the parser (or its limits)
changed or its receipt time moved, and placed again only when what its placement depends on
changed (roster, requests, learned addresses, the office's decision for it, its parse).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from config.model import Settings
from ingest.boundary import parse_safely, place_safely
from ingest.decisions import InEffect
from ingest.store import Store
from matching.placement import MatchContext, Override, Placement
from matching.records import placement_from_json, placement_to_json
from parsers.limits import DEFAULT_LIMITS, Limits, cache_version
from parsers.records import ParsedMessage, from_json, to_json

log = logging.getLogger("mailtally")

PARSE_CHUNK = 100

AttachmentSaver = Callable[[str, int, str, bytes], str]


def parse_one(store: Store | AttachmentSaver, stored_key: str, raw: bytes, message_id: str,
              received_at: datetime, *, limits: Limits = DEFAULT_LIMITS) -> ParsedMessage:
    """Parse one stored message under `limits` and keep its attachments; never raises for a bad
    message (see `ingest.boundary.parse_safely`). An attachment over
    `limits.max_attachment_bytes` is not saved apart (its bytes are None)."""
    save = store.save_attachment if isinstance(store, Store) else store
    return parse_safely(save, stored_key, raw, message_id, received_at, limits=limits)


class DecodedRows:
    """Cache rows already decoded, kept between snapshots by a long-lived process (the
    workspace): a row whose text has not changed is not decoded again. About half of a
    snapshot of 20,000 cached messages is decoding their JSON; a run that starts, builds
    once and ends has nothing to gain and passes none."""

    def __init__(self) -> None:
        self.light: dict[str, tuple[str, ParsedMessage]] = {}  # key -> (JSON, record)
        # key -> (JSON, (placements, evidence kinds))
        self.placed: dict[str, tuple[str, tuple[list[Placement], tuple[str, ...]]]] = {}


def parse_stored(store: Store, *, limits: Limits = DEFAULT_LIMITS,
                 keep: Callable[[ParsedMessage], ParsedMessage] | None = None,
                 known: Callable[[ParsedMessage], bool] | None = None,
                 decoded: DecodedRows | None = None) -> list[ParsedMessage]:
    """store → parse, with the parse cache: a message is parsed again only when the parser
    version or the limits changed, or its receipt time moved (an earlier copy arrived).

    `keep`, when given, sees each full record as it is read and returns what to keep of it, so
    that thousands of full records never have to be held at once. `known`, when given, says for
    a message (from its light record) whether the caller already has all it needs from the full
    record (its placements, from their cache): the light record is then enough and the full
    one is not read at all. `decoded`, when given, keeps the light records decoded across
    calls.
    """
    keep = keep or (lambda p: p)
    version = cache_version(limits)
    light = store.cached_light_parses(version) if known is not None else {}
    out: list[ParsedMessage] = []
    todo = []
    for stored in store.messages():
        light_json = light.get(stored.message_key)
        if light_json is not None and known is not None:
            memo = decoded.light.get(stored.message_key) if decoded is not None else None
            if memo is not None and memo[0] == light_json:
                record = memo[1]
            else:
                record = from_json(json.loads(light_json))
                if decoded is not None:
                    decoded.light[stored.message_key] = (light_json, record)
            if record.received_at == stored.received_at and known(record):
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


def match_context(settings: Settings, effect: InEffect) -> MatchContext:
    """What placement depends on: the roster, the requests, and the office's decisions."""
    overrides = {key: Override(d.unit_codes[0] if d.unit_codes else None, d.request_id,
                               ignore=d.ignore, more_units=d.unit_codes[1:])
                 for key, d in effect.messages.items()}
    return MatchContext(
        units=settings.units, requests=settings.requests,
        own_addresses=settings.own_addresses, overrides=overrides, learned=effect.learned,
        abbreviations=settings.abbreviations, authserv_id=settings.authserv_id,
    )


PLACEMENT_VERSION = 5  # bump when matching changes: every cached placement is then redone


def placement_basis(settings: Settings, ctx: MatchContext) -> str:
    """A fingerprint of what every placement depends on besides the message itself."""
    basis = (settings.units, settings.requests, sorted(settings.own_addresses),
             sorted(settings.abbreviations.items()), settings.authserv_id,
             cache_version(settings.limits), PLACEMENT_VERSION)
    return hashlib.sha256(repr(basis).encode()).hexdigest()


def placement_stamp(basis: str, ctx: MatchContext, parsed: ParsedMessage) -> str:
    """What one message's cached placement was computed from: the basis, its receipt time, the
    office's override for it, and what `assign` taught about its own senders' addresses and the
    addresses written in its From (the only learned addresses its placement can depend on: an
    assign re-places that sender's mail, not all 20,000 messages)."""
    key = parsed.message_key
    senders = (parsed.sender, parsed.forwarded.sender if parsed.forwarded else "")
    learned = ",".join(ctx.learned.get(a, "") for a in senders)
    # An address written in From outside its mailbox counts too (a learned one there is a
    # doubt); named only when learned, so that other messages' stamps stay as they were.
    written = ",".join(f"{a}={ctx.learned[a]}" for a in parsed.written_addresses
                       if a in ctx.learned)
    if written:
        learned += f"|w:{written}"
    return f"{basis}|{parsed.received_at.isoformat()}|{ctx.overrides.get(key)!r}|{learned}"


def place_for_cache(parsed: ParsedMessage, ctx: MatchContext
                    ) -> tuple[list[Placement], tuple[str, ...], str]:
    """Place one message (never raises: see `ingest.boundary.place_safely`): its placements,
    its evidence kinds, and both as the JSON the placement cache keeps."""
    placements, kinds = place_safely(parsed, ctx)
    placed = list(placements)
    record = json.dumps({"p": [placement_to_json(p) for p in placed], "e": list(kinds)})
    return placed, kinds, record


class Placer:
    """parse → match, with the placement cache: a message is placed again only when what its
    placement depends on changed (roster, requests, learned addresses, its override, its parse).
    """

    def __init__(self, settings: Settings, store: Store, ctx: MatchContext,
                 decoded: DecodedRows | None = None):
        self.ctx = ctx
        self.decoded = decoded
        self.cache = store.cached_placements()
        self.basis = placement_basis(settings, ctx)
        self.fresh: list[tuple[str, str, str]] = []

    def cached(self, parsed: ParsedMessage) -> tuple[list[Placement], tuple[str, ...]] | None:
        """The cached placements and evidence of a message (its light record is enough), if
        still valid."""
        hit = self.cache.get(parsed.message_key)
        if hit is None or hit[0] != placement_stamp(self.basis, self.ctx, parsed):
            return None
        memo = self.decoded.placed.get(parsed.message_key) if self.decoded is not None else None
        if memo is not None and memo[0] == hit[1]:
            return list(memo[1][0]), memo[1][1]
        data = json.loads(hit[1])
        found = [placement_from_json(d) for d in data["p"]], tuple(data["e"])
        if self.decoded is not None:
            self.decoded.placed[parsed.message_key] = (hit[1], found)
        return list(found[0]), found[1]

    def place(self, parsed: ParsedMessage) -> tuple[list[Placement], tuple[str, ...]]:
        """Every message gets at least one Placement (placed, or with a reason), and its
        evidence kinds."""
        key = parsed.message_key
        hit = self.cached(parsed)
        if hit is not None:
            return hit
        placed, kinds, record = place_for_cache(parsed, self.ctx)
        self.fresh.append((key, placement_stamp(self.basis, self.ctx, parsed), record))
        return placed, kinds


def lighten(parsed: ParsedMessage) -> ParsedMessage:
    """The record without the long texts that only placement reads (memory, for 20,000 mails)."""
    forwarded = parsed.forwarded
    return replace(
        parsed, own_text="",
        attachments=tuple(replace(a, text="") if a.text else a for a in parsed.attachments),
        forwarded=replace(forwarded, text="") if forwarded is not None else None)
