"""Which unit sent a message: its address, a remembered address, or its name where a clerk looks.

Pure functions of a ParsedMessage and a MatchContext. The search stops at the first field that
names units: one unit is an answer, two or more equally named are `ambiguous_unit`, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import replace

from matching.context import MatchContext
from matching.records import MatchKind, UnitFinding
from parsers.auth import authentication_verdict
from parsers.records import Original, ParsedMessage

SHORT_FIELDS = 3  # display name, subject, attachment names
CUE_WINDOW_CHARS = 200  # of text before a name, where a cue or the start of a longer name is
DANGLING_MIN_WORDS = 3

# Words just before a unit's name that make it a partner, a venue or an addressee, not the author:
# "phối hợp với Đoàn Sở Du lịch", "tại Sở Xây dựng", "kính gửi Đoàn Khối".
# ("tai" is both "tại", at, and "tài" as in "Sở Tài chính": it is a cue only right before the
# name, or before a place word: "tại bộ phận một cửa Sở Xây dựng".)
_NOT_AUTHOR_CUES = re.compile(
    r"(?:^| )(?:(?:voi|cung|kinh gui|gui den|phoi hop|ho tro|giup do|den tham|tham)"
    r"(?: [a-z0-9]+){0,3}|tai|tai(?: [a-z0-9]+)*? (?:bo phan|tru so|hoi truong|khu|cua)"
    r"(?: [a-z0-9]+){0,2})$")
# "Phòng Công chứng số 1 và số 2": a second number names a second unit.
_AND_NUMBER = re.compile(r" va (?:so )?(\d+)\b")


def effective_original(parsed: ParsedMessage, ctx: MatchContext) -> Original | None:
    """The forwarded original that speaks for the message, or None.

    A unit that forwards the office's own notice back (to ask about it) is judged by itself:
    the notice names many units and speaks for none of them.
    """
    original = parsed.forwarded
    if original is None or original.sender in ctx.own_addresses:
        return None
    return original


def address_doubts(parsed: ParsedMessage, ctx: MatchContext) -> tuple[str, ...]:
    """Why no address in `parsed` may speak for a unit (contract, "Which unit"); () when one may.

    - `from_mailboxes`: From does not hold exactly one mailbox;
    - `hidden_address`: a roster (or learned) address is written in From outside its mailbox
      (a display name, quoted or not, or a comment);
    - `auth_fail`: the office's own server failed the message (`authentication_verdict`, aligned
      with the From domain).
    """
    doubts = []
    if parsed.from_mailboxes != 1:
        doubts.append("from_mailboxes")
    if any(a in ctx.by_address or a in ctx.learned for a in parsed.written_addresses):
        doubts.append("hidden_address")
    if authentication_verdict(parsed.auth_results, parsed.sender, ctx.authserv_id) == "fail":
        doubts.append("auth_fail")
    return tuple(doubts)


def _claims_a_unit(parsed: ParsedMessage, ctx: MatchContext) -> bool:
    """Whether any address the message shows is a roster (or learned) one."""
    original = parsed.forwarded.sender if parsed.forwarded is not None else ""
    return any(a and (a in ctx.by_address or a in ctx.learned)
               for a in (parsed.sender, original, *parsed.written_addresses))


_ADDRESS_LIKE = re.compile(r"[^\s<>\"'()]*@[^\s<>\"'()]*")


def _without_addresses(name: str) -> str:
    """A display name without the addresses written in it: an address is not a unit's name
    ("doan.stp@x.vn" <attacker@evil> must not be read as naming STP)."""
    return _ADDRESS_LIKE.sub(" ", name[:1000]) if "@" in name else name


def fields(parsed: ParsedMessage, ctx: MatchContext) -> list[str]:
    """Folded places where a unit's name is looked for, most telling first.

    A forward is judged by its original: the original sender's name and subject come first.
    """
    original = effective_original(parsed, ctx)
    if original is not None:
        texts = [_without_addresses(original.sender_name), original.subject,
                 " ".join(a.filename for a in parsed.attachments),
                 f"{parsed.own_text}\n{original.text}",
                 " ".join(a.text for a in parsed.attachments)]
    elif parsed.forwarded is not None:  # the office's notice, forwarded back
        texts = [parsed.sender_name, parsed.subject, "", parsed.own_text, ""]
    else:
        texts = [_without_addresses(parsed.sender_name), parsed.subject,
                 " ".join(a.filename for a in parsed.attachments), parsed.own_text,
                 " ".join(a.text for a in parsed.attachments)]
    return [ctx.fold(t) for t in texts]


def _unfinished_name(words_before: list[str], term: str, ctx: MatchContext) -> str | None:
    """The longest phrase ending in `term` that starts other units' names without finishing."""
    for k in range(len(words_before), 0, -1):
        phrase = " ".join([*words_before[-k:], term])
        if phrase in ctx.prefixes and phrase not in ctx.terms:
            return phrase
    return None


