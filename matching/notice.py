"""A notice's proposed request, with the units it addresses matched against the roster.

The names after `Kính gửi:` (or in the sentence that asks for the report) are found with the
placement matcher's own folding and name index (`MatchContext`, `units_named`), so a notice names
a unit exactly when a unit's mail would. A name that fits a roster group becomes "group:NAME".

`found_notices` lists the office's own mail that carries a notice number no request tracks yet,
each with its proposal: the workspace's "new notice found: create the request?".
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import tzinfo

from config.model import Request, Unit
from matching.context import MatchContext
from matching.fold import Folder
from matching.units import units_named
from parsers.notice import (
    Field,
    NoticeReading,
    Said,
    every_unit,
    read_keywords,
    read_notice,
    read_subject,
)
from parsers.records import ParsedMessage


@dataclass(frozen=True, slots=True)
class Proposal:
    """A request proposed from a notice: what was read, the units as roster codes, where from.

    `units` holds "*", unit codes or "group:NAME"; `origin` is the file name or message key.
    Example: Proposal(reading, Field(("*",), "Các cơ sở Đoàn …"), "<id@x>", "178.pdf").
    """

    reading: NoticeReading
    units: Field[tuple[str, ...]]
    notice_message_id: str = ""
    origin: str = ""
    text_from: Said | None = None  # which part of a mail the notice was read from


@dataclass(frozen=True, slots=True)
class FoundNotice:
    """Mail of the office's own that carries a notice no request tracks yet."""

    message_key: str
    subject: str
    proposal: Proposal


def _group_for(name: str, ctx: MatchContext, groups: dict[str, str]) -> str | None:
    folded = ctx.fold(name)
    for folded_group, group in groups.items():
        if folded_group and f" {folded_group} " in f" {folded} ":
            return group
    return None


@functools.lru_cache(maxsize=4)
def _folded_groups(units: tuple[Unit, ...], abbreviations: tuple[tuple[str, str], ...]
                   ) -> dict[str, str]:
    """Folded group name -> group, once per roster (not once per notice read: 300 units
    folded for each of a thousand of the office's mails was most of `found_notices`)."""
    fold = Folder(dict(abbreviations))
    return {fold(u.group): u.group for u in units if u.group}


def match_units(reading: NoticeReading, ctx: MatchContext) -> Field[tuple[str, ...]]:
    """The roster codes (or "*", or "group:NAME") of the units the notice addresses.

    Each name after `Kính gửi:` is a roster group, units found by the placement matcher's name
    index, or every base unit; without that list, units named in the asking sentence; without
    those, a line of the notice that addresses every base unit (with a note to check it).
    """
    audience = reading.audience
    if audience.value == ("*",):
        return audience
    groups = _folded_groups(tuple(ctx.units), tuple(sorted(ctx.abbreviations.items())))
    from_list = bool(audience.value)
    names = list(audience.value or ()) if from_list else (
        [reading.asking] if reading.asking else [])
    source = audience.source if from_list else _short(reading.asking)
    codes: list[str] = []
    unmatched: list[str] = []
    for name in names:
        group = _group_for(name, ctx, groups) if from_list else None
        if group is not None:
            codes.append(f"group:{group}")
            continue
        named, cut_short = units_named(ctx.fold(name), ctx)
        if from_list and (cut_short - named or (not named and not every_unit(name))):
            unmatched.append(name)
        if named:
            codes.extend(sorted(named))
        elif from_list and every_unit(name):
            codes.append("*")
    if "*" in codes:
        codes = ["*"]
    codes = list(dict.fromkeys(codes))
    if not codes:
        if not from_list and reading.everyone.value:
            return reading.everyone
        note = audience.note or ("văn bản không nêu đơn vị nào phải báo cáo",
                                 "the notice names no unit that must report")
        if unmatched:
            missing = "; ".join(unmatched)
            note = (f"không khớp được với units.csv: {missing}",
                    f"not matched in units.csv: {missing}")
        return Field(note=note)
    check: Said | None = None
    if not from_list:
        check = ("đơn vị lấy theo tên trong câu yêu cầu báo cáo; kiểm tra lại",
                 "units taken from the names in the asking sentence; check them")
    if unmatched:
        missing = "; ".join(unmatched)
        check = (f"không khớp được với units.csv, hãy thêm tay: {missing}",
                 f"not matched in units.csv, add them by hand: {missing}")
    return Field(tuple(codes), source, check)


