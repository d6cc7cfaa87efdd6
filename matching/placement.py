"""Placement: which unit sent a message and which request it answers, or why it is not placed.

Pure: the roster, requests, the office's overrides and learned addresses come in as a
`MatchContext`; nothing here reads files, the clock or a mailbox. Contract, "Rules". The unit
search is in `matching/units.py`, the request search in `matching/requests.py`.
"""

from __future__ import annotations

import re

from matching.context import MatchContext
from matching.records import NEEDS_PERSON, MatchKind, Override, Placement, Reason
from matching.requests import OPEN_AFTER_DEADLINE, find_requests
from matching.units import fields, find_unit
from parsers.records import ParsedMessage

# An auto-reply whose only mark is its first words ("Trả lời tự động: …").
_AUTO_TEXT = re.compile(r"(?:trả lời tự động|tra loi tu dong|automatic reply|auto-?reply|"
                        r"out of (?:the )?office)\b", re.IGNORECASE)
AUTO_TEXT_CHARS = 300  # where such words count: the opening lines, not a quoted text

__all__ = ["NEEDS_PERSON", "OPEN_AFTER_DEADLINE", "MatchContext", "MatchKind", "Override",
           "Placement", "Reason", "place_message"]


def place_message(parsed: ParsedMessage, ctx: MatchContext) -> tuple[Placement, ...]:
    """Place one message: one Placement per request it answers, or one with the reason it is not
    placed (the first that applies, in the contract's order)."""
    key = parsed.message_key

    flags: tuple[str, ...] = ()

    def unplaced(reason: Reason, unit: str | None = None, match: MatchKind | None = None,
                 candidates: tuple[str, ...] = ()) -> tuple[Placement, ...]:
        return (Placement(key, unit, None, match, reason, candidates, flags=flags),)

    override = ctx.overrides.get(key)
    assigned = override is not None and bool(override.unit_code)
    if parsed.problem and not assigned:
        return unplaced(Reason.UNPARSEABLE)
    if override is not None and override.ignore:
        return unplaced(Reason.IGNORED)
    if not assigned:
        if parsed.sender in ctx.own_addresses:
            return unplaced(Reason.OWN_ADDRESS)
        if parsed.bounce:
            # A notice that never arrived: the bounce carries the unit whose address failed.
            units = [ctx.by_address[a] for a in parsed.failed_recipients if a in ctx.by_address]
            return unplaced(Reason.BOUNCE, units[0] if units else None)
        if parsed.auto_reply or _AUTO_TEXT.search(parsed.own_text[:AUTO_TEXT_CHARS]):
            return unplaced(Reason.AUTO_REPLY)
    texts = fields(parsed, ctx)  # folded once, read by both searches
    found = find_unit(parsed, ctx, texts)
    flags = found.flags
    if found.unit_code is None:
        if found.candidates:
            return unplaced(Reason.AMBIGUOUS_UNIT, candidates=found.candidates)
        return unplaced(Reason.NO_UNIT)
    joint = override.more_units if assigned and override is not None else ()
    placed: list[Placement] = []
    for unit_code, match in ((found.unit_code, found.match),
                             *((u, MatchKind.OVERRIDE) for u in joint)):
        request_ids, how = find_requests(parsed, unit_code, ctx, texts)
        if not request_ids:
            placed.append(Placement(key, unit_code, None, match, Reason.NO_REQUEST,
                                    flags=flags))
        placed += [Placement(key, unit_code, rid, match, None, (), how, flags)
                   for rid in request_ids]
    return tuple(placed)
