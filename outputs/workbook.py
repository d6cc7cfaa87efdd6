"""report.xlsx for a clerk: a summary sheet, one sheet per request, the scorecard and the
messages that need a person.

Headers and status words in `language`; counts and minutes as numbers; times as Excel date-times
in the office's zone, shown dd/mm/yyyy hh:mm; filter buttons on every header; each sheet prints
on A4 landscape, one page wide. Text from a message is defused (a leading =, +, - or @ gets an
apostrophe), as in the CSV files.

Written in openpyxl's write-only mode: rows stream to the file instead of a cell object per cell
in memory (20,000 ledger rows took 6 s and 50 MB the other way).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config.model import Request
from outputs.i18n import LABELS, MATCH_LABELS, REASON_LABELS, STATUS_LABELS, pick
from outputs.scorecard import Score
from outputs.status import STATUS_ORDER, StatusRow
from outputs.tables import defuse, local_short, row_notes

DATE_FORMAT = "dd/mm/yyyy hh:mm"
RATE_FORMAT = "0%"
MAX_WIDTH = 60
STATUS_FILLS = {
    "on_time": "C6EFCE", "late": "FFEB9C", "incomplete": "FCE4D6", "missing": "FFC7CE",
    "pending": "DDEBF7", "excused": "E7E6E6",
}


@dataclass(frozen=True, slots=True)
class NeedsPerson:
    """A message that needs a person, as the workbook lists it."""

    message_key: str
    received_at: datetime
    sender: str
    subject: str
    reason: str
    candidates: tuple[str, ...]
    fixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WorkbookInputs:
    language: str
    tz: ZoneInfo
    requests: Sequence[Request]
    rows: Sequence[StatusRow]
    scores: Sequence[Score]
    needs: Sequence[NeedsPerson]


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet before writing: localized headers and typed values (str, int, float,
    datetime, None). `kinds` says per column how to show it: text, int, date, rate, status."""

    title: str
    headers: list[str]
    kinds: list[str]
    rows: list[list[Any]]


def _naive(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Excel has no time zones: the wall-clock time in the office's zone."""
    return value.astimezone(tz).replace(tzinfo=None) if value is not None else None


def _words(kinds: Sequence[str], lang: str) -> str:
    return ", ".join(pick(LABELS, k, lang) for k in kinds)


def build_sheets(inputs: WorkbookInputs) -> list[Sheet]:
    """The workbook's sheets, in order (pure)."""
    lang, tz = inputs.language, inputs.tz

    def L(key: str) -> str:
        return pick(LABELS, key, lang)

    statuses = [s.value for s in STATUS_ORDER]
    summary = Sheet(
        L("summary_sheet"),
        [L("request"), L("title"), L("deadline"), L("expected"),
         *(pick(STATUS_LABELS, s, lang) for s in statuses), L("on_time_rate")],
        ["text", "text", "date", "int", *(["int"] * len(statuses)), "rate"], [])
    for req in inputs.requests:
        mine = [r for r in inputs.rows if r.request_id == req.id]
        n = Counter(r.status.value for r in mine)
        judged = len(mine) - n["excused"] - n["pending"]
        summary.rows.append([req.id, req.title, _naive(req.deadline, tz), len(mine),
                             *(n[s] for s in statuses),
                             n["on_time"] / judged if judged else None])
    sheets = [summary]
    unit_headers = [
        L("code"), L("unit"), L("status"), L("received_at"), L("minutes_late"), L("evidence"),
        L("missing_evidence"), L("complete_at"), L("messages"), L("attachments"), L("sender"),
        L("subject"), L("match"), L("extension"), L("extension_reason"), L("excuse_reason"),
        L("notes")]
    unit_kinds = ["text", "text", "status", "date", "int", "text", "text", "date", "int", "int",
                  "text", "text", "text", "date", "text", "text", "text"]

    def when(value: datetime) -> str:
        return local_short(value, tz)

    for req in inputs.requests:
        rows = sorted((r for r in inputs.rows if r.request_id == req.id),
                      key=lambda r: r.unit_code)
        sheets.append(Sheet(req.id, unit_headers, unit_kinds, [[
            r.unit_code, r.unit_name, r.status.value, _naive(r.received_at, tz), r.minutes_late,
            _words(r.evidence, lang), _words(r.missing_evidence, lang),
            _naive(r.complete_at, tz), r.messages, r.attachments, r.sender, r.subject,
            pick(MATCH_LABELS, r.match, lang) if r.match else "",
            _naive(r.deadline, tz) if r.extended else None, r.extension_reason,
            r.excuse_reason, "; ".join(row_notes(r, lang, when)),
        ] for r in rows]))
    sheets.append(Sheet(
        L("scorecard_sheet"),
        [L("code"), L("unit"), L("group"), L("expected"),
         *(pick(STATUS_LABELS, s, lang) for s in
           ("on_time", "late", "incomplete", "missing", "excused", "pending")),
         L("on_time_rate"), L("minutes_late_total")],
        ["text", "text", "text", *(["int"] * 7), "rate", "int"],
        [[s.unit_code, s.unit_name, s.group, s.expected, s.on_time, s.late, s.incomplete,
          s.missing, s.excused, s.pending, s.on_time_rate, s.minutes_late_total]
         for s in inputs.scores]))
    sheets.append(Sheet(
        L("needs_sheet"),
        [L("message"), L("received_at"), L("sender"), L("subject"), L("reason"),
         L("candidates"), L("fix")],
        ["text", "date", "text", "text", "text", "text", "text"],
        [[m.message_key, _naive(m.received_at, tz), m.sender, m.subject,
          pick(REASON_LABELS, m.reason, lang), ", ".join(m.candidates), "\n".join(m.fixes)]
         for m in inputs.needs]))
    return sheets


def _sheet_title(text: str, used: set[str]) -> str:
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in text)[:31] or "sheet"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


