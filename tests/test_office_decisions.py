"""The office's fixes stick: assign (and what it learns), unlearn, --ignore, excuse, extend, and a
roster change that places last week's mail. All through the command line, on the demo data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import run

AMBIGUOUS_SUBJECT = "Doan So Tai chinh va Doan So Cong Thuong"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def cli(config: Path, *args: str) -> int:
    return run.main(["--config", str(config), *args])


def ledger_row(config: Path, subject_part: str) -> dict[str, str]:
    rows = [r for r in read(config.parent / "out" / "messages.csv") if subject_part in r["subject"]]
    assert len(rows) == 1, rows
    return rows[0]


def report_row(config: Path, request_id: str, unit: str) -> dict[str, str]:
    rows = read(config.parent / "out" / "report.csv")
    return next(r for r in rows if r["request_id"] == request_id and r["unit_code"] == unit)


def test_assign_places_the_message_and_learns_the_address(office: Path) -> None:
    before = ledger_row(office, AMBIGUOUS_SUBJECT)
    assert before["reason"] == "ambiguous_unit"
    assert cli(office, "assign", before["message_key"][:8], "STC") == 0
    after = ledger_row(office, AMBIGUOUS_SUBJECT)
    assert (after["unit_code"], after["match"], after["reason"]) == ("STC", "override", "")
    assert after["request_id"] == "178-TB/ĐTN"  # the rules found the request by themselves
    # The fix survives later runs.
    assert cli(office, "once") == 0
    assert ledger_row(office, AMBIGUOUS_SUBJECT)["match"] == "override"
    # The address is now known: a new message from it is placed as `learned`.
    sender = before["sender"]
    new = (office.parent / "inbox" / "99_learned.eml")
    new.write_bytes(
        b"Received: from x by mx; Mon, 21 Aug 2023 16:00:00 +0700\r\n"
        b"From: " + sender.encode() + b"\r\nTo: doankhoi@doankhoi.example.vn\r\n"
        b"Subject: Danh sach dang ky 185-TB/DTN\r\nMessage-ID: <learned-1@gmail.com>\r\n"
        b"Date: Mon, 21 Aug 2023 16:00:00 +0700\r\n\r\n" + b"Danh sach dang ky. " * 30 + b"\r\n")
    assert cli(office, "once") == 0
    learned = ledger_row(office, "Danh sach dang ky 185")
    assert (learned["unit_code"], learned["match"]) == ("STC", "learned")
    assert report_row(office, "185-TB/ĐTN", "STC")["status"] == "on_time"
    # Unlearning it puts the new message back among those that need a person.
    assert cli(office, "unlearn", sender) == 0
    assert ledger_row(office, "Danh sach dang ky 185")["reason"] == "no_unit"


def test_ignore_excuse_and_extend(office: Path) -> None:
    newsletter = ledger_row(office, "Bản tin")
    assert newsletter["reason"] == "no_unit"
    assert cli(office, "assign", newsletter["message_key"], "--ignore") == 0
    assert ledger_row(office, "Bản tin")["reason"] == "ignored"

    assert report_row(office, "178-TB/ĐTN", "STNMT")["status"] == "missing"
    assert cli(office, "excuse", "STNMT", "178-TB/ĐTN", "--reason", "sáp nhập") == 0
    assert report_row(office, "178-TB/ĐTN", "STNMT")["status"] == "excused"

    assert report_row(office, "178-TB/ĐTN", "SXD")["status"] == "late"
    assert cli(office, "extend", "SXD", "178-TB/ĐTN", "--until", "2023-08-12T17:00") == 0
    row = report_row(office, "178-TB/ĐTN", "SXD")
    assert (row["status"], row["minutes_late"]) == ("on_time", "0")


def test_bad_codes_are_refused_with_exit_2(office: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    key = ledger_row(office, AMBIGUOUS_SUBJECT)["message_key"]
    assert cli(office, "assign", key, "NOPE") == 2
    assert "NOPE" in capsys.readouterr().err
    assert cli(office, "assign", "ffffffffffff", "STC") == 2
    assert cli(office, "extend", "SXD", "178-TB/ĐTN", "--until", "mai") == 2


def test_an_alias_added_today_places_last_weeks_mail(office: Path) -> None:
    newsletter = ledger_row(office, "Bản tin")
    assert newsletter["reason"] == "no_unit"
    units = office.parent / "units.csv"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("Sở Y tế;Đoàn TN Sở Y tế", "Sở Y tế;Đoàn TN Sở Y tế;Bản tin "
                                  "Thanh niên"), encoding="utf-8")
    assert cli(office, "once") == 0
    again = ledger_row(office, "Bản tin")
    assert (again["unit_code"], again["match"]) == ("SYT", "name")


def test_a_spoofed_roster_address_is_not_believed_and_is_flagged(office: Path) -> None:
    (office.parent / "inbox" / "98_spoofed.eml").write_bytes(
        b"Authentication-Results: mx.doankhoi.example.vn; spf=fail smtp.mailfrom=stp.example"
        b".gov.vn; dkim=none; dmarc=fail header.from=stp.example.gov.vn\r\n"
        b"Received: from evil by mx; Fri, 11 Aug 2023 10:00:00 +0700\r\n"
        b"From: doanthanhnien@stp.example.gov.vn\r\nTo: doankhoi@doankhoi.example.vn\r\n"
        b"Subject: Bao cao gia mao 178-TB/DTN\r\nMessage-ID: <spoof-1@evil.example>\r\n"
        b"Date: Fri, 11 Aug 2023 10:00:00 +0700\r\n\r\nXem tep.\r\n")
    assert cli(office, "once") == 0
    row = ledger_row(office, "Bao cao gia mao")
    assert (row["unit_code"], row["reason"]) == ("", "no_unit")
    page = (office.parent / "out" / "report.html").read_text(encoding="utf-8")
    assert "chưa được máy chủ xác thực" in page
