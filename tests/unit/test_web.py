"""The workspace's parts without a browser: accounts, login throttling, the session secret,
cookie flags, CSRF and roles through Flask's test client, downloads' headers, the roster and
notices edited in place, dates as the office types them, and unit search folded as the matcher
folds. (The browser tests in tests/integration/test_workspace_browser.py are the proof that the
workspace works; these pin the rules.)"""

from __future__ import annotations

import html
import re
import stat
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from config import ConfigError, load_config
from config.model import Settings
from ingest.accounts import AccountError, add_account, list_accounts, verify_login
from ingest.store import Store
from outputs.i18n import say
from outputs.safe_files import download_headers
from web.app import SECRET_FILE, create_app
from web.changes import parse_when
from web.editing import (
    EditRefusedError,
    StaleFileError,
    read_requests,
    read_roster,
    save_request,
    save_unit,
)
from web.model import Workspace, local_path, search_units
from web.throttle import FREE_FAILURES, LoginThrottle

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = ("\ufeffcode,name,emails,aliases,group\r\n"
         "STC,Đoàn Sở Tài chính,doan@stc.example.vn,Sở Tài chính,tai-chinh\r\n"
         "SCT,Đoàn Sở Công Thương,\"a@sct.example.vn;b@sct.example.vn\",Sở Công Thương,\r\n"
         "SKHDT,Đoàn Sở Kế hoạch và Đầu tư,k@skhdt.example.vn,Sở KH&ĐT,\r\n")
REQUESTS = """# Các văn bản đang theo dõi
[[request]]
id = "178-TB/ĐTN"   # số hiệu
title = "Báo cáo cao điểm"
issued = 2023-08-03T00:00:00
deadline = 2023-08-11T11:00:00       # trước 11g00
units = ["*"]

# văn bản thứ hai
[[request]]
id = "185-TB/ĐTN"
title = "Đăng ký"
issued = 2023-08-14T00:00:00
deadline = 2023-08-21T17:00:00
units = ["group:tai-chinh"]
requires = ["report"]
"""


def _config(tmp_path: Path, web: str = "") -> Path:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "units.csv").write_bytes(UNITS.encode())
    (tmp_path / "requests.toml").write_text(REQUESTS, encoding="utf-8")
    settings = tmp_path / "settings.toml"
    settings.write_text('[[source]]\nkind = "eml_dir"\npath = "inbox"\n' + web,
                        encoding="utf-8")
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_config(_config(tmp_path))


def _client(settings: Settings, *, role: str = "clerk") -> FlaskClient:
    store = Store(settings.data_dir)
    add_account(store, "lan", role, "mat-khau-dai")
    store.close()
    app = create_app(settings, rebuild=False)
    return app.test_client()


def _token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page[:500]
    return found.group(1)


def _login(client: FlaskClient, password: str = "mat-khau-dai") -> int:
    token = _token(client)
    return client.post("/login", data={"csrf_token": token, "username": "lan",
                                       "password": password}).status_code


# -- configuration -----------------------------------------------------------------------------


def test_web_section_defaults_to_loopback(tmp_path: Path) -> None:
    web = load_config(_config(tmp_path, "[web]\n")).web
    assert web is not None and (web.host, web.port, web.secure) == ("127.0.0.1", 8080, False)


def test_web_section_is_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as bad:
        load_config(_config(tmp_path, '[web]\nport = 70000\nbase_url = "baocao.vn"\nbogus = 1\n'))
    keys = {p.key for p in bad.value.problems}
    assert {"[web] port", "[web] base_url", "[web] bogus"} <= keys


# -- accounts ----------------------------------------------------------------------------------


