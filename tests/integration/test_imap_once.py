"""`run.py once` against a real IMAP server (Dovecot): receipt times, statuses, the CSV
outputs cell by cell, read-only polling, broken mail, several folders, config refusal,
login failure and incremental polls, as CONTRACT.md states them.

Every message is APPENDed with a chosen INTERNALDATE, given in UTC: the contract's receipt
time is the INTERNALDATE, shown in Asia/Ho_Chi_Minh (+07:00). The server reports in UTC-5
(conftest.SERVER_TZ) and the main run uses yet another TZ, so only a program that converts
instants passes.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from eml_builders import (
    UNITS,
    UNITS_CSV,
    build_message,
    docx,
    garbage_bytes,
    jpg,
    pdf,
    truncated_message,
    utc,
)
from harness import REQUEST_ID, ReadCsv, RunMailtally, WriteConfig
from servers.dovecot import DovecotServer, ImapUser

pytestmark = pytest.mark.integration


BOM = b"\xef\xbb\xbf"
VN = timezone(timedelta(hours=7))

# CONTRACT.md, "Outputs": the columns, in order.
REPORT_COLUMNS = [
    "request_id",
    "unit_code",
    "unit_name",
    "status",
    "received_at",
    "minutes_late",
    "evidence",
    "missing_evidence",
    "complete_at",
    "messages",
    "attachments",
    "sender",
    "subject",
    "match",
    "notes",
]
MESSAGES_COLUMNS = [
    "message_key",
    "message_id",
    "received_at",
    "sender",
    "subject",
    "unit_code",
    "request_id",
    "match",
    "reason",
    "attachments",
    "evidence",
    "candidates",
]





def vn(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2023, 8, 11, hour, minute, second, tzinfo=VN)


def subject_of(code: str) -> str:
    return f"Báo cáo kết quả Ngày hoạt động cao điểm ({REQUEST_ID}) - {UNITS[code][0]}"


def message_id_of(code: str, n: int = 1) -> str:
    return f"<178-{code.lower()}-{n}@example.gov.vn>"


def submission(code: str, date_header: datetime, n: int = 1) -> bytes:
    """A unit's complete reply: report as .docx (D02: .pdf) and one photo, from its own
    roster address. The body is short, so the report evidence is the document."""
    name, address = UNITS[code]
    report = (
        pdf(f"Báo cáo {name}.pdf", size=25_000)
        if code == "D02"
        else docx(f"Báo cáo {name} lần {n}.docx", size=30_000)
    )
    return build_message(
        sender=address,
        sender_name=name,
        subject=subject_of(code),
        body=(
            "Kính gửi Văn phòng Đoàn Khối,\n"
            f"{name} xin gửi báo cáo kết quả theo Thông báo số {REQUEST_ID} "
            "và hình ảnh hoạt động kèm theo.\nTrân trọng.\n"
        ),
        date=date_header,
        message_id=message_id_of(code, n),
        attachments=[report, jpg(f"Ảnh hoạt động {code} {n}.jpg", size=60_000)],
    )


def config_for(
    write_config: WriteConfig,
    user: ImapUser,
    server: DovecotServer,
    security: str = "ssl",
    folders: Sequence[str] = ("INBOX",),
) -> Path:
    return write_config(
        user=user, server=server, security=security, folders=folders, units_csv=UNITS_CSV
    )


def run_once(
    run_mailtally: RunMailtally,
    config: Path,
    user: ImapUser,
    env: dict[str, str] | None = None,
) -> None:
    code, out, err = run_mailtally(config, "once", password=user.password, env=env)
    assert code == 0, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def bare_id(message_id: str) -> str:
    """Message-IDs compared with or without angle brackets."""
    return message_id.strip().removeprefix("<").removesuffix(">")


def by_message_id(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    found = {bare_id(r["message_id"]): r for r in rows if r["message_id"]}
    assert len(found) == len([r for r in rows if r["message_id"]]), rows
    return found


def done(
    code: str,
    status: str,
    received_at: str,
    minutes_late: str,
    messages: str = "1",
    attachments: str = "2",
) -> dict[str, str]:
    """The report.csv row of a unit whose one message brought a report and a photo."""
    return {
        "request_id": REQUEST_ID,
        "unit_code": code,
        "unit_name": UNITS[code][0],
        "status": status,
        "received_at": received_at,
        "minutes_late": minutes_late,
        "evidence": "report;images",
        "missing_evidence": "",
        "complete_at": received_at,
        "messages": messages,
        "attachments": attachments,
        "sender": UNITS[code][1],
        "subject": subject_of(code),
        "match": "address",
        "notes": "",
    }


def missing(code: str) -> dict[str, str]:
    """The report.csv row of a unit that sent nothing by a past deadline."""
    return {
        "request_id": REQUEST_ID,
        "unit_code": code,
        "unit_name": UNITS[code][0],
        "status": "missing",
        "received_at": "",
        "minutes_late": "",
        "evidence": "",
        "missing_evidence": "report;images",
        "complete_at": "",
        "messages": "0",
        "attachments": "0",
        "sender": "",
        "subject": "",
        "match": "",
        "notes": "",
    }


def assert_placed(
    row: dict[str, str], code: str, received_at: str, filenames: Sequence[str]
) -> None:
    """One messages.csv row of a message placed by address under the request."""
    assert row["message_key"].strip()
    skip = ("message_key", "message_id", "attachments")  # key: opaque; id: the caller's lookup
    assert {k: row[k] for k in MESSAGES_COLUMNS if k not in skip} == {
        "received_at": received_at,
        "sender": UNITS[code][1],
        "subject": subject_of(code),
        "unit_code": code,
        "request_id": REQUEST_ID,
        "match": "address",
        "reason": "",
        "evidence": "report;images",
        "candidates": "",
    }
    # The contract does not say whether `attachments` is a count or the names: accept both.
    cell = row["attachments"]
    if cell.isdigit():
        assert int(cell) == len(filenames)
    else:
        assert all(name in cell for name in filenames), cell


def test_receipt_times_statuses_and_every_column(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    # D01 on time; D02 30 s late (1 minute, rounded up); D03 says 10:55 in its Date header
    # but reached the office at 11:20 (20 minutes late); D04 sends nothing.
    dovecot.append(imap_user, "INBOX", submission("D01", vn(10, 41, 50)), utc(3, 42, 7))
    dovecot.append(imap_user, "INBOX", submission("D02", vn(11, 0, 12)), utc(4, 0, 30))
    dovecot.append(imap_user, "INBOX", submission("D03", vn(10, 55)), utc(4, 20))
    config = config_for(write_config, imap_user, dovecot)

    # Neither UTC nor +07:00 on this side either (POSIX TZ for UTC-3).
    run_once(run_mailtally, config, imap_user, env={"TZ": "<-03>3"})

    report = config.parent / "out" / "report.csv"
    assert report.read_bytes().startswith(BOM)
    assert header(report) == REPORT_COLUMNS
    assert read_csv(report) == [
        done("D01", "on_time", "2023-08-11T10:42:07+07:00", "0"),
        done("D02", "late", "2023-08-11T11:00:30+07:00", "1"),
        done("D03", "late", "2023-08-11T11:20:00+07:00", "20"),
        missing("D04"),
    ]

    messages = config.parent / "out" / "messages.csv"
    assert messages.read_bytes().startswith(BOM)
    assert header(messages) == MESSAGES_COLUMNS
    rows = read_csv(messages)
    assert len(rows) == 3, rows
    ledger = by_message_id(rows)
    expected = {
        "D01": "2023-08-11T10:42:07+07:00",
        "D02": "2023-08-11T11:00:30+07:00",
        "D03": "2023-08-11T11:20:00+07:00",
    }
    for code, received_at in expected.items():
        row = ledger[bare_id(message_id_of(code))]
        report_name = (
            f"Báo cáo {UNITS[code][0]}.pdf"
            if code == "D02"
            else f"Báo cáo {UNITS[code][0]} lần 1.docx"
        )
        assert_placed(row, code, received_at, [report_name, f"Ảnh hoạt động {code} 1.jpg"])
    assert len({r["message_key"] for r in rows}) == 3


def test_two_runs_are_byte_identical_and_leave_mail_unread(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    unread = dovecot.append(imap_user, "INBOX", submission("D01", vn(10, 30)), utc(3, 30))
    seen = dovecot.append(
        imap_user, "INBOX", submission("D02", vn(10, 35)), utc(3, 35), flags=[b"\\Seen"]
    )
    dovecot.append(imap_user, "INBOX", submission("D03", vn(11, 5)), utc(4, 5, 1))
    before = dovecot.flags(imap_user, "INBOX")
    assert before[unread] == ()
    assert before[seen] == (b"\\Seen",)
    config = config_for(write_config, imap_user, dovecot)
    out = config.parent / "out"

    run_once(run_mailtally, config, imap_user)
    first = {name: (out / name).read_bytes() for name in ("report.csv", "messages.csv")}
    assert dovecot.flags(imap_user, "INBOX") == before

    run_once(run_mailtally, config, imap_user)
    second = {name: (out / name).read_bytes() for name in ("report.csv", "messages.csv")}
    assert second == first
    assert dovecot.flags(imap_user, "INBOX") == before

    assert len(read_csv(out / "messages.csv")) == 3
    assert read_csv(out / "report.csv") == [
        done("D01", "on_time", "2023-08-11T10:30:00+07:00", "0"),
        done("D02", "on_time", "2023-08-11T10:35:00+07:00", "0"),
        done("D03", "late", "2023-08-11T11:05:01+07:00", "6"),
        missing("D04"),
    ]


def test_broken_messages_are_listed_and_do_not_stop_the_run(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    dovecot.append(imap_user, "INBOX", submission("D01", vn(10, 0)), utc(3, 0))
    # D03's reply, cut off in the middle of its .docx; then bytes that are no message.
    cut = truncated_message(submission("D03", vn(10, 10)), keep=0.4)
    dovecot.append(imap_user, "INBOX", cut, utc(3, 10))
    dovecot.append(imap_user, "INBOX", garbage_bytes(6_000, seed=7), utc(3, 15))
    dovecot.append(imap_user, "INBOX", submission("D02", vn(10, 20)), utc(3, 20))
    config = config_for(write_config, imap_user, dovecot)

    run_once(run_mailtally, config, imap_user)

    out = config.parent / "out"
    rows = read_csv(out / "messages.csv")
    # Every stored message has at least one row; one request, so exactly one each.
    assert len(rows) == 4, rows
    ledger = by_message_id(rows)
    assert bare_id(message_id_of("D03")) in ledger
    (garbage_row,) = [
        r
        for r in rows
        if bare_id(r["message_id"]) not in {bare_id(message_id_of(c)) for c in UNITS}
    ]
    assert garbage_row["reason"] in ("unparseable", "no_unit"), garbage_row
    assert garbage_row["unit_code"] == ""

    report = {r["unit_code"]: r for r in read_csv(out / "report.csv")}
    assert report["D01"] == done("D01", "on_time", "2023-08-11T10:00:00+07:00", "0")
    assert report["D02"] == done("D02", "on_time", "2023-08-11T10:20:00+07:00", "0")
    assert report["D04"] == missing("D04")


def test_several_folders_and_one_message_in_two_folders_counts_once(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    dovecot.create_folder(imap_user, "Báo cáo")
    dovecot.create_folder(imap_user, "Lưu trữ")  # not configured: never read
    d01 = submission("D01", vn(10, 29))
    dovecot.append(imap_user, "INBOX", d01, utc(3, 30))
    dovecot.append(imap_user, "Báo cáo", d01, utc(3, 45))  # the same message, filed again
    dovecot.append(imap_user, "Báo cáo", submission("D02", vn(10, 50)), utc(3, 50))
    dovecot.append(imap_user, "Lưu trữ", submission("D03", vn(10, 20)), utc(3, 20))
    config = config_for(write_config, imap_user, dovecot, folders=["INBOX", "Báo cáo"])

    run_once(run_mailtally, config, imap_user)

    out = config.parent / "out"
    assert read_csv(out / "report.csv") == [
        # Counted once, at its first arrival.
        done("D01", "on_time", "2023-08-11T10:30:00+07:00", "0"),
        done("D02", "on_time", "2023-08-11T10:50:00+07:00", "0"),
        missing("D03"),
        missing("D04"),
    ]
    rows = read_csv(out / "messages.csv")
    assert sorted(bare_id(r["message_id"]) for r in rows) == [
        bare_id(message_id_of("D01")),
        bare_id(message_id_of("D02")),
    ]


def test_security_none_off_loopback_is_a_config_error(
    write_config: WriteConfig, run_mailtally: RunMailtally
) -> None:
    # 192.0.2.10 is TEST-NET-1: nothing answers there, and nothing should try.
    config = write_config(
        username="doankhoi@example.gov.vn",
        host="192.0.2.10",
        port=143,
        security="none",
        units_csv=UNITS_CSV,
    )
    code, out, err = run_mailtally(config, "once", password="khong-dung", timeout=60)
    assert code == 2, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert "security" in out + err
    assert not (config.parent / "out" / "report.csv").exists()


def test_wrong_password_fails_the_run_and_names_the_source(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
) -> None:
    dovecot.append(imap_user, "INBOX", submission("D01", vn(10, 0)), utc(3, 0))
    config = config_for(write_config, imap_user, dovecot)
    wrong = "Sai-mat-khau-2023"

    code, out, err = run_mailtally(config, "once", password=wrong)

    text = out + err
    assert code == 1, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert imap_user.name in text or "127.0.0.1" in text, text
    assert wrong not in text  # never a secret in the output


def test_second_run_picks_up_a_new_message(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    # The plain port with security = "none": allowed because the host is loopback.
    config = config_for(write_config, imap_user, dovecot, security="none")
    out = config.parent / "out"
    dovecot.append(imap_user, "INBOX", submission("D01", vn(10, 42)), utc(3, 42, 7))

    run_once(run_mailtally, config, imap_user)
    assert read_csv(out / "report.csv") == [
        done("D01", "on_time", "2023-08-11T10:42:07+07:00", "0"),
        missing("D02"),
        missing("D03"),
        missing("D04"),
    ]
    assert len(read_csv(out / "messages.csv")) == 1

    dovecot.append(imap_user, "INBOX", submission("D02", vn(11, 0)), utc(4, 0, 30))
    run_once(run_mailtally, config, imap_user)
    assert read_csv(out / "report.csv") == [
        done("D01", "on_time", "2023-08-11T10:42:07+07:00", "0"),
        done("D02", "late", "2023-08-11T11:00:30+07:00", "1"),
        missing("D03"),
        missing("D04"),
    ]
    assert sorted(bare_id(r["message_id"]) for r in read_csv(out / "messages.csv")) == [
        bare_id(message_id_of("D01")),
        bare_id(message_id_of("D02")),
    ]
