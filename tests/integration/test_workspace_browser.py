"""The office's workspace, served by `run.py web` (waitress) on a free port and driven by headless
Chromium: log in, fix a message that needs a person by typing part of a unit's name, excuse,
extend, accept and undo, edit the roster so that a new alias places old mail; and the safety
promises: a viewer is refused a change, a POST without its CSRF token is refused, a subject
holding a script does not run it, a stored .html attachment is a download, every page fits 390 px.
"""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import NoReturn

import pytest
from harness import REPO_ROOT
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from servers.browser import HeadlessChromium, submit_and_wait
from servers.net import free_port
from servers.workspace import WorkspaceStartError, running_workspace

pytestmark = pytest.mark.integration

RUN_PY = REPO_ROOT / "run.py"
DEMO = REPO_ROOT / "config" / "demo"
FROZEN_NOW = "2023-08-25T09:00:00+07:00"  # after both demo deadlines
CLERK, CLERK_PASSWORD = "lan", "mat-khau-lan-1"
VIEWER, VIEWER_PASSWORD = "minh", "mat-khau-minh-1"
NOTICE = "178-TB/ĐTN"

FIX_SUBJECT = "Gửi báo cáo 178-TB/ĐTN đợt cao điểm"
ALIAS_SUBJECT = "Chi đoàn Phòng khám Bình An gửi báo cáo 178-TB/ĐTN"
HOSTILE_SUBJECT = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">Báo cáo'


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _mail(name: str, sender: str, subject: str, body: str, *,
          html_attachment: bool = False) -> tuple[str, bytes]:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "doankhoi@doankhoi.example.vn"
    msg["Subject"] = subject
    msg["Date"] = "Thu, 10 Aug 2023 09:00:00 +0700"
    msg["Message-ID"] = f"<{name}@test.example>"
    msg.set_content(body)
    if html_attachment:
        msg.add_attachment(b"<html><script>window.__pwned = 3</script>report</html>",
                           maintype="text", subtype="html", filename="baocao.html")
    return f"90_{name}.eml", msg.as_bytes()


@dataclass(frozen=True)
class Workspace:
    url: str
    config: Path
    env: dict[str, str]

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(RUN_PY), "--config", str(self.config), *args],
                              input=stdin, env=self.env, capture_output=True, text=True,
                              timeout=120, check=False)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The demo's configuration and inbox plus three messages that need a person, a `once`, two
    accounts made with `user add`, and `run.py web` listening on a free port."""
    root = tmp_path_factory.mktemp("workspace")
    config_dir = root / "config"
    shutil.copytree(DEMO, config_dir, ignore=shutil.ignore_patterns("data", "out"))
    for name, sender, subject, body, html in (
        ("fix", "nguyen.van.an.1990@gmail.com", FIX_SUBJECT, "Kính gửi Văn phòng, em gửi báo cáo.",
         False),
        ("alias", "binhan.clinic@gmail.com", ALIAS_SUBJECT, "Kính gửi Văn phòng.", False),
        ("hostile", "someone@elsewhere.example", HOSTILE_SUBJECT, "Xem tệp đính kèm.", True),
    ):
        file, data = _mail(name, sender, subject, body, html_attachment=html)
        (config_dir / "inbox" / file).write_bytes(data)
    port = free_port()
    settings = config_dir / "settings.toml"
    with settings.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[web]\nhost = "127.0.0.1"\nport = {port}\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
    env["MAILTALLY_NOW"] = FROZEN_NOW
    ws = Workspace(f"http://127.0.0.1:{port}", settings, env)
    done = ws.run("once")
    assert done.returncode == 0, done.stderr
    for name, password, role in ((CLERK, CLERK_PASSWORD, "clerk"),
                                 (VIEWER, VIEWER_PASSWORD, "viewer")):
        added = ws.run("user", "add", name, "--role", role, stdin=password + "\n")
        assert added.returncode == 0, added.stderr
    listed = ws.run("user", "list")
    assert CLERK in listed.stdout and VIEWER in listed.stdout
    assert CLERK_PASSWORD not in listed.stdout
    try:
        with running_workspace(settings, ws.url, env, root / "web.log") as server:
            yield ws
    except WorkspaceStartError as exc:
        pytest.fail(str(exc))
    # killed after 15 s without stopping on SIGTERM, it would end with -9
    assert server.returncode == 0, "`run.py web` ends with status 0 on SIGTERM"


def _login(driver: WebDriver, ws: Workspace, name: str, password: str) -> None:
    driver.get(ws.url + "/login")
    forms = driver.find_elements(By.CSS_SELECTOR, "form.who button")
    if forms:  # somebody is logged in: log out first
        _submit(driver, forms[0])
        driver.get(ws.url + "/login")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    _submit(driver, driver.find_element(By.CSS_SELECTOR, "form.login button"))
    assert driver.find_element(By.CSS_SELECTOR, "form.who span").text == name


@pytest.fixture
def clerk(browser: HeadlessChromium, workspace: Workspace) -> WebDriver:
    driver = browser.driver
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    _login(driver, workspace, CLERK, CLERK_PASSWORD)
    return driver


def _submit(driver: WebDriver, button: WebElement) -> None:
    """Click a form's button and wait for the page the server answers with."""
    submit_and_wait(driver, button, 15)


