"""Writers for report.csv, messages.csv, scorecard.csv and (through outputs.workbook)
report.xlsx. Every file is written to a temporary name and renamed, so that Excel or a browser
never sees half a file."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from config.model import Request, Unit
from ingest.errors import StorageError, storage_reason
from outputs.status import StatusRow
from outputs.tables import MESSAGE_COLUMNS, REPORT_COLUMNS, LedgerRow


@contextmanager
def output_file(path: Path, before_rename: Callable[[], None] | None = None) -> Iterator[Path]:
    """The temporary name to write `path` under. Once the block ends, the file is flushed to
    disk and renamed (after `before_rename`, if given); if anything fails, the temporary file
    is removed and an OSError (a full disk, say) becomes a StorageError naming the file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        if before_rename is not None:
            before_rename()
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"cannot write {path.name}: {storage_reason(exc)}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_csv(path: Path, columns: list[str], rows: Sequence[Sequence[str]]) -> None:
    """A CSV that Excel opens as UTF-8: BOM, CRLF line ends, every cell text, quoted only when
    it has to be (the standard library's csv module; see the README for why not pandas)."""
    with output_file(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
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
    from outputs.tables import fix_commands, message_rows, report_rows
    from outputs.workbook import NeedsPerson, WorkbookInputs, write_workbook

    tz = inputs.tz
    write_report_csv(out / "report.csv", report_rows(inputs.rows, tz, inputs.language))
    write_messages_csv(out / "messages.csv", message_rows(inputs.ledger, tz))
    scores = scorecard(inputs.units, inputs.rows)
    write_scorecard_csv(out / "scorecard.csv", scorecard_rows(scores))
    needs = [NeedsPerson(
        item.parsed.message_key, item.parsed.received_at, item.parsed.author,
        item.parsed.subject, item.placement.reason.value, item.placement.candidates,
        tuple(fix_commands(inputs.command, item.parsed.message_key, item.placement.reason,
                           item.placement.unit_code, item.placement.candidates)))
        for item in inputs.ledger
        if item.placement.reason is not None and item.placement.reason in NEEDS_PERSON]
    write_workbook(out / "report.xlsx", WorkbookInputs(
        inputs.language, tz, inputs.requests, inputs.rows, scores, needs))
