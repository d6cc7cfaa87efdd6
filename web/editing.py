"""units.csv and requests.toml edited in place from the workspace.

The files stay the source of truth and stay the office's: a unit's row is rewritten alone
(every other line, the BOM and the line endings as they were), and requests.toml is edited
with tomlkit, which keeps comments, order and layout. A save names the version of the file the
form was made from (its sha256): when the file changed on disk since, nothing is written. An
edit is checked with the configuration loader's own rules before anything is written; what is
wrong is returned as the loader's problems (file, key, expected, got).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from config.loader import check_requests_text, check_units_text, roster_layout
from config.model import Problem, Settings
from ingest.files import write_atomic

UNIT_FIELDS = ("code", "name", "emails", "aliases", "group")
REQUEST_LIST_FIELDS = ("units", "requires", "keywords")


class StaleFileError(Exception):
    """The file changed on disk since the form was made from it."""


class EditRefusedError(Exception):
    """The edit would make the configuration invalid; `problems` say where and why."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(p.render("en") for p in problems))
        self.problems = list(problems)


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class RosterFile:
    """units.csv as read: its rows as dicts (every column), and what a rewrite must keep: the
    encoding and BOM, the delimiter (`,` or `;`, as Excel saved it), the line endings."""

    path: Path
    version: str
    encoding: str  # utf-8, utf-8-sig, utf-16-le or utf-16-be (the last two with their BOM)
    delimiter: str
    newline: str
    header: list[str]
    rows: list[dict[str, str]]
    lines: list[str]  # the physical lines, without their endings
    row_line: dict[str, int]  # unit code -> index in `lines`

    @property
    def bom(self) -> bool:
        return self.encoding != "utf-8"

    def encode(self, text: str) -> bytes:
        if self.encoding.startswith("utf-16"):
            return "\ufeff".encode(self.encoding) + text.encode(self.encoding)
        return text.encode(self.encoding)


class UnreadableRosterError(Exception):
    """units.csv is in an encoding the loader refuses: the workspace does not rewrite it."""


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    return "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"


def read_roster(path: Path) -> RosterFile:
    """units.csv as the loader reads it (UTF-8 with or without BOM, UTF-16, `,` or `;`).

    Raises:
        UnreadableRosterError: an encoding the loader refuses (it says why on every page).
    """
    data = path.read_bytes()
    layout = roster_layout(data)
    if layout is None:
        raise UnreadableRosterError(path.name)
    text, delimiter, header = layout
    text = text.removeprefix("\ufeff")
    newline = _newline(text)
    lines = text.split(newline)
    rows: list[dict[str, str]] = []
    row_line: dict[str, int] = {}
    for n, line in enumerate(lines[1:], start=1):
        if not line.strip():
            continue
        cells = next(csv.reader([line], delimiter=delimiter), [])
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        rows.append(row)
        if row.get("code"):
            row_line.setdefault(row["code"], n)
    return RosterFile(path, version_of(data), _encoding(data), delimiter, newline, header, rows,
                      lines, row_line)


def _csv_line(cells: Sequence[str], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="").writerow(cells)
    return buf.getvalue()


def _check_version(path: Path, version: str) -> bytes:
    data = path.read_bytes()
    if version_of(data) != version:
        raise StaleFileError(path.name)
    return data


def _roster_text(roster: RosterFile, code: str | None, values: dict[str, str]) -> str:
    header = list(roster.header)
    if values.get("group") and "group" not in header:
        raise EditRefusedError([Problem(roster.path.name, "header",
                                        ("cột group", "a group column"), ",".join(header))])
    lines = list(roster.lines)
    delimiter = roster.delimiter
    if code is not None and code in roster.row_line:
        n = roster.row_line[code]
        old = next(csv.reader([lines[n]], delimiter=delimiter), [])
        cells = [old[i] if i < len(old) else "" for i in range(len(header))]
        for i, h in enumerate(header):
            if h in values:
                cells[i] = values[h]
        lines[n] = _csv_line(cells, delimiter)
    else:
        new = _csv_line([values.get(h, "") for h in header], delimiter)
        # after the last row, before the file's closing empty line(s)
        at = len(lines)
        while at > 1 and not lines[at - 1].strip():
            at -= 1
        lines.insert(at, new)
    return roster.newline.join(lines)


