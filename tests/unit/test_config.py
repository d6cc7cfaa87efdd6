"""Configuration: a bad config names the file, the key and what is expected; run.py exits 2."""

from __future__ import annotations

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
