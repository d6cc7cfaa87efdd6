"""The workspace's reminders page without a browser (Flask's test client): `[notify]` off and
`send = false` said plainly, a hostile unit name shown as text, a viewer refused the send, a
clerk's click written to output_dir/outbox/ once per minute, and the outbox's .eml served as a
download. (tests/integration/test_workspace_reminders.py sends through a real SMTP server.)"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from config import load_config
from config.model import Settings
from ingest.accounts import add_account
from ingest.outbox import MailState, Outbox
from ingest.store import Store
from web.app import create_app

HOSTILE = '<script>window.__pwned=1</script>Đoàn "Sở" & Tài chính'
UNITS = ("code,name,emails,aliases,group\r\n"
         f'STC,"{HOSTILE.replace(chr(34), chr(34) * 2)}",doan@stc.example.vn,,\r\n'
         "SCT,Đoàn Sở Công Thương,\"a@sct.example.vn;b@sct.example.vn\",,\r\n"
         "SNA,Đoàn Sở Không Địa Chỉ,,,\r\n")
REQUESTS = """[[request]]
id = "178-TB/ĐTN"
title = "Báo cáo cao điểm"
issued = 2023-08-03T00:00:00
deadline = 2023-08-11T11:00:00
units = ["*"]
"""
NOTIFY = '\n[notify]\nreminders = ["48h"]\nsend = false\n'
BEFORE_DEADLINE = "2023-08-10T09:00:00+07:00"


def _settings(tmp_path: Path, *, language: str = "vi", notify: bool = True) -> Settings:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "requests.toml").write_text(REQUESTS, encoding="utf-8")
    path = tmp_path / "settings.toml"
    path.write_text(f'language = "{language}"\n'
                    'office_addresses = ["doankhoi@doankhoi.example.vn"]\n'
                    '[[source]]\nkind = "eml_dir"\npath = "inbox"\n' + (NOTIFY if notify else ""),
                    encoding="utf-8")
    return load_config(path)


def _client(settings: Settings, name: str = "lan", role: str = "clerk") -> FlaskClient:
    store = Store(settings.data_dir)
    add_account(store, name, role, "mat-khau-dai")
    store.close()
    client = create_app(settings, rebuild=False).test_client()
    token = _token(client, "/login")
    answer = client.post("/login", data={"csrf_token": token, "username": name,
                                         "password": "mat-khau-dai"})
    assert answer.status_code == 302
    return client


def _token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page[:500]
    return found.group(1)


def _text(client: FlaskClient, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, path
    return answer.get_data(as_text=True)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILTALLY_NOW", BEFORE_DEADLINE)


def test_notify_off_is_said_plainly_and_nothing_can_be_sent(tmp_path: Path) -> None:
    settings = _settings(tmp_path, notify=False)
    client = _client(settings)
    page = _text(client, "/reminders")
    assert "Gửi thư cho đơn vị đang TẮT: không thư nào được gửi cho đơn vị." in page
    assert "thêm mục [notify] vào settings.toml" in page
    assert 'action="/reminders/send"' not in page
    token = _token(client, "/reminders")
    client.post("/reminders/send", data={"csrf_token": token, "request_id": "178-TB/ĐTN"})
    assert "Chưa bật gửi thư cho đơn vị" in _text(client, "/reminders")
    assert not (settings.output_dir / "outbox").exists()


def test_previews_escape_hostile_names_and_say_send_false(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    client = _client(settings)
    page = _text(client, "/reminders")
    assert "send = false: thư KHÔNG được gửi đi" in page and "out/outbox/" in page
    assert "3 đơn vị còn nợ" in page
    notice = _text(client, "/reminders/178-TB/ĐTN")
    assert "<script>window.__pwned" not in notice
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;Đoàn" in notice
    assert "doan@stc.example.vn" in notice and "b@sct.example.vn" in notice
    assert "Không có địa chỉ email trong danh sách đơn vị" in notice  # SNA
    assert "Ghi 2 thư nhắc ra tệp .eml" in notice
    assert not (settings.output_dir / "outbox").exists(), "a preview writes nothing"


def test_a_viewer_cannot_send(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    client = _client(settings, "minh", "viewer")
    page = _text(client, "/reminders/178-TB/ĐTN")
    assert 'action="/reminders/send"' not in page
    assert "Tài khoản chỉ xem không gửi được thư." in page
    token = _token(client, "/reminders")
    answer = client.post("/reminders/send", data={"csrf_token": token,
                                                 "request_id": "178-TB/ĐTN"})
    assert answer.status_code == 403
    store = Store(settings.data_dir)
    assert Outbox(store).counts() == {}
    store.close()


def test_a_click_writes_each_reminder_once_and_lists_it(tmp_path: Path) -> None:
    settings = _settings(tmp_path, language="en")
    client = _client(settings)
    page = _text(client, "/reminders")
    assert "send = false: NO mail is sent" in page and "3 units still owe" in page
    token = _token(client, "/reminders")
    for _ in range(2):  # the same minute twice: nothing twice
        answer = client.post("/reminders/send", data={"csrf_token": token,
                                                     "request_id": "178 tb dtn"})
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/reminders/178-TB/")
    files = sorted((settings.output_dir / "outbox").glob("*.eml"))
    assert len(files) == 2, "STC and SCT; SNA has no address"
    after = _text(client, "/reminders")
    assert "Nothing more was sent" in after
    assert "written to a file (send = false): 2" in after
    # A mail that failed is shown with its reason, and its .eml is a download.
    store = Store(settings.data_dir)
    outbox = Outbox(store)
    mail_id = max(m for (m,) in store.db.execute("SELECT id FROM outbox"))
    outbox.finish(mail_id, MailState.FAILED, outbox.since(store_now()),
                  "smtp.example: refused: 550 <b>no such user</b>")
    store.close()
    after = _text(client, "/reminders")
    assert "not sent" in after and "550 &lt;b&gt;no such user&lt;/b&gt;" in after
    link = re.search(r'href="(/outbox/\d+\.eml)"', after)
    assert link is not None
    download = client.get(link.group(1))
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert b"Auto-Submitted: auto-generated" in download.data
    anonymous = create_app(settings, rebuild=False).test_client().get(link.group(1))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def store_now() -> datetime:
    return datetime.fromisoformat(BEFORE_DEADLINE)


def test_a_send_while_a_run_holds_the_data_dir_asks_to_click_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.lock import data_dir_lock

    settings = _settings(tmp_path)
    client = _client(settings)
    monkeypatch.setattr("web.reminders.SEND_WAIT_SECONDS", 0.0)
    token = _token(client, "/reminders")
    with data_dir_lock(settings.data_dir):
        client.post("/reminders/send", data={"csrf_token": token, "request_id": "178-TB/ĐTN"})
    assert "Đang có một lần chạy dùng dữ liệu" in _text(client, "/reminders")
    assert not (settings.output_dir / "outbox").exists()
    client.post("/reminders/send", data={"csrf_token": token, "request_id": "999-TB"})
    assert "Không có văn bản mã 999-TB" in _text(client, "/reminders")
