"""`digest --date 2023-08-11 --send` on the bundled demo inbox, against a real SMTP server
(aiosmtpd in-process): plain on loopback, STARTTLS with AUTH, and the failures the office sees."""

from __future__ import annotations

import email
import shutil
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from servers.net import free_port
from servers.smtp import SmtpSink

import run

pytestmark = pytest.mark.integration

DEMO = Path(run.__file__).resolve().parent / "config" / "demo"
SENDER = "doankhoi@doankhoi.example.vn"
RECIPIENTS = ("vanphong@doankhoi.example.vn", "bithu@doankhoi.example.vn")
PASSWORD_ENV = "MAILTALLY_SMTP_PASSWORD"
PASSWORD = "mật-khẩu-s3cret"  # with diacritics: smtplib alone cannot send it
ASCII_PASSWORD = "wrong-s3cret"
SUBJECT = "Tóm tắt tình hình nộp báo cáo ngày 11/08/2023"
DAY = "2023-08-11"


def demo_config(folder: Path, digest_lines: str | None) -> Path:
    """A copy of config/demo in `folder`, with a `[digest]` section when given."""
    shutil.copytree(DEMO, folder, dirs_exist_ok=True)
    for stale in ("data", "out"):
        shutil.rmtree(folder / stale, ignore_errors=True)
    settings = folder / "settings.toml"
    if digest_lines is not None:
        with settings.open("a", encoding="utf-8") as fh:
            fh.write(f"\n[digest]\n{digest_lines}")
    return settings


def digest_section(port: int, security: str = "none", extra: str = "") -> str:
    to = ", ".join(f'"{a}"' for a in RECIPIENTS)
    return (
        f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "{security}"\n'
        f'from = "{SENDER}"\nto = [{to}]\n{extra}'
    )