def save_unit(settings: Settings, version: str, code: str | None,
              values: dict[str, str]) -> None:
    """Rewrite one unit's row (or add one when `code` is None), if units.csv is still the
    version the form was made from and the result is a valid roster that the notices accept.

    Raises:
        StaleFileError: units.csv changed on disk since.
        EditRefusedError: with the loader's problems.
    """
    path = _path(settings.units_path)
    roster = read_roster(path)
    if roster.version != version:
        raise StaleFileError(path.name)
    values = {k: " ".join(v.split()) if k != "emails" else v.replace(" ", "")
              for k, v in values.items() if k in UNIT_FIELDS}
    for key in ("emails", "aliases"):
        if key in values:
            values[key] = ";".join(p.strip() for p in values[key].split(";") if p.strip())
    text = _roster_text(roster, code, values)
    units, problems = check_units_text(text, path.name)
    if not problems and settings.requests_path is not None:
        _, problems = check_requests_text(settings.requests_path.read_text(encoding="utf-8"),
                                          settings.timezone, units,
                                          settings.requests_path.name)
    if problems:
        raise EditRefusedError(problems)
    _check_version(path, version)  # once more, just before writing
    write_atomic(path, roster.encode(text))


def _path(path: Path | None) -> Path:
    if path is None:
        raise FileNotFoundError("configuration file")
    return path


# -- requests.toml -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestsFile:
    path: Path
    version: str
    tables: list[dict[str, Any]]  # each [[request]] as plain values


def read_requests(path: Path) -> RequestsFile:
    data = path.read_bytes()
    doc = tomlkit.parse(data.decode("utf-8"))
    aot = doc.get("request")
    tables = [dict(t.unwrap()) for t in aot] if isinstance(aot, AoT | list) else []
    return RequestsFile(path, version_of(data), tables)


def _toml_value(key: str, value: Any) -> Any:
    if key in REQUEST_LIST_FIELDS:
        items = tomlkit.array()
        items.extend(value)
        return items
    return value


def save_request(settings: Settings, version: str, index: int | None,
                 values: dict[str, Any]) -> None:
    """Rewrite the `index`-th [[request]] (from 0), or add one when `index` is None, keeping
    every comment and the order of the file; only the keys in `values` change (an empty
    notice_message_id is removed).

    `values`: id, title (str), issued, deadline (naive datetimes in the office's zone),
    grace_minutes (int), units, requires, keywords (lists of str), notice_message_id (str).

    Raises:
        StaleFileError, EditRefusedError (as save_unit), IndexError: no such request.
    """
    path = _path(settings.requests_path)
    data = _check_version(path, version)
    doc = tomlkit.parse(data.decode("utf-8"))
    aot = doc.get("request")
    if aot is None:
        aot = tomlkit.aot()
        doc.append("request", aot)
    if index is None:
        table: Table = tomlkit.table()
        for key, value in values.items():
            if value != "" or key != "notice_message_id":
                table.add(key, _toml_value(key, value))
        aot.append(table)
    else:
        table = aot[index]
        for key, value in values.items():
            if key == "notice_message_id" and not value:
                if key in table:
                    del table[key]
                continue
            table[key] = _toml_value(key, value)
    text = tomlkit.dumps(doc)
    _, problems = check_requests_text(text, settings.timezone, settings.units, path.name)
    if problems:
        raise EditRefusedError(problems)
    _check_version(path, version)
    write_atomic(path, text.encode("utf-8"))


def naive_local(value: datetime, settings: Settings) -> datetime:
    """A time as requests.toml writes it: local time in the office's zone, no offset."""
    if value.tzinfo is not None:
        value = value.astimezone(settings.timezone).replace(tzinfo=None)
    return value
