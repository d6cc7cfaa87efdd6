"""Placement: which unit sent a message and which request it answers, or why it is not placed.

Pure: the roster, requests, the office's overrides and learned addresses come in as a
`MatchContext`; nothing here reads files, the clock or a mailbox. Contract, "Rules".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from config.model import Request, Unit
from matching.evidence import own_words
from matching.fold import Folder
from parsers.records import ParsedMessage

OPEN_AFTER_DEADLINE = timedelta(days=30)
# A unit name written with a typo still counts when it is this close (rapidfuzz ratio, 0-100) to
# the name, and only in the short fields (display name, subject, file names). See
# bench/matching.py for the measurement behind the number.
FUZZY_MIN_SCORE = 90
FUZZY_MIN_CHARS = 10

# Parts of a unit's name that every unit shares; the rest is what tells units apart.
_GENERIC_PREFIXES = (
    "ban chap hanh doan thanh nien cong san ho chi minh", "doan thanh nien cong san ho chi minh",
    "bch doan", "doan thanh nien", "lien chi doan", "chi doan", "doan co so", "doan",
)
_TYPE_WORDS = {
    "tb": "thong bao", "kh": "ke hoach", "cv": "cong van", "hd": "huong dan",
    "qd": "quyet dinh", "ct": "chi thi", "ctr": "chuong trinh", "bc": "bao cao",
    "nq": "nghi quyet", "tt": "to trinh",
}


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

    @property
    def placed(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class Override:
    """The office's `assign`: a unit (and maybe a request) for one message, or ignore it."""

    unit_code: str | None
    request_id: str | None = None
    ignore: bool = False


@dataclass
class MatchContext:
    """Everything placement depends on, prepared once per run."""

    units: tuple[Unit, ...]
    requests: tuple[Request, ...]
    own_addresses: frozenset[str]
    overrides: dict[str, Override] = field(default_factory=dict)
    learned: dict[str, str] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.fold = Folder(self.abbreviations)
        self.by_address: dict[str, str] = {}
        for unit in self.units:
            for email in unit.emails:
                self.by_address.setdefault(email, unit.code)
        self.unit_codes = {u.code for u in self.units}
        terms: dict[str, set[str]] = {}
        for unit in self.units:
            for term in unit_terms(unit, self.fold):
                terms.setdefault(term, set()).add(unit.code)
        self.terms = terms
        self.fuzzy_terms: dict[int, list[str]] = {}
        for term in terms:
            if len(term) >= FUZZY_MIN_CHARS and " " in term:
                self.fuzzy_terms.setdefault(len(term.split()), []).append(term)
        ordered = sorted(terms, key=len, reverse=True)
        self.term_pattern = re.compile(
            r"(?<![a-z0-9])(" + "|".join(re.escape(t) for t in ordered) + r")(?![a-z0-9])"
        ) if ordered else None
        self.id_patterns = {r.id: request_id_pattern(r.id, self.fold) for r in self.requests}
        self.keywords = {r.id: [k for k in (self.fold(k) for k in r.keywords) if k]
                         for r in self.requests}


def unit_terms(unit: Unit, fold: Folder) -> set[str]:
    """The folded forms under which a unit's name may appear in a message."""
    terms: set[str] = set()
    for raw in (unit.name, *unit.aliases):
        folded = fold(raw)
        if not folded:
            continue
        terms.add(folded)
        core = folded
        for prefix in _GENERIC_PREFIXES:
            if core.startswith(prefix + " "):
                core = core[len(prefix) + 1:]
                break
        if core.endswith(" thanh pho") and len(core.split()) > 4:
            terms.add(core[: -len(" thanh pho")])
        if len(core.split()) >= 2:
            terms.add(core)
    return terms


def request_id_pattern(request_id: str, fold: Folder) -> re.Pattern[str]:
    """A pattern for the common ways of writing a request's id, on folded text.

    "178-TB/ĐTN" is also found as "178/TB-DTN", "TB 178", "TB số 178" and "thông báo số 178".
    """
    folded = fold(request_id)
    tokens = folded.split()
    alternatives = [re.escape(folded)]
    if len(tokens) >= 2 and tokens[0].isdigit():
        num = tokens[0]
        kind = tokens[1]
        long_kind = _TYPE_WORDS.get(kind, "")
        alternatives.append(rf"{num} {re.escape(kind)}")
        alternatives.append(rf"{re.escape(kind)} (?:so )?{num}")
        if long_kind:
            alternatives.append(rf"{long_kind} (?:so )?{num}")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])")


SHORT_FIELDS = 3  # display name, subject, attachment names


def _fields(parsed: ParsedMessage, fold: Folder) -> list[str]:
    """Folded places where a unit's name is looked for, most telling first.

    A forward is judged by its original: its sender's name and subject come first.
    """
    names: list[str] = []
    if parsed.forwarded is not None:
        names += [parsed.forwarded.sender_name, parsed.forwarded.subject]
    else:
        names += [parsed.sender_name, parsed.subject]
    names.append(" ".join(a.filename for a in parsed.attachments))
    names.append(own_words(parsed))
    names.append(" ".join(a.text for a in parsed.attachments))
    return [fold(n) for n in names]


def _units_named(text: str, ctx: MatchContext) -> set[str]:
    if not text or ctx.term_pattern is None:
        return set()
    found: set[str] = set()
    for m in ctx.term_pattern.finditer(text):
        found.update(ctx.terms[m.group(1)])
    return found


