"""The workspace's reminders page for real: `run.py web` (waitress) on a free port, headless
Chromium, and an aiosmtpd server as the office's mail server. The demo's configuration with one
on-time report, one excused unit and one unit whose name holds a script, an hour before the
deadline of 178-TB/ĐTN: a clerk sees a reminder for each pending unit and none for the on-time or
the excused one, clicks send, and the server receives exactly one mail per pending unit, to its
roster addresses; a second click in the same minute sends nothing; a viewer cannot send; the
pages fit 360 and 390 px without sideways scrolling.
"""

from __future__ import annotations

import csv
import email
import email.policy
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from harness import REPO_ROOT
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from servers.browser import HeadlessChromium, submit_and_wait
from servers.net import free_port
from servers.smtp import SmtpSink
from servers.workspace import WorkspaceStartError, running_workspace

pytestmark = pytest.mark.integration

RUN_PY = REPO_ROOT / "run.py"
DEMO = REPO_ROOT / "config" / "demo"
FROZEN_NOW = "2023-08-11T10:00:00+07:00"  # an hour before 178-TB/ĐTN's deadline (11:00)
NOTICE = "178-TB/ĐTN"
CLERK, CLERK_PASSWORD = "lan", "mat-khau-lan-1"
VIEWER, VIEWER_PASSWORD = "minh", "mat-khau-minh-1"
ON_TIME, EXCUSED, HOSTILE = "CUCTHUE", "STNMT", "XSS"
HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Đoàn <b>Thử</b>'
KEEP = "01_cucthue_ontime_docx_photos.eml"  # the one report in the inbox: on time


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Office:
    url: str
    config: Path
    env: dict[str, str]
    sink: SmtpSink

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(RUN_PY), "--config", str(self.config), *args],
                              input=stdin, env=self.env, capture_output=True, text=True,
                              timeout=120, check=False)

    def roster(self) -> dict[str, set[str]]:
        with (self.config.parent / "units.csv").open(encoding="utf-8-sig", newline="") as fh:
            return {r["code"]: {a.strip() for a in r["emails"].split(";") if a.strip()}
                    for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    root = tmp_path_factory.mktemp("reminders")
    config_dir = root / "config"
    shutil.copytree(DEMO, config_dir, ignore=shutil.ignore_patterns("data", "out"))
    for eml in (config_dir / "inbox").iterdir():
        if eml.name != KEEP:
            eml.unlink()
    with (config_dir / "units.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(
            [HOSTILE, HOSTILE_NAME, "doan@xss.example.vn", "", "so-nganh"])
    settings = config_dir / "settings.toml"
    text = settings.read_text(encoding="utf-8")
    # Only what a click sends: no receipt, no reminder of the run's own.
    text = text.replace("receipts = true", "receipts = false")
    text = text.replace('reminders = ["48h", "2h"]', "reminders = []")
    text = text.replace('overdue = ["2h"]', "overdue = []")
    text = text.replace("send = false", "send = true")
    assert "send = true" in text and "reminders = []" in text
    sink = SmtpSink().start()
    port = free_port()
    text += (f'\n[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\n'
             'from = "Văn phòng Đoàn Khối <doankhoi@doankhoi.example.vn>"\n'
             f'\n[web]\nhost = "127.0.0.1"\nport = {port}\n')
    settings.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
    env["MAILTALLY_NOW"] = FROZEN_NOW
    ws = Office(f"http://127.0.0.1:{port}", settings, env, sink)
    try:
        for args in (("once",), ("excuse", EXCUSED, NOTICE, "--reason", "đang sáp nhập")):
            done = ws.run(*args)
            assert done.returncode == 0, done.stdout + done.stderr
        for name, password, role in ((CLERK, CLERK_PASSWORD, "clerk"),
                                     (VIEWER, VIEWER_PASSWORD, "viewer")):
            added = ws.run("user", "add", name, "--role", role, stdin=password + "\n")
            assert added.returncode == 0, added.stderr
        assert sink.messages == [], "the run itself sent nothing"
        try:
            with running_workspace(settings, ws.url, env, root / "web.log"):
                yield ws
        except WorkspaceStartError as exc:
            pytest.fail(str(exc))
    finally:
        sink.stop()


def _submit(driver: WebDriver, button: WebElement) -> None:
    submit_and_wait(driver, button, 30)


def _login(driver: WebDriver, office: Office, name: str, password: str) -> None:
    driver.delete_all_cookies()
    driver.get(office.url + "/login")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    _submit(driver, driver.find_element(By.CSS_SELECTOR, "form.login button"))
    assert driver.find_element(By.CSS_SELECTOR, "form.who span").text == name


def _notice_page(office: Office) -> str:
    return office.url + "/reminders/" + urllib.parse.quote(NOTICE)


def _previews(driver: WebDriver) -> dict[str, WebElement]:
    return {e.get_attribute("data-unit") or "": e
            for e in driver.find_elements(By.CSS_SELECTOR, "li.preview")}


def _flashes(driver: WebDriver) -> str:
    return "\n".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".flash"))


def test_a_viewer_sees_the_reminders_but_cannot_send(browser: HeadlessChromium,
                                                     office: Office) -> None:
    driver = browser.driver
    _login(driver, office, VIEWER, VIEWER_PASSWORD)
    driver.get(_notice_page(office))
    assert _previews(driver), "a viewer reads the reminders"
    assert driver.find_elements(By.CSS_SELECTOR, "form.send") == []
    assert "Tài khoản chỉ xem không gửi được thư." in driver.page_source
    # A hand-made form with a valid token is refused all the same.
    driver.execute_script(
        "var f = document.createElement('form'); f.method = 'post'; f.action = '/reminders/send';"
        "var add = function (n, v) { var i = document.createElement('input'); i.name = n;"
        " i.value = v; f.appendChild(i); };"
        "add('csrf_token', document.querySelector('input[name=csrf_token]').value);"
        "add('request_id', arguments[0]); document.body.appendChild(f); f.submit();", NOTICE)
    WebDriverWait(driver, 15).until(
        lambda d: "chỉ được xem" in d.find_element(By.TAG_NAME, "main").text)
    assert office.sink.messages == []


