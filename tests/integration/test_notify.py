"""Mail to units, end to end: `run.py` as a subprocess reads Dovecot and sends through a real
SMTP server (aiosmtpd), with the clock frozen by MAILTALLY_NOW (CONTRACT.md, "Mail to units").

The notice is conftest's 178-TB/ĐTN, due 2023-08-11 11:00 (+07:00), requiring a report and
photos, for units D01-D04. [notify] sends reminders 48h and 2h before it, overdue notices 2h
after it. The first run of each test (with an empty mailbox, on 9 August 08:00) is when
[notify] is switched on.
"""

from __future__ import annotations

import email
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from eml_builders import build_message, docx, jpg
from harness import PASSWORD_ENV, REPO_ROOT, REQUEST_ID, RunMailtally, WriteConfig
from servers.dovecot import DovecotServer, ImapUser
from servers.smtp import SmtpSink

pytestmark = pytest.mark.integration

VN = timezone(timedelta(hours=7))
SWITCHED_ON = datetime(2023, 8, 9, 8, 0, tzinfo=VN)
OFFICE = "doankhoi@example.gov.vn"
ROSTER = {
    "D01": "doantn.stc@example.gov.vn",
    "D02": "dtn.skhdt@example.gov.vn",
    "D03": "chidoan.bhxh@example.gov.vn",
    "D04": "doantn.syt@example.gov.vn",
}
GMAIL = "lehoang.stc@gmail.com"  # a member of D01, not in the roster


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 8, day, hour, minute, tzinfo=VN)


def notify_section(sink: SmtpSink, *, send: bool = True, max_per_hour: int = 60) -> str:
    return (
        "\n[smtp]\n"
        f'host = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\n'
        f'from = "Văn phòng Đoàn Khối <{OFFICE}>"\n'
        "\n[notify]\n"
        'reminders = ["48h", "2h"]\noverdue = ["2h"]\n'
        f"send = {'true' if send else 'false'}\nmax_per_hour = {max_per_hour}\n"
    )


class Office:
    """One test's config, mailbox and SMTP server, and the CLI run at a frozen time."""

    def __init__(self, config: Path, user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
                 run: RunMailtally) -> None:
        self.config, self.user, self.dovecot, self.sink = config, user, dovecot, sink
        self._run = run

    def run(self, now: datetime, *args: str, env: dict[str, str] | None = None
            ) -> tuple[int, str, str]:
        return self._run(self.config, *(args or ("once",)), password=self.user.password,
                         env={"MAILTALLY_NOW": now.isoformat(), **(env or {})})

    def once(self, now: datetime) -> None:
        code, _, err = self.run(now)
        assert code == 0, err

    def deliver(self, raw: bytes, received: datetime) -> None:
        self.dovecot.append(self.user, "INBOX", raw, received)

    def outbox(self) -> list[tuple[str, str, str, str]]:
        """(kind, unit_code, state, recipients) of every recorded mail, in order."""
        with closing(sqlite3.connect(self.config.parent / "data" / "mailtally.db")) as db:
            rows = db.execute(
                "SELECT kind, unit_code, state, recipients FROM outbox ORDER BY id").fetchall()
        return [(str(k), str(u), str(s), str(r)) for k, u, s, r in rows]


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def make_office(write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer,
                sink: SmtpSink, run_mailtally: RunMailtally, **notify: object) -> Office:
    config = write_config(user=imap_user, server=dovecot)
    with config.open("a", encoding="utf-8") as fh:
        fh.write(notify_section(sink, **notify))  # type: ignore[arg-type]
    office = Office(config, imap_user, dovecot, sink, run_mailtally)
    office.once(SWITCHED_ON)  # [notify] is switched on: an empty mailbox, nothing due yet
    assert sink.messages == []
    return office


