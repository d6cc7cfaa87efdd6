"""The Dovecot test server itself: it must behave as the integration tests assume (chosen
INTERNALDATEs, read-only fetches that keep mail unread, Vietnamese folder names, TLS with our
own CA, kick) before any test of mailtally can trust it."""

from __future__ import annotations

import contextlib
import io
import ssl
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes, policy
from typing import Any

import pytest
from eml_builders import build_message, docx, garbage_bytes, jpg, pdf, truncated_message
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, LoginError
from servers.dovecot import DovecotServer, ImapUser

pytestmark = pytest.mark.integration

VN = timezone(timedelta(hours=7))


def _message(subject: str = "Báo cáo 178-TB/ĐTN", message_id: str = "<t1@example.gov.vn>") -> bytes:
    return build_message(
        sender="doantn.stc@example.gov.vn",
        sender_name="Đoàn TN Sở Tài chính",
        subject=subject,
        body="Kính gửi Văn phòng Đoàn Khối,\nĐơn vị xin gửi báo cáo.\n",
        date=datetime(2023, 8, 11, 10, 40, tzinfo=VN),
        message_id=message_id,
        attachments=[docx("Báo cáo.docx", size=12_000), jpg("Ảnh 1.jpg", size=40_000)],
    )


def _fetch_one(c: Any, uid: int, items: list[str]) -> dict[bytes, Any]:
    data: dict[bytes, Any] = c.fetch([uid], items)[uid]
    return data


def test_append_keeps_the_chosen_internaldate_instant(
    dovecot: DovecotServer, imap_user: ImapUser
) -> None:
    when = datetime(2023, 8, 11, 3, 42, 7, tzinfo=UTC)  # 10:42:07 in Hà Nội
    uid = dovecot.append(imap_user, "INBOX", _message(), internaldate=when)
    with dovecot.client(imap_user) as c:
        c.select_folder("INBOX", readonly=True)
        got = _fetch_one(c, uid, ["INTERNALDATE"])[b"INTERNALDATE"]
    assert got.tzinfo is not None  # normalise_times is off
    assert got == when
    assert got.astimezone(VN).isoformat() == "2023-08-11T10:42:07+07:00"
    # The server reports in its own zone (conftest.SERVER_TZ, UTC-5), not UTC nor +07:00.
    assert got.utcoffset() == timedelta(hours=-5)


