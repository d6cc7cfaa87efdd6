"""Configuration: a bad config names the file, the key and what is expected; run.py exits 2."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import run
from config import ConfigError, load_config

UNITS = "code,name,emails,aliases,group\nSTP,Đoàn Sở Tư pháp,doan@stp.example.vn,STP,so\n"
REQUESTS = """
[[request]]
id = "178-TB/ĐTN"
title = "Báo cáo"
issued = 2023-08-03T00:00:00
deadline = 2023-08-11T11:00:00
"""


def write(tmp_path: Path, settings: str, units: str = UNITS, requests: str = REQUESTS) -> Path:
    (tmp_path / "units.csv").write_text(units, encoding="utf-8")
    (tmp_path / "requests.toml").write_text(requests, encoding="utf-8")
    (tmp_path / "inbox").mkdir(exist_ok=True)
    path = tmp_path / "settings.toml"
    path.write_text(settings, encoding="utf-8")
    return path


EML_SOURCE = '[[source]]\nkind = "eml_dir"\npath = "inbox"\n'


def test_valid_config_loads_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, 'office_addresses = ["VP@x.vn"]\n' + EML_SOURCE))
    assert settings.data_dir == (tmp_path / "data").resolve()
    assert settings.sources[0].path == (tmp_path / "inbox").resolve()
    assert settings.units[0].emails == ("doan@stp.example.vn",)
    assert settings.office_addresses == ("vp@x.vn",)
    offset = settings.requests[0].deadline.utcoffset()
    assert offset is not None and offset.total_seconds() == 7 * 3600


def test_units_csv_with_excel_bom_loads(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, EML_SOURCE, units="\ufeff" + UNITS))
    assert [u.code for u in settings.units] == ["STP"]


def test_every_problem_is_reported_together_with_file_key_expected_got(tmp_path: Path) -> None:
    path = write(tmp_path, """