def parsed(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def plain(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def report(sender: str, when: datetime, *, photos: bool = False, report_file: bool = True,
           name: str = "ĐTN Sở Tài chính", mid: str = "<r1@gmail.com>",
           extra: dict[str, str] | None = None) -> bytes:
    attachments = []
    if report_file:
        attachments.append(docx("BaoCao_STC.docx"))
    if photos:
        attachments += [jpg("anh_hoat_dong_1.jpg"), jpg("anh_hoat_dong_2.jpg")]
    return build_message(
        sender=sender, sender_name=name,
        subject=f"{name} báo cáo kết quả Ngày hoạt động cao điểm {REQUEST_ID}",
        body="Kính gửi Văn phòng, đơn vị gửi báo cáo.", date=when, message_id=mid,
        attachments=attachments, extra_headers=extra)


def test_receipt_reaches_the_roster_only_names_missing_photos_and_ignores_auto_replies(
    write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
    run_mailtally: RunMailtally,
) -> None:
    office = make_office(write_config, imap_user, dovecot, sink, run_mailtally)
    # A member's Gmail: placed by the unit's name, report only.
    office.deliver(report(GMAIL, at(9, 8, 55)), at(9, 9, 0))
    office.once(at(9, 9, 30))
    (got,) = sink.messages
    assert got.rcpt_tos == [ROSTER["D01"]]  # never the Gmail that wrote
    assert got.mail_from == OFFICE
    receipt = parsed(got.content)
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["In-Reply-To"] == "<r1@gmail.com>"
    assert str(receipt["Subject"]).startswith("Re: ĐTN Sở Tài chính báo cáo")
    text = plain(receipt)
    assert "BaoCao_STC.docx" in text
    assert "Còn thiếu: hình ảnh." in text
    assert "Hạn nộp: 11/08/2023 11:00 (còn 2 ngày 1 giờ)." in text

    # The unit's server answers the receipt with an out-of-office reply: no second mail.
    auto = build_message(
        sender=ROSTER["D01"], subject=f"Trả lời tự động: {receipt['Subject']}",
        body="Tôi đang đi công tác đến hết ngày 15/8.", date=at(9, 9, 31),
        message_id="<ooo1@example.gov.vn>",
        extra_headers={"Auto-Submitted": "auto-replied",
                       "In-Reply-To": str(receipt["Message-ID"])})
    office.deliver(auto, at(9, 9, 31))
    office.once(at(9, 9, 40))
    office.once(at(9, 9, 40))  # and `once` twice sends nothing twice
    assert len(sink.messages) == 1

    # The photos arrive from the roster address: the row is complete, one more receipt.
    office.deliver(report(ROSTER["D01"], at(9, 10, 0), photos=True, report_file=False,
                          mid="<r2@example.gov.vn>"), at(9, 10, 0))
    office.once(at(9, 10, 5))
    office.once(at(9, 10, 6))
    assert len(sink.messages) == 2
    done = parsed(sink.messages[1].content)
    assert sink.messages[1].rcpt_tos == [ROSTER["D01"]]
    assert done["In-Reply-To"] == "<r2@example.gov.vn>"
    assert "anh_hoat_dong_1.jpg" in plain(done)
    assert "Báo cáo của đơn vị đã đủ." in plain(done)
    assert [(k, u, s) for k, u, s, _ in office.outbox()] == [
        ("receipt", "D01", "sent"), ("receipt", "D01", "sent")]


def test_reminders_go_to_pending_units_not_on_time_or_excused_ones(
    write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
    run_mailtally: RunMailtally,
) -> None:
    office = make_office(write_config, imap_user, dovecot, sink, run_mailtally)
    office.deliver(report(ROSTER["D01"], at(9, 8, 30), photos=True, mid="<ok@x.vn>"),
                   at(9, 8, 30))
    code, _, err = office.run(at(9, 8, 40), "excuse", "D02", REQUEST_ID, "--reason", "sáp nhập")
    assert code == 0, err
    office.once(at(9, 8, 45))  # D01's receipt
    assert [m.rcpt_tos for m in sink.messages] == [[ROSTER["D01"]]]

    office.once(at(10, 12, 0))  # the 48h reminder fell due on 9/8 11:00
    reminders = sink.messages[1:]
    assert sorted(m.rcpt_tos[0] for m in reminders) == [ROSTER["D03"], ROSTER["D04"]]
    for m in reminders:
        msg = parsed(m.content)
        assert msg["Auto-Submitted"] == "auto-generated"
        assert msg["Subject"] == "Nhắc nộp báo cáo 178-TB/ĐTN, hạn 11/08/2023 11:00"
        assert "Cần nộp: báo cáo, hình ảnh." in plain(msg)
        assert OFFICE in plain(msg)
    office.once(at(10, 12, 5))
    assert len(sink.messages) == 3

    # A pause over two offsets: only the latest that fell due (overdue), once each.
    office.once(at(11, 14, 0))
    office.once(at(11, 14, 1))
    late = sink.messages[3:]
    assert sorted(m.rcpt_tos[0] for m in late) == [ROSTER["D03"], ROSTER["D04"]]
    assert all(str(parsed(m.content)["Subject"]).startswith("Quá hạn") for m in late)

    # `remind` shows what each unit would get; --send sends it now.
    code, out, err = office.run(at(11, 15, 0), "remind", "178")  # as a clerk types it
    assert code == 0, err
    assert "D03" in out and "D04" in out and "D01" not in out and "D02" not in out
    assert len(sink.messages) == 5
    code, out, err = office.run(at(11, 15, 0), "remind", REQUEST_ID, "--send")
    assert code == 0, err
    assert "Đã gửi 2 thư nhắc." in out
    assert sorted(m.rcpt_tos[0] for m in sink.messages[5:]) == [ROSTER["D03"], ROSTER["D04"]]


def test_a_first_sync_of_old_mail_sends_nothing(
    write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
    run_mailtally: RunMailtally,
) -> None:
    config = write_config(user=imap_user, server=dovecot)
    with config.open("a", encoding="utf-8") as fh:
        fh.write(notify_section(sink))
    office = Office(config, imap_user, dovecot, sink, run_mailtally)
    # Last week's replies are in the mailbox before [notify] is ever seen; the deadline has
    # passed, two units are missing, one report lacks its photos.
    office.deliver(report(GMAIL, at(10, 9, 0)), at(10, 9, 0))
    office.deliver(report(ROSTER["D02"], at(10, 9, 5), photos=True, name="ĐTN Sở KH&ĐT",
                          mid="<d2@x.vn>"), at(10, 9, 5))
    office.once(at(18, 9, 0))
    office.once(at(18, 9, 30))
    assert sink.messages == []
    assert office.outbox() == []


def test_sigkill_between_recording_and_sending_sends_nothing_twice(
    write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
    run_mailtally: RunMailtally,
) -> None:
    office = make_office(write_config, imap_user, dovecot, sink, run_mailtally)
    code, _, _ = office.run(at(10, 12, 0), env={"MAILTALLY_TEST_KILL": "notify_after_record"})
    assert code == -9  # killed right after the first reminder was committed as `sending`
    assert sink.messages == []
    states = office.outbox()
    assert [s for _, _, s, _ in states] == ["sending", "queued", "queued", "queued"]
    lost = states[0][3]

    office.once(at(10, 12, 1))
    office.once(at(10, 12, 2))
    sent_to = [m.rcpt_tos[0] for m in sink.messages]
    assert len(sent_to) == 3 and lost not in sent_to  # never sent again on its own
    assert sorted([*sent_to, lost]) == sorted(ROSTER.values())
    assert [s for _, _, s, _ in office.outbox()] == ["unknown", "sent", "sent", "sent"]
    _, out, _ = office.run(at(10, 12, 3), "check")
    assert "1 thư gửi đơn vị không chắc đã gửi (không gửi lại)" in out
    assert "Thư gửi đơn vị: 3 đã gửi, 1 không chắc đã gửi." in out


def test_sigkill_after_the_server_took_it_sends_nothing_twice(
    write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
    run_mailtally: RunMailtally,
) -> None:
    office = make_office(write_config, imap_user, dovecot, sink, run_mailtally)
    code, _, _ = office.run(at(10, 12, 0), env={"MAILTALLY_TEST_KILL": "notify_after_send"})
    assert code == -9
    assert len(sink.messages) == 1
    office.once(at(10, 12, 1))
    sent_to = [m.rcpt_tos[0] for m in sink.messages]
    assert sorted(sent_to) == sorted(ROSTER.values())  # four units, one mail each


def test_the_rate_limit_holds_across_runs(
    write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
    run_mailtally: RunMailtally,
) -> None:
    office = make_office(write_config, imap_user, dovecot, sink, run_mailtally, max_per_hour=3)
    office.once(at(10, 12, 0))
    assert len(sink.messages) == 3
    office.once(at(10, 12, 30))
    office.once(at(10, 12, 59))
    assert len(sink.messages) == 3  # still within the hour of the first three
    office.once(at(10, 13, 1))
    assert sorted(m.rcpt_tos[0] for m in sink.messages) == sorted(ROSTER.values())


def test_a_refusing_server_is_retried_later_and_a_permanent_refusal_is_shown(
    write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
    run_mailtally: RunMailtally,
) -> None:
    office = make_office(write_config, imap_user, dovecot, sink, run_mailtally)
    sink.handler.reply = "451 4.3.0 Hệ thống bận, thử lại sau"
    office.once(at(10, 12, 0))
    assert sink.handler.refused == 1  # the server said "not now": the others wait too
    assert [s for _, _, s, _ in office.outbox()] == ["retry", "queued", "queued", "queued"]
    _, out, _ = office.run(at(10, 12, 1), "check")
    assert "chưa gửi được, sẽ thử lại" in out and "451" in out
    html = (office.config.parent / "out" / "report.html").read_text(encoding="utf-8")
    assert "chưa gửi được, sẽ thử lại" in html

    sink.handler.reply = "250 OK"
    office.once(at(10, 12, 2))  # the retry waits 5 minutes; the queued ones go
    assert len(sink.messages) == 3
    office.once(at(10, 12, 6))
    assert sorted(m.rcpt_tos[0] for m in sink.messages) == sorted(ROSTER.values())

    sink.handler.reply = "550 5.1.1 Không có hộp thư này"
    office.once(at(11, 9, 30))  # the 2h reminders: refused for good
    assert sink.handler.refused == 1 + 4
    office.once(at(11, 10, 30))
    assert sink.handler.refused == 5  # never tried again
    assert [s for _, _, s, _ in office.outbox()][4:] == ["failed"] * 4
    _, out, _ = office.run(at(11, 10, 31), "check")
    assert "4 thư gửi đơn vị không gửi được" in out and "550" in out


def test_send_false_writes_each_mail_once_to_the_outbox_folder(
    write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
    run_mailtally: RunMailtally,
) -> None:
    office = make_office(write_config, imap_user, dovecot, sink, run_mailtally, send=False)
    office.once(at(10, 12, 0))
    office.once(at(10, 12, 5))
    folder = office.config.parent / "out" / "outbox"
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 4
    assert sink.messages == []
    to = sorted(str(parsed(f.read_bytes())["To"]).split(", ")[0] for f in files)
    assert to == sorted(ROSTER.values())
    assert all(parsed(f.read_bytes())["Auto-Submitted"] == "auto-generated" for f in files)


def test_serve_sends_a_reminder_when_it_falls_due_between_polls(
    write_config: WriteConfig, imap_user: ImapUser, dovecot: DovecotServer, sink: SmtpSink,
) -> None:
    """Real time: the 2h reminder falls due 20 s after serve starts; polls are 10 minutes
    apart, so only the reminder job (every minute) can send it in time."""
    due = datetime.now(VN).replace(microsecond=0) + timedelta(hours=2, seconds=20)
    requests = (
        f'[[request]]\nid = "{REQUEST_ID}"\ntitle = "Báo cáo"\n'
        f"issued = 2023-08-03T00:00:00\ndeadline = {due.isoformat()}\n"
        'requires = ["report"]\n'
    )
    config = write_config(user=imap_user, server=dovecot, requests_toml=requests)
    with config.open("a", encoding="utf-8") as fh:
        fh.write(notify_section(sink).replace('reminders = ["48h", "2h"]', 'reminders = ["2h"]'))
        fh.write("\n[schedule]\npoll_minutes = 10\ndigest_times = []\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
    env[PASSWORD_ENV] = imap_user.password
    log_path = config.parent / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "run.py", "--config", str(config), "serve"],
                                cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        give_up = time.monotonic() + 110
        while len(sink.messages) < len(ROSTER) and time.monotonic() < give_up:
            assert proc.poll() is None, log_path.read_text(encoding="utf-8")
            time.sleep(0.2)
        sent_at = datetime.now(VN)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert sorted(m.rcpt_tos[0] for m in sink.messages) == sorted(ROSTER.values()), (
        log_path.read_text(encoding="utf-8"))
    assert due - timedelta(hours=2) <= sent_at <= due - timedelta(hours=2) + timedelta(seconds=75)
