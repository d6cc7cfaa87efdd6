"""The office's decisions: assign, ignore, excuse, extend, accept, unlearn, and undo.

Each use case checks what it is given against the store and the configuration, then records one
decision (ingest/decisions.py) with its author, time and reason, in one short SQLite
transaction. It needs no data-dir lock: the command line and the workspace may decide while
`once` or `serve` runs. A run reads the decisions when it builds, so a decision reaches the
outputs at the latest with the next rebuild; a front door calls `app.runner.rebuild_if_free`
after one to show it at once.

A refusal (an unknown message key, unit, request or decision, with the closest matches) raises a
`DecisionError` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.caches import parsed_message
from config.model import Settings
from ingest.decisions import Decision, DecisionKind, in_effect
from ingest.store import Store
from matching.lookup import find_request, find_unit
from outputs.i18n import say
from outputs.tables import local_short

__all__ = [
    "AlreadyUndoneError", "AmbiguousKeyError", "Decision", "DecisionError", "DecisionKind",
    "RefusedError", "UnknownError", "accept", "assign", "ensure_accepted", "excuse", "extend",
    "ignore",
    "list_decisions", "undo", "unlearn",
]

CLOSEST = 3


class DecisionError(Exception):
    """A decision was refused and nothing was changed.

    `what` names what was wrong (`message`, `unit`, `request`, `decision`, `address`), `value`
    is what was given, `closest` the nearest known values (best first)."""

    def __init__(self, what: str, value: str, closest: Sequence[str] = ()):
        super().__init__(f"{what} {value!r}" + (f" (closest: {', '.join(closest)})"
                                                if closest else ""))
        self.what = what
        self.value = value
        self.closest = tuple(closest)

    kind = "unknown"  # with `what`, names the sentence in outputs/i18n.py

    def text(self, language: str) -> str:
        """The refusal as the office reads it (without `closest`, which each front door lists)."""
        return say(f"{self.kind}_{self.what}", language, value=self.value)


class UnknownError(DecisionError):
    """No message, unit, request, decision or learned address is known by that value."""


class AmbiguousKeyError(DecisionError):
    """The typed start of a message key fits several messages (`closest` lists some)."""

    kind = "ambiguous"


class AlreadyUndoneError(DecisionError):
    """The decision was undone already."""

    kind = "undone"


class RefusedError(DecisionError):
    """A decision that would make no sense, said as the sentence `sentence` (outputs/i18n.py)
    filled with `values`: no store under this config, an extension that is not later than the
    notice's deadline, an excuse or extension for a unit the notice does not expect."""

    def __init__(self, sentence: str, **values: object):
        super().__init__(sentence, str(values))
        self.sentence = sentence
        self.values = values

    def text(self, language: str) -> str:
        return say(self.sentence, language, **self.values)


def _closest(value: str, known: Sequence[str]) -> list[str]:
    import difflib  # only when something is refused

    return difflib.get_close_matches(value, list(known), n=CLOSEST, cutoff=0.5)


def _message_key(store: Store, key: str) -> str:
    typed = key.strip().lower()
    found = store.message_keys(typed) if typed else []
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousKeyError("message", key, found[:5])
    keys = store.all_message_keys()
    starts = {k[:len(typed)]: k for k in keys}
    near = [starts[s] for s in _closest(typed, list(starts))]
    raise UnknownError("message", key, near)


def _unit_code(settings: Settings, code: str) -> str:
    """A unit's code as configured, from the code as typed (any case), or its name or alias
    (matching/lookup.py); refused with the closest codes, each with its unit's name."""
    found = find_unit(code, settings.units)
    if found.value is not None:
        return found.value
    names = {u.code: u.name for u in settings.units}
    shown = [f"{c} ({names[c]})" for c in found.closest]
    raise (AmbiguousKeyError if found.ambiguous else UnknownError)("unit", code, shown)


def _request_id(settings: Settings, request_id: str) -> str:
    """A request's id as configured, from the id as typed: exactly, without diacritics, case
    or punctuation, or by its number alone when that fits one request (matching/lookup.py)."""
    found = find_request(request_id, settings.requests)
    if found.value is not None:
        return found.value
    raise (AmbiguousKeyError if found.ambiguous else UnknownError)("request", request_id,
                                                                   found.closest)


def _open(settings: Settings) -> Store:
    """The store a run made. A decision under a wrong --config must not create an empty one."""
    if not (settings.data_dir / "mailtally.db").is_file():
        raise RefusedError("refused_no_store", path=settings.data_dir,
                           config=settings.config_path)
    return Store(settings.data_dir)


def _expected(settings: Settings, unit_code: str, request_id: str) -> None:
    """An excuse or an extension is for a unit the request expects a report from."""
    request = next(r for r in settings.requests if r.id == request_id)
    unit = next(u for u in settings.units if u.code == unit_code)
    if not request.expects(unit):
        raise RefusedError("refused_not_expected", rid=request_id, unit=unit_code)