def _need(driver: WebDriver, subject: str) -> WebElement | None:
    # (compared without spaces: a long encoded subject may lose one where it was folded)
    wanted = "".join(subject.split())
    for section in driver.find_elements(By.CSS_SELECTOR, "section.need"):
        if "".join(section.find_element(By.CSS_SELECTOR, ".subject").text.split()) == wanted:
            return section
    return None


def _flash_errors(driver: WebDriver) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".flash.error")]


def _status_on_notice(driver: WebDriver, ws: Workspace, code: str) -> str:
    driver.get(ws.url + "/notice/" + urllib.parse.quote(NOTICE))
    row = driver.find_element(By.CSS_SELECTOR, f'li.unit-row[data-unit="{code}"]')
    return row.get_attribute("data-status") or ""


def _opener(driver: WebDriver) -> urllib.request.OpenerDirector:
    """An HTTP client holding the browser's session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    cookie = driver.get_cookie("mailtally_session")
    assert cookie is not None
    opener.addheaders = [("Cookie", f"mailtally_session={cookie['value']}")]
    return opener


def test_every_page_needs_a_login(browser: HeadlessChromium, workspace: Workspace) -> None:
    driver = browser.driver
    driver.delete_all_cookies()
    for path in ("/", "/needs", "/roster", "/decisions", "/unit/STC"):
        driver.get(workspace.url + path)
        assert urllib.parse.urlsplit(driver.current_url).path == "/login", path
    driver.find_element(By.NAME, "username").send_keys(CLERK)
    driver.find_element(By.NAME, "password").send_keys("not the password")
    _submit(driver, driver.find_element(By.CSS_SELECTOR, "form.login button"))
    assert "Sai tên đăng nhập hoặc mật khẩu" in driver.page_source
    with urllib.request.urlopen(workspace.url + "/login") as response:
        cookie = response.headers.get("Set-Cookie", "")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_a_notice_shows_its_units_with_thumbnails(clerk: WebDriver, workspace: Workspace) -> None:
    clerk.get(workspace.url + "/notice/" + urllib.parse.quote(NOTICE))
    rows = clerk.find_elements(By.CSS_SELECTOR, "li.unit-row")
    assert len(rows) == 14, "one per unit of the demo's roster"
    thumbs = clerk.find_elements(By.CSS_SELECTOR, "li.unit-row .thumbs img")
    assert thumbs, "the demo's photos"
    opener = _opener(clerk)
    for img in thumbs:  # (loaded lazily by the browser: asked here one by one)
        src = img.get_attribute("src")
        assert src is not None
        with opener.open(src) as answer:
            assert answer.headers["Content-Type"] == "image/jpeg", img.get_attribute("alt")
            assert answer.read(3) == b"\xff\xd8\xff"
    clerk.get(workspace.url + "/notice/" + urllib.parse.quote(NOTICE) + "?show=owes")
    owing = {r.get_attribute("data-status") for r in clerk.find_elements(
        By.CSS_SELECTOR, "li.unit-row")}
    assert owing and owing <= {"missing", "pending", "incomplete"}


def test_fix_a_message_by_typing_part_of_a_units_name(clerk: WebDriver,
                                                     workspace: Workspace) -> None:
    clerk.get(workspace.url + "/needs")
    section = _need(clerk, FIX_SUBJECT)
    assert section is not None, "the message from an unknown Gmail needs a person"
    field = section.find_element(By.CSS_SELECTOR, "form.unit-search input[type=search]")
    field.send_keys("cong thuong")  # "Đoàn Sở Công Thương", typed without diacritics
    _submit(clerk, section.find_element(By.CSS_SELECTOR, "form.unit-search button"))
    section = _need(clerk, FIX_SUBJECT)
    assert section is not None
    choice = section.find_element(By.CSS_SELECTOR, 'form.assign input[name=unit][value="SCT"]')
    choice.click()
    _submit(clerk, section.find_element(By.CSS_SELECTOR, "form.assign button"))
    assert _flash_errors(clerk) == []
    assert _need(clerk, FIX_SUBJECT) is None, "a fixed message no longer needs a person"
    clerk.get(workspace.url + "/unit/SCT")
    assert FIX_SUBJECT in clerk.find_element(By.TAG_NAME, "main").text


def test_excuse_extend_and_accept_with_a_reason(clerk: WebDriver, workspace: Workspace) -> None:
    def decide(code: str, kind: str, reason: str, until: str = "") -> None:
        clerk.get(workspace.url + f"/unit/{code}")
        card = clerk.find_element(By.CSS_SELECTOR, f'section[data-request="{NOTICE}"]')
        card.find_element(By.CSS_SELECTOR, "details.decide summary").click()
        form = card.find_element(By.CSS_SELECTOR, f'form.decision[data-kind="{kind}"]')
        if until:
            form.find_element(By.NAME, "until").send_keys(until)
        form.find_element(By.NAME, "reason").send_keys(reason)
        _submit(clerk, form.find_element(By.TAG_NAME, "button"))
        assert _flash_errors(clerk) == [], kind

    assert _status_on_notice(clerk, workspace, "STNMT") == "missing"
    decide("STNMT", "excuse", "đơn vị đang sáp nhập")
    assert _status_on_notice(clerk, workspace, "STNMT") == "excused"
    assert "đơn vị đang sáp nhập" in clerk.find_element(
        By.CSS_SELECTOR, 'li.unit-row[data-unit="STNMT"]').text

    decide("SXD", "extend", "đã xin gia hạn", until="14/08/2023 17:00")
    clerk.get(workspace.url + "/unit/SXD")
    assert "14/08/2023 17:00" in clerk.find_element(
        By.CSS_SELECTOR, f'section[data-request="{NOTICE}"]').text

    decide("SYT", "accept", "ảnh đã đủ, báo cáo gửi bản giấy")
    clerk.get(workspace.url + "/decisions")
    kinds = [e.get_attribute("data-kind") for e in clerk.find_elements(
        By.CSS_SELECTOR, "li.decision-row")]
    assert {"excuse", "extend", "accept"} <= set(kinds)
    assert CLERK in clerk.find_element(By.CSS_SELECTOR, "ul.decisions").text


def test_undo_a_decision(clerk: WebDriver, workspace: Workspace) -> None:
    clerk.get(workspace.url + "/unit/STP")
    card = clerk.find_element(By.CSS_SELECTOR, f'section[data-request="{NOTICE}"]')
    card.find_element(By.CSS_SELECTOR, "details.decide summary").click()
    form = card.find_element(By.CSS_SELECTOR, 'form.decision[data-kind="excuse"]')
    form.find_element(By.NAME, "reason").send_keys("nhầm")
    _submit(clerk, form.find_element(By.TAG_NAME, "button"))
    before = _status_on_notice(clerk, workspace, "STP")
    assert before == "excused"
    clerk.get(workspace.url + "/decisions")
    rows = [r for r in clerk.find_elements(By.CSS_SELECTOR, "li.decision-row")
            if r.get_attribute("data-kind") == "excuse" and "STP" in r.text]
    assert rows
    _submit(clerk, rows[0].find_element(By.CSS_SELECTOR, "form button"))
    assert _flash_errors(clerk) == []
    assert _status_on_notice(clerk, workspace, "STP") != "excused"


def test_a_new_alias_in_the_roster_places_old_mail(clerk: WebDriver,
                                                   workspace: Workspace) -> None:
    units_csv = workspace.config.parent / "units.csv"
    before = units_csv.read_bytes()
    clerk.get(workspace.url + "/needs")
    assert _need(clerk, ALIAS_SUBJECT) is not None
    clerk.get(workspace.url + "/roster/edit?code=SYT")
    aliases = clerk.find_element(By.NAME, "aliases")
    aliases.send_keys(";Phòng khám Bình An")
    _submit(clerk, clerk.find_element(By.CSS_SELECTOR, "form.edit button"))
    assert _flash_errors(clerk) == []
    after = units_csv.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    assert len(changed) == 1 and changed[0][1].startswith(b"SYT,"), "only SYT's row changes"
    clerk.get(workspace.url + "/needs")
    assert _need(clerk, ALIAS_SUBJECT) is None
    clerk.get(workspace.url + "/unit/SYT")
    assert "Bình An" in clerk.find_element(By.TAG_NAME, "main").text


def test_an_invalid_roster_edit_is_refused_with_the_field(clerk: WebDriver,
                                                          workspace: Workspace) -> None:
    units_csv = workspace.config.parent / "units.csv"
    before = units_csv.read_bytes()
    clerk.get(workspace.url + "/roster/edit?code=SNV")
    code = clerk.find_element(By.NAME, "code")
    code.clear()
    code.send_keys("STC")  # another unit's code
    _submit(clerk, clerk.find_element(By.CSS_SELECTOR, "form.edit button"))
    problem = " ".join(_flash_errors(clerk))
    assert "units.csv" in problem and "code" in problem
    assert units_csv.read_bytes() == before


def test_a_viewer_is_refused_a_change(browser: HeadlessChromium, workspace: Workspace) -> None:
    driver = browser.driver
    _login(driver, workspace, VIEWER, VIEWER_PASSWORD)
    driver.get(workspace.url + "/unit/SNV")
    assert driver.find_elements(By.CSS_SELECTOR, "form.decision") == []
    # The forms are hidden from a viewer; a hand-made one (with a valid token) is refused.
    driver.execute_script(
        "var f = document.createElement('form'); f.method = 'post'; f.action = '/decide';"
        "var add = function (n, v) { var i = document.createElement('input'); i.name = n;"
        " i.value = v; f.appendChild(i); };"
        "add('csrf_token', document.querySelector('input[name=csrf_token]').value);"
        "add('kind', 'excuse'); add('unit', 'SNV'); add('request_id', arguments[0]);"
        "document.body.appendChild(f); f.submit();", NOTICE)
    assert "chỉ được xem" in driver.find_element(By.TAG_NAME, "main").text
    _login(driver, workspace, CLERK, CLERK_PASSWORD)
    assert _status_on_notice(driver, workspace, "SNV") != "excused"


def test_a_post_without_its_token_is_refused(clerk: WebDriver, workspace: Workspace) -> None:
    data = urllib.parse.urlencode({"kind": "excuse", "unit": "SNV",
                                   "request_id": NOTICE}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        _opener(clerk).open(workspace.url + "/decide", data)
    refused.value.close()
    assert refused.value.code == 400
    assert _status_on_notice(clerk, workspace, "SNV") != "excused"


def test_a_subject_holding_a_script_does_not_run_it(browser: HeadlessChromium, clerk: WebDriver,
                                                    workspace: Workspace) -> None:
    seen = len(browser.console())
    clerk.get(workspace.url + "/needs")
    assert _need(clerk, HOSTILE_SUBJECT) is not None, "shown as text, exactly as written"
    assert clerk.execute_script("return window.__pwned === undefined")
    assert clerk.find_elements(By.CSS_SELECTOR, "main img[src=x]") == []
    severe = [e for e in browser.console()[seen:] if e.get("level") == "SEVERE"]
    assert severe == []


def test_a_stored_html_attachment_is_downloaded_not_rendered(clerk: WebDriver,
                                                             workspace: Workspace) -> None:
    clerk.get(workspace.url + "/needs")
    section = _need(clerk, HOSTILE_SUBJECT)
    assert section is not None
    link = section.find_element(By.LINK_TEXT, "baocao.html").get_attribute("href")
    assert link is not None
    with _opener(clerk).open(link) as response:
        headers = response.headers
        body = response.read()
    assert headers["Content-Disposition"].startswith("attachment")
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"].startswith("sandbox")
    assert b"__pwned" in body
    clerk.get(link)  # a download: the browser stays where it was and nothing runs
    assert clerk.execute_script("return window.__pwned === undefined")
    # Not to a stranger: without the session the file is not served.
    with urllib.request.urlopen(link) as anonymous:
        assert urllib.parse.urlsplit(anonymous.url).path == "/login"


def test_pages_fit_390_px_without_sideways_scrolling(browser: HeadlessChromium, clerk: WebDriver,
                                                     workspace: Workspace,
                                                     tmp_path: Path) -> None:
    clerk.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        for path in ("/", "/notice/" + urllib.parse.quote(NOTICE), "/unit/BHXH", "/needs",
                     "/decisions", "/roster", "/requests", "/requests/edit?n=0",
                     "/roster/edit?code=BHXH", "/reminders"):
            clerk.get(workspace.url + path)
            width = clerk.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth];")
            assert width[0] <= width[1], f"{path} scrolls sideways: {width}"
        # The notice's page as a phone shows it (docs/workspace-phone.png with
        # MAILTALLY_UPDATE_SCREENSHOT=1; review it before committing).
        clerk.get(workspace.url + "/notice/" + urllib.parse.quote(NOTICE) + "?show=owes")
        shot = tmp_path / "workspace-phone.png"
        browser.full_screenshot(shot)
        assert shot.read_bytes().startswith(b"\x89PNG")
        if os.environ.get("MAILTALLY_UPDATE_SCREENSHOT") == "1":
            shutil.copyfile(shot, REPO_ROOT / "docs" / "workspace-phone.png")
    finally:
        clerk.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