language = "fr"
colour = "blue"
[[source]]
kind = "imap"
host = "mail.example.vn"
port = 587
security = "tls"
username = "u"
password_env = "X"
""")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = info.value.render("en")
    assert 'settings.toml, language: expected vi or en; got "fr"' in text
    assert "settings.toml, colour:" in text
    assert ('settings.toml, [[source]] 1, security: expected one of ssl, starttls or none; '
            'got "tls"') in text
    assert "hint: port 587 usually means starttls" in text
    vi = info.value.render("vi")
    assert "cần vi hoặc en" in vi


def test_security_none_refused_off_loopback_allowed_on_it(tmp_path: Path) -> None:
    source = ('[[source]]\nkind = "imap"\nhost = "{host}"\nport = 143\nsecurity = "none"\n'
              'username = "u"\npassword_env = "P"\n')
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, source.format(host="mail.example.vn")))
    assert "security" in info.value.render("en")
    settings = load_config(write(tmp_path, source.format(host="127.0.0.1")))
    assert settings.sources[0].security == "none"


def test_bad_requests_and_units_name_their_file(tmp_path: Path) -> None:
    requests = REQUESTS.replace('deadline = 2023-08-11T11:00:00', 'deadline = "soon"') + (
        'units = ["NOPE"]\nrequires = ["video"]\n')
    units = UNITS + "STP,Trùng mã,,,\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, EML_SOURCE, units=units, requests=requests))
    text = info.value.render("en")
    assert "requests.toml, [[request]] 1, deadline: expected a date and time" in text
    assert "requests.toml, [[request]] 1, units:" in text
    assert "requests.toml, [[request]] 1, requires:" in text
    assert "units.csv, line 3, code: expected a unique code (already on line 2)" in text


def test_cli_exits_2_on_invalid_config_and_prints_vietnamese(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, 'language = "vi"\ntimezone = "Mars/Olympus"\n' + EML_SOURCE)
    assert run.main(["--config", str(path), "report"]) == 2
    err = capsys.readouterr().err
    assert "Cấu hình không hợp lệ" in err
    assert "settings.toml, timezone" in err


def test_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--config", str(tmp_path / "nope.toml"), "once"]) == 2
    assert "nope.toml" in capsys.readouterr().err


OLD_DIGEST = """
[digest]
smtp_host = "127.0.0.1"
smtp_port = 2525
security = "none"
from = "Văn phòng <vp@x.vn>"
to = ["bithu@x.vn"]
"""

SMTP = """
[smtp]
host = "mail.x.vn"
port = 587
security = "starttls"
username = "vp@x.vn"
password_env = "MAILTALLY_SMTP_PASSWORD"
from = "Văn phòng Đoàn Khối <vp@x.vn>"
"""


def test_old_digest_smtp_keys_are_still_read_and_serve_units_too(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, EML_SOURCE + OLD_DIGEST + "[notify]\nsend = true\n"))
    assert settings.digest is not None
    assert (settings.digest.smtp_host, settings.digest.smtp_port) == ("127.0.0.1", 2525)
    assert settings.smtp is not None
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.security) == (
        "127.0.0.1", 2525, "none")
    assert settings.notify is not None and settings.notify.send
    assert settings.notify.sender == "Văn phòng <vp@x.vn>"
    assert "vp@x.vn" in settings.own_addresses


def test_one_smtp_section_for_the_digest_and_units(tmp_path: Path) -> None:
    text = EML_SOURCE + SMTP + '[digest]\nto = ["bithu@x.vn"]\n' + (
        '[notify]\nreminders = ["48h", "30m", "1d"]\noverdue = ["2h"]\nmax_per_hour = 5\n')
    settings = load_config(write(tmp_path, text))
    assert settings.digest is not None and settings.smtp is not None
    assert (settings.digest.smtp_host, settings.digest.security) == ("mail.x.vn", "starttls")
    assert settings.digest.sender == "Văn phòng Đoàn Khối <vp@x.vn>"
    assert settings.digest.to == ("bithu@x.vn",)
    notify = settings.notify
    assert notify is not None
    assert notify.reminders == (timedelta(hours=48), timedelta(days=1), timedelta(minutes=30))
    assert notify.overdue == (timedelta(hours=2),)
    assert (notify.send, notify.receipts, notify.max_per_hour) == (False, True, 5)
    assert notify.since is None


def test_notify_defaults_and_from_office_addresses_without_smtp(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, 'office_addresses = ["vp@x.vn"]\n' + EML_SOURCE
                                 + "[notify]\n"))
    assert settings.notify is not None
    assert settings.notify.send is False
    assert settings.notify.sender == "vp@x.vn"
    assert settings.notify.reminders == (timedelta(hours=48), timedelta(hours=2))


def test_bad_smtp_and_notify_keys_are_reported_with_file_key_expected(tmp_path: Path) -> None:
    text = EML_SOURCE + '[digest]\nto = ["a@x.vn"]\n' + """
[notify]
reminders = ["48 giờ", "2h"]
send = true
max_per_hour = 0
sned = false
receipts = "yes"
"""
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    shown = err.value.render("en")
    assert "settings.toml, [digest] smtp_host: expected an outgoing server" in shown
    assert 'settings.toml, [notify] reminders: expected durations such as "48h"' in shown
    assert '"48 giờ"' in shown
    assert "settings.toml, [notify] send: expected false while there is no [smtp]" in shown
    assert "settings.toml, [notify] max_per_hour: expected at least 1; got 0" in shown
    assert "settings.toml, [notify] sned: expected a known key" in shown
    assert "settings.toml, [notify] receipts: expected true or false" in shown
    assert "settings.toml, [smtp] from: expected the office's From for [notify]" in shown


def test_digest_server_keys_beside_smtp_are_refused(tmp_path: Path) -> None:
    text = EML_SOURCE + SMTP + '[digest]\nto = ["a@x.vn"]\nsecurity = "ssl"\n'
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert "[digest] security: expected no such key: the server is [smtp]'s" in (
        err.value.render("en"))


@pytest.mark.parametrize("section", ["smtp", "digest", "notify", "web", "limits"])
def test_a_section_that_is_not_a_table_is_a_problem(tmp_path: Path, section: str) -> None:
    with pytest.raises(ConfigError) as bad:
        load_config(write(tmp_path, f"{section} = 3\n" + EML_SOURCE))
    assert [(p.key, p.got) for p in bad.value.problems] == [(f"[{section}]", "3")]
