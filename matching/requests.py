"""Which request a placed message answers (contract, "Which request"), in this order: the request's
id written in the message, a reply in the notice's thread, the request's keywords, the only
request open for that unit, and as a last resort the keywords' word pairs."""

from __future__ import annotations

import re
from datetime import timedelta

from config.model import Request
from matching.context import MatchContext
from matching.units import fields
from parsers.records import ParsedMessage

OPEN_AFTER_DEADLINE = timedelta(days=30)


def _contains(text: str, phrase: str) -> bool:
    return phrase in text and re.search(
        rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None


def _best(scores: dict[str, int]) -> list[str]:
    top = max(scores.values(), default=0)
    return [rid for rid, n in scores.items() if n == top and n > 0]


def _pairs(keyword: str) -> set[str]:
    words = keyword.split()
    return {" ".join(words[i:i + 2]) for i in range(len(words) - 1)}


def find_requests(parsed: ParsedMessage, unit_code: str, ctx: MatchContext,
                  texts: list[str] | None = None) -> tuple[list[str], str]:
    """Request ids a placed message answers, and how they were found ('' when none).

    Example: (["178-TB/ĐTN"], "id"), (["185-TB/ĐTN"], "open"), ([], "").
    """
    override = ctx.overrides.get(parsed.message_key)
    if override is not None and override.request_id:
        return [override.request_id], "override"
    texts = texts if texts is not None else fields(parsed, ctx)
    text = "\n".join([ctx.fold(parsed.subject), *texts])
    named = [r.id for r in ctx.requests
             if ctx.id_needles[r.id] in text and ctx.id_patterns[r.id].search(text)]
    if named:
        return named, "id"
    thread = {parsed.in_reply_to, *parsed.references} - {""}
    threaded = [r.id for r in ctx.requests if r.notice_message_id and r.notice_message_id in thread]
    if threaded:
        return threaded[:1], "thread"
    unit = ctx.unit_by_code.get(unit_code)
    expecting = [r for r in ctx.requests if unit is None or r.expects(unit)]
    tied = _best({r.id: sum(_contains(text, k) for k in ctx.keywords[r.id]) for r in expecting})
    if len(tied) == 1:
        return tied, "keyword"
    received = parsed.received_at
    open_now: list[Request] = [r for r in expecting
                               if r.issued <= received <= r.deadline + OPEN_AFTER_DEADLINE
                               and (not tied or r.id in tied)]
    if len(open_now) == 1:
        return [open_now[0].id], "open"
    # Several open: a pair of a keyword's words in the subject ("ngày cao điểm" for the keyword
    # "hoạt động cao điểm") decides between them.
    subject = ctx.fold(parsed.subject)
    near = _best({r.id: sum(_contains(subject, p) for k in ctx.keywords[r.id] for p in _pairs(k))
                  for r in open_now})
    if len(near) == 1:
        return near, "keyword"
    return [], ""
