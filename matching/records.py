"""The match stage's records: how a unit was found, why a message is not placed, a Placement."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class MatchKind(StrEnum):
    """How a message's unit was found."""

    ADDRESS = "address"
    LEARNED = "learned"
    NAME = "name"
    OVERRIDE = "override"


class Reason(StrEnum):
    """Why a message is not placed; the first that applies, in this order."""

    UNPARSEABLE = "unparseable"
    IGNORED = "ignored"
    OWN_ADDRESS = "own_address"
    BOUNCE = "bounce"
    AUTO_REPLY = "auto_reply"
    AMBIGUOUS_UNIT = "ambiguous_unit"
    NO_UNIT = "no_unit"
    NO_REQUEST = "no_request"


# Reasons for which the office has to look at a message (the others are set aside on purpose).
NEEDS_PERSON = frozenset({Reason.UNPARSEABLE, Reason.AMBIGUOUS_UNIT, Reason.NO_UNIT,
                          Reason.NO_REQUEST})


@dataclass(frozen=True, slots=True)
class Placement:
    """One (message, request) placement, or one unplaced message with its reason.

    Example: Placement("a1b2…", "STP", "178-TB/ĐTN", MatchKind.NAME, None, (), "keyword")
    """

    message_key: str
    unit_code: str | None
    request_id: str | None
    match: MatchKind | None
    reason: Reason | None
    candidates: tuple[str, ...] = ()
    request_match: str = ""  # id | thread | keyword | open | override
    # Why the sender's address could not speak for a unit (see matching.units.address_doubts):
    # from_mailboxes, hidden_address, auth_fail. The office sees them next to the message.
    flags: tuple[str, ...] = ()

    @property
    def placed(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class Override:
    """The office's `assign`: a unit (and maybe a request) for one message, or ignore it.

    A joint report names more units in `more_units`: the message counts for each of them too.
    """

    unit_code: str | None
    request_id: str | None = None
    ignore: bool = False
    more_units: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitFinding:
    """What the unit search concluded: a unit and how, or the tied candidates, or nothing."""

    unit_code: str | None
    match: MatchKind | None = None
    candidates: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


def placement_to_json(p: Placement) -> dict[str, object]:
    """A JSON-ready dict of a Placement (for the placement cache in the store)."""
    return {"k": p.message_key, "u": p.unit_code, "r": p.request_id,
            "m": p.match.value if p.match else None, "x": p.reason.value if p.reason else None,
            "c": list(p.candidates), "h": p.request_match, "f": list(p.flags)}


def placement_from_json(d: dict[str, Any]) -> Placement:
    return Placement(d["k"], d["u"], d["r"], MatchKind(d["m"]) if d["m"] else None,
                     Reason(d["x"]) if d["x"] else None, tuple(d["c"]), d["h"],
                     tuple(d.get("f", ())))
