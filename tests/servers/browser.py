"""Headless Chromium for integration tests, driven through the system's chromedriver.

Only the browser and driver already installed on the machine are used (found on PATH as
`chromium` and `chromedriver`); selenium-manager never runs, so nothing is downloaded. The
flags are those that work as root in a container without a display or a GPU. Each browser gets
a fresh profile in its own temp dir, removed on `quit()`.

    with HeadlessChromium() as browser:
        browser.driver.get(url)
        browser.console()        # [{"level": "SEVERE", "message": ..., ...}, ...] (all so far)
        browser.requests()       # every URL the page asked for, favicon included

Raises `BrowserUnavailableError` when the browser or driver is missing or does not start.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

__all__ = ["BrowserUnavailableError", "HeadlessChromium", "find_browser"]

WINDOW_SIZE = (1400, 1000)
PAGE_LOAD_TIMEOUT_SECONDS = 30

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # root in a container: the sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # a small /dev/shm makes tabs crash
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--window-size={WINDOW_SIZE[0]},{WINDOW_SIZE[1]}",
)


class BrowserUnavailableError(RuntimeError):
    """Chromium or chromedriver is not installed, or the browser would not start."""


def find_browser() -> tuple[str, str]:
    """(chromium, chromedriver) executables from PATH; raises BrowserUnavailableError."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [
        name for name, path in (("chromium", chromium), ("chromedriver", driver)) if path is None
    ]
    if chromium is None or driver is None:
        raise BrowserUnavailableError(f"not found on PATH: {', '.join(missing)}")
    return chromium, driver


class HeadlessChromium:
    """One headless Chromium session with its console and network logs kept."""

    def __init__(self) -> None:
        self._profile: Path | None = None
        self._driver: webdriver.Chrome | None = None
        self._console: list[dict[str, Any]] = []
        self._requests: list[str] = []

    @property
    def driver(self) -> webdriver.Chrome:
        if self._driver is None:
            raise RuntimeError("the browser is not started")
        return self._driver

    def start(self) -> HeadlessChromium:
        chromium, chromedriver = find_browser()
        self._profile = Path(tempfile.mkdtemp(prefix="mailtally-chromium-"))
        options = Options()
        options.binary_location = chromium
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self._profile}")
        # "browser": the console (JavaScript errors are SEVERE); "performance": DevTools
        # Network events, i.e. every request the page makes.
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        # An explicit driver path: selenium-manager (which may download) is never consulted.
        service = Service(executable_path=chromedriver)
        try:
            self._driver = webdriver.Chrome(service=service, options=options)
        except WebDriverException as exc:
            self._remove_profile()
            raise BrowserUnavailableError(f"chromium did not start: {exc.msg or exc}") from exc
        self._driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_SECONDS)
        self._driver.set_window_size(*WINDOW_SIZE)
        # What the browser's own start page logged and loaded is not the tests' business.
        self._log("browser")
        self._log("performance")
        return self

    def console(self) -> list[dict[str, Any]]:
        """Every console entry since the start (chromedriver hands each out only once)."""
        self._console.extend(self._log("browser"))
        return list(self._console)

    def requests(self) -> list[str]:
        """URL of every request sent since the start (documents, resources, favicon...)."""
        for entry in self._log("performance"):
            event = json.loads(entry["message"])["message"]
            if event.get("method") == "Network.requestWillBeSent":
                self._requests.append(str(event["params"]["request"]["url"]))
        return list(self._requests)

    def full_screenshot(self, path: Path) -> None:
        """A PNG of the whole page (beyond the window, both ways), without scrollbars."""
        driver = self.driver
        width, height = driver.execute_script(
            "var e = document.documentElement, b = document.body;"
            "return [Math.max(e.scrollWidth, b.scrollWidth),"
            "        Math.max(e.scrollHeight, b.scrollHeight)];"
        )
        driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
        try:
            shot = driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
                },
            )
        finally:
            driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": False})
        path.write_bytes(base64.b64decode(shot["data"]))

    def _log(self, kind: str) -> list[dict[str, Any]]:
        """Entries of one of the kinds named in goog:loggingPrefs, oldest first."""
        get_log: Callable[[str], list[dict[str, Any]]] = self.driver.get_log  # untyped upstream
        return get_log(kind)

    def quit(self) -> None:
        if self._driver is not None:
            try:
                self._driver.quit()
            finally:
                self._driver = None
        self._remove_profile()

    def _remove_profile(self) -> None:
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    def __enter__(self) -> HeadlessChromium:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.quit()


def submit_and_wait(driver: webdriver.Remote, button: Any, timeout: float = 30) -> None:
    """Click a form's button and wait until the browser shows the page the server answered.

    The old page's root element going stale is the sign. Chromium may instead say that the
    node "does not belong to the document" (a WebDriverException other than the stale one)
    when the new document replaced it between two polls: that is the same sign, not an error.
    """
    from selenium.webdriver.support.wait import WebDriverWait

    old_root = driver.find_element("tag name", "html")
    button.click()

    def replaced(_: object) -> bool:
        try:
            old_root.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(driver, timeout).until(replaced)
