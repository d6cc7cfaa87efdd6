"""A store that cannot be written (a full disk, a file size limit) stops the run with a sentence
and exit status 1, never a traceback; once there is room again, the next run ends as if nothing
had happened."""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from harness import REPO_ROOT

from ingest.errors import StorageError
from ingest.store import Store

DEMO = REPO_ROOT / "config" / "demo"
NOW = "2023-08-12T09:00:00+07:00"


def _raw(n: int) -> bytes:
    return (f"Message-ID: <m{n}@example.vn>\r\nFrom: a@example.vn\r\nSubject: Báo cáo {n}\r\n\r\n"
            + "nội dung " * 200).encode()


def test_a_full_database_is_a_storage_error_that_keeps_what_was_committed(
        tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    try:
        with store.transaction():
            kept, _ = store.store_message(_raw(1), datetime(2023, 8, 1, tzinfo=UTC), "test")
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")  # as if the disk were full now

        with pytest.raises(StorageError, match="ổ đĩa đã đầy"), store.transaction():
            for n in range(2, 400):
                store.store_message(_raw(n), datetime(2023, 8, 2, tzinfo=UTC), "test")

        assert [m.message_key for m in store.messages()] == [kept]
    finally:
        store.close()


def _demo_copy(folder: Path) -> Path:
    shutil.copytree(DEMO, folder)
    return folder / "settings.toml"


def _once(config: Path, file_size_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if file_size_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    env = {"MAILTALLY_NOW": NOW, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "run.py", "--config", str(config), "once"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=limit, check=False)


def test_once_that_cannot_write_says_so_then_recovers(tmp_path: Path) -> None:
    clean = _demo_copy(tmp_path / "clean")
    assert _once(clean).returncode == 0

    limited = _demo_copy(tmp_path / "limited")
    failed = _once(limited, file_size_limit=40_000)  # the demo has messages bigger than that
    assert failed.returncode == 1, failed.stderr
    assert "Không ghi được dữ liệu" in failed.stderr
    assert "Traceback" not in failed.stderr

    again = _once(limited)
    assert again.returncode == 0, again.stderr
    for name in ("report.csv", "messages.csv"):
        assert (limited.parent / "out" / name).read_bytes() == \
               (clean.parent / "out" / name).read_bytes(), name


@pytest.mark.parametrize("name", ["report.html", "report.xlsx", "messages.csv"])
def test_an_output_that_cannot_be_written_is_named_and_leaves_nothing_half_written(
        tmp_path: Path, name: str) -> None:
    """A folder squatting on an output's name fails its rename as a full disk fails its writes:
    the page is written by the run, the tables by a forked copy of it."""
    config = _demo_copy(tmp_path / "demo")
    out = config.parent / "out"
    (out / name).mkdir(parents=True)

    failed = _once(config)
    assert failed.returncode == 1, failed.stderr
    assert f"Không ghi được dữ liệu: {(out / name).resolve()}: " in failed.stderr
    assert "Traceback" not in failed.stderr
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    assert not (out / "report.html").is_file()  # a page there means every output is

    (out / name).rmdir()
    again = _once(config)
    assert again.returncode == 0, again.stderr
    assert all((out / n).is_file() for n in ("report.html", "report.xlsx", "messages.csv"))
