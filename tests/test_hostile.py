"""Every message in tests/hostile/ goes through the real pipeline (`once` on an eml_dir source) with
low limits, and the run stays safe: exit 0, a row per message, files only under safe names inside
the data dir, no crash, no live formula in a spreadsheet, no script or javascript:/data: link from
a message in report.html, bounded time. tests/hostile/expected.tsv says what each message must
become; tools/make_hostile.py writes them all.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

import run
from ingest.store import message_key_for
from outputs.tables import starts_a_formula

HOSTILE = Path(__file__).parent / "hostile"
MAX_RUN_SECONDS = 60
LIMITS = {
    "max_message_bytes": 1_100_000,
    "max_attachment_bytes": 256 * 1024,
    "max_parts": 200,
    "max_depth": 10,
    "max_extract_seconds": 2,
    "max_inflate_bytes": 4 * 1024 * 1024,
}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$",
                      re.IGNORECASE)


@dataclass(frozen=True)
class HostileRun:
    root: Path
    exit_code: int
    seconds: float
    log: str
    programs: tuple[str, ...] = ()  # every program the run started

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def out(self) -> Path:
        return self.root / "out"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.levelname} {record.name} {text}")


def _settings() -> str:
    limits = "".join(f"{key} = {value}\n" for key, value in LIMITS.items())
    return ('timezone = "Asia/Ho_Chi_Minh"\nlanguage = "vi"\n'
            'office_addresses = ["doankhoi@example.gov.vn"]\n'
            'data_dir = "data"\noutput_dir = "out"\n\n'
            '[[source]]\nkind = "eml_dir"\npath = "inbox"\n\n'
            f"[limits]\n{limits}")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    root = tmp_path_factory.mktemp("hostile")
    inbox = root / "inbox"
    inbox.mkdir()
    for path in sorted(HOSTILE.glob("*.eml")):
        shutil.copyfile(path, inbox / path.name)
    shutil.copyfile(HOSTILE / "units.csv", root / "units.csv")
    shutil.copyfile(HOSTILE / "requests.toml", root / "requests.toml")
    (root / "settings.toml").write_text(_settings(), encoding="utf-8")
    handler = _Collect()
    logger = logging.getLogger("mailtally")
    logger.addHandler(handler)
    programs: list[str] = []
    real_popen = subprocess.Popen.__init__

    def popen(self: subprocess.Popen[bytes], args: object, *a: object, **kw: object) -> None:
        programs.append(str(args[0] if isinstance(args, list | tuple) else args))
        real_popen(self, args, *a, **kw)  # type: ignore[call-overload]

    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(subprocess.Popen, "__init__", popen)
            mp.setenv("MAILTALLY_NOW", "2023-08-12T08:00:00+07:00")
            started = time.monotonic()
            code = run.main(["--config", str(root / "settings.toml"), "once"])
            seconds = time.monotonic() - started
    finally:
        logger.removeHandler(handler)
    print(f"hostile run: {len(list(inbox.iterdir()))} messages in {seconds:.1f} s")
    yield HostileRun(root, code, seconds, "\n".join(handler.lines), tuple(programs))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def expected() -> list[dict[str, str]]:
    with (HOSTILE / "expected.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def records(data: Path) -> dict[str, dict[str, object]]:
    """message_key -> the parse record the run cached (it holds `notes` and `problem`)."""
    db = sqlite3.connect(data / "mailtally.db")
    try:
        rows = db.execute("SELECT message_key, record FROM parsed").fetchall()
    finally:
        db.close()
    return {key: json.loads(record) for key, record in rows}


def keys_by_file() -> dict[str, str]:
    return {p.name: message_key_for(p.read_bytes())[0] for p in sorted(HOSTILE.glob("*.eml"))}


# -- the tests ----------------------------------------------------------------------------------


def test_corpus_is_big_enough_and_documented() -> None:
    files = sorted(p.name for p in HOSTILE.glob("*.eml"))
    assert len(files) >= 60
    assert sorted(e["file"] for e in expected()) == files
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    for name in files:
        assert f"`{name}`" in readme, name


def test_the_run_succeeds_in_bounded_time(hostile_run: HostileRun) -> None:
    assert hostile_run.exit_code == 0
    assert hostile_run.seconds < MAX_RUN_SECONDS


def test_risky_attachments_are_stored_as_text_and_never_linked_as_pages(
        hostile_run: HostileRun) -> None:
    from ingest.store import RISKY_EXTENSIONS

    files = [p.name for p in (hostile_run.data / "files").rglob("*") if p.is_file()]
    assert any(n.endswith(".html.txt") for n in files)
    assert any(n.endswith(".svg.txt") for n in files)
    assert not [n for n in files if n.rsplit(".", 1)[-1].lower() in RISKY_EXTENSIONS]
    page = (hostile_run.out / "report.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    assert not [h for h in links if h.rsplit(".", 1)[-1].lower() in RISKY_EXTENSIONS]


def test_spoofed_mail_is_flagged_and_other_senders_are_shown(hostile_run: HostileRun) -> None:
    page = (hostile_run.out / "report.html").read_text(encoding="utf-8")
    assert "tên hiển thị" in page  # a roster address hidden in a display name
    assert "Trường From không phải đúng một địa chỉ" in page
    assert "chưa được máy chủ xác thực" in page
    assert "Reply-To" in page  # spoofed_from_roster_address: replies go elsewhere


def test_what_could_be_read_is_kept_in_the_ledger(hostile_run: HostileRun) -> None:
    rows = {r["message_key"].lstrip("'"): r for r in read_csv(hostile_run.out / "messages.csv")}
    keys = keys_by_file()
    assert rows[keys["cr_only_with_message_id.eml"]]["message_id"] == (
        "<cr_only_with_message_id@hostile.example>")
    assert rows[keys["from_nested_comments.eml"]]["sender"] == "someone@example.net"
    absurd = rows[keys["date_header_twenty_digit_year.eml"]]
    assert absurd["message_id"] == "<date_header_twenty_digit_year@hostile.example>"


def test_no_program_is_started_on_a_messages_content(hostile_run: HostileRun) -> None:
    # image_postscript_named_jpg would start Ghostscript through Pillow's EPS plugin; the only
    # program mailtally may start is its own Python (a document's text outside the main thread).
    assert set(hostile_run.programs) <= {sys.executable}, hostile_run.programs


def test_no_message_crashed_the_parser(hostile_run: HostileRun) -> None:
    assert "parse_crashed" not in hostile_run.log
    assert "Traceback" not in hostile_run.log


def test_every_message_has_a_row_and_its_expected_outcome(hostile_run: HostileRun) -> None:
    ledger = read_csv(hostile_run.out / "messages.csv")
    rows_by_key: dict[str, list[dict[str, str]]] = {}
    for row in ledger:
        rows_by_key.setdefault(row["message_key"].lstrip("'"), []).append(row)
    parsed = records(hostile_run.data)
    keys = keys_by_file()
    wrong = []
    for e in expected():
        key = keys[e["file"]]
        rows = rows_by_key.get(key)
        assert rows, f"{e['file']}: no row in messages.csv"
        first = rows[0]
        notes = " | ".join(str(n) for n in parsed[key]["notes"])  # type: ignore[attr-defined]
        if e["reason"] != "*" and first["reason"] != e["reason"]:
            wrong.append(f"{e['file']}: reason {first['reason']!r}, expected {e['reason']!r}")
        if e["unit"] != "*" and first["unit_code"] != e["unit"]:
            wrong.append(f"{e['file']}: unit {first['unit_code']!r}, expected {e['unit']!r}")
        if e["match"] != "*" and first["match"] != e["match"]:
            wrong.append(f"{e['file']}: match {first['match']!r}, expected {e['match']!r}")
        if e["note"] and e["note"] not in notes:
            wrong.append(f"{e['file']}: notes {notes!r} lack {e['note']!r}")
    assert not wrong, "\n".join(wrong)


def test_limits_were_exercised(hostile_run: HostileRun) -> None:
    notes = " ".join(str(n) for r in records(hostile_run.data).values()
                     for n in r["notes"])  # type: ignore[attr-defined]
    for key in LIMITS:
        assert key in notes, f"no message went over {key}"


def _safe_name(name: str) -> bool:
    return (bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name
            and "\0" not in name and not RESERVED.match(name)
            and len(name.encode("utf-8")) <= 255
            and not any(unicodedata.category(ch).startswith("C") for ch in name))


def test_attachment_files_stay_inside_the_data_dir_under_safe_unique_names(
        hostile_run: HostileRun) -> None:
    data = hostile_run.data.resolve()
    files = [p for p in (data / "files").rglob("*") if p.is_file()]
    assert len(files) > 50
    for path in files:
        assert path.resolve().is_relative_to(data), path
        assert _safe_name(path.name), path.name
    for folder in {p.parent for p in files}:
        folded = Counter(unicodedata.normalize("NFC", p.name).casefold()
                         for p in folder.iterdir())
        assert max(folded.values()) == 1, folder.name
    for record in records(hostile_run.data).values():
        for a in record["attachments"]:  # type: ignore[attr-defined]
            if a["stored_path"]:
                assert (data / a["stored_path"]).resolve().is_relative_to(data)
    everything = [p for p in hostile_run.root.rglob("*")]
    assert all(p.resolve().is_relative_to(hostile_run.root.resolve()) for p in everything)


def test_no_csv_cell_starts_a_formula(hostile_run: HostileRun) -> None:
    for name in ("report.csv", "messages.csv"):
        with (hostile_run.out / name).open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(FORMULA_TRIGGERS), (name, cell[:80])
                    assert not starts_a_formula(cell), (name, cell[:80])  # past invisibles
    # Formula subjects were placed as submissions: they reached report.csv, defused.
    subjects = [r["subject"] for r in read_csv(hostile_run.out / "report.csv")]
    assert any(s.startswith(("'-", "'@")) for s in subjects), subjects
    ledger = [r["subject"] for r in read_csv(hostile_run.out / "messages.csv")]
    for mark in ("\u200b", "\ufeff", "\u00ad"):  # invisible characters do not hide a formula
        assert f"'{mark}=1+1" in ledger, mark


def test_no_xlsx_cell_is_a_formula(hostile_run: HostileRun) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(hostile_run.out / "report.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_TRIGGERS), (ws.title, cell.value)
                    assert not starts_a_formula(cell.value), (ws.title, cell.value)


class _PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            target = "".join((value or "").split()).lower()
            if name in ("href", "src", "action", "formaction") and target.startswith(
                    ("javascript:", "vbscript:")):
                self.bad.append(f"<{tag} {name}={value}>")
            if name == "href" and target.startswith("data:"):
                self.bad.append(f"<{tag} {name}={value}>")
            if name.startswith("on"):
                self.bad.append(f"<{tag} {name}=...>")


def test_report_page_runs_no_script_from_a_message(hostile_run: HostileRun) -> None:
    page = (hostile_run.out / "report.html").read_text(encoding="utf-8")
    scan = _PageScan()
    scan.feed(page)
    scan.close()
    assert scan.scripts == 1  # the page's own
    assert scan.bad == []
    # The hostile subjects are on the page (a submission's, and one that needs a person), escaped.
    assert "&lt;script&gt;alert(" in page
    assert "&lt;img src=x onerror=" in page


# -- the [limits] table -------------------------------------------------------------------------


def _config(tmp_path: Path, limits: str) -> Path:
    shutil.copyfile(HOSTILE / "units.csv", tmp_path / "units.csv")
    shutil.copyfile(HOSTILE / "requests.toml", tmp_path / "requests.toml")
    (tmp_path / "inbox").mkdir(exist_ok=True)
    path = tmp_path / "settings.toml"
    path.write_text('[[source]]\nkind = "eml_dir"\npath = "inbox"\n\n[limits]\n' + limits,
                    encoding="utf-8")
    return path


def test_limits_are_read_from_settings_and_validated(tmp_path: Path) -> None:
    from config import ConfigError, load_config
    from parsers.limits import DEFAULT_LIMITS, LIMIT_HELP, Limits, cache_version

    settings = load_config(_config(tmp_path, "max_parts = 50\nmax_extract_seconds = 1.5\n"))
    assert settings.limits == Limits(max_parts=50, max_extract_seconds=1.5)
    assert list(LIMIT_HELP) == list(Limits.__dataclass_fields__)
    assert cache_version(DEFAULT_LIMITS) != cache_version(settings.limits)
    with pytest.raises(ConfigError) as info:
        load_config(_config(tmp_path, "max_partz = 5\nmax_depth = 0\nmax_text_chars = true\n"
                                      "max_message_bytes = 1.5\nmax_inflate_bytes = 99999999999\n"))
    text = info.value.render("en")
    for key in ("max_partz", "max_depth", "max_text_chars", "max_message_bytes",
                "max_inflate_bytes"):
        assert f"[limits] {key}" in text, key


def test_raising_a_limit_reads_stored_messages_again(tmp_path: Path) -> None:
    shutil.copyfile(HOSTILE / "multipart_10000_parts.eml", tmp_path / "inbox.eml")
    config = _config(tmp_path, "max_parts = 20\n")
    shutil.move(tmp_path / "inbox.eml", tmp_path / "inbox" / "m.eml")
    assert run.main(["--config", str(config), "once"]) == 0
    [before] = records(tmp_path / "data").values()
    assert "max_parts" in " ".join(before["notes"])  # type: ignore[arg-type]
    config.write_text(config.read_text(encoding="utf-8").replace("20", "20000"),
                      encoding="utf-8")
    assert run.main(["--config", str(config), "report"]) == 0
    db = sqlite3.connect(tmp_path / "data" / "mailtally.db")
    try:
        notes = [json.loads(r)["notes"] for (r,) in db.execute("SELECT record FROM parsed")]
    finally:
        db.close()
    assert [] in notes  # parsed again under the new limit: nothing skipped
