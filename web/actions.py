"""The office's decisions as the workspace makes them: the one place that calls the
application's decision use cases.

The use cases are to be `app/decisions.py` (assign, ignore, excuse, extend, accept, undo,
list_decisions, each with its author). Until they land, this adapter makes the same decisions
with the store's methods of today; the forms and pages only ever call the functions below, so
switching is this one file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pipeline
from config.model import Settings
from ingest.store import Store


class DecisionError(ValueError):
    """A decision was refused and nothing was changed (as app/decisions.py's): `what` names
    what was wrong (message, unit, request, decision, or not_available in this version),
    `value` what was given, `closest` the nearest known values."""

    def __init__(self, what: str, value: str, closest: Sequence[str] = ()):
        super().__init__(f"{what} {value!r}")
        self.what, self.value, self.closest = what, value, tuple(closest)


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision of the office (the shape of ingest/decisions.py's)."""

    id: int
    kind: str  # assign | ignore | excuse | extend | accept | unlearn
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


def _check_unit(settings: Settings, code: str) -> None:
    if not any(u.code == code for u in settings.units):
        raise DecisionError("unit", code)


def _check_request(settings: Settings, rid: str) -> None:
    if not any(r.id == rid for r in settings.requests):
        raise DecisionError("request", rid)


def assign(settings: Settings, message_key: str, unit_codes: Sequence[str],
           request_id: str | None, *, author: str, reason: str = "") -> Decision:
    for code in unit_codes:
        _check_unit(settings, code)
    if request_id:
        _check_request(settings, request_id)
    if len(unit_codes) != 1:
        raise DecisionError("not_available", ",".join(unit_codes))  # joint: app/decisions.py
    store = Store(settings.data_dir)
    try:
        if store.message(message_key) is None:
            raise DecisionError("message", message_key)
        with store.transaction():
            store.set_override(message_key, unit_codes[0], request_id, ignore=False)
        parsed = pipeline.parsed_message(store, message_key, limits=settings.limits)
        address = parsed.author if parsed else ""
        if address and address not in settings.own_addresses:
            with store.transaction():
                store.learn(address, unit_codes[0], message_key)
    finally:
        store.close()
    return Decision(0, "assign", message_key, tuple(unit_codes), request_id, None, address,
                    reason, author, datetime.now(UTC))


def ignore(settings: Settings, message_key: str, *, author: str, reason: str = "") -> Decision:
    store = Store(settings.data_dir)
    try:
        if store.message(message_key) is None:
            raise DecisionError("message", message_key)
        with store.transaction():
            store.set_override(message_key, None, None, ignore=True)
    finally:
        store.close()
    return Decision(0, "ignore", message_key, (), None, None, "", reason, author,
                    datetime.now(UTC))


def excuse(settings: Settings, unit_code: str, request_id: str, *, author: str,
           reason: str = "") -> Decision:
    _check_unit(settings, unit_code)
    _check_request(settings, request_id)
    store = Store(settings.data_dir)
    try:
        with store.transaction():
            store.set_excuse(unit_code, request_id, reason)
    finally:
        store.close()
    return Decision(0, "excuse", None, (unit_code,), request_id, None, "", reason, author,
                    datetime.now(UTC))


def extend(settings: Settings, unit_code: str, request_id: str, until: datetime, *,
           author: str, reason: str = "") -> Decision:
    _check_unit(settings, unit_code)
    _check_request(settings, request_id)
    store = Store(settings.data_dir)
    try:
        with store.transaction():
            store.set_extension(unit_code, request_id, until, reason)
    finally:
        store.close()
    return Decision(0, "extend", None, (unit_code,), request_id, until, "", reason, author,
                    datetime.now(UTC))


def accept(settings: Settings, unit_code: str, request_id: str, *, author: str,
           reason: str = "") -> Decision:
    raise DecisionError("not_available", "accept")  # app/decisions.py


def undo(settings: Settings, decision_id: int, *, author: str) -> Decision:
    raise DecisionError("not_available", "undo")  # app/decisions.py


def list_decisions(settings: Settings, *, include_undone: bool = True) -> list[Decision]:
    return []  # app/decisions.py keeps them with author and time