def _short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= 160 else one[:159] + "…"


def propose_request(reading: NoticeReading, ctx: MatchContext, *, notice_message_id: str = "",
                    origin: str = "", text_from: Said | None = None) -> Proposal:
    """The request a notice implies, its units matched against `ctx`'s roster."""
    return Proposal(reading, match_units(reading, ctx), notice_message_id, origin, text_from)


# -- a notice inside a mail ------------------------------------------------------------------------

NOTICE_DOCUMENTS = ("pdf", "docx", "odt", "txt")


def notice_text(parsed: ParsedMessage) -> tuple[str, Said]:
    """The text of the notice a mail carries, and where it was read from.

    An attached PDF/docx holding a notice number wins over the covering note; the first attached
    document next; the mail's own text last.
    """
    documents = [a for a in parsed.attachments
                 if a.filename.lower().rsplit(".", 1)[-1] in NOTICE_DOCUMENTS and a.text.strip()]
    for attachment in documents:
        if read_notice(attachment.text).request_id.value:
            return attachment.text, (f"tệp đính kèm {attachment.filename}",
                                     f"the attachment {attachment.filename}")
    if documents:
        first = documents[0]
        return first.text, (f"tệp đính kèm {first.filename}", f"the attachment {first.filename}")
    return parsed.own_text, ("nội dung thư", "the mail's text")


def propose_from_message(parsed: ParsedMessage, ctx: MatchContext,
                         tz: tzinfo | None = None) -> Proposal:
    """The request proposed by a notice sent as mail; notice_message_id is the mail's.

    A notice written in the mail itself (no number line, no title block) takes its number and
    title from the subject, and, given the office's zone `tz`, its date from the day the mail
    was written (with a note saying so).
    """
    text, where = notice_text(parsed)
    sent_on = parsed.date.astimezone(tz).date() if parsed.date is not None and tz else None
    reading = read_notice(text, sent_on)
    if reading.request_id.value is None or reading.title.value is None:
        subject_id, subject_title = read_subject(parsed.subject)
        if reading.request_id.value is None and subject_id.value:
            reading = replace(reading, request_id=subject_id)
        if reading.title.value is None and subject_title.value:
            reading = replace(reading, title=subject_title, keywords=read_keywords(subject_title))
    return propose_request(reading, ctx, notice_message_id=parsed.message_id,
                           origin=parsed.message_key, text_from=where)


def _tracked(request_id: str, requests: Iterable[Request], ctx: MatchContext) -> bool:
    wanted = ctx.fold(request_id)
    return any(ctx.fold(r.id) == wanted for r in requests)


def found_notices(messages: Iterable[ParsedMessage], office_addresses: Iterable[str],
                  units: tuple[Unit, ...], requests: tuple[Request, ...],
                  abbreviations: dict[str, str] | None = None, tz: tzinfo | None = None
                  ) -> list[FoundNotice]:
    """Mail sent from `office_addresses` carrying a notice number that no request tracks yet.

    One entry per notice number (the earliest mail), oldest first, each with its proposal.
    Pass full parsed records (attachment texts included), not the lightened ones of a run.
    """
    own = {a.lower() for a in office_addresses}
    ctx = MatchContext(units=units, requests=requests, own_addresses=frozenset(own),
                       abbreviations=dict(abbreviations or {}))
    out: list[FoundNotice] = []
    seen: set[str] = set()
    for parsed in sorted(messages, key=lambda p: (p.received_at, p.message_key)):
        if parsed.sender.lower() not in own or parsed.problem or parsed.forwarded is not None:
            continue
        proposal = propose_from_message(parsed, ctx, tz)
        rid = proposal.reading.request_id.value
        if not rid or _tracked(rid, requests, ctx) or ctx.fold(rid) in seen:
            continue
        seen.add(ctx.fold(rid))
        out.append(FoundNotice(parsed.message_key, parsed.subject, proposal))
    return out