FIXED_WIDTHS = {"date": 16, "status": 14}  # what such a cell shows is never wider


def _width(name: str, kind: str, values: Sequence[Any]) -> int:
    """A column's width in characters: its header's (and room for the filter button) or its
    longest line among `values`."""
    longest = len(name) + 3
    if kind in FIXED_WIDTHS:
        return max(longest, FIXED_WIDTHS[kind]) if values else longest
    for value in values:
        text = value if isinstance(value, str) else "" if value is None else str(value)
        n = max(len(line) for line in text.split("\n")) if "\n" in text else len(text)
        if n > longest:
            longest = n
    return longest


class _StyledCells:
    """The styled cells of one write-only sheet, one per (column, look), refilled row after row.

    A styled cell costs a cell object, its style looked up and openpyxl's slow path for a cell
    instead of a value; a plain value costs none of that. `ws.append` writes a row before it
    returns, so a cell may be refilled for the next row. Each one is made, as before, from the
    first value that needs it and then styled, so the workbook registers the same styles in the
    same order: the file is the same byte for byte.
    """

    def __init__(self, ws: Any, make: Callable[..., Any]):
        self.ws, self.make = ws, make
        self.cells: dict[tuple[int, str], Any] = {}

    def cell(self, column: int, look: str, value: Any, attribute: str, style: Any) -> Any:
        cell = self.cells.get((column, look))
        if cell is None:
            cell = self.cells[(column, look)] = self.make(self.ws, value=value)
            setattr(cell, attribute, style)
        else:
            cell.value = value
        return cell


def write_workbook(path: Path, inputs: WorkbookInputs) -> None:
    """Write report.xlsx (atomically, see ingest.files.atomic_path)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    from ingest.files import atomic_path

    lang = inputs.language
    wb = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    fills = {k: PatternFill("solid", fgColor=v) for k, v in STATUS_FILLS.items()}
    for sheet in build_sheets(inputs):
        ws = wb.create_sheet(_sheet_title(sheet.title, used))
        last = get_column_letter(len(sheet.headers))
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as needed
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_title_rows = "1:1"
        for i, (name, kind) in enumerate(zip(sheet.headers, sheet.kinds, strict=True), 1):
            longest = _width(name, kind, [r[i - 1] for r in sheet.rows[:500]])
            ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, max(8, longest + 2))
        header = []
        for name in sheet.headers:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        styled = _StyledCells(ws, WriteOnlyCell)
        for row in sheet.rows:
            cells: list[Any] = []
            for i, (value, kind) in enumerate(zip(row, sheet.kinds, strict=True)):
                if value is None or value == "":
                    cells.append(None)  # an empty cell is left out, as Excel itself does
                elif kind == "status":
                    label = pick(STATUS_LABELS, str(value), lang)
                    cells.append(styled.cell(i, str(value), label, "fill", fills[str(value)])
                                 if value in fills else label)
                elif kind == "date":
                    cells.append(styled.cell(i, kind, value, "number_format", DATE_FORMAT))
                elif kind == "rate":
                    cells.append(styled.cell(i, kind, value, "number_format", RATE_FORMAT))
                elif kind == "int":
                    cells.append(value)  # no style: openpyxl fills one reused cell with it
                else:
                    # Control characters are illegal in XLSX: a stray one must not cost the file.
                    text = ILLEGAL_CHARACTERS_RE.sub("", defuse(str(value)))
                    cells.append(styled.cell(i, "wrap", text, "alignment", wrap) if "\n" in text
                                 else text)
            ws.append(cells)
    with atomic_path(path) as tmp:
        wb.save(tmp)