def assign(settings: Settings, message_key: str, unit_codes: Sequence[str],
           request_id: str | None, *, author: str, reason: str = "") -> Decision:
    """The message counts for these units (and this request, or the one the rules find).

    With one unit, the sender's address is learned for it (unless it is the office's own);
    with several (a joint report), the message counts for each and nothing is learned.

    Raises:
        DecisionError: an unknown or ambiguous key, an unknown unit or request.
    """
    units = tuple(dict.fromkeys(_unit_code(settings, c) for c in unit_codes))
    if not units:
        raise UnknownError("unit", "")
    rid = _request_id(settings, request_id) if request_id else None
    store = _open(settings)
    try:
        key = _message_key(store, message_key)
        address = ""
        if len(units) == 1:
            parsed = parsed_message(store, key, limits=settings.limits)
            sender = parsed.author.lower() if parsed is not None else ""
            address = sender if sender and sender not in settings.own_addresses else ""
        return store.add_decision(DecisionKind.ASSIGN, author=author, message_key=key,
                                  unit_codes=units, request_id=rid, address=address,
                                  reason=reason)
    finally:
        store.close()


def ignore(settings: Settings, message_key: str, *, author: str, reason: str = "") -> Decision:
    """The message is left out of the report (reason `ignored`).

    Raises:
        DecisionError: an unknown or ambiguous key.
    """
    store = _open(settings)
    try:
        key = _message_key(store, message_key)
        return store.add_decision(DecisionKind.IGNORE, author=author, message_key=key,
                                  reason=reason)
    finally:
        store.close()


def _for_unit(settings: Settings, kind: DecisionKind, unit_code: str, request_id: str, *,
              author: str, reason: str, until: datetime | None = None) -> Decision:
    unit = _unit_code(settings, unit_code)
    rid = _request_id(settings, request_id)
    _expected(settings, unit, rid)
    if until is not None:
        deadline = next(r.deadline for r in settings.requests if r.id == rid)
        if until <= deadline:
            tz = settings.timezone
            raise RefusedError("refused_not_later", until=local_short(until, tz), rid=rid,
                               deadline=local_short(deadline, tz))
    store = _open(settings)
    try:
        return store.add_decision(kind, author=author, unit_codes=(unit,), request_id=rid,
                                  until=until, reason=reason)
    finally:
        store.close()


def excuse(settings: Settings, unit_code: str, request_id: str, *, author: str,
           reason: str = "") -> Decision:
    """The unit need not report for the request (status `excused`).

    Raises:
        DecisionError: an unknown unit or request.
    """
    return _for_unit(settings, DecisionKind.EXCUSE, unit_code, request_id, author=author,
                     reason=reason)


def extend(settings: Settings, unit_code: str, request_id: str, until: datetime, *,
           author: str, reason: str = "") -> Decision:
    """A later deadline for this unit alone (`until` without a zone is in the office's).

    Raises:
        DecisionError: an unknown unit or request; RefusedError: `until` is not later than the
            request's deadline, or the request does not expect the unit.
    """
    if until.tzinfo is None:
        until = until.replace(tzinfo=settings.timezone)
    return _for_unit(settings, DecisionKind.EXTEND, unit_code, request_id, author=author,
                     reason=reason, until=until)


def accept(settings: Settings, unit_code: str, request_id: str, *, author: str,
           reason: str = "") -> Decision:
    """What the unit sent for the request is taken as complete, at its latest evidence's
    receipt time.

    Raises:
        DecisionError: an unknown unit or request.
    """
    return _for_unit(settings, DecisionKind.ACCEPT, unit_code, request_id, author=author,
                     reason=reason)


def ensure_accepted(settings: Settings, unit_code: str, request_id: str, *, author: str,
                    reason: str = "") -> Decision | None:
    """`accept`, unless that acceptance is in effect already (the demo, run again in the same
    folder); None then."""
    unit, rid = _unit_code(settings, unit_code), _request_id(settings, request_id)
    store = _open(settings)
    try:
        if (unit, rid) in in_effect(store.decisions()).accepted:
            return None
    finally:
        store.close()
    return accept(settings, unit, rid, author=author, reason=reason)


def unlearn(settings: Settings, address: str, *, author: str, reason: str = "") -> Decision:
    """Forget an address an `assign` taught: its mail is placed by the rules again.

    Raises:
        DecisionError: no assign taught that address.
    """
    typed = address.strip().lower()
    store = _open(settings)
    try:
        learned = in_effect(store.decisions()).learned
        if typed not in learned:
            raise UnknownError("address", address, _closest(typed, list(learned)))
        return store.add_decision(DecisionKind.UNLEARN, author=author, address=typed,
                                  reason=reason)
    finally:
        store.close()


def undo(settings: Settings, decision_id: int, *, author: str) -> Decision:
    """Undo one decision: what it changed goes back to what it was before it (the decision
    before it on the same message or unit, or the rules). Returns the decision, now undone.

    Raises:
        DecisionError: no decision has that id, or it is undone already.
    """
    store = _open(settings)
    try:
        found = store.decision(decision_id)
        if found is None:
            ids = [str(d.id) for d in store.decisions(include_undone=False)]
            raise UnknownError("decision", str(decision_id), _closest(str(decision_id), ids))
        if not store.undo_decision(decision_id, author):
            raise AlreadyUndoneError("decision", str(decision_id))
        undone = store.decision(decision_id)
        assert undone is not None
        return undone
    finally:
        store.close()


def list_decisions(settings: Settings, *, include_undone: bool = True) -> list[Decision]:
    """Every decision, oldest first."""
    store = _open(settings)
    try:
        return store.decisions(include_undone=include_undone)
    finally:
        store.close()
