"""MatchContext: the roster, requests and the office's decisions, indexed once per run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from config.model import Request, Unit
from matching.fold import Folder
from matching.records import Override

# A unit name written with a typo still counts when it is this close (rapidfuzz ratio, 0-100) to
# the name, and only in the short fields (display name, subject, file names). Measured on the
# labelled corpus (bench/matching.py): at 70 one message and at 75 another goes to a wrong unit;
# 80 to 90 give 100% precision and 98.7% placed; from 95 up a misspelt subject is no longer
# recognised (98.3% placed). 90 keeps the most margin on the side that matters: a wrong unit.
FUZZY_MIN_SCORE = 90
FUZZY_MIN_CHARS = 10

# Parts of a unit's name that every unit shares; the rest is what tells units apart.
GENERIC_PREFIXES = (
    "ban chap hanh doan thanh nien cong san ho chi minh", "doan thanh nien cong san ho chi minh",
    "bch doan", "bch chi doan", "doan thanh nien", "lien chi doan", "chi doan", "doan co so",
    "doan",
)
_TYPE_WORDS = {
    "tb": "thong bao", "kh": "ke hoach", "cv": "cong van", "hd": "huong dan",
    "qd": "quyet dinh", "ct": "chi thi", "ctr": "chuong trinh", "bc": "bao cao",
    "nq": "nghi quyet", "tt": "to trinh",
}


def core_name(folded: str) -> str:
    """A folded name without the part every unit shares ("doan so tu phap" -> "so tu phap")."""
    for prefix in GENERIC_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1:]
    return folded


def acronym(core: str) -> str:
    """Initials of a name's words, "và" left out: "so van hoa va the thao" -> "svhtt"."""
    return "".join(w[0] for w in core.split() if w != "va" and not w.isdigit())


def unit_terms(unit: Unit, fold: Folder) -> set[str]:
    """The folded forms under which a unit's name may appear in a message."""
    terms: set[str] = set()
    for raw in (unit.name, *unit.aliases):
        folded = fold(raw)
        if not folded:
            continue
        terms.add(folded)
        core = core_name(folded)
        if core.endswith(" thanh pho") and len(core.split()) > 4:
            terms.add(core[: -len(" thanh pho")])
        if len(core.split()) >= 2:
            terms.add(core)
    return terms


def core_acronyms(unit: Unit, fold: Folder) -> set[str]:
    """Initials units write for themselves ("SNV" for Sở Nội vụ): three letters or more."""
    out = set()
    for raw in (unit.name, *unit.aliases):
        core = core_name(fold(raw))
        for text in (core, core.removesuffix(" thanh pho")):
            initials = acronym(text)
            if len(initials) >= 3:
                out.add(initials)
    return out


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


def request_id_needle(request_id: str, fold: Folder) -> str:
    """A piece of text that every match of `request_id_pattern` contains."""
    tokens = fold(request_id).split()
    if len(tokens) >= 2 and tokens[0].isdigit():
        return tokens[0]
    return fold(request_id)


@dataclass
class MatchContext:
    """Everything placement depends on, prepared once per run."""

    units: tuple[Unit, ...]
    requests: tuple[Request, ...]
    own_addresses: frozenset[str]
    overrides: dict[str, Override] = field(default_factory=dict)
    learned: dict[str, str] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    authserv_id: str = ""  # the office's own server in Authentication-Results ('' = topmost)

    def __post_init__(self) -> None:
        self.fold = Folder(self.abbreviations)
        self.by_address: dict[str, str] = {}
        for unit in self.units:
            for email in unit.emails:
                self.by_address.setdefault(email, unit.code)
        self.unit_by_code = {u.code: u for u in self.units}
        terms: dict[str, set[str]] = {}
        for unit in self.units:
            for term in unit_terms(unit, self.fold):
                terms.setdefault(term, set()).add(unit.code)
        # The office's own code for a unit ("SNV") is how some units write themselves; initials
        # of a name count too, when they belong to one unit only. Neither may be a word we know.
        code_owner = {self.fold(u.code): u.code for u in self.units}
        initials: dict[str, set[str]] = {}
        for unit in self.units:
            for short in core_acronyms(unit, self.fold):
                initials.setdefault(short, set()).add(unit.code)
        for short, owners in [*((c, {u}) for c, u in code_owner.items()), *initials.items()]:
            known = short in terms or short in self.fold.table or len(short) < 3 or " " in short
            if not known and len(owners) == 1 and (short not in code_owner or owners == {
                    code_owner[short]}):
                terms[short] = owners
        self.terms = terms
        # Word prefixes of names ("chi cuc thue" of "chi cuc thue quan 3"): a text that stops
        # at one names a unit without saying which. Shared parts ("doan thanh nien") are left
        # out: they start every name.
        self.prefixes: dict[str, set[str]] = {}
        for term, codes in terms.items():
            if core_name(term) != term:
                continue
            words = term.split()
            for n in range(2, len(words)):
                self.prefixes.setdefault(" ".join(words[:n]), set()).update(codes)
        self.fuzzy_terms: dict[int, list[str]] = {}
        for term in terms:
            if len(term) >= FUZZY_MIN_CHARS and " " in term:
                self.fuzzy_terms.setdefault(len(term.split()), []).append(term)
        ordered = sorted(terms, key=len, reverse=True)
        self.term_pattern = re.compile(
            r"(?<![a-z0-9])(" + "|".join(re.escape(t) for t in ordered) + r")(?![a-z0-9])"
        ) if ordered else None
        self.id_patterns = {r.id: request_id_pattern(r.id, self.fold) for r in self.requests}
        # Text every way of writing an id contains (its number, or the whole id): a substring
        # test in C rules out most requests before their pattern runs.
        self.id_needles = {r.id: request_id_needle(r.id, self.fold) for r in self.requests}
        self.keywords = {r.id: [k for k in (self.fold(k) for k in r.keywords) if k]
                         for r in self.requests}