def mailtally(config: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    code = run.main(["--config", str(config), *args])
    out, err = capsys.readouterr()
    return code, out, err


def load_demo(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = mailtally(config, "once", capsys=capsys)
    assert code == 0, err


@pytest.fixture
def plain_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


def received_message(sink: SmtpSink) -> EmailMessage:
    (got,) = sink.messages
    assert got.mail_from == SENDER
    assert sorted(got.rcpt_tos) == sorted(RECIPIENTS)
    msg = email.message_from_bytes(got.content, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def check_digest_mail(msg: EmailMessage, raw: bytes) -> None:
    assert msg["From"] == SENDER
    assert msg["To"] == ", ".join(RECIPIENTS)
    assert msg["Subject"] == SUBJECT
    assert b"Subject: =?utf-8?" in raw  # encoded on the wire, decoded back intact
    assert msg["Message-ID"].endswith("@doankhoi.example.vn>")
    assert msg["Date"] is not None
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and html is not None
    html_text = html.get_content()
    # Đoàn Sở Tư pháp (STP) reported on 11/08 from a member's Gmail; SXD only on 12/08.
    assert 'data-unit="STP" data-status="on_time"' in html_text
    assert "Đoàn Sở Tư pháp" in html_text and "Đoàn Sở Tư pháp" in plain.get_content()
    assert 'data-unit="SXD" data-status="missing"' in html_text
    # The workbook, not the CSV a Vietnamese Excel may not split into columns.
    (part,) = msg.iter_attachments()
    assert part.get_filename() == "report.xlsx"
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(data))["178-TB_ĐTN"]
    cells = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells["STP"][1:3] == ("Đoàn Sở Tư pháp", "Đúng hạn")


def test_send_over_plain_smtp_on_loopback(
    tmp_path: Path, plain_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_config(tmp_path / "config", digest_section(plain_sink.port))
    load_demo(config, capsys)
    code, out, err = mailtally(config, "digest", "--date", DAY, "--send", capsys=capsys)
    assert code == 0, err
    path = tmp_path / "config" / "out" / f"digest-{DAY}.html"
    assert str(path) in out
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    msg = received_message(plain_sink)
    check_digest_mail(msg, plain_sink.messages[0].content)


def test_send_through_the_one_smtp_section(
    tmp_path: Path, plain_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    """[smtp] names the server and the From; [digest] only says who gets it."""
    config = demo_config(tmp_path / "config", None)
    to = ", ".join(f'"{a}"' for a in RECIPIENTS)
    with config.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[smtp]\nhost = "127.0.0.1"\nport = {plain_sink.port}\nsecurity = "none"\n'
                 f'from = "{SENDER}"\n\n[digest]\nto = [{to}]\n')
    load_demo(config, capsys)
    code, _, err = mailtally(config, "digest", "--date", DAY, "--send", capsys=capsys)
    assert code == 0, err
    msg = received_message(plain_sink)  # the demo's [notify] has send = false: only the digest
    check_digest_mail(msg, plain_sink.messages[0].content)


def test_send_with_starttls_and_auth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with SmtpSink(users={"doankhoi": PASSWORD}, starttls=True, workdir=folder) as sink:
        assert sink.cafile is not None
        extra = (
            f'username = "doankhoi"\npassword_env = "{PASSWORD_ENV}"\n'
            f'ca_file = "{sink.cafile.name}"\n'
        )
        config = demo_config(folder, digest_section(sink.port, "starttls", extra))
        load_demo(config, capsys)
        code, out, err = mailtally(config, "digest", "--date", DAY, "--send", capsys=capsys)
        assert code == 0, err
        assert sink.logins == ["doankhoi"]
        msg = received_message(sink)
        check_digest_mail(msg, sink.messages[0].content)
    assert PASSWORD not in out + err


def test_wrong_password_exits_1_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv(PASSWORD_ENV, ASCII_PASSWORD)  # smtplib's own login path
    with SmtpSink(users={"doankhoi": PASSWORD}, starttls=True, workdir=folder) as sink:
        assert sink.cafile is not None
        extra = (
            f'username = "doankhoi"\npassword_env = "{PASSWORD_ENV}"\n'
            f'ca_file = "{sink.cafile.name}"\n'
        )
        config = demo_config(folder, digest_section(sink.port, "starttls", extra))
        load_demo(config, capsys)
        code, out, err = mailtally(config, "digest", "--date", DAY, "--send", capsys=capsys)
        assert sink.messages == []
    assert code == 1
    assert f"127.0.0.1:{sink.port}" in err and "đăng nhập bị từ chối" in err
    assert set(sink.logins) == {"doankhoi"}  # smtplib tries PLAIN, then LOGIN
    assert ASCII_PASSWORD not in out + err
    assert (folder / "out" / f"digest-{DAY}.html").is_file()


def test_untrusted_certificate_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    with SmtpSink(starttls=True, workdir=folder) as sink:
        config = demo_config(folder, digest_section(sink.port, "starttls"))  # no ca_file
        load_demo(config, capsys)
        code, _, err = mailtally(config, "digest", "--date", DAY, "--send", capsys=capsys)
        assert sink.messages == []
    assert code == 1
    assert f"127.0.0.1:{sink.port}" in err and "chứng chỉ" in err


def test_unreachable_server_exits_1_and_still_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nothing listens there
    config = demo_config(tmp_path / "config", digest_section(port))
    load_demo(config, capsys)
    code, out, err = mailtally(config, "digest", "--date", DAY, "--send", capsys=capsys)
    assert code == 1
    assert f"Không gửi được bản tóm tắt qua máy chủ SMTP 127.0.0.1:{port}" in err
    assert "không kết nối được" in err
    path = tmp_path / "config" / "out" / f"digest-{DAY}.html"
    assert path.is_file() and str(path) in out
    assert "Đoàn Sở Tư pháp" in path.read_text(encoding="utf-8")


def test_send_without_a_digest_section_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_config(tmp_path / "config", None)
    load_demo(config, capsys)
    code, _, err = mailtally(config, "digest", "--date", DAY, "--send", capsys=capsys)
    assert code == 2
    assert "[digest]" in err
    assert (tmp_path / "config" / "out" / f"digest-{DAY}.html").is_file()


def test_bad_date_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = demo_config(tmp_path / "config", None)
    code, _, err = mailtally(config, "digest", "--date", "11/08/2023", capsys=capsys)
    assert code == 2
    assert "Ngày không hợp lệ: 11/08/2023" in err