def units_named(text: str, ctx: MatchContext) -> tuple[set[str], set[str]]:
    """(units named as the author could be, units a cut-short name could be) in one folded text.

    A name right after "với", "tại", "kính gửi"… names a partner, a venue or an addressee and is
    left out. A name that a longer, unfinished name swallows ("Chi cục Thuế" before no district)
    could be any unit whose name starts that way.
    """
    if not text or ctx.term_pattern is None:
        return set(), set()
    named: set[str] = set()
    unclear: set[str] = set()
    for m in ctx.term_pattern.finditer(text):
        # Only the words just before a name are read (the cues and an unfinished name are a
        # few words long): the text before it is never copied or searched again, so a body
        # repeating a name thousands of times costs linear time.
        start = max(0, m.start() - CUE_WINDOW_CHARS)
        before = text[start: m.start()].rstrip()
        if start:  # from a whole word on
            before = before[before.find(" ") + 1:] if " " in before else ""
        if _NOT_AUTHOR_CUES.search(before):
            continue
        longer = _unfinished_name(before.split()[-3:], m.group(1), ctx)
        if longer is not None:
            unclear |= ctx.prefixes[longer]
            continue
        named |= ctx.terms[m.group(1)]
        term = m.group(1)
        number = re.search(r"\d+$", term)
        more = _AND_NUMBER.match(text, m.end())
        if number and more:
            other = term[: number.start()] + more.group(1)
            named |= ctx.terms.get(other, set())
    return named, unclear


def units_near(text: str, ctx: MatchContext) -> set[str]:
    """Units whose name is written in `text` with a small typo (best score wins; ties kept)."""
    from rapidfuzz import fuzz, process

    from matching.context import FUZZY_MIN_SCORE

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


def dangling_candidates(text: str, ctx: MatchContext) -> set[str]:
    """Units a name cut short could be ("Chi đoàn Thanh tra Sở" without saying which Sở)."""
    words = text.split()
    best: set[str] = set()
    best_len = 0
    for n in range(DANGLING_MIN_WORDS, 7):
        for i in range(len(words) - n + 1):
            phrase = " ".join(words[i:i + n])
            codes = ctx.prefixes.get(phrase)
            if codes and len(codes) > 1 and n > best_len:
                best, best_len = set(codes), n
    return best


def _by_address(address: str, ctx: MatchContext) -> UnitFinding | None:
    if address in ctx.by_address:
        return UnitFinding(ctx.by_address[address], MatchKind.ADDRESS)
    if address in ctx.learned:
        return UnitFinding(ctx.learned[address], MatchKind.LEARNED)
    return None


def _decide(named: set[str], unclear: set[str] | None = None) -> UnitFinding | None:
    everyone = named | (unclear or set())
    if len(everyone) == 1 and named:
        return UnitFinding(next(iter(named)), MatchKind.NAME)
    if everyone:
        return UnitFinding(None, None, tuple(sorted(everyone)))
    return None


def find_unit(parsed: ParsedMessage, ctx: MatchContext,
              texts: list[str] | None = None) -> UnitFinding:
    """The unit that sent `parsed`, how it was found, or the candidates when units tie; with
    the `address_doubts` as flags when the message shows a unit's address that could not
    speak for it (or its server failed it).

    `texts` are `fields(parsed, ctx)` when the caller has them already.
    """
    doubts = address_doubts(parsed, ctx)
    found = _find_unit(parsed, ctx, texts, trust_addresses=not doubts)
    if doubts and ("auth_fail" in doubts or _claims_a_unit(parsed, ctx)):
        found = replace(found, flags=doubts)
    return found


def _find_unit(parsed: ParsedMessage, ctx: MatchContext, texts: list[str] | None, *,
               trust_addresses: bool) -> UnitFinding:
    override = ctx.overrides.get(parsed.message_key)
    if override is not None and override.unit_code:
        return UnitFinding(override.unit_code, MatchKind.OVERRIDE)
    original = effective_original(parsed, ctx)
    author = original.sender if original is not None and original.sender else parsed.sender
    # An address is no proof when From is not one plain mailbox or the office's server failed
    # the message: the name in the message then has to speak for the unit. A forward inside
    # such a message does not speak for its original's address either.
    found = _by_address(author, ctx) if trust_addresses else None
    if found is not None:
        return found
    texts = texts if texts is not None else fields(parsed, ctx)
    for text in texts:
        found = _decide(*units_named(text, ctx))
        if found is not None:
            return found
    # No name written exactly anywhere: try the short fields again, forgiving a typo.
    for text in texts[:SHORT_FIELDS]:
        found = _decide(units_near(text, ctx))
        if found is not None:
            return found
    if original is not None and trust_addresses:
        # Nothing in the original names a unit: the forwarder is the best witness left.
        found = _by_address(parsed.sender, ctx)
        if found is not None:
            return found
    for text in texts[:SHORT_FIELDS]:
        candidates = dangling_candidates(text, ctx)
        if candidates:
            return UnitFinding(None, None, tuple(sorted(candidates)))
    return UnitFinding(None)