def test_a_clerk_sends_each_pending_unit_one_reminder(browser: HeadlessChromium,
                                                      office: Office) -> None:
    driver = browser.driver
    _login(driver, office, CLERK, CLERK_PASSWORD)
    driver.get(office.url + "/reminders")
    assert "Thư được gửi qua máy chủ thư" in driver.page_source
    card = driver.find_element(By.CSS_SELECTOR, f'section.remind-notice[data-request="{NOTICE}"]')
    _submit(driver, card.find_element(By.LINK_TEXT, "Xem thư nhắc"))
    previews = _previews(driver)
    pending = {code for code, e in previews.items() if e.get_attribute("data-status") == "pending"}
    roster = office.roster()
    assert ON_TIME not in previews and EXCUSED not in previews
    assert pending == set(roster) - {ON_TIME, EXCUSED}, "every other unit is pending"
    hostile = previews[HOSTILE]
    assert HOSTILE_NAME in hostile.text, "a hostile name is shown as text"
    assert driver.execute_script("return window.__pwned === undefined")
    assert driver.find_elements(By.CSS_SELECTOR, "li.preview img") == []
    shown = {a.text for a in previews["SKHDT"].find_elements(By.CSS_SELECTOR, ".address")}
    assert shown == roster["SKHDT"]
    previews["SKHDT"].find_element(By.CSS_SELECTOR, "details summary").click()
    assert "Sở Kế hoạch và Đầu tư" in previews["SKHDT"].find_element(
        By.CSS_SELECTOR, "pre.mailtext").text

    _submit(driver, driver.find_element(By.CSS_SELECTOR, "form.send button"))
    assert f"Đã gửi {len(pending)} thư nhắc." in _flashes(driver)
    received = list(office.sink.messages)
    assert len(received) == len(pending), "one mail per pending unit"
    by_rcpt = {frozenset(m.rcpt_tos) for m in received}
    assert by_rcpt == {frozenset(roster[code]) for code in pending}, "to the roster addresses"
    for m in received:
        mail = email.message_from_bytes(m.content, policy=email.policy.default)
        assert NOTICE in str(mail["Subject"]) and mail["Auto-Submitted"] == "auto-generated"

    # The same minute again: recorded already, so nothing goes twice.
    _submit(driver, driver.find_element(By.CSS_SELECTOR, "form.send button"))
    assert "Không gửi thêm thư nào" in _flashes(driver)
    assert len(office.sink.messages) == len(pending)
    driver.get(office.url + "/reminders")
    sent = driver.find_element(By.CSS_SELECTOR, '.outbox-count[data-state="sent"]').text
    assert sent == f"đã gửi: {len(pending)}"
    assert "Không có thư nào bị lỗi." in driver.page_source


def test_a_refused_mail_is_shown_with_its_reason_and_eml(browser: HeadlessChromium,
                                                          office: Office) -> None:
    """After the clerk's send: a unit added later, whose mail the server refuses (550)."""
    driver = browser.driver
    _login(driver, office, CLERK, CLERK_PASSWORD)
    office.sink.handler.reply = "550 5.1.1 mailbox unavailable"
    try:
        with (office.config.parent / "units.csv").open("a", encoding="utf-8") as fh:
            fh.write("SMOI,Đoàn Sở Mới,doan@smoi.example.vn,,so-nganh\n")
        driver.get(office.url + "/reminders/" + urllib.parse.quote(NOTICE))
        assert "SMOI" in _previews(driver)
        before = len(office.sink.messages)
        # (the frozen clock: a new unit is a new mail in the same minute's slot)
        _submit(driver, driver.find_element(By.CSS_SELECTOR, "form.send button"))
        assert "1 thư không gửi được (máy chủ thư từ chối)." in _flashes(driver)
        assert len(office.sink.messages) == before
    finally:
        office.sink.handler.reply = "250 OK"
    driver.get(office.url + "/reminders")
    row = driver.find_element(By.CSS_SELECTOR, 'li.trouble-row[data-unit="SMOI"]')
    assert "không gửi được" in row.text and "550" in row.text
    link = row.find_element(By.PARTIAL_LINK_TEXT, ".eml").get_attribute("href")
    assert link is not None
    with urllib.request.urlopen(link) as anonymous:  # not without the session
        assert urllib.parse.urlsplit(anonymous.url).path == "/login"


def test_the_pages_fit_a_phone(browser: HeadlessChromium, office: Office) -> None:
    driver = browser.driver
    _login(driver, office, CLERK, CLERK_PASSWORD)
    try:
        for width in (360, 390):
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": 844, "deviceScaleFactor": 1,
                                    "mobile": True})
            for url in (office.url + "/reminders", _notice_page(office)):
                driver.get(url)
                for summary in driver.find_elements(By.CSS_SELECTOR, "details summary")[:3]:
                    summary.click()  # the mail's text, open
                sizes = driver.execute_script(
                    "return [document.documentElement.scrollWidth, window.innerWidth];")
                assert sizes[0] <= sizes[1], f"{url} scrolls sideways at {width} px: {sizes}"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
