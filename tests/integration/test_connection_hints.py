"""The usual connection mistakes against a real Dovecot (a plain port and an IMAPS port), each
answered with one sentence that says what to change, in the office's language, exit status 1 and
no traceback; a source that recovers says so once in the log; the page and `check` agree on how
many polls in a row failed."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from harness import RunMailtally, WriteConfig
from servers.dovecot import DovecotServer, ImapUser

pytestmark = pytest.mark.integration

LOG_LINE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2} ")  # zone, offset


def _english(config: Path) -> Path:
    text = config.read_text(encoding="utf-8").replace('language = "vi"', 'language = "en"')
    config.write_text(text, encoding="utf-8")
    return config


def _failed_once(run_mailtally: RunMailtally, config: Path, user: ImapUser,
                 command: str = "once") -> str:
    code, _, err = run_mailtally(config, command, password=user.password)
    assert code == 1, err
    assert "Traceback" not in err
    return err


def _printed(err: str) -> list[str]:
    """The lines the command printed for the administrator (not the log's)."""
    return [line for line in err.splitlines() if line and not LOG_LINE.match(line)]


def test_ssl_against_the_plain_port_says_use_starttls(
        dovecot: DovecotServer, imap_user: ImapUser, write_config: WriteConfig,
        run_mailtally: RunMailtally) -> None:
    config = write_config(user=imap_user, server=dovecot, security="ssl", port=dovecot.port)
    err = _failed_once(run_mailtally, config, imap_user)
    (line,) = _printed(err)
    assert f"cổng {dovecot.port} của 127.0.0.1 không dùng TLS ngay từ đầu" in line
    assert 'security = "starttls"' in line and "WRONG_VERSION_NUMBER" in line

    err = _failed_once(run_mailtally, _english(config), imap_user)
    (line,) = _printed(err)
    assert f"port {dovecot.port} of 127.0.0.1 does not speak TLS from the start" in line
    assert "cổng" not in line


def test_starttls_against_the_tls_port_is_told_quickly_to_use_ssl(
        dovecot: DovecotServer, imap_user: ImapUser, write_config: WriteConfig,
        run_mailtally: RunMailtally) -> None:
    config = write_config(user=imap_user, server=dovecot, security="starttls",
                          port=dovecot.tls_port)
    started = time.monotonic()
    err = _failed_once(run_mailtally, config, imap_user)
    elapsed = time.monotonic() - started
    (line,) = _printed(err)
    assert f"cổng {dovecot.tls_port} của 127.0.0.1 dùng TLS ngay từ đầu" in line
    assert 'đặt security = "ssl"' in line
    assert elapsed < 10, f"took {elapsed:.1f} s: the 15 s connect timeout was waited out"

    code, out, err = run_mailtally(_english(config), "check", password=imap_user.password)
    assert code == 1 and "Traceback" not in err
    assert 'speaks TLS from the start (no IMAP greeting), but security = "starttls"; ' \
           'set security = "ssl"' in out


def test_untrusted_certificate_says_set_ca_file(
        dovecot: DovecotServer, imap_user: ImapUser, write_config: WriteConfig,
        run_mailtally: RunMailtally) -> None:
    # No `server=`: no ca.pem is copied, so the self-signed certificate is not trusted.
    config = write_config(user=imap_user, security="ssl", port=dovecot.tls_port)
    err = _failed_once(run_mailtally, config, imap_user)
    (line,) = _printed(err)
    assert "không tin được chứng chỉ của 127.0.0.1" in line and "đặt ca_file" in line

    err = _failed_once(run_mailtally, _english(config), imap_user)
    (line,) = _printed(err)
    assert "is not trusted (self-signed certificate)" in line and "set ca_file" in line


def test_missing_folder_lists_the_folders_that_exist(
        dovecot: DovecotServer, imap_user: ImapUser, write_config: WriteConfig,
        run_mailtally: RunMailtally) -> None:
    dovecot.create_folder(imap_user, "Báo cáo đơn vị")
    config = write_config(user=imap_user, server=dovecot, folders=["INBOX", "Bao cao"])
    err = _failed_once(run_mailtally, config, imap_user)
    (line,) = _printed(err)
    assert ('không có thư mục "Bao cao" trên máy chủ; các thư mục hiện có: "Báo cáo đơn vị", '
            '"INBOX"; sửa folders') in line

    code, out, _ = run_mailtally(_english(config), "check", password=imap_user.password)
    assert code == 1
    assert 'no folder "Bao cao" on the server; the folders there are: "Báo cáo đơn vị", ' \
           '"INBOX"' in out


def test_a_source_that_recovers_logs_it_once_and_page_and_check_agree_on_failures(
        own_dovecot: DovecotServer, write_config: WriteConfig,
        run_mailtally: RunMailtally) -> None:
    user = own_dovecot.add_user("recovering")
    config = write_config(user=user, server=own_dovecot)
    code, _, err = run_mailtally(config, password=user.password)
    assert code == 0, err
    page = config.parent / "out" / "report.html"

    own_dovecot.halt()
    try:
        for n in range(1, 5):
            _failed_once(run_mailtally, config, user)
            html = page.read_text(encoding="utf-8")
            # The page is rebuilt on every change of the source's health, so it always shows
            # the count `check` shows (it said 3 while `check` said 4).
            if n >= 3:
                assert f"lỗi {n} lần liên tiếp" in html
        code, out, _ = run_mailtally(config, "check", password=user.password)
        assert "lỗi 4 lần liên tiếp" in out
    finally:
        own_dovecot.restart()

    code, _, err = run_mailtally(config, password=user.password)
    assert code == 0, err
    assert err.count("event=recovered failures=4") == 1
    assert "lần liên tiếp" not in page.read_text(encoding="utf-8")
    code, _, err = run_mailtally(config, password=user.password)
    assert code == 0 and "recovered" not in err


def test_a_password_variable_cron_does_not_see_says_how_to_pass_it(
        dovecot: DovecotServer, imap_user: ImapUser, write_config: WriteConfig,
        run_mailtally: RunMailtally) -> None:
    config = write_config(user=imap_user, server=dovecot)
    code, _, err = run_mailtally(config)  # no password: as from cron after a shell `export`
    assert code == 1 and "Traceback" not in err
    (line,) = _printed(err)
    assert "biến môi trường MAILTALLY_IMAP_PASSWORD chưa được đặt; cách sửa: dùng " \
           "password_file" in line and '"From cron instead"' in line
