"""The office's decisions through the command line, on a real stored data dir (the demo's): each
is kept with its author, time and reason, listed by `decisions`, and taken back by `undo`;
`accept`, joint reports (`assign KEY A,B`), refusals with the closest matches, a decision made
while a run holds the data dir, and a data dir of an earlier version upgraded in place."""

from __future__ import annotations

import csv
import getpass
import re
import sqlite3
import time
from pathlib import Path

import pytest

import run
from app.lock import data_dir_lock

AMBIGUOUS_SUBJECT = "Doan So Tai chinh va Doan So Cong Thuong"
R178 = "178-TB/ĐTN"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def cli(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run.main(["--config", str(config), *args])
    out, err = capsys.readouterr()
    return code, out, err


def ledger(config: Path, subject_part: str) -> list[dict[str, str]]:
    return [r for r in read(config.parent / "out" / "messages.csv")
            if subject_part in r["subject"]]


def report_row(config: Path, request_id: str, unit: str) -> dict[str, str]:
    rows = read(config.parent / "out" / "report.csv")
    return next(r for r in rows if r["request_id"] == request_id and r["unit_code"] == unit)


def decision_rows(config: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(config.parent / "data" / "mailtally.db")
    try:
        return db.execute("SELECT id, kind, message_key, unit_codes, request_id, address, reason, "
                          "author, undone_by FROM decisions ORDER BY id").fetchall()
    finally:
        db.close()


def test_a_decision_is_listed_with_author_time_and_reason_and_undo_takes_it_back(
        office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (before,) = ledger(office, AMBIGUOUS_SUBJECT)
    assert before["reason"] == "ambiguous_unit"
    key = before["message_key"]
    code, out, _ = cli(office, capsys, "assign", key[:8], "STC", "--reason", "đã gọi điện hỏi")
    assert code == 0
    # The undo command as printed works: it names the config, which is not the default one.
    assert "quyết định số 1" in out
    assert f"mailtally --config {office.resolve().as_posix()} undo 1" in out
    assert f"{before['sender']} được ghi nhớ cho STC" in out
    (after,) = ledger(office, AMBIGUOUS_SUBJECT)
    assert (after["unit_code"], after["match"], after["reason"]) == ("STC", "override", "")

    code, out, _ = cli(office, capsys, "decisions")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Số | Loại | Nội dung")
    cells = lines[1].split(" | ")
    assert cells[:3] == ["1", "chỉ định", f"Thư {key} → STC"]
    assert cells[3] == getpass.getuser()
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", cells[4]), cells[4]
    assert cells[5:] == ["đã gọi điện hỏi", ""]

    code, out, _ = cli(office, capsys, "undo", "1")
    assert code == 0 and "Đã hoàn tác quyết định số 1" in out
    (undone,) = ledger(office, AMBIGUOUS_SUBJECT)
    assert undone["reason"] == "ambiguous_unit"  # back to what the rules say
    code, out, _ = cli(office, capsys, "decisions")
    undone_cell = out.splitlines()[1].split(" | ")[6]
    assert re.fullmatch(re.escape(getpass.getuser()) + r" lúc \d\d/\d\d/\d{4} \d\d:\d\d",
                        undone_cell), undone_cell
    assert decision_rows(office)[0][-1] == getpass.getuser()  # undone_by
    code, out, _ = cli(office, capsys, "decisions", "--active")
    assert "Chưa có quyết định nào." in out


def test_undo_brings_back_the_decision_before_it(office: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    key = ledger(office, AMBIGUOUS_SUBJECT)[0]["message_key"]
    assert cli(office, capsys, "assign", key, "STC")[0] == 0
    assert cli(office, capsys, "assign", key, "SCT")[0] == 0
    assert ledger(office, AMBIGUOUS_SUBJECT)[0]["unit_code"] == "SCT"
    assert cli(office, capsys, "undo", "2")[0] == 0
    assert ledger(office, AMBIGUOUS_SUBJECT)[0]["unit_code"] == "STC"


def test_refusals_name_the_closest_and_change_nothing(
        office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = ledger(office, AMBIGUOUS_SUBJECT)[0]["message_key"]
    code, _, err = cli(office, capsys, "assign", key, "STCC")
    assert code == 2
    assert "Không có đơn vị mã STCC" in err and "Có phải:" in err and "STC" in err
    assert "Không có gì thay đổi." in err
    code, _, err = cli(office, capsys, "excuse", "STC", "179-TB/ĐTN")
    assert code == 2 and R178 in err.split("Có phải:")[1]
    code, _, err = cli(office, capsys, "undo", "7")
    assert code == 2 and "Không có quyết định số 7" in err
    assert decision_rows(office) == []
    # Typed as a clerk types: the unit in lower case, the request by its number.
    assert cli(office, capsys, "excuse", "stnmt", "178")[0] == 0
    assert decision_rows(office)[0][1:5] == ("excuse", None, "STNMT", R178)
    assert cli(office, capsys, "undo", "1")[0] == 0
    code, _, err = cli(office, capsys, "undo", "1")
    assert code == 2 and "đã được hoàn tác trước đó" in err


def test_a_joint_report_counts_for_each_unit_and_teaches_no_address(
        office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report_row(office, R178, "STC")["status"] == "missing"
    # SCT sent a report without photos (the demo's message 24): incomplete, one message.
    assert report_row(office, R178, "SCT")["status"] == "incomplete"
    before = {u: int(report_row(office, R178, u)["messages"]) for u in ("STC", "SCT")}
    key = ledger(office, AMBIGUOUS_SUBJECT)[0]["message_key"]
    code, out, _ = cli(office, capsys, "assign", key, "STC,SCT", R178)
    assert code == 0 and "không ghi nhớ địa chỉ" in out
    rows = ledger(office, AMBIGUOUS_SUBJECT)
    assert sorted((r["unit_code"], r["request_id"], r["match"]) for r in rows) == [
        ("SCT", R178, "override"), ("STC", R178, "override")]
    for unit in ("STC", "SCT"):
        row = report_row(office, R178, unit)
        assert row["status"] != "missing" and int(row["messages"]) == before[unit] + 1, row
    assert decision_rows(office)[0][3:6] == ("STC,SCT", R178, "")  # no address learned


def test_accept_makes_what_the_unit_sent_complete(
        office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = report_row(office, R178, "SYT")
    assert (row["evidence"], row["missing_evidence"], row["complete_at"]) == ("images", "report",
                                                                              "")
    code, out, _ = cli(office, capsys, "accept", "SYT", R178, "--reason", "ảnh là đủ")
    assert code == 0 and "được coi là đủ" in out
    row = report_row(office, R178, "SYT")
    assert row["complete_at"] == row["received_at"] != ""  # its one message with evidence
    assert cli(office, capsys, "undo", "1")[0] == 0
    assert report_row(office, R178, "SYT")["complete_at"] == ""


def test_a_decision_made_while_a_run_holds_the_data_dir_is_kept_and_applied_next(
        office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = office.parent / "data"
    with data_dir_lock(data):
        began = time.monotonic()
        code, out, _ = cli(office, capsys, "excuse", "STNMT", R178, "--reason", "sáp nhập")
        assert time.monotonic() - began < 5  # no waiting for the run
        assert code == 0 and "Báo cáo sẽ được cập nhật ở lần chạy tới." in out
        assert report_row(office, R178, "STNMT")["status"] == "missing"
    assert cli(office, capsys, "once")[0] == 0
    assert report_row(office, R178, "STNMT")["status"] == "excused"


def test_a_data_dir_of_an_earlier_version_keeps_its_decisions(
        office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before decisions had authors, they were four tables; the first run of this version
    copies them into `decisions` and the outputs do not change."""
    newsletter = ledger(office, "Bản tin")[0]["message_key"]
    (ambiguous,) = ledger(office, AMBIGUOUS_SUBJECT)
    db = sqlite3.connect(office.parent / "data" / "mailtally.db")
    with db:
        db.execute("DROP TABLE decisions")
        db.execute("DELETE FROM meta WHERE key='decisions_migrated'")
        db.executemany("INSERT INTO overrides VALUES (?,?,?,?,?)", [
            (newsletter, None, None, 1, "2023-08-20T01:00:00+00:00"),
            (ambiguous["message_key"], "STC", None, 0, "2023-08-21T01:00:00+00:00")])
        db.execute("INSERT INTO learned VALUES (?,?,?,?)",
                   (ambiguous["sender"], "STC", ambiguous["message_key"],
                    "2023-08-21T01:00:00+00:00"))
        db.execute("INSERT INTO excuses VALUES ('STNMT', ?, 'sáp nhập', "
                   "'2023-08-22T01:00:00+00:00')", (R178,))
        db.execute("INSERT INTO extensions VALUES ('SXD', ?, '2023-08-12T17:00:00+07:00', '', "
                   "'2023-08-23T01:00:00+00:00')", (R178,))
    db.close()
    assert cli(office, capsys, "report")[0] == 0
    assert ledger(office, "Bản tin")[0]["reason"] == "ignored"
    assert ledger(office, AMBIGUOUS_SUBJECT)[0]["unit_code"] == "STC"
    assert report_row(office, R178, "STNMT")["status"] == "excused"
    assert report_row(office, R178, "SXD")["status"] == "on_time"
    rows = decision_rows(office)
    assert [(r[1], r[4], r[7]) for r in rows] == [
        ("ignore", None, "?"), ("assign", None, "?"), ("excuse", R178, "?"),
        ("extend", R178, "?")]
    assert rows[1][5] == ambiguous["sender"].lower()  # the learned address came along
    # The old tables are kept as they were.
    db = sqlite3.connect(office.parent / "data" / "mailtally.db")
    assert db.execute("SELECT count(*) FROM overrides").fetchone()[0] == 2
    db.close()
    # A second open migrates nothing again.
    assert cli(office, capsys, "report")[0] == 0
    assert len(decision_rows(office)) == 4


def test_the_sentences_are_english_with_language_en(
        office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = office.read_text(encoding="utf-8")
    office.write_text(settings.replace('language = "vi"', 'language = "en"'), encoding="utf-8")
    assert 'language = "en"' in office.read_text(encoding="utf-8")
    code, out, _ = cli(office, capsys, "excuse", "STNMT", R178, "--reason", "merged")
    assert code == 0 and f"Saved (decision 1): STNMT is excused from {R178}." in out
    code, out, _ = cli(office, capsys, "decisions")
    assert out.splitlines()[0].startswith("ID | Kind | What")
    assert out.splitlines()[1].split(" | ")[1] == "excuse"
    code, _, err = cli(office, capsys, "undo", "9")
    assert code == 2 and "There is no decision 9." in err and "Nothing was changed." in err


def test_the_version_is_the_one_pyproject_states(capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    pyproject = tomllib.loads((Path(run.__file__).parent / "pyproject.toml").read_text("utf-8"))
    with pytest.raises(SystemExit) as stopped:
        run.main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"mailtally {pyproject['project']['version']}\n"
