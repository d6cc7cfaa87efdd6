"""Shared fixtures: a throwaway Dovecot, one IMAP user per test, a config writer, and helpers
that run the CLI as a subprocess and read its CSV outputs.

Fixtures (all paths derive from this file; nothing machine-specific is written anywhere):

    dovecot         session: a started `DovecotServer` (skipped when Dovecot is unavailable,
                    failed instead when CI=true)
    imap_user       function: `ImapUser(name, password)`, a fresh mailbox on `dovecot`
    write_config    function: callable writing settings.toml, units.csv, requests.toml under
                    tmp_path/config; returns the settings.toml path
    run_mailtally   callable: `run_mailtally(config, "once", password=...)`
                    -> (exit_code, stdout, stderr)
    read_csv        callable: `read_csv(path)` -> list of dicts (utf-8-sig, csv.DictReader)

Tests that use `dovecot` (directly or through `imap_user`) are marked `integration`.
"""

from __future__ import annotations

import csv
import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NoReturn

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
# `servers` (a package here) and `eml_builders` (in tests/data) are imported by name from
# tests, whatever pytest's import mode: put their directories first on sys.path.
for _path in (TESTS_DIR / "data", TESTS_DIR):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from harness import PASSWORD_ENV, REQUEST_ID  # noqa: E402
from servers.browser import BrowserUnavailableError, HeadlessChromium  # noqa: E402
from servers.dovecot import DovecotServer, DovecotUnavailableError, ImapUser  # noqa: E402

OFFICE_ADDRESSES = ("doankhoi@example.gov.vn",)

# Dovecot reports INTERNALDATE in its own zone. UTC-5 is neither UTC nor +07:00, so a
# program that keeps the server's offset, or reads wall-clock time, shows it in the output.
# (A POSIX TZ string: no tzdata needed.)
SERVER_TZ = "<-05>5"

# The roster used unless a test passes its own: one row per unit, ;-separated lists.
UNITS_CSV = """\
code,name,emails,aliases,group
D01,Đoàn Thanh niên Sở Tài chính,doantn.stc@example.gov.vn,ĐTN Sở Tài chính;Sở Tài chính,so-nganh
D02,Đoàn Thanh niên Sở Kế hoạch và Đầu tư,dtn.skhdt@example.gov.vn;bithu.skhdt@gmail.com,\
ĐTN Sở KH&ĐT;Sở KH&ĐT,so-nganh
D03,Chi đoàn Bảo hiểm xã hội tỉnh,chidoan.bhxh@example.gov.vn,BHXH tỉnh;Chi đoàn BHXH,nganh-doc
D04,Đoàn Thanh niên Sở Y tế,doantn.syt@example.gov.vn,ĐTN Sở Y tế;Sở Y tế,so-nganh
"""

REQUESTS_TOML = f"""\
[[request]]
id = "{REQUEST_ID}"
title = "Báo cáo kết quả Ngày hoạt động cao điểm"
issued = 2023-08-03T00:00:00
deadline = 2023-08-11T11:00:00
grace_minutes = 0
units = ["*"]
requires = ["report", "images"]
keywords = ["hoạt động cao điểm", "kỳ nghỉ hồng"]
"""

_user_numbers = itertools.count(1)


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail under CI=true: there a missing server must not pass silently."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "dovecot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="module")
def browser() -> Iterator[HeadlessChromium]:
    """One headless Chromium for the module (skipped without it, failed when CI=true)."""
    chromium = HeadlessChromium()
    try:
        chromium.start()
    except BrowserUnavailableError as exc:
        _unavailable(f"cannot run headless Chromium: {exc}")
    try:
        yield chromium
    finally:
        chromium.quit()


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A Dovecot 2.3 on 127.0.0.1 for the whole session (plain `port`, TLS `tls_port`)."""
    server = DovecotServer(tz=SERVER_TZ)
    try:
        server.start()
    except (DovecotUnavailableError, OSError, subprocess.SubprocessError) as exc:
        _unavailable(f"cannot run the Dovecot test server: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_dovecot(dovecot: DovecotServer) -> Iterator[DovecotServer]:
    """A Dovecot for one test alone, free to be stopped and restarted. (`dovecot` is asked for
    so that a machine without Dovecot skips here, or fails under CI, as it does there.)"""
    server = DovecotServer(tz=dovecot.tz)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap_user(dovecot: DovecotServer, request: pytest.FixtureRequest) -> ImapUser:
    """A mailbox of this test's own: ImapUser(name, password), INBOX empty."""
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40] or "user"
    return dovecot.add_user(f"{base}-{next(_user_numbers)}")