def _units_near(text: str, ctx: MatchContext) -> set[str]:
    """Units whose name is written in `text` with a small typo (best score wins; ties kept)."""
    from rapidfuzz import fuzz, process

    words = text.split()
    best_score = 0.0
    best: set[str] = set()
    for n, terms in ctx.fuzzy_terms.items():
        for i in range(len(words) - n + 1):
            window = " ".join(words[i:i + n])
            found = process.extractOne(window, terms, scorer=fuzz.ratio,
                                       score_cutoff=FUZZY_MIN_SCORE)
            if found is None:
                continue
            term, score = found[0], float(found[1])
            if score > best_score:
                best_score, best = score, set(ctx.terms[term])
            elif score == best_score:
                best |= ctx.terms[term]
    return best


def find_unit(parsed: ParsedMessage, ctx: MatchContext
              ) -> tuple[str | None, MatchKind | None, tuple[str, ...]]:
    """(unit_code, how, candidates): candidates are set when two or more units tie."""
    override = ctx.overrides.get(parsed.message_key)
    if override is not None and override.unit_code:
        return override.unit_code, MatchKind.OVERRIDE, ()
    author = parsed.author
    if author in ctx.by_address:
        return ctx.by_address[author], MatchKind.ADDRESS, ()
    if author in ctx.learned:
        return ctx.learned[author], MatchKind.LEARNED, ()
    fields = _fields(parsed, ctx.fold)
    for text in fields:
        named = _units_named(text, ctx)
        if len(named) == 1:
            return named.pop(), MatchKind.NAME, ()
        if len(named) > 1:
            return None, None, tuple(sorted(named))
    # No name written exactly anywhere: try the short fields again, forgiving a typo.
    for text in fields[:SHORT_FIELDS]:
        near = _units_near(text, ctx)
        if len(near) == 1:
            return near.pop(), MatchKind.NAME, ()
        if len(near) > 1:
            return None, None, tuple(sorted(near))
    if parsed.forwarded is not None:
        # Nothing in the original names a unit: the forwarder is the best witness left.
        if parsed.sender in ctx.by_address:
            return ctx.by_address[parsed.sender], MatchKind.ADDRESS, ()
        if parsed.sender in ctx.learned:
            return ctx.learned[parsed.sender], MatchKind.LEARNED, ()
    return None, None, ()


def find_requests(parsed: ParsedMessage, unit_code: str, ctx: MatchContext
                  ) -> tuple[list[str], str]:
    """Request ids a placed message answers, and how they were found ('' when none)."""
    override = ctx.overrides.get(parsed.message_key)
    if override is not None and override.request_id:
        return [override.request_id], "override"
    fields = _fields(parsed, ctx.fold)
    fields.insert(0, ctx.fold(parsed.subject))
    text = "\n".join(fields)
    named = [r.id for r in ctx.requests if ctx.id_patterns[r.id].search(text)]
    if named:
        return named, "id"
    thread = {parsed.in_reply_to, *parsed.references} - {""}
    threaded = [r.id for r in ctx.requests if r.notice_message_id and r.notice_message_id in thread]
    if threaded:
        return threaded[:1], "thread"
    unit = next((u for u in ctx.units if u.code == unit_code), None)
    expecting = [r for r in ctx.requests if unit is None or r.expects(unit)]
    hits = {r.id: sum(1 for k in ctx.keywords[r.id] if re.search(
        rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])", text)) for r in expecting}
    best = max(hits.values(), default=0)
    tied = [rid for rid, n in hits.items() if n == best and n > 0]
    if len(tied) == 1:
        return tied, "keyword"
    received = parsed.received_at
    open_now = [r for r in expecting
                if r.issued <= received <= r.deadline + OPEN_AFTER_DEADLINE
                and (not tied or r.id in tied)]
    if len(open_now) == 1:
        return [open_now[0].id], "open"
    return [], ""


def place_message(parsed: ParsedMessage, ctx: MatchContext) -> tuple[Placement, ...]:
    """Place one message: one Placement per request it answers, or one with the reason it is not
    placed (the first that applies, in the contract's order)."""
    key = parsed.message_key

    def unplaced(reason: Reason, unit: str | None = None, match: MatchKind | None = None,
                 candidates: tuple[str, ...] = ()) -> tuple[Placement, ...]:
        return (Placement(key, unit, None, match, reason, candidates),)

    override = ctx.overrides.get(key)
    if parsed.problem and not (override and override.unit_code):
        return unplaced(Reason.UNPARSEABLE)
    if override is not None and override.ignore:
        return unplaced(Reason.IGNORED)
    if override is None or not override.unit_code:
        if parsed.sender in ctx.own_addresses:
            return unplaced(Reason.OWN_ADDRESS)
        if parsed.bounce:
            return unplaced(Reason.BOUNCE)
        if parsed.auto_reply:
            return unplaced(Reason.AUTO_REPLY)
    unit_code, match, candidates = find_unit(parsed, ctx)
    if unit_code is None:
        if candidates:
            return unplaced(Reason.AMBIGUOUS_UNIT, candidates=candidates)
        return unplaced(Reason.NO_UNIT)
    request_ids, how = find_requests(parsed, unit_code, ctx)
    if not request_ids:
        return unplaced(Reason.NO_REQUEST, unit_code, match)
    return tuple(Placement(key, unit_code, rid, match, None, (), how) for rid in request_ids)
