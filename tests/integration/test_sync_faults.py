"""`run.py once` when the mailbox or the data dir does something awkward, against a real Dovecot:
a folder recreated under a new UIDVALIDITY, a message expunged after it was stored, folders
added to or renamed in the config, a second run while another holds the data dir, and a run
killed in the middle of a fetch. CONTRACT.md: "One message, once", "Nothing lost", and "Two runs
at once on one data dir must not both write".

Messages are APPENDed with a chosen INTERNALDATE given in UTC; outputs show it in +07:00.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from eml_builders import UNITS, UNITS_CSV, build_message, docx, jpg, utc
from harness import PASSWORD_ENV, REPO_ROOT, REQUEST_ID, ReadCsv, RunMailtally, WriteConfig
from servers.dovecot import DovecotServer, ImapUser

pytestmark = pytest.mark.integration


CONFIG_DIR = "cfg"  # write_config(dirname=...) again rewrites the same config, same data dir

def message_id_of(code: str, n: int = 1) -> str:
    return f"<178-{code.lower()}-{n}@example.gov.vn>"


def reply(code: str, n: int = 1) -> bytes:
    """Unit `code`'s complete reply number `n` (a .docx report and a photo), from its roster
    address, so that it is placed by address under the one request."""
    name, address = UNITS[code]
    return build_message(
        sender=address,
        sender_name=name,
        subject=f"Báo cáo kết quả Ngày hoạt động cao điểm ({REQUEST_ID}) - {name}",
        body=f"Kính gửi Văn phòng Đoàn Khối,\n{name} xin gửi báo cáo lần {n}.\nTrân trọng.\n",
        date=utc(3, 0),
        message_id=message_id_of(code, n),
        attachments=[
            docx(f"Báo cáo {code} lần {n}.docx", size=8_000),
            jpg(f"Ảnh {code} {n}.jpg", size=12_000),
        ],
    )


def short_note(code: str, n: int) -> bytes:
    """A small placed message without evidence (a question): cheap to send by the hundred."""
    name, address = UNITS[code]
    return build_message(
        sender=address,
        subject=f"Hỏi về Thông báo {REQUEST_ID} (lần {n})",
        body=f"{name} xin hỏi thêm về thời hạn nộp, câu hỏi số {n}.\n",
        date=utc(2, 0),
        message_id=f"<note-{code.lower()}-{n}@example.gov.vn>",
    )


def config_for(
    write_config: WriteConfig,
    user: ImapUser,
    server: DovecotServer,
    folders: Sequence[str] = ("INBOX",),
) -> Path:
    """Write (or rewrite: same folder, same data dir) the config of this test."""
    return write_config(
        user=user, server=server, folders=folders, units_csv=UNITS_CSV, dirname=CONFIG_DIR
    )


def run_once(run_mailtally: RunMailtally, config: Path, user: ImapUser) -> tuple[str, str]:
    code, out, err = run_mailtally(config, "once", password=user.password)
    assert code == 0, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    return out, err


def bare_id(message_id: str) -> str:
    return message_id.strip().removeprefix("<").removesuffix(">")


def ledger(read_csv: ReadCsv, config: Path) -> dict[str, dict[str, str]]:
    """messages.csv by bare Message-ID; fails when a message has two rows or two keys."""
    rows = read_csv(config.parent / "out" / "messages.csv")
    by_id = {bare_id(r["message_id"]): r for r in rows}
    assert len(by_id) == len(rows), "a message is listed twice:\n" + "\n".join(map(str, rows))
    assert len({r["message_key"] for r in rows}) == len(rows), rows
    return by_id


def report(read_csv: ReadCsv, config: Path) -> dict[str, tuple[str, str, str]]:
    """report.csv as {unit_code: (status, received_at, messages)}."""
    rows = read_csv(config.parent / "out" / "report.csv")
    assert [r["request_id"] for r in rows] == [REQUEST_ID] * len(UNITS), rows
    return {r["unit_code"]: (r["status"], r["received_at"], r["messages"]) for r in rows}


MISSING = ("missing", "", "0")


def test_uidvalidity_change_counts_no_message_twice(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    folder = "Báo cáo"
    dovecot.create_folder(imap_user, folder)
    first = {"D01": utc(3, 30), "D02": utc(3, 50), "D03": utc(4, 20)}
    for code, when in first.items():
        dovecot.append(imap_user, folder, reply(code), when)
    config = config_for(write_config, imap_user, dovecot, folders=[folder])

    run_once(run_mailtally, config, imap_user)
    before = ledger(read_csv, config)
    assert set(before) == {bare_id(message_id_of(c)) for c in first}
    expected = {
        "D01": ("on_time", "2023-08-11T10:30:00+07:00", "1"),
        "D02": ("on_time", "2023-08-11T10:50:00+07:00", "1"),
        "D03": ("late", "2023-08-11T11:20:00+07:00", "1"),
        "D04": MISSING,
    }
    assert report(read_csv, config) == expected

    # The folder is rebuilt (a migration, a restore): a new UIDVALIDITY, UIDs from 1 again.
    # The new message takes UID 1, so a program that kept the old UIDs (last UID 3) would
    # skip it and fetch only UID 4. D02 comes back with a later INTERNALDATE, as a restore
    # may give: its first arrival still counts.
    old_uidvalidity = dovecot.uidvalidity(imap_user, folder)
    dovecot.delete_folder(imap_user, folder)
    dovecot.create_folder(imap_user, folder)
    dovecot.append(imap_user, folder, reply("D04"), utc(4, 40))
    dovecot.append(imap_user, folder, reply("D01"), first["D01"])
    dovecot.append(imap_user, folder, reply("D02"), utc(6, 0))
    dovecot.append(imap_user, folder, reply("D03"), first["D03"])
    assert dovecot.uidvalidity(imap_user, folder) != old_uidvalidity

    run_once(run_mailtally, config, imap_user)

    after = ledger(read_csv, config)
    assert set(after) == {bare_id(message_id_of(c)) for c in UNITS}
    for mid, row in before.items():
        assert after[mid] == row  # same key, same receipt time, same placement
    assert after[bare_id(message_id_of("D04"))]["unit_code"] == "D04"
    assert report(read_csv, config) == {
        **expected,
        "D04": ("late", "2023-08-11T11:40:00+07:00", "1"),
    }


def test_message_expunged_on_the_server_stays_in_the_ledger(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    gone = dovecot.append(imap_user, "INBOX", reply("D01"), utc(3, 30))
    dovecot.append(imap_user, "INBOX", reply("D02"), utc(3, 40))
    config = config_for(write_config, imap_user, dovecot)

    run_once(run_mailtally, config, imap_user)
    before = ledger(read_csv, config)
    assert len(before) == 2

    # Someone in the office deletes D01's reply for good; then D03's arrives.
    dovecot.expunge(imap_user, "INBOX", [gone])
    assert gone not in dovecot.flags(imap_user, "INBOX")
    dovecot.append(imap_user, "INBOX", reply("D03"), utc(3, 50))

    run_once(run_mailtally, config, imap_user)

    after = ledger(read_csv, config)
    d01 = bare_id(message_id_of("D01"))
    assert after[d01] == before[d01]
    assert set(after) == {bare_id(message_id_of(c)) for c in ("D01", "D02", "D03")}
    assert report(read_csv, config) == {
        "D01": ("on_time", "2023-08-11T10:30:00+07:00", "1"),
        "D02": ("on_time", "2023-08-11T10:40:00+07:00", "1"),
        "D03": ("on_time", "2023-08-11T10:50:00+07:00", "1"),
        "D04": MISSING,
    }
    # `report` (no polling) agrees: the message lives in the store, not in the mailbox.
    code, out, err = run_mailtally(config, "report", password=imap_user.password)
    assert code == 0, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert ledger(read_csv, config) == after


def test_folder_added_to_the_config_is_read_on_the_next_run(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    folder = "Báo cáo đơn vị"
    dovecot.create_folder(imap_user, folder)
    d01 = reply("D01")
    dovecot.append(imap_user, "INBOX", d01, utc(3, 30))
    dovecot.append(imap_user, folder, d01, utc(3, 45))  # filed there too, later
    dovecot.append(imap_user, folder, reply("D02"), utc(3, 50))
    config = config_for(write_config, imap_user, dovecot, folders=["INBOX"])

    run_once(run_mailtally, config, imap_user)
    assert set(ledger(read_csv, config)) == {bare_id(message_id_of("D01"))}
    assert report(read_csv, config)["D02"] == MISSING

    config_for(write_config, imap_user, dovecot, folders=["INBOX", folder])
    run_once(run_mailtally, config, imap_user)

    assert set(ledger(read_csv, config)) == {bare_id(message_id_of(c)) for c in ("D01", "D02")}
    assert report(read_csv, config) == {
        "D01": ("on_time", "2023-08-11T10:30:00+07:00", "1"),  # once, at its first arrival
        "D02": ("on_time", "2023-08-11T10:50:00+07:00", "1"),
        "D03": MISSING,
        "D04": MISSING,
    }


def test_folder_renamed_on_the_server_and_in_the_config(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    old, new = "Báo cáo đơn vị", "Báo cáo đơn vị 2023"
    dovecot.create_folder(imap_user, old)
    dovecot.append(imap_user, "INBOX", reply("D01"), utc(3, 30))
    dovecot.append(imap_user, old, reply("D02"), utc(3, 50))
    config = config_for(write_config, imap_user, dovecot, folders=["INBOX", old])
    run_once(run_mailtally, config, imap_user)
    assert len(ledger(read_csv, config)) == 2

    dovecot.rename_folder(imap_user, old, new)
    dovecot.append(imap_user, new, reply("D03"), utc(4, 20))

    # The config still names the old folder: the run fails and says which folder, but
    # what was stored stays in the outputs.
    code, out, err = run_mailtally(config, "once", password=imap_user.password)
    assert code == 1, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert old in out + err
    assert set(ledger(read_csv, config)) == {bare_id(message_id_of(c)) for c in ("D01", "D02")}

    config_for(write_config, imap_user, dovecot, folders=["INBOX", new])
    run_once(run_mailtally, config, imap_user)

    assert set(ledger(read_csv, config)) == {
        bare_id(message_id_of(c)) for c in ("D01", "D02", "D03")
    }
    assert report(read_csv, config) == {
        "D01": ("on_time", "2023-08-11T10:30:00+07:00", "1"),
        "D02": ("on_time", "2023-08-11T10:50:00+07:00", "1"),
        "D03": ("late", "2023-08-11T11:20:00+07:00", "1"),
        "D04": MISSING,
    }


@contextmanager
def data_dir_held(data_dir: Path) -> Iterator[None]:
    """Hold the data dir as a running mailtally does (an exclusive flock on data/.lock)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".lock").open("a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative path -> bytes)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_second_run_while_the_data_dir_is_held_writes_nothing(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    dovecot.append(imap_user, "INBOX", reply("D01"), utc(3, 30))
    config = config_for(write_config, imap_user, dovecot)
    data, out_dir = config.parent / "data", config.parent / "out"

    def busy_run() -> str:
        # Every command waits for a busy data dir (here 1 s instead of a minute), then gives up.
        code, out, err = run_mailtally(config, "once", password=imap_user.password, timeout=60,
                                       env={"MAILTALLY_LOCK_WAIT_SECONDS": "1"})
        assert code == 1, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
        text = out + err
        # A clear message, in Vietnamese by default, naming the data dir.
        assert "thư mục dữ liệu" in text, text
        assert str(data) in text, text
        return text

    # A first run that finds the data dir held: nothing is created.
    with data_dir_held(data):
        before = tree(data)
        busy_run()
        assert tree(data) == before
        assert not out_dir.exists()

    run_once(run_mailtally, config, imap_user)
    assert set(ledger(read_csv, config)) == {bare_id(message_id_of("D01"))}

    # A later run that finds it held: store and outputs unchanged, new mail left for later.
    dovecot.append(imap_user, "INBOX", reply("D02"), utc(3, 40))
    with data_dir_held(data):
        before_data, before_out = tree(data), tree(out_dir)
        busy_run()
        assert tree(data) == before_data
        assert tree(out_dir) == before_out

    run_once(run_mailtally, config, imap_user)
    assert set(ledger(read_csv, config)) == {bare_id(message_id_of(c)) for c in ("D01", "D02")}


def raw_files(data_dir: Path) -> int:
    """How many messages' raw bytes are in the store (temporary files not counted)."""
    raw = data_dir / "raw"
    return sum(1 for p in raw.rglob("*.eml") if not p.name.startswith(".")) if raw.exists() else 0


def test_once_killed_in_the_middle_of_a_fetch_loses_nothing(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    read_csv: ReadCsv,
) -> None:
    # 300 messages: two FETCH batches; the kill lands while the first is being stored.
    notes = [
        (short_note(code, n), utc(2, 0) + timedelta(seconds=n)) for n in range(75) for code in UNITS
    ]
    dovecot.append_many(imap_user, "INBOX", notes)
    config = config_for(write_config, imap_user, dovecot)
    data = config.parent / "data"

    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
    env[PASSWORD_ENV] = imap_user.password
    proc = subprocess.Popen(
        [sys.executable, "run.py", "--config", str(config), "once"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while raw_files(data) == 0 and proc.poll() is None:
            assert time.monotonic() < deadline, "once stored nothing within 60 s"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    stored = raw_files(data)
    assert 0 < stored < len(notes), f"the kill did not land mid-fetch ({stored} stored)"

    run_once(run_mailtally, config, imap_user)

    rows = ledger(read_csv, config)
    assert len(rows) == len(notes)
    assert report(read_csv, config) == {code: ("missing", "", "75") for code in UNITS}
