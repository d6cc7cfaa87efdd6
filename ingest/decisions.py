"""The office's decisions as records, and what they add up to (pure).

Every change the office makes (assign, ignore, excuse, extend, accept, unlearn) is one row of
the store's `decisions` table, with its author, time and reason; undoing one marks it undone
(nothing is deleted). `in_effect` folds the rows that are not undone into what the run applies:
for one message, or one (unit, request), the latest decision wins, so undoing it brings back
the one before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class DecisionKind(StrEnum):
    ASSIGN = "assign"
    IGNORE = "ignore"
    EXCUSE = "excuse"
    EXTEND = "extend"
    ACCEPT = "accept"
    UNLEARN = "unlearn"


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision of the office.

    Example: Decision(7, DecisionKind.ASSIGN, "a1b2c3d4e5f60718", ("STP",), "178-TB/ĐTN",
    None, "stp@example.vn", "gửi nhầm địa chỉ", "lan", <created_at>)

    `address` is the sender an `assign` to one unit taught (or "" when none was learned), and
    the address an `unlearn` forgot.
    """

    id: int
    kind: DecisionKind
    message_key: str | None
    unit_codes: tuple[str, ...]
    request_id: str | None
    until: datetime | None
    address: str
    reason: str
    author: str
    created_at: datetime
    undone_at: datetime | None = None
    undone_by: str | None = None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


@dataclass(frozen=True, slots=True)
class MessageDecision:
    """What the office decided for one message: its units (and request), or to ignore it."""

    unit_codes: tuple[str, ...]
    request_id: str | None
    ignore: bool


@dataclass(frozen=True, slots=True)
class InEffect:
    """The decisions the run applies, indexed as the stages read them."""

    messages: dict[str, MessageDecision] = field(default_factory=dict)
    learned: dict[str, str] = field(default_factory=dict)  # address -> unit_code
    excuses: dict[tuple[str, str], str] = field(default_factory=dict)  # (unit, request) -> reason
    extensions: dict[tuple[str, str], datetime] = field(default_factory=dict)
    accepted: dict[tuple[str, str], str] = field(default_factory=dict)  # -> reason
    extension_reasons: dict[tuple[str, str], str] = field(default_factory=dict)


def in_effect(decisions: list[Decision]) -> InEffect:
    """Fold decisions (in any order) into what applies now: undone ones are left out, and for
    one target the latest wins. An address is learned from an assign to one unit, unless an
    unlearn of it came later."""
    out = InEffect()
    learned_at: dict[str, tuple[int, str]] = {}
    unlearned_at: dict[str, int] = {}
    for d in sorted(decisions, key=lambda d: d.id):
        if d.undone:
            continue
        pair = (d.unit_codes[0], d.request_id or "") if d.unit_codes else ("", "")
        if d.kind in (DecisionKind.ASSIGN, DecisionKind.IGNORE) and d.message_key:
            out.messages[d.message_key] = MessageDecision(
                d.unit_codes if d.kind == DecisionKind.ASSIGN else (), d.request_id,
                ignore=d.kind == DecisionKind.IGNORE)
            if d.kind == DecisionKind.ASSIGN and d.address and len(d.unit_codes) == 1:
                learned_at[d.address] = (d.id, d.unit_codes[0])
        elif d.kind == DecisionKind.UNLEARN and d.address:
            unlearned_at[d.address] = d.id
        elif d.kind == DecisionKind.EXCUSE:
            out.excuses[pair] = d.reason
        elif d.kind == DecisionKind.EXTEND and d.until is not None:
            out.extensions[pair] = d.until
            out.extension_reasons[pair] = d.reason
        elif d.kind == DecisionKind.ACCEPT:
            out.accepted[pair] = d.reason
    for address, (at, unit) in learned_at.items():
        if unlearned_at.get(address, -1) < at:
            out.learned[address] = unit
    return out
