"""app.publish.beside: the tables are written by a forked copy while the page is rendered; a
failure there is not lost, and with another thread running nothing is forked."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from app.publish import beside
from ingest.errors import StorageError


def _write_pid(target: Path) -> None:
    target.write_text(str(os.getpid()))


def test_the_work_is_done_by_another_process(tmp_path: Path) -> None:
    target = tmp_path / "pid.txt"
    wait = beside(lambda: _write_pid(target), "pid.txt")
    wait()
    assert int(target.read_text()) != os.getpid()


def test_a_failure_in_the_copy_is_raised_by_wait(tmp_path: Path) -> None:
    def fail() -> None:
        raise OSError("disk full")

    wait = beside(fail, "report.xlsx")
    with pytest.raises(StorageError, match=r"report\.xlsx"):
        wait()
    with pytest.raises(StorageError, match=r"report\.xlsx"):
        wait()  # asked again (as when the page failed too): the same answer


def test_the_copys_own_storage_error_reaches_the_run(tmp_path: Path) -> None:
    def full() -> None:
        raise StorageError("cannot write report.xlsx: ổ đĩa đã đầy (No space left on device)")

    wait = beside(full, "report.csv, report.xlsx")
    with pytest.raises(StorageError, match="ổ đĩa đã đầy"):
        wait()


def test_with_another_thread_running_the_work_is_done_here(tmp_path: Path) -> None:
    target = tmp_path / "pid.txt"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        wait = beside(lambda: _write_pid(target), "pid.txt")
        assert int(target.read_text()) == os.getpid()  # done before beside returned
        wait()
    finally:
        stop.set()
        other.join()