def test_accounts_keep_only_an_argon2_hash(tmp_path: Path) -> None:
    store = Store(tmp_path)
    add_account(store, "lan", "clerk", "mat-khau-dai")
    row = store.user("LAN")
    assert row is not None and row[2].startswith("$argon2id$") and "mat-khau-dai" not in row[2]
    assert verify_login(store, "lan", "mat-khau-dai") is not None
    assert verify_login(store, "lan", "sai") is None
    assert verify_login(store, "nobody", "mat-khau-dai") is None
    for name, role, password, why in (("lan", "clerk", "mat-khau-dai", "exists"),
                                      ("x y", "clerk", "mat-khau-dai", "name"),
                                      ("minh", "boss", "mat-khau-dai", "role"),
                                      ("minh", "viewer", "short", "password")):
        with pytest.raises(AccountError, match=why):
            add_account(store, name, role, password)
    assert [a.name for a in list_accounts(store)] == ["lan"]
    store.close()


def test_failed_logins_are_slowed_per_account_and_per_address() -> None:
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(FREE_FAILURES):
        assert throttle.wait_seconds("lan", "10.0.0.1") == 0
        throttle.failed("lan", "10.0.0.1")
    throttle.failed("lan", "10.0.0.1")
    assert throttle.wait_seconds("lan", "10.0.0.9") == 2  # the account, from anywhere
    assert throttle.wait_seconds("minh", "10.0.0.1") == 2  # the address, for any account
    assert throttle.wait_seconds("minh", "10.0.0.9") == 0
    now[0] += 2
    assert throttle.wait_seconds("lan", "10.0.0.1") == 0
    throttle.succeeded("lan", "10.0.0.1")
    assert throttle.wait_seconds("lan", "10.0.0.1") == 0


# -- the application, through the test client ---------------------------------------------------


def test_session_secret_is_made_once_with_mode_0600(settings: Settings) -> None:
    create_app(settings, rebuild=False)
    secret = settings.data_dir / SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    first = secret.read_bytes()
    create_app(settings, rebuild=False)
    assert secret.read_bytes() == first


