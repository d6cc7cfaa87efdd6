"""Writers for report.csv, messages.csv, scorecard.csv and (through outputs.workbook)
report.xlsx. Every file is written to a temporary name and renamed, so that Excel or a browser
never sees half a file."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from config.model import Request, Unit
from ingest.files import atomic_path
from outputs.status import StatusRow
from outputs.tables import MESSAGE_COLUMNS, REPORT_COLUMNS, LedgerRow


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


def write_scorecard_csv(path: Path, rows: Sequence[Sequence[str]]) -> None:
    from outputs.scorecard import SCORECARD_COLUMNS

    write_csv(path, SCORECARD_COLUMNS, rows)


@dataclass(frozen=True, slots=True)
class TableInputs:
    """What the table files are written from."""

    language: str
    tz: ZoneInfo
    requests: Sequence[Request]
    units: Sequence[Unit]
    rows: Sequence[StatusRow]
    ledger: Sequence[LedgerRow]
    command: str = "mailtally"  # how the office calls mailtally (with --config when needed)


def write_tables(out: Path, inputs: TableInputs) -> None:
    """report.csv, messages.csv, scorecard.csv and report.xlsx in `out`."""
    from matching.placement import NEEDS_PERSON
    from outputs.scorecard import scorecard, scorecard_rows
    from outputs.tables import assign_commands, message_rows, report_rows
    from outputs.workbook import NeedsPerson, WorkbookInputs, write_workbook

    tz = inputs.tz
    write_report_csv(out / "report.csv", report_rows(inputs.rows, tz, inputs.language))
    write_messages_csv(out / "messages.csv", message_rows(inputs.ledger, tz))
    scores = scorecard(inputs.units, inputs.rows)
    write_scorecard_csv(out / "scorecard.csv", scorecard_rows(scores))
    needs = [NeedsPerson(
        item.parsed.message_key, item.parsed.received_at, item.parsed.author,
        item.parsed.subject, item.placement.reason.value, item.placement.candidates,
        tuple(assign_commands(item.parsed.message_key, item.placement.reason,
                              item.placement.unit_code, item.placement.candidates,
                              inputs.command)))
        for item in inputs.ledger
        if item.placement.reason is not None and item.placement.reason in NEEDS_PERSON]
    write_workbook(out / "report.xlsx", WorkbookInputs(
        inputs.language, tz, inputs.requests, inputs.rows, scores, needs))