class ConfigWriter:
    """Writes a mailtally config folder (settings.toml, units.csv, requests.toml).

    Call with keywords; returns the path of settings.toml:

        write_config(user=imap_user, server=dovecot, folders=["INBOX", "Báo cáo"])
        write_config(username="x", host="192.0.2.10", port=143, security="none")

    `server` fills in `port` (its `tls_port` for security "ssl", its plain `port` for "none"
    and "starttls") and, unless security is "none", the CA: its certificate is copied next to
    settings.toml as ca.pem and named by a relative `ca_file`. Each call writes a new folder
    (config, config2, ...); data_dir and output_dir are `data` and `out` inside it.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._count = 0

    def __call__(
        self,
        *,
        user: ImapUser | None = None,
        username: str | None = None,
        server: DovecotServer | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        security: str = "ssl",
        folders: Sequence[str] = ("INBOX",),
        units_csv: str = UNITS_CSV,
        requests_toml: str = REQUESTS_TOML,
        office_addresses: Sequence[str] = OFFICE_ADDRESSES,
        dirname: str | None = None,
    ) -> Path:
        self._count += 1
        folder = self.root / (dirname or ("config" if self._count == 1 else f"config{self._count}"))
        folder.mkdir(parents=True, exist_ok=True)
        login = username if username is not None else (user.name if user else None)
        if login is None:
            raise TypeError("write_config needs user= or username=")
        ca_line = ""
        if server is not None:
            if port is None:
                port = server.tls_port if security == "ssl" else server.port
            if security != "none":
                shutil.copyfile(server.cafile, folder / "ca.pem")
                ca_line = 'ca_file = "ca.pem"\n'
        if port is None:
            port = {"ssl": 993, "starttls": 143}.get(security, 143)
        settings = (
            'timezone = "Asia/Ho_Chi_Minh"\n'
            'language = "vi"\n'
            f"office_addresses = {_toml_list(office_addresses)}\n"
            'units_file = "units.csv"\n'
            'requests_file = "requests.toml"\n'
            'data_dir = "data"\n'
            'output_dir = "out"\n'
            "\n"
            "[[source]]\n"
            'kind = "imap"\n'
            f"host = {_toml_str(host)}\n"
            f"port = {port}\n"
            f"security = {_toml_str(security)}\n"
            f"username = {_toml_str(login)}\n"
            f"password_env = {_toml_str(PASSWORD_ENV)}\n"
            f"folders = {_toml_list(folders)}\n"
            f"{ca_line}"
        )
        (folder / "settings.toml").write_text(settings, encoding="utf-8")
        # With a BOM, as Excel saves it; the contract accepts both.
        (folder / "units.csv").write_text(units_csv, encoding="utf-8-sig")
        (folder / "requests.toml").write_text(requests_toml, encoding="utf-8")
        return folder / "settings.toml"


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo config (config/demo) in tmp_path, run once; returns its settings.toml
    (the office's decisions are made on it from the command line)."""
    import run

    shutil.copytree(REPO_ROOT / "config" / "demo", tmp_path / "cfg")
    monkeypatch.setenv("MAILTALLY_NOW", "2023-08-25T09:00:00+07:00")
    config = tmp_path / "cfg" / "settings.toml"
    assert run.main(["--config", str(config), "once"]) == 0
    return config


@pytest.fixture
def write_config(tmp_path: Path) -> ConfigWriter:
    """Callable that writes a config folder under tmp_path; see `ConfigWriter`."""
    return ConfigWriter(tmp_path)


def _run_mailtally(
    config: Path,
    *args: str,
    password: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> tuple[int, str, str]:
    """Run `python run.py --config CONFIG ARGS...` (default `once`) from the repo root.

    `password` goes into MAILTALLY_IMAP_PASSWORD; `env` adds or overrides variables (e.g.
    TZ). Returns (exit_code, stdout, stderr).
    """
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
    if password is not None:
        full_env[PASSWORD_ENV] = password
    full_env.update(env or {})
    argv = [sys.executable, "run.py", "--config", str(config), *(args or ("once",))]
    try:
        done = subprocess.run(
            argv, cwd=REPO_ROOT, env=full_env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{' '.join(argv[1:])} did not finish in {timeout} s:\n{exc.stderr!r}")
    return (
        done.returncode,
        done.stdout.decode("utf-8", errors="replace"),
        done.stderr.decode("utf-8", errors="replace"),
    )


@pytest.fixture
def run_mailtally() -> Callable[..., tuple[int, str, str]]:
    """Callable: run_mailtally(config, *args, password=None, env=None, timeout=300)."""
    return _run_mailtally


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV written for Excel (UTF-8 with BOM) as dicts keyed by the header."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def read_csv() -> Callable[[Path], list[dict[str, str]]]:
    """Callable: read_csv(path) -> list[dict[str, str]] (encoding utf-8-sig)."""
    return _read_csv