def test_examine_and_body_peek_leave_mail_unseen(
    dovecot: DovecotServer, imap_user: ImapUser
) -> None:
    raw = _message()
    unread = dovecot.append(imap_user, "INBOX", raw, datetime(2023, 8, 11, 4, tzinfo=UTC))
    seen = dovecot.append(
        imap_user, "INBOX", _message(message_id="<t2@x>"), datetime.now(UTC), flags=[b"\\Seen"]
    )
    before = dovecot.flags(imap_user, "INBOX")
    assert before == {unread: (), seen: (b"\\Seen",)}

    with dovecot.client(imap_user) as c:
        c.select_folder("INBOX", readonly=True)
        fetched = c.fetch([unread, seen], ["UID", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[]"])
    assert fetched[unread][b"BODY[]"] == raw
    assert fetched[unread][b"RFC822.SIZE"] == len(raw)
    assert dovecot.flags(imap_user, "INBOX") == before

    # The check can see a change: a read-write BODY[] fetch does set \Seen.
    with dovecot.client(imap_user) as c:
        c.select_folder("INBOX")
        c.fetch([unread], ["BODY[]"])
    assert dovecot.flags(imap_user, "INBOX")[unread] == (b"\\Seen",)


def test_vietnamese_folder_names_round_trip(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    dovecot.create_folder(imap_user, "Báo cáo")
    dovecot.create_folder(imap_user, "Báo cáo/Ảnh hoạt động")
    uid = dovecot.append(imap_user, "Báo cáo/Ảnh hoạt động", _message(), datetime.now(UTC))
    with dovecot.client(imap_user) as c:
        names = {name for _flags, _delim, name in c.list_folders()}
        c.folder_encode = False
        wire = {name for _flags, _delim, name in c.list_folders()}
    assert {"INBOX", "Báo cáo", "Báo cáo/Ảnh hoạt động"} <= names
    assert b"B&AOE-o c&AOE-o" in wire  # modified UTF-7 on the wire (RFC 3501 5.1.3)
    assert dovecot.flags(imap_user, "Báo cáo/Ảnh hoạt động") == {uid: ()}
    assert dovecot.flags(imap_user, "Báo cáo") == {}


def test_tls_port_verifies_against_cafile(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    ctx = ssl.create_default_context(cafile=str(dovecot.cafile))
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT  # the default from Python 3.13 on
    for host in ("127.0.0.1", "localhost"):
        with IMAPClient(host, port=dovecot.tls_port, ssl=True, ssl_context=ctx, timeout=10) as c:
            c.login(imap_user.name, imap_user.password)
            assert c.select_folder("INBOX", readonly=True)[b"EXISTS"] == 0
    # Without our CA the certificate is refused.
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient("127.0.0.1", port=dovecot.tls_port, ssl=True, timeout=10)


def test_wrong_password_is_a_login_error(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    with (
        IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10) as c,
        pytest.raises(LoginError),
    ):
        c.login(imap_user.name, imap_user.password + "x")


def test_kick_drops_open_sessions(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    assert dovecot.kick(imap_user) is False  # nobody logged in yet
    c = dovecot.client(imap_user)
    try:
        c.select_folder("INBOX", readonly=True)
        assert dovecot.kick(imap_user) is True
        with pytest.raises((IMAPClientAbortError, OSError)):
            c.noop()
            c.noop()
    finally:
        with contextlib.suppress(Exception):
            c.shutdown()


def test_users_are_separate(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    other = dovecot.add_user(imap_user.name + "-b")
    dovecot.append(other, "INBOX", _message(), datetime.now(UTC))
    assert dovecot.flags(imap_user, "INBOX") == {}
    assert len(dovecot.flags(other, "INBOX")) == 1
    with pytest.raises(ValueError, match="already exists"):
        dovecot.add_user(other.name)


def test_append_refuses_naive_internaldate(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    with pytest.raises(ValueError, match="aware"):
        dovecot.append(imap_user, "INBOX", _message(), datetime(2023, 8, 11, 10, 42))


def test_built_messages_survive_the_server_byte_for_byte(
    dovecot: DovecotServer, imap_user: ImapUser
) -> None:
    raw = build_message(
        sender="dtn.skhdt@example.gov.vn",
        sender_name="Đoàn Thanh niên Sở KH&ĐT",
        subject="V/v báo cáo kết quả Ngày hoạt động cao điểm (178-TB/ĐTN)",
        body="Kính gửi Văn phòng Đoàn Khối,\n" * 3,
        date=datetime(2023, 8, 11, 10, 55, tzinfo=VN),
        message_id="<bc-d02@example.gov.vn>",
        attachments=[
            pdf("Báo cáo Sở KH&ĐT.pdf", size=25_000),
            jpg("Ảnh hoạt động 1.jpg", size=80_000),
            jpg("logo.jpg", size=2_000, inline=True),
        ],
    )
    assert raw == build_message(  # deterministic
        sender="dtn.skhdt@example.gov.vn",
        sender_name="Đoàn Thanh niên Sở KH&ĐT",
        subject="V/v báo cáo kết quả Ngày hoạt động cao điểm (178-TB/ĐTN)",
        body="Kính gửi Văn phòng Đoàn Khối,\n" * 3,
        date=datetime(2023, 8, 11, 10, 55, tzinfo=VN),
        message_id="<bc-d02@example.gov.vn>",
        attachments=[
            pdf("Báo cáo Sở KH&ĐT.pdf", size=25_000),
            jpg("Ảnh hoạt động 1.jpg", size=80_000),
            jpg("logo.jpg", size=2_000, inline=True),
        ],
    )
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "V/v báo cáo kết quả Ngày hoạt động cao điểm (178-TB/ĐTN)"
    assert msg["From"].addresses[0].display_name == "Đoàn Thanh niên Sở KH&ĐT"
    files = {p.get_filename(): p.get_content() for p in msg.iter_attachments()}
    assert set(files) == {"Báo cáo Sở KH&ĐT.pdf", "Ảnh hoạt động 1.jpg", "logo.jpg"}
    assert files["Báo cáo Sở KH&ĐT.pdf"].startswith(b"%PDF-1.4")
    assert len(files["Ảnh hoạt động 1.jpg"]) >= 80_000
    assert files["Ảnh hoạt động 1.jpg"][:2] == b"\xff\xd8"
    assert files["Ảnh hoạt động 1.jpg"][-2:] == b"\xff\xd9"
    assert len(files["logo.jpg"]) < 10_000
    body = msg.get_body(("plain",))
    assert body is not None
    assert body.get_content().startswith("Kính gửi")
    with zipfile.ZipFile(io.BytesIO(docx("Báo cáo.docx", size=30_000).content)) as zf:
        assert "word/document.xml" in zf.namelist()
        assert "178-TB/ĐTN" in zf.read("word/document.xml").decode("utf-8")

    truncated, garbage = truncated_message(raw), garbage_bytes()
    uids = [dovecot.append(imap_user, "INBOX", m, datetime.now(UTC)) for m in (raw, truncated)]
    garbage_uid = dovecot.append(imap_user, "INBOX", garbage, datetime.now(UTC))
    with dovecot.client(imap_user) as c:
        c.select_folder("INBOX", readonly=True)
        fetched = c.fetch([*uids, garbage_uid], ["BODY.PEEK[]"])
    assert [fetched[u][b"BODY[]"] for u in uids] == [raw, truncated]
    # Dovecot serves NUL as 0x80 and bare CR/LF as CRLF; the rest comes back as sent.
    served = fetched[garbage_uid][b"BODY[]"]
    assert served.replace(b"\r\n", b"") == garbage.replace(b"\x00", b"\x80").translate(
        None, b"\r\n"
    )
