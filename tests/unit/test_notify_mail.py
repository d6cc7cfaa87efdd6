"""The mails to units as composed: threading, RFC 3834 headers, what they say (missing photos
named), Vietnamese first, and a hostile subject or file name kept harmless."""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from config.model import Request, Unit
from outputs.notify_mail import (
    Answering,
    Counted,
    Office,
    compose_receipt,
    compose_reminder,
    counted_for,
    duration,
    reply_subject,
)
from outputs.status import PlacedMessage, StatusRow, compute_status
from parsers.records import Attachment, ParsedMessage

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = datetime(2023, 8, 11, 11, 0, tzinfo=VN)
REQUEST = Request(id="178-TB/ĐTN", title="Báo cáo Ngày cao điểm",
                  issued=datetime(2023, 8, 3, tzinfo=VN), deadline=DEADLINE)
UNIT = Unit("STP", "Đoàn Sở Tư pháp", emails=("doan@stp.example.vn",))
OFFICE = Office("Văn phòng Đoàn Khối <doankhoi@example.gov.vn>", "vi", VN)
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def reparse(msg: EmailMessage) -> EmailMessage:
    """The message as a unit's mail client would read it, from the bytes sent."""
    out = email.message_from_bytes(msg.as_bytes(policy=policy.SMTP), policy=policy.default)
    assert isinstance(out, EmailMessage)
    return out


def bodies(msg: EmailMessage) -> tuple[str, str]:
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and html is not None
    return str(plain.get_content()), str(html.get_content())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def report_only_row(now: datetime) -> tuple[StatusRow, Answering]:
    at = DEADLINE - timedelta(hours=26)
    placed = [PlacedMessage("k1", at, ("report",), ("h",), "a@x.vn", "s", "address")]
    answering = Answering("<abc@stp.example.vn>", ("<notice@example.gov.vn>",),
                          "Báo cáo 178", at)
    return compute_status(REQUEST, UNIT, placed, now), answering


@pytest.mark.parametrize(("subject", "expected"), [
    ("Báo cáo 178", "Re: Báo cáo 178"),
    ("Re: Báo cáo 178", "Re: Báo cáo 178"),
    ("RE: Báo cáo", "RE: Báo cáo"),
    ("Trả lời: Báo cáo", "Trả lời: Báo cáo"),
    ("TL: Báo cáo", "TL: Báo cáo"),
    ("AW: Bericht", "AW: Bericht"),
    ("Reply needed", "Re: Reply needed"),
    ("a\r\nBcc: victim@x.vn", "Re: a Bcc: victim@x.vn"),
])
def test_reply_subject(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_receipt_threads_names_files_and_the_missing_photos() -> None:
    now = DEADLINE - timedelta(hours=25)
    status_row, answering = report_only_row(now)
    counted = Counted(report_files=("BaoCao_STP.docx",))
    msg = reparse(compose_receipt(OFFICE, REQUEST, UNIT, status_row, ("doan@stp.example.vn",),
                                  counted, answering, now))
    assert msg["In-Reply-To"] == "<abc@stp.example.vn>"
    assert msg["References"] == "<notice@example.gov.vn> <abc@stp.example.vn>"
    assert msg["Subject"] == "Re: Báo cáo 178"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["To"] == "doan@stp.example.vn"
    assert msg["From"] == "Văn phòng Đoàn Khối <doankhoi@example.gov.vn>"
    assert str(msg["Message-ID"]).endswith("@example.gov.vn>")
    plain, html = bodies(msg)
    for text in (plain, html):
        assert "178-TB/ĐTN" in text
        assert "BaoCao_STP.docx" in text
        assert "Còn thiếu: hình ảnh." in text
        assert "Hạn nộp: 11/08/2023 11:00 (còn 1 ngày 1 giờ)." in text
    assert "viewport" in html


def test_receipt_in_english() -> None:
    now = DEADLINE - timedelta(hours=25)
    status_row, answering = report_only_row(now)
    office = Office("doankhoi@example.gov.vn", "en", VN)
    msg = reparse(compose_receipt(office, REQUEST, UNIT, status_row, ("doan@stp.example.vn",),
                                  Counted(), answering, now))
    plain, _ = bodies(msg)
    assert "Still missing: photos." in plain
    assert "Deadline: 11/08/2023 11:00 (1 d 1 h left)." in plain


def test_hostile_subject_and_file_names_stay_text() -> None:
    now = DEADLINE - timedelta(hours=25)
    status_row, answering = report_only_row(now)
    hostile = Answering(answering.message_id, ("not-an-id", "<a@b>\r\nBcc: x@y"),
                        HOSTILE + "\r\nBcc: victim@example.vn", answering.received_at)
    counted = Counted(report_files=(HOSTILE + ".docx",))
    msg = reparse(compose_receipt(OFFICE, REQUEST, UNIT, status_row, ("doan@stp.example.vn",),
                                  counted, hostile, now))
    assert msg["Bcc"] is None
    assert msg["References"] == "<abc@stp.example.vn>"
    _, html = bodies(msg)
    tags = _Tags()
    tags.feed(html)
    assert "script" not in tags.tags and "img" not in tags.tags
    assert "&lt;script&gt;" in html


def test_reminder_says_what_is_owed_by_when_and_where() -> None:
    now = DEADLINE - timedelta(hours=2)
    pending = compute_status(REQUEST, UNIT, [], now)
    msg = reparse(compose_reminder(OFFICE, "reminder", REQUEST, UNIT, pending,
                                   ("doan@stp.example.vn",), Counted(), now))
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["In-Reply-To"] is None
    assert msg["Subject"] == "Nhắc nộp báo cáo 178-TB/ĐTN, hạn 11/08/2023 11:00"
    plain, _ = bodies(msg)
    assert "Cần nộp: báo cáo, hình ảnh." in plain
    assert "còn 2 giờ" in plain
    assert "doankhoi@example.gov.vn" in plain
    overdue = compute_status(REQUEST, UNIT, [], DEADLINE + timedelta(hours=2))
    late = reparse(compose_reminder(OFFICE, "overdue", REQUEST, UNIT, overdue,
                                    ("doan@stp.example.vn",), Counted(),
                                    DEADLINE + timedelta(hours=2)))
    assert str(late["Subject"]).startswith("Quá hạn nộp báo cáo 178-TB/ĐTN")
    assert "đã quá hạn 2 giờ" in bodies(late)[0]


def test_counted_names_each_file_once_and_leaves_logos_out() -> None:
    def att(name: str, sha: str, kinds: tuple[str, ...], inline: bool = False) -> Attachment:
        return Attachment(name, "x/y", 10, sha, inline, kinds)

    at = DEADLINE - timedelta(hours=3)
    m1 = ParsedMessage("k1", "<1@x>", at, attachments=(
        att("BaoCao.docx", "a", ("report",)), att("logo.png", "b", (), inline=True),
        att("anh1.jpg", "c", ("images",))), links=("https://drive.google.com/x",
                                                   "https://example.vn/"))
    m2 = ParsedMessage("k2", "<2@x>", at, attachments=(att("anh1 (copy).jpg", "c", ("images",)),
                                                      att("ghichu.mp4", "d", ())))
    c = counted_for([m1, m2], ("report", "images"))
    assert c == Counted(("BaoCao.docx",), ("anh1.jpg",), ("ghichu.mp4",), 1, False)


def test_durations_in_words() -> None:
    assert duration(timedelta(minutes=45), "vi") == "45 phút"
    assert duration(timedelta(days=2, hours=3, minutes=5), "vi") == "2 ngày 3 giờ"
    assert duration(timedelta(seconds=5), "vi") == "1 phút"
