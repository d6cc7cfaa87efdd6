"""The contract's tables as lists of strings: report.csv rows and the messages.csv ledger (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from matching.placement import Placement, Reason
from outputs.status import StatusRow
from parsers.records import Attachment, ParsedMessage

REPORT_COLUMNS = [
    "request_id", "unit_code", "unit_name", "status", "received_at", "minutes_late", "evidence",
    "missing_evidence", "complete_at", "messages", "attachments", "sender", "subject", "match",
]
MESSAGE_COLUMNS = [
    "message_key", "message_id", "received_at", "sender", "subject", "unit_code", "request_id",
    "match", "reason", "attachments", "evidence", "candidates",
]
# A cell starting with one of these is a formula to Excel or LibreOffice (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def defuse(cell: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def local_iso(value: datetime | None, tz: ZoneInfo) -> str:
    """ISO 8601 with offset, seconds precision, in the configured zone ('' for None)."""
    return value.astimezone(tz).isoformat(timespec="seconds") if value is not None else ""


def counted_files(attachments: Sequence[Attachment]) -> list[Attachment]:
    """Attachments that are files a person sent: small inline logos are left out."""
    return [a for a in attachments if a.kinds or not a.inline]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    parsed: ParsedMessage
    placement: Placement
    evidence: tuple[str, ...]


def report_rows(rows: Sequence[StatusRow], tz: ZoneInfo) -> list[list[str]]:
    """report.csv cells in contract order, sorted by request then unit code."""
    out = []
    for r in sorted(rows, key=lambda r: (r.request_id, r.unit_code)):
        out.append([defuse(c) for c in (
            r.request_id, r.unit_code, r.unit_name, r.status.value,
            local_iso(r.received_at, tz),
            "" if r.minutes_late is None else str(r.minutes_late),
            ";".join(r.evidence), ";".join(r.missing_evidence), local_iso(r.complete_at, tz),
            str(r.messages), str(r.attachments), r.sender, r.subject, r.match,
        )])
    return out


def message_rows(ledger: Sequence[LedgerRow], tz: ZoneInfo) -> list[list[str]]:
    """messages.csv cells: one row per message, one more per extra request it was placed under."""
    out = []
    for item in sorted(ledger, key=lambda x: (x.parsed.received_at, x.parsed.message_key,
                                              x.placement.request_id or "")):
        p, pl = item.parsed, item.placement
        out.append([defuse(c) for c in (
            p.message_key, p.message_id, local_iso(p.received_at, tz), p.author,
            p.subject, pl.unit_code or "", pl.request_id or "",
            pl.match.value if pl.match else "", pl.reason.value if pl.reason else "",
            str(len(counted_files(p.attachments))), ";".join(item.evidence),
            ";".join(pl.candidates),
        )])
    return out


def assign_commands(key: str, reason: Reason | None, unit: str | None,
                    candidates: tuple[str, ...], command: str = "mailtally") -> list[str]:
    """The `assign` commands that would fix a message that needs a person (page and digest)."""
    if reason == Reason.AMBIGUOUS_UNIT and candidates:
        return [f"{command} assign {key} {c}" for c in candidates]
    if reason == Reason.NO_REQUEST and unit:
        return [f"{command} assign {key} {unit} MÃ_VĂN_BẢN"]
    return [f"{command} assign {key} MÃ_ĐƠN_VỊ", f"{command} assign {key} --ignore"]
