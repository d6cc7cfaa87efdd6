"""A folder the service user cannot write or read is told in one sentence that names the path and
the fix, with exit status 1 and no traceback: a data dir that cannot be created or written, an
output dir that cannot be written, a lock file left to another user, a config folder that cannot
be read. `serve` retries such a failure after its backoff and logs one line.

The commands run as `nobody` (the tests run as root in CI, and root may write anywhere); run as
another user, the folders are made read-only with chmod instead.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from harness import REPO_ROOT

from app import service
from config import load_config
from config.access import write_problem

DEMO = REPO_ROOT / "config" / "demo"
NOBODY = 65534
AS_ROOT = os.geteuid() == 0


@pytest.fixture
def root() -> Iterator[Path]:
    """A folder every user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="mt-admin-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _config(root: Path, data_dir: str = "data", output_dir: str = "out",
            language: str = "vi") -> Path:
    """The demo config copied to root/etc, readable by all, with these data and output dirs."""
    etc = root / "etc"
    shutil.copytree(DEMO, etc)
    settings = etc / "settings.toml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace('data_dir = "data"', f'data_dir = "{data_dir}"')
    text = text.replace('output_dir = "out"', f'output_dir = "{output_dir}"')
    text = text.replace('language = "vi"', f'language = "{language}"')
    assert f'data_dir = "{data_dir}"' in text and f'output_dir = "{output_dir}"' in text
    settings.write_text(text, encoding="utf-8")
    for path in [etc, *etc.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return settings


def _give(path: Path) -> None:
    """Make `path` the test user's own (nobody's when running as root)."""
    if AS_ROOT:
        os.chown(path, NOBODY, NOBODY)


def _forbid(path: Path) -> None:
    """Make `path` unwritable for the test user: root's (as root), or read-only by mode."""
    if not AS_ROOT:
        path.chmod(0o555 if path.is_dir() else 0o444)


def _mailtally(config: Path, *args: str) -> tuple[int, str, str]:
    prefix = (["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
              if AS_ROOT else [])
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MAILTALLY_NOW": "2023-08-12T09:00:00"}
    done = subprocess.run([*prefix, sys.executable, str(REPO_ROOT / "run.py"), "--config",
                           str(config), *args], capture_output=True, text=True, env=env,
                          cwd="/", timeout=120, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def _sentence(err: str) -> str:
    """The one line printed for the administrator (log lines start with their time)."""
    printed = [line for line in err.splitlines() if line and not line[:4].isdigit()]
    assert len(printed) == 1, err
    return printed[0]


def test_a_data_dir_that_cannot_be_written_names_it_and_the_chown(root: Path) -> None:
    config = _config(root)
    data = config.parent / "data"
    data.mkdir()
    _forbid(data)
    code, _, err = _mailtally(config, "once")
    assert code == 1
    line = _sentence(err)
    assert line.startswith(f"Không ghi được dữ liệu: {data}: người dùng ")
    assert "không có quyền ghi vào đó" in line and "cách sửa: `sudo chown -R " in line
    assert line.endswith(f": {data}`, hoặc chạy mailtally bằng người dùng sở hữu thư mục đó.")


def test_a_data_dir_that_cannot_be_created_and_english(root: Path) -> None:
    config = _config(root, data_dir="locked/data", language="en")
    locked = config.parent / "locked"
    locked.mkdir()
    _forbid(locked)
    code, _, err = _mailtally(config, "once")
    assert code == 1
    line = _sentence(err)
    assert line.startswith(f"Could not write data: {locked / 'data'}: user ")
    assert "may not create this folder (Permission denied); fix: `sudo install -d -o " in line
    assert line.endswith(f" -m 0750 {locked / 'data'}`.")


def test_an_output_dir_that_cannot_be_written(root: Path) -> None:
    config = _config(root)
    data, out = config.parent / "data", config.parent / "out"
    data.mkdir()
    out.mkdir()
    _give(data)
    _forbid(out)
    code, _, err = _mailtally(config, "once")
    assert code == 1
    assert _sentence(err).startswith(f"Không ghi được dữ liệu: {out}: người dùng ")


def test_a_lock_left_to_another_user(root: Path) -> None:
    config = _config(root)
    data = config.parent / "data"
    data.mkdir()
    _give(data)
    lock = data / ".lock"
    lock.write_text("")
    _forbid(lock)
    for command in ("once", "backup"):
        args = (command, str(root / "backup")) if command == "backup" else (command,)
        code, _, err = _mailtally(config, *args)
        assert code == 1, err
        line = _sentence(err)
        assert line.startswith(f"Không ghi được dữ liệu: {lock}: người dùng "), line
        assert f": {data}`" in line


def test_a_store_a_first_run_as_another_user_left_behind(root: Path) -> None:
    if not AS_ROOT:
        pytest.skip("needs root to leave a store owned by another user")
    config = _config(root)
    subprocess.run([sys.executable, str(REPO_ROOT / "run.py"), "--config", str(config),
                    "check"], capture_output=True, check=False)  # as root: the mistake
    data = config.parent / "data"
    assert (data / "mailtally.db").is_file()
    data.chmod(0o777)  # the folder is writable, the database in it is root's
    code, _, err = _mailtally(config, "check")
    assert code == 1
    assert _sentence(err).startswith(f"Không ghi được dữ liệu: {data / 'mailtally.db'}: ")


def test_a_backup_folder_that_cannot_be_written(root: Path) -> None:
    config = _config(root)
    data = config.parent / "data"
    data.mkdir()
    _give(data)
    (config.parent / "out").mkdir()
    _give(config.parent / "out")
    code, _, err = _mailtally(config, "once")
    assert code == 0, err
    dest = root / "backup"
    dest.mkdir()
    _forbid(dest)
    code, _, err = _mailtally(config, "backup", str(dest / "mailtally"))
    assert code == 1
    line = _sentence(err)
    assert line.startswith(f"Không ghi được dữ liệu: {dest / 'mailtally'}: người dùng "), line
    assert "không tạo được thư mục này" in line and f"-m 0750 {dest / 'mailtally'}`." in line


def test_log_lines_are_in_the_office_zone_whatever_the_machine_zone(root: Path) -> None:
    config = _config(root)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "America/New_York"}
    done = subprocess.run([sys.executable, str(REPO_ROOT / "run.py"), "--config", str(config),
                           "once"], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    stamps = re.findall(r"^(\S+) INFO mailtally ", done.stderr, flags=re.MULTILINE)
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", s)
                          for s in stamps), done.stderr
    logged = datetime.fromisoformat(stamps[-1])
    assert abs((datetime.now(UTC) - logged).total_seconds()) < 120


def test_a_config_folder_that_cannot_be_read(root: Path) -> None:
    config = _config(root)
    if AS_ROOT:
        config.parent.chmod(0o700)  # root's alone
    else:
        config.chmod(0o000)
    code, _, err = _mailtally(config, "check")
    assert code == 1
    line = _sentence(err)
    assert line.startswith(f"Không đọc được {config}: người dùng ")
    assert "không có quyền đọc (Permission denied); cách sửa: `sudo chgrp -R " in line
    assert f"{config.parent} && sudo chmod -R g+rX {config.parent}`" in line


def test_a_store_under_a_read_only_etc_says_where_it_belongs(root: Path) -> None:
    """What the old unit did (ProtectSystem=full with the store under /etc): the config folder
    is mounted read-only in a mount namespace of its own, as systemd does."""
    unshare = shutil.which("unshare")
    if not AS_ROOT or unshare is None:
        pytest.skip("mounting a folder read-only needs root and unshare")
    config = _config(root)
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    done = subprocess.run([unshare, "--mount", "sh", "-c", script, "sh", str(config.parent),
                           sys.executable, str(REPO_ROOT / "run.py"), "--config", str(config),
                           "once"], capture_output=True, text=True, timeout=120, check=False)
    if "mount:" in done.stderr or "unshare:" in done.stderr:
        pytest.skip(f"no read-only mount here: {done.stderr.strip()}")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    line = _sentence(done.stderr)
    assert line == (
        f"Không ghi được dữ liệu: {config.parent / 'data'}: hệ thống tệp ở đó chỉ cho đọc "
        "(Read-only file system); cách sửa: trong settings.toml, đặt data_dir và output_dir "
        "vào một thư mục ghi được, ví dụ /var/lib/mailtally (unit systemd kèm theo có "
        "StateDirectory=mailtally), không để dưới /etc.")


def test_a_read_only_file_system_says_where_the_store_belongs() -> None:
    vi, en = write_problem(Path("/etc/mailtally/data"),
                           OSError(errno.EROFS, os.strerror(errno.EROFS)))
    assert vi.startswith("/etc/mailtally/data: hệ thống tệp ở đó chỉ cho đọc")
    assert "/var/lib/mailtally" in vi and "StateDirectory=mailtally" in vi
    assert en.startswith("/etc/mailtally/data: the file system there is read-only")
    assert "/var/lib/mailtally" in en


def test_serve_retries_an_unwritable_data_dir_after_its_backoff_in_one_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # a data dir under a file cannot be created, even by root
    settings = replace(load_config(DEMO / "settings.toml"), data_dir=blocker / "data",
                       output_dir=tmp_path / "out")
    loop = service.Service(settings)
    with caplog.at_level(logging.INFO, logger="mailtally"):
        before = time.monotonic()
        loop.poll()
    failed = [r for r in caplog.records if "event=poll_failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is None
    assert f"{blocker / 'data'}: đó không phải là một thư mục" in failed[0].getMessage()
    assert loop.next_poll >= before + 0.8 * service.BACKOFF_FIRST_SECONDS
    assert loop.backoff.failures == 1
