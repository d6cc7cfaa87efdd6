"""The contract's tables as lists of strings: report.csv rows and the messages.csv ledger (pure)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from matching.placement import Placement, Reason
from outputs.i18n import LABELS as _LABELS
from outputs.i18n import pick
from outputs.status import StatusRow
from parsers.records import Attachment, ParsedMessage

REPORT_COLUMNS = [
    "request_id", "unit_code", "unit_name", "status", "received_at", "minutes_late", "evidence",
    "missing_evidence", "complete_at", "messages", "attachments", "sender", "subject", "match",
    "notes",
]
MESSAGE_COLUMNS = [
    "message_key", "message_id", "received_at", "sender", "subject", "unit_code", "request_id",
    "match", "reason", "attachments", "evidence", "candidates",
]
# A cell starting with one of these is a formula to Excel or LibreOffice (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


# Characters a spreadsheet may skip or not show before a formula: format characters (zero-width
# space and joiners, BOM, soft hyphen, word joiner...), spaces of every width, other controls and
# combining marks. The check looks past them.
_UNSEEN_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc", "Mn", "Me"})
UNSEEN_LOOKED_PAST = 64  # of them at the start of a cell; a longer run is defused anyway


def starts_a_formula(cell: str) -> bool:
    """Whether a spreadsheet could read `cell` as a formula: it starts with a trigger, perhaps
    after characters a person would not see."""
    for i, ch in enumerate(cell):
        if ch in FORMULA_TRIGGERS:
            return True
        if i >= UNSEEN_LOOKED_PAST:
            return True
        if unicodedata.category(ch) not in _UNSEEN_CATEGORIES:
            return False
    return False


def defuse(cell: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    if not cell or cell[0].isalnum():  # most cells: decided by their first character
        return cell
    return "'" + cell if starts_a_formula(cell) else cell


def local_iso(value: datetime | None, tz: ZoneInfo) -> str:
    """ISO 8601 with offset, seconds precision, in the configured zone ('' for None)."""
    return value.astimezone(tz).isoformat(timespec="seconds") if value is not None else ""


def local_short(value: datetime | None, tz: ZoneInfo) -> str:
    """'11/08/2023 10:42': a time as people in Vietnam write it, in the configured zone ('' for
    None). Used everywhere a person reads a time, except the CSV files (ISO 8601)."""
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M") if value is not None else ""


def row_notes(row: StatusRow, language: str, when: Callable[[datetime], str]) -> list[str]:
    """What the office should know about a row, in `language`: an excuse, extension or
    acceptance and its reason; the notice bounced from the unit's address; messages from the
    unit that carry no evidence. `when` writes a time (ISO in the CSV, dd/mm/yyyy hh:mm for
    people)."""

    def said(key: str, reason: str = "", **values: object) -> str:
        text = pick(_LABELS, key, language).format(**values)
        return f"{text}: {reason}" if reason else text

    notes = []
    if row.excused:
        notes.append(said("note_excused", row.excuse_reason))
    if row.extended:
        notes.append(said("note_extended", row.extension_reason, until=when(row.deadline)))
    if row.accepted:
        notes.append(said("note_accepted", row.accept_reason))
    for b in row.bounces:
        notes.append(said("note_bounced", address=b.address or "?", at=when(b.received_at)))
    if row.without_evidence:
        notes.append(said("note_no_evidence", count=row.without_evidence))
    return notes


def counted_files(attachments: Sequence[Attachment]) -> list[Attachment]:
    """Attachments that are files a person sent: small inline logos are left out."""
    return [a for a in attachments if a.kinds or not a.inline]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    parsed: ParsedMessage
    placement: Placement
    evidence: tuple[str, ...]


def report_rows(rows: Sequence[StatusRow], tz: ZoneInfo, language: str = "vi"
                ) -> list[list[str]]:
    """report.csv cells in contract order, sorted by request then unit code."""
    out = []

    def iso(value: datetime) -> str:
        return local_iso(value, tz)

    for r in sorted(rows, key=lambda r: (r.request_id, r.unit_code)):
        out.append([defuse(c) for c in (
            r.request_id, r.unit_code, r.unit_name, r.status.value,
            local_iso(r.received_at, tz),
            "" if r.minutes_late is None else str(r.minutes_late),
            ";".join(r.evidence), ";".join(r.missing_evidence), local_iso(r.complete_at, tz),
            str(r.messages), str(r.attachments), r.sender, r.subject, r.match,
            "; ".join(row_notes(r, language, iso)),
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


def office_command(config_path: Path, default_path: Path) -> str:
    """'mailtally', or 'mailtally --config /abs/settings.toml' when `config_path` is not the
    default one. Absolute, so that the command works from wherever the office runs it (cron
    may have written the page from another directory); quoted for a shell when needed."""
    import shlex

    if config_path.resolve() == default_path.resolve():
        return "mailtally"
    return f"mailtally --config {shlex.quote(config_path.resolve().as_posix())}"


def command_for(config_path: Path) -> str:
    """How the office calls mailtally for the config at `config_path` (office_command against
    the default config of the current directory)."""
    from config.loader import default_config_path

    return office_command(config_path, default_config_path())
