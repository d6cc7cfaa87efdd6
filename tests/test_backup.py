"""`mailtally backup DEST`: a copy of the data dir that is itself a data dir, made under the data
dir's lock, copying only what the last backup has not got; and a damaged database is reported
in a sentence that points to it."""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from harness import REPO_ROOT

DEMO = REPO_ROOT / "config" / "demo"
NOW = "2023-08-12T09:00:00+07:00"
TABLES = ("report.csv", "messages.csv")


def _mailtally(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"MAILTALLY_NOW": NOW, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "run.py", "--config", str(config), *args],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def _demo(folder: Path) -> Path:
    shutil.copytree(DEMO, folder)
    config = folder / "settings.toml"
    assert _mailtally(config, "once").returncode == 0
    return config


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for folder in ("raw", "files") for p in sorted((root / folder).rglob("*"))
            if p.is_file()}


def _restored(config: Path, backup: Path, folder: Path) -> Path:
    """A config like `config` whose data dir is the backup, as an administrator would restore
    it (the whole folder, in place of the data dir)."""
    shutil.copytree(config.parent, folder, ignore=shutil.ignore_patterns("data", "out"))
    shutil.copytree(backup, folder / "data")
    return folder / "settings.toml"


def test_a_backup_is_a_data_dir_and_the_next_one_copies_only_what_is_new(tmp_path: Path) -> None:
    config = _demo(tmp_path / "office")
    data = config.parent / "data"
    dest = tmp_path / "backup"

    assert "Chưa sao lưu lần nào" in _mailtally(config, "check").stdout  # never backed up
    first = _mailtally(config, "backup", str(dest))
    assert first.returncode == 0, first.stderr
    checked = _mailtally(config, "check").stdout
    assert "Sao lưu gần nhất: " in checked and f"25 thư, vào {dest}" in checked
    assert "Đã sao lưu 25 thư" in first.stdout
    assert _files(dest) == _files(data)
    copied = len(_files(data))
    assert f"{copied} tệp mới" in first.stdout

    # An office decision after the first backup is in the second, which copies no file again.
    key = sqlite3.connect(data / "mailtally.db").execute(
        "SELECT message_key FROM messages ORDER BY message_key LIMIT 1").fetchone()[0]
    assert _mailtally(config, "assign", key, "--ignore").returncode == 0
    second = _mailtally(config, "backup", str(dest))
    assert second.returncode == 0, second.stderr
    assert "0 tệp mới" in second.stdout and f"{copied} tệp đã có" in second.stdout

    restored = _restored(config, dest, tmp_path / "restored")
    assert _mailtally(restored, "report").returncode == 0
    for name in TABLES:
        assert (restored.parent / "out" / name).read_bytes() == \
               (config.parent / "out" / name).read_bytes(), name
    decisions = sqlite3.connect(restored.parent / "data" / "mailtally.db").execute(
        "SELECT kind, message_key FROM decisions").fetchall()
    assert decisions == [("ignore", key)]


def test_a_backup_waits_for_the_run_that_holds_the_data_dir(tmp_path: Path) -> None:
    config = _demo(tmp_path / "office")
    held = 1.5
    lock = (config.parent / "data" / ".lock").open("a+")
    fcntl.flock(lock, fcntl.LOCK_EX)  # as a run in progress holds it
    release = threading.Timer(held, lock.close)
    release.start()
    began = time.monotonic()
    try:
        done = _mailtally(config, "backup", str(tmp_path / "backup"))
    finally:
        release.join()
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - began >= held


def test_a_backup_inside_the_data_dir_is_refused(tmp_path: Path) -> None:
    config = _demo(tmp_path / "office")
    done = _mailtally(config, "backup", str(config.parent / "data" / "backup"))
    assert done.returncode == 1
    assert "ngoài thư mục dữ liệu" in done.stderr and "Traceback" not in done.stderr


def test_a_damaged_database_is_named_and_points_to_the_backup(tmp_path: Path) -> None:
    config = _demo(tmp_path / "office")
    db = config.parent / "data" / "mailtally.db"
    for extra in ("-wal", "-shm"):
        db.with_name(db.name + extra).unlink(missing_ok=True)
    db.write_bytes(b"not a database, as after a bad copy or a failing disk" * 100)

    done = _mailtally(config, "once")
    assert done.returncode == 1
    assert "mailtally.db bị hỏng" in done.stderr and "mailtally backup" in done.stderr
    assert "Traceback" not in done.stderr