def test_pages_need_a_login_and_cookies_are_strict(settings: Settings) -> None:
    client = _client(settings)
    answer = client.get("/needs")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert _login(client, "sai-mat-khau") == 200
    assert _login(client) == 302
    cookie = client.get_cookie("mailtally_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    assert not cookie.secure
    page = client.get("/")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_cookie_is_secure_when_base_url_is_https(tmp_path: Path) -> None:
    settings = load_config(_config(tmp_path, '[web]\nbase_url = "https://baocao.example.vn"\n'))
    client = _client(settings)
    assert _login(client) == 302
    cookie = client.get_cookie("mailtally_session")
    assert cookie is not None and cookie.secure
    assert "max-age" in client.get("/").headers["Strict-Transport-Security"]


def test_a_post_without_token_is_refused_and_a_viewer_cannot_change(settings: Settings) -> None:
    client = _client(settings)
    _login(client)
    assert client.post("/decide", data={"kind": "excuse", "unit": "STC",
                                        "request_id": "178-TB/ĐTN"}).status_code == 400
    store = Store(settings.data_dir)
    add_account(store, "minh", "viewer", "mat-khau-xem")
    store.close()
    client2 = create_app(settings, rebuild=False).test_client()
    token = _token(client2)
    client2.post("/login", data={"csrf_token": token, "username": "minh",
                                 "password": "mat-khau-xem"})
    token = _token(client2, "/unit/STC")
    refused = client2.post("/decide", data={"csrf_token": token, "kind": "excuse",
                                            "unit": "STC", "request_id": "178-TB/ĐTN"})
    assert refused.status_code == 403
    store = Store(settings.data_dir)
    assert store.decisions() == []
    store.close()


def test_repeated_failed_logins_are_refused_for_a_while(settings: Settings) -> None:
    client = _client(settings)
    for _ in range(FREE_FAILURES + 1):
        _login(client, "sai-mat-khau")
    assert _login(client) == 429, "even the right password waits once slowed"


def test_downloads_are_never_rendered() -> None:
    for name in ("baocao.html", "anh.svg", "x.XHTML", "a.js", "b.mht", "c.xml"):
        headers = dict(download_headers(name))
        assert headers["Content-Type"] == "application/octet-stream", name
        assert headers["Content-Disposition"].startswith("attachment;")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"].startswith("sandbox")


def test_unknown_keys_and_numbers_are_not_found(settings: Settings) -> None:
    client = _client(settings)
    _login(client)
    for path in ("/message/../../etc/passwd", "/message/0123456789abcdef.eml",
                 "/message/0123456789abcdef/file/0", "/message/zz/file/0", "/unit/NOPE"):
        assert client.get(path).status_code == 404, path


# -- editing the files ----------------------------------------------------------------------------


def test_a_unit_row_is_rewritten_alone_keeping_bom_and_crlf(settings: Settings) -> None:
    path = settings.units_path
    assert path is not None
    roster = read_roster(path)
    save_unit(settings, roster.version, "SCT", {
        "code": "SCT", "name": "Đoàn Sở Công Thương",
        "emails": "a@sct.example.vn; b@sct.example.vn", "aliases": "Sở Công Thương; Sở CT",
        "group": ""})
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and after.count(b"\r\n") == UNITS.count("\r\n")
    before_lines, after_lines = UNITS.encode().split(b"\r\n"), after.split(b"\r\n")
    assert [n for n, (a, b) in enumerate(zip(before_lines, after_lines, strict=True))
            if a != b] == [2]
    assert load_config(settings.config_path).units[1].aliases == ("Sở Công Thương", "Sở CT")
    with pytest.raises(StaleFileError):  # the form was made from the file as it was
        save_unit(settings, roster.version, "STC", {"name": "x"})


def test_an_invalid_unit_edit_is_refused_with_the_field(settings: Settings) -> None:
    path = settings.units_path
    assert path is not None
    before = path.read_bytes()
    with pytest.raises(EditRefusedError) as refused:
        save_unit(settings, read_roster(path).version, "SCT",
                  {"code": "STC", "name": "Trùng mã"})
    assert any(p.key.endswith("code") for p in refused.value.problems)
    # a unit that a notice names (group:tai-chinh) keeps the notices valid
    with pytest.raises(EditRefusedError) as refused:
        save_unit(settings, read_roster(path).version, "STC", {"group": ""})
    assert any(p.file == "requests.toml" for p in refused.value.problems)
    assert path.read_bytes() == before


def test_a_request_is_edited_keeping_comments_and_order(settings: Settings) -> None:
    path = settings.requests_path
    assert path is not None
    file = read_requests(path)
    save_request(settings, file.version, 0, {
        "title": "Báo cáo cao điểm (sửa)", "deadline": datetime(2023, 8, 12, 11, 0),
        "keywords": ["cao điểm"]})
    text = path.read_text(encoding="utf-8")
    assert "# Các văn bản đang theo dõi" in text and "# số hiệu" in text
    assert "# văn bản thứ hai" in text
    assert text.index("178-TB") < text.index("185-TB")
    loaded = load_config(settings.config_path).requests[0]
    assert loaded.deadline == datetime(2023, 8, 12, 11, 0, tzinfo=TZ)
    assert loaded.title == "Báo cáo cao điểm (sửa)"
    with pytest.raises(EditRefusedError) as refused:
        save_request(load_config(settings.config_path), read_requests(path).version, 1,
                     {"units": ["NOPE"]})
    assert refused.value.problems[0].key == "[[request]] 2, units"
    with pytest.raises(StaleFileError):
        save_request(settings, file.version, 1, {"title": "x"})


def test_dates_as_the_office_types_them() -> None:
    want = datetime(2023, 8, 14, 17, 0, tzinfo=TZ)
    for typed in ("14/08/2023 17:00", "14/8/2023 17g00", "17g00 14/8/2023", "2023-08-14T17:00",
                  "17h 14/08/2023"):
        assert parse_when(typed, TZ) == want, typed
    assert parse_when("14/08/2023", TZ, end_of_day=True) == datetime(2023, 8, 14, 23, 59,
                                                                      tzinfo=TZ)
    for bad in ("", "hôm qua", "32/13/2023"):
        with pytest.raises(ValueError):
            parse_when(bad, TZ)


def test_unit_search_folds_as_the_matcher_folds(settings: Settings) -> None:
    view = Workspace(settings).view(datetime(2023, 8, 25, tzinfo=TZ))
    assert [u.code for u in search_units(view, "cong thuong")] == ["SCT"]
    assert [u.code for u in search_units(view, "KẾ HOẠCH")] == ["SKHDT"]
    assert [u.code for u in search_units(view, "kh&đt")] == ["SKHDT"]  # an abbreviation
    assert next(u.code for u in search_units(view, "stc")) == "STC"  # a code typed whole
    assert search_units(view, "không có") == []


def test_forwarded_headers_are_trusted_only_with_proxy_hops(tmp_path: Path) -> None:
    plain = create_app(load_config(_config(tmp_path)), rebuild=False)
    assert type(plain.wsgi_app).__name__ != "ProxyFix"
    behind = tmp_path / "behind"
    behind.mkdir()
    proxied = create_app(load_config(_config(behind, "[web]\nproxy_hops = 1\n")), rebuild=False)
    assert type(proxied.wsgi_app).__name__ == "ProxyFix"


def test_a_decision_made_while_a_run_holds_the_data_dir_is_kept(settings: Settings) -> None:
    """A run (here: the data dir's lock, held as `once` holds it) never makes a person wait or
    loses the decision; the report shows it once the run is over."""
    import csv

    from app.lock import data_dir_lock
    from app.runner import run

    run(settings, poll=False)
    _client(settings)  # the account
    client = create_app(settings, rebuild=True).test_client()
    _login(client)
    rebuilder = client.application.extensions["mailtally_rebuild"]
    rebuilder._retry = 0.2
    with data_dir_lock(settings.data_dir):
        token = _token(client, "/unit/STC")
        answer = client.post("/decide", data={"csrf_token": token, "kind": "excuse",
                                              "unit": "STC", "request_id": "178-TB/ĐTN",
                                              "reason": "sáp nhập"})
        assert answer.status_code == 302
        store = Store(settings.data_dir)
        assert [(d.kind, d.unit_codes, d.reason, d.author) for d in store.decisions()] == [
            ("excuse", ("STC",), "sáp nhập", "lan")]
        store.close()
        assert "excused" in client.get("/notice/178-TB/ĐTN").get_data(as_text=True)
    deadline = time.monotonic() + 20
    while rebuilder.done == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    rebuilder.stop()
    with (settings.output_dir / "report.csv").open(encoding="utf-8-sig") as fh:
        rows = {(r["request_id"], r["unit_code"]): r["status"] for r in csv.DictReader(fh)}
    assert rows[("178-TB/ĐTN", "STC")] == "excused"


def test_a_removed_account_is_logged_out_at_once(settings: Settings) -> None:
    from ingest.accounts import remove_account

    client = _client(settings)
    assert _login(client) == 302
    assert client.get("/").status_code == 200
    store = Store(settings.data_dir)
    assert remove_account(store, "lan")
    store.close()
    answer = client.get("/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_redirects_stay_on_this_site() -> None:
    assert local_path("/unit/STC?x=1") == "/unit/STC?x=1"
    for target in ("//evil.example/", "/\\evil.example", "/\\/evil.example", "https://evil.example",
                   "evil", "", None, "/\r\nLocation: x", "/a\\b"):
        assert local_path(target) is None, target


def test_a_unit_and_a_notice_are_added_at_the_end(settings: Settings) -> None:
    assert settings.units_path is not None and settings.requests_path is not None
    save_unit(settings, read_roster(settings.units_path).version, None,
              {"code": "SNV", "name": "Đoàn Sở Nội vụ", "emails": "snv@example.vn",
               "aliases": "", "group": ""})
    text = settings.units_path.read_bytes().decode("utf-8")
    assert text.endswith("\r\nSNV,Đoàn Sở Nội vụ,snv@example.vn,,\r\n"), "last, CRLF kept"
    loaded = load_config(settings.config_path)
    save_request(loaded, read_requests(settings.requests_path).version, None, {
        "id": "190-TB/ĐTN", "title": "Mới", "issued": datetime(2023, 9, 1),
        "deadline": datetime(2023, 9, 10, 17, 0), "grace_minutes": 0, "units": ["SNV"],
        "requires": ["report"], "keywords": [], "notice_message_id": ""})
    again = load_config(settings.config_path)
    assert [r.id for r in again.requests] == ["178-TB/ĐTN", "185-TB/ĐTN", "190-TB/ĐTN"]
    assert again.requests[2].units == ("SNV",) and again.requests[2].requires == ("report",)
    assert "# văn bản thứ hai" in settings.requests_path.read_text(encoding="utf-8")


def test_a_new_notice_is_started_from_an_uploaded_notice(settings: Settings) -> None:
    import io

    notice = Path(__file__).parents[1] / "notices" / "cong_van_dich_vu_cong.txt"
    client = _client(settings)
    _login(client)
    token = _token(client, "/requests")
    answer = client.post("/requests/from-notice", data={
        "csrf_token": token, "notice": (io.BytesIO(notice.read_bytes()), notice.name)},
        content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'value="312/CV-ĐTN"' in page and 'value="20/09/2024 17:00"' in page
    assert "dịch vụ công trực tuyến" in page
    assert settings.requests_path is not None
    assert "312/CV" not in settings.requests_path.read_text(encoding="utf-8"), "not saved yet"
    refused = client.post("/requests/from-notice", data={
        "csrf_token": token, "notice": (io.BytesIO(b"\x00\x01"), "x.exe")},
        content_type="multipart/form-data")
    assert refused.status_code == 302
    assert "Không đọc được văn bản x.exe" in client.get("/requests").get_data(as_text=True)


def test_a_roster_saved_by_a_vietnamese_excel_keeps_its_layout(settings: Settings) -> None:
    """`;`-separated (as "CSV UTF-8" from a Vietnamese Excel) or UTF-16: rewritten the same."""
    path = settings.units_path
    assert path is not None
    for encoding, bom in (("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe")):
        text = UNITS.lstrip("\ufeff").replace(",", ";").replace(
            '"a@sct.example.vn;b@sct.example.vn"', '"a@sct.example.vn;b@sct.example.vn"')
        path.write_bytes(bom + text.encode(encoding))
        roster = read_roster(path)
        assert roster.delimiter == ";" and roster.rows[1]["code"] == "SCT"
        save_unit(settings, roster.version, "STC", {
            "code": "STC", "name": "Đoàn Sở Tài chính", "emails": "doan@stc.example.vn",
            "aliases": "Sở Tài chính; STC", "group": "tai-chinh"})
        after = path.read_bytes()
        assert after.startswith(bom)
        lines = after[len(bom):].decode(encoding).split("\r\n")
        assert lines[1] == 'STC;Đoàn Sở Tài chính;doan@stc.example.vn;"Sở Tài chính;STC";tai-chinh'
        assert lines[2:] == text.split("\r\n")[2:]
        assert load_config(settings.config_path).units[0].aliases == ("Sở Tài chính", "STC")


def test_a_notice_with_a_date_the_office_would_not_write_is_refused(settings: Settings) -> None:
    assert settings.requests_path is not None
    before = settings.requests_path.read_bytes()
    client = _client(settings)
    _login(client)
    page = client.get("/requests/edit?n=0").get_data(as_text=True)
    version = re.search(r'name="version" value="([0-9a-f]+)"', page)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert version is not None and token is not None
    form = {"csrf_token": token.group(1), "version": version.group(1), "n": "0",
            "id": "178-TB/ĐTN", "title": "x", "issued": "03/08/2023 00:00",
            "deadline": "hôm qua", "grace_minutes": "0", "units": "*", "requires": "report",
            "keywords": "", "notice_message_id": ""}
    answer = client.post("/requests/save", data=form)
    assert answer.status_code == 422
    assert "requests.toml, deadline" in answer.get_data(as_text=True)
    form["deadline"] = "11/08/2023 11:00"
    form["units"] = "NOPE"
    answer = client.post("/requests/save", data=form)
    assert answer.status_code == 422
    assert "[[request]] 1, units" in answer.get_data(as_text=True)
    assert settings.requests_path.read_bytes() == before


def test_a_joint_report_is_assigned_to_several_units(settings: Settings) -> None:
    from datetime import UTC

    raw = (b"From: chung@gmail.com\r\nTo: vp@example.vn\r\nSubject: Bao cao chung 178-TB/DTN\r\n"
           b"Message-ID: <joint@test.example>\r\nDate: Thu, 10 Aug 2023 09:00:00 +0700\r\n\r\n"
           b"Hai don vi cung bao cao.\r\n")
    store = Store(settings.data_dir)
    key, _ = store.store_message(raw, datetime(2023, 8, 10, 2, 0, tzinfo=UTC), "test")
    store.close()
    client = _client(settings)
    _login(client)
    page = client.get(f"/needs?key={key}&q=so").get_data(as_text=True)
    assert f'data-key="{key}"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    answer = client.post(f"/needs/{key}/assign", data={
        "csrf_token": token.group(1), "unit": ["STC", "SCT"], "request_id": "178-TB/ĐTN"})
    assert answer.status_code == 302
    store = Store(settings.data_dir)
    [decision] = store.decisions()
    store.close()
    assert (decision.kind, decision.unit_codes, decision.author, decision.address) == (
        "assign", ("STC", "SCT"), "lan", "")
    assert f'data-key="{key}"' not in client.get("/needs").get_data(as_text=True)


def test_a_refused_extension_is_said_to_the_clerk_not_a_server_error(settings: Settings) -> None:
    """An extension not later than the notice's deadline is refused in the clerk's words (as
    the command line says it), and nothing is recorded."""
    client = _client(settings)
    _login(client)
    token = _token(client, "/unit/STC")
    answer = client.post("/decide", data={"csrf_token": token, "kind": "extend", "unit": "STC",
                                          "request_id": "178-TB/ĐTN", "until": "01/08/2023"},
                         follow_redirects=True)
    assert answer.status_code == 200
    page = html.unescape(answer.get_data(as_text=True))
    assert say("refused_not_later", "vi", until="01/08/2023 23:59", rid="178-TB/ĐTN",
               deadline="11/08/2023 11:00") in page
    store = Store(settings.data_dir)
    assert store.decisions() == []
    store.close()


def test_a_roster_that_may_not_be_written_is_said_to_the_clerk_not_a_server_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """units.csv in a configuration folder the service may only read (the server layout's
    /etc/mailtally): the save is refused with the path and why, and the file stays as it was."""
    from ingest.errors import unwritable

    def refused(path: Path, data: bytes) -> None:
        raise unwritable(path, PermissionError(13, "Permission denied"))

    monkeypatch.setattr("web.editing.write_atomic", refused)
    client = _client(settings)
    _login(client)
    assert settings.units_path is not None
    before = settings.units_path.read_bytes()
    token = _token(client, "/roster/SCT")
    answer = client.post("/roster/save", data={
        "csrf_token": token, "version": read_roster(settings.units_path).version,
        "original": "SCT", "code": "SCT", "name": "Đoàn Sở Công Thương", "emails": "",
        "aliases": "", "group": ""}, follow_redirects=True)
    assert answer.status_code == 200
    assert "units.csv: người dùng" in html.unescape(answer.get_data(as_text=True))
    assert settings.units_path.read_bytes() == before
