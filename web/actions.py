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
    """A decision cannot be made as asked. `key` names why for the workspace's words
    (unknown_unit, unknown_request, unknown_message, not_available), `value` what was asked."""

    def __init__(self, key: str, value: str = ""):
        super().__init__(f"{key}: {value}")
        self.key, self.value = key, value


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision of the office, as the decisions page lists it."""

    id: int
    kind: str  # assign | ignore | excuse | extend | accept
    author: str
    created_at: datetime
    reason: str = ""
    message_key: str = ""
    unit_codes: tuple[str, ...] = ()
    request_id: str = ""
    until: datetime | None = None
    undone_at: datetime | None = None
    undone_by: str = ""


def _check_unit(settings: Settings, code: str) -> None:
    if not any(u.code == code for u in settings.units):
        raise DecisionError("unknown_unit", code)


def _check_request(settings: Settings, rid: str) -> None:
    if not any(r.id == rid for r in settings.requests):
        raise DecisionError("unknown_request", rid)


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
            raise DecisionError("unknown_message", message_key)
        with store.transaction():
            store.set_override(message_key, unit_codes[0], request_id, ignore=False)
        parsed = pipeline.parsed_message(store, message_key, limits=settings.limits)
        address = parsed.author if parsed else ""
        if address and address not in settings.own_addresses:
            with store.transaction():
                store.learn(address, unit_codes[0], message_key)
    finally:
        store.close()
    return Decision(0, "assign", author, datetime.now(UTC), reason, message_key,
                    tuple(unit_codes), request_id or "")


def ignore(settings: Settings, message_key: str, *, author: str, reason: str = "") -> Decision:
    store = Store(settings.data_dir)
    try:
        if store.message(message_key) is None:
            raise DecisionError("unknown_message", message_key)
        with store.transaction():
            store.set_override(message_key, None, None, ignore=True)
    finally:
        store.close()
    return Decision(0, "ignore", author, datetime.now(UTC), reason, message_key)


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
    return Decision(0, "excuse", author, datetime.now(UTC), reason, "", (unit_code,), request_id)


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
    return Decision(0, "extend", author, datetime.now(UTC), reason, "", (unit_code,), request_id,
                    until)


def accept(settings: Settings, unit_code: str, request_id: str, *, author: str,
           reason: str = "") -> Decision:
    raise DecisionError("not_available", "accept")  # app/decisions.py


def undo(settings: Settings, decision_id: int, *, author: str) -> Decision:
    raise DecisionError("not_available", "undo")  # app/decisions.py


def list_decisions(settings: Settings, *, include_undone: bool = True) -> list[Decision]:
    return []  # app/decisions.py keeps them with author and time
