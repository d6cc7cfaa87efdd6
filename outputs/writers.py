"""Writers for report.csv, messages.csv and report.xlsx. Every file is written to a temporary name
and renamed, so that Excel or a browser never sees half a file."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from ingest.files import atomic_path
from outputs.tables import MESSAGE_COLUMNS, REPORT_COLUMNS


def write_csv(path: Path, columns: list[str], rows: Sequence[Sequence[str]]) -> None:
    """A CSV that Excel opens as UTF-8: BOM, CRLF line ends, every cell text, quoted only when
    it has to be (the standard library's csv module; see the README for why not pandas)."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)


def write_report_csv(path: Path, rows: Sequence[Sequence[str]]) -> None:
    write_csv(path, REPORT_COLUMNS, rows)


def write_messages_csv(path: Path, rows: Sequence[Sequence[str]]) -> None:
    write_csv(path, MESSAGE_COLUMNS, rows)


STATUS_FILLS = {
    "on_time": "C6EFCE", "late": "FFEB9C", "missing": "FFC7CE", "pending": "DDEBF7",
    "excused": "E7E6E6",
}


def _sheet_title(text: str, used: set[str]) -> str:
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in text)[:31] or "sheet"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def write_xlsx(path: Path, report: Sequence[Sequence[str]], summary: Sequence[Sequence[str]],
               summary_columns: list[str]) -> None:
    """report.xlsx: a summary sheet and one sheet per request. Cells are text (already defused by
    the caller), header frozen, status cells coloured. The ledger stays in messages.csv: 20,000
    rows of it would double the file and the time to write it, for a table people filter, not read.

    Written in openpyxl's write-only mode: rows stream to the file instead of a cell object per
    cell in memory (20,000 ledger rows took 6 s and 50 MB the other way).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    used: set[str] = set()
    sheets: list[tuple[str, list[str], list[Sequence[str]]]] = [
        ("Tổng hợp", summary_columns, list(summary))]
    by_request: dict[str, list[Sequence[str]]] = {}
    for row in report:
        by_request.setdefault(row[0], []).append(row)
    sheets += [(rid, REPORT_COLUMNS, rows) for rid, rows in by_request.items()]
    bold = Font(bold=True)
    fills = {k: PatternFill("solid", fgColor=v) for k, v in STATUS_FILLS.items()}
    for title, columns, rows in sheets:
        ws = wb.create_sheet(_sheet_title(title, used))
        ws.freeze_panes = "A2"
        for i, name in enumerate(columns, start=1):
            longest = max([len(name)] + [len(str(r[i - 1])) for r in rows[:500]])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
        header = []
        for name in columns:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        status_col = columns.index("status") if "status" in columns else -1
        for row in rows:
            # Control characters are illegal in XLSX: a stray one must not cost the whole file.
            # An empty cell is left out (None), as Excel itself does.
            values: list[object] = [str(c) or None for c in row]
            if ILLEGAL_CHARACTERS_RE.search("".join(map(str, row))):
                values = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                          for v in values]
            if status_col >= 0 and values[status_col] in fills:
                cell = WriteOnlyCell(ws, value=values[status_col])
                cell.fill = fills[str(values[status_col])]
                values[status_col] = cell
            ws.append(values)
    with atomic_path(path) as tmp:
        wb.save(tmp)
